"""The chat page: a thin layer over `rag.Assistant`; no retrieval or prompting logic lives here."""
from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402  (analytics must be off before gradio is imported)

from rag import Answer, Assistant, RagError  # noqa: E402

TITLE = "Questions sur vos documents"
EXAMPLES = [
    "Qu'ont convenu Hollande et Poutine ?",
    "Qui a abattu l'avion militaire russe ?",
    "Que pense Poutine de Bachar al-Assad ?",
]


def render(answer: Answer) -> str:
    """Answer then its sources; gradio's Markdown sanitises any HTML coming from documents."""
    lines = [answer.text]
    if answer.citations:
        lines.append("\n**Sources**")
        for c in answer.citations:
            excerpt = " ".join(c.text.split())
            lines.append(f"- [{c.n}] *{c.title}* — `{c.source}` : « {excerpt[:280]}{'…' if len(excerpt) > 280 else ''} »")
    return "\n".join(lines)


def build(assistant: Assistant) -> gr.Blocks:
    def respond(message: str, history: list) -> str:
        try:
            return render(assistant.ask(message))
        except RagError as exc:
            return f"⚠️ {exc}"

    with gr.Blocks(title=TITLE, analytics_enabled=False) as page:
        gr.Markdown(f"# {TITLE}")
        gr.ChatInterface(
            respond,
            examples=EXAMPLES,
            textbox=gr.Textbox(placeholder="Posez votre question en français…"),
            submit_btn="Envoyer",
            stop_btn="Arrêter",
            api_name="ask",
        )
    return page


def launch(assistant: Assistant, host: str = "127.0.0.1", port: int = 7860) -> None:
    build(assistant).queue(default_concurrency_limit=2).launch(server_name=host, server_port=port)
