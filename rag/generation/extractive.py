"""The LLM-free answer: the passages' sentences that cover the question best, quoted verbatim."""
from __future__ import annotations

import re
from collections.abc import Iterator

from ..documents import FIELD, LABEL, LIST_ITEM, NUMBERED, TABLE_CELLS
from ..french import (CLOSING, GIVEN_STATED, TYPE_MISSING_WEIGHT, WH_TERMS, asked_type, asks, asks_a_unit, cost_terms,
                      counted_term, counts, fits_given, given_quantities, holds_type, refers_back, sentence_spans,
                      terms)
from ..retrieval import Retrieval, coverage, standardised
from . import Generator


class ExtractiveGenerator(Generator):
    name = "extractive"
    verify = False  # it quotes the passages verbatim

    def __init__(self, max_sentences: int = 3, min_share_of_best: float = 0.6, passage_share: float = 0.15,
                 retrieval_weight: float = 0.1, sentence_dense_weight: float = 0.02,
                 previous_share: float = 0.75, min_holder_share: float = 0.8) -> None:
        """A sentence's score mixes its own coverage of the question with its passage's (``passage_share``:
        the title and the neighbouring sentences say what "il" or "la ville" is), and adds its passage's
        retrieval score (``retrieval_weight`` x the convex fusion's standardised score; RRF's scores, ~0.03,
        barely count): retrieval read the whole passage and ranked it. Chosen on 800 PIAF dev questions
        (outside the reported sample) and gold_fr + dev_fr: the sentences held the gold answer for 70.8 % ->
        76.4 %, 89.8 -> 93.2 %, 79.5 -> 84.1 % of the questions. A larger passage share (0.3: 76.4, 93.2,
        86.4 %) lifts every sentence of a good passage alike, until a planted instruction beside the answer
        is quoted too.

        ``sentence_dense_weight`` x the sentence's own dense similarity to the question (standardised over
        the question's sentences) breaks the ties of sentences that share the same question words: 78.1 ->
        79.4 % on the 800 PIAF questions (11 gained, 1 lost; gold_fr and dev_fr unchanged). Larger weights
        gain more and lose more (0.1: 20 gained, 12 lost).

        A sentence is also credited, at ``previous_share``, with the question words of the sentence before
        it, and then brings that sentence along: « Combien coûte la rénovation de l'école ? » is answered by
        « Le coût est estimé à 1,3 million », whose subject is named in the sentence before. On the same
        tuning cases: 79.4 -> 80.7 %, 93.2 -> 94.9 %, 84.1 -> 88.6 % (0.5 to 1 alike; crediting the next
        sentence instead: no gain). When the sentence before is already quoted, that credit no longer earns a
        place: alone, the sentence must make the cut (« Sa travée centrale mesure 856 mètres » came third after
        « Il a été inauguré le 20 janvier 1995 »); 11 of the 800 PIAF quotes change
        (one answer lost, one gained), gold_fr and dev_fr the same.

        A sentence that holds the sum, the length of time or the name asked for, when the one before lacks it, is
        credited with that sentence's words even if it shares none with the question: « La durée du prêt est de
        trois semaines » after « Chaque lecteur peut emprunter jusqu'à 8 documents » answers « Combien de temps
        peut-on garder un livre emprunté ? », « Le président, Bernard Rousseau, ouvre la séance » after « Présents :
        31 conseillers » « Qui préside… ? ». Not for any number or date: « Sa travée centrale mesure 856 mètres »
        would answer « Quelle est la hauteur des pylônes ? »; unless the sentence before is a question, which the
        sentence answers: an interview's « Combien sont-ils à vous fournir ? » / « Quatorze. » (no quote changes on
        the 1,140 tuning and held-out questions). For a what, how or yes/no question, a sentence answering a question
        the document asks itself is credited with that question's words, whatever it holds: « M. ROUSSEL : Ils sont
        73 foyers concernés » under « Et pour les riverains qui ont un garage dans la rue, que doivent-ils faire ? »,
        a FAQ's « Non. » under « Peut-on sous-louer sur Airbnb ? » (on the 708 trial questions, 7 quotes change, 4
        gain the answer, none loses it; of the corpus's and PIAF's 3,000 questions, one PIAF quote changes its tail).
        For a number or a date, the best sentence that holds it leads, when it scores at least ``min_holder_share``
        of the best sentence (one that repeats more of the question's words, but without the fact, counts half);
        below that, none answers. On the tuning cases: PIAF 800 80.8 -> 81.4 %, dev_fr 88.6 -> 90.9 %, gold_fr the
        same (share 1: 80.8 %, 0.9: 80.9 %, 0.7: 81.4 % and one more unanswerable dev_fr question gets a quote); held
        out, PIAF 200 79.0 -> 79.5 %, test_fr the same."""
        self.max_sentences = max_sentences
        self.min_share_of_best = min_share_of_best
        self.passage_share = passage_share
        self.retrieval_weight = retrieval_weight
        self.sentence_dense_weight = sentence_dense_weight
        self.previous_share = previous_share
        self.min_holder_share = min_holder_share

    def stream(self, question: str, retrieval: Retrieval, previous: str | None = None) -> Iterator[str]:
        yield "\n".join(f"{sentence} [{number}]" for sentence, number in self.sentences(retrieval))

    def sentences(self, retrieval: Retrieval) -> list[tuple[str, int]]:
        """The sentences to quote, each with its passage's number, best first (the quote generator reads
        them without markers). Sentences that hold the kind of fact asked for (a number for "combien", a
        date for "quand", a name for "qui") come before those that merely repeat the question's words; a
        question asking for a number or a date that no well-covering sentence holds gets no answer.

        For a what, why or how question, the best sentence brings the one after it in its paragraph: the
        sentence that repeats the question's words often only sets the scene ("Cette nouvelle coopération aura
        des effets militaires."), and the answer follows ("… en particulier l'échange de renseignements").
        The next line is another block (a page's footer, « Contact presse : … »).
        A number, date or name asked for is in the sentence that holds it; the next one is another
        matter, or a planted instruction. A sentence that opens on "Il" or "Ce dernier" brings the one
        before it, which says who that is ("Qui veut reprendre le pouvoir ?" -> "Le 21 août 1886, le prince
        Alexandre de Battenberg… est chassé du trône… Ce dernier tente de reprendre le pouvoir"): on 800 PIAF
        dev questions outside the reported sample, the quote held the gold answer for 76.4 -> 78.1 %.
        When a number, a date or a name is asked for, the sentence that holds it is read first and the one before
        that says what it is about follows it (« Le nouveau site représente un investissement de 12 millions
        d'euros. » then « La brasserie annonce l'ouverture d'une seconde usine… »), unless it opens on « Il »: the
        first sentence held the gold answer for 177 -> 186 of 312 such PIAF tuning questions, 30 -> 33 of 40 on
        gold_fr and dev_fr (held out: PIAF 200 46 -> 48 of 74, test_fr 8 of 10 alike); the same sentences are quoted.

        A table's row is quoted under the table's first row, its header: « Dimanche | 9 h | 13 h » says
        when the pool closes only under « Jour | Ouverture | Fermeture »; no other sentence brings a row along.
        Likewise a field or an item of a list (« Dénivelé positif : 380 m ») reads the words of the line the list hangs
        from (« 1. Boucle des cascades du Pradel »), not those of the field above (« Distance : 7,4 km »), and brings
        that line along only as it would the sentence before. On the 996 trial questions, 16 quotes change (most
        drop a field that only shared the field above's words), one gains its answer (that one), none loses it; no
        quote of the corpus sets or PIAF changes. An item is quoted when that line names what is asked, though the
        item repeats no word of the question: « 3. Remplissez un constat amiable » under « Accident : ».

        A labelled value whose label names only what the question asks about, and that holds the kind of fact asked,
        leads when it makes the cut (« Cuisson | 3 heures 15 » for « Combien de temps de cuisson pour la garbure ? »,
        « Samedi : 9 h – 18 h sans interruption » for « horaires de l'atelier le samedi ») before sentences that
        repeat more of the question's words: a recipe's « poursuivez la cuisson 45 minutes » is one step's. A label
        that only names the kind of fact (« Date : », « Prix ») does not. On the 120 new tuning questions (AG, AH, AL,
        AM), 3 quotes change, each now led by its answer; none of the corpus sets' or PIAF dev's.

        For a number or a date, a sentence that asks (a customer's « Pourriez-vous passer faire un diagnostic… ? »)
        only restates the question: the sentence holding the fact is measured against the best one that does not.

        « Combien de groupes… ? » is answered by the best sentence that counts groups (« vingt-deux groupes »), when
        it makes the cut, before one that repeats more of the question's words (« Le groupe de rock… jouera au
        festival »). On the 1,140 tuning and held-out questions, 5 quotes change their order, none gains or loses
        its gold answer; a new user's « Combien de groupes joueront au festival ? » was refused.

        A question that gives an age or a sum (« j'ai 22 ans », « notre quotient familial est de 620 € ») is answered
        by the row of a grid whose bracket holds it (« Tranche 2 | de 450 € à 799 € | 2,35 € »), which shares no other
        word with it: that row is credited with the value and leads; a sentence stating only brackets or ages that do
        not hold it counts half (« Senior (65 ans et plus) »). On the 636 trial questions, 6 quotes change: the grid's
        row leads for « 620 € » (wrong → right) and « fils de 11 ans », the closer bracket alone for « mon père a 70
        ans », « gratuite pour les moins de 18 ans » is quoted and accepted for « mon fils de 15 ans doit-il payer… ? »;
        no quote of gold_fr, dev_fr, test_fr, yesno_fr or the 1,000 PIAF questions changes.
        """
        kind = asked_type(retrieval.query)
        counted = counted_term(retrieval.query)
        unit_asked = asks_a_unit(retrieval.query)
        asking = cost_terms(retrieval.query)
        spans_of = {number: sentence_spans(passage.chunk.text)
                    for number, passage in enumerate(retrieval.passages, start=1)}
        sentences_of = {number: [" ".join(passage.chunk.text[a:b].split()) for a, b in spans_of[number]]
                        for number, passage in enumerate(retrieval.passages, start=1)}
        given = given_quantities(retrieval.query)
        given_terms = set(terms(" ".join(written for _, _, written in given)))  # held by the bracket that fits
        fits = _fits(sentences_of, given) if given else {}
        weights = {term: weight for term, weight in retrieval.term_weights.items() if term not in asking} \
            or retrieval.term_weights
        candidates = []
        title_lines: set[tuple[int, int]] = set()  # (passage number, position) of a title line: only quoted first
        headings: set[tuple[int, int]] = set()  # (passage number, position) of a heading: never quoted
        last_in_paragraph: set[tuple[int, int]] = set()  # the next sentence starts another line: it does not follow
        rows: set[tuple[int, int]] = set()  # (passage number, position) of a table's row: no sentence's antecedent
        table_headers: dict[tuple[int, int], int] = {}  # (passage number, a table row's position) -> its header's
        contexts: dict[tuple[int, int], int] = {}  # (passage number, position) -> its context's, if not the one before
        listed: set[tuple[int, int]] = set()  # (passage number, position) of a list's field or item, under its head
        named: dict[tuple[int, int], set[str]] = {}  # (passage number, position) -> the terms of its label, if labelled
        dense = _standardised_dense(retrieval)
        for number, passage in enumerate(retrieval.passages, start=1):
            text = passage.chunk.text
            spans, sentences = spans_of[number], sentences_of[number]
            title = " ".join(passage.chunk.title.split())
            own_lines = [(position, sentence) for position, (span, sentence) in enumerate(zip(spans, sentences))
                         if _own_line(text, *span)]
            title_lines.update((number, position) for position, sentence in own_lines if sentence == title)
            heads = {position for position, sentence in own_lines if _heads(sentence)}
            headings.update((number, position) for position in heads)
            table_rows = {position for position, sentence in own_lines if TABLE_CELLS in sentence}
            rows.update((number, position) for position in table_rows)
            first_row = -1
            for position in sorted(table_rows):  # each row after a table's first (its header) reads under it
                first_row = first_row if position - 1 in table_rows else position
                if first_row != position and _heads_table(sentences[first_row], first_row):
                    table_headers[(number, position)] = first_row
                contexts[(number, position)] = table_headers.get((number, position), -1)
            fields = {position for position, sentence in own_lines
                      if FIELD.match(sentence) or LIST_ITEM.match(sentence)} - table_rows - heads
            for position in sorted(fields):  # each field or item of a list reads under the line the list hangs from
                above = position - 1
                while above in fields:
                    above -= 1
                contexts[(number, position)] = above
                listed.add((number, position))
            named.update(((number, position), set(terms(label))) for position, sentence in own_lines
                         if (label := _label(sentence, position in table_rows)) and sentence != title)
            last_in_paragraph.update((number, position) for position, (span, after) in enumerate(zip(spans, spans[1:]))
                                     if "\n" in text[span[1] : after[0]])
            term_sets = [set(terms(sentence)) for sentence in sentences]  # each sentence stemmed once
            holding = [holds_type(sentence, kind, retrieval.query) for sentence in sentences]  # and checked once
            for position, sentence in enumerate(sentences):
                fit = fits.get((number, position), 0)
                words = term_sets[position] | given_terms if fit > 0 else term_sets[position]
                own = coverage(weights, words)
                holds = holding[position]
                answers = position > 0 and asks(sentences[position - 1]) \
                    and bool((term_sets[position - 1] - WH_TERMS) & weights.keys())
                completes = position > 0 and (not kind and answers or holds and not holding[position - 1] and (
                    unit_asked or kind == "name" or answers))
                # its context: the sentence before, or for a table's row its header row (« Arrêt | Premier départ »),
                # never the row above, another line's record (« Visa Infinite | Différé » gave « Mastercard Jeune |
                # Immédiat » the words of « la Visa Classic à débit différé… à débit immédiat ? »); a field's or an
                # item's, the line its list hangs from
                context = contexts.get((number, position), position - 1)
                before = term_sets[context] if context >= 0 else set()
                # an item of a list whose head names what is asked (« Panne : » over « 1. Appelez l'assistance »)
                under = (number, position) in listed and bool((before - WH_TERMS) & weights.keys())
                # about something else (« Combien de ruches avez-vous ? » shares only « combien »), or a heading
                if not ((words - WH_TERMS) & weights.keys() or completes or under) or (number, position) in headings:
                    continue
                leans_back, alone = False, own
                # Only when the two complete each other: a sentence that merely repeats words of the one
                # before (« …affirme que le gymnase ouvrira en 2030 », planted after the answer) gets nothing.
                if position and self.previous_share and ((words - before) & weights.keys() or completes):
                    window = coverage(weights, words | before)
                    leans_back = window > own
                    own = (1 - self.previous_share) * own + self.previous_share * window
                    alone = own if fit > 0 else alone  # the row that applies answers, though its header is quoted
                bonus = (self.retrieval_weight * passage.score
                         + self.sentence_dense_weight * dense.get((number, position), 0.0))
                weight = (1.0 if holds else TYPE_MISSING_WEIGHT) * (TYPE_MISSING_WEIGHT if fit < 0 else 1.0)
                score, alone = (((1 - self.passage_share) * share + self.passage_share * passage.coverage) * weight
                                + bonus for share in (own, alone))
                # Earlier passages and earlier sentences win ties: retrieval already ranked them.
                label = named.get((number, position), set())
                labelled = holds and bool(label - _KIND_TERMS) and label <= weights.keys()  # « Cuisson | 3 heures 15 »
                candidates.append((score, holds, -number, -position, sentence, number, leans_back, alone, fit,
                                   labelled))
        candidates.sort(reverse=True)
        best = candidates[0][0] if candidates else 0.0  # the cut below: however the fact's holder came to lead
        fitting = next((c for c in candidates if c[8] == _BRACKET_FITS), None)
        counter = next((c for c in candidates if counts(c[4], counted)), None) if counted else None
        labelled = next((c for c in candidates if c[9]), None)
        if fitting is not None:  # the row of a grid that the question's age or sum falls in leads, whatever its score
            candidates.remove(fitting)
            candidates.insert(0, (best, *fitting[1:]))
        elif counter is not None and counter[0] >= self.min_share_of_best * best and counter is not candidates[0]:
            candidates.remove(counter)
            candidates.insert(0, counter)
        elif labelled is not None and labelled[0] >= self.min_share_of_best * best and labelled is not candidates[0]:
            candidates.remove(labelled)
            candidates.insert(0, labelled)
        elif kind in ("number", "date") and candidates and not candidates[0][1]:
            holder = next((c for c in candidates if c[1]), None)  # the best sentence that holds a number or a date
            best = next((c[0] for c in candidates if not asks(c[4])), best)
            if holder is None or holder[0] < self.min_holder_share * best:
                return []
            candidates.remove(holder)
            candidates.insert(0, holder)
        if best <= 0:
            return []
        labels = title_lines | headings  # never brought along as the next or the previous sentence
        no_context = labels | rows  # nor a table's row as the sentence before (its header row is, see below)
        chosen: dict[str, tuple[str, int]] = {}  # lower-cased sentence -> (sentence, passage number)
        antecedents = 0  # sentences quoted only to say who "il" is or what the next one is about: not answers
        for score, _, _, minus_position, sentence, number, leans_back, alone, _, _ in candidates:
            if score < best * self.min_share_of_best or len(chosen) >= self.max_sentences + antecedents:
                break
            position = -minus_position
            context = contexts.get((number, position), position - 1)
            before = sentences_of[number][context] if context >= 0 else ""
            if leans_back and before.lower() in chosen and alone < best * self.min_share_of_best:
                continue  # its score came from the sentence before, already quoted: alone, it does not make the cut
            if chosen and (number, position) in title_lines:
                continue
            lines = [sentence] if chosen or kind or (number, position + 1) in labels \
                or (number, position) in last_in_paragraph \
                else sentences_of[number][position : position + 2]
            header = table_headers.get((number, position))  # then ``before`` is that header row
            antecedent = before if header is not None or (number, context) not in no_context else ""
            if antecedent and (header is not None or leans_back or refers_back(sentence)) \
                    and antecedent.lower() not in chosen:
                first = header is not None or not kind or refers_back(sentence)
                lines.insert(0 if first else len(lines), antecedent)
                antecedents += 1
            for line in lines:
                chosen.setdefault(line.lower(), (line, number))
        return list(chosen.values())[: self.max_sentences + antecedents]


_STATES_GIVEN, _BRACKET_FITS = 1, 2


# Words that name the kind of fact asked, not what it is about: a mail's « Date : lundi 28 avril » answers no
# « …avant quelle date ? » by its label
_KIND_TERMS = frozenset(terms("date dates jour jours heure heures prix coût tarif tarifs montant somme nombre durée"))


def _label(line: str, row: bool) -> str:
    """The label of a labelled value: a two-cell row's first cell (« Cuisson | 3 heures 15 »), a field's name
    (« Samedi : 9 h – 18 h »); else ''."""
    if row:
        cells = line.split(TABLE_CELLS)
        return cells[0] if len(cells) == 2 else ""
    return line[: line.index(":")] if FIELD.match(line) else ""


def _fits(sentences_of: dict[int, list[str]], given: list[tuple[float, str, str]]) -> dict[tuple[int, int], int]:
    """(passage number, sentence position) -> how the sentence stands to the ages and sums the question gives
    (« j'ai 22 ans », « notre quotient familial est de 620 € »): ``_BRACKET_FITS`` when it states the closest
    bracket that holds one (« Abonnement Jeune (moins de 26 ans) », « Tranche 2 | de 450 € à 799 € »),
    ``_STATES_GIVEN`` when it states the value itself, -1 when it states only brackets or ages that hold none
    (« Senior (65 ans et plus) »), else 0. A bracket counts only where no sentence states the value: « chez les
    moins de 16 ans » does not answer « …débuté à l'âge de 8 ans ? » beside « Il commence le combiné à 8 ans »."""
    rows = {(number, position): fits_given(sentence, given)
            for number, sentences in sentences_of.items() for position, sentence in enumerate(sentences)}
    best = [max(column) for column in zip(*rows.values())]
    fits = {}
    for key, row in rows.items():
        credited = [f for f, b in zip(row, best) if 0 < f == b]
        fits[key] = (_STATES_GIVEN if GIVEN_STATED in credited else _BRACKET_FITS if credited
                     else -1 if min(row, default=0) < 0 else 0)
    return fits


def _heads_table(row: str, position: int) -> bool:
    """Whether a passage's first row of a table is the table's header: the table starts after a line of text in
    the passage, or fewer than half its cells hold a number but ordinals (« Jour | Ouverture | Fermeture », « Tranche
    | Quotient familial | Prix du repas | 1er trimestre », « Poids | Dose par prise | Maximum par 24 h »). A passage
    may start in the middle of a long table, and « Lundi | 12 h | 20 h » says nothing of « Dimanche | 9 h | 13 h »."""
    cells = row.split(TABLE_CELLS)
    return position > 0 or 2 * sum(any(c.isdigit() for c in _ORDINAL.sub("", cell)) for cell in cells) < len(cells)


_ORDINAL = re.compile(r"\b\d{1,2}(?:er|re|e|ème|eme)\b")


def _own_line(text: str, start: int, end: int) -> bool:
    """Whether the sentence is a line of its own. The document's title repeated so (a page's <h1>, a text file's
    first line) names the question's subject, but beside a sentence that answers, quoting it adds nothing. Other
    short lines without a full stop are not alike: « Les explications de Luc Lemonnnier » is a credit that holds
    a name."""
    return (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end] == "\n")


def heading_above(text: str, sentence: str) -> str:
    """The heading nearest above ``sentence`` in a passage's ``text``, or '': a FAQ's question says what « Le
    contrat Confort rembourse 300 euros » is about."""
    heading = ""
    for span in sentence_spans(text):
        line = " ".join(text[slice(*span)].split())
        if line == sentence:
            return heading
        if _own_line(text, *span) and _heads(line):
            heading = line
    return ""


def _heads(line: str) -> bool:
    """Whether a line of its own is a heading: a question, a FAQ's (« Les lunettes sont-elles prises en charge ? »),
    a numbered section (« 1. Budget des activités sociales », « 2.3 Protection hors-gel », « Article 4 –
    Assemblée générale ») or a short label over its lines (« Accident : »). It shares the question's words, yet the
    answer is the text under it. Inside a paragraph, a question may well answer (« Peut-être cette interaction
    permet-elle… ? »); other short lines may be credits that hold a name."""
    return asks(line) or bool(LABEL.fullmatch(line)) \
        or bool(NUMBERED.match(line)) and not line.rstrip(CLOSING).endswith((".", "!", "…", ":", ";"))


def _standardised_dense(retrieval: Retrieval) -> dict[tuple[int, int], float]:
    """(passage number, sentence position) -> the sentence's dense similarity, centred and reduced over
    the question's sentences; empty when retrieval had no dense search (BM25 alone)."""
    keys = [(number, position) for number, passage in enumerate(retrieval.passages, start=1)
            for position in range(len(passage.sentence_dense or ()))]
    values = [similarity for passage in retrieval.passages for similarity in passage.sentence_dense or ()]
    return dict(zip(keys, standardised(values).tolist())) if values else {}
