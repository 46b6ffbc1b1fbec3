"""Citations: turning a draft's [n] markers into verifiable spans, and the Answer type.

The generator's markers are not trusted as given: markers naming no passage are
dropped, and the passages actually cited are renumbered 1..m in order of first use,
so an answer never shows [5] when it cites four sources.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from . import messages
from .french import sentence_spans
from .retrieval import Passage

_MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_LEADING_MARKERS = re.compile(r"(?:\s*\[\d+(?:\s*,\s*\d+)*\])*")


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


@dataclass
class Answer:
    question: str
    text: str
    answered: bool
    citations: list[Citation] = field(default_factory=list)
    sentences: list[AnswerSentence] = field(default_factory=list)
    query: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

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
            "timings": self.timings,
        }


@dataclass
class Partial:
    """One step of a streamed answer: the text so far; the last step also carries the checked Answer."""

    text: str
    answer: Answer | None = None


def cite(draft: str, passages: list[Passage]) -> tuple[str, list[Citation], list[AnswerSentence]]:
    """Renumber a draft's markers over the passages it really cites; returns text, citations, sentences.

    Markers that open a sentence ("… fin. [2] Début …") belong to the sentence before.
    """
    numbering: dict[int, int] = {}
    sentences: list[AnswerSentence] = []
    for start, end in sentence_spans(draft):
        raw = draft[start:end]
        leading = _LEADING_MARKERS.match(raw).end()
        if sentences and leading:
            _add_markers(raw[:leading], sentences[-1].citations, numbering, len(passages))
            raw = raw[leading:]
        cited: list[int] = []
        _add_markers(raw, cited, numbering, len(passages))
        text = _MARKER.sub("", raw).strip()
        if text:
            sentences.append(AnswerSentence(text=text, citations=cited))
    citations = [Citation.from_passage(n, passages[number - 1]) for number, n in numbering.items()]
    body = " ".join(s.text + "".join(f" [{n}]" for n in s.citations) for s in sentences)
    return body, citations, sentences


def _add_markers(text: str, cited: list[int], numbering: dict[int, int], passage_count: int) -> None:
    for match in _MARKER.finditer(text):
        for number in (int(x) for x in match.group(1).split(",")):
            if 1 <= number <= passage_count:
                n = numbering.setdefault(number, len(numbering) + 1)
                if n not in cited:
                    cited.append(n)
