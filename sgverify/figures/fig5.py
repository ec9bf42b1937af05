"""Fig. 5 (theory 6.4): loop integrals of the SG field on a circle of radius 1.8 are non-zero.

The profile sets how far the convergence table goes: ``dev`` stops at 2e5 steps (where the
integrals have settled, theory 6.4), ``ci`` and ``thorough`` go to 1e6. The claims call
:func:`loop` with the full table themselves.

Examples
--------
>>> from sgverify.figures import fig5
>>> fig5.steps_for("dev")[-1], fig5.steps_for("thorough")[-1]
(200000, 1000000)
>>> fig5.circle("published").radius
1.8
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import paths, toynet
from .._validate import positive
from ._common import FigureData, check_profile, json_number

__all__ = ["PLANES", "STEPS", "TITLE", "caption", "circle", "compute", "loop", "plot",
           "steps_for"]

TITLE = "Fig. 5: SG loop integrals"
#: the convergence table: every divisor-friendly count from 10 to 1e6 (all divide 1e6)
STEPS = (*(int(m * 10**k) for k in range(1, 6) for m in (1, 2, 5)), 10**6)
#: the largest step count of the figure's table per profile
_MAX_STEPS = {"dev": 200_000, "ci": 10**6, "thorough": 10**6}


def steps_for(profile: str) -> tuple[int, ...]:
    """The convergence table's step counts under ``profile``."""
    top = _MAX_STEPS[check_profile(profile)]
    return tuple(s for s in STEPS if s <= top)


def circle(directions: str) -> paths.Circle:
    """The circle of Fig. 5 (centre 0, radius 1.8) in the plane of a direction set."""
    if directions not in toynet.DIRECTIONS:
        raise ValueError(f"directions must be one of {', '.join(toynet.DIRECTIONS)}, "
                         f"got {directions!r}")
    d1, d2 = toynet.DIRECTIONS[directions]
    return paths.Circle(np.zeros(5), d1, d2, toynet.FIG5["radius"])


def loop(directions: str, beta_sg: float, steps: tuple[int, ...] = STEPS,
         true_steps: int = 100_000) -> dict[str, Any]:
    """One entry of Fig. 5's ``loops``: SG loop integral, its convergence, and the control.

    Every key but ``table`` (the :class:`~sgverify.paths.LoopIntegral` rows) is JSON. The
    control (true gradient of the smoothed net, beta = beta_sg <= 20) is smooth on the
    circle, so ``true_steps = 1e5`` already resolves it to rounding.
    """
    p = toynet.FIG5
    beta_sg = positive("beta_sg", beta_sg)
    path = circle(directions)
    table = paths.convergence_table(toynet.SGField(p["x"], p["beta"], beta_sg), path, steps)
    true = paths.convergence_table(lambda th: toynet.gradient(th, p["x"], beta_sg), path,
                                   [true_steps])
    last = table[-1]
    return {
        "directions": directions,
        "beta_sg": json_number(beta_sg),
        "steps": last.steps,
        "loop_integral": last.value,
        "error_estimate": last.error_estimate,
        "true_gradient_loop_integral": true[-1].value,
        "convergence": [[e.steps, e.value] for e in table],
        "table": table,
    }


def _curves(beta_sgs: tuple[float, ...]) -> dict[str, Any]:
    """Outputs along the published circle and running SG integrals (panels A and B)."""
    p = toynet.FIG5
    path = circle("published")
    n = 20_000
    phi = np.arange(n + 1) * (2 * np.pi / n)
    pts = path.point(phi)
    y0 = float(toynet.output(path.point(0.0), p["x"], p["beta"]))
    running = {}
    for bs in beta_sgs:
        run = paths.running_integral(toynet.SGField(p["x"], p["beta"], bs), path, 200_000)
        running[bs] = (run.phi[::10], y0 + run.values[::10])
    return {"phi": phi, "y": toynet.output(pts, p["x"], p["beta"]),
            "smoothed": {bs: toynet.output(pts, p["x"], bs) for bs in beta_sgs},
            "running": running}


def compute(profile: str = "dev") -> FigureData:
    """Loop integrals for both direction sets and beta_SG 1, 5, 20, and the panels' curves."""
    steps = steps_for(profile)
    p = toynet.FIG5
    loops = [loop(d, bs, steps) for d in toynet.DIRECTIONS for bs in p["beta_sg"]]
    numbers = {"beta": json_number(p["beta"]), "radius": p["radius"],
               "loops": [{k: v for k, v in q.items() if k != "table"} for q in loops]}
    return FigureData(numbers, _curves(p["beta_sg"]), profile)


#: what the two direction sets are (theory 6.4), for legends and captions
PLANES = {"published": "published plane",
          "scipy": "SciPy >= 1.10 plane"}


def caption(data: FigureData) -> str:
    """What the figure shows, and what the two direction sets are."""
    top = max(q["steps"] for q in data.numbers["loops"])
    return (f"Closed-path integrals of the SG field (forward beta = 1e4) converge to non-zero "
            f"values (table to {top:.0e} steps); the true gradients' loop integrals are 0 to "
            f"rounding. The circle lies in the plane of two orthonormal directions, rows 0 and "
            f"1 of scipy.stats.ortho_group.rvs(5, random_state=124), whose output changed "
            f"between SciPy versions: 'published' is the plane of the paper's figure (the "
            f"older SciPy), 'SciPy >= 1.10' the plane the same call gives today (the authors' "
            f"current notebook); both are fixed vectors in sgverify.toynet.DIRECTIONS "
            f"(theory 6.4).")


def _draw_outputs(ax0: Any, ax1: Any, a: dict[str, Any], colors: dict[float, str]) -> None:
    ax0.plot(a["phi"], a["y"], color="k", label=r"network, $\beta = 10^4$")
    for bs, color in colors.items():
        ax0.plot(a["phi"], a["smoothed"][bs], color=color, ls="--",
                 label=rf"smoothed, $\beta = {json_number(bs)}$")
        ax1.plot(*a["running"][bs], color=color, label=rf"$\beta_{{SG}} = {json_number(bs)}$")
    ax1.plot(a["phi"], a["y"], color="k", lw=0.8, label="network output")
    for ax in (ax0, ax1):
        ax.set_xlabel(r"angle $\varphi$ along the circle")
        ax.set_xticks(np.arange(5) * np.pi / 2, ["0", r"$\pi/2$", r"$\pi$", r"$3\pi/2$",
                                                   r"$2\pi$"])
    ax0.set_ylabel("output along the path")
    ax0.set_title("A: outputs on the circle (published plane)")
    ax1.set_ylabel(r"$y(\theta_0) + \int_0^\varphi \mathrm{SG}\cdot d\theta$")
    ax1.set_title("B: integrated SG along the path")
    ax0.legend(fontsize=7, loc="lower center")
    ax1.legend(fontsize=7, loc="lower left")


def _draw_convergence(ax: Any, loops: list[dict[str, Any]], colors: dict[float, str]) -> None:
    for q in loops:
        e = np.array([c for c in q["convergence"] if c[0] >= 100])
        ls = "-" if q["directions"] == "published" else ":"
        plane = PLANES.get(q["directions"], q["directions"]).replace(">=", r"$\geq$")
        ax.plot(e[:, 0], e[:, 1], color=colors[q["beta_sg"]], ls=ls, marker=".",
                label=rf"{plane}, $\beta_{{SG}}={q['beta_sg']}$")
    ax.axhline(0.0, color="k", lw=0.8, label="true gradient (all)")
    ax.set_xscale("log")
    ax.set_xlabel("integration steps")
    ax.set_ylabel(r"$\oint \mathrm{SG}\cdot d\theta$")
    ax.set_title("C: loop integral vs steps")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))


def plot(data: FigureData) -> Any:
    """Panels A (outputs on the circle), B (running SG integrals), C (convergence)."""
    import matplotlib.pyplot as plt

    colors = dict(zip(toynet.FIG5["beta_sg"], ("tab:blue", "tab:orange", "tab:green"),
                      strict=True))
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.3), layout="constrained")
    _draw_outputs(axes[0], axes[1], data.arrays, colors)
    _draw_convergence(axes[2], data.numbers["loops"], colors)
    fig.suptitle(r"Fig. 5: surrogate gradients are not conservative (circle radius 1.8)")
    return fig
