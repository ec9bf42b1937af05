"""The claim record: one frozen description that every runner (pytest, CLI, report) reads."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "KINDS",
    "VERDICTS",
    "Claim",
    "Context",
    "Example",
    "Kind",
    "Outcome",
    "Profile",
    "Tolerance",
    "Verdict",
]

Kind = Literal["identity", "for-all", "exists", "statistical", "limit"]
Verdict = Literal["confirmed", "refuted", "inconclusive", "error"]
KINDS: tuple[Kind, ...] = ("identity", "for-all", "exists", "statistical", "limit")
VERDICTS: tuple[Verdict, ...] = ("confirmed", "refuted", "inconclusive", "error")

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Profile:
    """How hard a run tries: Hypothesis examples, Monte Carlo scale, determinism.

    Attributes
    ----------
    name
        ``"dev"``, ``"ci"`` or ``"thorough"``.
    max_examples
        Hypothesis examples per claim search.
    mc_scale
        Multiplier applied to every claim's base Monte Carlo sample size.
    derandomize
        Whether Hypothesis draws a fixed sequence (CI) rather than a fresh one.
    """

    name: str
    max_examples: int
    mc_scale: float
    derandomize: bool


@dataclass(frozen=True)
class Tolerance:
    """The bound a claim's error measure must stay within, and why it is that number."""

    value: float
    why: str

    def __post_init__(self) -> None:
        if not (math.isfinite(self.value) and self.value > 0):
            raise ValueError(f"Tolerance.value must be finite and > 0, got {self.value!r}")
        if not self.why.strip():
            raise ValueError("Tolerance.why must say why the tolerance is that number")


@dataclass(frozen=True)
class Outcome:
    """The result of evaluating a claim at one point.

    ``ratio`` is the error-to-tolerance ratio: the claim holds at the point when it is <= 1.
    For a claim that two things *differ*, it is the floor divided by the difference seen.
    ``conclusive=False`` marks a check that could not resolve the question (for example a
    Monte Carlo run whose minimum detectable bias exceeds the effect).
    """

    holds: bool
    ratio: float
    info: Mapping[str, Any] = field(default_factory=dict)
    conclusive: bool = True

    @classmethod
    def within(cls, error: float, bound: float, **info: Any) -> Outcome:
        """Holds when ``error <= bound`` (NaN never holds)."""
        error, bound = float(error), float(bound)
        ratio = error / bound if bound > 0 else math.inf
        return cls(bool(error <= bound), ratio, {"error": error, "bound": bound, **info})

    @classmethod
    def exceeds(cls, value: float, floor: float, **info: Any) -> Outcome:
        """Holds when ``value > floor`` (the effect is clearly there)."""
        value, floor = float(value), float(floor)
        ratio = floor / value if value > 0 else math.inf
        return cls(bool(value > floor), ratio, {"value": value, "floor": floor, **info})

    @classmethod
    def all_of(cls, outcomes: Mapping[str, Outcome], **info: Any) -> Outcome:
        """Combine named sub-checks: holds when all hold; ratio is the worst one."""
        if not outcomes:
            raise ValueError("outcomes must not be empty")
        worst = max(outcomes, key=lambda k: outcomes[k].ratio)
        return cls(
            all(o.holds for o in outcomes.values()),
            outcomes[worst].ratio,
            {"worst": worst, **{k: dict(o.info) for k, o in outcomes.items()}, **info},
            all(o.conclusive for o in outcomes.values()),
        )


@dataclass(frozen=True)
class Example:
    """A pinned point (a paper value, an edge case, a witness) with a name."""

    name: str
    point: Any


@dataclass(frozen=True)
class Context:
    """What a claim's functions receive besides the point: the profile and a seed."""

    profile: Profile
    seed: int

    def samples(self, base: int) -> int:
        """A Monte Carlo sample size: ``base`` scaled by the profile, at least 1000."""
        return max(1000, int(base * self.profile.mc_scale))


@dataclass(frozen=True)
class Claim:
    """One claim of the paper (or an extension), with everything needed to check it.

    Attributes
    ----------
    id
        Stable public id ``section.kebab-slug``.
    kind
        One of :data:`KINDS`.
    statement
        One sentence.
    formula
        LaTeX.
    source
        Paper section/figure (e.g. ``"§3, Eq. 5"``) or ``"extension"``.
    tolerance
        The bound on the claim's error measure and why.
    evaluate
        ``evaluate(point, ctx) -> Outcome``: pure numerics at one point.
    points
        ``points(ctx) -> SearchStrategy`` of points for the Hypothesis search, or None.
    examples
        Pinned examples, each evaluated in every run.
    symbolic
        ``symbolic() -> Outcome``: the SymPy derivation, run once per check.
    summary
        ``summary(ctx) -> Outcome``: claim-level evidence (convergence tables, rates).
    uses
        Ids of the claims this one builds on.
    proof
        Path of the proof script, relative to the repository root.
    limitations
        What the check does not establish.
    expected
        The verdict a correct library produces (almost always ``"confirmed"``).
    cost
        Rough run time in seconds under the dev profile; parallel runs start costly
        claims first. It schedules work only and never affects a verdict.
    group
        Claims of one group run in one worker process, one after another, so they can share
        in-process caches (e.g. trained networks). Scheduling only.
    """

    id: str
    kind: Kind
    statement: str
    formula: str
    source: str
    tolerance: Tolerance
    evaluate: Callable[[Any, Context], Outcome]
    points: Callable[[Context], Any] | None = None
    examples: tuple[Example, ...] = ()
    symbolic: Callable[[], Outcome] | None = None
    summary: Callable[[Context], Outcome] | None = None
    uses: tuple[str, ...] = ()
    proof: str | None = None
    limitations: str = ""
    expected: Verdict = "confirmed"
    cost: float = 1.0
    group: str | None = None

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"claim id must look like 'section.kebab-slug', got {self.id!r}")
        if self.kind not in KINDS:
            raise ValueError(f"{self.id}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.expected not in VERDICTS:
            raise ValueError(f"{self.id}: expected must be one of {VERDICTS}")
        if self.kind in ("for-all", "exists") and not self.examples:
            raise ValueError(f"{self.id}: a {self.kind} claim needs at least one pinned example")

    @property
    def section(self) -> str:
        """The part of the id before the dot."""
        return self.id.split(".", 1)[0]
