"""Where a surrogate does something: read off its formula, or located from its samples.

From a formula (:func:`formula_features`, :func:`exact_kinks`, :func:`denominator_zeros`):
the centres and widths of its bumps (roots and critical points of every polynomial
sub-expression, e.g. ``0.3`` and ``1e-4`` in ``exp(-((v-0.3)/1e-4)**2)``), where it may kink
or jump (``|.|``, ``min``/``max``, ``where`` conditions) and where a denominator vanishes.
So a bump far from the threshold, or far narrower than any fixed grid, is sampled where it
is, not hoped for.

From samples (:func:`sample_breaks`): jumps by bisection to adjacent floats, kinks by zooming
in where the second difference spikes (a kink's second difference shrinks like the step ``h``,
a smooth function's like ``h^2``), and the edges of a compact support. A spurious
breakpoint costs the quadrature nothing; a missed one costs it its accuracy, which its
error estimate then reports.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from .. import symbols as S

__all__ = ["denominator_zeros", "exact_kinks", "formula_features", "kinks", "sample_breaks"]

_V = S.v
_MAX_FEATURES = 48
_MAX_DEGREE = 64  # polynomial sub-expressions of higher degree are not mined for features


def _sign_patterns(c: sp.Expr) -> Iterator[sp.Expr]:
    """``c`` with every ``|.|`` of v replaced by +/- its argument (all combinations)."""
    absn = sorted({a for a in c.atoms(sp.Abs) if a.has(_V)}, key=sp.default_sort_key)[:4]
    for signs in itertools.product((1, -1), repeat=len(absn)):
        yield c.xreplace({a: s * a.args[0] for a, s in zip(absn, signs, strict=True)})


def _polys(c: sp.Expr, max_degree: int) -> Iterator[sp.Poly]:
    for lin in _sign_patterns(c):
        try:
            poly = sp.Poly(lin, _V)
        except sp.PolynomialError:
            continue
        if 1 <= poly.degree() <= max_degree and all(
                k.is_number and k.is_real for k in poly.all_coeffs()):
            yield poly


def _kink_polys(expr: sp.Expr) -> Iterator[sp.Poly]:
    """Polynomials in v whose real roots are where the surrogate may kink or jump: the
    arguments of |.|, sign, min/max and piecewise conditions, one per sign pattern of the
    |.| terms inside them."""
    cands: list[sp.Expr] = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Abs, sp.sign, sp.Heaviside, sp.floor)):
            cands.append(node.args[0])
        elif isinstance(node, (sp.Min, sp.Max)):
            args = node.args
            cands.extend(a - b for i, a in enumerate(args) for b in args[i + 1:])
        elif isinstance(node, sp.Piecewise):
            for _, cond in node.args:
                for rel in sp.preorder_traversal(cond):
                    if isinstance(rel, sp.core.relational.Relational):
                        cands.append(rel.lhs - rel.rhs)
    for c in cands:
        if c.has(_V):
            yield from _polys(c, 2)


def kinks(expr: sp.Expr) -> list[float]:
    """Real roots of the kink polynomials in float64 (grid points of the scans)."""
    out = set()
    for poly in _kink_polys(expr):
        for root in np.roots([float(k) for k in poly.all_coeffs()]):
            if abs(root.imag) < 1e-12 and math.isfinite(root.real):
                out.add(float(root.real))
    return sorted(out)


def exact_kinks(expr: sp.Expr) -> list[Any]:
    """The same roots to 50 digits (mpmath numbers): quadrature breakpoints.

    A jump at a point float64 cannot represent (``|v| < 1/(2 beta)`` at beta = e) lies
    ~1e-17 inside the segment that starts at the rounded root; tanh-sinh samples that
    close to an endpoint, sees the jump, never converges and runs to its maximal degree.
    At 50 digits the breakpoint rounds to the same working-precision number as the jump in
    the mpmath form.
    """
    out: dict[float, Any] = {}
    for poly in _kink_polys(expr):
        for root in sp.roots(poly, filter=None, multiple=True):
            val = complex(sp.N(root, 17))
            if abs(val.imag) < 1e-12 and math.isfinite(val.real):
                with mpmath.workdps(50):
                    out.setdefault(val.real, mpmath.mpf(str(sp.N(sp.re(root), 50))))
    return [out[k] for k in sorted(out)]


def _local_scale(coeffs: np.ndarray, c: float, first: int) -> float | None:
    """``(k!/|p^(k)(c)|)^(1/k)`` for the first nonzero derivative order ``k >= first``: the
    distance over which the polynomial changes by 1 near ``c``."""
    p = np.poly1d(coeffs)
    for k in range(first, min(len(coeffs), 8)):
        d = float(np.polyder(p, k)(c))
        if d != 0.0 and math.isfinite(d):
            s = (math.factorial(k) / abs(d)) ** (1.0 / k)
            return s if s > 0 and math.isfinite(s) else None
    return None


def formula_features(expr: sp.Expr) -> list[tuple[float, float]]:
    """``(centre, scale)`` pairs from the roots and critical points of every polynomial
    sub-expression of ``expr`` (at most 48, deterministic order).

    Examples
    --------
    >>> from sgverify.audit import parse
    >>> formula_features(parse("exp(-((v-0.3)/1e-4)**2)").expr)[0]
    (0.3, 0.0001)
    """
    seen: dict[tuple[float, float], None] = {}
    for node in sp.preorder_traversal(expr):
        if not isinstance(node, (sp.Add, sp.Mul, sp.Pow, sp.Symbol)) or not node.has(_V):
            continue
        for poly in _polys(node, _MAX_DEGREE):
            coeffs = np.array([float(k) for k in poly.all_coeffs()])
            if not np.all(np.isfinite(coeffs)):
                continue
            for first, cs in ((1, coeffs), (2, np.polyder(np.poly1d(coeffs)).coeffs)):
                if len(cs) < 2:
                    continue
                for r in np.roots(cs):
                    if abs(r.imag) > 1e-9 * (1 + abs(r.real)) or not math.isfinite(r.real):
                        continue
                    c = float(r.real)
                    s = _local_scale(coeffs, c, first)
                    if s is not None and 1e-12 < s < 1e12 and abs(c) < 1e12:
                        seen.setdefault((float(f"{c:.12g}"), float(f"{s:.6g}")), None)
            if len(seen) >= _MAX_FEATURES:
                return list(seen)
    return list(seen)


def denominator_zeros(formula: Any, x: np.ndarray,
                      touching: Callable[[Any, np.ndarray], list[float]]
                      ) -> list[tuple[float, Any, float | None, str]]:
    """Candidate singular points ``(v, v_exact_or_None, growth_exponent_or_None, text)``.

    Polynomial denominators (in v and |v|) are solved exactly (square-free factors, so each
    root's multiplicity is known and the growth exponent is multiplicity x order); others
    are bracketed by sign changes of their NumPy form on the scan grid ``x``, and zeros
    they touch without changing sign are found by ``touching(num, x)``.
    """
    out: list[tuple[float, Any, float | None, str]] = []
    for d in formula.denominators:
        sym, order = d.sym, d.order
        while isinstance(sym, sp.Pow) and sym.exp.is_number and sym.exp > 0:
            sym, order = sym.base, order * float(sym.exp)  # D = B**e: |f| ~ |B|^-(e order)
        polys = []
        for lin in _sign_patterns(sym):
            try:
                polys.append(sp.Poly(lin, _V))
            except sp.PolynomialError:
                polys = None
                break
        if polys is not None and all(k.is_real for p in polys for k in p.all_coeffs()):
            for poly in polys:
                if poly.degree() < 1:
                    continue
                for factor, mult in poly.sqf_list()[1]:
                    for r in _real_roots(factor):
                        val = float(r)
                        # a root of one sign pattern is a zero only where that pattern holds
                        with np.errstate(all="ignore"):
                            dv = abs(float(d.num(np.array([val]))[0]))
                            step = 1e-6 * max(abs(val), 1e-300)
                            near = np.abs(d.num(np.array([val - step, val + step])))
                        if dv <= 1e-9 * max(float(np.max(near)), 1e-300):
                            out.append((val, r, mult * order, d.text))
            continue
        with np.errstate(all="ignore"):
            y = d.num(x)
        ok = np.isfinite(y)
        for i in np.flatnonzero(ok[:-1] & ok[1:] & (np.sign(y[:-1]) * np.sign(y[1:]) < 0)):
            out.append((_bisect_sign(d.num, float(x[i]), float(x[i + 1])), None, None, d.text))
        for i in np.flatnonzero(y == 0):
            out.append((float(x[i]), None, None, d.text))
        out += [(z, None, None, d.text) for z in touching(d.num, x)]
        if len(out) > 64:
            break
    return out[:64]


def _real_roots(factor: sp.Poly) -> list[Any]:
    if factor.degree() <= 2:
        roots = [r for r in sp.roots(factor, multiple=True) if r.is_real]
        with mpmath.workdps(50):
            return [mpmath.mpf(str(sp.N(r, 50))) for r in roots]
    with mpmath.workdps(50):
        coeffs = [mpmath.mpf(str(sp.N(k, 60))) for k in factor.all_coeffs()]
        try:
            roots = mpmath.polyroots(coeffs, maxsteps=200, extraprec=200)
        except mpmath.libmp.NoConvergence:
            return []
        return [mpmath.re(r) for r in roots if abs(mpmath.im(r)) < mpmath.mpf("1e-30")]


def _bisect_sign(f: Callable[[np.ndarray], np.ndarray], a: float, b: float) -> float:
    with np.errstate(all="ignore"):
        fa = float(f(np.array([a]))[0])
    for _ in range(200):
        m = 0.5 * (a + b)
        if m in (a, b):
            break
        with np.errstate(all="ignore"):
            fm = float(f(np.array([m]))[0])
        if fm == 0:
            return m
        if (fm < 0) == (fa < 0):
            a, fa = m, fm
        else:
            b = m
    return 0.5 * (a + b)


# --- breakpoints from samples ------------------------------------------------------------

def _adjacent(a: float, b: float) -> bool:
    m = 0.5 * (a + b)
    return m in (a, b)


def _shortest(a: float, b: float) -> float:
    """Of two adjacent floats around a jump, the one a person would write (0.5, not
    0.49999999999999994): the jump lies between them either way."""
    return min((a, b), key=lambda t: (len(repr(t)), abs(t)))


def _bisect_edge(g: Callable[[float], float], a: float, b: float) -> float:
    """The edge between ``g == 0`` at one end and ``g != 0`` at the other, to adjacent
    floats."""
    za = g(a) == 0
    for _ in range(1100):
        if _adjacent(a, b):
            break
        m = 0.5 * (a + b)
        if (g(m) == 0) == za:
            a = m
        else:
            b = m
    return _shortest(a, b) if _adjacent(a, b) else 0.5 * (a + b)


def _bisect_jump(g: Callable[[float], float], a: float, b: float) -> tuple[float, float]:
    """Bisect towards the larger half-difference; returns (location, remaining jump)."""
    ga, gb = g(a), g(b)
    for _ in range(1100):
        if _adjacent(a, b):
            break
        m = 0.5 * (a + b)
        gm = g(m)
        if abs(gm - ga) >= abs(gb - gm):
            b, gb = m, gm
        else:
            a, ga = m, gm
    return (_shortest(a, b) if _adjacent(a, b) else 0.5 * (a + b)), abs(gb - ga)


def _zoom_kink(g: Callable[[np.ndarray], np.ndarray], a: float, b: float, floor: float
               ) -> float | None:
    """Zoom in on the largest second difference; a kink's shrinks 4x per 4x zoom, a smooth
    function's 16x. Returns the kink's location, or None when the point is smooth (or its
    kink is below float64 rounding, where it costs the quadrature nothing)."""
    sizes: list[float] = []
    for _ in range(40):
        t = np.linspace(a, b, 9)
        y = g(t)
        d2 = np.abs(y[:-2] - 2 * y[1:-1] + y[2:])
        j = int(np.argmax(d2)) + 1
        sizes.append(float(d2[j - 1]))
        if sizes[0] <= floor:
            return None
        a, b = float(t[j - 1]), float(t[j + 1])
        if len(sizes) >= 4 and (sizes[-1] / sizes[-4]) ** (1 / 3) < 1 / 8:
            return None
        if sizes[-1] <= floor or b - a <= 4e-16 * max(abs(a), abs(b), 1e-300):
            break
    k = min(len(sizes) - 1, 3)
    if k >= 1 and sizes[-1 - k] > 0 and (max(sizes[-1], floor) / sizes[-1 - k]) ** (1 / k) < 1 / 8:
        return None
    return 0.5 * (a + b)


def sample_breaks(
    g: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    y: np.ndarray,
    peak: float,
    *,
    known: list[float],
    cap: int = 48,
) -> tuple[list[float], dict[str, int]]:
    """Jumps, kinks and support edges located from samples ``y = g(x)`` (``x`` sorted).

    Returns the sorted breakpoints (at most ``cap`` of each kind, the largest first) and
    counts of what was found, for the evidence.
    """
    scale_x = np.maximum(np.abs(x), 1e-300)
    near_known = np.zeros(x.size, dtype=bool)
    for k in known:
        near_known |= np.abs(x - k) <= 1e-9 * np.maximum(scale_x, abs(k))
    found: list[float] = []
    counts = {"support edges": 0, "jumps": 0, "kinks": 0, "smooth candidates dropped": 0}

    with np.errstate(all="ignore"):  # huge values divided by tiny steps: inf, never a warning
        return _sample_breaks(g, x, y, peak, known, cap, near_known, found, counts)


def _sample_breaks(g, x, y, peak, known, cap, near_known, found, counts):
    """:func:`sample_breaks` inside its floating-point error state."""
    def g1(t: float) -> float:
        return float(g(np.array([t]))[0])

    # support edges: exactly zero on one side (not where the function merely underflows)
    z = y == 0
    for i in np.flatnonzero(z[:-1] != z[1:])[:cap]:
        if near_known[i] or near_known[i + 1] or max(abs(y[i]), abs(y[i + 1])) < 1e-250 * peak:
            continue
        found.append(_bisect_edge(g1, float(x[i]), float(x[i + 1])))
        counts["support edges"] += 1

    h = np.diff(x)
    d = np.diff(y)
    slope = d / h
    # jumps: a difference far larger than the neighbouring slopes explain
    nb = np.maximum(np.abs(np.r_[slope[1:], 0.0]), np.abs(np.r_[0.0, slope[:-1]])) * h
    jump = (np.abs(d) > 16 * nb) & (np.abs(d) > 1e-9 * peak)
    order = np.argsort(np.where(jump, -np.abs(d), np.inf), kind="stable")[: int(jump.sum())][:cap]
    for i in sorted(order):
        if near_known[i] or near_known[i + 1] or any(x[i] <= f <= x[i + 1] for f in found):
            continue
        loc, left = _bisect_jump(g1, float(x[i]), float(x[i + 1]))
        if left > 1e-3 * abs(d[i]):
            found.append(loc)
            counts["jumps"] += 1

    # kinks: a second divided difference far above its neighbours'
    dd = np.zeros(x.size)
    dd[1:-1] = 2 * (slope[1:] - slope[:-1]) / (h[1:] + h[:-1])
    size = np.abs(dd)
    around = np.maximum(np.r_[size[2:], 0, 0], np.r_[0, 0, size[:-2]])
    # the slope change over the shorter neighbouring step must exceed float64 rounding
    hmin = np.r_[0, np.minimum(h[1:], h[:-1]), 0]
    visible = np.abs(np.r_[0, slope[1:] - slope[:-1], 0]) * hmin > 1e-12 * peak
    kink = (size > 8 * around) & visible
    kink[[0, -1]] = False
    order = np.argsort(np.where(kink, -size, np.inf), kind="stable")[: int(kink.sum())][:cap]
    floor = 1e-15 * peak
    for i in sorted(order):
        if near_known[i] or any(abs(f - x[i]) <= 2 * max(h[i - 1], h[i]) for f in found):
            continue
        loc = _zoom_kink(g, float(x[i - 1]), float(x[i + 1]), floor)
        if loc is None:
            counts["smooth candidates dropped"] += 1
        else:
            found.append(loc)
            counts["kinks"] += 1
    out = sorted(set(found))
    return out, counts
