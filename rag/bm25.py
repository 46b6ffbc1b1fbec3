"""A persistent French BM25 index (bm25s) over chunk ids, and the documents' accented spellings, rebuilt only when
the chunk set changes."""
from __future__ import annotations

import json
import math
from pathlib import Path

import bm25s
import numpy as np

from .chunking import Chunk
from .french import TERMS_VERSION, spellings, terms


class FrenchBM25:
    def __init__(self, retriever: bm25s.BM25, ids: list[str], kinds: list[str], sources: list[str], fingerprint: str,
                 accented: dict[str, str]) -> None:
        self.retriever = retriever
        self.accented = accented  # a question typed without accents is searched as the documents spell it
        self.ids = ids
        self.kinds = np.asarray(kinds, dtype=object)
        self.sources = np.asarray(sources, dtype=object)
        self.fingerprint = fingerprint
        self._position = {chunk_id: n for n, chunk_id in enumerate(ids)}
        indptr = np.asarray(retriever.scores["indptr"])
        self._df = np.diff(indptr)

    @classmethod
    def build(cls, chunks: list[Chunk], fingerprint: str, with_titles: bool = True) -> FrenchBM25:
        retriever = bm25s.BM25()
        texts = [c.search_text if with_titles else c.text for c in chunks]
        retriever.index([terms(t) or [""] for t in texts] or [[""]], show_progress=False)
        return cls(retriever, [c.id for c in chunks], [c.kind for c in chunks], [c.source for c in chunks], fingerprint,
                   spellings(texts))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.retriever.save(str(folder), show_progress=False)
        meta = {
            "fingerprint": self.fingerprint,
            "ids": self.ids,
            "kinds": self.kinds.tolist(),
            "sources": self.sources.tolist(),
            "accented": self.accented,
            "terms": TERMS_VERSION,
        }
        tmp = folder / "ids.json.tmp"
        tmp.write_text(json.dumps(meta), encoding="utf-8")
        tmp.replace(folder / "ids.json")

    @classmethod
    def load(cls, folder: Path) -> FrenchBM25 | None:
        """The saved index, or None when it is missing, unreadable or from an older version (it will be rebuilt)."""
        try:
            meta = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
            if meta.get("terms") != TERMS_VERSION:
                return None
            retriever = bm25s.BM25.load(str(folder), show_progress=False)
            return cls(retriever, meta["ids"], meta["kinds"], meta["sources"], meta["fingerprint"], meta["accented"])
        except (OSError, ValueError, KeyError):
            return None

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """BM25 score of every chunk, aligned with ``self.ids``."""
        known = [t for t in query_terms if t in self.retriever.vocab_dict]
        if not known or not self.ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        return self.retriever.get_scores(known)

    @property
    def vocabulary(self) -> dict[str, int]:
        return self.retriever.vocab_dict

    def positions(self, chunk_ids) -> dict[str, int]:
        """Where each known chunk sits in the arrays `scores` returns."""
        return {i: self._position[i] for i in chunk_ids if i in self._position}

    def idf(self, term: str) -> float:
        """Rarity of a term; an unknown term is as rare as can be, so a question about it stays unanswered."""
        n = len(self.ids)
        column = self.retriever.vocab_dict.get(term)
        df = int(self._df[column]) if column is not None else 0
        return math.log(1 + (n - df + 0.5) / (df + 0.5))
