"""A claim's evidence digest: what its card shows first (worst ratio, deciding bound,
pinned examples, search statistics, Monte Carlo rows, failures), pulled out of the typed
evidence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..claims import Evidence, monte_carlo_rows

__all__ = ["MAX_MC_ROWS", "RATIO_LABELS", "evidence_digest"]

#: Monte Carlo comparisons listed per card; the rest are counted (all are in report.json)
MAX_MC_ROWS = 8


def _compact(obj: Any, limit: int = 300) -> str:
    import json

    text = json.dumps(obj, separators=(", ", ": "), default=repr)
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: what an outcome's ratio measures, by how it was formed (the card's label)
RATIO_LABELS = {
    "within": "error / bound",
    "exceeds": "floor / effect",
    "check": "yes/no check (0 holds, inf fails)",
    "all": "worst part",
}


def evidence_digest(evidence: Evidence) -> dict[str, Any]:
    """The evidence a reader looks for first, pulled out of a claim's typed evidence.

    Keys: ``checks_run``, ``worst_ratio``, ``worst_where``, ``ratio_label`` (what the worst
    ratio measures: ``error / bound`` or ``floor / effect``...), ``worst_bound`` (the bound or
    floor that decided, with its tolerance and scale when the claim's tolerance set it),
    ``examples`` (pinned examples with ratio and outcome), ``search`` (Hypothesis
    statistics), ``counterexample``, ``failed`` (checks that conclusively do not hold),
    ``monte_carlo`` (rows with sample size and minimum detectable bias, worst first),
    ``mc_count``, ``error`` and ``traceback``.
    """
    examples = [
        {"name": c.name, "ratio": c.outcome.get("ratio"), "holds": c.holds,
         "conclusive": c.conclusive, "point": _compact(c.point, 160)}
        for c in evidence.stage("example")
    ]
    search = evidence.search
    search_digest = counter = None
    if isinstance(search, Mapping):
        witness = [c for c in evidence.stage("search") if c.name == "witness"]
        search_digest = {
            "mode": search.get("mode"),
            "examples_run": search.get("examples_run"),
            "inconclusive_points": search.get("inconclusive_points"),
            "worst_ratio": search.get("worst_ratio"),
            "worst_point": _compact(search.get("worst_point")) if "worst_point" in search else None,
            "found": search.get("found"),
            "witness": _compact(witness[0].point) if witness else None,
        }
    for c in evidence.stage("search"):
        if c.name == "counterexample":
            counter = {"point": _compact(c.point, 600), "ratio": c.outcome.get("ratio"),
                       "info": _compact(c.outcome.get("info"), 900)}
    failed = [{"where": c.where, "ratio": c.outcome.get("ratio")}
              for c in evidence.checks if c.fails and c.stage != "search"]
    rows = [{"where": r["where"], "samples": r.get("samples"), "error": r.get("error"),
             "bound": r.get("bound"), "ratio": r.get("ratio"),
             "min_detectable_bias": r.get("min_detectable_bias"), "exact": r.get("exact"),
             "mean": r.get("mean")} for r in monte_carlo_rows(evidence)]
    rows.sort(key=lambda r: -(r["ratio"] if isinstance(r["ratio"], (int, float)) else -1.0))
    mdb = [r["min_detectable_bias"] for r in rows
           if isinstance(r["min_detectable_bias"], (int, float))]
    worst = evidence.worst
    return {
        "checks_run": evidence.checks_run,
        "worst_ratio": None if worst is None else worst.ratio,
        "worst_where": None if worst is None else worst.where,
        "ratio_label": RATIO_LABELS.get(worst.test, "") if worst is not None else "",
        "worst_bound": _deciding_bound(evidence),
        "examples": examples,
        "search": search_digest,
        "counterexample": counter,
        "failed": failed,
        "monte_carlo": rows[:MAX_MC_ROWS],
        "mc_count": len(rows),
        "mc_samples": sorted({r["samples"] for r in rows if isinstance(r["samples"], int)}),
        "mc_min_detectable_bias": [min(mdb), max(mdb)] if mdb else None,
        "error": evidence.error,
        "traceback": evidence.traceback,
    }


def _deciding_bound(evidence: Evidence) -> dict[str, Any] | None:
    """The bound (or floor) of the leaf check that set the worst ratio, as the card shows it."""
    worst = evidence.worst
    if worst is None:
        return None
    check = next(c for c in evidence.checks
                 if c.stage == worst.stage and c.name == worst.name)
    out: Mapping[str, Any] = check.outcome
    path = []
    while out.get("test") == "all" and out.get("info", {}).get("worst") in (out.get("parts") or {}):
        name = out["info"]["worst"]
        path.append(str(name))
        out = out["parts"][name]
    info = out.get("info", {})
    mc = out.get("monte_carlo") or {}
    keys = ("error", "bound", "value", "floor", "tolerance", "scale")
    found = {k: info[k] for k in keys if k in info}
    found.update({k: mc[k] for k in ("error", "bound", "z", "samples") if k in mc})
    return {"part": " › ".join(path), "test": out.get("test"), **found} if found else None
