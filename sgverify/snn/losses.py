"""Losses with their hand-written gradients: max-over-time cross-entropy and van Rossum.

Arrays are time-major, ``(T, *batch, neurons)``. Each loss returns ``(value, gradient)`` with
the gradient of the same shape as its input, so BPTT can take it from there.

The van Rossum distance filters spike trains with the paper's kernel
``eps(t) = 0.2 (e^{-t/tau_mem} - e^{-t/tau_syn})`` (docs/theory.md §7), sampled at ``t = k dt``
(``eps(0) = 0``) and implemented as two exponential traces, and integrates the squared
difference: ``D^2 = (dt/tau_mem) sum_n sum_i ((eps * (s - t))[n, i])^2``; the ``dt/tau_mem``
factor makes ``D^2`` the usual time integral measured in units of ``tau_mem``.

Examples
--------
>>> import numpy as np
>>> from sgverify.snn import losses
>>> s = np.zeros((50, 1)); s[10] = 1.0
>>> t = np.zeros((50, 1)); t[12] = 1.0
>>> round(float(losses.van_rossum(s, t, dt=1e-3)), 6)
0.015117
>>> float(losses.van_rossum(s, s, dt=1e-3))
0.0
"""

from __future__ import annotations

import math

import numpy as np

from .._validate import positive

__all__ = [
    "EPS_SCALE",
    "filter_spikes",
    "max_over_time_cross_entropy",
    "van_rossum",
    "van_rossum_loss",
    "van_rossum_loss_and_distances",
]

#: amplitude of the paper's kernel eps(t) = 0.2 (e^{-t/tau_mem} - e^{-t/tau_syn})
EPS_SCALE = 0.2


def _decays(dt: float, tau_mem: float, tau_syn: float) -> tuple[float, float]:
    return (math.exp(-positive("dt", dt) / positive("tau_mem", tau_mem)),
            math.exp(-dt / positive("tau_syn", tau_syn)))


def filter_spikes(
    spikes: np.ndarray, dt: float = 1e-3, tau_mem: float = 10e-3, tau_syn: float = 5e-3,
    *, reverse: bool = False,
) -> np.ndarray:
    """Convolve along time (axis 0) with ``eps(k dt)``, ``k >= 0`` (``reverse``: the adjoint)."""
    a_m, a_s = _decays(dt, tau_mem, tau_syn)
    x = np.asarray(spikes, dtype=np.float64)
    if reverse:
        x = x[::-1]
    # eps(k dt) = 0.2 (a_m^k - a_s^k): the difference of two first-order recursive filters,
    # m[n] = a_m m[n-1] + x[n] and s[n] = a_s s[n-1] + x[n], run over time as whole-array steps
    y = np.empty(x.shape)
    m = np.zeros(x.shape[1:])
    s = np.zeros(x.shape[1:])
    for n in range(x.shape[0]):
        m *= a_m
        m += x[n]
        s *= a_s
        s += x[n]
        np.subtract(m, s, out=y[n])
    y *= EPS_SCALE
    return y[::-1] if reverse else y


def van_rossum(
    spikes: np.ndarray, target: np.ndarray, dt: float = 1e-3, tau_mem: float = 10e-3,
    tau_syn: float = 5e-3,
) -> np.ndarray:
    """Van Rossum distance between ``spikes`` ``(T, ..., N)`` and ``target`` ``(T, N)``.

    Returns one distance per leading batch/trial index (summed over neurons and time).
    """
    _, diff = _filtered_difference(spikes, target, dt, tau_mem, tau_syn)
    return _distances(diff * diff, dt, tau_mem)


def _filtered_difference(spikes: np.ndarray, target: np.ndarray, dt: float, tau_mem: float,
                         tau_syn: float) -> tuple[np.ndarray, np.ndarray]:
    """``spikes`` as float64 and ``eps * (spikes - target)``, the target broadcast over the
    batch/trial axes."""
    s = np.asarray(spikes, dtype=np.float64)
    t = np.asarray(target, dtype=np.float64)
    if t.shape[0] != s.shape[0] or t.shape[-1] != s.shape[-1]:
        raise ValueError(f"target shape {t.shape} does not match spikes {s.shape} in T or N")
    t = t.reshape((t.shape[0],) + (1,) * (s.ndim - t.ndim) + t.shape[1:])
    return s, filter_spikes(s - t, dt, tau_mem, tau_syn)


def _distances(squares: np.ndarray, dt: float, tau_mem: float) -> np.ndarray:
    """One distance per batch/trial index from the squared filtered difference."""
    return np.sqrt((dt / tau_mem) * np.sum(squares, axis=(0, -1)))


def van_rossum_loss(
    spikes: np.ndarray, target: np.ndarray, dt: float = 1e-3, tau_mem: float = 10e-3,
    tau_syn: float = 5e-3,
) -> tuple[float, np.ndarray]:
    """Mean over trials/batch of ``D^2`` and its gradient with respect to ``spikes``."""
    loss, grad, _ = van_rossum_loss_and_distances(spikes, target, dt, tau_mem, tau_syn)
    return loss, grad


def van_rossum_loss_and_distances(
    spikes: np.ndarray, target: np.ndarray, dt: float = 1e-3, tau_mem: float = 10e-3,
    tau_syn: float = 5e-3,
) -> tuple[float, np.ndarray, np.ndarray]:
    """:func:`van_rossum_loss` and :func:`van_rossum` from one filtering of ``spikes - target``
    (the same values as the two calls; a training update needs both).

    >>> import numpy as np
    >>> s = np.zeros((50, 2, 1)); s[10, 0] = 1.0
    >>> t = np.zeros((50, 1)); t[12] = 1.0
    >>> loss, grad, d = van_rossum_loss_and_distances(s, t)
    >>> loss2, grad2 = van_rossum_loss(s, t)
    >>> loss == loss2, bool((grad == grad2).all()), bool((d == van_rossum(s, t)).all())
    (True, True, True)
    """
    s, diff = _filtered_difference(spikes, target, dt, tau_mem, tau_syn)
    n_traj = max(1, int(np.prod(s.shape[1:-1])))
    scale = (dt / tau_mem) / n_traj
    squares = diff * diff
    loss = scale * float(np.sum(squares))
    grad = filter_spikes(2.0 * scale * diff, dt, tau_mem, tau_syn, reverse=True)
    return loss, grad, _distances(squares, dt, tau_mem)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    """``log softmax`` over the last axis, as ``scipy.special.log_softmax`` computes it (max
    shifted, a non-finite max replaced by 0), without its array-API dispatch (~40 us a call,
    most of the loss's time at a training batch's size)."""
    x_max = np.max(x, axis=-1, keepdims=True)
    x_max[~np.isfinite(x_max)] = 0
    tmp = x - x_max
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(tmp), axis=-1, keepdims=True))
    return tmp - out


def max_over_time_cross_entropy(
    potentials: np.ndarray, labels: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Cross-entropy of the softmax of ``max_n U[n]`` (readout potentials ``(T, ..., C)``).

    ``labels`` has the shape of the middle axes (or broadcasts to it, e.g. ``(B,)`` for
    ``(T, K, B, C)``). Returns ``(mean loss, gradient wrt potentials, logits)``; the gradient
    flows to the time of the maximum only.
    """
    u = np.asarray(potentials, dtype=np.float64)
    lab = np.broadcast_to(np.asarray(labels), u.shape[1:-1])
    if u.ndim < 2:
        raise ValueError(f"potentials must have shape (T, ..., classes), got {u.shape}")
    if lab.size and (lab.min() < 0 or lab.max() >= u.shape[-1]):
        raise ValueError(f"labels must lie in [0, {u.shape[-1]}), got range "
                         f"[{lab.min()}, {lab.max()}]")
    arg = np.argmax(u, axis=0)
    # the maxima's flat indices in u (take/put_along_axis build index grids each call)
    where = arg.reshape(-1) * arg.size + np.arange(arg.size)
    logits = u.reshape(-1)[where].reshape(arg.shape)
    logp = _log_softmax(logits)
    n = max(1, lab.size)
    # the label's entry of each row, by flat index
    at = np.arange(lab.size) * logp.shape[-1] + lab.reshape(-1)
    loss = -float(np.sum(logp.reshape(-1)[at].reshape(lab.shape))) / n
    g_logits = np.exp(logp)
    flat = g_logits.reshape(-1)
    flat[at] = flat[at] - 1.0
    g_logits /= n
    grad = np.zeros(u.shape)
    grad.reshape(-1)[where] = g_logits.reshape(-1)
    return loss, grad, logits
