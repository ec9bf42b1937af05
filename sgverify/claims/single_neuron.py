"""Single-neuron claims (THEORY.md §§1, 3, 4): SG = SPM gradient = smoothed SD.

Each claim pairs a SymPy derivation with NumPy numerics checked against mpmath or Monte Carlo.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from .. import escape, neuron, reference, stochad
from .. import strategies as sst
from .. import symbols as S
from ._common import EPS, MC_WHY, is_zero_everywhere, mean_check, potential_for_probability
from ._record import Claim, Example, Outcome, Tolerance

__all__ = ["CLAIMS"]

PROOF = "proofs/single_neuron.py"

#: relative tolerance of float64 against mpmath for f'(u) x at |z| <= 40 (see _FLOAT_WHY)
_REL = 1e-9
_FLOAT_WHY = (
    "float64 vs mpmath relative error <= 1e-9: rounding z = beta u costs eps z^2 <= 4e-13 "
    "relative in the worst density (Gaussian, |z| <= 40), rounding u = w.x adds n eps beta "
    "|w||x| (1 + |z|) <= 1e-11 for the drawn ranges; 1e-9 keeps a 100x margin"
)


def _neuron_points(ctx: Any, *, families=sst.density_families, n_max: int = 4) -> st.SearchStrategy:
    """(escape, w, x, theta) with |u| at most 40 widths of the escape noise."""

    def build(esc: escape.EscapeNoise) -> st.SearchStrategy:
        width = esc.scale
        return st.integers(1, n_max).flatmap(
            lambda n: st.tuples(
                st.just(esc),
                sst.vectors(n, min_value=-2.0, max_value=2.0),
                sst.vectors(n, min_value=-2.0, max_value=2.0),
                st.floats(-40.0, 40.0).map(lambda t: t * width),
            ).map(lambda p: (p[0], p[1], p[2], float(p[1] @ p[2] - p[3])))
        )

    # theta is chosen so that u = w.x - theta lands at the drawn t * width
    return sst.escapes(families).flatmap(build)


def _example(esc: escape.EscapeNoise, w, x, u: float) -> tuple:
    w, x = np.asarray(w, float), np.asarray(x, float)
    return (esc, w, x, float(w @ x - u))


def _u(point) -> float:
    _esc, w, x, theta = point
    return float(neuron.preactivation(w, x, theta))


# --- single-neuron.expected-output --------------------------------------------------------------


def _expected_output_eval(point, ctx) -> Outcome:
    esc, w, x, theta, seed = point
    n = ctx.samples(20_000)
    rng = np.random.default_rng(seed)
    y = neuron.sample(w, x, esc, rng, n, theta)
    p = float(neuron.expected_output(w, x, esc, theta))
    return mean_check(float(y.mean()), p, p * (1 - p), n, family=repr(esc))


def _expected_output_symbolic() -> Outcome:
    expr = neuron.expected_output_expr(S.f)
    ok = sp.simplify(expr - S.f(S.w * S.x - S.theta)) == 0
    return Outcome(
        ok, 0.0 if ok else math.inf, {"derivation": f"E[y] = sum_y y P(y) = {sp.sstr(expr)}"}
    )


# --- single-neuron.sg-equals-spm-gradient ------------------------------------------------------


def _spm_reference(point) -> np.ndarray:
    """dE[y]/dw_i by mpmath differentiation of E[y] = f(u), the twin CDF in mpmath.

    ``u = w.x - theta`` is formed exactly in mpmath; since w -> u is linear,
    dE[y]/dw_i = x_i dE[y]/du (differentiating along w_i directly would lose tiny x_i
    against the working precision).
    """
    esc, w, x, theta = point
    cdf = reference.escape_cdf(esc)
    with reference.workdps(reference.DPS):
        um = sum(reference.to_mp(a) * reference.to_mp(b) for a, b in zip(w, x, strict=True))
        um -= reference.to_mp(theta)
        d_du = reference.derivative(lambda t: cdf(um + t), 0.0)
    return d_du * np.asarray(x, dtype=float)


def _sg_equals_spm_eval(point, ctx) -> Outcome:
    esc, w, x, theta = point
    sg = neuron.surrogate_gradient(w, x, esc, theta)
    spm = neuron.spm_gradient(w, x, esc, theta)
    ref = _spm_reference(point)
    scale = max(float(np.abs(ref).max()), 1e-300)
    return Outcome.all_of(
        {
            "sg_matched_vs_mp_dEy_dw": Outcome.within(float(np.abs(sg - ref).max()) / scale, _REL),
            "spm_gradient_vs_mp": Outcome.within(float(np.abs(spm - ref).max()) / scale, _REL),
        },
        family=repr(esc),
        u=_u(point),
        reference=ref,
        sg=sg,
    )


def _sg_equals_spm_symbolic() -> Outcome:
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
    return Outcome(
        ok,
        0.0 if ok else math.inf,
        {"generic_f": f"dE[y]/dw - f'(u) x = {generic}", "per_family": families},
    )


# --- single-neuron.mismatched-sg-differs -------------------------------------------------------


def _mismatch_eval(point, ctx) -> Outcome:
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
            "difference_at_u0_is_(bSG-bN)/4_x": Outcome.within(
                err, 8 * EPS * max(beta_n, beta_sg) * float(np.abs(x).max())
            ),
            "sg_differs_from_spm": Outcome.exceeds(
                float(np.abs(diff).max()), 1e3 * EPS * max(beta_n, beta_sg)
            ),
            "rescaled_sd_keeps_direction": Outcome.within(abs(1.0 - cos), 16 * EPS),
            "rescaled_sd_scales_length_by_c": Outcome.within(abs(length / c - 1.0), 16 * EPS),
        },
        difference=diff,
        exact_difference=exact,
        cosine=cos,
        length_ratio=length,
    )


def _mismatch_points(ctx) -> st.SearchStrategy:
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


def _mismatch_symbolic() -> Outcome:
    sig = lambda b, a: 1 / (1 + sp.exp(-b * a))  # noqa: E731
    d = sp.diff(sig(S.beta_sg, S.z), S.z) - sp.diff(sig(S.beta_n, S.z), S.z)
    at0 = sp.simplify(d.subs(S.z, 0))
    ok = sp.simplify(at0 - (S.beta_sg - S.beta_n) / 4) == 0
    return Outcome(ok, 0.0 if ok else math.inf, {"SD_SG(0) - f'(0)": str(at0)})


# --- single-neuron.stochastic-derivative-unbiased ----------------------------------------------


def _prob_points(ctx) -> st.SearchStrategy:
    return st.tuples(
        sst.escapes(),
        sst.probabilities(0.01, 0.99),
        st.floats(-2, 2).filter(lambda a: abs(a) > 1e-3),
        sst.seeds(),
    )


def _unbiased_eval(point, ctx) -> Outcome:
    esc, p_target, x, seed = point
    u = potential_for_probability(esc, p_target)
    p, dp = float(esc.cdf(u)), float(esc.pdf(u))
    exact = dp * x  # dE[y]/dw at w = u / x, theta = 0
    n = ctx.samples(20_000)
    rng = np.random.default_rng(seed)
    uniform = rng.random(n)
    checks = {}
    for side in stochad.SIDES:
        m_exact, v_exact = stochad.exact_moments(side, p)
        checks[f"{side}_exact_mean_is_1"] = Outcome.within(
            abs(m_exact - 1.0), 8 * EPS / min(p, 1 - p)
        )
        est = stochad.bernoulli_triple(p, uniform, side).estimate * dp * x
        checks[f"{side}_monte_carlo"] = mean_check(
            float(est.mean()), exact, v_exact * (dp * x) ** 2, n
        )
    return Outcome.all_of(checks, family=repr(esc), p=p, dEy_dw=exact)


def _unbiased_symbolic() -> Outcome:
    means = {s: stochad.exact_moments_expr(s)[0] for s in stochad.SIDES}
    chained = {s: sp.simplify(m * sp.Derivative(S.f(S.u), S.u)) for s, m in means.items()}
    ok = all(m == 1 for m in means.values())
    return Outcome(
        ok,
        0.0 if ok else math.inf,
        {
            "mean_per_unit_p": {k: str(v) for k, v in means.items()},
            "chained_with_p=f(u)": {k: str(v) for k, v in chained.items()},
        },
    )


# --- single-neuron.smoothed-derivative-equals-sg ------------------------------------------------

#: hand-derived variances per unit p (independent of stochad.exact_moments_expr)
_VARIANCE_BY_HAND = {
    "right": S.p / (1 - S.p),
    "left": (1 - S.p) / S.p,
    "input": sp.Integer(0),
    "output": (1 - 2 * S.p) ** 2 / (4 * S.p * (1 - S.p)),
    "straight-through": sp.Integer(0),
}


def _smoothed_eval(point, ctx) -> Outcome:
    esc, p_target, x, seed = point
    u = potential_for_probability(esc, p_target)
    p, dp = float(esc.cdf(u)), float(esc.pdf(u))
    w = u / x
    sg = float(neuron.surrogate_gradient(w, x, esc))
    n = ctx.samples(20_000)
    rng = np.random.default_rng(seed)
    xs = (rng.random(n) < p).astype(float)
    checks = {
        "input_conditioned_equals_matched_sg": Outcome.within(
            float(np.abs(stochad.smoothed(xs, p, "input") * dp * x - sg).max()), 4 * EPS * abs(sg)
        ),
    }
    variances = {}
    for strat in stochad.SMOOTHINGS:
        mean, var = stochad.exact_moments(strat, p)
        by_hand = float(_VARIANCE_BY_HAND[strat].subs(S.p, p))
        variances[strat] = var * (dp * x) ** 2
        checks[f"{strat}_exact_mean_is_sg"] = Outcome.within(
            abs(mean * dp * x - sg), 64 * EPS * abs(sg) / min(p, 1 - p)
        )
        checks[f"{strat}_variance_as_stated"] = Outcome.within(
            abs(var - by_hand), 64 * EPS * max(1.0, by_hand) / min(p, 1 - p)
        )
        est = stochad.smoothed(xs, p, strat) * dp * x
        checks[f"{strat}_monte_carlo"] = mean_check(float(est.mean()), sg, variances[strat], n)
    return Outcome.all_of(
        checks, family=repr(esc), p=p, sg=sg, variances_of_weight_gradient=variances
    )


def _smoothed_symbolic() -> Outcome:
    found = {}
    ok = True
    for strat, by_hand in _VARIANCE_BY_HAND.items():
        mean, var = stochad.exact_moments_expr(strat)
        same = sp.simplify(mean - 1) == 0 and sp.simplify(var - by_hand) == 0
        ok &= same
        found[strat] = {"mean": str(mean), "variance": str(sp.factor(var)), "matches": same}
    return Outcome(ok, 0.0 if ok else math.inf, {"per_unit_p": found})


# --- single-neuron.deterministic-limit ----------------------------------------------------------


def _limit_eval(u: float, ctx) -> Outcome:
    betas = np.array([20.0, 40.0, 80.0, 160.0]) / abs(u)
    # mean gap |sigma(beta u) - H(u)| = sigma(-beta |u|) and variance sigma(1 - sigma) both
    # decay like exp(-beta |u|): the slope of their logs in beta must be -|u|
    log_gap, log_var = [], []
    for b in betas:
        f = escape.Sigmoid(b)
        gap = abs(float(f.cdf(u)) - (1.0 if u > 0 else 0.0))
        p = float(f.cdf(u))
        log_gap.append(math.log(float(escape.Sigmoid(b).cdf(-abs(u)))))  # = sigma(-beta|u|)
        log_var.append(
            math.log(p * (1 - p))
            if 0 < p < 1
            else math.log(float(f.cdf(-abs(u))) * float(f.cdf(abs(u))))
        )
        assert gap >= 0
    slope_gap = float(np.polyfit(betas, log_gap, 1)[0])
    slope_var = float(np.polyfit(betas, log_var, 1)[0])
    last = escape.Sigmoid(betas[-1])
    return Outcome.all_of(
        {
            "mean_gap_rate_is_-|u|": Outcome.within(
                abs(slope_gap / abs(u) + 1.0), 1e-6, slope=slope_gap
            ),
            "variance_rate_is_-|u|": Outcome.within(
                abs(slope_var / abs(u) + 1.0), 1e-6, slope=slope_var
            ),
            "mean_at_largest_beta_is_H(u)": Outcome.within(
                abs(float(last.cdf(u)) - (1.0 if u > 0 else 0.0)), 1e-60
            ),
        },
        u=u,
        betas=betas,
        log_mean_gap=log_gap,
        log_variance=log_var,
        mean_at_u0_for_every_beta=0.5,
    )


def _limit_symbolic() -> Outcome:
    sig = 1 / (1 + sp.exp(-S.beta * S.u))
    up = sp.Symbol("u_pos", positive=True)
    lims = {
        "mean, u>0": sp.limit(sig.subs(S.u, up), S.beta, sp.oo),
        "mean, u<0": sp.limit(sig.subs(S.u, -up), S.beta, sp.oo),
        "variance, u>0": sp.limit((sig * (1 - sig)).subs(S.u, up), S.beta, sp.oo),
        "mean, u=0": sig.subs(S.u, 0),
    }
    ok = lims["mean, u>0"] == 1 and lims["mean, u<0"] == 0 and lims["variance, u>0"] == 0
    return Outcome(ok, 0.0 if ok else math.inf, {k: str(v) for k, v in lims.items()})


# --- single-neuron.nonlinear-loss-caveat --------------------------------------------------------


def _loss_eval(point, ctx) -> Outcome:
    esc, p_target, x, target, seed = point
    u = potential_for_probability(esc, p_target)
    p, dp = float(esc.cdf(u)), float(esc.pdf(u))
    loss = lambda y: (y - target) ** 2  # noqa: E731
    exact = dp * x * (loss(1.0) - loss(0.0))  # any loss of a binary y is affine in y
    # reference: mpmath derivative of E[L] = f(u) L(1) + (1 - f(u)) L(0) along w = u / x
    cdf = reference.escape_cdf(esc)
    with reference.workdps(reference.DPS):
        l1, l0 = reference.to_mp(loss(1.0)), reference.to_mp(loss(0.0))
        ref = reference.derivative(
            lambda t: cdf(reference.to_mp(u) + t * reference.to_mp(x)) * (l1 - l0) + l0, 0.0
        )
    avg_sg = dp * x * 2.0 * (p - target)  # E[SD(u) x L'(y)], L'(y) = 2 (y - t)
    gap = avg_sg - exact
    n = ctx.samples(20_000)
    y = (np.random.default_rng(seed).random(n) < p).astype(float)
    sg_samples = dp * x * 2.0 * (y - target)
    return Outcome.all_of(
        {
            "affine_formula_is_exact": Outcome.within(
                abs(exact - ref), _REL * max(abs(ref), 1e-300)
            ),
            "gap_is_f'(u)x(2f(u)-1)": Outcome.within(
                abs(gap - dp * x * (2 * p - 1)), 64 * EPS * abs(dp * x)
            ),
            "average_sg_monte_carlo": mean_check(
                float(sg_samples.mean()), avg_sg, (2 * dp * x) ** 2 * p * (1 - p), n
            ),
            "average_sg_differs": Outcome.exceeds(abs(gap), 1e-3 * abs(dp * x)),
        },
        family=repr(esc),
        p=p,
        target=target,
        exact_dEL_dw=exact,
        average_sg=avg_sg,
        gap=gap,
    )


def _loss_points(ctx) -> st.SearchStrategy:
    away_from_half = st.floats(0.02, 0.45) | st.floats(0.55, 0.98)
    return st.tuples(
        sst.escapes(), away_from_half, st.floats(0.1, 2.0), st.floats(0.0, 1.0), sst.seeds()
    )


def _loss_symbolic() -> Outcome:
    y, t = sp.symbols("y t", real=True)
    p = S.f(S.w * S.x)
    loss = (y - t) ** 2
    exact = sp.diff(p * loss.subs(y, 1) + (1 - p) * loss.subs(y, 0), S.w)
    fprime = sp.diff(p, S.w)
    avg_sg = fprime * (p * sp.diff(loss, y).subs(y, 1) + (1 - p) * sp.diff(loss, y).subs(y, 0))
    gap = sp.factor(sp.simplify(avg_sg - exact))
    expected = sp.factor(fprime * (2 * p - 1))
    ok = sp.simplify(gap - expected) == 0
    return Outcome(
        ok,
        0.0 if ok else math.inf,
        {"exact": str(sp.factor(exact)), "average_sg": str(sp.factor(avg_sg)), "gap": str(gap)},
    )


_S5 = escape.Sigmoid(5.0)
_STAT_TOL = Tolerance(1.0, MC_WHY)

CLAIMS = (
    Claim(
        id="single-neuron.expected-output",
        kind="statistical",
        statement="The expected output of an escape-noise neuron is its firing probability: "
        "E[y] = f(u) for y ~ Bernoulli(f(u)).",
        formula=r"\mathbb{E}[y] = f(u),\quad u = w\cdot x - \theta",
        source="§1 (stochastic Perceptron)",
        tolerance=_STAT_TOL,
        evaluate=_expected_output_eval,
        points=lambda ctx: _neuron_points(ctx, families=escape.FAMILIES).flatmap(
            lambda p: st.tuples(*(st.just(a) for a in p), sst.seeds())
        ),
        examples=tuple(
            Example(
                c.name,
                (
                    *_example(
                        c()
                        if c is escape.Step
                        else (escape.Exponential(0.5, 0.5) if c is escape.Exponential else c(5.0)),
                        [0.3],
                        [1.0],
                        0.1,
                    ),
                    7,
                ),
            )
            for c in escape.FAMILIES
        ),
        symbolic=_expected_output_symbolic,
        uses=("escape.cdf-is-distribution",),
        proof=PROOF,
        limitations="Monte Carlo with 20 000 samples (dev/ci) resolves biases above the reported "
        "minimum detectable bias only.",
    ),
    Claim(
        id="single-neuron.sg-equals-spm-gradient",
        kind="identity",
        statement="For a single escape-noise neuron the surrogate gradient with the matched "
        "surrogate derivative SD = f' equals the gradient of the expected output.",
        formula=r"\frac{\partial \mathbb{E}[y]}{\partial w_i} = f'(u)\,x_i = \mathrm{SD}(u)\,x_i "
        r"\iff \mathrm{SD} = f'",
        source="§3",
        tolerance=Tolerance(_REL, _FLOAT_WHY),
        evaluate=_sg_equals_spm_eval,
        points=_neuron_points,
        examples=(
            Example("sigmoid beta=5, u=0.1", _example(_S5, [0.3, -0.1], [1.0, 2.0], 0.1)),
            *(
                Example(
                    f"{c.name} at u=0",
                    _example(
                        escape.Exponential(0.5, 0.5) if c is escape.Exponential else c(3.0),
                        [1.0, -0.5],
                        [0.5, 2.0],
                        0.0 if c is not escape.Exponential else -0.2,
                    ),
                )
                for c in sst.density_families
            ),
        ),
        symbolic=_sg_equals_spm_symbolic,
        uses=("escape.pdf-is-cdf-derivative",),
        proof=PROOF,
    ),
    Claim(
        id="single-neuron.mismatched-sg-differs",
        kind="for-all",
        statement="With sigmoid noise and beta_SG != beta_N the surrogate gradient differs from "
        "the SPM gradient (by (beta_SG - beta_N)/4 x at u = 0), while any positive "
        "rescaling c f' of the matched SD keeps the gradient's direction.",
        formula=r"\sigma'_{\beta_{SG}}(0)x - \sigma'_{\beta_N}(0)x"
        r" = \tfrac{\beta_{SG}-\beta_N}{4}x;"
        r"\quad c f'(u) x \parallel f'(u) x",
        source="§3",
        tolerance=Tolerance(
            1.0,
            "the difference at u = 0 within 8 eps max(beta) |x| (a few "
            "roundings of beta/4-sized numbers); cosine and length ratio within "
            "16 eps (a dot product and two norms of a <= 4-vector)",
        ),
        evaluate=_mismatch_eval,
        points=_mismatch_points,
        examples=(
            Example(
                "paper witness beta_N=5, beta_SG=1, x=1",
                (5.0, 1.0, 2.0 / 5.0, np.array([0.3]), np.array([1.0])),
            ),
        ),
        symbolic=_mismatch_symbolic,
        uses=("single-neuron.sg-equals-spm-gradient",),
        proof=PROOF,
        limitations="The difference is exhibited at u = 0; away from it sigma'_a and sigma'_b "
        "cross at two potentials where the mismatched SG happens to be exact.",
    ),
    Claim(
        id="single-neuron.stochastic-derivative-unbiased",
        kind="statistical",
        statement="The right and left stochastic derivatives of a Bernoulli spike have "
        "expectation dE[y]/dw, exactly over {0, 1} and by Monte Carlo.",
        formula=r"\mathbb{E}[\delta + \omega (Y - X)]\, f'(u) x = f'(u) x",
        source="§4 (Arya et al. 2022)",
        tolerance=Tolerance(
            1.0,
            MC_WHY + "; exact means within 8 eps / min(p, 1-p) (the weights are 1/p and 1/(1-p))",
        ),
        evaluate=_unbiased_eval,
        points=_prob_points,
        examples=(
            Example("sigmoid beta=5, p=0.3", (_S5, 0.3, 1.0, 11)),
            Example("gaussian beta=2, p=0.9, x=-0.5", (escape.Gaussian(2.0), 0.9, -0.5, 12)),
            Example("uniform beta=1, p=0.05", (escape.Uniform(1.0), 0.05, 1.5, 13)),
        ),
        symbolic=_unbiased_symbolic,
        uses=("single-neuron.sg-equals-spm-gradient",),
        proof=PROOF,
    ),
    Claim(
        id="single-neuron.smoothed-derivative-equals-sg",
        kind="identity",
        statement="Smoothing the stochastic derivative conditioned on the neuron's input gives "
        "exactly f'(u) x, the matched SG; the output-conditioned two-sided and the "
        "straight-through smoothings have the same mean, with variances "
        "(1-2p)^2/(4p(1-p)) and 0 per unit p (right: p/(1-p), left: (1-p)/p).",
        formula=r"\tilde\delta = \mathbb{E}[\omega(Y-X)\mid u]\,f'(u)x = f'(u)x;\quad "
        r"\mathrm{Var}_{\text{two-sided}} = \tfrac{(1-2p)^2}{4p(1-p)}",
        source="§4",
        tolerance=Tolerance(
            1.0,
            MC_WHY + "; exact identities within 4-64 eps relative (one "
            "product; sums over two outcomes with weights up to 1/min(p, 1-p))",
        ),
        evaluate=_smoothed_eval,
        points=_prob_points,
        examples=(
            Example("sigmoid beta=5, p=0.3", (_S5, 0.3, 1.0, 21)),
            Example("laplace beta=1, p=0.5", (escape.Laplace(1.0), 0.5, 2.0, 22)),
        ),
        symbolic=_smoothed_symbolic,
        uses=("single-neuron.stochastic-derivative-unbiased",),
        proof=PROOF,
    ),
    Claim(
        id="single-neuron.deterministic-limit",
        kind="limit",
        statement="As beta_N -> inf the stochastic sigmoid neuron becomes the deterministic "
        "Perceptron: its mean tends to H(u) for u != 0 and its variance to 0, both "
        "like exp(-beta_N |u|).",
        formula=r"|\sigma_{\beta}(u) - H(u)| \sim e^{-\beta|u|},\ "
        r"\sigma_\beta(1-\sigma_\beta) \sim e^{-\beta|u|}",
        source="§§1, 3",
        tolerance=Tolerance(
            1e-6,
            "the fitted rate of log gap (and log variance) in beta must "
            "match -|u| to 1e-6 relative: at beta |u| >= 20 the next term "
            "log(1 + e^{-beta|u|}) changes the slope by < 1e-8",
        ),
        evaluate=_limit_eval,
        points=lambda ctx: st.floats(0.01, 5.0) | st.floats(-5.0, -0.01),
        examples=(Example("u = 0.1", 0.1), Example("u = -1", -1.0)),
        symbolic=_limit_symbolic,
        uses=("single-neuron.expected-output", "escape.step-limit"),
        proof=PROOF,
        limitations="At u = 0 the mean stays 1/2 for every beta while the step has H(0) = 0: the "
        "limit is pointwise for u != 0 only.",
    ),
    Claim(
        id="single-neuron.nonlinear-loss-caveat",
        kind="for-all",
        statement="For a non-linear loss such as squared error, the average SG chained through "
        "L'(y) differs from dE[L]/dw by f'(u) x (2 f(u) - 1), while "
        "f'(u) x (L(1) - L(0)) is exact.",
        formula=r"\frac{d\mathbb{E}[L]}{dw} = f'(u)x\,(L(1)-L(0)) \ne f'(u)x\,\mathbb{E}[L'(y)]",
        source="extension",
        tolerance=Tolerance(1.0, _FLOAT_WHY + "; " + MC_WHY),
        evaluate=_loss_eval,
        points=_loss_points,
        examples=(
            Example("sigmoid beta=5, p=0.8, target 1", (_S5, 0.8, 1.0, 1.0, 31)),
            Example(
                "gaussian beta=1, p=0.2, target 0.3", (escape.Gaussian(1.0), 0.2, 0.5, 0.3, 32)
            ),
        ),
        symbolic=_loss_symbolic,
        uses=("single-neuron.sg-equals-spm-gradient",),
        proof=PROOF,
        limitations="The gap vanishes at f(u) = 1/2; points are drawn with |f(u) - 1/2| >= 0.05.",
    ),
)
