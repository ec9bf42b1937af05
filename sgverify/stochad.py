"""Stochastic automatic differentiation for Bernoulli spikes (Arya et al. 2022; THEORY.md §4).

A stochastic derivative of ``X(p)`` is a triple ``(delta, weight, Y)`` with
``d/dp E[X(p)] = E[delta + weight (Y - X)]``. For ``X = [U < p]`` (coupling by inversion)
``delta = 0`` and

* right derivative: ``X = 0`` jumps to ``Y = 1`` with weight ``1/(1 - p)``;
* left derivative: ``X = 1`` jumps to ``Y = 0`` with weight ``-1/p`` (magnitude ``1/p``; the
  sign records that the jump happens when ``p`` *decreases*), so ``weight (Y - X) = 1/p``.

*Smoothing* replaces the jump by its conditional expectation so the ordinary chain rule
applies. Per unit change of ``p``:

* ``"input"``: conditioned on the node's input, ``E[weight (Y - X) | u] = 1`` (times ``f'(u)``
  this is the matched surrogate derivative);
* ``"output"``: conditioned on the node's own output, the two-sided
  ``1/2 [(1 - X)/(1 - p) + X/p]``;
* ``"straight-through"``: ``1`` for both outcomes.

Examples
--------
>>> import numpy as np
>>> from sgverify import stochad
>>> t = stochad.bernoulli_triple(0.25, np.array([0.1, 0.9]), side="right")
>>> t.x, t.weight, t.y
(array([1., 0.]), array([0.        , 1.33333333]), array([1., 1.]))
>>> t.estimate
array([0.        , 1.33333333])
>>> stochad.exact_moments("right", 0.25)
(1.0, 0.333333...)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from . import symbols as S
from ._validate import as_array

__all__ = [
    "SIDES",
    "SMOOTHINGS",
    "Triple",
    "bernoulli_triple",
    "exact_moments",
    "exact_moments_expr",
    "smoothed",
]

Side = Literal["right", "left"]
Smoothing = Literal["input", "output", "straight-through"]
SIDES: tuple[Side, ...] = ("right", "left")
SMOOTHINGS: tuple[Smoothing, ...] = ("input", "output", "straight-through")


@dataclass(frozen=True)
class Triple:
    """A stochastic derivative ``(delta, weight, y)`` of the sample ``x`` (arrays, same shape)."""

    x: np.ndarray
    delta: np.ndarray
    weight: np.ndarray
    y: np.ndarray

    @property
    def estimate(self) -> np.ndarray:
        """The single-sample derivative estimate ``delta + weight (y - x)``."""
        return self.delta + self.weight * (self.y - self.x)


def _prob(p: ArrayLike, *, open_interval: bool = True) -> np.ndarray:
    p = as_array("p", p)
    if open_interval and not np.all((p > 0) & (p < 1)):
        raise ValueError("p must lie strictly between 0 and 1 (the jump weights are 1/p, 1/(1-p))")
    return p


def bernoulli_triple(p: ArrayLike, uniform: ArrayLike, side: Side = "right") -> Triple:
    """Stochastic derivative of ``X = [U < p]`` with respect to ``p``.

    Parameters
    ----------
    p
        Firing probabilities in (0, 1).
    uniform
        The coupling variables ``U`` in [0, 1), broadcast against ``p``.
    side
        ``"right"`` or ``"left"``.
    """
    p = _prob(p)
    uniform = as_array("uniform", uniform)
    if np.any((uniform < 0) | (uniform >= 1)):
        raise ValueError("uniform must lie in [0, 1)")
    p, uniform = np.broadcast_arrays(p, uniform)
    x = (uniform < p).astype(np.float64)
    if side == "right":
        weight, y = (1.0 - x) / (1.0 - p), np.ones_like(p)
    elif side == "left":
        weight, y = -x / p, np.zeros_like(p)
    else:
        raise ValueError(f"side must be 'right' or 'left', got {side!r}")
    return Triple(x=x, delta=np.zeros_like(p), weight=weight, y=y)


def smoothed(x: ArrayLike, p: ArrayLike, strategy: Smoothing = "input") -> np.ndarray:
    """Smoothed stochastic derivative per unit ``p`` of a sampled spike ``x`` in {0, 1}.

    Multiply by ``f'(u)`` (and by the input) for the derivative with respect to a weight.
    """
    x = as_array("x", x)
    if not np.all((x == 0) | (x == 1)):
        raise ValueError("x must hold sampled spikes, 0 or 1")
    p = _prob(p, open_interval=strategy == "output")
    x, p = np.broadcast_arrays(x, p)
    if strategy in ("input", "straight-through"):
        # both are 1 for either outcome; they differ only in what they condition on
        return np.ones_like(p)
    if strategy == "output":
        return 0.5 * ((1.0 - x) / (1.0 - p) + x / p)
    raise ValueError(f"strategy must be one of {SMOOTHINGS}, got {strategy!r}")


def exact_moments(estimator: str, p: float) -> tuple[float, float]:
    """Exact mean and variance, per unit ``p``, of a single-sample estimator at ``p``.

    ``estimator`` is ``"right"``, ``"left"``, or one of :data:`SMOOTHINGS`.
    Computed by summing over the two outcomes ``X in {0, 1}``.
    """
    p = float(_prob(p))
    if estimator in SIDES:
        est = bernoulli_triple(p, np.array([0.5 * p, 0.5 * (1 + p)]), side=estimator).estimate
    elif estimator in SMOOTHINGS:
        est = smoothed(np.array([1.0, 0.0]), p, estimator)
    else:
        raise ValueError(f"estimator must be one of {SIDES + SMOOTHINGS}, got {estimator!r}")
    prob = np.array([p, 1.0 - p])  # outcome X = 1 then X = 0 (U below / above p)
    mean = float(prob @ est)
    return mean, float(prob @ (est - mean) ** 2)


def exact_moments_expr(estimator: str) -> tuple[sp.Expr, sp.Expr]:
    """SymPy mean and variance of an estimator as functions of ``p`` (independent derivation)."""
    p = S.p
    per_outcome = {  # estimate when X = 1, when X = 0
        "right": (sp.Integer(0), 1 / (1 - p)),
        "left": (1 / p, sp.Integer(0)),
        "input": (sp.Integer(1), sp.Integer(1)),
        "output": (1 / (2 * p), 1 / (2 * (1 - p))),
        "straight-through": (sp.Integer(1), sp.Integer(1)),
    }
    if estimator not in per_outcome:
        raise ValueError(f"estimator must be one of {tuple(per_outcome)}, got {estimator!r}")
    e1, e0 = per_outcome[estimator]
    mean = sp.simplify(p * e1 + (1 - p) * e0)
    var = sp.simplify(p * (e1 - mean) ** 2 + (1 - p) * (e0 - mean) ** 2)
    return mean, var
