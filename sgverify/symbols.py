"""The paper's notation as SymPy symbols, created once with their assumptions.

Import these instead of calling :func:`sympy.symbols` again, so that every derivation in
the library and in ``proofs/`` refers to the very same symbols.

Examples
--------
>>> from sgverify.symbols import v, beta
>>> (beta * v).is_real
True
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "beta",
    "beta_n",
    "beta_sg",
    "delta_u",
    "f",
    "p",
    "p0",
    "theta",
    "u",
    "v",
    "w",
    "x",
    "z",
]

#: membrane potential minus threshold
v = sp.Symbol("v", real=True)
#: membrane potential (or pre-activation)
u = sp.Symbol("u", real=True)
#: synaptic weight
w = sp.Symbol("w", real=True)
#: input
x = sp.Symbol("x", real=True)
#: firing threshold
theta = sp.Symbol("theta", real=True)
#: a pre-activation inside a network
z = sp.Symbol("z", real=True)
#: steepness of an escape-noise family, and the forward steepness of the toy network's
#: sigmoids (docs/theory.md §6: ``sigma_beta`` forward, ``sigma'_{beta_SG}`` in the SG)
beta = sp.Symbol("beta", positive=True)
#: steepness of the escape noise
beta_n = sp.Symbol("beta_N", positive=True)
#: steepness of the surrogate derivative
beta_sg = sp.Symbol("beta_SG", positive=True)
#: exponential escape noise: rate at threshold and its voltage scale
p0 = sp.Symbol("p_0", positive=True)
delta_u = sp.Symbol("Delta_u", positive=True)
#: a firing probability
p = sp.Symbol("p", positive=True)
#: a generic escape-noise function (for derivations that hold for every family)
f = sp.Function("f", real=True)
