"""sgverify.toynet: forward pass, SG field, Jacobian, SymPy twins, Fig. 4B closed forms."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq

from sgverify import reference, toynet
from sgverify import symbols as S

EPS = np.finfo(float).eps
THETAS = st.lists(st.floats(-2.0, 2.0), min_size=5, max_size=5).map(np.array)
BETAS = st.floats(0.5, 30.0)


def _mp_field(expr_matrix, th, x, b, bs=None):
    syms = [*toynet.THETA, S.x, S.beta] + ([S.beta_sg] if bs is not None else [])
    fn = reference.lambdify_mp(expr_matrix, *syms)
    vals = [*th, x, b] + ([bs] if bs is not None else [])
    with reference.workdps(60):
        out = fn(*[reference.to_mp(float(v)) for v in vals])
        return np.array([float(out[i]) for i in range(len(out))])


def test_sigmoid_derivative_is_stable_and_matches_cosh_form():
    z = np.array([-1e3, -1.0, -1e-3, 0.0, 1e-3, 1.0, 1e3])
    with np.errstate(all="raise"):
        d = toynet.sigmoid_derivative(z, 1e4)
    assert np.all(np.isfinite(d)) and d[3] == 2500.0 and d[0] == 0.0 and d[-1] == 0.0
    zz = np.linspace(-3, 3, 61)
    cosh_form = 2.0 / (4 * np.cosh(2.0 * zz / 2) ** 2)
    assert np.allclose(toynet.sigmoid_derivative(zz, 2.0), cosh_form, rtol=1e-14, atol=0)


def test_vectorised_over_leading_axes():
    rng = np.random.default_rng(0)
    th = rng.uniform(-2, 2, (2, 3, 5))
    F = toynet.sg_field(th, 0.7, 4.0, 1.5)
    y = toynet.output(th, 0.7, 4.0)
    J = toynet.sg_jacobian(th, 0.7, 4.0, 1.5)
    assert F.shape == (2, 3, 5) and y.shape == (2, 3) and J.shape == (2, 3, 5, 5)
    for idx in np.ndindex(2, 3):
        assert np.array_equal(F[idx], toynet.sg_field(th[idx], 0.7, 4.0, 1.5))
        assert y[idx] == toynet.output(th[idx], 0.7, 4.0)
        assert np.array_equal(J[idx], toynet.sg_jacobian(th[idx], 0.7, 4.0, 1.5))


def test_step_network_field_is_finite_without_warnings():
    th = np.random.default_rng(1).uniform(-3, 3, (1000, 5))
    # underflow to 0 in the saturated tails is the correct value; overflow or NaN is not
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        F = toynet.sg_field(th, 1.0, 1e4, 20.0)
        J = toynet.sg_jacobian(th, 1.0, 1e4, 20.0)
    assert np.all(np.isfinite(F)) and np.all(np.isfinite(J))


def _scale(th, x, b, bs):
    """Per-component rounding scale: |value|, and for SG_w the sum of its two paths' sizes."""
    from scipy.special import expit

    g = expit(b * th[0] * x)
    z = th[1:3] * g
    s = np.sum(th[3:5] * expit(b * z))
    sd = toynet.sigmoid_derivative
    paths_w = np.sum(np.abs(th[1:3] * th[3:5] * sd(z, bs)))
    scale = np.abs(toynet.sg_field(th, x, b, bs))
    scale[0] = sd(s, bs) * sd(th[0] * x, bs) * abs(x) * paths_w
    return scale


@given(THETAS, st.floats(0.2, 2.0), BETAS)
def test_gradient_matches_sympy_diff_via_mpmath(th, x, b):
    y = toynet.output_expr(S.beta, S.x)
    grad_expr = sp.Matrix([sp.diff(y, t) for t in toynet.THETA])
    ref = _mp_field(grad_expr, th, x, b)
    got = toynet.gradient(th, x, b)
    cond = 1 + b * (1 + x) * (1 + np.abs(th).max())
    # rounding bound: the sigmoids amplify input rounding by cond; 64 covers the ~30 roundings
    assert np.all(np.abs(got - ref) <= 64 * EPS * cond * _scale(th, x, b, b) + 1e-300)


@given(THETAS, st.floats(0.2, 2.0), BETAS, BETAS)
def test_sg_field_matches_sympy_twin(th, x, b, bs):
    ref = _mp_field(toynet.sg_field_expr(S.beta, S.beta_sg, S.x), th, x, b, bs)
    got = toynet.sg_field(th, x, b, bs)
    cond = 1 + max(b, bs) * (1 + x) * (1 + np.abs(th).max())
    assert np.all(np.abs(got - ref) <= 64 * EPS * cond * _scale(th, x, b, bs) + 1e-300)


def test_gradient_matches_mpmath_derivative():
    th, x, b = np.array([0.3, -0.8, 1.2, 0.7, -1.1]), 0.9, 5.0
    y = reference.lambdify_mp(toynet.output_expr(S.beta, S.x), *toynet.THETA, S.x, S.beta)
    grad = toynet.gradient(th, x, b)
    for i in range(5):
        def along(t, i=i):
            args = [reference.to_mp(float(v)) for v in th]
            args[i] = t
            return y(*args, reference.to_mp(x), reference.to_mp(b))
        assert abs(reference.derivative(along, float(th[i])) - grad[i]) <= 1e-13


def test_jacobian_matches_central_differences():
    rng = np.random.default_rng(3)
    for _ in range(5):
        th, x, b, bs = rng.uniform(-1.5, 1.5, 5), rng.uniform(0.3, 1.5), 3.0, 1.3
        J = toynet.sg_jacobian(th, x, b, bs)
        h = 1e-5
        fd = np.stack([(toynet.sg_field(th + h * e, x, b, bs) - toynet.sg_field(th - h * e, x, b,
                                                                                 bs)) / (2 * h)
                       for e in np.eye(5)], axis=-1)
        # central-difference error h^2 |F'''| / 6 with |F'''| <~ b^3 |F|: ~1e-8 here
        assert np.abs(J - fd).max() <= 1e-7 * max(1.0, np.abs(J).max())
        M = toynet.sg_jacobian(th, x, b, bs, magnitude=True)
        assert np.all(M >= np.abs(J) * (1 - 1e-12))


def test_jacobian_symmetric_only_for_true_gradient():
    th = np.array([0.3, -0.8, 1.2, 0.7, -1.1])
    Jt = toynet.sg_jacobian(th, 0.9, 5.0, 5.0)
    Js = toynet.sg_jacobian(th, 0.9, 5.0, 1.0)
    assert np.abs(Jt - Jt.T).max() <= 1e-14 * np.abs(Jt).max()
    assert np.abs(Js - Js.T).max() >= 1e-2 * np.abs(Js).max()


def test_fig4b_closed_forms_match_root_finding():
    th0 = np.array([0.0, 0.05, 0.1, 1.0, -1.0])

    def sgw(w, bs, b=100.0):
        th = th0.copy()
        th[0] = w
        return toynet.sg_field(th, 1.0, b, bs)[0]

    for bs in (25.0, 30.0, 100.0, 400.0):
        w0 = brentq(lambda w, bs=bs: sgw(w, bs), -0.2, 0.2, xtol=1e-16)
        assert abs(w0 - toynet.sg_w_zero(100.0, bs)) <= 1e-12
    assert toynet.sg_w_zero(100.0, 15.0) is None
    crit = brentq(lambda bs: sgw(0.2, bs), 1.0, 99.0, xtol=1e-13)
    assert abs(crit - toynet.critical_beta_sg()) <= 1e-10 * crit
    assert toynet.smoothed_minimum(25.0) == toynet.sg_w_zero(25.0, 25.0)
    assert float(toynet.flip_product_expr().subs(toynet.THETA[1], sp.Rational(1, 20))) == \
        pytest.approx(toynet.flip_product(0.05), rel=1e-15)


def test_directions_are_orthonormal():
    for d1, d2 in toynet.DIRECTIONS.values():
        G = np.array([[d1 @ d1, d1 @ d2], [d1 @ d2, d2 @ d2]])
        assert np.abs(G - np.eye(2)).max() < 1e-9


@pytest.mark.parametrize(("call", "name"), [
    (lambda: toynet.output(np.zeros(4)), "theta"),
    (lambda: toynet.output([0, 0, 0, np.nan, 0]), "theta"),
    (lambda: toynet.sg_field(np.zeros(5), beta=-1.0), "beta"),
    (lambda: toynet.sg_field(np.zeros(5), beta_sg=0.0), "beta_sg"),
    (lambda: toynet.sg_field(np.zeros(5), x=np.inf), "x"),
    (lambda: toynet.sigmoid_derivative(1.0, float("nan")), "beta"),
    (lambda: toynet.flip_product(-0.1), "v1"),
    (lambda: toynet.sg_w_zero(100.0, 25.0, x=-1.0), "x"),
])
def test_bad_input_raises_naming_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
