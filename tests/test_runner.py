"""The claim runner itself: a broken claim must come out refuted, errors as error.

Without these, a runner that always says "confirmed" would pass every registry test.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import strategies as st

from sgverify.claims import Claim, Example, Outcome, Tolerance, verify

TOL = Tolerance(1.0, "test tolerance")
ONE = (Example("one", 1.0),)


def make(evaluate, *, kind="for-all", points=None, examples=ONE, **kw):
    return Claim(id="test.fake", kind=kind, statement="s", formula="x", source="test",
                 tolerance=TOL, evaluate=evaluate, points=points, examples=examples, **kw)


def test_holding_claim_is_confirmed():
    c = make(lambda p, ctx: Outcome.within(abs(p) * 0, 1.0), points=lambda ctx: st.floats(-1, 1))
    r = verify(c)
    assert r.status == "confirmed" and r.ok
    assert r.evidence["search"]["examples_run"] > 0


def test_search_finds_and_shrinks_counterexample():
    c = make(lambda p, ctx: Outcome.within(p, 0.5), points=lambda ctx: st.floats(0, 10))
    r = verify(c)
    assert r.status == "refuted"
    ce = r.evidence["search"]["counterexample"]
    assert 0.5 < ce["point"] <= 1.0  # shrunk towards the boundary


def test_failing_pinned_example_refutes():
    r = verify(make(lambda p, ctx: Outcome.within(2.0, 1.0)))
    assert r.status == "refuted" and r.evidence["worst_where"] == "example one"


def test_symbolic_failure_refutes():
    r = verify(make(lambda p, ctx: Outcome.within(0, 1),
                                 symbolic=lambda: Outcome(False, math.inf)))
    assert r.status == "refuted"


def test_exception_is_error_with_cause():
    def boom(p, ctx):
        raise ZeroDivisionError("division by zero in test")

    r = verify(make(boom))
    assert r.status == "error" and "ZeroDivisionError" in r.evidence["error"]


def test_inconclusive():
    r = verify(make(lambda p, ctx: Outcome(True, 0.1, conclusive=False)))
    assert r.status == "inconclusive"


def test_exists_claim_with_witness_and_search():
    c = make(lambda p, ctx: Outcome.exceeds(p, 5.0), kind="exists",
             points=lambda ctx: st.floats(0, 10), examples=(Example("w", 7.0),))
    r = verify(c)
    assert r.status == "confirmed" and r.evidence["search"]["found"]
    c2 = make(lambda p, ctx: Outcome.exceeds(p, 50.0), kind="exists",
              examples=(Example("w", 7.0),))
    assert verify(c2).status == "refuted"


def test_record_validation():
    with pytest.raises(ValueError, match="claim id"):
        Claim(id="Bad Id", kind="identity", statement="s", formula="f", source="s",
              tolerance=TOL, evaluate=lambda p, c: Outcome(True, 0))
    with pytest.raises(ValueError, match="pinned example"):
        make(lambda p, c: Outcome(True, 0), examples=())
    with pytest.raises(ValueError, match="why"):
        Tolerance(1.0, " ")
    with pytest.raises(ValueError, match=r"Tolerance\.value"):
        Tolerance(math.nan, "x")


def test_outcome_nan_never_holds():
    assert not Outcome.within(math.nan, 1.0).holds
    assert not Outcome.exceeds(math.nan, 1.0).holds
