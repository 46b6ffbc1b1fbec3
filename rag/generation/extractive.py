"""The LLM-free answer: the passages' sentences that cover the question best, quoted verbatim."""
from __future__ import annotations

from collections.abc import Iterator

from ..french import sentence_spans, terms
from ..retrieval import Retrieval, coverage
from . import Generator


class ExtractiveGenerator(Generator):
    name = "extractive"
    verify = False  # it quotes the passages verbatim

    def __init__(self, max_sentences: int = 3, min_share_of_best: float = 0.6) -> None:
        self.max_sentences = max_sentences
        self.min_share_of_best = min_share_of_best

    def stream(self, question: str, retrieval: Retrieval, previous: str | None = None) -> Iterator[str]:
        yield self._draft(retrieval)

    def _draft(self, retrieval: Retrieval) -> str:
        candidates = []
        for number, passage in enumerate(retrieval.passages, start=1):
            text = passage.chunk.text
            for position, (start, end) in enumerate(sentence_spans(text)):
                sentence = " ".join(text[start:end].split())
                score = coverage(retrieval.term_weights, set(terms(sentence)))
                # Earlier passages and earlier sentences win ties: retrieval already ranked them.
                candidates.append((score, -number, -position, sentence, number))
        candidates.sort(reverse=True)
        if not candidates or candidates[0][0] <= 0:
            return ""
        best = candidates[0][0]
        chosen, seen = [], set()
        for score, _, _, sentence, number in candidates:
            if score < best * self.min_share_of_best or len(chosen) == self.max_sentences:
                break
            if sentence.lower() not in seen:
                seen.add(sentence.lower())
                chosen.append(f"{sentence} [{number}]")
        return "\n".join(chosen)
