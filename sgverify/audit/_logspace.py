"""Overflow-safe evaluation of a formula: every value as a sign and the log of its magnitude.

A density written in a natural order can overflow or form ``inf * 0`` in float64 although
its value is an ordinary number: a Gumbel-type density ``exp(-v)*exp(-exp(-v))`` at
``v = -1000``, or ``v**40*exp(-v**2)`` at ``v = 1e8``. The parser builds, next to the plain
NumPy form, a form in this arithmetic: ``(s, l)`` with ``x = s * exp(l)``, so products are
sums, powers are multiples and ``exp`` is free, and nothing overflows before the end.

``s`` is -1, 0 or +1, or NaN when the sign is unknown; then ``l`` is only an upper bound on
``log|x|`` (a bounded function of an argument beyond float64, such as ``sin(exp(1e3))``,
is at most 1 in magnitude). A bound below ``log`` of the smallest float64 still gives the
value 0 exactly in float64, which is all the audit needs far from the bump.

``big`` is the log-magnitude of the largest argument met by a transcendental function: the
audit evaluates a point in mpmath only when it is moderate, since mpmath's cost grows with
the argument (``sin(exp(1e6))`` reduces modulo pi with 434 000 digits).

``x`` carries the ordinary float64 value wherever it is trustworthy (finite, and not below
float64's normal range, where an underflow could have lost digits): functions then see their
argument exactly as the NumPy form does (``floor(v)``, ``sin(1e8)``), and ``(s, l)`` take
over only where float64 overflows or underflows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
from scipy.special import erf, erfc, expit, log_ndtr

__all__ = ["FUNCTIONS_LOG", "LogValue", "compare", "to_float"]

_LOG2 = math.log(2.0)
_SMALL = -20.0  # log|x| below which sin x, tanh x, atan x, erf x are x times a constant
_NEGLIGIBLE = 40.0  # a term e^-40 smaller than another is below float64 resolution


class LogValue(NamedTuple):
    """``s * exp(l)`` elementwise; ``big``: the largest log|argument| of a function; ``x``:
    the float64 value where it is trustworthy, else NaN."""

    s: np.ndarray
    l: np.ndarray
    big: np.ndarray
    x: np.ndarray


_TINY = 1e-300  # below this a float64 result may have come through an underflow


def _mk(s: np.ndarray, l: np.ndarray, big: np.ndarray, x: np.ndarray | None = None
        ) -> LogValue:
    s = np.asarray(s, dtype=np.float64)
    l = np.asarray(l, dtype=np.float64)
    if x is None:
        x = np.full(s.shape, np.nan)
    else:
        x = np.asarray(x, dtype=np.float64)
        with np.errstate(invalid="ignore"):
            ok = np.isfinite(x) & ((np.abs(x) >= _TINY) | ((x == 0) & (s == 0)))
        x = np.where(ok, x, np.nan)
        with np.errstate(divide="ignore"):
            s = np.where(ok, np.sign(x), s)
            l = np.where(ok, np.log(np.abs(x)), l)
    l = np.where(s == 0, -np.inf, l)
    return LogValue(s, l, np.asarray(big, dtype=np.float64), x)


def from_array(x: np.ndarray) -> LogValue:
    """A float64 array (finite, or +-inf meaning 'beyond float64') in log form."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return _mk(np.sign(x), np.log(np.abs(x)), np.full(x.shape, -np.inf), x)


def to_float(a: LogValue) -> np.ndarray:
    """The float64 value: overflow to +-inf, underflow to 0, NaN where the sign is unknown
    unless the bound puts the magnitude below float64's smallest number."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = a.s * np.exp(a.l)
    tiny = np.isnan(a.s) & (a.l < -746.0)  # exp(-746) rounds to 0 in float64
    return np.where(tiny, 0.0, out)


def _big(*args: LogValue) -> np.ndarray:
    return np.maximum.reduce([a.big for a in args]) if len(args) > 1 else args[0].big


def neg(a: LogValue) -> LogValue:
    return LogValue(-a.s, a.l, a.big, -a.x)


def mul(a: LogValue, b: LogValue) -> LogValue:
    zero = (a.s == 0) | (b.s == 0)
    with np.errstate(invalid="ignore", over="ignore", under="ignore"):
        s, l = a.s * b.s, a.l + b.l
        x = a.x * b.x
    return _mk(np.where(zero, 0.0, s), l, _big(a, b), x)


def div(a: LogValue, b: LogValue) -> LogValue:
    with np.errstate(invalid="ignore", over="ignore", under="ignore", divide="ignore"):
        s, l = a.s * b.s, a.l - b.l
        x = np.where(b.s == 0, np.nan, a.x / b.x)
    s = np.where(b.s == 0, np.nan, np.where(a.s == 0, 0.0, s))
    l = np.where(b.s == 0, np.nan, l)  # a pole: no value, no bound
    return _mk(s, l, _big(a, b), x)


def add(a: LogValue, b: LogValue) -> LogValue:
    with np.errstate(invalid="ignore", over="ignore"):
        m = np.maximum(a.l, b.l)
        safe = np.where(np.isfinite(m), m, 0.0)
        t = a.s * np.exp(a.l - safe) + b.s * np.exp(b.l - safe)
        s = np.sign(t)
        with np.errstate(divide="ignore"):
            l = safe + np.log(np.abs(t))
        # both below float64 or both zero
        s = np.where(m == -np.inf, 0.0, s)
        known_a, known_b = ~np.isnan(a.s), ~np.isnan(b.s)
        # an unknown term negligible next to a known one leaves the known one
        keep_a = known_a & ~known_b & (a.l - b.l > _NEGLIGIBLE)
        keep_b = known_b & ~known_a & (b.l - a.l > _NEGLIGIBLE)
        s = np.where(keep_a, a.s, np.where(keep_b, b.s, s))
        l = np.where(keep_a, a.l, np.where(keep_b, b.l, l))
        bound = ~(known_a & known_b) & ~keep_a & ~keep_b
        s = np.where(bound, np.nan, s)
        l = np.where(bound, np.logaddexp(a.l, b.l), l)
        x = a.x + b.x
    return _mk(s, l, _big(a, b), x)


def power(a: LogValue, p: float) -> LogValue:
    """``a**p`` for a constant exponent ``p``."""
    if p == 0:
        return _mk(np.ones_like(a.s), np.zeros_like(a.l), a.big, np.ones_like(a.s))
    integer = float(p).is_integer()
    with np.errstate(invalid="ignore"):
        l = p * a.l
        if integer:
            s = np.where(a.s < 0, (-1.0) ** int(p % 2), a.s)
        else:
            s = np.where(a.s < 0, np.nan, a.s)
            l = np.where(a.s < 0, np.nan, l)  # a negative base: not real, no bound
    if p < 0:
        s = np.where(a.s == 0, np.nan, s)
        l = np.where((a.s == 0) | np.isnan(a.s), np.nan, l)  # no bound on 1/|x| either
    with np.errstate(all="ignore"):
        x = np.where(np.isnan(s), np.nan, np.power(a.x, p))
    return _mk(s, l, a.big, x)


def _value(a: LogValue) -> np.ndarray:
    """The argument as a float (+-inf beyond float64, NaN when unknown)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(np.isnan(a.x), a.s * np.exp(a.l), a.x)


def _direct(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sign(y), np.log(np.abs(y))


def _bounded_fn(fn: Callable[[np.ndarray], np.ndarray], bound: float, small_log: float | None):
    """A function with |f| <= e^bound: evaluated directly where its argument is a float,
    ``f(x) ~ x * e^small_log`` for tiny x (no underflow of the log), the bound otherwise."""
    def f(a: LogValue) -> LogValue:
        x = _value(a)
        with np.errstate(invalid="ignore", over="ignore"):
            s, l = _direct(fn(x))
        if small_log is not None:
            tiny = a.l < _SMALL
            s, l = np.where(tiny, a.s, s), np.where(tiny, a.l + small_log, l)
        unknown = np.isnan(s)
        with np.errstate(all="ignore"):
            y = fn(x)
        return _mk(s, np.where(unknown, bound, l), np.maximum(a.big, a.l), y)
    return f


def _exp(a: LogValue) -> LogValue:
    x = _value(a)
    s = np.where(np.isnan(x), np.nan, 1.0)
    # unknown argument with |x| <= e^L: |exp(x)| <= exp(e^L)
    with np.errstate(over="ignore"):
        l = np.where(np.isnan(x), np.exp(a.l), x)
        y = np.exp(x)
    return _mk(s, l, np.maximum(a.big, a.l), y)


def _log(a: LogValue) -> LogValue:
    val = np.where(a.s > 0, a.l, np.where(a.s == 0, -np.inf, np.nan))
    s, l = _direct(val)
    return _mk(s, l, a.big, val)


def _abs(a: LogValue) -> LogValue:
    return _mk(np.where(np.isnan(a.s), np.nan, np.abs(a.s)), a.l, a.big, np.abs(a.x))


def _sign(a: LogValue) -> LogValue:
    return _mk(a.s, np.zeros_like(a.l), a.big, a.s)


def _sqrt(a: LogValue) -> LogValue:
    return power(a, 0.5)


def _sinh(a: LogValue) -> LogValue:
    x = _value(a)
    with np.errstate(over="ignore", invalid="ignore"):
        s, l = _direct(np.sinh(x))
        far = np.abs(x) > 20
        s = np.where(far, np.sign(x), s)
        l = np.where(far, np.abs(x) - _LOG2, l)
        tiny = a.l < _SMALL
        s, l = np.where(tiny, a.s, s), np.where(tiny, a.l, l)
        y = np.sinh(x)
    return _mk(s, l, np.maximum(a.big, a.l), y)


def _cosh(a: LogValue) -> LogValue:
    x = np.abs(_value(a))
    with np.errstate(over="ignore", invalid="ignore"):
        l = x - _LOG2 + np.log1p(np.exp(-2 * x))
        bound = np.exp(a.l)  # cosh(x) <= e^|x| <= exp(e^L)
        y = np.cosh(x)
    unknown = np.isnan(x)
    return _mk(np.where(unknown, np.nan, 1.0), np.where(unknown, bound, l),
               np.maximum(a.big, a.l), y)


def _erfc(a: LogValue) -> LogValue:
    x = _value(a)
    with np.errstate(invalid="ignore"):
        l = _LOG2 + log_ndtr(-x * math.sqrt(2.0))
        y = erfc(x)
    unknown = np.isnan(x)
    return _mk(np.where(unknown, np.nan, 1.0), np.where(unknown, _LOG2, l),
               np.maximum(a.big, a.l), y)


def _sigmoid(a: LogValue) -> LogValue:
    x = _value(a)
    unknown = np.isnan(x)
    with np.errstate(invalid="ignore"):
        l = -np.logaddexp(0.0, -x)
        y = expit(x)
    return _mk(np.where(unknown, np.nan, 1.0), np.where(unknown, 0.0, l),
               np.maximum(a.big, a.l), y)


def _tan(a: LogValue) -> LogValue:
    x = _value(a)
    with np.errstate(invalid="ignore"):
        y = np.tan(x)
        s, l = _direct(y)
    tiny = a.l < _SMALL
    return _mk(np.where(tiny, a.s, s), np.where(tiny, a.l, l), np.maximum(a.big, a.l), y)


def _floor(a: LogValue) -> LogValue:
    x = _value(a)
    y = np.floor(x)
    s, l = _direct(y)
    inf = np.isinf(x)
    return _mk(np.where(inf, np.sign(x), s), np.where(inf, a.l, l), a.big, y)


def _heaviside(a: LogValue) -> LogValue:
    s = np.where(np.isnan(a.s), np.nan, np.where(a.s < 0, 0.0, 1.0))
    return _mk(s, np.zeros_like(a.l), a.big, s)


def _relu(a: LogValue) -> LogValue:
    s = np.where(np.isnan(a.s), np.nan, np.where(a.s > 0, 1.0, 0.0))
    return _mk(s, a.l, a.big, np.where(s > 0, a.x, np.where(s == 0, 0.0, np.nan)))


def compare(a: LogValue, b: LogValue, op: str) -> tuple[np.ndarray, np.ndarray]:
    """``a op b`` for op in < <= > >=, and the mask where it is unknown (a sign unknown)."""
    unknown = np.isnan(a.s) | np.isnan(b.s) | np.isnan(a.l) | np.isnan(b.l)
    with np.errstate(invalid="ignore"):
        # a - b in log form: its sign decides, and it is exact for known values
        d = add(a, neg(b))
    if op == "<":
        res = d.s < 0
    elif op == "<=":
        res = d.s <= 0
    elif op == ">":
        res = d.s > 0
    else:
        res = d.s >= 0
    return res & ~unknown, unknown | np.isnan(d.s)


def _extreme(args: Sequence[LogValue], op: str) -> LogValue:
    out = args[0]
    for b in args[1:]:
        take_b, unknown = compare(b, out, op)
        s = np.where(unknown, np.nan, np.where(take_b, b.s, out.s))
        l = np.where(unknown, np.maximum(b.l, out.l), np.where(take_b, b.l, out.l))
        x = np.where(unknown, np.nan, np.where(take_b, b.x, out.x))
        out = _mk(s, l, _big(out, b), x)
    return out


def _min(*args: LogValue) -> LogValue:
    return _extreme(args, "<")


def _max(*args: LogValue) -> LogValue:
    return _extreme(args, ">")


def where(cond: tuple[np.ndarray, np.ndarray], a: LogValue, b: LogValue) -> LogValue:
    res, unknown = cond
    s = np.where(unknown, np.nan, np.where(res, a.s, b.s))
    l = np.where(unknown, np.maximum(a.l, b.l), np.where(res, a.l, b.l))
    x = np.where(unknown, np.nan, np.where(res, a.x, b.x))
    return _mk(s, l, _big(a, b), x)


#: log-form twin of every whitelisted function (see :data:`sgverify.audit.FUNCTIONS`)
FUNCTIONS_LOG: dict[str, Callable[..., LogValue]] = {
    "abs": _abs,
    "sign": _sign,
    "exp": _exp,
    "log": _log,
    "sqrt": _sqrt,
    "sin": _bounded_fn(np.sin, 0.0, 0.0),
    "cos": _bounded_fn(np.cos, 0.0, None),
    "tan": _tan,
    "sinh": _sinh,
    "cosh": _cosh,
    "tanh": _bounded_fn(np.tanh, 0.0, 0.0),
    "atan": _bounded_fn(np.arctan, math.log(math.pi / 2), 0.0),
    "arctan": _bounded_fn(np.arctan, math.log(math.pi / 2), 0.0),
    "erf": _bounded_fn(erf, 0.0, math.log(2 / math.sqrt(math.pi))),
    "erfc": _erfc,
    "floor": _floor,
    "sigmoid": _sigmoid,
    "heaviside": _heaviside,
    "relu": _relu,
    "min": _min,
    "max": _max,
}
