"""Headline numbers of the surrogate-audit claims (theory 8.1, 8.2)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from .._evidence import Evidence
from .._headline import Headline, examples, info, part, summary_outcome

__all__ = ["catalogue", "round_trip"]

_VERDICTS = ("density", "rescaled density", "not a density")


def round_trip(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Each family's audit: verdict, family found, area, parameter found vs true."""
    rows = []
    for name, out in examples(ev):
        v = part(out, "verdict_and_family").get("info", {})
        a = part(out, "area_is_1").get("info", {})
        p = part(out, "parameter").get("info", {})
        cdf = part(out, "cdf_numeric")
        rows.append((name, v.get("verdict"), v.get("family"), a.get("area"),
                     _params(p.get("found")), _params(p.get("true")), cdf.get("ratio")))
    return Headline(("family", "verdict", "recognised as", "area", "parameter found", "true",
                     "CDF ratio"), rows,
                    caption="Each atlas density written as a formula and audited blind; the "
                            "implied CDF is compared with the family's (ratio = error / bound).")


_FINDING = re.compile(r"FINDING[^:]{0,20}:\s*")


def _finding(note: str) -> str:
    """The first sentence after a catalogue note's ``FINDING:`` marker."""
    text = _FINDING.split(note, maxsplit=1)[-1]
    first = re.split(r"(?<=[a-z0-9)])\. ", text, maxsplit=1)[0].rstrip(".")
    return first + "."


def _params(p: object) -> str:
    if isinstance(p, dict):
        return ", ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in p.items())
    return "—" if p is None else str(p)


def catalogue(ev: Evidence, used: Mapping[str, Evidence]) -> Headline | None:
    """Verdicts per library, and the catalogue's findings (from its executed conformance)."""
    s = info(summary_outcome(ev))
    table = s.get("verdicts_by_library") or {}
    if not table:
        return None
    # the audit's verdicts in their usual order, then any other it reports (e.g. inconclusive)
    seen = {v for counts in table.values() for v in counts}
    verdicts = [v for v in _VERDICTS if v in seen or v in _VERDICTS[:3]]
    verdicts += sorted(seen - set(verdicts))
    rows = [(lib, *(counts.get(v, 0) for v in verdicts), sum(counts.values()))
            for lib, counts in table.items()]
    totals = [sum(r[k] for r in rows) for k in range(1, len(verdicts) + 2)]
    rows.append(("all libraries", *totals))
    count = dict(zip(verdicts, totals, strict=False))
    records = s.get("records") or []
    flagged = [f"{r.get('library')} {r.get('name')}: {_finding(str(r.get('note', '')))}"
               for r in records if _FINDING.search(str(r.get("note", "")))]
    executed = sum(r.get("verified") == "execution" for r in records)
    others = "".join(f", {n} {v}" for v, n in count.items() if v not in _VERDICTS and n)
    finding = (f"Library surrogates: of {totals[-1]} catalogue entries, {count['density']} are "
               f"densities, {count['rescaled density']} rescaled densities (right direction, "
               f"scaled length) and {count['not a density']} not the density of any noise "
               f"(negative lobes, constant offsets, non-integrable tails, straight-through)"
               f"{others}; {executed} were checked against the libraries' executed backward "
               f"passes.")
    notes = tuple(flagged)
    return Headline(("library", *verdicts, "entries"), rows,
                    caption=f"{len(records)} surrogates audited (each plotted against its "
                            f"matched density in the catalogue section); {len(flagged)} "
                            f"entries carry a finding from executing the library.",
                    finding=finding, notes=notes)
