"""A frozen ``scipy.stats`` continuous distribution used as escape noise (:func:`from_scipy`).

Its CDF is the firing probability and its PDF the matched surrogate derivative. The SymPy
twins come from :mod:`sympy.stats` for the distributions that have a counterpart there (an
independent implementation); other distributions work numerically only.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import sympy as sp

from .._validate import ArgumentTypeError, positive, short_repr
from ._base import EscapeNoise, Parameter

__all__ = ["ScipyNoise", "from_scipy"]


def _twin(name: str, shapes: dict[str, sp.Expr], loc: sp.Expr, scale: sp.Expr) -> Any:
    from sympy import stats as ss

    if name == "norm":
        return ss.Normal("X", loc, scale)
    if name == "logistic":
        return ss.Logistic("X", loc, scale)
    if name == "cauchy":
        return ss.Cauchy("X", loc, scale)
    if name == "laplace":
        return ss.Laplace("X", loc, scale)
    if name == "uniform":
        return ss.Uniform("X", loc, loc + scale)
    if name == "gumbel_r":
        return ss.Gumbel("X", scale, loc)
    raise NotImplementedError(f"scipy.stats.{name} has no SymPy twin here (norm, logistic, "
                              "cauchy, laplace, uniform and gumbel_r have); its numeric forms "
                              "work")


class ScipyNoise(EscapeNoise):
    """Escape noise given by a frozen :mod:`scipy.stats` continuous distribution.

    Build it with :func:`from_scipy`. Parameters are the distribution's shapes, ``loc`` and
    ``scale``; :meth:`sharpen` divides ``loc`` and ``scale`` (``f(factor v)``).
    """

    name = "scipy"

    def __init__(self, dist: Any) -> None:
        from scipy import stats

        if not isinstance(getattr(dist, "dist", None), stats.rv_continuous):
            raise ArgumentTypeError(f"dist must be a frozen scipy.stats continuous "
                                    f"distribution such as scipy.stats.norm(scale=0.2), got "
                                    f"{short_repr(dist)}")
        shapes, loc, scale = dist.dist._parse_args(*dist.args, **dist.kwds)
        names = [s.strip() for s in (dist.dist.shapes or "").split(",") if s.strip()]
        vals = {**dict(zip(names, map(float, shapes), strict=True)), "loc": float(loc),
                "scale": positive("scale", float(scale))}
        if not all(math.isfinite(x) for x in vals.values()):
            raise ValueError(f"dist parameters must be finite, got {vals}")
        params = tuple(Parameter(n, None, low=-math.inf, typical=(-1.0, 1.0)) for n in names)
        params += (Parameter("loc", None, low=-math.inf, typical=(-1.0, 1.0)),
                   Parameter("scale", None, typical=(0.01, 10.0), role="width"))
        for key, val in (("dist", dist), ("name", f"scipy.{dist.dist.name}"),
                         ("parameters", params), ("_params", vals), ("_floats", vals)):
            object.__setattr__(self, key, val)

    def _rebuild(self, vals: dict[str, float]) -> ScipyNoise:
        shapes = [vals[p.name] for p in self.parameters[:-2]]
        return ScipyNoise(self.dist.dist(*shapes, loc=vals["loc"], scale=vals["scale"]))

    def subs(self, mapping: Any = None, /, **values: Any) -> ScipyNoise:
        """A copy with parameters (shapes, ``loc``, ``scale``) replaced by name."""
        unknown = set(values) - set(self._params)
        if mapping or unknown:
            raise ArgumentTypeError(f"{self.name} takes parameters by name "
                                    f"({', '.join(self._params)}), got {sorted(unknown)}")
        return self._rebuild({**self._params, **{k: float(x) for k, x in values.items()}})

    def numpy_cdf(self, v: np.ndarray, **params: float) -> np.ndarray:
        return self.dist.cdf(v)

    def numpy_pdf(self, v: np.ndarray, **params: float) -> np.ndarray:
        return self.dist.pdf(v)

    def _stats_twin(self, params: dict[str, sp.Expr]) -> Any:
        shapes = {p.name: params[p.name] for p in self.parameters[:-2]}
        return _twin(self.dist.dist.name, shapes, params["loc"], params["scale"])

    def sympy_cdf(self, v: sp.Expr, **params: sp.Expr) -> sp.Expr:
        from sympy import stats as ss

        return ss.cdf(self._stats_twin(params))(v)

    def sympy_pdf(self, v: sp.Expr, **params: sp.Expr) -> sp.Expr:
        from sympy import stats as ss

        return ss.density(self._stats_twin(params))(v)

    @property
    def support(self) -> tuple[float, float]:
        lo, hi = self.dist.support()
        return (float(lo), float(hi))

    @property
    def kinks(self) -> tuple[float, ...]:
        ends = tuple(x for x in self.support if math.isfinite(x))
        return (*ends, self._params["loc"]) if self.dist.dist.name == "laplace" else ends

    @property
    def scale(self) -> float:
        """Half the interquartile range (finite for every distribution, Cauchy included)."""
        return float(self.dist.ppf(0.75) - self.dist.ppf(0.25)) / 2

    @property
    def mode(self) -> float:
        from scipy.optimize import minimize_scalar

        q1, med, q3 = (float(self.dist.ppf(q)) for q in (0.25, 0.5, 0.75))
        try:
            res = minimize_scalar(lambda t: -float(self.dist.pdf(t)), bracket=(q1, med, q3))
            return float(res.x)
        except ValueError:  # not unimodal inside the quartiles: the median is a fair centre
            return med

    def sharpen(self, factor: float) -> ScipyNoise:
        factor = positive("factor", factor)
        return self._rebuild({**self._params, "loc": self._params["loc"] / factor,
                              "scale": self._params["scale"] / factor})

    @classmethod
    def from_peak(cls, height: float) -> None:
        return None

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={x!r}" for k, x in self._params.items())
        return f"ScipyNoise({self.dist.dist.name}({args}))"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, ScipyNoise) and other.name == self.name
                and other._params == self._params)

    def __hash__(self) -> int:
        return hash((self.name, tuple(self._params.items())))


def from_scipy(dist: Any) -> ScipyNoise:
    """Escape noise from a frozen continuous distribution: CDF = firing probability.

    Examples
    --------
    >>> from scipy import stats
    >>> from sgverify import escape
    >>> f = escape.from_scipy(stats.norm(scale=0.5))
    >>> f
    ScipyNoise(norm(loc=0.0, scale=0.5))
    >>> float(f.cdf(0.0)), round(float(f.pdf(0.0)), 6)
    (0.5, 0.797885)
    >>> f.pdf_expr(symbolic=True)
    sqrt(2)*exp(-(-loc + v)**2/(2*scale**2))/(2*sqrt(pi)*scale)
    """
    return ScipyNoise(dist)
