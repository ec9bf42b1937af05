"""The audit of one surrogate derivative: sign, integrability, area, implied noise, verdict."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from .. import reference
from .. import symbols as S
from ._numerics import (
    FALLBACK_SECONDS,
    MATCH_TOL,
    NUMERIC_SECONDS,
    SYMBOLIC_SECONDS,
    TRUSTED_SYMBOLIC_SECONDS,
    _budget,
    _evaluator,
    _exact_kinks,
    _fwhm,
    _kinks,
    _match,
    _safe_mp,
    _symbolic,
    _tails,
    _Timeout,
)
from ._parse import Formula, parse

__all__ = [
    "AREA_TOL",
    "FALLBACK_SECONDS",
    "MATCH_TOL",
    "NUMERIC_SECONDS",
    "SYMBOLIC_SECONDS",
    "TRUSTED_SYMBOLIC_SECONDS",
    "AuditResult",
    "audit",
]

#: |area - 1| below which a nonnegative surrogate counts as a density: the quadrature is
#: accurate to ~1e-15 relative (checked against SymPy's exact areas in the tests), and
#: library parameters are short decimals, so a true density lands within 1e-12; a real
#: rescaling by a library is a factor like 2/beta, far outside
AREA_TOL = 1e-9
_V = S.v


@dataclass(frozen=True)
class AuditResult:
    """What a surrogate derivative implies about the escape noise (all numbers float64).

    ``verdict`` is ``"density"`` (area 1, nonnegative: the SD is the matched SPM gradient of
    the noise whose CDF is the primitive), ``"rescaled density"`` (``factor`` times a density:
    right direction, scaled magnitude) or ``"not a density"`` (``reason`` says why).
    """

    formula: str
    params: dict[str, float]
    verdict: str
    reason: str
    factor: float | None
    nonnegative: bool
    min_value: float
    min_at: float
    integrable: bool | None
    tails: dict[str, str]
    area: float | None
    area_error: float | None
    area_symbolic: str | None
    peak: float
    peak_at: float
    width: float | None
    symmetric: bool
    asymmetry: float
    family: str | None
    family_params: dict[str, float] | None
    family_shift: float | None
    family_error: float | None
    cdf_method: str | None
    cdf_symbolic: str | None
    cdf_table: list[tuple[float, float]]
    checks: dict[str, Any]
    seconds: float
    cpu_seconds: float = math.nan
    label: dict[str, Any] = field(default_factory=dict)
    _g: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False, compare=False)
    _gmp: Callable[[Any], Any] | None = field(default=None, repr=False, compare=False)
    _breaks: tuple[Any, ...] = field(default=(), repr=False, compare=False)  # mpf at kinks

    def __repr__(self) -> str:
        from ._explain import audit_repr

        return audit_repr(self)

    def __str__(self) -> str:
        from ._explain import audit_str

        return audit_str(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        from .._display import pretty

        pretty(self, p, cycle)

    def _repr_html_(self) -> str:
        from ._explain import audit_html

        return audit_html(self)

    @property
    def is_density(self) -> bool:
        """True when the surrogate is, up to a positive factor, a probability density."""
        return self.verdict in ("density", "rescaled density")

    def density(self, v: Any) -> np.ndarray:
        """The surrogate evaluated in float64 (NumPy form, mpmath where float64 overflows)."""
        assert self._g is not None
        return self._g(np.asarray(v, dtype=np.float64))

    def cdf(self, v: float, *, dps: int = 30) -> float:
        """The implied escape-noise CDF ``F(v) = int_{-inf}^v SD / area`` by quadrature."""
        if not self.is_density or self.area is None:
            raise ValueError(f"cdf: the surrogate is not a density ({self.reason})")
        v = float(v)
        if not math.isfinite(v):
            raise ValueError(f"v must be finite, got {v!r}")
        pts = [-math.inf, *[b for b in self._breaks if b < v], v]
        return float(reference.quad(self._gmp, pts, dps=dps)) / self.area

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary (no callables)."""
        def num(x: Any) -> Any:
            if x is None:
                return None
            x = float(x)
            return x if math.isfinite(x) else repr(x)

        out = {
            **self.label,
            "formula": self.formula, "params": dict(self.params),
            "verdict": self.verdict, "reason": self.reason, "factor": num(self.factor),
            "nonnegative": self.nonnegative, "min_value": num(self.min_value),
            "min_at": num(self.min_at), "integrable": self.integrable, "tails": dict(self.tails),
            "area": num(self.area), "area_error": num(self.area_error),
            "area_symbolic": self.area_symbolic, "peak": num(self.peak),
            "peak_at": num(self.peak_at), "width": num(self.width),
            "width_definition": "full width at half maximum",
            "symmetric": self.symmetric, "asymmetry": num(self.asymmetry),
            "family": self.family,
            "family_params": None if self.family_params is None else
            {k: num(x) for k, x in self.family_params.items()},
            "family_shift": num(self.family_shift), "family_error": num(self.family_error),
            "cdf": {"method": self.cdf_method, "symbolic": self.cdf_symbolic,
                    "table": [[num(a), num(b)] for a, b in self.cdf_table]},
            "checks": _jsonable(self.checks), "seconds": round(self.seconds, 4),
            "cpu_seconds": num(self.cpu_seconds),
        }
        return out


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(x) for k, x in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(x) for x in obj]
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else repr(float(obj))
    if isinstance(obj, (np.integer,)):
        return int(obj)
    return obj


# --- the audit -------------------------------------------------------------------------------

def audit(
    surrogate: str | Callable[[np.ndarray], np.ndarray],
    params: Mapping[str, float] | None = None,
    *,
    symbolic: bool = True,
    label: Mapping[str, Any] | None = None,
    cpu_budget: bool = True,
) -> AuditResult:
    """Audit a surrogate derivative: what escape noise does it imply, if any?

    Parameters
    ----------
    surrogate
        A formula in ``v`` (see :func:`sgverify.audit.parse`) or a vectorised callable
        ``v -> SD(v)`` (audited numerically only).
    params
        Values of the formula's parameters.
    symbolic
        Let SymPy try the exact area and primitive (within a time budget).
    label
        Extra keys copied into :meth:`AuditResult.to_dict` (library, name, source).
    cpu_budget
        Guard against hostile or pathological input (the default, and what the CLI uses for
        a user's formula): refuse with a ValueError after ``NUMERIC_SECONDS`` of CPU time,
        and leave float64 NaNs not re-evaluated in mpmath within ``FALLBACK_SECONDS`` as NaN.
        ``False`` is for the library's own formulas (the catalogue and the claims), whose
        results must be a function of the formula only, never of timing: no numeric budget,
        and SymPy gets ``TRUSTED_SYMBOLIC_SECONDS`` instead of ``SYMBOLIC_SECONDS``.

    Examples
    --------
    >>> r = audit("1/(beta*abs(v)+1)**2", {"beta": 10})
    >>> r.verdict, round(r.factor, 12), r.family, r.family_params
    ('rescaled density', 0.2, 'fast-sigmoid', {'beta': 10.0})
    >>> audit("where(abs(v) < w, 1/w, c)", {"w": 1, "c": 0.01}).reason
    'not integrable: tends to 0.01 as v -> +inf and tends to 0.01 as v -> -inf'
    """
    if not cpu_budget:
        return _audit(surrogate, params, symbolic, label, False)
    try:
        with _budget(NUMERIC_SECONDS, skip_without_timer=False):
            return _audit(surrogate, params, symbolic, label, True)
    except _Timeout:
        raise ValueError(f"formula: auditing it took over {NUMERIC_SECONDS:g} s of CPU time "
                         "(e.g. nested exponentials far from the threshold)") from None


def _audit(surrogate, params, symbolic, label, budget) -> AuditResult:
    start = time.perf_counter()
    cpu0 = time.process_time()
    checks: dict[str, Any] = {}
    if callable(surrogate) and not isinstance(surrogate, str):
        if params:
            raise ValueError("params: a callable surrogate takes no params")
        text, prm, expr = getattr(surrogate, "__name__", "callable"), {}, None

        def raw(v: np.ndarray) -> np.ndarray:
            with np.errstate(all="ignore"):
                out = np.asarray(surrogate(v), dtype=np.float64)
            if out.shape != v.shape:
                raise ValueError(
                    f"surrogate: callable returned shape {out.shape} for input {v.shape}")
            return out

        mp_fn = None
        g = _evaluator(raw, None, budget=budget)
        gmp = _safe_mp(lambda t: mpmath.mpf(float(raw(np.array([float(t)]))[0])))
        kinks: list[float] = []
        xkinks: list[Any] = []
        symbolic = False
    else:
        form: Formula = parse(surrogate, params)
        text, prm, expr = form.text, form.params, form.expr
        mp_fn = _safe_mp(reference.lambdify_mp(expr, _V))
        g = _evaluator(form.numpy, mp_fn, budget=budget)
        gmp = mp_fn
        kinks = _kinks(expr)
        xkinks = _exact_kinks(expr)

    # coarse scan over 12 decades on both sides to find where the action is
    logs = np.logspace(-6, 6, 241)
    coarse = np.concatenate([-logs[::-1], [0.0], logs, kinks])
    gc = g(coarse)
    if not np.all(np.isfinite(gc)):
        i = int(np.flatnonzero(~np.isfinite(gc))[0])
        return _not_finite(text, prm, float(coarse[i]), gc[i], start, label)
    imax = int(np.argmax(np.abs(gc)))
    top = float(abs(gc[imax]))
    if top == 0.0:
        return _zero(text, prm, start, label)
    # a length scale: the half-maximum span of |g| on the coarse grid
    big = coarse[np.abs(gc) >= top / 2]
    span = float(big.max() - big.min())
    scale = span if span > 0 else 1e-6
    centre = float(coarse[imax])
    fine = np.unique(np.concatenate([
        centre + np.linspace(-60 * scale, 60 * scale, 24001), coarse,
        np.linspace(-60 * scale, 60 * scale, 4001), kinks]))
    gf = g(fine)
    if not np.all(np.isfinite(gf)):
        i = int(np.flatnonzero(~np.isfinite(gf))[0])
        return _not_finite(text, prm, float(fine[i]), gf[i], start, label)

    # sign
    imin = int(np.argmin(gf))
    min_value, min_at = float(gf[imin]), float(fine[imin])
    nonneg = min_value >= 0.0
    top_f = float(np.max(np.abs(gf)))
    if not nonneg and mp_fn is not None and -min_value <= 1e-10 * top_f:
        # negatives at the level of float64 rounding (e.g. a density written as a
        # difference): decide their sign in 30-digit arithmetic instead
        neg = fine[gf < 0][:200]
        with reference.workdps(30):
            exact = np.array([float(mp_fn(mpmath.mpf(float(x)))) for x in neg])
        checks["float64_negatives_rechecked"] = int(neg.size)
        if np.all(exact >= 0) and (gf < 0).sum() <= 200:
            nonneg = True
            min_value, min_at = 0.0, float(neg[0])

    # peak and width
    ipk = int(np.argmax(gf))
    peak = float(gf[ipk])
    plateau = fine[gf >= peak * (1 - 1e-12)] if peak > 0 else fine[ipk:ipk + 1]
    peak_at = float(0.5 * (plateau.min() + plateau.max()))
    width, mid = _fwhm(g, fine, gf, ipk, peak)

    # symmetry about the threshold v = 0
    half = np.linspace(0.0, 60 * max(scale, abs(centre)), 6001)
    d = np.abs(g(half) - g(-half))
    asym = float(d.max() / max(abs(peak), abs(min_value)))
    symmetric = asym <= 1e-12
    # the centre of the bump: exactly 0 for a symmetric SD, else the midpoint of the two
    # half-maximum crossings (root-found to ~1e-15; the grid argmax is only good to ~1e-6
    # on a smooth peak, which would shift a family comparison by ~1e-7)
    if symmetric and float(g(np.array([0.0]))[0]) >= peak * (1 - 1e-12):
        peak_at = 0.0
    centre = 0.0 if symmetric else (mid if mid is not None else peak_at)
    if not symmetric and mid is not None and float(g(np.array([mid]))[0]) >= peak * (1 - 1e-12):
        peak_at = mid

    # tails: the largest |g| over [R, 10R] for R = 1e6 and 1e8 scales, both sides
    tails, integrable, reason_tail = _tails(g, max(scale, abs(centre)))
    checks["tails"] = tails

    # numeric twin check: the NumPy form built from the syntax tree vs the mpmath form of
    # the SymPy expression, on the fine grid (they are built independently)
    if mp_fn is not None:
        near = fine[np.abs(fine - centre) <= 60 * scale]
        sample = near[:: max(1, near.size // 97)]
        # a jump sits where each form's own arithmetic puts it: 1/(2 beta) rounded in float64
        # vs the exact rational, a few ulps apart, so on those few ulps the two forms rightly
        # differ by the jump's height; points that close to a kink are not compared
        keep = np.ones(sample.size, dtype=bool)
        for k in kinks:
            keep &= np.abs(sample - k) > 1e-14 * max(abs(k), scale)
        sample = sample[keep]
        with reference.workdps(30):
            ref = np.array([float(mpmath.re(mp_fn(mpmath.mpf(float(x))))) for x in sample])
        num = g(sample)
        err = float(np.max(np.abs(num - ref)) / max(abs(peak), abs(min_value)))
        checks["numpy_vs_sympy"] = {"max_rel_error": err, "points": int(sample.size),
                                    "skipped_at_kinks": int((~keep).sum())}

    if mp_fn is not None:
        # mpmath (exact arithmetic for cancelling forms) near the bump; float64 far out, where
        # its relative accuracy is ample and mpmath could be slow (exp(-exp(v)) at v = 1e6)
        core = 1e3 * max(scale, abs(centre))

        def gmp(t: Any) -> Any:
            if abs(float(t) - centre) <= core:
                return mp_fn(t)
            return mpmath.mpf(float(g(np.array([float(t)]))[0]))

    # kinks at 50 digits (see _exact_kinks), not their float64 roundings
    breaks = sorted({*xkinks, 0.0, peak_at, *[peak_at + s * k * scale
                                            for s in (-1, 1) for k in (1, 8, 64)]})
    area = area_err = None
    if integrable:
        area, area_err = reference.quad(gmp, [-math.inf, *breaks, math.inf], dps=20, error=True)
        if not math.isfinite(area):
            integrable, reason_tail = None, "the quadrature did not converge"
            area = None

    area_sym = cdf_sym = None
    if symbolic and expr is not None and integrable is not False:
        area_sym, cdf_sym, note = _symbolic(
            expr, SYMBOLIC_SECONDS if budget else TRUSTED_SYMBOLIC_SECONDS)
        checks["symbolic"] = note
        if integrable is None and note == "SymPy's area is oo":
            integrable, reason_tail = False, f"{reason_tail}; SymPy: the integral diverges"
        if area_sym is not None and area is not None:
            exact = float(sp.N(sp.sympify(area_sym), 30))
            checks["area_symbolic_vs_quadrature"] = abs(exact - area) / max(abs(exact), 1e-300)

    # verdict
    factor = None
    if integrable is False:
        verdict, reason = "not a density", f"not integrable: {reason_tail}"
        if not nonneg:
            reason = f"negative somewhere (min {min_value:.4g} at v = {min_at:.4g}) and {reason}"
    elif not nonneg:
        verdict = "not a density"
        reason = f"negative somewhere: min {min_value:.4g} at v = {min_at:.4g}"
    elif integrable is None or area is None:
        verdict, reason = "not a density", f"integrability not established: {reason_tail}"
    elif area <= 0.0:
        verdict, reason = "not a density", "zero area"
    elif abs(area - 1.0) <= AREA_TOL:
        verdict, reason, factor = "density", "nonnegative with area 1", 1.0
    else:
        verdict, reason, factor = "rescaled density", f"nonnegative with area {area:.6g}", area

    family = fparams = fshift = ferr = None
    cdf_table: list[tuple[float, float]] = []
    cdf_method = None
    if verdict != "not a density":
        family, fparams, fshift, ferr = _match(g, fine, area, peak, centre, scale)
        cdf_method = "symbolic" if cdf_sym is not None else "numeric"
        w = width if width and math.isfinite(width) else scale
        # accumulate segment by segment: one quadrature per table step, not one from -inf each
        acc, prev = 0.0, -math.inf
        for k in (-2, -1, 0, 1, 2):
            x = peak_at + k * w
            pts = [prev, *[b for b in breaks if prev < b < x], x]
            acc += float(reference.quad(gmp, pts, dps=20))
            cdf_table.append((x, acc / area))
            prev = x
        if family is not None and fshift:
            reason += f"; centred at v = {fshift:.6g}, not at the threshold"
        elif family is None:
            reason += "; no atlas family matches"

    return AuditResult(
        formula=text, params=prm, verdict=verdict, reason=reason, factor=factor,
        nonnegative=nonneg, min_value=min_value, min_at=min_at, integrable=integrable,
        tails=tails, area=area, area_error=area_err, area_symbolic=area_sym, peak=peak,
        peak_at=peak_at, width=width, symmetric=symmetric, asymmetry=asym, family=family,
        family_params=fparams, family_shift=fshift, family_error=ferr, cdf_method=cdf_method,
        cdf_symbolic=cdf_sym, cdf_table=cdf_table, checks=checks,
        seconds=time.perf_counter() - start, cpu_seconds=time.process_time() - cpu0,
        label=dict(label or {}), _g=g, _gmp=gmp,
        _breaks=tuple(breaks),
    )


def _not_finite(text, prm, at, value, start, label) -> AuditResult:
    what = "overflows float64" if np.isinf(value) else "is undefined (NaN) or not evaluable"
    return _bare(text, prm, f"not finite: {what} at v = {at:.6g}", start, label)


def _zero(text, prm, start, label) -> AuditResult:
    return _bare(text, prm, "zero area (identically zero on the scanned grid)", start, label)


def _bare(text, prm, reason, start, label) -> AuditResult:
    nan = math.nan
    return AuditResult(
        formula=text, params=prm, verdict="not a density", reason=reason, factor=None,
        nonnegative=False, min_value=nan, min_at=nan, integrable=False, tails={}, area=None,
        area_error=None, area_symbolic=None, peak=nan, peak_at=nan, width=None,
        symmetric=False, asymmetry=nan, family=None, family_params=None, family_shift=None,
        family_error=None, cdf_method=None, cdf_symbolic=None, cdf_table=[], checks={},
        seconds=time.perf_counter() - start, label=dict(label or {}),
    )
