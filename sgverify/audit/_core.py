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

from .. import reference
from ._area import AREA_ERROR_TOL, _Area
from ._guard import WorkExhausted
from ._numerics import (
    MATCH_TOL,
    SYMBOLIC_SECONDS,
    TRUSTED_SYMBOLIC_SECONDS,
    fwhm,
    match,
    tails,
)
from ._result import VERDICTS, AuditResult
from ._subject import CALLABLE_SECONDS, WORK_CAPS, Subject, subject
from ._where import _Where

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


class _Audit(_Where, _Area):
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

    def _bump_width(self) -> float:
        """The width of the bump with its integrable singular factors |v - c|^-p divided
        out: an unbounded peak's half-maximum span says nothing of where the tails begin."""
        sing = [s for s in self.singular if s["kind"] == "integrable" and s["exponent"]]
        if not sing:
            return self.scale
        x = self.x0
        with np.errstate(all="ignore"):
            h = np.abs(self.g(x))
            for s in sing:
                h = h * np.abs(x - s["at"]) ** s["exponent"]
        h = np.where(np.isfinite(h), h, 0.0)
        big = x[h >= h.max() / 2] if h.max() > 0 else x[:0]
        return max(self.scale, float(big.max() - big.min()) if big.size else 0.0)

    def integrability(self) -> None:
        self.tails, self.integrable, self.reason_tail = tails(
            self.g, max(self._bump_width(), abs(self.bump)))
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
        base = self.base_fine
        near = base[np.abs(base - centre) <= 60 * scale]
        sample = near[:: max(1, near.size // 97)]
        # a jump sits where each form's own arithmetic puts it: 1/(2 beta) rounded in float64
        # vs the exact rational, a few ulps apart, so on those few ulps the two forms rightly
        # differ by the jump's height; points that close to a kink are not compared
        keep = np.ones(sample.size, dtype=bool)
        for k in self.kinks:
            keep &= np.abs(sample - k) > 1e-14 * max(abs(k), scale)
        skipped = int((~keep).sum())
        # nor points where mpmath would need huge arguments, or that are singular
        usable = sub.mp_ok(sample) & np.isfinite(sub.formula.numpy(sample))
        sample = sample[keep & usable]
        with reference.workdps(30):
            ref = np.array([float(mpmath.re(sub.mp(mpmath.mpf(float(x))))) for x in sample])
        num = sub.formula.numpy(sample)
        err = float(np.max(np.abs(num - ref), initial=0.0)
                    / max(abs(self.peak), abs(self.min_value)))
        self.checks["numpy_vs_sympy"] = {"max_rel_error": err, "points": int(sample.size),
                                         "skipped_at_kinks": skipped}
        if not usable.all():
            self.checks["numpy_vs_sympy"]["skipped_huge_or_singular"] = int((~usable).sum())

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
