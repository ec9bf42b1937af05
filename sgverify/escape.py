"""Escape-noise families: firing probability ``f(v)``, its density ``f'(v)`` and SymPy twins.

An escape-noise function is the CDF of a threshold noise, monotone from 0 to 1; its density
``f'`` is the *matched* surrogate derivative (docs/theory.md §2). Every family here has a
hand-written, vectorised, overflow-free NumPy form and an independently written SymPy twin.

Examples
--------
>>> from sgverify import escape
>>> f = escape.Sigmoid(beta=5.0)
>>> float(f.cdf(0.0)), float(f.pdf(0.0))
(0.5, 1.25)
>>> f.pdf_expr()
5.0*exp(-5.0*v)/(1 + exp(-5.0*v))**2
>>> float(escape.Sigmoid(beta=1.0).cdf(-1e6))
0.0
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike
from scipy.special import expit, ndtr

from . import symbols as S
from ._validate import as_array, positive

__all__ = [
    "FAMILIES",
    "Arctan",
    "EscapeNoise",
    "Exponential",
    "FastSigmoid",
    "Gaussian",
    "Laplace",
    "Sigmoid",
    "Step",
    "Triangular",
    "Uniform",
    "from_name",
]


class EscapeNoise(ABC):
    """Base class of an escape-noise family (abstract; the families below are final).

    Attributes
    ----------
    name
        Short lower-case name, e.g. ``"sigmoid"``.
    has_density
        False only for :class:`Step`, whose derivative is 0 almost everywhere.
    """

    name: ClassVar[str]
    has_density: ClassVar[bool] = True

    # --- parameters -------------------------------------------------------------------
    @property
    @abstractmethod
    def params(self) -> dict[str, float]:
        """The family's parameters by name."""

    def _sym_params(self, symbolic: bool) -> dict[str, sp.Expr]:
        if symbolic:
            return {k: getattr(S, k) for k in self.params}
        return {k: sp.Float(val) for k, val in self.params.items()}

    @abstractmethod
    def sharpen(self, factor: float) -> EscapeNoise:
        """The same family made ``factor`` times steeper (``factor -> inf`` gives the step)."""

    # --- numeric ----------------------------------------------------------------------
    @abstractmethod
    def _cdf(self, v: np.ndarray) -> np.ndarray: ...

    @abstractmethod
    def _pdf(self, v: np.ndarray) -> np.ndarray: ...

    def cdf(self, v: ArrayLike) -> np.ndarray:
        """Firing probability ``f(v)``; vectorised, finite for every finite ``v``."""
        v = as_array("v", v)
        # beta*v may overflow to +-inf for huge v; every form below maps inf to its limit
        with np.errstate(over="ignore"):
            return self._cdf(v)

    def pdf(self, v: ArrayLike) -> np.ndarray:
        """Density ``f'(v)``, the matched surrogate derivative; vectorised and finite."""
        v = as_array("v", v)
        with np.errstate(over="ignore"):
            return self._pdf(v)

    def sample(self, v: ArrayLike, rng: np.random.Generator) -> np.ndarray:
        """Draw spikes ``y ~ Bernoulli(f(v))`` (as 0.0/1.0) by inversion, ``y = [U < f(v)]``."""
        if not isinstance(rng, np.random.Generator):
            raise ValueError("rng must be a numpy.random.Generator")
        p = self.cdf(v)
        return (rng.random(p.shape) < p).astype(np.float64)

    # --- symbolic ---------------------------------------------------------------------
    @abstractmethod
    def _cdf_sym(self, v: sp.Expr, prm: dict[str, sp.Expr]) -> sp.Expr: ...

    @abstractmethod
    def _pdf_sym(self, v: sp.Expr, prm: dict[str, sp.Expr]) -> sp.Expr: ...

    def cdf_expr(self, v: sp.Expr = S.v, *, symbolic: bool = False) -> sp.Expr:
        """SymPy twin of :meth:`cdf`; ``symbolic=True`` keeps the parameters as symbols."""
        return self._cdf_sym(v, self._sym_params(symbolic))

    def pdf_expr(self, v: sp.Expr = S.v, *, symbolic: bool = False) -> sp.Expr:
        """SymPy twin of :meth:`pdf`, written independently of :meth:`cdf_expr`."""
        return self._pdf_sym(v, self._sym_params(symbolic))

    # --- geometry used by the references ------------------------------------------------
    @property
    def kinks(self) -> tuple[float, ...]:
        """Points where the density is not smooth (derivative checks go one-sided there)."""
        return ()

    @property
    def scale(self) -> float:
        """A typical width of the transition (``1/beta``), used to place quadrature breaks."""
        return 1.0 / self.params["beta"]

    @property
    def support(self) -> tuple[float, float]:
        """Closed interval outside which the density vanishes."""
        return (-math.inf, math.inf)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={val!r}" for k, val in self.params.items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.params == other.params  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self.params.items())))


class _BetaFamily(EscapeNoise):
    """A family with a single steepness parameter ``beta``."""

    def __init__(self, beta: float = 1.0) -> None:
        self.beta = positive("beta", beta)

    @property
    def params(self) -> dict[str, float]:
        return {"beta": self.beta}

    def sharpen(self, factor: float) -> EscapeNoise:
        return type(self)(self.beta * positive("factor", factor))


class Sigmoid(_BetaFamily):
    """Logistic escape noise ``f = sigma_beta(v)``, density ``beta sigma (1 - sigma)``."""

    name = "sigmoid"

    def _cdf(self, v):
        return expit(self.beta * v)

    def _pdf(self, v):
        z = self.beta * v
        # expit(z) * expit(-z) never forms 1 - sigma, so no cancellation for large |z|
        return self.beta * expit(z) * expit(-z)

    def _cdf_sym(self, v, prm):
        return 1 / (1 + sp.exp(-prm["beta"] * v))

    def _pdf_sym(self, v, prm):
        e = sp.exp(-prm["beta"] * v)
        return prm["beta"] * e / (1 + e) ** 2


class FastSigmoid(_BetaFamily):
    """Normalised SuperSpike: ``f = (1 + beta v / (1 + beta|v|)) / 2``."""

    name = "fast-sigmoid"

    def _cdf(self, v):
        a = np.abs(self.beta * v)
        tail = 0.5 / (1.0 + a)  # the distance to the nearer limit, computed without cancellation
        return np.where(v > 0, 1.0 - tail, tail)

    def _pdf(self, v):
        a = np.abs(self.beta * v)
        return self.beta / (2.0 * (1.0 + a) ** 2)

    def _cdf_sym(self, v, prm):
        b = prm["beta"]
        return (1 + b * v / (1 + b * sp.Abs(v))) / 2

    def _pdf_sym(self, v, prm):
        b = prm["beta"]
        return b / (2 * (1 + b * sp.Abs(v)) ** 2)

    @property
    def kinks(self):
        return (0.0,)


class Gaussian(_BetaFamily):
    """Probit escape noise ``f = erfc(-beta v / sqrt 2) / 2`` (threshold noise N(0, 1/beta^2))."""

    name = "gaussian"

    def _cdf(self, v):
        return ndtr(self.beta * v)

    def _pdf(self, v):
        z = self.beta * v
        return self.beta * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)

    def _cdf_sym(self, v, prm):
        return sp.erfc(-prm["beta"] * v / sp.sqrt(2)) / 2

    def _pdf_sym(self, v, prm):
        b = prm["beta"]
        return b / sp.sqrt(2 * sp.pi) * sp.exp(-(b**2) * v**2 / 2)


class Arctan(_BetaFamily):
    """Cauchy escape noise ``f = 1/2 + atan(beta v)/pi``."""

    name = "arctan"

    def _cdf(self, v):
        z = self.beta * v
        with np.errstate(divide="ignore"):
            # left tail as atan(-1/z)/pi: same value, no cancellation against 1/2
            left = np.arctan(-1.0 / np.where(z < 0, z, -1.0)) / math.pi
        return np.where(z < 0, left, 0.5 + np.arctan(z) / math.pi)

    def _pdf(self, v):
        z = np.abs(self.beta * v)
        return self.beta / (math.pi * (1.0 + z * z))

    def _cdf_sym(self, v, prm):
        return sp.Rational(1, 2) + sp.atan(prm["beta"] * v) / sp.pi

    def _pdf_sym(self, v, prm):
        b = prm["beta"]
        return b / (sp.pi * (1 + b**2 * v**2))


class Laplace(_BetaFamily):
    """Two-sided exponential escape noise, density ``beta/2 e^{-beta|v|}``."""

    name = "laplace"

    def _cdf(self, v):
        half_tail = 0.5 * np.exp(-np.abs(self.beta * v))
        return np.where(v < 0, half_tail, 1.0 - half_tail)

    def _pdf(self, v):
        return 0.5 * self.beta * np.exp(-np.abs(self.beta * v))

    def _cdf_sym(self, v, prm):
        b = prm["beta"]
        return sp.Piecewise((sp.exp(b * v) / 2, v < 0), (1 - sp.exp(-b * v) / 2, True))

    def _pdf_sym(self, v, prm):
        b = prm["beta"]
        return b / 2 * sp.exp(-b * sp.Abs(v))

    @property
    def kinks(self):
        return (0.0,)


class Uniform(_BetaFamily):
    """Uniform threshold noise: ``f = clip(1/2 + beta v, 0, 1)``, rectangular density."""

    name = "uniform"

    def _cdf(self, v):
        return np.clip(0.5 + self.beta * v, 0.0, 1.0)

    def _pdf(self, v):
        return np.where(np.abs(v) < 0.5 / self.beta, self.beta, 0.0)

    def _cdf_sym(self, v, prm):
        b = prm["beta"]
        half = 1 / (2 * b)
        return sp.Piecewise((0, v <= -half), (sp.Rational(1, 2) + b * v, v < half), (1, True))

    def _pdf_sym(self, v, prm):
        b = prm["beta"]
        return sp.Piecewise((b, sp.Abs(v) < 1 / (2 * b)), (0, True))

    @property
    def kinks(self):
        return (-0.5 / self.beta, 0.5 / self.beta)

    @property
    def support(self):
        return (-0.5 / self.beta, 0.5 / self.beta)


class Triangular(_BetaFamily):
    """Triangular density ``beta - beta^2 |v|`` on ``|v| <= 1/beta``; piecewise-quadratic CDF."""

    name = "triangular"

    def _cdf(self, v):
        z = np.clip(self.beta * v, -1.0, 1.0)
        return np.where(z < 0, 0.5 * (1.0 + z) ** 2, 1.0 - 0.5 * (1.0 - z) ** 2)

    def _pdf(self, v):
        z = np.abs(self.beta * v)
        return np.where(z <= 1.0, self.beta * (1.0 - np.minimum(z, 1.0)), 0.0)

    def _cdf_sym(self, v, prm):
        b = prm["beta"]
        return sp.Piecewise(
            (0, v < -1 / b),
            ((1 + b * v) ** 2 / 2, v < 0),
            (1 - (1 - b * v) ** 2 / 2, v < 1 / b),
            (1, True),
        )

    def _pdf_sym(self, v, prm):
        b = prm["beta"]
        return sp.Piecewise((b - b**2 * sp.Abs(v), sp.Abs(v) <= 1 / b), (0, True))

    @property
    def kinks(self):
        return (-1.0 / self.beta, 0.0, 1.0 / self.beta)

    @property
    def support(self):
        return (-1.0 / self.beta, 1.0 / self.beta)


class Exponential(EscapeNoise):
    """Exponential escape noise (MultilayerSpiker): ``f = min(1, p0 e^{v/delta_u})``."""

    name = "exponential"

    def __init__(self, p0: float = 0.5, delta_u: float = 1.0) -> None:
        self.p0 = positive("p0", p0)
        self.delta_u = positive("delta_u", delta_u)

    @property
    def params(self) -> dict[str, float]:
        return {"p0": self.p0, "delta_u": self.delta_u}

    def _sym_params(self, symbolic):
        if symbolic:
            return {"p0": S.p0, "delta_u": S.delta_u}
        return {k: sp.Float(val) for k, val in self.params.items()}

    def sharpen(self, factor: float) -> EscapeNoise:
        return Exponential(self.p0, self.delta_u / positive("factor", factor))

    @property
    def clip_point(self) -> float:
        """The potential above which the firing probability is clipped at 1."""
        return -self.delta_u * math.log(self.p0)

    def _log_rate(self, v):
        return math.log(self.p0) + v / self.delta_u

    def _cdf(self, v):
        return np.exp(np.minimum(self._log_rate(v), 0.0))

    def _pdf(self, v):
        lr = self._log_rate(v)
        return np.where(lr < 0, np.exp(np.minimum(lr, 0.0)) / self.delta_u, 0.0)

    def _cdf_sym(self, v, prm):
        p0, du = prm["p0"], prm["delta_u"]
        return sp.Piecewise((p0 * sp.exp(v / du), v < du * sp.log(1 / p0)), (1, True))

    def _pdf_sym(self, v, prm):
        p0, du = prm["p0"], prm["delta_u"]
        return sp.Piecewise((p0 / du * sp.exp(v / du), v < du * sp.log(1 / p0)), (0, True))

    @property
    def kinks(self):
        return (self.clip_point,)

    @property
    def scale(self):
        return self.delta_u

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

    @property
    def params(self) -> dict[str, float]:
        return {}

    def sharpen(self, factor: float) -> EscapeNoise:
        positive("factor", factor)
        return self

    def _cdf(self, v):
        return (v > 0).astype(np.float64)

    def _pdf(self, v):
        return np.zeros_like(v)

    def _cdf_sym(self, v, prm):
        return sp.Heaviside(v, 0)

    def _pdf_sym(self, v, prm):
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


#: every family, in the order of docs/theory.md §2
FAMILIES: tuple[type[EscapeNoise], ...] = (
    Sigmoid,
    FastSigmoid,
    Gaussian,
    Arctan,
    Laplace,
    Uniform,
    Triangular,
    Exponential,
    Step,
)


def from_name(name: str, **params: Any) -> EscapeNoise:
    """Build a family by its :attr:`~EscapeNoise.name`, e.g. ``from_name("sigmoid", beta=5)``."""
    for cls in FAMILIES:
        if cls.name == name:
            return cls(**params)
    known = ", ".join(c.name for c in FAMILIES)
    raise ValueError(f"name must be one of {known}; got {name!r}")
