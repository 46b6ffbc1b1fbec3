"""Hybrid retrieval: dense (Chroma, best sentence per chunk) and French BM25, fused.

The default fusion is a convex combination of the two lists' scores, each standardised over the
pooled candidates (Bruch et al., "An Analysis of Fusion Functions for Hybrid Retrieval", 2023):
unlike reciprocal rank fusion it keeps how far ahead a passage is. Measured on PIAF dev with the
weight chosen on other folds, it beats RRF (eval/README.md).

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
from .french import respelled, spelled_out, terms
from .index import Index

MODES = ("hybrid", "dense", "bm25")
FUSIONS = ("convex", "rrf")


@dataclass
class Passage:
    chunk: Chunk
    score: float
    dense: float | None = None
    bm25: float | None = None
    coverage: float = 0.0
    sentence_dense: list[float] | None = None  # the question's cosine with each sentence (`Chunk.sentence_texts`)


@dataclass
class Retrieval:
    query: str
    passages: list[Passage]
    term_weights: dict[str, float] = field(default_factory=dict)
    # How far the best candidate stands above the others: its convex-fused score, a mix of the two lists' scores in
    # standard deviations, whatever fusion ranked the passages. An answer is likelier when one passage stands out.
    standing: float = 0.0

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
    def __init__(self, index: Index, *, candidates: int = 30, fusion: str = "convex", dense_weight: float = 0.4,
                 rrf_k: int = 60, mode: str = "hybrid", bm25: FrenchBM25 | None = None) -> None:
        """``dense_weight`` is the dense score's share in the convex fusion; ``rrf_k`` serves the
        ``rrf`` fusion (equal weights); ``bm25`` replaces the index's own keyword index (the
        evaluation compares one built without titles)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}")
        self.index = index
        self.candidates = candidates
        self.fusion = fusion
        self.dense_weight = dense_weight
        self.rrf_k = rrf_k
        self.mode = mode
        self._bm25 = bm25

    @classmethod
    def from_settings(cls, index: Index, settings, **overrides) -> HybridRetriever:
        """The configured retriever; ``overrides`` change single knobs (the evaluation's ablations)."""
        options = {"candidates": settings.candidates, "fusion": settings.fusion,
                   "dense_weight": settings.dense_weight, "rrf_k": settings.rrf_k}
        return cls(index, **{**options, **overrides})

    def retrieve(
        self, query: str, k: int, *, include_comments: bool = False, sources: list[str] | None = None
    ) -> Retrieval:
        if sources is not None and not sources:
            return Retrieval(query=spelled_out(query), passages=[])
        self.index.follow()
        bm25 = self._bm25 or self.index.bm25
        # « c koi le mdp du wifi », « linfirmiere » are searched, and read, as « c'est quoi le mot de passe… »,
        # « l'infirmière »
        query = respelled(spelled_out(query), bm25.accented, bm25.vocabulary)
        query_terms = terms(query)
        weights = {t: bm25.idf(t) for t in query_terms}
        dense_scores: dict[str, float] = {}
        bm25_scores: dict[str, float] = {}
        chunks: dict[str, Chunk] = {}
        vector = None
        if self.mode != "bm25":
            vector = self.index.embedder.get_query_embedding(query)
            hits = self.index.dense_search(vector, self.candidates, include_comments=include_comments,
                                           sources=sources)
            for chunk, similarity in hits:
                chunks[chunk.id] = chunk
                dense_scores[chunk.id] = similarity
        if self.mode != "dense":
            scores = bm25.scores(query_terms)
            allowed = np.ones(len(scores), dtype=bool)
            if not include_comments:
                allowed &= bm25.kinds != COMMENT
            if sources is not None:
                allowed &= np.isin(bm25.sources, list(sources))
            scores = np.where(allowed, scores, 0.0)
            top = [p for p in np.argsort(-scores, kind="stable")[: self.candidates] if scores[p] > 0]
            bm25_scores = {bm25.ids[p]: float(scores[p]) for p in top}
            if self.fusion == "convex" and self.mode == "hybrid":  # every dense candidate needs its BM25 score
                bm25_scores.update((i, float(scores[p])) for i, p in bm25.positions(dense_scores).items())
        convex = self._convex(dense_scores, bm25_scores)
        fused = self._fuse(dense_scores, bm25_scores, convex)
        chunks.update(self.index.get_chunks([i for i in fused if i not in chunks]))
        passages: list[Passage] = []
        seen: set[str] = set()
        for chunk_id in sorted(fused, key=lambda i: -fused[i]):
            chunk = chunks.get(chunk_id)
            if chunk is None:  # deleted by another process since this one's BM25 index was built
                continue
            key = " ".join(re.findall(r"\w+", chunk.text.lower()))
            if key in seen:
                continue
            seen.add(key)
            passages.append(
                Passage(
                    chunk=chunk,
                    score=fused[chunk_id],
                    dense=dense_scores.get(chunk_id),
                    bm25=bm25_scores.get(chunk_id),
                    coverage=coverage(weights, set(terms(chunk.search_text))),
                )
            )
            if len(passages) == k:
                break
        if vector is not None:
            similarities = self.index.sentence_similarities(vector, [p.chunk for p in passages])
            for passage in passages:
                passage.sentence_dense = similarities.get(passage.chunk.id)
        return Retrieval(query=query, passages=passages, term_weights=weights,
                         standing=max(convex.values(), default=0.0))

    def _fuse(self, dense: dict[str, float], keyword: dict[str, float], convex: dict[str, float]) -> dict[str, float]:
        """The configured fusion; ``convex`` is `_convex` of the same lists, computed once for the standing too."""
        return convex if self.fusion == "convex" and dense and keyword else self._rrf(dense, keyword)

    def _rrf(self, dense: dict[str, float], keyword: dict[str, float]) -> dict[str, float]:
        fused: dict[str, float] = {}
        for scores in (dense, keyword):
            for rank, chunk_id in enumerate(sorted(scores, key=lambda i: -scores[i]), start=1):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (self.rrf_k + rank)
        return fused

    def _convex(self, dense: dict[str, float], keyword: dict[str, float]) -> dict[str, float]:
        """Each list's scores standardised over the pooled candidates, mixed; one list alone, standardised."""
        pool = list(dict.fromkeys([*dense, *keyword]))
        if not dense or not keyword:
            scores = dense or keyword
            return dict(zip(pool, standardised([scores[i] for i in pool]).tolist()))
        floor = min(dense.values())  # a passage outside the dense list is at most as similar as its last one
        dense_z = standardised([dense.get(i, floor) for i in pool])
        keyword_z = standardised([keyword.get(i, 0.0) for i in pool])
        mixed = self.dense_weight * dense_z + (1 - self.dense_weight) * keyword_z
        return dict(zip(pool, mixed.tolist()))


def standardised(values: list[float]) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    spread = array.std()
    return (array - array.mean()) / spread if spread > 0 else np.zeros_like(array)


def coverage(weights: dict[str, float], present: set[str]) -> float:
    """Share of the question's weight (term rarity) that a text contains."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in present) / total if total else 0.0

