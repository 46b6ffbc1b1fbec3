"""Answer generators: each turns a question and its retrieved passages into a draft with [n] markers.

``n`` numbers the passages from 1 in retrieval order; `rag.citations.cite` checks and
renumbers the markers, so a generator needs to know nothing about citations.
"""
from __future__ import annotations

from typing import Protocol

from .. import messages
from ..config import Settings
from ..errors import RagError
from ..retrieval import Retrieval


class Generator(Protocol):
    name: str

    def generate(self, question: str, retrieval: Retrieval) -> str: ...


GENERATORS = ("extractive",)


def make_generator(name: str, settings: Settings) -> Generator:
    if name == "extractive":
        from .extractive import ExtractiveGenerator

        return ExtractiveGenerator(max_sentences=settings.answer_sentences)
    raise RagError(messages.UNKNOWN_GENERATOR.format(name=name, choices=", ".join(GENERATORS)))
