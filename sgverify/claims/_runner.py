"""Run one claim: symbolic derivation, pinned examples, Hypothesis search, summary -> verdict."""

from __future__ import annotations

import contextlib
import math
import time
import traceback
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import numpy as np
from hypothesis import HealthCheck, given, settings

from ._record import Claim, Context, Outcome, Profile, Verdict

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
    """The verdict on one claim and the evidence behind it (JSON-ready via :meth:`to_dict`)."""

    claim: Claim
    status: Verdict
    evidence: dict[str, Any]
    seconds: float
    profile: str = "dev"
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when the verdict is the one the claim expects."""
        return self.status == self.claim.expected

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
            "evidence": self.evidence,
        }


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


def _outcome_dict(out: Outcome) -> dict[str, Any]:
    return {
        "holds": out.holds,
        "conclusive": out.conclusive,
        "ratio": jsonable(out.ratio),
        "info": jsonable(dict(out.info)),
    }


class _Counterexample(Exception):
    def __init__(self, point: Any, outcome: Outcome) -> None:
        super().__init__("counterexample")
        self.point, self.outcome = point, outcome


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


def _search(claim: Claim, ctx: Context, record: Callable[[str, Any, Outcome], None]) -> dict:
    with _without_local_constants():
        return _search_hermetic(claim, ctx, record)


def _search_hermetic(
    claim: Claim, ctx: Context, record: Callable[[str, Any, Outcome], None]
) -> dict:
    strategy = claim.points(ctx)  # type: ignore[misc]
    seen = {"n": 0}
    if claim.kind == "exists":

        def condition(point: Any) -> bool:
            seen["n"] += 1
            return claim.evaluate(point, ctx).holds

        try:
            witness = hypothesis.find(strategy, condition, settings=_settings(ctx.profile))
        except hypothesis.errors.NoSuchExample:
            return {"mode": "find", "examples_run": seen["n"], "found": False}
        out = claim.evaluate(witness, ctx)
        record("search witness", witness, out)
        return {
            "mode": "find",
            "examples_run": seen["n"],
            "found": True,
            "witness": jsonable(witness),
            "outcome": _outcome_dict(out),
        }

    worst: dict[str, Any] = {"ratio": -math.inf, "point": None}
    inconclusive = {"n": 0}

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
        record("search counterexample", exc.point, exc.outcome)
        summary["counterexample"] = {"point": jsonable(exc.point), **_outcome_dict(exc.outcome)}
    if inconclusive["n"]:
        record(
            "search",
            None,
            Outcome(True, 0.0, {"inconclusive_points": inconclusive["n"]}, conclusive=False),
        )
    summary.update(
        examples_run=seen["n"],
        inconclusive_points=inconclusive["n"],
        worst_ratio=jsonable(worst["ratio"]) if seen["n"] else None,
        worst_point=jsonable(worst["point"]),
        worst_info=jsonable(worst.get("info", {})),
    )
    return summary


def run_claim(claim: Claim, profile: str | Profile = "dev") -> Result:
    """Check one claim under a profile and return its verdict with the evidence."""
    prof = get_profile(profile)
    seed = zlib.crc32(claim.id.encode()) ^ zlib.crc32(prof.name.encode())
    ctx = Context(profile=prof, seed=seed)
    outcomes: list[tuple[str, Outcome]] = []
    evidence: dict[str, Any] = {"seed": seed}

    def record(where: str, point: Any, out: Outcome) -> None:
        outcomes.append((where, out))

    start = time.perf_counter()
    try:
        if claim.symbolic is not None:
            out = claim.symbolic()
            record("symbolic", None, out)
            evidence["symbolic"] = _outcome_dict(out)
        evidence["examples"] = []
        for ex in claim.examples:
            out = claim.evaluate(ex.point, ctx)
            record(f"example {ex.name}", ex.point, out)
            evidence["examples"].append(
                {"name": ex.name, "point": jsonable(ex.point), **_outcome_dict(out)}
            )
        if claim.points is not None:
            evidence["search"] = _search(claim, ctx, record)
        if claim.summary is not None:
            out = claim.summary(ctx)
            record("summary", None, out)
            evidence["summary"] = _outcome_dict(out)
    except Exception as exc:  # any failure of the machinery is an `error` verdict, with its cause
        evidence["error"] = f"{type(exc).__name__}: {exc}"
        evidence["traceback"] = traceback.format_exc(limit=6)
        return Result(claim, "error", evidence, time.perf_counter() - start, prof.name)

    status: Verdict
    if claim.kind == "exists":
        witnesses = [o for w, o in outcomes if w.startswith(("example", "search witness"))]
        others = [o for w, o in outcomes if not w.startswith(("example", "search witness"))]
        found = any(o.holds and o.conclusive for o in witnesses)
        bad = [o for o in others if o.conclusive and not o.holds]
        status = "confirmed" if found and not bad else "refuted"
        if not found and any(not o.conclusive for o in witnesses):
            status = "inconclusive"
    elif any(o.conclusive and not o.holds for _, o in outcomes):
        status = "refuted"
    elif any(not o.conclusive for _, o in outcomes):
        status = "inconclusive"
    else:
        status = "confirmed"
    if outcomes:
        where, worst = max(
            outcomes, key=lambda wo: wo[1].ratio if math.isfinite(wo[1].ratio) else 1e300
        )
        evidence["worst_ratio"] = jsonable(worst.ratio)
        evidence["worst_where"] = where
    evidence["checks_run"] = len(outcomes) + (evidence.get("search", {}).get("examples_run") or 0)
    return Result(claim, status, evidence, time.perf_counter() - start, prof.name)


def run_claim_by_id(claim_id: str, profile: str) -> tuple[str, Verdict, dict[str, Any], float]:
    """Check a registered claim in a worker process; returns picklable parts of the Result."""
    from . import get

    res = run_claim(get(claim_id), profile)
    return res.claim.id, res.status, res.evidence, res.seconds
