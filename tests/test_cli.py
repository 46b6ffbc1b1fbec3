import json
import subprocess
import sys

import pytest

from rag import messages


def rag(*args, input_text=None):
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *map(str, args)], capture_output=True, text=True, input=input_text
    )


@pytest.fixture(scope="module")
def index_dir(shipped_index):
    return shipped_index.settings.index_dir


def test_ask_json_follows_the_contract(index_dir):
    result = rag("ask", "Qu'ont", "convenu", "Hollande", "et", "Poutine", "?", "--json", "--index", index_dir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    answer = json.loads(lines[0])
    assert answer["question"] == "Qu'ont convenu Hollande et Poutine ?"
    assert answer["answered"] is True
    assert {"answer", "citations", "timings"} <= set(answer)
    for c in answer["citations"]:
        assert {"n", "source", "title", "start", "end", "text", "score"} <= set(c)
        assert "/" not in c["source"] and c["source"].endswith(".txt")


def test_search_and_ask_take_a_file_of_questions(index_dir, tmp_path):
    questions = tmp_path / "questions.txt"
    questions.write_text(
        "Qu'ont convenu Hollande et Poutine ?\n\nQuelle est la recette de la tarte Tatin ?\n", encoding="utf-8"
    )
    asked = rag("ask", "--file", questions, "--json", "--index", index_dir)
    assert asked.returncode == 0, asked.stderr
    answers = [json.loads(line) for line in asked.stdout.splitlines()]
    assert [a["answered"] for a in answers] == [True, False]
    assert answers[1]["answer"] == messages.REFUSAL

    searched = rag("search", "--file", questions, "--json", "--k", "3", "--index", index_dir)
    results = [json.loads(line) for line in searched.stdout.splitlines()]
    assert [len(r["results"]) for r in results] == [3, 3]
    assert [r["n"] for r in results[0]["results"]] == [1, 2, 3]


def test_human_output_lists_sources(index_dir):
    result = rag("ask", "Qui a abattu l'avion militaire russe ?", "--index", index_dir)
    assert result.returncode == 0
    assert "Sources :" in result.stdout and "[1]" in result.stdout and "Turquie" in result.stdout


@pytest.mark.parametrize(
    "args, words",
    [
        (["ask", "   "], "vide"),
        (["ask", "x" * 20000], "20000 caractères"),
        (["ask", "What did Hollande and Putin agree on?"], "français"),
        (["search", ""], "vide"),
        (["ask", "Qui a abattu l'avion ?", "--generator", "local:gpt-5"], "qwen2.5-coder-0.5b"),
        (["ask", "Qui a abattu l'avion ?", "--generator", "gpt"], "extractive"),
    ],
)
def test_bad_questions_exit_non_zero_without_traceback(index_dir, args, words):
    result = rag(*args, "--index", index_dir)
    assert result.returncode != 0
    assert words in result.stderr and "Traceback" not in result.stderr


def test_missing_corpus_and_non_index_folders_exit_non_zero_without_traceback(tmp_path):
    missing = rag("ingest", tmp_path / "absent", "--index", tmp_path / "idx")
    assert missing.returncode != 0 and "n'existe pas" in missing.stderr and "Traceback" not in missing.stderr
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("x", encoding="utf-8")
    not_index = rag("ask", "Qui ?", "--index", tmp_path / "notes")
    assert not_index.returncode != 0 and "n'est pas un index" in not_index.stderr
    no_index = rag("search", "Qui ?", "--index", tmp_path / "nothing")
    assert no_index.returncode != 0 and "rag ingest" in no_index.stderr and "Traceback" not in no_index.stderr


def test_index_folder_can_come_from_the_environment(index_dir):
    import os

    env = {**os.environ, "RAG_INDEX_DIR": str(index_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "rag.cli", "search", "Charles-de-Gaulle", "--json"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["results"]
