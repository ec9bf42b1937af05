"""The single (stochastic) Perceptron: expected output, SPM gradient, surrogate gradient.

``u = w·x - theta``; the deterministic neuron fires ``H(u)``; the escape-noise neuron fires
``y ~ Bernoulli(f(u))``. Then ``E[y] = f(u)`` and ``dE[y]/dw = f'(u) x`` (docs/theory.md §§1, 3).
Weights may carry leading batch axes: ``w`` of shape ``(..., n)`` with ``x`` of shape ``(n,)``
evaluates many neurons at once.

Examples
--------
>>> import numpy as np
>>> from sgverify import escape, neuron
>>> f = escape.Sigmoid(beta=5.0)
>>> neuron.spm_gradient([0.3, -0.1], [1.0, 2.0], f).round(6)
array([1.175019, 2.350037])
>>> neuron.surrogate_gradient([0.3, -0.1], [1.0, 2.0], escape.Sigmoid(beta=5.0)).round(6)
array([1.175019, 2.350037])
>>> neuron.surrogate_gradient([0.3, -0.1], [1.0, 2.0], escape.Sigmoid(beta=1.0)).round(6)
array([0.249376, 0.498752])
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from . import symbols as S
from ._validate import as_array, finite_real, positive_int
from .escape import EscapeNoise

__all__ = [
    "expected_output",
    "expected_output_expr",
    "preactivation",
    "sample",
    "spm_gradient",
    "spm_gradient_expr",
    "surrogate_gradient",
    "surrogate_gradient_expr",
]

SurrogateLike = EscapeNoise | Callable[[np.ndarray], np.ndarray]


def _escape(name: str, value: object) -> EscapeNoise:
    if not isinstance(value, EscapeNoise):
        raise ValueError(
            f"{name} must be an escape-noise family from sgverify.escape, got {value!r}"
        )
    return value


def _wx(w: ArrayLike, x: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    w = as_array("w", w)
    x = as_array("x", x)
    if w.ndim == 0 and x.ndim == 0:
        return w[None], x[None]
    if x.ndim == 0:
        x = x[None]
    if w.ndim == 0:
        w = w[None]
    if x.ndim != 1:
        raise ValueError(f"x must be a scalar or a 1-d input vector, got shape {x.shape}")
    if w.shape[-1] != x.shape[0]:
        raise ValueError(f"w has {w.shape[-1]} inputs along its last axis but x has {x.shape[0]}")
    return w, x


def _shape_like_w(w_in: ArrayLike, grad: np.ndarray) -> np.ndarray:
    return grad.reshape(np.shape(w_in)) if np.ndim(w_in) == 0 else grad


def preactivation(w: ArrayLike, x: ArrayLike, theta: float = 0.0) -> np.ndarray:
    """``u = w·x - theta`` (over the last axis of ``w``)."""
    w_, x_ = _wx(w, x)
    return w_ @ x_ - finite_real("theta", theta)


def expected_output(
    w: ArrayLike, x: ArrayLike, escape: EscapeNoise, theta: float = 0.0
) -> np.ndarray:
    """``E[y] = f(u)`` for ``y ~ Bernoulli(f(w·x - theta))``."""
    return _escape("escape", escape).cdf(preactivation(w, x, theta))


def spm_gradient(w: ArrayLike, x: ArrayLike, escape: EscapeNoise, theta: float = 0.0) -> np.ndarray:
    """The SPM gradient ``dE[y]/dw = f'(u) x``, same shape as ``w``."""
    esc = _escape("escape", escape)
    w_, x_ = _wx(w, x)
    u = w_ @ x_ - finite_real("theta", theta)
    return _shape_like_w(w, esc.pdf(u)[..., None] * x_)


def surrogate_gradient(
    w: ArrayLike, x: ArrayLike, surrogate: SurrogateLike, theta: float = 0.0
) -> np.ndarray:
    """The surrogate gradient ``SD(u) x`` (docs/theory.md §1).

    Parameters
    ----------
    surrogate
        An escape family (its density is the SD) or a callable ``SD(u)`` that maps an
        array of potentials to an array of the same shape.
    """
    w_, x_ = _wx(w, x)
    u = w_ @ x_ - finite_real("theta", theta)
    if isinstance(surrogate, EscapeNoise):
        sd = surrogate.pdf(u)
    elif callable(surrogate):
        sd = np.asarray(surrogate(u), dtype=np.float64)
        if sd.shape != np.shape(u) and sd.size != 1:
            raise ValueError(f"surrogate returned shape {sd.shape}, expected {np.shape(u)}")
        if not np.all(np.isfinite(sd)):
            raise ValueError("surrogate returned a non-finite value")
    else:
        raise ValueError(f"surrogate must be an escape family or a callable, got {surrogate!r}")
    return _shape_like_w(w, np.broadcast_to(sd, np.shape(u))[..., None] * x_)


def sample(
    w: ArrayLike,
    x: ArrayLike,
    escape: EscapeNoise,
    rng: np.random.Generator,
    samples: int,
    theta: float = 0.0,
) -> np.ndarray:
    """``samples`` independent outputs of the stochastic neuron, shape ``(samples, *u.shape)``."""
    u = preactivation(w, x, theta)
    n = positive_int("samples", samples)
    return _escape("escape", escape).sample(np.broadcast_to(u, (n, *np.shape(u))), rng)


# --- SymPy twins (generic escape function f) -----------------------------------------------


def expected_output_expr(f: sp.Function = S.f) -> sp.Expr:
    """``E[y]`` of a one-input neuron, derived as ``sum_y y P(y)`` for ``y in {0, 1}``."""
    p = f(S.w * S.x - S.theta)
    return sum(y * (p if y else 1 - p) for y in (0, 1))


def spm_gradient_expr(f: sp.Function = S.f) -> sp.Expr:
    """``dE[y]/dw`` for a generic ``f``, by differentiating :func:`expected_output_expr`."""
    return sp.diff(expected_output_expr(f), S.w)


def surrogate_gradient_expr(sd: Callable[[sp.Expr], sp.Expr]) -> sp.Expr:
    """The SG ``SD(u) x`` at ``u = w x - theta`` for a surrogate ``sd`` given as a function."""
    return sd(S.w * S.x - S.theta) * S.x
