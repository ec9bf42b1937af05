"""Headline numbers of the multi-layer claims (theory 5)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._evidence import Evidence
from .._headline import (
    Headline,
    Plot,
    Series,
    examples,
    info,
    monte_carlo_headline,
    part,
    summary_outcome,
)

__all__ = ["deterministic_sg", "enumeration", "finite_differences", "hidden_layer_bias",
           "not_interchangeable", "output_layer", "smoothed_stochad", "triples"]


def _flat(x: Any) -> list[Any]:
    if isinstance(x, list):
        return [v for item in x for v in _flat(item)]
    return [x]


def _vec(x: Any, digits: int = 5) -> str:
    vals = _flat(x)
    if not all(isinstance(v, (int, float)) for v in vals):
        return str(x)
    return "(" + ", ".join(f"{v:.{digits}g}" for v in vals) + ")"


def hidden_layer_bias(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Exact dE/dW1 next to E[SG] and the bias, per W1 entry; the bias's slope in scale."""
    rows: list[tuple[Any, ...]] = []
    witness: tuple[Any, Any] | None = None
    for name, out in examples(ev):
        i = info(out)
        grad, esg = _flat(i.get("hidden_grad")), _flat(i.get("hidden_esg"))
        if witness is None:
            witness = (i.get("hidden_grad"), i.get("hidden_esg"))
        for k, (g, s) in enumerate(zip(grad, esg, strict=False)):
            if isinstance(g, (int, float)) and isinstance(s, (int, float)):
                rows.append((f"{name}, W1 entry {k}", g, s, s - g))
    summ = summary_outcome(ev)
    slope = part(summ, "relative_bias_slope_in_downstream_scale_is_1").get("info", {})
    lin = part(summ, "linear_output_noise_unbiased").get("info", {})
    spread = info(summ).get("random_sigmoid_nets") or {}
    notes = []
    if "slope" in slope:
        notes.append(f"Relative bias ∝ downstream scale^{slope['slope']:.4f} (expected 1)")
    if "relative_bias" in lin:
        notes.append(f"linear output noise: relative bias {lin['relative_bias']:.2g} (control)")
    if spread:
        notes.append(f"{spread.get('n')} random sigmoid nets: median relative bias "
                     f"{spread.get('median_relative_bias', float('nan')):.3g} "
                     f"(range {spread.get('min', float('nan')):.3g} to "
                     f"{spread.get('max', float('nan')):.3g})")
    plot = None
    if slope.get("scales") and slope.get("relative_bias"):
        plot = Plot((Series("relative bias", tuple(slope["scales"]),
                            tuple(slope["relative_bias"]), "points"),
                     Series("slope 1", tuple(slope["scales"]),
                            tuple(slope["relative_bias"][0] * s / slope["scales"][0]
                                  for s in slope["scales"]), "dashed")),
                    "downstream weight scale s", "relative hidden-layer bias",
                    logx=True, logy=True)
    finding = ""
    if witness is not None:
        exact_out = _output_exact(used.get("multilayer.output-layer-sg-exact"))
        finding = (f"Hidden-layer SG bias (the 1-2-1 witness, theory 5.4): the exact "
                   f"dE[y]/dW1 = {_vec(witness[0])} while E[SG] = {_vec(witness[1])}"
                   + (f"; {exact_out}" if exact_out else "") + ".")
    return Headline(("entry", "exact dE[y]/dW1", "E[SG]", "bias E[SG] − exact"), rows,
                    caption="Hidden-layer weights, exact enumeration of every spike pattern. "
                            + "; ".join(notes) + ".", plot=plot, finding=finding)


def _output_exact(ev: Evidence | None) -> str:
    """"the output layer is exact ..." from the output-layer claim's witness example."""
    if ev is None:
        return ""
    for name, out in examples(ev):
        if "witness" in name:
            m = part(out, "matched_output_layer").get("info", {})
            err = m.get("error")
            if err == 0:
                return "the output layer's E[SG] equals dE[y]/dW2 to the last bit"
            if isinstance(err, (int, float)):
                return f"the output layer's E[SG] matches dE[y]/dW2 to {err:.1g}"
    return ""


def output_layer(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """E[SG] of the output layer against the exact gradient, and the mismatched control."""
    rows = []
    for name, out in examples(ev):
        m = part(out, "matched_output_layer").get("info", {})
        rows.append((name, _vec(m.get("esg")), _vec(m.get("grad")), m.get("error"),
                     info(out).get("mismatched_sd_difference")))
    return Headline(("example", "E[SG] of W_L", "exact dE[y]/dW_L", "|difference|",
                     "control: mismatched SD differs by"), rows,
                    caption="Output-layer weights: the matched SD gives the exact gradient; "
                            "an output SD twice as steep does not (control).")


def enumeration(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Enumerated gradient and expectation against mpmath differences of E[y]."""
    rows = []
    for name, out in examples(ev):
        g = part(out, "gradient_vs_mpmath").get("info", {})
        e = part(out, "expectation_vs_mpmath").get("info", {})
        rows.append((name, e.get("numeric"), e.get("reference"), g.get("numeric"),
                     g.get("reference"), g.get("params_checked")))
    return Headline(("example", "E[y] enumerated", "E[y] mpmath", "dE[y]/dθ (worst θ)",
                     "mpmath difference", "parameters"), rows,
                    caption="Exact enumeration over all hidden spike patterns against "
                            "high-precision differences of the exact expectation.")


def not_interchangeable(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Paths changed by a 1e-9 perturbation against the size of dE[y]/dw."""
    rows = []
    for name, out in examples(ev):
        p = part(out, "pathwise_derivative_zero").get("info", {})
        g = part(out, "gradient_of_expectation_nonzero").get("info", {})
        rows.append((name, f"{p.get('changed_paths')} of {p.get('paths')}", p.get("delta"),
                     g.get("value")))
    return Headline(("example", "sampled paths changed", "perturbation", "|dE[y]/dw|"), rows,
                    caption="The pathwise derivative of a binary network is 0 (no sampled "
                            "path changes) while the derivative of its expectation is not.")


def smoothed_stochad(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Input-conditioned smoothing chained = SG backward pass; the output-smoothing control."""
    rows = []
    for name, out in examples(ev):
        a = part(out, "input_smoothed_chain_equals_sg").get("info", {})
        b = part(out, "control_output_smoothing_differs").get("info", {})
        rows.append((name, a.get("samples"), a.get("max_abs_difference"), b.get("value")))
    return Headline(("example", "sampled passes", "max |chain − SG|",
                     "control: output-conditioned differs by"), rows,
                    caption="Per sampled forward pass, chaining input-conditioned smoothed "
                            "stochastic derivatives reproduces the SG backward pass exactly.")


def triples(ev: Evidence, used: Mapping[str, Evidence]) -> Headline | None:
    """The Monte Carlo z-scores, and the estimators' variances on the first example."""
    mc = monte_carlo_headline(ev, limit=6)
    var = next((info(out).get("variances") for _, out in examples(ev)
                if info(out).get("variances")), None)
    if mc is None:
        return None
    notes = mc.caption
    if isinstance(var, dict):
        keys = [k for k in var if k not in ("parameter", "exact_gradient")]
        notes += (f". Variance of one estimate of dE[y]/d{var.get('parameter')} (exact "
                  f"{var.get('exact_gradient', float('nan')):.4g}): "
                  + ", ".join(f"{k} {var[k]:.3g}" for k in keys
                              if isinstance(var[k], (int, float))))
    return Headline(mc.columns, mc.rows, caption=notes)


def finite_differences(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Variance slopes in eps (independent paths -2, common random numbers -1), plotted."""
    rows, plot = [], None
    for name, out in examples(ev):
        i = info(out)
        ind = part(out, "variance_slope_independent_is_-2").get("info", {})
        crn = part(out, "variance_slope_crn_is_-1").get("info", {})
        bias = part(out, "bias_vanishes").get("info", {}).get("bias") or [None]
        rows.append((name, ind.get("slope"), crn.get("slope"), bias[-1]))
        if plot is None and i.get("eps") and ind.get("variances") and crn.get("variances"):
            plot = Plot((Series("independent paths", tuple(i["eps"]), tuple(ind["variances"])),
                         Series("common random numbers", tuple(i["eps"]),
                                tuple(crn["variances"]))),
                        "ε", f"variance ({name})", logx=True, logy=True)
    return Headline(("example", "slope, independent (expected −2)",
                     "slope, common random numbers (expected −1)", "bias at smallest ε"), rows,
                    caption="Log variance of a central finite difference over random paths "
                            "against log ε.", plot=plot)


def deterministic_sg(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Rate at which E[SG] approaches the deterministic SG as the forward noise sharpens."""
    rows, series = [], []
    for name, out in examples(ev):
        i = info(out)
        r = part(out, "rate").get("info", {})
        rows.append((name, r.get("slope"), r.get("expected"), _last(i.get("errors"))))
        if i.get("sharpening") and i.get("errors"):
            series.append(Series(name, tuple(i["sharpening"]), tuple(i["errors"])))
    # the logistic rows share the axes (log error, linear k); arctan's k spans 1e2..1e4
    logistic = tuple(s for s in series if "arctan" not in s.label)
    plot = Plot(logistic, "sharpening factor k", "|E[SG] − deterministic SG|",
                logy=True) if logistic else None
    return Headline(("example", "fitted slope", "expected", "error at sharpest"), rows,
                    caption="Logistic noise: slope of log error in k equals −(smallest |u|/"
                            "scale on the deterministic path); arctan: log-log slope −1.",
                    plot=plot)


def _last(x: Sequence[Any] | None) -> Any:
    return x[-1] if x else None
