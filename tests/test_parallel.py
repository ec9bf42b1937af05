"""Worker processes change the wall time only: the same evidence, in the same order."""

from __future__ import annotations

import pytest

from sgverify._parallel import Task, run_tasks
from sgverify.cli import main, run_claims

FAST = ["single-neuron.mismatched-*", "single-neuron.deterministic-limit",
        "escape.cdf-is-distribution"]


def _strip(x):
    if isinstance(x, dict):
        return {k: _strip(v) for k, v in x.items() if k != "seconds"}
    if isinstance(x, list):
        return [_strip(v) for v in x]
    return x


def test_two_workers_give_identical_evidence_in_order():
    one = run_claims(FAST, "dev", quiet=True, jobs=1)
    two = run_claims(FAST, "dev", quiet=True, jobs=2)
    assert [r.claim.id for r in one] == [r.claim.id for r in two]
    assert [_strip(r.to_dict()) for r in one] == [_strip(r.to_dict()) for r in two]
    assert all(r.status == "confirmed" for r in two)


def test_extra_tasks_come_back_separately():
    results, extra = run_claims(FAST[:1], "dev", quiet=True, jobs=2,
                                extra=[Task("sum", sum, ([1, 2, 3],))])
    assert len(results) == 1 and extra == [6]


def test_jobs_validated():
    with pytest.raises(ValueError, match="jobs"):
        run_tasks([], 0)
    assert main(["check", "escape.step-limit", "--jobs", "0"]) == 2
