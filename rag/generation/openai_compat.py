"""Answers from any OpenAI-compatible server the user already runs (vLLM, llama.cpp server, Ollama /v1…)."""
from __future__ import annotations

import json
from collections.abc import Iterator

import httpx

from .. import messages
from ..retrieval import Retrieval
from . import Generator, GeneratorUnavailable
from .prompts import answer_prompt, condense_prompt


class OpenAICompatibleGenerator(Generator):
    name = "openai"

    def __init__(self, base_url: str, model: str, *, api_key: str | None = None, timeout: float = 30.0,
                 max_tokens: int = 220, prompt_words: int = 400) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.max_tokens = max_tokens
        self.prompt_words = prompt_words
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        # Bounded everywhere: connecting, and each wait for the next streamed piece.
        self.client = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)))

    def _chat(self, system: str | None, user: str, max_tokens: int) -> Iterator[str]:
        chat = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": user}]
        body = {"model": self.model, "messages": chat, "temperature": 0, "max_tokens": max_tokens, "stream": True}
        try:
            with self.client.stream("POST", f"{self.base_url}/chat/completions", json=body) as response:
                if response.status_code != 200:
                    response.read()
                    raise GeneratorUnavailable(self._failure(f"HTTP {response.status_code}"))
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        return
                    delta = json.loads(payload)["choices"][0].get("delta", {}).get("content")
                    if delta:
                        yield delta
        except httpx.HTTPError as exc:
            raise GeneratorUnavailable(self._failure(type(exc).__name__)) from exc
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise GeneratorUnavailable(self._failure("réponse illisible")) from exc

    def _failure(self, reason: str) -> str:
        return messages.SERVER_UNREACHABLE.format(url=self.base_url, reason=reason)

    def stream(self, question: str, retrieval: Retrieval, previous: str | None = None) -> Iterator[str]:
        prompt = answer_prompt(question, retrieval, self.prompt_words, previous)
        yield from self._chat(messages.ANSWER_SYSTEM_PROMPT, prompt, self.max_tokens)

    def write(self, instruction: str, max_tokens: int) -> str:
        return "".join(self._chat(None, instruction, max_tokens)).strip()

    def condense(self, question: str, history: list[dict[str, str]]) -> str:
        try:
            rewritten = self.write(condense_prompt(question, history), 60)
        except GeneratorUnavailable:
            rewritten = ""
        return self.accept_rewrite(rewritten, question, history)
