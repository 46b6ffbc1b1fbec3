"""What every LLM generator sends: numbered passage excerpts and the follow-up rewrite request."""
from __future__ import annotations

from .. import messages
from ..french import sentence_spans, terms
from ..retrieval import Retrieval, coverage


def answer_prompt(question: str, retrieval: Retrieval, sentences_per_passage: int = 2) -> str:
    """Numbered passage excerpts, then the question.

    Each passage shows only its sentences closest to the question: on two cores the prompt's
    length, not the answer's, dominates the time to first token.
    """
    passages = "\n".join(
        f"[{n}] ({p.chunk.title}) {excerpt(p.chunk.text, retrieval.term_weights, sentences_per_passage)}"
        for n, p in enumerate(retrieval.passages, start=1)
    )
    return messages.ANSWER_USER_PROMPT.format(passages=passages, question=question)


def closest_sentences(text: str, weights: dict[str, float], count: int) -> list[str]:
    """The ``count`` sentences of ``text`` that cover ``weights`` best, best first, blanks collapsed."""
    return [" ".join(text[slice(*span)].split()) for span in _closest_spans(text, weights, count)]


def excerpt(text: str, weights: dict[str, float], count: int) -> str:
    """The same sentences, in their original order."""
    return " ".join(" ".join(text[slice(*span)].split()) for span in sorted(_closest_spans(text, weights, count)))


def _closest_spans(text: str, weights: dict[str, float], count: int) -> list[tuple[int, int]]:
    spans = sentence_spans(text)
    return sorted(spans, key=lambda span: -coverage(weights, set(terms(text[slice(*span)]))))[:count]


def condense_prompt(question: str, history: list[dict[str, str]]) -> str:
    turns = "\n".join(
        f"{'Utilisateur' if t.get('role') == 'user' else 'Assistant'} : {' '.join(t.get('content', '').split())[:500]}"
        for t in history[-4:]
    )
    return messages.CONDENSE_PROMPT.format(history=turns, question=question)
