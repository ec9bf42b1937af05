"""Every catalogue entry says which release it describes and how it was checked; the
executable libraries' entries and the conformance targets correspond one to one."""

from __future__ import annotations

import pytest

from sgverify.audit import CATALOGUE
from sgverify.audit._catalogue import RELEASES, VERIFIED

from ._targets import DISTRIBUTIONS, TARGETS


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda e: f"{e.library}:{e.name}")
def test_entry_has_version_and_verification(entry):
    assert entry.version, "every entry names the release it describes"
    assert entry.verified in VERIFIED
    assert entry.verification, "how it was verified (or why only read) is stated"
    assert entry.library in RELEASES


def test_targets_match_executed_entries():
    executed = {(e.library, e.name) for e in CATALOGUE if e.verified == "execution"}
    runnable = {k for k, t in TARGETS.items() if t.kind != "raises"}
    assert executed == runnable
    for e in CATALOGUE:
        if e.library in DISTRIBUTIONS:
            assert (e.library, e.name) in TARGETS, f"no conformance target for {e.name}"
        else:
            assert e.verified == "reading", f"{e.library} cannot be executed here"


def test_reading_only_entries_say_why():
    for e in CATALOGUE:
        if e.verified == "reading":
            assert any(w in e.verification for w in ("not on PyPI", "raises")), e.name


def test_unique_names():
    keys = [(e.library, e.name) for e in CATALOGUE]
    assert len(keys) == len(set(keys))
