"""The area of a surrogate: quadrature between its breakpoints with an error estimate, and
SymPy's exact area (reported, never used for the verdict). Mixed into
:class:`sgverify.audit._core._Audit` as :class:`_Area`."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from .. import reference
from ._numerics import symbolic

__all__ = ["AREA_ERROR_TOL", "FLOAT64_DPS", "MixedPrecision", "quad"]

#: largest relative error estimate of the quadrature for its value to be reported as the
#: area: 10x below AREA_TOL, so that an area reported as 1 within AREA_TOL is one
AREA_ERROR_TOL = 1e-10
#: the digits a quadrature asks of a stretch where the surrogate is only evaluated in float64
FLOAT64_DPS = 15


class MixedPrecision:
    """The surrogate as an mpmath function: ``mp`` inside ``(lo, hi)``, float64 ``g`` outside.

    ``core`` is ``(lo, hi)``, or NaNs when there is no mpmath form (float64 everywhere).

    Examples
    --------
    >>> import numpy as np, mpmath
    >>> f = MixedPrecision(lambda t: mpmath.exp(-t * t), lambda v: np.exp(-v * v), -3.0, 3.0)
    >>> round(quad(f, [-math.inf, 0.0, math.inf], dps=30) ** 2 / math.pi, 14)
    1.0
    """

    def __init__(self, mp: Callable[[Any], Any] | None, g: Callable[[np.ndarray], np.ndarray],
                 lo: float, hi: float) -> None:
        self.mp, self.g = mp, g
        self.core = (lo, hi) if mp is not None else (math.nan, math.nan)

    def __call__(self, t: Any) -> Any:
        return self.many([t])[0]

    def many(self, ts: list[Any]) -> list[Any]:
        """The values at ``ts``, as calling it on each gives them: those in float64 from one
        call of the vectorised form (elementwise, so the same numbers as one at a time)."""
        lo, hi = self.core
        mp = self.mp
        out: list[Any] = []
        far: list[int] = []
        for i, t in enumerate(ts):
            x = float(t)
            if mp is not None and lo < x < hi:
                out.append(mp(t))
            else:
                out.append(x)
                far.append(i)
        if far:
            vals = self.g(np.array([out[i] for i in far]))
            for i, y in zip(far, vals.tolist(), strict=True):
                out[i] = mpmath.mpf(y)
        return out


def quad(fn: Callable[[Any], Any], pts: list[Any], *, dps: int, error: bool = False
         ) -> Any:
    """:func:`sgverify.reference.quad` of ``fn`` over ``pts``, asking ``dps`` digits only
    where ``fn`` computes them: the stretches a :class:`MixedPrecision` evaluates in float64
    are integrated to :data:`FLOAT64_DPS` digits.

    Asked for 20 or 30 digits of a float64 function, tanh-sinh never sees its error
    estimate settle and runs to its maximum degree (before this split, 3/4 of the
    catalogue's 30-digit evaluations went to the far tails, whose share of the area is
    ~1e-3 and whose float64 values hold 16 digits of it). Returns the value, or
    ``(value, error)`` with ``error=True``.
    """
    lo, hi = getattr(fn, "core", (math.nan, math.nan))
    a, b = pts[0], pts[-1]
    inner = list(pts[1:-1])
    if not (math.isfinite(lo) and math.isfinite(hi)):  # no mpmath form: float64 throughout
        pieces = [([a, *inner, b], FLOAT64_DPS)]
    else:
        pieces = []
        if a < lo:
            pieces.append(([a, *[p for p in inner if p < lo], min(lo, b)], FLOAT64_DPS))
        s, e = max(a, lo), min(b, hi)
        if s < e:
            pieces.append(([s, *[p for p in inner if s < p < e], e], dps))
        if hi < b:
            pieces.append(([max(hi, a), *[p for p in inner if p > hi], b], FLOAT64_DPS))
    val, err = mpmath.mpf(0), mpmath.mpf(0)
    for seg, digits in pieces:
        v, e_ = reference.quad_mp(fn, seg, dps=digits)
        with reference.workdps(dps):  # the pieces summed in the finer precision, rounded once
            val, err = val + v, err + e_
    return (float(val), float(err)) if error else float(val)


class _Area:
    """The steps that integrate the surrogate."""

    # --- area ------------------------------------------------------------------------------
    def _gmp(self) -> MixedPrecision:
        sub, g = self.sub, self.g
        if sub.mp is None:
            return MixedPrecision(None, g, math.nan, math.nan)
        # mpmath (exact arithmetic for cancelling forms) near the bump, where its arguments
        # are moderate; float64 (overflow-safe) far out, where its relative accuracy is
        # ample and mpmath could be slow (exp(-exp(v)) at v = 1e6)
        centre = self.bump
        core = 1e3 * max(self.scale, abs(centre))
        ok = sub.mp_ok(self.fine)
        lo, hi = centre - core, centre + core
        if not ok.all():
            bad = self.fine[~ok]
            lo = max(lo, float(bad[bad < centre].max(initial=-math.inf)))
            hi = min(hi, float(bad[bad > centre].min(initial=math.inf)))
        return MixedPrecision(sub.mp, g, lo, hi)

    def integrate(self) -> None:
        self.gmp = self._gmp()
        s, pk = self.scale, self.peak_at
        splits = [0.0, pk, *[pk + sg * k * s for sg in (-1, 1) for k in (1, 8, 64)]]
        for fc, fs in self._active(self.uncovered)[:16]:
            splits += [fc, *[fc + sg * k * fs for sg in (-1, 1) for k in (1, 8, 64)]]
        with mpmath.workdps(50):
            self.breaks = sorted({*self.located, *(mpmath.mpf(x) for x in splits)})
        self.area = self.area_err = None
        self.area_raw: tuple[float, float] | None = None
        if not self.integrable:
            return
        val, err = self._quad([-math.inf, *self.breaks, math.inf])
        self.area_raw = (val, err)
        self.checks["quadrature"] = {"value": val, "error_estimate": err,
                                     "segments": len(self.breaks) + 1}
        # relative to the area, or for a sign-changing SD whose area cancels, to the size
        # of its bump
        size = max(abs(val), abs(self.peak) * min(self.scale, self.width or self.scale))
        if math.isfinite(val) and err <= AREA_ERROR_TOL * size:
            self.area, self.area_err = val, err

    def _active(self, feats: list[tuple[float, float]]) -> list[tuple[float, float]]:
        """Features where the surrogate is not negligible (they get quadrature splits)."""
        out = []
        for fc, fs in feats:
            y = np.abs(self.g(fc + fs * np.linspace(-8, 8, 17)))
            if np.nanmax(y, initial=0.0) > 1e-15 * abs(self.peak):
                out.append((fc, fs))
        return out

    def _quad(self, pts: list[Any]) -> tuple[float, float]:
        if self.sub.mp is not None:
            return quad(self.gmp, pts, dps=20, error=True)
        return _scipy_quad(self.g, pts, self.peak * max(self.width or self.scale, self.scale))

    def exact_area(self) -> None:
        self.area_sym = self.cdf_sym = None
        expr = self.sub.expr
        if not self.want_symbolic or expr is None or self.integrable is False:
            return
        self.area_sym, self.cdf_sym, note = symbolic(expr, self.sym_seconds)
        self.checks["symbolic"] = note
        if self.area_sym is not None and self.area is not None:
            exact = float(sp.N(sp.sympify(self.area_sym), 30))
            self.checks["area_symbolic_vs_quadrature"] = (
                abs(exact - self.area) / max(abs(exact), 1e-300))


def _scipy_quad(g: Callable[[np.ndarray], np.ndarray], pts: list[Any], size: float
                ) -> tuple[float, float]:
    """Vectorised tanh-sinh over every segment at once (SciPy), for float64 integrands."""
    from scipy.integrate import tanhsinh

    p = np.array([float(x) for x in pts])
    a, b = p[:-1], p[1:]
    # a segment a few thousand ulps wide holds too few floats for tanh-sinh's nodes (one ulp
    # wide, its nodes collapse and it returns NaN): the trapezoid on its ends, with the
    # width times the larger end as the error bound (finite ends; else it is not integrable)
    ulps = 4096 * np.finfo(float).eps * np.maximum(np.abs(a), np.abs(b))
    tiny = (b > a) & np.isfinite(a) & np.isfinite(b) & (b - a <= ulps)
    keep = (b > a) & ~tiny
    ga, gb = g(a[tiny]), g(b[tiny])
    width = b[tiny] - a[tiny]
    val_tiny = float(np.sum(0.5 * (ga + gb) * width))
    err_tiny = float(np.sum(np.maximum(np.abs(ga), np.abs(gb)) * width))
    # the absolute tolerance: rounding of the integrand, 1e-16 of its peak over its width
    res = tanhsinh(g, a[keep], b[keep], rtol=1e-14, atol=1e-17 * max(size, 1e-300),
                   maxlevel=10)
    val = float(np.sum(res.integral)) + val_tiny
    err = float(np.sum(res.error)) + err_tiny
    if np.any(res.status < 0):  # a segment stopped short of its tolerance: not converged
        err = max(err, abs(val), math.inf if not math.isfinite(val) else 0.0)
    return val, err
