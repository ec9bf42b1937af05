"""Docs that run: the README's REPL session and every docstring example in the package."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

import sgverify

ROOT = Path(__file__).resolve().parents[1]
ALL_MODULES = ["sgverify", *sorted(
    m.name for m in pkgutil.walk_packages(sgverify.__path__, "sgverify.")
    if not m.name.endswith("__main__")
)]


def _has_examples(name: str) -> bool:
    spec = importlib.util.find_spec(name)
    return spec is not None and spec.origin is not None and ">>> " in Path(
        spec.origin).read_text(encoding="utf-8")


#: only modules with examples: a doctest run over a module without any cannot fail
MODULES = [m for m in ALL_MODULES if _has_examples(m)]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_readme_session():
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=FLAGS)
    assert result.failed == 0


def test_tutorial_session():
    """docs/tutorial.md is a REPL session through the paper: every example runs as written."""
    result = doctest.testfile(str(ROOT / "docs" / "tutorial.md"), module_relative=False,
                              optionflags=FLAGS)
    assert result.attempted > 30 and result.failed == 0


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    """Every docstring example of the module runs; one that needs an optional library may skip.

    ``pytest.importorskip`` inside an example skips that docstring (doctest.testmod would
    count the skip as a failure); the module's other docstrings still run.
    """
    module = importlib.import_module(name)
    runner = doctest.DebugRunner(optionflags=FLAGS)
    attempted, skipped = 0, []
    for test in doctest.DocTestFinder().find(module):
        if not test.examples:
            continue
        try:
            runner.run(test, clear_globs=True)
        except doctest.UnexpectedException as exc:
            if isinstance(exc.exc_info[1], pytest.skip.Exception):
                skipped.append(f"{test.name}: {exc.exc_info[1]}")
                continue
            raise AssertionError(f"{test.name}, example at line {exc.example.lineno}: "
                                 f"{exc.exc_info[0].__name__}: {exc.exc_info[1]}") from None
        except doctest.DocTestFailure as fail:
            raise AssertionError(f"{test.name}, example at line {fail.example.lineno}: "
                                 f"expected {fail.example.want!r}, got {fail.got!r}") from None
        attempted += len(test.examples)
    if skipped:
        pytest.skip("; ".join(skipped))
    assert attempted > 0, f"{name} has '>>> ' in its source but no example doctest runs"


def test_readme_lists_every_claim():
    from sgverify import claims

    text = (ROOT / "README.md").read_text()
    missing = [c.id for c in claims.all_claims() if f"`{c.id}`" not in text]
    assert not missing, f"README does not list {missing}"
