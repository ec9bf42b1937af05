"""The audit of one surrogate derivative: sign, integrability, area, implied noise, verdict.

:func:`audit` runs the named steps of :class:`_Audit` in order: ``scan`` (samples where the
surrogate acts: a 12-decade grid plus every feature the formula names), ``locate`` (the
main bump's centre and width), ``refine`` (a fine grid there and around every other
feature), ``singularities`` (poles and integrable singular points), ``breakpoints`` (known
kinks, jumps and kinks located from samples), ``sign``, ``shape`` (peak, width, symmetry),
``integrability`` (the tails), ``twins`` (NumPy form vs SymPy form), ``integrate`` (area
with its error estimate), ``exact_area`` (SymPy, reported only), ``decide`` (the verdict)
and ``noise`` (atlas family and CDF table). Each step states what it established; the
verdict only uses what was.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from .. import reference
from . import _features as F
from . import _singular
from ._guard import WorkExhausted
from ._numerics import (
    MATCH_TOL,
    SYMBOLIC_SECONDS,
    TRUSTED_SYMBOLIC_SECONDS,
    fwhm,
    match,
    symbolic,
    tails,
)
from ._result import VERDICTS, AuditResult, bare
from ._subject import CALLABLE_SECONDS, WORK_CAPS, Subject, subject

__all__ = [
    "AREA_ERROR_TOL",
    "AREA_TOL",
    "CALLABLE_SECONDS",
    "MATCH_TOL",
    "SYMBOLIC_SECONDS",
    "TRUSTED_SYMBOLIC_SECONDS",
    "VERDICTS",
    "WORK_CAPS",
    "AuditResult",
    "audit",
]

#: |area - 1| below which a nonnegative surrogate counts as a density: the quadrature is
#: accurate to ~1e-15 relative (checked against SymPy's exact areas in the tests), and
#: library parameters are short decimals, so a true density lands within 1e-12; a real
#: rescaling by a library is a factor like 2/beta, far outside
AREA_TOL = 1e-9
#: largest relative error estimate of the quadrature for its value to be reported as the
#: area: 10x below AREA_TOL, so that an area reported as 1 within AREA_TOL is one
AREA_ERROR_TOL = 1e-10

_LOGS = np.logspace(-6, 6, 241)
# a feature's local grid, in units of its scale
_LOCAL = np.unique(np.concatenate([np.linspace(-10, 10, 201), np.logspace(-3, 4, 57),
                                   -np.logspace(-3, 4, 57)]))
_LOCAL_FINE = np.linspace(-40, 40, 1601)


def audit(
    surrogate: str | Callable[..., Any],
    params: Mapping[str, float] | None = None,
    *,
    kinks: Sequence[float] | None = None,
    support: tuple[float, float] | None = None,
    symbolic: bool = True,
    label: Mapping[str, Any] | None = None,
    cpu_budget: bool = True,
    timeout: float = CALLABLE_SECONDS,
) -> AuditResult:
    """Audit a surrogate derivative: what escape noise does it imply, if any?

    Parameters
    ----------
    surrogate
        A formula in ``v`` (see :func:`sgverify.audit.parse`), a Python callable of ``v``
        (vectorised or not), or a torch / JAX spike function (audited through the library's
        own autograd: :func:`sgverify.audit.from_torch`, :func:`~sgverify.audit.from_jax`).
    params
        Values of the formula's parameters, or keyword arguments of the callable.
    kinks, support
        Optional hints for a callable: points where it kinks or jumps, and an interval
        outside which it vanishes (checked on the samples). Without them the audit locates
        jumps, kinks and support edges itself.
    symbolic
        Let SymPy try the exact area and primitive (reported; never used for the verdict).
    label
        Extra keys copied into :meth:`AuditResult.to_dict` (library, name, source).
    cpu_budget
        SymPy's attempt gets ``SYMBOLIC_SECONDS`` of CPU (True, the default) or
        ``TRUSTED_SYMBOLIC_SECONDS`` (False: the library's own formulas). The numerics are
        bounded by counts (``WORK_CAPS``) either way, so the verdict never depends on load.
    timeout
        Wall-time budget of a callable's own code over the whole audit.

    Examples
    --------
    >>> r = audit("1/(beta*abs(v)+1)**2", {"beta": 10})
    >>> r.verdict, round(r.factor, 12), r.family, r.family_params
    ('rescaled density', 0.2, 'fast-sigmoid', {'beta': 10.0})
    >>> audit("where(abs(v) < w, 1/w, c)", {"w": 1, "c": 0.01}).reason
    'not integrable: tends to 0.01 as v -> +inf and tends to 0.01 as v -> -inf'
    >>> import numpy as np
    >>> r = audit(lambda v: np.where(np.abs(v) < 0.5, 1.0, 0.0))
    >>> r.verdict, r.family, r.breakpoints
    ('density', 'uniform', (-0.5, 0.5))
    """
    adapter = _spike_adapter(surrogate)
    if adapter is not None:
        return adapter(surrogate, params, kinks=kinks, support=support, label=label,
                       timeout=timeout)
    start, cpu0 = time.perf_counter(), time.process_time()
    sub = subject(surrogate, params, kinks=kinks, support=support, timeout=timeout)
    run = _Audit(sub, symbolic=symbolic,
                 sym_seconds=SYMBOLIC_SECONDS if cpu_budget else TRUSTED_SYMBOLIC_SECONDS,
                 label=label, start=start)
    try:
        res = run.run()
    except WorkExhausted as exc:
        res = run.stop("inconclusive", f"the audit's work bound was reached ({exc} evaluated; "
                       "the same on every machine): e.g. a feature that needs more resolution "
                       "than the audit spends")
    return _with_cpu(res, cpu0)


def _with_cpu(res: AuditResult, cpu0: float) -> AuditResult:
    return dataclasses.replace(res, cpu_seconds=time.process_time() - cpu0)


def _spike_adapter(obj: Any) -> Callable[..., AuditResult] | None:
    """from_torch / from_jax when ``obj`` is an autograd spike function (lazy: neither
    library is imported unless ``obj`` comes from it)."""
    if isinstance(obj, str) or not callable(obj):
        return None
    try:
        from . import _autograd
    except ImportError:
        return None
    if _autograd.is_torch_spike_fn(obj):
        return _autograd.from_torch
    if _autograd.is_jax_spike_fn(obj):
        return _autograd.from_jax
    return None


def _unique_sorted(*parts: Any) -> np.ndarray:
    x = np.unique(np.concatenate([np.asarray(p, dtype=np.float64).ravel() for p in parts]))
    return x[np.isfinite(x)]


class _Audit:
    """One audit's state, filled in by its named steps (see the module docstring)."""

    def __init__(self, sub: Subject, *, symbolic: bool, sym_seconds: float,
                 label: Mapping[str, Any] | None, start: float) -> None:
        self.sub, self.g = sub, sub.g
        self.want_symbolic, self.sym_seconds = symbolic, sym_seconds
        self.label, self.start = label, start
        self.checks: dict[str, Any] = {}
        self.notes = list(sub.notes)
        self.singular: list[dict[str, Any]] = []

    def run(self) -> AuditResult:
        for step in (self.scan, self.locate, self.refine, self.singularities):
            stop = step()
            if stop is not None:
                return stop
        for step in (self.breakpoints, self.sign, self.shape, self.integrability, self.twins,
                     self.integrate, self.exact_area, self.decide, self.noise):
            step()
        return self.result()

    def stop(self, verdict: str, reason: str, **extra: Any) -> AuditResult:
        extra.setdefault("checks", {**self.checks, "work": dict(self.sub.work.used)})
        return bare(self.sub.text, self.sub.params, verdict, reason,
                    seconds=time.perf_counter() - self.start, label=self.label,
                    kind=self.sub.kind, notes=tuple(self.notes),
                    singularities=tuple(self.singular), _g=self.g, **extra)

    # --- where the surrogate acts ----------------------------------------------------------
    def scan(self) -> AuditResult | None:
        sub, expr = self.sub, self.sub.expr
        self.kinks = (F.kinks(expr) if expr is not None else []) + sub.hint_kinks
        with mpmath.workdps(50):
            self.xkinks = (F.exact_kinks(expr) if expr is not None else []) + [
                mpmath.mpf(k) for k in sub.hint_kinks]
        self.coarse = np.concatenate([-_LOGS[::-1], [0.0], _LOGS, self.kinks])
        feats = F.formula_features(expr) if expr is not None else []
        feats += [(k, 1e-3 * max(abs(k), 1e-3)) for k in sub.hint_kinks]
        if sub.hint_support is not None:
            lo, hi = sub.hint_support
            feats += [(lo, (hi - lo) / 100), (hi, (hi - lo) / 100), ((lo + hi) / 2, hi - lo)]
        self.features = feats
        self.checks["features_from_formula"] = len(feats)
        self.gc = self.g(self.coarse)
        local = [c + s * _LOCAL for c, s in feats]
        self.x0 = _unique_sorted(self.coarse, *local)
        self.y0 = self.g(self.x0)
        return None

    def locate(self) -> AuditResult | None:
        """The main bump: centre and width from the coarse grid, or from the features'
        grids as well when the coarse grid misses the peak (a far-off or narrow bump)."""
        def peak_of(x: np.ndarray, y: np.ndarray) -> tuple[float, int, np.ndarray]:
            a = np.abs(np.where(np.isfinite(y), y, 0.0))
            i = int(np.argmax(a))
            return float(a[i]), i, a

        top, imax, a = peak_of(self.coarse, self.gc)
        x = self.coarse
        top0, imax0, a0 = peak_of(self.x0, self.y0)
        if top0 > 1.5 * top or (top > 0 and np.count_nonzero(a >= top / 2) < 2):
            top, imax, a, x = top0, imax0, a0, self.x0
        if top == 0.0:
            if np.all(np.isfinite(self.y0)):
                n = self.x0.size
                where = (f"including {len(self.features)} features located from the formula"
                         if self.features else "v from -1e6 to 1e6, densest near 0")
                return self.stop("not a density",
                                 f"zero area (identically zero on all {n} sampled points, "
                                 f"{where})")
            self.scale, self.centre = 1e-6, 0.0
            return None
        big = x[a >= top / 2]
        span = float(big.max() - big.min())
        self.scale = span if span > 0 else 1e-6
        self.centre = float(x[imax])
        return None

    def refine(self) -> AuditResult | None:
        s, c = self.scale, self.centre
        spacing = 120 * s / 24000
        uncovered = [(fc, fs) for fc, fs in self.features
                     if abs(fc - c) > 60 * s or fs < 10 * spacing]
        self.uncovered = uncovered
        local = [fc + fs * _LOCAL_FINE for fc, fs in uncovered[:48]]
        self.fine = _unique_sorted(c + np.linspace(-60 * s, 60 * s, 24001), self.coarse,
                                   np.linspace(-60 * s, 60 * s, 4001), self.kinks, *local)
        self.gf = self.g(self.fine)
        support = self.sub.hint_support
        if support is not None:
            out = (self.fine < support[0]) | (self.fine > support[1])
            nz = np.flatnonzero(out & (self.gf != 0))
            if nz.size:
                at = float(self.fine[nz[0]])
                raise ValueError(f"support: the surrogate is {self.gf[nz[0]]:.6g} at v = "
                                 f"{at:.6g}, outside the support {support} given")
        return None

    def singularities(self) -> AuditResult | None:
        x, y = self.fine, self.gf
        bad = ~np.isfinite(y)
        cands: list[tuple[float, Any, float | None, str]] = []
        # runs of non-finite samples: an interval where it is undefined or overflows
        idx = np.flatnonzero(bad)
        for i in idx:
            nb = (i > 0 and bad[i - 1]) or (i + 1 < y.size and bad[i + 1])
            if nb:
                what = ("overflows float64" if np.isinf(y[i])
                        else "is undefined (NaN) or not evaluable")
                return self.stop("not a density", f"not finite: {what} at v = {x[i]:.6g}")
            cands.append((float(x[i]), None, None, "a sample that is not finite"))
        if self.sub.formula is not None:
            cands += F.denominator_zeros(self.sub.formula, x, _singular.near_zeros)
        else:
            cands += [(z, None, None, "a local maximum that grows without bound")
                      for z in _singular.spikes(self.g, x, y)]
        # the formula's exact zeros first, then points hit exactly, so that duplicates keep
        # the best-determined location and exponent
        seen: list[float] = []
        picked = []
        for c in sorted(cands, key=lambda c: (c[1] is None, c[3] != "a sample that is not "
                                               "finite", c[0])):
            if not any(abs(c[0] - s) <= 1e-12 * max(abs(c[0]), self.scale) for s in seen):
                seen.append(c[0])
                picked.append(c)
        for at, exact_at, order, text in sorted(picked, key=lambda c: c[0]):
            # probe within the local structure: up to half the distance to the next kink or
            # singular point, at most the bump's width (or 1% of |v| for a far-off point)
            w = max(self.scale, 1e-2 * abs(at))
            others = [k for k in [*self.kinks, *seen]
                      if abs(k - at) > 1e-12 * max(abs(at), self.scale)]
            if others:
                w = min(w, 0.5 * min(abs(at - k) for k in others))
            info = _singular.classify(self.g, at, max(w, 1e-300), order)
            info.update(source=text, exact_at=exact_at)
            if info["kind"] == "bounded" and np.isfinite(self.g(np.array([at]))[0]):
                continue
            self.singular.append(info)
        # report the best-determined pole: an exact exponent, then a point hit exactly
        def rank(info: dict[str, Any]) -> tuple[bool, bool, float]:
            hit = not np.isfinite(self.g(np.array([info["at"]]))[0])
            return (info["exact"] is None, not hit, abs(info["at"] - self.centre))

        for info in sorted(self.singular, key=rank):
            at = info["at"]
            if info["kind"] == "undefined":
                return self.stop("not a density", f"not finite: is undefined (NaN) on the "
                                 f"{info['side']} of v = {at:.6g}")
            if info["kind"] == "pole":
                p = info["exponent"]
                dist = f"|v - {at:.6g}|" if at > 0 else f"|v + {-at:.6g}|" if at < 0 else "|v|"
                grows = "beyond float64" if not math.isfinite(p) else (
                    f"like {dist}^-{p:g}" if info["exact"] is not None and
                    p == info["exact"] else f"like {dist}^-{p:.3f} (measured)")
                finite = "" if np.isfinite(self.g(np.array([at]))[0]) else "not finite at "
                return self.stop("not a density",
                                 f"not integrable: {finite or 'a pole at '}v = {at:.6g}, where "
                                 f"|SD| grows {grows} (from {info['source']})",
                                 integrable=False)
        keep = np.isfinite(y)
        self.fine, self.gf = x[keep], y[keep]
        return None

    # --- breakpoints -----------------------------------------------------------------------
    def breakpoints(self) -> None:
        peak = float(np.max(np.abs(self.gf)))
        known = [*self.kinks, *(s["at"] for s in self.singular)]
        found, counts = F.sample_breaks(self.g, self.fine, self.gf, peak, known=known)
        self.checks["breakpoints_from_samples"] = counts
        singular = [s["exact_at"] if s["exact_at"] is not None else s["at"]
                    for s in self.singular]
        with mpmath.workdps(50):
            self.located = sorted({*self.xkinks, *(mpmath.mpf(f) for f in found),
                                   *(mpmath.mpf(s) for s in singular)})
        if found:
            self.fine = _unique_sorted(self.fine, found)
            self.gf = self.g(self.fine)
            ok = np.isfinite(self.gf)
            self.fine, self.gf = self.fine[ok], self.gf[ok]

    # --- sign ------------------------------------------------------------------------------
    def sign(self) -> None:
        gf, fine = self.gf, self.fine
        imin = int(np.argmin(gf))
        self.min_value, self.min_at = float(gf[imin]), float(fine[imin])
        self.nonneg = self.min_value >= 0.0
        top = float(np.max(np.abs(gf)))
        if not self.nonneg and -self.min_value <= 1e-10 * top:
            # negatives at the level of float64 rounding (e.g. a density written as a
            # difference): decide their sign in 30-digit arithmetic instead
            neg = fine[gf < 0][:200]
            if self.sub.mp is not None and np.all(self.sub.mp_ok(neg)):
                with reference.workdps(30):
                    exact = np.array([float(self.sub.mp(mpmath.mpf(float(x)))) for x in neg])
                self.checks["float64_negatives_rechecked"] = int(neg.size)
                if np.all(exact >= 0) and (gf < 0).sum() <= 200:
                    self.nonneg = True
                    self.min_value, self.min_at = 0.0, float(neg[0])
            elif self.sub.mp is None and -self.min_value <= 1e-14 * top:
                self.notes.append(f"negative values down to {self.min_value:.3g} (at v = "
                                  f"{self.min_at:.6g}) are at float64 rounding level of the "
                                  f"peak {top:.6g} and were taken as 0")
                self.nonneg = True
                self.min_value = 0.0
        self.checks["points_sampled"] = int(self.fine.size)

    # --- peak, width, symmetry --------------------------------------------------------------
    def shape(self) -> None:
        g, fine, gf = self.g, self.fine, self.gf
        ipk = int(np.argmax(gf))
        peak = float(gf[ipk])
        plateau = fine[gf >= peak * (1 - 1e-12)] if peak > 0 else fine[ipk:ipk + 1]
        peak_at = float(0.5 * (plateau.min() + plateau.max()))
        width, mid = fwhm(g, fine, gf, ipk, peak)
        scale, centre = self.scale, self.centre
        half = np.linspace(0.0, 60 * max(scale, abs(centre)), 6001)
        with np.errstate(invalid="ignore"):
            d = np.abs(g(half) - g(-half))
        d = d[np.isfinite(d)]
        asym = float(d.max() / max(abs(peak), abs(self.min_value))) if d.size else math.nan
        symmetric = asym <= 1e-12
        # the centre of the bump: exactly 0 for a symmetric SD, else the midpoint of the two
        # half-maximum crossings (root-found to ~1e-15; the grid argmax is only good to ~1e-6
        # on a smooth peak, which would shift a family comparison by ~1e-7)
        g0 = float(g(np.array([0.0]))[0])
        if symmetric and math.isfinite(g0) and g0 >= peak * (1 - 1e-12):
            peak_at = 0.0
        centre = 0.0 if symmetric else (mid if mid is not None else peak_at)
        if not symmetric and mid is not None and float(g(np.array([mid]))[0]) >= peak * (
                1 - 1e-12):
            peak_at = mid
        self.peak, self.peak_at, self.width = peak, peak_at, width
        self.symmetric, self.asym, self.bump = symmetric, asym, centre

    def integrability(self) -> None:
        self.tails, self.integrable, self.reason_tail = tails(
            self.g, max(self.scale, abs(self.bump)))
        self.checks["tails"] = self.tails
        if self.integrable is not False:
            undecided = [s for s in self.singular if s["kind"] == "undecided"]
            if undecided:
                s = undecided[0]
                self.integrable = None
                self.reason_tail = (f"|SD| grows like |v - {s['at']:.6g}|^-{s['exponent']:.3f} "
                                    "at a singular point, too close to 1/|v| to decide "
                                    "numerically")

    # --- NumPy vs SymPy --------------------------------------------------------------------
    def twins(self) -> None:
        sub = self.sub
        if sub.mp is None:
            return
        scale, centre = self.scale, self.bump
        near = self.fine[np.abs(self.fine - centre) <= 60 * scale]
        sample = near[:: max(1, near.size // 97)]
        # a jump sits where each form's own arithmetic puts it: 1/(2 beta) rounded in float64
        # vs the exact rational, a few ulps apart, so on those few ulps the two forms rightly
        # differ by the jump's height; points that close to a kink are not compared
        keep = sub.mp_ok(sample)
        for k in self.kinks:
            keep &= np.abs(sample - k) > 1e-14 * max(abs(k), scale)
        skipped = int((~keep).sum())
        sample = sample[keep]
        with reference.workdps(30):
            ref = np.array([float(mpmath.re(sub.mp(mpmath.mpf(float(x))))) for x in sample])
        num = sub.formula.numpy(sample)
        err = float(np.max(np.abs(num - ref), initial=0.0)
                    / max(abs(self.peak), abs(self.min_value)))
        self.checks["numpy_vs_sympy"] = {"max_rel_error": err, "points": int(sample.size),
                                         "skipped_at_kinks": skipped}

    # --- area ------------------------------------------------------------------------------
    def _gmp(self) -> Callable[[Any], Any]:
        sub, g = self.sub, self.g
        if sub.mp is None:
            return lambda t: mpmath.mpf(float(g(np.array([float(t)]))[0]))
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
        mp = sub.mp

        def gmp(t: Any) -> Any:
            if lo < float(t) < hi:
                return mp(t)
            return mpmath.mpf(float(g(np.array([float(t)]))[0]))
        return gmp

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
            return reference.quad(self.gmp, pts, dps=20, error=True)
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

    # --- verdict ---------------------------------------------------------------------------
    def decide(self) -> None:
        factor = None
        nonneg, area = self.nonneg, self.area
        neg = f"negative somewhere: min {self.min_value:.4g} at v = {self.min_at:.4g}"
        if self.integrable is False:
            verdict, reason = "not a density", f"not integrable: {self.reason_tail}"
            if not nonneg:
                reason = (f"negative somewhere (min {self.min_value:.4g} at v = "
                          f"{self.min_at:.4g}) and {reason}")
        elif not nonneg:
            verdict, reason = "not a density", neg
        elif self.integrable is None:
            verdict, reason = "inconclusive", (f"integrability not established: "
                                               f"{self.reason_tail}")
        elif area is None:
            val, err = self.area_raw if self.area_raw else (math.nan, math.nan)
            verdict, reason = "inconclusive", (
                f"area not established: the quadrature gave {val:.6g} with error estimate "
                f"{err:.3g} (more than {AREA_ERROR_TOL:g} relative)")
        elif area <= 0.0:
            verdict, reason = "not a density", "zero area"
        elif abs(area - 1.0) <= AREA_TOL:
            verdict, reason, factor = "density", "nonnegative with area 1", 1.0
        else:
            verdict, reason, factor = ("rescaled density", f"nonnegative with area {area:.6g}",
                                       area)
        unbounded = [s for s in self.singular if s["kind"] == "integrable"]
        if unbounded and verdict in ("density", "rescaled density"):
            reason += "; unbounded at v = " + ", ".join(f"{s['at']:.6g}" for s in unbounded) + (
                " (integrable singularities)")
        self.verdict, self.reason, self.factor = verdict, reason, factor

    def noise(self) -> None:
        self.family = self.fparams = self.fshift = self.ferr = None
        self.cdf_table: list[tuple[float, float]] = []
        self.cdf_method = None
        if self.verdict not in ("density", "rescaled density"):
            return
        area = self.area
        if not any(s["kind"] == "integrable" for s in self.singular):  # atlas densities are bounded
            self.family, self.fparams, self.fshift, self.ferr = match(
                self.g, self.fine, area, self.peak, self.bump, self.scale, self.peak_at)
        self.cdf_method = "symbolic" if self.cdf_sym is not None else "numeric"
        w = self.width if self.width and math.isfinite(self.width) else self.scale
        # accumulate segment by segment: one quadrature per table step, not one from -inf each
        acc, prev = 0.0, -math.inf
        for k in (-2, -1, 0, 1, 2):
            x = self.peak_at + k * w
            pts = [prev, *[b for b in self.breaks if prev < b < x], x]
            acc += self._quad(pts)[0]
            self.cdf_table.append((x, acc / area))
            prev = x
        if self.family is not None and self.fshift:
            self.reason += f"; centred at v = {self.fshift:.6g}, not at the threshold"
        elif self.family is None:
            self.reason += "; no atlas family matches"

    def result(self) -> AuditResult:
        sub = self.sub
        self.checks["work"] = dict(sub.work.used)
        located = tuple(float(b) for b in self.located)
        return AuditResult(
            formula=sub.text, params=sub.params, verdict=self.verdict, reason=self.reason,
            factor=self.factor, nonnegative=self.nonneg, min_value=self.min_value,
            min_at=self.min_at, integrable=self.integrable, tails=self.tails, area=self.area,
            area_error=self.area_err, area_symbolic=self.area_sym, peak=self.peak,
            peak_at=self.peak_at, width=self.width, symmetric=self.symmetric,
            asymmetry=self.asym, family=self.family, family_params=self.fparams,
            family_shift=self.fshift, family_error=self.ferr, cdf_method=self.cdf_method,
            cdf_symbolic=self.cdf_sym, cdf_table=self.cdf_table, checks=self.checks,
            seconds=time.perf_counter() - self.start, label=dict(self.label or {}),
            kind=sub.kind, breakpoints=located, singularities=tuple(self.singular),
            notes=tuple(self.notes), _g=self.g, _gmp=self.gmp, _breaks=tuple(self.breaks),
        )


def _scipy_quad(g: Callable[[np.ndarray], np.ndarray], pts: list[Any], size: float
                ) -> tuple[float, float]:
    """Vectorised tanh-sinh over every segment at once (SciPy), for float64 integrands."""
    from scipy.integrate import tanhsinh

    p = np.array([float(x) for x in pts])
    a, b = p[:-1], p[1:]
    keep = b > a
    # the absolute tolerance: rounding of the integrand, 1e-16 of its peak over its width
    res = tanhsinh(g, a[keep], b[keep], rtol=1e-14, atol=1e-17 * max(size, 1e-300),
                   maxlevel=10)
    val = float(np.sum(res.integral))
    err = float(np.sum(res.error))
    if np.any(res.status < 0):  # a segment stopped short of its tolerance: not converged
        err = max(err, abs(val), math.inf if not math.isfinite(val) else 0.0)
    return val, err
