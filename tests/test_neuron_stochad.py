"""Single-neuron API and Bernoulli stochastic derivatives: shapes, errors, exact values."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from sgverify import escape, neuron, stochad
from sgverify import symbols as S

F = escape.Sigmoid(5.0)


def test_gradients_have_the_shape_of_w():
    assert neuron.spm_gradient(np.ones((4, 3)), np.ones(3), F).shape == (4, 3)
    assert neuron.spm_gradient(0.2, 1.0, F).shape == ()
    assert neuron.surrogate_gradient([0.1, 0.2], [1.0, -1.0], F).shape == (2,)


def test_matched_sg_equals_spm_and_mismatch_differs():
    w, x = np.array([0.3, -0.1]), np.array([1.0, 2.0])
    assert np.array_equal(neuron.surrogate_gradient(w, x, F), neuron.spm_gradient(w, x, F))
    theta = float(w @ x)
    diff = neuron.surrogate_gradient(w, x, escape.Sigmoid(1.0), theta) - neuron.spm_gradient(
        w, x, F, theta
    )
    np.testing.assert_allclose(diff, (1.0 - 5.0) / 4 * x, rtol=1e-14)


def test_callable_surrogate():
    g = neuron.surrogate_gradient(0.5, 2.0, lambda u: 1 / (1 + np.abs(u)) ** 2)
    assert float(g) == pytest.approx(2.0 / 4.0)
    with pytest.raises(ValueError, match="surrogate returned a non-finite"):
        neuron.surrogate_gradient(0.5, 2.0, lambda u: u * np.nan)
    with pytest.raises(ValueError, match="surrogate must be"):
        neuron.surrogate_gradient(0.5, 2.0, "sigmoid")


@pytest.mark.parametrize(
    ("w", "x", "match"),
    [
        ([1.0, 2.0], [1.0, 2.0, 3.0], "inputs"),
        ([1.0], [[1.0]], "x must be"),
        ([np.nan], [1.0], "w must be finite"),
    ],
)
def test_bad_shapes_and_values(w, x, match):
    with pytest.raises(ValueError, match=match):
        neuron.spm_gradient(w, x, F)


def test_escape_argument_checked():
    with pytest.raises(ValueError, match="escape must be"):
        neuron.expected_output(1.0, 1.0, lambda u: u)


def test_sample_shape_and_mean():
    y = neuron.sample([0.3], [1.0], F, np.random.default_rng(1), 50_000)
    p = float(neuron.expected_output([0.3], [1.0], F))
    assert y.shape == (50_000,)
    assert abs(y.mean() - p) < 6 * np.sqrt(p * (1 - p) / 50_000)


def test_triples():
    t = stochad.bernoulli_triple(0.25, np.array([0.1, 0.9]), side="left")
    assert list(t.estimate) == [4.0, 0.0]
    with pytest.raises(ValueError, match="p must lie strictly"):
        stochad.bernoulli_triple(1.0, 0.5)
    with pytest.raises(ValueError, match="side"):
        stochad.bernoulli_triple(0.5, 0.5, side="up")
    with pytest.raises(ValueError, match="uniform"):
        stochad.bernoulli_triple(0.5, 1.0)


@pytest.mark.parametrize("est", stochad.SIDES + stochad.SMOOTHINGS)
def test_exact_moments_match_symbolic(est):
    mean_e, var_e = stochad.exact_moments_expr(est)
    for p in (0.01, 0.3, 0.5, 0.97):
        mean, var = stochad.exact_moments(est, p)
        assert mean == pytest.approx(float(mean_e.subs(S.p, p)), rel=1e-12)
        assert var == pytest.approx(float(sp.sympify(var_e).subs(S.p, p)), rel=1e-12, abs=1e-15)


def test_smoothed_rejects_non_spikes():
    with pytest.raises(ValueError, match="x must hold sampled spikes"):
        stochad.smoothed([0.5], 0.5)
    with pytest.raises(ValueError, match="strategy"):
        stochad.smoothed([1.0], 0.5, "magic")
