"""The chat page: a thin layer over `rag.Assistant`; no retrieval or prompting logic lives here.

Programmatic use (``gradio_client``), the same assistant as the page:

    from gradio_client import Client
    client = Client("http://127.0.0.1:7860/")
    result = client.predict("Qu'ont convenu Hollande et Poutine ?", api_name="/ask")
    # optional: documents=[...], include_comments=False, passages=5, mode="extractive"
    client.predict(api_name="/documents")   # what is indexed
"""
from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # before gradio is imported: no calls home

import gradio as gr  # noqa: E402

from rag import Assistant, RagError, messages  # noqa: E402
from rag.generation import GENERATORS  # noqa: E402

from . import render  # noqa: E402

log = logging.getLogger(__name__)

TITLE = "Questions sur vos documents"
EXAMPLES = [
    "Qu'ont convenu Hollande et Poutine ?",
    "Qui a abattu l'avion militaire russe ?",
    "Que pense Poutine de Bachar al-Assad ?",
]
MODE_LABELS = {
    "quote": "Extraits choisis par le modèle local",
    "extractive": "Extractif (phrases tirées des documents)",
    "local": "Réponse rédigée par le modèle local",
    "openai": "Serveur configuré",
}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
QUESTION_CONCURRENCY = 2  # questions answered at once; the models are CPU-bound and shared
UNEXPECTED = "Erreur inattendue, voir le journal du serveur."
NEED_AUTH = (
    "Refus d'écouter sur {host} sans mot de passe : la page serait ouverte à tout le réseau. "
    "Définissez RAG_UI_USER et RAG_UI_PASSWORD (identifiant et mot de passe demandés aux visiteurs), "
    "ou gardez --host 127.0.0.1."
)

THEME = gr.themes.Default(
    primary_hue="indigo",
    font=[gr.themes.Font("system-ui"), "sans-serif"],  # system fonts: nothing fetched from the web
    font_mono=[gr.themes.Font("ui-monospace"), "monospace"],
)


def mode_choices() -> list[tuple[str, str]]:
    return [(MODE_LABELS.get(name, name), name) for name in GENERATORS]


def build(assistant: Assistant) -> gr.Blocks:
    """The page, bound to one already-loaded assistant shared by every visitor."""

    def options(sources, include_comments, passages, mode) -> dict:
        return {
            "k": int(passages) if passages else None,
            "include_comments": bool(include_comments),
            "sources": list(sources) or None if sources else None,
            "generator": mode or None,
        }

    def articles_for(answer) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        for c in answer.citations + answer.related:
            if c.source not in found:
                try:
                    found[c.source] = assistant.source_text(c.source)
                except (RagError, OSError):
                    found[c.source] = None
        return found

    # ---- chat -------------------------------------------------------------------------------
    def respond(question, display, history, turns, sources, include_comments, passages, mode) -> Iterator:
        question = (question or "").strip()
        if not question:
            yield gr.skip(), display, display, history, turns, gr.skip()
            return
        display = display + [
            {"role": "user", "content": render.user_message(question)},
            {"role": "assistant", "content": "…"},
        ]
        yield "", display, display, history, turns, gr.skip()
        answer = None
        try:
            chosen = options(sources, include_comments, passages, mode)
            if assistant.busy(chosen["generator"]):
                display[-1] = {"role": "assistant", "content": render.streaming_message(messages.QUEUED)}
                yield gr.skip(), display, display, history, turns, gr.skip()
            for partial in assistant.stream(question, history=history or None, **chosen):
                if partial.answer is not None:
                    answer = partial.answer
                else:
                    display[-1] = {"role": "assistant", "content": render.streaming_message(partial.text)}
                    yield gr.skip(), display, display, history, turns, gr.skip()
        except RagError as exc:
            display[-1] = {"role": "assistant", "content": render.error_message(str(exc))}
            yield gr.skip(), display, display, history, turns, gr.skip()
            return
        except Exception:  # noqa: BLE001 - a visitor gets a message, the log gets the trace
            log.exception("question failed: %r", question)
            display[-1] = {"role": "assistant", "content": render.error_message(UNEXPECTED)}
            yield gr.skip(), display, display, history, turns, gr.skip()
            return
        turn = len(turns) + 1
        display[-1] = {"role": "assistant", "content": render.answer_message(answer, turn)}
        history = history + [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]
        turns = turns + [render.turn_sources(answer, turn, articles_for(answer))]
        yield gr.skip(), display, display, history, turns, render.sources_panel(turns)

    def stopped(display):
        if display and display[-1]["role"] == "assistant":
            display = display[:-1] + [{"role": "assistant", "content": render.stopped_message(display[-1]["content"])}]
        return display, display

    def new_conversation():
        return "", [], [], [], [], render.sources_panel([])

    # ---- corpus -----------------------------------------------------------------------------
    def corpus_views(status_html: str):
        documents = assistant.documents()
        choices = [(f"{d['title'] or d['source']} ({d['source']})", d["source"]) for d in documents]
        return (
            status_html,
            render.documents_table(documents),
            gr.update(choices=choices, value=[]),
            gr.update(choices=choices, value=None),
        )

    def refresh():
        return corpus_views(gr.skip())

    def progress_callbacks(progress) -> dict:
        current = {"source": ""}

        def on_file(done: int, total: int, source: str) -> None:
            current["source"] = source
            progress((done, total), desc=f"Indexation : {source}", unit="fichiers")

        def on_passages(done: int, total: int) -> None:
            progress((done, total), desc=f"Vectorisation : {current['source']}", unit="passages")

        return {"on_file": on_file, "on_passages": on_passages}

    def summary_of(report) -> tuple[list[str], list[str]]:
        problems = [f"{source} : {reason}" if source not in reason else reason for source, reason in report.failed]
        return [f"Index à jour : {render_counts(report)}"], problems

    def upload(files, progress=gr.Progress()):
        if not files:
            return corpus_views(render.report([], ["Choisissez d'abord un ou plusieurs fichiers."]))
        lines, problems = [], []
        limit = assistant.settings.max_upload_mb
        for path in files:
            path = Path(path)
            try:
                if path.stat().st_size > limit * 2**20:  # Gradio refuses it first; this guards the API too
                    raise RagError(messages.UPLOAD_TOO_LARGE.format(name=path.name, size=path.stat().st_size / 2**20,
                                                                     limit=limit))
                report = assistant.add_file(path.name, path.read_bytes(), **progress_callbacks(progress))
            except RagError as exc:
                problems.append(str(exc))
                continue
            except OSError as exc:
                problems.append(f"{path.name} : lecture impossible ({exc}).")
                continue
            lines.append(f"{path.name} ajouté. Index à jour : {render_counts(report)}")
            problems += summary_of(report)[1]
        return corpus_views(render.report(lines, problems))

    def reindex(progress=gr.Progress()):
        try:
            report = assistant.ingest(assistant.corpus_dir, **progress_callbacks(progress))
        except RagError as exc:
            return corpus_views(render.report([], [str(exc)]))
        return corpus_views(render.report(*summary_of(report)))

    def remove(source):
        if not source:
            return corpus_views(render.report([], ["Choisissez le document à retirer."]))
        try:
            report = assistant.remove_file(source)
        except RagError as exc:
            return corpus_views(render.report([], [str(exc)]))
        return corpus_views(render.report([f"{source} retiré. Index à jour : {render_counts(report)}"], []))

    # ---- programmatic endpoints (gradio_client) ---------------------------------------------
    def ask(
        question: str,
        documents: list[str] | None = None,
        include_comments: bool = False,
        passages: int = 0,
        mode: str = "",
    ) -> dict:
        """Answer a French question from the indexed documents, with its citations.

        Args:
            question: the question, in French.
            documents: files to search (their `source` names); empty: all documents.
            include_comments: whether reader comments may be used.
            passages: number of passages retrieved; 0: the configured default.
            mode: answer mode (one of the generator names); empty: the configured default.
        Returns:
            The answer as in `rag ask --json`: question, answer, answered, citations, sentences, query, timings.
        """
        try:
            return assistant.ask(question, **options(documents, include_comments, passages, mode)).to_dict()
        except RagError as exc:
            raise gr.Error(str(exc)) from exc

    def list_documents() -> list[dict]:
        """The indexed documents: source, title, date and number of chunks."""
        return assistant.documents()

    # ---- layout -----------------------------------------------------------------------------
    settings = assistant.settings
    private = {"api_visibility": "private"}
    with gr.Blocks(title=TITLE, analytics_enabled=False) as page:
        display = gr.State([])  # chat bubbles as shown (escaped HTML)
        history = gr.State([])  # the conversation as plain text, for follow-up questions
        turns = gr.State([])  # one sources block per answer

        gr.Markdown(
            f"# {TITLE}\nPosez une question en français : la réponse cite ses sources [n] ; "
            "cliquez sur un renvoi pour voir le passage surligné dans son article."
        )
        with gr.Tabs():
            with gr.Tab("Discussion", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=360):
                        chatbot = gr.Chatbot(
                            label="Conversation",
                            elem_id="rag-chat",
                            height=400,
                            buttons=["copy"],
                            feedback_options=None,
                            placeholder="Les réponses apparaîtront ici, avec leurs renvois aux sources.",
                        )
                        question = gr.Textbox(
                            label="Votre question",
                            placeholder="Posez votre question en français…",
                            elem_id="rag-question",
                            lines=1,
                            max_lines=4,
                        )
                        with gr.Row():
                            send = gr.Button("Envoyer", variant="primary", elem_id="rag-send", scale=2)
                            stop = gr.Button("Arrêter", variant="stop", elem_id="rag-stop", scale=1, min_width=100)
                            new = gr.Button("Nouvelle conversation", elem_id="rag-new", scale=2)
                        gr.Markdown("**Exemples** (un clic pour poser la question) :")
                        with gr.Row():
                            example_buttons = [
                                gr.Button(text, size="sm", elem_classes=["rag-example"]) for text in EXAMPLES
                            ]
                        with gr.Accordion("Réglages de la question", open=False):
                            doc_filter = gr.Dropdown(
                                label="Documents interrogés",
                                info="Laisser vide pour chercher dans tous les documents.",
                                multiselect=True,
                                choices=[],
                                elem_id="rag-filter",
                            )
                            include_comments = gr.Checkbox(
                                label="Utiliser aussi les commentaires de lecteurs", value=False
                            )
                            passages = gr.Slider(
                                label="Nombre de passages recherchés",
                                minimum=1,
                                maximum=20,
                                step=1,
                                value=settings.top_k,
                            )
                            mode = gr.Radio(
                                label="Mode de réponse",
                                choices=mode_choices(),
                                value=settings.generator if settings.generator in GENERATORS else GENERATORS[0],
                            )
                    with gr.Column(scale=2, min_width=320):
                        gr.Markdown("### Sources")
                        panel = gr.HTML(render.sources_panel([]), elem_id="rag-sources-panel")
            with gr.Tab("Documents", id="documents"):
                with gr.Row():
                    with gr.Column():
                        uploads = gr.File(
                            label="Ajouter des documents (.txt, .md, .html, .pdf)",
                            file_count="multiple",
                            type="filepath",
                            elem_id="rag-upload",
                        )
                        with gr.Row():
                            add = gr.Button("Ajouter et réindexer", variant="primary", elem_id="rag-add")
                            rescan = gr.Button("Réindexer le dossier", elem_id="rag-reindex")
                        status = gr.HTML("", elem_id="rag-status")
                    with gr.Column():
                        to_remove = gr.Dropdown(label="Document à retirer", choices=[], elem_id="rag-remove-choice")
                        drop = gr.Button("Retirer ce document", variant="stop", elem_id="rag-remove")
                gr.Markdown("### Documents indexés")
                docs = gr.HTML(render.documents_table(assistant.documents()), elem_id="rag-documents")

        chat_inputs = [question, display, history, turns, doc_filter, include_comments, passages, mode]
        chat_outputs = [question, chatbot, display, history, turns, panel]
        chat_options = {"concurrency_limit": QUESTION_CONCURRENCY, "concurrency_id": "questions", **private}
        events = [
            question.submit(respond, chat_inputs, chat_outputs, **chat_options),
            send.click(respond, chat_inputs, chat_outputs, **chat_options),
        ]
        for button, text in zip(example_buttons, EXAMPLES):
            events.append(
                button.click(lambda text=text: text, None, question, queue=False, **private).then(
                    respond, chat_inputs, chat_outputs, **chat_options
                )
            )
        stop.click(stopped, display, [chatbot, display], cancels=events, **private)
        reset = [question, chatbot, display, history, turns, panel]
        new.click(new_conversation, None, reset, cancels=events, **private)
        chatbot.clear(new_conversation, None, reset, cancels=events, **private)

        corpus_outputs = [status, docs, doc_filter, to_remove]
        corpus_options = {"concurrency_limit": 1, "concurrency_id": "corpus", **private}
        add.click(upload, uploads, corpus_outputs, **corpus_options).then(lambda: None, None, uploads, **private)
        rescan.click(reindex, None, corpus_outputs, **corpus_options)
        drop.click(remove, to_remove, corpus_outputs, **corpus_options)
        page.load(refresh, None, corpus_outputs, **private)

        gr.api(ask, api_name="ask", concurrency_limit=QUESTION_CONCURRENCY, concurrency_id="questions")
        gr.api(list_documents, api_name="documents")
    return page


def render_counts(report) -> str:
    return report.summary().splitlines()[0]


def auth_for(host: str) -> tuple[str, str] | None:
    """No login on this machine only; any other address needs RAG_UI_USER and RAG_UI_PASSWORD."""
    if host in LOCAL_HOSTS:
        return None
    user, password = os.environ.get("RAG_UI_USER", ""), os.environ.get("RAG_UI_PASSWORD", "")
    if not user or not password:
        raise RagError(NEED_AUTH.format(host=host))
    return (user, password)


def launch(assistant: Assistant, host: str = "127.0.0.1", port: int = 7860, *, block: bool = True) -> gr.Blocks:
    """Serve the page; with ``block=False`` return at once (the server runs in a thread)."""
    auth = auth_for(host)
    page = build(assistant)
    page.queue(default_concurrency_limit=QUESTION_CONCURRENCY)
    page.launch(
        server_name=host,
        server_port=port,
        auth=auth,
        auth_message="Identifiez-vous pour interroger les documents." if auth else None,
        theme=THEME,
        css=render.CSS,
        head=render.HEAD,
        footer_links=["api"],
        max_file_size=int(assistant.settings.max_upload_mb * 2**20),
        prevent_thread_lock=not block,
        quiet=not block,
        show_error=True,
        ssr_mode=False,
        mcp_server=False,
    )
    return page
