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
from ._validate import (
    ArgumentTypeError,
    allocation,
    as_array,
    finite_real,
    finite_result,
    short_repr,
)
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
        raise ArgumentTypeError(f"{name} must be an escape-noise family from sgverify.escape "
                                f"(e.g. escape.Sigmoid(5.0)), got {short_repr(value)}")
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


def _u(w_: np.ndarray, x_: np.ndarray, theta: float) -> np.ndarray:
    theta = finite_real("theta", theta)
    with np.errstate(over="ignore", invalid="ignore"):
        u = w_ @ x_ - theta
    return finite_result("the pre-activation w·x - theta", u, "w, x and theta")


def _gradient(grad: np.ndarray, what: str) -> np.ndarray:
    return finite_result(what, grad, "w and x")


def preactivation(w: ArrayLike, x: ArrayLike, theta: float = 0.0) -> np.ndarray:
    """``u = w·x - theta`` (over the last axis of ``w``); an error if it overflows float64."""
    w_, x_ = _wx(w, x)
    return _u(w_, x_, theta)


def expected_output(
    w: ArrayLike, x: ArrayLike, escape: EscapeNoise, theta: float = 0.0
) -> np.ndarray:
    """``E[y] = f(u)`` for ``y ~ Bernoulli(f(w·x - theta))``."""
    return _escape("escape", escape).cdf(preactivation(w, x, theta))


def spm_gradient(w: ArrayLike, x: ArrayLike, escape: EscapeNoise, theta: float = 0.0) -> np.ndarray:
    """The SPM gradient ``dE[y]/dw = f'(u) x``, same shape as ``w``."""
    esc = _escape("escape", escape)
    w_, x_ = _wx(w, x)
    u = _u(w_, x_, theta)
    with np.errstate(over="ignore"):
        grad = esc.pdf(u)[..., None] * x_
    return _shape_like_w(w, _gradient(grad, "the SPM gradient f'(u) x"))


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
    u = _u(w_, x_, theta)
    if isinstance(surrogate, EscapeNoise):
        sd = surrogate.pdf(u)
    elif callable(surrogate):
        sd = np.asarray(surrogate(u), dtype=np.float64)
        if sd.shape != np.shape(u) and sd.size != 1:
            raise ValueError(f"surrogate returned shape {sd.shape}, expected {np.shape(u)}")
        if not np.all(np.isfinite(sd)):
            raise ValueError("surrogate returned a non-finite value")
    else:
        raise ArgumentTypeError(f"surrogate must be an escape family or a callable, got "
                                f"{short_repr(surrogate)}")
    with np.errstate(over="ignore"):
        grad = np.broadcast_to(sd, np.shape(u))[..., None] * x_
    return _shape_like_w(w, _gradient(grad, "the surrogate gradient SD(u) x"))


def sample(
    w: ArrayLike,
    x: ArrayLike,
    escape: EscapeNoise,
    rng: np.random.Generator,
    samples: int,
    theta: float = 0.0,
) -> np.ndarray:
    """``samples`` independent outputs of the stochastic neuron, shape ``(samples, *u.shape)``.

    A sample count whose work arrays would exceed :data:`sgverify._validate.MAX_BYTES` is
    refused before anything is allocated.
    """
    esc = _escape("escape", escape)
    u = preactivation(w, x, theta)
    # uniforms, probabilities and spikes: three float64 arrays of the output's shape
    n = allocation("samples", samples, 3 * 8 * max(np.size(u), 1))
    return esc.sample(np.broadcast_to(u, (n, *np.shape(u))), rng)


# --- SymPy twins ----------------------------------------------------------------------------

#: what the SymPy twins accept for the escape function: a family, or ``f(u)`` as a callable
#: (``sympy.Function``, ``sympy.Lambda`` or a Python function of one SymPy argument)
EscapeLike = EscapeNoise | Callable[[sp.Expr], sp.Expr]


def _as_function(name: str, f: object, which: str, symbolic: bool) -> Callable[[sp.Expr], sp.Expr]:
    if isinstance(f, EscapeNoise):
        method = f.cdf_expr if which == "cdf" else f.pdf_expr
        return lambda u: method(u, symbolic=symbolic)
    if callable(f):
        return f
    raise ArgumentTypeError(f"{name} must be an escape family (e.g. escape.Sigmoid(5)) or a "
                            f"function of u such as sympy.Function('f'), got {short_repr(f)}")


def expected_output_expr(f: EscapeLike = S.f, *, symbolic: bool = False) -> sp.Expr:
    """``E[y]`` of a one-input neuron, derived as ``sum_y y P(y)`` for ``y in {0, 1}``.

    ``f`` is an escape family (its :meth:`~sgverify.escape.EscapeNoise.cdf_expr`; with
    ``symbolic=True`` its parameters become symbols) or a generic function ``f(u)``.

    Examples
    --------
    >>> import sympy as sp
    >>> from sgverify import escape, neuron
    >>> neuron.expected_output_expr(escape.Sigmoid(sp.Integer(5)))
    1/(exp(5*theta - 5*w*x) + 1)
    >>> neuron.expected_output_expr()
    f(-theta + w*x)
    """
    p = _as_function("f", f, "cdf", symbolic)(S.w * S.x - S.theta)
    return sum(y * (p if y else 1 - p) for y in (0, 1))


def spm_gradient_expr(f: EscapeLike = S.f, *, symbolic: bool = False) -> sp.Expr:
    """``dE[y]/dw``, by differentiating :func:`expected_output_expr` (same arguments)."""
    return sp.diff(expected_output_expr(f, symbolic=symbolic), S.w)


def surrogate_gradient_expr(sd: EscapeLike, *, symbolic: bool = False) -> sp.Expr:
    """The SG ``SD(u) x`` at ``u = w x - theta``.

    ``sd`` is an escape family (its density is the SD) or a function of one SymPy argument.
    """
    return _as_function("sd", sd, "pdf", symbolic)(S.w * S.x - S.theta) * S.x
