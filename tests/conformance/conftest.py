"""Every test in tests/conformance carries the ``libraries`` marker (select with
``-m libraries``, deselect with ``-m 'not libraries'``); tests of an absent library skip with
the reason."""

from __future__ import annotations

import pathlib

import pytest

_HERE = pathlib.Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.libraries)
