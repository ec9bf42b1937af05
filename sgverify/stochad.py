"""Stochastic automatic differentiation for Bernoulli spikes (Arya et al. 2022; docs/theory.md §4).

A stochastic derivative of ``X(p)`` is a triple ``(delta, weight, Y)`` with
``d/dp E[X(p)] = E[delta + weight (Y - X)]``. For ``X = [U < p]`` (coupling by inversion)
``delta = 0`` and

* right derivative: ``X = 0`` jumps to ``Y = 1`` with weight ``1/(1 - p)``;
* left derivative: ``X = 1`` jumps to ``Y = 0`` with weight ``-1/p`` (magnitude ``1/p``; the
  sign records that the jump happens when ``p`` *decreases*), so ``weight (Y - X) = 1/p``.

*Smoothing* replaces the jump by its conditional expectation so the ordinary chain rule
applies. Per unit change of ``p``:

* ``"input"``: conditioned on the node's input, ``E[weight (Y - X) | u] = 1`` (times ``f'(u)``
  this is the matched surrogate derivative);
* ``"output"``: conditioned on the node's own output, the two-sided
  ``1/2 [(1 - X)/(1 - p) + X/p]``;
* ``"straight-through"``: ``1`` for both outcomes.

In networks (docs/theory.md §5) the triples of hidden units are *propagated*: the downstream
program is re-evaluated on the alternative spike pattern with the same uniforms
(:func:`triple_gradient_estimate`, unbiased); smoothing every node on its input gives the SG
backward pass (:func:`smoothed_chain_gradient`); finite differences over random paths
(:func:`finite_difference_estimate`) are the naive alternative. Exact means and variances of
these estimators come from enumerating coupled pairs of spike patterns.

Examples
--------
>>> import numpy as np
>>> from sgverify import stochad
>>> t = stochad.bernoulli_triple(0.25, np.array([0.1, 0.9]), side="right")
>>> t.x, t.weight, t.y
(array([1., 0.]), array([0.        , 1.33333333]), array([1., 1.]))
>>> t.estimate
array([0.        , 1.33333333])
>>> stochad.exact_moments("right", 0.25)
(1.0, 0.333333...)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from . import network
from . import symbols as S
from ._validate import as_array, positive

__all__ = [
    "SIDES",
    "SMOOTHINGS",
    "Triple",
    "bernoulli_triple",
    "exact_moments",
    "exact_moments_expr",
    "finite_difference_estimate",
    "finite_difference_moments",
    "smoothed",
    "smoothed_chain_gradient",
    "triple_gradient_estimate",
    "triple_gradient_moments",
]

Side = Literal["right", "left"]
Smoothing = Literal["input", "output", "straight-through"]
SIDES: tuple[Side, ...] = ("right", "left")
SMOOTHINGS: tuple[Smoothing, ...] = ("input", "output", "straight-through")


@dataclass(frozen=True)
class Triple:
    """A stochastic derivative ``(delta, weight, y)`` of the sample ``x`` (arrays, same shape)."""

    x: np.ndarray
    delta: np.ndarray
    weight: np.ndarray
    y: np.ndarray

    @property
    def estimate(self) -> np.ndarray:
        """The single-sample derivative estimate ``delta + weight (y - x)``."""
        return self.delta + self.weight * (self.y - self.x)


def _prob(p: ArrayLike, *, open_interval: bool = True) -> np.ndarray:
    p = as_array("p", p)
    if open_interval and not np.all((p > 0) & (p < 1)):
        raise ValueError("p must lie strictly between 0 and 1 (the jump weights are 1/p, 1/(1-p))")
    return p


def bernoulli_triple(p: ArrayLike, uniform: ArrayLike, side: Side = "right") -> Triple:
    """Stochastic derivative of ``X = [U < p]`` with respect to ``p``.

    Parameters
    ----------
    p
        Firing probabilities in (0, 1).
    uniform
        The coupling variables ``U`` in [0, 1), broadcast against ``p``.
    side
        ``"right"`` or ``"left"``.
    """
    p = _prob(p)
    uniform = as_array("uniform", uniform)
    if np.any((uniform < 0) | (uniform >= 1)):
        raise ValueError("uniform must lie in [0, 1)")
    p, uniform = np.broadcast_arrays(p, uniform)
    x = (uniform < p).astype(np.float64)
    if side == "right":
        weight, y = (1.0 - x) / (1.0 - p), np.ones_like(p)
    elif side == "left":
        weight, y = -x / p, np.zeros_like(p)
    else:
        raise ValueError(f"side must be 'right' or 'left', got {side!r}")
    return Triple(x=x, delta=np.zeros_like(p), weight=weight, y=y)


def smoothed(x: ArrayLike, p: ArrayLike, strategy: Smoothing = "input") -> np.ndarray:
    """Smoothed stochastic derivative per unit ``p`` of a sampled spike ``x`` in {0, 1}.

    Multiply by ``f'(u)`` (and by the input) for the derivative with respect to a weight.
    """
    x = as_array("x", x)
    if not np.all((x == 0) | (x == 1)):
        raise ValueError("x must hold sampled spikes, 0 or 1")
    p = _prob(p, open_interval=strategy == "output")
    x, p = np.broadcast_arrays(x, p)
    if strategy in ("input", "straight-through"):
        # both are 1 for either outcome; they differ only in what they condition on
        return np.ones_like(p)
    if strategy == "output":
        return 0.5 * ((1.0 - x) / (1.0 - p) + x / p)
    raise ValueError(f"strategy must be one of {SMOOTHINGS}, got {strategy!r}")


def exact_moments(estimator: str, p: float) -> tuple[float, float]:
    """Exact mean and variance, per unit ``p``, of a single-sample estimator at ``p``.

    ``estimator`` is ``"right"``, ``"left"``, or one of :data:`SMOOTHINGS`.
    Computed by summing over the two outcomes ``X in {0, 1}``.
    """
    p = float(_prob(p))
    if estimator in SIDES:
        est = bernoulli_triple(p, np.array([0.5 * p, 0.5 * (1 + p)]), side=estimator).estimate
    elif estimator in SMOOTHINGS:
        est = smoothed(np.array([1.0, 0.0]), p, estimator)
    else:
        raise ValueError(f"estimator must be one of {SIDES + SMOOTHINGS}, got {estimator!r}")
    prob = np.array([p, 1.0 - p])  # outcome X = 1 then X = 0 (U below / above p)
    mean = float(prob @ est)
    return mean, float(prob @ (est - mean) ** 2)


def exact_moments_expr(estimator: str) -> tuple[sp.Expr, sp.Expr]:
    """SymPy mean and variance of an estimator as functions of ``p`` (independent derivation)."""
    p = S.p
    per_outcome = {  # estimate when X = 1, when X = 0
        "right": (sp.Integer(0), 1 / (1 - p)),
        "left": (1 / p, sp.Integer(0)),
        "input": (sp.Integer(1), sp.Integer(1)),
        "output": (1 / (2 * p), 1 / (2 * (1 - p))),
        "straight-through": (sp.Integer(1), sp.Integer(1)),
    }
    if estimator not in per_outcome:
        raise ValueError(f"estimator must be one of {tuple(per_outcome)}, got {estimator!r}")
    e1, e0 = per_outcome[estimator]
    mean = sp.simplify(p * e1 + (1 - p) * e0)
    var = sp.simplify(p * (e1 - mean) ** 2 + (1 - p) * (e0 - mean) ** 2)
    return mean, var


# --- networks: propagated triples, smoothed chains, finite differences (docs/theory.md §5) -------

def _quantity(loss: network.Loss | None, y: np.ndarray) -> np.ndarray:
    return y.sum(axis=1) if loss is None else network.loss_values(loss, y)


def _side(side: str) -> str:
    if side not in SIDES:
        raise ValueError(f"side must be 'right' or 'left', got {side!r}")
    return side


def _jump_weight(h: np.ndarray, p: np.ndarray, side: str) -> np.ndarray:
    """Per-unit-``p`` jump weight ``weight * (Y - X)`` sign-folded: ``1/(1-p)`` or ``1/p``.

    Under inversion coupling ``h = 0`` implies ``p <= U < 1`` and ``h = 1`` implies ``p > U >= 0``,
    so a sampled path never divides by zero; enumerated states that would are impossible
    (probability 0) and get weight 0.
    """
    h, p = np.broadcast_arrays(h, p)
    out = np.zeros(h.shape)
    if side == "right":
        return np.divide(1.0, 1.0 - p, out=out, where=(h == 0) & (p < 1))
    return np.divide(1.0, p, out=out, where=(h == 1) & (p > 0))


def triple_gradient_estimate(
    net: network.MLP,
    x: ArrayLike,
    rng: np.random.Generator,
    samples: int,
    *,
    side: str = "right",
    loss: network.Loss | None = None,
) -> network.Gradient:
    """Per-sample stochastic-triple estimates of ``dE[L(y)]/dW_l, db_l`` (unbiased).

    For every unit the Bernoulli triple of docs/theory.md §4 (right: a silent unit may jump to 1
    with weight ``1/(1 - p)``; left: a spiking unit may jump to 0 with weight ``1/p``) is
    propagated by re-running the layers above it on the alternative pattern with the *same*
    uniforms. Parameter ``W_l[i, j]`` moves only ``p_{l,i}``, by ``f'(u_{l,i}) h_{l-1,j}``.

    Returns one ``(dW, db)`` pair per layer with a leading sample axis.

    Examples
    --------
    >>> import numpy as np
    >>> from sgverify import escape, network, stochad
    >>> f = escape.Sigmoid(5.0)
    >>> net = network.MLP([[[0.3], [-0.2]], [[2.0, -1.0]]], [[0.0, 0.0], [-0.5]], [f, f])
    >>> est = stochad.triple_gradient_estimate(net, 1.0, np.random.default_rng(0), 200_000)
    >>> est[0][0].mean(axis=0).ravel().round(2)  # exact: 0.6888, -0.0740
    array([ 0.69, -0.07])
    """
    net = network.as_mlp(net)
    x = network.as_input(net, x)
    n = network.checked_samples(net, samples)  # refused before allocating if too large
    side = _side(side)
    unif = network.draw_uniforms(net, rng, n)
    fp = network.propagate(net, x, unif, n)
    base = _quantity(loss, fp.h[-1])
    alt = 1.0 if side == "right" else 0.0
    sign = 1.0 if side == "right" else -1.0
    grads: network.Gradient = []
    for k in range(net.depth):
        u, h = fp.u[k], fp.h[k + 1]
        p, dp = net.escapes[k].cdf(u), net.escapes[k].pdf(u)
        coef = dp * _jump_weight(h, p, side)
        d = np.zeros(h.shape)
        for i in range(h.shape[1]):
            rows = np.nonzero(coef[:, i])[0]  # only paths with a possible jump are re-run
            if rows.size == 0:
                continue
            h_alt = np.array(h[rows])
            h_alt[:, i] = alt
            if k + 1 < net.depth:
                sub = [None] * (k + 1) + [v[rows] for v in unif[k + 1:]]
                h_alt = network.propagate(net, x, sub, rows.size, start=k + 1, h0=h_alt).h[-1]
            d[rows, i] = sign * coef[rows, i] * (_quantity(loss, h_alt) - base[rows])
        grads.append((d[:, :, None] * fp.h[k][:, None, :], d))
    return grads


def smoothed_chain_gradient(
    net: network.MLP, forward_pass: network.Pass, strategy: Smoothing = "input"
) -> network.Gradient:
    """Chain the per-node smoothed stochastic derivatives along sampled forward passes.

    Written in *forward* (input-to-output) Jacobian order, independently of the SG backward
    pass: ``J_l = diag(s_l f'(u_l)) W_l`` with ``s_l`` = :func:`smoothed` of the sampled
    spikes, and ``d(sum y)/dW_l[i, j] = [1^T J_L ... J_{l+1}]_i s_{l,i} f'(u_{l,i}) h_{l-1,j}``.
    With ``strategy="input"`` this is the SG with ``SD = f'`` (docs/theory.md §5).
    """
    net = network.as_mlp(net)
    fp = forward_pass
    if not isinstance(fp, network.Pass) or fp.h[-1].ndim != 2:
        raise ValueError("forward_pass must be a network.Pass with a sample axis")
    n = fp.h[-1].shape[0]
    local = []
    for k in range(net.depth):
        u, h = np.asarray(fp.u[k]), np.asarray(fp.h[k + 1])
        if not net.escapes[k].has_density:
            raise ValueError(f"layer {k + 1} is deterministic (Step): no smoothed derivative")
        p = net.escapes[k].cdf(u)
        local.append(smoothed(h, np.broadcast_to(p, h.shape), strategy) * net.escapes[k].pdf(u))
    grads: network.Gradient = []
    for k in range(net.depth):
        # downstream Jacobian product, accumulated from layer k+1 towards the output
        jac = np.broadcast_to(np.eye(net.sizes[k + 1]), (n, net.sizes[k + 1], net.sizes[k + 1]))
        for m in range(k + 1, net.depth):
            jac = np.einsum("sa,ab,sbc->sac", local[m], net.weights[m], jac)
        row = jac.sum(axis=1) * local[k]
        grads.append((row[:, :, None] * np.asarray(fp.h[k])[:, None, :], row))
    return grads


def finite_difference_estimate(
    net: network.MLP,
    x: ArrayLike,
    rng: np.random.Generator,
    samples: int,
    param: tuple[int, ...],
    eps: float,
    *,
    common_random_numbers: bool = True,
    loss: network.Loss | None = None,
) -> np.ndarray:
    """Per-sample central finite differences ``(L(y; theta + eps) - L(y; theta - eps)) / 2 eps``.

    ``param`` as in :func:`network.perturb`. With common random numbers both passes use the
    same uniforms; without, independent ones.
    """
    net = network.as_mlp(net)
    x = network.as_input(net, x)
    n = network.checked_samples(net, samples)  # refused before allocating if too large
    eps = positive("eps", eps)
    up, down = network.perturb(net, param, eps), network.perturb(net, param, -eps)
    u1 = network.draw_uniforms(net, rng, n)
    u2 = u1 if common_random_numbers else network.draw_uniforms(net, rng, n)
    y_up = network.propagate(up, x, u1, n).h[-1]
    y_down = network.propagate(down, x, u2, n).h[-1]
    return (_quantity(loss, y_up) - _quantity(loss, y_down)) / (2.0 * eps)


# --- exact moments by enumerating coupled pattern pairs ---------------------------------------

def _coupled(a: network.MLP, b: network.MLP, x: np.ndarray, changed: set[tuple[int, int]],
             force: dict[tuple[int, int], float] | None = None) -> dict:
    """Every joint state of two nets' hidden units driven by the same uniforms.

    Per unit the pair ``(h_a, h_b)`` is (0,0), (1,1), (1,0) or (0,1) with probabilities
    ``1 - max``, ``min``, ``(p_a - p_b)^+``, ``(p_b - p_a)^+``; units whose probabilities
    provably agree (upstream of, or beside, every changed unit) get the two diagonal states.
    """
    force = force or {}
    hidden = a.sizes[1:-1]
    first = min((k for k, _ in changed), default=len(hidden))
    radix = [4 if (k > first or (k, i) in changed) else 2
             for k, m in enumerate(hidden) for i in range(m)]
    total = int(np.prod(radix, dtype=np.int64)) if radix else 1
    if total > 1 << network.MAX_ENUMERATED:
        raise ValueError(f"{total} coupled states exceed the enumeration limit")
    codes = np.stack(np.unravel_index(np.arange(total), radix), axis=1) if radix else \
        np.zeros((1, 0), dtype=np.int64)
    prob = np.ones(total)
    ha, hb = [np.broadcast_to(x, (total, x.size))], [np.broadcast_to(x, (total, x.size))]
    ua, pa_all = [], []
    off = 0
    for k in range(a.depth):
        u_a = ha[-1] @ a.weights[k].T + a.biases[k]
        u_b = hb[-1] @ b.weights[k].T + b.biases[k]
        p_a, p_b = a.escapes[k].cdf(u_a), b.escapes[k].cdf(u_b)
        ua.append(u_a)
        pa_all.append(p_a)
        if k == a.depth - 1:
            return {"prob": prob, "ha": ha, "hb": hb, "ua": ua, "pa": pa_all,
                    "qa": p_a, "qb": p_b}
        for (kk, i), val in force.items():
            if kk == k:
                p_b[:, i] = val
        c = codes[:, off:off + hidden[k]]
        off += hidden[k]
        hi, lo = np.maximum(p_a, p_b), np.minimum(p_a, p_b)
        factor = np.choose(c, [1.0 - hi, lo, np.maximum(p_a - p_b, 0.0),
                               np.maximum(p_b - p_a, 0.0)])
        prob = prob * factor.prod(axis=1)
        ha.append(((c == 1) | (c == 2)).astype(np.float64))
        hb.append(((c == 1) | (c == 3)).astype(np.float64))
    raise AssertionError("unreachable")


def _delta_moments(qa: np.ndarray, qb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``E[dL]`` and ``E[dL^2]`` of ``dL = sum_k (Y_bk - Y_ak)``, outputs coupled by ``U_k``."""
    d = qb - qa
    m1 = d.sum(axis=1)
    return m1, np.abs(d).sum(axis=1) + m1 * m1 - (d * d).sum(axis=1)


def triple_gradient_moments(
    net: network.MLP, x: ArrayLike, side: str = "right"
) -> tuple[network.Gradient, network.Gradient]:
    """Exact per-sample mean and variance of :func:`triple_gradient_estimate` (summed output).

    Each hidden unit's triple is enumerated as a coupled pair of nets: the net itself and the
    net with that unit forced to its alternative value, sharing every uniform.
    """
    net = network.as_mlp(net)
    x = network.as_input(net, x)
    side = _side(side)
    means: network.Gradient = []
    variances: network.Gradient = []
    for k in range(net.depth):
        n_out, n_in = net.weights[k].shape
        m1, m2 = np.zeros((n_out, n_in + 1)), np.zeros((n_out, n_in + 1))
        for i in range(n_out):
            if k < net.depth - 1:
                st = _coupled(net, net, x, {(k, i)}, {(k, i): 1.0 if side == "right" else 0.0})
                e1, e2 = _delta_moments(st["qa"], st["qb"])
                e1 = e1 if side == "right" else -e1
                h_unit = st["ha"][k + 1][:, i]
            else:  # an output unit's jump changes the summed output by exactly +-1
                st = _coupled(net, net, x, set())
                e1 = e2 = np.ones(st["prob"].shape)
                h_unit = None
            p = st["pa"][k][:, i]
            dp = net.escapes[k].pdf(st["ua"][k][:, i])
            if h_unit is None:  # average the output spike analytically: E[w^2] = 1/(1-p) or 1/p
                rest = 1.0 - p if side == "right" else p
                wt1 = np.ones_like(p)
                wt2 = np.where(rest > 0, 1.0 / np.where(rest > 0, rest, 1.0), 0.0)
            else:
                wt1 = wt2 = None
                w = _jump_weight(h_unit, p, side)
            inputs = np.concatenate([np.asarray(st["ha"][k]), np.ones((p.size, 1))], axis=1)
            c = dp[:, None] * inputs
            if h_unit is None:
                m1[i] = (st["prob"] * wt1 * dp) @ inputs
                m2[i] = (st["prob"] * wt2 * dp * dp) @ (inputs * inputs)
            else:
                m1[i] = (st["prob"] * w * e1) @ c
                m2[i] = (st["prob"] * w * w * e2) @ (c * c)
        var = m2 - m1 * m1
        means.append((m1[:, :-1], m1[:, -1]))
        variances.append((var[:, :-1], var[:, -1]))
    return means, variances


def finite_difference_moments(
    net: network.MLP,
    x: ArrayLike,
    param: tuple[int, ...],
    eps: float,
    *,
    common_random_numbers: bool = True,
) -> tuple[float, float]:
    """Exact mean and variance of :func:`finite_difference_estimate` (summed output)."""
    net = network.as_mlp(net)
    x = network.as_input(net, x)
    eps = positive("eps", eps)
    up, down = network.perturb(net, param, eps), network.perturb(net, param, -eps)
    if common_random_numbers:
        changed = {(param[0], param[1])} if param[0] < net.depth - 1 else set()
        st = _coupled(down, up, x, changed)
        e1, e2 = _delta_moments(st["qa"], st["qb"])
        mean = float(st["prob"] @ e1) / (2 * eps)
        return mean, float(st["prob"] @ e2) / (4 * eps * eps) - mean * mean
    moments = []
    for side_net in (up, down):
        st = _coupled(side_net, side_net, x, set())
        q = st["qa"]
        s1 = q.sum(axis=1)
        moments.append((float(st["prob"] @ s1),
                        float(st["prob"] @ ((q * (1 - q)).sum(axis=1) + s1 * s1))))
    mean = (moments[0][0] - moments[1][0]) / (2 * eps)
    var = sum(m2 - m1 * m1 for m1, m2 in moments) / (4 * eps * eps)
    return mean, var
