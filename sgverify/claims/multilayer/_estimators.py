"""Gradient estimators of a stochastic network: SG = smoothed stochAD, unbiased propagated
stochastic triples, and the variance of finite differences (docs/theory.md §5).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from ... import network, stochad
from .._common import EPS, MC_WHY, MONTE_CARLO, Z
from .._headlines import multilayer as _hl
from .._record import Claim, Example, Outcome, Tolerance
from ._common import (
    DEEP,
    MIXED,
    PROOF,
    WITNESS,
    _float_bound,
    _get,
    _nets,
    _params,
)

__all__ = ["FD_HIGH_VARIANCE", "SMOOTHED_STOCHAD", "TRIPLES_UNBIASED"]


# --- multilayer.sg-is-smoothed-stochad ------------------------------------------------------------

def _smoothed_eval(point, ctx) -> Outcome:
    net, x, seed = point[:3]
    rng = np.random.default_rng(seed)
    fp = network.forward(net, x, rng, 400)
    chain = stochad.smoothed_chain_gradient(net, fp, "input")
    sg = network.surrogate_gradient(net, x, forward_pass=fp)
    # the same products with |W|: the mass the rounding errors are relative to
    absnet = network.MLP([np.abs(w) for w in net.weights], list(net.biases), list(net.escapes))
    mass = network.backward(absnet, fp, [e.pdf for e in net.escapes],
                             np.ones((400, net.sizes[-1])))
    width = max(net.sizes)
    ratio, worst = 0.0, 0.0
    for (cw, cb), (sw, sb), (mw, mb) in zip(chain, sg, mass, strict=True):
        for c, s, m in ((cw, sw, mw), (cb, sb, mb)):
            bound = 4 * (net.depth + width) * EPS * np.abs(m)
            err = np.abs(c - s)
            ratio = max(ratio, float(np.max(err / np.where(bound > 0, bound, 1.0))))
            worst = max(worst, float(err.max()))
    checks = {"input_smoothed_chain_equals_sg": Outcome(
        ratio <= 1.0, ratio, {"max_abs_difference": worst, "samples": 400}, test="within")}
    if len(point) > 3 and point[3] == "control":  # pinned nets: the comparison can fail
        out_chain = stochad.smoothed_chain_gradient(net, fp, "output")
        ctl = max(float(np.abs(o[0] - s[0]).max()) for o, s in zip(out_chain, sg, strict=True))
        checks["control_output_smoothing_differs"] = Outcome.exceeds(ctl, 1e-6)
    return Outcome.all_of(checks, net=net, x=x)


# --- multilayer.stochastic-triples-unbiased -----------------------------------------------------

def _triples_eval(point, ctx) -> Outcome:
    net, x, seed = point[0], point[1], point[2]
    pick = point[3] if len(point) > 3 else None
    rng = np.random.default_rng(seed)
    n = ctx.samples(20_000)
    grad = network.expected_output_gradient(net, x)
    checks = {}
    for side in stochad.SIDES:
        est = stochad.triple_gradient_estimate(net, x, rng, n, side=side)
        mean_ex, var_ex = stochad.triple_gradient_moments(net, x, side)
        params = _params(net)
        if pick is not None:
            params = [params[pick % len(params)]]
        for prm in params:
            k = prm[0]
            sample = est[k][0][(slice(None), *prm[1:])] if len(prm) == 3 else est[k][1][:, prm[1]]
            checks[f"{side} {prm}"] = _TRIPLES_TOL.check_mean(
                float(sample.mean()), _get(grad, prm), _get(var_ex, prm), n)
        ident = max(abs(_get(mean_ex, p) - _get(grad, p)) for p in _params(net))
        checks[f"{side} exact mean identity"] = Outcome.within(ident, _float_bound(net, x))
    info: dict[str, Any] = {"net": net, "x": x}
    if pick is None:
        info["variances"] = _variance_table(net, x)
    return Outcome.all_of(checks, **info)


def _variance_table(net: network.MLP, x: np.ndarray) -> dict[str, Any]:
    """Per-sample variances of every estimator of dE[y]/dW_1[0, 0] (exact, by enumeration)."""
    prm = (0, 0, 0)
    _, vr = stochad.triple_gradient_moments(net, x, "right")
    _, vl = stochad.triple_gradient_moments(net, x, "left")
    vsg = network.surrogate_gradient_variance(net, x)
    esg = network.expected_surrogate_gradient(net, x)
    grad = network.expected_output_gradient(net, x)
    table = {"parameter": "W_1[0, 0]", "exact_gradient": _get(grad, prm),
             "triple_right": _get(vr, prm), "triple_left": _get(vl, prm),
             "smoothed_sg": _get(vsg, prm), "smoothed_sg_bias": _get(esg, prm) - _get(grad, prm)}
    for eps in (0.1, 0.01):
        for crn in (True, False):
            _, v = stochad.finite_difference_moments(net, x, prm, eps, common_random_numbers=crn)
            table[f"fd_eps={eps:g}_{'crn' if crn else 'independent'}"] = v
    return table


# --- multilayer.finite-differences-high-variance ------------------------------------------------

_EPS_GRID = [10.0 ** -k for k in (2, 2.5, 3, 3.5, 4)]


def _fd_eval(point, ctx) -> Outcome:
    net, x, prm, seed = point
    grad = _get(network.expected_output_gradient(net, x), prm)
    rows = {"independent": [], "crn": []}
    bias = []
    for eps in _EPS_GRID:
        for crn, key in ((False, "independent"), (True, "crn")):
            m, v = stochad.finite_difference_moments(net, x, prm, eps, common_random_numbers=crn)
            rows[key].append(v)
        bias.append(abs(m - grad))
    lg = np.log(_EPS_GRID)
    s_ind = float(np.polyfit(lg, np.log(rows["independent"]), 1)[0])
    s_crn = float(np.polyfit(lg, np.log(rows["crn"]), 1)[0])
    rng = np.random.default_rng(seed)
    n = ctx.samples(20_000)
    m1, v1 = stochad.finite_difference_moments(net, x, prm, 0.1, common_random_numbers=False)
    est = stochad.finite_difference_estimate(net, x, rng, n, prm, 0.1, common_random_numbers=False)
    return Outcome.all_of({
        "variance_slope_independent_is_-2": _FD_SLOPE.check(abs(s_ind + 2.0), slope=s_ind,
                                                            variances=rows["independent"]),
        "variance_slope_crn_is_-1": _FD_SLOPE.check(abs(s_crn + 1.0), slope=s_crn,
                                                    variances=rows["crn"]),
        "bias_vanishes": _FD_BIAS.check(bias[-1], max(1.0, abs(grad)), bias=bias),
        "monte_carlo_mean_eps=0.1": MONTE_CARLO.check_mean(float(est.mean()), m1, v1, n),
    }, eps=_EPS_GRID, param=prm, gradient=grad, net=net, x=x)


# --- the records ----------------------------------------------------------------------------

#: multilayer.sg-is-smoothed-stochad: its bounds are derived at each point (the why says how)
_CHAIN_TOL = Tolerance(1.0, "per entry |chain - SG| <= 4 (L + width) eps times the same "
                        "products with |W|: the two orders of evaluation differ only by "
                        "rounding, at most L multiplications and width additions per "
                        "entry; on the pinned nets the control (output-conditioned "
                        "smoothing, same comparison) must differ by more than 1e-6")


SMOOTHED_STOCHAD = Claim(
    id="multilayer.sg-is-smoothed-stochad",
    headline=_hl.smoothed_stochad,
    kind="for-all",
    statement="For every sampled forward pass, chaining the input-conditioned smoothed "
              "stochastic derivatives gives exactly the SG backward pass with SD = f'.",
    formula=r"\prod_l \tilde\delta_l = \mathrm{SD}(u_L) W_L \cdots "
            r"\mathrm{diag}(\mathrm{SD}(u_l))\, h_{l-1}^T,\ \tilde\delta_l = f'(u_l)",
    source="paper; theory 5.5",
    tolerance=_CHAIN_TOL,
    evaluate=_smoothed_eval,
    points=_nets,
    examples=(Example("paper witness 1-2-1", (*WITNESS, 0, "control")),
              Example("2-3-2-1", (*DEEP, 1, "control")),
              Example("2-2-2", (*MIXED, 2, "control"))),
    uses=("single-neuron.smoothed-derivative-equals-sg",),
    proof=PROOF,
)


#: the claim's bound: the z-bound of every Monte Carlo comparison
_TRIPLES_TOL = Tolerance(Z, MC_WHY + "; the exact variance comes from enumerating coupled "
                         "pattern pairs; the exact mean must equal the gradient to the float "
                         "bound")


TRIPLES_UNBIASED = Claim(
    id="multilayer.stochastic-triples-unbiased",
    headline=_hl.triples,
    kind="statistical",
    statement="Propagated stochastic triples (right or left, re-evaluating downstream on "
              "the alternative pattern) are unbiased for dE[y]/dW in every layer; their "
              "variance is reported against the smoothed (SG) estimator and finite "
              "differences.",
    formula=r"E\Big[f'(u_i) h_j \tfrac{1 - h_i}{1 - p_i}\big(y(h^{i\to 1}) - y(h)\big)"
            r"\Big] = \frac{\partial E[y]}{\partial W_{ij}}",
    source="paper, after Arya et al. 2022; theory 4.3",
    tolerance=_TRIPLES_TOL,
    evaluate=_triples_eval,
    points=lambda ctx: _nets(ctx).flatmap(
        lambda p: st.integers(0, 10_000).map(lambda i: (*p, i))),
    examples=(Example("paper witness 1-2-1", (*WITNESS, 0)),
              Example("2-3-2-1", (*DEEP, 1)),
              Example("2-2-2", (*MIXED, 2))),
    uses=("single-neuron.stochastic-derivative-unbiased",
          "multilayer.spm-gradient-by-enumeration"),
    proof=PROOF,
    limitations="Search points check one (drawn) parameter each to keep the number of "
                "comparisons within the false-alarm budget; the summed output only. "
                "Parameters and inputs below 1e-6 in magnitude are drawn as 0: the exact "
                "variances scale with their squares and underflow float64 below that.",
)


#: the claim's bound: the variance's rate in eps
_FD_SLOPE = Tolerance(0.02, "slopes of log exact variance on log eps over eps = 1e-2..1e-4 "
                      "within 0.02 of -2 / -1: the next-order terms are O(eps^2) "
                      "(independent) and O(eps) (CRN) relative, which moves a slope by < 0.01 "
                      "there; the Monte Carlo mean at eps = 0.1 within the z-bound: " + MC_WHY)
_FD_BIAS = Tolerance(1e-6, "exact bias at eps = 1e-4 below 1e-6 relative (central "
                     "differences: O(eps^2))")


FD_HIGH_VARIANCE = Claim(
    id="multilayer.finite-differences-high-variance",
    headline=_hl.finite_differences,
    kind="limit",
    statement="Central finite differences over random paths are unbiased as eps -> 0, "
              "but their variance grows like 1/eps^2 with independent paths (and like "
              "1/eps with common random numbers).",
    formula=r"\mathrm{Var}\Big[\tfrac{y(\theta+\epsilon) - y'(\theta-\epsilon)}"
            r"{2\epsilon}\Big] \sim \epsilon^{-2}",
    source="paper; theory 5.6",
    tolerance=_FD_SLOPE,
    evaluate=_fd_eval,
    examples=(Example("witness W_1[0,0]", (*WITNESS, (0, 0, 0), 1)),
              Example("witness b_2", (*WITNESS, (1, 0), 2)),
              Example("2-3-2-1 W_2[1,0]", (*DEEP, (1, 1, 0), 3))),
    uses=("multilayer.spm-gradient-by-enumeration",),
    proof=PROOF,
    limitations="Exact variances are for the summed output; the rate is a property of the "
                "exact moments, the Monte Carlo check ties the estimator to them at one eps.",
)
