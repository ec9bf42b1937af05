"""Tiny inline SVG line plots for the report and Jupyter reprs (a few KB each).

The report draws one small plot per limit claim and one per catalogue surrogate (76), inline
in a page that must stay a few MB and load nothing: a matplotlib SVG of a two-curve plot is
~25 KB of paths and glyphs and needs a plotting backend at render time, while these plots
are a polyline per curve and a handful of ticks, with text the browser sets in its own font.
Everything is escaped; no scripts, no external references.

Examples
--------
>>> from sgverify._svgplot import line_plot
>>> svg = line_plot([("error", [1, 10, 100], [1.0, 0.1, 0.01], "line")], "steps", "error",
...                 logx=True, logy=True)
>>> svg.startswith("<svg") and svg.count("<polyline") == 1 and "steps" in svg
True
>>> nice_ticks(0.0, 1.0)
[0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["COLOURS", "line_plot", "nice_ticks"]

#: matplotlib's tab10, so the small plots match the figures
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")
_MAX_POINTS = 240


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten) covering ``[lo, hi]``."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(count, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9)
    return [k * step for k in range(first, math.floor(hi / step + 1e-9) + 1)]


def _label(x: float, log: bool) -> str:
    if log:
        e = round(x)
        return f"1e{e}" if abs(x - e) < 1e-9 else f"{10 ** x:.2g}"
    if x == 0:
        return "0"
    return f"{x:.3g}" if 1e-3 <= abs(x) < 1e4 else f"{x:.0e}"


def _prepare(x: Sequence[Any], y: Sequence[Any], logx: bool, logy: bool) -> np.ndarray:
    a = np.column_stack([np.asarray(x, float), np.asarray(y, float)]) if len(x) else \
        np.empty((0, 2))
    ok = np.isfinite(a).all(axis=1)
    if logx:
        ok &= a[:, 0] > 0
    if logy:
        ok &= a[:, 1] > 0
    a = np.where(ok[:, None], a, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        if logx:
            a[:, 0] = np.log10(a[:, 0])
        if logy:
            a[:, 1] = np.log10(a[:, 1])
    if len(a) > _MAX_POINTS:  # evenly thinned; the ends are kept
        a = a[np.unique(np.linspace(0, len(a) - 1, _MAX_POINTS).round().astype(int))]
    return a


def _ticks(lo: float, hi: float, log: bool) -> list[float]:
    if log:
        ticks = [float(k) for k in range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1)]
        if len(ticks) > 6:
            stride = math.ceil(len(ticks) / 5)
            ticks = ticks[::stride]
        return ticks if len(ticks) >= 2 else nice_ticks(lo, hi, 3)
    return nice_ticks(lo, hi, 4)


def line_plot(series: Sequence[tuple[str, Sequence[Any], Sequence[Any], str]], xlabel: str,
              ylabel: str, *, logx: bool = False, logy: bool = False, width: int = 320,
              height: int = 190, title: str = "", legend: bool = True,
              css_class: str = "splot") -> str:
    """An SVG line plot of ``(label, x, y, style)`` series (style: line, dashed, points).

    Non-finite points (and non-positive ones on a log axis) are left out, breaking the line.
    """
    prepared = [(label, _prepare(x, y, logx, logy), style) for label, x, y, style in series]
    pts = np.concatenate([a for _, a, _ in prepared]) if prepared else np.empty((0, 2))
    pts = pts[np.isfinite(pts).all(axis=1)]
    esc = html.escape
    left, right, top, bottom = 52, 8, 18 if title else 8, 34
    legend_h = 13 * len(series) if legend and len(series) > 1 else 0
    pw, ph = width - left - right, height - top - bottom - legend_h
    out = [f'<svg class="{esc(css_class)}" xmlns="http://www.w3.org/2000/svg" '
           f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'role="img" aria-label="{esc(title or ylabel + " against " + xlabel)}" '
           f'font-family="sans-serif" font-size="10">']
    if title:
        out.append(f'<text x="{left}" y="12" font-weight="600">{esc(title)}</text>')
    if not len(pts):
        out.append(f'<text x="{left}" y="{top + ph / 2:.0f}">no finite values</text></svg>')
        return "".join(out)
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    if x1 <= x0:
        x0, x1 = x0 - 0.5, x1 + 0.5
    if y1 <= y0:
        pad = abs(y0) * 0.1 or 0.5
        y0, y1 = y0 - pad, y1 + pad
    ypad = 0.05 * (y1 - y0)
    y0, y1 = y0 - ypad, y1 + ypad

    def sx(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * pw

    def sy(v: float) -> float:
        return top + (y1 - v) / (y1 - y0) * ph

    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" '
               f'stroke="#bbb" stroke-width="0.8"/>')
    for t in _ticks(x0, x1, logx):
        if x0 - 1e-9 <= t <= x1 + 1e-9:
            out.append(f'<line x1="{sx(t):.1f}" x2="{sx(t):.1f}" y1="{top + ph}" '
                       f'y2="{top + ph + 3}" stroke="#888"/><text x="{sx(t):.1f}" '
                       f'y="{top + ph + 13}" text-anchor="middle">{esc(_label(t, logx))}</text>')
    for t in _ticks(y0, y1, logy):
        if y0 - 1e-9 <= t <= y1 + 1e-9:
            out.append(f'<line x1="{left - 3}" x2="{left}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" '
                       f'stroke="#888"/><text x="{left - 5}" y="{sy(t) + 3:.1f}" '
                       f'text-anchor="end">{esc(_label(t, logy))}</text>')
    if y0 < 0 < y1 and not logy:
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{sy(0):.1f}" y2="{sy(0):.1f}" '
                   f'stroke="#ccc" stroke-width="0.8"/>')
    out.append(f'<text x="{left + pw / 2:.0f}" y="{top + ph + 27}" text-anchor="middle">'
               f'{esc(xlabel)}</text>')
    out.append(f'<text transform="translate(11 {top + ph / 2:.0f}) rotate(-90)" '
               f'text-anchor="middle">{esc(ylabel)}</text>')
    for i, (_, a, style) in enumerate(prepared):
        colour = COLOURS[i % len(COLOURS)]
        if style == "points":
            for px, py in a[np.isfinite(a).all(axis=1)]:
                out.append(f'<circle cx="{sx(px):.1f}" cy="{sy(py):.1f}" r="2.2" '
                           f'fill="{colour}"/>')
            continue
        dash = ' stroke-dasharray="4 3"' if style == "dashed" else ""
        for run in _runs(a):
            coords = " ".join(f"{sx(px):.1f},{sy(py):.1f}" for px, py in run)
            out.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                       f'stroke-width="1.5"{dash}/>')
    if legend_h:
        for i, (label, _, style) in enumerate(prepared):
            ly = height - legend_h + 13 * i + 4
            colour = COLOURS[i % len(COLOURS)]
            dash = ' stroke-dasharray="4 3"' if style == "dashed" else ""
            mark = (f'<circle cx="{left + 8}" cy="{ly}" r="2.5" fill="{colour}"/>'
                    if style == "points" else
                    f'<line x1="{left}" x2="{left + 16}" y1="{ly}" y2="{ly}" '
                    f'stroke="{colour}" stroke-width="2"{dash}/>')
            out.append(f'{mark}<text x="{left + 21}" y="{ly + 3.5}">{esc(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def _runs(a: np.ndarray) -> list[np.ndarray]:
    """Consecutive finite stretches of the points (a NaN breaks the line)."""
    ok = np.isfinite(a).all(axis=1)
    runs, start = [], None
    for i, good in enumerate([*ok, False]):
        if good and start is None:
            start = i
        elif not good and start is not None:
            if i - start >= 1:
                runs.append(a[start:i])
            start = None
    return runs
