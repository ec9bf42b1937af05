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


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS)
    assert result.attempted > 0, f"{name} has '>>> ' in its source but no example doctest runs"
    assert result.failed == 0, f"{result.failed} failing docstring example(s) in {name}"


def test_readme_lists_every_claim():
    from sgverify import claims

    text = (ROOT / "README.md").read_text()
    missing = [c.id for c in claims.all_claims() if f"`{c.id}`" not in text]
    assert not missing, f"README does not list {missing}"
