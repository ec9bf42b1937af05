"""Expected output, SG = SPM gradient, and the mismatched SG (docs/theory.md §§1, 3)."""

from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from ... import escape, neuron, reference
from ... import strategies as sst
from ... import symbols as S
from .._common import (
    EPS,
    MONTE_CARLO,
    TINIEST,
    density_reference,
    is_zero_everywhere,
    within_any,
)
from .._record import Outcome
from ._common import FLOAT_TOL, MISMATCH_TOL, preactivation_of

__all__ = [
    "expected_output_eval",
    "expected_output_symbolic",
    "mismatch_eval",
    "mismatch_points",
    "mismatch_symbolic",
    "sg_equals_spm_eval",
    "sg_equals_spm_symbolic",
    "spm_reference",
]

# --- single-neuron.expected-output --------------------------------------------------------------


def expected_output_eval(point, ctx) -> Outcome:
    esc, w, x, theta, seed = point
    n = ctx.samples(20_000)
    rng = np.random.default_rng(seed)
    y = neuron.sample(w, x, esc, rng, n, theta)
    p = float(neuron.expected_output(w, x, esc, theta))
    return MONTE_CARLO.check_mean(float(y.mean()), p, p * (1 - p), n, family=repr(esc))


def expected_output_symbolic() -> Outcome:
    expr = neuron.expected_output_expr(S.f)
    ok = sp.simplify(expr - S.f(S.w * S.x - S.theta)) == 0
    return Outcome.check(ok, {"derivation": f"E[y] = sum_y y P(y) = {sp.sstr(expr)}"}
    )


# --- single-neuron.sg-equals-spm-gradient ------------------------------------------------------


def spm_reference(point) -> tuple[list[float], float]:
    """dE[y]/du by mpmath differentiation of E[y] = f(u), the twin CDF in mpmath.

    ``u = w.x - theta`` is formed exactly in mpmath; since w -> u is linear,
    dE[y]/dw_i = x_i dE[y]/du (differentiating along w_i directly would lose tiny x_i
    against the working precision). At a kink of the density the derivative does not exist;
    both one-sided values are returned, with the slack of ``density_reference``.
    """
    esc, w, x, theta = point
    with reference.workdps(reference.DPS):
        um = sum(reference.to_mp(a) * reference.to_mp(b) for a, b in zip(w, x, strict=True))
        um -= reference.to_mp(theta)
        refs, _sides, slack = density_reference(esc, um)
    return refs, slack


def sg_equals_spm_eval(point, ctx) -> Outcome:
    esc, w, x, theta = point
    xs = np.asarray(x, dtype=float)
    sg = neuron.surrogate_gradient(w, x, esc, theta)
    spm = neuron.spm_gradient(w, x, esc, theta)
    refs, slack = spm_reference(point)
    # compare the per-unit-x factor: g_i / x_i is the density the SG used (x_i != 0)
    i = int(np.argmax(np.abs(xs)))
    if xs[i] == 0:
        return Outcome.check(bool(np.all(sg == 0) and np.all(spm == 0)), {"x": "all zero"})
    # a gradient f'(u) x_i in subnormals (x tiny, or f'(u) x underflowing) keeps an absolute
    # accuracy of 2**-1074 per rounding (the product's, then one O(1) factor's), not a relative
    # one; divided by x_i that is 2 TINIEST / |x_i| in the per-unit-x factor compared below
    underflow = 2 * TINIEST / abs(float(xs[i]))
    parallel = Outcome.within(
        float(np.abs(sg - sg[i] / xs[i] * xs).max()),
        4 * EPS * float(np.abs(sg).max()) + 4 * TINIEST,
    )
    return Outcome.all_of(
        {
            "sg_matched_vs_mp_dEy_du": within_any(float(sg[i] / xs[i]), refs, FLOAT_TOL,
                                                  slack + underflow),
            "spm_gradient_vs_mp": within_any(float(spm[i] / xs[i]), refs, FLOAT_TOL,
                                             slack + underflow),
            "gradient_along_x": parallel,
        },
        family=repr(esc),
        u=preactivation_of(point),
        reference_dEy_du=refs,
        sg=sg,
    )


def sg_equals_spm_symbolic() -> Outcome:
    generic = sp.simplify(
        (
            neuron.spm_gradient_expr(S.f)
            - neuron.surrogate_gradient_expr(
                lambda a: sp.Subs(sp.Derivative(S.f(S.z), S.z), S.z, a)
            )
        ).doit()
    )
    families = {}
    for cls in sst.density_families:
        esc = cls()
        u = S.w * S.x - S.theta
        diff = sp.diff(esc.cdf_expr(u, symbolic=True), S.w) - esc.pdf_expr(u, symbolic=True) * S.x
        # reduce to one variable: at x = 1, theta = 0 the difference is a function of w = v
        families[cls.name] = is_zero_everywhere(diff.subs({S.x: 1, S.theta: 0}), S.w)
    ok = generic == 0 and all(families.values())
    return Outcome.check(ok,
        {"generic_f": f"dE[y]/dw - f'(u) x = {generic}", "per_family": families},
    )


# --- single-neuron.mismatched-sg-differs -------------------------------------------------------


def mismatch_eval(point, ctx) -> Outcome:
    beta_n, beta_sg, c, w, x = point
    f_n, f_sg = escape.Sigmoid(beta_n), escape.Sigmoid(beta_sg)
    theta = float(w @ x)  # u = 0, where the two densities differ by (beta_N - beta_SG)/4
    diff = neuron.surrogate_gradient(w, x, f_sg, theta) - neuron.spm_gradient(w, x, f_n, theta)
    exact = (beta_sg - beta_n) / 4.0 * x
    err = float(np.abs(diff - exact).max())
    spm = neuron.spm_gradient(w, x, f_n, theta)
    scaled = neuron.surrogate_gradient(w, x, lambda u: c * f_n.pdf(u), theta)
    cos = float(scaled @ spm / (np.linalg.norm(scaled) * np.linalg.norm(spm)))
    length = float(np.linalg.norm(scaled) / np.linalg.norm(spm))
    return Outcome.all_of(
        {
            "difference_at_u0_is_(bSG-bN)/4_x": MISMATCH_TOL.check(
                err, 8 * EPS * max(beta_n, beta_sg) * float(np.abs(x).max())
            ),
            "sg_differs_from_spm": Outcome.exceeds(
                float(np.abs(diff).max()), 1e3 * EPS * max(beta_n, beta_sg)
            ),
            "rescaled_sd_keeps_direction": MISMATCH_TOL.check(abs(1.0 - cos), 16 * EPS),
            "rescaled_sd_scales_length_by_c": MISMATCH_TOL.check(abs(length / c - 1.0), 16 * EPS),
        },
        difference=diff,
        exact_difference=exact,
        cosine=cos,
        length_ratio=length,
    )


def mismatch_points(ctx) -> st.SearchStrategy:
    nonzero = st.floats(0.1, 2.0) | st.floats(-2.0, -0.1)
    return (
        st.tuples(
            sst.betas(0.5, 50.0), sst.betas(0.5, 50.0), sst.betas(1e-3, 1e3), st.integers(1, 4)
        )
        .flatmap(
            lambda t: st.tuples(
                st.just(t[0]),
                st.just(t[1]),
                st.just(t[2]),
                sst.vectors(t[3]),
                st.lists(nonzero, min_size=t[3], max_size=t[3]).map(np.array),
            )
        )
        .filter(lambda p: abs(p[0] - p[1]) > 1e-6 * max(p[0], p[1]))
    )


def mismatch_symbolic() -> Outcome:
    sig = lambda b, a: 1 / (1 + sp.exp(-b * a))  # noqa: E731
    d = sp.diff(sig(S.beta_sg, S.z), S.z) - sp.diff(sig(S.beta_n, S.z), S.z)
    at0 = sp.simplify(d.subs(S.z, 0))
    ok = sp.simplify(at0 - (S.beta_sg - S.beta_n) / 4) == 0
    return Outcome.check(ok, {"SD_SG(0) - f'(0)": str(at0)})
