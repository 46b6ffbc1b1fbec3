"""The default answer: sentences of the passages quoted verbatim, once the local model has read them
and found that they give what is asked.

On questions nobody tuned for, the 1.5B model recognises a sentence that answers far more reliably than
it restates one: quoting, the gold fact was in 74 % of the answers to the held-out questions, against
38 % for the model's own answers, with a fifth of the refusals of answerable questions. It reads only
the quote (~150 tokens, not ~400 of passages) and writes nothing: ~1.6 s a whole answer, not ~6.9.
The sentences are cheap to choose (~40 ms), so `stream` chooses them again rather than keep state per question.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterator

from .. import messages
from ..french import is_closed, terms
from ..retrieval import Retrieval, coverage
from .extractive import ExtractiveGenerator, heading_above
from .local import LocalGenerator, chat_head, chatml


class QuoteGenerator(LocalGenerator):
    name = "quote"
    verify = False  # the sentences are the passages' own

    def __init__(self, model_file, *, weights: tuple[float, float, float], max_sentences: int = 3,
                 **local_options) -> None:
        """``weights``: of the model's P(Oui) and of the retrieval's standing in the log-odds that the quote answers,
        then their bias (`Settings.quote_judge_weight`, `quote_standing_weight`, `quote_bias`)."""
        super().__init__(model_file, **local_options)
        self.quotes = ExtractiveGenerator(max_sentences=max_sentences)
        self.weights = weights
        # The worked examples (~300 tokens, ~3 s) are read once, here, and their cache kept aside: rewriting
        # a follow-up evaluates another prompt, after which they would be read again.
        with self._lock:  # the model may be `local`'s too, answering someone else
            self._evaluate(self._tokens(_HEAD), keep=True)

    def stream(self, question: str, retrieval: Retrieval, previous: str | None = None) -> Iterator[str]:
        yield self.quotes.generate(question, retrieval)

    def answerability(self, question: str, retrieval: Retrieval, previous: str | None = None) -> float | None:
        """How likely the sentences to be quoted give what is asked: the model's P(Oui), reading only them and the
        (standalone) question, weighed with the search's confidence (below). The passages may answer a neighbouring
        question, and the sentences that cover the question best then only repeat its words. None when there is
        nothing to quote.

        A question answered by oui or non is asked as « does the extract tell whether it is oui or non »: on
        27 such questions about the shipped articles (17 with an answer, 7 of them « non »; 10 without), AUC
        0.71 -> 0.82, and 3 of the 4 « non » that were refused are answered (still 5 of the 10 without an
        answer refused); on PIAF dev's 52 closed questions, each with and without its paragraph, 0.61 -> 0.63.

        Each passage's sentences follow its title, in brackets, when the title names a subject (a few words):
        « Sa construction a coûté 465 millions » says what was built only under « (Le pont de Normandie) ». On
        150 PIAF dev cases with and without their paragraph (seed 7), the AUC of P(Oui) for a quote holding the
        answer 0.78 -> 0.80. A news headline is a claim of its own, which the model reads as part of the
        extract: under « …la Russie et la France vont coordonner leurs frappes », « Le chef de la diplomatie
        turque a rencontré son homologue » answered « Qui est le chef de la diplomatie russe ? ». A sentence
        under a FAQ's question or a numbered section follows that heading too: « Le contrat Confort rembourse
        300 euros » is about glasses only under « Les lunettes sont-elles prises en charge ? ».

        For a question answered by oui or non, the quote also answers when it holds at least the share of the
        question's (weighted) words the threshold asks: the model still refuses most extracts that say non (« Lundi et
        mardi, c'est fermeture complète » for « Le restaurant est-il ouvert le mardi ? », P(Oui) 0.29), and on the 59
        closed tuning questions (new-user trials, yesno_fr's even half) its P(Oui) told answerable from not barely
        better than chance (AUC 0.64), the quote's coverage of the question better (0.72). Answered, 27 -> 40 of the 47
        answerable, 4 -> 5 of the 12 without an answer; of the 12 gained in the trials, 9 quotes say the answer.

        The model's verdict is then weighed with how far the best passage stands out from the other candidates
        (`Retrieval.standing`), as a logistic regression: a quote from a passage the search barely preferred needs a
        firmer Oui. Cross-validated on 396 new-user trial questions and 400 PIAF dev cases (with and without their
        paragraph): accepting as many trial quotes that hold the answer (237 of 264), 7 fewer that lack it are
        accepted (61 -> 54 of 132); at the chosen threshold, 228 and 45, and on PIAF 149 -> 153 of 160 and 115 ->
        101 of 240."""
        sentences = self.quotes.sentences(retrieval)
        if not sentences:
            return None
        quoted = set(terms(" ".join(sentence for sentence, _ in sentences)))
        closed = is_closed(retrieval.query)
        # a closed question states a claim, and so may a headline: its names ask for no title
        quote = _titled(sentences, retrieval, set() if closed else _names(retrieval.query) - quoted)
        asked = messages.QUOTE_ANSWERS_CLOSED_PROMPT if closed else messages.QUOTE_ANSWERS_PROMPT
        prompt = _HEAD + chatml(asked.format(quote=quote, question=retrieval.query))
        with self._lock:
            probability = self._probability(self._tokens(prompt), self._yes, self._no)
        if closed:
            probability = max(probability, coverage(retrieval.term_weights, quoted))
        judge, standing, bias = self.weights
        return 1 / (1 + math.exp(-(judge * probability + standing * retrieval.standing + bias)))


_SUBJECT_WORDS = 6  # PIAF's Wikipedia titles: 96 % have at most 6 words; the shipped headlines 8 to 17


def _titled(sentences: list[tuple[str, int]], retrieval: Retrieval, named: set[str]) -> str:
    """The sentences, each passage's after its title and each one under a heading after that heading, in brackets.

    A longer title is shown when it alone names one of ``named``, the question's names that the sentences lack:
    « Qui s'occupe des finances à la mairie de Montbrac-sur-Lise ? » got P(Oui) 0.09 for « …Nadia Ferhat (adjointe
    aux finances)… », 0.79 without « de Montbrac-sur-Lise », which only the title « Compte rendu du conseil municipal
    de Montbrac-sur-Lise » says. None for a question answered by oui or non: it states a claim, and so may a headline
    (« Bachar al-Assad a-t-il rencontré François Hollande ? » was answered under a headline naming Hollande)."""
    parts, last = [], None
    for sentence, number in sentences:
        chunk = retrieval.passages[number - 1].chunk
        words = len(chunk.title.split())
        title = chunk.title if 0 < words <= _SUBJECT_WORDS or words and named & set(terms(chunk.title)) else ""
        context = " – ".join(part for part in (title, heading_above(chunk.text, sentence)) if part)
        if context and (number, context) != last:
            parts.append(f"({context})")
        last = (number, context)
        parts.append(sentence)
    return " ".join(parts)


_WORD = re.compile(r"\w[\w-]*")


def _names(question: str) -> set[str]:
    """The terms of the question's capitalised words, its first word aside."""
    return set(terms(" ".join(word for word in _WORD.findall(question)[1:] if word[:1].isupper())))


_HEAD = chat_head(messages.QUOTE_ANSWERS_SYSTEM,
                  tuple((messages.QUOTE_ANSWERS_PROMPT.format(quote=quote, question=question), verdict)
                        for quote, question, verdict in messages.QUOTE_ANSWERS_EXAMPLES))
