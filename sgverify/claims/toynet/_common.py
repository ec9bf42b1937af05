"""Shared parameters and float64 bounds of the toy-network claims: the paper's figure
settings, the rounding bounds of a zero of SG_w and of a loop sum, the SymPy gradient
identity.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from scipy.special import expit, logit

from ... import paths, toynet
from ... import strategies as sst
from ... import symbols as S
from .._common import EPS

__all__ = [
    "B4",
    "P4B",
    "P4C",
    "P5",
    "PROOF",
    "SPACING",
    "W_HI",
    "W_LO",
    "_ROUND_WHY",
    "_beta_sg_points",
    "_cond",
    "_gradient_identity",
    "_loop_rounding",
    "_on_scan",
    "_simplified_difference",
    "_theta4b",
    "_zero_bound",
]


PROOF = "proofs/toynet.py"
P4B, P4C, P5 = toynet.FIG4B, toynet.FIG4C, toynet.FIG5
B4 = P4B["beta"]
W_LO, W_HI = P4B["w_range"]
SPACING = (W_HI - W_LO) / (P4B["points"] - 1)


def _cond(beta: float, x: float, theta: np.ndarray) -> float:
    """First-order amplification of input rounding by the sigmoids: 1 + beta |z|_max."""
    return 1.0 + beta * (1.0 + abs(x)) * (1.0 + float(np.max(np.abs(theta))))


_ROUND_WHY = (
    "float64 rounding bound 64 eps cond |scale|: cond = 1 + beta (1 + |x|)(1 + |theta|_max) is "
    "the first-order amplification of a relative rounding of a pre-activation by sigma_beta, "
    "|scale| the sum of the absolute values of the terms (hand-written 'magnitude' form); 64 "
    "covers the ~30 roundings along the longest chain of factors (measured worst over 200 "
    "random points: 0.56 eps cond |scale|)"
)


def _theta4b(w: float) -> np.ndarray:
    return np.array([w, P4B["v1"], P4B["v2"], P4B["u1"], P4B["u2"]])


def _zero_bound(beta: float, beta_sg: float, w0: float) -> float:
    """How far float64 can move a zero ``w0`` of SG_w (forward ``beta``), numeric or closed form.

    ``SG_w = Q * Sigma`` with ``Q = SD(s) SD(w x) x > 0`` and the cancelling sum
    ``Sigma = u1 v1 SD(v1 g) + u2 v2 SD(v2 g)``: rounding ``Sigma`` (8 eps of its terms' scale)
    moves the zero by that over ``|Sigma'| = |SG_w'| / Q``. The closed form
    ``logit(g*) / (beta x)`` adds its own rounding, amplified by ``1 / (1 - g*)``.
    """
    x = P4B["x"]
    th = _theta4b(w0)
    g = float(expit(beta * w0 * x))
    terms = th[1:3] * th[3:5] * toynet.sigmoid_derivative(th[1:3] * g, beta_sg)
    s = float(np.sum(th[3:5] * expit(beta * th[1:3] * g)))
    q = float(np.prod(toynet.sigmoid_derivative(np.array([s, w0 * x]), beta_sg))) * abs(x)
    h = 1e-4 / max(beta, beta_sg)
    e = np.array([h, 0, 0, 0, 0])
    slope = abs(toynet.sg_field(th + e, x, beta, beta_sg)[0]
                - toynet.sg_field(th - e, x, beta, beta_sg)[0]) / (2 * h)
    numeric = 8 * EPS * float(np.sum(np.abs(terms))) * q / max(slope, 1e-300)
    closed = 8 * EPS * (1 + 1 / max(1 - g, 1e-300) + abs(float(logit(g)))) / (beta * x)
    return numeric + closed + 4 * EPS * abs(w0) + 1e-16


def _on_scan(w: float | None, none_at: float) -> float:
    """A closed-form zero clamped to the scan; None (SG_w < 0 everywhere) maps to ``none_at``."""
    if w is None:
        return none_at
    return min(max(w, W_LO), W_HI)


def _beta_sg_points(lo: float, hi: float) -> st.SearchStrategy[float]:
    return sst.betas(lo, hi).filter(lambda bs: abs(math.log(bs / B4)) >= 0.05)


def _simplified_difference(expr: sp.Expr) -> sp.Expr:
    """``expr`` simplified, with a fast exact path for differences that vanish.

    Every ``exp(.)`` atom is replaced, innermost first, by a fresh symbol; if the resulting
    rational function cancels to 0, so does ``expr`` (the substitution is a ring
    homomorphism). That takes ~0.05 s where ``sp.simplify`` takes ~0.5-3 s on these nested
    sigmoids; anything else still goes through ``sp.simplify`` (the same result as before).
    """
    e = expr
    while atoms := e.atoms(sp.exp):
        inner = min(atoms, key=sp.count_ops)
        e = e.xreplace({inner: sp.Dummy()})
    if sp.cancel(sp.together(e)) == 0:
        return sp.Integer(0)
    return sp.simplify(expr)


@functools.lru_cache(maxsize=1)
def _gradient_identity() -> dict[str, str]:
    """SymPy: the SG field at beta_SG = b is diff(y, theta), component by component."""
    y = toynet.output_expr(S.beta, S.x)
    Fb = toynet.sg_field_expr(S.beta, S.beta, S.x)
    return {p: str(_simplified_difference(sp.diff(y, t) - Fb[i]))
            for i, (p, t) in enumerate(zip(toynet.PARAMS, toynet.THETA, strict=True))}


def _loop_rounding(beta: float, x: float, circle: paths.Circle, magnitude: float) -> float:
    """Rounding floor of a trapezoid loop sum: 64 eps cond (2 pi/N) sum |F . theta'|."""
    reach = float(np.abs(circle.centre).max()) + circle.radius
    return 64 * EPS * (1 + beta * (1 + abs(x)) * (1 + reach)) * magnitude
