"""Typed evidence: what a claim's run checked, point by point (the schema of ``report.json``).

One :class:`Evidence` per claim run: the seed, every :class:`Check` in the order it ran
(stage, name, point, outcome), the Hypothesis search statistics, and an error with its
traceback when the machinery failed. An outcome is stored as JSON (:func:`outcome_dict`):
``holds``, ``conclusive``, ``ratio`` (the fraction of the allowed budget used; <= 1 holds),
``test`` (how the ratio was formed), ``info``, and optionally ``parts`` (named sub-checks)
and ``monte_carlo`` (a :class:`~sgverify.statistics.MeanCheck` as a dict). The runner
writes it, the run store keeps it (``to_dict``/``from_dict`` round-trip exactly) and the
report reads it; :data:`EVIDENCE_SCHEMA` is bumped whenever a key changes meaning.

Examples
--------
>>> from sgverify.claims import Outcome
>>> from sgverify.claims import Check, Evidence, outcome_dict
>>> ev = Evidence(seed=1, checks=[Check("example", "paper values", [0.5],
...                                     outcome_dict(Outcome.within(0.1, 1.0)))])
>>> ev.worst.name, ev.worst.ratio
('paper values', 0.1)
>>> Evidence.from_dict(ev.to_dict()) == ev
True
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .._display import pretty as _pretty
from ._record import Outcome

__all__ = [
    "EVIDENCE_SCHEMA",
    "STAGES",
    "Check",
    "Evidence",
    "Stage",
    "jsonable",
    "monte_carlo_rows",
    "outcome_dict",
]

#: version of the evidence layout (in every claim's evidence and in report.json)
EVIDENCE_SCHEMA = 2

Stage = Literal["symbolic", "example", "search", "summary"]
STAGES: tuple[Stage, ...] = ("symbolic", "example", "search", "summary")


def jsonable(obj: Any) -> Any:
    """Turn points and infos (NumPy arrays, tuples, escape families, ...) into JSON values."""
    if isinstance(obj, (str, bool)) or obj is None:
        return obj
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        return x if math.isfinite(x) else repr(x)
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "to_dict"):
        return jsonable(obj.to_dict())
    return repr(obj)


def outcome_dict(out: Outcome) -> dict[str, Any]:
    """An :class:`Outcome` as JSON (the schema in the module docstring)."""
    d: dict[str, Any] = {
        "holds": out.holds,
        "conclusive": out.conclusive,
        "ratio": jsonable(out.ratio),
        "test": out.test,
        "info": jsonable(dict(out.info)),
    }
    if out.parts:
        d["parts"] = {str(k): outcome_dict(o) for k, o in out.parts.items()}
    if out.monte_carlo is not None:
        d["monte_carlo"] = jsonable(out.monte_carlo.to_dict())
    return d


def _num(x: Any) -> float | None:
    """A stored ratio as a float (non-finite values are stored as their repr)."""
    if isinstance(x, bool) or x is None:
        return None
    if isinstance(x, (int, float)):
        return float(x)
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Check:
    """One checked point: which stage of the run, its name, the point and the outcome.

    ``witness`` marks the checks that can confirm an ``exists`` claim (pinned examples
    and the search's found witness).
    """

    stage: Stage
    name: str
    point: Any
    outcome: dict[str, Any]
    witness: bool = False

    def __repr__(self) -> str:
        from ._repr import check_repr

        return check_repr(self)

    def __str__(self) -> str:
        from ._repr import outcome_str

        return outcome_str(self.outcome, self.where)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        _pretty(self, p, cycle)

    @property
    def holds(self) -> bool:
        return bool(self.outcome.get("holds"))

    @property
    def conclusive(self) -> bool:
        return bool(self.outcome.get("conclusive", True))

    @property
    def fails(self) -> bool:
        """Conclusively does not hold."""
        return self.conclusive and not self.holds

    @property
    def ratio(self) -> float | None:
        return _num(self.outcome.get("ratio"))

    @property
    def where(self) -> str:
        """``stage name`` for people, e.g. ``example paper values``."""
        return f"{self.stage} {self.name}".strip() if self.name else self.stage

    def to_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "name": self.name, "point": self.point,
                "witness": self.witness, "outcome": self.outcome}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Check:
        return cls(d["stage"], d["name"], d.get("point"), dict(d["outcome"]),
                   bool(d.get("witness", False)))


@dataclass(frozen=True)
class Worst:
    """The check that used the largest share of its budget, and how its ratio was formed."""

    stage: str
    name: str
    ratio: Any
    test: str

    @property
    def where(self) -> str:
        return f"{self.stage} {self.name}".strip() if self.name else self.stage


@dataclass
class Evidence:
    """Everything a claim's run checked (see the module docstring for the JSON layout)."""

    seed: int | None = None
    checks: list[Check] = field(default_factory=list)
    search: dict[str, Any] | None = None
    checks_run: int = 0
    error: str | None = None
    traceback: str | None = None
    schema: int = EVIDENCE_SCHEMA

    def __repr__(self) -> str:
        from ._repr import evidence_repr

        return evidence_repr(self)

    def __str__(self) -> str:
        from ._repr import evidence_str

        return evidence_str(self)

    def _repr_html_(self) -> str:
        from ._repr import evidence_html

        return evidence_html(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        _pretty(self, p, cycle)

    def stage(self, stage: Stage) -> list[Check]:
        """The checks of one stage, in the order they ran."""
        return [c for c in self.checks if c.stage == stage]

    def outcome(self, stage: Stage) -> dict[str, Any] | None:
        """The outcome of a single-check stage (``symbolic`` or ``summary``), if it ran."""
        found = self.stage(stage)
        return found[0].outcome if found else None

    @property
    def worst(self) -> Worst | None:
        """The check with the largest ratio (an infinite or NaN ratio counts as largest)."""
        if not self.checks:
            return None

        def key(c: Check) -> float:
            r = c.ratio
            return 1e300 if r is None or not math.isfinite(r) else r

        worst = max(self.checks, key=key)
        return Worst(worst.stage, worst.name, worst.outcome.get("ratio"),
                     _decided_test(worst.outcome))

    @property
    def worst_ratio(self) -> Any:
        w = self.worst
        return None if w is None else w.ratio

    def to_dict(self) -> dict[str, Any]:
        w = self.worst
        d: dict[str, Any] = {
            "schema": self.schema,
            "seed": self.seed,
            "checks": [c.to_dict() for c in self.checks],
            "search": self.search,
            "checks_run": self.checks_run,
            "worst": None if w is None else {"stage": w.stage, "name": w.name,
                                             "ratio": w.ratio, "test": w.test},
        }
        if self.error is not None:
            d["error"] = self.error
            d["traceback"] = self.traceback
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Evidence:
        """Rebuild evidence from :meth:`to_dict` (``worst`` is derived, so not read)."""
        schema = d.get("schema")
        if schema != EVIDENCE_SCHEMA:
            raise ValueError(f"evidence schema {schema!r} is not {EVIDENCE_SCHEMA} (this "
                             "sgverify reads only its own layout; re-run the claim)")
        return cls(seed=d.get("seed"), checks=[Check.from_dict(c) for c in d.get("checks", [])],
                   search=d.get("search"), checks_run=int(d.get("checks_run", 0)),
                   error=d.get("error"), traceback=d.get("traceback"), schema=schema)


def _decided_test(outcome: Mapping[str, Any]) -> str:
    """How the ratio of an outcome was formed, following ``all`` to the part that set it."""
    while outcome.get("test") == "all" and outcome.get("parts"):
        worst = outcome.get("info", {}).get("worst")
        if worst not in outcome["parts"]:
            break
        outcome = outcome["parts"][worst]
    return str(outcome.get("test", "check"))


def _walk(outcome: Mapping[str, Any], path: list[str]) -> Iterator[tuple[list[str], dict]]:
    if isinstance(outcome.get("monte_carlo"), Mapping):
        yield path, dict(outcome["monte_carlo"])
    for name, part in (outcome.get("parts") or {}).items():
        yield from _walk(part, [*path, str(name)])


def monte_carlo_rows(evidence: Evidence) -> list[dict[str, Any]]:
    """Every Monte Carlo comparison in the evidence, with where it was made.

    Each row is the :class:`~sgverify.statistics.MeanCheck` dict plus ``where`` (the check and
    the path of sub-checks, e.g. ``example paper values › W1``) and ``ratio`` (error / bound).
    """
    rows = []
    candidates = [(c.where, c.outcome) for c in evidence.checks]
    if evidence.search:
        worst = evidence.search.get("worst_outcome")
        if isinstance(worst, Mapping):
            candidates.append(("search worst point", worst))
    for where, outcome in candidates:
        for path, mc in _walk(outcome, []):
            err, bound = _num(mc.get("error")), _num(mc.get("bound"))
            ratio = err / bound if err is not None and bound else None
            rows.append({**mc, "where": " › ".join([where, *path]), "ratio": ratio})
    return rows
