"""Small stochastic networks: forward passes, the SG backward pass, exact enumeration (§5).

Layers ``h_0 = x``, ``u_l = W_l h_{l-1} + b_l`` and ``h_l ~ Bernoulli(f_l(u_l))`` (spikes coupled
to uniforms by inversion, ``h = [U < f(u)]``); ``escape.Step()`` makes a layer deterministic.
The network's quantity is the sum of its outputs (``y`` for one output unit) or, where a
function accepts ``loss``, any function ``L(y)`` of the binary output pattern.

* :func:`forward`: the deterministic roll-out (every layer fires ``H(u)``) or sampled passes.
* :func:`surrogate_gradient`: the SG chain rule ``SD(u_L) W_L ... diag(SD(u_l)) h_{l-1}^T``
  along a forward pass, vectorised over samples, with any SD per layer.
* :func:`expected_output`, :func:`expected_output_gradient`,
  :func:`expected_surrogate_gradient`: exact, by enumerating every hidden spike pattern
  (vectorised over patterns, in chunks).
* :func:`expected_output_expr`: the SymPy twin of ``E[y]`` for tiny nets.

Gradients are lists with one ``(dW, db)`` pair per layer, shaped like the parameters (with a
leading sample axis for per-sample estimates).

Examples
--------
>>> import numpy as np
>>> from sgverify import escape, network
>>> f = escape.Sigmoid(5.0)
>>> net = network.MLP(weights=[[[0.3], [-0.2]], [[2.0, -1.0]]], biases=[[0.0, 0.0], [-0.5]],
...                   escapes=[f, f])
>>> net.sizes
(1, 2, 1)
>>> round(network.expected_output(net, 1.0), 6)
0.810708
>>> [dw.round(4).ravel().tolist() for dw, _ in network.expected_output_gradient(net, 1.0)]
[[0.6888, -0.074], [0.0787, 0.0772]]
>>> [dw.round(4).ravel().tolist() for dw, _ in network.expected_surrogate_gradient(net, 1.0)]
[[0.1873, -0.1235], [0.0787, 0.0772]]
>>> sg = network.surrogate_gradient(net, 1.0, np.random.default_rng(0), samples=4)
>>> sg[0][0].shape
(4, 2, 1)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from ._validate import as_array, finite_real, positive_int
from .escape import EscapeNoise

__all__ = [
    "MAX_ENUMERATED",
    "MLP",
    "Gradient",
    "Pass",
    "expected_output",
    "expected_output_expr",
    "expected_output_gradient",
    "expected_surrogate_gradient",
    "forward",
    "parameter_symbols",
    "perturb",
    "surrogate_gradient",
    "surrogate_gradient_variance",
]

#: the most binary units the exact enumeration will visit (2^24 patterns)
MAX_ENUMERATED = 24
_CHUNK = 1 << 15  # patterns per chunk: keeps the (chunk, n) work arrays in cache-sized pieces

Gradient = list[tuple[np.ndarray, np.ndarray]]
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
                raise ValueError(f"{name} must be a list with one entry per layer, got {seq!r}")
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
                raise ValueError(f"escapes[{k}] (layer {k + 1}) must be an escape family from "
                                 f"sgverify.escape, got {self.escapes[k]!r}")
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


def _net(net: object) -> MLP:
    if not isinstance(net, MLP):
        raise ValueError(f"net must be a network.MLP, got {net!r}")
    return net


def _input(net: MLP, x: ArrayLike) -> np.ndarray:
    x = as_array("x", x)
    x = x.reshape(1) if x.ndim == 0 else x
    if x.shape != (net.sizes[0],):
        raise ValueError(f"x must have shape ({net.sizes[0]},) for this net, got {x.shape}")
    return x


def perturb(net: MLP, param: tuple[int, ...], delta: float) -> MLP:
    """A copy of ``net`` with one parameter shifted by ``delta``.

    ``param`` is ``(k, i, j)`` for ``weights[k][i, j]`` or ``(k, i)`` for ``biases[k][i]``.
    """
    net = _net(net)
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


def _run(net: MLP, x: np.ndarray, uniforms: Sequence[np.ndarray] | None, n: int,
         start: int = 0, h0: np.ndarray | None = None) -> Pass:
    """Forward from layer ``start`` (its input ``h0``), with uniforms per layer or H(u)."""
    h = np.broadcast_to(x, (n, x.shape[0])) if h0 is None else h0
    us, hs = [], [h]
    for k in range(start, net.depth):
        # a layer fed by the (shared) input has one pre-activation row for every sample
        row = h.strides[0] == 0
        u = (h[:1] if row else h) @ net.weights[k].T + net.biases[k]
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


def _uniforms(net: MLP, rng: np.random.Generator, n: int) -> list[np.ndarray]:
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy.random.Generator, got {rng!r}")
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
    net = _net(net)
    x = _input(net, x)
    n = 1 if samples is None else positive_int("samples", samples)
    out = _run(net, x, None if rng is None else _uniforms(net, rng, n), n)
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
            raise ValueError(f"surrogates[{k}] (layer {k + 1}) must be an escape family, a "
                             f"callable or None, got {sd!r}")
    return out


def _checked(sd: Callable[[np.ndarray], np.ndarray], k: int) -> Callable[[np.ndarray], np.ndarray]:
    def call(u: np.ndarray) -> np.ndarray:
        val = np.asarray(sd(u), dtype=np.float64)
        if val.shape != u.shape or not np.all(np.isfinite(val)):
            raise ValueError(f"surrogates[{k}] (layer {k + 1}) must return finite values of "
                             f"shape {u.shape}")
        return val
    return call


def _backward(net: MLP, fp: Pass, sds: Sequence[Callable], g: np.ndarray,
              weights: np.ndarray | None = None, square: bool = False) -> Gradient:
    """SG chain rule from the output gradient ``g`` (n, n_L) back to layer 1.

    Per-sample gradients when ``weights`` is None, else their ``weights``-weighted sums
    (of squares with ``square``), without forming the per-sample arrays.
    """
    grads: Gradient = []
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
    net = _net(net)
    x = _input(net, x)
    sds = _surrogates(net, surrogates)
    fp = forward_pass if forward_pass is not None else forward(net, x, rng, samples)
    single = fp.h[-1].ndim == 1
    if single:
        fp = Pass(tuple(a[None] for a in fp.u), tuple(a[None] for a in fp.h))
    n = fp.h[-1].shape[0]
    g = np.ones((n, net.sizes[-1]))
    if mean:
        return _backward(net, fp, sds, g, np.full(n, 1.0 / n))
    grads = _backward(net, fp, sds, g)
    return [(w[0], b[0]) for w, b in grads] if single else grads


# --- exact enumeration -----------------------------------------------------------------------

def _check_size(n: int) -> None:
    if n > MAX_ENUMERATED:
        raise ValueError(f"net has {n} binary units to enumerate; the exact enumeration "
                         f"handles at most {MAX_ENUMERATED}")


def _loss_values(loss: Loss, y: np.ndarray) -> np.ndarray:
    val = np.asarray(loss(y), dtype=np.float64)
    if val.shape != y.shape[:1] or not np.all(np.isfinite(val)):
        raise ValueError(f"loss must map output patterns of shape {y.shape} to finite values "
                         f"of shape {y.shape[:1]}")
    return val


def _enumerate(net: MLP, x: np.ndarray, *, loss: Loss | None = None, grad: bool = False,
               sds: Sequence[Callable] | None = None) -> dict[str, Any]:
    """Sum over every spike pattern of the enumerated layers, in vectorised chunks.

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
            u = hs[-1] @ net.weights[k].T + net.biases[k]
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
            u_out = hs[-1] @ net.weights[-1].T + net.biases[-1]
            us.append(u_out)
            q = net.escapes[-1].cdf(u_out).sum(axis=1)
            hs.append(np.zeros_like(u_out))  # placeholder: the SG does not read the output
        else:
            q = _loss_values(loss, hs[-1])
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
                for (aw, ab), (w, b) in zip(acc[key], _backward(net, fp, sds, g, prob, sq),
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
    u1 = w1 @ x + net.biases[0]
    p, dp = net.escapes[0].cdf(u1), net.escapes[0].pdf(u1)
    prob, u_out = np.ones(1), net.biases[1][None, :]
    for i in range(n):
        prob = np.concatenate([prob * (1.0 - p[i]), prob * p[i]])
        u_out = np.concatenate([u_out, u_out + w2[:, i]])
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
    net = _net(net)
    if net.depth == 2 and loss is None:
        return _shallow(net, _input(net, x))["value"]
    return _enumerate(net, _input(net, x), loss=loss)["value"]


def expected_output_gradient(net: MLP, x: ArrayLike, loss: Loss | None = None) -> Gradient:
    """Exact ``dE[y]/dW_l, dE[y]/db_l`` (or of ``E[L(y)]``) for every layer, by enumeration."""
    net = _net(net)
    if net.depth == 2 and loss is None:
        return _shallow(net, _input(net, x))["grad"]
    return _enumerate(net, _input(net, x), loss=loss, grad=True)["grad"]


def expected_surrogate_gradient(net: MLP, x: ArrayLike, *, surrogates: Any = None) -> Gradient:
    """Exact ``E[SG]`` over the stochastic forward pass, by enumerating hidden patterns.

    ``surrogates`` as in :func:`surrogate_gradient` (default: the matched densities).
    """
    net = _net(net)
    return _enumerate(net, _input(net, x), sds=_surrogates(net, surrogates))["sg"]


def surrogate_gradient_variance(net: MLP, x: ArrayLike, *, surrogates: Any = None) -> Gradient:
    """Exact per-sample variance of the SG estimator, entry by entry (by enumeration)."""
    net = _net(net)
    acc = _enumerate(net, _input(net, x), sds=_surrogates(net, surrogates))
    return [(w2 - w * w, b2 - b * b) for (w, b), (w2, b2) in zip(acc["sg"], acc["sg2"],
                                                                  strict=True)]


# --- SymPy twin ------------------------------------------------------------------------------

def parameter_symbols(net: MLP) -> list[tuple[sp.Matrix, sp.Matrix]]:
    """Real SymPy symbols ``W{l}_{i}{j}`` and ``b{l}_{i}`` (layers counted from 1)."""
    out = []
    for k, w in enumerate(_net(net).weights, 1):
        n_out, n_in = w.shape
        ws = sp.Matrix(n_out, n_in, lambda i, j, k=k: sp.Symbol(f"W{k}_{i}{j}", real=True))
        bs = sp.Matrix(n_out, 1, lambda i, _, k=k: sp.Symbol(f"b{k}_{i}", real=True))
        out.append((ws, bs))
    return out


def expected_output_expr(net: MLP, x: ArrayLike) -> sp.Expr:
    """SymPy ``E[y]`` of a tiny net in its :func:`parameter_symbols`, ``x`` fixed.

    Derived independently of the NumPy enumeration: an explicit sum over hidden patterns of
    ``prod P(h_l | h_{l-1})`` times ``sum_k f(u_Lk)``, built from the escapes' ``cdf_expr``.
    """
    net = _net(net)
    x = _input(net, x)
    if net.n_hidden > 6:
        raise ValueError("expected_output_expr is for tiny nets (at most 6 hidden units)")
    syms = parameter_symbols(net)
    h_in = sp.Matrix([sp.Float(v) for v in x])
    total = sp.Integer(0)
    hidden = net.sizes[1:-1]
    for pattern in itertools.product((0, 1), repeat=net.n_hidden):
        weight, h, off = sp.Integer(1), h_in, 0
        for k, m in enumerate(hidden):
            u = syms[k][0] * h + syms[k][1]
            hk = pattern[off:off + m]
            off += m
            for i in range(m):
                p = net.escapes[k].cdf_expr(u[i])
                weight *= p if hk[i] else 1 - p
            h = sp.Matrix(hk)
        u = syms[-1][0] * h + syms[-1][1]
        total += weight * sum(net.escapes[-1].cdf_expr(u[i]) for i in range(u.shape[0]))
    return total
