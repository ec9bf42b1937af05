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
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..claims import EVIDENCE_SCHEMA, VERDICTS, Evidence, Result
from .digest import RATIO_LABELS, evidence_digest
from .sections import AuditSection, FigureEntry, collect_audit, collect_figures, figure_entry

__all__ = [
    "DISPLAY_STATUSES",
    "PAPER_URL",
    "RATIO_LABELS",
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
    "figure_entry",
    "figure_of",
    "propagate_status",
]

#: version of the report.json layout; bump when keys change meaning (2: typed evidence, whose
#: own schema version is ``evidence_schema``; 3: each claim's ``headline``, ``figure`` and
#: the top-level ``findings``)
REPORT_FORMAT = 3
#: the paper the claims come from (the page links it; no request is made)
PAPER_URL = "https://arxiv.org/abs/2404.14964"
#: what a card can show: a verdict, or "blocked" (confirmed itself, but a dependency failed)
DISPLAY_STATUSES: tuple[str, ...] = ("confirmed", "blocked", "refuted", "inconclusive", "error")
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


@dataclass
class ClaimEntry:
    """One claim's card: its record (``Result.to_dict()``), shown status and digest.

    ``headline`` is the claim's :class:`~sgverify.claims.Headline` as a dict (None when it
    has none; ``headline_error`` says why when building it raised); ``figure`` names the
    reproduced figure of the claim's paper figure in this report, if any.
    """

    record: dict[str, Any]
    display_status: str
    ok: bool
    blocked_by: list[str]
    unchecked_uses: list[str]
    digest: dict[str, Any]
    headline: dict[str, Any] | None = None
    headline_error: str | None = None
    figure: str | None = None

    def __repr__(self) -> str:
        return f"<ClaimEntry {self.id}: {self.display_status}>"

    @property
    def id(self) -> str:
        return self.record["id"]

    @property
    def section(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def slug(self) -> str:
        return self.id.split(".", 1)[1]

    @property
    def paper_figure(self) -> str | None:
        """The paper figure the claim's source names (``"Fig. 4B"``), if any."""
        m = _FIG.search(self.record.get("source", ""))
        return None if m is None else f"Fig. {m.group(1)}"

    def to_dict(self) -> dict[str, Any]:
        return {**self.record, "display_status": self.display_status, "ok": self.ok,
                "blocked_by": self.blocked_by, "unchecked_uses": self.unchecked_uses,
                "headline": self.headline, "headline_error": self.headline_error,
                "figure": self.figure}


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

    def __repr__(self) -> str:
        shown = ", ".join(f"{n} {st}" for st, n in self.display_counts.items() if n)
        audit = "no catalogue" if self.audit is None else repr(self.audit)[1:-1]
        return (f"<ReportData ({self.profile}): {len(self.claims)} claims ({shown or 'none'}), "
                f"{len(self.figures)} figures, {len(self.findings)} findings, {audit}>")

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
    def failures(self) -> list[str]:
        """Builds that raised (figures, the catalogue, a headline): each ``"what: reason"``.

        Claims are judged by their verdicts; these are the other parts of the page that
        failed, which a command writing the report should report as a failure too.
        """
        out = [f"figure {f.name}: {f.reason}" for f in self.figures if f.failed]
        if self.audit is not None and self.audit.failed:
            out.append(f"catalogue: {self.audit.reason}")
        out += [f"headline of {c.id}: {c.headline_error}" for c in self.claims
                if c.headline_error]
        return out

    @property
    def findings(self) -> list[dict[str, Any]]:
        """What the checks found beyond confirming the paper, from the claims' headlines.

        One entry per claim whose headline states a finding: ``claim``, ``status`` (shown),
        ``text``, ``notes`` (details, e.g. per library), ``source``, ``figure`` (the
        reproduced figure's name, if in the report).
        """
        return [{"claim": c.id, "status": c.display_status, "text": c.headline["finding"],
                 "notes": list(c.headline.get("notes") or []),
                 "source": c.record.get("source", ""), "figure": c.figure}
                for c in self.claims if c.headline and c.headline.get("finding")]

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
            "evidence_schema": EVIDENCE_SCHEMA,
            "environment": {**self.environment, "profile": self.profile,
                            "seconds": round(self.seconds, 3)},
            "summary": {"counts": self.counts, "display_counts": self.display_counts,
                        "claims": len(self.claims),
                        "as_expected": sum(c.ok for c in self.claims),
                        "failures": self.failures},
            "paper": PAPER_URL,
            "findings": self.findings,
            "claims": [c.to_dict() for c in self.claims],
            "figures": [f.to_dict() for f in self.figures],
            "audit": None if self.audit is None else self.audit.to_dict(),
        }


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
    evidence = {r.claim.id: r.evidence for r in results}
    figs = list(figures)
    entries = []
    for r, rec in zip(results, records, strict=True):
        headline, error = _headline(r, {u: evidence[u] for u in r.claim.uses if u in evidence})
        entries.append(ClaimEntry(
            rec, shown[rec["id"]][0], rec["status"] == rec["expected"], shown[rec["id"]][1],
            shown[rec["id"]][2], evidence_digest(r.evidence), headline, error))
        entries[-1].figure = (figure_of(entries[-1].paper_figure, figs)
                              or _section_figure(entries[-1].section, figs))
    return ReportData(dict(environment), profile, float(seconds), entries, figs, audit,
                      _proofs(entries, root or _ROOT))


_FIG = re.compile(r"Fig\. (\d+[A-Z]?)")


def figure_of(paper_figure: str | None, figures: Sequence[FigureEntry]) -> str | None:
    """The name of the reproduced figure (in ``figures``) of a paper figure like "Fig. 4B".

    A figure's title starts with the paper figure it reproduces ("Fig. 4B: ..."); a claim
    about Fig. 7 finds no such figure and gets None.

    >>> figure_of("Fig. 5", [FigureEntry("fig5", True, title="Fig. 5: SG loop integrals")])
    'fig5'
    >>> figure_of("Fig. 7", [FigureEntry("fig5", True, title="Fig. 5: SG loop integrals")])
    """
    if paper_figure is None:
        return None
    for f in figures:
        m = _FIG.match(f.title or "")
        if m is not None and f"Fig. {m.group(1)}" == paper_figure:
            return f.name
    return None


#: figures that illustrate a whole claim section whose sources name no paper figure
_SECTION_FIGURES = {"snn": "training"}


def _section_figure(section: str, figures: Sequence[FigureEntry]) -> str | None:
    name = _SECTION_FIGURES.get(section)
    return name if any(f.name == name for f in figures) else None


def _headline(result: Result, used: Mapping[str, Evidence]) -> tuple[dict | None, str | None]:
    """The claim's headline as a dict, or why building it raised (the page shows it)."""
    try:
        h = result.headline(used)
    except Exception as exc:  # presentation must not hide the rest; the failure is listed
        return None, f"{type(exc).__name__}: {exc}"
    return (None if h is None else h.to_dict()), None
