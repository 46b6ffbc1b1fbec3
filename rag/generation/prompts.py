"""What every LLM generator sends: numbered passage excerpts and the follow-up rewrite request."""
from __future__ import annotations

from .. import messages
from ..french import TYPE_MISSING_WEIGHT, asked_type, holds_type, sentence_spans, terms
from ..retrieval import Retrieval, coverage

LEADING_PASSAGES = 2  # their best sentence is always shown: rank carries the dense signal coverage misses


def answer_prompt(question: str, retrieval: Retrieval, word_budget: int, previous: str | None = None) -> str:
    """Numbered passage excerpts, then the question (after the ``previous`` one for a follow-up).

    llama.cpp reads ~94 prompt tokens/s on two idle cores (~1.7 tokens a French word), and every one
    comes before the first answer token, so the model reads only the sentences that best cover the
    question, about ``word_budget`` words in all.
    Passages keep their retrieval number even when some are left out, so a marker names
    the same passage the citations use.
    """
    chosen = select_sentences(retrieval, word_budget)
    lines = []
    for n, passage in enumerate(retrieval.passages, start=1):
        spans = sorted(chosen.get(n - 1, []))
        if spans:
            text = " ".join(_flat(passage.chunk.text, span) for span in spans)
            lines.append(f"[{n}] ({passage.chunk.title}) {text}")
    if previous:
        return messages.FOLLOW_UP_USER_PROMPT.format(passages="\n".join(lines), previous=previous, question=question)
    return messages.ANSWER_USER_PROMPT.format(passages="\n".join(lines), question=question)


def select_sentences(retrieval: Retrieval, word_budget: int) -> dict[int, list[tuple[int, int]]]:
    """Passage index -> chosen sentence spans: the best sentence of each leading passage, then the
    sentences covering the question best, from any passage, while the budget lasts. A sentence
    lacking the kind of fact asked for (a number for "combien"…) counts half, as in the extractive answer."""
    kind = asked_type(retrieval.query)
    ranked = []
    for i, passage in enumerate(retrieval.passages):
        text = passage.chunk.text
        scored = [(score * (1.0 if holds_type(text[slice(*span)], kind, retrieval.query) else TYPE_MISSING_WEIGHT),
                   span) for score, span in _ranked_spans(text, retrieval.term_weights)]
        for rank, (score, span) in enumerate(sorted(scored, key=lambda pair: -pair[0])):
            leading = i < LEADING_PASSAGES and rank == 0
            ranked.append((not leading, -score, i, span))
    chosen: dict[int, list[tuple[int, int]]] = {}
    used = 0
    for not_leading, neg_score, i, span in sorted(ranked):
        words = len(retrieval.passages[i].chunk.text[slice(*span)].split())
        if not_leading and (neg_score == 0 or used + words > word_budget):
            continue
        chosen.setdefault(i, []).append(span)
        used += words
    return chosen


def closest_sentences(text: str, weights: dict[str, float], count: int) -> list[str]:
    """The ``count`` sentences of ``text`` that cover ``weights`` best, best first, blanks collapsed."""
    return [_flat(text, span) for _, span in _ranked_spans(text, weights)[:count]]


def _ranked_spans(text: str, weights: dict[str, float]) -> list[tuple[float, tuple[int, int]]]:
    """(coverage, span) of each sentence of ``text``, best covering first."""
    scored = [(coverage(weights, set(terms(text[slice(*span)]))), span) for span in sentence_spans(text)]
    return sorted(scored, key=lambda pair: -pair[0])


def _flat(text: str, span: tuple[int, int]) -> str:
    return " ".join(text[slice(*span)].split())


def condense_prompt(question: str, history: list[dict[str, str]]) -> str:
    turns = "\n".join(
        f"{'Utilisateur' if t.get('role') == 'user' else 'Assistant'} : {' '.join(t.get('content', '').split())[:500]}"
        for t in history[-4:]
    )
    return messages.CONDENSE_PROMPT.format(history=turns, question=question)
