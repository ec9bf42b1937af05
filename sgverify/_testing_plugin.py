"""pytest side of :mod:`sgverify.testing`: the ``sgverify_claim`` marker and fixtures.

Loaded by the ``sgverify`` pytest plugin, so every pytest run where sgverify is installed
has them:

* ``@pytest.mark.sgverify_claim("escape.pdf-normalised", ..., profile=None)``: before the
  test body runs, each claim must get its expected verdict (the test fails with the claim's
  paragraph otherwise); results are cached for the session, so several tests may share one.
* ``sgverify_claim``: the :class:`sgverify.claims.Result` of the marked claim (a dict by id
  when the marker names several).
* ``sgverify_audit``: :func:`sgverify.audit.audit`, with results cached per session for
  formulas (audit a library's surrogate once, assert on it in many tests).
* ``sgverify_profile``: the claim profile: ``--sgverify-profile``, else ``SGVERIFY_PROFILE``,
  else ``ci`` when ``CI`` is set, else ``dev``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

__all__ = [
    "pytest_addoption",
    "pytest_configure",
    "pytest_runtest_call",
    "sgverify_audit",
    "sgverify_claim",
    "sgverify_profile",
]

_MARKER = "sgverify_claim"
_RESULTS = pytest.StashKey[dict]()


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("sgverify")
    group.addoption("--sgverify-profile", metavar="PROFILE", default=None,
                    help="claim profile of @pytest.mark.sgverify_claim tests: dev | ci | "
                         "thorough (default: SGVERIFY_PROFILE, else ci when CI is set, else "
                         "dev)")


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers", f"{_MARKER}(*claim_ids, profile=None): the test needs these sgverify "
        "claims to get their expected verdicts (checked before the test body; results are "
        "available in the sgverify_claim fixture)")
    config.stash[_RESULTS] = {}


def _profile(config: Any, marker: Any = None) -> str:
    if marker is not None and marker.kwargs.get("profile"):
        return str(marker.kwargs["profile"])
    opt = config.getoption("--sgverify-profile", default=None)
    return opt or os.environ.get("SGVERIFY_PROFILE") or (
        "ci" if os.environ.get("CI") else "dev")


def _ids(marker: Any) -> list[str]:
    ids = list(marker.args)
    if not ids or not all(isinstance(i, str) for i in ids):
        raise pytest.UsageError(f"@pytest.mark.{_MARKER} needs claim ids as strings, e.g. "
                                f"@pytest.mark.{_MARKER}('escape.pdf-normalised'); got {ids!r}")
    return ids


def _results(item: Any, *, strict: bool = True) -> dict[str, Any]:
    """Check the marked claims once per session and profile; raise on a wrong verdict
    (``strict``), else leave the failing ones out."""
    __tracebackhide__ = True
    from .testing import assert_claim

    marker = item.get_closest_marker(_MARKER)
    cache = item.config.stash[_RESULTS]
    prof = _profile(item.config, marker)
    out = {}
    for cid in _ids(marker):
        key = (cid, prof)
        if key not in cache:
            try:
                cache[key] = assert_claim(cid, prof)
            except AssertionError as exc:
                cache[key] = exc
        got = cache[key]
        if isinstance(got, AssertionError):
            if strict:
                raise AssertionError(str(got)) from None
            continue
        out[cid] = got
    return out


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item: Any) -> None:
    # before the test body, in the call phase: a claim without its expected verdict fails
    # the test (rather than erroring its setup)
    if item.get_closest_marker(_MARKER) is not None:
        __tracebackhide__ = True
        _results(item)


@pytest.fixture(scope="session")
def sgverify_profile(request: Any) -> str:
    """The claim profile of this session (dev, ci or thorough)."""
    return _profile(request.config)


@pytest.fixture
def sgverify_claim(request: Any) -> Any:
    """The Result of the claim named by the test's ``sgverify_claim`` marker (a dict by id
    when it names several); the claim was checked before the test body ran."""
    marker = request.node.get_closest_marker(_MARKER)
    if marker is None:
        raise pytest.UsageError(f"the sgverify_claim fixture needs the test to be marked "
                                f"@pytest.mark.{_MARKER}('claim.id')")
    res = _results(request.node, strict=False)  # a failing claim fails the call phase
    return next(iter(res.values()), None) if len(_ids(marker)) == 1 else res


@pytest.fixture(scope="session")
def sgverify_audit() -> Callable[..., Any]:
    """:func:`sgverify.audit.audit`, caching formula audits for the session."""
    from .audit import audit

    cache: dict[Any, Any] = {}

    def cached(surrogate: Any, params: dict[str, float] | None = None, **kw: Any) -> Any:
        if not isinstance(surrogate, str):
            return audit(surrogate, params, **kw)
        key = (surrogate, tuple(sorted((params or {}).items())), tuple(sorted(kw.items())))
        if key not in cache:
            cache[key] = audit(surrogate, params, **kw)
        return cache[key]

    return cached
