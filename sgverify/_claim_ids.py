"""Claim ids read from the source of ``sgverify/claims`` without importing it.

Importing the registry imports every claim module (SymPy, SciPy, the audit, ...), seconds of
work; a mistyped id on the command line deserves its one-line answer at once. Every claim is
written ``Claim(id="section.slug", ...)``; when the source holds a ``Claim(...)`` call whose
id is not such a literal, :func:`static_ids` returns None and the registry decides.

Examples
--------
>>> from sgverify._claim_ids import static_ids
>>> "escape.step-limit" in static_ids()
True
"""

from __future__ import annotations

import ast
from pathlib import Path

__all__ = ["static_ids"]

_CLAIMS = Path(__file__).resolve().parent / "claims"


def static_ids() -> tuple[str, ...] | None:
    """Every literal claim id in the claims package, or None if some id is not literal."""
    ids: list[str] = []
    for path in sorted(_CLAIMS.rglob("*.py")):
        if path.name == "_record.py":  # defines Claim; its doctests are not claims
            continue
        try:
            tree = ast.parse(path.read_text("utf-8"))
        except (OSError, SyntaxError, ValueError):
            return None
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Claim"):
                continue
            kw = next((k for k in node.keywords if k.arg == "id"), None)
            if kw is None or not (isinstance(kw.value, ast.Constant)
                                  and isinstance(kw.value.value, str)):
                return None
            ids.append(kw.value.value)
    return tuple(ids) or None
