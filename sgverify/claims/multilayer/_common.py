"""Shared nets and helpers of the multi-layer claims: the pinned witness nets, the search
strategy, parameter indexing, the float64 bound of an enumeration and its mpmath twin.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from hypothesis import strategies as st

from ... import escape, network, reference
from ... import strategies as sst
from .._common import EPS

__all__ = [
    "DEEP",
    "MIXED",
    "PROOF",
    "TINY",
    "WITNESS",
    "_FLOAT_WHY",
    "_S5",
    "_flat_index",
    "_float_bound",
    "_get",
    "_mlp",
    "_mp_expectation",
    "_nets",
    "_params",
    "_z_max",
]


PROOF = "proofs/multilayer.py"
_S5 = escape.Sigmoid(5.0)


def _mlp(sizes: tuple[int, ...], values: list[float],
         escapes: list[escape.EscapeNoise]) -> network.MLP:
    """A net from a flat list of parameters (each layer: W row-major, then b)."""
    ws, bs, it = [], [], iter(values)
    for n_in, n_out in itertools.pairwise(sizes):
        ws.append(np.array([[next(it) for _ in range(n_in)] for _ in range(n_out)]))
        bs.append(np.array([next(it) for _ in range(n_out)]))
    return network.MLP(ws, bs, escapes)


#: docs/theory.md §5: 1-2-1, sigmoid beta_N = 5 in both layers, x = 1
WITNESS = (network.MLP([[[0.3], [-0.2]], [[2.0, -1.0]]], [[0.0, 0.0], [-0.5]], [_S5, _S5]),
           np.array([1.0]))
DEEP = (_mlp((2, 3, 2, 1), [0.8, -0.5, 0.3, 1.1, -0.7, 0.4, 0.1, -0.2, 0.05,
                           1.2, -0.6, 0.9, -1.0, 0.7, 0.5, -0.1, 0.2,
                           1.5, -1.3, -0.3],
             [escape.Sigmoid(3.0), escape.Gaussian(2.0), escape.Arctan(4.0)]),
        np.array([0.5, -1.0]))
MIXED = (_mlp((2, 2, 2), [0.6, -0.9, 1.3, 0.4, 0.2, -0.3, 0.9, -1.1, 0.5, 0.7, -0.2, 0.1],
              [escape.Laplace(2.0), escape.FastSigmoid(3.0)]),
         np.array([1.0, -0.5]))


# --- shared helpers ---------------------------------------------------------------------------

#: magnitudes below this are drawn as 0 (see _nets)
TINY = 1e-6


def _nets(ctx: Any, *, families=None, max_beta: float = 8.0,
          archs=sst.ARCHITECTURES, max_weight: float = 2.0) -> st.SearchStrategy:
    """(net, x, seed): parameters in [-max_weight, max_weight], inputs in [-1.5, 1.5].

    Parameters and inputs below ``TINY`` in magnitude are drawn as exactly 0: the exact
    variances of gradient estimates scale with their squares and would underflow float64
    (1e-208 squared is 0), leaving no statistical comparison to make.
    """
    inputs = sst._memo(lambda n: st.lists(  # one strategy per input size (see sst._memo)
        st.floats(-1.5, 1.5).map(lambda t: 0.0 if abs(t) < TINY else t),
        min_size=n, max_size=n).map(np.array))
    return sst.networks(archs, families=families, max_beta=max_beta,
                        max_weight=max_weight, min_magnitude=TINY).flatmap(
        lambda net: st.tuples(st.just(net), inputs(net.sizes[0]), sst.seeds()))


def _params(net: network.MLP) -> list[tuple[int, ...]]:
    out: list[tuple[int, ...]] = []
    for k, w in enumerate(net.weights):
        out += [(k, i, j) for i in range(w.shape[0]) for j in range(w.shape[1])]
        out += [(k, i) for i in range(w.shape[0])]
    return out


def _get(grad: network.Gradient, param: tuple[int, ...]) -> float:
    return float(grad[param[0]][0][param[1:]] if len(param) == 3 else grad[param[0]][1][param[1]])


def _z_max(net: network.MLP, x: np.ndarray) -> float:
    """A bound on |u| / width over every pattern (hidden inputs lie in [0, 1])."""
    out, h = 0.0, max(1.0, float(np.abs(x).max()))
    for w, b, e in zip(net.weights, net.biases, net.escapes, strict=True):
        u = np.abs(w).sum(axis=1) * h + np.abs(b)
        out = max(out, float(u.max()) / e.scale if e.scale > 0 else 0.0)
        h = 1.0
    return out


def _float_bound(net: network.MLP, x: np.ndarray) -> float:
    """Absolute float64 error bound of an enumerated expectation or gradient (see _FLOAT_WHY)."""
    z = _z_max(net, x)
    peak = max(float(e.pdf(np.zeros(1))[0]) if e.has_density else 0.0 for e in net.escapes)
    scale = max(1.0, float(np.abs(x).max())) * max(1.0, peak) * net.sizes[-1]
    n = sum(net.sizes[1:]) + 3
    w_max = max(1.0, float(max(np.abs(w).max() for w in net.weights)))
    return 16.0 * n * (2.0 + z * z) * EPS * scale * w_max


_FLOAT_WHY = (
    "absolute error <= 16 (n + 3)(2 + z^2) eps M: every enumerated term is a product of at "
    "most n + 3 factors (n binary units), each an escape value or density good to "
    "8 (2 + z^2) eps relative (escape atlas, z = the largest |u|/width any pattern reaches); "
    "the terms' absolute masses sum to at most M = n_out max(1, |x|) max(1, peak f') "
    "max(1, |W|) (probabilities sum to 1, each gradient term carries one density, one "
    "input and at most one downstream weight); the factor 2 covers summation"
)


def _mp_expectation(net: network.MLP, x: np.ndarray, loss=None):
    """E[y] (or E[L(y)]) as a function of the flat parameter vector, in mpmath arithmetic.

    An explicit sum over every hidden (and, with a loss, output) pattern of the product of
    Bernoulli probabilities, with each family's mpmath CDF from ``reference.escape_cdf``.
    """
    cdfs = [reference.escape_cdf(e) for e in net.escapes]
    sizes = net.sizes
    enum_layers = len(sizes) - 1 if loss is not None else len(sizes) - 2
    patterns = list(itertools.product((0, 1), repeat=sum(sizes[1:1 + enum_layers])))

    def value(theta: list) -> Any:
        it = iter(theta)
        layers = []
        for n_in, n_out in itertools.pairwise(sizes):
            w = [[next(it) for _ in range(n_in)] for _ in range(n_out)]
            layers.append((w, [next(it) for _ in range(n_out)]))
        x_mp = [reference.to_mp(float(v)) for v in x]
        # a layer's probabilities depend only on the pattern of the layer below it: computed
        # once per distinct input pattern, not once per full pattern (the same operations on
        # the same operands, so the same mpf values; 2^n fewer CDF calls in the first layer)
        probs: dict[tuple[int, ...], list] = {}
        total = 0
        for pat in patterns:
            h, weight, off = x_mp, 1, 0
            for k in range(enum_layers):
                w, b = layers[k]
                key = (k, *h) if k else (0,)
                ps = probs.get(key)
                if ps is None:
                    ps = probs[key] = [
                        cdfs[k](sum(wij * hj for wij, hj in zip(w[i], h, strict=True)) + b[i])
                        for i in range(len(b))]
                nxt = []
                for i in range(len(b)):
                    p = ps[i]
                    weight *= p if pat[off + i] else 1 - p
                    nxt.append(pat[off + i])
                off += len(b)
                h = nxt
            if loss is None:
                w, b = layers[-1]
                q = sum(cdfs[-1](sum(wij * hj for wij, hj in zip(w[i], h, strict=True)) + b[i])
                        for i in range(len(b)))
            else:
                q = reference.to_mp(float(loss(np.array([h], dtype=float))[0]))
            total += weight * q
        return total

    flat = [reference.to_mp(float(v)) for w, b in zip(net.weights, net.biases, strict=True)
            for v in (*w.ravel(), *b)]
    return value, flat


def _flat_index(net: network.MLP, param: tuple[int, ...]) -> int:
    off = 0
    for k in range(param[0]):
        off += net.weights[k].size + net.biases[k].size
    if len(param) == 3:
        return off + param[1] * net.weights[param[0]].shape[1] + param[2]
    return off + net.weights[param[0]].size + param[1]
