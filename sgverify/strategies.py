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

import math

import numpy as np
from hypothesis import strategies as st

from . import escape

__all__ = [
    "betas",
    "density_families",
    "escapes",
    "probabilities",
    "seeds",
    "vectors",
]

#: the families that have a density (all but the step)
density_families: tuple[type[escape.EscapeNoise], ...] = tuple(
    cls for cls in escape.FAMILIES if cls.has_density
)


def betas(min_value: float = 0.1, max_value: float = 100.0) -> st.SearchStrategy[float]:
    """Steepness values, log-uniform in ``[min_value, max_value]``."""
    if not 0 < min_value <= max_value:
        raise ValueError("betas needs 0 < min_value <= max_value")
    lo, hi = math.log(min_value), math.log(max_value)
    return st.floats(lo, hi).map(lambda t: float(min(max(math.exp(t), min_value), max_value)))


def escapes(
    families: tuple[type[escape.EscapeNoise], ...] = density_families,
    *,
    min_beta: float = 0.1,
    max_beta: float = 100.0,
) -> st.SearchStrategy[escape.EscapeNoise]:
    """Escape-noise families with random parameters (``Exponential`` has ``p0 <= 1``)."""
    if not families:
        raise ValueError("families must not be empty")

    def build(cls: type[escape.EscapeNoise]) -> st.SearchStrategy[escape.EscapeNoise]:
        if cls is escape.Step:
            return st.just(escape.Step())
        if cls is escape.Exponential:
            return st.builds(
                escape.Exponential, st.floats(0.01, 1.0), betas(1.0 / max_beta, 1.0 / min_beta)
            )
        return st.builds(cls, betas(min_beta, max_beta))

    return st.sampled_from(families).flatmap(build)


def probabilities(min_value: float = 1e-3, max_value: float = 1 - 1e-3) -> st.SearchStrategy[float]:
    """Firing probabilities strictly inside (0, 1)."""
    return st.floats(min_value, max_value)


def seeds() -> st.SearchStrategy[int]:
    """Seeds for :func:`numpy.random.default_rng`."""
    return st.integers(0, 2**32 - 1)


def vectors(
    n: int | st.SearchStrategy[int] = 3, *, min_value: float = -2.0, max_value: float = 2.0
) -> st.SearchStrategy[np.ndarray]:
    """Float64 vectors of length ``n`` (or of a drawn length) with bounded entries."""
    lengths = st.just(n) if isinstance(n, int) else n
    return lengths.flatmap(
        lambda k: st.lists(st.floats(min_value, max_value), min_size=k, max_size=k).map(
            lambda xs: np.array(xs, dtype=np.float64)
        )
    )
