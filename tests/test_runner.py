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
    assert r.evidence.search["examples_run"] > 0


def test_search_finds_and_shrinks_counterexample():
    c = make(lambda p, ctx: Outcome.within(p, 0.5), points=lambda ctx: st.floats(0, 10))
    r = verify(c)
    assert r.status == "refuted"
    (ce,) = [c for c in r.evidence.stage("search") if c.name == "counterexample"]
    assert 0.5 < ce.point <= 1.0  # shrunk towards the boundary


def test_failing_pinned_example_refutes():
    r = verify(make(lambda p, ctx: Outcome.within(2.0, 1.0)))
    assert r.status == "refuted" and r.evidence.worst.where == "example one"


def test_symbolic_failure_refutes():
    r = verify(make(lambda p, ctx: Outcome.within(0, 1),
                                 symbolic=lambda: Outcome.check(False)))
    assert r.status == "refuted"


def test_exception_is_error_with_cause():
    def boom(p, ctx):
        raise ZeroDivisionError("division by zero in test")

    r = verify(make(boom))
    assert r.status == "error" and "ZeroDivisionError" in r.evidence.error


def test_inconclusive():
    r = verify(make(lambda p, ctx: Outcome(True, 0.1, conclusive=False)))
    assert r.status == "inconclusive"


def test_exists_claim_with_witness_and_search():
    c = make(lambda p, ctx: Outcome.exceeds(p, 5.0), kind="exists",
             points=lambda ctx: st.floats(0, 10), examples=(Example("w", 7.0),))
    r = verify(c)
    assert r.status == "confirmed" and r.evidence.search["found"]
    assert [c.witness for c in r.evidence.checks] == [True, True]
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
    assert not Tolerance(1e-3, "x").check(math.nan).holds


def test_ratio_is_the_share_of_the_budget_used():
    # a passing check never reports an infinite ratio, whatever its bound
    assert Outcome.within(0.0, 0.0).holds and Outcome.within(0.0, 0.0).ratio == 0.0
    assert Outcome.within(1e-300, 0.0).ratio == math.inf
    assert Outcome.exceeds(3.0, 1.5).ratio == 0.5 and Outcome.exceeds(3.0, 1.5).test == "exceeds"
    assert Outcome.exceeds(0.0, -1.0).holds and Outcome.exceeds(0.0, -1.0).ratio == 0.0
    assert Outcome.exceeds(1.0, 2.0).ratio == 2.0 and not Outcome.exceeds(1.0, 2.0).holds
    both = Outcome.all_of({"a": Outcome.within(1, 4), "b": Outcome.exceeds(3.0, 1.5)})
    assert both.ratio == 0.5 and both.decided_by.test == "exceeds"
    assert Outcome.check(True).ratio == 0.0 and Outcome.check(False).ratio == math.inf


def test_tolerance_is_the_bound_that_decides():
    tol = Tolerance(1e-3, "slope accuracy")
    out = tol.check(2e-3, 4.0, slack=(1e-4, 1e-4))
    assert out.holds and out.info["bound"] == 1e-3 * 4.0 + 1e-4 + 1e-4
    assert out.info["tolerance"] == 1e-3 and out.info["scale"] == 4.0
    assert not tol.check(2e-3).holds
    floor = Tolerance(1e-4, "bias floor").check_exceeds(5e-5, 1.0)
    assert not floor.holds and floor.info["floor"] == 1e-4


def test_statistical_tolerance_is_its_z_bound():
    from sgverify.statistics import Z

    wide, narrow = Tolerance(Z, "z"), Tolerance(1.0, "z = 1")
    # 0.01 off with sd 0.005: 2 sd, inside z = 6 but outside z = 1
    assert wide.check_mean(0.26, 0.25, 0.25, 10_000).holds
    out = narrow.check_mean(0.26, 0.25, 0.25, 10_000)
    assert not out.holds and out.monte_carlo.z == 1.0 and out.test == "within"


def test_result_round_trips_exactly():
    from sgverify.claims import Result

    c = make(lambda p, ctx: Outcome.all_of({"mc": Tolerance(6.0, "z").check_mean(
        0.5 + p / 100, 0.5, 0.25, 1000), "x": Outcome.within(p, 10.0)}),
        points=lambda ctx: st.floats(0, 1), summary=lambda ctx: Outcome.check(True))
    r = verify(c)
    d = r.to_dict()
    back = Result.from_dict(d, c)
    assert back.to_dict() == d and back.status == r.status
    import json

    assert Result.from_dict(json.loads(json.dumps(d)), c).to_dict() == d
    bad = {**d, "evidence": {**d["evidence"], "schema": 1}}
    with pytest.raises(ValueError, match="schema"):
        Result.from_dict(bad, c)


def test_monte_carlo_rows_come_from_the_typed_record():
    from sgverify.claims import monte_carlo_rows

    c = make(lambda p, ctx: Outcome.all_of({"W1": Tolerance(6.0, "z").check_mean(
        0.5, 0.5, 0.25, 1000), "plain": Outcome.within(0.0, 1.0, samples=5,
                                                        min_detectable_bias=1.0)}))
    rows = monte_carlo_rows(verify(c).evidence)
    assert [r["where"] for r in rows] == ["example one › W1"]  # no key sniffing
    assert rows[0]["samples"] == 1000 and rows[0]["ratio"] == 0.0
