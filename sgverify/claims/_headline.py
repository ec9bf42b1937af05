"""A claim's headline numbers: the small table its report card and ``explain()`` lead with.

A claim declares them with ``Claim(headline=fn)``: ``fn(evidence, used) -> Headline | None``
reads the claim's typed :class:`~sgverify.claims.Evidence` (never re-runs anything), so the
same table comes out of a fresh run, a stored run or ``report.json``; ``used`` maps the ids of
the claims it ``uses`` that ran alongside it (in a report) to their evidence, so a claim can
show its control's numbers next to its own (empty when the claim was checked alone). A
:class:`Headline` is data (columns, rows, a caption, an optional convergence :class:`Plot`
and an optional one-sentence ``finding`` for the report's Findings section); the report's
template renders it and ``report.json`` keeps it as :meth:`Headline.to_dict`. Claims without
a hook of their own get :func:`monte_carlo_headline` (z-scores and minimum detectable biases)
when their evidence has Monte Carlo comparisons.

Examples
--------
>>> from sgverify.claims import Headline, Plot, Series
>>> h = Headline(("quantity", "value"), (("slope", -1.002), ("expected", -1.0)),
...              caption="log error on log step",
...              plot=Plot((Series("error", (1, 2, 4), (1.0, 0.5, 0.25)),), "h", "error",
...                        logx=True, logy=True))
>>> h.to_dict()["rows"][0], h.plot.series[0].label
(['slope', -1.002], 'error')
>>> Headline.from_dict(h.to_dict()) == h
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._evidence import Evidence

__all__ = [
    "Headline",
    "HeadlineFn",
    "Plot",
    "Series",
    "bound_headline",
    "examples",
    "find_info",
    "info",
    "monte_carlo_headline",
    "part",
    "series_from_pairs",
    "summary_outcome",
]


def _finite(values: Iterable[Any]) -> tuple[float, ...]:
    out = []
    for v in values:
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            out.append(math.nan)
    return tuple(out)


@dataclass(frozen=True)
class Series:
    """One curve of a :class:`Plot`: a label, x and y values, and how to draw it.

    ``style`` is ``"line"``, ``"dashed"`` (a reference or a fit) or ``"points"``.
    """

    label: str
    x: tuple[float, ...]
    y: tuple[float, ...]
    style: str = "line"

    def __post_init__(self) -> None:
        object.__setattr__(self, "x", _finite(self.x))
        object.__setattr__(self, "y", _finite(self.y))
        if len(self.x) != len(self.y):
            raise ValueError(f"Series {self.label!r}: x and y differ in length "
                             f"({len(self.x)} != {len(self.y)})")
        if self.style not in ("line", "dashed", "points"):
            raise ValueError(f"Series.style must be line, dashed or points, got {self.style!r}")

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "x": list(self.x), "y": list(self.y), "style": self.style}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Series:
        return cls(str(d["label"]), tuple(d["x"]), tuple(d["y"]), str(d.get("style", "line")))


@dataclass(frozen=True)
class Plot:
    """A small plot of a claim's convergence (or any few curves), drawn as inline SVG."""

    series: tuple[Series, ...]
    xlabel: str
    ylabel: str
    logx: bool = False
    logy: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"series": [s.to_dict() for s in self.series], "xlabel": self.xlabel,
                "ylabel": self.ylabel, "logx": self.logx, "logy": self.logy}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Plot:
        return cls(tuple(Series.from_dict(s) for s in d["series"]), str(d["xlabel"]),
                   str(d["ylabel"]), bool(d.get("logx")), bool(d.get("logy")))


@dataclass(frozen=True)
class Headline:
    """A claim's key numbers: a small table, a caption, a plot, and its finding, if any.

    Attributes
    ----------
    columns
        Column names; the first column names the row.
    rows
        Rows of numbers and short strings (the template formats numbers to 4 digits).
    caption
        One sentence under the table: what the numbers are.
    plot
        An optional small plot (a convergence or a rate).
    finding
        One sentence for the report's Findings section when the claim's evidence says
        something beyond "the paper holds" (written from the evidence's numbers).
    """

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    caption: str = ""
    plot: Plot | None = None
    finding: str = ""
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(str(c) for c in self.columns))
        object.__setattr__(self, "rows", tuple(tuple(r) for r in self.rows))
        object.__setattr__(self, "notes", tuple(self.notes))
        for r in self.rows:
            if len(r) != len(self.columns):
                raise ValueError(f"Headline row {r!r} has {len(r)} cells for "
                                 f"{len(self.columns)} columns")

    def to_dict(self) -> dict[str, Any]:
        from ._evidence import jsonable

        return {"columns": list(self.columns), "rows": jsonable([list(r) for r in self.rows]),
                "caption": self.caption, "finding": self.finding, "notes": list(self.notes),
                "plot": None if self.plot is None else self.plot.to_dict()}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Headline:
        plot = d.get("plot")
        return cls(tuple(d["columns"]), tuple(tuple(r) for r in d["rows"]),
                   str(d.get("caption", "")), None if plot is None else Plot.from_dict(plot),
                   str(d.get("finding", "")), tuple(d.get("notes", ())))


#: what a claim's ``headline`` hook is: ``fn(evidence, used) -> Headline | None``
HeadlineFn = Callable[["Evidence", Mapping[str, "Evidence"]], "Headline | None"]


def part(outcome: Mapping[str, Any] | None, *path: str) -> dict[str, Any]:
    """The sub-outcome at ``path`` of a stored outcome (``{}`` where it is missing)."""
    out: Any = outcome or {}
    for name in path:
        out = (out.get("parts") or {}).get(name) or {}
    return dict(out)


def examples(evidence: Evidence) -> list[tuple[str, dict[str, Any]]]:
    """``(name, outcome)`` of every pinned example, in order."""
    return [(c.name, c.outcome) for c in evidence.stage("example")]


def summary_outcome(evidence: Evidence) -> dict[str, Any]:
    """The summary stage's outcome (``{}`` when the claim has none)."""
    return dict(evidence.outcome("summary") or {})


def info(outcome: Mapping[str, Any] | None) -> dict[str, Any]:
    """The ``info`` dict of a stored outcome (``{}`` when missing)."""
    return dict((outcome or {}).get("info") or {})


def find_info(outcome: Mapping[str, Any] | None, key: str) -> Any:
    """The first ``info[key]`` in a stored outcome or any of its parts (depth first)."""
    if not outcome:
        return None
    info = outcome.get("info") or {}
    if key in info:
        return info[key]
    for sub in (outcome.get("parts") or {}).values():
        found = find_info(sub, key)
        if found is not None:
            return found
    return None


def _z(mc: Mapping[str, Any]) -> float | None:
    try:
        sd = math.sqrt(max(float(mc["exact_var"]), 0.0) / float(mc["samples"]))
        return (float(mc["mean"]) - float(mc["exact"])) / sd if sd > 0 else None
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


def monte_carlo_headline(evidence: Evidence, limit: int = 8,
                         caption: str = "") -> Headline | None:
    """The Monte Carlo comparisons as a table: z-score, share of the bound, detectable bias.

    One row per comparison, the largest share of its bound first (``limit`` rows; the
    caption counts the rest). ``z = (mean - exact) / sd`` with the exact ``sd`` of the mean;
    a comparison holds when ``|mean - exact| <= z_max sd + rounding`` (ratio <= 1), and the
    minimum detectable bias is the bias found with 90 % power (theory 8.4). When the exact
    variance is ~0 the rounding allowance decides and ``z`` says little. None when the
    evidence has no Monte Carlo rows.
    """
    from ._evidence import monte_carlo_rows

    rows = monte_carlo_rows(evidence)
    if not rows:
        return None
    rows.sort(key=lambda r: -(r["ratio"] if isinstance(r.get("ratio"), (int, float)) else 0.0))
    table = tuple((r["where"], r.get("samples"), r.get("mean"), r.get("exact"), _z(r),
                   r.get("ratio"), r.get("min_detectable_bias")) for r in rows[:limit])
    zmax = next((r.get("z") for r in rows if isinstance(r.get("z"), (int, float))), None)
    worst = rows[0].get("ratio")
    text = caption or (
        f"{len(rows)} Monte Carlo comparison{'s' if len(rows) != 1 else ''} against exact "
        f"values with the exact variance; each holds when |mean − exact| ≤ "
        f"{zmax:.2f} sd + rounding (ratio ≤ 1); the largest ratio is "
        f"{worst:.3g}" if isinstance(zmax, float) and isinstance(worst, (int, float)) else "")
    if len(rows) > limit:
        text += f" ({limit} with the largest ratio shown)"
    return Headline(("comparison", "n", "mean", "exact", "z", "ratio",
                     "min. detectable bias"), table, caption=text)


def _decider(outcome: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The part that set an outcome's ratio (following ``all`` to its worst part)."""
    path: list[str] = []
    while outcome.get("test") == "all" and outcome.get("parts"):
        worst = (outcome.get("info") or {}).get("worst")
        if worst not in outcome["parts"]:
            break
        path.append(str(worst))
        outcome = outcome["parts"][worst]
    return " › ".join(path), dict(outcome)


def bound_headline(evidence: Evidence, limit: int = 8) -> Headline | None:
    """The checks closest to their bounds as a table: what decided, error, bound, ratio.

    The fallback for a claim that declares no headline of its own and has no Monte Carlo
    comparisons, so that every card and ``explain()`` shows numbers. None without checks.
    """
    def key(c: Any) -> float:
        r = c.outcome.get("ratio")
        return 1e300 if not isinstance(r, (int, float)) or not math.isfinite(r) else r

    checks = sorted(evidence.checks, key=key, reverse=True)
    if not checks:
        return None
    rows = []
    for c in checks[:limit]:
        decided, out = _decider(c.outcome)
        i = out.get("info") or {}
        rows.append((c.where, decided or out.get("test", ""), i.get("error", i.get("value")),
                     i.get("bound"), c.outcome.get("ratio")))
    more = f" ({limit} of {len(checks)} shown)" if len(checks) > limit else ""
    return Headline(("check", "decided by", "error", "bound", "ratio"), tuple(rows),
                    caption="The checks closest to their bounds, largest ratio first (a "
                            f"check holds when its ratio is at most 1){more}.")


def series_from_pairs(label: str, pairs: Sequence[Sequence[Any]], style: str = "line",
                      ) -> Series:
    """A :class:`Series` from ``[[x, y], ...]`` pairs (as stored in evidence)."""
    return Series(label, tuple(p[0] for p in pairs), tuple(p[1] for p in pairs), style)
