"""Singular points: where a surrogate is not finite or grows without bound, and whether the
integral survives there.

Candidates come from the formula (zeros of denominators, of ``log`` arguments, ``tan``'s
poles: :func:`._features.denominator_zeros`, and near-zeros of denominators that do not
change sign), from samples that are not finite, and for callables from local maxima of
``|g|`` that keep growing when zoomed into. Each is probed on both sides at distances
``w 10^-k``: the growth exponent ``p`` of ``|g| ~ |v - c|^-p`` decides. ``p >= 1`` is not
integrable (a pole), ``p < 1`` is (a breakpoint for the quadrature), ``p`` within 0.05 of 1
without an exact exponent from the formula is left undecided (the verdict then says
integrability is not established), and NaN beside the point means the surrogate is not
defined there.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["classify", "golden_max", "near_zeros", "spikes"]

Grid = Callable[[np.ndarray], np.ndarray]


def classify(g: Grid, c: float, w: float, exact: float | None) -> dict[str, Any]:
    """Probe ``g`` around ``c`` (on both sides, 12 decades below ``w``); ``exact`` is the
    growth exponent the formula implies, if known. Returns ``{"at", "kind", "exponent",
    "exact"}`` with kind ``pole``, ``integrable``, ``bounded``, ``undecided`` or
    ``undefined``."""
    ulp = float(np.spacing(max(abs(c), 1e-300)))
    # decades from w/10 down to 1000 ulps (the location is known to a few ulps)
    top, bottom = math.log10(w) - 1, math.log10(1e3 * ulp)
    deltas = 10.0 ** np.arange(top, bottom, -1.0)[:14]
    out: dict[str, Any] = {"at": c, "exact": exact}
    if deltas.size < 4:
        out.update(kind="undecided", exponent=None)
        return out
    ps, growing, qs = [], False, []
    for side in (1.0, -1.0):
        y = np.abs(g(c + side * deltas))
        if np.any(np.isnan(y)):
            out.update(kind="undefined", exponent=None,
                       side="right" if side > 0 else "left")
            return out
        if np.any(np.isinf(y)):
            ps.append(math.inf)
            growing = True
            continue
        # the slope of log|g| against log|v - c| over the last three decades: the
        # asymptotic exponent (the point is located to a few ulps, far below these steps)
        with np.errstate(divide="ignore", invalid="ignore"):
            ly, ld = np.log(y[-4:]), np.log(deltas[-4:])
            slope = (ly[-1] - ly[0]) / (ld[0] - ld[-1])
        ps.append(float(slope) if math.isfinite(slope) else 0.0)
        growing |= bool(y[-1] > 2 * max(y[0], 1e-300))
        qs.append(deltas * y)
    p = max(ps)
    if exact is not None and abs(p - exact) <= 0.2:
        p = exact
        decided = True
    else:
        decided = False
    out["exponent"] = p
    if p >= 1.0 if decided else p > 1.05:
        out["kind"] = "pole"
    elif p < 0.05 and not growing:
        out["kind"] = "bounded"
    elif decided or p <= 0.95:
        out["kind"] = "integrable"
    elif any(q[-1] >= q[0] * (1 - 1e-6) and q[0] > 0 for q in qs):
        # |v - c| |g| does not decrease towards c: at least c/|v - c|, whose integral
        # diverges logarithmically
        out["kind"] = "pole"
    else:
        out["kind"] = "undecided"
    return out


_INVPHI = (math.sqrt(5.0) - 1.0) / 2.0


def golden_max(f: Callable[[float], float], a: float, b: float, iters: int = 400) -> float:
    """The maximiser of ``f`` on [a, b] by golden-section search down to adjacent floats
    (SciPy's bounded Brent stops at sqrt(eps) relative, too coarse to probe a pole)."""
    c, d = b - _INVPHI * (b - a), a + _INVPHI * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iters):
        if not (a < c < d < b):
            break
        if fc >= fd or math.isnan(fd):
            b, d, fd = d, c, fc
            c = b - _INVPHI * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + _INVPHI * (b - a)
            fd = f(d)
    return c if fc >= fd else d


def near_zeros(num: Grid, x: np.ndarray, cap: int = 16) -> list[float]:
    """Zeros of a function that touches 0 without changing sign (``sin(v - 0.1)**2``):
    local minima of ``|num|`` on ``x``, minimised, kept when they reach 0 (to 1e-12 of the
    neighbouring values)."""
    with np.errstate(all="ignore"):
        a = np.abs(num(x))
    ok = np.isfinite(a)
    i = np.flatnonzero(ok[1:-1] & ok[:-2] & ok[2:] & (a[1:-1] < a[:-2]) & (a[1:-1] < a[2:])) + 1
    i = i[np.argsort(a[i], kind="stable")][:cap]
    out = []
    for j in sorted(i):
        def neg_abs(t: float) -> float:
            with np.errstate(all="ignore"):
                return -float(np.abs(num(np.array([t])))[0])

        z = golden_max(neg_abs, float(x[j - 1]), float(x[j + 1]))
        if -neg_abs(z) <= 1e-12 * max(a[j - 1], a[j + 1]):
            out.append(z)
    return out


def spikes(g: Grid, x: np.ndarray, y: np.ndarray, cap: int = 8) -> list[float]:
    """Local maxima of ``|g|`` that keep growing when zoomed into (a pole between samples)."""
    a = np.abs(y)
    ok = np.isfinite(a)
    i = np.flatnonzero(ok[1:-1] & ok[:-2] & ok[2:] & (a[1:-1] >= a[:-2]) & (a[1:-1] > a[2:])) + 1
    i = i[np.argsort(-a[i], kind="stable")][:cap]
    out = []
    for j in sorted(i):
        def size(t: float) -> float:
            return float(np.abs(g(np.array([t])))[0])

        z = golden_max(size, float(x[j - 1]), float(x[j + 1]))
        top = size(z)
        if not math.isfinite(top) or top > 1e3 * a[j]:
            out.append(z)
    return out
