"""Pinned points of the multilayer claims found by the thorough search."""

from __future__ import annotations

import numpy as np

from sgverify import escape, network, reference
from sgverify.claims.multilayer import _common as mc
from sgverify.claims.multilayer import _enumeration as en


def _zero_net_at_the_clip_point() -> network.MLP:
    # the thorough counterexample (2026-11-29): every parameter 0, a clipped exponential
    # output with p0 = 1, whose clip point (density jump) is u = 0
    return mc._mlp((2, 3, 1), [0.0] * 13,
                   [escape.Sigmoid(beta=1.0), escape.Exponential(p0=1.0, delta_u=1.0)])


def test_spm_gradient_search_excludes_a_point_where_the_gradient_does_not_exist():
    net, x = _zero_net_at_the_clip_point(), np.zeros(2)
    assert en._at_kink(net, x)
    value, flat = mc._mp_expectation(net, x, None)
    idx = mc._flat_index(net, (1, 0))  # the output bias

    def along(t):
        theta = list(flat)
        theta[idx] = t
        return value(theta)

    right = float(reference.derivative(along, 0.0, side=1))
    left = float(reference.derivative(along, 0.0, side=-1))
    central = float(reference.derivative(along, 0.0))
    # E[y] = min(1, e^b): one-sided derivatives 0 and 1, no gradient; the central difference
    # is their mean and the enumeration takes the density's convention f'(clip) = 0
    assert (right, left) == (0.0, 1.0) and abs(central - 0.5) < 1e-12
    grad = network.expected_output_gradient(net, x)
    assert mc._get(grad, (1, 0)) == right
    # the same net a little off the clip point is kept and confirmed
    off = mc._mlp((2, 3, 1), [0.0] * 12 + [-0.25], list(net.escapes))
    assert not en._at_kink(off, x)
    assert en._spm_eval((off, x, 0), None).holds


def test_spm_gradient_search_excludes_the_uniform_support_edge():
    # the other thorough counterexample: 1-2-1, weights 0, output Uniform(beta=0.5) with
    # bias 1 on its support edge (one-sided slopes 0.5 and 0)
    net = mc._mlp((1, 2, 1), [0.0] * 6 + [1.0],
                  [escape.Sigmoid(beta=1.0), escape.Uniform(beta=0.5)])
    assert en._at_kink(net, np.zeros(1))
    assert not en._at_kink(mc._mlp((1, 2, 1), [0.0] * 6 + [0.5], list(net.escapes)), np.zeros(1))


def _naive_expectation(net: network.MLP, x: np.ndarray, theta: list):
    """E[y] in mpmath by the textbook pattern sum: every CDF evaluated for every pattern."""
    import itertools

    cdfs = [reference.escape_cdf(e) for e in net.escapes]
    it = iter(theta)
    layers = []
    for n_in, n_out in itertools.pairwise(net.sizes):
        w = [[next(it) for _ in range(n_in)] for _ in range(n_out)]
        layers.append((w, [next(it) for _ in range(n_out)]))
    total = 0
    for pat in itertools.product((0, 1), repeat=sum(net.sizes[1:-1])):
        h, weight, off = [reference.to_mp(float(v)) for v in x], 1, 0
        for k, (w, b) in enumerate(layers[:-1]):
            for i in range(len(b)):
                p = cdfs[k](sum(wij * hj for wij, hj in zip(w[i], h, strict=True)) + b[i])
                weight *= p if pat[off + i] else 1 - p
            h = list(pat[off:off + len(b)])
            off += len(b)
        w, b = layers[-1]
        total += weight * sum(cdfs[-1](sum(wij * hj for wij, hj in zip(w[i], h, strict=True))
                                        + b[i]) for i in range(len(b)))
    return total


def test_mp_expectation_shares_layer_probabilities_without_changing_a_digit():
    # the enumeration computes each layer's probabilities once per input pattern; the
    # value must be the textbook sum's exactly (same mpf operations), also in a deep net
    for net, x in (mc.DEEP, mc.WITNESS):
        value, flat = mc._mp_expectation(net, x, None)
        theta = list(flat)
        theta[1] = theta[1] + reference.to_mp("0.125")
        with reference.workdps(40):
            assert value(flat) == _naive_expectation(net, x, flat)
            assert value(theta) == _naive_expectation(net, x, theta)
