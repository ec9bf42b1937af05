"""The symbolic zero tests shared by the claims (claims/_common.py)."""

from __future__ import annotations

import pytest
import sympy as sp

from sgverify.claims import _common as C

v = sp.Symbol("v_pos", positive=True)
_REGIONS = [
    sp.And(v <= sp.Rational(3, 7), sp.Not(sp.And(v <= sp.Rational(3, 7), v < sp.Rational(3, 7)))),
    sp.And(v < 5, sp.Not(sp.Or(v <= 5, sp.And(v <= 5, v < 5)))),
    sp.Eq(v, sp.sqrt(2)),
    sp.Ne(v, 2),
    sp.And(v > 1, v < sp.sqrt(3)),
    sp.And(v >= 2, v <= 2),
    sp.Or(sp.Eq(v, 1), sp.And(v > 4, v <= 4)),
    v < -1,
    sp.And(v > sp.pi, sp.Not(v > sp.pi)),
]


def test_measure_zero_by_intervals_sees_no_breakpoint_at_infinity():
    # an unevaluated comparison with oo (a symbol not known to be finite) holds on all of
    # (0, oo): positive measure, never decided by probing at oo
    u = sp.Symbol("u")
    region = sp.StrictLessThan(u, sp.oo, evaluate=False)
    assert C._measure_zero_by_intervals(region, u) is False
    assert C._measure_zero_by_intervals(sp.And(u > 2, sp.StrictLessThan(u, sp.oo,
                                                                      evaluate=False)), u) is False
    assert v.is_finite  # the claims' positive symbols are finite: oo never appears there


@pytest.mark.parametrize("region", _REGIONS, ids=str)
def test_measure_zero_by_intervals_agrees_with_sympy_sets(region):
    fast = C._measure_zero_by_intervals(region, v)
    exact = sp.Intersection(region.as_set(), sp.Interval.open(0, sp.oo)).measure == 0
    assert fast is exact


def test_measure_zero_by_intervals_declines_other_relations():
    b = sp.Symbol("b", positive=True)
    assert C._measure_zero_by_intervals(sp.And(2 * v < 1, v > 0), v) is None
    assert C._measure_zero_by_intervals(v < b, v) is None
    # and is_zero_everywhere still proves a piecewise identity with a boundary point
    beta = sp.Symbol("beta", positive=True)
    x = sp.Symbol("v")
    p1 = sp.Piecewise((beta, sp.Abs(x) <= 1 / beta), (0, True))
    p2 = sp.Piecewise((beta, sp.Abs(x) < 1 / beta), (0, True))
    assert C.is_zero_everywhere(p1 - p2, x)
    assert not C.is_zero_everywhere(p1 - sp.Piecewise((beta, sp.Abs(x) < 2 / beta), (0, True)), x)
