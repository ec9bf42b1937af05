"""Headline numbers of the escape-noise claims (theory 2)."""

from __future__ import annotations

from collections.abc import Mapping

from .._evidence import Evidence
from .._headline import Headline, examples, info

__all__ = ["areas", "step_rates"]

_EXPECTED_SLOPE = {"exponential": -1.0, "gaussian": -1.0, "power": -1.0}
_TAIL_WORDS = {"exponential": "log gap vs z", "gaussian": "log gap vs z²/2",
               "power": "log gap vs log z", "compact": "exactly 0"}


def areas(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Each pinned family's area by 30-digit quadrature."""
    rows = [(i.get("family", name), i.get("integral"), i.get("quad_error_estimate"))
            for name, out in examples(ev) for i in [info(out)]]
    return Headline(("family", "∫ f'(v) dv", "quadrature error estimate"), rows,
                    caption="Areas of the matched surrogate derivatives (pinned parameters) by "
                            "30-digit quadrature; the symbolic stage integrates each family "
                            "with symbolic parameters.")


def step_rates(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Per family (v > 0): the tail, the fitted rate of the gap to the step, float64's gap."""
    rows = []
    for name, out in examples(ev):
        i = info(out)
        if not name.endswith("v=+1"):
            continue  # the v < 0 rows repeat the rates (the families are symmetric)
        slope = next((p.get("info", {}).get("slope") for p in (out.get("parts") or {}).values()
                      if "slope" in p.get("info", {})), None)
        tail = i.get("tail", "")
        z = i.get("z") or []
        gaps = i.get("gap_float64") or []
        rows.append((i.get("family", name), _TAIL_WORDS.get(tail, tail),
                     f"{z[0]:g}..{z[-1]:g}" if z else "", slope,
                     _EXPECTED_SLOPE.get(tail), gaps[-1] if gaps else None))
    return Headline(("family", "rate measured as", "z = βv", "fitted slope", "expected",
                     "float64 gap at largest z"), rows,
                    caption="|f_β(v) − H(v)| as the steepness grows (v = 0.7 × the family's "
                            "scale; the v < 0 side gives the same rates): the log gap falls "
                            "along a line of slope −1 in the variable the tail names.")
