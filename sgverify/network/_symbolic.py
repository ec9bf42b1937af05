"""SymPy twins of tiny networks: ``E[y]``, its exact gradient and the expected SG, in symbols.

Part of :mod:`sgverify.network`. Every twin is an explicit sum over the hidden spike
patterns of ``prod P(h_l | h_{l-1})`` times the quantity, built from the escape families'
SymPy forms, independently of the NumPy enumeration. The weights and biases are the
symbols of :func:`parameter_symbols`; the escape parameters are the families' own values
(numbers, exact SymPy numbers or symbols) or, with ``symbolic=True``, one symbol per layer
(``beta_1``, ``beta_2``, ...); the input is numbers, SymPy values, or the symbols ``x_j``.
:func:`substitute` puts a net's values back in.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from .._validate import ArgumentTypeError, short_repr
from ..escape import EscapeNoise
from ._gradient import Gradient
from ._model import MLP, as_input, as_mlp

__all__ = [
    "MAX_SYMBOLIC_HIDDEN",
    "escape_symbols",
    "expected_output_expr",
    "expected_output_gradient_expr",
    "expected_surrogate_gradient_expr",
    "input_symbols",
    "parameter_symbols",
    "substitute",
    "symbol_values",
]

#: the most hidden units the SymPy twins expand (2^6 patterns)
MAX_SYMBOLIC_HIDDEN = 6

_Fn = Callable[[sp.Expr], sp.Expr]


def parameter_symbols(net: MLP) -> list[tuple[sp.Matrix, sp.Matrix]]:
    """Real SymPy symbols ``W{l}_{i}{j}`` and ``b{l}_{i}`` (layers counted from 1)."""
    out = []
    for k, w in enumerate(as_mlp(net).weights, 1):
        n_out, n_in = w.shape
        ws = sp.Matrix(n_out, n_in, lambda i, j, k=k: sp.Symbol(f"W{k}_{i}{j}", real=True))
        bs = sp.Matrix(n_out, 1, lambda i, _, k=k: sp.Symbol(f"b{k}_{i}", real=True))
        out.append((ws, bs))
    return out


def escape_symbols(net: MLP) -> list[dict[str, sp.Symbol]]:
    """Per layer, one symbol per escape parameter: the family's symbol with the layer number
    (``beta_1``, ``beta_2``; same assumptions), used by ``symbolic=True``."""
    return [{name: sp.Symbol(f"{sym.name}_{k}", **sym.assumptions0)
             for name, sym in esc.symbols.items()}
            for k, esc in enumerate(as_mlp(net).escapes, 1)]


def input_symbols(net: MLP) -> sp.Matrix:
    """Real symbols ``x_0, x_1, ...`` for the input (used when ``x`` is None)."""
    return sp.Matrix([sp.Symbol(f"x_{j}", real=True) for j in range(as_mlp(net).sizes[0])])


def _symas_input(net: MLP, x: Any) -> sp.Matrix:
    if x is None:
        return input_symbols(net)
    if isinstance(x, sp.Basic) or (isinstance(x, (list, tuple, sp.MatrixBase))
                                   and any(isinstance(t, sp.Basic) for t in x)):
        vals = list(x) if not isinstance(x, sp.Basic) or isinstance(x, sp.MatrixBase) else [x]
        if len(vals) != net.sizes[0]:
            raise ValueError(f"x must have {net.sizes[0]} entries for this net, got {len(vals)}")
        return sp.Matrix([sp.sympify(t, strict=True) for t in vals])
    return sp.Matrix([sp.Float(v) for v in as_input(net, x)])


def _check_tiny(net: MLP) -> None:
    if net.n_hidden > MAX_SYMBOLIC_HIDDEN:
        raise ValueError(f"the SymPy twins are for tiny nets (at most {MAX_SYMBOLIC_HIDDEN} "
                         f"hidden units); this net has {net.n_hidden}")


def _layer_fn(net: MLP, k: int, esc: EscapeNoise, which: str, symbolic: bool) -> _Fn:
    method = esc.cdf_expr if which == "cdf" else esc.pdf_expr
    if not symbolic:
        return lambda u: method(u)
    rename = {esc.symbols[n]: s for n, s in escape_symbols(net)[k].items()}
    return lambda u: method(u, symbolic=True).xreplace(rename)


def _patterns(net: MLP, h_in: sp.Matrix, cdfs: Sequence[_Fn]):
    """Yield ``(P(h), [h_0, ..., h_{L-1}], [u_1, ..., u_L])`` for every hidden pattern."""
    syms = parameter_symbols(net)
    hidden = net.sizes[1:-1]
    for pattern in itertools.product((0, 1), repeat=net.n_hidden):
        weight, h, off, hs, us = sp.Integer(1), h_in, 0, [h_in], []
        for k, m in enumerate(hidden):
            u = syms[k][0] * h + syms[k][1]
            bits = pattern[off:off + m]
            off += m
            for i in range(m):
                p = cdfs[k](u[i])
                weight *= p if bits[i] else 1 - p
            h = sp.Matrix(bits)
            hs.append(h)
            us.append(u)
        us.append(syms[-1][0] * h + syms[-1][1])
        yield weight, hs, us


def expected_output_expr(net: MLP, x: Any = None, *, symbolic: bool = False) -> sp.Expr:
    """SymPy ``E[y]`` (summed outputs) of a tiny net in its :func:`parameter_symbols`.

    Examples
    --------
    >>> import sympy as sp
    >>> from sgverify import escape, network
    >>> f = escape.Sigmoid(sp.Integer(2))
    >>> net = network.MLP([[[0.5]]], [[0.0]], [f])
    >>> network.expected_output_expr(net, symbolic=True)
    1/(1 + exp(-beta_1*(W1_00*x_0 + b1_0)))
    """
    net = as_mlp(net)
    _check_tiny(net)
    cdfs = [_layer_fn(net, k, e, "cdf", symbolic) for k, e in enumerate(net.escapes)]
    total = sp.Integer(0)
    for weight, _, us in _patterns(net, _symas_input(net, x), cdfs):
        total += weight * sum(cdfs[-1](us[-1][i]) for i in range(us[-1].shape[0]))
    return total


def expected_output_gradient_expr(net: MLP, x: Any = None, *, symbolic: bool = False
                                  ) -> Gradient:
    """The exact gradient ``dE[y]/dW_l, dE[y]/db_l`` as SymPy matrices (by differentiation)."""
    net = as_mlp(net)
    e = expected_output_expr(net, x, symbolic=symbolic)
    return Gradient((ws.applyfunc(lambda s: sp.diff(e, s)), bs.applyfunc(lambda s: sp.diff(e, s)))
                    for ws, bs in parameter_symbols(net))


def _sym_surrogates(net: MLP, surrogates: Any, symbolic: bool) -> list[_Fn]:
    if surrogates is None or isinstance(surrogates, EscapeNoise) or callable(surrogates):
        surrogates = [surrogates] * net.depth
    if len(surrogates) != net.depth:
        raise ValueError(f"surrogates must have one entry per layer ({net.depth})")
    out: list[_Fn] = []
    for k, sd in enumerate(surrogates):
        if sd is None:
            if not net.escapes[k].has_density:
                raise ValueError(f"surrogates[{k}] (layer {k + 1}): a deterministic (Step) layer "
                                 "has no density; pass an explicit surrogate derivative")
            out.append(_layer_fn(net, k, net.escapes[k], "pdf", symbolic))
        elif isinstance(sd, EscapeNoise):
            out.append(lambda u, sd=sd: sd.pdf_expr(u))
        elif callable(sd):
            out.append(sd)
        else:
            raise ArgumentTypeError(f"surrogates[{k}] (layer {k + 1}) must be an escape family, "
                                    f"a function of one SymPy argument or None, got "
                                    f"{short_repr(sd)}")
    return out


def expected_surrogate_gradient_expr(net: MLP, x: Any = None, *, surrogates: Any = None,
                                     symbolic: bool = False) -> Gradient:
    """SymPy ``E[SG]`` over the stochastic forward pass: ``sum_h P(h) SG(h)``.

    The SG along a pattern is the chain rule ``SD(u_L) W_L ... diag(SD(u_l)) h_{l-1}^T`` in
    the parameter symbols; ``surrogates`` as in :func:`sgverify.network.surrogate_gradient`
    (None: the matched densities; an escape family or a function of one SymPy argument,
    one for all layers or one per layer).
    """
    net = as_mlp(net)
    _check_tiny(net)
    syms = parameter_symbols(net)
    cdfs = [_layer_fn(net, k, e, "cdf", symbolic) for k, e in enumerate(net.escapes)]
    sds = _sym_surrogates(net, surrogates, symbolic)
    acc = [[sp.zeros(*ws.shape), sp.zeros(*bs.shape)] for ws, bs in syms]
    for weight, hs, us in _patterns(net, _symas_input(net, x), cdfs):
        g = sp.ones(net.sizes[-1], 1)
        for k in range(net.depth - 1, -1, -1):
            d = sp.Matrix([g[i] * sds[k](us[k][i]) for i in range(us[k].shape[0])])
            acc[k][0] += weight * d * hs[k].T
            acc[k][1] += weight * d
            if k:
                g = syms[k][0].T * d
    return Gradient((w, b) for w, b in acc)


def symbol_values(net: MLP, x: Any = None) -> dict[sp.Symbol, sp.Float]:
    """The net's values of its symbols: weights, biases, per-layer escape parameters and
    (when ``x`` is given as numbers) the input symbols."""
    net = as_mlp(net)
    out: dict[sp.Symbol, sp.Float] = {}
    for (ws, bs), w, b in zip(parameter_symbols(net), net.weights, net.biases, strict=True):
        out.update({ws[i, j]: sp.Float(float(w[i, j]), 30) for i, j in np.ndindex(w.shape)})
        out.update({bs[i]: sp.Float(float(b[i]), 30) for i in range(b.shape[0])})
    for esc, layer in zip(net.escapes, escape_symbols(net), strict=True):
        if not esc.is_symbolic:
            out.update({layer[n]: sp.Float(val, 30) for n, val in esc.values.items()})
    if x is not None:
        xs = as_input(net, x)
        out.update({s: sp.Float(float(v), 30) for s, v in zip(input_symbols(net), xs,
                                                              strict=True)})
    return out


def substitute(obj: Any, net: MLP, x: Any = None, *, digits: int = 30) -> Any:
    """Put ``net``'s values (and ``x``'s) into a twin: an expression or a symbolic Gradient.

    Evaluated at ``digits`` digits. A fully numeric result comes back as a float (an
    expression) or a NumPy :class:`~sgverify.network.Gradient`, ready to compare with the
    enumeration; symbols without a value (a family's own symbolic parameter) stay.

    Examples
    --------
    >>> from sgverify import escape, network
    >>> f = escape.Sigmoid(5.0)
    >>> net = network.MLP([[[0.3], [-0.2]], [[2.0, -1.0]]], [[0.0, 0.0], [-0.5]], [f, f])
    >>> exact = network.expected_output_gradient(net, 1.0)
    >>> twin = network.substitute(network.expected_output_gradient_expr(net, 1.0), net)
    >>> float((twin - exact).norm()) < 1e-14
    True
    """
    values = symbol_values(net, x)

    def ev(e: sp.Expr) -> Any:
        return sp.sympify(e).evalf(digits, subs=values)

    if isinstance(obj, Gradient):
        if not obj.is_symbolic:
            raise ValueError("obj is a numeric Gradient already; substitute takes a SymPy twin")
        out = [(w.applyfunc(ev), b.applyfunc(ev)) for w, b in obj]
        if all(e.is_number for w, b in out for e in (*w, *b)):
            return Gradient((np.array(w.tolist(), dtype=np.float64),
                             np.array(b.tolist(), dtype=np.float64).ravel()) for w, b in out)
        return Gradient(out)
    if isinstance(obj, sp.Basic):
        e = ev(obj)
        return float(e) if e.is_number else e
    raise ArgumentTypeError(f"obj must be a SymPy expression or a symbolic Gradient, got "
                            f"{short_repr(obj)}")
