"""sgverify.network: validation, forward, SG backward, exact enumeration (every method agrees)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

from sgverify import escape, network
from sgverify.statistics import mean_check

F5 = escape.Sigmoid(5.0)
WITNESS = network.MLP([[[0.3], [-0.2]], [[2.0, -1.0]]], [[0.0, 0.0], [-0.5]], [F5, F5])


FAMILIES = (escape.Sigmoid(3.0), escape.Gaussian(2.0), escape.Arctan(4.0), escape.Laplace(1.5))


def random_net(rng, sizes, families=FAMILIES):
    ws = [rng.uniform(-2, 2, (b, a)) for a, b in itertools.pairwise(sizes)]
    bs = [rng.uniform(-1, 1, b) for b in sizes[1:]]
    es = [families[k % len(families)] for k in range(len(sizes) - 1)]
    return network.MLP(ws, bs, es)


def central(net, x, param, h=1e-6, loss=None):
    up = network.expected_output(network.perturb(net, param, h), x, loss)
    down = network.expected_output(network.perturb(net, param, -h), x, loss)
    return (up - down) / (2 * h)


def all_params(net):
    for k, w in enumerate(net.weights):
        for i in range(w.shape[0]):
            yield (k, i)
            for j in range(w.shape[1]):
                yield (k, i, j)


def pick(grad, param):
    return grad[param[0]][0][param[1:]] if len(param) == 3 else grad[param[0]][1][param[1]]


# --- the record ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("kwargs", "match"), [
    ({"weights": [[[1.0]]], "biases": [[0.0], [0.0]], "escapes": [F5]}, "one entry per layer"),
    ({"weights": [[1.0, 2.0]], "biases": [[0.0]], "escapes": [F5]}, r"weights\[0\] \(layer 1\)"),
    ({"weights": [[[1.0]], [[1.0, 2.0]]], "biases": [[0.0], [0.0]], "escapes": [F5, F5]},
     r"weights\[1\] \(layer 2\) has 2 inputs but layer 1 has 1"),
    ({"weights": [[[1.0]]], "biases": [[0.0, 1.0]], "escapes": [F5]}, r"biases\[0\]"),
    ({"weights": [[[np.nan]]], "biases": [[0.0]], "escapes": [F5]}, "finite"),
    ({"weights": [[[1.0]]], "biases": [[0.0]], "escapes": ["sigmoid"]}, r"escapes\[0\]"),
    ({"weights": [], "biases": [], "escapes": []}, "at least one layer"),
    ({"weights": np.ones((1, 1)), "biases": [[0.0]], "escapes": [F5]}, "list with one entry"),
])
def test_bad_networks_name_the_layer(kwargs, match):
    with pytest.raises(ValueError, match=match):
        network.MLP(**kwargs)


def test_mlp_is_frozen_and_describes_itself():
    with pytest.raises(AttributeError):
        WITNESS.weights = ()
    with pytest.raises(ValueError):
        WITNESS.weights[0][0, 0] = 1.0
    assert WITNESS.sizes == (1, 2, 1) and WITNESS.depth == 2 and WITNESS.n_hidden == 2
    assert WITNESS.to_dict()["escapes"] == ["Sigmoid(beta=5.0)"] * 2
    assert "1-2-1" in repr(WITNESS)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="x must have shape"):
        network.forward(WITNESS, [1.0, 2.0])
    with pytest.raises(ValueError, match="rng"):
        network.forward(WITNESS, 1.0, rng=1, samples=3)
    with pytest.raises(ValueError, match="samples"):
        network.forward(WITNESS, 1.0, np.random.default_rng(0), samples=0)
    with pytest.raises(ValueError, match="net must be"):
        network.expected_output("net", 1.0)
    with pytest.raises(ValueError, match="param"):
        network.perturb(WITNESS, (5, 0), 0.1)
    with pytest.raises(ValueError, match="loss"):
        network.expected_output(WITNESS, 1.0, loss=lambda y: np.full(len(y), np.nan))


# --- forward and the SG backward pass ---------------------------------------------------------

def test_deterministic_forward_is_the_step_rollout():
    fp = network.forward(WITNESS, 1.0)
    np.testing.assert_array_equal(fp.h[1], [1.0, 0.0])
    assert fp.u[1][0] == pytest.approx(1.5) and fp.y.tolist() == [1.0]


def test_stochastic_forward_matches_exact_expectation():
    rng = np.random.default_rng(1)
    n = 200_000
    y = network.forward(WITNESS, 1.0, rng, n).y[:, 0]
    e = network.expected_output(WITNESS, 1.0)
    out = mean_check(float(y.mean()), e, e * (1 - e), n)
    assert out.holds, out.to_dict()


def test_sg_backward_is_the_hand_chain_rule():
    fp = network.forward(WITNESS, 1.0, np.random.default_rng(2), 50)
    sg = network.surrogate_gradient(WITNESS, 1.0, forward_pass=fp)
    d2 = F5.pdf(fp.u[1][:, 0])
    np.testing.assert_array_equal(sg[1][0], d2[:, None, None] * fp.h[1][:, None, :])
    d1 = d2[:, None] * np.array([2.0, -1.0]) * F5.pdf(np.array([0.3, -0.2]))
    np.testing.assert_allclose(sg[0][0][:, :, 0], d1, rtol=1e-15)
    mean = network.surrogate_gradient(WITNESS, 1.0, forward_pass=fp, mean=True)
    np.testing.assert_allclose(mean[0][0], sg[0][0].mean(axis=0), rtol=1e-13)


def test_step_layer_needs_an_explicit_surrogate():
    det = network.MLP(list(WITNESS.weights), list(WITNESS.biases), [escape.Step(), F5])
    with pytest.raises(ValueError, match="deterministic"):
        network.surrogate_gradient(det, 1.0)
    sg = network.surrogate_gradient(det, 1.0, surrogates=[escape.Sigmoid(2.0), None])
    assert sg[0][0].shape == (2, 1)
    calls = network.surrogate_gradient(det, 1.0, surrogates=lambda u: np.ones_like(u))
    np.testing.assert_array_equal(calls[1][0], [[1.0, 0.0]])
    with pytest.raises(ValueError, match="finite values"):
        network.surrogate_gradient(WITNESS, 1.0, surrogates=lambda u: np.full_like(u, np.inf))


# --- exact enumeration ----------------------------------------------------------------------------

@pytest.mark.parametrize("sizes", [(1, 2, 1), (2, 3, 1), (2, 4, 3), (3, 5, 2)])
def test_fast_shallow_path_equals_generic_enumeration(sizes):
    rng = np.random.default_rng(sum(sizes))
    net = random_net(rng, sizes)
    x = rng.uniform(-1, 1, sizes[0])
    fast = network.expected_output_gradient(net, x)
    slow = network.enumerate_patterns(net, x, grad=True)
    assert network.expected_output(net, x) == pytest.approx(slow["value"], abs=1e-15)
    for (fw, fb), (sw, sb) in zip(fast, slow["grad"], strict=True):
        np.testing.assert_allclose(fw, sw, rtol=0, atol=1e-14)
        np.testing.assert_allclose(fb, sb, rtol=0, atol=1e-14)
    assert slow["prob"] == pytest.approx(1.0, abs=1e-14)


@pytest.mark.parametrize("sizes", [(1, 2, 1), (2, 3, 2, 1), (1, 2, 2, 2)])
def test_exact_gradient_matches_central_differences(sizes):
    # central differences of the smooth E[y] with h = 1e-6: truncation ~h^2, rounding ~eps/h
    rng = np.random.default_rng(len(sizes))
    net = random_net(rng, sizes)
    x = rng.uniform(-1, 1, sizes[0])
    def loss(y):
        return (y.sum(axis=1) - 0.3) ** 2

    for lo in (None, loss):
        grad = network.expected_output_gradient(net, x, lo)
        for prm in all_params(net):
            assert pick(grad, prm) == pytest.approx(central(net, x, prm, loss=lo), abs=1e-8)


def test_expected_sg_matches_monte_carlo_with_exact_variance():
    rng = np.random.default_rng(3)
    net = random_net(rng, (2, 3, 2, 1))
    x = np.array([0.4, -0.8])
    n = 100_000
    mean = network.surrogate_gradient(net, x, rng, n, mean=True)
    exact = network.expected_surrogate_gradient(net, x)
    var = network.surrogate_gradient_variance(net, x)
    # 5 entries of layer 1: one check each, false alarm 2e-9 per check
    for i in range(3):
        out = mean_check(float(mean[0][0][i, 0]), float(exact[0][0][i, 0]),
                         float(var[0][0][i, 0]), n)
        assert out.holds, out.to_dict()


def test_witness_numbers_and_output_layer_identity():
    grad = network.expected_output_gradient(WITNESS, 1.0)
    esg = network.expected_surrogate_gradient(WITNESS, 1.0)
    np.testing.assert_array_equal(esg[1][0], grad[1][0])
    np.testing.assert_allclose(grad[0][0].ravel(), [0.6887501434, -0.0740297027], rtol=1e-9)
    np.testing.assert_allclose(esg[0][0].ravel(), [0.1873353251, -0.1234771593], rtol=1e-9)


def test_sympy_twin_gradient_matches_numeric():
    net = network.MLP([[[0.6, -0.9], [1.3, 0.4]], [[0.9, -1.1]]], [[0.2, -0.3], [0.5]],
                      [escape.Sigmoid(2.0), escape.Gaussian(1.5)])
    x = np.array([1.0, -0.5])
    expr = network.expected_output_expr(net, x)
    syms = network.parameter_symbols(net)
    subs = {}
    for (ws, bs), w, b in zip(syms, net.weights, net.biases, strict=True):
        subs.update({ws[i, j]: w[i, j] for i in range(w.shape[0]) for j in range(w.shape[1])})
        subs.update({bs[i]: b[i] for i in range(b.shape[0])})
    grad = network.expected_output_gradient(net, x)
    assert float(expr.evalf(20, subs=subs)) == pytest.approx(network.expected_output(net, x),
                                                               abs=1e-14)
    for k, (ws, _) in enumerate(syms):
        for i in range(ws.shape[0]):
            for j in range(ws.shape[1]):
                val = float(sp.diff(expr, ws[i, j]).evalf(20, subs=subs))
                assert val == pytest.approx(grad[k][0][i, j], abs=1e-13)


def test_enumeration_limits_and_extreme_inputs():
    big = network.MLP([np.ones((25, 1)), np.ones((1, 25))], [np.zeros(25), [0.0]], [F5, F5])
    with pytest.raises(ValueError, match="at most"):
        network.expected_output(big, 1.0)
    with pytest.raises(ValueError, match="tiny"):
        network.expected_output_expr(big, 1.0)
    huge = network.MLP([[[1e6], [-1e6]], [[1e6, -1e6]]], [[0.0, 0.0], [-0.5]], [F5, F5])
    with np.errstate(all="raise"):
        grads = network.expected_output_gradient(huge, 1.0)
        esg = network.expected_surrogate_gradient(huge, 1.0)
    assert all(np.all(np.isfinite(a)) for pair in grads + esg for a in pair)
