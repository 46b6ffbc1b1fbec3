"""PIAF (French SQuAD over Wikipedia paragraphs) as a retrieval benchmark.

Each paragraph becomes one document: a small HTML file whose <title> is the article title,
so our pipeline puts the title in every chunk's search text (``Chunk.search_text``), and the
baseline gets ``title + paragraph`` as one plain document. Indexes are cached under
``.rag-eval/piaf/`` and rebuilt only when the data file changes.
"""
from __future__ import annotations

import html
import json
import random
from dataclasses import dataclass
from pathlib import Path

from .dataset import DatasetError
from .systems import CACHE_DIR, LlamaIndexBaseline

DEFAULT_PATH = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks" / "piaf" / "piaf-v1.0-dev.json"


@dataclass
class Paragraph:
    source: str  # file name in the generated corpus
    title: str
    context: str


@dataclass
class PiafQuestion:
    id: str
    question: str
    answers: list[str]
    source: str  # the paragraph's file


def load(path: Path) -> tuple[list[Paragraph], list[PiafQuestion]]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DatasetError(f"fichier PIAF introuvable : {path}. Indiquez-le avec --piaf-path "
                           "(PIAF dev au format SQuAD, par exemple piaf-v1.0-dev.json).") from exc
    except (OSError, ValueError) as exc:
        raise DatasetError(f"fichier PIAF illisible : {path} ({exc}).") from exc
    paragraphs, questions = [], []
    for a, article in enumerate(data["data"]):
        for p, para in enumerate(article["paragraphs"]):
            source = f"a{a:03d}_p{p:02d}.html"
            paragraphs.append(Paragraph(source, article["title"], para["context"]))
            for qa in para["qas"]:
                answers = list(dict.fromkeys(x["text"] for x in qa.get("answers", []) if x["text"].strip()))
                if qa["question"].strip() and answers:
                    questions.append(PiafQuestion(qa["id"], qa["question"].strip(), answers, source))
    return paragraphs, questions


def sample(questions: list[PiafQuestion], n: int | None, seed: int) -> list[PiafQuestion]:
    """A fixed sample: the same ``n`` and ``seed`` always give the same questions, in the same order."""
    if n is None or n >= len(questions):
        return list(questions)
    return random.Random(seed).sample(questions, n)


def write_corpus(paragraphs: list[Paragraph], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {p.source for p in paragraphs}
    for old in folder.glob("*.html"):
        if old.name not in wanted:
            old.unlink()
    for p in paragraphs:
        content = (
            f"<html><head><title>{html.escape(p.title)}</title></head>"
            f"<body><p>{html.escape(p.context)}</p></body></html>\n"
        )
        path = folder / p.source
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
    return folder


def plain_fusion(dense, paragraphs: list[Paragraph]):
    """RRF of the baseline's whole-paragraph vectors and French BM25 over the same ``title + paragraph``."""
    from .systems import PlainFusion

    return PlainFusion(dense, [(p.source, f"{p.title}\n\n{p.context}") for p in paragraphs])


def baseline(paragraphs: list[Paragraph], embedder, fingerprint: str, cache: Path | None = None, progress=True):
    def documents():
        from llama_index.core import Document

        return [
            Document(text=f"{p.title}\n\n{p.context}", metadata={"file_name": p.source}, id_=p.source)
            for p in paragraphs
        ]

    return LlamaIndexBaseline((cache or CACHE_DIR / "piaf") / "baseline", documents, embedder, fingerprint, progress)
