"""The built-in escape-noise families of docs/theory.md §2.2, written through the public hooks.

Every family has a hand-written, vectorised, overflow-free NumPy form and an independently
written SymPy twin; a user family is written the same way (see :mod:`sgverify.escape`).
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy.special import expit, ndtr

from .. import symbols as S
from .._validate import positive
from ._base import EscapeNoise, Parameter
from ._registry import _register_builtin

__all__ = [
    "FAMILIES",
    "Arctan",
    "Exponential",
    "FastSigmoid",
    "Gaussian",
    "Laplace",
    "Sigmoid",
    "Step",
    "Triangular",
    "Uniform",
]

#: the steepness of the one-parameter families (larger = sharper)
BETA = Parameter("beta", 1.0, typical=(0.1, 100.0), role="steepness", symbol=S.beta,
                 description="steepness (1/width of the transition)")


class Sigmoid(EscapeNoise):
    """Logistic escape noise ``f = sigma_beta(v)``, density ``beta sigma (1 - sigma)``."""

    name = "sigmoid"
    parameters = (BETA,)

    def numpy_cdf(self, v, beta):
        return expit(beta * v)

    def numpy_pdf(self, v, beta):
        z = beta * v
        # expit(z) * expit(-z) never forms 1 - sigma, so no cancellation for large |z|
        return beta * expit(z) * expit(-z)

    def sympy_cdf(self, v, beta):
        return 1 / (1 + sp.exp(-beta * v))

    def sympy_pdf(self, v, beta):
        e = sp.exp(-beta * v)
        return beta * e / (1 + e) ** 2


class FastSigmoid(EscapeNoise):
    """Normalised SuperSpike: ``f = (1 + beta v / (1 + beta|v|)) / 2``."""

    name = "fast-sigmoid"
    parameters = (BETA,)

    def numpy_cdf(self, v, beta):
        a = np.abs(beta * v)
        tail = 0.5 / (1.0 + a)  # the distance to the nearer limit, computed without cancellation
        return np.where(v > 0, 1.0 - tail, tail)

    def numpy_pdf(self, v, beta):
        a = np.abs(beta * v)
        return beta / (2.0 * (1.0 + a) ** 2)

    def sympy_cdf(self, v, beta):
        return (1 + beta * v / (1 + beta * sp.Abs(v))) / 2

    def sympy_pdf(self, v, beta):
        return beta / (2 * (1 + beta * sp.Abs(v)) ** 2)

    @property
    def kinks(self):
        return (0.0,)


class Gaussian(EscapeNoise):
    """Probit escape noise ``f = erfc(-beta v / sqrt 2) / 2`` (threshold noise N(0, 1/beta^2))."""

    name = "gaussian"
    parameters = (BETA,)

    def numpy_cdf(self, v, beta):
        return ndtr(beta * v)

    def numpy_pdf(self, v, beta):
        z = beta * v
        return beta * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)

    def sympy_cdf(self, v, beta):
        return sp.erfc(-beta * v / sp.sqrt(2)) / 2

    def sympy_pdf(self, v, beta):
        return beta / sp.sqrt(2 * sp.pi) * sp.exp(-(beta**2) * v**2 / 2)


class Arctan(EscapeNoise):
    """Cauchy escape noise ``f = 1/2 + atan(beta v)/pi``."""

    name = "arctan"
    parameters = (BETA,)

    def numpy_cdf(self, v, beta):
        z = beta * v
        with np.errstate(divide="ignore"):
            # left tail as atan(-1/z)/pi: same value, no cancellation against 1/2
            left = np.arctan(-1.0 / np.where(z < 0, z, -1.0)) / math.pi
        return np.where(z < 0, left, 0.5 + np.arctan(z) / math.pi)

    def numpy_pdf(self, v, beta):
        z = np.abs(beta * v)
        return beta / (math.pi * (1.0 + z * z))

    def sympy_cdf(self, v, beta):
        return sp.Rational(1, 2) + sp.atan(beta * v) / sp.pi

    def sympy_pdf(self, v, beta):
        return beta / (sp.pi * (1 + beta**2 * v**2))


class Laplace(EscapeNoise):
    """Two-sided exponential escape noise, density ``beta/2 e^{-beta|v|}``."""

    name = "laplace"
    parameters = (BETA,)

    def numpy_cdf(self, v, beta):
        half_tail = 0.5 * np.exp(-np.abs(beta * v))
        return np.where(v < 0, half_tail, 1.0 - half_tail)

    def numpy_pdf(self, v, beta):
        return 0.5 * beta * np.exp(-np.abs(beta * v))

    def sympy_cdf(self, v, beta):
        return sp.Piecewise((sp.exp(beta * v) / 2, v < 0), (1 - sp.exp(-beta * v) / 2, True))

    def sympy_pdf(self, v, beta):
        return beta / 2 * sp.exp(-beta * sp.Abs(v))

    @property
    def kinks(self):
        return (0.0,)


class Uniform(EscapeNoise):
    """Uniform threshold noise: ``f = clip(1/2 + beta v, 0, 1)``, rectangular density."""

    name = "uniform"
    parameters = (BETA,)

    def numpy_cdf(self, v, beta):
        return np.clip(0.5 + beta * v, 0.0, 1.0)

    def numpy_pdf(self, v, beta):
        return np.where(np.abs(v) < 0.5 / beta, beta, 0.0)

    def sympy_cdf(self, v, beta):
        half = 1 / (2 * beta)
        return sp.Piecewise((0, v <= -half), (sp.Rational(1, 2) + beta * v, v < half), (1, True))

    def sympy_pdf(self, v, beta):
        return sp.Piecewise((beta, sp.Abs(v) < 1 / (2 * beta)), (0, True))

    @property
    def kinks(self):
        return self.support

    @property
    def support(self):
        half = 0.5 / self._num()["beta"]
        return (-half, half)


class Triangular(EscapeNoise):
    """Triangular density ``beta - beta^2 |v|`` on ``|v| <= 1/beta``; piecewise-quadratic CDF."""

    name = "triangular"
    parameters = (BETA,)

    def numpy_cdf(self, v, beta):
        z = np.clip(beta * v, -1.0, 1.0)
        return np.where(z < 0, 0.5 * (1.0 + z) ** 2, 1.0 - 0.5 * (1.0 - z) ** 2)

    def numpy_pdf(self, v, beta):
        z = np.abs(beta * v)
        return np.where(z <= 1.0, beta * (1.0 - np.minimum(z, 1.0)), 0.0)

    def sympy_cdf(self, v, beta):
        return sp.Piecewise(
            (0, v < -1 / beta),
            ((1 + beta * v) ** 2 / 2, v < 0),
            (1 - (1 - beta * v) ** 2 / 2, v < 1 / beta),
            (1, True),
        )

    def sympy_pdf(self, v, beta):
        return sp.Piecewise((beta - beta**2 * sp.Abs(v), sp.Abs(v) <= 1 / beta), (0, True))

    @property
    def kinks(self):
        lo, hi = self.support
        return (lo, 0.0, hi)

    @property
    def support(self):
        edge = 1.0 / self._num()["beta"]
        return (-edge, edge)


class Exponential(EscapeNoise):
    """Exponential escape noise (MultilayerSpiker): ``f = min(1, p0 e^{v/delta_u})``."""

    name = "exponential"
    parameters = (
        Parameter("p0", 0.5, typical=(0.01, 1.0), symbol=S.p0,
                  description="firing probability at the threshold (clipped at 1)"),
        Parameter("delta_u", 1.0, typical=(0.01, 10.0), role="width", symbol=S.delta_u,
                  description="voltage scale of the exponential"),
    )

    @property
    def clip_point(self) -> float:
        """The potential above which the firing probability is clipped at 1."""
        p = self._num()
        return -p["delta_u"] * math.log(p["p0"])

    def numpy_cdf(self, v, p0, delta_u):
        return np.exp(np.minimum(math.log(p0) + v / delta_u, 0.0))

    def numpy_pdf(self, v, p0, delta_u):
        lr = math.log(p0) + v / delta_u
        return np.where(lr < 0, np.exp(np.minimum(lr, 0.0)) / delta_u, 0.0)

    def sympy_cdf(self, v, p0, delta_u):
        return sp.Piecewise((p0 * sp.exp(v / delta_u), v < delta_u * sp.log(1 / p0)), (1, True))

    def sympy_pdf(self, v, p0, delta_u):
        return sp.Piecewise((p0 / delta_u * sp.exp(v / delta_u), v < delta_u * sp.log(1 / p0)),
                            (0, True))

    @property
    def kinks(self):
        return (self.clip_point,)

    @property
    def support(self):
        return (-math.inf, self.clip_point)


class Step(EscapeNoise):
    """The deterministic Perceptron ``H(v)`` with ``H(0) = 0``: the ``beta -> inf`` limit.

    It has no density. :meth:`pdf` returns its derivative almost everywhere, 0, which is
    exactly why surrogate derivatives are needed; its SymPy twin is ``DiracDelta(v)``.
    """

    name = "step"
    has_density = False

    def sharpen(self, factor: float) -> EscapeNoise:
        positive("factor", factor)
        return self

    def numpy_cdf(self, v):
        return (v > 0).astype(np.float64)

    def numpy_pdf(self, v):
        return np.zeros_like(v)

    def sympy_cdf(self, v):
        return sp.Heaviside(v, 0)

    def sympy_pdf(self, v):
        return sp.DiracDelta(v)

    @property
    def kinks(self):
        return (0.0,)

    @property
    def scale(self):
        return 0.0

    @property
    def support(self):
        return (0.0, 0.0)


#: the built-in families, in the order of docs/theory.md §2.2 (:func:`families` adds the
#: user's registered ones)
FAMILIES: tuple[type[EscapeNoise], ...] = tuple(
    _register_builtin(c)
    for c in (Sigmoid, FastSigmoid, Gaussian, Arctan, Laplace, Uniform, Triangular, Exponential,
              Step)
)
