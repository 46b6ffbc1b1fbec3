import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch, tmp_path_factory):
    """Tests never read the developer's rag.toml or RAG_* variables."""
    for name in list(os.environ):
        if name.startswith("RAG_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RAG_CONFIG", str(tmp_path_factory.getbasetemp() / "absent.toml"))
    monkeypatch.setenv("RAG_GENERATOR", "extractive")  # tests of the local model ask for it by name


@pytest.fixture(scope="session")
def shipped_index(tmp_path_factory):
    """The shipped corpus indexed once with the default embedder, shared read-only by tests."""
    from rag import Assistant

    corpus = tmp_path_factory.mktemp("corpus")
    for path in CORPUS.iterdir():
        shutil.copy2(path, corpus / path.name)
    index = tmp_path_factory.mktemp("index") / "idx"
    assistant = Assistant.open(index, create=True, generator="extractive")
    report = assistant.ingest(corpus)
    assert len(report.added) == 5 and not report.failed
    return assistant


@pytest.fixture()
def assistant(shipped_index):
    return shipped_index


@pytest.fixture()
def small_corpus(tmp_path):
    """A three-file corpus small enough to re-index many times."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "paris.txt").write_text(
        "Le marché de Rungis\n\nLe marché de Rungis ouvre à quatre heures du matin. "
        "Les grossistes y vendent des fruits et des légumes venus de toute la France.\n",
        encoding="utf-8",
    )
    (folder / "volcans.md").write_text(
        "# Les volcans d'Auvergne\n\nLe puy de Dôme culmine à 1 465 mètres. "
        "La chaîne des Puys compte environ quatre-vingts volcans endormis.\n",
        encoding="utf-8",
    )
    (folder / "fromage.txt").write_text(
        "Le comté, fromage du Jura\n\nLe comté est affiné pendant au moins quatre mois dans des caves. "
        "Il faut environ 450 litres de lait pour fabriquer une meule.\n",
        encoding="utf-8",
    )
    return folder
