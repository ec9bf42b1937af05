"""pytest plugin: ``pytest --sgverify-report DIR`` writes the verification report after a run.

The report is never made from pytest's own output: at the end of the session the claims are
run again through the same registry (:func:`sgverify.report.write_report`). When the session
ran registry-driven tests (a test taking a ``claim`` parameter, as in tests/test_registry.py),
the report covers exactly those claims; otherwise every claim. The profile is the one the
registry-driven tests use: ``SGVERIFY_PROFILE``, else ``ci`` when ``CI`` is set, else ``dev``.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["pytest_addoption", "pytest_sessionfinish"]


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("sgverify")
    group.addoption("--sgverify-report", metavar="DIR", default=None,
                    help="write the sgverify verification report (index.html, report.json) to DIR")


def _claim_ids(items: Any) -> list[str]:
    from .claims import Claim

    ids: list[str] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        claim = callspec.params.get("claim") if callspec is not None else None
        if isinstance(claim, Claim) and claim.id not in ids:
            ids.append(claim.id)
    return ids


def _profile() -> str:
    return os.environ.get("SGVERIFY_PROFILE") or ("ci" if os.environ.get("CI") else "dev")


def pytest_sessionfinish(session: Any, exitstatus: Any) -> None:
    config = session.config
    out = config.getoption("--sgverify-report")
    if not out or hasattr(config, "workerinput"):  # xdist workers leave it to the controller
        return
    from .report import write_report

    ids = _claim_ids(getattr(session, "items", ())) or None  # the items left after -k / -m
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        what = f"{len(ids)} claims of this run" if ids else "every claim"
        reporter.ensure_newline()
        reporter.write_line(f"sgverify: writing the report for {what} to {out} ...")
    paths, results = write_report(out, profile=_profile(), patterns=ids)
    bad = sum(not r.ok for r in results)
    if reporter is not None:
        reporter.write_line(f"sgverify: wrote {paths['html']} and {paths['json']} "
                            f"({len(results)} claims, {bad} without their expected verdict)")
