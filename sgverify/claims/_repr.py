"""How claims, outcomes, checks, evidence and results print.

Each object has a one-line ``repr``, a short ``str`` block (what IPython's pretty printer
shows at top level; nested in a container it shows the one-line ``repr``) and
``_repr_html_`` for Jupyter. ``Result.explain()`` is in :mod:`._explain`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._display import html_table, num, plural, pretty, shorten, text_table, wrap

if TYPE_CHECKING:
    from ._evidence import Check, Evidence
    from ._headline import Headline
    from ._record import Claim, Outcome
    from ._runner import Result

__all__ = ["ClaimSet", "headline_lines"]

#: the info keys that say how a check was decided, in the order they read best
_BOUND_KEYS = ("error", "bound", "value", "floor", "tolerance", "scale")
_VERDICT_COLOURS = {"confirmed": "#1f7a3f", "refuted": "#b42323", "inconclusive": "#a86b00",
                    "error": "#8a2a93"}


# --- claims -------------------------------------------------------------------------------

def claim_repr(c: Claim) -> str:
    return f"<Claim {c.id}: {c.kind}, {c.source}>"


def claim_str(c: Claim) -> str:
    lines = [f"Claim {c.id} ({c.kind}; {c.source})", wrap(c.statement, 88, "  "),
             f"  formula    {shorten(c.formula, 76)}",
             f"  tolerance  {num(c.tolerance.value)}: {shorten(c.tolerance.why, 64)}"]
    if c.uses:
        lines.append(f"  uses       {shorten(', '.join(c.uses), 76)}")
    if c.expected != "confirmed":
        lines.append(f"  expected   {c.expected}")
    lines.append(f'  check it   claims.verify("{c.id}")')
    return "\n".join(lines)


def claim_html(c: Claim) -> str:
    esc = html.escape
    uses = f"<br><small>uses: {esc(', '.join(c.uses))}</small>" if c.uses else ""
    return (f"<div><b><code>{esc(c.id)}</code></b> <small>({esc(c.kind)}; "
            f"{esc(c.source)})</small><p>{esc(c.statement)}</p>"
            f"<p>\\[{esc(c.formula)}\\]</p><small>tolerance {esc(num(c.tolerance.value))}: "
            f"{esc(c.tolerance.why)}</small>{uses}</div>")


class ClaimSet(tuple):
    """A tuple of claims (what ``claims.select`` and ``claims.all_claims`` return).

    It is a plain tuple that prints as a short table: one row per claim up to 16 claims,
    otherwise one line per section listing its claims.
    """

    __slots__ = ()

    @property
    def ids(self) -> list[str]:
        """The claims' ids, in order."""
        return [c.id for c in self]

    def __repr__(self) -> str:
        return f"<ClaimSet of {plural(len(self), 'claim')}: {shorten(', '.join(self.ids), 120)}>"

    def __str__(self) -> str:
        if not self:
            return "0 claims"
        sections: dict[str, list[Claim]] = {}
        for c in self:
            sections.setdefault(c.section, []).append(c)
        head = f"{plural(len(self), 'claim')} in {plural(len(sections), 'section')}"
        if len(self) <= 16:
            return head + "\n" + text_table(("id", "kind", "statement"),
                                            [(c.id, c.kind, shorten(c.statement, 46))
                                             for c in self], "  ", 60)
        lines = [head]
        for sec, cs in sections.items():
            slugs = ", ".join(c.id.split(".", 1)[1] for c in cs)
            lines.append(wrap(f"{sec} ({len(cs)}): {slugs}", 100, "  ").replace(
                "\n  ", "\n      "))
        return "\n".join(lines)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        # on the class itself: IPython would take tuple's (or __repr__) before a mixin's
        pretty(self, p, cycle)

    def _repr_html_(self) -> str:
        return html_table(("id", "kind", "source", "statement"),
                          [(c.id, c.kind, c.source, c.statement) for c in self],
                          plural(len(self), "claim"))


# --- outcomes and checks ------------------------------------------------------------------

def _as_dict(out: Outcome | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(out, Mapping):
        return out
    from ._evidence import outcome_dict

    return outcome_dict(out)


def _state(d: Mapping[str, Any]) -> str:
    if not d.get("conclusive", True):
        return "inconclusive"
    return "holds" if d.get("holds") else "fails"


def _bound_text(info: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={num(info[k])}" for k in _BOUND_KEYS if k in info)


def outcome_line(out: Outcome | Mapping[str, Any]) -> str:
    """One line: state, ratio and how it was formed (the worst part for combined checks)."""
    d = _as_dict(out)
    info = d.get("info") or {}
    text = f"{_state(d)}, ratio {num(d.get('ratio'))}"
    if d.get("parts"):
        parts = ", ".join(f"{k} {num(p.get('ratio'))}" for k, p in d["parts"].items())
        return f"{text} (worst of {len(d['parts'])}: {shorten(parts, 90)})"
    mc = d.get("monte_carlo")
    if isinstance(mc, Mapping):
        return (f"{text} (|mean - exact| = {num(mc.get('error'))} vs bound "
                f"{num(mc.get('bound'))}, n = {mc.get('samples')})")
    bound = _bound_text(info)
    return f"{text} ({d.get('test')}{': ' + bound if bound else ''})"


def outcome_repr(o: Outcome) -> str:
    extra = len([k for k in o.info if k not in _BOUND_KEYS and k != "worst"])
    more = f", +{plural(extra, 'info key')}" if extra else ""
    return shorten(f"Outcome({outcome_line(o)}{more})", 200)


def outcome_str(out: Outcome | Mapping[str, Any], name: str = "outcome", depth: int = 0,
                budget: list[int] | None = None) -> str:
    """A tree of the outcome and its parts, at most ~20 lines."""
    budget = [18] if budget is None else budget
    d = _as_dict(out)
    lines = [f"{'  ' * depth}{name}: {outcome_line(d) if not d.get('parts') else _state(d)}"
             + (f", ratio {num(d.get('ratio'))}" if d.get("parts") else "")]
    budget[0] -= 1
    info = {k: v for k, v in (d.get("info") or {}).items() if k not in _BOUND_KEYS
            and k != "worst"}
    for k, v in list(info.items())[:3]:
        if budget[0] <= 0:
            break
        lines.append(f"{'  ' * (depth + 1)}{k} = {shorten(num(v), 80)}")
        budget[0] -= 1
    for k, p in (d.get("parts") or {}).items():
        if budget[0] <= 0:
            lines.append(f"{'  ' * (depth + 1)}…")
            break
        lines.append(outcome_str(p, str(k), depth + 1, budget))
    return "\n".join(lines)


def outcome_html(o: Outcome) -> str:
    d = _as_dict(o)
    rows = [(name, _state(p), p.get("ratio"), _bound_text(p.get("info") or {}))
            for name, p in ((d.get("parts") or {}) or {"outcome": d}).items()]
    return html_table(("check", "state", "ratio", "bound"), rows,
                      "ratio = share of the allowed budget used; <= 1 holds")


def check_repr(c: Check) -> str:
    return f"Check({c.where!r}: {_state(c.outcome)}, ratio {num(c.outcome.get('ratio'))})"


# --- evidence -----------------------------------------------------------------------------

def _stage_counts(ev: Evidence) -> str:
    counts: dict[str, int] = {}
    for c in ev.checks:
        counts[c.stage] = counts.get(c.stage, 0) + 1
    names = {"symbolic": "symbolic", "example": "example", "search": "search", "summary":
             "summary"}
    return ", ".join(f"{n} {names.get(s, s)}{'s' if n != 1 and s == 'example' else ''}"
                     for s, n in counts.items())


def evidence_repr(ev: Evidence) -> str:
    w = ev.worst
    where = "" if w is None else f", worst ratio {num(w.ratio)} at {w.where}"
    err = f", error {shorten(ev.error, 60)!r}" if ev.error else ""
    return (f"<Evidence: {ev.checks_run} checks run ({_stage_counts(ev) or 'none recorded'})"
            f"{where}{err}>")


def evidence_str(ev: Evidence, limit: int = 14) -> str:
    lines = [evidence_repr(ev)[1:-1]]
    if ev.search:
        s = ev.search
        found = f", witness found: {s.get('found')}" if s.get("mode") == "find" else ""
        lines.append(f"  Hypothesis: {s.get('examples_run')} points ({s.get('mode')}){found}")
    rows = [(c.where, _state(c.outcome), c.outcome.get("ratio")) for c in ev.checks[:limit]]
    lines.append(text_table(("check", "state", "ratio"), rows, "  ", 50))
    if len(ev.checks) > limit:
        lines.append(f"  … {len(ev.checks) - limit} more (evidence.checks)")
    if ev.error:
        lines.append(f"  error: {shorten(ev.error, 90)}")
    return "\n".join(lines)


def evidence_html(ev: Evidence, limit: int = 30) -> str:
    rows = [(c.where, _state(c.outcome), c.outcome.get("ratio")) for c in ev.checks[:limit]]
    more = f"; {len(ev.checks) - limit} more in evidence.checks" if len(ev.checks) > limit else ""
    return html_table(("check", "state", "ratio"), rows, evidence_repr(ev)[1:-1] + more)


# --- results ------------------------------------------------------------------------------

def result_repr(r: Result) -> str:
    ev = r.evidence
    w = ev.worst
    worst = "" if w is None else f"; worst ratio {num(w.ratio)} at {shorten(w.where, 40)}"
    note = "" if r.ok else f", expected {r.claim.expected}"
    return (f"<Result {r.claim.id}: {r.status}{note} ({r.claim.kind}, {r.profile}, "
            f"{r.seconds:.2f} s; {plural(ev.checks_run, 'check')}{worst})>")


def headline_lines(h: Headline | None, rows: int = 8, indent: str = "  ") -> list[str]:
    if h is None:
        return []
    out = [text_table(h.columns, h.rows[:rows], indent, 44)]
    if len(h.rows) > rows:
        out.append(f"{indent}… {len(h.rows) - rows} more rows")
    if h.caption:
        out.append(wrap(h.caption, 88, indent))
    return out


def result_str(r: Result) -> str:
    lines = [result_repr(r)[1:-1], wrap(r.claim.statement, 88, "  ")]
    lines += headline_lines(r.headline(), rows=8)
    lines.append("  r.explain() says what was checked and which bound decided")
    return "\n".join(lines)


def result_html(r: Result) -> str:
    esc = html.escape
    colour = _VERDICT_COLOURS.get(r.status, "#555")
    h = r.headline()
    table = "" if h is None else html_table(h.columns, h.rows[:12], h.caption)
    return (f"<div><span style='color:{colour};font-weight:bold'>{esc(r.status)}</span> "
            f"<code>{esc(r.claim.id)}</code> <small>({esc(r.claim.kind)}, {esc(r.profile)}, "
            f"{r.seconds:.2f} s)</small><p>{esc(r.claim.statement)}</p>{table}</div>")
