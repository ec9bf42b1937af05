"""Short, readable text and HTML for the REPL and Jupyter: numbers, truncation, small tables.

Every public object of sgverify prints in a few lines (``repr`` one line, ``str`` and IPython's
pretty printer a short block, ``_repr_html_`` a small table); this module holds the pieces
they share so that claims, audit results and the report format numbers the same way.

Examples
--------
>>> from sgverify._display import num, shorten, text_table
>>> num(0.000123456), num(2.0), num(123456789), num(float("inf"))
('0.0001235', '2', '123456789', 'inf')
>>> shorten("a long sentence that goes on", 12)
'a long sent…'
>>> print(text_table(("x", "y"), [(1, 0.5), (10, 0.25)]))
x      y
1    0.5
10  0.25
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "html_table",
    "num",
    "plural",
    "pretty",
    "shorten",
    "text_table",
    "wrap",
]


def num(x: Any, digits: int = 4) -> str:
    """A number for people: ``digits`` significant digits, integers exact, others as str."""
    if isinstance(x, bool) or x is None:
        return "—" if x is None else str(x).lower()
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        if not math.isfinite(x):
            return str(x)
        if x == 0:
            return "0"
        if x.is_integer() and abs(x) < 1e15:
            return str(int(x))
        return f"{x:.{digits}g}"
    if isinstance(x, str):
        return x
    if isinstance(x, (list, tuple)) and len(x) <= 6 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in x):
        return "(" + ", ".join(num(v, digits) for v in x) + ")"
    try:
        return num(float(x), digits)  # NumPy scalars
    except (TypeError, ValueError):
        return shorten(repr(x), 60)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``"1 claim"``, ``"2 claims"``; ``many`` for irregular plurals.

    >>> plural(1, "claim"), plural(37, "claim"), plural(2, "entry", "entries")
    ('1 claim', '37 claims', '2 entries')
    """
    return f"{n} {word if n == 1 else (many or word + 's')}"


def shorten(text: str, width: int = 100) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def wrap(text: str, width: int = 88, indent: str = "") -> str:
    """``text`` wrapped to ``width`` columns, every line indented by ``indent``."""
    return textwrap.fill(" ".join(str(text).split()), width, initial_indent=indent,
                         subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False)


def _cells(rows: Iterable[Sequence[Any]]) -> list[list[str]]:
    return [[c if isinstance(c, str) else num(c) for c in r] for r in rows]


def _numeric(x: Any) -> bool:
    return x is None or (isinstance(x, (int, float)) and not isinstance(x, bool))


def text_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], indent: str = "",
               max_width: int = 40) -> str:
    """A plain-text table: text columns left-aligned, number columns right-aligned."""
    rows = [list(r) for r in rows]
    right = [i > 0 and bool(rows) and all(_numeric(r[i]) for r in rows)
             for i in range(len(columns))]
    body = [[shorten(c, max_width) for c in r] for r in _cells(rows)]
    head = [str(c) for c in columns]
    widths = [max([len(head[i])] + [len(r[i]) for r in body]) for i in range(len(head))]
    lines = []
    for r in [head, *body]:
        cells = [c.rjust(w) if right[i] else c.ljust(w)
                 for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        lines.append(indent + "  ".join(cells).rstrip())
    return "\n".join(lines)


def html_table(columns: Sequence[str], rows: Iterable[Sequence[Any]], caption: str = "") -> str:
    """A small HTML table (every cell escaped), for ``_repr_html_``."""
    esc = html.escape
    head = "".join(f"<th>{esc(str(c))}</th>" for c in columns)
    right = ' style="text-align:right"'
    body = "".join(
        "<tr>" + "".join(f"<td{'' if i == 0 else right}>{esc(c)}</td>"
                         for i, c in enumerate(r)) + "</tr>"
        for r in _cells(rows))
    cap = f"<caption style='caption-side:bottom'>{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def pretty(obj: Any, p: Any, cycle: bool) -> None:
    """IPython's ``_repr_pretty_``: ``str(obj)`` at top level, ``repr(obj)`` when nested."""
    if cycle or getattr(p, "indentation", 0) > 0:
        p.text(repr(obj))
    else:
        p.text(str(obj))
