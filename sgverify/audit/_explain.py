"""How an :class:`~sgverify.audit.AuditResult` prints: one line, a short block, and HTML with
a small plot of the surrogate against its matched density (for Jupyter)."""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .._display import html_table, num, shorten, wrap

if TYPE_CHECKING:
    from ._core import AuditResult

__all__ = ["AuditResults", "audit_html", "audit_repr", "audit_str"]


def _params(p: dict[str, Any] | None) -> str:
    return ", ".join(f"{k}={num(v)}" for k, v in (p or {}).items())


def _verdict(r: AuditResult) -> str:
    if r.verdict == "rescaled density" and r.factor is not None:
        return f"rescaled density × {num(r.factor)}"
    return r.verdict


def _family(r: AuditResult) -> str:
    if r.family is None:
        return "no atlas family"
    shift = f", centred at v = {num(r.family_shift)}" if r.family_shift else ""
    return f"{r.family}({_params(r.family_params)}){shift}"


def audit_repr(r: AuditResult) -> str:
    who = f"{r.label.get('library')} {r.label.get('name')}: " if r.label.get("name") else ""
    params = f" ({_params(r.params)})" if r.params else ""
    fam = f", {_family(r)}" if r.is_density else ""
    return f"<AuditResult {who}{shorten(r.formula, 60)!r}{params}: {_verdict(r)}{fam}>"


def audit_str(r: AuditResult) -> str:
    area = "—" if r.area is None else num(r.area, 10)
    if r.area_symbolic:
        area += f" (exactly {r.area_symbolic})"
    lines = [audit_repr(r)[1:-1], wrap(f"reason: {r.reason}", 88, "  "),
             f"  area        {area}",
             f"  sign        {'nonnegative' if r.nonnegative else 'negative somewhere'} "
             f"(min {num(r.min_value)} at v = {num(r.min_at)})",
             f"  tails       {shorten('; '.join(f'{k}: {v}' for k, v in r.tails.items()), 74)}",
             f"  peak        {num(r.peak)} at v = {num(r.peak_at)}, full width at half "
             f"maximum {num(r.width)}",
             f"  family      {_family(r)}"]
    if r.cdf_symbolic:
        lines.append(f"  implied CDF {shorten(r.cdf_symbolic, 74)}")
    return "\n".join(lines)


def _window(r: AuditResult) -> tuple[float, float]:
    w, c = r.width, r.peak_at
    if w is None or not math.isfinite(w) or w <= 0:
        return -3.0, 3.0
    c = c if math.isfinite(c) and abs(c) <= 50 * w else 0.0
    return c - 4 * w, c + 4 * w


def audit_html(r: AuditResult) -> str:
    from .. import escape
    from .._svgplot import line_plot

    rows = [("verdict", _verdict(r)), ("reason", r.reason),
            ("area", "—" if r.area is None else num(r.area, 10)),
            ("family", _family(r)), ("implied CDF", r.cdf_symbolic or r.cdf_method or "—")]
    svg = ""
    try:
        v = np.linspace(*_window(r), 161)
        series = [("surrogate", v, r.density(v), "line")]
        if r.is_density and r.area:
            matched = r.density(v) / r.area
            if r.family is not None:
                fam = escape.from_name(r.family, **(r.family_params or {}))
                matched = fam.pdf(v - (r.family_shift or 0.0))
            series.append(("matched density", v, matched, "dashed"))
        svg = line_plot(series, "v = u − θ", "SD(v)", width=320, height=210)
    except Exception:  # a picture is a convenience; the table says everything
        svg = ""
    head = html.escape(r.formula) + (f" ({html.escape(_params(r.params))})" if r.params else "")
    return (f"<div><code>{head}</code><div style='display:flex;gap:1em;align-items:flex-start'>"
            f"{html_table(('', ''), rows)}{svg}</div></div>")


class AuditResults(list):
    """A list of audit results (what ``audit_catalogue()`` returns) that prints briefly:
    the verdict counts and one line per library, not one line per entry."""

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for r in self:
            counts[r.verdict] = counts.get(r.verdict, 0) + 1
        text = ", ".join(f"{n} {v}" for v, n in counts.items())
        return f"<{len(self)} audit results: {text}>"

    def __str__(self) -> str:
        libs: dict[str, list[Any]] = {}
        for r in self:
            libs.setdefault(str(r.label.get("library", "")), []).append(r)
        verdicts = list(dict.fromkeys(r.verdict for r in self))
        rows = [(lib or "(no library)", *(sum(r.verdict == v for r in rs) for v in verdicts))
                for lib, rs in libs.items()]
        from .._display import text_table

        return (repr(self)[1:-1] + "\n" + text_table(("library", *verdicts), rows, "  ") +
                "\n  index it (results[i]) or loop over it for each entry")

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(repr(self) if cycle else str(self))

    def _repr_html_(self) -> str:
        rows = [(r.label.get("library", ""), r.label.get("name", ""), _verdict(r),
                 r.area_symbolic or num(r.area), _family(r) if r.is_density else "—")
                for r in self]
        return html_table(("library", "name", "verdict", "area", "family"), rows, repr(self))
