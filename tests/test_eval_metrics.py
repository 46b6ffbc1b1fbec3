"""The eval suite's metric code on tiny cases computed by hand (no model, no index: fast)."""
import json
import math

import pytest

from eval import metrics as M
from eval.dataset import DatasetError, load_dataset


# ---------------------------------------------------------------- retrieval

def test_hit_at_k():
    relevant = [False, False, True, False]
    assert M.hit_at_k(relevant, 1) == 0.0
    assert M.hit_at_k(relevant, 2) == 0.0
    assert M.hit_at_k(relevant, 3) == 1.0
    assert M.hit_at_k(relevant, 10) == 1.0
    assert M.hit_at_k([], 5) == 0.0


def test_mrr_at_k():
    assert M.mrr_at_k([False, True, True], 10) == 0.5
    assert M.mrr_at_k([True], 10) == 1.0
    assert M.mrr_at_k([False, False, False, True], 3) == 0.0  # beyond the cut-off
    assert M.mrr_at_k([False, False, False, True], 4) == 0.25


def test_ndcg_at_k():
    # one relevant passage at rank 2: DCG = 1/log2(3); ideal (it first) = 1
    assert M.ndcg_at_k([False, True, False], 3) == pytest.approx(1 / math.log2(3))
    assert M.ndcg_at_k([True, False], 2) == 1.0
    assert M.ndcg_at_k([False, False], 2) == 0.0
    # ranks 1 and 3 relevant, 3 relevant in the whole index: DCG = 1 + 1/2 ; IDCG = 1 + 1/log2(3) + 1/2
    expected = (1 + 0.5) / (1 + 1 / math.log2(3) + 0.5)
    assert M.ndcg_at_k([True, False, True], 3, n_relevant=3) == pytest.approx(expected)


# ---------------------------------------------------------------- answers

def test_french_normalisation():
    assert M.normalize_tokens("L'armée de l'Élysée !") == ["armee", "elysee"]
    assert M.normalize_tokens("Qu'il aille au marché, jusqu'à Noël") == ["il", "aille", "marche", "a", "noel"]
    assert M.normalize_tokens("Les DEUX présidents") == ["deux", "presidents"]


def test_token_f1():
    assert M.token_f1("Le 26 novembre", "le jeudi 26 novembre") == pytest.approx(0.8)  # P=1, R=2/3
    assert M.token_f1("L'Élysée", "elysee") == 1.0
    assert M.token_f1("Moscou", "Paris") == 0.0
    assert M.token_f1("", "") == 1.0
    assert M.token_f1("", "Paris") == 0.0
    # repeated tokens count once per occurrence: pred {a:2}, gold {a:1, b:1} -> common 1, P=1/2, R=1/2
    assert M.token_f1("mot mot", "mot autre") == pytest.approx(0.5)


def test_fact_containment():
    assert M.contains_fact("La conférence commence à 18 heures 45.", "18h45|18 heures 45")
    assert M.contains_fact("Il s'agit de l'armée syrienne.", "armée syrienne")
    assert not M.contains_fact("Il s'agit de l'armée russe, syrienne aussi.", "armée syrienne")  # not contiguous
    assert not M.contains_fact("130 morts", "13")  # whole tokens only
    assert M.fact_recall("Londres et Washington", ["Londres", "Washington", "Berlin"]) == pytest.approx(2 / 3)
    assert M.fact_recall("n'importe quoi", []) == 1.0


# ---------------------------------------------------------------- refusals, citations, faithfulness

def test_refusal_metrics():
    answerable = [True, True, True, False, False]
    answered = [True, False, True, False, True]
    got = M.refusal_metrics(answerable, answered)
    assert got["refusal_accuracy"] == 0.5  # 1 of 2 unanswerable refused
    assert got["false_refusal_rate"] == pytest.approx(1 / 3)  # 1 of 3 answerable refused
    assert got["decision_accuracy"] == pytest.approx(3 / 5)
    assert M.refusal_metrics([True], [True])["refusal_accuracy"] is None
    with pytest.raises(ValueError):
        M.refusal_metrics([True], [])


def test_citation_precision_recall():
    precision, recall = M.citation_precision_recall(["a.txt", "b.txt", "a.txt"], ["a.txt", "c.txt"])
    assert precision == pytest.approx(2 / 3)
    assert recall == 0.5
    assert M.citation_precision_recall([], ["a.txt"]) == (None, 0.0)
    assert M.citation_precision_recall(["a.txt"], []) == (0.0, None)


def test_faithfulness_with_pluggable_judge():
    judge = lambda sentence, passage: 1.0 if sentence in passage else 0.2  # noqa: E731
    sentences = [
        ("Paris", ["Il pleut à Paris."]),
        ("Lyon", ["Il pleut à Paris.", "Lyon est au sud."]),  # best cited passage counts
        ("Nice", ["Il pleut à Paris."]),
        ("Brest", []),  # cites nothing: unsupported
    ]
    share, scores = M.faithfulness(sentences, judge)
    assert scores == [1.0, 1.0, 0.2, 0.0]
    assert share == 0.5
    assert M.faithfulness([], judge) == (None, [])


def test_faithfulness_scores_what_the_user_reads_not_what_the_check_removed():
    """A sentence the support check removed is not in the answer: counted as removed, not as unfaithful."""
    from eval.dataset import GoldItem
    from eval.suite import _score_answer, summarize_answers
    from rag.citations import Answer, AnswerSentence, Citation

    passage = "La Turquie a abattu un avion militaire russe mardi."
    answer = Answer(
        "Qui a abattu l'avion ?", "La Turquie a abattu l'avion. [1]", True,
        [Citation(1, "a.txt", "A", 0, len(passage), passage, 1.0)],
        [AnswerSentence("La Turquie a abattu l'avion.", [1], 0.9, True),
         AnswerSentence("Moscou a riposté.", [], 0.05, False)],
        timings={"total_ms": 10.0, "first_token_ms": 5.0},
    )
    item = GoldItem(id="q", question=answer.question, answer="La Turquie.", answerable=True, sources=["a.txt"])
    judge = lambda sentence, text: 1.0 if "Turquie" in sentence else 0.0  # noqa: E731
    row = _score_answer(item, answer, judge, 0.5)
    assert row["faithfulness"] == 1.0 and row["drafted"] == 2 and row["removed_by_check"] == 1
    summary = summarize_answers([row])
    assert summary["faithfulness"] == 1.0 and summary["sentences"] == 1 and summary["check_removed"] == 0.5


def test_lexical_judge_vetoes():
    from eval.judge import lexical_judge

    passage = "L'attentat a tué les 224 personnes à bord. Moscou ne fera pas la guerre à la Turquie."
    assert lexical_judge("L'attentat a tué les 224 personnes à bord.", passage) == 1.0
    assert lexical_judge("L'attentat a tué 130 personnes.", passage) <= 0.2
    assert lexical_judge("Moscou fera la guerre à la Turquie.", passage) <= 0.3


def test_model_judge_scores_are_cached_by_content(tmp_path):
    """A re-run asks the model only about pairs it has not judged; a new model or prompt asks again."""
    from eval.judge import CachedJudge

    calls = []

    def judge(sentence, passage):
        calls.append(sentence)
        return 0.75

    path = tmp_path / "judge" / "local.jsonl"
    first = CachedJudge(judge, "qwen|prompt v1", path)
    assert first("Il pleut.", "Il pleut à Paris.") == 0.75
    assert first("Il pleut.", "Il pleut à Paris.") == 0.75
    with path.open("a", encoding="utf-8") as f:
        f.write('{"key": "cut by an interrupt')  # an interrupted run leaves half a line
    again = CachedJudge(judge, "qwen|prompt v1", path)
    assert again("Il pleut.", "Il pleut à Paris.") == 0.75
    assert calls == ["Il pleut."]
    assert again("Il pleut.", "Il neige à Lyon.") == 0.75  # another passage: judged
    CachedJudge(judge, "qwen|prompt v2", path)("Il pleut.", "Il pleut à Paris.")
    assert len(calls) == 3


def test_eval_threshold_decides_what_counts_as_supported(shipped_index, tmp_path, capsys):
    """`rag eval --threshold` reaches both the judge's calibration and the faithfulness numbers."""
    import json

    from eval.cli import main

    rows = [
        {"id": "q1", "question": "Combien de morts ont fait les attentats du 13 novembre à Paris ?",
         "answer": "130 morts.", "answerable": True, "facts": ["130"]},
        {"id": "q2", "question": "Quel pays a abattu un avion militaire russe ?", "answer": "La Turquie.",
         "answerable": True, "facts": ["Turquie"]},
    ]
    dataset = _write(tmp_path, rows)

    def faithfulness(threshold):
        code = main(["eval", "--index", str(shipped_index.index.folder), "--dataset", str(dataset), "--judge", "lexical",
                     "--threshold", str(threshold), "--no-baseline", "--json", "--no-progress", "--cache", str(tmp_path)])
        assert code == 0
        gold = json.loads(capsys.readouterr().out)["gold"]
        assert gold["judge"]["threshold"] == threshold
        return gold["answers"]["extractive+hybrid"]["faithfulness"], gold["judge"]["true_negative_rate"]

    assert faithfulness(0.0) == (1.0, 0.0)  # every score passes: nothing is unsupported
    strict, rejected = faithfulness(1.01)
    assert strict == 0.0 and rejected == 1.0


# ---------------------------------------------------------------- latency

def test_percentiles():
    assert M.percentile([1, 2, 3, 4], 50) == 2.5
    assert M.percentile([10], 95) == 10
    assert M.percentile(list(range(1, 11)), 95) == pytest.approx(9.55)  # 1 + 0.95 * 9 = 9.55
    assert M.percentile([5, 1, 3], 0) == 1 and M.percentile([5, 1, 3], 100) == 5
    assert M.percentile([], 50) is None
    assert M.latency_summary([100, 200]) == {"p50_ms": 150, "p95_ms": pytest.approx(195), "n": 2}


# ---------------------------------------------------------------- datasets

def _write(tmp_path, rows, raw=None):
    path = tmp_path / "q.jsonl"
    path.write_text(raw if raw is not None else "\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_dataset_loading(tmp_path):
    rows = [
        {"id": "1", "question": "Qui ?", "answer": "Lui.", "sources": ["a.txt"], "answerable": True},
        {"id": "2", "question": "Et elle ?", "answerable": False,
         "history": [{"role": "user", "content": "Qui ?"}, {"role": "assistant", "content": "Lui."}]},
    ]
    items = load_dataset(_write(tmp_path, rows))
    assert [i.id for i in items] == ["1", "2"]
    assert items[0].gold_facts == ["Lui."] and items[1].history[1]["role"] == "assistant"
    assert items[1].answer == "" and items[1].sources == []


@pytest.mark.parametrize(
    "row, message",
    [
        ({"question": "Qui ?", "answerable": False}, "manquant"),
        ({"id": "1", "question": "", "answerable": False}, "question"),
        ({"id": "1", "question": "Qui ?", "answerable": "oui"}, "answerable"),
        ({"id": "1", "question": "Qui ?", "answerable": True}, "answer"),
        ({"id": "1", "question": "Qui ?", "answerable": False, "sources": "a.txt"}, "sources"),
        ({"id": "1", "question": "Qui ?", "answerable": False, "history": [{"role": "bot", "content": "x"}]}, "history"),
        ({"id": "1", "question": "Qui ?", "answerable": False, "reponse": "x"}, "inconnu"),
    ],
)
def test_dataset_validation_errors(tmp_path, row, message):
    with pytest.raises(DatasetError, match=message) as info:
        load_dataset(_write(tmp_path, [row]))
    assert "ligne 1" in str(info.value)


def test_dataset_syntax_and_duplicates(tmp_path):
    with pytest.raises(DatasetError, match="ligne 2 : JSON invalide"):
        load_dataset(_write(tmp_path, None, raw='{"id": "1", "question": "Q ?", "answerable": false}\n{oups\n'))
    row = {"id": "1", "question": "Q ?", "answerable": False}
    with pytest.raises(DatasetError, match="en double"):
        load_dataset(_write(tmp_path, [row, row]))
    with pytest.raises(DatasetError, match="introuvable"):
        load_dataset(tmp_path / "absent.jsonl")


def test_shipped_gold_set_is_valid():
    from eval.dataset import DEFAULT_DATASET

    items = load_dataset(DEFAULT_DATASET)
    assert len(items) >= 60
    assert sum(not i.answerable for i in items) >= 12
    assert sum(bool(i.history) for i in items) >= 8
    assert len({s for i in items for s in i.sources}) == 5


def test_eval_without_its_judge_model_says_how_to_run_without_one(shipped_index, tmp_path, capsys):
    from eval.cli import main

    code = main(["eval", "--index", str(shipped_index.index.folder), "--judge", "local:modele-absent",
                 "--no-baseline", "--no-progress", "--cache", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "modele-absent" in err and "--judge lexical" in err and "Traceback" not in err


@pytest.mark.parametrize("command", [["bench"], ["eval", "--piaf", "--no-gold"]])
def test_missing_piaf_file_is_a_french_error_not_a_traceback(tmp_path, capsys, command):
    from eval.cli import main

    absent = tmp_path / "piaf-absent.json"
    assert main([*command, "--piaf-path", str(absent), "--cache", str(tmp_path), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "fichier PIAF introuvable" in err and "--piaf-path" in err
