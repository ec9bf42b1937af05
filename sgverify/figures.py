"""Paper-figure reproductions: a registry of named reproducers used by the CLI and the report.

A reproducer is a function ``(profile) -> Reproduction`` living in the module that owns the
science (``sgverify._fig_toynet`` for Figs. 4-5, ``sgverify.snn.figures`` for training); this
module only knows their names, so importing it stays cheap.

Examples
--------
>>> from sgverify import figures
>>> "fig5" in figures.available()
True
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._io import atomic_write_bytes, atomic_write_json

__all__ = ["Reproduction", "available", "reproduce", "save_json", "save_plot"]

#: name -> "module:function"; the function takes a profile name and returns a Reproduction
REPRODUCERS: dict[str, str] = {
    "fig4b": "sgverify._fig_toynet:fig4b",
    "fig4c": "sgverify._fig_toynet:fig4c",
    "fig5": "sgverify._fig_toynet:fig5",
    "training": "sgverify.snn.figures:training",
}


@dataclass
class Reproduction:
    """A reproduced figure: its numbers (JSON-ready) and a matplotlib Figure.

    Attributes
    ----------
    name
        Registry name, e.g. ``"fig5"``.
    title
        One line for humans.
    data
        The figure's numbers, exactly what ``reproduce NAME --json`` writes.
    figure
        A ``matplotlib.figure.Figure`` (created with the Agg backend, never shown).
    caption
        What the figure shows and how it compares with the paper.
    """

    name: str
    title: str
    data: dict[str, Any]
    figure: Any
    caption: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def available() -> tuple[str, ...]:
    """Names that :func:`reproduce` accepts."""
    return tuple(REPRODUCERS)


def _load(name: str) -> Callable[[str], Reproduction]:
    if name not in REPRODUCERS:
        raise ValueError(f"figure must be one of {', '.join(REPRODUCERS)}; got {name!r}")
    module, func = REPRODUCERS[name].split(":")
    return getattr(importlib.import_module(module), func)


def reproduce(name: str, profile: str = "dev") -> Reproduction:
    """Compute figure ``name`` (see :func:`available`) and return its numbers and plot."""
    import matplotlib

    matplotlib.use("Agg", force=True)  # never open a window, also when called from a REPL
    return _load(name)(profile)


def save_json(rep: Reproduction, path: str | Path) -> Path:
    """Atomically write the figure's numbers as JSON."""
    return atomic_write_json(path, rep.data)


def save_plot(rep: Reproduction, path: str | Path) -> Path:
    """Atomically write the figure as PNG or SVG (chosen by the file's extension)."""
    import io

    suffix = Path(path).suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ValueError(f"plot path must end in .png or .svg, got {str(path)!r}")
    buf = io.BytesIO()
    rep.figure.savefig(buf, format=suffix[1:], dpi=150, bbox_inches="tight")
    return atomic_write_bytes(path, buf.getvalue())
