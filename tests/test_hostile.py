"""Hostile input: files and questions built to break the tool. Each is indexed or refused with a French
message naming it, the rest of the corpus still indexes, and nothing raises anything but RagError.
Every file is generated here; nothing large is committed."""
import io
import os
import zlib

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from rag import Assistant, RagError, Settings
from rag.chunking import chunk_document
from rag.documents import SUPPORTED_SUFFIXES, DocumentError, parse_document, read_document

GOOD = "Le marché de Rungis\n\nLe marché de Rungis ouvre à quatre heures du matin pour les grossistes.\n"


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "rungis.txt").write_text(GOOD, encoding="utf-8")
    return folder


def ingest(tmp_path, corpus, **settings):
    assistant = Assistant(Settings(index_dir=tmp_path / "idx", **settings),
                          Assistant.open(tmp_path / "idx", create=True).index)
    return assistant, assistant.ingest(corpus)


def failed(report) -> dict[str, str]:
    return dict(report.failed)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, corpus):
    big = corpus / "export.txt"
    with big.open("w", encoding="utf-8") as out:
        out.write("Le rapport annuel de la commune détaille chaque dépense engagée.\n" * 20_000)  # ~1.3 Mo
    assistant, report = ingest(tmp_path, corpus, max_file_mb=1)
    message = failed(report)["export.txt"]
    assert "export.txt" in message and "1 Mo" in message and "RAG_MAX_FILE_MB" in message
    assert report.added == ["rungis.txt"]
    assert assistant.search("grossistes Rungis")[0].source == "rungis.txt"


def test_one_megabyte_on_one_line_without_a_sentence_break_is_cut_into_bounded_chunks(tmp_path, corpus):
    words = " ".join(f"mot{n}" for n in range(150_000))  # ~1 Mo, no punctuation, no newline
    (corpus / "ligne.txt").write_text("Une ligne sans fin\n\n" + words, encoding="utf-8")
    document = read_document(corpus / "ligne.txt", "ligne.txt")
    chunks = chunk_document(document, 90, 200)
    assert len(chunks) > 1000 and max(len(c.text.split()) for c in chunks) <= 200
    assert all(document.text[c.start : c.end] == c.text for c in chunks)


def test_html_nested_ten_thousand_levels_deep_and_megabytes_of_script_are_read(tmp_path, corpus):
    deep = "<div>" * 10_000 + "Le conseil a voté la rénovation complète du gymnase municipal." + "</div>" * 10_000
    (corpus / "profond.html").write_text(f"<html><body>{deep}</body></html>", encoding="utf-8")
    script = "<script>" + "var x = 1;" * 300_000 + "</script>"
    (corpus / "script.html").write_text(
        f"<html><head><title>Piscine</title>{script}</head><body><p>La piscine municipale rouvrira ses portes "
        f"au mois de mars prochain.</p>{script}</body></html>", encoding="utf-8")
    assistant, report = ingest(tmp_path, corpus)
    assert not report.failed or all(name in ("profond.html",) for name in failed(report))
    assert "script.html" in report.added
    assert "var x" not in " ".join(c.text for c in assistant.index.all_chunks())


def _pdf(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 10, text)
    return bytes(pdf.output())


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf("Document confidentiel de la mairie."))))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _bomb_pdf() -> bytes:
    """One page whose content stream inflates from ~100 Ko to 100 Mo of zeros."""
    stream = zlib.compress(b"0" * 100_000_000, 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = io.BytesIO(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


@pytest.mark.parametrize("name, content", [
    ("tronque.pdf", lambda: _pdf("Le budget de la ville a été voté en décembre.")[:400]),
    ("chiffre.pdf", _encrypted_pdf),
    ("bombe.pdf", _bomb_pdf),
    ("vide.pdf", lambda: _pdf("")),
    ("image.pdf", lambda: b"\x89PNG\r\n\x1a\n" + os.urandom(2000)),
    ("page.txt", lambda: _pdf("Un PDF déguisé en texte.")),
    ("faux.html", lambda: b"\xff\xd8\xff\xe0" + os.urandom(3000)),
])
def test_broken_or_disguised_files_are_refused_by_name_and_the_rest_indexes(tmp_path, corpus, name, content):
    (corpus / name).write_bytes(content())
    _, report = ingest(tmp_path, corpus)
    assert "rungis.txt" in report.added
    assert name in report.added or name in failed(report)
    if name in failed(report):
        assert name in failed(report)[name]


def test_odd_file_names_are_indexed_and_named(tmp_path, corpus):
    names = ["avec des espaces.txt", "été à Noël.txt", "retour\na la ligne.txt"]
    for name in names:
        (corpus / name).write_text(GOOD.replace("Rungis", "Rungis " + name[:5]), encoding="utf-8")
    raw = os.fsencode(corpus) + b"/octets\xff\xfe.txt"
    with open(raw, "wb") as out:
        out.write(GOOD.encode())
    assistant, report = ingest(tmp_path, corpus)
    assert not report.failed
    assert len(report.added) == 5 and set(names) < set(report.added)
    assert any(name.startswith("octets") for name in report.added)
    reopened = Assistant.open(tmp_path / "idx")  # the manifest holding these names was written and reads back
    assert len(reopened.index.sources) == 5


def test_a_link_pointing_outside_the_corpus_is_not_followed(tmp_path, corpus):
    secret = tmp_path / "secret.txt"
    secret.write_text("Le mot de passe du serveur de la rédaction est tournesol.\n", encoding="utf-8")
    (corpus / "lien.txt").symlink_to(secret)
    (corpus / "dossier").symlink_to(tmp_path, target_is_directory=True)
    assistant, report = ingest(tmp_path, corpus)
    assert "lien.txt" in failed(report) and "hors du dossier" in failed(report)["lien.txt"]
    assert "tournesol" not in " ".join(c.text for c in assistant.index.all_chunks())


MANY_FILES = int(os.environ.get("MANY_FILES", "2000"))  # 10000 takes ~4.5 min here: MANY_FILES=10000


def test_a_folder_of_many_small_files_shows_progress_and_finishes(tmp_path, corpus):
    """Their new chunks are embedded together, not one model call per file."""
    for n in range(MANY_FILES):
        (corpus / f"note{n:05d}.txt").write_text(f"Note {n} : la réunion {n} a réuni {n % 97} personnes à Lyon.\n",
                                                 encoding="utf-8")
    seen, passages = [], []
    assistant = Assistant.open(tmp_path / "idx", create=True)
    report = assistant.ingest(corpus, on_file=lambda done, total, name: seen.append((done, total)),
                              on_passages=lambda done, total: passages.append(done))
    assert len(report.added) == MANY_FILES + 1 and not report.failed
    assert len(seen) == MANY_FILES + 1 and seen[-1] == (MANY_FILES, MANY_FILES + 1)
    assert passages == []  # small writes: the file count is the progress
    last = MANY_FILES - 1
    assert assistant.search(f"réunion {last} personnes Lyon", k=3)[0].source == f"note{last:05d}.txt"
    again = assistant.ingest(corpus)
    assert len(again.unchanged) == MANY_FILES + 1 and again.chunks_embedded == 0


def test_a_big_file_shows_its_embedding_progress_in_passages(tmp_path, corpus, capsys):
    """One file of hours of embedding must not sit at "0/1 fichier" the whole time."""
    (corpus / "rapport.txt").write_text(
        "Rapport\n\n" + "\n\n".join(" ".join(f"La section {n} décrit l'étape {k} du chantier {n}." for k in range(9))
                                    for n in range(60)),
        encoding="utf-8")
    seen = []
    assistant = Assistant(Settings(index_dir=tmp_path / "idx", embed_batch_size=4),
                          Assistant.open(tmp_path / "idx", create=True).index)
    report = assistant.ingest(corpus, progress=True, on_passages=lambda done, total: seen.append((done, total)))
    assert sorted(report.added) == ["rapport.txt", "rungis.txt"] and report.chunks_embedded > 40
    assert seen[-1][0] == seen[-1][1] >= 60  # every passage of the big file
    assert [done for done, _ in seen] == sorted({done for done, _ in seen}) and len(seen) > 10
    assert "Vectorisation" in capsys.readouterr().err


@pytest.mark.parametrize("question", ["?!…", "🙂🙂🙂", "   \t  ", "\x00\x01\x02", "</>", "--- ***"])
def test_a_question_without_a_word_gets_a_french_message(assistant, question):
    with pytest.raises(RagError, match="question"):
        assistant.ask(question)


def test_a_megabyte_question_is_refused_without_being_read(assistant):
    with pytest.raises(RagError, match="limite"):
        assistant.ask("Qu'ont convenu Hollande et Poutine ? " * 30_000)


def test_markup_and_control_characters_in_a_question_do_not_break_the_answer(assistant):
    answer = assistant.ask("<script>alert(1)</script> **Qu'ont** convenu\x07 Hollande et Poutine ?")
    assert answer.answered and answer.citations


# ---- documents that carry instructions ------------------------------------------------------------

@pytest.fixture(scope="module")
def trapped(tmp_path_factory):
    from eval.injection import write_documents

    root = tmp_path_factory.mktemp("injection")
    names = write_documents(root / "docs")
    assistant = Assistant.open(root / "idx", create=True, generator="extractive")
    assert len(assistant.ingest(root / "docs").added) == len(names)
    return assistant, names


def test_no_injected_instruction_takes_over_the_extractive_answer(trapped):
    from eval.injection import run

    assistant, names = trapped
    results = run(assistant, "extractive", names, progress=False)
    assert [(r.phrasing, r.reasons) for r in results if r.hijacked] == []
    assert all(r.contains_fact for r in results)


@pytest.mark.parametrize("generator", ["local", "quote"])
@pytest.mark.parametrize("position", [0, 3, 12])
def test_injected_instructions_do_not_take_over_the_local_model(trapped, position, generator):
    """A French override, a fake SYSTEM line asking for English, and a note aimed at this very question;
    the default generator's model reads the quote, which may hold the instruction."""
    from eval.injection import run

    assistant, names = trapped
    result, = run(assistant, generator, names, progress=False, only=[position])
    assert not result.hijacked, (result.phrasing, result.answer, result.reasons)


# ---- fuzzing: a bounded run by default, longer with FUZZ_EXAMPLES=5000 ------------------------------

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
MARKUP = st.sampled_from(["<div>", "</div>", "<p>", "<script>", "</script>", "<title>", "<!--", "-->", "&amp;",
                          "\n\n", ". ", "?", "\x00", "\r", "é", "’", "13h45 : "])
TEXTS = st.lists(st.one_of(st.text(max_size=40), MARKUP), max_size=60).map("".join)


@settings(max_examples=EXAMPLES, deadline=None)
@given(data=st.one_of(st.binary(max_size=3000), TEXTS.map(lambda t: t.encode("utf-8", "surrogatepass"))),
       suffix=st.sampled_from(SUPPORTED_SUFFIXES))
def test_any_file_content_is_read_or_refused_with_a_french_error(data, suffix):
    try:
        document = parse_document(data, suffix, f"fuzz{suffix}")
    except DocumentError as exc:
        assert f"fuzz{suffix}" in str(exc)
        return
    for chunk in chunk_document(document, 20, 40):
        assert document.text[chunk.start : chunk.end] == chunk.text and chunk.sentence_texts


@settings(max_examples=max(EXAMPLES // 3, 20), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.one_of(st.text(max_size=300), TEXTS))
def test_any_question_is_answered_or_refused_with_a_french_error(assistant, question):
    try:
        answer = assistant.ask(question)
    except RagError as exc:
        assert "question" in str(exc).lower()
        return
    assert isinstance(answer.text, str) and answer.text
