"""Escape-noise families: firing probability ``f(v)``, its density ``f'(v)`` and SymPy twins.

An escape-noise function is the CDF of a threshold noise, monotone from 0 to 1; its density
``f'`` is the *matched* surrogate derivative (docs/theory.md §2). Every family has a
hand-written, vectorised, overflow-free NumPy form and an independently written SymPy twin.
Parameters may be SymPy values (``Sigmoid(beta=sp.Rational(5))`` stays exact,
``Sigmoid(beta=sp.Symbol("beta", positive=True))`` is symbolic): the SymPy twins use them,
the NumPy forms need numbers.

Adding a family (like :class:`scipy.stats.rv_continuous`): subclass :class:`EscapeNoise`,
declare its :class:`Parameter` s, write the hooks ``numpy_cdf``, ``numpy_pdf``, ``sympy_cdf``
and ``sympy_pdf`` (each a function of ``v`` and the parameters by name), and
:func:`register` it. It is then built by :func:`from_name`, listed by :func:`families`,
drawn by :func:`sgverify.strategies.escapes` and searched by the claims that quantify over
families. A frozen :mod:`scipy.stats` distribution is escape noise too: :func:`from_scipy`.

Examples
--------
>>> import sympy as sp
>>> from sgverify import escape
>>> f = escape.Sigmoid(beta=5.0)
>>> float(f.cdf(0.0)), float(f.pdf(0.0))
(0.5, 1.25)
>>> f.pdf_expr()
5.0*exp(-5.0*v)/(1 + exp(-5.0*v))**2
>>> escape.Sigmoid(beta=sp.Rational(5)).pdf_expr()
5*exp(-5*v)/(1 + exp(-5*v))**2
>>> float(escape.Sigmoid(beta=1.0).cdf(-1e6))
0.0
>>> [c.name for c in escape.families()][:3]
['sigmoid', 'fast-sigmoid', 'gaussian']
"""

from __future__ import annotations

from ._base import EscapeNoise, Parameter
from ._families import (
    FAMILIES,
    Arctan,
    Exponential,
    FastSigmoid,
    Gaussian,
    Laplace,
    Sigmoid,
    Step,
    Triangular,
    Uniform,
)
from ._registry import families, from_name, register, unregister
from ._scipy import ScipyNoise, from_scipy

__all__ = [
    "FAMILIES",
    "Arctan",
    "EscapeNoise",
    "Exponential",
    "FastSigmoid",
    "Gaussian",
    "Laplace",
    "Parameter",
    "ScipyNoise",
    "Sigmoid",
    "Step",
    "Triangular",
    "Uniform",
    "families",
    "from_name",
    "from_scipy",
    "register",
    "unregister",
]

# the families print (and pickle) under their public home, e.g. <class 'sgverify.escape.Sigmoid'>
# (claim evidence shows family classes); EscapeNoise keeps its module, where its doctest runs
for _cls in (ScipyNoise, *FAMILIES):
    _cls.__module__ = __name__
del _cls
