"""Does a library's executed backward pass compute the formula the catalogue says it does?

:func:`compare` evaluates an executed surrogate derivative (an :class:`AutogradSurrogate` or
any NumPy callable of ``v``) on a dense grid plus far points and compares it with a formula of
the audit's language, point by point, against the formula's exact value (30-digit mpmath).

The tolerance at each point is derived from the dtype the library ran in (``eps`` its machine
epsilon) and from the formula itself, never tuned to a result::

    tol(v) = 16 * (eps * (1 + kappa(v)) * |F(v)| + (eps / eps64) * |F64(v) - F(v)|) + tiny

* ``kappa(v) = |v F'(v) / F(v)|`` is the condition number of the formula at ``v`` (central
  difference of its float64 form): a relative rounding of ``v`` or of any product with
  ``v`` (``alpha*v``, ``exp(-alpha*|v|)``) moves the result by ``kappa`` times as much.
* ``|F64 - F|`` is how far the same expression evaluated in float64 by the audit's NumPy
  form lands from its exact value (its relative size maximised over the 8 grid neighbours
  on each side, since one point is one sample of the rounding): it measures cancellation
  inside the expression (norse's ``circ`` subtracts two nearly equal terms far out, ``1 -
  tanh^2`` cancels away from 0), which any float64 implementation of that expression shares.
* 16 allows for the few roundings a library's operation order adds (a handful of ulps each);
  ``tiny`` is the dtype's smallest normal number, below which relative error is undefined.

Points within ``64 eps max(|v_k|, threshold)`` (``eps`` of the input dtype) of a kink ``v_k``
where the formula jumps are not compared (the side a jump's own point falls on is a
convention: ``<`` versus ``<=``); the library's value at each jump is reported instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np

from .. import reference
from .. import symbols as S
from ._features import kinks as _kinks
from ._parse import parse

__all__ = ["Conformance", "compare", "conformance_grid"]

_SAFETY = 16.0
_DPS = 30


def conformance_grid(scale: float = 1.0) -> np.ndarray:
    """Dense grid on [-8, 8] scales (step 0.002), finer within 0.05 scales, and far points
    ``+-10^k`` for k in -6..6 in steps of 1/4 decade (sorted, float64, no duplicates)."""
    far = np.logspace(-6, 6, 49)
    pts = np.concatenate([np.linspace(-8, 8, 8001), np.linspace(-0.05, 0.05, 2001),
                          far, -far, [0.0]]) * scale
    return np.unique(pts)


@dataclass(frozen=True)
class Conformance:
    """The result of :func:`compare` (JSON-able through :meth:`to_dict`)."""

    formula: str
    params: dict[str, float]
    dtype: str
    points: int
    skipped_at_jumps: int
    max_ratio: float
    worst_v: float
    worst_library: float
    worst_formula: float
    max_rel_error: float
    at_jumps: list[tuple[float, float, float, float]] = field(default_factory=list)
    threshold: float = 0.0

    @property
    def ok(self) -> bool:
        """Every compared point within its tolerance (``max_ratio <= 1``)."""
        return self.max_ratio <= 1.0

    def to_dict(self) -> dict[str, Any]:
        def num(x: float) -> float | str:
            return float(x) if math.isfinite(x) else repr(float(x))
        return {"formula": self.formula, "params": dict(self.params), "dtype": self.dtype,
                "points": self.points, "skipped_at_jumps": self.skipped_at_jumps,
                "ok": self.ok, "max_ratio": num(self.max_ratio), "worst_v": num(self.worst_v),
                "worst_library": num(self.worst_library),
                "worst_formula": num(self.worst_formula),
                "max_rel_error": num(self.max_rel_error), "threshold": self.threshold,
                "at_jumps": [[num(a) for a in j] for j in self.at_jumps]}


def _exact(fn: Callable[[Any], Any], v: np.ndarray) -> np.ndarray:
    with reference.workdps(_DPS):
        out = []
        for x in v:
            try:
                out.append(float(mpmath.re(fn(mpmath.mpf(float(x))))))
            except (ZeroDivisionError, ValueError, OverflowError):
                out.append(math.nan)
        return np.array(out)


def compare(
    derivative: Callable[[np.ndarray], np.ndarray],
    formula: str,
    params: Mapping[str, float] | None = None,
    *,
    dtype: str = "float64",
    input_dtype: str = "float64",
    threshold: float = 0.0,
    grid: Iterable[float] | None = None,
) -> Conformance:
    """Compare an executed surrogate derivative with a formula in ``v``.

    Parameters
    ----------
    derivative
        ``v -> SD(v)``: the library's backward pass (see
        :func:`sgverify.audit.torch_surrogate`), called once on the whole grid.
    formula, params
        The catalogue's formula and parameters.
    dtype
        The dtype the library computed in: sets ``eps`` of the tolerance (module docstring).
        A library can compute in float32 on float64 input (norse's ``heavi_erfc`` and
        sinabs' Gaussians build ``sqrt(pi)`` as a float32 tensor).
    input_dtype
        The dtype of the potentials the library was given (float32 for JAX without x64).
    threshold
        The neuron's threshold when ``derivative`` goes through the neuron's convention
        ``u - threshold`` with ``u = v + threshold``: the formula is then compared at the
        potential the library actually saw, ``(v + threshold) - threshold`` in ``dtype``.
    grid
        Points ``v`` (default :func:`conformance_grid`).

    Examples
    --------
    >>> c = compare(lambda v: 1 / (25 * np.abs(v) + 1) ** 2, "1/(slope*abs(v) + 1)**2",
    ...             {"slope": 25})
    >>> c.ok, c.points > 10000
    (True, True)
    >>> compare(lambda v: 2 / (25 * np.abs(v) + 1) ** 2, "1/(slope*abs(v) + 1)**2",
    ...         {"slope": 25}).ok
    False
    """
    form = parse(formula, dict(params or {}))
    dt = np.dtype(dtype)
    eps, tiny = float(np.finfo(dt).eps), float(np.finfo(dt).tiny)
    v = np.asarray(conformance_grid() if grid is None else list(grid), dtype=np.float64)
    it = np.dtype(input_dtype)
    v = v.astype(it).astype(np.float64)  # the points the library can be given
    thr = float(np.asarray(threshold, dtype=it))
    seen = ((v.astype(it) + it.type(thr)) - it.type(thr)).astype(np.float64) if thr else v
    lib = np.asarray(derivative(v), dtype=np.float64).reshape(v.shape)

    mp_fn = reference.lambdify_mp(form.expr, S.v)
    exact = _exact(mp_fn, seen)
    f64 = form.numpy(seen)
    # condition number of the formula: a central difference of its float64 form is ample
    # for a tolerance scale (relative accuracy ~1e-8 at this step)
    h = 1e-7 * np.maximum(np.abs(seen), 1e-3)
    up, down = form.numpy(seen + h), form.numpy(seen - h)
    with np.errstate(all="ignore"):
        slope = np.abs(up - down) / (2 * h)
        kappa = np.where(exact != 0, np.abs(seen) * slope / np.abs(exact), 0.0)
        kappa = np.where(np.isfinite(kappa), kappa, 0.0)
        miss = np.where(np.isfinite(f64), np.abs(f64 - exact), 0.0)
        rel = np.where(exact != 0, miss / np.abs(exact), 0.0)
    # the float64 form's relative error at one point is one sample of the expression's
    # rounding, which varies point to point: take its maximum over the 8 neighbours each side
    cancel = np.maximum(_window_max(rel, 8) * np.abs(exact), miss) * (eps / 2.0 ** -52)
    tol = _SAFETY * (eps * (1 + kappa) * np.abs(exact) + cancel) + tiny

    # points a few ulps from a jump of the formula are a convention, not a comparison
    jumps = [k for k in _kinks(form.expr) if _is_jump(mp_fn, k)]
    near = np.zeros(v.shape, dtype=bool)
    for k in jumps:
        near |= np.abs(seen - k) <= 64 * float(np.finfo(it).eps) * max(abs(k), abs(thr), 1e-300)
    at_jumps = []
    if jumps:
        kv = np.array(jumps, dtype=np.float64)
        lk = np.asarray(derivative(kv), dtype=np.float64)
        with reference.workdps(_DPS):
            for k, lval in zip(kv, lk, strict=True):
                left = float(mpmath.re(mp_fn(mpmath.mpf(k) - mpmath.mpf(10) ** -20)))
                right = float(mpmath.re(mp_fn(mpmath.mpf(k) + mpmath.mpf(10) ** -20)))
                at_jumps.append((float(k), float(lval), left, right))

    both_nan = np.isnan(lib) & np.isnan(exact)
    with np.errstate(all="ignore"):
        err = np.abs(lib - exact)
        ratio = np.where(both_nan | near, 0.0, err / tol)
        ratio = np.where(np.isnan(ratio), math.inf, ratio)
        rel = np.where(both_nan | near | (exact == 0), 0.0, err / np.abs(exact))
    i = int(np.argmax(ratio))
    return Conformance(
        formula=formula, params={k: float(x) for k, x in (params or {}).items()},
        dtype=dt.name, points=int((~near).sum()), skipped_at_jumps=int(near.sum()),
        max_ratio=float(ratio[i]), worst_v=float(v[i]), worst_library=float(lib[i]),
        worst_formula=float(exact[i]),
        max_rel_error=float(np.max(np.where(np.isfinite(rel), rel, math.inf))),
        at_jumps=at_jumps, threshold=thr)


def _window_max(x: np.ndarray, k: int) -> np.ndarray:
    """Running maximum over ``x[i-k : i+k+1]`` (the grid is sorted)."""
    pad = np.concatenate([np.zeros(k), x, np.zeros(k)])
    view = np.lib.stride_tricks.sliding_window_view(pad, 2 * k + 1)
    return view.max(axis=1)


def _is_jump(fn: Callable[[Any], Any], k: float) -> bool:
    with reference.workdps(_DPS):
        d = mpmath.mpf(10) ** -20
        a, b = fn(mpmath.mpf(k) - d), fn(mpmath.mpf(k) + d)
        return bool(abs(mpmath.re(a) - mpmath.re(b)) > mpmath.mpf(10) ** -15 * (
            1 + abs(mpmath.re(a)) + abs(mpmath.re(b))))
