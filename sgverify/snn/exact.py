"""Exact expectations over every spike history of a tiny stochastic LIF layer.

For ``N`` neurons over ``T`` steps there are ``2^(N T)`` spike histories ``h``. Each one is
replayed with its spikes forced (by the naive reference, :mod:`sgverify.snn.reference`), which
gives its probability ``P(h) = prod f(v)^s (1 - f(v))^(1 - s)`` and the surrogate gradient
``SG(h)`` of a loss that is linear in the spikes, ``L = sum a[n, j] S[n, j]``. From these:

* ``E[L]`` and (by Richardson-extrapolated central differences of this smooth function of
  the weights) the exact gradient ``dE[L]/dW``;
* ``E[SG]`` and ``Var[SG]``, the oracle for the Monte Carlo mean of the vectorised sampler.

Examples
--------
>>> import numpy as np
>>> from sgverify import escape, lif
>>> from sgverify.snn import exact
>>> prob = exact.TinyProblem(lif.LIF(reset="none"), escape.Sigmoid(5.0),
...                          w=np.array([[3.0, -1.0]]), x=np.array([[1, 0], [1, 1], [0, 1.]]),
...                          a=np.array([[1.0], [0.5], [2.0]]))
>>> res = exact.enumerate_histories(prob)
>>> round(float(res["prob"].sum()), 12)
1.0
>>> bool(np.allclose(res["mean_sg"], exact.exact_gradient(prob), atol=1e-9))
True
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np

from ..escape import EscapeNoise
from ..lif import LIF
from . import reference

__all__ = ["TinyProblem", "enumerate_histories", "exact_gradient", "expected_loss",
           "sampled_sg"]


@dataclass(frozen=True)
class TinyProblem:
    """One LIF layer (``w``: ``(N, n_in)``) on a fixed input ``x`` (``(T, n_in)``); ``L = sum a S``.

    ``surrogate`` defaults to the matched ``f'`` of ``escape``.
    """

    layer: LIF
    escape: EscapeNoise
    w: np.ndarray
    x: np.ndarray
    a: np.ndarray
    surrogate: EscapeNoise | None = None
    detach_reset: bool = False

    def __post_init__(self) -> None:
        T, N = self.x.shape[0], self.w.shape[0]
        if self.a.shape != (T, N):
            raise ValueError(f"a must have shape {(T, N)}, got {self.a.shape}")
        if T * N > 12:
            raise ValueError(f"T * N must be <= 12 for enumeration (4096 histories), got {T * N}")

    @property
    def sd(self) -> EscapeNoise:
        return self.surrogate if self.surrogate is not None else self.escape


def enumerate_histories(prob: TinyProblem) -> dict[str, np.ndarray | float]:
    """``P(h)``, ``L(h)`` and ``SG(h)`` for every history; ``E[L]``, ``E[SG]``, ``Var[SG]``."""
    T, N = prob.x.shape[0], prob.w.shape[0]
    c = prob.x @ prob.w.T
    probs, losses, sgs = [], [], []
    for s in _histories(T, N).transpose(1, 0, 2):
        tr = reference.layer_forward(c, prob.layer, prob.escape, "stochastic", spikes=s)
        p = prob.escape.cdf(tr["U"] - prob.layer.theta)
        probs.append(float(np.prod(np.where(s > 0, p, 1.0 - p))))
        losses.append(float(np.sum(prob.a * s)))
        gc = reference.layer_backward(tr, prob.layer, prob.sd, prob.a, None, prob.detach_reset)
        sgs.append(gc.T @ prob.x)  # dL/dW = sum_n gc[n] x[n]^T
    P = np.array(probs)
    G = np.array(sgs)
    mean_sg = np.tensordot(P, G, axes=1)
    var_sg = np.tensordot(P, (G - mean_sg) ** 2, axes=1)
    return {"prob": P, "loss": np.array(losses), "sg": G,
            "expected_loss": float(P @ np.array(losses)), "mean_sg": mean_sg, "var_sg": var_sg}


def _histories(T: int, N: int) -> np.ndarray:
    """Every spike history as ``(T, 2^(T N), N)``, time-major like the layer's arrays."""
    bits = np.array(list(itertools.product((0.0, 1.0), repeat=T * N)))
    return np.ascontiguousarray(bits.reshape(-1, T, N).transpose(1, 0, 2))


def expected_loss(prob: TinyProblem) -> float:
    """``E[L]`` by enumeration (a smooth function of the weights).

    Computed with the vectorised layer (every history is one batch entry, spikes forced),
    i.e. by code independent of the naive replay behind :func:`enumerate_histories`.
    """
    T, N = prob.x.shape[0], prob.w.shape[0]
    hist = _histories(T, N)
    c = np.broadcast_to((prob.x @ prob.w.T)[:, None, :], hist.shape)
    tr = prob.layer.run(c, prob.escape, "stochastic", spikes=hist)
    p = tr.probabilities(prob.escape)
    P = np.prod(np.where(hist > 0, p, 1.0 - p), axis=(0, 2))
    return float(P @ np.einsum("thn,tn->h", hist, prob.a))


def exact_gradient(prob: TinyProblem, h: float = 1e-3) -> np.ndarray:
    """``dE[L]/dW`` by Richardson-extrapolated central differences of the enumerated ``E[L]``.

    Central differences at steps ``h`` and ``h/2`` combined as ``(4 D(h/2) - D(h))/3`` have
    error ``O(h^4)``; ``E[L]`` is analytic in ``W`` for smooth escape noise.
    """
    def central(idx: tuple[int, ...], step: float) -> float:
        wp, wm = prob.w.copy(), prob.w.copy()
        wp[idx] += step
        wm[idx] -= step
        return (expected_loss(replace(prob, w=wp)) - expected_loss(replace(prob, w=wm))) / (
            2 * step)

    grad = np.zeros_like(prob.w)
    for idx in np.ndindex(prob.w.shape):
        grad[idx] = (4 * central(idx, h / 2) - central(idx, h)) / 3
    return grad


def sampled_sg(prob: TinyProblem, samples: int, rng: np.random.Generator) -> np.ndarray:
    """``samples`` SGs from the vectorised sampler and BPTT, shape ``(samples, N, n_in)``."""
    c = prob.x @ prob.w.T
    cb = np.broadcast_to(c[:, None, :], (c.shape[0], samples, c.shape[1]))
    tr = prob.layer.run(cb, prob.escape, "stochastic", rng)
    a = np.broadcast_to(prob.a[:, None, :], cb.shape)
    gc = prob.layer.backward(tr, prob.sd, grad_s=np.ascontiguousarray(a),
                             detach_reset=prob.detach_reset)
    return np.einsum("tsn,ti->sni", gc, prob.x)
