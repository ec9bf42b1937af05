"""Report data: claim results, figures and the audit catalogue as dataclasses (-> JSON).

Everything the HTML page shows is computed here first, and ``report.json`` is the same data,
so the page and the JSON cannot disagree (the coverage.py pattern: data, then a template).

Examples
--------
>>> from sgverify.report.data import propagate_status
>>> status = {"a.x": "refuted", "b.y": "confirmed", "c.z": "confirmed"}
>>> uses = {"a.x": (), "b.y": ("a.x",), "c.z": ("b.y",)}
>>> shown = propagate_status(status, uses)
>>> [shown[c][0] for c in ("a.x", "b.y", "c.z")]
['refuted', 'blocked', 'blocked']
>>> shown["c.z"][1]
['b.y']
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..claims import VERDICTS, Result, jsonable

__all__ = [
    "DISPLAY_STATUSES",
    "REPORT_FORMAT",
    "AuditSection",
    "ClaimEntry",
    "FigureEntry",
    "ProofEntry",
    "ReportData",
    "build_report",
    "collect_audit",
    "collect_figures",
    "evidence_digest",
    "propagate_status",
]

#: version of the report.json layout; bump when keys change meaning
REPORT_FORMAT = 1
#: what a card can show: a verdict, or "blocked" (confirmed itself, but a dependency failed)
DISPLAY_STATUSES: tuple[str, ...] = ("confirmed", "blocked", "refuted", "inconclusive", "error")
#: Monte Carlo comparisons listed per card; the rest are counted (all are in report.json)
MAX_MC_ROWS = 8
_ROOT = Path(__file__).resolve().parents[2]


def propagate_status(
    status: Mapping[str, str],
    uses: Mapping[str, Sequence[str]],
    expected: Mapping[str, str] | None = None,
) -> dict[str, tuple[str, list[str], list[str]]]:
    """Derive each claim's shown status from its verdict and those of the claims it uses.

    A dependency *fails* when its verdict is not the one it expects (``confirmed`` unless
    ``expected`` says otherwise) or when it is itself blocked. A claim that got its expected
    verdict but uses a failing claim is shown as ``"blocked"``; any other verdict is shown as
    it is (a refutation is a finding and stays visible). Dependencies outside ``status``
    (not checked in this run) block nothing but are listed.

    Returns
    -------
    dict
        ``id -> (shown status, failing dependencies, dependencies not checked)``.
    """
    expected = expected or {}
    shown: dict[str, tuple[str, list[str], list[str]]] = {}
    visiting: set[str] = set()

    def fails(cid: str) -> bool:
        return status[cid] != expected.get(cid, "confirmed") or visit(cid)[0] == "blocked"

    def visit(cid: str) -> tuple[str, list[str], list[str]]:
        if cid in shown:
            return shown[cid]
        if cid in visiting:  # a cycle (the registry tests forbid them): break it, do not loop
            return (status[cid], [], [])
        visiting.add(cid)
        deps = list(uses.get(cid, ()))
        bad = [d for d in deps if d in status and fails(d)]
        unchecked = [d for d in deps if d not in status]
        own = status[cid]
        blocked = bool(bad) and own == expected.get(cid, "confirmed")
        shown[cid] = ("blocked" if blocked else own, bad, unchecked)
        visiting.discard(cid)
        return shown[cid]

    for cid in status:
        visit(cid)
    return shown


#: evidence keys renamed for people in the "where" of a Monte Carlo row
_PLACES = {"examples": "example", "worst_info": "worst point", "worst_point": "worst point"}


def _is_mc(d: Mapping[str, Any]) -> bool:
    return "samples" in d and "min_detectable_bias" in d


def _walk_mc(obj: Any, path: list[str], rows: list[dict[str, Any]]) -> None:
    if isinstance(obj, Mapping):
        if _is_mc(obj):
            err, bound = obj.get("error"), obj.get("bound")
            numeric = isinstance(err, (int, float)) and isinstance(bound, (int, float))
            ratio = err / bound if numeric and bound > 0 else None
            rows.append({"where": " › ".join(path) or "claim", "samples": obj.get("samples"),
                         "error": err, "bound": bound, "ratio": ratio,
                         "min_detectable_bias": obj.get("min_detectable_bias"),
                         "exact": obj.get("exact"), "mean": obj.get("mean")})
        for key, val in obj.items():
            if key in ("info", "outcome"):  # plumbing levels, not places a reader names
                _walk_mc(val, path, rows)
            elif isinstance(val, (Mapping, list)):
                _walk_mc(val, [*path, _PLACES.get(str(key), str(key))], rows)
    elif isinstance(obj, list):
        for i, val in enumerate(obj):
            name = val.get("name") if isinstance(val, Mapping) else None
            label = str(name) if isinstance(name, str) else f"[{i}]"
            _walk_mc(val, [*path[:-1], f"{path[-1]} {label}" if path else label], rows)


def _compact(obj: Any, limit: int = 300) -> str:
    import json

    text = json.dumps(obj, separators=(", ", ": "), default=repr)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fails(out: Any) -> bool:
    return isinstance(out, Mapping) and out.get("conclusive", True) and out.get("holds") is False


def evidence_digest(evidence: Mapping[str, Any]) -> dict[str, Any]:
    """The evidence a reader looks for first, pulled out of a claim's evidence dict.

    Keys: ``checks_run``, ``worst_ratio``, ``worst_where``, ``examples`` (pinned examples with
    ratio and outcome), ``search`` (Hypothesis statistics), ``counterexample``,
    ``failed`` (symbolic, pinned or summary checks that conclusively do not hold),
    ``monte_carlo`` (rows with sample size and minimum detectable bias, worst first),
    ``mc_count``, ``error`` and ``traceback``.
    """
    examples = [
        {"name": ex.get("name", f"[{i}]"), "ratio": ex.get("ratio"), "holds": ex.get("holds"),
         "conclusive": ex.get("conclusive", True), "point": _compact(ex.get("point"), 160)}
        for i, ex in enumerate(evidence.get("examples") or [])
    ]
    search = evidence.get("search")
    search_digest = counter = None
    if isinstance(search, Mapping):
        search_digest = {
            "mode": search.get("mode"),
            "examples_run": search.get("examples_run"),
            "inconclusive_points": search.get("inconclusive_points"),
            "worst_ratio": search.get("worst_ratio"),
            "worst_point": _compact(search.get("worst_point")) if "worst_point" in search else None,
            "found": search.get("found"),
            "witness": _compact(search.get("witness")) if "witness" in search else None,
        }
        ce = search.get("counterexample")
        if isinstance(ce, Mapping):
            counter = {"point": _compact(ce.get("point"), 600), "ratio": ce.get("ratio"),
                       "info": _compact(ce.get("info"), 900)}
    failed = [{"where": "symbolic derivation", "ratio": evidence["symbolic"].get("ratio")}
              for _ in [0] if _fails(evidence.get("symbolic"))]
    failed += [{"where": f"example {ex.get('name')}", "ratio": ex.get("ratio")}
               for ex in evidence.get("examples") or [] if _fails(ex)]
    failed += [{"where": "summary", "ratio": evidence["summary"].get("ratio")}
               for _ in [0] if _fails(evidence.get("summary"))]
    rows: list[dict[str, Any]] = []
    _walk_mc(evidence, [], rows)
    rows.sort(key=lambda r: -(r["ratio"] if isinstance(r["ratio"], (int, float)) else -1.0))
    mdb = [r["min_detectable_bias"] for r in rows
           if isinstance(r["min_detectable_bias"], (int, float))]
    return {
        "checks_run": evidence.get("checks_run"),
        "worst_ratio": evidence.get("worst_ratio"),
        "worst_where": evidence.get("worst_where"),
        "examples": examples,
        "search": search_digest,
        "counterexample": counter,
        "failed": failed,
        "monte_carlo": rows[:MAX_MC_ROWS],
        "mc_count": len(rows),
        "mc_samples": sorted({r["samples"] for r in rows if isinstance(r["samples"], int)}),
        "mc_min_detectable_bias": [min(mdb), max(mdb)] if mdb else None,
        "error": evidence.get("error"),
        "traceback": evidence.get("traceback"),
    }


@dataclass
class ClaimEntry:
    """One claim's card: its record (``Result.to_dict()``), shown status and digest."""

    record: dict[str, Any]
    display_status: str
    ok: bool
    blocked_by: list[str]
    unchecked_uses: list[str]
    digest: dict[str, Any]

    @property
    def id(self) -> str:
        return self.record["id"]

    @property
    def section(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def slug(self) -> str:
        return self.id.split(".", 1)[1]

    def to_dict(self) -> dict[str, Any]:
        return {**self.record, "display_status": self.display_status, "ok": self.ok,
                "blocked_by": self.blocked_by, "unchecked_uses": self.unchecked_uses}


@dataclass
class FigureEntry:
    """A reproduced paper figure (an inline PNG and its numbers), or why it is missing."""

    name: str
    available: bool
    title: str = ""
    caption: str = ""
    reason: str = ""
    png_base64: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def key_numbers(self) -> list[tuple[str, Any]]:
        """The figure's top-level numbers and short strings (the rest is in its JSON)."""
        return [(k, v) for k, v in self.data.items()
                if _scalar(v) and not (isinstance(v, str) and len(v) > 80)][:12]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("png_base64")  # the picture lives in the HTML; the JSON keeps the numbers
        return d


@dataclass
class AuditSection:
    """The surrogate catalogue (``sgverify.audit.audit_catalogue()``), or why it is missing."""

    available: bool
    reason: str = ""
    records: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    @property
    def verdict_counts(self) -> dict[str, int]:
        """Entries per audit verdict, when the records carry one."""
        out: dict[str, int] = {}
        for r in self.records:
            if isinstance(r.get("verdict"), str):
                out[r["verdict"]] = out.get(r["verdict"], 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"available": self.available, "reason": self.reason, "records": self.records}


@dataclass
class ProofEntry:
    """A proof script named by some claims, embedded so the report stays self-contained."""

    path: str
    anchor: str
    claims: list[str]
    source: str | None


@dataclass
class ReportData:
    """Everything on the page; :meth:`to_dict` is ``report.json``."""

    environment: dict[str, Any]
    profile: str
    seconds: float
    claims: list[ClaimEntry]
    figures: list[FigureEntry]
    audit: AuditSection | None
    proofs: list[ProofEntry]

    @property
    def counts(self) -> dict[str, int]:
        """Claims per verdict (every verdict listed, zeros included)."""
        out = dict.fromkeys(VERDICTS, 0)
        for c in self.claims:
            out[c.record["status"]] = out.get(c.record["status"], 0) + 1
        return out

    @property
    def display_counts(self) -> dict[str, int]:
        """Claims per shown status: blocked claims counted as blocked, not confirmed."""
        out = dict.fromkeys(DISPLAY_STATUSES, 0)
        for c in self.claims:
            out[c.display_status] = out.get(c.display_status, 0) + 1
        return out

    @property
    def sections(self) -> list[tuple[str, list[ClaimEntry]]]:
        """Claims grouped by section, in paper (registry) order."""
        groups: dict[str, list[ClaimEntry]] = {}
        for c in self.claims:
            groups.setdefault(c.section, []).append(c)
        return list(groups.items())

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "environment": {**self.environment, "profile": self.profile,
                            "seconds": round(self.seconds, 3)},
            "summary": {"counts": self.counts, "display_counts": self.display_counts,
                        "claims": len(self.claims),
                        "as_expected": sum(c.ok for c in self.claims)},
            "claims": [c.to_dict() for c in self.claims],
            "figures": [f.to_dict() for f in self.figures],
            "audit": None if self.audit is None else self.audit.to_dict(),
        }


def _reason(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= 500 else text[:499] + "…"


def figure_entry(
    name: str, profile: str, reproduce: Callable[[str, str], Any] | None = None
) -> FigureEntry:
    """Reproduce one figure as a report entry; a missing or failing one is "not available".

    ``reproduce(name, profile)`` defaults to :func:`sgverify.figures.reproduce`; it must return
    an object with ``title``, ``caption``, ``data`` and a matplotlib ``figure``.
    """
    import base64
    import io

    if reproduce is None:
        from .. import figures as _figures

        reproduce = _figures.reproduce
    start = time.perf_counter()
    rep = None
    try:
        rep = reproduce(name, profile)
        buf = io.BytesIO()
        # 110 dpi keeps a multi-panel figure sharp on screen and the page a few MB at most
        rep.figure.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        png = base64.b64encode(buf.getvalue()).decode("ascii")
        entry = FigureEntry(name, True, title=str(getattr(rep, "title", "") or name),
                            caption=str(getattr(rep, "caption", "") or ""),
                            png_base64=png, data=jsonable(dict(rep.data)))
    except Exception as exc:  # a reproducer still being written must not break the report
        entry = FigureEntry(name, False, reason=_reason(exc),
                            data={"traceback": traceback.format_exc(limit=4)})
    finally:
        _close(rep)
    entry.seconds = time.perf_counter() - start
    return entry


def collect_figures(
    names: Iterable[str],
    profile: str,
    reproduce: Callable[[str, str], Any] | None = None,
    on_start: Callable[[str], None] | None = None,
) -> list[FigureEntry]:
    """Reproduce each named figure in turn with :func:`figure_entry`."""
    out = []
    for name in names:
        if on_start is not None:
            on_start(name)
        out.append(figure_entry(name, profile, reproduce))
    return out


def _close(rep: Any) -> None:
    fig = getattr(rep, "figure", None)
    if fig is not None:
        try:
            import matplotlib.pyplot as plt

            plt.close(fig)
        except Exception:  # closing is housekeeping; a figure not made by pyplot is fine
            pass


#: catalogue columns in the order a reader wants them, when the records have them
_AUDIT_COLUMNS = ("library", "name", "formula", "params", "parameters", "verdict", "area",
                  "factor", "family", "family_params", "nonnegative", "integrable", "peak")
_MAX_AUDIT_COLUMNS = 9
_AUDIT_INLINE = ("reason",)  # shown under the verdict, not as a column of its own


def _scalar(x: Any) -> bool:
    return x is None or isinstance(x, (str, int, float, bool))


def collect_audit(provider: Callable[[], Iterable[Any]] | None = None) -> AuditSection:
    """Audit the surrogate catalogue; a missing or failing audit becomes "not available"."""
    try:
        if provider is None:
            from .. import audit as _audit

            provider = _audit.audit_catalogue
        records = [jsonable(r.to_dict() if hasattr(r, "to_dict") else r) for r in provider()]
        if not all(isinstance(r, dict) for r in records):
            raise TypeError("audit_catalogue() must return records with to_dict() -> dict")
    except Exception as exc:  # another engineer's module in progress must not break the report
        return AuditSection(False, reason=_reason(exc))
    keys: list[str] = []
    for r in records:
        keys.extend(k for k in r if k not in keys)
    simple = [k for k in keys if all(_scalar(r.get(k)) or (isinstance(r.get(k), dict) and
                                     all(_scalar(v) for v in r[k].values())) for r in records)]
    ordered = [k for k in _AUDIT_COLUMNS if k in simple]
    ordered += [k for k in simple if k not in ordered and k not in _AUDIT_INLINE]
    return AuditSection(True, records=records, columns=ordered[:_MAX_AUDIT_COLUMNS])


def _proofs(entries: list[ClaimEntry], root: Path) -> list[ProofEntry]:
    by_path: dict[str, list[str]] = {}
    for c in entries:
        if c.record.get("proof"):
            by_path.setdefault(c.record["proof"], []).append(c.id)
    out = []
    for path, ids in by_path.items():
        file = root / path
        try:
            source = file.read_text(encoding="utf-8") if file.is_file() else None
        except OSError:
            source = None
        anchor = "proof-" + "".join(ch if ch.isalnum() else "-" for ch in path)
        out.append(ProofEntry(path, anchor, ids, source))
    return out


def build_report(
    results: Sequence[Result],
    *,
    profile: str,
    seconds: float,
    environment: Mapping[str, Any] | None = None,
    figures: Sequence[FigureEntry] = (),
    audit: AuditSection | None = None,
    root: Path | None = None,
) -> ReportData:
    """Assemble the report from claim results, reproduced figures and the audit.

    ``environment`` defaults to :func:`sgverify._environment.environment`; ``root`` (where
    proof paths are resolved) defaults to the source tree sgverify runs from.
    """
    if environment is None:
        from .._environment import environment as _env

        environment = _env()
    if not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds >= 0):
        raise ValueError(f"seconds must be a finite number >= 0, got {seconds!r}")
    records = [r.to_dict() for r in results]
    status = {r["id"]: r["status"] for r in records}
    shown = propagate_status(status, {r["id"]: r["uses"] for r in records},
                             {r["id"]: r["expected"] for r in records})
    entries = [
        ClaimEntry(rec, shown[rec["id"]][0], rec["status"] == rec["expected"],
                   shown[rec["id"]][1], shown[rec["id"]][2], evidence_digest(rec["evidence"]))
        for rec in records
    ]
    return ReportData(dict(environment), profile, float(seconds), entries, list(figures), audit,
                      _proofs(entries, root or _ROOT))
