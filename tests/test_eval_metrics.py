"""The eval suite's metric code on tiny cases computed by hand (no model, no index: fast)."""
import json
import math
from pathlib import Path

import pytest

from eval import metrics as M
from eval.dataset import DatasetError, load_dataset
from rag import RagError


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


def test_cross_validation_scores_each_fold_with_a_setting_chosen_on_the_other_folds():
    """Setting "a" wins folds 0 and 1 and loses fold 2 by a little; "b" wins only fold 2. Fold 2 must be
    scored with "a" (chosen on folds 0-1), and folds 0 and 1 with what the two others prefer."""
    from eval.suite import held_out_choice

    def row(mrr):
        return {"hit@1": float(mrr == 1.0), "hit@5": 1.0, "mrr@10": mrr}

    fold = [0, 0, 1, 1, 2, 2]
    by_setting = {"a": [row(1.0), row(1.0), row(1.0), row(1.0), row(0.5), row(0.5)],
                  "b": [row(0.5), row(0.5), row(0.5), row(0.5), row(1.0), row(1.0)]}
    baseline = [row(0.5)] * 6
    result = held_out_choice(by_setting, fold, 3, baseline)
    assert [f["weight"] for f in result["folds"]] == ["a", "a", "a"]
    assert [f["ours_mrr@10"] for f in result["folds"]] == [1.0, 1.0, 0.5]
    assert [f["rrf_plain_mrr@10"] for f in result["folds"]] == [0.5, 0.5, 0.5]
    assert result["held_out"]["n"] == 6 and result["held_out"]["mrr@10"] == pytest.approx(5 / 6)
    assert result["by_weight"]["b"]["mrr@10"] == pytest.approx(4 / 6)  # b's best folds never count as held out
    assert result["baseline"]["mrr@10"] == 0.5


def test_plain_fusion_sums_reciprocal_ranks_of_whole_documents():
    from eval.systems import Hit, PlainFusion

    class Dense:
        def search(self, question, k):
            return [Hit("b.txt", "", 0.9), Hit("c.txt", "", 0.8), Hit("a.txt", "", 0.7)][:k]

    documents = [("a.txt", "Le comté est affiné huit mois."), ("b.txt", "La tour Eiffel mesure 330 mètres."),
                 ("c.txt", "Le comté se mange avec du pain.")]
    hits = PlainFusion(Dense(), documents).search("Combien de mois le comté est-il affiné ?", 3)
    # a: dense 3rd + BM25 1st = 1/63 + 1/61; c: dense 2nd + BM25 2nd = 2/62; b: dense 1st only = 1/61
    assert [h.source for h in hits] == ["a.txt", "c.txt", "b.txt"]
    assert hits[0].score == pytest.approx(1 / 63 + 1 / 61) and hits[2].score == pytest.approx(1 / 61)
    assert hits[0].text == documents[0][1]


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


def test_wrong_answers_and_crag_score():
    # (answerable, answered, fact recall): correct, wrong, refused, partial, unanswerable answered, refused
    rows = [(True, True, 1.0), (True, True, 0.0), (True, False, 0.0), (True, True, 1 / 3), (False, True, None),
            (False, False, None)]
    assert [M.is_wrong(*r) for r in rows] == [False, True, False, False, True, False]
    assert [M.crag_score(*r) for r in rows] == [1, -1, 0, 0, -1, 0]
    assert M.crag_score(True, True, 0.5) == 1  # half the facts is enough to count as correct
    got = M.wrong_answer_metrics(*zip(*rows))
    assert got["wrong_rate"] == pytest.approx(2 / 6)  # denominator: every question
    assert got["wrong_rate_answerable"] == pytest.approx(1 / 4)  # only the 4 answerable ones
    assert got["crag_score"] == pytest.approx(-1 / 6)
    assert M.wrong_answer_metrics([False], [False], [None])["wrong_rate_answerable"] is None
    with pytest.raises(ValueError):
        M.wrong_answer_metrics([True], [True], [])


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

    previous = tmp_path / "avant.json"
    assert main(["eval", "--index", str(shipped_index.index.folder), "--dataset", str(dataset), "--judge", "lexical",
                 "--threshold", "0", "--no-baseline", "--json", "--no-progress", "--cache", str(tmp_path)]) == 0
    previous.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["eval", "--index", str(shipped_index.index.folder), "--dataset", str(dataset), "--judge", "lexical",
                 "--threshold", "1.01", "--no-baseline", "--no-progress", "--cache", str(tmp_path),
                 "--compare", str(previous)]) == 0
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if row.startswith("gold.answers.extractive+hybrid.faithfulness"))
    assert line.split()[1:] == ["1,000", "0,000", "-1.000", "▼", "pire"]
    assert not any("hit@1" in row and "▼" in row for row in out.splitlines())  # retrieval did not change
    assert not any("per_kind" in row and "▼" in row for row in out.splitlines() if "wrong" in row)
    kinds = next(row for row in out.splitlines() if "par type de paire" in row)
    assert "mauvais nombre 100 %" in kinds and "mot pour mot 0 %" in kinds  # at 1.01 the judge rejects every pair


def test_compare_marks_what_got_worse_on_hand_computed_runs(tmp_path):
    from eval.compare import compare, load_run, render

    previous = {"gold": {"retrieval": [{"label": "hybride (nous)", "hit@1": 0.90, "p50_ms": 12.0, "n": 54}],
                         "judge": {"per_kind": {"wrong_person": 0.6}},
                         "answers": {"extractive": {"fact_recall": 0.70, "wrong_rate": 0.10, "answered": True}}}}
    current = {"gold": {"retrieval": [{"label": "hybride (nous)", "hit@1": 0.85, "p50_ms": 9.0, "n": 60}],
                        "judge": {"per_kind": {"wrong_person": 0.4}},
                        "answers": {"extractive": {"fact_recall": 0.75, "wrong_rate": 0.20, "answered": False}},
                        "piaf": {"hit@5": 0.9}}}
    rows = {r["metric"]: r for r in compare(previous, current)}
    assert set(rows) == {"gold.retrieval[hybride (nous)].hit@1", "gold.retrieval[hybride (nous)].p50_ms",
                         "gold.answers.extractive.fact_recall", "gold.answers.extractive.wrong_rate",
                         "gold.judge.per_kind.wrong_person"}
    worse = {metric for metric, r in rows.items() if r["worse"]}
    assert worse == {"gold.retrieval[hybride (nous)].hit@1", "gold.answers.extractive.wrong_rate",
                     "gold.judge.per_kind.wrong_person"}  # the judge got worse at catching the wrong person
    assert rows["gold.retrieval[hybride (nous)].p50_ms"]["change"] == -3.0
    assert round(rows["gold.answers.extractive.wrong_rate"]["change"], 6) == 0.1
    text = render(list(rows.values()), tmp_path / "avant.json")
    assert "5 métrique(s) changée(s) sur 5, 3 moins bonne(s)" in text and text.count("▼ pire") == 3
    slower = compare({"a": {"p50_ms": 100.0}}, {"a": {"p50_ms": 105.0}})  # within the timing noise
    assert not slower[0]["worse"] and compare({"a": {"p50_ms": 100.0}}, {"a": {"p50_ms": 120.0}})[0]["worse"]

    broken = tmp_path / "casse.json"
    broken.write_text("pas du json", encoding="utf-8")
    with pytest.raises(RagError, match="rag eval … --json"):
        load_run(broken)


def test_several_datasets_are_evaluated_one_after_another(shipped_index, tmp_path, capsys, monkeypatch):
    """Each file gets its own run and table, named after it; the new answer metrics are printed."""
    from eval.cli import main

    monkeypatch.setenv("RAG_GENERATOR", "quote")  # what a user gets from rag ask

    one = tmp_path / "un.jsonl"
    one.write_text(json.dumps({"id": "q1", "question": "Quel pays a abattu un avion militaire russe ?",
                               "answer": "La Turquie.", "answerable": True, "facts": ["Turquie"]}), encoding="utf-8")
    two = tmp_path / "deux.jsonl"
    two.write_text(json.dumps({"id": "u1", "question": "Quel est le prix du pain à Lyon ?", "answerable": False}),
                   encoding="utf-8")
    common = ["eval", "--index", str(shipped_index.index.folder), "--judge", "lexical", "--no-baseline", "--no-progress",
              "--cache", str(tmp_path), "--dataset", f"{one},{two}"]
    assert main([*common, "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)["gold"]
    # by default, the configured answer (quote, the model deciding) beside the model-free reference
    assert list(runs[0]["answers"]) == ["quote+hybrid", "extractive+hybrid", "extractive+dense"]
    assert runs[0]["answers"]["quote+hybrid"]["fact_recall"] == 1.0  # « la Turquie », quoted
    assert [r["dataset"]["path"] for r in runs] == [str(one), str(two)]
    assert [r["dataset"]["n"] for r in runs] == [1, 1]
    answers = runs[1]["answers"]["extractive+hybrid"]
    assert answers["wrong_rate"] == (0.0 if answers["refusal_accuracy"] == 1.0 else 1.0)
    assert main([*common, "--generators", "extractive"]) == 0
    out = capsys.readouterr().out
    assert out.index("Jeu de questions " + str(one)) < out.index("Jeu de questions " + str(two))
    assert "faux (avec réponse)" in out and "score CRAG" in out


def test_dataset_option_accepts_commas_and_repeats(capsys):
    from eval.cli import _parser, dataset_paths, main

    args = _parser().parse_args(["eval", "--dataset", "a.jsonl,b.jsonl", "--dataset", " c.jsonl,"])
    assert dataset_paths(args.dataset) == [Path("a.jsonl"), Path("b.jsonl"), Path("c.jsonl")]
    assert dataset_paths(_parser().parse_args(["eval"]).dataset) == []  # the shipped set then
    assert main(["eval", "--no-gold", "--piaf-answerability", "5"]) == 2
    assert "--piaf" in capsys.readouterr().err


# ---------------------------------------------------------------- PIAF answerability

def _row(answerable, answered, contains_gold, cites_paragraph=False):
    return {"answerable": answerable, "answered": answered, "contains_gold": contains_gold,
            "cites_paragraph": cites_paragraph}


def test_piaf_answerability_summary():
    from eval.suite import summarize_answerability

    rows = [
        _row(True, True, True, True),  # correct
        _row(True, False, False),  # refused although its paragraph is there
        _row(True, True, False),  # answered without the gold answer: wrong
        _row(True, True, True, True),
        _row(False, False, False),  # refused: right
        _row(False, True, True),  # answered from another paragraph of the article: still counted wrong
        _row(False, True, False),
        _row(False, False, False),
    ]
    got = summarize_answerability(rows)
    assert got["n"] == 4
    assert got["answerable_refused"] == 0.25 and got["unanswerable_refused"] == 0.5
    assert got["decision_accuracy"] == pytest.approx(5 / 8)
    assert got["contains_gold"] == 0.5 and got["cites_paragraph"] == 0.5
    assert got["wrong_answerable"] == 0.25 and got["wrong_unanswerable"] == 0.5
    assert got["unanswerable_contains_gold"] == 0.25
    assert got["crag_score"] == pytest.approx((1 + 0 - 1 + 1 + 0 - 1 - 1 + 0) / 8)


def test_piaf_unanswerable_run_leaves_out_only_the_question_paragraph():
    """The second ask searches every indexed paragraph but the question's own."""
    from types import SimpleNamespace

    from eval.piaf import PiafQuestion
    from eval.suite import piaf_answerability_rows
    from rag.citations import Answer, Citation

    asked = []

    class Stub:
        index = SimpleNamespace(sources={"a.html": {}, "b.html": {}, "c.html": {}})

        def retrieve(self, question, sources=None):
            dense = 0.9 if sources is None or "b.html" in sources else 0.7
            return SimpleNamespace(passages=[SimpleNamespace(dense=dense), SimpleNamespace(dense=None)])

        def ask(self, question, generator=None, sources=None):
            asked.append(sources)
            if sources is None or "b.html" in sources:
                return Answer(question, "En 1905. [1]", True, [Citation(1, "b.html", "T", 0, 8, "En 1905.", 1.0)])
            return Answer.refusal(question)

    rows = piaf_answerability_rows(Stub(), [PiafQuestion("q", "Quand ?", ["1905"], "b.html")], progress=False)
    assert asked == [None, ["a.html", "c.html"]]
    keys = ("answerable", "answered", "contains_gold", "cites_paragraph", "best_dense")
    assert [tuple(r[k] for k in keys) for r in rows] == [(True, True, True, True, 0.9), (False, False, False, False, 0.7)]


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
