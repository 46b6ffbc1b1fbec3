"""Answers from a local GGUF model run by llama.cpp, which also serves as the support judge.

Prompts are written in ChatML by hand: through llama-cpp-python's chat API the Oui/Non
logits the judge reads collapsed to ~0, so we keep full control of the format.
"""
from __future__ import annotations

import atexit
import ctypes
import functools
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .. import messages
from ..errors import RagError
from ..french import terms
from ..retrieval import Retrieval
from . import Generator
from .prompts import answer_prompt, closest_sentences, condense_prompt

if TYPE_CHECKING:
    from llama_cpp import Llama

STOP = ["<|im_end|>", "<|endoftext|>"]
_ANSWER_TURN = "<|im_end|>\n<|im_start|>assistant\n"


def chatml(user: str, system: str | None = None) -> str:
    return f"{chat_head(system)}<|im_start|>user\n{user}{_ANSWER_TURN}"


def chat_head(system: str | None, examples: tuple[tuple[str, str], ...] = ()) -> str:
    """The turns before a question: the system message, then worked (user, assistant) examples. A prompt
    that starts with the same head finds it in llama.cpp's cache."""
    head = f"<|im_start|>system\n{system}<|im_end|>\n" if system else ""
    turns = (f"<|im_start|>user\n{asked}{_ANSWER_TURN}{answered}<|im_end|>\n" for asked, answered in examples)
    return head + "".join(turns)


class LocalGenerator(Generator):
    name = "local"

    def __init__(self, model_file: Path, *, max_tokens: int = 220, threads: int | None = None, context: int = 4096,
                 prompt_words: int = 110, min_answerability: float = 0.0):
        # llama-cpp-python defaults to half the cores: on two cores that halves the speed.
        self.llm, self._lock = _loaded(str(model_file), context, threads or os.cpu_count() or 1)
        self.max_tokens = max_tokens
        self.prompt_words = prompt_words
        self.min_answerability = min_answerability
        self._kept: tuple[list[int], ctypes.Array] | None = None  # a prompt's cache worth restoring
        self._yes = self._first_tokens("Oui", "oui")
        self._no = self._first_tokens("Non", "non")

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    def _first_tokens(self, *words: str) -> list[int]:
        return sorted({self.llm.tokenize(w.encode(), add_bos=False, special=False)[0] for w in words})

    def complete(self, prompt: str, max_tokens: int) -> Iterator[str]:
        with self._lock:
            for part in self.llm.create_completion(
                prompt, max_tokens=max_tokens, temperature=0.0, stop=STOP, stream=True
            ):
                yield part["choices"][0]["text"]

    def _answer_prompt(self, question: str, retrieval: Retrieval, previous: str | None) -> str:
        return chatml(answer_prompt(question, retrieval, self.prompt_words, previous),
                      system=messages.ANSWER_SYSTEM_PROMPT)

    def stream(self, question: str, retrieval: Retrieval, previous: str | None = None) -> Iterator[str]:
        yield from self.complete(self._answer_prompt(question, retrieval, previous), self.max_tokens)

    def answerability(self, question: str, retrieval: Retrieval, previous: str | None = None) -> float:
        """P(Oui) that the passages hold the answer, asked right after the answer prompt's passages and question.

        The probe shares the answer prompt up to the question, so only its own ~25 tokens are extra
        (about a second on two cores), and the answer that follows finds its prompt in llama.cpp's
        cache. The 1.5B separates answerable from unanswerable questions only weakly this way, but its
        answer does worse: on tuning questions it almost never starts with the refusal.
        """
        answer = self._answer_prompt(question, retrieval, previous)
        probe = answer.removesuffix(_ANSWER_TURN) + "\n\n" + messages.ANSWERABILITY_PROMPT + _ANSWER_TURN
        with self._lock:
            p_yes = self._probability(self._tokens(probe), self._yes, self._no)
            self._evaluate(self._tokens(answer), keep=True)
        return p_yes

    def _tokens(self, prompt: str) -> list[int]:
        return self.llm.tokenize(prompt.encode(), special=True)

    def _evaluate(self, tokens: list[int], keep: bool = False) -> None:
        """Evaluate ``tokens``, reusing the cache of the longest prefix already evaluated.

        ``keep`` saves this prompt's cache: the next answer prompt starts with the same instructions
        (~110 tokens, several seconds on two cores), and the judge's prompts evaluated in between
        would otherwise have evicted them.
        """
        import llama_cpp

        llm = self.llm
        if self._kept and _common(self._kept[0], tokens) > _common(llm.input_ids[: llm.n_tokens].tolist(), tokens):
            ids, state = self._kept
            llama_cpp.llama_state_set_data(llm.ctx, state, len(state))
            llm.input_ids[: len(ids)] = ids
            llm.n_tokens = len(ids)
        llm.n_tokens = min(_common(llm.input_ids[: llm.n_tokens].tolist(), tokens), len(tokens) - 1)
        llm.eval(tokens[llm.n_tokens :])
        if keep:
            state = (ctypes.c_uint8 * llama_cpp.llama_state_get_size(llm.ctx))()
            llama_cpp.llama_state_get_data(llm.ctx, state, len(state))
            self._kept = (list(tokens), state)

    def _probability(self, tokens: list[int], wanted: list[int], against: list[int]) -> float:
        """P(next token in ``wanted`` rather than in ``against``), from the logits after ``tokens``."""
        import llama_cpp
        import numpy as np

        self._evaluate(tokens)
        logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(self.llm.ctx, -1), shape=(self.llm.n_vocab(),))
        pool = logits[wanted + against]
        top = float(pool.max())
        return float(np.exp(logits[wanted] - top).sum() / np.exp(pool - top).sum())

    def write(self, instruction: str, max_tokens: int) -> str:
        return "".join(self.complete(chatml(instruction), max_tokens)).strip()

    def condense(self, question: str, history: list[dict[str, str]]) -> str:
        rewritten = self.write(condense_prompt(question, history), 60)
        return self.accept_rewrite(rewritten, question, history)

    def judge(self, claim: str, passage: str) -> float | None:
        """P(Oui) that the passage supports the claim, read from the next-token logits.

        The small model judges a claim against one sentence far better than against a whole
        passage (0.67 against 0.25 for the same true claim), so we ask about the passage's
        two sentences closest to the claim, one at a time.
        """
        best = 0.0
        for sentence in closest_sentences(passage, {t: 1.0 for t in terms(claim)}, 2):
            best = max(best, self._p_yes(claim, sentence))
            if best >= 0.5:
                break
        return best

    def _p_yes(self, claim: str, evidence: str) -> float:
        tokens = self._tokens(chatml(messages.JUDGE_PROMPT.format(passage=evidence, claim=claim)))
        with self._lock:
            return self._probability(tokens, self._yes, self._no)


@functools.cache
def _loaded(model_file: str, context: int, threads: int) -> tuple[Llama, threading.Lock]:
    """One llama.cpp model per file and settings in a process: `quote`, `local` and the evaluation's judge
    read the same weights (loading a second copy cost ~1.9 GB), and share its lock: one context serves one
    request at a time."""
    try:
        from llama_cpp import Llama
    except ImportError as exc:
        raise RagError(messages.LLM_RUNTIME_MISSING) from exc
    llm = Llama(model_file, n_ctx=context, n_threads=threads, n_threads_batch=threads, verbose=False)
    atexit.register(llm.close)  # while llama_cpp is still whole: its own finaliser fails at interpreter exit
    return llm, threading.Lock()


def _common(a: list[int], b: list[int]) -> int:
    """Length of the common prefix."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
