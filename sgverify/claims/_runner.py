"""Run one claim: symbolic derivation, pinned examples, Hypothesis search, summary -> verdict."""

from __future__ import annotations

import contextlib
import math
import time
import traceback
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import hypothesis
from hypothesis import HealthCheck, Phase, given, settings

from .._display import pretty as _pretty
from ._evidence import Check, Evidence, Stage, jsonable, outcome_dict
from ._explain import Explanation
from ._headline import Headline, bound_headline, monte_carlo_headline
from ._record import VERDICTS, Claim, Context, Outcome, Profile, Verdict

__all__ = ["PROFILES", "Result", "get_profile", "jsonable", "run_claim", "run_claim_by_id"]

#: the named profiles; dev is the default of `sgverify check` and of a plain `pytest`
PROFILES: dict[str, Profile] = {
    "dev": Profile("dev", max_examples=15, mc_scale=1.0, derandomize=True),
    "ci": Profile("ci", max_examples=25, mc_scale=1.0, derandomize=True),
    "thorough": Profile("thorough", max_examples=300, mc_scale=10.0, derandomize=False),
}


def get_profile(profile: str | Profile) -> Profile:
    """Resolve a profile name (``dev``, ``ci``, ``thorough``) or pass a Profile through."""
    if isinstance(profile, Profile):
        return profile
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}; got {profile!r}")
    return PROFILES[profile]


@dataclass(frozen=True)
class Result:
    """The verdict on one claim and the typed evidence behind it.

    :meth:`to_dict` is the JSON form (the claim's record, the verdict, the evidence);
    :meth:`from_dict` rebuilds the Result of a registered claim from it, exactly:
    ``Result.from_dict(r.to_dict()).to_dict() == r.to_dict()``.
    """

    claim: Claim
    status: Verdict
    evidence: Evidence
    seconds: float
    profile: str = "dev"

    @property
    def ok(self) -> bool:
        """True when the verdict is the one the claim expects."""
        return self.status == self.claim.expected

    def headline(self, used: Mapping[str, Evidence] | None = None) -> Headline | None:
        """The claim's key numbers, read from this evidence (see :class:`Headline`).

        The claim's own ``headline`` hook when it has one, else the Monte Carlo
        comparisons (:func:`~sgverify.claims.monte_carlo_headline`) when there are any,
        else the checks closest to their bounds (:func:`~sgverify.claims.bound_headline`).
        ``used`` maps ids of claims this one uses to their evidence (a report passes the
        ones it ran), e.g. for a control's numbers. None for an ``error`` verdict or when
        there is nothing to show.
        """
        if self.status == "error":
            return None
        if self.claim.headline is not None:
            return self.claim.headline(self.evidence, dict(used or {}))
        return monte_carlo_headline(self.evidence) or bound_headline(self.evidence)

    def explain(self) -> Explanation:
        """What was checked, the key numbers, the bound that decided and why that number.

        Examples
        --------
        >>> from sgverify import claims
        >>> text = claims.verify("single-neuron.sg-equals-spm-gradient").explain()
        >>> print(text.splitlines()[0])  # doctest: +ELLIPSIS
        single-neuron.sg-equals-spm-gradient (identity; paper; theory 3.1, 3.2): CONFIRMED: ...
        """
        from ._explain import explain

        return explain(self)

    def __repr__(self) -> str:
        from ._repr import result_repr

        return result_repr(self)

    def __str__(self) -> str:
        from ._repr import result_str

        return result_str(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        _pretty(self, p, cycle)

    def _repr_html_(self) -> str:
        from ._repr import result_html

        return result_html(self)

    def to_dict(self) -> dict[str, Any]:
        c = self.claim
        return {
            "id": c.id,
            "kind": c.kind,
            "status": self.status,
            "expected": c.expected,
            "statement": c.statement,
            "formula": c.formula,
            "source": c.source,
            "uses": list(c.uses),
            "proof": c.proof,
            "limitations": c.limitations,
            "tolerance": {"value": c.tolerance.value, "why": c.tolerance.why},
            "seconds": round(self.seconds, 4),
            "profile": self.profile,
            "command": f"sgverify check {c.id} --profile {self.profile}",
            "evidence": self.evidence.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], claim: Claim | None = None) -> Result:
        """The Result :meth:`to_dict` wrote; ``claim`` defaults to the registered one."""
        if claim is None:
            from . import get

            claim = get(d["id"])
        if d.get("status") not in VERDICTS:
            raise ValueError(f"status must be one of {VERDICTS}, got {d.get('status')!r}")
        return cls(claim, d["status"], Evidence.from_dict(d["evidence"]), float(d["seconds"]),
                   str(d.get("profile", "dev")))


class _Counterexample(Exception):
    def __init__(self, point: Any, outcome: Outcome) -> None:
        super().__init__("counterexample")
        self.point, self.outcome = point, outcome


_PHASES = tuple(p for p in Phase if p.name != "explain")


def _settings(profile: Profile) -> settings:
    # built on Hypothesis' own defaults, not on whatever profile the caller loaded, so a
    # claim's evidence is the same from the CLI, a test session or a worker process
    return settings(
        settings.get_profile("default"),
        max_examples=profile.max_examples,
        deadline=None,
        database=None,
        derandomize=profile.derandomize,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        report_multiple_bugs=False,
        # the explain phase only words a failure report (which parts of a shrunk example
        # could vary); evidence keeps the shrunk example itself. It re-ran the condition
        # hundreds of times after every witness was found: 3 of the 4 s of a find.
        phases=_PHASES,
    )


@contextlib.contextmanager
def _without_local_constants() -> Iterator[None]:
    """Keep Hypothesis from drawing literals harvested from the imported local modules.

    Hypothesis mixes into its draws numeric literals found in every non-installed module that
    happens to be imported (tests, an editable install of sgverify, the report, ...). That makes
    a derandomised search depend on what else the process imported, so the same claim could
    get different evidence from the CLI, a test session or a worker process. Inside a search
    the pool is emptied (Hypothesis' own global constants stay). If a Hypothesis version lacks
    these internals, searches simply run as Hypothesis would run them.
    """
    try:
        from hypothesis.internal.conjecture import providers

        original = providers._get_local_constants
        empty = type(providers._local_constants)()
        cache = providers.CONSTANTS_CACHE
    except (ImportError, AttributeError, TypeError):
        yield
        return
    providers._get_local_constants = lambda: empty
    cache.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.cache.clear()


Record = Callable[[Stage, str, Any, Outcome], None]


def _search(claim: Claim, ctx: Context, record: Record) -> dict:
    with _without_local_constants():
        return _search_hermetic(claim, ctx, record)


def _find_witness(claim: Claim, ctx: Context, strategy: Any, record: Record) -> dict:
    seen = {"n": 0}

    def condition(point: Any) -> bool:
        seen["n"] += 1
        return claim.evaluate(point, ctx).holds

    try:
        witness = hypothesis.find(strategy, condition, settings=_settings(ctx.profile))
    except hypothesis.errors.NoSuchExample:
        return {"mode": "find", "examples_run": seen["n"], "found": False}
    record("search", "witness", witness, claim.evaluate(witness, ctx))
    return {"mode": "find", "examples_run": seen["n"], "found": True}


def _search_hermetic(claim: Claim, ctx: Context, record: Record) -> dict:
    strategy = claim.points(ctx)  # type: ignore[misc]
    if claim.kind == "exists":
        return _find_witness(claim, ctx, strategy, record)
    seen = {"n": 0}
    worst: dict[str, Any] = {"ratio": -math.inf, "point": None}
    inconclusive = {"n": 0}
    # run() must keep its source text: a derandomised search seeds Hypothesis with a digest
    # of it, so any edit changes the points searched (and the evidence). The worst outcome
    # is kept by a wrapper around the claim instead.
    claim = tracked = _TrackWorst(claim)  # type: ignore[assignment]

    @_settings(ctx.profile)
    @given(strategy)
    def run(point: Any) -> None:
        seen["n"] += 1
        out = claim.evaluate(point, ctx)
        if out.ratio > worst["ratio"]:
            worst.update(ratio=out.ratio, point=point, info=dict(out.info))
        if not out.conclusive:
            inconclusive["n"] += 1
        elif not out.holds:
            raise _Counterexample(point, out)

    summary: dict[str, Any] = {"mode": "for-all"}
    try:
        run()
    except _Counterexample as exc:  # Hypothesis re-raises the shrunk example last
        record("search", "counterexample", exc.point, exc.outcome)
    if inconclusive["n"]:
        record("search", "inconclusive points", None,
               Outcome(True, 0.0, {"inconclusive_points": inconclusive["n"]}, conclusive=False))
    summary.update(
        examples_run=seen["n"],
        inconclusive_points=inconclusive["n"],
        worst_ratio=jsonable(worst["ratio"]) if seen["n"] else None,
        worst_point=jsonable(worst["point"]),
        worst_outcome=None if tracked.worst is None else outcome_dict(tracked.worst),
    )
    return summary


class _TrackWorst:
    """A claim whose ``evaluate`` remembers the outcome with the largest ratio (first wins)."""

    def __init__(self, claim: Claim) -> None:
        self._evaluate = claim.evaluate
        self._ratio = -math.inf
        self.worst: Outcome | None = None

    def evaluate(self, point: Any, ctx: Context) -> Outcome:
        out = self._evaluate(point, ctx)
        if out.ratio > self._ratio:  # the same test as run()'s, so the same outcome wins
            self._ratio, self.worst = out.ratio, out
        return out


def _verdict(claim: Claim, checks: list[Check]) -> Verdict:
    """The verdict from the checks: typed stages and witness flags, no name matching."""
    if claim.kind == "exists":
        witnesses = [c for c in checks if c.witness]
        found = any(c.holds and c.conclusive for c in witnesses)
        if not found and any(not c.conclusive for c in witnesses):
            return "inconclusive"
        bad = any(c.fails for c in checks if not c.witness)
        return "confirmed" if found and not bad else "refuted"
    if any(c.fails for c in checks):
        return "refuted"
    if any(not c.conclusive for c in checks):
        return "inconclusive"
    return "confirmed"


def run_claim(claim: Claim, profile: str | Profile = "dev") -> Result:
    """Check one claim under a profile and return its verdict with the evidence."""
    prof = get_profile(profile)
    seed = zlib.crc32(claim.id.encode()) ^ zlib.crc32(prof.name.encode())
    ctx = Context(profile=prof, seed=seed)
    evidence = Evidence(seed=seed)

    def record(stage: Stage, name: str, point: Any, out: Outcome) -> None:
        witness = claim.kind == "exists" and (stage == "example" or name == "witness")
        evidence.checks.append(Check(stage, name, None if point is None else jsonable(point),
                                     outcome_dict(out), witness))

    start = time.perf_counter()
    try:
        if claim.symbolic is not None:
            record("symbolic", "", None, claim.symbolic())
        for ex in claim.examples:
            record("example", ex.name, ex.point, claim.evaluate(ex.point, ctx))
        if claim.points is not None:
            evidence.search = _search(claim, ctx, record)
        if claim.summary is not None:
            record("summary", "", None, claim.summary(ctx))
    except Exception as exc:  # any failure of the machinery is an `error` verdict, with its cause
        evidence.error = f"{type(exc).__name__}: {exc}"
        evidence.traceback = traceback.format_exc(limit=6)
        return Result(claim, "error", evidence, time.perf_counter() - start, prof.name)
    evidence.checks_run = len(evidence.checks) + ((evidence.search or {}).get("examples_run") or 0)
    return Result(claim, _verdict(claim, evidence.checks), evidence,
                  time.perf_counter() - start, prof.name)


def run_claim_by_id(claim_id: str, profile: str) -> dict[str, Any]:
    """Check a registered claim (e.g. in a worker process); returns ``Result.to_dict()``."""
    from . import get

    return run_claim(get(claim_id), profile).to_dict()
