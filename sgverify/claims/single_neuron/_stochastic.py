"""Bernoulli stochastic derivatives and their smoothings for one neuron (docs/theory.md §4)."""

from __future__ import annotations

import numpy as np
import sympy as sp

from ... import neuron, stochad
from ... import symbols as S
from .._common import EPS, MC_WHY, Z, potential_for_probability
from .._record import Outcome, Tolerance

__all__ = ["SMOOTHED_TOL", "UNBIASED_TOL", "smoothed_eval", "smoothed_symbolic",
           "unbiased_eval", "unbiased_symbolic"]


#: the z-bound of single-neuron.stochastic-derivative-unbiased's Monte Carlo checks
UNBIASED_TOL = Tolerance(Z, MC_WHY + "; exact means within 8 eps / min(p, 1-p) (the weights "
                         "are 1/p and 1/(1-p))")
#: the z-bound of single-neuron.smoothed-derivative-equals-sg's Monte Carlo checks
SMOOTHED_TOL = Tolerance(Z, MC_WHY + "; exact identities within 4-64 eps relative (one "
                         "product; sums over two outcomes with weights up to 1/min(p, 1-p))")


def unbiased_eval(point, ctx) -> Outcome:
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
        checks[f"{side}_monte_carlo"] = UNBIASED_TOL.check_mean(
            float(est.mean()), exact, v_exact * (dp * x) ** 2, n
        )
    return Outcome.all_of(checks, family=repr(esc), p=p, dEy_dw=exact)


def unbiased_symbolic() -> Outcome:
    means = {s: stochad.exact_moments_expr(s)[0] for s in stochad.SIDES}
    chained = {s: sp.simplify(m * sp.Derivative(S.f(S.u), S.u)) for s, m in means.items()}
    ok = all(m == 1 for m in means.values())
    return Outcome.check(ok,
        {
            "mean_per_unit_p": {k: str(v) for k, v in means.items()},
            "chained_with_p=f(u)": {k: str(v) for k, v in chained.items()},
        },
    )


# --- single-neuron.smoothed-derivative-equals-sg ------------------------------------------------

#: hand-derived variances per unit p (independent of stochad.exact_moments_expr)
VARIANCE_BY_HAND = {
    "right": S.p / (1 - S.p),
    "left": (1 - S.p) / S.p,
    "input": sp.Integer(0),
    "output": (1 - 2 * S.p) ** 2 / (4 * S.p * (1 - S.p)),
    "straight-through": sp.Integer(0),
}


def smoothed_eval(point, ctx) -> Outcome:
    esc, p_target, x, seed = point
    w = potential_for_probability(esc, p_target) / x
    # the neuron's own potential (w x rounds), so that every estimator sees the same f'(u)
    u = float(neuron.preactivation(w, x))
    p, dp = float(esc.cdf(u)), float(esc.pdf(u))
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
        by_hand = float(VARIANCE_BY_HAND[strat].subs(S.p, p))
        variances[strat] = var * (dp * x) ** 2
        checks[f"{strat}_exact_mean_is_sg"] = Outcome.within(
            abs(mean * dp * x - sg), 64 * EPS * abs(sg) / min(p, 1 - p)
        )
        checks[f"{strat}_variance_as_stated"] = Outcome.within(
            abs(var - by_hand), 64 * EPS * max(1.0, by_hand) / min(p, 1 - p)
        )
        est = stochad.smoothed(xs, p, strat) * dp * x
        checks[f"{strat}_monte_carlo"] = SMOOTHED_TOL.check_mean(float(est.mean()), sg,
                                                                variances[strat], n)
    return Outcome.all_of(
        checks, family=repr(esc), p=p, sg=sg, variances_of_weight_gradient=variances
    )


def smoothed_symbolic() -> Outcome:
    found = {}
    ok = True
    for strat, by_hand in VARIANCE_BY_HAND.items():
        mean, var = stochad.exact_moments_expr(strat)
        same = sp.simplify(mean - 1) == 0 and sp.simplify(var - by_hand) == 0
        ok &= same
        found[strat] = {"mean": str(mean), "variance": str(sp.factor(var)), "matches": same}
    return Outcome.check(ok, {"per_unit_p": found})
