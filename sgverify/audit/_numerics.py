"""Numerical and symbolic helpers of the audit: CPU budgets, guarded evaluation, breakpoints,
tail classification, width, SymPy's exact area and primitive, atlas-family matching."""

from __future__ import annotations

import itertools
import math
import signal
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from scipy.optimize import brentq

from .. import escape, reference
from .. import symbols as S

__all__ = [
    "FALLBACK_SECONDS",
    "MATCH_TOL",
    "NUMERIC_SECONDS",
    "SYMBOLIC_SECONDS",
    "TRUSTED_SYMBOLIC_SECONDS",
]

#: largest |p - f'| / max f' (p the normalised surrogate) for an atlas family to match:
#: both sides are float64 forms of the same function (rounding ~1e-15 of the peak), and the
#: family parameter is read off the peak and the area (relative error ~1e-14); any other
#: family or parameter differs by > 1e-3
MATCH_TOL = 1e-7
#: CPU-time budget of a whole audit: a formula whose numerics cost more (nested exponentials
#: evaluated in mpmath far out) is refused with a ValueError rather than left to run
NUMERIC_SECONDS = 5.0
#: CPU-time budget of re-evaluating float64 NaNs in mpmath, per batch of points
FALLBACK_SECONDS = 0.5
#: CPU-time budget of SymPy's attempt at the exact area and primitive (CPU time, so that the
#: answer does not depend on how loaded the machine is)
SYMBOLIC_SECONDS = 0.5
#: the same for the library's own formulas (``audit(..., cpu_budget=False)``: the catalogue
#: and the claims). Not a timing test: the slowest SymPy step on a catalogue formula (the
#: multi-Gaussians, ~2.5-3.6 s of CPU; norse circ ~1.1 s; benchmarks/audit.md) finishes with
#: a margin of >15x, so every catalogue formula gets SymPy's answer whatever the load; it
#: only stops SymPy from running unbounded on a future formula it cannot do
TRUSTED_SYMBOLIC_SECONDS = 60.0

_V = S.v
_T = sp.Symbol("t", positive=True)
_PEAK_CONST = {  # f'(0) / beta of each symmetric one-parameter family
    escape.Sigmoid: 0.25, escape.FastSigmoid: 0.5, escape.Gaussian: 1 / math.sqrt(2 * math.pi),
    escape.Arctan: 1 / math.pi, escape.Laplace: 0.5, escape.Uniform: 1.0,
    escape.Triangular: 1.0,
}


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so that SymPy's ``except Exception`` cannot eat it."""


@contextmanager
def _budget(seconds: float, *, skip_without_timer: bool = True):
    """Interrupt the block after ``seconds`` of CPU time; nests (an inner budget never
    outlives the outer one, and the outer one resumes afterwards). Without a timer (outside
    the main thread) the block is skipped, or run unguarded if ``skip_without_timer`` is
    False."""
    main = threading.current_thread() is threading.main_thread()
    if not main or not hasattr(signal, "setitimer"):
        if skip_without_timer:
            raise _Timeout("skipped outside the main thread")
        yield
        return
    outer, _ = signal.getitimer(signal.ITIMER_PROF)
    limit = seconds if outer <= 0 else min(seconds, outer)
    t0 = time.process_time()

    state = {"active": True}

    def handler(signum: int, frame: Any) -> None:
        if state["active"]:
            raise _Timeout(f"over {limit:g} s of CPU time")

    old = signal.signal(signal.SIGPROF, handler)
    # periodic: an exception raised inside a weakref callback or __del__ is swallowed by
    # Python, so the timer keeps firing every 50 ms until one lands in ordinary code
    signal.setitimer(signal.ITIMER_PROF, limit, 0.05)
    try:
        yield
    finally:
        state["active"] = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)
        if outer > 0:
            signal.setitimer(signal.ITIMER_PROF, max(outer - (time.process_time() - t0), 1e-3))


def _safe_mp(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An mpmath callable that returns NaN instead of raising, and NaN off the real line
    (e.g. log of a negative potential)."""
    def g(t: Any) -> Any:
        try:
            val = fn(t)
            if val is None:
                return mpmath.mpf("nan")
            if isinstance(val, mpmath.mpc):
                return val.real if val.imag == 0 else mpmath.mpf("nan")
            return val if isinstance(val, mpmath.mpf) else mpmath.mpf(val)
        except (OverflowError, ZeroDivisionError, ValueError, TypeError):
            return mpmath.mpf("nan")
    return g


def _evaluator(num: Callable[[np.ndarray], np.ndarray], mp_fn: Callable[[Any], Any] | None,
               *, budget: bool = True):
    """float64 evaluation with an mpmath fallback where the float64 form over/underflows
    into inf/NaN (e.g. ``exp(-25 v)/(1+exp(-25 v))**2`` far left). Without ``budget`` the
    fallback runs to completion (trusted formulas: the result must not depend on timing)."""
    def g(v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=np.float64)
        out = np.asarray(num(v), dtype=np.float64).copy()
        # only NaN (inf/inf, 0*inf, inf-inf) is re-evaluated; an overflow to +-inf means the
        # value really is beyond float64, which no density can be
        bad = np.isnan(out)
        if mp_fn is not None and bad.any():
            idx = np.flatnonzero(bad)
            try:
                # a CPU budget of its own: sin(exp(v)) far out costs mpmath seconds per point;
                # points not reached stay NaN and are reported as not finite
                with (_budget(FALLBACK_SECONDS, skip_without_timer=False) if budget
                      else nullcontext()), reference.workdps(30):
                    # only the rare NaN points: a Python loop is fine here
                    for i in idx:
                        out[i] = float(mp_fn(mpmath.mpf(float(v[i]))))
            except _Timeout:
                pass
        return out
    return g


def _kink_polys(expr: sp.Expr):
    """Polynomials in v whose real roots are where the surrogate may kink or jump: the
    arguments of |.|, sign, min/max and piecewise conditions, one per sign pattern of the
    |.| terms inside them."""
    cands: list[sp.Expr] = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, (sp.Abs, sp.sign, sp.Heaviside)):
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
        if not c.has(_V):
            continue
        absn = sorted({a for a in c.atoms(sp.Abs) if a.has(_V)}, key=sp.default_sort_key)[:4]
        # a spurious breakpoint costs the quadrature nothing
        for signs in itertools.product((1, -1), repeat=len(absn)):
            lin = c.xreplace({a: s * a.args[0] for a, s in zip(absn, signs, strict=True)})
            try:
                poly = sp.Poly(lin, _V)
            except sp.PolynomialError:
                continue
            if 1 <= poly.degree() <= 2:
                yield poly


def _kinks(expr: sp.Expr) -> list[float]:
    """Real roots of :func:`_kink_polys` in float64 (grid points of the scans)."""
    out = set()
    for poly in _kink_polys(expr):
        for root in np.roots([float(k) for k in poly.all_coeffs()]):
            if abs(root.imag) < 1e-12 and math.isfinite(root.real):
                out.add(float(root.real))
    return sorted(out)


def _exact_kinks(expr: sp.Expr) -> list[Any]:
    """The same roots to 50 digits (mpmath numbers): quadrature breakpoints.

    A jump at a point float64 cannot represent (``|v| < 1/(2 beta)`` at beta = e) lies
    ~1e-17 inside the segment that starts at the rounded root; tanh-sinh samples that
    close to an endpoint, sees the jump, never converges and runs to its maximal degree
    (~30 000 mpmath evaluations per segment instead of ~1 000). At 50 digits the breakpoint
    rounds to the same working-precision number as the jump in the mpmath form.
    """
    out: dict[float, Any] = {}
    for poly in _kink_polys(expr):
        for root in sp.roots(poly, filter=None, multiple=True):
            val = complex(sp.N(root, 17))
            if abs(val.imag) < 1e-12 and math.isfinite(val.real):
                with mpmath.workdps(50):
                    out.setdefault(val.real, mpmath.mpf(str(sp.N(sp.re(root), 50))))
    return [out[k] for k in sorted(out)]


def _fwhm(g, fine, gf, ipk, peak) -> tuple[float | None, float | None]:
    if peak <= 0:
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


def _tails(g, scale: float) -> tuple[dict[str, str], bool | None, str]:
    """Classify each tail by the decay of max |g| over [R, 10 R] between R = 1e5 and 1e7
    scales: exponent p > 1.05 integrable, p < 0.95 not (1/|v| diverges logarithmically)."""
    desc, verdicts, consts = {}, [], {}
    grid = np.logspace(0, 1, 61)
    for side, sgn in (("+inf", 1.0), ("-inf", -1.0)):
        r1, r2 = 1e5 * scale, 1e7 * scale
        m1 = float(np.max(np.abs(g(sgn * r1 * grid))))
        m2 = float(np.max(np.abs(g(sgn * r2 * grid))))
        if m2 == 0.0:
            desc[side], ok = "vanishes (zero or below float64 range)", True
        elif m1 == 0.0:
            desc[side], ok = "not monotone in the far tail", None
        else:
            p = -math.log10(m2 / m1) / 2.0
            far = g(sgn * r2 * grid)
            if p < 0.05 and np.ptp(far) <= 1e-9 * abs(far).max():
                consts[side] = float(far[-1])
                desc[side], ok = f"tends to {far[-1]:.6g}", False
            elif p < 0.05:
                desc[side], ok = "does not decay (oscillates or grows)", False
            else:
                desc[side] = f"decays like |v|^-{p:.3f}"
                ok = True if p > 1.05 else False if p < 0.95 else None
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


def _symbolic(expr: sp.Expr, seconds: float = SYMBOLIC_SECONDS
              ) -> tuple[str | None, str | None, str]:
    """SymPy's exact area and CDF (both half-lines, with t > 0 so that |t| = t), within
    ``seconds`` of CPU time."""
    try:
        with _budget(seconds):
            ex = expr.rewrite(sp.Piecewise)
            pos = sp.piecewise_fold(ex.subs(_V, _T))
            neg = sp.piecewise_fold(ex.subs(_V, -_T))
            i_pos = sp.integrate(pos, (_T, 0, sp.oo))
            i_neg = sp.integrate(neg, (_T, 0, sp.oo))
            if i_pos.has(sp.Integral) or i_neg.has(sp.Integral):
                return None, None, "SymPy could not integrate it"
            area = sp.nsimplify(sp.simplify(i_pos + i_neg))
            if not area.is_number or not area.is_finite:
                return None, None, f"SymPy's area is {area}"
            s = sp.Symbol("s", positive=True)
            up = sp.integrate(pos, (_T, 0, s))
            down = sp.integrate(neg, (_T, 0, s))
            if up.has(sp.Integral) or down.has(sp.Integral):
                return str(area), None, "exact area; SymPy found no closed-form primitive"
            cdf = sp.Piecewise(((i_neg - down.subs(s, -_V)) / area, _V < 0),
                               ((i_neg + up.subs(s, _V)) / area, True))
            return str(area), str(cdf), "exact area and primitive"
    except _Timeout as exc:
        return None, None, f"SymPy did not finish ({exc})"
    except Exception as exc:  # SymPy raising on an exotic form is a limitation, not a verdict
        return None, None, f"SymPy failed: {type(exc).__name__}"


def _match(g, fine, area, peak, peak_at, scale):
    """The atlas family (and parameter) equal to the normalised surrogate, if any."""
    # the height at the centre, not the grid maximum (off-centre by ~1e-6 on a smooth peak)
    p_peak = float(g(np.array([peak_at]))[0]) / area
    if p_peak <= 0:
        p_peak = peak / area
    best = (None, None, None, None)
    x = fine[np.abs(fine - peak_at) <= 60 * scale]
    px = g(x) / area
    for cls, c in _PEAK_CONST.items():
        fam = cls(p_peak / c)
        ref = fam.pdf(x - peak_at)
        keep = np.ones_like(x, dtype=bool)
        for k in fam.kinks:  # a jump of the family's density: skip rounding-close points
            keep &= np.abs(x - peak_at - k) > 1e-9 * scale
        err = float(np.max(np.abs(px[keep] - ref[keep])) / p_peak)
        if err <= MATCH_TOL and (best[3] is None or err < best[3]):
            shift = peak_at if abs(peak_at) > 1e-12 * scale else 0.0
            best = (cls.name, dict(fam.params), shift, err)
    if best[0] is None:
        # exponential escape noise: log-slope on the left gives delta_u, one value gives p0
        a, b = peak_at - 2 * scale, peak_at - scale
        pa, pb = (g(np.array([a, b])) / area)
        if pa > 0 and pb > pa:
            du = (b - a) / math.log(pb / pa)
            p0 = pb * du * math.exp(-b / du)
            if 0 < p0 <= 1:
                fam = escape.Exponential(p0, du)
                keep = np.abs(x - fam.clip_point) > 1e-9 * scale
                err = float(np.max(np.abs(px[keep] - fam.pdf(x[keep]))) / p_peak)
                if err <= MATCH_TOL:
                    best = ("exponential", dict(fam.params), 0.0, err)
    return best
