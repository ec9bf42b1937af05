"""The network record, forward passes and the SG backward pass (see :mod:`sgverify.network`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._validate import (
    ArgumentTypeError,
    allocation,
    as_array,
    finite_real,
    finite_result,
    short_repr,
)
from ..escape import EscapeNoise
from ._gradient import Gradient

__all__ = ["MLP", "Loss", "Pass", "SurrogateLike", "forward", "perturb",
           "surrogate_gradient"]

#: the internal form of a gradient (one ``(dW, db)`` pair per layer); public functions wrap
#: it in a :class:`Gradient`
Pairs = list[tuple[np.ndarray, np.ndarray]]
SurrogateLike = EscapeNoise | Callable[[np.ndarray], np.ndarray]
Loss = Callable[[np.ndarray], np.ndarray]


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class MLP:
    """A small multi-layer network of (stochastic) Perceptrons; immutable.

    Parameters
    ----------
    weights
        ``W_l`` of shape ``(n_out, n_in)``, one per layer.
    biases
        ``b_l`` of shape ``(n_out,)``, one per layer.
    escapes
        One escape-noise family per layer; ``escape.Step()`` for a deterministic layer.
    """

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    escapes: tuple[EscapeNoise, ...]

    def __post_init__(self) -> None:
        seqs = {"weights": self.weights, "biases": self.biases, "escapes": self.escapes}
        for name, seq in seqs.items():
            if isinstance(seq, (str, bytes, np.ndarray)) or not isinstance(seq, Sequence):
                raise ArgumentTypeError(f"{name} must be a list with one entry per layer, got "
                                        f"{short_repr(seq)}")
        depth = len(self.weights)
        if depth == 0:
            raise ValueError("weights must hold at least one layer")
        for name in ("biases", "escapes"):
            if len(seqs[name]) != depth:
                raise ValueError(f"{name} must have one entry per layer ({depth}), "
                                 f"got {len(seqs[name])}")
        ws, bs = [], []
        for k in range(depth):
            w = as_array(f"weights[{k}] (layer {k + 1})", self.weights[k], ndim=2)
            b = as_array(f"biases[{k}] (layer {k + 1})", self.biases[k])
            if w.shape[0] == 0 or w.shape[1] == 0:
                raise ValueError(f"weights[{k}] (layer {k + 1}) must not be empty")
            if k and w.shape[1] != ws[-1].shape[0]:
                raise ValueError(f"weights[{k}] (layer {k + 1}) has {w.shape[1]} inputs but "
                                 f"layer {k} has {ws[-1].shape[0]} units")
            if b.shape != (w.shape[0],):
                raise ValueError(f"biases[{k}] (layer {k + 1}) must have shape "
                                 f"({w.shape[0]},), got {b.shape}")
            if not isinstance(self.escapes[k], EscapeNoise):
                raise ArgumentTypeError(f"escapes[{k}] (layer {k + 1}) must be an escape family "
                                        f"from sgverify.escape, got "
                                        f"{short_repr(self.escapes[k])}")
            ws.append(_frozen(w))
            bs.append(_frozen(b))
        object.__setattr__(self, "weights", tuple(ws))
        object.__setattr__(self, "biases", tuple(bs))
        object.__setattr__(self, "escapes", tuple(self.escapes))

    @property
    def depth(self) -> int:
        """Number of layers (hidden layers plus the output layer)."""
        return len(self.weights)

    @property
    def sizes(self) -> tuple[int, ...]:
        """``(n_in, n_1, ..., n_L)``."""
        return (self.weights[0].shape[1], *(w.shape[0] for w in self.weights))

    @property
    def n_hidden(self) -> int:
        """Total number of hidden units (the enumeration visits ``2**n_hidden`` patterns)."""
        return sum(self.sizes[1:-1])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (used by the claim evidence)."""
        return {"sizes": list(self.sizes), "weights": [w.tolist() for w in self.weights],
                "biases": [b.tolist() for b in self.biases],
                "escapes": [repr(e) for e in self.escapes]}

    def __repr__(self) -> str:
        arch = "-".join(map(str, self.sizes))
        return f"MLP({arch}, escapes={list(self.escapes)!r})"


def as_mlp(net: object) -> MLP:
    """``net`` itself if it is an :class:`MLP`; otherwise a ValueError naming ``net``."""
    if not isinstance(net, MLP):
        raise ArgumentTypeError(f"net must be a network.MLP, got {short_repr(net)}")
    return net


def checked_preactivation(u: np.ndarray, k: int) -> np.ndarray:
    """Layer ``k``'s pre-activations ``u``, or an error naming its parameters if ``u``
    overflowed float64 (never a silent inf or NaN downstream)."""
    return finite_result(f"the pre-activation of layer {k + 1}", u,
                         f"weights[{k}], biases[{k}] and x")


def checked_samples(net: MLP, samples: Any) -> int:
    """``samples`` checked, and refused before allocating if its work arrays exceed the limit."""
    # per sample: uniforms, pre-activations, probabilities and spikes of every unit, and
    # the SG's backward arrays (gradient-sized): a generous 8 float64 per unit and weight
    per = 8 * 8 * (sum(net.sizes) + sum(w.size for w in net.weights))
    return allocation("samples", samples, per)


def as_input(net: MLP, x: ArrayLike) -> np.ndarray:
    """``x`` as a float64 input vector of ``net`` (a scalar for one input); ValueError otherwise."""
    x = as_array("x", x)
    x = x.reshape(1) if x.ndim == 0 else x
    if x.shape != (net.sizes[0],):
        raise ValueError(f"x must have shape ({net.sizes[0]},) for this net, got {x.shape}")
    return x


def perturb(net: MLP, param: tuple[int, ...], delta: float) -> MLP:
    """A copy of ``net`` with one parameter shifted by ``delta``.

    ``param`` is ``(k, i, j)`` for ``weights[k][i, j]`` or ``(k, i)`` for ``biases[k][i]``.
    """
    net = as_mlp(net)
    delta = finite_real("delta", delta)
    if not (isinstance(param, tuple) and len(param) in (2, 3)
            and all(isinstance(t, (int, np.integer)) for t in param)):
        raise ValueError(f"param must be (k, i, j) or (k, i), got {param!r}")
    ws = [w.copy() for w in net.weights]
    bs = [b.copy() for b in net.biases]
    try:
        target = ws[param[0]] if len(param) == 3 else bs[param[0]]
        target[param[1:]] += delta
    except IndexError:
        raise ValueError(f"param {param!r} is out of range for {net!r}") from None
    return MLP(ws, bs, list(net.escapes))


# --- forward passes ------------------------------------------------------------------------

@dataclass(frozen=True)
class Pass:
    """One or many forward passes: pre-activations ``u[l]`` and activities ``h[l]``.

    ``h[0]`` is the input; ``h[l]`` (``l >= 1``) and ``u[l - 1]`` belong to layer ``l``. With
    samples, every array has a leading sample axis.
    """

    u: tuple[np.ndarray, ...]
    h: tuple[np.ndarray, ...]

    @property
    def y(self) -> np.ndarray:
        """The output spikes."""
        return self.h[-1]


def propagate(net: MLP, x: np.ndarray, uniforms: Sequence[np.ndarray] | None, n: int,
         start: int = 0, h0: np.ndarray | None = None) -> Pass:
    """Forward ``n`` passes from layer ``start`` (its input ``h0``), with uniforms or ``H(u)``.

    ``uniforms`` (from :func:`draw_uniforms`) samples each layer as ``[U < f(u)]``; None
    fires ``H(u)``. ``h0`` (shape ``(n, width)``) restarts the pass at layer ``start``, as
    stochastic derivatives do when they re-evaluate the downstream network.
    """
    h = np.broadcast_to(x, (n, x.shape[0])) if h0 is None else h0
    us, hs = [], [h]
    for k in range(start, net.depth):
        # a layer fed by the (shared) input has one pre-activation row for every sample
        row = h.strides[0] == 0
        with np.errstate(over="ignore", invalid="ignore"):
            u = checked_preactivation((h[:1] if row else h) @ net.weights[k].T + net.biases[k], k)
        if uniforms is None:
            h = (u > 0).astype(np.float64)
        else:
            h = (uniforms[k] < net.escapes[k].cdf(u)).astype(np.float64)
        if row:
            u = np.broadcast_to(u, (n, u.shape[1]))
            h = np.broadcast_to(h, (n, h.shape[1])) if uniforms is None else h
        us.append(u)
        hs.append(h)
    return Pass(tuple(us), tuple(hs))


def draw_uniforms(net: MLP, rng: np.random.Generator, n: int) -> list[np.ndarray]:
    """One ``(n, width)`` array of uniforms per layer: the randomness of ``n`` coupled passes.

    Spikes are ``[U < f(u)]`` (inversion), so passes that share these arrays are coupled
    (common random numbers) whatever the parameters.
    """
    if not isinstance(rng, np.random.Generator):
        raise ArgumentTypeError(f"rng must be a numpy.random.Generator, got {short_repr(rng)}")
    return [rng.random((n, m)) for m in net.sizes[1:]]


def forward(net: MLP, x: ArrayLike, rng: np.random.Generator | None = None,
            samples: int | None = None) -> Pass:
    """Forward pass(es) of ``net`` on input ``x``.

    Parameters
    ----------
    rng
        None for the deterministic roll-out (every layer fires ``H(u)``, the
        ``beta_N -> inf`` limit); a Generator to sample every layer's spikes as ``[U < f(u)]``.
    samples
        Number of independent passes (leading axis); None for one pass without that axis.
    """
    net = as_mlp(net)
    x = as_input(net, x)
    n = 1 if samples is None else checked_samples(net, samples)
    out = propagate(net, x, None if rng is None else draw_uniforms(net, rng, n), n)
    if samples is None:
        out = Pass(tuple(a[0] for a in out.u), tuple(a[0] for a in out.h))
    return out


# --- the SG backward pass --------------------------------------------------------------------

def _surrogates(net: MLP, surrogates: Any) -> list[Callable[[np.ndarray], np.ndarray]]:
    if surrogates is None or isinstance(surrogates, EscapeNoise) or callable(surrogates):
        surrogates = [surrogates] * net.depth
    if len(surrogates) != net.depth:
        raise ValueError(f"surrogates must have one entry per layer ({net.depth})")
    out = []
    for k, sd in enumerate(surrogates):
        if sd is None:
            if not net.escapes[k].has_density:
                raise ValueError(f"surrogates[{k}] (layer {k + 1}): a deterministic (Step) layer "
                                 "has no density; pass an explicit surrogate derivative")
            sd = net.escapes[k]
        if isinstance(sd, EscapeNoise):
            if not sd.has_density:
                raise ValueError(f"surrogates[{k}] (layer {k + 1}) must have a density")
            out.append(sd.pdf)
        elif callable(sd):
            out.append(_checked(sd, k))
        else:
            raise ArgumentTypeError(f"surrogates[{k}] (layer {k + 1}) must be an escape family, "
                                    f"a callable or None, got {short_repr(sd)}")
    return out


def _checked(sd: Callable[[np.ndarray], np.ndarray], k: int) -> Callable[[np.ndarray], np.ndarray]:
    def call(u: np.ndarray) -> np.ndarray:
        val = np.asarray(sd(u), dtype=np.float64)
        if val.shape != u.shape or not np.all(np.isfinite(val)):
            raise ValueError(f"surrogates[{k}] (layer {k + 1}) must return finite values of "
                             f"shape {u.shape}")
        return val
    return call


def backward(net: MLP, fp: Pass, sds: Sequence[Callable], g: np.ndarray,
              weights: np.ndarray | None = None, square: bool = False) -> Pairs:
    """The SG chain rule from the output gradient ``g`` (n, n_L) back to layer 1.

    ``sds`` holds one surrogate derivative per layer, evaluated at the pass's ``u``.

    Per-sample gradients when ``weights`` is None, else their ``weights``-weighted sums
    (of squares with ``square``), without forming the per-sample arrays.
    """
    grads: Pairs = []
    for k in range(net.depth - 1, -1, -1):
        u = fp.u[k]
        d = g * (sds[k](u[:1]) if u.strides[0] == 0 else sds[k](u))
        hp = fp.h[k]
        if weights is None:
            grads.append((d[:, :, None] * hp[:, None, :], d))
        elif square:
            d2 = d * d * weights[:, None]
            grads.append((d2.T @ (hp * hp), d2.sum(axis=0)))
        else:
            dw = d * weights[:, None]
            grads.append((dw.T @ hp, dw.sum(axis=0)))
        if k:
            g = d @ net.weights[k]
    return grads[::-1]


def surrogate_gradient(
    net: MLP,
    x: ArrayLike,
    rng: np.random.Generator | None = None,
    samples: int | None = None,
    *,
    surrogates: Any = None,
    forward_pass: Pass | None = None,
    mean: bool = False,
) -> Gradient:
    """The surrogate gradient of the summed output along forward pass(es).

    Parameters
    ----------
    rng, samples
        As in :func:`forward` (None: the deterministic roll-out).
    surrogates
        One SD per layer (an escape family, whose density is used, a callable ``SD(u)``, or
        None for the matched ``f'``), or one for all layers. Step layers need an explicit SD.
    forward_pass
        Reuse these sampled passes (then ``rng`` and ``samples`` are ignored).
    mean
        Return the average over the samples instead of per-sample gradients.
    """
    net = as_mlp(net)
    x = as_input(net, x)
    sds = _surrogates(net, surrogates)
    fp = forward_pass if forward_pass is not None else forward(net, x, rng, samples)
    single = fp.h[-1].ndim == 1
    if single:
        fp = Pass(tuple(a[None] for a in fp.u), tuple(a[None] for a in fp.h))
    n = fp.h[-1].shape[0]
    g = np.ones((n, net.sizes[-1]))
    if mean:
        return Gradient(backward(net, fp, sds, g, np.full(n, 1.0 / n)))
    grads = backward(net, fp, sds, g)
    return Gradient([(w[0], b[0]) for w, b in grads] if single else grads)
