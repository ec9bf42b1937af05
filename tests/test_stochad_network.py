"""Network-level stochAD: propagated triples, smoothed chains, finite differences, exact moments."""

from __future__ import annotations

import numpy as np
import pytest

from sgverify import escape, network, stochad
from sgverify.statistics import mean_check

F5 = escape.Sigmoid(5.0)
WITNESS = network.MLP([[[0.3], [-0.2]], [[2.0, -1.0]]], [[0.0, 0.0], [-0.5]], [F5, F5])
DEEP = network.MLP(
    [[[0.8, -0.5], [0.3, 1.1], [-0.7, 0.4]], [[1.2, -0.6, 0.9], [-1.0, 0.7, 0.5]], [[1.5, -1.3]]],
    [[0.1, -0.2, 0.05], [-0.1, 0.2], [-0.3]],
    [escape.Sigmoid(3.0), escape.Gaussian(2.0), escape.Arctan(4.0)],
)
X_DEEP = np.array([0.5, -1.0])
CASES = [(WITNESS, np.array([1.0])), (DEEP, X_DEEP)]


@pytest.mark.statistical
@pytest.mark.parametrize(("net", "x"), CASES)
@pytest.mark.parametrize("side", stochad.SIDES)
def test_triples_are_unbiased_with_exact_variance(net, x, side):
    rng = np.random.default_rng(7)
    n = 40_000
    est = stochad.triple_gradient_estimate(net, x, rng, n, side=side)
    grad = network.expected_output_gradient(net, x)
    _, var = stochad.triple_gradient_moments(net, x, side)
    for k in range(net.depth):  # one weight per layer: few comparisons, 2e-9 false alarm each
        out = mean_check(float(est[k][0][:, 0, 0].mean()), float(grad[k][0][0, 0]),
                         float(var[k][0][0, 0]), n)
        assert out.holds, (k, out.to_dict())


@pytest.mark.parametrize(("net", "x"), CASES)
@pytest.mark.parametrize("side", stochad.SIDES)
def test_exact_triple_mean_is_the_gradient(net, x, side):
    mean, var = stochad.triple_gradient_moments(net, x, side)
    grad = network.expected_output_gradient(net, x)
    for (mw, mb), (gw, gb), (vw, vb) in zip(mean, grad, var, strict=True):
        np.testing.assert_allclose(mw, gw, rtol=0, atol=1e-14)
        np.testing.assert_allclose(mb, gb, rtol=0, atol=1e-14)
        assert np.all(vw >= -1e-14) and np.all(vb >= -1e-14)


def test_triple_variance_matches_sample_variance_roughly():
    # a coarse guard on the second moment: 400k samples put the sample variance within a few
    # per cent of the exact one for these heavy-ish tails (observed ~1 %)
    rng = np.random.default_rng(11)
    est = stochad.triple_gradient_estimate(WITNESS, 1.0, rng, 400_000)
    _, var = stochad.triple_gradient_moments(WITNESS, 1.0)
    np.testing.assert_allclose(est[0][0].var(axis=0), var[0][0], rtol=0.05)


@pytest.mark.statistical
@pytest.mark.parametrize("crn", [True, False])
@pytest.mark.parametrize("param", [(0, 0, 0), (1, 1, 0), (2, 0)])
def test_finite_differences_match_their_exact_moments(crn, param):
    rng = np.random.default_rng(5)
    n = 50_000
    est = stochad.finite_difference_estimate(DEEP, X_DEEP, rng, n, param, 0.05,
                                             common_random_numbers=crn)
    m, v = stochad.finite_difference_moments(DEEP, X_DEEP, param, 0.05,
                                             common_random_numbers=crn)
    out = mean_check(float(est.mean()), m, v, n)
    assert out.holds, out.to_dict()


def test_finite_difference_variance_rates():
    v = [stochad.finite_difference_moments(WITNESS, 1.0, (0, 0, 0), e,
                                           common_random_numbers=False)[1] for e in (1e-3, 1e-4)]
    assert np.log10(v[1] / v[0]) == pytest.approx(2.0, abs=1e-3)
    c = [stochad.finite_difference_moments(WITNESS, 1.0, (0, 0, 0), e)[1] for e in (1e-3, 1e-4)]
    assert np.log10(c[1] / c[0]) == pytest.approx(1.0, abs=1e-2)


@pytest.mark.parametrize(("net", "x"), CASES)
def test_input_smoothed_chain_is_the_sg(net, x):
    fp = network.forward(net, x, np.random.default_rng(3), 300)
    chain = stochad.smoothed_chain_gradient(net, fp)
    sg = network.surrogate_gradient(net, x, forward_pass=fp)
    for (cw, cb), (sw, sb) in zip(chain, sg, strict=True):
        np.testing.assert_allclose(cw, sw, rtol=1e-13, atol=1e-300)
        np.testing.assert_allclose(cb, sb, rtol=1e-13, atol=1e-300)
    other = stochad.smoothed_chain_gradient(net, fp, "output")
    assert np.abs(other[0][0] - sg[0][0]).max() > 1e-3


def test_deterministic_layers_and_bad_arguments():
    det = network.MLP(list(WITNESS.weights), list(WITNESS.biases), [escape.Step(), F5])
    est = stochad.triple_gradient_estimate(det, 1.0, np.random.default_rng(0), 100)
    assert np.all(est[0][0] == 0)  # f' = 0 a.e.: no triple reaches a deterministic layer
    fp = network.forward(det, 1.0, np.random.default_rng(0), 10)
    with pytest.raises(ValueError, match="deterministic"):
        stochad.smoothed_chain_gradient(det, fp)
    with pytest.raises(ValueError, match="side"):
        stochad.triple_gradient_estimate(WITNESS, 1.0, np.random.default_rng(0), 10, side="up")
    with pytest.raises(ValueError, match="eps"):
        stochad.finite_difference_estimate(WITNESS, 1.0, np.random.default_rng(0), 10,
                                           (0, 0), 0.0)
    with pytest.raises(ValueError, match="forward_pass"):
        stochad.smoothed_chain_gradient(WITNESS, network.forward(WITNESS, 1.0))


def test_triples_with_a_loss_are_unbiased():
    rng = np.random.default_rng(9)
    n = 200_000

    def loss(y):
        return (y[:, 0] - 0.3) ** 2

    est = stochad.triple_gradient_estimate(DEEP, X_DEEP, rng, n, loss=loss)
    grad = network.expected_output_gradient(DEEP, X_DEEP, loss)
    # no exact variance for a loss: the sample sd at z = 6 (n is large enough for the CLT)
    for k in range(DEEP.depth):
        s = est[k][0][:, 0, 0]
        assert abs(s.mean() - grad[k][0][0, 0]) <= 6 * s.std() / np.sqrt(n)
