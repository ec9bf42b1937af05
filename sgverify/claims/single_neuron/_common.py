"""Shared pieces of the single-neuron claims: tolerances, points, pinned neurons."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from ... import escape, neuron
from ... import strategies as sst
from .._common import MC_WHY
from .._record import Tolerance

__all__ = [
    "FLOAT_TOL",
    "FLOAT_WHY",
    "LOSS_TOL",
    "MISMATCH_TOL",
    "PROOF",
    "RATE_TOL",
    "S5",
    "example",
    "neuron_points",
    "preactivation_of",
    "prob_points",
]

PROOF = "proofs/single_neuron.py"

FLOAT_WHY = (
    "float64 vs mpmath relative error <= 1e-9: rounding z = beta u costs eps z^2 <= 4e-13 "
    "relative in the worst density (Gaussian, |z| <= 40), rounding u = w.x adds n eps beta "
    "|w||x| (1 + |z|) <= 1e-11 for the drawn ranges; 1e-9 keeps a 100x margin"
)


def neuron_points(ctx: Any, *, families=None, n_max: int = 4) -> st.SearchStrategy:
    """(escape, w, x, theta) with |u| at most 40 widths of the escape noise.

    ``families`` defaults to every registered family with a density.
    """

    def build(esc: escape.EscapeNoise) -> st.SearchStrategy:
        width = esc.scale
        return st.integers(1, n_max).flatmap(
            lambda n: st.tuples(
                st.just(esc),
                sst.vectors(n, min_value=-2.0, max_value=2.0),
                sst.vectors(n, min_value=-2.0, max_value=2.0),
                st.floats(-40.0, 40.0).map(lambda t: t * width),
            ).map(lambda p: (p[0], p[1], p[2], float(p[1] @ p[2] - p[3])))
        )

    # theta is chosen so that u = w.x - theta lands at the drawn t * width
    return sst.escapes(families).flatmap(build)


def example(esc: escape.EscapeNoise, w, x, u: float) -> tuple:
    w, x = np.asarray(w, float), np.asarray(x, float)
    return (esc, w, x, float(w @ x - u))


def preactivation_of(point) -> float:
    _esc, w, x, theta = point
    return float(neuron.preactivation(w, x, theta))


def prob_points(ctx) -> st.SearchStrategy:
    return st.tuples(
        sst.escapes(),
        sst.probabilities(0.01, 0.99),
        st.floats(-2, 2).filter(lambda a: abs(a) > 1e-3),
        sst.seeds(),
    )


#: relative tolerance of float64 against mpmath for f'(u) x at |z| <= 40
FLOAT_TOL = Tolerance(1e-9, FLOAT_WHY)

#: the deterministic limit's rate accuracy
RATE_TOL = Tolerance(1e-6, "the fitted rate of log gap (and log variance) in beta must match "
                     "-|u| to 1e-6 relative: at beta |u| >= 20 the next term "
                     "log(1 + e^{-beta|u|}) changes the slope by < 1e-8")

#: single-neuron.mismatched-sg-differs: its bounds are derived at each point (the why says how)
MISMATCH_TOL = Tolerance(
            1.0,
            "the difference at u = 0 within 8 eps max(beta) |x| (a few "
            "roundings of beta/4-sized numbers); cosine and length ratio within "
            "16 eps (a dot product and two norms of a <= 4-vector)",
        )

#: single-neuron.nonlinear-loss-caveat: its bounds are derived at each point (the why says how)
LOSS_TOL = Tolerance(1.0, FLOAT_WHY + "; " + MC_WHY)

S5 = escape.Sigmoid(5.0)
