"""Closed paths in parameter space and line integrals of vector fields along them.

A :class:`Circle` is ``theta(phi) = c + R sin(phi) d1 + R cos(phi) d2`` (docs/theory.md §6, Fig. 5),
starting at ``phi = 0``, with the analytic tangent ``dtheta/dphi``. The closed-path integral
``∮ F · dtheta = ∫_0^{2 pi} F(theta(phi)) · theta'(phi) dphi`` is a real line integral computed
with the periodic trapezoid rule in ``phi``: spectrally accurate for smooth periodic integrands,
and with a nested error estimate ``|I_N - I_{N/2}|`` (the ``N/2`` sum reuses every other
sample, so it is free). The field is evaluated for all points of a chunk in one NumPy call.

Examples
--------
>>> import numpy as np
>>> from sgverify import paths
>>> c = paths.Circle(np.zeros(2), [1.0, 0.0], [0.0, 1.0], radius=1.0)
>>> rot = lambda th: np.stack([-th[..., 1], th[..., 0]], axis=-1)   # curl 2: loop = -2 pi
>>> round(paths.loop_integral(rot, c, 64).value / np.pi, 12)
-2.0
>>> grad = lambda th: 2 * th                                          # gradient of |theta|^2
>>> abs(paths.loop_integral(grad, c, 64).value) < 1e-14
True
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ._validate import as_array, positive, positive_int

__all__ = [
    "CHUNK",
    "Circle",
    "Field",
    "LoopIntegral",
    "RunningIntegral",
    "circle_trig",
    "convergence_table",
    "integrand",
    "loop_and_running",
    "loop_integral",
    "running_integral",
]

#: a vector field: points of shape (N, n) -> vectors of shape (N, n)
Field = Callable[[np.ndarray], np.ndarray]
#: points per field call: bounds the memory of one call (a few tens of MB at n = 5)
CHUNK = 1 << 18


@dataclass(frozen=True)
class Circle:
    """A circle of radius ``radius`` around ``centre`` in the plane of orthonormal ``d1, d2``.

    ``theta(phi) = centre + radius (sin(phi) d1 + cos(phi) d2)``.
    """

    centre: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    radius: float

    def __init__(self, centre: ArrayLike, d1: ArrayLike, d2: ArrayLike, radius: float) -> None:
        c = as_array("centre", centre, ndim=1)
        a, b = as_array("d1", d1, ndim=1), as_array("d2", d2, ndim=1)
        if not (a.shape == b.shape == c.shape):
            raise ValueError(f"centre, d1 and d2 must have the same length, got "
                             f"{c.shape}, {a.shape}, {b.shape}")
        gram = np.array([[a @ a, a @ b], [a @ b, b @ b]])
        # the published directions are printed to 10 digits: orthonormal to ~1e-10
        if np.abs(gram - np.eye(2)).max() > 1e-8:
            raise ValueError(f"d1 and d2 must be orthonormal (to 1e-8), got Gram matrix {gram}")
        object.__setattr__(self, "centre", c)
        object.__setattr__(self, "d1", a)
        object.__setattr__(self, "d2", b)
        object.__setattr__(self, "radius", positive("radius", radius))

    def point(self, phi: ArrayLike) -> np.ndarray:
        """``theta(phi)``, shape ``(*phi.shape, n)``."""
        phi = as_array("phi", phi)[..., None]
        return self.centre + self.radius * (np.sin(phi) * self.d1 + np.cos(phi) * self.d2)

    def tangent(self, phi: ArrayLike) -> np.ndarray:
        """The analytic ``dtheta/dphi = radius (cos(phi) d1 - sin(phi) d2)``."""
        phi = as_array("phi", phi)[..., None]
        return self.radius * (np.cos(phi) * self.d1 - np.sin(phi) * self.d2)


@dataclass(frozen=True)
class LoopIntegral:
    """One periodic-trapezoid value of a closed-path integral.

    Attributes
    ----------
    steps
        Number of equally spaced samples ``N`` in ``phi``.
    value
        ``I_N = (2 pi / N) sum_j F(theta_j) · theta'_j``.
    error_estimate
        ``|I_N - I_{N/2}|`` (for odd ``N``: NaN). For a smooth integrand the rule converges so
        fast that this bounds the error of ``I_N`` with a large margin.
    magnitude
        ``(2 pi / N) sum_j |F(theta_j) · theta'_j|``: the scale of the rounding error.
    """

    steps: int
    value: float
    error_estimate: float
    magnitude: float

    def to_dict(self) -> dict[str, float]:
        return {"steps": self.steps, "value": self.value,
                "error_estimate": self.error_estimate, "magnitude": self.magnitude}


@dataclass(frozen=True)
class RunningIntegral:
    """``∫_0^phi F · dtheta`` at ``phi_k = 2 pi k / N``, ``k = 0..N`` (cumulative trapezoid).

    ``error_estimate`` is the Richardson estimate ``max_k |C_N - C_{N/2}| / 3`` of the
    ``O(h^2)`` error at the shared nodes.
    """

    phi: np.ndarray
    values: np.ndarray
    error_estimate: float


def _trig(steps: int) -> tuple[np.ndarray, np.ndarray]:
    h = 2.0 * np.pi / steps
    if steps % 8:
        phi = np.arange(steps) * h
        sin, cos = np.sin(phi), np.cos(phi)
    else:
        q, m = steps // 4, steps // 8
        a = np.arange(m + 1) * h                    # the first octant, [0, pi/4]
        s0, c0 = np.sin(a), np.cos(a)
        sq, cq = np.empty(q), np.empty(q)           # the first quadrant, [0, pi/2)
        sq[:m + 1], cq[:m + 1] = s0, c0
        sq[m + 1:], cq[m + 1:] = c0[m - 1:0:-1], s0[m - 1:0:-1]
        sin = np.concatenate([sq, cq, -sq, -cq])    # quarter turns: (s, c) -> (c, -s)
        cos = np.concatenate([cq, -sq, -cq, sq])
    sin.flags.writeable = cos.flags.writeable = False
    return sin, cos


#: tables up to this many samples (16 MB each) are cached, four at most
TRIG_CACHE_MAX = 1 << 20
_trig_cached = functools.lru_cache(maxsize=4)(_trig)


def circle_trig(steps: int) -> tuple[np.ndarray, np.ndarray]:
    """``sin(phi_j), cos(phi_j)`` at ``phi_j = 2 pi j / steps``, ``j < steps``.

    For ``steps`` divisible by 8 only the first octant is evaluated and the rest follows by
    the exact symmetries ``sin(pi/2 - a) = cos(a)`` and quarter turns: 8x fewer calls of the
    (scalar, ~20 ns) libm sine and cosine, and every sample is as accurate as the first
    octant's, where ``np.sin(j * h)`` loses ~``j`` ulps of ``phi`` for large ``j``. The
    arrays are read-only and shared by later calls with the same ``steps``.

    >>> s, c = circle_trig(16)
    >>> bool(np.allclose(s, np.sin(np.arange(16) * np.pi / 8), atol=1e-15))
    True
    """
    steps = positive_int("steps", steps)
    # loops, tables and running integrals on one grid share the tables
    return _trig_cached(steps) if steps <= TRIG_CACHE_MAX else _trig(steps)


def integrand(field: Field, circle: Circle, steps: int) -> np.ndarray:
    """``F(theta(phi_j)) · theta'(phi_j)`` at ``phi_j = 2 pi j / steps``, ``j < steps``.

    A field with an ``along_circle(centre, d1, d2, radius, sin, cos)`` method (e.g.
    :class:`sgverify.toynet.SGField`) computes the products itself, fused; any other field
    is called on chunks of points of shape ``(N, n)``.
    """
    steps = positive_int("steps", steps)
    if not isinstance(circle, Circle):
        raise ValueError(f"circle must be a paths.Circle, got {circle!r}")
    sin, cos = circle_trig(steps)
    fused = getattr(field, "along_circle", None)
    if callable(fused):
        out = np.asarray(fused(circle.centre, circle.d1, circle.d2, circle.radius, sin, cos),
                         dtype=np.float64)
        if out.shape != (steps,):
            raise ValueError(f"field.along_circle must return shape ({steps},), "
                             f"got {out.shape}")
    else:
        out = np.empty(steps)
        r, n = circle.radius, circle.centre.size
        for lo in range(0, steps, CHUNK):
            s, c = sin[lo:lo + CHUNK, None], cos[lo:lo + CHUNK, None]
            vec = np.asarray(field(circle.centre + r * (s * circle.d1 + c * circle.d2)),
                             dtype=np.float64)
            if vec.shape != (s.size, n):
                raise ValueError(f"field must map points of shape (N, {n}) to "
                                 f"vectors of the same shape, got {vec.shape}")
            out[lo:lo + CHUNK] = np.sum(vec * (r * (c * circle.d1 - s * circle.d2)), axis=-1)
    if not np.all(np.isfinite(out)):
        raise ValueError("field returned non-finite values on the circle")
    return out


def _trapezoid(f: np.ndarray, stride: int) -> tuple[float, float]:
    sub = f[::stride]
    h = 2.0 * np.pi / sub.size
    return float(h * np.sum(sub)), float(h * np.sum(np.abs(sub)))


def _entry(f: np.ndarray, steps: int) -> LoopIntegral:
    stride = f.size // steps
    value, mag = _trapezoid(f, stride)
    err = abs(value - _trapezoid(f, 2 * stride)[0]) if steps % 2 == 0 else math.nan
    return LoopIntegral(steps, value, err, mag)


def loop_integral(field: Field, circle: Circle, steps: int = 100_000) -> LoopIntegral:
    """``∮ F · dtheta`` over ``circle`` by the periodic trapezoid rule with ``steps`` samples."""
    return _entry(integrand(field, circle, steps), positive_int("steps", steps))


def convergence_table(field: Field, circle: Circle, steps: Sequence[int]) -> list[LoopIntegral]:
    """:func:`loop_integral` for every step count, from ONE evaluation at the largest count.

    Every count must divide the largest one (the coarser rules reuse its samples).

    >>> import numpy as np
    >>> c = Circle(np.zeros(2), [1.0, 0.0], [0.0, 1.0], radius=2.0)
    >>> f = lambda th: np.stack([-th[..., 1], th[..., 0]], axis=-1)
    >>> [round(e.value, 9) for e in convergence_table(f, c, [4, 8, 16])]
    [-25.132741229, -25.132741229, -25.132741229]
    """
    counts = sorted({positive_int("steps", n) for n in steps})
    if not counts:
        raise ValueError("steps must not be empty")
    top = counts[-1]
    if any(top % n for n in counts):
        raise ValueError(f"every step count must divide the largest one ({top}), got {counts}")
    f = integrand(field, circle, top)
    return [_entry(f, n) for n in counts]


def running_integral(field: Field, circle: Circle, steps: int = 100_000) -> RunningIntegral:
    """The running integral ``∫_0^phi F · dtheta`` along the circle (cumulative trapezoid).

    For a gradient field ``F = grad y`` it reproduces ``y(theta(phi)) - y(theta(0))``.

    >>> import numpy as np
    >>> c = Circle(np.zeros(2), [1.0, 0.0], [0.0, 1.0], radius=1.0)
    >>> r = running_integral(lambda th: np.stack([th[..., 1], th[..., 0]], -1), c, 1000)
    >>> y = lambda th: th[..., 0] * th[..., 1]
    >>> bool(np.abs(r.values - (y(c.point(r.phi)) - y(c.point(0.0)))).max() < 1e-5)
    True
    """
    steps = positive_int("steps", steps)
    if steps % 2:
        raise ValueError(f"steps must be even (for the error estimate), got {steps}")
    return _running(integrand(field, circle, steps), steps)


def loop_and_running(field: Field, circle: Circle,
                     steps: int = 100_000) -> tuple[LoopIntegral, RunningIntegral]:
    """:func:`loop_integral` and :func:`running_integral` from ONE evaluation of the field
    (the same samples, so the same values as the two calls).

    >>> import numpy as np
    >>> c = Circle(np.zeros(2), [1.0, 0.0], [0.0, 1.0], radius=1.0)
    >>> f = lambda th: np.stack([th[..., 1], th[..., 0]], -1)
    >>> loop, run = loop_and_running(f, c, 1000)
    >>> loop == loop_integral(f, c, 1000)
    True
    >>> bool((run.values == running_integral(f, c, 1000).values).all())
    True
    """
    steps = positive_int("steps", steps)
    if steps % 2:
        raise ValueError(f"steps must be even (for the error estimate), got {steps}")
    f = integrand(field, circle, steps)
    return _entry(f, steps), _running(f, steps)


def _running(f: np.ndarray, steps: int) -> RunningIntegral:
    def cumulative(vals: np.ndarray) -> np.ndarray:
        h = 2.0 * np.pi / vals.size
        closed = np.append(vals, vals[0])
        return np.concatenate([[0.0], np.cumsum(h * 0.5 * (closed[1:] + closed[:-1]))])

    fine, coarse = cumulative(f), cumulative(f[::2])
    err = float(np.abs(fine[::2] - coarse).max()) / 3.0
    phi = np.arange(steps + 1) * (2.0 * np.pi / steps)
    return RunningIntegral(phi, fine, err)
