"""`rag eval`: retrieval, answers, faithfulness and refusals on a gold set; retrieval on PIAF.

Every comparison is a list of configurations: retrieval systems (`systems.retrieval_systems`)
and answer configurations (`AnswerConfig`), so a new generator ("local", a server) or a
support check is one more entry, not new code.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from . import metrics as M
from .dataset import GoldItem
from .judge import calibrate, load_calibration

RETRIEVAL_K = (1, 5, 10)


@dataclass
class AnswerConfig:
    """One way of answering: a generator name for ``Assistant.ask`` and our retriever's mode."""

    name: str
    label: str
    generator: str = "extractive"
    retrieval_mode: str = "hybrid"
    ask_options: dict | None = None  # extra keyword arguments for Assistant.ask
    settings: dict | None = None  # Settings overrides for this run, e.g. {"min_support": 0.0}: no support check


def default_answer_configs(generators: list[str], support_ablation: bool = False) -> list[AnswerConfig]:
    configs = []
    for name in generators:
        configs.append(AnswerConfig(f"{name}+hybrid", f"{name}, hybride (nous)", name, "hybrid"))
        if support_ablation and name != "extractive":
            configs.append(AnswerConfig(f"{name}+hybrid-nocheck", f"{name}, hybride, sans vérification", name,
                                        "hybrid", settings={"min_support": 0.0}))
    if "extractive" in generators:
        configs.append(AnswerConfig("extractive+dense", "extractive, dense seul", "extractive", "dense"))
    return configs


# ------------------------------------------------------------------ retrieval


def _ranking_metrics(relevant: list[bool], prefix: str = "") -> dict[str, float]:
    row = {f"{prefix}hit@{k}": M.hit_at_k(relevant, k) for k in RETRIEVAL_K}
    row[f"{prefix}mrr@10"] = M.mrr_at_k(relevant, 10)
    row[f"{prefix}ndcg@10"] = M.ndcg_at_k(relevant, 10)
    return row


def _aggregate(rows: list[dict]) -> dict[str, float | None]:
    keys = [k for k in rows[0] if isinstance(rows[0][k], (int, float))] if rows else []
    return {k: M.mean([r[k] for r in rows]) for k in keys}


# A dataset without answerable questions has no retrieval to score: every metric is None, not absent.
_NO_RANKING = dict.fromkeys({**_ranking_metrics([]), **_ranking_metrics([], "fact_")})


def evaluate_retrieval(systems, items: list[GoldItem], queries: dict[str, str], progress: bool = True) -> dict:
    """Per system: hit@k / MRR@10 / nDCG@10 where a passage is relevant when it comes from a gold
    source file ("source"), and when it contains a gold fact ("fact_")."""
    from .systems import cache_query_embeddings

    out = {}
    answerable = [it for it in items if it.answerable]
    embed_ms = cache_query_embeddings(systems[0].assistant.index.embedder, [queries[it.id] for it in answerable],
                                      progress=progress) if systems and hasattr(systems[0], "assistant") else None
    for system in systems:
        rows, latencies = [], []
        for item in tqdm(answerable, desc=f"Recherche {system.label}", disable=not progress, leave=False):
            started = time.perf_counter()
            hits = system.search(queries[item.id], 10)
            latencies.append((time.perf_counter() - started) * 1000)
            by_source = [h.source in item.sources for h in hits]
            by_fact = [M.fact_recall(h.text, item.gold_facts) > 0 for h in hits]
            rows.append({**_ranking_metrics(by_source), **_ranking_metrics(by_fact, "fact_")})
        out[system.name] = {"label": system.label, "n": len(rows), **_NO_RANKING, **_aggregate(rows),
                            **_latency(latencies, "search"), "query_embed_ms": _query_embed_ms(system, embed_ms)}
    return out


def _query_embed_ms(system, embed_ms: float | None) -> float | None:
    """BM25 alone never embeds the question."""
    return 0.0 if getattr(system, "mode", None) == "bm25" else embed_ms


def _latency(values: list[float], prefix: str) -> dict:
    return {f"{prefix}_p50_ms": M.percentile(values, 50), f"{prefix}_p95_ms": M.percentile(values, 95)}


# ------------------------------------------------------------------ answers


def evaluate_answers(assistant, config: AnswerConfig, items: list[GoldItem], judge, k: int | None = None,
                     threshold: float = 0.5, progress: bool = True) -> dict:
    from rag.errors import RagError
    from rag.retrieval import HybridRetriever

    original, original_settings = assistant.retriever, assistant.settings
    if config.settings:
        assistant.settings = assistant.settings.model_copy(update=config.settings)
    if config.retrieval_mode != "hybrid":
        assistant.retriever = HybridRetriever.from_settings(assistant.index, assistant.settings,
                                                            mode=config.retrieval_mode)
    details = []
    try:
        assistant.generator(config.generator)  # load once, fail early
        for item in tqdm(items, desc=f"Réponses {config.label}", disable=not progress, leave=False):
            try:
                answer = assistant.ask(item.question, k, history=item.history, generator=config.generator,
                                       **(config.ask_options or {}))
            except RagError as exc:
                details.append({"id": item.id, "question": item.question, "error": str(exc), "answered": False,
                                "answerable": item.answerable})
                continue
            details.append(_score_answer(item, answer, judge, threshold))
    finally:
        assistant.retriever, assistant.settings = original, original_settings
    return {"label": config.label, "generator": config.generator, "retrieval_mode": config.retrieval_mode,
            **summarize_answers(details), "items": details}


def _score_answer(item: GoldItem, answer, judge, threshold: float) -> dict:
    by_n = {c.n: c for c in answer.citations}
    shown = [s for s in answer.sentences if s.supported]  # what the support check removed is not in the answer
    pairs = [(s.text, [by_n[n].text for n in s.citations if n in by_n]) for s in shown]
    faith, scores = M.faithfulness(pairs, judge, threshold) if answer.answered else (None, [])
    sentences = [{"text": s.text, "citations": s.citations, "judge": score, "supported": score >= threshold,
                  "model_support": s.support} for s, score in zip(shown, scores)]
    sentences += [{"text": s.text, "citations": [], "judge": None, "supported": None, "removed_by_check": True,
                   "model_support": s.support} for s in answer.sentences if not s.supported]
    cited_sources = [c.source for c in answer.citations]
    precision, recall = M.citation_precision_recall(cited_sources, item.sources) if answer.answered else (None, None)
    text = answer.text if answer.answered else ""
    return {
        "id": item.id,
        "question": item.question,
        "history": item.history,
        "query": answer.query,
        "answerable": item.answerable,
        "answered": answer.answered,
        "gold": item.answer,
        "gold_sources": item.sources,
        "answer": answer.text,
        "f1": M.token_f1(text, item.answer) if item.answerable else None,
        "facts": M.fact_recall(text, item.gold_facts) if item.answerable else None,
        "citation_precision": precision if item.answerable else None,
        "citation_recall": recall if item.answerable else None,
        "faithfulness": faith,
        "citations": [{"n": c.n, "source": c.source, "start": c.start, "end": c.end, "text": c.text,
                       "evidence_start": c.evidence_start, "evidence_end": c.evidence_end} for c in answer.citations],
        "sentences": sentences,
        "drafted": len(answer.sentences),
        "removed_by_check": sum(not s.supported for s in answer.sentences),
        "timings": answer.timings,
    }


def summarize_answers(details: list[dict]) -> dict:
    scored = [d for d in details if "error" not in d]
    answerable = [d for d in scored if d["answerable"]]
    refusals = M.refusal_metrics([d["answerable"] for d in scored], [d["answered"] for d in scored])
    wrong = M.wrong_answer_metrics([d["answerable"] for d in scored], [d["answered"] for d in scored],
                                   [d["facts"] for d in scored])
    sentences = [s for d in scored for s in d.get("sentences", []) if not s.get("removed_by_check")]
    return {
        "n": len(details),
        "errors": len(details) - len(scored),
        "f1": M.mean([d["f1"] for d in answerable]),
        "fact_recall": M.mean([d["facts"] for d in answerable]),
        "f1_answered": M.mean([d["f1"] for d in answerable if d["answered"]]),
        "citation_precision": M.mean([d["citation_precision"] for d in answerable]),
        "citation_recall": M.mean([d["citation_recall"] for d in answerable]),
        # Faithfulness pools sentences over all answers (claim level), unanswerable questions included:
        # a sentence answering a question the corpus cannot answer must still be supported.
        "faithfulness": M.mean([s["supported"] for s in sentences]),
        "sentences": len(sentences),
        # How often the pipeline's own support check fires: drafted sentences it removed from answers.
        "check_removed": _ratio(sum(d.get("removed_by_check", 0) for d in scored), sum(d.get("drafted", 0) for d in scored)),
        **refusals,
        **wrong,
        **_latency([d["timings"]["total_ms"] for d in scored if d["answered"]], "answer"),
        **_latency([d["timings"]["first_token_ms"] for d in scored if "first_token_ms" in d["timings"]], "first_token"),
    }


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# ------------------------------------------------------------------ gold suite


def condensed_queries(assistant, items: list[GoldItem], generator: str = "extractive") -> dict[str, str]:
    """What each system searches: follow-ups are made standalone by the generator's ``condense``
    (the same query for every retrieval system, baseline included)."""
    gen = assistant.generator(generator)
    return {it.id: (gen.condense(it.question, it.history) if it.history else it.question).strip() for it in items}


def run_gold(assistant, systems, answer_configs, items, judge, judge_name: str, progress=True, k=None,
             threshold: float = 0.5) -> dict:
    calibration = calibrate(judge, load_calibration(), threshold, progress)
    queries = condensed_queries(assistant, items)
    retrieval = evaluate_retrieval(systems, items, queries, progress)
    from .systems import use_query_cache

    use_query_cache(assistant.index.embedder, False)  # answers are timed end to end
    answers = {c.name: evaluate_answers(assistant, c, items, judge, k, threshold, progress) for c in answer_configs}
    return {
        "dataset": {"n": len(items), "answerable": sum(i.answerable for i in items),
                    "unanswerable": sum(not i.answerable for i in items),
                    "followups": sum(bool(i.history) for i in items),
                    "generated_by": sorted({i.generated for i in items if i.generated}),
                    "sources": sorted({s for i in items for s in i.sources})},
        "judge": {"name": judge_name, **{k: v for k, v in calibration.items() if k != "details"},
                  "details": calibration["details"]},
        "retrieval": retrieval,
        "answers": answers,
    }


def gold_runs(results: dict) -> list[dict]:
    """``results["gold"]`` is one `run_gold` result, or a list of them when several datasets were given."""
    gold = results.get("gold")
    return [] if not gold else gold if isinstance(gold, list) else [gold]


# ------------------------------------------------------------------ PIAF


def run_piaf(path: Path, sample_n: int | None, seed: int, answer_sample: int, cache: Path, with_baseline: bool,
             progress=True, generator: str = "extractive", ablations: bool = False, answerability: int = 0,
             folds: int = 5) -> dict:
    """``answerability``: that many questions (a fixed sample of all of PIAF dev, whatever ``sample_n``)
    asked with and without their paragraph, see `piaf_answerability_rows`. ``folds``: the dense weight
    chosen by cross-validation over that many folds of articles, see `cross_validate_weight`."""
    from . import piaf
    from .systems import PipelineSystem, ablation_systems, open_pipeline, retrieval_systems

    paragraphs, questions = piaf.load(path)
    chosen = piaf.sample(questions, sample_n, seed)
    folder = piaf.write_corpus(paragraphs, cache / "piaf" / "docs")
    assistant = open_pipeline(cache / "piaf" / "index", folder, progress=progress)
    baseline = None
    if with_baseline:
        fingerprint = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
        baseline = piaf.baseline(paragraphs, assistant.index.embedder, fingerprint, cache / "piaf", progress)
    systems = retrieval_systems(assistant, baseline)
    if baseline is not None:
        systems.append(piaf.plain_fusion(baseline, paragraphs))
    if ablations:
        systems += [s for s in ablation_systems(assistant) if s.name != "hybrid"]
        words = assistant.settings.chunk_words  # paragraphs cut like any line: needs its own index
        split = open_pipeline(cache / "piaf" / "index-split", folder, progress, paragraph_words=words)
        systems.append(PipelineSystem(split, "hybrid", "split_paragraphs", f"hybride, paragraphes coupés à {words} mots"))
    from .systems import cache_query_embeddings

    texts = [q.question for q in chosen]
    embed_ms = cache_query_embeddings(assistant.index.embedder, texts, progress=progress)
    if ablations:  # the split-paragraph index loaded its own embedder
        cache_query_embeddings(split.index.embedder, texts, progress=progress)
    results, per_question = {}, {}
    for system in systems:
        rows, latencies = _piaf_rows(system, chosen, progress)
        kept = [r for r in rows if r is not None]
        per_question[system.name] = rows
        results[system.name] = {"label": system.label, "n": len(kept), "errors": len(rows) - len(kept),
                                **_aggregate(kept), **_latency(latencies, "search"),
                                "query_embed_ms": _query_embed_ms(system, embed_ms)}
    validation = cross_validate_weight(assistant, chosen, folds, seed, per_question, progress) if folds > 1 else None
    from .systems import use_query_cache

    use_query_cache(assistant.index.embedder, False)
    answers = (_piaf_answers(assistant, piaf.sample(chosen, answer_sample, seed), progress, generator)
               if answer_sample else None)
    decisions = None
    if answerability:
        rows = piaf_answerability_rows(assistant, piaf.sample(questions, answerability, seed), generator, progress)
        decisions = {"generator": generator, **summarize_answerability(rows), "rows": rows}
    return {
        "path": str(path), "paragraphs": len(paragraphs), "questions_total": len(questions),
        "questions": len(chosen), "seed": seed, "chunks": assistant.index.collection.count(),
        "baseline_chunks": getattr(baseline, "count", None), "systems": results, "answers": answers,
        "answerability": decisions, "cross_validation": validation,
    }


def _piaf_rows(system, questions, progress: bool) -> tuple[list[dict | None], list[float]]:
    """Per question, hit@k/MRR for the paragraph and for the answer (None when the search failed)."""
    from rag.errors import RagError

    rows, latencies = [], []
    for q in tqdm(questions, desc=f"PIAF {system.label}", disable=not progress, leave=False):
        started = time.perf_counter()
        try:
            hits = system.search(q.question, 10)
        except RagError:
            rows.append(None)
            continue
        latencies.append((time.perf_counter() - started) * 1000)
        para = [h.source == q.source for h in hits]
        ans = [any(M.contains_fact(h.text, a) for a in q.answers) for h in hits]
        rows.append({**_ranking_metrics(para), **_ranking_metrics(ans, "answer_")})
    return rows, latencies


WEIGHT_GRID = (0.3, 0.4, 0.5, 0.6, 0.7)


def cross_validate_weight(assistant, questions, folds: int, seed: int, per_question: dict, progress: bool) -> dict:
    """The dense weight as a user tuning on their own data would get it, scored on data it was not tuned on.

    Articles (not questions: they share paragraphs) are dealt into ``folds`` folds; see `held_out_choice`.
    The plain-fusion baseline, when run, is scored on the same folds."""
    import random

    from .systems import PipelineSystem

    ours = assistant.settings  # the default weight's rows were just computed as the "hybrid" system
    by_weight = {w: per_question["hybrid"] if w == ours.dense_weight and ours.fusion == "convex"
                 else _piaf_rows(PipelineSystem(assistant, "hybrid", dense_weight=w), questions, progress)[0]
                 for w in WEIGHT_GRID}
    articles = sorted({q.source.split("_")[0] for q in questions})
    random.Random(seed).shuffle(articles)
    fold_of = {a: n % folds for n, a in enumerate(articles)}
    result = held_out_choice(by_weight, [fold_of[q.source.split("_")[0]] for q in questions], folds,
                             per_question.get("rrf_plain"))
    result["held_out"]["label"] = f"hybride, poids choisi par validation croisée ({folds} plis)"
    return result


def held_out_choice(by_setting: dict, fold: list[int], folds: int, baseline: list | None = None) -> dict:
    """For each fold, the setting with the best mean MRR@10 on the other folds, scored on that fold alone:
    every question is scored by a setting chosen without it. ``by_setting[s][i]``: question i's metrics
    row under setting s (None when its search failed); ``fold[i]``: its fold."""

    def mean(rows, key, keep):
        return M.mean([r[key] for r, f in zip(rows, fold) if keep(f) and r is not None])

    report, held_out = [], [None] * len(fold)
    for k in range(folds):
        chosen = max(by_setting, key=lambda s: mean(by_setting[s], "mrr@10", lambda f: f != k))
        for i, f in enumerate(fold):
            if f == k:
                held_out[i] = by_setting[chosen][i]
        row = {"fold": k, "weight": chosen, "n": fold.count(k)}
        compared = {"ours": by_setting[chosen], **({"rrf_plain": baseline} if baseline is not None else {})}
        for name, rows in compared.items():
            row.update({f"{name}_{m}": mean(rows, m, lambda f: f == k) for m in ("hit@1", "hit@5", "mrr@10")})
        report.append(row)
    return {"folds": report, "grid": list(by_setting),
            "by_weight": {str(s): _aggregate([r for r in rows if r is not None]) for s, rows in by_setting.items()},
            "held_out": {"n": sum(r is not None for r in held_out), **_aggregate([r for r in held_out if r])},
            "baseline": _aggregate([r for r in baseline if r]) if baseline is not None else None}


def _piaf_answers(assistant, questions, progress, generator: str = "extractive") -> dict:
    """Whether the gold answer appears in the generated answer (extractive, hybrid), on a sample."""
    from rag.errors import RagError

    rows = []
    for q in tqdm(questions, desc="PIAF réponses", disable=not progress, leave=False):
        try:
            answer = assistant.ask(q.question, generator=generator)
        except RagError:
            continue
        text = answer.text if answer.answered else ""
        rows.append({
            "answered": answer.answered,
            "contains_gold": any(M.contains_fact(text, a) for a in q.answers),
            "f1": max(M.token_f1(text, a) for a in q.answers),
            "cites_paragraph": any(c.source == q.source for c in answer.citations),
            "total_ms": answer.timings.get("total_ms"),
        })
    return {
        "generator": generator,
        "n": len(rows),
        "answered": M.mean([r["answered"] for r in rows]),
        "contains_gold": M.mean([r["contains_gold"] for r in rows]),
        "f1": M.mean([r["f1"] for r in rows]),
        "cites_paragraph": M.mean([r["cites_paragraph"] for r in rows]),
        **_latency([r["total_ms"] for r in rows if r["total_ms"] is not None], "answer"),
    }


def piaf_answerability_rows(assistant, questions, generator: str = "extractive", progress: bool = True) -> list[dict]:
    """Each question asked twice, to measure refusals where the right decision is known: once as
    indexed (answerable), once with retrieval restricted to every other paragraph (``sources=``, as if
    its paragraph were not indexed: unanswerable). Other paragraphs of the same article stay, so a
    few "unanswerable" cases may still hold the answer (``contains_gold`` says which to read).

    One row per ask, for callers who study the decisions: ``best_dense`` is the best dense
    similarity among the retrieved passages, the main input of the refusal threshold.
    """
    from rag.errors import RagError

    everything = sorted(assistant.index.sources)
    rows = []
    for q in tqdm(questions, desc="PIAF avec et sans paragraphe", disable=not progress, leave=False):
        for answerable in (True, False):
            sources = None if answerable else [s for s in everything if s != q.source]
            try:
                retrieval = assistant.retrieve(q.question, sources=sources)
                answer = assistant.ask(q.question, generator=generator, sources=sources)
            except RagError:
                continue
            text = answer.text if answer.answered else ""
            rows.append({
                "id": q.id,
                "question": q.question,
                "gold": q.answers,
                "answerable": answerable,
                "answered": answer.answered,
                "answer": answer.text,
                "contains_gold": any(M.contains_fact(text, a) for a in q.answers),
                "cites_paragraph": any(c.source == q.source for c in answer.citations),
                "best_dense": max((p.dense for p in retrieval.passages if p.dense is not None), default=None),
            })
    return rows


def summarize_answerability(rows: list[dict]) -> dict:
    """Refusal rates on both runs of `piaf_answerability_rows`, and what the answers hold.

    "Wrong" follows `metrics.is_wrong` with the gold answer as the only fact: answered without it
    (answerable run), answered at all (unanswerable run)."""
    yes = [r for r in rows if r["answerable"]]
    no = [r for r in rows if not r["answerable"]]
    refusals = M.refusal_metrics([r["answerable"] for r in rows], [r["answered"] for r in rows])
    wrong = M.wrong_answer_metrics([r["answerable"] for r in rows], [r["answered"] for r in rows],
                                   [float(r["contains_gold"]) for r in rows])
    return {
        "n": len(yes),
        "answerable_refused": refusals["false_refusal_rate"],
        "unanswerable_refused": refusals["refusal_accuracy"],
        "decision_accuracy": refusals["decision_accuracy"],
        "contains_gold": M.mean([r["contains_gold"] for r in yes]),
        "cites_paragraph": M.mean([r["cites_paragraph"] for r in yes]),
        "wrong_answerable": wrong["wrong_rate_answerable"],
        "wrong_unanswerable": M.mean([M.is_wrong(False, r["answered"], None) for r in no]),
        "unanswerable_contains_gold": M.mean([r["contains_gold"] for r in no]),
        "crag_score": wrong["crag_score"],
    }
