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

Building blocks shared with :mod:`sgverify.stochad` and the claims: :func:`as_mlp` and
:func:`as_input` (argument checks), :func:`draw_uniforms` and :func:`propagate` (coupled
forward passes from any layer), :func:`backward` (the SG chain rule from an output gradient),
:func:`loss_values` and :func:`enumerate_patterns` (the exact sum over spike patterns).

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

from ._exact import (
    MAX_ENUMERATED,
    enumerate_patterns,
    expected_output,
    expected_output_expr,
    expected_output_gradient,
    expected_surrogate_gradient,
    loss_values,
    parameter_symbols,
    surrogate_gradient_variance,
)
from ._model import (
    MLP,
    Gradient,
    Loss,
    Pass,
    SurrogateLike,
    as_input,
    as_mlp,
    backward,
    draw_uniforms,
    forward,
    perturb,
    propagate,
    surrogate_gradient,
)

__all__ = [
    "MAX_ENUMERATED",
    "MLP",
    "Gradient",
    "Loss",
    "Pass",
    "SurrogateLike",
    "as_input",
    "as_mlp",
    "backward",
    "draw_uniforms",
    "enumerate_patterns",
    "expected_output",
    "expected_output_expr",
    "expected_output_gradient",
    "expected_surrogate_gradient",
    "forward",
    "loss_values",
    "parameter_symbols",
    "perturb",
    "propagate",
    "surrogate_gradient",
    "surrogate_gradient_variance",
]
