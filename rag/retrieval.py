"""Hybrid retrieval: dense (Chroma) and French BM25, fused by reciprocal rank.

Also measures how much of the question a passage covers, weighted by term rarity:
the signal that lets the assistant refuse when the corpus is silent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .bm25 import FrenchBM25
from .chunking import Chunk
from .documents import COMMENT
from .french import terms
from .index import Index

MODES = ("hybrid", "dense", "bm25")


@dataclass
class Passage:
    chunk: Chunk
    score: float
    dense: float | None = None
    bm25: float | None = None
    coverage: float = 0.0


@dataclass
class Retrieval:
    query: str
    passages: list[Passage]
    term_weights: dict[str, float] = field(default_factory=dict)

    @property
    def best_coverage(self) -> float:
        return max((p.coverage for p in self.passages), default=0.0)

    def confidence(self, coverage_weight: float) -> float:
        """How likely the passages hold the answer: best dense similarity plus a bonus for covered terms.

        Neither signal is enough alone: paraphrases defeat term coverage, and the dense
        similarity of an off-topic question to a news corpus is never very low.
        """
        best_dense = max((p.dense for p in self.passages if p.dense is not None), default=0.0)
        return best_dense + coverage_weight * self.best_coverage


class HybridRetriever:
    def __init__(self, index: Index, *, candidates: int = 30, rrf_k: int = 60, mode: str = "hybrid",
                 dense_weight: float = 1.0, bm25: FrenchBM25 | None = None) -> None:
        """``dense_weight`` scales the dense list's RRF share against BM25's; ``bm25`` replaces the
        index's own keyword index (the evaluation compares one built without titles)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.index = index
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.mode = mode
        self.dense_weight = dense_weight
        self._bm25 = bm25

    def retrieve(
        self, query: str, k: int, *, include_comments: bool = False, sources: list[str] | None = None
    ) -> Retrieval:
        if sources is not None and not sources:
            return Retrieval(query=query, passages=[])
        bm25 = self._bm25 or self.index.bm25
        query_terms = terms(query)
        weights = {t: bm25.idf(t) for t in query_terms}
        ranked: dict[str, float] = {}
        dense_scores: dict[str, float] = {}
        bm25_scores: dict[str, float] = {}
        chunks: dict[str, Chunk] = {}
        if self.mode != "bm25":
            vector = self.index.embedder.get_query_embedding(query)
            hits = self.index.dense_search(vector, self.candidates, include_comments=include_comments,
                                           sources=sources)
            for rank, (chunk, similarity) in enumerate(hits, start=1):
                chunks[chunk.id] = chunk
                dense_scores[chunk.id] = similarity
                ranked[chunk.id] = ranked.get(chunk.id, 0.0) + self.dense_weight / (self.rrf_k + rank)
        if self.mode != "dense":
            scores = bm25.scores(query_terms)
            allowed = np.ones(len(scores), dtype=bool)
            if not include_comments:
                allowed &= bm25.kinds != COMMENT
            if sources is not None:
                allowed &= np.isin(bm25.sources, list(sources))
            scores = np.where(allowed, scores, 0.0)
            top = np.argsort(-scores, kind="stable")[: self.candidates]
            for rank, position in enumerate((p for p in top if scores[p] > 0), start=1):
                chunk_id = bm25.ids[position]
                bm25_scores[chunk_id] = float(scores[position])
                ranked[chunk_id] = ranked.get(chunk_id, 0.0) + 1.0 / (self.rrf_k + rank)
        chunks.update(self.index.get_chunks([i for i in ranked if i not in chunks]))
        passages: list[Passage] = []
        seen: set[str] = set()
        for chunk_id in sorted(ranked, key=lambda i: -ranked[i]):
            chunk = chunks[chunk_id]
            key = " ".join(re.findall(r"\w+", chunk.text.lower()))
            if key in seen:
                continue
            seen.add(key)
            passages.append(
                Passage(
                    chunk=chunk,
                    score=ranked[chunk_id],
                    dense=dense_scores.get(chunk_id),
                    bm25=bm25_scores.get(chunk_id),
                    coverage=coverage(weights, set(terms(chunk.search_text))),
                )
            )
            if len(passages) == k:
                break
        return Retrieval(query=query, passages=passages, term_weights=weights)


def coverage(weights: dict[str, float], present: set[str]) -> float:
    """Share of the question's weight (term rarity) that a text contains."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in present) / total if total else 0.0

