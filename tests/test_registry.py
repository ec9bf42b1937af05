"""Registry checks (docs/design.md): ids, uses, proofs, tolerances, examples; every verdict."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

from sgverify import claims

ROOT = Path(__file__).resolve().parents[1]
ALL = claims.all_claims()
IDS = [c.id for c in ALL]


#: a source names the paper (optionally a figure) or sgverify's own extension, then theory sections
SOURCE = re.compile(r"^(paper|extension)\b[^;]*; theory (\d+(\.\d+)?)(, \d+(\.\d+)?)*$")


def _theory_sections() -> set[str]:
    """Section numbers that are headings of docs/theory.md (``## N.`` and ``### N.M``)."""
    text = (ROOT / "docs" / "theory.md").read_text(encoding="utf-8")
    return set(re.findall(r"^##+ (\d+(?:\.\d+)?)\.?\s", text, flags=re.M))


def test_every_source_cites_paper_or_extension_and_existing_theory_sections():
    sections = _theory_sections()
    for c in ALL:
        assert SOURCE.match(c.source), (
            f"{c.id}: source must read 'paper[ Fig. X]; theory N.M' or 'extension; theory N.M', "
            f"got {c.source!r}")
        cited = re.findall(r"\d+(?:\.\d+)?", c.source.split("; theory", 1)[1])
        missing = [s for s in cited if s not in sections]
        assert not missing, f"{c.id} cites theory {missing}, not headings of docs/theory.md"


def test_source_check_rejects_a_missing_section():
    assert "6.2" in _theory_sections() and "6.9" not in _theory_sections()
    assert not SOURCE.match("§6, Fig. 4B")


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
    assert claim.statement.strip() and claim.formula.strip()
    assert claim.proof, "every claim has a proof script"
    assert (ROOT / claim.proof).is_file(), f"missing proof {claim.proof}"


PROOFS = sorted({c.proof for c in ALL if c.proof})


@pytest.mark.parametrize("proof", PROOFS)
def test_proof_script_runs(proof):
    runpy.run_path(str(ROOT / proof), run_name="__main__")


def _verdict_message(claim, result) -> str:
    ev = result.evidence
    where = None if ev.worst is None else (ev.worst.where, ev.worst.ratio)
    return (f"{claim.id}: {result.status} (expected {claim.expected}); worst {where}; "
            f"error {ev.error}")


def _check_presentation(result) -> None:
    """The key numbers, explanation and summary build from the claim's real evidence.

    They never take part in a verdict, but a hook that reads a missing key would break the
    report's card and ``explain()``; each claim's run is the only place its evidence exists.
    """
    h = result.headline()
    if result.status != "error":  # every card shows a table of key numbers (issue 13 §4)
        assert h is not None and h.rows, f"{result.claim.id}: empty headline"
    if h is not None:
        assert claims.Headline.from_dict(h.to_dict()).to_dict() == h.to_dict()
    assert result.explain().startswith(result.claim.id)
    assert len(str(result).splitlines()) <= 20


@pytest.mark.slow
@pytest.mark.parametrize("claim", ALL, ids=IDS)
def test_claim_has_expected_verdict(claim, claim_profile):
    result = claims.verify(claim, claim_profile)
    assert result.status == claim.expected, _verdict_message(claim, result)
    _check_presentation(result)


#: the default tier's representatives, one cheap claim of every kind (each < 1 s at dev), so a
#: broken runner, record or evidence path fails the fast tier too; every claim runs under slow
REPRESENTATIVES = (
    "single-neuron.sg-equals-spm-gradient",  # identity: symbolic + mpmath references
    "single-neuron.mismatched-sg-differs",   # for-all: Hypothesis search, exceeds + within
    "lif.reset-biases-sg",                   # exists: pinned witnesses + hypothesis.find
    "lif.sg-expectation-by-enumeration",     # statistical: Monte Carlo against enumeration
    "lif.perceptron-limit",                  # limit: fitted rates
)


@pytest.mark.parametrize("cid", REPRESENTATIVES)
def test_representative_claim_has_expected_verdict(cid):
    claim = claims.get(cid)
    result = claims.verify(claim, "dev")
    assert result.status == claim.expected, _verdict_message(claim, result)
    assert result.evidence.checks and result.evidence.worst is not None
    _check_presentation(result)


def test_representatives_cover_every_kind():
    assert {claims.get(c).kind for c in REPRESENTATIVES} == set(claims.KINDS)


def test_unknown_id_and_glob_raise_clear_errors():
    with pytest.raises(ValueError, match="unknown claim id"):
        claims.get("no.such-claim")
    with pytest.raises(ValueError, match="no claim matches"):
        claims.select("nothing.*")
    with pytest.raises(ValueError, match="profile must be one of"):
        claims.verify(ALL[0], "fast")
