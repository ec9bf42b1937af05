"""Discrete-time LIF layers (docs/theory.md §1): forward roll-out, BPTT, and the Perceptron limit.

One layer receives input currents ``c[n] = W s_in[n]`` (computed for all steps at once by the
caller) and runs

    I[n+1] = a_s I[n] + c[n]
    U[n+1] = a_m U[n] (1 - S[n]) + (1 - a_m) I[n]          (reset="decay", the default)
    U[n+1] = (a_m U[n] + (1 - a_m) I[n]) (1 - S[n])        (reset="full")
    U[n+1] = a_m U[n] + (1 - a_m) I[n]                     (reset="none": a leaky readout)

with ``a_m = exp(-dt/tau_mem)``, ``a_s = exp(-dt/tau_syn)``, ``I[0] = U[0] = 0``, and spikes
``S[n] = H(U[n] - theta)`` (deterministic), ``[f(U[n] - theta) > uniform]`` (stochastic), or
``f(U[n] - theta)`` itself (smooth: a differentiable network, used to check BPTT against
finite differences). Arrays are time-major, ``(T, *batch, neurons)``; every step is one
vectorised NumPy operation over all batch, trial and neuron axes.

The backward pass replaces ``dS/dU`` by a surrogate derivative (the matched ``f'`` by default)
and runs the exact chain rule of the forward equations otherwise, reset path included
(``detach_reset=True`` drops it, as many SNN codes do).

Examples
--------
>>> import numpy as np
>>> from sgverify import escape, lif
>>> layer = lif.LIF(dt=1e-3, tau_mem=10e-3, tau_syn=5e-3)
>>> c = np.zeros((6, 1)); c[0] = 12.0          # one input pulse at step 0
>>> tr = layer.run(c, escape.Step())
>>> tr.S[:, 0]
array([0., 0., 1., 0., 1., 0.])
>>> lif.LIF(reset="full").run(c, escape.Step()).S[:, 0]
array([0., 0., 1., 0., 0., 1.])
>>> tr = layer.run(c, escape.Step())
>>> g = layer.backward(tr, escape.Sigmoid(10.0), grad_s=np.ones_like(tr.S))
>>> g[:, 0].round(4)           # d(spike count)/dc[n]; the reset path makes c[0] negative
array([-0.0087,  0.2287,  0.0192,  0.0217,  0.    ,  0.    ])
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Literal

import numpy as np
from scipy.special import ndtri

from . import _jit
from ._validate import as_array, finite_real, positive
from .escape import EscapeNoise, Gaussian, Sigmoid, Step

__all__ = [
    "LIF",
    "MODES",
    "RESETS",
    "Trace",
    "perceptron_gap",
]

Reset = Literal["decay", "full", "none"]
Mode = Literal["deterministic", "stochastic", "smooth"]
RESETS: tuple[Reset, ...] = ("decay", "full", "none")
MODES: tuple[Mode, ...] = ("deterministic", "stochastic", "smooth")

Surrogate = EscapeNoise | Callable[[np.ndarray], np.ndarray]


@dataclass
class Trace:
    """A layer's roll-out: potentials, currents and spikes, each ``(T, *batch, neurons)``."""

    U: np.ndarray
    I: np.ndarray
    S: np.ndarray
    theta: float = 1.0

    def probabilities(self, escape: EscapeNoise) -> np.ndarray:
        """Firing probabilities ``f(U[n] - theta)`` of every step, in one vectorised call."""
        return escape.cdf(self.U - self.theta)


@dataclass(frozen=True)
class LIF:
    """Parameters of a discrete LIF layer; :meth:`run` rolls it out, :meth:`backward` is BPTT.

    Parameters
    ----------
    dt, tau_mem, tau_syn
        Time step and time constants (same unit, e.g. seconds).
    theta
        Firing threshold.
    reset
        ``"decay"`` (only the leak term is reset, docs/theory.md §1), ``"full"`` (the whole
        update is multiplied by ``1 - S[n]``) or ``"none"``.
    """

    dt: float = 1e-3
    tau_mem: float = 10e-3
    tau_syn: float = 5e-3
    theta: float = 1.0
    reset: Reset = "decay"

    def __post_init__(self) -> None:
        positive("dt", self.dt)
        positive("tau_mem", self.tau_mem)
        positive("tau_syn", self.tau_syn)
        finite_real("theta", self.theta)
        if self.reset not in RESETS:
            raise ValueError(f"reset must be one of {RESETS}, got {self.reset!r}")

    @property
    def a_m(self) -> float:
        """Membrane decay per step ``exp(-dt/tau_mem)``."""
        return math.exp(-self.dt / self.tau_mem)

    @property
    def a_s(self) -> float:
        """Synaptic decay per step ``exp(-dt/tau_syn)``."""
        return math.exp(-self.dt / self.tau_syn)

    # --- forward --------------------------------------------------------------------------
    def run(
        self,
        currents: np.ndarray,
        escape: EscapeNoise | None,
        mode: Mode = "deterministic",
        rng: np.random.Generator | None = None,
        *,
        spikes: np.ndarray | None = None,
    ) -> Trace:
        """Roll the layer out over the input currents ``c[n]``, shape ``(T, ..., neurons)``.

        Parameters
        ----------
        escape
            The escape-noise family ``f``; ``None`` makes a non-spiking (readout) layer.
            In the deterministic mode any family (or :class:`~sgverify.escape.Step`) gives
            the step ``H``.
        mode
            ``"deterministic"``, ``"stochastic"`` (needs ``rng``) or ``"smooth"``.
        spikes
            Force this spike history instead of generating one (replays a sampled path;
            used by exact enumeration).
        """
        if isinstance(currents, np.ndarray) and currents.dtype == np.float64:
            c = currents  # no copy: broadcast views (trials) stay views; finiteness is
            # checked below (on the fly by the compiled path)
        else:
            c = as_array("currents", currents)
        if c.ndim < 2:
            raise ValueError(f"currents must have shape (T, ..., neurons), got {c.shape}")
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
        if escape is not None and not isinstance(escape, EscapeNoise):
            raise ValueError(f"escape must be an escape-noise family or None, got {escape!r}")
        if mode == "smooth" and escape is not None and not escape.has_density:
            raise ValueError("mode='smooth' needs an escape family with a density")
        if spikes is not None and spikes.shape != c.shape:
            raise ValueError(f"spikes must have the shape {c.shape} of currents, "
                             f"got {spikes.shape}")
        a_m, a_s, one_m, theta = self.a_m, self.a_s, 1.0 - self.a_m, self.theta
        stochastic = mode == "stochastic" and spikes is None and escape is not None
        if stochastic and not isinstance(rng, np.random.Generator):
            raise ValueError("rng must be a numpy.random.Generator in the stochastic mode")
        kern = _kernels(c.size)
        if kern is not None and spikes is None and (escape is None or mode == "deterministic"
                                                    or (stochastic and _has_quantile(escape))):
            return self._run_compiled(kern, c, escape if stochastic else None,
                                      escape is None, rng)
        if not np.isfinite(c).all():
            raise ValueError(_NOT_FINITE)
        thresholds = None
        if stochastic:
            uniforms = rng.random(c.shape)
            # the event [f(v) > r] is [beta v > beta f^-1(r)]: with the quantile at hand the
            # loop only compares (r = 0 gives -inf: the spike is certain)
            if _has_quantile(escape):
                thresholds = _scaled_quantile(escape, uniforms, np.empty(c.shape))
        T = c.shape[0]
        I = np.empty(c.shape)
        I[0] = 0.0
        # a C filter (lfilter) is slower here than this loop: it goes slice by slice
        for n in range(T - 1):
            np.multiply(I[n], a_s, out=I[n + 1])
            I[n + 1] += c[n]
        drive = one_m * I
        U = np.empty(c.shape)
        U[0] = 0.0
        if escape is None:
            for n in range(T - 1):
                np.multiply(U[n], a_m, out=U[n + 1])
                U[n + 1] += drive[n]
            return Trace(U, I, np.zeros(c.shape), theta)
        S = np.empty(c.shape) if spikes is None else np.array(spikes, dtype=np.float64)
        buf = np.empty(c.shape[1:])
        with np.errstate(over="ignore"):
            for n in range(T):
                u, s = U[n], S[n]
                if spikes is None:
                    if mode == "deterministic":
                        np.greater(u, theta, out=s)
                    elif thresholds is not None:
                        np.subtract(u, theta, out=buf)
                        buf *= escape.beta
                        np.greater(buf, thresholds[n], out=s)
                    else:
                        np.subtract(u, theta, out=buf)
                        p = escape._cdf(buf)  # validated above; the loop stays lean
                        if stochastic:
                            np.greater(p, uniforms[n], out=s)
                        else:
                            s[...] = p
                if n == T - 1:
                    break
                nxt = U[n + 1]
                if self.reset == "decay":      # a_m u (1 - s) + (1 - a_m) I
                    np.multiply(u, s, out=buf)
                    np.subtract(u, buf, out=nxt)
                    nxt *= a_m
                    nxt += drive[n]
                elif self.reset == "full":     # (a_m u + (1 - a_m) I) (1 - s)
                    np.multiply(u, a_m, out=nxt)
                    nxt += drive[n]
                    np.multiply(nxt, s, out=buf)
                    nxt -= buf
                else:
                    np.multiply(u, a_m, out=nxt)
                    nxt += drive[n]
        return Trace(U, I, S, theta)

    def _run_compiled(self, kern: ModuleType, c: np.ndarray, escape: EscapeNoise | None,
                      silent: bool, rng: np.random.Generator | None) -> Trace:
        """:meth:`run` through the Numba kernel (same operations, same results), in blocks of
        time steps whose spike thresholds NumPy draws and computes just before the kernel
        consumes them (the same uniforms in the same order as one ``rng.random(c.shape)``)."""
        shape, T = c.shape, c.shape[0]
        if c.ndim > 2 and c.strides[1] == 0 and c[:, 0].flags.c_contiguous:
            c2 = c[:, 0].reshape(T, -1)   # trials broadcast: element m reads c2[n, m % P]
        else:
            c2 = np.ascontiguousarray(c).reshape(T, -1)
        I, U, S = np.empty(shape), np.empty(shape), np.empty(shape)
        I2, U2, S2 = I.reshape(T, -1), U.reshape(T, -1), S.reshape(T, -1)
        M = U2.shape[1]
        mode = kern.SILENT if silent else (
            kern.DETERMINISTIC if escape is None else kern.THRESHOLDS)
        i, u = np.zeros(M), np.zeros(M)
        finite = True
        block = T if escape is None else max(1, _BLOCK // M)
        r, tmp = (np.empty((block, M)), np.empty((block, M))) if escape else (_EMPTY, _EMPTY)
        beta = escape.beta if escape else 1.0
        for n0 in range(0, T, block):
            n1 = min(T, n0 + block)
            thr = _EMPTY
            if escape is not None:
                assert rng is not None
                thr = rng.random(out=r[:n1 - n0])
                if type(escape) is Sigmoid:   # as _scaled_quantile, the odds in one pass
                    with np.errstate(divide="ignore"):
                        np.log(kern.odds(thr), out=thr)
                else:
                    thr = _scaled_quantile(escape, thr, tmp[:n1 - n0])
            args = (I2, U2, S2, n0, n1, i, u)
            if silent:
                ok = kern.forward_silent(c2, self.a_m, self.a_s, 1.0 - self.a_m, *args)
            elif self.reset == "decay":
                ok = kern.forward_decay(c2, self.a_m, self.a_s, 1.0 - self.a_m,
                                        float(self.theta), beta, escape is not None, thr, *args)
            else:
                ok = kern.forward(c2, self.a_m, self.a_s, 1.0 - self.a_m, float(self.theta),
                                  beta, _RESET_CODE[self.reset], mode, thr, *args)
            finite = finite and ok
        if not finite:
            raise ValueError(_NOT_FINITE)
        return Trace(U, I, S, self.theta)

    # --- backward -------------------------------------------------------------------------
    def backward(
        self,
        trace: Trace,
        surrogate: Surrogate | None,
        grad_s: np.ndarray | None = None,
        grad_u: np.ndarray | None = None,
        *,
        detach_reset: bool = False,
    ) -> np.ndarray:
        """BPTT: the gradient of the loss with respect to the input currents ``c[n]``.

        Parameters
        ----------
        surrogate
            The surrogate derivative ``SD(U - theta)``: an escape family (its density) or a
            callable; ``None`` for a non-spiking layer.
        grad_s, grad_u
            ``dL/dS[n]`` and ``dL/dU[n]`` from the loss (or the layer above), each
            ``(T, ..., neurons)`` or None.
        detach_reset
            Drop the path through the reset (treat ``1 - S[n]`` in the update as constant).
        """
        U, I, S = trace.U, trace.I, trace.S
        shape = U.shape
        for name, g in (("grad_s", grad_s), ("grad_u", grad_u)):
            if g is not None and g.shape != shape:
                raise ValueError(f"{name} must have shape {shape}, got {g.shape}")
        if grad_s is not None and surrogate is None:
            raise ValueError("grad_s needs a surrogate derivative")
        need_sd = grad_s is not None or (surrogate is not None and self.reset != "none")
        a_m, a_s, one_m = self.a_m, self.a_s, 1.0 - self.a_m
        reset = self.reset
        through_reset = need_sd and not detach_reset
        kern = _kernels(U.size)
        if kern is not None:
            return self._backward_compiled(kern, trace, surrogate if need_sd else None,
                                           grad_s, grad_u, through_reset)
        sd = _surrogate(surrogate, U - self.theta) if need_sd else None
        gc = np.empty(shape)
        gu = np.zeros(shape[1:])
        gi = np.zeros(shape[1:])
        for n in range(shape[0] - 1, -1, -1):
            gc[n] = gi  # c[n] enters I[n+1] only
            gs = grad_s[n] if grad_s is not None else 0.0
            if reset == "decay":
                if through_reset:
                    gs = gs - a_m * U[n] * gu
                new_u = a_m * (1.0 - S[n]) * gu
                new_i = a_s * gi + one_m * gu
            elif reset == "full":
                keep_gu = (1.0 - S[n]) * gu
                if through_reset:
                    gs = gs - (a_m * U[n] + one_m * I[n]) * gu
                new_u = a_m * keep_gu
                new_i = a_s * gi + one_m * keep_gu
            else:
                new_u = a_m * gu
                new_i = a_s * gi + one_m * gu
            if sd is not None:
                new_u = new_u + sd[n] * gs
            if grad_u is not None:
                new_u = new_u + grad_u[n]
            gu, gi = new_u, new_i
        return gc

    def _backward_compiled(self, kern: ModuleType, trace: Trace, surrogate: Surrogate | None,
                           grad_s: np.ndarray | None, grad_u: np.ndarray | None,
                           through_reset: bool) -> np.ndarray:
        """:meth:`backward` through the Numba kernel, in blocks of time steps whose surrogate
        derivatives NumPy computes (cache-resident) just before the kernel consumes them."""
        U = trace.U
        T, shape = U.shape[0], U.shape
        flat = [None if a is None else np.ascontiguousarray(a).reshape(T, -1)
                for a in (U, trace.I, trace.S, grad_s, grad_u)]
        U2, I2, S2, gs2, gu2 = flat
        M = U2.shape[1]
        gc = np.empty((T, M))
        gu, gi = np.zeros(M), np.zeros(M)
        block = max(1, _BLOCK // M)
        v, den = np.empty((block, M)), np.empty((block, M))
        sig_beta = surrogate.beta if type(surrogate) is Sigmoid else 0.0
        for n1 in range(T, 0, -block):
            n0 = max(0, n1 - block)
            sd = _EMPTY
            if surrogate is not None:
                if sig_beta:      # e = exp(-beta |v|) here, beta e / (1 + e)^2 in the kernel
                    sd = kern.sigmoid_arg(U2, float(self.theta), -sig_beta, n0, n1,
                                          v[:n1 - n0])
                    np.exp(sd, out=sd)
                else:
                    vb = np.subtract(U2[n0:n1], self.theta, out=v[:n1 - n0])
                    sd = _surrogate(surrogate, vb, (vb, den[:n1 - n0]))
            kern.backward(U2, I2, S2, sd, sig_beta, _EMPTY if gs2 is None else gs2,
                          _EMPTY if gu2 is None else gu2, self.a_m, self.a_s, 1.0 - self.a_m,
                          _RESET_CODE[self.reset], through_reset, gc, n0, n1, gu, gi)
        return gc.reshape(shape)


def _has_quantile(escape: EscapeNoise | None) -> bool:
    return type(escape) is Sigmoid or isinstance(escape, Gaussian)


def _scaled_quantile(escape: EscapeNoise, r: np.ndarray, tmp: np.ndarray) -> np.ndarray:
    """``beta f^-1(r)`` (in ``r``'s memory; ``tmp`` a buffer of its shape) for the families with
    a cheap closed-form quantile: the logistic's log-odds ``log(r / (1 - r))``, the Gaussian's
    ``ndtri(r)``. Spikes are ``beta (U - theta) > beta f^-1(r)``, so that no pass divides by
    beta. ``np.log`` of the odds, not scipy's ``logit``: the same to an ulp, 5x faster (SIMD).
    """
    if type(escape) is Sigmoid:
        odds = np.subtract(1.0, r, out=tmp)
        with np.errstate(divide="ignore"):
            np.divide(r, odds, out=r)
            return np.log(r, out=r)
    return ndtri(r, out=r)


_NOT_FINITE = "currents must be finite (no NaN or infinity)"
#: elements per block of the compiled backward pass (its surrogate block stays in the cache)
_BLOCK = 1 << 16
_EMPTY = np.empty((0, 0))
_RESET_CODE = {"decay": 0, "full": 1, "none": 2}


def _kernels(size: int) -> ModuleType | None:
    """The Numba LIF kernels for arrays of ``size`` elements, or None (NumPy path).

    Below ~20k elements the NumPy loop costs little and importing Numba would dominate,
    unless the kernels are loaded already (a training run's larger layer loaded them): then
    its ~10 NumPy calls per step (~1 us each) cost more than the whole small layer in the
    kernel, e.g. a 5-unit readout over 50 steps, 0.3 ms against 0.01 ms per pass.
    """
    if size >= 20_000 or (size >= 64 and "sgverify._lif_kernels" in sys.modules):
        return _jit.kernels("_lif_kernels")
    return None


def _surrogate(surrogate: Surrogate | None, v: np.ndarray,
               work: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """``SD(v)``; ``work``: two buffers of ``v``'s shape the logistic's may use (no allocation)."""
    if isinstance(surrogate, EscapeNoise):
        if not surrogate.has_density:
            raise ValueError("surrogate must have a density (the step's derivative is 0 a.e.)")
        if type(surrogate) is Sigmoid:
            # beta e/(1 + e)^2 with e = exp(-beta |v|): the same density, no overflow, and
            # np.exp is several times faster than scipy's expit on large arrays; in place
            # after the first pass, to save the temporaries' memory traffic
            e = np.abs(v, out=None if work is None else work[0])
            e *= -surrogate.beta
            np.exp(e, out=e)
            den = np.add(e, 1.0, out=None if work is None else work[1])
            den *= den
            e *= surrogate.beta
            e /= den
            return e
        with np.errstate(over="ignore"):
            return surrogate._pdf(v)
    if callable(surrogate):
        sd = np.asarray(surrogate(v), dtype=np.float64)
        if sd.shape != v.shape or not np.all(np.isfinite(sd)):
            raise ValueError("surrogate must return finite values of the potentials' shape")
        return sd
    raise ValueError(f"surrogate must be an escape family or a callable, got {surrogate!r}")


def perceptron_gap(
    weights: np.ndarray,
    inputs: np.ndarray,
    dt_over_tau: float,
    *,
    tau_ratio: float = 0.5,
    theta: float = 1.0,
    reset: Reset = "decay",
) -> dict[str, np.ndarray | float]:
    """Compare the LIF layer with the Perceptron ``H(W x[n] - theta)`` on time-locked input.

    The layer gets input spikes ``inputs`` (``(T, n_in)``, one pattern per step) through
    ``weights`` (``(neurons, n_in)``) with ``dt/tau_mem = dt_over_tau`` and
    ``tau_syn = tau_ratio * tau_mem``. As ``dt/tau`` grows both decays vanish and
    ``U[n+2] = W x[n]``: the membrane gap ``max |U[n+2] - W x[n]|`` shrinks like
    ``exp(-dt/max(tau_mem, tau_syn))``.

    Returns
    -------
    dict
        ``gap`` (max membrane gap), ``U`` (potentials aligned with the patterns),
        ``target`` (``W x[n]``), ``S`` (LIF spikes aligned) and ``H`` (Perceptron output).

    Examples
    --------
    >>> import numpy as np
    >>> from sgverify import lif
    >>> w = np.array([[1.5, -0.7]]); x = np.array([[1, 0], [1, 1], [0, 1], [1, 1.]])
    >>> out = lif.perceptron_gap(w, x, 40.0)
    >>> bool(out["gap"] < 1e-8), bool((out["S"] == out["H"]).all())
    (True, True)
    """
    w = as_array("weights", weights, ndim=2)
    x = as_array("inputs", inputs, ndim=2)
    if w.shape[1] != x.shape[1]:
        raise ValueError(f"weights take {w.shape[1]} inputs but inputs have {x.shape[1]}")
    r = positive("dt_over_tau", dt_over_tau)
    layer = LIF(dt=r, tau_mem=1.0, tau_syn=positive("tau_ratio", tau_ratio), theta=theta,
                reset=reset)
    T = x.shape[0]
    # two extra steps: the input reaches I one step later and U one step after that
    c = np.zeros((T + 2, w.shape[0]))
    c[:T] = x @ w.T
    tr = layer.run(c, Step())
    U = tr.U[2:]
    target = x @ w.T
    return {
        "gap": float(np.max(np.abs(U - target))),
        "U": U,
        "target": target,
        "S": tr.S[2:],
        "H": (target - theta > 0).astype(np.float64),
    }
