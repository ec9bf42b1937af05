"""Public Hypothesis strategies for the paper's objects; every value is valid by construction.

Examples
--------
>>> from hypothesis import given
>>> from sgverify import strategies as sst
>>> @given(sst.escapes())
... def test_cdf_is_a_probability(esc):
...     assert 0.0 <= float(esc.cdf(0.3)) <= 1.0
>>> test_cdf_is_a_probability()
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st

from . import escape

__all__ = [
    "ARCHITECTURES",
    "betas",
    "circles",
    "density_families",
    "escapes",
    "networks",
    "parameters",
    "probabilities",
    "seeds",
    "vectors",
]

FamilyClasses = tuple[type[escape.EscapeNoise], ...]


class _DensityFamilies(Sequence):
    """Every registered family with a density, read on each use: a live view of
    :func:`sgverify.escape.families`, so families registered after this import count."""

    def __getitem__(self, index: Any) -> Any:
        return escape.families(density=True)[index]

    def __len__(self) -> int:
        return len(escape.families(density=True))

    def __repr__(self) -> str:
        return repr(escape.families(density=True))


#: the registered families that have a density (all but the step), a live view
density_families: Sequence[type[escape.EscapeNoise]] = _DensityFamilies()


def betas(min_value: float = 0.1, max_value: float = 100.0) -> st.SearchStrategy[float]:
    """Steepness values, log-uniform in ``[min_value, max_value]``."""
    if not 0 < min_value <= max_value:
        raise ValueError("betas needs 0 < min_value <= max_value")
    lo, hi = math.log(min_value), math.log(max_value)
    return st.floats(lo, hi).map(lambda t: float(min(max(math.exp(t), min_value), max_value)))


def parameters(cls: type[escape.EscapeNoise]) -> st.SearchStrategy[escape.EscapeNoise]:
    """Members of a family with every parameter drawn from its ``typical`` range.

    Log-uniform for a positive range, uniform otherwise; this is how families registered
    through :func:`sgverify.escape.register` are searched.
    """
    def draw(p: escape.Parameter) -> st.SearchStrategy[float]:
        lo, hi = p.typical
        return betas(lo, hi) if lo > 0 else st.floats(lo, hi)

    return st.builds(cls, **{p.name: draw(p) for p in cls.parameters})


def _families(families: FamilyClasses | None) -> FamilyClasses:
    fams = escape.families(density=True) if families is None else tuple(families)
    if not fams:
        raise ValueError("families must not be empty")
    return fams


def escapes(
    families: FamilyClasses | None = None,
    *,
    min_beta: float = 0.1,
    max_beta: float = 100.0,
) -> st.SearchStrategy[escape.EscapeNoise]:
    """Escape-noise families with random parameters (``Exponential`` has ``p0 <= 1``).

    ``families`` defaults to every registered family with a density
    (:func:`sgverify.escape.families`), read when the strategy is built. The built-in
    one-parameter families draw ``beta`` log-uniformly in ``[min_beta, max_beta]``; a
    registered family draws its parameters with :func:`parameters` and gets half of the
    draws, so a short search still exercises it.
    """
    families = _families(families)

    def build(cls: type[escape.EscapeNoise]) -> st.SearchStrategy[escape.EscapeNoise]:
        if cls is escape.Step:
            return st.just(escape.Step())
        if cls is escape.Exponential:
            return st.builds(
                escape.Exponential, st.floats(0.01, 1.0), betas(1.0 / max_beta, 1.0 / min_beta)
            )
        if cls in escape.FAMILIES:
            return st.builds(cls, betas(min_beta, max_beta))
        return parameters(cls)

    return _half_for_registered(families, build)


def _half_for_registered(families: FamilyClasses, build: Any) -> st.SearchStrategy[Any]:
    """``sampled_from(families)``, but registered families get half of the draws.

    A registered family is what its author wants checked: among nine built-ins it would be
    drawn in ~1 of 10 examples (or never, in a 15-example search). With built-ins only the
    strategy is exactly ``sampled_from``, so built-in evidence does not move.
    """
    build = _memo(build)
    builtin = tuple(c for c in families if c in escape.FAMILIES)
    user = tuple(c for c in families if c not in escape.FAMILIES)
    if not user or not builtin:
        return st.sampled_from(families).flatmap(build)
    return st.one_of(st.sampled_from(builtin).flatmap(build),
                     st.sampled_from(user).flatmap(build))


def probabilities(min_value: float = 1e-3, max_value: float = 1 - 1e-3) -> st.SearchStrategy[float]:
    """Firing probabilities strictly inside (0, 1)."""
    return st.floats(min_value, max_value)


def _memo(build: Any) -> Any:
    """``build`` (a flatmap's expansion) remembering the strategy it made for each value.

    Why: Hypothesis validates every new strategy object on its first draw (signatures,
    nested strategies); a flatmap that builds its strategy anew on every draw pays that on
    every example, several times the cost of the draw. The same strategy object draws the
    same values from the same choices, so searches are unchanged.
    """
    made: dict[Any, Any] = {}

    def expand(value: Any) -> Any:
        if value not in made:
            made[value] = build(value)
        return made[value]

    return expand


def seeds() -> st.SearchStrategy[int]:
    """Seeds for :func:`numpy.random.default_rng`."""
    return st.integers(0, 2**32 - 1)


def vectors(
    n: int | st.SearchStrategy[int] = 3, *, min_value: float = -2.0, max_value: float = 2.0
) -> st.SearchStrategy[np.ndarray]:
    """Float64 vectors of length ``n`` (or of a drawn length) with bounded entries."""
    lengths = st.just(n) if isinstance(n, int) else n
    return lengths.flatmap(_memo(
        lambda k: st.lists(st.floats(min_value, max_value), min_size=k, max_size=k).map(
            lambda xs: np.array(xs, dtype=np.float64)
        ))
    )


#: the small architectures of docs/theory.md §5 that exact enumeration handles instantly
ARCHITECTURES: tuple[tuple[int, ...], ...] = (
    (1, 2, 1), (2, 2, 1), (1, 3, 1), (2, 3, 1), (2, 2, 2), (2, 3, 2, 1), (1, 2, 2, 1),
)


def _layer_escapes(families: FamilyClasses, max_beta: float
                   ) -> st.SearchStrategy[escape.EscapeNoise]:
    def build(cls: type[escape.EscapeNoise]) -> st.SearchStrategy[escape.EscapeNoise]:
        if cls is escape.Step:
            return st.just(escape.Step())
        if cls is escape.Exponential:
            return st.builds(cls, st.floats(0.05, 1.0), st.floats(1.0 / max_beta, 2.0))
        if cls in escape.FAMILIES:
            return st.builds(cls, st.floats(0.5, max_beta))
        return parameters(cls)

    return _half_for_registered(families, build)


def _snapped(lo: float, hi: float, min_magnitude: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi).map(lambda t: 0.0 if abs(t) < min_magnitude else t)


def networks(
    architectures: tuple[tuple[int, ...], ...] = ARCHITECTURES,
    *,
    families: FamilyClasses | None = None,
    max_beta: float = 8.0,
    max_weight: float = 2.0,
    min_magnitude: float = 0.0,
) -> st.SearchStrategy[Any]:
    """Small stochastic MLPs (:class:`sgverify.network.MLP`) with one escape family per layer.

    Weights and biases are uniform in ``[-max_weight, max_weight]``; those smaller in
    magnitude than ``min_magnitude`` become exactly 0. Steepness in ``[0.5, max_beta]``.
    ``families`` defaults to every registered family with a density.
    """
    from . import network  # networks are optional for users of the single-neuron strategies

    if not architectures or any(len(a) < 2 for a in architectures):
        raise ValueError("architectures must list layer sizes (n_in, ..., n_out)")
    families = _families(families)

    def build(sizes: tuple[int, ...]) -> st.SearchStrategy[Any]:
        n_par = sum(a * b + b for a, b in itertools.pairwise(sizes))

        def make(values: list[float], escs: list[escape.EscapeNoise]) -> Any:
            ws, bs, it = [], [], iter(values)
            for n_in, n_out in itertools.pairwise(sizes):
                ws.append(np.array([[next(it) for _ in range(n_in)] for _ in range(n_out)]))
                bs.append(np.array([next(it) for _ in range(n_out)]))
            return network.MLP(ws, bs, escs)

        n_layers = len(sizes) - 1
        return st.builds(
            make,
            st.lists(_snapped(-max_weight, max_weight, min_magnitude), min_size=n_par,
                     max_size=n_par),
            st.lists(_layer_escapes(families, max_beta), min_size=n_layers, max_size=n_layers),
        )

    return st.sampled_from(architectures).flatmap(_memo(build))


def circles(
    dim: int = 5,
    *,
    min_radius: float = 0.1,
    max_radius: float = 2.0,
    max_centre: float = 1.0,
) -> st.SearchStrategy[Any]:
    """Circles (:class:`sgverify.paths.Circle`) in random planes of ``dim``-dimensional space.

    The plane's two directions are orthonormalised draws that are kept away from degeneracy
    (each at least 0.1 long before normalisation).
    """
    from . import paths

    if dim < 2:
        raise ValueError(f"dim must be >= 2, got {dim!r}")
    if not 0 < min_radius <= max_radius:
        raise ValueError("circles needs 0 < min_radius <= max_radius")
    vec = st.lists(st.floats(-max_centre, max_centre), min_size=dim, max_size=dim).map(np.array)
    unit = st.lists(st.floats(-1.0, 1.0), min_size=dim, max_size=dim).map(np.array)

    def plane(ab: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray] | None:
        a, b = ab
        if np.linalg.norm(a) < 0.1:
            return None
        a = a / np.linalg.norm(a)
        b = b - (a @ b) * a
        return None if np.linalg.norm(b) < 0.1 else (a, b / np.linalg.norm(b))

    planes = st.tuples(unit, unit).map(plane).filter(lambda p: p is not None)
    return st.builds(lambda c, p, r: paths.Circle(c, p[0], p[1], r), vec, planes,
                     st.floats(min_radius, max_radius))
