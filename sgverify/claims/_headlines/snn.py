"""Headline numbers of the SNN training claims (theory 7)."""

from __future__ import annotations

from collections.abc import Mapping

from .._evidence import Evidence
from .._headline import Headline, Plot, Series, examples, info, part

__all__ = ["accuracy", "matching", "variability"]


def accuracy(ev: Evidence, used: Mapping[str, Evidence]) -> Headline | None:
    """Test accuracy per seed, deterministic and stochastic, and the paired gap's bound."""
    ex = examples(ev)
    if not ex:
        return None
    name, out = ex[0]
    i = info(out)
    seeds = i.get("seeds") or []
    det, sto = i.get("acc_deterministic") or [], i.get("acc_stochastic") or []
    rows = [(f"seed {s}", d, t, d - t) for s, d, t in zip(seeds, det, sto, strict=False)]
    gap = part(out, "gap_within_margin").get("info", {})
    cap = f"{name}: test accuracy after training with the matched SG (chance {i.get('chance')})"
    if gap:
        cap += (f"; mean gap {gap.get('mean', float('nan')):.3g}, one-sided 97.5 % upper "
                f"bound {gap.get('upper', float('nan')):.3g} against the margin "
                f"{gap.get('bound', float('nan')):.3g}")
    return Headline(("run", "deterministic", "stochastic", "gap"), rows, caption=cap + ".")


def variability(ev: Evidence, used: Mapping[str, Evidence]) -> Headline | None:
    """Windowed Fano factors of the hidden layer per seed."""
    ex = examples(ev)
    if not ex:
        return None
    _, out = ex[0]
    sto = part(out, "stochastic_fano_above_floor").get("info", {}).get("fano") or []
    det = part(out, "deterministic_fano_is_zero").get("info", {}).get("fano") or []
    rate = info(out).get("rate_hidden_hz") or []
    rows = [(f"run {k}", s, d, r) for k, (s, d, r) in enumerate(zip(sto, det, rate,
                                                                    strict=False))]
    return Headline(("run", "Fano, stochastic", "Fano, deterministic", "hidden rate (Hz)"), rows,
                    caption=f"Spike counts in windows of {info(out).get('window')} steps over "
                            f"repeated trials of the same input.")


def matching(ev: Evidence, used: Mapping[str, Evidence]) -> Headline | None:
    """Van Rossum distance before and after, the silent network, and the learning curve."""
    ex = examples(ev)
    if not ex:
        return None
    name, out = ex[0]
    i = info(out)
    h = part(out, "halved").get("info", {})
    s = part(out, "below_silent_network").get("info", {})
    rows = [("initial distance", h.get("initial")), ("final distance", h.get("final")),
            ("silent network", s.get("silent")), ("Fano factor, hidden", i.get("fano_hidden")),
            ("Fano factor, output", i.get("fano_out")),
            ("output rate (Hz)", i.get("rate_out_hz")),
            ("target rate (Hz)", i.get("target_rate_hz"))]
    curve = i.get("distance_curve") or []
    plot = Plot((Series("van Rossum distance", tuple(range(len(curve))), tuple(curve)),),
                "training (sampled updates)", "distance to target") if curve else None
    return Headline(("quantity", "value"), rows, caption=f"{name}: trained with the matched "
                                                         f"SG on several trials per update.",
                    plot=plot)
