"""pytest plugin: ``pytest --sgverify-report DIR`` writes the verification report after a run."""

from __future__ import annotations

from typing import Any

__all__ = ["pytest_addoption"]


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("sgverify")
    group.addoption("--sgverify-report", metavar="DIR", default=None,
                    help="write the sgverify verification report (index.html, report.json) to DIR")
