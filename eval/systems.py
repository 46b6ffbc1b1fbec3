"""The retrieval configurations compared side by side, including the plain llama-index baseline.

A *system* is anything with ``name``, ``label`` and ``search(question, k) -> list[Hit]``.
Configurations are a list (`retrieval_systems`), so new ones (another embedder, a re-ranker)
are one more entry.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

CACHE_DIR = Path(os.environ.get("RAG_EVAL_CACHE", ".rag-eval"))


@dataclass
class Hit:
    """One retrieved passage, whatever system found it."""

    source: str
    text: str
    score: float
    kind: str = "body"


class PipelineSystem:
    """Our retriever (rag.retrieval.HybridRetriever) in one of its modes, over an Assistant's index."""

    def __init__(self, assistant, mode: str = "hybrid", name: str | None = None, label: str | None = None,
                 **retriever_options) -> None:
        """``retriever_options`` override `HybridRetriever`'s settings (rrf_k, dense_weight, bm25…)."""
        from rag.retrieval import HybridRetriever

        self.assistant = assistant
        self.mode = mode
        self.name = name or mode
        self.label = label or {"hybrid": "hybride (nous)", "dense": "dense seul", "bm25": "BM25 seul"}[mode]
        self.retriever = HybridRetriever.from_settings(assistant.index, assistant.settings, mode=mode,
                                                       **retriever_options)

    def search(self, question: str, k: int) -> list[Hit]:
        retrieval = self.retriever.retrieve(question.strip(), k)
        return [Hit(p.chunk.source, p.chunk.text, float(p.score), p.chunk.kind) for p in retrieval.passages]


class LlamaIndexBaseline:
    """The plain llama-index way: default VectorStoreIndex over a Chroma collection, same embedder.

    Default SentenceSplitter (1024 "tokens", overlap 200) over the raw files: no cleaning (reader
    comments, captions and boilerplate included), no titles added, no BM25, top-k cosine similarity.
    The only deviation from the defaults: the splitter counts whitespace words (``str.split``)
    because llama-index's default tokenizer (tiktoken) downloads its vocabulary and fails offline.
    """

    name = "llamaindex"
    label = "llama-index de base"

    def __init__(self, folder: Path, documents_fn, embedder, fingerprint: str, progress: bool = True) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from llama_index.core import Settings as LISettings
        from llama_index.core import StorageContext, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.vector_stores.chroma import ChromaVectorStore

        LISettings.tokenizer = str.split  # offline: no tiktoken download
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(folder / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
        stamp = folder / "fingerprint.json"
        built = stamp.exists() and json.loads(stamp.read_text())["fingerprint"] == fingerprint
        if not built:
            try:
                client.delete_collection("baseline")
            except Exception:  # noqa: BLE001 - absent collection
                pass
        collection = client.get_or_create_collection("baseline")
        store = ChromaVectorStore(chroma_collection=collection)
        if built and collection.count() > 0:
            self.index = VectorStoreIndex.from_vector_store(store, embed_model=embedder)
        else:
            self.index = VectorStoreIndex.from_documents(
                documents_fn(),
                storage_context=StorageContext.from_defaults(vector_store=store),
                embed_model=embedder,
                transformations=[SentenceSplitter(tokenizer=str.split)],
                show_progress=progress,
            )
            stamp.write_text(json.dumps({"fingerprint": fingerprint}))
        self.count = collection.count()

    def search(self, question: str, k: int) -> list[Hit]:
        nodes = self.index.as_retriever(similarity_top_k=k).retrieve(question)
        return [
            Hit(n.node.metadata.get("file_name", ""), n.node.get_content(), float(n.score or 0.0), "body")
            for n in nodes
        ]


class PlainFusion:
    """The textbook hybrid: RRF (k=60, equal weights) of a dense system and French BM25 over the same
    whole documents (the llama-index baseline's vectors), no chunking, titles in both texts. It is the
    bar our retrieval must clear (issue: plain fusion beat it on unseen PIAF data)."""

    name = "rrf_plain"
    label = "RRF simple, documents entiers"

    def __init__(self, dense, documents: list[tuple[str, str]], depth: int = 100, rrf_k: int = 60) -> None:
        """``documents``: (source, text) pairs, the text as both retrievers see it (title included)."""
        from rag.bm25 import FrenchBM25
        from rag.chunking import Chunk

        self.dense, self.depth, self.rrf_k = dense, depth, rrf_k
        self.texts = dict(documents)
        self.bm25 = FrenchBM25.build([Chunk(s, s, 0, len(t), t, "", "body") for s, t in documents], "plain",
                                     with_titles=False)

    def search(self, question: str, k: int) -> list[Hit]:
        import numpy as np

        from rag.french import terms

        fused: dict[str, float] = {}
        dense = list(dict.fromkeys(h.source for h in self.dense.search(question, self.depth)))
        scores = self.bm25.scores(terms(question))
        keyword = [self.bm25.ids[p] for p in np.argsort(-scores, kind="stable")[: self.depth] if scores[p] > 0]
        for ranking in (dense, keyword):
            for rank, source in enumerate(ranking, start=1):
                fused[source] = fused.get(source, 0.0) + 1.0 / (self.rrf_k + rank)
        best = sorted(fused, key=lambda s: -fused[s])[:k]
        return [Hit(s, self.texts[s], fused[s]) for s in best]


def folder_fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def folder_baseline(corpus: Path, cache: Path, embedder, progress: bool = True) -> LlamaIndexBaseline:
    """The baseline over a folder of files, read by SimpleDirectoryReader as llama-index users do."""

    def documents():
        from llama_index.core import SimpleDirectoryReader

        return SimpleDirectoryReader(str(corpus), filename_as_id=True).load_data()

    return LlamaIndexBaseline(cache, documents, embedder, folder_fingerprint(corpus), progress)


def open_pipeline(index_dir: Path, corpus: Path | None, progress: bool = True, chroma_url: str | None = None,
                  **settings):
    """An Assistant over ``index_dir``, (re)synced with ``corpus`` when given (cheap when unchanged);
    ``settings`` override the configuration (an ablation's chunking). The evaluation's own indexes
    stay embedded whatever RAG_CHROMA_URL says: only a user's ``--index`` may live on a server."""
    from rag import Assistant, Settings

    # extractive: never load a language model just to search; answer configs name their generator
    assistant = Assistant.open(index_dir, settings=Settings(chroma_url=chroma_url, **settings), create=corpus is not None,
                               generator="extractive")
    if corpus is not None:
        report = assistant.ingest(corpus, progress=progress)
        if report.failed:
            log.warning("fichiers refusés : %s", report.failed)
    return assistant


def retrieval_systems(assistant, baseline=None, modes=("hybrid", "dense", "bm25")) -> list:
    systems = [PipelineSystem(assistant, mode) for mode in modes]
    if baseline is not None:
        systems.append(baseline)
    return systems


def ablation_systems(assistant) -> list:
    """What each retrieval choice gains: our hybrid with one setting changed at a time.

    Dense vectors are not recomputed, so "sans titres" removes titles from BM25's text only.
    """
    from rag.bm25 import FrenchBM25

    untitled = FrenchBM25.build(assistant.index.all_chunks(), "sans-titres", with_titles=False)
    lower, higher = (round(assistant.settings.dense_weight + d, 2) for d in (-0.2, 0.2))
    return [
        PipelineSystem(assistant, "hybrid"),
        PipelineSystem(assistant, "hybrid", "untitled", "hybride, BM25 sans titres", bm25=untitled),
        PipelineSystem(assistant, "bm25", "bm25_untitled", "BM25 seul, sans titres", bm25=untitled),
        PipelineSystem(assistant, "hybrid", "rrf60", "hybride, fusion RRF k=60 (au lieu de convexe)", fusion="rrf"),
        PipelineSystem(assistant, "hybrid", "dense_lower", f"hybride, poids dense {lower:g}".replace(".", ","),
                       dense_weight=lower),
        PipelineSystem(assistant, "hybrid", "dense_higher", f"hybride, poids dense {higher:g}".replace(".", ","),
                       dense_weight=higher),
        PipelineSystem(assistant, "hybrid", "candidates100", "hybride, 100 candidats par liste", candidates=100),
        PipelineSystem(assistant, "hybrid", "candidates10", "hybride, 10 candidats par liste", candidates=10),
    ]


def cache_query_embeddings(embedder, queries: list[str], batch: int = 64, progress: bool = True) -> float:
    """Embed every query once, in batches, and make ``embedder`` answer them from that cache.

    All retrieval systems of a run share one embedder, so each question is embedded once for
    all of them, and search latencies compare the systems' own work. Returns the mean
    query-embedding time in ms (batched), to add to the dense and hybrid latencies.
    """
    import numpy as np

    cache = getattr(embedder, "_eval_query_cache", None)
    if cache is None:
        cache = {}
        original = embedder._get_query_embedding

        def cached(query: str):
            vector = cache.get(query) if getattr(embedder, "_eval_cache_on", True) else None
            return vector if vector is not None else original(query)

        object.__setattr__(embedder, "_eval_query_cache", cache)
        object.__setattr__(embedder, "_get_query_embedding", cached)
    use_query_cache(embedder, True)
    todo = list(dict.fromkeys(q for q in queries if q not in cache))
    if not todo:
        return 0.0
    from tqdm import tqdm

    model = getattr(embedder, "_model", None)
    started = time.perf_counter()
    for i in tqdm(range(0, len(todo), batch), desc="Embeddings des questions", disable=not progress, leave=False):
        chunk = todo[i : i + batch]
        if model is not None and hasattr(model, "query"):
            vectors = np.asarray(model.query(chunk)).reshape(len(chunk), -1).tolist()
        else:
            vectors = [embedder.get_query_embedding(q) for q in chunk]
        cache.update(zip(chunk, vectors))
    return (time.perf_counter() - started) * 1000 / len(todo)


def use_query_cache(embedder, on: bool) -> None:
    """Switch the cache of `cache_query_embeddings` on or off (answer latencies are measured without it)."""
    object.__setattr__(embedder, "_eval_cache_on", on)
