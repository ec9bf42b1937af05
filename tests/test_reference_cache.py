"""reference.lambdify_mp's cache: keyed by the expression's structure, never serving another."""

from __future__ import annotations

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
