"""The audit's result record and its JSON form (identical fields for formulas and callables)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["VERDICTS", "AuditResult"]

#: every verdict the audit gives; ``inconclusive`` when the numerics could not establish
#: nonnegativity, integrability or the area (``reason`` says which and why)
VERDICTS = ("density", "rescaled density", "not a density", "inconclusive")


@dataclass(frozen=True)
class AuditResult:
    """What a surrogate derivative implies about the escape noise (all numbers float64).

    ``verdict`` is ``"density"`` (area 1, nonnegative: the SD is the matched SPM gradient of
    the noise whose CDF is the primitive), ``"rescaled density"`` (``factor`` times a density:
    right direction, scaled magnitude), ``"not a density"`` (``reason`` says why) or
    ``"inconclusive"`` (``reason`` says what could not be established). ``area`` is reported
    only when its quadrature error estimate is small (``area_error``); ``breakpoints`` are
    the kinks, jumps, support edges and integrable singularities the quadrature split at.
    """

    formula: str
    params: dict[str, float]
    verdict: str
    reason: str
    factor: float | None
    nonnegative: bool
    min_value: float
    min_at: float
    integrable: bool | None
    tails: dict[str, str]
    area: float | None
    area_error: float | None
    area_symbolic: str | None
    peak: float
    peak_at: float
    width: float | None
    symmetric: bool
    asymmetry: float
    family: str | None
    family_params: dict[str, float] | None
    family_shift: float | None
    family_error: float | None
    cdf_method: str | None
    cdf_symbolic: str | None
    cdf_table: list[tuple[float, float]]
    checks: dict[str, Any]
    seconds: float
    cpu_seconds: float = math.nan
    label: dict[str, Any] = field(default_factory=dict)
    kind: str = "formula"
    breakpoints: tuple[float, ...] = ()
    singularities: tuple[dict[str, Any], ...] = ()
    notes: tuple[str, ...] = ()
    _g: Callable[[np.ndarray], np.ndarray] | None = field(default=None, repr=False, compare=False)
    _gmp: Callable[[Any], Any] | None = field(default=None, repr=False, compare=False)
    _breaks: tuple[Any, ...] = field(default=(), repr=False, compare=False)  # mpf at kinks

    def __repr__(self) -> str:
        from ._explain import audit_repr

        return audit_repr(self)

    def __str__(self) -> str:
        from ._explain import audit_str

        return audit_str(self)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        from .._display import pretty

        pretty(self, p, cycle)

    def _repr_html_(self) -> str:
        from ._explain import audit_html

        return audit_html(self)

    @property
    def is_density(self) -> bool:
        """True when the surrogate is, up to a positive factor, a probability density."""
        return self.verdict in ("density", "rescaled density")

    def density(self, v: Any) -> np.ndarray:
        """The surrogate evaluated in float64 (overflow-safe for formulas)."""
        if self._g is None:
            raise ValueError(f"density: the surrogate could not be evaluated ({self.reason})")
        return self._g(np.asarray(v, dtype=np.float64))

    def cdf(self, v: float, *, dps: int = 30) -> float:
        """The implied escape-noise CDF ``F(v) = int_{-inf}^v SD / area`` by quadrature."""
        if not self.is_density or self.area is None:
            raise ValueError(f"cdf: the surrogate is not a density ({self.reason})")
        v = float(v)
        if not math.isfinite(v):
            raise ValueError(f"v must be finite, got {v!r}")
        return self._integral(-math.inf, v, dps=dps) / self.area

    def _integral(self, a: float, b: float, *, dps: int = 30) -> float:
        """The integral of the surrogate over ``[a, b]`` by quadrature between its breakpoints,
        to ``dps`` digits where it is evaluated in mpmath (float64's elsewhere)."""
        from ._area import quad

        pts = [a, *[x for x in self._breaks if a < x < b], b]
        return float(quad(self._gmp, pts, dps=dps))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able summary (no callables)."""
        def num(x: Any) -> Any:
            if x is None:
                return None
            x = float(x)
            return x if math.isfinite(x) else repr(x)

        return {
            **self.label,
            "formula": self.formula, "kind": self.kind, "params": dict(self.params),
            "verdict": self.verdict, "reason": self.reason, "factor": num(self.factor),
            "nonnegative": self.nonnegative, "min_value": num(self.min_value),
            "min_at": num(self.min_at), "integrable": self.integrable, "tails": dict(self.tails),
            "area": num(self.area), "area_error": num(self.area_error),
            "area_symbolic": self.area_symbolic, "peak": num(self.peak),
            "peak_at": num(self.peak_at), "width": num(self.width),
            "width_definition": "full width at half maximum",
            "symmetric": self.symmetric, "asymmetry": num(self.asymmetry),
            "family": self.family,
            "family_params": None if self.family_params is None else
            {k: num(x) for k, x in self.family_params.items()},
            "family_shift": num(self.family_shift), "family_error": num(self.family_error),
            "cdf": {"method": self.cdf_method, "symbolic": self.cdf_symbolic,
                    "table": [[num(a), num(b)] for a, b in self.cdf_table]},
            "breakpoints": [num(b) for b in self.breakpoints],
            "singularities": jsonable(list(self.singularities)),
            "notes": list(self.notes),
            "checks": jsonable(self.checks), "seconds": round(self.seconds, 4),
            "cpu_seconds": num(self.cpu_seconds),
        }


def jsonable(obj: Any) -> Any:
    """Numbers, lists and dicts made JSON-able (non-finite floats as their repr)."""
    if isinstance(obj, dict):
        return {str(k): jsonable(x) for k, x in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(x) for x in obj]
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else repr(float(obj))
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def bare(text: str, prm: dict[str, float], verdict: str, reason: str, *, seconds: float,
         label: Any, kind: str, **extra: Any) -> AuditResult:
    """A result that stops before the area: not finite, singular, zero, or out of work."""
    nan = math.nan
    fields: dict[str, Any] = dict(
        formula=text, params=prm, verdict=verdict, reason=reason, factor=None,
        nonnegative=False, min_value=nan, min_at=nan, integrable=None if verdict ==
        "inconclusive" else False, tails={}, area=None, area_error=None, area_symbolic=None,
        peak=nan, peak_at=nan, width=None, symmetric=False, asymmetry=nan, family=None,
        family_params=None, family_shift=None, family_error=None, cdf_method=None,
        cdf_symbolic=None, cdf_table=[], checks={}, seconds=seconds, label=dict(label or {}),
        kind=kind)
    fields.update(extra)
    return AuditResult(**fields)
