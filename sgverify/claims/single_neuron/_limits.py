"""The deterministic limit and the non-linear-loss caveat (docs/theory.md §§1, 3; extension)."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from ... import escape, reference
from ... import strategies as sst
from ... import symbols as S
from .._common import EPS, MONTE_CARLO, potential_for_probability
from .._record import Outcome
from ._common import FLOAT_TOL, LOSS_TOL, RATE_TOL

__all__ = ["limit_eval", "limit_symbolic", "loss_eval", "loss_points", "loss_symbolic"]

# --- single-neuron.deterministic-limit ----------------------------------------------------------


def limit_eval(u: float, ctx: Any) -> Outcome:
    """Rates of the mean gap |f(u) - H(u)| and of the variance f(1 - f) as beta grows."""
    betas = np.array([20.0, 40.0, 80.0, 160.0]) / abs(u)
    # both decay like exp(-beta |u|); measured in mpmath (the upper-tail gap 1 - sigma(beta u)
    # cancels in float64) at a precision that resolves exp(-160)
    log_gap, log_var = [], []
    with reference.workdps(120):
        for b in betas:
            p = reference.escape_cdf(escape.Sigmoid(b))(reference.to_mp(u))
            gap = abs(p - (1 if u > 0 else 0))
            log_gap.append(float(reference.mp.log(gap)))
            log_var.append(float(reference.mp.log(p * (1 - p))))
    slope_gap = float(np.polyfit(betas, log_gap, 1)[0])
    slope_var = float(np.polyfit(betas, log_var, 1)[0])
    last = escape.Sigmoid(betas[-1])
    return Outcome.all_of(
        {
            "mean_gap_rate_is_-|u|": RATE_TOL.check(abs(slope_gap / abs(u) + 1.0),
                                                    slope=slope_gap),
            "variance_rate_is_-|u|": RATE_TOL.check(abs(slope_var / abs(u) + 1.0),
                                                    slope=slope_var),
            "float64_mean_at_largest_beta_is_H(u)": Outcome.within(
                abs(float(last.cdf(u)) - (1.0 if u > 0 else 0.0)), 1e-60
            ),
        },
        u=u,
        betas=betas,
        log_mean_gap=log_gap,
        log_variance=log_var,
        mean_at_u0_for_every_beta=0.5,
    )


def limit_symbolic() -> Outcome:
    sig = 1 / (1 + sp.exp(-S.beta * S.u))
    up = sp.Symbol("u_pos", positive=True)
    lims = {
        "mean, u>0": sp.limit(sig.subs(S.u, up), S.beta, sp.oo),
        "mean, u<0": sp.limit(sig.subs(S.u, -up), S.beta, sp.oo),
        "variance, u>0": sp.limit((sig * (1 - sig)).subs(S.u, up), S.beta, sp.oo),
        "mean, u=0": sig.subs(S.u, 0),
    }
    ok = lims["mean, u>0"] == 1 and lims["mean, u<0"] == 0 and lims["variance, u>0"] == 0
    return Outcome.check(ok, {k: str(v) for k, v in lims.items()})


# --- single-neuron.nonlinear-loss-caveat --------------------------------------------------------


def loss_eval(point, ctx) -> Outcome:
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
            "affine_formula_is_exact": FLOAT_TOL.check(abs(exact - ref), max(abs(ref), 1e-300)),
            "gap_is_f'(u)x(2f(u)-1)": LOSS_TOL.check(
                abs(gap - dp * x * (2 * p - 1)), 64 * EPS * abs(dp * x)
            ),
            "average_sg_monte_carlo": MONTE_CARLO.check_mean(
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


def loss_points(ctx) -> st.SearchStrategy:
    away_from_half = st.floats(0.02, 0.45) | st.floats(0.55, 0.98)
    return st.tuples(
        sst.escapes(), away_from_half, st.floats(0.1, 2.0), st.floats(0.0, 1.0), sst.seeds()
    )


def loss_symbolic() -> Outcome:
    y, t = sp.symbols("y t", real=True)
    p = S.f(S.w * S.x)
    loss = (y - t) ** 2
    exact = sp.diff(p * loss.subs(y, 1) + (1 - p) * loss.subs(y, 0), S.w)
    fprime = sp.diff(p, S.w)
    avg_sg = fprime * (p * sp.diff(loss, y).subs(y, 1) + (1 - p) * sp.diff(loss, y).subs(y, 0))
    gap = sp.factor(sp.simplify(avg_sg - exact))
    expected = sp.factor(fprime * (2 * p - 1))
    ok = sp.simplify(gap - expected) == 0
    return Outcome.check(ok,
        {"exact": str(sp.factor(exact)), "average_sg": str(sp.factor(avg_sg)), "gap": str(gap)},
    )
