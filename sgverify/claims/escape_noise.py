"""Claims about the escape-noise atlas itself (docs/theory.md §2)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from .. import escape, reference
from .. import strategies as sst
from .. import symbols as S
from ._common import EPS, density_reference, is_zero_everywhere, within_any
from ._headlines import escape as _hl
from ._record import Claim, Example, Outcome, Tolerance

__all__ = ["CLAIMS"]

PROOF = "proofs/escape_noise.py"
_DENSITY = sst.density_families


def _pinned(cls: type[escape.EscapeNoise]) -> escape.EscapeNoise:
    if cls not in escape.FAMILIES:  # a registered family: its documented example member
        return cls.example()
    return (
        escape.Exponential(0.5, 0.5)
        if cls is escape.Exponential
        else cls()
        if cls is escape.Step
        else cls(2.0)
    )


def _z(esc: escape.EscapeNoise, v: float) -> float:
    """The dimensionless argument whose rounding governs the float64 error."""
    if isinstance(esc, escape.Exponential):
        return abs(v / esc.delta_u) + abs(math.log(esc.p0))
    return abs(v) / esc.scale if esc.scale > 0 else 0.0


def _rel_bound(esc: escape.EscapeNoise, v: float) -> float:
    z = _z(esc, v)
    return 8 * EPS * (2.0 + z * z)


_FLOAT_WHY = (
    "relative error <= 8 eps (2 + z^2), z = beta |v| (or |v|/delta_u + |log p0|): rounding "
    "beta v costs a relative error eps z in the argument, and the condition number of the "
    "worst form (the Gaussian exp(-z^2/2)) is z^2; 8 covers the few roundings of each form. "
    "Within rounding of a kink the density is compared with its one-sided limits there "
    "(extrapolated from 1e-9 and 2e-9 widths off it), allowing the one-sided slope times "
    "the distance to the kink plus the kink's own rounding (8 eps). The CDF adds "
    "8 eps |v f'(v)| absolute, the effect of rounding its argument (it dominates where f "
    "crosses 0 linearly at a compact noise's edge). The float64 "
    "central difference of the NumPy CDF (h = eps^(1/3) widths) must match the density to "
    "1e-9 / width: rounding eps/h ~ 4e-11 plus truncation ~ 1e-11, away from kinks"
)


#: |central difference - density| bound, in units of the peak scale 1/width: rounding
#: eps/h = eps^(2/3) ~ 4e-11 plus truncation h^2 |f'''| / 6 ~ 1e-11 for these families
_FD_BOUND = 1e-9


# --- escape.pdf-is-cdf-derivative -------------------------------------------------------------


def _derivative_symbolic() -> Outcome:
    bad = []
    for cls in escape.families():
        esc = _pinned(cls)
        d = sp.diff(esc.cdf_expr(symbolic=True), S.v) - esc.pdf_expr(symbolic=True)
        # piece by piece first (a whole-expression simplify of the Piecewise/Abs forms is
        # half of this claim's time and proves nothing the pieces do not)
        if not (is_zero_everywhere(d) or is_zero_everywhere(sp.simplify(d))):
            bad.append(cls.name)
    return Outcome.check(not bad,
        {
            "families": [c.name for c in escape.families()],
            "failed": bad,
            "method": "sympy diff of cdf_expr minus pdf_expr, simplified to 0 on every "
            "piece of both half-lines (symbolic parameters)",
        },
    )


def _derivative_eval(point: tuple[escape.EscapeNoise, float], ctx: Any) -> Outcome:
    esc, v = point
    if not esc.has_density:
        h = 1.0 if v > 0 else 0.0
        ok = float(esc.cdf(v)) == h and (v == 0 or float(esc.pdf(v)) == 0.0)
        return Outcome.check(ok, {"v": v, "convention": "H(0) = 0"})
    cdf_mp = reference.escape_cdf(esc)
    refs, sides, slack = density_reference(esc, v)
    bound = _rel_bound(esc, v)
    pdf = float(esc.pdf(v))
    cdf_ref = reference.evaluate(cdf_mp, v)
    cdf = float(esc.cdf(v))
    # the CDF's own relative error, plus the argument's: rounding v (or beta v) by eps moves
    # f by eps |v f'(v)|, which dominates where f crosses 0 linearly (a compact noise's edge)
    cdf_bound = bound * abs(cdf_ref) + 8 * EPS * abs(v) * max(abs(r) for r in refs)
    checks = {
        "pdf_vs_mp_derivative": within_any(pdf, refs, bound, slack, sides=sides),
        "cdf_vs_mp_twin": _DERIV_TOL.check(abs(cdf - cdf_ref), cdf_bound, cdf=cdf,
                                         reference=cdf_ref),
    }
    # the float64 CDF against the float64 density directly, without the twins: a central
    # difference with h = eps^(1/3) widths, away from kinks (where it would straddle a jump)
    h = EPS ** (1 / 3) * esc.scale
    if all(abs(v - k) > 2 * h for k in esc.kinks):
        fd = float((esc.cdf(v + h) - esc.cdf(v - h)) / (2 * h))
        checks["numeric_cdf_central_difference"] = _DERIV_TOL.check(
            abs(fd - pdf), _FD_BOUND / esc.scale, difference=fd, h=h
        )
    return Outcome.all_of(checks, family=repr(esc), v=v)


def _family_points(ctx: Any) -> st.SearchStrategy:
    def with_v(esc: escape.EscapeNoise) -> st.SearchStrategy:
        ts = st.floats(-40.0, 40.0).map(lambda t: t * esc.scale if esc.scale else t)
        kinks = st.sampled_from(esc.kinks) if esc.kinks else ts
        return st.tuples(st.just(esc), st.one_of(ts, ts, kinks))

    return sst.escapes(escape.families()).flatmap(with_v)


def _kink_examples() -> tuple[Example, ...]:
    out = []
    for cls in escape.FAMILIES:
        esc = _pinned(cls)
        for v in (
            0.0,
            3 * esc.scale if esc.scale else 1.0,
            -3 * esc.scale if esc.scale else -1.0,
            *esc.kinks,
        ):
            out.append(Example(f"{cls.name} v={v:g}", (esc, float(v))))
    return tuple(out)


# --- escape.cdf-is-distribution ------------------------------------------------------------------


def _limit(expr: sp.Expr, sign: int) -> sp.Expr:
    if isinstance(expr, sp.Piecewise):  # the piece in force far out on that side
        for piece, cond in expr.args:
            if cond == True or cond.subs(S.v, sign * sp.Integer(10) ** 30) == True:  # noqa: E712
                expr = piece
                break
    return sp.limit(expr, S.v, sign * sp.oo)


def _distribution_symbolic() -> Outcome:
    found = {}
    for cls in escape.families():
        c = _pinned(cls).cdf_expr()
        found[cls.name] = [str(_limit(c, -1)), str(_limit(c, 1))]
    ok = all(lims == ["0", "1"] for lims in found.values())
    return Outcome.check(ok, {"limits_at_-inf_+inf": found})


def _distribution_eval(point: tuple[escape.EscapeNoise, np.ndarray], ctx: Any) -> Outcome:
    esc, vs = point
    vs = np.sort(vs)
    cdf, pdf = esc.cdf(vs), esc.pdf(vs)
    far = esc.cdf(np.array([-1e300, -1e12, 1e12, 1e300]))
    return Outcome.all_of(
        {
            "monotone": _DIST_TOL.check(
                max(0.0, -float(np.min(np.diff(cdf), initial=0.0))), 4 * EPS
            ),
            "in_unit_interval": _DIST_TOL.check(
                float(max(0.0, -cdf.min(), cdf.max() - 1.0)), 1e-300
            ),
            "density_nonnegative": _DIST_TOL.check(max(0.0, -float(pdf.min())), 1e-300),
            "far_limits": _DIST_TOL.check(
                float(np.abs(far - [0, 0, 1, 1]).max()),
                1e-9 if isinstance(esc, (escape.FastSigmoid, escape.Arctan)) else 1e-300,
                values=far,
            ),
        },
        family=repr(esc),
    )


def _distribution_points(ctx: Any) -> st.SearchStrategy:
    return st.tuples(
        sst.escapes(escape.families()),
        st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=40).map(np.array),
    )


# --- escape.pdf-normalised ----------------------------------------------------------------------


def _normalised_symbolic() -> Outcome:
    found = {}
    for cls in sst.density_families:
        esc = _pinned(cls)
        found[cls.name] = str(
            sp.simplify(sp.integrate(esc.pdf_expr(symbolic=True), (S.v, -sp.oo, sp.oo)))
        )
    ok = all(val == "1" for val in found.values())
    return Outcome.check(ok, {"integral_symbolic_parameters": found})


#: escape.pdf-normalised's bound on |area - 1|
_AREA_TOL = Tolerance(1e-12, "mpmath tanh-sinh quadrature at 30 digits with breakpoints at "
                      "every kink is accurate to far below 1e-20 for these piecewise analytic "
                      "densities; 1e-12 only guards the float64 parameters")
#: escape.step-limit's bound on the measured rate
_RATE_TOL = Tolerance(1e-3, "the measured rate (log-gap slope) must match the family's "
                      "asymptotic rate within 1e-3; the next term of each expansion "
                      "contributes less than 1e-3 at z >= 50 (and at z >= 1e3 for the power "
                      "tails; the Gaussian's Mills-ratio prefactor is removed); the float64 gap "
                      "at the largest z below 1e-4")


def _normalised_eval(esc: escape.EscapeNoise, ctx: Any) -> Outcome:
    s = esc.scale
    lo, hi = esc.support
    pts = sorted({lo, hi, *esc.kinks, 0.0, -s, s} - {math.inf, -math.inf})
    pts = [p for p in pts if lo <= p <= hi]
    value, err = reference.quad(reference.escape_pdf(esc), [lo, *pts, hi], error=True)
    return _AREA_TOL.check(abs(value - 1.0), integral=value, quad_error_estimate=err,
                           family=repr(esc))


# --- escape.step-limit ------------------------------------------------------------------------

_TAILS = {
    "sigmoid": "exponential",
    "laplace": "exponential",
    "exponential": "exponential",
    "gaussian": "gaussian",
    "fast-sigmoid": "power",
    "arctan": "power",
    "uniform": "compact",
    "triangular": "compact",
}


def _log_gap(esc: escape.EscapeNoise, v: float, digits: float) -> Any:
    """log |f(v) - H(v)| at a precision that resolves a gap of ``10**-digits``."""
    with reference.workdps(40 + int(digits)):
        c = reference.escape_cdf(esc)(reference.to_mp(v))
        gap = abs(c - (1 if v > 0 else 0))
        return reference.mp.log(gap) if gap > 0 else -reference.mp.inf


def _step_eval(point: tuple[escape.EscapeNoise, float], ctx: Any) -> Outcome:
    esc, v = point
    tail = _TAILS[esc.name]
    if isinstance(esc, escape.Exponential) and v > 0:
        tail = "compact"  # above the clip point the firing probability is exactly 1
    # the families are scale families: sharpening by k moves the point to z = k |v| / scale
    zs = (1e3, 1e4) if tail == "power" else (20.0, 40.0)
    ks = [z * esc.scale / abs(v) for z in zs]
    digits = zs[-1] ** 2 / 4.6 if tail == "gaussian" else zs[-1] / 2.3
    numeric = [abs(float(esc.sharpen(k).cdf(v)) - (1.0 if v > 0 else 0.0)) for k in ks]
    logs = [_log_gap(esc.sharpen(k), v, digits) for k in ks]
    info: dict[str, Any] = {
        "family": repr(esc),
        "v": v,
        "z": zs,
        "gap_float64": numeric,
        "log_gap_mp": [float(x) for x in logs],
        "tail": tail,
    }
    checks = {"float64_gap_at_largest_z": Outcome.within(numeric[-1], 1e-4)}
    if tail == "power":
        slope = float((logs[1] - logs[0]) / reference.mp.log(10))
        checks["loglog_slope_is_-1"] = _RATE_TOL.check(abs(slope + 1.0), slope=slope)
    elif tail == "exponential":
        slope = float((logs[1] - logs[0]) / (zs[1] - zs[0]))
        checks["log_gap_slope_in_z_is_-1"] = _RATE_TOL.check(abs(slope + 1.0), slope=slope)
    elif tail == "gaussian":
        # Mills ratio: gap ~ exp(-z^2/2) / (z sqrt(2 pi)); remove the known prefactor
        corrected = [lg + reference.mp.log(z) for lg, z in zip(logs, zs, strict=True)]
        slope = float((corrected[1] - corrected[0]) / ((zs[1] ** 2 - zs[0] ** 2) / 2))
        checks["log_gap_slope_in_z2/2_is_-1"] = _RATE_TOL.check(abs(slope + 1.0), slope=slope)
    else:
        exact = all(x == -reference.mp.inf for x in logs) and max(numeric) == 0.0
        checks["gap_exactly_0_past_support"] = Outcome.check(exact)
    return Outcome.all_of(checks, **info)


def _step_points(ctx: Any) -> st.SearchStrategy:
    def with_v(esc: escape.EscapeNoise) -> st.SearchStrategy:
        mag = st.floats(0.01, 10.0).map(lambda t: t * esc.scale)
        return st.tuples(
            st.just(esc), st.tuples(mag, st.sampled_from((-1.0, 1.0))).map(lambda ms: ms[0] * ms[1])
        )

    return sst.escapes().flatmap(with_v)


#: escape.pdf-is-cdf-derivative: its bounds are derived at each point (the why says how)
_DERIV_TOL = Tolerance(1.0, _FLOAT_WHY)


#: escape.cdf-is-distribution: its bounds are derived at each point (the why says how)
_DIST_TOL = Tolerance(
            1.0,
            "monotonicity up to 4 eps (one rounding of each of two "
            "evaluations); limits at |v| = 1e12 within 1e-9 for the heavy "
            "(1/|v|) tails, exact elsewhere; range and sign exact",
        )


CLAIMS = (
    Claim(
        id="escape.pdf-is-cdf-derivative",
        headline=_hl.derivatives,
        kind="identity",
        statement="For every escape-noise family the density (the matched surrogate derivative) "
        "is the derivative of the firing probability.",
        formula=r"f'(v) = \frac{d}{dv} f(v)",
        source="paper; theory 2.1, 2.2",
        tolerance=_DERIV_TOL,
        evaluate=_derivative_eval,
        points=_family_points,
        examples=_kink_examples(),
        symbolic=_derivative_symbolic,
        proof=PROOF,
        limitations="Numeric points have |beta v| <= 40; at a kink the density must equal one of "
        "the one-sided derivatives. The step has no density: its derivative is 0 "
        "for v != 0 and its SymPy twin is DiracDelta.",
    ),
    Claim(
        id="escape.cdf-is-distribution",
        headline=_hl.distributions,
        kind="for-all",
        statement="Every escape-noise function is a distribution function: monotone, in [0, 1], "
        "with limits 0 and 1, and a non-negative density.",
        formula=r"f' \ge 0,\ \lim_{v\to-\infty} f = 0,\ \lim_{v\to\infty} f = 1",
        source="paper; theory 2.1",
        tolerance=_DIST_TOL,
        evaluate=_distribution_eval,
        points=_distribution_points,
        examples=tuple(
            Example(c.name, (_pinned(c), np.linspace(-5, 5, 101))) for c in escape.FAMILIES
        ),
        symbolic=_distribution_symbolic,
        proof=PROOF,
        limitations="Monotonicity is checked on sampled grids, and symbolically only through "
        "the density's sign (escape.pdf-is-cdf-derivative).",
    ),
    Claim(
        id="escape.pdf-normalised",
        headline=_hl.areas,
        kind="identity",
        statement="Every matched surrogate derivative has area 1 (it is a probability density).",
        formula=r"\int_{-\infty}^{\infty} f'(v)\,dv = 1",
        source="paper; theory 2.1",
        tolerance=_AREA_TOL,
        evaluate=_normalised_eval,
        points=lambda ctx: sst.escapes(),
        examples=tuple(Example(c.name, _pinned(c)) for c in _DENSITY),
        symbolic=_normalised_symbolic,
        uses=("escape.pdf-is-cdf-derivative",),
        proof=PROOF,
    ),
    Claim(
        id="escape.step-limit",
        headline=_hl.step_rates,
        kind="limit",
        statement="As the steepness grows, every escape-noise function tends to the step H(v) "
        "for v != 0: exponentially fast for logistic, Laplace and exponential noise, "
        "like exp(-z^2/2) for Gaussian, like 1/z for fast-sigmoid and arctan, and "
        "exactly for compact noise.",
        formula=r"\lim_{\beta\to\infty} f_\beta(v) = H(v)\quad (v \ne 0)",
        source="paper; theory 2.2",
        tolerance=_RATE_TOL,
        evaluate=_step_eval,
        points=_step_points,
        examples=tuple(
            Example(f"{c.name} v={s:+g}", (_pinned(c), s * 0.7 * _pinned(c).scale))
            for c in _DENSITY
            for s in (-1.0, 1.0)
        ),
        uses=("escape.cdf-is-distribution",),
        proof=PROOF,
        limitations="At v = 0 the smooth symmetric families stay at 1/2 for every beta, while "
        "the step has H(0) = 0: the limit holds for v != 0 only.",
    ),
)
