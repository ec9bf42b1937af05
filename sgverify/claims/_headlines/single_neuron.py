"""Headline numbers of the single-neuron claims (theory 1, 3, 4)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from .._evidence import Evidence
from .._headline import Headline, Plot, Series, examples, info, part

__all__ = ["deterministic_limit", "matched", "mismatch", "nonlinear_loss",
           "smoothed_variances"]


def matched(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """The matched SG f'(u) x next to mpmath's dE[y]/du, per example."""
    rows = []
    for name, out in examples(ev):
        i = info(out)
        sg_du = part(out, "sg_matched_vs_mp_dEy_du").get("info", {})
        refs = sg_du.get("references") or i.get("reference_dEy_du") or []
        sg = i.get("sg") or []
        rows.append((name, i.get("u"), sg_du.get("value"), refs[0] if refs else None,
                     sg[0] if isinstance(sg, list) and sg else None, out.get("ratio")))
    sym = info(ev.outcome("symbolic"))
    fams = sym.get("per_family") or {}
    return Headline(("example", "u", "SD(u) = f'(u)", "dE[y]/du (mpmath)", "SG dL/dw₁",
                     "ratio to bound"), rows,
                    caption="With the matched SD the surrogate gradient is the gradient of the "
                            "expected output: SD(u) against mpmath's derivative of E[y] = f(u) "
                            "(at a kink, either one-sided derivative), and dL/dw = SD(u) x. "
                            + (f"SymPy: dE[y]/dw − f'(u) x = 0 for a generic f and for "
                               f"{sum(bool(v) for v in fams.values())} of {len(fams)} families."
                               if fams else ""))


def mismatch(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """SG minus SPM gradient at u = 0 against (beta_SG - beta_N)/4 x; rescaling keeps direction."""
    rows = []
    for name, out in examples(ev):
        i = info(out)
        rows.append((name, _first(i.get("difference")), _first(i.get("exact_difference")),
                     i.get("cosine"), i.get("length_ratio")))
    return Headline(("example", "SG − SPM at u = 0", "(β_SG − β_N)/4 · x",
                     "cosine (c f' vs f')", "length ratio"), rows,
                    caption="A mismatched SD changes the gradient; a positive rescaling c f' "
                            "of the matched SD keeps its direction (cosine 1) and scales its "
                            "length by c.")


def smoothed_variances(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Variance of each smoothing of the Bernoulli derivative (all have the SG as mean)."""
    rows = []
    for name, out in examples(ev):
        i = info(out)
        var = i.get("variances_of_weight_gradient") or {}
        rows.append((name, i.get("sg"), var.get("input"), var.get("output"),
                     var.get("straight-through")))
    return Headline(("example", "matched SG f'(u) x", "var, input-conditioned",
                     "var, output-conditioned", "var, straight-through"), rows,
                    caption="Every smoothing has the matched SG as its mean; the input-"
                            "conditioned one is exactly the SG (variance 0 given u).")


def deterministic_limit(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Fitted rates of the mean and variance gaps as beta_N grows, with the log gaps plotted."""
    rows, series = [], []
    for name, out in examples(ev):
        i = info(out)
        u = i.get("u")
        mean_slope = part(out, "mean_gap_rate_is_-|u|").get("info", {}).get("slope")
        var_slope = part(out, "variance_rate_is_-|u|").get("info", {}).get("slope")
        rows.append((name, mean_slope, var_slope, -abs(u) if isinstance(u, (int, float))
                     else None))
        if i.get("betas") and i.get("log_mean_gap"):
            series.append(Series(f"|E[y] − H(u)|, {name}", tuple(i["betas"]),
                                 tuple(math.exp(x) if isinstance(x, (int, float)) else math.nan
                                       for x in i["log_mean_gap"])))
    plot = Plot(tuple(series[:4]), "β_N", "|E[y] − H(u)|", logx=True, logy=True) \
        if series else None
    return Headline(("example", "rate of |E[y] − H(u)|", "rate of Var[y]", "expected −|u|"),
                    rows, caption="Slopes of the log mean gap and log variance against β_N "
                                  "(mpmath at raised precision): both fall like "
                                  "exp(−β_N |u|).", plot=plot)


def nonlinear_loss(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Exact dE[L]/dw against the average SG chained through L'(y), and their gap."""
    rows = []
    for name, out in examples(ev):
        i = info(out)
        rows.append((name, i.get("exact_dEL_dw"), i.get("average_sg"), i.get("gap")))
    first = rows[0] if rows else None
    finding = ""
    if first and all(isinstance(x, (int, float)) for x in first[1:]):
        finding = (f"For a non-linear loss (squared error) the average SG chained through "
                   f"L'(y) misses dE[L]/dw by f'(u) x (2 f(u) − 1): {first[2]:.4g} instead of "
                   f"{first[1]:.4g} ({first[0]}); f'(u) x (L(1) − L(0)) is exact, since any "
                   f"loss of a binary y is affine in y.")
    return Headline(("example", "exact dE[L]/dw", "average SG via L'(y)", "gap"), rows,
                    caption="Squared error (y − t)²: the gap equals f'(u) x (2 f(u) − 1) "
                            "(checked symbolically and against Monte Carlo).", finding=finding)


def _first(x: object) -> object:
    return x[0] if isinstance(x, list) and len(x) == 1 else x
