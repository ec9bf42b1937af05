"""Headline numbers of the toy-network claims (theory 6: Figs. 4B, 4C and 5)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._evidence import Evidence
from .._headline import Headline, Plot, Series, examples, info, part, summary_outcome

__all__ = ["curl", "descent", "gradient_loops", "loop_integrals", "minima", "search_witness",
           "sign_flip"]

_CONTROL = "toynet.gradient-loop-integral-zero"


def _interval(x: Any) -> str:
    if isinstance(x, list) and len(x) == 2 and all(isinstance(v, (int, float)) for v in x):
        return f"[{x[0]:.6g}, {x[1]:.6g}]"
    return "—" if x is None else str(x)


def sign_flip(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Per beta_SG: the sign-flip interval, SG_w's own zero; the critical beta_SG."""
    rows = []
    for name, out in examples(ev):
        i = info(out)
        m = part(out, "interval_matches_closed_form").get("info", {})
        zeros = i.get("sg_zero_w") or []
        rows.append((name, _interval(m.get("closed_form")),
                     ", ".join(f"{z:.6g}" for z in zeros) if zeros else "none on the scan"))
    sym = info(ev.outcome("symbolic"))
    crit = sym.get("critical_beta_sg")
    caption = "Fig. 4B (β = 100, w ∈ [−0.2, 0.2]): where SG_w and dy/dw disagree in sign."
    finding = ""
    if isinstance(crit, (int, float)):
        caption += (f" SG_w changes sign on the scan only for β_SG above {crit:.6g} "
                    f"(closed form, SymPy).")
        at15 = next((r for r in rows if r[0].endswith("=15")), None)
        true_zero = next((info(o).get("true_zero_w") for _, o in examples(ev)), None)
        if at15 is not None and at15[2] == "none on the scan" and isinstance(true_zero, float):
            finding = (f"Fig. 4B at β_SG = 15 (the caption's panel): the SG's w-component "
                       f"never changes sign on the scan; SG and true derivative disagree in "
                       f"sign for w > {true_zero:.4g} only because the true derivative turns "
                       f"positive. SG_w has a zero of its own only for β_SG above the "
                       f"critical {crit:.6g} (closed form), e.g. at β_SG = 25 and 30.")
    return Headline(("example", "opposite signs on w ∈", "zero of SG_w"), rows,
                    caption=caption, finding=finding)


def minima(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """The three minima of Fig. 4B per beta_SG."""
    rows = []
    for name, out in examples(ev):
        m = info(out).get("minima") or {}
        rows.append((name, m.get("true"), m.get("integrated_sg"), m.get("smoothed")))
    return Headline(("example", "argmin y (true)", "argmin ∫SG_w dw", "argmin smoothed net"),
                    rows, caption="Fig. 4B's triangles: minimisers in w (refined; equal to "
                                  "their closed forms); 0.2 is the scan's end.")


def descent(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """At Fig. 4C's point: SG and gradient norms (all five and in-plane), cosine, decay."""
    rows = []
    for name, out in examples(ev):
        i = info(out)
        dw = part(out, "sg_dwarfs_gradient").get("info", {})
        cos = part(out, "sg_is_descent_direction").get("info", {}).get("cosine")
        rows.append((name, dw.get("sg_norm"), i.get("sg_in_plane_norm"),
                     dw.get("gradient_norm"), i.get("gradient_in_plane_norm"), cos))
    summ = summary_outcome(ev)
    decay = part(summ, "gradient_decays_like_exp(-b)").get("info", {})
    betas = info(summ).get("betas")
    plot = None
    if betas and decay.get("gradient_norms"):
        series = [Series("|∇y|", tuple(betas), tuple(decay["gradient_norms"]))]
        for key, p in (summ.get("parts") or {}).items():
            if key.startswith("sg_") and p.get("info", {}).get("sg_norms"):
                bs = key.split("_")[1]
                series.append(Series(f"|SG|, β_SG = {bs}", tuple(betas),
                                     tuple(p["info"]["sg_norms"])))
        plot = Plot(tuple(series), "forward β", "norm at (1.7, −1.3)", logy=True)
    slopes = decay.get("slopes") or []
    return Headline(("example", "|SG| (5-D)", "|SG| in (v1, v2)", "|∇y| (5-D)",
                     "|∇y| in (v1, v2)", "cos(SG, ∇y)"), rows,
                    caption="At (v1, v2) = (1.7, −1.3), β = 20; Fig. 4C's arrows are the "
                            "(v1, v2) components. log|∇y| falls with slope "
                            + (f"{slopes[-1]:.3f}" if slopes else "—")
                            + " per unit β (expected −1) while the SG keeps a non-zero limit.",
                    plot=plot)


def curl(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """Asymmetry of the SG field's Jacobian, and the symmetric control at beta_SG = beta."""
    rows = []
    for name, out in examples(ev):
        a = part(out, "asymmetric_for_sg").get("info", {})
        c = part(out, "symmetric_for_true_gradient").get("info", {})
        if a:
            rows.append((name, "/".join(a.get("entry") or []), a.get("asymmetry"),
                         a.get("max_abs_jacobian")))
        elif c:
            rows.append((name, "all", c.get("max_asymmetry"), None))
    sym = part(ev.outcome("symbolic"), "nonzero_at_rational_point").get("info", {})
    cap = "max |J_ij − J_ji| of the SG field's Jacobian (SymPy and mpmath agree)"
    if sym.get("exact"):
        cap += f"; symbolic: the (u, v) asymmetry is {sym['exact']} at a rational point"
    return Headline(("example", "entry", "|J_ij − J_ji|", "max |J|"), rows, caption=cap + ".")


def loop_integrals(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """The six converged loop integrals, their error, when they settled, and the control."""
    control = {}
    for name, out in examples(used.get(_CONTROL) or _empty()):
        z = part(out, "loop_integral_zero").get("info", {})
        control[name.replace(" beta=", " beta_SG=")] = z.get("loop_integral")
    rows, series = [], []
    off: dict[int, list[float]] = {}
    for name, out in examples(ev):
        i = info(out)
        value = i.get("loop_integral")
        conv = i.get("convergence") or []
        err = (i.get("error_estimate") or 0.0) + (i.get("rounding_bound") or 0.0)
        rows.append((i.get("directions"), i.get("beta_sg"), value, err,
                     i.get("settled_to_1e3_relative_at_steps"), control.get(name)))
        if isinstance(value, float) and value and conv:
            rel = [abs(v - value) / abs(value) for _, v in conv]
            series.append(Series(name.replace("beta_SG=", "β_SG = "),
                                 tuple(n for n, _ in conv), tuple(rel)))
            for (n, _), r in zip(conv, rel, strict=True):
                off.setdefault(n, []).append(r)
    finding = ""
    if off.get(10_000) and off.get(100_000):
        # the first table step from which every integral agrees with its last to 1e-12
        steps = sorted(off)
        settled = next((n for k, n in enumerate(steps)
                        if all(max(off[m]) < 1e-12 for m in steps[k:])), None)
        finding = (f"Fig. 5: the SG loop integrals converge slowly in the number of steps "
                   f"(the β = 1e4 field has transitions ~1e-4 wide): against their 1e6-step "
                   f"values they are off by up to {_sci(max(off[10_000]))} (relative) at 1e4 "
                   f"steps and {_sci(max(off[100_000]))} at 1e5"
                   + (f", and agree to 1e-12 from {_steps(settled)} steps on" if settled else "")
                   + "; the true gradient's loop integrals are 0 to rounding (the control).")
    plot = Plot(tuple(series), "integration steps N", "|I_N − I_1e6| / |I_1e6|", logx=True,
                logy=True) if series else None
    return Headline(("directions", "β_SG", "∮ SG·dθ (1e6 steps)", "error bound",
                     "settled to 1e-3 at N", "control ∮ ∇y·dθ (β = β_SG)"), rows,
                    caption="Fig. 5's circle (centre 0, radius 1.8, forward β = 1e4), periodic "
                            "trapezoid rule; 'published' is the plane of the paper's figure, "
                            "'scipy' that of the authors' current notebook (SciPy ≥ 1.10 draws "
                            "other directions from the same seed; theory 6.4). The control "
                            "column is toynet.gradient-loop-integral-zero's result"
                            + ("" if control else " (not run alongside)") + ".",
                    plot=plot, finding=finding)


def gradient_loops(ev: Evidence, used: Mapping[str, Evidence]) -> Headline:
    """The control: the true gradient's loop integrals and running integrals on the circles."""
    rows = []
    for name, out in examples(ev):
        z = part(out, "loop_integral_zero").get("info", {})
        r = part(out, "running_integral_is_y").get("info", {})
        rows.append((name, z.get("loop_integral"), z.get("bound"), r.get("error"),
                     r.get("bound")))
    return Headline(("circle", "∮ ∇y·dθ", "bound", "max |∫∇y·dθ − Δy|", "bound"), rows,
                    caption="The true gradient of the smoothed net (β = β_SG) through the same "
                            "integrator (1e5 steps): loop integrals vanish to quadrature and "
                            "rounding error; running integrals reproduce y.")


def search_witness(ev: Evidence, used: Mapping[str, Evidence]) -> Headline | None:
    """The witness the search found: its signs and loop integral."""
    found = [c.outcome for c in ev.checks if c.name == "witness"] or \
        [out for _, out in examples(ev)]
    if not found:
        return None
    out = found[0]
    s = part(out, "sign_flip_w").get("info", {})
    loop = part(out, "nonzero_loop").get("info", {})
    point = info(out).get("point")
    rows = [("θ, x, β, β_SG, …", _short(point)), ("true dy/dw", s.get("true_dy_dw")),
            ("SG_w", s.get("sg_w")), ("∮ SG·dθ around the point", loop.get("loop_integral")),
            ("its error estimate + rounding",
             (loop.get("error_estimate") or 0.0) + (loop.get("rounding_bound") or 0.0))]
    return Headline(("quantity", "value"), rows,
                    caption="A point away from the paper's parameters where SG_w and dy/dw "
                            "have opposite signs and the SG's loop integral is non-zero.")


def _steps(n: int) -> str:
    """``500000`` as ``5e5``."""
    mant, exp = f"{n:.0e}".split("e")
    return f"{mant}e{int(exp)}"


def _sci(x: float) -> str:
    """``0.0084`` as ``8.4e-3``."""
    mant, exp = f"{x:.1e}".split("e")
    return f"{mant}e{int(exp)}"


def _short(x: Any) -> str:
    text = str(x)
    return text if len(text) <= 90 else text[:89] + "…"


def _empty() -> Evidence:
    return Evidence()

