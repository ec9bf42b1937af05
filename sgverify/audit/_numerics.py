"""Numerical and symbolic pieces of the audit: tail classification, width, SymPy's exact
area and primitive (reported, never used for the verdict), atlas-family matching."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp
from scipy.optimize import brentq, minimize_scalar
from sympy.core.cache import clear_cache

from .. import escape
from .. import symbols as S
from ._guard import Limit

__all__ = [
    "MATCH_TOL",
    "SYMBOLIC_SECONDS",
    "TRUSTED_SYMBOLIC_SECONDS",
    "canonical",
    "fwhm",
    "match",
    "symbolic",
    "tails",
]

#: largest |p - f'| / max f' (p the normalised surrogate) for an atlas family to match:
#: both sides are float64 forms of the same function (rounding ~1e-15 of the peak), and the
#: family parameter is read off the peak and the area (relative error ~1e-14); any other
#: family or parameter differs by > 1e-3
MATCH_TOL = 1e-7
#: CPU-time budget of SymPy's attempt at the exact area and primitive. Its result is
#: reported next to the verdict and never decides it, so the verdict does not depend on
#: whether SymPy finished on a loaded machine
SYMBOLIC_SECONDS = 0.5
#: the same for the library's own formulas (``audit(..., cpu_budget=False)``: the catalogue
#: and the claims): the slowest SymPy step on a catalogue formula (the multi-Gaussians,
#: ~2.5-3.6 s of CPU; benchmarks/audit.md) finishes with a margin of >15x, so every
#: catalogue formula gets SymPy's exact area whatever the load
TRUSTED_SYMBOLIC_SECONDS = 60.0

_V = S.v
_T = sp.Symbol("t", positive=True)
Grid = Callable[[np.ndarray], np.ndarray]


def fwhm(g: Grid, fine: np.ndarray, gf: np.ndarray, ipk: int, peak: float
         ) -> tuple[float | None, float | None]:
    """Full width at half maximum and the midpoint of the two crossings (root-found)."""
    if peak <= 0 or not math.isfinite(peak):
        return None, None
    half = peak / 2
    left = np.flatnonzero(gf[:ipk] < half)
    right = np.flatnonzero(gf[ipk:] < half)
    if left.size == 0 or right.size == 0:
        return math.inf, None
    i, j = int(left[-1]), ipk + int(right[0])
    h = lambda x: float(g(np.array([x]))[0]) - half  # noqa: E731

    def root(a: float, b: float) -> float:
        if h(a) * h(b) > 0:  # cannot happen for a true crossing; keep the cell's midpoint
            return 0.5 * (a + b)
        # a jump across the half level converges to the jump itself
        return float(brentq(h, a, b, xtol=1e-15 * max(1.0, abs(a)), rtol=1e-15))

    lo, hi = root(fine[i], fine[i + 1]), root(fine[j - 1], fine[j])
    return hi - lo, 0.5 * (lo + hi)


_DECADES = (5, 7, 9, 11, 13, 15)  # tail samples at 10^k scales


def tails(g: Grid, scale: float) -> tuple[dict[str, str], bool | None, str]:
    """Classify each tail by the decay of max |g| over [R, 10 R].

    The exponent ``p`` between R = 1e5 and 1e7 scales decides away from the border:
    ``p > 1.05`` integrable, ``p < 0.95`` not. At the border ``|v| |g|`` is followed out to
    1e15 scales: when it does not decrease, ``g`` decays like ``c/|v|`` or slower and the
    integral diverges (1/|v| diverges logarithmically); when it decreases slowly, the tail
    is too close to 1/|v| to decide numerically and integrability stays open.
    """
    desc, verdicts = {}, []
    grid = np.logspace(0, 1, 61)
    for side, sgn in (("+inf", 1.0), ("-inf", -1.0)):
        rs = [10.0**k * scale for k in _DECADES if 10.0**k * scale < 1e300]
        ms = [float(np.max(np.abs(g(sgn * r * grid)))) for r in rs[:2]]
        m1, m2 = ms
        if m2 == 0.0:
            desc[side], ok = "vanishes (zero or below float64 range)", True
        elif m1 == 0.0:
            desc[side], ok = "not monotone in the far tail", None
        else:
            p = -math.log10(m2 / m1) / 2.0
            far = g(sgn * rs[1] * grid)
            if p < 0.05 and np.ptp(far) <= 1e-9 * abs(far).max():
                desc[side], ok = f"tends to {far[-1]:.6g}", False
            elif p < 0.05:
                desc[side], ok = "does not decay (oscillates or grows)", False
            else:
                desc[side] = f"decays like |v|^-{p:.3f}"
                ok = True if p > 1.05 else False if p < 0.95 else None
                if ok is None:
                    ms += [float(np.max(np.abs(g(sgn * r * grid)))) for r in rs[2:]]
                    q = [r * m for r, m in zip(rs, ms, strict=True)]
                    if all(x > 0 for x in q) and q[-1] >= q[0] * (1 - 1e-6):
                        desc[side] += f" (|v| |SD| tends to {q[-1]:.6g} > 0: diverges)"
                        ok = False
        verdicts.append(ok)
    if all(v is True for v in verdicts):
        return desc, True, "both tails integrable"
    if any(v is False for v in verdicts):
        bad = [f"{desc[s]} as v -> {s}"
               for s, v in zip(("+inf", "-inf"), verdicts, strict=True) if v is not True]
        return desc, False, " and ".join(bad)
    close = [f"{desc[s]} as v -> {s}"
             for s, v in zip(("+inf", "-inf"), verdicts, strict=True) if v is None]
    return desc, None, " and ".join(close) + " (too close to 1/|v| to decide numerically)"


_W = sp.Symbol("w_", positive=True)


def canonical(e: sp.Expr) -> sp.Expr:
    """A form of ``e`` that does not depend on how SymPy reached it.

    SymPy's integrals come out in forms that depend on set iteration order, i.e. on
    PYTHONHASHSEED (``1/(1 + exp(-2*v))`` in one process, ``1 - 1/(exp(2*v) + 1)`` in
    another). The normal form of :func:`sympy.cancel` (a ratio of expanded polynomials in
    sorted generators, with ``exp(k v) = w**k`` for rational ``k``) is the same for every
    equivalent rational expression; the shortest printed of a few forms derived from it
    alone (partial fractions in ``w`` or ``v``, expanded) is what is shown.

    Examples
    --------
    >>> from sgverify.symbols import v
    >>> canonical(1 / (1 + sp.exp(-2 * v))), canonical(1 - 1 / (sp.exp(2 * v) + 1))
    (1 - 1/(exp(2*v) + 1), 1 - 1/(exp(2*v) + 1))
    """
    exps = e.atoms(sp.exp)
    linear = bool(exps) and all((x.args[0] / _V).is_Rational for x in exps)
    # w = exp(g v) with g the largest rational step of the exponents: exp(-100 v) is 1/w,
    # not w**-100 (cancel and apart on degree-100 polynomials took 0.7 s per form)
    step = abs(sp.gcd([x.args[0] / _V for x in exps])) if linear else sp.S.One
    f = e.subs({x: _W ** (x.args[0] / _V / step) for x in exps}) if linear else e
    c = sp.cancel(f)
    forms = [c, sp.expand(c)]
    x = _W if linear else _V
    if x in c.free_symbols and c.is_rational_function(x):
        try:
            forms.append(sp.apart(c, x))
        except (NotImplementedError, sp.PolynomialError):  # partial fractions are optional
            pass
    if linear:
        forms = [x.subs(_W, sp.exp(step * _V)) for x in forms]
    return min(forms, key=lambda x: (len(str(x)), str(x)))


#: :func:`symbolic`'s finished answers in this process, by expression: the catalogue and
#: ``audit.atlas-round-trip`` audit some formulas alike (10 of 56 SymPy attempts in a dev
#: check), and a test session audits the same formulas many times
_SYMBOLIC: dict[sp.Expr, tuple[str | None, str | None, str]] = {}
#: how :func:`symbolic`'s note begins when the CPU budget cut SymPy off, or SymPy raised
_UNFINISHED = "SymPy did not finish"
_FAILED = "SymPy failed"


def symbolic(expr: sp.Expr, seconds: float = SYMBOLIC_SECONDS
             ) -> tuple[str | None, str | None, str]:
    """SymPy's exact area and CDF (both half-lines, with t > 0 so that |t| = t), within
    ``seconds`` of CPU time (in any thread).

    An answer SymPy finished is kept for the same expression (SymPy's structural equality);
    one cut off by the budget is not, since it depends on the machine's speed, nor one where
    SymPy raised (a budget cut off elsewhere can leave SymPy's caches half-written).
    """
    got = _SYMBOLIC.get(expr)
    if got is None:
        got = _symbolic(expr, seconds)
        if not got[2].startswith((_UNFINISHED, _FAILED)):
            if len(_SYMBOLIC) >= 1024:  # a fuzzing session's formulas: start over
                _SYMBOLIC.clear()
            _SYMBOLIC[expr] = got
    return got


def _symbolic(expr: sp.Expr, seconds: float) -> tuple[str | None, str | None, str]:
    lim = Limit(seconds, "cpu")
    try:
        with lim:
            ex = expr.rewrite(sp.Piecewise)
            pos = sp.piecewise_fold(ex.subs(_V, _T))
            neg = sp.piecewise_fold(ex.subs(_V, -_T))
            s = sp.Symbol("s", positive=True)
            even = _even(pos, neg)
            up = _primitive(pos, s)
            down = up if even else _primitive(neg, s)
            primitive = not (up.has(sp.Integral) or down.has(sp.Integral))
            # the half-line areas as the primitive's limits: SymPy's definite integral to oo
            # would find the same primitive again (the multi-Gaussians: 2 s of 2.5 s). Its
            # limit is taken only where it is a finite number; else, and for piecewise
            # primitives (Min/Max of s, which limit does not take), the definite integral
            i_pos = i_neg = None
            if primitive and not (up.has(sp.Piecewise, sp.Min, sp.Max)
                                  or down.has(sp.Piecewise, sp.Min, sp.Max)):
                i_pos = _finite_limit(up, s)
                i_neg = i_pos if even else _finite_limit(down, s)
            if i_pos is None or i_neg is None:
                i_pos = sp.integrate(pos, (_T, 0, sp.oo))
                i_neg = i_pos if even else sp.integrate(neg, (_T, 0, sp.oo))
            if i_pos.has(sp.Integral) or i_neg.has(sp.Integral):
                return None, None, "SymPy could not integrate it"
            area = sp.nsimplify(sp.simplify(i_pos + i_neg))
            if not area.is_number or not area.is_finite:
                return None, None, f"SymPy's area is {area}"
            if not primitive:
                return str(area), None, "exact area; SymPy found no closed-form primitive"
            cdf = sp.Piecewise((canonical((i_neg - down.subs(s, -_V)) / area), _V < 0),
                               (canonical((i_neg + up.subs(s, _V)) / area), True))
            return str(area), str(cdf), "exact area and primitive"
    except lim.Expired as exc:
        # the budget ends SymPy wherever it is, possibly halfway through filling one of its
        # caches (seen once: a later call raised KeyError 'zero'): start them afresh
        clear_cache()
        return None, None, f"{_UNFINISHED} ({exc})"
    except Exception as exc:  # SymPy raising on an exotic form is a limitation, not a verdict
        return None, None, f"{_FAILED}: {type(exc).__name__}"


def _even(pos: sp.Expr, neg: sp.Expr) -> bool:
    """Whether the half-line integrands ``f(t)`` and ``f(-t)`` are one function, as they are
    for most surrogates: then one primitive and one limit serve both half-lines.

    Structurally equal first; else ``expand`` (a sum of shifted terms: ``(1/2 - t)**2`` is
    not written as ``(t - 1/2)**2``) or ``cancel`` (the logistic's
    ``exp(-t)/(1 + exp(-t))**2`` against ``exp(t)/(1 + exp(t))**2``) brings the difference to
    zero. Both are exact rewritings: a zero means the two are equal for every ``t``.
    """
    if pos == neg:
        return True
    diff = pos - neg
    # a high power of a sum would expand to many terms: cancel alone (polynomial arithmetic)
    wide = any(p.base.is_Add and p.exp.is_Integer and abs(p.exp) > 8
               for p in diff.atoms(sp.Pow))
    try:
        return ((not wide and sp.expand(diff) == 0)
                or (not diff.has(sp.Piecewise) and sp.cancel(diff) == 0))
    except Exception:  # SymPy raising on an exotic form: integrate both half-lines
        return False


def _primitive(f: sp.Expr, s: sp.Symbol) -> sp.Expr:
    """``integrate(f, (t, 0, s))``, term by term for a sum (SymPy's integrate tries
    whole-expression methods on the sum before its linearity)."""
    terms = sp.Add.make_args(f) if not isinstance(f, sp.Piecewise) else (f,)
    return sp.Add(*[sp.integrate(x, (_T, 0, s)) for x in terms])


def _finite_limit(f: sp.Expr, s: sp.Symbol) -> sp.Expr | None:
    """The limit of ``f`` as ``s -> oo`` when SymPy finds it to be a finite number.

    ``f`` at ``s = oo`` first: SymPy's extended arithmetic gives each function its limit
    there (``erf``, ``atan``, ``tanh``, ``exp(-oo) = 0``) and an indeterminate form
    (``oo - oo``, ``0 oo``, an oscillation's AccumBounds) as no finite number, for which
    ``limit`` decides. On the catalogue's primitives both give the same numbers (28 of 29,
    the other is NaN at oo), in 0.01 s instead of 0.8 s; the area is checked against a
    quadrature either way.
    """
    try:
        at = f.subs(s, sp.oo)
        if at.is_number and at.is_finite and not at.has(sp.AccumBounds, sp.nan, sp.zoo):
            return at
    except Exception:  # SymPy raising here: limit below decides
        pass
    try:
        lim = sp.limit(f, s, sp.oo)
    except Exception:  # e.g. an oscillating primitive: the definite integral decides
        return None
    return lim if lim.is_number and lim.is_finite and not lim.has(sp.Limit) else None


def _families() -> tuple[Any, ...]:
    """The registered families with a density: the built-ins and the user's own."""
    return escape.families(density=True)


def _candidate(cls: Any, height: float) -> Any:
    """The member of a family whose density peaks at ``height``, or None (the family's own
    :meth:`~sgverify.escape.EscapeNoise.from_peak`; a family without one is not matched)."""
    try:
        return cls.from_peak(height)
    except (ValueError, TypeError, ArithmeticError):
        return None


def refine_peak(g: Grid, a: float, b: float) -> float:
    """The maximiser of a smooth peak inside [a, b] to ~1e-12 of the bracket."""
    res = minimize_scalar(lambda t: -float(g(np.array([t]))[0]), bounds=(a, b),
                          method="bounded", options={"xatol": 1e-13 * max(b - a, 1e-300),
                                                     "maxiter": 200})
    return float(res.x)


def match(g: Grid, fine: np.ndarray, area: float, peak: float, centre: float, scale: float,
          peak_at: float) -> tuple[str | None, dict[str, float] | None, float | None,
                                   float | None]:
    """The registered escape-noise family (and parameters) equal to the normalised
    surrogate, if any: ``(name, params, shift, max relative difference)``.

    Each family's member with the surrogate's peak height is compared on ~1e4 points,
    aligned at the centre of the half-maximum crossings (exact for symmetric densities),
    and, failing that, at the mode found to ~1e-13 (asymmetric registered families).
    """
    x = fine[np.abs(fine - centre) <= 60 * scale]
    if x.size < 16:
        return (None, None, None, None)
    px = g(x) / area
    best = _match_at(g, x, px, area, peak, centre, scale)
    if best[0] is None:
        step = 0.02 * scale
        mode = refine_peak(g, peak_at - step, peak_at + step)
        best = _match_at(g, x, px, area, peak, mode, scale)
    if best[0] is None:
        best = _match_exponential(g, x, px, area, peak, centre, scale)
    return best


def _match_at(g, x, px, area, peak, at, scale):
    # the height at the alignment point, not the grid maximum (off by ~1e-6 on a peak)
    p_peak = float(g(np.array([at]))[0]) / area
    if not p_peak > 0:
        p_peak = peak / area
    best: tuple[Any, Any, Any, Any] = (None, None, None, None)
    for cls in _families():
        fam = _candidate(cls, p_peak)
        if fam is None:
            continue
        shift = at - float(getattr(fam, "mode", 0.0))
        with np.errstate(all="ignore"):
            ref = fam.pdf(x - shift)
        keep = np.ones_like(x, dtype=bool)
        for k in fam.kinks:  # a jump of the family's density: skip rounding-close points
            keep &= np.abs(x - shift - k) > 1e-9 * scale
        if not keep.any():
            continue
        err = float(np.max(np.abs(px[keep] - ref[keep])) / p_peak)
        if err <= MATCH_TOL and (best[3] is None or err < best[3]):
            sh = shift if abs(shift) > 1e-12 * scale else 0.0
            best = (fam.name, {k: float(v) for k, v in fam.params.items()}, sh, err)
    return best


def _match_exponential(g, x, px, area, peak, centre, scale):
    # exponential escape noise: log-slope on the left gives delta_u, one value gives p0
    p_peak = float(g(np.array([centre]))[0]) / area
    if p_peak <= 0:
        p_peak = peak / area
    a, b = centre - 2 * scale, centre - scale
    pa, pb = (g(np.array([a, b])) / area)
    if pa > 0 and pb > pa:
        du = (b - a) / math.log(pb / pa)
        p0 = pb * du * math.exp(-b / du)
        if 0 < p0 <= 1:
            fam = escape.Exponential(p0, du)
            keep = np.abs(x - fam.clip_point) > 1e-9 * scale
            err = float(np.max(np.abs(px[keep] - fam.pdf(x[keep]))) / p_peak)
            if err <= MATCH_TOL:
                return ("exponential", {k: float(v) for k, v in fam.params.items()}, 0.0, err)
    return (None, None, None, None)
