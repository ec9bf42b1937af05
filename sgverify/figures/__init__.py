"""Paper-figure reproductions: one module per figure, each ``compute(profile)`` and ``plot(data)``.

A figure module (``fig4b``, ``fig4c``, ``fig5``, ``training``) computes its numbers with
``compute(profile) -> FigureData`` (numbers for JSON, arrays for drawing; the profile sets
the effort as it does for the claims) and draws them with ``plot(data)`` (matplotlib,
imported only there). It also names its ``TITLE`` and writes its ``caption(data)``. This
package only knows their names, so importing it stays cheap; the CLI, the report and the
run session call :func:`reproduce`.

Examples
--------
>>> from sgverify import figures
>>> figures.available()
('fig4b', 'fig4c', 'fig5', 'training')
>>> data = figures.compute("fig4c", "dev")
>>> data.numbers["point"]
[1.7, -1.3]
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from .._io import atomic_write_bytes, atomic_write_json
from ._common import PROFILES, FigureData, check_profile

__all__ = ["PROFILES", "FigureData", "Reproduction", "available", "compute", "reproduce",
           "save_json", "save_plot"]

#: the figure modules of this package, in the paper's order
FIGURES = ("fig4b", "fig4c", "fig5", "training")


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

    def __repr__(self) -> str:
        from ._common import describe

        return f"<Reproduction {self.name}: {self.title!r}; numbers {describe(self.data)}>"


def available() -> tuple[str, ...]:
    """Names that :func:`reproduce` accepts."""
    return FIGURES


def _module(name: str) -> ModuleType:
    if name not in FIGURES:
        raise ValueError(f"figure must be one of {', '.join(FIGURES)}; got {name!r}")
    return importlib.import_module(f"{__name__}.{name}")


def compute(name: str, profile: str = "dev") -> FigureData:
    """The numbers (and plot arrays) of figure ``name`` under ``profile``, without plotting."""
    check_profile(profile)
    return _module(name).compute(profile)


def reproduce(name: str, profile: str = "dev") -> Reproduction:
    """Compute figure ``name`` (see :func:`available`) and return its numbers and plot."""
    module = _module(name)
    check_profile(profile)
    data = module.compute(profile)
    import matplotlib

    matplotlib.use("Agg", force=True)  # never open a window, also when called from a REPL
    return Reproduction(name, module.TITLE, data.numbers, module.plot(data),
                        module.caption(data))


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
