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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.special import ndtri

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
            c = currents  # no copy: broadcast views (trials) stay views
            if not np.isfinite(c).all():
                raise ValueError("currents must be finite (no NaN or infinity)")
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
        T = c.shape[0]
        a_m, a_s, one_m, theta = self.a_m, self.a_s, 1.0 - self.a_m, self.theta
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
        stochastic = mode == "stochastic" and spikes is None
        if stochastic:
            if not isinstance(rng, np.random.Generator):
                raise ValueError("rng must be a numpy.random.Generator in the stochastic mode")
            uniforms = rng.random(c.shape)
            # the event [f(v) > r] is [v > f^-1(r)]: with the quantile at hand the loop only
            # compares; for the logistic, [e^{-beta v} < (1 - r)/r] needs just exp (fast) per step
            thresholds = odds = None
            if isinstance(escape, Sigmoid):
                with np.errstate(divide="ignore"):
                    odds = (1.0 - uniforms) / uniforms  # r = 0: inf, the spike is certain
                neg_beta = -escape.beta
            else:
                thresholds = _quantile(escape, uniforms)
                if thresholds is not None:
                    thresholds += theta
        buf = np.empty(c.shape[1:])
        with np.errstate(over="ignore"):
            for n in range(T):
                u, s = U[n], S[n]
                if spikes is None:
                    if mode == "deterministic":
                        np.greater(u, theta, out=s)
                    elif stochastic and odds is not None:
                        np.subtract(u, theta, out=buf)
                        buf *= neg_beta
                        np.exp(buf, out=buf)
                        np.less(buf, odds[n], out=s)
                    elif stochastic and thresholds is not None:
                        np.greater(u, thresholds[n], out=s)
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
        sd = None
        if grad_s is not None or (surrogate is not None and self.reset != "none"):
            sd = _surrogate(surrogate, U - self.theta)
        a_m, a_s, one_m = self.a_m, self.a_s, 1.0 - self.a_m
        reset = self.reset
        through_reset = sd is not None and not detach_reset
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


def _quantile(escape: EscapeNoise, r: np.ndarray) -> np.ndarray | None:
    """``f^-1(r)`` for the families with a cheap closed-form quantile, else None.

    The Gaussian's is ``ndtri(r)/beta``; the logistic is handled by odds in :meth:`LIF.run`.
    """
    if isinstance(escape, Gaussian):
        return ndtri(r) / escape.beta
    return None


def _surrogate(surrogate: Surrogate | None, v: np.ndarray) -> np.ndarray:
    if isinstance(surrogate, EscapeNoise):
        if not surrogate.has_density:
            raise ValueError("surrogate must have a density (the step's derivative is 0 a.e.)")
        if type(surrogate) is Sigmoid:
            # beta e/(1 + e)^2 with e = exp(-beta |v|): the same density, no overflow, and
            # np.exp is several times faster than scipy's expit on large arrays
            e = np.exp(-np.abs(surrogate.beta * v))
            return surrogate.beta * e / ((1.0 + e) * (1.0 + e))
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
