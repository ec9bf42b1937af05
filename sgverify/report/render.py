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
import os
from pathlib import Path
from typing import Any

from markupsafe import Markup

from .._display import plural
from .data import DISPLAY_STATUSES, PAPER_URL, ReportData
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


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _numeric_columns(rows: Any, n: int) -> list[bool]:
    """Per column of a headline table: does it hold numbers (right-aligned, header too)?"""
    return [any(_is_number(row[i]) for row in rows if i < len(row)) for i in range(n)]


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
    env.filters.update(num=_num, ratio_class=_ratio_class, bar=_bar, plural=plural,
                       numeric_columns=_numeric_columns)
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
    from .plots import catalogue_svg, headline_svg

    # the plots are SVG this package writes (every label escaped by _svgplot)
    plots = {c.id: Markup(headline_svg(c.headline["plot"]))
             for c in data.claims if c.headline and c.headline.get("plot")}
    records = data.audit.records if data.audit is not None and data.audit.available else []
    figure_claims: dict[str, list[str]] = {f.name: [] for f in data.figures}
    for c in data.claims:
        if c.figure in figure_claims:
            figure_claims[c.figure].append(c.id)
    return env.get_template("index.html.j2").render(
        data=data, graph=graph, formulas=formulas, statuses=DISPLAY_STATUSES,
        env=data.environment, sections=data.sections,
        status_of={c.id: c.display_status for c in data.claims},
        proof_anchor={p.path: p.anchor for p in data.proofs},
        plots=plots, catalogue_plots=[Markup(catalogue_svg(r)) for r in records],
        figure_claims=figure_claims, paper_url=PAPER_URL,
    )


def report_json(data: ReportData) -> str:
    """``report.json``: the same data as the page (figures' pictures excluded)."""
    return json.dumps(data.to_dict(), indent=2, default=repr) + "\n"


def write_report(out_dir: str | os.PathLike[str], data: ReportData) -> dict[str, Path]:
    """Write ``index.html`` and ``report.json`` for already computed report data.

    Nothing is computed here (:mod:`sgverify.session` runs claims, figures and the catalogue
    and builds ``data``). The pair is replaced together or not at all: both texts are
    rendered and written to temporary files before either name changes, the two renames
    happen with SIGINT and SIGTERM held back, and if the second rename fails the first is
    rolled back. An interrupted or failing run leaves the previous pair, never a new JSON
    beside an old page.

    Returns
    -------
    dict
        ``{"html": path, "json": path}``.
    """
    from .._io import atomic_write_pair

    out = Path(out_dir)
    texts = {"json": report_json(data), "html": render_html(data)}
    paths = {"json": out / "report.json", "html": out / "index.html"}
    atomic_write_pair({paths[k]: texts[k].encode("utf-8") for k in ("json", "html")})
    return paths
