"""``sgverify audit --plot``: the surrogate against the density it implies, as PNG or SVG.

One audit gives two panels (the surrogate with its matched family scaled by the factor, and
the implied escape-noise CDF); the catalogue gives one small panel per entry, coloured by
verdict. Figures are built on :class:`matplotlib.figure.Figure` (no pyplot state) and written
atomically.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["PLOT_SUFFIXES", "save_plot"]

#: the file types ``--plot`` writes (chosen by the extension)
PLOT_SUFFIXES = (".png", ".svg")

_COLOUR = {"density": "tab:green", "rescaled density": "tab:olive",
           "not a density": "tab:red", "inconclusive": "tab:purple"}


def _window(r: Any) -> tuple[float, float]:
    """Four widths either side of the peak; without a width (a step), the breakpoints'
    span; [-3, 3] when neither gives one."""
    lo, hi = math.inf, -math.inf
    w, c = r.width, r.peak_at
    has_w = w is not None and math.isfinite(w) and w > 1e-12 * max(1.0, abs(c or 0.0))
    if has_w and c is not None and math.isfinite(c):
        return c - 4 * w, c + 4 * w
    bps = [b for b in r.breakpoints if math.isfinite(b)]
    if bps:
        span = max(bps) - min(bps)
        pad = 0.5 * span if span > 0 else (4 * w if has_w else 1.0)
        lo, hi = min(lo, min(bps) - pad), max(hi, max(bps) + pad)
    if not (hi - lo > 1e-9 * max(1.0, abs(lo), abs(hi))):
        return -3.0, 3.0
    return lo, hi


def _curves(r: Any, n: int = 801) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    v = np.linspace(*_window(r), n)
    with np.errstate(all="ignore"):
        sd = np.asarray(r.density(v), dtype=np.float64)
    fam = None
    if r.family is not None and r.area:
        from .. import escape

        member = escape.from_name(r.family, **(r.family_params or {}))
        with np.errstate(all="ignore"):
            fam = r.area * np.asarray(member.pdf(v - (r.family_shift or 0.0)), dtype=float)
    return v, np.where(np.isfinite(sd), sd, np.nan), fam


def _one(r: Any) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.4), layout="constrained")
    ax, bx = fig.subplots(1, 2)
    v, sd, fam = _curves(r)
    ax.plot(v, sd, color=_COLOUR[r.verdict], lw=2, label="surrogate SD(v)")
    if fam is not None:
        ax.plot(v, fam, "k--", lw=1, label=f"{r.family} density x {r.area:.6g}")
    ax.axhline(0.0, color="0.7", lw=0.5)
    ax.set(xlabel="v = u - theta", ylabel="SD(v)", title=f"{r.verdict}: {r.formula}"[:70])
    ax.legend(fontsize=8)
    if r.is_density and r.area:
        cdf = np.concatenate([[0.0], np.cumsum(0.5 * (sd[1:] + sd[:-1]) * np.diff(v))])
        # the mass left of the window, so the curve is the CDF and not a partial integral
        try:
            left = r.cdf(float(v[0]))
        except (ValueError, ArithmeticError):  # a picture is a convenience
            left = 0.0
        bx.plot(v, left + cdf / r.area, color="tab:blue")
        bx.set(xlabel="v = u - theta", ylabel="F(v)", ylim=(-0.02, 1.02),
               title="implied escape-noise CDF")
    else:
        bx.axis("off")
        bx.text(0.0, 0.5, f"no implied CDF:\n{r.reason}"[:300], wrap=True, fontsize=9,
                va="center")
    return fig


def _many(rs: Sequence[Any]) -> Any:
    from matplotlib.figure import Figure

    cols = 8
    rows = max(1, math.ceil(len(rs) / cols))
    fig = Figure(figsize=(2.2 * cols, 1.7 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    for ax, r in zip(axes, rs, strict=False):
        v, sd, fam = _curves(r, 301)
        ax.plot(v, sd, color=_COLOUR[r.verdict], lw=1.5)
        if fam is not None:
            ax.plot(v, fam, "k--", lw=0.7)
        name = f"{r.label.get('library', '')} {r.label.get('name', '')}".strip() or r.formula
        ax.set_title(f"{name}\n{r.verdict}", fontsize=7, color=_COLOUR[r.verdict])
        ax.tick_params(labelsize=5)
    for ax in axes[len(rs):]:
        ax.axis("off")
    return fig


def save_plot(results: Any, path: str | Path) -> Path:
    """Write one audit (or a list of them, e.g. the catalogue) as a PNG or SVG figure."""
    from .._io import atomic_write_bytes

    suffix = Path(path).suffix.lower()
    if suffix not in PLOT_SUFFIXES:
        raise ValueError(f"--plot must end in .png or .svg, got {str(path)!r}")
    many = isinstance(results, (list, tuple))
    fig = _many(results) if many else _one(results)
    buf = io.BytesIO()
    fig.savefig(buf, format=suffix[1:], dpi=130)
    return atomic_write_bytes(path, buf.getvalue())
