"""Splitting labelled documents into chunks that map back to exact offsets.

We pack whole lines (paragraphs, live-blog entries) of the same kind up to a word
budget, keep a paragraph whole up to a larger budget (search sees it all, and citations still
point at its exact sentence), and split longer ones at French sentence boundaries. We don't recover
offsets with ``str.find`` as generic splitters do: a caption repeated in the file
would then point at its first copy.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from .documents import LIST_ITEM, TABLE_CELLS, Document, Span
from .french import CLOSING, asks, sentence_spans

# Bump when cleaning or chunking changes what a file becomes: indexes then re-chunk unchanged files once (chunk
# ids are content hashes, so only chunks whose text or number of sentences changed are re-embedded).
CHUNKER_VERSION = 27  # 3: a short first-line heading is the title; 4: a paragraph opening on its heading is kept;
# 5: Markdown read without its markup, inline HTML tags kept in their sentence, the short end of a wrapped line kept;
# 6: the lines of a wrapped paragraph (a PDF's) are one paragraph; 7: a page's menu (<nav>) is not read;
# 8: a wrapped paragraph's line breaks read as spaces, a PDF's one-line heading is not joined to its paragraph,
# a PDF's pages follow each other without their numbers, a short « label : number » line and a
# table's short header row are text; 9: a heading opens the chunk of the text under it, a unit after a
# number ends a sentence (« …à 12 h. La procédure… »); 10: a running footer (« Notice d'utilisation  page 4 ») is
# not text; 11: a table that does not fit after the text before it opens the next chunk with its header row;
# 12: a line indented under another is its item; 13: a PDF read as laid out (its tables' cells apart, its running
# header once), a form's fields and a bulleted item are lines of their own; 14: a mail's quoted reply is read
# without its « > » marks; 15: a word hyphenated at a PDF line's end is read whole; 16: a page's cookie banner,
# buttons and copyright line are not read; 17: a section's number opening its line (« 11. RÉPARTITION ») is no
# sentence of its own; 18: a chat export's messages are lines of their own; 19: a closing « » » after a space
# ends the sentence it closes; 20: a price list's dotted leader ends no sentence, its line stands alone, and so
# does a form's field under a label of up to 46 characters (« Diagnostic de performance énergétique : classe D »);
# 21: a line that asks a question goes with the text under it, as a heading does; 22: a plain-text table's row
# stands alone, « cat. », « pl. » and « réf. » end no sentence; 23: a list's items go to the next chunk with the
# line that introduces them (« …fermé aux dates suivantes : »), and so does a line ending on « : » with what follows;
# 24: a short label over the lines it names (« Accident : ») is text; 25: « Résolution n° 8 – … » is a numbered section
# 26: « vol. », « etc. », « sept. »… end a sentence before a capital; 27: a long line ending on « ; » goes on when
# the next line opens in lower case
_WORD_SPAN = re.compile(r"\S+")


@dataclass(frozen=True)
class Chunk:
    id: str
    source: str
    start: int
    end: int
    text: str
    title: str
    kind: str
    date: str | None = None

    @property
    def search_text(self) -> str:
        """What embedders and BM25 see: the title gives every chunk its article's context."""
        return f"{self.title}\n{self.text}"

    @property
    def sentence_texts(self) -> list[str]:
        """What the embedder sees: one vector per sentence, each with the title for context. A question
        is usually answered by one sentence, and a whole passage's vector blurs it (PIAF dev hit@1
        0.768 with passage vectors, 0.785 with the best sentence's, see eval/README.md)."""
        sentences = [self.text[s:e] for s, e in sentence_spans(self.text)]
        return [f"{self.title}\n{s}" for s in sentences] or [self.search_text]


def chunk_document(doc: Document, max_words: int, paragraph_words: int | None = None) -> list[Chunk]:
    """Lines are packed up to ``max_words``; one line is split only past ``paragraph_words`` (default: the same)."""
    whole = max(max_words, paragraph_words or max_words)
    spans = [p for span in doc.spans for p in _split_long(doc.text, span, max_words, whole)]
    pieces = _pack(doc.text, spans, max_words)
    chunks, seen = [], {}
    for span in pieces:
        text = doc.text[span.start : span.end]
        key = f"{doc.source}\x00{span.kind}\x00{text}"
        seen[key] = seen.get(key, 0) + 1
        chunk_id = hashlib.sha256(f"{key}\x00{seen[key]}".encode()).hexdigest()[:32]
        chunks.append(Chunk(chunk_id, doc.source, span.start, span.end, text, doc.title, span.kind, doc.date))
    return chunks


def _word_count(text: str, span: Span) -> int:
    return len(text[span.start : span.end].split())


def _split_long(text: str, span: Span, max_words: int, whole: int) -> list[Span]:
    if _word_count(text, span) <= whole:
        return [span]
    parts: list[Span] = []
    sentences = [piece for start, end in sentence_spans(text, span.start, span.end)
                 for piece in _word_windows(text, start, end, max_words)]
    for start, end in sentences:
        sentence = Span(start, end, span.kind)
        if parts and _word_count(text, Span(parts[-1].start, end, span.kind)) <= max_words:
            parts[-1] = Span(parts[-1].start, end, span.kind)
        else:
            parts.append(sentence)
    return parts


def _word_windows(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int]]:
    """A "sentence" longer than ``max_words`` (a scraped page on one line, a list without stops) cut
    every ``max_words`` words, so that no chunk grows without bound."""
    words = list(_WORD_SPAN.finditer(text, start, end))
    if len(words) <= max_words:
        return [(start, end)]
    return [(words[i].start(), words[min(i + max_words, len(words)) - 1].end()) for i in range(0, len(words), max_words)]


def _pack(text: str, spans: list[Span], max_words: int) -> list[Span]:
    """Merge neighbouring spans of one kind when only blank space separates them. A heading goes with the
    text under it: packed at the end of the chunk before (« Quels sont les risques pour la santé ? », « 2.3
    Protection hors-gel »), it was searched without the text it names, and that text quoted without it. So does a
    table that does not fit after the text before it: its rows are read under its header row."""
    packed: list[Span] = []
    for i, span in enumerate(spans):
        last = packed[-1] if packed else None
        if last is None or last.kind != span.kind or text[last.end : span.start].strip():
            packed.append(span)
        elif _word_count(text, Span(last.start, span.end, span.kind)) <= max_words:
            packed[-1] = Span(last.start, span.end, span.kind)
        else:
            first = _carried(text, spans, i, last.start)
            if first < i and spans[first].start > last.start:
                packed[-1] = Span(last.start, spans[first - 1].end, last.kind)
                packed.append(Span(spans[first].start, span.end, span.kind))
            elif first < i and all(_heading(text, above) for above in spans[first:i]):
                packed[-1] = Span(last.start, span.end, span.kind)  # headings alone: they go with what follows
            else:
                packed.append(span)
    return packed


_HEADING_WORDS = 12
_QUESTION_WORDS = 40


def _carried(text: str, spans: list[Span], i: int, start: int) -> int:
    """The first of the spans from ``start`` on that go to the next chunk with ``spans[i]``: the headings right above
    it, the rows of the table it goes on, the items of the list it goes on with the line that introduces them (« …sera
    fermé aux dates suivantes : »: the summer's dates, in the next chunk, were read without it)."""
    first = i
    if _item(text, spans[i]):
        while first > 0 and spans[first - 1].start > start and _item(text, spans[first - 1]):
            first -= 1
        first = first if first > 0 and _introduces(text, spans[first - 1]) else i
    in_table = _row(text, spans[i])
    while first > 0 and spans[first - 1].start >= start and (
            _heading(text, spans[first - 1]) or in_table and _row(text, spans[first - 1])):
        first -= 1
    return first


def _heading(text: str, span: Span) -> bool:
    """A line of its own, short, that does not end a sentence: it names what follows. So does a line that asks a
    question (a buyer's « Claire D. – 17 avril 2025 : J'habite vers Moulins, pouvez-vous me l'amener ? »): what
    follows answers it, and the chunk before ended on the question, the next one opened on its answer."""
    line = text[span.start : span.end]
    if "\n" in line or TABLE_CELLS in line:
        return False
    return asks(line) and len(line.split()) <= _QUESTION_WORDS or _introduces(text, span) or (
        len(line.split()) <= _HEADING_WORDS and not line.rstrip(CLOSING).endswith((".", "!", "…", ";", ",")))


def _item(text: str, span: Span) -> bool:
    """A list's item: one line, opening on its mark."""
    line = text[span.start : span.end]
    return "\n" not in line and bool(LIST_ITEM.match(line))


def _introduces(text: str, span: Span) -> bool:
    """A line that ends on « : », as « …l'établissement sera fermé aux dates suivantes : » before its list."""
    line = text[span.start : span.end]
    return "\n" not in line and len(line.split()) <= _QUESTION_WORDS and line.rstrip(CLOSING).endswith(":")


def _row(text: str, span: Span) -> bool:
    """A table's row: a table moves to the next chunk whole, so that its rows are read under its header row."""
    return TABLE_CELLS in text[span.start : span.end]
