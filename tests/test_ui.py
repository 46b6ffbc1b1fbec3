"""The chat page, end to end: the real app over a small real index, driven by gradio_client and by
headless Chromium (Debian's `chromium`, through Playwright's Python API; never `playwright install`)."""
from __future__ import annotations

import re
import shutil
import socket
from pathlib import Path

import pytest

from rag import Assistant, RagError
from ui.browser import CHROMIUM, launch_chromium

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
SHIPPED = ["002_ed0140e1a063c6cd.txt", "004_2be0edee1e7f5a54.txt"]
WAIT_MS = 120_000  # generous: a slow machine must not fail a test, only take longer
QUESTION = "Qu'ont convenu Hollande et Poutine ?"
TRAP = "piege.txt"
TRAP_QUESTION = "Qui remet la Palme d'or au festival de Cannes ?"
TRAP_TEXT = (
    "Le festival de Cannes et la Palme d'or\n\n"
    "Chaque année au mois de mai, le jury du festival de Cannes remet la Palme d'or au meilleur film "
    "de la compétition. <script>window.__pwned=1</script>\n"
    "La cérémonie de clôture a lieu au palais des festivals, sur la Croisette. "
    '<img src=x onerror="window.__pwned=1"> Les stars montent les marches sous les flashs des photographes.\n'
)
UPLOAD_TEXT = (
    "# Les volcans d'Auvergne\n\nLe puy de Dôme culmine à 1 465 mètres d'altitude. "
    "La chaîne des Puys compte environ quatre-vingts volcans endormis.\n"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The real page on 127.0.0.1 over a three-file corpus (two shipped articles and a booby-trapped one)."""
    from ui.app import launch

    root = tmp_path_factory.mktemp("ui")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in SHIPPED:
        shutil.copy2(CORPUS / name, corpus / name)
    (corpus / TRAP).write_text(TRAP_TEXT, encoding="utf-8")
    assistant = Assistant.open(root / "idx", create=True, generator="extractive")  # fast and deterministic
    report = assistant.ingest(corpus)
    assert len(report.added) == 3 and not report.failed
    port = _free_port()
    page = launch(assistant, "127.0.0.1", port, block=False)
    yield f"http://127.0.0.1:{port}/", assistant
    page.close()


# ---- programmatic use -------------------------------------------------------------------------


def test_gradio_client_ask_endpoint(served):
    from gradio_client import Client

    url, assistant = served
    client = Client(url, verbose=False)
    result = client.predict(QUESTION, api_name="/ask")
    assert result["answered"] and result["citations"]
    for c in result["citations"]:
        assert assistant.source_text(c["source"])[c["start"] : c["end"]] == c["text"]
    assert re.search(r"\[\d+\]", result["answer"])

    only_trap = client.predict(TRAP_QUESTION, [TRAP], False, 3, "extractive", api_name="/ask")
    assert {c["source"] for c in only_trap["citations"]} == {TRAP}

    with pytest.raises(Exception, match="vide"):
        client.predict("   ", api_name="/ask")
    with pytest.raises(Exception, match="1000000 caractères ; la limite est de 1000"):  # 1 MB through the API
        client.predict("é" * 500_000 + "a" * 500_000, api_name="/ask")
    with pytest.raises(Exception, match="aucun mot"):
        client.predict("?!… 🙂 \x07\x1b", api_name="/ask")

    documents = client.predict(api_name="/documents")
    assert {d["source"] for d in documents} >= {*SHIPPED, TRAP}


def test_other_host_requires_a_password(monkeypatch):
    from ui.app import auth_for, launch

    monkeypatch.delenv("RAG_UI_USER", raising=False)
    monkeypatch.delenv("RAG_UI_PASSWORD", raising=False)
    assert auth_for("127.0.0.1") is None
    with pytest.raises(RagError, match="RAG_UI_USER"):
        launch(None, "0.0.0.0", _free_port(), block=False)  # refused before anything is served
    monkeypatch.setenv("RAG_UI_USER", "redaction")
    monkeypatch.setenv("RAG_UI_PASSWORD", "secret")
    assert auth_for("0.0.0.0") == ("redaction", "secret")


# ---- in the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium absent : installez le paquet Debian « chromium » (scripts/setup.sh test)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, served):
    url, _ = served
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.outside = []  # requests that leave the server: fonts, scripts, analytics
    page.on("request", lambda r: None if r.url.startswith((url, "data:")) else page.outside.append(r.url))
    page.goto(url, wait_until="load")
    yield page
    context.close()


def ask_in_page(page, question: str):
    """Type a question, send it, and wait for the finished answer (its markers are links)."""
    bots = page.locator("#rag-chat [data-testid='bot']")
    before = bots.count()
    page.locator("#rag-question textarea").fill(question)
    page.locator("#rag-send").click()
    page.wait_for_function(
        "n => { const b = document.querySelectorAll(\"#rag-chat [data-testid='bot']\");"
        " return b.length > n && !b[b.length - 1].innerText.includes('▌') && b[b.length - 1].innerText !== '…'; }",
        arg=before,
    )
    return bots.last


def test_question_answer_and_highlighted_citation(page, served):
    _, assistant = served
    expected = assistant.ask(QUESTION)
    assert expected.answered and expected.citations

    answer = ask_in_page(page, QUESTION)
    assert _flat(expected.sentences[0].text) in _flat(answer.inner_text())
    links = answer.locator("a.rag-cite")
    assert links.count() == sum(len(s.citations) for s in expected.sentences)

    last = expected.citations[-1]  # the last source, so it is not simply the one opened by default
    answer.locator(f"a.rag-cite[href='#rag-src-1-{last.n}']").first.click()
    card = page.locator(".rag-src.rag-active")
    assert card.get_attribute("id") == f"rag-src-1-{last.n}"
    passage, evidence = card.locator("mark.rag-passage"), card.locator("mark.rag-highlight")
    assert evidence.is_visible()
    assert _flat(passage.inner_text()) == _flat(last.text)  # the chunk, lightly marked
    document = assistant.source_text(last.source)
    assert _flat(evidence.inner_text()) == _flat(document[last.evidence_start : last.evidence_end])
    assert len(_flat(evidence.inner_text())) <= len(_flat(last.text))  # the supporting sentence(s), inside it
    article = _flat(card.locator(".rag-article-text").inner_text())
    assert len(article) > len(_flat(last.text))  # the passage is shown inside its article
    assert last.source in card.inner_text() and _flat(last.title) in _flat(card.inner_text())
    assert page.outside == []  # offline: no remote fonts, scripts or analytics


def test_a_refusal_still_shows_the_closest_passages(page, served):
    _, assistant = served
    question = "Quelle est la recette de la tarte Tatin ?"
    expected = assistant.ask(question)
    assert not expected.answered and expected.related

    answer = ask_in_page(page, question)
    assert "Je ne trouve pas la réponse" in answer.inner_text()
    block = page.locator("#rag-sources-panel details.rag-turn").first
    assert "ne répondent pas à la question" in block.inner_text()
    cards = block.locator(".rag-src.rag-related")
    assert cards.count() == len(expected.related)
    assert expected.related[0].source in cards.first.inner_text()


def test_follow_up_then_new_conversation(page):
    ask_in_page(page, QUESTION)
    ask_in_page(page, "Et sur Bachar al-Assad ?")
    assert page.locator("#rag-chat [data-testid='bot']").count() == 2
    assert page.locator("#rag-sources-panel details.rag-turn").count() == 2
    page.locator("#rag-new").click()
    page.wait_for_function("() => document.querySelectorAll(\"#rag-chat [data-testid='bot']\").length === 0")
    assert page.locator("#rag-sources-panel details.rag-turn").count() == 0


def test_markup_in_documents_is_shown_as_text(page):
    answer = ask_in_page(page, TRAP_QUESTION)
    answer.locator("a.rag-cite").first.click()
    card = page.locator(".rag-src.rag-active")
    assert "piege.txt" in card.inner_text()
    shown = card.locator(".rag-article-text").inner_text()
    assert "<script>window.__pwned=1</script>" in shown
    assert '<img src=x onerror="window.__pwned=1">' in shown
    page.get_by_role("tab", name="Documents").click()
    page.locator("#rag-documents").get_by_text(TRAP).wait_for()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img[src='x']").count() == 0


def test_markup_in_a_question_is_shown_as_typed_and_never_run(page):
    question = '<img src=y onerror="window.__asked=1"> **Qu\'ont** convenu Hollande et Poutine ?'
    answer = ask_in_page(page, question)
    assert answer.locator("a.rag-cite").count() >= 1
    mine = page.locator("#rag-chat [data-testid='user']").last.inner_text()
    assert '<img src=y onerror="window.__asked=1">' in mine and "**Qu'ont**" in mine
    assert page.evaluate("typeof window.__asked") == "undefined"
    assert page.locator("img[src='y']").count() == 0


def test_an_upload_over_the_size_limit_is_refused_before_it_is_stored(served):
    """The server answers 413 while receiving the body: the file never reaches the corpus or the parser."""
    import httpx

    url, assistant = served
    limit = int(assistant.settings.max_upload_mb * 2**20)
    files = {"files": ("enorme.txt", b"Le conseil municipal a vote. " * (limit // 29 + 1000), "text/plain")}
    response = httpx.post(f"{url}gradio_api/upload", files=files, timeout=60)
    assert response.status_code == 413
    assert not (assistant.corpus_dir / "enorme.txt").exists()


def test_upload_makes_a_document_answerable_then_remove_it(page, served, tmp_path):
    _, assistant = served
    good = tmp_path / "volcans.md"
    good.write_text(UPLOAD_TEXT, encoding="utf-8")
    bad = tmp_path / "photo.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))

    page.get_by_role("tab", name="Documents").click()
    page.locator("#rag-upload input[type=file]").set_input_files([str(good), str(bad)])
    page.locator("#rag-upload").get_by_text("photo", exact=True).wait_for()  # both files uploaded
    page.locator("#rag-add").click()
    status = page.locator("#rag-status")
    status.get_by_text("volcans.md ajouté").wait_for()
    assert "photo.png" in status.inner_text() and "format non pris en charge" in status.inner_text()
    row = page.locator("#rag-documents tr", has_text="volcans.md")
    assert int(row.locator("td").last.inner_text()) >= 1
    assert not (assistant.corpus_dir / "photo.png").exists()

    page.get_by_role("tab", name="Discussion").click()
    answer = ask_in_page(page, "Quelle est l'altitude du puy de Dôme ?")
    assert "1 465" in answer.inner_text()
    answer.locator("a.rag-cite").first.click()
    assert "volcans.md" in page.locator(".rag-src.rag-active").inner_text()

    page.get_by_role("tab", name="Documents").click()
    page.locator("#rag-remove-choice input").click()
    page.get_by_role("option", name=re.compile("volcans.md")).click()
    page.locator("#rag-remove").click()
    status.get_by_text("volcans.md retiré").wait_for()
    assert page.locator("#rag-documents tr", has_text="volcans.md").count() == 0
    assert "volcans.md" not in {d["source"] for d in assistant.documents()}


def test_weakly_supported_sentences_are_marked_and_markup_is_inert():
    from rag import Answer, Citation
    from rag.citations import AnswerSentence
    from ui.render import answer_message

    citation = Citation(1, TRAP, "Cannes", 0, 10, "Le festiva", 1.0)
    answer = Answer(
        TRAP_QUESTION,
        "…",
        True,
        [citation],
        [
            AnswerSentence("Le jury remet la Palme d'or.", [1], support=0.9),
            AnswerSentence("<img src=x onerror=alert(1)> Le jury *vote* à huis clos.", [1], support=0.2),
        ],
    )
    html = answer_message(answer, turn=3)
    first, second = html.split('href="#rag-src-3-1"', 1)[0], html.split("</a>", 1)[1]
    assert "rag-flag" not in first and 'class="rag-flag"' in second and "⚠" in second
    assert "<img" not in html and "&lt;img" in html and "<em>" not in html
