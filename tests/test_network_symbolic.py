"""SymPy twins of tiny networks against the NumPy enumeration, and Gradient values."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

from sgverify import escape, network

F5 = escape.Sigmoid(5.0)
WITNESS = network.MLP([[[0.3], [-0.2]], [[2.0, -1.0]]], [[0.0, 0.0], [-0.5]], [F5, F5])


def _net(sizes, fams, seed):
    rng = np.random.default_rng(seed)
    ws = [rng.uniform(-1.5, 1.5, (b, a)) for a, b in itertools.pairwise(sizes)]
    bs = [rng.uniform(-0.5, 0.5, b) for b in sizes[1:]]
    return network.MLP(ws, bs, fams)


CASES = [
    (WITNESS, 1.0),
    (_net((2, 2, 1), [escape.Gaussian(2.0), escape.Arctan(3.0)], 1), [0.4, -0.7]),
    (_net((1, 2, 1, 1), [escape.Laplace(2.0), escape.Sigmoid(1.5), escape.Sigmoid(3.0)], 2),
     0.8),
    (_net((1, 2, 2), [escape.Sigmoid(2.0), escape.Gaussian(1.0)], 3), -0.6),
]


@pytest.mark.parametrize("net, x", CASES)
def test_twins_equal_the_enumeration(net, x):
    e = network.substitute(network.expected_output_expr(net, x), net)
    assert e == pytest.approx(network.expected_output(net, x), rel=1e-13)
    twin = network.substitute(network.expected_output_gradient_expr(net, x), net)
    exact = network.expected_output_gradient(net, x)
    assert float((twin - exact).norm()) <= 1e-13 * float(exact.norm())
    twin_sg = network.substitute(network.expected_surrogate_gradient_expr(net, x), net)
    esg = network.expected_surrogate_gradient(net, x)
    assert float((twin_sg - esg).norm()) <= 1e-13 * float(esg.norm())


def test_symbolic_escape_parameters_and_input_symbols():
    e = network.expected_output_expr(WITNESS, symbolic=True)
    names = {str(s) for s in e.free_symbols}
    assert {"beta_1", "beta_2", "x_0", "W1_00", "b2_0"} <= names
    # the values of every symbol (x given): back to the enumeration's number
    assert network.substitute(e, WITNESS, x=1.0) == pytest.approx(
        network.expected_output(WITNESS, 1.0), rel=1e-13)
    # the output layer is exact (docs/theory.md 5.4): the twins agree entry by entry
    # (probed at random values of all 10 symbols: SymPy's simplify takes minutes here)
    g = network.expected_output_gradient_expr(WITNESS, symbolic=True)
    sg = network.expected_surrogate_gradient_expr(WITNESS, symbolic=True)
    rng = np.random.default_rng(0)
    for _ in range(3):
        # sorted: a set of symbols iterates in hash order, which PYTHONHASHSEED changes per run
        at = {s: sp.Float(rng.uniform(0.2, 2.0), 30)
              for s in sorted(g.flat.free_symbols, key=str)}
        assert abs((g[1].W[0, 0] - sg[1].W[0, 0]).evalf(30, subs=at)) < 1e-25
        assert abs((g[0].W[0, 0] - sg[0].W[0, 0]).evalf(30, subs=at)) > 1e-6  # hidden: biased
    # a family with a symbolic parameter keeps its own symbol; exact numbers stay exact
    beta = sp.Symbol("beta", positive=True)
    net = network.MLP([[[1.0]]], [[0.0]], [escape.Sigmoid(beta)])
    assert network.expected_output_expr(net, sp.Rational(1, 2)) == \
        1 / (1 + sp.exp(-beta * (sp.Rational(1, 2) * sp.Symbol("W1_00", real=True)
                                 + sp.Symbol("b1_0", real=True))))
    assert network.substitute(network.expected_output_expr(net, 1.0), net).free_symbols == {beta}


def test_surrogate_choices_match_the_numeric_ones():
    sd = escape.Sigmoid(2.0)
    twin = network.expected_surrogate_gradient_expr(WITNESS, 1.0, surrogates=sd)
    esg = network.expected_surrogate_gradient(WITNESS, 1.0, surrogates=sd)
    assert float((network.substitute(twin, WITNESS) - esg).norm()) < 1e-14
    det = network.MLP(list(WITNESS.weights), list(WITNESS.biases), [escape.Step(), F5])
    with pytest.raises(ValueError, match="Step"):
        network.expected_surrogate_gradient_expr(det, 1.0)
    with pytest.raises(TypeError, match="surrogates"):
        network.expected_surrogate_gradient_expr(WITNESS, 1.0, surrogates=["a", "b"])
    big = _net((1, 7, 1), [F5, F5], 0)
    with pytest.raises(ValueError, match="tiny nets"):
        network.expected_output_expr(big, 1.0)


def test_gradient_values_compute_like_vectors():
    exact = network.expected_output_gradient(WITNESS, 1.0)
    esg = network.expected_surrogate_gradient(WITNESS, 1.0)
    bias = esg - exact
    assert isinstance(bias, network.Gradient) and len(bias) == 2
    assert np.allclose(bias.flat, esg.flat - exact.flat)
    assert float(esg.relative_bias(exact)) == pytest.approx(
        np.linalg.norm(esg.flat - exact.flat) / np.linalg.norm(exact.flat))
    assert float(exact.cosine(exact)) == pytest.approx(1.0)
    assert (2 * exact - exact) == exact and (exact / 2 + exact / 2) == exact
    # backwards compatible: unpacks as (dW, db) pairs
    (dw1, db1), (dw2, db2) = exact
    assert (dw1.shape, db1.shape, dw2.shape, db2.shape) == ((2, 1), (2,), (1, 2), (1,))
    assert exact[0].W is exact[0][0]
    sg = network.surrogate_gradient(WITNESS, 1.0, np.random.default_rng(0), samples=1000)
    assert sg.samples == 1000 and sg.norm().shape == (1000,)
    assert float(sg.mean().relative_bias(esg)) < 0.2
    with pytest.raises(ValueError, match="same net"):
        exact - [(1, 2)]


def test_reprs_fit_a_screen():
    deep = _net((3, 6, 6, 6, 2), [F5] * 4, 0)
    for obj in (WITNESS, deep, network.expected_output_gradient(WITNESS, 1.0),
                network.surrogate_gradient(deep, [0.1, 0.2, 0.3]),
                network.surrogate_gradient(deep, [0.1, 0.2, 0.3],
                                           np.random.default_rng(0), samples=5),
                network.expected_output_gradient_expr(WITNESS, 1.0)):
        assert len(repr(obj).splitlines()) <= 20 and len(repr(obj)) < 2000
    latex = network.expected_output_gradient_expr(WITNESS, 1.0)._repr_latex_()
    assert latex.startswith("$") and "W_1" in latex
