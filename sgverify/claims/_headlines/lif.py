"""Headline numbers of the LIF claims (theory 1.3, 1.4, 8.3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._evidence import Evidence
from .._headline import Headline, Plot, Series, examples, info, part, summary_outcome

__all__ = ["bptt", "exact_without_reset", "perceptron_limit", "refractory", "reset_bias"]


def _gap_plot(rows: list[tuple[str, Any, Any]], ylabel: str) -> Plot | None:
    series = tuple(Series(name, tuple(x), tuple(y)) for name, x, y in rows if x and y)
    return Plot(series[:4], "dt / max(τ_mem, τ_syn)", ylabel, logy=True) if series else None


def perceptron_limit(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """The membrane gap's fitted rate and the spike agreement, per example, plotted."""
    rows, curves = [], []
    for name, out in examples(ev):
        i = info(out)
        slopes = part(out, "log_gap_slope").get("info", {}).get("slopes") or []
        spikes = part(out, "spikes_equal_perceptron").get("info", {})
        rows.append((name, ", ".join(f"{s:.6f}" for s in slopes), -1.0,
                     f"{spikes.get('mismatches')} of {spikes.get('compared')}"))
        curves.append((name, i.get("dt_over_tau_max"), i.get("gaps")))
    return Headline(("example", "fitted slopes of log gap", "expected", "spike mismatches"),
                    rows, caption="|U[n+2] − W x[n]| against dt/τ: the gap closes like "
                                  "exp(−dt/max(τ_mem, τ_syn)); spikes equal the Perceptron's.",
                    plot=_gap_plot(curves, "membrane gap"))


def refractory(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Full reset: the refractory-Perceptron gap closes, the plain Perceptron's does not."""
    rows, curves = [], []
    for name, out in examples(ev):
        i = info(out)
        slopes = part(out, "log_gap_slope").get("info", {}).get("slopes") or []
        plain = i.get("plain_perceptron_gap") or [None]
        rows.append((name, ", ".join(f"{s:.6f}" for s in slopes), plain[-1],
                     i.get("spikes_differing_from_plain_perceptron")))
        curves.append((name, [10.0, 15.0, 20.0][: len(i.get("refractory_gap") or [])],
                       i.get("refractory_gap")))
    s = info(summary_outcome(ev))
    finding = ""
    if s.get("lif_spikes") and s.get("perceptron"):
        lif_s = "".join(str(int(v)) for v in s["lif_spikes"])
        per_s = "".join(str(int(v)) for v in s["perceptron"])
        finding = (f"LIF with the full reset (the whole update times 1 − S[n]) has no "
                   f"Perceptron limit: as dt/τ → ∞ it becomes a Perceptron with a one-step "
                   f"refractory period (on a constant strong input it fires {lif_s} where the "
                   f"Perceptron fires {per_s}).")
    return Headline(("example", "fitted slopes, refractory-Perceptron gap",
                     "plain-Perceptron gap at largest dt/τ", "spikes differing from plain"),
                    rows, caption="The full reset keeps U = 0 after each spike, so the limit "
                                  "is y[n] = H(W x[n] − θ)(1 − y[n−1]).",
                    plot=_gap_plot(curves, "gap to refractory Perceptron"), finding=finding)


def bptt(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Hand-written BPTT against Richardson finite differences."""
    rows = []
    for name, out in examples(ev):
        i = info(out)
        b, f = i.get("bptt"), i.get("finite_difference")
        diff = abs(b - f) if isinstance(b, float) and isinstance(f, float) else None
        rows.append((name, b, f, diff))
    return Headline(("example", "BPTT", "finite difference", "|difference|"), rows,
                    caption="Smooth two-layer LIF network (spikes replaced by f(U − θ)): the "
                            "BPTT gradient with SD = f' against Richardson-extrapolated "
                            "central differences of the loss.")


def _entries(out: dict[str, Any], limit: int = 4) -> list[tuple[Any, Any, Any]]:
    i = info(out)
    esg, g = i.get("expected_sg"), i.get("exact_gradient")
    if not (isinstance(esg, list) and isinstance(g, list)):
        return []
    flat_e = [v for row in esg for v in (row if isinstance(row, list) else [row])]
    flat_g = [v for row in g for v in (row if isinstance(row, list) else [row])]
    return list(zip(flat_e, flat_g, [a - b for a, b in zip(flat_e, flat_g, strict=False)],
                    strict=False))[:limit]


def exact_without_reset(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """E[SG] against the exact gradient without reset, entry by entry."""
    rows = [(f"{name}, W entry {k}", e, g, d) for name, out in examples(ev)
            for k, (e, g, d) in enumerate(_entries(out))]
    return Headline(("entry", "E[SG] (all histories)", "exact dE[L]/dW", "difference"), rows,
                    caption="No reset: potentials do not depend on past spikes, and the "
                            "expected matched SG is the exact gradient.")


def reset_bias(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """E[SG] against the exact gradient with a reset, and the relative bias."""
    rows, rel = [], []
    for name, out in examples(ev):
        i = info(out)
        rel.append((name, i.get("relative_bias")))
        rows += [(f"{name}, W entry {k}", e, g, d) for k, (e, g, d) in enumerate(_entries(out))]
    rels = [r for _, r in rel if isinstance(r, (int, float))]
    finding = ""
    if rels:
        finding = ("The matched SG of a stochastic LIF neuron with a reset is biased over "
                   "time (largest |E[SG] − dE[L]/dW| relative to the gradient: "
                   + ", ".join(f"{r:.1%} ({n})" for n, r in rel if isinstance(r, float))
                   + "), the temporal analogue of the hidden-layer bias; without a reset it "
                     "is exact (lif.matched-sg-exact-without-reset).")
    return Headline(("entry", "E[SG] (all histories)", "exact dE[L]/dW", "bias"), rows,
                    caption="With a reset past spikes change later potentials. Relative bias: "
                            + ", ".join(f"{n} {r:.3g}" for n, r in rel
                                        if isinstance(r, float)) + ".",
                    finding=finding)
