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
from .french import MONTHS, NUMBER_VALUES, STOP_WORDS, asked_type, dates, sentence_spans, strip_accents, terms
from .retrieval import Passage

Span = tuple[int, int]  # offsets inside a chunk's text
RELATED_PASSAGES = 3  # closest passages a refusal keeps

_MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
_LEADING_MARKERS = re.compile(r"(?:\s*\[\d+(?:\s*,\s*\d+)*\])*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_CAPITALISED = re.compile(r"\b[A-ZÉÈÊÀÂÎÔÛÇ][\w’'-]*\w")
_ELIDED = re.compile(r"^(?:[LlDdJjNnSsCcMmTt]|[Qq]u)['’]")
_DIGIT_LETTER = re.compile(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)")
# Capitalised only because they open a sentence or a title, not names.
_COMMON_CAPITALISED = STOP_WORDS | {
    "apres", "avant", "selon", "lors", "depuis", "pendant", "enfin", "ensuite", "cependant", "toutefois",
    "oui", "non", "etat", "president", "premier", "ministre", "plus", "moins",
    "combien", "lequel", "laquelle", "lesquels", "lesquelles", "est",
} | set(NUMBER_VALUES)  # "Quatre pays…": checked as a number


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
    evidence_start: int | None = None  # the sentence(s) that support the claim, inside start..end
    evidence_end: int | None = None

    @classmethod
    def from_passage(cls, n: int, passage: Passage, evidence: Span | None = None) -> Citation:
        """``evidence``: offsets inside the chunk's text; the whole chunk when not given."""
        c = passage.chunk
        first, last = evidence or (0, len(c.text))
        return cls(n, c.source, c.title, c.start, c.end, c.text, round(passage.score, 6), c.kind, c.date,
                   c.start + first, c.start + last)

    @property
    def evidence_text(self) -> str:
        """The supporting sentence(s), from the citation's own text: right even if the file changed since."""
        if self.evidence_start is None or self.evidence_end is None:
            return self.text
        return self.text[self.evidence_start - self.start : self.evidence_end - self.start]

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
    related: list[Citation] = field(default_factory=list)  # a refusal's closest passages, which do not answer

    @classmethod
    def refusal(cls, question: str, query: str | None = None, timings: dict | None = None,
                passages: list[Passage] | None = None) -> Answer:
        """A refusal still shows what was found, so the user can judge it or rephrase."""
        related = [Citation.from_passage(n, p) for n, p in enumerate((passages or [])[:RELATED_PASSAGES], start=1)]
        return cls(question=question, text=messages.REFUSAL, answered=False, query=query, timings=timings or {},
                   related=related)

    def to_dict(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "answered": self.answered,
            "citations": [c.to_dict() for c in self.citations],
            "sentences": [asdict(s) for s in self.sentences],
            "query": self.query,
            "notice": self.notice,
            "related": [c.to_dict() for c in self.related],
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
    question: str | None = None,
) -> tuple[str, list[Citation], list[AnswerSentence]]:
    """Check a draft's markers and renumber them over the passages really cited.

    Markers that open a sentence ("… fin. [2] Début …") belong to the sentence before.
    With ``verify`` (drafts written by a model), each sentence is re-attributed when its
    markers are missing or point to a passage lacking its facts, then scored; sentences
    below ``min_support`` stay in the returned list, marked unsupported, but leave the text.
    ``question`` lets the check catch a figure or name taken from beside the one asked for.
    Each citation carries the span of the sentence(s) its claims rest on.
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
    evidence: dict[int, list[Span]] = {}
    for text, numbers in raw:
        support = None
        numbers = list(dict.fromkeys(numbers))
        if verify:
            numbers, support, spans = _verify(text, numbers, passages, judge, min_support, question)
        else:
            spans = {n: find_evidence(text, passages[n - 1].chunk.text) for n in numbers}
        supported = support is None or support >= min_support
        cited = [numbering.setdefault(k, len(numbering) + 1) for k in numbers] if supported else []
        if supported:
            for n in numbers:
                if spans.get(n):
                    evidence.setdefault(n, []).append(spans[n])
        sentences.append(AnswerSentence(text=text, citations=cited, support=support, supported=supported))
    citations = [
        Citation.from_passage(n, passages[number - 1], _covering(evidence.get(number)))
        for number, n in numbering.items()
    ]
    body = " ".join(s.text + "".join(f" [{n}]" for n in s.citations) for s in sentences if s.supported)
    return body, citations, sentences


def _covering(spans: list[Span] | None) -> Span | None:
    return (min(a for a, _ in spans), max(b for _, b in spans)) if spans else None


def _markers(text: str, passage_count: int) -> list[int]:
    return [
        number
        for match in _MARKER.finditer(text)
        for number in (int(x) for x in match.group(1).split(","))
        if 1 <= number <= passage_count
    ]


def missing_facts(claim: str, evidence: str) -> list[str]:
    """Numbers and proper names of the claim that the evidence does not contain.

    Numbers must match exactly (digits glued to letters count: "Tu-95MS" holds 95; "trois" needs "trois"
    or "3": the 1.5B model answered "Trois pays participent…" from a sentence giving no count). A name
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
    claim_words = _fold(claim).split()
    for i, word in enumerate(claim_words):
        neighbours = claim_words[max(i - 1, 0) : i] + claim_words[i + 1 : i + 2]
        if word in NUMBER_VALUES and not any(w in NUMBER_VALUES or w.isdigit() or w.startswith(("cent", "mill"))
                                             for w in neighbours):  # "deux cents" may be written "200"
            if word not in words and NUMBER_VALUES[word] not in words and word not in missing:
                missing.append(word)
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


def find_evidence(claim: str, text: str, context: str = "") -> Span | None:
    """The sentence of ``text`` (or two neighbouring ones) that holds every number and name of the
    claim, with most of its words; ``None`` when no such place exists. ``context`` (the title) may
    supply names. Checking one sentence, not the whole passage, is what stops a claim from taking
    its city or its figure from the next sentence."""
    flat_claim = " ".join(claim.split())
    spans = sentence_spans(text)
    for span in spans:
        if _flat(text, span) == flat_claim:  # a verbatim quote
            return span
    pairs = [(a[0], b[1]) for a, b in zip(spans, spans[1:])]
    for windows in (spans, pairs):  # one sentence when one is enough
        holding = [w for w in windows if not missing_facts(claim, f"{context}\n{text[w[0]:w[1]]}")]
        if holding:
            return max(holding, key=lambda w: (_lexical_support(claim, text[w[0]:w[1]]), w[0] - w[1]))
    return None


def _flat(text: str, span: Span) -> str:
    return " ".join(text[span[0] : span[1]].split())


_MONTHS = MONTHS | {"janv", "fevr", "avr", "juil", "sept", "oct", "nov", "dec"}
_TOKEN = re.compile(r"[\w’'-]+")
_ASKED_ENTITIES = {"number": {"number"}, "date": {"date", "number"}, "name": {"name"}}


def misattributed(claim: str, question: str, evidence: str) -> str | None:
    """The name or number of the evidence that the question points to, when the claim used another.

    A sentence often holds two figures or two people ("130 morts à Paris … l'avion russe, 224
    personnes"): the claim's answer must be the one the question's words surround, not merely one
    present in the sentence. Only the kind of fact asked for is checked ("combien": numbers). Each
    candidate of that kind is scored by the question's words around it, the words before it counting
    most (French puts the description first: "son ministre de la Défense, Sergueï Choïgou"), and
    scores stop at the next entity of that kind, one the question names included, whose own words count
    for no candidate (in "… de Wallerand de Saint Just, candidat Front national…", the question's "Saint Just"
    says nothing of whether "Front" is the region asked for). The claim is misattributed when another
    candidate is clearly better placed.
    """
    kinds = _ASKED_ENTITIES.get(asked_type(question))
    if not kinds:
        return None  # "what", "why", "how": the names in the answer are not what was asked for
    words = [m.group() for m in _TOKEN.finditer(" ".join(evidence.split()))]
    question_folded = set(_fold(question).split())
    claim_folded = set(_fold(claim).split())

    def mentioned(entity: tuple[str, str, int, int], folded: set[str]) -> bool:
        return _close_word(entity[1].split()[-1], folded)  # a surname: "Sergueï" names two ministers

    found = [e for e in _entities(words) if e[0] in kinds]
    entities = [e for e in found if not mentioned(e, question_folded)]
    answers = [e for e in entities if mentioned(e, claim_folded)]
    if not answers:
        return None
    wanted = set(terms(question))
    # Words of every entity, the question's own included, say nothing of where an answer belongs.
    inside = {j for e in found for j in range(e[2], e[3] + 1)}
    stems = [set() if j in inside else set(terms(w)) & wanted for j, w in enumerate(words)]

    def attachment(entity: tuple[str, str, int, int]) -> float:
        kind, _, first, last = entity
        same = sorted(e[2] for e in found if e[0] == kind and e[2] != first)
        left = max((p for p in same if p < first), default=-1)
        right = min((p for p in same if p > last), default=len(words))
        score = 0.0
        for j in range(left + 1, right):
            if not stems[j]:
                continue
            distance = first - j if j < first else j - last
            score += (1.0 if j < first else 0.5) / (1 + 0.1 * distance)
        return score

    for answer in answers:
        mine = attachment(answer)
        rivals = [e for e in entities if e[0] == answer[0] and not mentioned(e, claim_folded)]
        for rival in rivals:
            theirs = attachment(rival)
            if theirs >= 0.5 and theirs > 1.25 * mine + 0.2:
                return rival[1]
    return None


def named_facts(text: str, fragment: bool = False) -> list[tuple[str, str]]:
    """(kind, words as written) of each number, date and name of ``text``: what a question may ask for.
    A ``fragment`` (a short answer) may start with a name; a sentence's first capital is not one."""
    words = [m.group() for m in _TOKEN.finditer(" ".join(text.split()))]
    found = []
    for kind, _, first, last in _entities(words, fragment):
        if kind == "date" and last + 1 < len(words) and _fold(words[last + 1]) in _MONTHS:
            last += 1  # "26 novembre", not "26"
        found.append((kind, " ".join(words[first : last + 1])))
    return found


def _entities(words: list[str], fragment: bool = False) -> list[tuple[str, str, int, int]]:
    """(kind, folded text, first word index, last word index) of each number, date and name."""
    found: list[tuple[str, str, int, int]] = []
    for i, word in enumerate(words):
        folded = _fold(word)
        if any(c.isdigit() for c in word):
            following = _fold(words[i + 1]) if i + 1 < len(words) else ""
            kind = "date" if following in _MONTHS or dates(word, following) else "number"
            found.append((kind, folded, i, i))
        elif (word[:1].isupper() and (i > 0 or fragment)
              and strip_accents(_ELIDED.sub("", word).lower()) not in _COMMON_CAPITALISED):
            if found and found[-1][0] == "name" and found[-1][3] == i - 1:
                kind, text, first, _ = found[-1]
                found[-1] = (kind, f"{text} {folded}", first, i)
            else:
                found.append(("name", folded, i, i))
    return found


def _verify(
    claim: str, numbers: list[int], passages: list[Passage], judge: Judge | None, min_support: float,
    question: str | None,
) -> tuple[list[int], float, dict[int, Span]]:
    """Score the claim against the sentences that could hold it, the model's own markers first.

    A candidate passage must hold the claim's numbers and names in one sentence (or two
    neighbouring ones), most of the claim's words, and no better-placed rival to the figure or
    name the question asks for; the judge (or, without one, word overlap) then scores that
    evidence for up to three candidates and the best is cited with its evidence span.
    """
    found: dict[int, Span | None] = {}
    given = [text for _, text in named_facts(question)] if question else []

    def evidence(n: int) -> Span | None:
        if n not in found:
            chunk = passages[n - 1].chunk
            # The question's own names, restated by the claim, may sit anywhere in the passage: "le président
            # français a rencontré Barack Obama…" answers "Dans quel but François Hollande est-il allé voir…".
            context = " ".join([chunk.title] + [name for name in given if not missing_facts(name, chunk.text)])
            span = find_evidence(claim, chunk.text, context)
            if span and _lexical_support(claim, chunk.search_text) < 0.5:
                span = None
            if span and question and misattributed(claim, question, chunk.text[span[0] : span[1]]):
                span = None
            found[n] = span
        return found[n]

    def text(nums: list[int]) -> str:
        return "\n".join(passages[n - 1].chunk.text[slice(*evidence(n))] for n in nums)

    def score(nums: list[int]) -> float:
        # The title says who "ils" are in a sentence like "S'ils ont convenu de…".
        scores = [judge(claim, f"({passages[n - 1].chunk.title}) {text([n])}") for n in nums] if judge else [None]
        return _lexical_support(claim, text(nums)) if None in scores else max(scores)

    single = sorted(
        (n for n in range(1, len(passages) + 1) if evidence(n)),
        key=lambda n: -_lexical_support(claim, text([n])),
    )
    own = [numbers] if numbers and all(evidence(n) for n in numbers) else []
    candidates = own + [[n] for n in single if [n] != numbers]
    best: tuple[list[int], float] = (numbers, 0.0)
    for nums in candidates[:3]:
        support = round(score(nums), 3)
        if support > best[1] or best[1] == 0.0:
            best = (nums, support)
        if support >= min_support:
            break
    spans = {n: found[n] for n in best[0] if found.get(n)}
    return best[0], best[1], spans
