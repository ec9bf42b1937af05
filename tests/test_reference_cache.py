"""reference.lambdify_mp's cache: keyed by the expression's structure, never serving another."""

from __future__ import annotations

import mpmath
import sympy as sp

from sgverify import reference


def test_lambdify_cache_serves_equal_expressions_and_separates_unequal_ones():
    x = sp.Symbol("x")
    f = reference.lambdify_mp(sp.exp(x) + sp.Float(0.5), x)
    assert reference.lambdify_mp(sp.exp(x) + sp.Float(0.5), x) is f  # a fresh, equal tree
    # the same value at another precision, a Rational, other assumptions: other functions
    for other, sym in ((sp.exp(x) + sp.Float("0.5", 30), x), (sp.exp(x) + sp.Rational(1, 2), x),
                       (sp.exp(x) + sp.Float(0.5), sp.Symbol("x", positive=True))):
        assert reference.lambdify_mp(other, sym) is not f
    # a mutable Matrix is served by its value, and its later mutation is not seen
    m = sp.Matrix([[x, x**2]])
    g = reference.lambdify_mp(m, x)
    assert reference.lambdify_mp(sp.Matrix([[x, x**2]]), x) is g
    m[0, 0] = 3 * x
    h = reference.lambdify_mp(m, x)
    assert h is not g
    with reference.workdps(30):
        assert h(reference.to_mp(2))[0, 0] == 6 and g(reference.to_mp(2))[0, 0] == 2


def test_lambdify_cache_takes_lists_of_expressions_and_of_symbols():
    x, y = sp.symbols("x y")
    f = reference.lambdify_mp([x + y, x * y], [x, y])
    assert reference.lambdify_mp([x + y, x * y], [x, y]) is f
    with reference.workdps(30):
        assert f([2, 3]) == [5, 6]


def _plain(expr, *syms):
    return sp.lambdify(list(syms), expr, modules="mpmath")


def test_hoisted_constants_agree_with_plain_lambdify_at_every_precision():
    v = sp.Symbol("v", real=True)
    exprs = [
        -sp.sqrt(2) * sp.exp(-(v + sp.Rational(1, 2)) ** 2 / 18) / (80 * sp.sqrt(sp.pi))
        + 23 * sp.sqrt(2) * sp.exp(-2 * v**2) / (20 * sp.sqrt(sp.pi)),
        sp.Float(0.1) * v**sp.Rational(3, 2) + sp.pi**v,
        25 * sp.exp(-25 * v) / (1 + sp.exp(-25 * v)) ** 2,  # no constant: cse only
        sp.exp(-sp.Abs(v - sp.Rational(1, 409600)) / 100) / 2000,
    ]
    x = mpmath.mpf("0.3")
    for e in exprs:
        f, ref = reference.lambdify_mp(e, v), _plain(e, v)
        # the constants are computed per working precision: 15 digits first, then more
        for dps in (15, 50, 15, 120):
            with reference.workdps(dps):
                got, want = f(x), ref(x)
                assert abs(got - want) <= 16 * mpmath.eps * abs(want), (e, dps)


def test_piecewise_branches_stay_lazy():
    # cse would compute the repeated 1/v before the Piecewise chooses its branch: with a
    # Piecewise it is not used, so the branch not taken is not evaluated (at v = 0 it would
    # divide by zero)
    v = sp.Symbol("v", real=True)
    e = sp.Piecewise((sp.sqrt(2) / v + sp.exp(1 / v), v > 0), (sp.pi, True)) + sp.sqrt(3)
    f = reference.lambdify_mp(e, v)
    with reference.workdps(30):
        assert f(mpmath.mpf(0)) == +(mpmath.pi + mpmath.sqrt(3))
        want = mpmath.sqrt(2) / 2 + mpmath.exp(0.5) + mpmath.sqrt(3)
        assert abs(f(mpmath.mpf(2)) - want) < 1e-28


def test_hoisted_matrix_and_parameters():
    x, b = sp.symbols("x b", real=True)
    m = sp.Matrix([[sp.sqrt(2) * x * b, sp.pi / (1 + x**2)], [sp.Rational(1, 3) * b, x]])
    f, ref = reference.lambdify_mp(m, x, b), _plain(m, x, b)
    with reference.workdps(40):
        a = [mpmath.mpf("0.7"), mpmath.mpf("-1.25")]
        got, want = f(*a), ref(*a)
        assert all(abs(got[i, j] - want[i, j]) <= 1e-38 for i in range(2) for j in range(2))
