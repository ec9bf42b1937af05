"""The escape-noise atlas: validation, extreme inputs, and every NumPy/SymPy pair agreeing."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from sgverify import escape, reference
from sgverify import strategies as sst
from sgverify import symbols as S

BETA_FAMILIES = [c for c in escape.FAMILIES if c not in (escape.Exponential, escape.Step)]


@pytest.mark.parametrize("cls", BETA_FAMILIES)
@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf, "2", None, True])
def test_beta_validated(cls, bad):
    with pytest.raises(ValueError, match="beta"):
        cls(bad)


@pytest.mark.parametrize(
    "kw", [{"p0": 0.0}, {"p0": math.nan}, {"delta_u": -1.0}, {"delta_u": math.inf}]
)
def test_exponential_parameters_validated(kw):
    with pytest.raises(ValueError, match=next(iter(kw))):
        escape.Exponential(**kw)


@pytest.mark.parametrize("cls", escape.FAMILIES)
def test_nan_input_rejected(cls):
    with pytest.raises(ValueError, match="v must be finite"):
        cls().cdf([0.0, math.nan])


@pytest.mark.parametrize("cls", escape.FAMILIES)
def test_finite_and_in_range_for_extreme_inputs(cls):
    v = np.array([-1e308, -1e4, -1e-300, 0.0, 1e-300, 1e4, 1e308])
    for beta_like in (1e-3, 1.0, 1e4):
        esc = (
            escape.Exponential(0.5, 1 / beta_like)
            if cls is escape.Exponential
            else (cls() if cls is escape.Step else cls(beta_like))
        )
        with np.errstate(invalid="raise"):  # gradual underflow to 0 is fine, NaN is not
            c, d = esc.cdf(v), esc.pdf(v)
        assert np.all(np.isfinite(c)) and np.all(np.isfinite(d))
        assert np.all((c >= 0) & (c <= 1)) and np.all(d >= 0)
        # heavy (1/|v|) tails leave about 1e-305 at |v| = 1e308: the true value, not 0
        assert c[0] < 1e-300 and c[-1] == 1.0


def test_vectorised_shapes_and_scalars():
    f = escape.Sigmoid(3.0)
    assert f.cdf(np.zeros((2, 3))).shape == (2, 3)
    assert f.pdf(0.0).shape == ()
    assert float(f.pdf(0.0)) == 0.75


def test_step_convention_h0_is_0_and_no_density():
    h = escape.Step()
    assert list(h.cdf([-1.0, 0.0, 1.0])) == [0.0, 0.0, 1.0]
    assert not h.has_density and h.pdf_expr() == sp.DiracDelta(S.v)


def test_sharpen_scales_steepness():
    assert escape.Sigmoid(2.0).sharpen(3.0) == escape.Sigmoid(6.0)
    assert escape.Exponential(0.5, 1.0).sharpen(4.0) == escape.Exponential(0.5, 0.25)
    with pytest.raises(ValueError, match="factor"):
        escape.Sigmoid(1.0).sharpen(0.0)


def test_from_name():
    assert escape.from_name("laplace", beta=2.0) == escape.Laplace(2.0)
    with pytest.raises(ValueError, match="name must be one of"):
        escape.from_name("logistic")


@given(sst.escapes(escape.FAMILIES), st.floats(-30.0, 30.0))
def test_numpy_matches_its_sympy_twin(esc, t):
    """Every pair: the NumPy forms against their own SymPy twins, evaluated in mpmath."""
    v = t * (esc.scale or 1.0)
    if any(abs(v - k) < 1e-9 * (esc.scale or 1.0) for k in esc.kinks):
        return  # the density jumps there; escape.pdf-is-cdf-derivative checks kinks one-sided
    if not esc.has_density:
        assert float(esc.cdf(v)) == (1.0 if v > 0 else 0.0)
        return
    cdf_ref = reference.evaluate(reference.escape_cdf(esc), v)
    pdf_ref = reference.evaluate(reference.escape_pdf(esc), v)
    rel = 1e-9  # float64 forms at |z| <= 30: eps z^2 < 2e-13 relative, see the claim's why
    assert float(esc.cdf(v)) == pytest.approx(cdf_ref, rel=rel, abs=1e-300)
    assert float(esc.pdf(v)) == pytest.approx(pdf_ref, rel=rel, abs=1e-300)


def test_sample_is_bernoulli_by_inversion():
    rng = np.random.default_rng(0)
    y = escape.Sigmoid(1.0).sample(np.zeros(10_000), rng)
    assert set(np.unique(y)) <= {0.0, 1.0}
    assert abs(y.mean() - 0.5) < 6 * 0.5 / 100  # 6 sigma of the exact sd 0.5/sqrt(1e4)
    with pytest.raises(ValueError, match="rng"):
        escape.Sigmoid(1.0).sample(0.0, 42)
