"""Argument validation shared by every public function: one clear error naming the argument."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["as_array", "finite_real", "positive", "positive_int", "probability"]


def _is_real_scalar(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def positive(name: str, value: Any) -> float:
    """Return ``value`` as a float after checking it is a finite real number > 0."""
    if not _is_real_scalar(value):
        raise ValueError(f"{name} must be a finite real number > 0, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"{name} must be a finite real number > 0, got {value!r}")
    return value


def finite_real(name: str, value: Any) -> float:
    """Return ``value`` as a float after checking it is a finite real number."""
    if not _is_real_scalar(value) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return float(value)


def probability(name: str, value: Any) -> float:
    """Return ``value`` as a float after checking it lies in [0, 1]."""
    value = finite_real(name, value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must lie in [0, 1], got {value!r}")
    return value


def positive_int(name: str, value: Any) -> int:
    """Return ``value`` after checking it is an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def as_array(name: str, value: Any, *, ndim: int | None = None) -> np.ndarray:
    """Convert ``value`` to a float64 array, rejecting NaN, infinities and non-numbers.

    Parameters
    ----------
    name
        The argument's name, used in the error message.
    value
        Anything :func:`numpy.asarray` accepts.
    ndim
        If given, the required number of dimensions.
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be real numbers, got {value!r}") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return arr
