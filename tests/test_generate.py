"""`rag eval generate`: the checks that drop a bad question (hand-made drafts, no model), then a small
set written by the real local model from the shipped corpus and run by `rag eval`."""
import random

import pytest

from eval.dataset import load_dataset
from eval.generate import Draft, _sentences_by_source, answer_candidates, cause_clause, check, free_answer_facts
from eval.metrics import contains_fact
from rag.chunking import Chunk
from rag.documents import BODY

SENTENCE = ("Le ministre de la Défense, Jean-Yves Le Drian, a annoncé mardi que 130 personnes étaient mortes "
            "à Paris, tandis que l'avion russe avait fait 224 victimes.")


def draft(question, answer="224", facts=None, kind="number"):
    return Draft(kind, "a.txt", "Attentats", SENTENCE, question, answer, facts or [answer])


@pytest.mark.parametrize("question, answer, reason", [
    ("Combien de victimes a fait l'avion russe", "224", "form"),  # no question mark
    ("Combien ?", "224", "form"),
    ("How many people died on the Russian plane?", "224", "foreign"),
    ("Selon l'extrait, combien de victimes a fait l'avion russe ?", "224", "not_standalone"),
    ("D'après le texte, combien de victimes a fait l'avion russe ?", "224", "not_standalone"),
    ("Combien de victimes a fait l'avion russe ?", "225", "answer_missing"),
    ("Pourquoi les 224 victimes de l'avion russe ont-elles compté ?", "224", "answer_in_question"),
    ("Combien de victimes a fait l'avion russe abattu par la Turquie ?", "224", "invented"),
    ("Quel Premier ministre a annoncé le bilan des attentats de Paris ?", "Jean-Yves Le Drian", "invented"),
])
def test_a_bad_question_is_dropped_with_its_reason(question, answer, reason):
    assert check(draft(question, answer), []) == reason


def test_a_good_question_is_kept_once():
    good = draft("Combien de victimes a fait l'avion russe, d'après le ministre de la Défense ?")
    assert check(good, []) is None
    near = draft("D'après le ministre de la Défense, combien de victimes l'avion russe a-t-il fait ?")
    assert check(near, [good]) == "duplicate"
    other = draft("Quel ministre a annoncé le bilan des attentats de Paris ?", "Jean-Yves Le Drian", kind="name")
    assert check(other, [good]) is None


def test_a_paraphrase_may_use_other_words_than_its_sentence():
    paraphrase = draft("Quel est le nombre de passagers tués dans la catastrophe de l'appareil russe ?",
                       kind="paraphrase")
    paraphrase.original = "Combien de victimes a fait l'avion russe, d'après le ministre de la Défense ?"
    assert check(paraphrase, []) is None


def test_an_unanswerable_question_needs_no_answer_but_the_same_form():
    def unanswerable(question):
        return Draft("unanswerable", "a.txt", "Attentats", SENTENCE, question)

    assert check(unanswerable("Combien de blessés l'avion russe a-t-il faits ?"), []) is None
    assert check(unanswerable("Que dit le passage sur les blessés ?"), []) == "not_standalone"


@pytest.mark.parametrize("sentence, answers", [
    (SENTENCE, ["Jean-Yves Le Drian", "130", "Paris", "224"]),
    ("Il envoie jeudi le porte-avion Charles de Gaulle à Paris.", ["Charles de Gaulle", "Paris"]),
    ("Vladimir Poutine a reçu Bachar al Assad le 30 septembre.",
     ["Vladimir Poutine", "Bachar al Assad", "30 septembre"]),
    ("La lutte contre l'Etat Islamique reprend dès 18 heures 45.", []),
    ("A 22h30, on fait le point sur les contenus publiés ces dernières 24 heures.", []),
    ("14h52 : @Arnaud François Hollande doit rencontrer Vladimir Poutine.",
     ["François Hollande", "Vladimir Poutine"]),
    ("Le destin de Bachar al Assad doit être à 100% entre les mains du peuple syrien.", ["Bachar al Assad", "100%"]),
])
def test_the_answer_asked_for_is_a_whole_name_or_figure(sentence, answers):
    assert answer_candidates(sentence, ("number", "date", "name")) == answers


@pytest.mark.parametrize("kind, sentence, question, facts, bad, reason, good", [
    ("fact", "Le voyage de François Hollande à Moscou a donné ses fruits.",
     "Qu'a donné le voyage de François Hollande à Moscou ?", ["fruits"],
     "Le voyage de François Hollande à Moscou a donné ses fruits", "answer_is_sentence", "ses fruits"),
    ("fact", "Il doit rencontrer Vladimir Poutine pour tenter de rapprocher les positions russes et américaines "
     "sur la Syrie.", "Pourquoi doit-il rencontrer Vladimir Poutine ?", ["Syrie"],
     "Pour prévenir une nouvelle guerre mondiale en Syrie", "answer_missing",
     "Pour rapprocher les positions russes et américaines sur la Syrie"),
], ids=["an answer that copies its sentence asks for no fact", "a written answer must come from its sentence"])
def test_a_written_answer_is_a_fact_taken_from_its_sentence(kind, sentence, question, facts, bad, reason, good):
    draft = Draft(kind, "a.txt", "Moscou", sentence, question, bad, facts)
    assert check(draft, []) == reason
    draft.answer = good
    assert check(draft, []) is None


@pytest.mark.parametrize("sentence, cause", [
    ("Il doit rencontrer Vladimir Poutine pour tenter de rapprocher les positions russes et américaines, selon "
     "l'Elysée.", "pour tenter de rapprocher les positions russes et américaines"),
    ("En raison de l'actuelle menace terroriste en Turquie, nous réitérons notre appel aux citoyens russes.",
     "En raison de l'actuelle menace terroriste en Turquie"),
    ("Ankara a abattu l'avion parce qu'il avait violé son espace aérien.", "parce qu'il avait violé son espace aérien"),
    ("Les zones contrôlées par les jihadistes ne sont plus assez sûres pour lui.", None),
    ("Il est parti pour Moscou jeudi matin avec ses ministres.", None),
    ("Ils restent pour des raisons personnelles.", None),
])
def test_a_why_question_asks_for_a_cause_the_sentence_gives(sentence, cause):
    assert cause_clause(sentence) == cause


def test_one_answer_is_asked_for_twice_at_most():
    sentence = "M. Hollande a rencontré Vladimir Poutine à Moscou jeudi soir."
    kept = [Draft("name", "a.txt", "Moscou", sentence, question, answer, [answer]) for question, answer in [
        ("Qui a rencontré Vladimir Poutine à Moscou ?", "François Hollande"),
        ("Quel président français était à Moscou jeudi soir ?", "Hollande")]]
    again = Draft("name", "a.txt", "Moscou", sentence, "Qui Vladimir Poutine a rencontré à Moscou ?", "M. Hollande",
                  ["Hollande"])
    assert check(again, kept) == "same_answer"
    other = Draft("name", "a.txt", "Moscou", sentence, "Qui M. Hollande a rencontré à Moscou ?", "Vladimir Poutine",
                  ["Vladimir Poutine"])
    assert check(other, kept) is None


def test_questions_are_not_asked_from_a_headline():
    text = ("Syrie : Moscou va coopérer avec ses alliés français\n\n"
            "Moscou a intensifié mardi ses opérations en Syrie, selon l'armée.")
    chunk = Chunk("c1", "a.txt", 0, len(text), text, "Syrie : Moscou va coopérer avec ses alliés français", BODY)
    assert _sentences_by_source([chunk], random.Random(1)) == {
        "a.txt": [(chunk.title, "Moscou a intensifié mardi ses opérations en Syrie, selon l'armée.")]}


def test_a_written_answer_must_contain_what_the_question_does_not_give():
    question = "Qui a annoncé le bilan des attentats de Paris ?"
    assert free_answer_facts("Jean-Yves Le Drian, à Paris", question, SENTENCE) == ["Jean-Yves", "Drian"]
    why = free_answer_facts("parce que l'avion russe avait fait des victimes", "Pourquoi le ministre parlait-il ?",
                            SENTENCE)
    assert why and all(contains_fact(SENTENCE, fact) for fact in why) and "ministre" not in why


def test_a_generated_set_is_checked_and_rag_eval_marks_it(shipped_index, tmp_path, capsys):
    """The real local model writes three questions from the shipped corpus; each answerable one's facts
    are in its source file, and rag eval runs the set and says it was generated."""
    from eval.cli import main

    out = tmp_path / "questions.jsonl"
    index = str(shipped_index.index.folder)
    assert main(["eval", "generate", "--index", index, "--count", "3", "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "3 questions écrites dans" in printed
    items = load_dataset(out)
    assert len(items) == 3 and sum(not i.answerable for i in items) == 1
    for item in items:
        assert item.generated == "local" and item.question.endswith("?")
        for source in item.sources:
            text = (shipped_index.corpus_dir / source).read_text(encoding="utf-8")
            assert all(contains_fact(text, fact) for fact in item.gold_facts), item
    assert main(["eval", "--dataset", str(out), "--index", index, "--judge", "lexical", "--no-baseline",
                 "--no-progress", "--cache", str(tmp_path)]) == 0
    assert "Jeu GÉNÉRÉ par local" in capsys.readouterr().out


def test_a_generator_that_cannot_write_is_a_french_error(shipped_index, tmp_path, capsys):
    from eval.cli import main

    out = tmp_path / "q.jsonl"
    assert main(["eval", "generate", "--index", str(shipped_index.index.folder), "--generator", "extractive",
                 "--out", str(out), "--no-progress"]) == 2
    assert "n'écrit pas de texte libre" in capsys.readouterr().err and not out.exists()
