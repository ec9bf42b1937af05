"""Exact expectations by enumerating every spike pattern (vectorised over patterns).

Part of :mod:`sgverify.network`; see its docstring for the conventions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._gradient import Gradient
from ._model import (
    MLP,
    Loss,
    Pass,
    _surrogates,
    as_input,
    as_mlp,
    backward,
    checked_preactivation,
)

__all__ = [
    "MAX_ENUMERATED",
    "expected_output",
    "expected_output_gradient",
    "expected_surrogate_gradient",
    "surrogate_gradient_variance",
]

#: the most binary units the exact enumeration will visit (2^24 patterns)
MAX_ENUMERATED = 24
_CHUNK = 1 << 15  # patterns per chunk: keeps the (chunk, n) work arrays in cache-sized pieces


# --- exact enumeration -----------------------------------------------------------------------

def _check_size(n: int) -> None:
    if n > MAX_ENUMERATED:
        raise ValueError(f"net has {n} binary units to enumerate; the exact enumeration "
                         f"handles at most {MAX_ENUMERATED}")


def loss_values(loss: Loss, y: np.ndarray) -> np.ndarray:
    """``loss`` applied to output patterns ``y`` (n, n_L): n finite values, else ValueError."""
    val = np.asarray(loss(y), dtype=np.float64)
    if val.shape != y.shape[:1] or not np.all(np.isfinite(val)):
        raise ValueError(f"loss must map output patterns of shape {y.shape} to finite values "
                         f"of shape {y.shape[:1]}")
    return val


def enumerate_patterns(net: MLP, x: np.ndarray, *, loss: Loss | None = None, grad: bool = False,
               sds: Sequence[Callable] | None = None) -> dict[str, Any]:
    """The exact sum over every spike pattern of the enumerated layers (vectorised chunks).

    Returns a dict with ``value`` (``E[y]`` or ``E[L]``) and, with ``grad``, ``grad`` (its
    exact gradient); with ``sds`` (one SD per layer), ``sg`` and ``sg2`` (the expected
    surrogate gradient and its second moment).

    Without a loss the hidden layers are enumerated and the output enters through
    ``q(h) = sum_k f(u_Lk)``; with a loss the output layer is enumerated too.
    ``dP(h)/du_i = f'(u_i) (2 h_i - 1) prod_{m != i} F_m`` uses prefix/suffix products, so
    saturated factors (exact zeros) need no division.
    """
    n_enum_layers = net.depth if loss is not None else net.depth - 1
    sizes = net.sizes[1:1 + n_enum_layers]
    n = sum(sizes)
    _check_size(n)
    total = 1 << n
    shifts = np.arange(n, dtype=np.int64)
    acc: dict[str, Any] = {"value": 0.0, "prob": 0.0}
    zero = [(np.zeros_like(w), np.zeros_like(b))
            for w, b in zip(net.weights, net.biases, strict=True)]
    if grad:
        acc["grad"] = [(a.copy(), b.copy()) for a, b in zero]
    if sds is not None:
        acc["sg"] = [(a.copy(), b.copy()) for a, b in zero]
        acc["sg2"] = [(a.copy(), b.copy()) for a, b in zero]
    for start in range(0, total, _CHUNK):
        idx = np.arange(start, min(total, start + _CHUNK), dtype=np.int64)
        c = idx.shape[0]
        bits = ((idx[:, None] >> shifts) & 1).astype(np.float64)
        hs, us, fac, dfac = [np.broadcast_to(x, (c, x.shape[0]))], [], [], []
        off = 0
        for k, m in enumerate(sizes):
            with np.errstate(over="ignore", invalid="ignore"):
                u = checked_preactivation(hs[-1] @ net.weights[k].T + net.biases[k], k)
            p = net.escapes[k].cdf(u)
            h = bits[:, off:off + m]
            off += m
            fac.append(np.where(h > 0, p, 1.0 - p))
            if grad:
                dfac.append(net.escapes[k].pdf(u) * (2.0 * h - 1.0))
            us.append(u)
            hs.append(h)
        if n:
            f = np.concatenate(fac, axis=1)
            pre = np.cumprod(np.concatenate([np.ones((c, 1)), f[:, :-1]], axis=1), axis=1)
            prob = pre[:, -1] * f[:, -1]
        else:
            prob = np.ones(c)
        if loss is None:
            with np.errstate(over="ignore", invalid="ignore"):
                u_out = checked_preactivation(hs[-1] @ net.weights[-1].T + net.biases[-1],
                                              net.depth - 1)
            us.append(u_out)
            q = net.escapes[-1].cdf(u_out).sum(axis=1)
            hs.append(np.zeros_like(u_out))  # placeholder: the SG does not read the output
        else:
            q = loss_values(loss, hs[-1])
        acc["value"] += float(prob @ q)
        acc["prob"] += float(prob.sum())
        if grad:
            if n:
                suf = np.cumprod(np.concatenate([np.ones((c, 1)), f[:, :0:-1]], axis=1),
                                 axis=1)[:, ::-1]
                g_all = pre * suf * np.concatenate(dfac, axis=1) * q[:, None]
                off = 0
                for k, m in enumerate(sizes):
                    gk = g_all[:, off:off + m]
                    off += m
                    acc["grad"][k][0][...] += gk.T @ hs[k]
                    acc["grad"][k][1][...] += gk.sum(axis=0)
            if loss is None:
                d = net.escapes[-1].pdf(us[-1]) * prob[:, None]
                acc["grad"][-1][0][...] += d.T @ hs[-2]
                acc["grad"][-1][1][...] += d.sum(axis=0)
        if sds is not None:
            fp = Pass(tuple(us), tuple(hs))
            g = np.ones((c, net.sizes[-1]))
            for key, sq in (("sg", False), ("sg2", True)):
                for (aw, ab), (w, b) in zip(acc[key], backward(net, fp, sds, g, prob, sq),
                                               strict=True):
                    aw += w
                    ab += b
    return acc


def _shallow(net: MLP, x: np.ndarray) -> dict[str, Any]:
    """One hidden layer, summed outputs: the hidden units are independent given ``x``.

    ``P(h)`` is a Kronecker product and ``u_L(h)`` a Kronecker sum, both built in ``O(2^n)``;
    pattern index ``sum_i h_i 2^i`` makes unit ``i`` the middle axis of a
    ``(2^(n-1-i), 2, 2^i)`` view, so ``dE/du_i = f'(u_i) sum_h P(h) [q(h_i=1) - q(h_i=0)]``
    and the output-layer sums are strided reductions (no pattern matrix is formed).
    """
    w1, w2 = net.weights
    n = w1.shape[0]
    _check_size(n)
    with np.errstate(over="ignore", invalid="ignore"):
        u1 = checked_preactivation(w1 @ x + net.biases[0], 0)
    p, dp = net.escapes[0].cdf(u1), net.escapes[0].pdf(u1)
    prob, u_out = np.ones(1), net.biases[1][None, :]
    for i in range(n):
        prob = np.concatenate([prob * (1.0 - p[i]), prob * p[i]])
        with np.errstate(over="ignore", invalid="ignore"):
            u_out = np.concatenate([u_out, u_out + w2[:, i]])
    u_out = checked_preactivation(u_out, 1)
    q = net.escapes[1].cdf(u_out)
    qs = q.sum(axis=1)
    d = prob[:, None] * net.escapes[1].pdf(u_out)
    dw2 = np.empty_like(w2)
    de_du = np.empty(n)
    for i in range(n):
        shape = (1 << (n - 1 - i), 2, 1 << i)
        qv, pv = qs.reshape(shape), prob.reshape(shape)
        de_du[i] = np.sum((pv[:, 0] + pv[:, 1]) * (qv[:, 1] - qv[:, 0]))
        dw2[:, i] = d.reshape(*shape, -1)[:, 1].sum(axis=(0, 1))
    grad = [(de_du[:, None] * dp[:, None] * x[None, :], de_du * dp), (dw2, d.sum(axis=0))]
    return {"value": float(prob @ qs), "prob": float(prob.sum()), "grad": grad}


def expected_output(net: MLP, x: ArrayLike, loss: Loss | None = None) -> float:
    """Exact ``E[y]`` (summed outputs), or ``E[L(y)]``, by enumerating every spike pattern.

    ``loss`` maps output patterns of shape ``(m, n_out)`` (0/1 floats) to ``m`` values.
    """
    net = as_mlp(net)
    if net.depth == 2 and loss is None:
        return _shallow(net, as_input(net, x))["value"]
    return enumerate_patterns(net, as_input(net, x), loss=loss)["value"]


def expected_output_gradient(net: MLP, x: ArrayLike, loss: Loss | None = None) -> Gradient:
    """Exact ``dE[y]/dW_l, dE[y]/db_l`` (or of ``E[L(y)]``) for every layer, by enumeration."""
    net = as_mlp(net)
    if net.depth == 2 and loss is None:
        return Gradient(_shallow(net, as_input(net, x))["grad"])
    return Gradient(enumerate_patterns(net, as_input(net, x), loss=loss, grad=True)["grad"])


def expected_surrogate_gradient(net: MLP, x: ArrayLike, *, surrogates: Any = None) -> Gradient:
    """Exact ``E[SG]`` over the stochastic forward pass, by enumerating hidden patterns.

    ``surrogates`` as in :func:`surrogate_gradient` (default: the matched densities).
    """
    net = as_mlp(net)
    return Gradient(enumerate_patterns(net, as_input(net, x),
                                       sds=_surrogates(net, surrogates))["sg"])


def surrogate_gradient_variance(net: MLP, x: ArrayLike, *, surrogates: Any = None) -> Gradient:
    """Exact per-sample variance of the SG estimator, entry by entry (by enumeration)."""
    net = as_mlp(net)
    acc = enumerate_patterns(net, as_input(net, x), sds=_surrogates(net, surrogates))
    return Gradient((w2 - w * w, b2 - b * b)
                    for (w, b), (w2, b2) in zip(acc["sg"], acc["sg2"], strict=True))
