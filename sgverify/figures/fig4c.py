"""Fig. 4C (theory 6.3): the output landscape over ``(v1, v2)`` with minus the SG and gradient.

At the saturated point ``(1.7, -1.3)`` the true gradient is asymptotically zero while the SGs
are not and point downhill. The landscape is drawn on a 301 x 301 grid at every profile (a
picture, not a measurement); the numbers are the five-component fields at the point.

Examples
--------
>>> from sgverify.figures import fig4c
>>> [g["beta_sg"] for g in fig4c.gradients()]
[2, 4, 20]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import toynet
from .._validate import positive
from ._common import FigureData, check_profile, json_number

__all__ = ["TITLE", "caption", "compute", "gradients", "plot"]

TITLE = "Fig. 4C: SG descends where the gradient vanishes"
#: landscape resolution (cells per axis) and arrow grid
_GRID, _ARROWS = 301, 17


def _theta(v1: np.ndarray, v2: np.ndarray) -> np.ndarray:
    p = toynet.FIG4C
    v1, v2 = np.broadcast_arrays(np.asarray(v1, float), np.asarray(v2, float))
    th = np.empty((*v1.shape, 5))
    th[..., 0], th[..., 1], th[..., 2] = p["w"], v1, v2
    th[..., 3], th[..., 4] = p["u1"], p["u2"]
    return th


def gradients(beta: float | None = None) -> list[dict[str, Any]]:
    """The SG (and, for beta_SG = beta, the true gradient) at the saturated point.

    Each entry has the five components (``gradient``, in the order w, v1, v2, u1, u2), their
    norm (``norm``) and the norm of the (v1, v2) components the figure draws
    (``in_plane_norm``): the five-component norm is dominated by the u1 component.
    """
    p = toynet.FIG4C
    beta = p["beta"] if beta is None else positive("beta", beta)
    th = _theta(*p["point"])
    out = []
    for bs in p["beta_sg"]:
        g = toynet.sg_field(th, p["x"], beta, bs)
        out.append({"beta_sg": json_number(bs), "gradient": g.tolist(),
                    "norm": float(np.linalg.norm(g)), "in_plane_norm": float(np.hypot(g[1], g[2]))})
    return out


def compute(profile: str = "dev") -> FigureData:
    """The fields at the point, the landscape and the arrow fields of the three panels."""
    check_profile(profile)
    p = toynet.FIG4C
    numbers = {"point": list(p["point"]), "beta": json_number(p["beta"]),
               "gradients": gradients()}
    grid = np.linspace(*p["range"], _GRID)
    v1, v2 = np.meshgrid(grid, grid)
    coarse = np.linspace(*p["range"], _ARROWS)
    c1, c2 = np.meshgrid(coarse, coarse)
    thc = _theta(c1, c2)
    fields = [toynet.sg_field(thc, p["x"], p["beta"], bs)[..., 1:3] for bs in p["beta_sg"]]
    arrays = {"v1": v1, "v2": v2, "y": toynet.output(_theta(v1, v2), p["x"], p["beta"]),
              "c1": c1, "c2": c2, "fields": fields}
    return FigureData(numbers, arrays, profile)


def caption(data: FigureData) -> str:
    """What the figure shows, with the in-plane and full magnitudes at the point."""
    g = data.numbers["gradients"]
    def name(q: dict[str, Any]) -> str:
        return ("true gradient" if q["beta_sg"] == data.numbers["beta"]
                else f"SG, beta_SG = {q['beta_sg']}")

    parts = ", ".join(f"{name(q)} {q['in_plane_norm']:.3g} ({q['norm']:.3g})" for q in g)
    return ("Unit arrows: the direction of minus the field's (v1, v2) components on a 17 x 17 "
            "grid (none where it is below 1e-3 of the panel's largest). At the saturated point "
            "(red) the SGs point downhill while the true gradient vanishes. Magnitudes at the "
            f"point, in the (v1, v2) plane (all five components in brackets): {parts}.")


def _draw_panel(ax: Any, a: dict[str, Any], field: np.ndarray, g: dict[str, Any],
                point: np.ndarray, true: bool) -> Any:
    im = ax.pcolormesh(a["v1"], a["v2"], a["y"], cmap="viridis", shading="auto",
                       rasterized=True)
    # unit arrows of -SG in the (v1, v2) plane; arrows below 1e-3 of the panel's largest
    # are dropped, so the vanishing true gradient on the plateaus shows as no arrow
    norm = np.linalg.norm(field, axis=-1)
    keep = norm > 1e-3 * norm.max()
    unit = -field / np.where(keep, norm, 1.0)[..., None]
    ax.quiver(a["c1"][keep], a["c2"][keep], unit[keep][:, 0], unit[keep][:, 1], color="w",
              angles="xy", scale=22, width=0.005)
    gv = -np.array(g["gradient"][1:3])
    if np.linalg.norm(gv) > 1e-3 * norm.max():
        ax.annotate("", xy=point + 0.6 * gv / np.linalg.norm(gv), xytext=point,
                    arrowprops={"arrowstyle": "-|>", "color": "tab:red", "lw": 2.5})
    ax.plot(*point, marker="o", color="tab:red", ms=7)
    kind = r"$-\nabla y$ (true gradient)" if true else \
        rf"$-$SG, $\beta_{{SG}}={g['beta_sg']}$"
    # what is drawn: the (v1, v2) components; their magnitude, not the 5-D norm
    drawn = (r"$|(\partial y/\partial v_1, \partial y/\partial v_2)|$" if true else
             r"$|(\mathrm{SG}_{v_1}, \mathrm{SG}_{v_2})|$")
    ax.set_title(f"{kind}\n{drawn} at (1.7, $-$1.3) = {g['in_plane_norm']:.2e}", fontsize=10)
    ax.set_xlabel(r"$v_1$")
    ax.set_ylabel(r"$v_2$")
    ax.set_aspect("equal")
    return im


def plot(data: FigureData) -> Any:
    """Three panels: the landscape with unit arrows of minus the field, the point in red."""
    import matplotlib.pyplot as plt

    a, n = data.arrays, data.numbers
    point = np.array(n["point"])
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 4.4), layout="constrained")
    for ax, field, g in zip(axes, a["fields"], n["gradients"], strict=True):
        im = _draw_panel(ax, a, field, g, point, g["beta_sg"] == n["beta"])
    fig.colorbar(im, ax=axes, label=r"output $y$ ($\beta = 20$)", shrink=0.9)
    fig.suptitle("Fig. 4C: directions of minus the (surrogate) gradient's (v1, v2) components "
                 "over the output y")
    return fig
