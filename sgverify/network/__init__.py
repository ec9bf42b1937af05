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
* :func:`expected_output_expr`, :func:`expected_output_gradient_expr`,
  :func:`expected_surrogate_gradient_expr`: SymPy twins for tiny nets (symbolic escape
  parameters with ``symbolic=True``); :func:`substitute` puts a net's values into them.

Building blocks shared with :mod:`sgverify.stochad` and the claims: :func:`as_mlp` and
:func:`as_input` (argument checks), :func:`draw_uniforms` and :func:`propagate` (coupled
forward passes from any layer), :func:`backward` (the SG chain rule from an output gradient),
:func:`loss_values` and :func:`enumerate_patterns` (the exact sum over spike patterns).

Gradients are :class:`Gradient` values: one ``(dW, db)`` pair per layer, shaped like the
parameters (with a leading sample axis for per-sample estimates), with ``g - h``,
``g.norm()``, ``g.cosine(h)`` and ``g.relative_bias(exact)``. (:func:`backward` returns the
plain list of pairs.)

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
>>> exact = network.expected_output_gradient(net, 1.0)
>>> exact
Gradient(2 layer(s), norm 0.993805)
  layer 1: dW = [[ 0.6888], [-0.074 ]]  db = [ 0.6888, -0.074 ]
  layer 2: dW = [[0.0787, 0.0772]]  db = [0.1256]
>>> esg = network.expected_surrogate_gradient(net, 1.0)
>>> [dw.round(4).ravel().tolist() for dw, _ in esg]
[[0.1873, -0.1235], [0.0787, 0.0772]]
>>> round(float(esg.relative_bias(exact)), 4), round(float(esg.cosine(exact)), 4)
(0.717, 0.8537)
>>> sg = network.surrogate_gradient(net, 1.0, np.random.default_rng(0), samples=4)
>>> sg[0].W.shape, sg.mean()[1].W.shape
((4, 2, 1), (1, 2))
"""

from __future__ import annotations

from ._exact import (
    MAX_ENUMERATED,
    enumerate_patterns,
    expected_output,
    expected_output_gradient,
    expected_surrogate_gradient,
    loss_values,
    surrogate_gradient_variance,
)
from ._gradient import Gradient, LayerGradient
from ._model import (
    MLP,
    Loss,
    Pass,
    SurrogateLike,
    as_input,
    as_mlp,
    backward,
    checked_preactivation,
    checked_samples,
    draw_uniforms,
    forward,
    perturb,
    propagate,
    surrogate_gradient,
)
from ._symbolic import (
    MAX_SYMBOLIC_HIDDEN,
    escape_symbols,
    expected_output_expr,
    expected_output_gradient_expr,
    expected_surrogate_gradient_expr,
    input_symbols,
    parameter_symbols,
    substitute,
    symbol_values,
)

__all__ = [
    "MAX_ENUMERATED",
    "MAX_SYMBOLIC_HIDDEN",
    "MLP",
    "Gradient",
    "LayerGradient",
    "Loss",
    "Pass",
    "SurrogateLike",
    "as_input",
    "as_mlp",
    "backward",
    "checked_preactivation",
    "checked_samples",
    "draw_uniforms",
    "enumerate_patterns",
    "escape_symbols",
    "expected_output",
    "expected_output_expr",
    "expected_output_gradient",
    "expected_output_gradient_expr",
    "expected_surrogate_gradient",
    "expected_surrogate_gradient_expr",
    "forward",
    "input_symbols",
    "loss_values",
    "parameter_symbols",
    "perturb",
    "propagate",
    "substitute",
    "surrogate_gradient",
    "surrogate_gradient_variance",
    "symbol_values",
]
