"""Answer generators: each turns a question and its retrieved passages into a draft with [n] markers.

``n`` numbers the passages from 1 in retrieval order; `rag.citations.cite` checks and
renumbers the markers, so a generator needs to know nothing about citations.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator

from .. import messages
from ..citations import missing_facts
from ..config import Settings
from ..errors import RagError
from ..french import terms
from ..retrieval import Retrieval


class GeneratorUnavailable(RagError):
    """The generator's backend failed; the assistant falls back to the extractive answer."""


class Generator(ABC):
    name: str
    verify = True  # a model's sentences must be checked against the passages they cite
    min_answerability = 0.0  # below this `answerability`, the assistant refuses without an answer

    @property
    def busy(self) -> bool:
        """Whether a question is being answered and the next one would wait (one llama.cpp context)."""
        return False

    @abstractmethod
    def stream(self, question: str, retrieval: Retrieval, previous: str | None = None) -> Iterator[str]:
        """Yield the draft in pieces; ``previous`` is the question a follow-up continues."""

    def generate(self, question: str, retrieval: Retrieval, previous: str | None = None) -> str:
        return "".join(self.stream(question, retrieval, previous))

    def condense(self, question: str, history: list[dict[str, str]]) -> str:
        """A standalone question for retrieval. Without a language model: a follow-up that names
        almost nothing ("Et sur Assad ?") borrows the previous question's words."""
        previous = [turn["content"] for turn in history if turn.get("role") == "user"]
        if previous and (len(terms(question)) < 3 or question.lower().startswith("et ")):
            return f"{previous[-1].strip()} {question}"
        return question

    def accept_rewrite(self, rewritten: str, question: str, history: list[dict[str, str]]) -> str:
        """The model's rewrite, unless it is malformed, brings in a name or number that neither the
        question nor the conversation contains (a small model once turned a follow-up about Assad
        into a question about Algeria), takes nothing from the conversation (it once turned
        "Et qu'ont-ils décidé pour leurs frappes ?" into "Quels sont les résultats de leurs
        frappes ?", which still says nothing of who), or drops more than one word of the
        question (it turned "Et qu'a-t-il annoncé sur les bombardiers stratégiques ?" into
        "Quel est le ministre russe de la Défense ?"); then the model-free rewrite."""
        rewritten = rewritten.strip().splitlines()[0].strip(" «»\"") if rewritten.strip() else ""
        earlier = "\n".join(turn.get("content", "") for turn in history)
        borrowed = set(terms(rewritten)) & (set(terms(earlier)) - set(terms(question)))
        dropped = set(terms(question)) - set(terms(rewritten))
        if (3 <= len(rewritten) <= 300 and borrowed and len(dropped) <= 1
                and not missing_facts(rewritten, f"{question}\n{earlier}")):
            return rewritten
        return Generator.condense(self, question, history)

    def write(self, instruction: str, max_tokens: int) -> str:
        """The model's reply to a plain instruction (test sets are written this way); models only."""
        raise RagError(messages.NEEDS_LANGUAGE_MODEL.format(name=self.name))

    def answerability(self, question: str, retrieval: Retrieval, previous: str | None = None) -> float | None:
        """P(the passages answer the question) as this generator reads them, or None when it cannot say
        (the extractive answer, a server): then only the retrieval gate and the support check decide."""
        return None

    def judge(self, claim: str, passage: str) -> float | None:
        """P(passage supports claim), or None when this generator cannot judge."""
        return None


GENERATORS = ("quote", "local", "extractive", "openai")


def make_generator(name: str, settings: Settings) -> Generator:
    """``local:MODEL`` (or ``quote:MODEL``) picks a local model other than the configured one,
    e.g. ``local:qwen2.5-coder-0.5b``."""
    if name == "extractive":
        from .extractive import ExtractiveGenerator

        return ExtractiveGenerator(max_sentences=settings.answer_sentences)
    kind, _, model = name.partition(":")
    if kind in ("local", "quote"):
        from .local import LocalGenerator
        from .models import model_path
        from .quote import QuoteGenerator

        path = model_path(model or settings.local_model, settings.model_cache_dir)
        options = {"max_tokens": settings.max_answer_tokens, "threads": settings.llm_threads,
                   "prompt_words": settings.prompt_words}
        if kind == "quote":
            return QuoteGenerator(path, max_sentences=settings.answer_sentences,
                                  min_answerability=settings.min_quote_answer,
                                  weights=(settings.quote_judge_weight, settings.quote_standing_weight,
                                           settings.quote_bias), **options)
        return LocalGenerator(path, min_answerability=settings.min_answerability, **options)
    if name == "openai":
        from .openai_compat import OpenAICompatibleGenerator

        if not settings.openai_base_url:
            raise RagError(messages.SERVER_NOT_CONFIGURED)
        return OpenAICompatibleGenerator(
            settings.openai_base_url,
            settings.openai_model,
            api_key=settings.openai_api_key,
            timeout=settings.openai_timeout,
            max_tokens=settings.max_answer_tokens,
            prompt_words=settings.openai_prompt_words,
        )
    raise RagError(messages.UNKNOWN_GENERATOR.format(name=name, choices=", ".join(GENERATORS)))
