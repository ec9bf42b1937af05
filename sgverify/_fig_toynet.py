"""Reproductions of the paper's Figs. 4B, 4C and 5 (the toy network): numbers and panels.

The numbers are computed from the numeric library only (grid scans refined by root finding,
line integrals from :mod:`sgverify.paths`); the claims compare them with the closed forms of
:mod:`sgverify.toynet`. Plotting imports matplotlib lazily.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from scipy.optimize import brentq

from . import paths, toynet
from ._validate import positive
from .figures import Reproduction

__all__ = ["FIG5_STEPS", "fig4b", "fig4b_panel", "fig4c", "fig4c_gradients", "fig5",
           "fig5_circle", "fig5_loop"]

#: Fig. 5's convergence table: every divisor-friendly count from 10 to 1e6 (all divide 1e6)
FIG5_STEPS = (*(int(m * 10**k) for k in range(1, 6) for m in (1, 2, 5)), 10**6)
_PROFILES = ("dev", "ci", "thorough")


def _num(x: float) -> int | float:
    """JSON-friendly number: integral values as ints (``beta: 100``, not ``100.0``)."""
    x = float(x)
    return int(x) if x.is_integer() else x


def _check_profile(profile: str) -> None:
    if profile not in _PROFILES:
        raise ValueError(f"profile must be one of {', '.join(_PROFILES)}; got {profile!r}")


# --- Fig. 4B ----------------------------------------------------------------------------------

def _fig4b_theta(w: np.ndarray) -> np.ndarray:
    p = toynet.FIG4B
    th = np.empty((*np.shape(w), 5))
    th[..., 0] = w
    th[..., 1:] = (p["v1"], p["v2"], p["u1"], p["u2"])
    return th


def _w_component(beta: float, beta_sg: float):
    x = toynet.FIG4B["x"]
    return lambda w: float(toynet.sg_field(_fig4b_theta(np.float64(w)), x, beta, beta_sg)[0])


def _zeros(fn: Any, w: np.ndarray, vals: np.ndarray) -> list[float]:
    """Every sign change of ``vals`` on the grid, refined to float precision by brentq."""
    idx = np.flatnonzero(np.sign(vals[:-1]) * np.sign(vals[1:]) < 0)
    zeros = [brentq(fn, w[i], w[i + 1], xtol=1e-16, rtol=4 * np.finfo(float).eps) for i in idx]
    zeros += [float(w[i]) for i in np.flatnonzero(vals == 0.0)]
    return sorted(zeros)


def _minimum(fn: Any, w: np.ndarray, curve: np.ndarray, slope: np.ndarray) -> tuple[float, float]:
    """(refined, grid) minimiser: the slope's zero next to the grid argmin, or the end point."""
    i = int(np.argmin(curve))
    lo, hi = max(i - 1, 0), min(i + 1, w.size - 1)
    if slope[lo] < 0 < slope[hi]:
        return float(brentq(fn, w[lo], w[hi], xtol=1e-16)), float(w[i])
    return float(w[i]), float(w[i])


def fig4b_panel(beta_sg: float, beta: float | None = None,
                points: int | None = None) -> dict[str, Any]:
    """One panel of Fig. 4B: the scan, sign-flip intervals, zeros and the three minima.

    Keys without a leading underscore are the JSON contract; ``_grid`` holds the curves
    (``w``, ``y``, ``dy``, ``sg``, ``integrated_sg``, ``smoothed``) and ``_grid_minima`` the
    unrefined grid argmins.
    """
    p = toynet.FIG4B
    beta = positive("beta", p["beta"] if beta is None else beta)
    beta_sg = positive("beta_sg", beta_sg)
    x = p["x"]
    w = np.linspace(*p["w_range"], p["points"] if points is None else points)
    th = _fig4b_theta(w)
    y = toynet.output(th, x, beta)
    dy = toynet.gradient(th, x, beta)[:, 0]
    sg = toynet.sg_field(th, x, beta, beta_sg)[:, 0]
    smoothed = toynet.output(th, x, beta_sg)
    dsm = toynet.gradient(th, x, beta_sg)[:, 0]
    integrated = y[0] + np.concatenate([[0.0], np.cumsum(0.5 * (sg[1:] + sg[:-1]) * np.diff(w))])

    f_dy, f_sg = _w_component(beta, beta), _w_component(beta, beta_sg)
    f_sm = _w_component(beta_sg, beta_sg)
    # a sign-flip run ends where either curve changes sign: its edges are zeros of dy or SG_w
    edges = sorted(_zeros(f_dy, w, dy) + _zeros(f_sg, w, sg))
    cuts = [float(w[0]), *edges, float(w[-1])]
    intervals = []
    for lo, hi in itertools.pairwise(cuts):
        mid = 0.5 * (lo + hi)
        if hi > lo and np.sign(f_dy(mid)) != np.sign(f_sg(mid)):
            if intervals and intervals[-1][1] == lo:
                intervals[-1][1] = hi
            else:
                intervals.append([lo, hi])
    true_min, true_grid = _minimum(f_dy, w, y, dy)
    int_min, int_grid = _minimum(f_sg, w, integrated, sg)
    sm_min, sm_grid = _minimum(f_sm, w, smoothed, dsm)
    return {
        "beta_sg": _num(beta_sg),
        "sign_flip_intervals": intervals,
        "true_minimum_w": true_min,
        "sg_zero_w": _zeros(f_sg, w, sg),
        "integrated_sg_minimum_w": int_min,
        "smoothed_minimum_w": sm_min,
        "_grid": {"w": w, "y": y, "dy": dy, "sg": sg, "integrated_sg": integrated,
                  "smoothed": smoothed, "flip": np.sign(dy) != np.sign(sg)},
        "_grid_minima": {"true": true_grid, "integrated_sg": int_grid, "smoothed": sm_grid},
    }


def _public(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if not k.startswith("_")}


def fig4b(profile: str = "dev") -> Reproduction:
    """Fig. 4B: SG and true derivative along ``w`` for beta_SG 15, 25 (caption) and 30 (code)."""
    import matplotlib.pyplot as plt

    _check_profile(profile)
    p = toynet.FIG4B
    panels = [fig4b_panel(bs) for bs in p["beta_sg"]]
    data = {"beta": _num(p["beta"]), "critical_beta_sg": toynet.critical_beta_sg(
        p["beta"], p["x"], p["v1"], p["w_range"][1]), "panels": [_public(q) for q in panels]}
    fig, axes = plt.subplots(2, len(panels), figsize=(4.2 * len(panels), 6.0), sharex=True,
                             layout="constrained")
    for col, q in enumerate(panels):
        g = q["_grid"]
        top, bot = axes[0, col], axes[1, col]
        top.plot(g["w"], g["y"], color="k", label=r"network $y$ ($\beta=100$)")
        top.plot(g["w"], g["smoothed"], color="tab:orange", ls="--",
                 label=rf"smoothed net ($\beta={q['beta_sg']}$)")
        top.plot(g["w"], g["integrated_sg"], color="tab:blue", label="integrated SG")
        for key, color in (("true_minimum_w", "k"), ("smoothed_minimum_w", "tab:orange"),
                           ("integrated_sg_minimum_w", "tab:blue")):
            wm = q[key]
            curve = {"true_minimum_w": g["y"], "smoothed_minimum_w": g["smoothed"],
                     "integrated_sg_minimum_w": g["integrated_sg"]}[key]
            top.plot([wm], [np.interp(wm, g["w"], curve)], marker="v", color=color, ms=9,
                     ls="none")
        top.set_title(rf"$\beta_{{SG}} = {q['beta_sg']}$")
        bot.axhline(0.0, color="0.6", lw=0.8)
        bot.plot(g["w"], g["dy"], color="k", label=r"true $\partial y/\partial w$")
        bot.plot(g["w"], g["sg"], color="tab:blue", label=r"SG$_w$")
        for lo, hi in q["sign_flip_intervals"]:
            bot.axvspan(lo, hi, color="tab:red", alpha=0.15, lw=0)
        bot.set_xlabel(r"$w$")
        if col == 0:
            top.set_ylabel("output")
            bot.set_ylabel(r"derivative w.r.t. $w$")
            top.legend(fontsize=7, loc="upper left")
            bot.legend(fontsize=7, loc="upper left")
    fig.suptitle("Fig. 4B: surrogate gradient vs true derivative (red: opposite signs)")
    cap = (f"beta = 100; SG_w changes sign on the scan only for beta_SG > "
           f"{data['critical_beta_sg']:.6f}; triangles mark the minima.")
    return Reproduction("fig4b", "Fig. 4B: sign flips of the surrogate gradient", data, fig, cap)


# --- Fig. 4C ----------------------------------------------------------------------------------

def _fig4c_theta(v1: np.ndarray, v2: np.ndarray) -> np.ndarray:
    p = toynet.FIG4C
    v1, v2 = np.broadcast_arrays(np.asarray(v1, float), np.asarray(v2, float))
    th = np.empty((*v1.shape, 5))
    th[..., 0], th[..., 1], th[..., 2] = p["w"], v1, v2
    th[..., 3], th[..., 4] = p["u1"], p["u2"]
    return th


def fig4c_gradients(beta: float | None = None) -> list[dict[str, Any]]:
    """The SG (and, for beta_SG = beta, the true gradient) at the saturated point of Fig. 4C."""
    p = toynet.FIG4C
    beta = p["beta"] if beta is None else positive("beta", beta)
    th = _fig4c_theta(*p["point"])
    return [{"beta_sg": _num(bs), "gradient": toynet.sg_field(th, p["x"], beta, bs).tolist()}
            for bs in p["beta_sg"]]


def fig4c(profile: str = "dev") -> Reproduction:
    """Fig. 4C: the output landscape over (v1, v2) with minus the SG and the gradient."""
    import matplotlib.pyplot as plt

    _check_profile(profile)
    p = toynet.FIG4C
    data = {"point": list(p["point"]), "beta": _num(p["beta"]), "gradients": fig4c_gradients()}
    grid = np.linspace(*p["range"], 301)
    V1, V2 = np.meshgrid(grid, grid)
    Y = toynet.output(_fig4c_theta(V1, V2), p["x"], p["beta"])
    coarse = np.linspace(*p["range"], 17)
    C1, C2 = np.meshgrid(coarse, coarse)
    thc = _fig4c_theta(C1, C2)
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.4), layout="constrained")
    for ax, bs in zip(axes, p["beta_sg"], strict=True):
        im = ax.pcolormesh(V1, V2, Y, cmap="viridis", shading="auto")
        F = toynet.sg_field(thc, p["x"], p["beta"], bs)[..., 1:3]
        # unit arrows of -SG in the (v1, v2) plane; arrows below 1e-3 of the panel's largest
        # are dropped, so the vanishing true gradient on the plateaus shows as no arrow
        norm = np.linalg.norm(F, axis=-1)
        keep = norm > 1e-3 * norm.max()
        unit = -F / np.where(keep, norm, 1.0)[..., None]
        ax.quiver(C1[keep], C2[keep], unit[keep][:, 0], unit[keep][:, 1], color="w",
                  angles="xy", scale=22, width=0.005)
        pt = np.array(p["point"])
        g = next(d["gradient"] for d in data["gradients"] if d["beta_sg"] == _num(bs))
        gv = -np.array(g[1:3])
        if np.linalg.norm(gv) > 1e-3 * norm.max():
            ax.annotate("", xy=pt + 0.6 * gv / np.linalg.norm(gv), xytext=pt,
                        arrowprops={"arrowstyle": "-|>", "color": "tab:red", "lw": 2.5})
        ax.plot(*pt, marker="o", color="tab:red", ms=7)
        kind = "true gradient" if bs == p["beta"] else rf"SG, $\beta_{{SG}}={_num(bs)}$"
        ax.set_title(f"{kind}\n|grad| at (1.7, -1.3) = {np.linalg.norm(g):.2e}", fontsize=10)
        ax.set_xlabel(r"$v_1$")
        ax.set_ylabel(r"$v_2$")
        ax.set_aspect("equal")
    fig.colorbar(im, ax=axes, label=r"output $y$ ($\beta = 20$)", shrink=0.9)
    fig.suptitle("Fig. 4C: arrows are minus the (surrogate) gradient in the (v1, v2) plane")
    cap = ("At the saturated point (red) the true gradient is ~1e-8 while the SGs are O(0.1) "
           "and point downhill.")
    return Reproduction("fig4c", "Fig. 4C: SG descends where the gradient vanishes", data, fig,
                        cap)


# --- Fig. 5 -----------------------------------------------------------------------------------

def fig5_circle(directions: str) -> paths.Circle:
    """The circle of Fig. 5 (centre 0, radius 1.8) in the plane of a direction set."""
    if directions not in toynet.DIRECTIONS:
        raise ValueError(f"directions must be one of {', '.join(toynet.DIRECTIONS)}, "
                         f"got {directions!r}")
    d1, d2 = toynet.DIRECTIONS[directions]
    return paths.Circle(np.zeros(5), d1, d2, toynet.FIG5["radius"])


def fig5_loop(directions: str, beta_sg: float, steps: tuple[int, ...] = FIG5_STEPS,
              true_steps: int = 100_000) -> dict[str, Any]:
    """One entry of Fig. 5's ``loops``: SG loop integral, its convergence, and the control.

    The control (true gradient of the smoothed net, beta = beta_sg <= 20) is smooth on the
    circle, so ``true_steps = 1e5`` already resolves it to rounding.
    """
    p = toynet.FIG5
    beta_sg = positive("beta_sg", beta_sg)
    circle = fig5_circle(directions)
    table = paths.convergence_table(
        lambda th: toynet.sg_field(th, p["x"], p["beta"], beta_sg), circle, steps)
    true = paths.convergence_table(lambda th: toynet.gradient(th, p["x"], beta_sg), circle,
                                   [true_steps])
    last = table[-1]
    return {
        "directions": directions,
        "beta_sg": _num(beta_sg),
        "steps": last.steps,
        "loop_integral": last.value,
        "error_estimate": last.error_estimate,
        "true_gradient_loop_integral": true[-1].value,
        "convergence": [[e.steps, e.value] for e in table],
        "_table": table,
        "_true": true[-1],
    }


def fig5(profile: str = "dev") -> Reproduction:
    """Fig. 5: SG loop integrals on a circle of radius 1.8 are non-zero; gradients' are 0."""
    import matplotlib.pyplot as plt

    _check_profile(profile)
    p = toynet.FIG5
    loops = [fig5_loop(d, bs) for d in toynet.DIRECTIONS for bs in p["beta_sg"]]
    data = {"beta": _num(p["beta"]), "radius": p["radius"], "loops": [_public(q) for q in loops]}
    colors = dict(zip(p["beta_sg"], ("tab:blue", "tab:orange", "tab:green"), strict=True))
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.3), layout="constrained")
    circle = fig5_circle("published")
    n = 20_000
    run_phi = np.arange(n + 1) * (2 * np.pi / n)
    pts = circle.point(run_phi)
    axes[0].plot(run_phi, toynet.output(pts, p["x"], p["beta"]), color="k",
                 label=r"network, $\beta = 10^4$")
    for bs in p["beta_sg"]:
        axes[0].plot(run_phi, toynet.output(pts, p["x"], bs), color=colors[bs], ls="--",
                     label=rf"smoothed, $\beta = {_num(bs)}$")
        run = paths.running_integral(
            lambda th, bs=bs: toynet.sg_field(th, p["x"], p["beta"], bs), circle, 200_000)
        y0 = float(toynet.output(circle.point(0.0), p["x"], p["beta"]))
        axes[1].plot(run.phi[::10], y0 + run.values[::10], color=colors[bs],
                     label=rf"$\beta_{{SG}} = {_num(bs)}$")
    axes[1].plot(run_phi, toynet.output(pts, p["x"], p["beta"]), color="k", lw=0.8,
                 label="network output")
    for ax in axes[:2]:
        ax.set_xlabel(r"angle $\varphi$ along the circle")
        ax.set_xticks(np.arange(5) * np.pi / 2, ["0", r"$\pi/2$", r"$\pi$", r"$3\pi/2$",
                                                   r"$2\pi$"])
    axes[0].set_ylabel("output along the path")
    axes[0].set_title("A: outputs on the circle (published plane)")
    axes[1].set_ylabel(r"$y(\theta_0) + \int_0^\varphi \mathrm{SG}\cdot d\theta$")
    axes[1].set_title("B: integrated SG along the path")
    for q in loops:
        e = np.array([c for c in q["convergence"] if c[0] >= 100])
        ls = "-" if q["directions"] == "published" else ":"
        axes[2].plot(e[:, 0], e[:, 1], color=colors[q["beta_sg"]], ls=ls, marker=".",
                     label=rf"{q['directions']}, $\beta_{{SG}}={q['beta_sg']}$")
    axes[2].axhline(0.0, color="k", lw=0.8, label="true gradient (all)")
    axes[2].set_xscale("log")
    axes[2].set_xlabel("integration steps")
    axes[2].set_ylabel(r"$\oint \mathrm{SG}\cdot d\theta$")
    axes[2].set_title("C: loop integral vs steps")
    axes[0].legend(fontsize=7, loc="lower center")
    axes[1].legend(fontsize=7, loc="lower left")
    axes[2].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.suptitle(r"Fig. 5: surrogate gradients are not conservative (circle radius 1.8)")
    cap = ("Closed-path integrals of the SG field (forward beta = 1e4) converge to non-zero "
           "values by ~2e5 steps; the true gradients' loop integrals are 0 to rounding.")
    return Reproduction("fig5", "Fig. 5: SG loop integrals", data, fig, cap)
