"""Reading files into Documents and labelling their parts.

A Document keeps its text exactly as decoded, so that every offset we cite can be
checked against it. Cleaning never rewrites the text: it labels line spans as body,
caption or reader comment, and leaves boilerplate and repeated lines unlabelled,
which keeps them out of the index.
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import french, messages
from .errors import RagError

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf")

BODY, CAPTION, COMMENT = "body", "caption", "comment"

_COMMENT_START = re.compile(
    r"^(réagir|commentaires?|vos commentaires|ton opinion|votre opinion|\d+ commentaires?)\s*:?$"
    r"|^(a écrit le|réponse de .{0,40}le) \d{1,2}/\d{1,2}/\d{2,4}",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"^(votre (e-?mail|adresse)|tous les champs|merci pour votre commentaire|ce contenu n'est pas ouvert"
    r"|dernière mise à jour|mis à jour|actualisé|publié le|lire aussi|partager|retrouvez ici|©|copyright\b"
    r"|tous droits réservés|mentions légales|politique de confidentialité|suivez-nous|gestion des cookies"
    r"|(?:nous|ce site) utilis\w* des cookies)",
    re.IGNORECASE,
)
_PAGE_OF = r"\d{1,3}(?:\s*(?:/|sur)\s*\d{1,3})?"  # « 2 », « 2/5 », « 2 sur 5 »
# A running header or footer copied with a page's text: « Thermaline - Notice d'utilisation      page 4 »
_RUNNING_LINE = re.compile(rf"(?:\S+\s+){{0,10}}(?:page|p\.)\s*{_PAGE_OF}", re.IGNORECASE)
_INDENT = re.compile(r"[ \t]*")
_LEAD = re.compile(r"[\s>]*")  # a line's indentation, and a mail's quote marks (« >>> »)
_LIVE_ENTRY = re.compile(r"^\d{1,2}h\d{2}\s*:")
# A chat export's message, stamped with its date or hour: « [12/03/2025 18:42] Sandrine B.: … » (WhatsApp on a
# phone), « 12/03/2025 à 18:42 - Sandrine B. : … », « [18:42] Marc : … ». Each is a line of its own, whoever wrote it
# (an hour alone may open a PDF's wrapped line: « Le mercredi de » / « 10h00 à 12h00, deux couloirs… »):
# read on, « il est sage 🐕 » ran into « [12/03/2025 19:13] Sandrine B.: Désolée Bernard, les chiens ne sont pas
# acceptés » as one sentence.
_STAMP = r"\d{1,2}[:h]\d{2}(?::\d{2})?"
_DAY = r"\d{1,2}/\d{1,2}/\d{2,4},?(?: à)?"
_CHAT_MESSAGE = re.compile(rf"^(?:\[(?:{_DAY} )?{_STAMP}\]|{_DAY} {_STAMP} -)\s")
TABLE_CELLS = " | "  # between the cells of a table's row, one row a line; a short row (its header) is text too
# « Abonnement annuel : 250 € », « Durée : 3 semaines »: a short line, but a list's or a form's value, not a byline
_LABELLED_NUMBER = re.compile(r"[^\W\d][\w' -]{1,40}\s?:\s?\S*\d.{0,30}")
_BULLETS = "•·▪◦‣∙"
_BULLET = re.compile(f"[{_BULLETS}]")  # a list's item, never the rest of the line above
_MARK = rf"[{_BULLETS}*–-]|\d{{1,2}}[.)]|[a-z][.)]"  # what opens a list's item
LIST_ITEM = re.compile(rf"\s*(?:[{_BULLETS}]|(?:{_MARK})\s)")  # « • … », « - … », « 1) … »
# A numbered section or item: « 1. Description des travaux », « 2.3 Protection hors-gel », « Article 4 – Assemblée »,
# a council's « Délibération n° 2024-043 – Rénovation de la salle des fêtes », an assembly's « Résolution n° 8 – … »
NUMBERED = re.compile(rf"(?:\d{{1,2}}(?:\.\d{{1,2}})+\.?|{french.SECTION_NUMBER}[.)])\s"
                      r"|(?:article|chapitre|section|partie|titre|délibération|résolution)\s+\w+\b", re.IGNORECASE)
# Between a plain-text table's columns, aligned with spaces (« 1    Thomas Guéguen        UC Saint-Méen »): two
# such gaps make a line a row, not the rest of the line above
_TEXT_CELL_GAP = re.compile(r"(?<=[^\s.!?;:,])(?: {2,}|\t+)(?=\S)")
# « Durée : », « Objet : », « De : Camille Roux »: a form's or a mail's field, however short (who wrote the mail)
FIELD = re.compile(r"[A-ZÀ-ÖØ-Þ][\w'’ ()/-]{0,45}?\s?:\s+\S")
# « Accident : », « Au retour : » over the lines they name, however short
LABEL = re.compile(r"[A-ZÀ-ÖØ-Þ][\w'’ -]{0,30}?\s?:")
_HASHTAGS = re.compile(r"(\s+#\w+)+$")  # "… visé par les frappes ? #ETAT_ISLAMIQUE" is still a reader's question
_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_DATE = re.compile(rf"\b(\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\s+\d{{4}})\b", re.IGNORECASE)
_WORDS = re.compile(r"\w+")
_MIN_WORDS = 4
# A line at least this long that ends on « ; » before a lower-case line was wrapped mid-sentence (« …suivant le
# procès-verbal ; » / « son coût, soit 180 € TTC, reste à sa charge. »); a list's items (« une photo d'identité ; ») are
# shorter
_WRAPPED_WIDTH = 70
_SENTENCE_STOP = re.compile(r"[.!?…:;][»\")\]\s]*$")
_NOT_A_TITLE = ("(", "|", "©")  # a photo credit, a table row, a copyright line
_HTML_BLOCKS = ["address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
                "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
                "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tr", "ul"]
_BLOCK_BREAK = "\ue000"  # a private-use character: no page holds it


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


@dataclass
class Document:
    source: str
    text: str
    title: str
    date: str | None = None
    spans: list[Span] = field(default_factory=list)


class DocumentError(RagError):
    pass


def read_bytes(path: Path, source: str, *, root: Path | None = None, max_bytes: int | None = None) -> bytes:
    """The file's bytes; a link leading out of ``root`` is not followed, and a file over ``max_bytes``
    is refused before it is read (embedding it would hold the machine for hours)."""
    try:
        if root is not None and path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(Path(root).resolve()):
                raise DocumentError(messages.LINK_OUTSIDE.format(source=source, target=target))
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise DocumentError(messages.FILE_TOO_LARGE.format(source=source, size=size / 2**20, limit=max_bytes / 2**20))
        return path.read_bytes()
    except OSError as exc:
        raise DocumentError(messages.UNREADABLE_FILE.format(source=source, reason=exc.strerror)) from exc


def read_document(path: Path, source: str) -> Document:
    return parse_document(read_bytes(path, source), path.suffix, source)


def parse_document(data: bytes, suffix: str, source: str) -> Document:
    """Decode and label one file's bytes; raises DocumentError with a French message naming the file."""
    suffix = suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(messages.UNSUPPORTED_FILE.format(source=source, suffixes=", ".join(SUPPORTED_SUFFIXES)))
    if suffix == ".pdf":
        text, title = _read_pdf(data, source)
    else:
        text, title = _decode(data, source), None
        if suffix in (".html", ".htm"):
            title, text = _html_title(text), _html_text(text, source)
        elif suffix == ".md":
            text = _html_text(_markdown_html(text), source)
    if not text.strip():  # a scanned PDF or a page of scripts is not empty, and needs another remedy
        textless = {".pdf": messages.NO_PDF_TEXT, ".html": messages.NO_VISIBLE_TEXT, ".htm": messages.NO_VISIBLE_TEXT,
                    ".md": messages.NO_VISIBLE_TEXT}
        message = textless.get(suffix, messages.EMPTY_FILE) if data.strip() else messages.EMPTY_FILE
        raise DocumentError(message.format(source=source))
    spans = label_spans(text)
    if not spans:
        raise DocumentError(messages.NO_CONTENT.format(source=source))
    text = _unwrapped(text, spans)
    return Document(
        source=source,
        text=text,
        title=title or _first_meaningful_line(text, spans),
        date=_first_date(text, spans),
        spans=spans,
    )


_LINE_BREAK = re.compile(r"(?:\r\n|[\r\n])[ \t>]*")  # and the next line's quote marks, if a mail's quoted reply


def _unwrapped(text: str, spans: list[Span]) -> str:
    """The text with a space for each line break inside a line's span (a paragraph wrapped at a fixed width, a
    PDF's): split there, « …contre cinq » and « en 2023. » were quoted as two sentences. One character for one,
    so every offset holds."""
    pieces, done = [], 0
    for span in spans:
        blanked = _LINE_BREAK.sub(lambda m: " " * len(m.group()), text[span.start : span.end])
        pieces += [text[done : span.start], blanked]
        done = span.end
    return "".join(pieces) + text[done:]


def _decode(data: bytes, source: str) -> str:
    if b"\x00" in data[:8192]:
        raise DocumentError(messages.BINARY_FILE.format(source=source))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        log.warning(messages.FALLBACK_ENCODING.format(source=source, encoding=encoding))
        return text
    raise DocumentError(messages.BINARY_FILE.format(source=source))


def _html_title(html: str) -> str | None:
    match = re.search(r"<title[^>]*>(.*?)</title>", html, re.IGNORECASE | re.DOTALL)
    return " ".join(match.group(1).split()) if match and match.group(1).strip() else None


def _html_text(html: str, source: str) -> str:
    """Visible text of a page, one block (paragraph, heading, list item, table row) per line; citations point
    into this text. Inline tags (a link, « <strong> ») and line breaks in the source stay inside their
    sentence: split there, « Le président <a>Emmanuel Macron</a> a annoncé » lost its short pieces. A menu
    (<nav>) is no text of the page: « Accueil | Billetterie | Devenir bénévole » was searched with its heading; nor
    are a button's label (« Tout accepter ») and a cookie banner, quoted for « La mutuelle rembourse-t-elle… ? »."""
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(html, "html.parser")
        for tag in soup.find_all(_cookie_banner):  # first: its buttons say that it asks for consent
            if not tag.decomposed:  # inside a banner already removed
                tag.decompose()
        for tag in soup(["script", "style", "noscript", "template", "head", "nav", "button"]) + soup(role="navigation"):
            tag.decompose()
        for tag in soup.find_all(_HTML_BLOCKS):
            tag.insert_before(_BLOCK_BREAK)
            tag.insert_after(_BLOCK_BREAK)
        for cell in soup.find_all(["td", "th"]):  # a table row reads as one line: « Paris | 2 100 000 »
            if cell.find_previous_sibling(["td", "th"]):
                cell.insert_before(TABLE_CELLS)
        text = soup.get_text()
    except RecursionError as exc:
        raise DocumentError(messages.HTML_TOO_DEEP.format(source=source, reason=exc)) from exc
    blocks = (" ".join(block.split()) for block in text.split(_BLOCK_BREAK))
    return "\n\n".join(block for block in blocks if block)


_CONSENT_WORDS = re.compile(r"accept|refus|consent|paramétr|personnalis|préférence", re.IGNORECASE)


def _cookie_banner(tag) -> bool:
    """A cookie banner, not a recipe for cookies: named so, short, and asking to accept or refuse."""
    names = " ".join([tag.get("id") or "", *(tag.get("class") or [])]).lower()
    if not any(word in names for word in ("cookie", "consent", "rgpd", "gdpr")):
        return False
    text = tag.get_text(" ")
    return len(text.split()) <= 150 and bool(_CONSENT_WORDS.search(text))


def _markdown_html(text: str) -> str:
    """Markdown rendered as a page, so that « # », « ** » and link targets stay out of the quoted text."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(text)


def _read_pdf(data: bytes, source: str) -> tuple[str, str | None]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise PdfReadError("fichier protégé par un mot de passe")
        pages = [_page_lines(page) for page in reader.pages]
        title = (reader.metadata or {}).get("/Title")
    except Exception as exc:  # noqa: BLE001 - pypdf raises dozens of types on malformed files; all mean "unreadable"
        raise DocumentError(messages.BAD_PDF.format(source=source, reason=exc)) from exc
    return "\n".join(_rejoined_words(_without_running_lines(pages))), (str(title).strip() or None) if title else None


_CELL_GAP = re.compile(r"(?<=\S) {3,}(?=\S)")  # between a laid-out table's cells, a form's label and its value
_LIST_MARK = re.compile(_MARK)


def _page_lines(page) -> list[str]:
    """A page's lines as laid out on it: a blank line where the page leaves space (between paragraphs, around a
    heading), a table's cells apart. pypdf's plain text runs the lines of a report together: « 1. Le mot du
    président » opened a paragraph, « Durée : 35 heures (5 jours) », « Session 1 : du 17 au 21 mars 2025 »… made
    one sentence of nine fields, and a table's rows one line. Text in two columns is laid out side by side,
    each line holding half a sentence of each: read in the page's own order."""
    try:
        laid_out = [line.rstrip() for line in page.extract_text(extraction_mode="layout").split("\n")]
    except Exception:  # noqa: BLE001 - the layout pass fails on some fonts where the plain one does not
        laid_out = []
    if not any(laid_out) or _in_columns(laid_out):
        return (page.extract_text() or "").split("\n")
    return [_laid_out_line(line) for line in laid_out]


def _laid_out_line(line: str) -> str:
    """One laid-out line, its indentation kept: a table's row with its cells apart (« Beurre de baratte | 64 | 71 |
    +10,9 % »), a form's field (« Durée : 35 heures ») or a justified line stretched wide with single spaces."""
    indent, line = line[: len(line) - len(line.lstrip())], line.strip()
    cells = [" ".join(cell.split()) for cell in _CELL_GAP.split(line)]
    if _LIST_MARK.fullmatch(cells[0]) and len(cells) > 1:  # « •   Gestionnaires de paie… »: an item, not a cell
        cells[:2] = [" ".join(cells[:2])]
    value = cells[1:] if cells[0].endswith(":") else cells
    gaps = {len(gap) for gap in _CELL_GAP.findall(line)[len(cells) - len(value):]}
    stretched = len(value) >= 4 and max(gaps) - min(gaps) <= 1 and not any(" " in cell for cell in value)
    if len(value) <= 1 or stretched:
        return indent + " ".join(cells)
    return indent + TABLE_CELLS.join(cells)


def _in_columns(lines: list[str]) -> bool:
    """Whether a page is set in two columns: most of its lines are two runs of prose far apart."""
    filled = [line for line in lines if line.strip()]
    halves = [_CELL_GAP.split(line.strip()) for line in filled]
    prose = sum(len(cells) == 2 and not cells[0].endswith(":") and all(len(cell.split()) >= 4 for cell in cells)
                for cells in halves)
    return prose >= 0.4 * len(filled)


_PAGE_NUMBER = re.compile(rf"(?:page\s*)?{_PAGE_OF}", re.IGNORECASE)  # not « 2025 »
_EDGE = 3  # lines at a page's top or bottom where a running header or footer may sit


def _without_running_lines(pages: list[list[str]]) -> list[str]:
    """The pages' lines without what repeats at their edges: page numbers (« Page 2 », « 2/5 », « GP-25 — Page
    1/3 »), and a running header or footer met on an earlier page (« ATELIER COMPÉTENCES LOIRE »: kept on the
    first page, it may be the only place the name is written). Pages then follow each other line after line: a
    paragraph that runs onto the next page is one paragraph again, and its sentence cut by the page's end (« …dans
    la cour du » / « Page 1 » / « collège voisin… ») is quoted whole."""
    seen: set[str] = set()
    kept: list[str] = []
    for lines in pages:
        lines = _trimmed(lines)
        edges = {*range(min(_EDGE, len(lines))), *range(max(0, len(lines) - _EDGE), len(lines))}
        keys = {position: re.sub(r"\d+", "#", " ".join(lines[position].split()).lower()) for position in edges}
        lines = [line for position, line in enumerate(lines)
                 if not (keys.get(position) in seen or position in edges and _page_number(line))]
        seen |= {key for key in keys.values() if key}
        kept += _trimmed(lines)
    return kept


_HYPHENATED_END = re.compile(r"(\w+(?:[-'’]\w+)*)-$")
_LINE_START = re.compile(r"\s*(\w+)(\S*)\s*")


def _rejoined_words(lines: list[str]) -> list[str]:
    """The lines with each word a hyphen splits at a line's end written whole on the first line (« le dévelop- » /
    « pement, du réseau » → « le développement, » / « du réseau »)."""
    lowered = "\n".join(lines).lower()
    rejoined: list[str] = []
    for line in lines:
        end = _HYPHENATED_END.search(rejoined[-1]) if rejoined else None
        start = _LINE_START.match(line) if end else None
        if start:
            rejoined[-1] = rejoined[-1][: end.start()] + french.line_end_word(end.group(1), start.group(1), lowered)
            rejoined[-1] += start.group(2)
            line = line[: len(line) - len(line.lstrip())] + line[start.end() :]
            if not line.strip():
                continue
        rejoined.append(line)
    return rejoined


def _page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.fullmatch(line.strip()) or _RUNNING_LINE.fullmatch(line.strip()))


def _trimmed(lines: list[str]) -> list[str]:
    """``lines`` without the blank ones at either end."""
    filled = [position for position, line in enumerate(lines) if line.strip()]
    return lines[filled[0] : filled[-1] + 1] if filled else []


def _lines(text: str):
    start = 0
    for line in text.splitlines(keepends=True):
        end = start + len(line.rstrip("\r\n"))
        yield start, end, text[start:end]
        start += len(line)


def _words(line: str) -> list[str]:
    return _WORDS.findall(line.lower())


def label_spans(text: str) -> list[Span]:
    """Label each meaningful line; drop boilerplate and lines repeating one just above (captions)."""
    spans: list[Span] = []
    recent: list[tuple[list[str], int]] = []
    in_comments = False
    previous_end = -1  # end of the line before, when it was kept
    previous_depth = 0
    for start, end, line in _lines(text):
        # A mail's quoted reply is read without its marks (« >>> Nous accusons réception… »); « >>> » alone is a
        # blank line, and a line quoted deeper or less deep is another mail's
        lead = _LEAD.match(line).end()
        depth, stripped = line[:lead].count(">"), line[lead:].rstrip()
        if _COMMENT_START.match(stripped):
            in_comments = True
        words = _words(stripped)
        if (stripped and depth == previous_depth
                and _continues(text, previous_end, start, stripped, short=len(words) < _MIN_WORDS)
                and not (spans and _under_heading(text[spans[-1].start : previous_end], stripped)
                         and not _indented_under(text, previous_end, start))
                and not any(_repeats(earlier, words) for earlier, _ in recent)):
            previous_end = start + len(line.rstrip())
            spans[-1] = Span(spans[-1].start, previous_end, spans[-1].kind)
            continue
        if ((len(words) < _MIN_WORDS and not (_LABELLED_NUMBER.fullmatch(stripped) or FIELD.match(stripped)
                                              or LABEL.fullmatch(stripped)) and TABLE_CELLS not in stripped)
                or _BOILERPLATE.match(stripped) or _COMMENT_START.fullmatch(stripped)
                or _RUNNING_LINE.fullmatch(stripped)):
            previous_end = -1
            continue
        start, end = start + lead, start + lead + len(stripped)
        repeated = next((i for ws, i in recent if _repeats(ws, words)), None)
        if repeated is not None:
            first = spans[repeated]
            spans[repeated] = Span(first.start, first.end, COMMENT if first.kind == COMMENT else CAPTION)
            continue
        kind = BODY
        if in_comments or (_LIVE_ENTRY.match(stripped) and _HASHTAGS.sub("", stripped).endswith("?")):
            kind = COMMENT
        spans.append(Span(start, end, kind))
        recent = (recent + [(words, len(spans) - 1)])[-3:]
        previous_end, previous_depth = end, depth
    return spans


def _continues(text: str, previous_end: int, start: int, line: str, short: bool) -> bool:
    """A line of a paragraph wrapped at a fixed width (a PDF's lines, a text cut at 80 columns): right
    under a kept line (no blank line between) that stops mid-sentence, and not a live blog's next entry.
    A short line also continues when it ends a sentence ("… les plus touchées par" / "la chaleur."), not
    when it is a heading of its own; dropped as too short, it would lose its words. Nor does a chat's next
    message. A line indented under the one above it is that line's item (« E02  Pression d'eau insuffisante. » /
    «     Ouvrir doucement le robinet… »: a code and what to do). A form's field is not the rest of a sentence
    (« Durée : 35 heures » / « Lieu : 12 rue des Tanneurs », a mail's « De : … » / « Objet : … »), nor is a
    numbered section or item (« 1. Description des travaux », « Article 2 – Acceptation du devis »); a table's row
    (a plain-text one's too), a price list's line (« Café ou thé ....... 0,50 € ») and a bulleted item stand alone
    (so a paragraph that holds a row is that row alone, the line above).
    Joined, a wrapped paragraph is chunked as one, and its sentences are not cut between two chunks."""
    above = text.rfind("\n", 0, previous_end) + 1
    if (previous_end < 0 or text[previous_end:start].count("\n") != 1 or _BOILERPLATE.match(line)
            or _LIVE_ENTRY.match(line) or _CHAT_MESSAGE.match(line) or _COMMENT_START.match(line)
            or TABLE_CELLS in line or TABLE_CELLS in text[above:previous_end]
            or french.LEADER.search(line) or french.LEADER.search(text, above, previous_end)
            or _text_row(line) or _text_row(text[above:previous_end])
            or _BULLET.match(line) or FIELD.match(line) or NUMBERED.match(line) and not line[:1].islower()):
        return False
    mid_sentence = not _SENTENCE_STOP.search(text[max(0, previous_end - 4) : previous_end]) or (
        line[:1].islower() and text[previous_end - 1] == ";" and previous_end - above >= _WRAPPED_WIDTH)
    return mid_sentence or _indented_under(text, previous_end, start) or (short and bool(_SENTENCE_STOP.search(line)))


def _text_row(line: str) -> bool:
    return len(_TEXT_CELL_GAP.findall(line)) >= 2


def _indented_under(text: str, previous_end: int, start: int) -> bool:
    """Whether the line at ``start`` is indented more than the line that ends at ``previous_end``."""
    above = text.rfind("\n", 0, previous_end) + 1
    return _INDENT.match(text, start).end() - start > _INDENT.match(text, above).end() - above


def _under_heading(previous: str, line: str) -> bool:
    """Whether ``line`` opens a paragraph under ``previous``, a heading of one line: a PDF's text has no blank
    line between them. A heading is shorter than the text's lines, and the paragraph opens on a capital;
    joined, « Rapport d'activité 2025 » and its first paragraph made one title. « …le maire, » is no heading."""
    return ("\n" not in previous and line[:1].isupper() and len(previous) < 0.8 * len(line)
            and not previous.endswith((",", "-", "(")))


def _repeats(earlier: list[str], line: list[str]) -> bool:
    """A caption printed twice, once with a credit ("… 2015. (REUTERS)", "… © MaxPPP/UPI"): one line
    starts with the other and adds a few words. A paragraph that opens on its heading's words ("Le marché
    de Rungis" / "Le marché de Rungis ouvre à quatre heures…") adds more, and is text, not a copy."""
    short, long = sorted((earlier, line), key=len)
    return long[: len(short)] == short and len(long) - len(short) <= min(5, len(short) // 2)


def _first_meaningful_line(text: str, spans: list[Span]) -> str:
    """The title of a file without one of its own: a short heading on the first line ("Rapport annuel",
    too short to be indexed as text), else the first indexed line not opening on "(", "|" or "©"."""
    heading = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if (0 < len(_words(heading)) < _MIN_WORDS and not _BOILERPLATE.match(heading)
            and not heading.startswith(_NOT_A_TITLE)):
        return heading
    line = text[spans[0].start : spans[0].end]
    for span in spans:
        candidate = text[span.start : span.end]
        if not candidate.startswith(_NOT_A_TITLE):
            line = candidate
            break
    return line if len(line) <= 120 else line[:119].rsplit(" ", 1)[0] + "…"


def _first_date(text: str, spans: list[Span]) -> str | None:
    for span in spans:
        if span.kind != COMMENT and (match := _DATE.search(text, span.start, span.end)):
            return match.group(1)
    return None


def iter_files(folder: Path):
    """Files under ``folder`` (recursively, hidden entries skipped), with their names relative to it.

    A name whose bytes are not UTF-8 is shown with those bytes escaped (``\\xff``): it must be
    writable to the manifest and to Chroma, and still tell the user which file it is."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            yield path, os.fsencode(rel.as_posix()).decode("utf-8", "backslashreplace")
