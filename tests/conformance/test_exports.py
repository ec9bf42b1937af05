"""The catalogue covers every surrogate the installed releases export."""

from __future__ import annotations

import pytest

from sgverify.audit import CATALOGUE

from ._targets import EXPORTS, installed, version


@pytest.mark.parametrize("library", sorted(EXPORTS))
def test_every_export_is_catalogued(library):
    reason = installed(library)
    if reason:
        pytest.skip(reason)
    names = {e.name for e in CATALOGUE if e.library == library}
    missing = EXPORTS[library]() - names
    assert not missing, f"{library} {version(library)} exports surrogates not catalogued: {missing}"
