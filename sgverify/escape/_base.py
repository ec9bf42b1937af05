"""The escape-noise base class, its parameters and the family registry (the extension API).

A family is a subclass of :class:`EscapeNoise` that declares its :class:`Parameter` s and
writes four hooks, each a pure function of the potential and the parameters (like the
``_cdf(x, *shapes)`` hooks of :class:`scipy.stats.rv_continuous`):

* ``numpy_cdf(v, **params)`` and ``numpy_pdf(v, **params)``: vectorised float64 forms on a
  validated array ``v``, finite for every finite ``v`` (parameters arrive as floats);
* ``sympy_cdf(v, **params)`` and ``sympy_pdf(v, **params)``: the SymPy twins, written
  independently of the NumPy forms (parameters arrive as SymPy expressions).

Optional: the properties ``kinks``, ``support`` and ``mode`` (where the density peaks), and
``scale`` when no parameter has ``role="steepness"`` or ``"width"``. Registering the class
(:mod:`sgverify.escape._registry`) makes it visible to the rest of the library.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from .. import symbols as S
from .._validate import ArgumentTypeError, as_array, parameter, positive, short_repr

__all__ = ["EscapeNoise", "Parameter"]

@dataclass(frozen=True)
class Parameter:
    """One parameter of an escape-noise family.

    Parameters
    ----------
    name
        Keyword of the constructor, attribute of the instance, key of ``params``.
    default
        Value when omitted; None makes the parameter required.
    low, high
        The domain ``low < value <= high`` (finite values only).
    typical
        The range searched by :func:`sgverify.strategies.escapes` (log-uniform when
        ``typical[0] > 0``).
    role
        ``"steepness"`` (``scale = 1/value``, :meth:`EscapeNoise.sharpen` multiplies it),
        ``"width"`` (``scale = value``, sharpen divides it) or None.
    symbol
        The SymPy symbol of ``symbolic=True``; default ``Symbol(name, positive=True)`` for
        a positive domain, else ``Symbol(name, real=True)``.
    description
        One line for the documentation.
    """

    name: str
    default: float | None = None
    low: float = 0.0
    high: float = math.inf
    typical: tuple[float, float] = (0.1, 100.0)
    role: Literal["steepness", "width"] | None = None
    symbol: sp.Symbol | None = None
    description: str = ""

    def __post_init__(self) -> None:
        if not (isinstance(self.name, str) and self.name.isidentifier()):
            raise ValueError(f"name must be a Python identifier, got {self.name!r}")
        if self.role not in (None, "steepness", "width"):
            raise ValueError(f"role must be 'steepness', 'width' or None, got {self.role!r}")
        lo, hi = self.typical
        if not (self.low <= lo <= hi <= self.high and math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"typical must be a finite range inside the domain "
                             f"({self.low}, {self.high}], got {self.typical!r}")
        if self.default is not None:
            parameter(self.name, self.default, self.low, self.high)
        if self.symbol is None:
            sym = (sp.Symbol(self.name, positive=True) if self.low >= 0
                   else sp.Symbol(self.name, real=True))
            object.__setattr__(self, "symbol", sym)

    def example(self) -> float:
        """The default, else the geometric (or arithmetic) middle of the typical range."""
        if self.default is not None:
            return float(self.default)
        lo, hi = self.typical
        return math.sqrt(lo * hi) if lo > 0 else 0.5 * (lo + hi)


class EscapeNoise:
    """Base class of an escape-noise family; subclass it to add one (see the module doc).

    Attributes
    ----------
    name
        Short lower-case name, e.g. ``"sigmoid"``; the key of :func:`from_name`.
    parameters
        The family's :class:`Parameter` s, in constructor order.
    has_density
        False only for a family without a density (:class:`Step`).

    Examples
    --------
    >>> import numpy as np, sympy as sp
    >>> from scipy.special import expit
    >>> from sgverify import escape
    >>> class Logistic2(escape.EscapeNoise):
    ...     name = "logistic2"
    ...     parameters = (escape.Parameter("beta", 1.0, role="steepness"),)
    ...     def numpy_cdf(self, v, beta):
    ...         return expit(2 * beta * v)
    ...     def numpy_pdf(self, v, beta):
    ...         return 2 * beta * expit(2 * beta * v) * expit(-2 * beta * v)
    ...     def sympy_cdf(self, v, beta):
    ...         return 1 / (1 + sp.exp(-2 * beta * v))
    ...     def sympy_pdf(self, v, beta):
    ...         e = sp.exp(-2 * beta * v)
    ...         return 2 * beta * e / (1 + e) ** 2
    >>> Logistic2(beta=3.0).pdf(0.0)
    array(1.5)
    >>> Logistic2(beta=sp.Rational(1, 2)).cdf_expr()
    1/(1 + exp(-v))
    """

    name: ClassVar[str]
    parameters: ClassVar[tuple[Parameter, ...]] = ()
    has_density: ClassVar[bool] = True
    #: built-in families: their outputs are proven by the claims, not re-checked per call
    _trusted: ClassVar[bool] = False
    __signature__: ClassVar[inspect.Signature | None]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        taken = [p.name for p in cls.parameters if hasattr(EscapeNoise, p.name)]
        if taken:
            raise TypeError(f"{cls.__name__}: parameter name {taken[0]!r} clashes with an "
                            "EscapeNoise attribute")
        if "__init__" in cls.__dict__:
            cls.__signature__ = None  # a custom constructor documents itself
        else:
            cls.__signature__ = inspect.Signature([
                inspect.Parameter(p.name, inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                  default=inspect.Parameter.empty if p.default is None
                                  else p.default)
                for p in cls.parameters])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        sig = type(self).__signature__
        if sig is None:  # pragma: no cover - only when a subclass calls super().__init__()
            sig = inspect.Signature([inspect.Parameter(p.name, 1) for p in self.parameters])
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as exc:
            raise ArgumentTypeError(f"{type(self).__name__}(): {exc}") from None
        self._set_params({p.name: bound.arguments.get(p.name, p.default)
                          for p in self.parameters})

    def _set_params(self, raw: Mapping[str, Any]) -> None:
        vals = {p.name: parameter(p.name, raw[p.name], p.low, p.high) for p in self.parameters}
        object.__setattr__(self, "_params", vals)
        for k, val in vals.items():
            object.__setattr__(self, k, val)
        try:
            floats = {k: float(val) for k, val in vals.items()}
        except TypeError:  # a SymPy symbol: the symbolic forms work, the numeric ones say why
            floats = None
        object.__setattr__(self, "_floats", floats)

    def __setattr__(self, key: str, value: Any) -> None:
        if any(p.name == key for p in self.parameters):
            raise AttributeError(f"escape families are immutable; use .subs({key}=...) for a "
                                 "copy with another value")
        object.__setattr__(self, key, value)

    # --- parameters -------------------------------------------------------------------
    @property
    def params(self) -> dict[str, Any]:
        """The parameters by name, as given (floats, or SymPy values kept exactly)."""
        return dict(self._params)

    @property
    def symbols(self) -> dict[str, sp.Symbol]:
        """The SymPy symbol of each parameter (used by ``symbolic=True``)."""
        return {p.name: p.symbol for p in self.parameters}

    @property
    def is_symbolic(self) -> bool:
        """True when a parameter is a SymPy expression with free symbols."""
        return self._floats is None

    @property
    def values(self) -> dict[str, float]:
        """The parameters as floats; an error for symbolic parameters."""
        return dict(self._num())

    def _num(self) -> dict[str, float]:
        if self._floats is None:
            free = sorted({str(s) for x in self._params.values()
                           if isinstance(x, sp.Basic) for s in x.free_symbols})
            raise ValueError(f"{self!r} has symbolic parameters ({', '.join(free)}); numeric "
                             f"evaluation needs numbers: substitute them first, e.g. "
                             f".subs({free[0]}=2.0)")
        return self._floats

    def subs(self, mapping: Mapping[Any, Any] | None = None, /, **values: Any) -> EscapeNoise:
        """A copy with parameters replaced by name (``beta=5``) or SymPy substitution.

        ``mapping`` is applied to SymPy-valued parameters (``{sp.Symbol("beta",
        positive=True): 5}``); its string keys name parameters like the keywords do.
        """
        mapping = dict(mapping or {})
        names = {p.name for p in self.parameters}
        for key in [k for k in mapping if isinstance(k, str)]:
            values.setdefault(key, mapping.pop(key))
        unknown = set(values) - names
        if unknown:
            raise ArgumentTypeError(f"{type(self).__name__} has no parameter "
                                    f"{sorted(unknown)[0]!r}; its parameters: "
                                    f"{', '.join(sorted(names)) or 'none'}")
        new = {}
        for k, val in self._params.items():
            if k in values:
                val = values[k]
            elif mapping and isinstance(val, sp.Basic):
                val = val.subs(mapping)
            new[k] = val
        return type(self)(**new)

    @classmethod
    def example(cls) -> EscapeNoise:
        """A member with every parameter at its default (or typical middle)."""
        return cls(**{p.name: p.example() for p in cls.parameters})

    # --- the hooks a family writes ------------------------------------------------------
    def numpy_cdf(self, v: np.ndarray, **params: float) -> np.ndarray:
        """Hook: the firing probability ``f(v)`` on a validated float64 array."""
        raise NotImplementedError(f"{type(self).__name__} must define numpy_cdf(v, ...)")

    def numpy_pdf(self, v: np.ndarray, **params: float) -> np.ndarray:
        """Hook: the density ``f'(v)`` on a validated float64 array."""
        raise NotImplementedError(f"{type(self).__name__} must define numpy_pdf(v, ...)")

    def sympy_cdf(self, v: sp.Expr, **params: sp.Expr) -> sp.Expr:
        """Hook: the SymPy twin of :meth:`numpy_cdf`."""
        raise NotImplementedError(f"{type(self).__name__} must define sympy_cdf(v, ...)")

    def sympy_pdf(self, v: sp.Expr, **params: sp.Expr) -> sp.Expr:
        """Hook: the SymPy twin of :meth:`numpy_pdf`, written independently of it."""
        raise NotImplementedError(f"{type(self).__name__} must define sympy_pdf(v, ...)")

    # --- numeric ----------------------------------------------------------------------
    def _cdf(self, v: np.ndarray) -> np.ndarray:
        """The hook on an already validated array (the hot path of ``sgverify.lif``)."""
        return self.numpy_cdf(v, **self._num())

    def _pdf(self, v: np.ndarray) -> np.ndarray:
        return self.numpy_pdf(v, **self._num())

    def cdf(self, v: ArrayLike) -> np.ndarray:
        """Firing probability ``f(v)``; vectorised, finite for every finite ``v``."""
        v = as_array("v", v)
        # beta*v may overflow to +-inf for huge v; every form maps inf to its limit
        with np.errstate(over="ignore"):
            out = self._cdf(v)
        return out if self._trusted else self._checked("numpy_cdf", v, out, upper=1.0)

    def pdf(self, v: ArrayLike) -> np.ndarray:
        """Density ``f'(v)``, the matched surrogate derivative; vectorised and finite."""
        v = as_array("v", v)
        with np.errstate(over="ignore"):
            out = self._pdf(v)
        return out if self._trusted else self._checked("numpy_pdf", v, out, upper=math.inf)

    def _checked(self, hook: str, v: np.ndarray, out: Any, upper: float) -> np.ndarray:
        out = np.asarray(out, dtype=np.float64)
        if out.shape != v.shape:
            try:
                out = np.broadcast_to(out, v.shape).copy()
            except ValueError:
                raise ValueError(f"{type(self).__name__}.{hook} returned shape {out.shape} "
                                 f"for v of shape {v.shape}") from None
        bad = ~(np.isfinite(out) & (out >= 0.0) & (out <= upper))
        if np.any(bad):
            at = float(np.broadcast_to(v, out.shape)[bad].flat[0])
            raise ValueError(f"{type(self).__name__}.{hook} returned {out[bad].flat[0]!r} at "
                             f"v = {at:.6g}; it must be finite and in [0, {upper:g}]")
        return out

    def sample(self, v: ArrayLike, rng: np.random.Generator) -> np.ndarray:
        """Draw spikes ``y ~ Bernoulli(f(v))`` (as 0.0/1.0) by inversion, ``y = [U < f(v)]``."""
        if not isinstance(rng, np.random.Generator):
            raise ArgumentTypeError(f"rng must be a numpy.random.Generator, got "
                                    f"{short_repr(rng)}")
        p = self.cdf(v)
        return (rng.random(p.shape) < p).astype(np.float64)

    # --- symbolic ---------------------------------------------------------------------
    def _sym_params(self, symbolic: bool) -> dict[str, sp.Expr]:
        if symbolic:
            return self.symbols
        return {k: sp.Float(x) if isinstance(x, float) else x for k, x in self._params.items()}

    def _expr(self, hook: str, v: Any, symbolic: bool) -> sp.Expr:
        try:
            v = sp.sympify(v, strict=True)  # strict: a string is refused, never parsed
        except sp.SympifyError:
            raise ArgumentTypeError(f"v must be a SymPy expression or a number, got "
                                    f"{short_repr(v)}") from None
        out = getattr(self, hook)(v, **self._sym_params(symbolic))
        if not isinstance(out, sp.Expr):
            out = sp.sympify(out, strict=True)
        return out

    def cdf_expr(self, v: sp.Expr = S.v, *, symbolic: bool = False) -> sp.Expr:
        """SymPy twin of :meth:`cdf`; ``symbolic=True`` puts the parameters' symbols in."""
        return self._expr("sympy_cdf", v, symbolic)

    def pdf_expr(self, v: sp.Expr = S.v, *, symbolic: bool = False) -> sp.Expr:
        """SymPy twin of :meth:`pdf`, written independently of :meth:`cdf_expr`."""
        return self._expr("sympy_pdf", v, symbolic)

    # --- geometry used by the references ------------------------------------------------
    @property
    def kinks(self) -> tuple[float, ...]:
        """Points where the density is not smooth (derivative checks go one-sided there)."""
        return ()

    @property
    def support(self) -> tuple[float, float]:
        """Closed interval outside which the density vanishes."""
        return (-math.inf, math.inf)

    @property
    def mode(self) -> float:
        """Where the density peaks (0 for the families centred on the threshold)."""
        return 0.0

    @property
    def scale(self) -> float:
        """A typical width of the transition (``1/beta``), used to place quadrature breaks."""
        vals = self._num()
        for p in self.parameters:
            if p.role == "steepness":
                return 1.0 / vals[p.name]
            if p.role == "width":
                return vals[p.name]
        raise NotImplementedError(f"{type(self).__name__} must define scale (a typical width "
                                  "of its transition) or give a parameter role='steepness' or "
                                  "'width'")

    def sharpen(self, factor: float) -> EscapeNoise:
        """The same family made ``factor`` times steeper (``factor -> inf`` gives the step)."""
        factor = positive("factor", factor)
        roles = {p.name: p.role for p in self.parameters if p.role}
        if not roles:
            raise NotImplementedError(f"{type(self).__name__} has no steepness or width "
                                      "parameter; define sharpen(factor)")
        new = {k: (val * factor if roles.get(k) == "steepness"
                   else val / factor if roles.get(k) == "width" else val)
               for k, val in self._params.items()}
        return type(self)(**new)

    @classmethod
    def from_peak(cls, height: float) -> EscapeNoise | None:
        """The member whose density peaks at ``height``, or None (used by the audit).

        The default serves location-scale families with one steepness (or width)
        parameter: the peak height is proportional to the steepness.
        """
        if len(cls.parameters) != 1 or cls.parameters[0].role is None or not cls.has_density:
            return None
        p = cls.parameters[0]
        ref = cls(**{p.name: 1.0})
        c = float(ref.pdf(ref.mode))
        if not (c > 0 and math.isfinite(height) and height > 0):
            return None
        try:
            return cls(**{p.name: height / c if p.role == "steepness" else c / height})
        except ValueError:
            return None

    # --- printing and identity ------------------------------------------------------------
    def __repr__(self) -> str:
        args = ", ".join(f"{k}={val!r}" if isinstance(val, float) else f"{k}={val}"
                         for k, val in self._params.items())
        return f"{type(self).__name__}({args})"

    def _repr_latex_(self) -> str | None:
        try:
            cdf, pdf = self.cdf_expr(), self.pdf_expr()
        except Exception:  # a family without SymPy twins prints as its repr
            return None
        args = ", ".join(sp.latex(val) if val == p.symbol else
                         f"{sp.latex(p.symbol)}={sp.latex(val)}"
                         for p, val in zip(self.parameters, self._params.values(), strict=True))
        return (rf"$\mathrm{{{type(self).__name__}}}({args}):\quad f(v) = {sp.latex(cdf)},"
                rf"\quad f'(v) = {sp.latex(pdf)}$")

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._params == other._params  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self._params.items())))
