"""Where an index lives: Chroma in the index folder (embedded) or a Chroma server, behind one class.

Everything another process needs is in the store: chunk texts and vectors, and the manifest
(one row per source, plus a header naming the format, the embedder and a change stamp), so
processes on several machines pointed at one server share one index. The local folder holds
only what can be rebuilt (the French BM25 cache) and the writer lock, plus the Chroma files
themselves in embedded mode.

Chroma's embedded client is not safe across processes: a second process never sees the
first one's vector-index updates. So writers take an exclusive file lock, and a reader
whose stamp moved re-opens its client once no writer holds the lock.
"""
from __future__ import annotations

import fcntl
import json
import logging
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import chromadb
from chromadb.config import Settings as ChromaSettings

from . import messages
from .errors import RagError

log = logging.getLogger(__name__)

CHUNKS, SENTENCES, MANIFEST = "chunks", "sentences", "manifest"
HEADER = "index"  # the manifest row naming format, embedder and stamp; sources are "source/<path>"
_SOURCE = "source/"
LOCK = ".lock"
_COSINE = {"hnsw:space": "cosine"}


class Store:
    """One Chroma client with the index's three collections; every call's failure becomes a French error."""

    def __init__(self, folder: Path, url: str | None = None) -> None:
        self.folder = Path(folder)
        self.url = url.rstrip("/") if url else None
        self._client = None
        self._collections: dict[str, object] = {}
        self.opened = 0  # how many times a client was opened: a call begun on an older one may retry
        self.chunks, self.sentences, self.manifest = (_Guarded(self, name) for name in (CHUNKS, SENTENCES, MANIFEST))

    @property
    def where(self) -> str:
        return self.url or str(self.folder)

    def connect(self) -> Store:
        """(Re)open the client: a fresh embedded client sees what other processes wrote."""
        self.close()
        try:
            self._client = self._new_client()
            self._collections = {
                name: self._client.get_or_create_collection(name, metadata=metadata, embedding_function=None)
                for name, metadata in ((CHUNKS, _COSINE), (SENTENCES, _COSINE), (MANIFEST, None))
            }
            self.opened += 1
        except RagError:
            raise
        except Exception as exc:  # chromadb raises sqlite, rust, http and value errors alike
            raise self.error(exc) from exc
        return self

    def _new_client(self):
        settings = ChromaSettings(anonymized_telemetry=False)
        if self.url is None:
            return chromadb.PersistentClient(path=str(self.folder / "chroma"), settings=settings)
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RagError(messages.BAD_CHROMA_URL.format(url=self.url))
        return chromadb.HttpClient(host=parts.hostname, port=parts.port or (443 if parts.scheme == "https" else 80),
                                   ssl=parts.scheme == "https", settings=settings)

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:  # a dead server or a damaged store: nothing left to release
                log.debug("closing the Chroma client failed", exc_info=True)
            self._client = None

    def error(self, exc: BaseException) -> RagError:
        if self.url is not None:
            return RagError(messages.CHROMA_UNREACHABLE.format(url=self.url, reason=exc))
        return RagError(messages.CORRUPTED_INDEX.format(index=self.folder, reason=exc))

    def exists(self) -> bool:
        """Whether an index is already here (without creating anything)."""
        if self.url is not None:
            return True
        return (self.folder / "chroma").exists()

    def reset(self) -> None:
        """Empty the store; an embedded one that Chroma cannot open is removed first."""
        try:
            self.connect()
            for name in (CHUNKS, SENTENCES, MANIFEST):
                self._client.delete_collection(name)
        except Exception:
            if self.url is not None:
                raise
            self.close()
            shutil.rmtree(self.folder / "chroma", ignore_errors=True)
        self.connect()

    # The manifest: a header row and one row per source, each a JSON document.

    def read_manifest(self) -> dict | None:
        """The header with its ``sources``, or None when the store holds no index."""
        header = self.read_header()
        if header is None:
            return None
        sources = {}
        for page in pages(self.manifest, include=["documents"]):
            for row_id, text in zip(page["ids"], page["documents"]):
                if row_id.startswith(_SOURCE):
                    sources[row_id[len(_SOURCE):]] = json.loads(text)
        return {**header, "sources": sources}

    def read_header(self) -> dict | None:
        got = self.manifest.get(ids=[HEADER], include=["documents"])
        if not got["ids"]:
            return None
        try:
            header = json.loads(got["documents"][0])
            if not isinstance(header, dict):
                raise ValueError(type(header).__name__)
        except ValueError as exc:
            raise self.error(exc) from exc
        return header

    def write_header(self, header: dict) -> str:
        """Save the header with a new change stamp, which tells other processes to reload; returns it."""
        stamp = uuid.uuid4().hex
        self._put([HEADER], [{**header, "stamp": stamp}])
        return stamp

    def write_sources(self, entries: dict[str, dict], batch: int = 500) -> None:
        items = list(entries.items())
        for start in range(0, len(items), batch):
            self._put([_SOURCE + s for s, _ in items[start:start + batch]], [e for _, e in items[start:start + batch]])

    def delete_source(self, source: str) -> None:
        self.manifest.delete(ids=[_SOURCE + source])

    def _put(self, ids: list[str], rows: list[dict]) -> None:
        self.manifest.upsert(ids=ids, embeddings=[[1.0]] * len(ids),
                             documents=[json.dumps(r, ensure_ascii=False) for r in rows])

    # Concurrency between processes of one machine.

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the index's writer lock; a second writer says it waits, then waits."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / LOCK).open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                log.warning(messages.INDEX_BUSY.format(index=self.where))
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def quiet(self) -> Iterator[bool]:
        """Yields whether no writer holds the lock, and keeps writers out while it is held."""
        lock = self.folder / LOCK
        if not lock.exists():
            yield True
            return
        with lock.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def pages(collection, include: list[str], size: int = 5000):
    """A whole collection, page by page: one `get` of ~100k rows exceeds SQLite's variable limit."""
    for offset in range(0, collection.count(), size):
        yield collection.get(include=include, limit=size, offset=offset)


class _Guarded:
    """A collection of the store, looked up at each call (the client may have been re-opened by another
    thread since); a call that fails because of that re-opening is retried once, any other failure
    becomes the store's French error."""

    def __init__(self, store: Store, name: str) -> None:
        self._store = store
        self._name = name

    def __getattr__(self, attribute: str):
        def guarded(*args, **kwargs):
            opened = self._store.opened
            try:
                return getattr(self._store._collections[self._name], attribute)(*args, **kwargs)
            except Exception as exc:
                if self._store.opened != opened:
                    return guarded(*args, **kwargs)
                raise self._store.error(exc) from exc

        return guarded
