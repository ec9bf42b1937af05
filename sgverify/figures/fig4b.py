"""Fig. 4B (theory 6.2): the SG and the true derivative along ``w``, sign flips and minima.

The numbers come from the numeric library only (a grid scan refined by root finding); the
claims compare them with the closed forms of :mod:`sgverify.toynet`. The profile does not
change this figure: its scan is the paper's (10001 points), cheap at every profile.

Examples
--------
>>> from sgverify.figures import fig4b
>>> p = fig4b.panel(30.0, points=201)
>>> len(p["sign_flip_intervals"]), sorted(p["grid_minima"])
(1, ['integrated_sg', 'smoothed', 'true'])
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from scipy.optimize import brentq

from .. import toynet
from .._validate import positive
from ._common import FigureData, check_profile, json_number

__all__ = ["TITLE", "caption", "compute", "panel", "plot"]

TITLE = "Fig. 4B: sign flips of the surrogate gradient"


def _theta(w: np.ndarray) -> np.ndarray:
    p = toynet.FIG4B
    th = np.empty((*np.shape(w), 5))
    th[..., 0] = w
    th[..., 1:] = (p["v1"], p["v2"], p["u1"], p["u2"])
    return th


def _w_component(beta: float, beta_sg: float):
    x = toynet.FIG4B["x"]
    return lambda w: float(toynet.sg_field(_theta(np.float64(w)), x, beta, beta_sg)[0])


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


def _flip_intervals(f_dy: Any, f_sg: Any, w: np.ndarray, edges: list[float]) -> list[list[float]]:
    """Runs of ``w`` where the SG and the true derivative have opposite signs."""
    cuts = [float(w[0]), *edges, float(w[-1])]
    intervals: list[list[float]] = []
    for lo, hi in itertools.pairwise(cuts):
        mid = 0.5 * (lo + hi)
        if hi > lo and np.sign(f_dy(mid)) != np.sign(f_sg(mid)):
            if intervals and intervals[-1][1] == lo:
                intervals[-1][1] = hi
            else:
                intervals.append([lo, hi])
    return intervals


def panel(beta_sg: float, beta: float | None = None, points: int | None = None) -> dict[str, Any]:
    """One panel of Fig. 4B: the scan, sign-flip intervals, zeros and the three minima.

    Every key but ``grid`` is JSON: ``grid_minima`` holds the unrefined grid argmins of the
    true output, the integrated SG and the smoothed network; ``grid`` the curves (``w``,
    ``y``, ``dy``, ``sg``, ``integrated_sg``, ``smoothed``, ``flip``) that :func:`plot` draws.
    """
    p = toynet.FIG4B
    beta = positive("beta", p["beta"] if beta is None else beta)
    beta_sg = positive("beta_sg", beta_sg)
    x = p["x"]
    w = np.linspace(*p["w_range"], p["points"] if points is None else points)
    th = _theta(w)
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
    true_min, true_grid = _minimum(f_dy, w, y, dy)
    int_min, int_grid = _minimum(f_sg, w, integrated, sg)
    sm_min, sm_grid = _minimum(f_sm, w, smoothed, dsm)
    return {
        "beta_sg": json_number(beta_sg),
        "sign_flip_intervals": _flip_intervals(f_dy, f_sg, w, edges),
        "true_minimum_w": true_min,
        "sg_zero_w": _zeros(f_sg, w, sg),
        "integrated_sg_minimum_w": int_min,
        "smoothed_minimum_w": sm_min,
        "grid_minima": {"true": true_grid, "integrated_sg": int_grid, "smoothed": sm_grid},
        "grid": {"w": w, "y": y, "dy": dy, "sg": sg, "integrated_sg": integrated,
                 "smoothed": smoothed, "flip": np.sign(dy) != np.sign(sg)},
    }


def compute(profile: str = "dev") -> FigureData:
    """The three panels (beta_SG 15, 25 from the caption, 30 from the authors' code)."""
    check_profile(profile)
    p = toynet.FIG4B
    panels = [panel(bs) for bs in p["beta_sg"]]
    numbers = {"beta": json_number(p["beta"]),
               "critical_beta_sg": toynet.critical_beta_sg(p["beta"], p["x"], p["v1"],
                                                           p["w_range"][1]),
               "panels": [{k: v for k, v in q.items() if k != "grid"} for q in panels]}
    return FigureData(numbers, {"grids": [q["grid"] for q in panels]}, profile)


def caption(data: FigureData) -> str:
    """What the figure shows, with its key number."""
    return (f"beta = 100; SG_w changes sign on the scan only for beta_SG > "
            f"{data.numbers['critical_beta_sg']:.6f}; triangles mark the minima.")


def _draw_panel(top: Any, bot: Any, q: dict[str, Any], g: dict[str, Any]) -> None:
    top.plot(g["w"], g["y"], color="k", label=r"network $y$ ($\beta=100$)")
    top.plot(g["w"], g["smoothed"], color="tab:orange", ls="--",
             label=rf"smoothed net ($\beta={q['beta_sg']}$)")  # the figure's legend names it
    top.plot(g["w"], g["integrated_sg"], color="tab:blue", label="integrated SG")
    curves = {"true_minimum_w": ("k", g["y"]), "smoothed_minimum_w": ("tab:orange", g["smoothed"]),
              "integrated_sg_minimum_w": ("tab:blue", g["integrated_sg"])}
    for key, (color, curve) in curves.items():
        wm = q[key]
        top.plot([wm], [np.interp(wm, g["w"], curve)], marker="v", color=color, ms=9, ls="none")
    top.set_title(rf"$\beta_{{SG}} = {q['beta_sg']}$")
    bot.axhline(0.0, color="0.6", lw=0.8)
    bot.plot(g["w"], g["dy"], color="k", label=r"true $\partial y/\partial w$")
    bot.plot(g["w"], g["sg"], color="tab:blue", label=r"SG$_w$")
    for lo, hi in q["sign_flip_intervals"]:
        bot.axvspan(lo, hi, color="tab:red", alpha=0.15, lw=0)
    bot.set_xlabel(r"$w$")


def plot(data: FigureData) -> Any:
    """The figure: outputs and minima (top), derivatives with sign flips shaded (bottom)."""
    import matplotlib.pyplot as plt

    panels = data.numbers["panels"]
    fig, axes = plt.subplots(2, len(panels), figsize=(4.2 * len(panels), 6.0), sharex=True,
                             layout="constrained")
    for col, (q, g) in enumerate(zip(panels, data.arrays["grids"], strict=True)):
        _draw_panel(axes[0, col], axes[1, col], q, g)
    axes[0, 0].set_ylabel("output")
    axes[1, 0].set_ylabel(r"derivative w.r.t. $w$")
    # one legend below the panels: inside any panel it covers a curve (they fill the boxes)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Line2D([], [], color="k",
               label=r"network $y$ ($\beta=100$) / true $\partial y/\partial w$"),
        Line2D([], [], color="tab:orange", ls="--", label=r"smoothed net ($\beta=\beta_{SG}$)"),
        Line2D([], [], color="tab:blue", label=r"integrated SG / SG$_w$"),
        Line2D([], [], color="0.3", marker="v", ls="none", label="minima"),
        Patch(color="tab:red", alpha=0.15, label="SG$_w$ and $\\partial y/\\partial w$ of "
                                                 "opposite sign"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=8,
               frameon=False)
    fig.suptitle("Fig. 4B: surrogate gradient vs true derivative (red: opposite signs)")
    return fig
