import pytest

from rag.french import (asked_type, fits_given, given_quantities, gives_asked_number, is_closed, looks_foreign,
                         sentence_spans, spelled_out, terms)


def test_elisions_accents_stop_words_and_stems():
    assert terms("Qu'ont convenu Hollande et l'armée d'Assad ?") == ["convenu", "holland", "arme", "assad"]
    assert terms("frappes") == terms("frappe") == terms("Frappés")


def test_sentences_do_not_break_after_abbreviations():
    text = "M. Poutine a parlé le 13 nov. à Paris. Puis il est reparti !"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "M. Poutine a parlé le 13 nov. à Paris.",
        "Puis il est reparti !",
    ]


def test_a_word_that_is_also_an_abbreviation_ends_its_sentence_before_a_capital():
    text = ("Tout sinistre doit être déclaré sous 5 jours ouvrés, et 2 jours en cas de vol. En cas de perte totale, "
            "la garantie paie. Apportez tables, chaises, etc. Le reste est fourni. Ils sont sept. Voir vol. 2, "
            "art. 4 du contrat du 3 sept. 2025 [réf. nécessaire].")
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Tout sinistre doit être déclaré sous 5 jours ouvrés, et 2 jours en cas de vol.",
        "En cas de perte totale, la garantie paie.",
        "Apportez tables, chaises, etc.",
        "Le reste est fourni.",
        "Ils sont sept.",
        "Voir vol. 2, art. 4 du contrat du 3 sept. 2025 [réf. nécessaire].",
    ]


def test_foreign_questions_are_detected_but_french_ones_are_not():
    assert looks_foreign("What did Hollande and Putin agree on?")
    assert looks_foreign("¿Qué acordaron Hollande y Putin?")
    assert not looks_foreign("Qu'ont convenu Hollande et Poutine ?")
    assert not looks_foreign("Hollande Poutine Moscou")
    assert not looks_foreign("Qui a écrit The Spirit and the Flesh ?")  # an English title, asked in French
    assert not looks_foreign("Qu'est-ce que The Lord of the Rings ?")
    assert looks_foreign("Who wrote The Spirit and the Flesh?")


def test_a_count_question_needs_a_number_in_its_answer():
    question = "Combien de missiles de croisière la Russie a-t-elle tirés ?"
    assert not gives_asked_number(question, ["La Russie a tiré des missiles de croisière contre l'EI."])
    assert gives_asked_number(question, ["La Russie a tiré 18 missiles de croisière.", "Ils visaient Raqqa."])
    assert gives_asked_number(question, ["Elle en a tiré trois dizaines."])
    assert gives_asked_number("Pourquoi la Russie a-t-elle tiré des missiles ?", ["Pour frapper l'EI."])


def test_a_date_or_a_clock_time_does_not_count_what_combien_asks():
    question = "Combien de bombardiers russes ont participé aux frappes ?"
    assert not gives_asked_number(question, ["Des bombardiers russes frappent la Syrie depuis le 30 septembre."])
    assert not gives_asked_number(question, ["20h45 : des bombardiers russes ont visé l'EI en 2015."])
    assert not gives_asked_number(question, ["Les bombardiers ont décollé à 18 heures."])
    assert gives_asked_number(question, ["Le 17 novembre, 25 bombardiers russes ont participé aux frappes."])
    assert gives_asked_number("Depuis combien d'années la Russie frappe-t-elle ?", ["Elle frappe depuis 2012."])
    assert gives_asked_number("Combien de personnes travaillent à la fromagerie ?",
                              ["La fromagerie emploie une quarantaine de personnes."])
    assert gives_asked_number("Combien de temps dure l'entrevue ?", ["Leur entrevue dure une heure et demie."])


def test_a_price_needs_a_sum_and_a_duration_a_unit_of_time():
    from rag.french import holds_type
    cost = "Combien coûte la nouvelle usine ?"
    assert not holds_type("La nouvelle usine couvrira 40 % de ses besoins en électricité.", "number", cost)
    assert holds_type("Le site représente un investissement de 12 millions d'euros.", "number", cost)
    assert holds_type("Sa construction a coûté 465 millions.", "number", cost)
    assert holds_type("L'inscription est gratuite pour les habitants.", "number", "Combien coûte l'inscription ?")
    duration = "Combien de temps peut-on garder un livre emprunté ?"
    assert not holds_type("Chaque lecteur peut emprunter jusqu'à 8 documents.", "number", duration)
    assert holds_type("La durée du prêt est de trois semaines.", "number", duration)
    assert holds_type("Il dirige la commune depuis 2008.", "number", "Depuis combien de temps dirige-t-il la commune ?")
    # « 12 heures » is a count of hours when hours are counted, an hour of the day otherwise.
    fasting = "Votre animal doit être à jeun depuis 12 heures."
    assert holds_type(fasting, "number", "Combien d'heures mon chien doit-il rester sans manger ?")
    assert not holds_type(fasting, "number", "Combien de repas mon chien doit-il sauter ?")


def test_quand_is_also_answered_by_a_relative_time():
    from rag.french import holds_type
    assert holds_type("Elle prend effet un mois après la demande.", "date", "Quand la résiliation prend-elle effet ?")
    assert holds_type("Il rouvre ses portes deux ans plus tard.", "date", "Quand rouvre-t-il ses portes ?")
    # « Quelle année » asks for a year: « chaque année » is none.
    assert not holds_type("Des voitures sont assemblées chaque année.", "date", "En quelle année a-t-elle ouvert ?")


@pytest.mark.parametrize("question, closed", [
    ("Les pneus sont-ils couverts par la garantie ?", True),
    ("Est-ce que l'Espagne participe aux frappes en Syrie ?", True),
    ("Et Jean-Yves Le Drian a-t-il écrit au Guardian ?", True),
    ("Sait-on si Abou Bakr al-Baghdadi est visé par les frappes ?", True),
    ("Pourquoi la piscine est-elle fermée ?", False),
    ("Qu'a-t-il dit sur la Chine ?", False),
    ("Et Vladimir Poutine, quand doit-il le rencontrer ?", False),
    ("Combien de victimes a-t-il fait ?", False),
    ("Qu'est-ce que la coalition ?", False),
    ("Qui préside le conseil municipal ?", False),
    ("Ma fille a 8 ans, est-ce que le spectacle est adapté à son âge ?", True),  # what the user says first
    ("Si mon sinistre est estimé à 3 000 euros, est-ce qu'un expert sera envoyé ?", True),
    ("Combien coûte le repas, et est-ce que le vin est compris ?", False),
    # asked by its tone, as people type in a chat box
    ("on peut manger au bord du bassin ?", True),
    ("le parking est gratuit ?", True),
    ("y a un parking ?", True),
    ("Wilfrid Laurier est il opposé à la conscription ?", True),
    ("prix du voile d'hivernage avec la carte club ?", False),  # a noun phrase: the price is asked
    ("la piscine ferme à quelle heure ?", False),
    ("on peut manger au bord du bassin", False),  # no question mark: perhaps a statement
])
def test_a_question_answered_by_oui_or_non_is_told_from_one_asking_for_a_fact(question, closed):
    assert is_closed(question) is closed
    if closed:
        assert asked_type(question) is None  # « a-t-il écrit au Guardian » asks no name


@pytest.mark.parametrize("question, kind", [
    ("Quelle est la hauteur des pylônes du pont ?", "number"),
    ("Quel était le montant du budget ?", "number"),
    ("Quel sera le volume de production de l'usine ?", "number"),
    ("Quelle est la date de l'inauguration ?", "date"),
    ("Quelles sont les dates du festival ?", "date"),
    ("Quels jours la piscine est-elle ouverte ?", "date"),
    ("Quel est le nom du porte-parole ?", "name"),
    ("Quel numéro de téléphone faut-il composer ?", "number"),
    ("Par où passe la déviation ?", "name"),
    ("Le festival a lieu où ?", "name"),
    ("Qu'a fait Moscou le jour où la Russie a tiré des missiles ?", None),  # « le jour où » asks no place
    ("Quelle est la raison de ce choix ?", None),
    ("c'est qui le responsable des inscriptions au club ?", "name"),  # as typed in a chat box
    ("c ki qui gere la caisse", "name"),
    ("Qu'est-ce qui a causé la panne ?", None),
])
def test_quel_est_le_asks_what_quel_asks(question, kind):
    assert asked_type(question) == kind


def test_a_section_number_opening_its_line_starts_its_heading_not_a_sentence():
    text = "Il y en a 11. Le reste suit.\n11. RÉPARTITION DES TÂCHES\nIV. Résultats du vote\n2024. Une année"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Il y en a 11.", "Le reste suit.", "11. RÉPARTITION DES TÂCHES", "IV. Résultats du vote", "2024.", "Une année"]


@pytest.mark.parametrize("typed, searched", [
    ("cb il reste a payer ?", "combien il reste a payer ?"),
    ("une seance traduite pour les sourds ? c quand", "une seance traduite pour les sourds ? c'est quand"),
    ("g mon permis depuis 2 ans", "j'ai mon permis depuis 2 ans"),
    ("il faut 500 g de farine, c bon ?", "il faut 500 g de farine, c'est bon ?"),  # grams are no « j'ai »
    ("C. Dupont est là ?", "C. Dupont est là ?"),
])
def test_chat_shorthand_is_searched_written_out(typed, searched):
    assert spelled_out(typed) == searched


def test_a_closing_quote_after_a_space_ends_the_sentence_it_closes():
    text = "Elle demande : « Et les pompiers, comment passeront-ils ? » M. ROUSSEL : Les bornes s'abaissent."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Elle demande : « Et les pompiers, comment passeront-ils ? »", "M. ROUSSEL : Les bornes s'abaissent."]


def test_an_age_or_a_sum_the_question_gives_is_placed_in_the_brackets_a_sentence_states():
    age = given_quantities("Je suis étudiant, j'ai 22 ans : combien vais-je payer par mois ?")
    assert age == [(22.0, "ans", "22")]
    assert fits_given("Abonnement mensuel Jeune (moins de 26 ans) | 19,50 €", age)[0] > 1
    assert fits_given("Abonnement annuel Senior (65 ans et plus) | 145,00 €", age) == [-1.0]
    assert fits_given("Abonnement mensuel tout public | 36,00 €", age) == [0.0]  # no age: neither
    assert fits_given("Il a commencé le ski à 22 ans.", age) == [2.0]  # the value itself
    father = given_quantities("mon père a 70 ans, combien de temps entre deux comprimés ?")
    # the closer bracket fits better
    assert fits_given("Plus de 65 ans | 1 comprimé | 8 heures", father) > fits_given("dès 12 ans | 6 heures", father)
    income = given_quantities("Notre quotient familial est de 620 €, combien coûte le repas ?")
    assert fits_given("Tranche 2 | de 450 € à 799 € | 2,35 €", income)[0] > 1
    assert fits_given("Tranche 3 | de 800 € à 1 199 € | 3,40 €", income) == [-1.0]
    assert fits_given("Le repas occasionnel coûte 4,60 €.", income) == [0.0]  # a price, not a condition
    assert given_quantities("En quelle année le pont a-t-il été construit ?") == []
