"""pytest plugin: ``pytest --sgverify-report DIR`` writes the verification report after a run.

Claims the test session already verified (through :func:`sgverify.claims.verify`, as the
registry-driven tests do) are recorded as they are made and reused: the report does not
run them again. When the session ran registry-driven tests (a test taking a ``claim``
parameter, as in tests/test_registry.py), the report covers exactly those claims; otherwise
every claim, and the claims no test verified are computed through :mod:`sgverify.session`
(with the figures and the catalogue unless ``--sgverify-no-figures`` /
``--sgverify-no-audit``). The run is kept in ``DIR/runs/``. The profile is the one the
registry-driven tests use: ``SGVERIFY_PROFILE``, else ``ci`` when ``CI`` is set, else ``dev``.
Progress is a line per task in logs and a live display on a terminal.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ._display import plural

__all__ = ["pytest_addoption", "pytest_configure", "pytest_plugins", "pytest_sessionfinish",
           "pytest_unconfigure"]

#: the sgverify_claim marker and the sgverify_* fixtures of :mod:`sgverify.testing`
pytest_plugins = ("sgverify._testing_plugin",)

_KEY = "_sgverify_recorded"


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("sgverify")
    group.addoption("--sgverify-report", metavar="DIR", default=None,
                    help="write the sgverify verification report (index.html, report.json) to DIR")
    group.addoption("--sgverify-no-figures", action="store_true", default=False,
                    help="report without reproducing the paper's figures")
    group.addoption("--sgverify-no-audit", action="store_true", default=False,
                    help="report without auditing the surrogate catalogue")


def _active(config: Any) -> bool:
    # xdist workers leave the report to the controller
    return bool(config.getoption("--sgverify-report")) and not hasattr(config, "workerinput")


def pytest_configure(config: Any) -> None:
    if not _active(config):
        return
    import pytest

    from ._outputs import check_dir

    try:
        check_dir("--sgverify-report", config.getoption("--sgverify-report"),
                  files=("index.html", "report.json"))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    from . import claims

    recorded: list[Any] = []
    original = claims.verify

    def verify(claim: Any, profile: Any = "dev") -> Any:
        result = original(claim, profile)
        recorded.append(result)
        return result

    verify.__doc__ = original.__doc__
    verify.__wrapped__ = original  # type: ignore[attr-defined]
    claims.verify = verify
    setattr(config, _KEY, (recorded, original))


def pytest_unconfigure(config: Any) -> None:
    state = getattr(config, _KEY, None)
    if state is not None:
        from . import claims

        claims.verify = state[1]


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


def _reusable(recorded: list[Any], profile: str, wanted: tuple[str, ...]) -> dict[str, Any]:
    """Results of registered claims verified in this session under the report's profile."""
    from . import claims

    out: dict[str, Any] = {}
    for r in recorded:
        cid = r.claim.id
        if cid in wanted and r.profile == profile and claims.get(cid) is r.claim:
            out[f"claim/{cid}"] = r.to_dict()
    return out


class _ReporterStream:
    """A text stream that writes through pytest's terminal reporter."""

    def __init__(self, reporter: Any) -> None:
        self.reporter = reporter

    def write(self, text: str) -> int:
        self.reporter.write(text)
        return len(text)

    def flush(self) -> None:
        self.reporter.flush() if hasattr(self.reporter, "flush") else None

    def isatty(self) -> bool:
        return bool(getattr(self.reporter, "isatty", False))


def pytest_sessionfinish(session: Any, exitstatus: Any) -> None:
    config = session.config
    if not _active(config):
        return
    from . import session as sg_session

    out = Path(config.getoption("--sgverify-report"))
    recorded = getattr(config, _KEY, ([], None))[0]
    ids = _claim_ids(getattr(session, "items", ()))  # the items left after -k / -m
    profile = _profile()
    plan = sg_session.plan(ids, profile, figures=not config.getoption("--sgverify-no-figures"),
                           catalogue=not config.getoption("--sgverify-no-audit"))
    reuse = _reusable(recorded, profile, plan.claims)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    stream = _ReporterStream(reporter) if reporter is not None else None
    if reporter is not None:
        what = f"{plural(len(ids), 'claim')} of this run" if ids else "every claim"
        reporter.ensure_newline()
        reporter.write_line(f"sgverify: writing the report for {what} to {out} "
                            f"({len(reuse)} claim results reused from this session) ...")
    sess = sg_session.execute(plan, store=out / "runs", precomputed=reuse, stream=stream,
                              progress="auto" if reporter is not None else "off")
    paths = sess.write_report(out)
    results = sess.results()
    bad = sum(not r.ok for r in results)
    if reporter is not None:
        computed = sum(k.startswith("claim/") for k in sess.computed)
        reporter.write_line(f"sgverify: wrote {paths['html']} and {paths['json']} "
                            f"({plural(len(results), 'claim')}, {bad} without their expected "
                            f"verdict; "
                            f"{computed} computed for the report)")
        for line in sess.failed_extras():
            reporter.write_line(f"sgverify: report incomplete: {line}", red=True)
