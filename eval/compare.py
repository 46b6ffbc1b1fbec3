"""Two `rag eval --json` runs side by side, metric by metric, so a changed setting or model shows its cost."""
from __future__ import annotations

import json
import re
from pathlib import Path

from rag.errors import RagError

from .tables import table

# Metrics where a smaller number is the better one (timings, error shares, memory); a judge's
# accuracy per trap kind ("per_kind.wrong_person") is not one of them.
_LOWER_IS_BETTER = re.compile(r"(_ms$|_ms_|_s$|wrong|false_refusal|removed|errors?$|hijack|rss|latency|queued)")
_TIMING = re.compile(r"(_ms$|_ms_|_s$|latency|queued)")
TIMING_NOISE = 0.10  # timings on shared cores move by a few percent between identical runs
# Counts and settings that describe a run rather than grade it.
_NOT_A_METRIC = re.compile(r"(^|\.)(n|k|seed|count|chunks|docs|files|questions|users|seconds|folds|threshold|weight"
                           r"|start|end|evidence_start|evidence_end|index|answers_n|baseline_chunks)$")


def flatten(results, prefix: str = "") -> dict[str, float]:
    """Every number of a run under a readable path; list items are named by their label when they have one,
    and per-question details are skipped (they are not metrics)."""
    out: dict[str, float] = {}
    if isinstance(results, dict):
        for key, value in results.items():
            if key in ("items", "questions", "examples", "error_examples", "per_question", "rows", "compare"):
                continue
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(results, list):
        for position, value in enumerate(results):
            name = value.get("label") if isinstance(value, dict) else None
            out.update(flatten(value, f"{prefix}[{name if name is not None else position}]"))
    elif isinstance(results, (int, float)) and not isinstance(results, bool):
        if not _NOT_A_METRIC.search(prefix):
            out[prefix] = float(results)
    return out


def lower_is_better(path: str) -> bool:
    return ".per_kind." not in path and bool(_LOWER_IS_BETTER.search(path.rsplit(".", 1)[-1]))


def compare(previous: dict, current: dict, tolerance: float = 1e-9) -> list[dict]:
    """One row per metric present in both runs: before, after, change, and whether it got worse (a timing
    only when it grew by more than TIMING_NOISE)."""
    before, after = flatten(previous), flatten(current)
    rows = []
    for path in sorted(before.keys() & after.keys()):
        change = after[path] - before[path]
        if _TIMING.search(path.rsplit(".", 1)[-1]):
            tolerance_here = max(tolerance, TIMING_NOISE * abs(before[path]))
        else:
            tolerance_here = tolerance
        worse = change > tolerance_here if lower_is_better(path) else change < -tolerance_here
        rows.append({"metric": path, "before": before[path], "after": after[path], "change": change, "worse": worse})
    return rows


def load_run(path: Path) -> dict:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("un objet JSON était attendu")
    except (OSError, ValueError) as exc:
        raise RagError(f"Impossible de lire l'exécution précédente {path} ({exc}) : donnez la sortie de "
                       "« rag eval … --json > fichier.json ».") from exc
    return data


def render(rows: list[dict], previous: Path) -> str:
    if not rows:
        return f"Aucune métrique commune avec {previous} : les deux exécutions n'ont pas mesuré la même chose."
    changed = [r for r in rows if abs(r["change"]) > 1e-9]
    worse = sum(r["worse"] for r in rows)
    body = table(["métrique", "avant", "après", "écart", ""],
                 [[r["metric"], r["before"], r["after"], f"{r['change']:+.3f}", "▼ pire" if r["worse"] else ""]
                  for r in changed],
                 f"\nComparaison avec {previous} : {len(changed)} métrique(s) changée(s) sur {len(rows)}, "
                 f"{worse} moins bonne(s)")
    return body if changed else f"\nComparaison avec {previous} : aucune des {len(rows)} métriques n'a changé."
