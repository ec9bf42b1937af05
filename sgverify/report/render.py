"""Render :class:`~sgverify.report.data.ReportData` to one self-contained HTML page, and write
the page and its JSON twin atomically.

The page is a Jinja2 template with autoescaping on: every string from a claim, an evidence
dict, a figure or the audit is escaped. The only markup inserted as-is is what this package
writes itself: the dependency graph (:mod:`.graph`, which escapes its labels) and MathML
rebuilt from a whitelist (:mod:`.mathml`).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .data import DISPLAY_STATUSES, ReportData, build_report, collect_audit, collect_figures
from .graph import dependency_svg
from .mathml import to_mathml

__all__ = ["render_html", "report_json", "write_report"]

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def _num(x: Any, digits: int = 3) -> str:
    """Numbers for people: 3 significant digits, exact integers, strings unchanged."""
    if isinstance(x, bool) or x is None:
        return "—" if x is None else str(x).lower()
    if isinstance(x, int):
        return f"{x:,}".replace(",", "\u2009")
    if isinstance(x, float):
        if not math.isfinite(x):
            return str(x)
        if x == 0:
            return "0"
        return f"{x:.{digits}g}"
    return str(x)


def _ratio_class(x: Any) -> str:
    if not isinstance(x, (int, float)) or isinstance(x, bool):
        return "r-none"
    return "r-ok" if x <= 1 else "r-bad"


def _bar(x: Any) -> str:
    """Width (percent) of the ratio bar (budget used): log scale, 1e-6 -> 0 %, 1 -> 80 %."""
    if not isinstance(x, (int, float)) or isinstance(x, bool) or x != x:
        return "0"
    if x <= 0:
        return "0"
    if not math.isfinite(x):
        return "100"
    return f"{max(0.0, min(100.0, 80.0 + 80.0 * math.log10(x) / 6.0)):.1f}"


def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=True,  # every template here is HTML; no string reaches the page unescaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(num=_num, ratio_class=_ratio_class, bar=_bar)
    env.filters["pretty"] = lambda obj: json.dumps(obj, indent=2, default=repr)
    return env


def _formula(latex: str) -> Markup | None:
    mathml = to_mathml(latex, display="block")
    return None if mathml is None else Markup(mathml)  # rebuilt from a whitelist


def render_html(data: ReportData) -> str:
    """The report page as one HTML string (inline CSS and SVG, no scripts, no requests)."""
    env = _env()
    graph = Markup(dependency_svg(  # graph.py escapes its labels
        [(c.id, c.display_status, c.record["uses"]) for c in data.claims]))
    formulas = {c.id: _formula(c.record["formula"]) for c in data.claims}
    return env.get_template("index.html.j2").render(
        data=data, graph=graph, formulas=formulas, statuses=DISPLAY_STATUSES,
        env=data.environment, sections=data.sections,
        status_of={c.id: c.display_status for c in data.claims},
        proof_anchor={p.path: p.anchor for p in data.proofs},
    )


def report_json(data: ReportData) -> str:
    """``report.json``: the same data as the page (figures' pictures excluded)."""
    return json.dumps(data.to_dict(), indent=2, default=repr) + "\n"


def write_report(
    out_dir: str | Path,
    *,
    profile: str = "dev",
    patterns: Sequence[str] | None = None,
    results: Sequence[Any] | None = None,
    figures: bool | Sequence[str] = True,
    audit: bool = True,
    quiet: bool = False,
    jobs: int | None = None,
) -> tuple[dict[str, Path], list[Any]]:
    """Run the claims (with a progress display), reproduce the figures, write the report.

    Parameters
    ----------
    out_dir
        Folder for ``index.html`` and ``report.json`` (created if missing).
    profile
        ``"dev"``, ``"ci"`` or ``"thorough"``.
    patterns
        Claim ids or globs; None means every claim.
    results
        Already computed :class:`sgverify.claims.Result` objects to report instead of
        running the claims (the pytest plugin passes none and lets this run them).
    figures
        True for every figure of :func:`sgverify.figures.available`, False for none, or
        a list of names.
    audit
        Whether to include the surrogate catalogue.
    quiet
        Suppress the progress display.
    jobs
        Worker processes for claims, figures and the catalogue (default: one per CPU;
        1 runs everything in this process).

    Returns
    -------
    (paths, results)
        ``paths`` has keys ``"html"`` and ``"json"``; ``results`` are the claim results.

    Both files are written atomically (temporary file, then rename), so an interrupted run
    leaves the previous report, never half of a new one.
    """
    from .. import claims

    prof = claims.get_profile(profile)
    if isinstance(patterns, str):
        patterns = [patterns]
    if isinstance(figures, str):
        figures = [figures]
    start = time.perf_counter()
    from .. import figures as _figures

    names = list(_figures.available()) if figures is True else list(figures or [])
    unknown = [n for n in names if n not in _figures.available()]
    if unknown:
        raise ValueError(f"figures must be among {', '.join(_figures.available())}; "
                         f"got {', '.join(map(repr, unknown))}")
    if results is None:
        claims.select(list(patterns) if patterns else ["*"])  # bad patterns: ValueError now
        from .._parallel import Task
        from ..cli import run_claims
        from .data import collect_audit, figure_entry

        # figures and the catalogue share the worker pool with the claims; the catalogue
        # comes from the audit.catalogue claim's evidence when that claim runs anyway
        selected = {c.id for c in claims.select(list(patterns) if patterns else ["*"])}
        from_claim = audit and _CATALOGUE_CLAIM in selected
        # figures cost several claims each (training networks, 1e6-step loops)
        extra = [Task(f"figure {n}", figure_entry, (n, prof.name), cost=10.0,
                      group=_FIGURE_GROUPS.get(n)) for n in names]
        if audit and not from_claim:
            extra.append(Task("surrogate catalogue", collect_audit, cost=10.0))
        if extra:
            results, outs = run_claims(list(patterns or []), prof.name, quiet=quiet,
                                       jobs=jobs, extra=extra)
        else:
            results, outs = run_claims(list(patterns or []), prof.name, quiet=quiet,
                                       jobs=jobs), []
        figs, aud = list(outs[: len(names)]), (outs[-1] if audit else None)
        if from_claim:
            aud = _catalogue_from(results)
    else:
        figs, aud = _extras(names, prof.name, audit, quiet)
    results = list(results)
    data = build_report(results, profile=prof.name, seconds=time.perf_counter() - start,
                        figures=figs, audit=aud)
    return _write(Path(out_dir), data), results


_CATALOGUE_CLAIM = "audit.catalogue"
#: figures that reuse a claim group's cached computations when run in its worker
_FIGURE_GROUPS = {"training": "snn-training"}


def _catalogue_from(results: Sequence[Any]) -> Any:
    """The catalogue section from the audit.catalogue claim's own records."""
    from .data import AuditSection, collect_audit

    for r in results:
        if r.claim.id == _CATALOGUE_CLAIM:
            records = (r.evidence.outcome("summary") or {}).get("info", {}).get("records")
            if isinstance(records, list):
                return collect_audit(lambda records=records: records)
            reason = r.evidence.error or "the claim produced no catalogue records"
            return AuditSection(False, reason=f"{_CATALOGUE_CLAIM}: {reason}", failed=True)
    return AuditSection(False, reason=f"{_CATALOGUE_CLAIM} was not run")


def _write(out: Path, data: ReportData) -> dict[str, Path]:
    # atomic_write_text already gives the files a plain open()'s permissions (shareable)
    from .._io import atomic_write_text

    # both texts exist before either file is touched: a failure while rendering leaves the
    # previous pair in place, not a new JSON beside an old page
    texts = {"json": report_json(data), "html": render_html(data)}
    paths = {"json": atomic_write_text(out / "report.json", texts["json"]),
             "html": atomic_write_text(out / "index.html", texts["html"])}
    return paths


def _extras(names: Sequence[str], profile: str, audit: bool, quiet: bool) -> tuple[list, Any]:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=Console(stderr=True, highlight=False), transient=True,
        disable=quiet,
    ) as progress:
        task = progress.add_task("figures", total=len(names) + int(audit))

        def started(name: str) -> None:
            progress.update(task, description=f"[bold]reproducing {name}",
                            completed=list(names).index(name))

        figs = collect_figures(names, profile, on_start=started)
        progress.update(task, completed=len(names), description="[bold]auditing surrogates")
        aud = collect_audit() if audit else None
        progress.update(task, completed=len(names) + int(audit))
    return figs, aud
