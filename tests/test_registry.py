"""Registry checks (docs/design.md): ids, uses, proofs, tolerances, examples; every verdict."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from sgverify import claims

ROOT = Path(__file__).resolve().parents[1]
ALL = claims.all_claims()
IDS = [c.id for c in ALL]


def test_ids_unique_and_well_formed():
    assert len(IDS) == len(set(IDS))
    assert all(c.section and "." in c.id for c in ALL)


def test_every_use_resolves_and_graph_is_acyclic():
    known = set(IDS)
    for c in ALL:
        assert set(c.uses) <= known, f"{c.id} uses unknown {set(c.uses) - known}"
    # every claim's uses come earlier in a topological order
    state: dict[str, int] = {}

    def visit(cid: str) -> None:
        assert state.get(cid) != 1, f"cycle through {cid}"
        if state.get(cid) == 2:
            return
        state[cid] = 1
        for dep in claims.get(cid).uses:
            visit(dep)
        state[cid] = 2

    for cid in IDS:
        visit(cid)


@pytest.mark.parametrize("claim", ALL, ids=IDS)
def test_claim_record_complete(claim):
    assert claim.statement.strip() and claim.formula.strip() and claim.source.strip()
    assert claim.tolerance.why.strip(), "every tolerance states its why"
    if claim.kind in ("for-all", "exists"):
        assert claim.examples, "every for-all / exists claim has a pinned example"
    assert claim.proof, "every claim has a proof script"
    assert (ROOT / claim.proof).is_file(), f"missing proof {claim.proof}"


PROOFS = sorted({c.proof for c in ALL if c.proof})


@pytest.mark.parametrize("proof", PROOFS)
def test_proof_script_runs(proof):
    runpy.run_path(str(ROOT / proof), run_name="__main__")


@pytest.mark.parametrize("claim", ALL, ids=IDS)
def test_claim_has_expected_verdict(claim, claim_profile):
    result = claims.verify(claim, claim_profile)
    assert result.status == claim.expected, (
        f"{claim.id}: {result.status} (expected {claim.expected}); evidence: "
        f"{ {k: result.evidence.get(k) for k in ('error', 'worst_where', 'worst_ratio')} }"
    )


def test_unknown_id_and_glob_raise_clear_errors():
    with pytest.raises(ValueError, match="unknown claim id"):
        claims.get("no.such-claim")
    with pytest.raises(ValueError, match="no claim matches"):
        claims.select("nothing.*")
    with pytest.raises(ValueError, match="profile must be one of"):
        claims.verify(ALL[0], "fast")
