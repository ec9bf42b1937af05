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


# --- symbolic parameters, subs, printing ------------------------------------------------------

def test_sympy_parameters_stay_exact_and_symbolic():
    f = escape.Sigmoid(beta=sp.Rational(5))
    assert f.beta == 5 and isinstance(f.beta, sp.Rational)
    assert f.pdf_expr() == 5 * sp.exp(-5 * S.v) / (1 + sp.exp(-5 * S.v)) ** 2
    assert float(f.pdf(0.0)) == 1.25  # a SymPy number still evaluates numerically
    half = escape.Uniform(beta=sp.Rational(1, 3))
    assert half.cdf_expr(sp.Rational(1, 2)) == sp.Rational(2, 3)
    beta = sp.Symbol("beta", positive=True)
    g = escape.Gaussian(beta=beta)
    assert g.is_symbolic and g.pdf_expr() == g.pdf_expr(symbolic=True)
    assert sp.integrate(g.pdf_expr(), (S.v, -sp.oo, sp.oo)) == 1
    with pytest.raises(ValueError, match=r"symbolic parameters \(beta\).*subs\(beta=2.0\)"):
        g.cdf(0.0)
    assert g.subs(beta=2.0) == escape.Gaussian(2.0)
    assert g.subs({beta: sp.Integer(3)}).beta == 3
    e = escape.Exponential(p0=sp.Rational(1, 2), delta_u=sp.Symbol("d", positive=True))
    assert e.cdf_expr().free_symbols == {S.v, sp.Symbol("d", positive=True)}


@pytest.mark.parametrize("bad, match", [
    (sp.Integer(-2), "> 0"), (sp.I, "real number"), (sp.oo, "finite"),
    (sp.Symbol("b", negative=True), "contradict"), (sp.Eq(S.v, 1), "SymPy expression"),
])
def test_sympy_parameters_validated(bad, match):
    with pytest.raises(ValueError, match=match):
        escape.Sigmoid(beta=bad)


@pytest.mark.parametrize("bad", ["2", None, [1.0], object()])
def test_wrong_types_are_type_errors_naming_the_argument(bad):
    with pytest.raises(TypeError, match="beta must be"):
        escape.Laplace(bad)
    with pytest.raises(TypeError, match=r"^p0 must be"):
        escape.Exponential(p0=bad)


def test_constructor_signature_and_immutability():
    import inspect

    assert str(inspect.signature(escape.Exponential)) == "(p0=0.5, delta_u=1.0)"
    with pytest.raises(TypeError, match="unexpected keyword argument 'bta'"):
        escape.Sigmoid(bta=2.0)
    f = escape.Sigmoid(2.0)
    with pytest.raises(AttributeError, match="immutable"):
        f.beta = 3.0
    with pytest.raises(TypeError, match="no parameter 'gamma'"):
        f.subs(gamma=1.0)
    with pytest.raises(TypeError, match="v must be a SymPy expression"):
        f.cdf_expr("v; import os")  # strings are never parsed


def test_reprs_are_short_and_latex_shows_the_formula():
    for cls in escape.families():
        esc = cls.example()
        assert len(repr(esc).splitlines()) == 1 and len(repr(esc)) < 80
        latex = esc._repr_latex_()
        assert latex.startswith("$") and "f(v) =" in latex
    assert repr(escape.Sigmoid(5.0)) == "Sigmoid(beta=5.0)"
    assert repr(escape.Sigmoid(sp.Symbol("beta", positive=True))) == "Sigmoid(beta=beta)"
    assert r"\beta" in escape.Sigmoid(sp.Symbol("beta", positive=True))._repr_latex_()
