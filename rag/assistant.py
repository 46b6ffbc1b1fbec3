"""The public entry point: one object that owns the models and the index for a process."""
from __future__ import annotations

import time
from pathlib import Path

from . import messages
from .citations import Answer, Citation, cite
from .config import Settings
from .documents import read_document
from .embeddings import make_embedder
from .errors import RagError
from .french import looks_foreign
from .generation import Generator, make_generator
from .index import Index, SyncReport
from .retrieval import HybridRetriever, Retrieval


class Assistant:
    """Loads the embedder, index and generator once; ask it as many questions as you like."""

    def __init__(self, settings: Settings, index: Index, generator: Generator) -> None:
        self.settings = settings
        self.index = index
        self.generator = generator
        self.retriever = HybridRetriever(index, candidates=settings.candidates, rrf_k=settings.rrf_k)

    @classmethod
    def open(
        cls,
        index_dir: str | Path | None = None,
        *,
        settings: Settings | None = None,
        generator: str | None = None,
        create: bool = False,
        rebuild: bool = False,
    ) -> Assistant:
        """Open the index in ``index_dir`` (default from settings); ``create`` allows a new empty one."""
        settings = settings or Settings()
        if index_dir is not None:
            settings = settings.model_copy(update={"index_dir": Path(index_dir)})
        embedder = make_embedder(settings.embedder)
        index = Index.open(settings.index_dir, embedder, create=create, rebuild=rebuild)
        return cls(settings, index, make_generator(generator or settings.generator, settings))

    def ingest(self, folder: str | Path | None = None, *, progress: bool = False) -> SyncReport:
        """Make the index mirror ``folder``: embed what is new or changed, drop what was removed."""
        return self.index.sync(
            Path(folder) if folder is not None else self.settings.corpus_dir,
            chunk_words=self.settings.chunk_words,
            batch_size=self.settings.embed_batch_size,
            progress=progress,
        )

    def retrieve(
        self, question: str, k: int | None = None, *, include_comments: bool = False, sources: list[str] | None = None
    ) -> Retrieval:
        self._check(question)
        return self.retriever.retrieve(
            question.strip(), k or self.settings.top_k, include_comments=include_comments, sources=sources
        )

    def search(
        self, query: str, k: int | None = None, *, include_comments: bool = False, sources: list[str] | None = None
    ) -> list[Citation]:
        """Ranked passages, best first, as citations numbered by rank."""
        retrieval = self.retrieve(query, k, include_comments=include_comments, sources=sources)
        return [Citation.from_passage(n, p) for n, p in enumerate(retrieval.passages, start=1)]

    def ask(
        self, question: str, k: int | None = None, *, include_comments: bool = False, sources: list[str] | None = None
    ) -> Answer:
        started = time.perf_counter()
        retrieval = self.retrieve(question, k, include_comments=include_comments, sources=sources)
        retrieved = time.perf_counter()
        timings = {"retrieval_ms": _ms(retrieved - started)}
        if retrieval.confidence(self.settings.coverage_weight) < self.settings.min_confidence:
            timings["total_ms"] = timings["retrieval_ms"]
            return Answer.refusal(question, retrieval.query, timings)
        draft = self.generator.generate(retrieval.query, retrieval)
        text, citations, sentences = cite(draft, retrieval.passages)
        done = time.perf_counter()
        timings.update(generation_ms=_ms(done - retrieved), total_ms=_ms(done - started))
        if not citations:
            return Answer.refusal(question, retrieval.query, timings)
        return Answer(question, text, True, citations, sentences, retrieval.query, timings)

    def documents(self) -> list[dict]:
        """What is indexed: one entry per source file."""
        return [
            {"source": source, "title": e["title"], "date": e["date"], "chunks": len(e["chunks"])}
            for source, e in sorted(self.index.sources.items())
        ]

    def source_text(self, source: str) -> str:
        """The decoded text that a citation's start/end offsets point into."""
        if source not in self.index.sources or self.index.corpus is None:
            raise RagError(messages.UNKNOWN_SOURCE.format(source=source))
        return read_document(self.index.corpus / source, source).text

    def _check(self, question: str) -> None:
        if not isinstance(question, str) or not question.strip():
            raise RagError(messages.EMPTY_QUESTION)
        if len(question) > self.settings.max_question_chars:
            raise RagError(
                messages.QUESTION_TOO_LONG.format(length=len(question), limit=self.settings.max_question_chars)
            )
        if looks_foreign(question):
            raise RagError(messages.FOREIGN_QUESTION)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)
