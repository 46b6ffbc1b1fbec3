"""The public entry point: one object that owns the models and the index for a process."""
from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from . import messages
from .citations import Answer, Citation, Partial, cite
from .config import Settings
from .documents import SUPPORTED_SUFFIXES, DocumentError, parse_document, read_document
from .embeddings import make_embedder
from .errors import RagError
from .french import gives_asked_number, looks_foreign
from .generation import Generator, GeneratorUnavailable, make_generator
from .index import Index, SyncReport
from .retrieval import HybridRetriever, Retrieval

History = list[dict[str, str]]  # [{"role": "user" | "assistant", "content": "..."}], oldest first


class Assistant:
    """Loads the embedder, index and generators once; ask it as many questions as you like."""

    def __init__(self, settings: Settings, index: Index) -> None:
        self.settings = settings
        self.index = index
        self.retriever = HybridRetriever.from_settings(index, settings)
        self._generators: dict[str, Generator] = {}

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
        updates = {"index_dir": Path(index_dir)} if index_dir is not None else {}
        if generator is not None:
            updates["generator"] = generator
        settings = settings.model_copy(update=updates)
        index = Index.open(settings.index_dir, make_embedder(settings.embedder, settings), create=create,
                           rebuild=rebuild, url=settings.chroma_url)
        return cls(settings, index)

    def generator(self, name: str | None = None) -> Generator:
        """The named generator (default from settings), loaded on first use, once per process."""
        name = name or self.settings.generator
        if name not in self._generators:
            self._generators[name] = make_generator(name, self.settings)
        return self._generators[name]

    def busy(self, name: str | None = None) -> bool:
        """Whether a question for this generator would wait for another one to finish."""
        generator = self._generators.get(name or self.settings.generator)
        return generator is not None and generator.busy

    @property
    def corpus_dir(self) -> Path:
        return self.index.corpus or self.settings.corpus_dir

    def ingest(
        self,
        folder: str | Path | None = None,
        *,
        progress: bool = False,
        on_file: Callable[[int, int, str], None] | None = None,
        on_passages: Callable[[int, int], None] | None = None,
    ) -> SyncReport:
        """Make the index mirror ``folder``: embed what is new or changed, drop what was removed."""
        return self.index.sync(
            Path(folder) if folder is not None else self.settings.corpus_dir,
            chunk_words=self.settings.chunk_words,
            paragraph_words=self.settings.paragraph_words,
            max_file_bytes=int(self.settings.max_file_mb * 2**20),
            batch_size=self.settings.embed_batch_size,
            progress=progress,
            on_file=on_file,
            on_passages=on_passages,
        )

    def add_file(self, name: str, data: bytes, **ingest_options) -> SyncReport:
        """Store an uploaded file in the corpus folder under a safe name, then re-index.

        The file is parsed before it is written, so a rejected upload leaves the corpus as it was.
        """
        safe = _safe_name(name)
        try:
            parse_document(data, Path(safe).suffix, safe)
        except DocumentError as exc:
            raise RagError(str(exc)) from exc
        folder = self.corpus_dir
        folder.mkdir(parents=True, exist_ok=True)
        (folder / safe).write_bytes(data)
        return self.ingest(folder, **ingest_options)

    def remove_file(self, source: str, **ingest_options) -> SyncReport:
        """Delete an indexed file from the corpus folder and from the index."""
        if source not in self.index.sources:
            raise RagError(messages.UNKNOWN_SOURCE.format(source=source))
        (self.corpus_dir / source).unlink(missing_ok=True)
        return self.ingest(self.corpus_dir, **ingest_options)

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

    def ask(self, question: str, k: int | None = None, **options) -> Answer:
        """Answer with citations; same options as `stream`."""
        *_, last = self.stream(question, k, **options)
        return last.answer

    def stream(
        self,
        question: str,
        k: int | None = None,
        *,
        include_comments: bool = False,
        sources: list[str] | None = None,
        history: History | None = None,
        generator: str | None = None,
    ) -> Iterator[Partial]:
        """Yield the draft as it grows; the last item carries the checked `Answer`.

        With a ``history``, the question is first rewritten into a standalone one, which is
        what is searched and is reported as ``Answer.query``; a model then reads the question
        as asked, after the previous one, rather than the rewrite, which can be wrong.
        """
        started = time.perf_counter()
        self._check(question)
        chosen = self.generator(generator)
        question = question.strip()
        asked = [t.get("content", "").strip() for t in history or [] if t.get("role") == "user"]
        previous = asked[-1] if asked else None
        query = chosen.condense(question, history) if history else question
        retrieval = self.retrieve(query, k, include_comments=include_comments, sources=sources)
        retrieved = time.perf_counter()
        timings = {"retrieval_ms": _ms(retrieved - started)}
        if retrieval.confidence(self.settings.coverage_weight) < self.settings.min_confidence:
            timings["total_ms"] = timings["retrieval_ms"]
            yield Partial(messages.REFUSAL, Answer.refusal(question, query, timings, retrieval.passages))
            return
        read_as = question if previous else query
        answerability = chosen.answerability(read_as, retrieval, previous)
        if answerability is not None:
            timings["answerability"] = round(answerability, 3)
            if answerability < chosen.min_answerability:
                timings["total_ms"] = _ms(time.perf_counter() - started)
                yield Partial(messages.REFUSAL, Answer.refusal(question, query, timings, retrieval.passages))
                return
        draft, notice = "", None
        try:
            for piece in chosen.stream(read_as, retrieval, previous):
                if not draft and piece:
                    timings["first_token_ms"] = _ms(time.perf_counter() - started)
                draft += piece
                yield Partial(draft)
        except GeneratorUnavailable as exc:
            notice, chosen = str(exc), self.generator("extractive")
            draft = chosen.generate(query, retrieval)
            yield Partial(draft)
        text, citations, sentences = cite(
            draft,
            retrieval.passages,
            verify=chosen.verify,
            judge=chosen.judge,
            min_support=self.settings.min_support,
            question=query,
        )
        done = time.perf_counter()
        timings.update(generation_ms=_ms(done - retrieved), total_ms=_ms(done - started))
        model_refused = messages.REFUSAL.rstrip(".").lower() in draft.lower()
        if citations and not model_refused and gives_asked_number(query, [s.text for s in sentences if s.supported]):
            answer = Answer(question, text, True, citations, sentences, query, timings)
        else:
            answer = Answer.refusal(question, query, timings, retrieval.passages)
            if not model_refused:
                answer.sentences = sentences  # what the support check removed stays visible
        answer.notice = notice
        yield Partial(answer.text, answer)

    def documents(self) -> list[dict]:
        """What is indexed: one entry per source file."""
        self.index.follow()
        return [
            {"source": source, "title": e["title"], "date": e["date"], "chunks": len(e["chunks"])}
            for source, e in sorted(self.index.sources.items())
        ]

    def source_text(self, source: str) -> str:
        """The decoded text that a citation's start/end offsets point into."""
        if source not in self.index.sources:
            raise RagError(messages.UNKNOWN_SOURCE.format(source=source))
        return read_document(self.corpus_dir / source, source).text

    def _check(self, question: str) -> None:
        if not isinstance(question, str) or not question.strip():
            raise RagError(messages.EMPTY_QUESTION)
        if len(question) > self.settings.max_question_chars:
            raise RagError(
                messages.QUESTION_TOO_LONG.format(length=len(question), limit=self.settings.max_question_chars)
            )
        if not re.search(r"[^\W_]", question):
            raise RagError(messages.NO_WORD_QUESTION)
        if looks_foreign(question):
            raise RagError(messages.FOREIGN_QUESTION)


def _safe_name(name: str) -> str:
    """A plain file name for an upload: no folders, no hidden files, a supported format."""
    base = Path(str(name).replace("\\", "/")).name
    if str(name).replace("\\", "/") != base or base.startswith(".") or not base:
        raise RagError(messages.UNSAFE_FILE_NAME.format(name=name))
    cleaned = re.sub(r"[^\w.\- ]", "_", base).strip()
    if Path(cleaned).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise RagError(messages.UNSUPPORTED_FILE.format(source=cleaned, suffixes=", ".join(SUPPORTED_SUFFIXES)))
    return cleaned


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)
