"""Support judges: ``judge(sentence, passage) -> float``, the probability that the passage supports
the sentence, and their calibration on a hand-labelled French set.

`lexical_judge` is a CHEAP LEXICAL FALLBACK, not a language model: it scores the share of the
sentence's content words (French stems) found in the passage, and caps the score when a number,
a negation or a proper noun of the sentence does not match the passage. It cannot understand
paraphrase or who-did-what, and it rates any verbatim quote as supported, so it flatters an
extractive generator. The default judge is the local model's Oui/Non support score ("local");
a configured server can judge instead ("openai"). Whichever judge runs, its accuracy on
`datasets/judge_calibration_fr.jsonl` is printed with every faithfulness number.

A model judge costs seconds per sentence on a laptop, so its scores are kept by content hash
(`CachedJudge`): a re-run only asks about sentences and passages it has not judged yet.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

from .metrics import Judge, fold_accents

CALIBRATION_SET = Path(__file__).resolve().parent / "datasets" / "judge_calibration_fr.jsonl"

_NUMBER_WORDS = frozenset(
    "deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize vingt trente "
    "quarante cinquante soixante cent cents mille million millions milliard milliards".split()
)
_NEGATION = re.compile(r"\b(?:ne|n['’]|pas|jamais|aucun|aucune|rien|sans|ni|nullement|guère)\b", re.IGNORECASE)
_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-ZÉÈÀÂÎÔ][\w-]{2,}")
_WORD = re.compile(r"\w+")
_CLAUSE = re.compile(r"[,;:]\s|(?<=[.!?])\s+|\s[-–]\s")


def _squash(text: str) -> str:
    return " ".join(_WORD.findall(fold_accents(text.lower())))


def _numbers(text: str) -> set[str]:
    words = _WORD.findall(fold_accents(text.lower()))
    return {w for w in words if w.isdigit() or w in _NUMBER_WORDS} | set(re.findall(r"\d+", text))


def lexical_judge(sentence: str, passage: str) -> float:
    """CHEAP LEXICAL FALLBACK judge (see module docstring): word coverage with three vetoes."""
    from rag.french import terms

    wanted = terms(sentence)
    if not wanted:
        return 0.0
    if _squash(sentence) in _squash(passage):
        return 1.0  # a verbatim quote is supported by the passage it comes from
    present = set(terms(passage))
    score = sum(t in present for t in wanted) / len(wanted)
    # Vetoes 1 and 2 look at the passage clause (split at , ; : and sentence ends) that shares
    # most words with the sentence, and for numbers also at its neighbouring clauses.
    clauses = [c for c in _CLAUSE.split(passage) if c.strip()] or [passage]
    overlaps = [len(set(wanted) & set(terms(c))) for c in clauses]
    i = max(range(len(clauses)), key=lambda j: overlaps[j])
    width = len([c for c in _CLAUSE.split(sentence) if c.strip()])
    window = " ".join(clauses[max(0, i - width) : i + width + 1])
    # Veto 1: a number (digits or French number word) that the passage does not contain near there.
    if _numbers(sentence) - _numbers(window):
        score = min(score, 0.2)
    # Veto 2: negation differs from the best-matching clause.
    near = " ".join(clauses[max(0, i - width + 1) : i + width])
    if bool(_NEGATION.search(sentence)) != bool(_NEGATION.search(near)):
        score = min(score, 0.3)
    # Veto 3: a proper noun (capitalised, not sentence-initial) absent from the passage.
    folded_passage = fold_accents(passage.lower())
    for name in _PROPER.findall(sentence):
        if fold_accents(name.lower()) not in folded_passage:
            score = min(score, 0.3)
            break
    return round(score, 4)


class CachedJudge:
    """Scores remembered in a JSONL file, keyed by a hash of (judge identity, sentence, passage).

    The identity names the model and the judge prompt, so changing either asks again."""

    def __init__(self, judge: Judge, identity: str, path: Path):
        self.judge, self.identity, self.path = judge, identity, Path(path)
        self.scores: dict[str, float] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    row = json.loads(line)
                    self.scores[row["key"]] = float(row["score"])
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut by an interrupted run: that pair is judged again

    def __call__(self, sentence: str, passage: str) -> float:
        key = hashlib.sha256("\0".join((self.identity, sentence, passage)).encode()).hexdigest()
        if key not in self.scores:
            self.scores[key] = self.judge(sentence, passage)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"key": key, "score": self.scores[key]}) + "\n")
        return self.scores[key]


JudgeFactory = Callable[[Path | None], Judge]


def _generator_judge(name: str) -> JudgeFactory:
    """The Oui/Non support score of a rag generator ("local": the llama.cpp model; "openai": a server),
    cached in ``cache`` when given."""

    def factory(cache: Path | None) -> Judge:
        from rag import messages
        from rag.config import Settings
        from rag.generation import make_generator

        settings = Settings()
        generator = make_generator(name, settings)

        def judge(sentence: str, passage: str) -> float:
            score = generator.judge(sentence, passage)
            if score is None:
                raise ValueError(f"le générateur « {name} » ne sait pas juger le soutien d'une phrase")
            return float(score)

        if cache is None:
            return judge
        model = (name.partition(":")[2] or settings.local_model if name.startswith("local")
                 else f"{settings.openai_base_url}|{settings.openai_model}")
        identity = f"{name}|{model}|{messages.JUDGE_PROMPT}"
        return CachedJudge(judge, identity, cache / f"{name.replace(':', '_')}.jsonl")

    return factory


def _support_check(cache: Path | None) -> Judge:
    """What `rag.citations.cite` applies to a local model's sentences: every name and number must be
    in the passage, then the model's Oui/Non score (compare with ``--threshold`` = min_support, 0.2)."""
    from rag.citations import missing_facts

    model = _generator_judge("local")(cache)
    return lambda sentence, passage: 0.0 if missing_facts(sentence, passage) else model(sentence, passage)


JUDGES: dict[str, JudgeFactory] = {
    "local": _generator_judge("local"),
    "lexical": lambda cache: lexical_judge,
    "check": _support_check,
    "openai": _generator_judge("openai"),
}


def register_judge(name: str, factory: JudgeFactory) -> None:
    """Make a judge selectable by name (``--judge NAME``); the factory is called once per run with
    the folder where it may cache its scores (or None)."""
    JUDGES[name] = factory


def make_judge(name: str, cache: Path | None = None) -> Judge:
    if name not in JUDGES and not name.startswith("local:"):
        raise ValueError(f"juge inconnu : {name} (choix : {', '.join(JUDGES)}, local:MODÈLE)")
    return JUDGES.get(name, _generator_judge(name))(cache)


def load_calibration(path: Path = CALIBRATION_SET) -> list[dict]:
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    for row in rows:
        if not {"sentence", "passage", "supported", "kind"} <= set(row) or not isinstance(row["supported"], bool):
            raise ValueError(f"ligne de calibration invalide : {row}")
    return rows


def calibrate(judge: Judge, rows: list[dict], threshold: float = 0.5, progress: bool = False) -> dict:
    """Accuracy of ``judge`` at ``threshold`` on labelled pairs, overall and per kind of trap."""
    from tqdm import tqdm

    details, per_kind = [], {}
    for row in tqdm(rows, desc="Calibration du juge", disable=not progress, leave=False):
        score = judge(row["sentence"], row["passage"])
        ok = (score >= threshold) == row["supported"]
        details.append({**row, "score": score, "correct": ok})
        per_kind.setdefault(row["kind"], []).append(ok)
    tp = sum(d["correct"] and d["supported"] for d in details)
    tn = sum(d["correct"] and not d["supported"] for d in details)
    return {
        "n": len(details),
        "threshold": threshold,
        "accuracy": sum(d["correct"] for d in details) / len(details) if details else None,
        "true_positive_rate": tp / max(1, sum(d["supported"] for d in details)),
        "true_negative_rate": tn / max(1, sum(not d["supported"] for d in details)),
        "per_kind": {k: sum(v) / len(v) for k, v in sorted(per_kind.items())},
        "details": details,
    }
