"""A feed-forward spiking network: input spikes -> hidden LIF -> output LIF (or a readout).

Forward passes are vectorised over time-major batches ``(T, B, inputs)`` and over ``trials``
repeats of every sample (the trial axis is what the Fano factor is measured over); the
backward pass is hand-written BPTT (:meth:`sgverify.lif.LIF.backward`) through both layers.

Examples
--------
>>> import numpy as np
>>> from sgverify import escape
>>> from sgverify.snn import network
>>> rng = np.random.default_rng(0)
>>> net = network.SNN.create(n_in=4, n_hidden=3, n_out=2, rng=rng, readout=True)
>>> x = (rng.random((20, 5, 4)) < 0.2).astype(float)
>>> fw = net.forward(x, rng, trials=2)
>>> fw.hidden.S.shape, fw.output.U.shape
((20, 2, 5, 3), (20, 2, 5, 2))
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from .._validate import positive, positive_int
from ..escape import EscapeNoise, Sigmoid
from ..lif import LIF, Mode, Surrogate, Trace
from ._products import spikes_times, times_spikes

__all__ = ["SNN", "Forward", "fluctuation_init", "fluctuation_scale"]


def fluctuation_scale(
    n_pre: int, rate: float, sigma_u: float = 1.0, tau_mem: float = 20e-3, tau_syn: float = 10e-3
) -> float:
    """Weight s.d. ``sigma_U / sqrt(n_pre nu eps_hat)``, ``eps_hat = tau_s^2/(2 (tau_s + tau_m))``.

    ``eps_hat`` is the integral of the squared post-synaptic potential of a unit weight
    (docs/theory.md §7), so by Campbell's theorem ``N(0, s^2)`` weights driven by ``n_pre`` Poisson
    inputs at rate ``nu`` give membrane fluctuations of s.d. ``sigma_U``.

    >>> round(fluctuation_scale(20, 10.0), 4)
    1.7321
    """
    n = positive_int("n_pre", n_pre)
    eps_hat = tau_syn**2 / (2.0 * (positive("tau_syn", tau_syn) + positive("tau_mem", tau_mem)))
    return positive("sigma_u", sigma_u) / math.sqrt(n * positive("rate", rate) * eps_hat)


def fluctuation_init(
    shape: tuple[int, int], rate: float, rng: np.random.Generator, sigma_u: float = 1.0,
    tau_mem: float = 20e-3, tau_syn: float = 10e-3,
) -> np.ndarray:
    """Weights ``(n_post, n_pre)`` drawn ``N(0, s^2)`` with :func:`fluctuation_scale`."""
    s = fluctuation_scale(shape[1], rate, sigma_u, tau_mem, tau_syn)
    return rng.normal(0.0, s, shape)


@dataclass
class Forward:
    """Everything the backward pass needs: the inputs and both layers' traces."""

    x: np.ndarray
    hidden: Trace
    output: Trace


@dataclass
class SNN:
    """Input -> hidden LIF -> output LIF (spiking) or leaky readout (``escape_out=None``).

    Attributes
    ----------
    params
        ``{"W1": (hidden, inputs), "W2": (outputs, hidden)}``.
    mode
        ``"deterministic"``, ``"stochastic"`` or ``"smooth"`` for every spiking layer.
    surrogate_hidden, surrogate_out
        Surrogate derivatives for BPTT; ``None`` means the matched ``f'`` of the layer's
        escape noise (docs/theory.md §§3, 5).
    """

    params: dict[str, np.ndarray]
    hidden: LIF
    output: LIF
    escape_hidden: EscapeNoise
    escape_out: EscapeNoise | None
    mode: Mode = "stochastic"
    surrogate_hidden: Surrogate | None = None
    surrogate_out: Surrogate | None = None
    detach_reset: bool = False
    extra: dict = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        n_in: int,
        n_hidden: int,
        n_out: int,
        rng: np.random.Generator,
        *,
        readout: bool = False,
        dt: float = 1e-3,
        tau_mem: float = 20e-3,
        tau_syn: float = 10e-3,
        theta: float = 1.0,
        reset: Literal["decay", "full"] = "decay",
        beta_hidden: float = 10.0,
        beta_out: float = 10.0,
        input_rate: float = 10.0,
        hidden_rate: float = 10.0,
        sigma_u: float = 1.0,
        mode: Mode = "stochastic",
    ) -> SNN:
        """A network with fluctuation-driven initial weights and sigmoid escape noise."""
        n_in, n_hidden, n_out = (positive_int(k, v) for k, v in
                                 (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)))
        hidden = LIF(dt, tau_mem, tau_syn, theta, reset)
        output = LIF(dt, tau_mem, tau_syn, theta, "none" if readout else reset)
        params = {
            "W1": fluctuation_init((n_hidden, n_in), input_rate, rng, sigma_u, tau_mem, tau_syn),
            "W2": fluctuation_init((n_out, n_hidden), hidden_rate, rng, sigma_u, tau_mem, tau_syn),
        }
        return cls(params, hidden, output, Sigmoid(beta_hidden),
                   None if readout else Sigmoid(beta_out), mode)

    def with_mode(self, mode: Mode) -> SNN:
        """The same network (sharing nothing mutable) in another spiking mode."""
        return replace(self, params={k: v.copy() for k, v in self.params.items()}, mode=mode)

    def forward(self, x: np.ndarray, rng: np.random.Generator | None = None,
                trials: int = 1) -> Forward:
        """Roll out on input spikes ``x`` ``(T, B, inputs)``; traces are ``(T, trials, B, .)``."""
        # contiguous: a batch gathered from the data set (raster[:, idx]) is strided, which
        # kept its product off the spike kernel (_products) and on a slower strided matmul
        x = np.ascontiguousarray(x, dtype=np.float64)
        W1, W2 = self.params["W1"], self.params["W2"]
        if x.ndim != 3 or x.shape[2] != W1.shape[1]:
            raise ValueError(f"x must have shape (T, B, {W1.shape[1]}), got {x.shape}")
        k = positive_int("trials", trials)
        c1 = spikes_times(x, W1)
        # the input is identical on every trial: broadcast, do not copy
        c1 = np.broadcast_to(c1[:, None], (c1.shape[0], k, *c1.shape[1:]))
        h = self.hidden.run(c1, self.escape_hidden, self.mode, rng)
        o = self.output.run(spikes_times(h.S, W2), self.escape_out, self.mode, rng)
        return Forward(x, h, o)

    def backward(
        self, fw: Forward, grad_s_out: np.ndarray | None = None,
        grad_u_out: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        """Gradients of the loss wrt ``W1`` and ``W2`` from ``dL/dS_out`` and/or ``dL/dU_out``."""
        W2 = self.params["W2"]
        sd_out = self.surrogate_out if self.surrogate_out is not None else self.escape_out
        sd_hid = self.surrogate_hidden if self.surrogate_hidden is not None else self.escape_hidden
        g_c2 = self.output.backward(fw.output, sd_out, grad_s_out, grad_u_out,
                                    detach_reset=self.detach_reset)
        sh = fw.hidden.S
        n_h, n_o = sh.shape[-1], g_c2.shape[-1]
        g_w2 = times_spikes(g_c2.reshape(-1, n_o), sh.reshape(-1, n_h))
        g_c1 = self.hidden.backward(fw.hidden, sd_hid, g_c2 @ W2, detach_reset=self.detach_reset)
        # c1 was broadcast over trials: its gradient is the sum over the trial axis
        g_c1 = g_c1[:, 0] if g_c1.shape[1] == 1 else g_c1.sum(axis=1)
        g_w1 = times_spikes(g_c1.reshape(-1, n_h), fw.x.reshape(-1, fw.x.shape[-1]))
        return {"W1": g_w1, "W2": g_w2}
