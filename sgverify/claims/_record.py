"""The claim record: one frozen description that every runner (pytest, CLI, report) reads."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .._display import pretty as _pretty
from .._display import shorten as _shorten

if TYPE_CHECKING:
    from ..statistics import MeanCheck
    from ._evidence import Evidence
    from ._headline import Headline

__all__ = [
    "KINDS",
    "TESTS",
    "VERDICTS",
    "Claim",
    "Context",
    "Example",
    "Kind",
    "Outcome",
    "Profile",
    "Test",
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


#: how an outcome's ratio was formed: ``error / bound`` (within), ``floor / value``
#: (exceeds), a yes/no check (0 or inf), or the worst of named parts (all)
Test = Literal["within", "exceeds", "check", "all"]
TESTS: tuple[Test, ...] = ("within", "exceeds", "check", "all")


def _ratio(num: float, den: float, holds: bool) -> float:
    """``num / den`` as the fraction of the allowed budget used; never inf when holding."""
    if math.isnan(num) or math.isnan(den):
        return math.nan
    if den > 0:
        return max(num, 0.0) / den
    return 0.0 if holds and num <= 0 else math.inf


@dataclass(frozen=True)
class Tolerance:
    """The bound a claim's error measure is checked against, and why it is that number.

    The claim's ``evaluate`` checks through its record's tolerance, so the number in the
    record is the number that decides (and the one the report shows): :meth:`check` for
    "the error is at most ``value`` times a scale", :meth:`check_exceeds` for "the effect is
    more than ``value`` times a scale". ``value = 1`` with a scale means the bound is derived
    at each point (its derivation is the ``why``).

    Examples
    --------
    >>> tol = Tolerance(1e-3, "slope accuracy at dt/tau = 10..20")
    >>> out = tol.check(2e-4)
    >>> out.holds, out.ratio, out.info["bound"]
    (True, 0.2, 0.001)
    >>> Tolerance(1e-4, "a bias 1000x the control's accuracy").check_exceeds(0.5, 2.0).holds
    True
    """

    value: float
    why: str

    def __repr__(self) -> str:
        return f"Tolerance({self.value!r}, {_shorten(self.why, 90)!r})"

    def __post_init__(self) -> None:
        if not (math.isfinite(self.value) and self.value > 0):
            raise ValueError(f"Tolerance.value must be finite and > 0, got {self.value!r}")
        if not self.why.strip():
            raise ValueError("Tolerance.why must say why the tolerance is that number")

    def check(self, error: float, scale: float = 1.0, *, slack: float | Sequence[float] = (),
              **info: Any) -> Outcome:
        """Holds when ``error <= value * scale + slack`` (NaN never holds).

        ``slack`` is one derived allowance or several, added in order (rounding floors,
        truncation estimates): they are part of the bound, not of the tolerance.
        """
        scale = float(scale)
        bound = self.value * scale
        for s in (slack,) if isinstance(slack, (int, float)) else slack:
            bound = bound + float(s)
        return Outcome.within(error, bound, tolerance=self.value, scale=scale, **info)

    def check_mean(self, mean: float, exact: float, exact_var: float, n: int, *,
                   scale: float = 1.0, floor: float = 0.0, **info: Any) -> Outcome:
        """A Monte Carlo mean against its exact value, with ``z = value`` (theory 8.4).

        The tolerance of a statistical check is its z-bound: the comparison is
        :func:`sgverify.statistics.mean_check` with ``z`` set to this tolerance's value.
        """
        from ..statistics import mean_check

        return Outcome.from_mean(mean_check(mean, exact, exact_var, n, scale=scale,
                                            z=self.value, floor=floor), **info)

    def check_exceeds(self, value: float, scale: float = 1.0, **info: Any) -> Outcome:
        """Holds when ``value > tolerance * scale``: the effect is clearly there."""
        scale = float(scale)
        return Outcome.exceeds(value, self.value * scale, tolerance=self.value, scale=scale,
                               **info)


@dataclass(frozen=True)
class Outcome:
    """The result of one check: does it hold, and what fraction of its budget did it use.

    ``ratio`` is the fraction of the allowed budget used, the same everywhere: the check
    holds when ``ratio <= 1`` (and ``holds`` says so). For ``test="within"`` it is
    ``error / bound``; for ``test="exceeds"`` (a claim that two things *differ*) it is
    ``floor / value``, the share of the observed effect the floor demands; a yes/no check
    (``test="check"``) uses 0 (holds) or inf (fails); ``test="all"`` takes its worst part.
    A passing check never has an infinite ratio. ``conclusive=False`` marks a check that
    could not resolve the question (e.g. a Monte Carlo run whose minimum detectable bias
    exceeds the effect). ``parts`` holds the named sub-checks of :meth:`all_of`;
    ``monte_carlo`` the :class:`~sgverify.statistics.MeanCheck` a statistical check rests on.
    """

    holds: bool
    ratio: float
    info: Mapping[str, Any] = field(default_factory=dict)
    conclusive: bool = True
    test: Test = "check"
    parts: Mapping[str, Outcome] = field(default_factory=dict)
    monte_carlo: MeanCheck | None = None

    @classmethod
    def check(cls, ok: bool, info: Mapping[str, Any] | None = None, **more: Any) -> Outcome:
        """A yes/no check (a symbolic identity, an exact count): ratio 0 if it holds, else inf.

        >>> Outcome.check(True, {"derivation": "0"}).ratio, Outcome.check(False).ratio
        (0.0, inf)
        """
        ok = bool(ok)
        return cls(ok, 0.0 if ok else math.inf, {**(info or {}), **more}, test="check")

    @classmethod
    def within(cls, error: float, bound: float, **info: Any) -> Outcome:
        """Holds when ``error <= bound`` (NaN never holds)."""
        error, bound = float(error), float(bound)
        holds = bool(error <= bound)
        return cls(holds, _ratio(error, bound, holds), {"error": error, "bound": bound, **info},
                   test="within")

    @classmethod
    def exceeds(cls, value: float, floor: float, **info: Any) -> Outcome:
        """Holds when ``value > floor`` (the effect is clearly there)."""
        value, floor = float(value), float(floor)
        holds = bool(value > floor)
        ratio = _ratio(floor, value, holds) if value > 0 or not holds else 0.0
        return cls(holds, ratio, {"value": value, "floor": floor, **info}, test="exceeds")

    @classmethod
    def from_mean(cls, mc: MeanCheck, **info: Any) -> Outcome:
        """The outcome of a Monte Carlo comparison (see :func:`sgverify.statistics.mean_check`)."""
        holds = mc.holds
        return cls(holds, _ratio(mc.error, mc.bound, holds), dict(info), test="within",
                   monte_carlo=mc)

    @classmethod
    def all_of(cls, outcomes: Mapping[str, Outcome], **info: Any) -> Outcome:
        """Combine named sub-checks: holds when all hold; ratio is the worst one."""
        if not outcomes:
            raise ValueError("outcomes must not be empty")
        worst = max(outcomes, key=lambda k: outcomes[k].ratio)
        return cls(
            all(o.holds for o in outcomes.values()),
            outcomes[worst].ratio,
            {"worst": worst, **info},
            all(o.conclusive for o in outcomes.values()),
            test="all",
            parts=dict(outcomes),
        )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Outcome:
        """The Outcome whose JSON form (:func:`~sgverify.claims.outcome_dict`) is ``d``,
        e.g. one computed by another process: ``outcome_dict(Outcome.from_dict(d)) == d``.

        >>> from sgverify.claims import outcome_dict
        >>> d = outcome_dict(Outcome.all_of({"a": Outcome.within(1.0, 2.0)}))
        >>> outcome_dict(Outcome.from_dict(d)) == d
        True
        """
        from ..statistics import MeanCheck

        mc = d.get("monte_carlo")
        return cls(bool(d["holds"]), float(d["ratio"]), dict(d.get("info", {})),
                   bool(d.get("conclusive", True)), d.get("test", "check"),
                   {k: cls.from_dict(v) for k, v in d.get("parts", {}).items()},
                   None if mc is None else MeanCheck.from_dict(dict(mc)))

    def __repr__(self) -> str:
        from ._repr import outcome_repr

        return outcome_repr(self)

    def __str__(self) -> str:
        from ._repr import outcome_str

        return outcome_str(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        _pretty(self, p, cycle)

    def _repr_html_(self) -> str:
        from ._repr import outcome_html

        return outcome_html(self)

    @property
    def decided_by(self) -> Outcome:
        """The leaf check that set the ratio (itself unless it combines parts)."""
        out = self
        while out.parts:
            out = out.parts[out.info["worst"]]
        return out


@dataclass(frozen=True)
class Example:
    """A pinned point (a paper value, an edge case, a witness) with a name."""

    name: str
    point: Any

    def __repr__(self) -> str:
        return f"Example({self.name!r}, {_shorten(repr(self.point), 100)})"


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
        Whether the claim is the paper's (with the figure, when it has one) or sgverify's
        own, and the ``docs/theory.md`` sections it rests on: ``"paper Fig. 4B; theory 6.2"``,
        ``"extension; theory 8.3"``.
    tolerance
        The bound its checks are decided by, and why (:meth:`Tolerance.check`).
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
    headline
        ``headline(evidence, used) -> Headline | None``: the claim's key numbers, read from
        its evidence and that of the claims it uses (:class:`~sgverify.claims.Headline`);
        presentation only, never part of a verdict.
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
    headline: Callable[[Evidence, Mapping[str, Evidence]], Headline | None] | None = None

    def __repr__(self) -> str:
        from ._repr import claim_repr

        return claim_repr(self)

    def __str__(self) -> str:
        from ._repr import claim_str

        return claim_str(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        _pretty(self, p, cycle)

    def _repr_html_(self) -> str:
        from ._repr import claim_html

        return claim_html(self)

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.formula}$"

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
