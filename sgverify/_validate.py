"""Argument validation shared by every public function: one clear error naming the argument.

A value of the wrong *type* raises :class:`ArgumentTypeError`, which is both a
:class:`TypeError` (what Python users expect) and a :class:`ValueError` (what callers that
catch "bad input" already handle, like :class:`numpy.exceptions.AxisError`). A value of the
right type outside its domain raises :class:`ValueError`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "MAX_BYTES",
    "ArgumentTypeError",
    "allocation",
    "as_array",
    "finite_real",
    "finite_result",
    "parameter",
    "positive",
    "positive_int",
    "probability",
    "short_repr",
]

#: the largest work array a public function allocates in one piece (4 GiB): a sample count
#: that needs more is refused before anything is allocated
MAX_BYTES = 4 * 2**30


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type (a string where a number belongs, ...)."""


def short_repr(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, so an error message stays one short line."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_real_scalar(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _type_error(name: str, what: str, value: Any) -> ArgumentTypeError:
    return ArgumentTypeError(f"{name} must be {what}, got {type(value).__name__} "
                             f"{short_repr(value)}")


def positive(name: str, value: Any) -> float:
    """Return ``value`` as a float after checking it is a finite real number > 0."""
    if not _is_real_scalar(value):
        raise _type_error(name, "a finite real number > 0", value)
    value = float(value)
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"{name} must be a finite real number > 0, got {value!r}")
    return value


def finite_real(name: str, value: Any) -> float:
    """Return ``value`` as a float after checking it is a finite real number."""
    if not _is_real_scalar(value):
        raise _type_error(name, "a finite real number", value)
    if not math.isfinite(float(value)):
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
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise _type_error(name, "an integer >= 1", value)
    if value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def allocation(name: str, count: int, bytes_per_item: int) -> int:
    """Refuse ``count`` items of ``bytes_per_item`` each when that exceeds :data:`MAX_BYTES`.

    Checked before allocating, so ``samples=10**12`` is a one-line error, not a MemoryError
    (or a swapping machine) after the fact.
    """
    count = positive_int(name, count)
    need = count * max(int(bytes_per_item), 1)
    if need > MAX_BYTES:
        raise ValueError(f"{name}={count} needs {need / 2**30:.3g} GiB of work arrays (the "
                         f"limit is {MAX_BYTES / 2**30:g} GiB); draw in batches of at most "
                         f"{MAX_BYTES // max(int(bytes_per_item), 1)}")
    return count


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
    if isinstance(value, (str, bytes, dict, set)) or value is None:
        raise _type_error(name, "real numbers (a number or an array)", value)
    try:
        arr = np.asarray(value, dtype=np.float64)
    except TypeError:
        raise _type_error(name, "real numbers (a number or an array)", value) from None
    except ValueError:
        raise ValueError(f"{name} must be a number or a rectangular array of real numbers, "
                         f"got {short_repr(value)}") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return arr


def finite_result(what: str, value: np.ndarray, cause: str) -> np.ndarray:
    """Return ``value`` if finite, else say which computation overflowed and on which inputs.

    ``what`` names the quantity (``"w·x - theta"``), ``cause`` the caller's arguments that
    made it overflow (``"w and x"``): a float64 overflow is reported, never returned as
    inf or NaN.
    """
    if not np.all(np.isfinite(value)):
        raise ValueError(f"{what} overflows float64 (|value| > 1.8e308) for these {cause}; "
                         f"rescale them")
    return value


def parameter(name: str, value: Any, low: float = 0.0, high: float = math.inf) -> Any:
    """Validate a family parameter: a number in ``(low, high]`` or a SymPy expression.

    Python and NumPy numbers become floats. SymPy values are kept exactly
    (``sp.Rational(5)`` stays 5); a SymPy number is checked like a float, a symbolic
    expression is refused only when its assumptions contradict the domain (a symbol
    declared negative for a positive parameter).
    """
    domain = _domain_text(low, high)
    if type(value).__module__.startswith("sympy"):
        import sympy as sp  # only when a SymPy value is passed: keep this module light

        if not isinstance(value, sp.Expr):
            raise _type_error(name, f"a real number {domain} or a SymPy expression", value)
        if value.is_number:
            try:
                num = float(value)
            except TypeError:  # complex or not evaluable
                raise ValueError(f"{name} must be a real number {domain}, got {value}") from None
            if not (math.isfinite(num) and low < num <= high):
                raise ValueError(f"{name} must be a finite real number {domain}, got {value}")
            return value
        if value.is_real is False or (low >= 0 and value.is_positive is False):
            raise ValueError(f"{name} must be a real number {domain}; the assumptions of "
                             f"{value} contradict that (declare e.g. sp.Symbol({name!r}, "
                             "positive=True))")
        return value
    if not _is_real_scalar(value):
        raise _type_error(name, f"a finite real number {domain} (or a SymPy expression)",
                          value)
    num = float(value)
    if not (math.isfinite(num) and low < num <= high):
        raise ValueError(f"{name} must be a finite real number {domain}, got {num!r}")
    return num


def _domain_text(low: float, high: float) -> str:
    if high == math.inf:
        return f"> {low:g}" if low > -math.inf else "(any sign)"
    return f"in ({low:g}, {high:g}]"
