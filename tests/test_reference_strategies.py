"""The mpmath reference module and the public Hypothesis strategies."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgverify import escape, reference
from sgverify import strategies as sst


def test_derivative_central_and_one_sided():
    assert reference.derivative(mpmath.exp, 0.0) == pytest.approx(1.0, rel=1e-30)
    # |v| has one-sided derivatives -1 and +1 at the kink
    assert reference.derivative(abs, 0.0, side=-1) == pytest.approx(-1.0)
    assert reference.derivative(abs, 0.0, side=1) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="side"):
        reference.derivative(abs, 0.0, side=2)
    with pytest.raises(ValueError, match="x must be"):
        reference.derivative(abs, math.nan)


def test_precision_is_scoped():
    before = mpmath.mp.dps
    reference.derivative(mpmath.sin, 1.0, dps=80)
    reference.quad(mpmath.exp, [0.0, 1.0], dps=60)
    assert mpmath.mp.dps == before


def test_quad_with_infinite_ends_and_error():
    value, err = reference.quad(lambda t: mpmath.exp(-t * t), [-math.inf, 0.0, math.inf],
                                error=True)
    assert value == pytest.approx(math.sqrt(math.pi), rel=1e-25) and err < 1e-20
    with pytest.raises(ValueError, match="points"):
        reference.quad(mpmath.exp, [0.0])


def test_escape_references_bind_parameters_exactly():
    f = escape.Exponential(0.25, 0.5)
    assert float(reference.escape_cdf(f)(mpmath.mpf(0))) == 0.25
    assert float(reference.escape_pdf(f)(mpmath.mpf(0))) == 0.5


@given(sst.escapes(escape.FAMILIES))
def test_escapes_are_valid(esc):
    assert isinstance(esc, escape.EscapeNoise)
    for value in esc.params.values():
        assert math.isfinite(value) and value > 0
    if isinstance(esc, escape.Exponential):
        assert esc.p0 <= 1.0


@given(sst.betas(0.5, 2.0), sst.probabilities(), sst.vectors(4, min_value=-1, max_value=1))
def test_scalar_strategies_respect_bounds(beta, p, vec):
    assert 0.5 <= beta <= 2.0 and 0.0 < p < 1.0
    assert vec.shape == (4,) and vec.dtype == np.float64 and np.all(np.abs(vec) <= 1)


def test_strategy_arguments_checked():
    with pytest.raises(ValueError, match="min_value"):
        sst.betas(0.0, 1.0)
    with pytest.raises(ValueError, match="families"):
        sst.escapes(())


@given(st.data())
def test_density_families_exclude_step(data):
    assert data.draw(sst.escapes()).has_density


@given(sst.networks())
def test_networks_are_valid_mlps(net):
    from sgverify import network

    assert isinstance(net, network.MLP)
    assert net.sizes in sst.ARCHITECTURES
    assert all(np.all(np.abs(w) <= 2.0) for w in net.weights)


@given(sst.circles(5, min_radius=0.5, max_radius=1.0))
def test_circles_have_orthonormal_planes(circle):
    assert abs(circle.d1 @ circle.d2) < 1e-12
    assert abs(np.linalg.norm(circle.d1) - 1) < 1e-12 and abs(np.linalg.norm(circle.d2) - 1) < 1e-12
    assert 0.5 <= circle.radius <= 1.0


def test_network_and_circle_arguments_checked():
    with pytest.raises(ValueError, match="architectures"):
        sst.networks(((3,),))
    with pytest.raises(ValueError, match="dim"):
        sst.circles(1)


def test_derivative_resolves_upper_tails():
    # 1 - 1e-198 at v = 30: the derivative's digits start after the value's 198th digit
    g = escape.Gaussian(1.0)
    d = reference.derivative(reference.escape_cdf(g), 30.0)
    assert d == pytest.approx(float(g.pdf(30.0)), rel=1e-14)
    assert reference.derivative(reference.escape_cdf(escape.Uniform(1.0)), 3.0) == 0.0


def test_evaluate_resolves_cancellation():
    # SymPy writes the Gaussian lower tail as 2 - erfc(...): 1e-19 after cancelling 2
    f = reference.escape_cdf(escape.Gaussian(1.0))
    assert reference.evaluate(f, -9.0) == pytest.approx(float(mpmath.ncdf(-9)), rel=1e-15)
    assert reference.evaluate(reference.escape_cdf(escape.Uniform(1.0)), -3.0) == 0.0


def test_derivative_of_a_twin_that_cancels_in_its_tail():
    # the Gaussian twin CDF cancels (1 + erf) at v = -14: its difference quotient at the
    # starting precision was 1e-8 off; the value's own precision now decides escalation
    import mpmath

    from sgverify import escape, reference

    exact = float(mpmath.exp(-98) / mpmath.sqrt(2 * mpmath.pi))
    got = reference.derivative(reference.escape_cdf(escape.Gaussian(1.0)), -14.0)
    assert abs(got - exact) <= 2e-16 * exact
