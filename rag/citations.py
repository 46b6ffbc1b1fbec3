"""Citations: turning a draft's [n] markers into verifiable spans, and the Answer type.

The generator's markers are not trusted as given: markers naming no passage are
dropped, and the passages actually cited are renumbered 1..m in order of first use,
so an answer never shows [5] when it cites four sources.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher

from . import messages
from .french import STOP_WORDS, sentence_spans, strip_accents, terms
from .retrieval import Passage

_MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_LEADING_MARKERS = re.compile(r"(?:\s*\[\d+(?:\s*,\s*\d+)*\])*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_CAPITALISED = re.compile(r"\b[A-ZÉÈÊÀÂÎÔÛÇ][\w’'-]*\w")
_ELIDED = re.compile(r"^(?:[LlDdJjNnSsCcMmTt]|[Qq]u)['’]")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
# Capitalised only because they open a sentence or a title, not names.
_COMMON_CAPITALISED = STOP_WORDS | {
    "apres", "avant", "selon", "lors", "depuis", "pendant", "enfin", "ensuite", "cependant", "toutefois",
    "oui", "non", "etat", "president", "premier", "ministre", "plus", "moins", "deux", "trois",
    "combien", "lequel", "laquelle", "lesquels", "lesquelles", "est",
}


@dataclass
class Citation:
    n: int
    source: str
    title: str
    start: int
    end: int
    text: str
    score: float
    kind: str = "body"
    date: str | None = None

    @classmethod
    def from_passage(cls, n: int, passage: Passage) -> Citation:
        c = passage.chunk
        return cls(n, c.source, c.title, c.start, c.end, c.text, round(passage.score, 6), c.kind, c.date)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class AnswerSentence:
    text: str
    citations: list[int]
    support: float | None = None
    supported: bool = True


@dataclass
class Answer:
    question: str
    text: str
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    sentences: list[AnswerSentence] = field(default_factory=list)
    query: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    notice: str | None = None  # e.g. the LLM server was down and this is the extractive fallback

    @classmethod
    def refusal(cls, question: str, query: str | None = None, timings: dict | None = None) -> Answer:
        return cls(question=question, text=messages.REFUSAL, answered=False, query=query, timings=timings or {})

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "answered": self.answered,
            "citations": [c.to_dict() for c in self.citations],
            "sentences": [asdict(s) for s in self.sentences],
            "query": self.query,
            "notice": self.notice,
            "timings": self.timings,
        }


@dataclass
class Partial:
    """One step of a streamed answer: the text so far; the last step also carries the checked Answer."""

    text: str
    answer: Answer | None = None


Judge = Callable[[str, str], "float | None"]  # (claim, passage) -> P(the passage supports the claim)


def cite(
    draft: str,
    passages: list[Passage],
    *,
    verify: bool = False,
    judge: Judge | None = None,
    min_support: float = 0.5,
) -> tuple[str, list[Citation], list[AnswerSentence]]:
    """Check a draft's markers and renumber them over the passages really cited.

    Markers that open a sentence ("… fin. [2] Début …") belong to the sentence before.
    With ``verify`` (drafts written by a model), each sentence is re-attributed when its
    markers are missing or point to a passage lacking its facts, then scored; sentences
    below ``min_support`` stay in the returned list, marked unsupported, but leave the text.
    """
    raw: list[tuple[str, list[int]]] = []
    for start, end in sentence_spans(draft):
        piece = draft[start:end]
        leading = _LEADING_MARKERS.match(piece).end()
        if raw and leading:
            raw[-1][1].extend(_markers(piece[:leading], len(passages)))
            piece = piece[leading:]
        text = _MARKER.sub("", piece).strip()
        if text:
            raw.append((text, _markers(piece, len(passages))))
    numbering: dict[int, int] = {}
    sentences: list[AnswerSentence] = []
    for text, numbers in raw:
        support = None
        if verify:
            numbers, support = _verify(text, list(dict.fromkeys(numbers)), passages, judge, min_support)
        supported = support is None or support >= min_support
        cited = [numbering.setdefault(k, len(numbering) + 1) for k in dict.fromkeys(numbers)] if supported else []
        sentences.append(AnswerSentence(text=text, citations=cited, support=support, supported=supported))
    citations = [Citation.from_passage(n, passages[number - 1]) for number, n in numbering.items()]
    body = " ".join(s.text + "".join(f" [{n}]" for n in s.citations) for s in sentences if s.supported)
    return body, citations, sentences


def _markers(text: str, passage_count: int) -> list[int]:
    return [
        number
        for match in _MARKER.finditer(text)
        for number in (int(x) for x in match.group(1).split(","))
        if 1 <= number <= passage_count
    ]


def missing_facts(claim: str, evidence: str) -> list[str]:
    """Numbers and proper names of the claim that the evidence does not contain.

    Numbers must match exactly (digits glued to letters count: "Tu-95MS" holds 95). A name
    may differ in spelling, as transliterations do (Sergei / Sergueï): each of its words needs
    a close word in the evidence. An elided article ("L'avion") is not a name.
    """
    folded = f" {_fold(evidence)} "
    words = set(folded.split())
    names = []
    for word in _CAPITALISED.findall(claim):
        word = _ELIDED.sub("", word)
        if word[:1].isupper() and strip_accents(word.lower()) not in _COMMON_CAPITALISED:
            names.append(word)
    missing = [n for n in dict.fromkeys(_NUMBER.findall(claim)) if f" {_fold(n)} " not in folded]
    for name in dict.fromkeys(names):
        parts = _fold(name).split()
        if f" {' '.join(parts)} " not in folded and not all(_close_word(p, words) for p in parts):
            missing.append(name)
    return missing


def _close_word(word: str, words: set[str]) -> bool:
    if word in words:
        return True
    if len(word) < 4 or word.isdigit():
        return False
    return any(w[:1] == word[:1] and SequenceMatcher(None, word, w).ratio() >= 0.8 for w in words)


def _fold(text: str) -> str:
    text = _DIGIT_LETTER.sub(" ", strip_accents(text.lower()).replace("\u00a0", " "))
    return " ".join(re.findall(r"\w+", text))


def _lexical_support(claim: str, evidence: str) -> float:
    claim_terms = set(terms(claim))
    return len(claim_terms & set(terms(evidence))) / len(claim_terms) if claim_terms else 0.0


def _verify(
    claim: str, numbers: list[int], passages: list[Passage], judge: Judge | None, min_support: float
) -> tuple[list[int], float]:
    """Score the claim against the passages that could hold it, the model's own markers first.

    A candidate must contain the claim's numbers and names and most of its words; the judge
    (or, without one, word overlap) then scores up to three candidates and the best is cited.
    """

    def evidence(nums: list[int]) -> str:
        return "\n".join(passages[n - 1].chunk.text for n in nums)

    def plausible(nums: list[int]) -> bool:
        return not missing_facts(claim, evidence(nums)) and _lexical_support(claim, evidence(nums)) >= 0.5

    def score(nums: list[int]) -> float:
        scores = [judge(claim, passages[n - 1].chunk.text) for n in nums] if judge else [None]
        return _lexical_support(claim, evidence(nums)) if None in scores else max(scores)

    single = sorted(
        (n for n in range(1, len(passages) + 1) if plausible([n])),
        key=lambda n: -_lexical_support(claim, evidence([n])),
    )
    candidates = ([numbers] if numbers and plausible(numbers) else []) + [[n] for n in single if [n] != numbers]
    best: tuple[list[int], float] = (numbers, 0.0)
    for nums in candidates[:3]:
        support = round(score(nums), 3)
        if support > best[1] or best[1] == 0.0:
            best = (nums, support)
        if support >= min_support:
            break
    return best
