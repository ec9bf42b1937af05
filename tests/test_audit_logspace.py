"""The overflow-safe (log-space) form of a formula: a third form, checked against the NumPy
form where that is finite and against mpmath where float64 overflows in the written order."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from sgverify import reference
from sgverify import symbols as S
from sgverify.audit import FUNCTIONS, parse
from sgverify.audit import _logspace as L

V = np.concatenate([-np.logspace(-8, 8, 81)[::-1], [0.0], np.logspace(-8, 8, 81)])

TWINS = [
    "tanh(v)**2 + erf(v) - erfc(v) + atan(v) + sigmoid(v) + relu(v) + min(v, 1, 2)",
    "where(v > 0 and v < 1, exp(-v), cosh(v)/sinh(2 + abs(v)))",
    "sign(v)*floor(v) + heaviside(v - 0.2) + max(0, 1 - abs(3*v)) + arctan(v)",
    "sqrt(abs(v))*exp(-v**2) + log(1 + abs(v)) + tan(v/1e9)",
    "sin(v)*cos(v)/(1 + v**2)",
    "beta*exp(-beta*v)/(1 + exp(-beta*v))**2",
]


def test_every_function_has_a_log_twin():
    assert set(L.FUNCTIONS_LOG) == set(FUNCTIONS) - {"where"}


@pytest.mark.parametrize("text", TWINS)
def test_log_form_agrees_with_numpy_form(text):
    f = parse(text, {"beta": 3.0} if "beta" in text else {})
    a, b = f.numpy(V), L.to_float(f.logform(V))
    both = np.isfinite(a) & (np.abs(a) > 1e-280)
    assert both.sum() > 100
    assert np.allclose(b[both], a[both], rtol=1e-12, atol=0)


@pytest.mark.parametrize("text, v", [
    ("exp(-v)*exp(-exp(-v))", -700.0),
    ("exp(-v)*exp(-exp(-v))", -6.0),
    ("v**40*exp(-v**2)", 3e7),
    ("(1+v**2)**20*exp(-v**2/2)", 300.0),
    ("exp(2*v)/(1 + exp(v))**2", 800.0),
    ("exp(v + 710)*exp(-v**2)/exp(v + 700)", 1.0),
    ("cosh(v)*exp(-2*abs(v))", 800.0),
    ("erfc(v)*exp(v**2)", 30.0),
])
def test_log_form_where_float64_overflows(text, v):
    f = parse(text, {})
    got = float(L.to_float(f.logform(np.array([v])))[0])
    fn = reference.lambdify_mp(f.expr, S.v)
    with mpmath.workdps(50):
        exact = float(fn(mpmath.mpf(v)))
    assert got == pytest.approx(exact, rel=1e-9, abs=1e-300)


def test_bounded_function_of_an_overflowed_argument_is_zero_far_out():
    f = parse("sin(exp(v))**2*exp(-v**2)", {})
    lv = f.logform(np.array([800.0, 1e5]))
    assert np.all(np.isnan(lv.s))  # the sign is unknown ...
    assert np.all(L.to_float(lv) == 0.0)  # ... but |x| <= exp(-v^2) is below float64
    assert np.all(lv.big > math.log(1e300))  # and mpmath is not asked (argument e^800)


def test_unknown_stays_unknown():
    f = parse("sin(exp(v))", {})
    assert np.isnan(L.to_float(f.logform(np.array([800.0])))[0])
    g = parse("sqrt(v)", {})
    assert np.isnan(L.to_float(g.logform(np.array([-1.0])))[0])
