"""``Result.explain()``: what a claim's run checked, its key numbers (the claim's
:class:`~sgverify.claims.Headline`), the bound that decided and why it is that number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._display import num, plural, shorten, wrap
from ._repr import headline_lines

if TYPE_CHECKING:
    from ._runner import Result

__all__ = ["Explanation", "explain"]


class Explanation(str):
    """Plain text that prints as itself in a REPL (no quotes, real line breaks)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


def _scalars(info: Mapping[str, Any], limit: int = 4) -> str:
    """``key = value`` for the first few numeric entries of an outcome's info."""
    items = [(k, v) for k, v in info.items() if k != "worst" and isinstance(v, (int, float))
             and not isinstance(v, bool)]
    return ", ".join(f"{k} = {num(v)}" for k, v in items[:limit])


def _leaf(outcome: Mapping[str, Any]) -> tuple[list[str], Mapping[str, Any]]:
    path: list[str] = []
    while outcome.get("test") == "all" and (outcome.get("info") or {}).get("worst") in (
            outcome.get("parts") or {}):
        name = outcome["info"]["worst"]
        path.append(str(name))
        outcome = outcome["parts"][name]
    return path, outcome


def _describe(leaf: Mapping[str, Any]) -> str:
    """What one leaf check compared, in words (without where it was)."""
    info = leaf.get("info") or {}
    mc = leaf.get("monte_carlo")
    ratio = leaf.get("ratio")
    if isinstance(mc, Mapping):
        return (f"a Monte Carlo mean of n = {mc.get('samples')} samples is {num(mc.get('mean'))} "
                f"against the exact {num(mc.get('exact'))}, off by {num(mc.get('error'))}; the "
                f"bound is z = {num(mc.get('z'), 3)} exact standard deviations of the mean plus "
                f"rounding = {num(mc.get('bound'))} (ratio {num(ratio, 3)}); the smallest bias "
                f"this comparison detects with 90 % power is {num(mc.get('min_detectable_bias'))}")
    how = ""
    if "tolerance" in info and "scale" in info:
        how = f" = tolerance {num(info['tolerance'])} × scale {num(info['scale'])}"
        bound = info.get("bound", info.get("floor"))
        if isinstance(bound, (int, float)) and abs(
                float(info["tolerance"]) * float(info["scale"]) - float(bound)) > \
                1e-12 * (abs(float(bound)) or 1.0):
            how += " plus derived slack"
    if leaf.get("test") == "within" and "error" in info and "bound" in info:
        return (f"the error {num(info['error'])} against the bound {num(info['bound'])}{how} "
                f"(ratio {num(ratio, 3)})")
    if leaf.get("test") == "exceeds" and "value" in info and "floor" in info:
        return (f"the effect {num(info['value'])} against the floor {num(info['floor'])}{how} "
                f"it must exceed (floor / effect = {num(ratio, 3)})")
    if leaf.get("test") in ("within", "exceeds", "all"):
        shown = _scalars(info)
        return f"ratio {num(ratio, 3)}" + (f" ({shown})" if shown else "")
    return f"a yes/no check that {'holds' if leaf.get('holds') else 'fails'}"


def _decided(r: Result) -> list[str]:
    """Sentences on the checks that decided: the witness, the one closest to (or past) its
    bound, and where the claim's tolerance comes from."""
    ev, c = r.evidence, r.claim
    w = ev.worst
    if w is None:
        return ["No check was recorded."]
    out = []
    leaves = []
    if c.kind == "exists":
        wit = next((k for k in ev.checks if k.witness and k.holds and k.conclusive), None)
        if wit is not None:
            path, leaf = _leaf(wit.outcome)
            leaves.append(leaf)
            out.append(f"A witness: {' › '.join([wit.where, *path])}, {_describe(leaf)}.")
    check = next(k for k in ev.checks if k.stage == w.stage and k.name == w.name)
    path, leaf = _leaf(check.outcome)
    leaves.append(leaf)
    lead = ("The check furthest past its bound" if r.status == "refuted" else
            "The check closest to its bound")
    out.append(f"{lead} is {' › '.join([w.where, *path])}: {_describe(leaf)}.")
    tol = c.tolerance
    why = tol.why.rstrip(".")
    own = any((lf.get("info") or {}).get("tolerance") == tol.value
              or (lf.get("monte_carlo") or {}).get("z") == tol.value for lf in leaves)
    if own:
        out.append(f"The claim's tolerance {num(tol.value)} sets that bound. Why that "
                   f"number: {why}.")
    else:
        out.append(f"The claim's tolerance is {num(tol.value)}. Why that number: {why}.")
    return out


def _how(r: Result) -> str:
    ev = r.evidence
    said = []
    if ev.stage("symbolic"):
        said.append("a SymPy derivation")
    examples = ev.stage("example")
    if examples:
        said.append(f"{plural(len(examples), 'pinned example')} "
                    f"({shorten(', '.join(c.name for c in examples), 70)})")
    if ev.search:
        n = ev.search.get("examples_run")
        if ev.search.get("mode") == "find":
            found = "found one" if ev.search.get("found") else "found none"
            said.append(f"a Hypothesis search for a witness ({n} points tried, {found})")
        else:
            said.append(f"a Hypothesis search over {n} generated points")
    if ev.stage("summary"):
        said.append("a claim-level summary")
    body = ", ".join(said[:-1]) + (" and " if len(said) > 1 else "") + said[-1] if said else \
        "nothing"
    return f"Checked by {body}: {plural(ev.checks_run, 'check')} in {r.seconds:.2f} s."


def _problems(r: Result) -> list[str]:
    ev = r.evidence
    if r.status == "error":
        return [f"The check raised {ev.error}; the traceback is in evidence.traceback."]
    out = []
    failing = [c.where for c in ev.checks if c.fails]
    if failing:
        out.append(f"Checks that do not hold: {shorten(', '.join(failing), 200)}.")
    unsure = [c.where for c in ev.checks if not c.conclusive]
    if unsure:
        out.append(f"Checks that could not resolve the question: "
                   f"{shorten(', '.join(unsure), 200)}.")
    return out


_VERDICT_WORDS = {
    "confirmed": "the statement holds within its tolerance at every checked point",
    "refuted": "a check conclusively does not hold (a finding, with its evidence)",
    "inconclusive": "some check could not resolve the question",
    "error": "the machinery failed",
}


def explain(r: Result) -> Explanation:
    """What was checked, the key numbers, the bound that decided and why it is that number."""
    c = r.claim
    expect = "" if r.ok else f" (the claim expects {c.expected})"
    lines = [f"{c.id} ({c.kind}; {c.source}): {r.status.upper()}{expect}: "
             f"{_VERDICT_WORDS.get(r.status, r.status)}.", "",
             wrap(f"Claim: {c.statement}", 88), "", wrap(_how(r), 88)]
    h = r.headline()
    if h is not None:
        lines += ["", "Key numbers:", *headline_lines(h, rows=10)]
        if h.finding:
            lines.append(wrap(f"Finding: {h.finding}", 88))
    lines += ["", *[wrap(s, 88) for s in [*_problems(r), *_decided(r)]]]
    if c.limitations:
        lines += ["", wrap(f"Not established: {c.limitations}", 88)]
    lines += ["", f"Re-check: sgverify check {c.id} --profile {r.profile}"]
    return Explanation("\n".join(lines))
