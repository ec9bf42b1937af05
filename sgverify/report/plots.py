"""The page's small plots: a claim's headline plot and each catalogue surrogate against its
matched density, as inline SVG (:mod:`sgverify._svgplot`; a few KB each, no requests).

Examples
--------
>>> from sgverify.report.plots import catalogue_svg
>>> rec = {"library": "x", "name": "atan", "formula": "alpha/2/(1 + (pi/2*alpha*v)**2)",
...        "params": {"alpha": 2.0}, "verdict": "density", "area": 1.0, "width": 0.64,
...        "peak_at": 0.0, "family": "arctan", "family_params": {"beta": 3.14159265},
...        "family_shift": 0.0}
>>> svg = catalogue_svg(rec)
>>> svg.count("<polyline"), "snnTorch" in svg or "x atan" in svg
(2, True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .._svgplot import line_plot

__all__ = ["catalogue_svg", "headline_svg"]


def headline_svg(plot: Mapping[str, Any]) -> str:
    """A claim's :class:`~sgverify.claims.Plot` (as its dict) drawn as inline SVG."""
    series = [(s["label"], s["x"], s["y"], s.get("style", "line")) for s in plot["series"]]
    return line_plot(series, plot["xlabel"], plot["ylabel"], logx=bool(plot.get("logx")),
                     logy=bool(plot.get("logy")), width=360, height=200 + 13 * (
                         len(series) if len(series) > 1 else 0), css_class="splot")


def _finite(x: Any) -> float | None:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _window(rec: Mapping[str, Any]) -> tuple[float, float]:
    """The v-range to draw: the peak +- 4 half-widths, or +-3 when there is no width."""
    width, centre = _finite(rec.get("width")), _finite(rec.get("peak_at"))
    if width is None or width <= 0:
        return -3.0, 3.0
    if centre is None or abs(centre) > 50 * width:
        centre = 0.0
    return centre - 4 * width, centre + 4 * width


def catalogue_svg(rec: Mapping[str, Any], points: int = 161) -> str:
    """One catalogue surrogate (solid) against its matched density (dashed), if it has one.

    The matched density is the recognised atlas family's (with its parameter and shift);
    a density of no atlas family is matched by itself divided by its area. A surrogate
    that is not a density has none: it is drawn alone, negative lobes and offsets visible.
    """
    from .. import audit, escape

    lo, hi = _window(rec)
    v = np.linspace(lo, hi, points)
    title = f"{rec.get('library', '')} {rec.get('name', '')}".strip()
    try:
        g = audit.parse(str(rec["formula"]), dict(rec.get("params") or {})).numpy(v)
    except (KeyError, TypeError, ValueError) as exc:
        return line_plot([], "v", "SD(v)", title=f"{title}: {exc}", width=250, height=150)
    series = [("surrogate", v, g, "line")]
    area = _finite(rec.get("area"))
    if rec.get("verdict") in ("density", "rescaled density") and area:
        matched = None
        if rec.get("family"):
            try:
                fam = escape.from_name(str(rec["family"]), **dict(rec.get("family_params") or {}))
                matched = fam.pdf(v - (_finite(rec.get("family_shift")) or 0.0))
            except (TypeError, ValueError):
                matched = None
        if matched is None:
            matched = g / area
        series.append(("matched density", v, matched, "dashed"))
    # no legend: the section's text says what solid and dashed are
    return line_plot(series, "v = u − θ", "", title=title, width=250, height=150,
                     legend=False, css_class="cplot")
