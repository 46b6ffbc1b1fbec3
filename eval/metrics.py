"""Metric functions, pure and small, so each can be checked by hand (tests/test_eval_metrics.py).

Retrieval metrics take ``relevant``: one bool per retrieved passage, best first.
Answer metrics normalise French the way FQuAD/PIAF evaluation does: lower case, accents
folded, elisions (l', d', qu'…) and articles removed, punctuation dropped.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence

Judge = Callable[[str, str], float]  # judge(sentence, passage) -> P(the passage supports the sentence)

# ---------------------------------------------------------------- retrieval


def hit_at_k(relevant: Sequence[bool], k: int) -> float:
    """1.0 when a relevant passage is among the first ``k``."""
    return 1.0 if any(relevant[:k]) else 0.0


def mrr_at_k(relevant: Sequence[bool], k: int) -> float:
    """Reciprocal rank of the first relevant passage within the first ``k``; 0 when none."""
    for rank, ok in enumerate(relevant[:k], start=1):
        if ok:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(relevant: Sequence[bool | float], k: int, n_relevant: int | None = None) -> float:
    """Normalised discounted cumulative gain with gains ``relevant`` (bools count as 0/1).

    The ideal ranking puts ``n_relevant`` passages of gain 1 first; when the number of
    relevant passages in the whole index is unknown (``None``), the ideal is the retrieved
    gains sorted, so the score measures ordering only. 0 when nothing relevant.
    """
    gains = [float(g) for g in relevant[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    if n_relevant is None:
        ideal = sorted((float(g) for g in relevant), reverse=True)[:k]
    else:
        ideal = [1.0] * min(n_relevant, k)
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


# ---------------------------------------------------------------- answers

_ELISION = re.compile(r"\b(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’]", re.IGNORECASE)
_ARTICLES = frozenset({"le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "au", "aux"})
_TOKEN = re.compile(r"\w+", re.UNICODE)


def fold_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normalize_tokens(text: str) -> list[str]:
    """French answer normalisation: ``"L'armée de l'Élysée !"`` -> ``["armee", "elysee"]``."""
    text = _ELISION.sub(" ", text.lower())
    return [t for t in _TOKEN.findall(fold_accents(text)) if t not in _ARTICLES]


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD-style token F1 between normalised answers; two empty answers score 1."""
    pred, ref = normalize_tokens(prediction), normalize_tokens(gold)
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def contains_fact(text: str, fact: str) -> bool:
    """Whether ``text`` contains the fact, as a run of normalised tokens.

    ``fact`` may list alternatives separated by ``|`` ("18h45|18 heures 45"); one is enough.
    """
    tokens = normalize_tokens(text)
    for alternative in fact.split("|"):
        needle = normalize_tokens(alternative)
        if needle and any(tokens[i : i + len(needle)] == needle for i in range(len(tokens) - len(needle) + 1)):
            return True
    return False


def fact_recall(text: str, facts: Sequence[str]) -> float:
    """Share of gold facts that appear in ``text`` (1.0 when there are none to find)."""
    if not facts:
        return 1.0
    return sum(contains_fact(text, f) for f in facts) / len(facts)


# ---------------------------------------------------------------- refusals


def refusal_metrics(answerable: Sequence[bool], answered: Sequence[bool]) -> dict[str, float | None]:
    """``refusal_accuracy``: share of unanswerable questions refused; ``false_refusal_rate``:
    share of answerable questions refused; ``decision_accuracy``: both together.
    A rate over zero questions is ``None``."""
    if len(answerable) != len(answered):
        raise ValueError("answerable and answered differ in length")
    unanswerable = [not done for ok, done in zip(answerable, answered) if not ok]
    refused_answerable = [not done for ok, done in zip(answerable, answered) if ok]
    right = [ok == done for ok, done in zip(answerable, answered)]
    return {
        "refusal_accuracy": _mean(unanswerable),
        "false_refusal_rate": _mean(refused_answerable),
        "decision_accuracy": _mean(right),
    }


# ---------------------------------------------------------------- wrong answers


def is_wrong(answerable: bool, answered: bool, facts: float | None) -> bool:
    """An answer shown to the user that states something other than the gold: no gold fact in it
    (``facts == 0``, the question's fact recall) or any answer to an unanswerable question.

    A refusal is never wrong: refusing costs less than misleading, which the rates below count.
    (The assistant only answers with at least one citation, so ``answered`` means "shown, cited".)
    """
    return answered and (not answerable or facts == 0)


def crag_score(answerable: bool, answered: bool, facts: float | None) -> int:
    """CRAG-style score of one question, so that a wrong answer costs more than a refusal:
    +1 correct (answerable, answered, ``facts >= 0.5``), 0 refused, -1 wrong (`is_wrong`),
    0 partial (answered with ``0 < facts < 0.5``)."""
    if not answered:
        return 0
    if is_wrong(answerable, answered, facts):
        return -1
    return 1 if facts >= 0.5 else 0


def wrong_answer_metrics(
    answerable: Sequence[bool], answered: Sequence[bool], facts: Sequence[float | None]
) -> dict[str, float | None]:
    """``wrong_rate``: share of all questions answered wrongly (`is_wrong`); ``wrong_rate_answerable``:
    the same among answerable questions only; ``crag_score``: mean `crag_score` (-1 to 1).
    ``facts``: fact recall per question (ignored for unanswerable ones). ``None`` over zero questions."""
    if not len(answerable) == len(answered) == len(facts):
        raise ValueError("answerable, answered and facts differ in length")
    rows = list(zip(answerable, answered, facts))
    return {
        "wrong_rate": _mean([is_wrong(*r) for r in rows]),
        "wrong_rate_answerable": _mean([is_wrong(*r) for r in rows if r[0]]),
        "crag_score": _mean([crag_score(*r) for r in rows]),
    }


# ---------------------------------------------------------------- citations


def citation_precision_recall(cited_sources: Sequence[str], gold_sources: Sequence[str]) -> tuple[float | None, float | None]:
    """Precision: share of citations whose source is a gold source (each citation counts, so two
    passages of one wrong file weigh twice). Recall: share of gold source files cited at least once.
    ``None`` when there is nothing to divide by (no citation / no gold source)."""
    gold = set(gold_sources)
    precision = sum(s in gold for s in cited_sources) / len(cited_sources) if cited_sources else None
    recall = len(gold & set(cited_sources)) / len(gold) if gold else None
    return precision, recall


# ---------------------------------------------------------------- faithfulness


def sentence_support(sentence: str, passages: Sequence[str], judge: Judge) -> float:
    """Support of one answer sentence: the best judge score over the passages it cites (0 if none)."""
    return max((judge(sentence, p) for p in passages), default=0.0)


def faithfulness(
    sentences: Sequence[tuple[str, Sequence[str]]], judge: Judge, threshold: float = 0.5
) -> tuple[float | None, list[float]]:
    """Share of answer sentences supported by their cited passages (claim-level, as in RAGAS).

    ``sentences``: (sentence, texts of the passages it cites). A sentence citing nothing is
    unsupported. Returns the share (``None`` for an answer without sentences) and the scores.
    """
    scores = [sentence_support(s, ps, judge) for s, ps in sentences]
    if not scores:
        return None, scores
    return sum(score >= threshold for score in scores) / len(scores), scores


# ---------------------------------------------------------------- latency and aggregation


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile (0-100) with linear interpolation between order statistics
    (numpy's default): percentile([1, 2, 3, 4], 50) == 2.5. ``None`` for no values."""
    if not values:
        return None
    if not 0 <= p <= 100:
        raise ValueError("p must be within [0, 100]")
    ordered = sorted(values)
    position = (len(ordered) - 1) * p / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary(values_ms: Sequence[float]) -> dict[str, float | None]:
    return {"p50_ms": percentile(values_ms, 50), "p95_ms": percentile(values_ms, 95), "n": len(values_ms)}


def _mean(values: Sequence[float | bool]) -> float | None:
    return sum(values) / len(values) if values else None


def mean(values: Sequence[float | bool | None]) -> float | None:
    """Mean of the values that are not ``None``; ``None`` when there are none."""
    kept = [v for v in values if v is not None]
    return _mean(kept)
