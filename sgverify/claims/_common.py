"""Helpers shared by claim modules: the Monte Carlo tolerance, references, symbolic zero tests."""

from __future__ import annotations

import itertools
import math
from typing import Any

import sympy as sp

from .. import symbols as S
from ..statistics import EPS, MC_WHY, Z
from ._record import Outcome, Tolerance

__all__ = [
    "EPS",
    "MC_WHY",
    "MONTE_CARLO",
    "TINIEST",
    "Z",
    "density_reference",
    "is_zero_everywhere",
    "potential_for_probability",
    "within_any",
]

#: the tolerance of every Monte Carlo comparison: its z-bound (theory 8.4)
MONTE_CARLO = Tolerance(Z, MC_WHY)


def is_zero_everywhere(expr: sp.Expr, var: sp.Symbol = S.v) -> bool:
    """True when ``expr`` simplifies to 0 on every piece, on both half-lines of ``var``.

    Splitting at ``var = 0`` resolves ``Abs``/``sign``; ``piecewise_fold`` exposes each piece.
    A piece that does not vanish is accepted only if it lives on a set of measure zero (the
    boundary point between two pieces); that set is found with the other symbols set to
    positive test values, while the vanishing of the pieces is decided symbolically.
    """
    pos = sp.Symbol(f"{var.name}_pos", positive=True)
    for sign in (1, -1):
        folded = sp.piecewise_fold(sp.expand_func(expr.subs(var, sign * pos)))
        pieces = folded.args if isinstance(folded, sp.Piecewise) else ((folded, True),)
        earlier = sp.false
        for piece, cond in pieces:
            region = sp.And(cond, sp.Not(earlier))
            earlier = sp.Or(earlier, cond)
            # hyperbolic and trigonometric forms often vanish only once written as exponentials
            if sp.simplify(piece) == 0 or sp.simplify(piece.rewrite(sp.exp)) == 0:
                continue
            if not _measure_zero(region, pos):
                return False
    return True


def _measure_zero(region: sp.Basic, var: sp.Symbol) -> bool:
    others = sorted(region.free_symbols - {var}, key=str)
    for values in ((sp.Rational(7, 3),), (sp.Rational(1, 5),)):
        sub = region.subs({s: values[0] for s in others})
        if sub == sp.true:
            return False
        if sub == sp.false:
            continue
        decided = _measure_zero_by_intervals(sub, var)
        if decided is None:
            the_set = sp.Intersection(sub.as_set(), sp.Interval.open(0, sp.oo))
            decided = the_set.measure == 0
        if not decided:
            return False
    return True


def _measure_zero_by_intervals(region: sp.Basic, var: sp.Symbol) -> bool | None:
    """Whether ``region`` (in ``var > 0``) has measure zero, when every relation in it
    compares ``var`` with a real number; None otherwise.

    Then its truth value is constant on each open interval between consecutive such numbers,
    so the region has measure zero exactly when it is false at one point of every interval.
    ``as_set`` decides the same by solving each inequality (0.15-0.45 s a region, most of it
    periodicity tests); this takes milliseconds.
    """
    edges = set()
    for rel in region.atoms(sp.core.relational.Relational):
        if rel.lhs == var:
            c = rel.rhs
        elif rel.rhs == var:
            c = rel.lhs
        else:
            return None
        if not (c.is_number and c.is_extended_real):
            return None
        if c.is_finite is not True:
            if c.is_infinite is not True:
                return None
            continue  # a comparison with +-oo is constant in a finite var: no breakpoint
        edges.add(c)
    cuts = sorted({sp.Integer(0), *(c for c in edges if c.is_positive is True)}, key=float)
    if any(c.is_positive is None for c in edges) or any(
            not (a < b) for a, b in itertools.pairwise(cuts)):
        return None
    probes = [(a + b) / 2 for a, b in itertools.pairwise(cuts)] + [cuts[-1] + 1]
    for t in probes:
        value = region.subs(var, t)
        if value == sp.true:
            return False
        if value != sp.false:
            return None
    return True


def potential_for_probability(esc: Any, p: float) -> float:
    """The potential ``v`` with ``f(v) = p`` (bisection on the numeric CDF)."""
    scale = esc.scale if esc.scale > 0 else 1.0
    lo, hi = -scale, scale
    while float(esc.cdf(lo)) > p:
        lo *= 2.0
    while float(esc.cdf(hi)) < p:
        hi *= 2.0
    from scipy.optimize import brentq  # imported when needed: 0.7 s for every process

    return float(brentq(lambda t: float(esc.cdf(t)) - p, lo, hi, xtol=1e-15 * scale, rtol=4 * EPS))


#: the smallest positive float64 (a subnormal); the absolute spacing of the grid below 2**-1022
TINIEST = 2.0**-1074
#: a density's rounding in subnormals: one for the underflowing exp, one per O(1) factor after
_SUBNORMAL_ULPS = 4


def density_reference(esc: Any, v: Any) -> tuple[list[float], tuple[str, ...], float]:
    """mpmath reference(s) for the density of ``esc`` at ``v`` (a float or an mpf).

    Away from kinks: the central derivative of the twin CDF. Within rounding of a kink
    (whose exact position may not be a float, so either side may be the right answer): the
    two one-sided limits at the kink, extrapolated linearly from derivatives 1e-9 and 2e-9
    widths off it (exact for the linear pieces, O(1e-18) relative otherwise). Returns
    ``(refs, sides, slack)``: a density value is right if it is within its float tolerance
    plus ``slack`` of any of ``refs``; ``slack`` is how far the density can move between the
    kink and ``v`` (the one-sided slope times the distance, plus the kink's own rounding).
    ``slack`` also carries the float64 grid's absolute resolution below the normal range: a
    density that underflows into subnormals (a Gaussian 14 widths out) keeps only an
    absolute accuracy of a few units of 2**-1074 times its peak scale, never a relative one.
    """
    from .. import reference

    cdf_mp = reference.escape_cdf(esc)
    subnormal = _SUBNORMAL_ULPS * TINIEST / esc.scale
    near = [k for k in esc.kinks if abs(float(v) - k) <= 64 * EPS * (abs(k) + esc.scale)]
    if near:
        k, eta = near[0], 1e-9 * esc.scale
        limits, slopes = [], []
        for side in (-1, 1):
            d1 = reference.derivative(cdf_mp, k + side * eta)
            d2 = reference.derivative(cdf_mp, k + 2 * side * eta)
            limits.append(2 * d1 - d2)
            slopes.append(abs(d2 - d1) / eta)
        slack = max(slopes) * (abs(float(v) - k) + 8 * EPS * (abs(k) + esc.scale))
        return limits, ("left", "right"), slack + subnormal
    with reference.workdps(reference.DPS):
        vm = reference.to_mp(v)
        return [reference.derivative(lambda t: cdf_mp(vm + t), 0.0)], ("central",), subnormal


def within_any(value: float, refs: list[float], rel: float | Tolerance, slack: float = 0.0,
               **info: Any) -> Outcome:
    """Holds when ``|value - r| <= rel |r| + slack`` for some reference ``r``.

    ``rel`` is a relative tolerance (a claim's :class:`Tolerance`, or a bound derived at the
    point); ``slack`` a derived absolute allowance (near kinks).
    """
    rel = rel.value if isinstance(rel, Tolerance) else float(rel)
    ratios = []
    for r in refs:
        bound = rel * abs(r) + slack
        err = abs(value - r)
        ratios.append(err / bound if bound > 0 else (0.0 if err == 0 else math.inf))
    best = min(ratios)
    return Outcome(best <= 1.0, best, {"value": value, "references": refs, "rel": rel,
                                       "slack": slack, **info}, test="within")
