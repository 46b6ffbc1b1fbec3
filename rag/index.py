"""The index: chunk texts, sentence vectors and a manifest in a store (`rag/store.py`), and a French BM25 index.

Small to big: every sentence of a chunk has its own vector (collection ``sentences``), and a
chunk's dense score is its best sentence's; chunks (collection ``chunks``, whose vector is the
mean of its sentences') are what BM25 scores and what is returned and cited.

The manifest maps each source file to its content hash and chunk ids, and names the
embedder that built the vectors. ``sync`` makes the index mirror a folder: it only
embeds what changed, and every step can be interrupted and re-run (chunk ids are
stable, writes are upserts, a file's manifest row is written after its chunks, and
chunks no manifest row owns are swept). A sync ends by moving the manifest's stamp,
which other processes sharing the store follow before their next search.
"""
from __future__ import annotations

import hashlib
import json
import logging
import shutil
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

import numpy as np
from llama_index.core.embeddings import BaseEmbedding
from tqdm import tqdm

from . import messages
from .bm25 import FrenchBM25
from .chunking import CHUNKER_VERSION, Chunk, chunk_document
from .documents import COMMENT, DocumentError, iter_files, parse_document, read_bytes
from .errors import RagError
from .store import LOCK, Store, pages

log = logging.getLogger(__name__)

LEGACY_MANIFEST = "manifest.json"  # format 2 kept the manifest in the folder
FORMAT = 3  # 2: one vector per sentence; 3: the manifest in the store
SENTENCES_PER_CHUNK = 4  # nearest sentences fetched per chunk wanted: several may belong to one chunk
LONG_WRITE_BATCHES = 10  # a write of more embedding batches than this (a big file) reports its own progress


@dataclass
class _Parsed:
    """A file read and chunked, waiting to be embedded with others."""

    source: str
    chunks: list[Chunk]
    old_ids: set[str]
    updated: bool
    entry: dict

    @cached_property
    def new(self) -> list[Chunk]:
        return [c for c in self.chunks if c.id not in self.old_ids]


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    chunks_embedded: int = 0

    def summary(self) -> str:
        counts = {name: len(getattr(self, name)) for name in ("added", "updated", "removed", "unchanged")}
        lines = [messages.SYNC_REPORT.format(**counts)]
        if self.failed:
            lines.append(messages.SYNC_FAILED.format(count=len(self.failed)))
            lines += [f"  - {reason}" for _, reason in self.failed]
        return "\n".join(lines)


class Index:
    def __init__(self, store: Store, embedder: BaseEmbedding, manifest: dict) -> None:
        self.store = store
        self.folder = store.folder  # local caches (BM25) and, embedded, the store itself
        self.embedder = embedder
        self.manifest = manifest
        self._bm25: FrenchBM25 | None = None
        self._chunk_set: str | None = None  # fingerprint of the manifest's chunk ids, reset when it changes
        self._reload = threading.Lock()

    @classmethod
    def open(cls, folder: Path, embedder: BaseEmbedding, *, create: bool = False, rebuild: bool = False,
             url: str | None = None) -> Index:
        """Open the index in ``folder`` (or on the Chroma server at ``url``, ``folder`` then holding only
        caches); with ``create`` a missing one becomes a new one, ``rebuild`` starts over."""
        store = Store(Path(folder), url)
        if url is None:
            legacy = store.folder / LEGACY_MANIFEST
            if not (legacy.exists() or store.exists()) and store.folder.exists() and any(
                p.name != LOCK for p in store.folder.iterdir()
            ):
                raise RagError(messages.NOT_AN_INDEX.format(index=store.folder))
            if legacy.exists() and not rebuild:
                try:
                    _migrate(store)
                except OutdatedIndex:
                    if not create:
                        raise
                    log.warning(messages.OUTDATED_INDEX_REBUILT.format(index=store.folder))
                    rebuild = True
            if not (store.exists() or create or rebuild):
                raise RagError(messages.NO_INDEX.format(index=store.folder))
        if rebuild:
            return cls._empty(store, embedder)
        manifest = store.connect().read_manifest()
        if manifest is None:
            if not create:
                raise RagError(messages.NO_INDEX.format(index=store.where))
            return cls._empty(store, embedder)
        if not _well_formed(manifest):
            raise store.error(ValueError("format de manifeste inattendu"))
        if manifest["embedder"] != embedder.model_name:
            raise RagError(
                messages.EMBEDDER_MISMATCH.format(index=store.where, built=manifest["embedder"],
                                                  wanted=embedder.model_name)
            )
        return cls(store, embedder, manifest)

    @classmethod
    def _empty(cls, store: Store, embedder: BaseEmbedding) -> Index:
        with store.writing():
            store.reset()
            shutil.rmtree(store.folder / "bm25", ignore_errors=True)
            (store.folder / LEGACY_MANIFEST).unlink(missing_ok=True)
            index = cls(store, embedder, _new_manifest(embedder))
            index._publish()
        return index

    def _publish(self) -> None:
        """Save the header with a new stamp: other processes reload on their next search."""
        header = {key: value for key, value in self.manifest.items() if key != "sources"}
        self.manifest["stamp"] = self.store.write_header(header)
        self._chunk_set = None

    def follow(self) -> None:
        """Catch up with what another process wrote (a re-ingest), once no writer is busy."""
        header = self.store.read_header()
        if header is None or header.get("stamp") == self.manifest.get("stamp"):
            return
        with self._reload, self.store.quiet() as quiet:
            if quiet:
                self._catch_up()

    def _catch_up(self) -> None:
        header = self.store.read_header()
        if header is None or header.get("stamp") == self.manifest.get("stamp"):
            return
        if self.store.url is None:
            self.store.connect()  # an embedded client never sees another process's vectors
        manifest = self.store.read_manifest()
        if manifest is not None:
            self.manifest = manifest
            self._chunk_set = None

    @property
    def sources(self) -> dict[str, dict]:
        return self.manifest["sources"]

    @property
    def corpus(self) -> Path | None:
        return Path(self.manifest["corpus"]) if self.manifest.get("corpus") else None

    @property
    def collection(self):
        return self.store.chunks

    @property
    def sentences(self):
        return self.store.sentences

    def sync(
        self,
        corpus: Path,
        *,
        chunk_words: int,
        paragraph_words: int | None = None,
        max_file_bytes: int | None = None,
        batch_size: int = 32,
        progress: bool = True,
        on_file: Callable[[int, int, str], None] | None = None,
        on_passages: Callable[[int, int], None] | None = None,
    ) -> SyncReport:
        """Mirror ``corpus``; ``on_file(done, total, source)`` is called before each file (for a UI), and
        ``on_passages(done, total)`` while a big file's passages are embedded, which can take minutes."""
        corpus = Path(corpus)
        if not corpus.is_dir():
            raise RagError(messages.MISSING_CORPUS.format(folder=corpus))
        with self.store.writing():
            self._catch_up()
            report = self._sync(corpus, chunk_words, paragraph_words, max_file_bytes, batch_size, progress, on_file,
                                on_passages)
            self._publish()
        self.refresh_bm25()
        return report

    def _sync(self, corpus, chunk_words, paragraph_words, max_file_bytes, batch_size, progress, on_file,
              on_passages) -> SyncReport:
        report = SyncReport()
        files = list(iter_files(corpus))
        # a file is unchanged only if this is too
        chunking = f"v{CHUNKER_VERSION}, {chunk_words} words, paragraphs up to {paragraph_words or chunk_words}"
        self.manifest["corpus"] = str(corpus.resolve())
        pending: list[_Parsed] = []
        waiting = 0  # new chunks among the pending files
        for done, (path, source) in enumerate(tqdm(files, desc="Indexation", unit="fichier", disable=not progress)):
            if on_file is not None:
                on_file(done, len(files), source)
            try:
                data = read_bytes(path, source, root=corpus, max_bytes=max_file_bytes)
                digest = hashlib.sha256(data).hexdigest()
                entry = self.sources.get(source)
                if entry and entry["hash"] == digest and entry.get("chunking") == chunking:
                    report.unchanged.append(source)
                    continue
                doc = parse_document(data, path.suffix, source)
            except DocumentError as exc:
                log.warning(str(exc))
                report.failed.append((source, str(exc)))
                continue
            chunks = chunk_document(doc, chunk_words, paragraph_words)
            known = set(entry["chunks"]) if entry else set()
            known -= self._resplit([c for c in chunks if c.id in known])
            pending.append(_Parsed(
                source, chunks, known, updated=entry is not None,
                entry={"hash": digest, "chunking": chunking, "title": doc.title, "date": doc.date,
                       "chunks": [c.id for c in chunks]},
            ))
            waiting += len(pending[-1].new)
            if waiting >= batch_size:
                self._write(pending, batch_size, report, progress, on_passages)
                waiting = 0
        self._write(pending, batch_size, report, progress, on_passages)
        present = {source for _, source in files}
        for source in sorted(set(self.sources) - present):
            self._delete(self.sources[source]["chunks"])
            del self.sources[source]
            self.store.delete_source(source)
            report.removed.append(source)
        self._sweep_orphans()
        return report

    def add_embedded(self, chunks: list[Chunk], vectors: list[np.ndarray], digest: str, batch: int = 500) -> None:
        """Store chunks whose sentence vectors (one array per chunk) were computed elsewhere (the
        benchmark's synthetic corpora), each under its source as `sync` would, with ``digest``
        standing for the file hashes."""
        with self.store.writing():
            for start in range(0, len(chunks), batch):  # Chroma caps a write at a few thousand rows
                self._upsert(chunks[start : start + batch], vectors[start : start + batch])
            added = {}
            for chunk in chunks:
                entry = added.setdefault(
                    chunk.source, {"hash": digest, "title": chunk.title, "date": chunk.date, "chunks": []}
                )
                entry["chunks"].append(chunk.id)
            self.sources.update(added)
            self.store.write_sources(added)
            self._publish()

    def _write(self, pending: list[_Parsed], batch_size: int, report: SyncReport, progress: bool = False,
               on_passages: Callable[[int, int], None] | None = None) -> None:
        """Embed the new chunks of the pending files together (a file of one sentence would otherwise
        cost a model call of its own), give known chunks their new offsets, then record each file:
        its manifest row comes after its chunks. A long write shows its progress in passages: a 9.5 MB
        text file is one file of the file count but 89 minutes of CPU time to embed (~45 min on two cores)."""
        new = [chunk for parsed in pending for chunk in parsed.new]
        long_write = len(new) > LONG_WRITE_BATCHES * batch_size
        with tqdm(total=len(new), desc="Vectorisation", unit="passage", leave=False,
                  disable=not (progress and long_write)) as bar:
            for i in range(0, len(new), batch_size):
                batch = new[i : i + batch_size]
                texts = [c.sentence_texts for c in batch]
                vectors = np.asarray(self.embedder.get_text_embedding_batch([t for group in texts for t in group]))
                self._upsert(batch, np.split(vectors, np.cumsum([len(group) for group in texts])[:-1]))
                bar.update(len(batch))
                if on_passages is not None and long_write:
                    on_passages(i + len(batch), len(new))
        for parsed in pending:
            kept = [c for c in parsed.chunks if c.id in parsed.old_ids]
            if kept:
                self.collection.update(ids=[c.id for c in kept], metadatas=[_metadata(c) for c in kept])
            self._delete(sorted(parsed.old_ids - {c.id for c in parsed.chunks}))
        self.store.write_sources({parsed.source: parsed.entry for parsed in pending})
        for parsed in pending:
            self.sources[parsed.source] = parsed.entry
            (report.updated if parsed.updated else report.added).append(parsed.source)
        report.chunks_embedded += len(new)
        pending.clear()

    def _resplit(self, kept: list[Chunk], batch: int = 500) -> set[str]:
        """The ids of known chunks whose text the chunker now cuts into another number of sentences (« 11. » and
        « RÉPARTITION DES TÂCHES » became one): their sentence vectors no longer line up with their sentences, and
        are written again, the old ones first removed."""
        stored: dict[str, int] = {}
        for start in range(0, len(kept), batch):
            ids = [c.id for c in kept[start : start + batch]]
            for meta in self.sentences.get(where={"chunk": {"$in": ids}}, include=["metadatas"])["metadatas"]:
                stored[meta["chunk"]] = stored.get(meta["chunk"], 0) + 1
        resplit = sorted(c.id for c in kept if stored.get(c.id, 0) != len(c.sentence_texts))
        for start in range(0, len(resplit), batch):
            self.sentences.delete(where={"chunk": {"$in": resplit[start : start + batch]}})
        return set(resplit)

    def _upsert(self, chunks: list[Chunk], vectors: list[np.ndarray]) -> None:
        """Sentences first: a chunk is searchable once its own row exists, and a run killed in between
        leaves only sentences that `_sweep_orphans` removes."""
        vectors = [np.asarray(group, dtype=np.float32) for group in vectors]
        self.sentences.upsert(
            ids=[f"{c.id}-{n}" for c, group in zip(chunks, vectors) for n in range(len(group))],
            embeddings=[v for group in vectors for v in group],
            metadatas=[{"chunk": c.id, "source": c.source, "kind": c.kind} for c, group in zip(chunks, vectors)
                       for _ in range(len(group))],
        )
        centroids = [group.mean(axis=0) for group in vectors]
        self.collection.upsert(
            ids=[c.id for c in chunks],
            embeddings=[_unit(v) for v in centroids],
            documents=[c.text for c in chunks],
            metadatas=[_metadata(c) for c in chunks],
        )

    def _delete(self, ids: list[str], batch: int = 500) -> None:
        ids = list(ids)
        for start in range(0, len(ids), batch):
            self.collection.delete(ids=ids[start : start + batch])
            self.sentences.delete(where={"chunk": {"$in": ids[start : start + batch]}})

    def _sweep_orphans(self) -> None:
        """Drop chunks and sentences written by a run that was killed before its manifest entry was saved."""
        owned = {chunk_id for entry in self.sources.values() for chunk_id in entry["chunks"]}
        stored = {i for page in pages(self.collection, include=[]) for i in page["ids"]}
        self._delete(sorted(stored - owned))
        stray = [i for page in pages(self.sentences, include=[]) for i in page["ids"]
                 if i.rsplit("-", 1)[0] not in owned]
        for start in range(0, len(stray), 5000):
            self.sentences.delete(ids=stray[start : start + 5000])

    def _fingerprint(self) -> str:
        if self._chunk_set is None:
            ids = sorted(chunk_id for entry in self.sources.values() for chunk_id in entry["chunks"])
            self._chunk_set = hashlib.sha256("\n".join(ids).encode()).hexdigest()
        return self._chunk_set

    @property
    def bm25(self) -> FrenchBM25:
        return self.refresh_bm25()

    def refresh_bm25(self) -> FrenchBM25:
        """The BM25 index, rebuilt from the stored chunks only when they changed since it was saved."""
        fingerprint = self._fingerprint()
        if self._bm25 is None or self._bm25.fingerprint != fingerprint:
            folder = self.folder / "bm25"
            saved = FrenchBM25.load(folder)
            if saved is None or saved.fingerprint != fingerprint:
                saved = FrenchBM25.build(self.all_chunks(), fingerprint)
                saved.save(folder)
            self._bm25 = saved
        return self._bm25

    def all_chunks(self) -> list[Chunk]:
        return [
            _chunk(i, d, m)
            for got in pages(self.collection, include=["documents", "metadatas"])
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])
        ]

    def get_chunks(self, ids: list[str]) -> dict[str, Chunk]:
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["documents", "metadatas"])
        return {i: _chunk(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])}

    def dense_search(
        self, vector: list[float], n: int, *, include_comments: bool = True, sources: list[str] | None = None
    ) -> list[tuple[Chunk, float]]:
        """The ``n`` chunks holding the nearest sentences, each with its best sentence's cosine similarity.

        Chroma answers any metadata filter by first listing every matching row from SQLite
        (at 10k chunks, 47 ms instead of 5 ms), so reader comments are dropped from an unfiltered
        list twice as long, and the filter is used only when that list runs short of ``n``.
        """
        count = self.sentences.count()
        if count == 0:
            return []
        wanted = SENTENCES_PER_CHUNK * n
        if sources is None:
            asked = min((1 if include_comments else 2) * wanted, count)
            best = self._nearest_chunks(vector, asked, None, None if include_comments else COMMENT)
            if len(best) >= n or asked == count:
                return self._with_chunks(best[:n])
        clauses = [] if include_comments else [{"kind": {"$ne": COMMENT}}]
        if sources is not None:
            clauses.append({"source": {"$in": list(sources)}})
        where = {"$and": clauses} if len(clauses) > 1 else clauses[0]
        return self._with_chunks(self._nearest_chunks(vector, min(wanted, count), where, None)[:n])

    def sentence_similarities(self, vector: list[float], chunks: list[Chunk]) -> dict[str, list[float]]:
        """Chunk id -> the cosine similarity of ``vector`` with each of its sentences, in order (~1 ms for
        five chunks): the answer quotes sentences, and their own vectors tell apart two that share words."""
        counts = {chunk.id: len(chunk.sentence_texts) for chunk in chunks}
        ids = [f"{chunk_id}-{n}" for chunk_id, count in counts.items() for n in range(count)]
        if not ids:
            return {}
        got = self.sentences.get(ids=ids, include=["embeddings"])
        query = _unit(np.asarray(vector, dtype=np.float32))
        found = {i: float(_unit(np.asarray(e, dtype=np.float32)) @ query)
                 for i, e in zip(got["ids"], got["embeddings"])}
        floor = min(found.values(), default=0.0)  # a sentence deleted meanwhile counts as the least similar
        return {chunk_id: [found.get(f"{chunk_id}-{n}", floor) for n in range(count)]
                for chunk_id, count in counts.items()}

    def _nearest_chunks(self, vector: list[float], n: int, where: dict | None, skip_kind: str | None):
        """(chunk id, best similarity) for the chunks of the ``n`` nearest sentences, nearest first."""
        got = self.sentences.query(query_embeddings=[vector], n_results=n, where=where,
                                   include=["metadatas", "distances"])
        best: dict[str, float] = {}
        for meta, distance in zip(got["metadatas"][0], got["distances"][0]):
            # meta is None for a sentence another process deleted since this one's vectors were loaded
            if meta is not None and meta["kind"] != skip_kind:
                best.setdefault(meta["chunk"], 1.0 - distance)
        return list(best.items())

    def _with_chunks(self, scored: list[tuple[str, float]]) -> list[tuple[Chunk, float]]:
        chunks = self.get_chunks([chunk_id for chunk_id, _ in scored])
        return [(chunks[chunk_id], similarity) for chunk_id, similarity in scored if chunk_id in chunks]


def _unit(vector: np.ndarray) -> np.ndarray:
    """Served embedders (an OpenAI-compatible server) may not normalise their vectors."""
    return vector / (np.linalg.norm(vector) or 1.0)


def _new_manifest(embedder: BaseEmbedding) -> dict:
    return {"format": FORMAT, "embedder": embedder.model_name, "corpus": None, "sources": {}}


class OutdatedIndex(RagError):
    """Built by an older version: derived data only, so `rag ingest` rebuilds it from the corpus."""


def _migrate(store: Store) -> None:
    """A format-2 folder kept its manifest in a JSON file: move it into the store, vectors untouched."""
    manifest = _load_legacy_manifest(store.folder)
    with store.writing():
        store.connect().write_sources(manifest["sources"])
        store.write_header({key: value for key, value in manifest.items() if key != "sources"} | {"format": FORMAT})
        (store.folder / LEGACY_MANIFEST).unlink()


def _load_legacy_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / LEGACY_MANIFEST).read_text(encoding="utf-8"))
        if isinstance(manifest.get("format"), int) and manifest["format"] < 2:
            raise OutdatedIndex(messages.OUTDATED_INDEX.format(index=folder))
        if manifest.get("format") != 2 or not isinstance(manifest.get("sources"), dict) or not _well_formed(
            {**manifest, "format": FORMAT}
        ):
            raise ValueError("format de manifeste inattendu")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RagError(messages.CORRUPTED_INDEX.format(index=folder, reason=exc)) from exc
    return manifest


def _well_formed(manifest: dict) -> bool:
    return manifest.get("format") == FORMAT and isinstance(manifest.get("embedder"), str)


def _metadata(chunk: Chunk) -> dict:
    meta = {"source": chunk.source, "start": chunk.start, "end": chunk.end, "title": chunk.title, "kind": chunk.kind}
    if chunk.date:
        meta["date"] = chunk.date
    return meta


def _chunk(chunk_id: str, text: str, meta: dict) -> Chunk:
    return Chunk(
        id=chunk_id,
        source=meta["source"],
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
        title=meta["title"],
        kind=meta["kind"],
        date=meta.get("date"),
    )

