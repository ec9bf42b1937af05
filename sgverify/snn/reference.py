"""A straightforward reference SNN: per-sample, per-step, per-neuron Python loops.

Written directly from the equations of docs/theory.md §1 with scalar arithmetic, independently of
the vectorised :mod:`sgverify.lif` / :mod:`sgverify.snn.network`. It is the oracle the
vectorised code is tested against (same uniforms give the same spikes; same spikes give the
same gradients) and the baseline of ``benchmarks/bench_snn.py``. Far too slow for training.

Examples
--------
>>> import numpy as np
>>> from sgverify import escape, lif
>>> from sgverify.snn import reference
>>> layer = lif.LIF()
>>> c = np.zeros((6, 1, 1)); c[0] = 12.0
>>> reference.layer_forward(c[:, 0], layer, escape.Sigmoid(10.0), "deterministic")["S"][:, 0]
array([0., 0., 1., 0., 1., 0.])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..escape import EscapeNoise
from ..lif import LIF

__all__ = ["layer_backward", "layer_forward", "network_forward_backward"]


def layer_forward(
    c: np.ndarray, layer: LIF, escape: EscapeNoise | None, mode: str,
    uniforms: np.ndarray | None = None, spikes: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """One layer, one sample: currents ``c`` ``(T, N)`` -> ``U, I, S`` ``(T, N)``."""
    T, N = c.shape
    a_m = math.exp(-layer.dt / layer.tau_mem)
    a_s = math.exp(-layer.dt / layer.tau_syn)
    U, I, S = np.zeros((T, N)), np.zeros((T, N)), np.zeros((T, N))
    for j in range(N):
        u = i = 0.0
        for n in range(T):
            U[n, j], I[n, j] = u, i
            v = u - layer.theta
            if escape is None:
                s = 0.0
            elif spikes is not None:
                s = float(spikes[n, j])
            elif mode == "deterministic":
                s = 1.0 if v > 0 else 0.0
            elif mode == "stochastic":
                s = 1.0 if float(escape.cdf(v)) > uniforms[n, j] else 0.0
            else:
                s = float(escape.cdf(v))
            S[n, j] = s
            if layer.reset == "decay" and escape is not None:
                u_next = a_m * u * (1.0 - s) + (1.0 - a_m) * i
            elif layer.reset == "full" and escape is not None:
                u_next = (a_m * u + (1.0 - a_m) * i) * (1.0 - s)
            else:
                u_next = a_m * u + (1.0 - a_m) * i
            i = a_s * i + c[n, j]
            u = u_next
    return {"U": U, "I": I, "S": S}


def layer_backward(
    tr: dict[str, np.ndarray], layer: LIF, sd: EscapeNoise | None,
    g_s: np.ndarray | None, g_u: np.ndarray | None, detach_reset: bool = False,
) -> np.ndarray:
    """BPTT through one layer and sample by scalar recursion: ``dL/dc`` ``(T, N)``."""
    U, I, S = tr["U"], tr["I"], tr["S"]
    T, N = U.shape
    a_m = math.exp(-layer.dt / layer.tau_mem)
    a_s = math.exp(-layer.dt / layer.tau_syn)
    spiking = sd is not None
    # the density of one scalar at a time, as sd.pdf computes it (the same hook on the same
    # 0-d float64 array) without its per-call validation and error-state switching, which
    # were two thirds of this loop's time; a family whose output is checked keeps sd.pdf
    density = sd._pdf if spiking and sd._trusted else (sd.pdf if spiking else None)
    gc = np.zeros((T, N))
    with np.errstate(over="ignore"):  # as in sd.pdf: beta v may overflow to its limit
        _bptt(U, I, S, layer, a_m, a_s, density, g_s, g_u, detach_reset, gc)
    return gc


def _bptt(U, I, S, layer, a_m, a_s, density, g_s, g_u, detach_reset, gc) -> None:
    T, N = U.shape
    spiking = density is not None
    for j in range(N):
        gu_next = gi_next = 0.0
        for n in range(T - 1, -1, -1):
            gc[n, j] = gi_next
            s = S[n, j]
            gs = g_s[n, j] if g_s is not None else 0.0
            # U[n+1] as a function of U[n], S[n], I[n]:
            if layer.reset == "decay" and spiking:
                dnext_du, dnext_ds, dnext_di = a_m * (1 - s), -a_m * U[n, j], 1 - a_m
            elif layer.reset == "full" and spiking:
                dnext_du = a_m * (1 - s)
                dnext_ds = -(a_m * U[n, j] + (1 - a_m) * I[n, j])
                dnext_di = (1 - a_m) * (1 - s)
            else:
                dnext_du, dnext_ds, dnext_di = a_m, 0.0, 1 - a_m
            if not detach_reset:
                gs += dnext_ds * gu_next
            gu = dnext_du * gu_next + (g_u[n, j] if g_u is not None else 0.0)
            if spiking:
                gu += float(density(np.asarray(U[n, j] - layer.theta))) * gs
            gi = a_s * gi_next + dnext_di * gu_next
            gu_next, gi_next = gu, gi


def network_forward_backward(
    params: dict[str, np.ndarray], x: np.ndarray, hidden: LIF, output: LIF,
    esc_h: EscapeNoise, esc_o: EscapeNoise | None, mode: str,
    uniforms_h: np.ndarray | None, uniforms_o: np.ndarray | None,
    loss_grad: Any, detach_reset: bool = False,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Forward and backward for every sample of ``x`` ``(T, B, inputs)``, one at a time.

    ``loss_grad(b, out) -> (g_s, g_u)`` gives the loss gradients of sample ``b`` from its output
    trace. Uniforms are ``(T, B, N)`` per layer. Returns ``(gradients, traces)`` with traces
    stacked to ``(T, B, N)``.
    """
    W1, W2 = params["W1"], params["W2"]
    T, B, _ = x.shape
    g1, g2 = np.zeros_like(W1), np.zeros_like(W2)
    hs, os_ = [], []
    for b in range(B):
        c1 = np.array([[float(np.dot(W1[j], x[n, b])) for j in range(W1.shape[0])]
                       for n in range(T)])
        h = layer_forward(c1, hidden, esc_h, mode,
                          None if uniforms_h is None else uniforms_h[:, b])
        c2 = np.array([[float(np.dot(W2[k], h["S"][n])) for k in range(W2.shape[0])]
                       for n in range(T)])
        o = layer_forward(c2, output, esc_o, mode,
                          None if uniforms_o is None else uniforms_o[:, b])
        g_s, g_u = loss_grad(b, o)
        gc2 = layer_backward(o, output, esc_o, g_s, g_u, detach_reset)
        g_sh = np.array([[float(np.dot(gc2[n], W2[:, j])) for j in range(W2.shape[1])]
                         for n in range(T)])
        gc1 = layer_backward(h, hidden, esc_h, g_sh, None, detach_reset)
        for n in range(T):
            g2 += np.outer(gc2[n], h["S"][n])
            g1 += np.outer(gc1[n], x[n, b])
        hs.append(h)
        os_.append(o)
    stack = {f"{k}_{name}": np.stack([tr[k] for tr in trs], axis=1)
             for name, trs in (("hidden", hs), ("output", os_)) for k in ("U", "S")}
    return {"W1": g1, "W2": g2}, stack
