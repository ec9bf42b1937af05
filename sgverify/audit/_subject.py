"""What is audited: a formula or a Python callable, as evaluators the audit can rely on.

Both become a :class:`Subject`: a vectorised float64 evaluator ``g`` that never overflows
where the function itself is finite, the points known in advance where it may kink or jump,
and a way to integrate it between breakpoints with an error estimate.

* A formula is evaluated in float64 in the order it is written; where that overflows or
  forms ``inf*0``, in log-space (:mod:`._logspace`); and only where that cannot decide
  either, in mpmath, at points whose arguments are moderate (the cost of an mpmath
  evaluation grows with its arguments). It is integrated in mpmath at 20 digits.
* A callable is the user's code: it is called with a float64 array (or, if it only takes
  one number, point by point, with a note), its output checked (shape, type, NaN, raised
  exceptions: one line each), the time spent in it bounded by ``timeout`` seconds of wall
  time. It is integrated by SciPy's vectorised tanh-sinh.

Every point evaluated and every mpmath evaluation is counted against fixed caps
(:class:`._guard.Work`), so the audit's own work is bounded the same way on any machine.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np

from .. import reference
from .. import symbols as S
from . import _logspace as L
from ._guard import Limit, Work
from ._parse import Formula, parse

__all__ = ["CALLABLE_SECONDS", "MP_SAFE_ARGUMENT", "WORK_CAPS", "Subject", "subject"]

#: the audit's own work per audit: points evaluated in float64, mpmath evaluations. A
#: typical audit uses ~1.5e5 points and ~2e3-2e4 mpmath evaluations; the caps stop
#: pathological input with the same explicit outcome on every machine
WORK_CAPS = {"points": 4_000_000, "mpmath evaluations": 150_000}
#: default wall-time budget of a user's callable over a whole audit (its own code: it may
#: sleep, block or loop, which no count can bound)
CALLABLE_SECONDS = 60.0
#: largest |argument| of a transcendental function at which a point is evaluated in mpmath
#: (``sin(x)`` reduces x modulo pi with log10|x| extra digits; ``exp(exp(x))`` builds
#: numbers whose exponent has ~e^x digits): beyond it the log-space value is used
MP_SAFE_ARGUMENT = 1e15
_LOG_MP_SAFE = math.log(MP_SAFE_ARGUMENT)


@dataclass
class Subject:
    """A surrogate made evaluable (see the module docstring)."""

    kind: str
    text: str
    params: dict[str, float]
    g: Callable[[np.ndarray], np.ndarray]
    work: Work
    formula: Formula | None = None
    mp: Callable[[Any], Any] | None = None
    notes: list[str] = field(default_factory=list)
    hint_kinks: list[float] = field(default_factory=list)
    hint_support: tuple[float, float] | None = None

    @property
    def expr(self) -> Any:
        return None if self.formula is None else self.formula.expr

    def scalar(self, x: float) -> float:
        return float(self.g(np.array([float(x)]))[0])

    def mp_ok(self, x: np.ndarray) -> np.ndarray:
        """Where an mpmath evaluation has moderate transcendental arguments (bounded cost)."""
        if self.formula is None:
            return np.zeros(np.shape(x), dtype=bool)
        return self.formula.logform(x).big <= _LOG_MP_SAFE


def subject(
    surrogate: Any,
    params: Mapping[str, float] | None,
    *,
    kinks: Sequence[float] | None = None,
    support: tuple[float, float] | None = None,
    timeout: float = CALLABLE_SECONDS,
) -> Subject:
    """Build the :class:`Subject` of a formula string or a callable of ``v``."""
    work = Work(**WORK_CAPS)
    if isinstance(surrogate, str):
        sub = _formula_subject(parse(surrogate, params), work)
    elif callable(surrogate):
        sub = _callable_subject(surrogate, params, work, timeout)
    else:
        raise TypeError(f"surrogate must be a formula string or a callable of v, got "
                        f"{type(surrogate).__name__}")
    sub.hint_kinks = _hint_kinks(kinks)
    sub.hint_support = _hint_support(support)
    return sub


def _hint_kinks(kinks: Sequence[float] | None) -> list[float]:
    if kinks is None:
        return []
    try:
        out = sorted({float(k) for k in kinks})
    except (TypeError, ValueError):
        raise TypeError(f"kinks must be a sequence of real numbers, got {kinks!r}") from None
    if not all(math.isfinite(k) for k in out):
        raise ValueError(f"kinks must be finite, got {kinks!r}")
    return out


def _hint_support(support: Any) -> tuple[float, float] | None:
    if support is None:
        return None
    try:
        lo, hi = (float(x) for x in support)
    except (TypeError, ValueError):
        raise TypeError(f"support must be a pair (low, high), got {support!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"support must be finite with low < high, got {support!r}")
    return (lo, hi)


# --- formulas ----------------------------------------------------------------------------

def _formula_subject(form: Formula, work: Work) -> Subject:
    mp_fn = safe_mp(reference.lambdify_mp(form.expr, S.v))

    def g(v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=np.float64)
        work.spend("points", v.size)
        out = form.numpy(v)
        bad = ~np.isfinite(out)
        if bad.any():
            # overflow or inf*0 in the written order: the log-space form decides
            lv = form.logform(v[bad])
            out[bad] = L.to_float(lv)
            still = np.flatnonzero(bad)[np.isnan(out[bad]) & (lv.big <= _LOG_MP_SAFE)]
            if still.size:
                work.spend("mpmath evaluations", still.size)
                with reference.workdps(30):
                    for i in still:  # rare points, one at a time
                        out[i] = float(mp_fn(mpmath.mpf(float(v[i]))))
        return out

    def mp(t: Any) -> Any:
        work.spend("mpmath evaluations")
        return mp_fn(t)

    return Subject("formula", form.text, dict(form.params), g, work, formula=form, mp=mp)


def safe_mp(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An mpmath callable that returns NaN instead of raising, and NaN off the real line
    (e.g. log of a negative potential)."""
    def g(t: Any) -> Any:
        try:
            val = fn(t)
            if val is None:
                return mpmath.mpf("nan")
            if isinstance(val, mpmath.mpc):
                return val.real if val.imag == 0 else mpmath.mpf("nan")
            return val if isinstance(val, mpmath.mpf) else mpmath.mpf(val)
        except (OverflowError, ZeroDivisionError, ValueError, TypeError):
            return mpmath.mpf("nan")
    return g


# --- callables ---------------------------------------------------------------------------

def describe_callable(fn: Any) -> str:
    """A short name for a callable: ``module.qualname`` or its repr."""
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    mod = getattr(fn, "__module__", None)
    if name is None:
        own = getattr(fn, "name", None)  # e.g. an autograd adapter names its spike function
        return own if isinstance(own, str) and own else type(fn).__name__ + " instance"
    return f"{mod}.{name}" if mod and mod not in ("__main__", "builtins") else name


def _one_line(exc: BaseException) -> str:
    msg = " ".join(str(exc).split())
    if len(msg) > 160:
        msg = msg[:157] + "..."
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


class _Caller:
    """Calls the user's function with a float64 array, checks what comes back and keeps the
    time spent in it within the budget."""

    def __init__(self, fn: Callable[..., Any], params: dict[str, float], timeout: float,
                 name: str) -> None:
        self.fn, self.params, self.name = fn, params, name
        self.left = float(timeout)
        self.timeout = float(timeout)
        self.scalar_mode = False

    def _timed(self, call: Callable[[], Any], where: str) -> Any:
        if self.left <= 0:
            raise ValueError(self._late())
        lim = Limit(self.left, "wall")
        t0 = time.monotonic()
        try:
            with lim:
                return call()
        except lim.Expired:
            self.left = 0.0
            raise ValueError(self._late()) from None
        except Exception as exc:  # the user's code: whatever it raises becomes one line
            raise _UserError(exc, where) from exc
        finally:
            self.left -= time.monotonic() - t0

    def _late(self) -> str:
        return (f"surrogate: the callable {self.name} did not return within {self.timeout:g} s "
                "of wall time in total (pass timeout= to allow more)")

    def array(self, v: np.ndarray) -> np.ndarray:
        where = f"v in [{v.min():.6g}, {v.max():.6g}]" if v.size else "no points"
        if self.scalar_mode:
            fn, prm = self.fn, self.params

            def each() -> np.ndarray:
                return np.array([_as_scalar(fn(float(x), **prm)) for x in v], dtype=np.float64)

            out = self._timed(each, where)
        else:
            with np.errstate(all="ignore"):
                raw = self._timed(lambda: self.fn(v, **self.params), where)
            out = _as_array(raw, v.shape, self.name)
        return out


class _UserError(Exception):
    def __init__(self, exc: BaseException, where: str) -> None:
        super().__init__(f"{_one_line(exc)} (at {where})")
        self.original = exc


def _as_scalar(x: Any) -> float:
    arr = np.asarray(x)
    if arr.size != 1:
        raise ValueError(f"returned shape {arr.shape} for a single number")
    return float(arr.reshape(()))


def _as_array(raw: Any, shape: tuple[int, ...], name: str) -> np.ndarray:
    try:
        out = np.array(raw, dtype=np.float64)  # a copy: the caller's array may be read-only
    except (TypeError, ValueError):
        raise ValueError(f"surrogate: the callable {name} returned {type(raw).__name__}, not "
                         "an array of real numbers") from None
    if out.shape != shape:
        raise ValueError(f"surrogate: the callable {name} returned shape {out.shape} for an "
                         f"input of shape {shape} (it must act elementwise on an array of v)")
    return out


def _callable_subject(fn: Callable[..., Any], params: Mapping[str, float] | None,
                      work: Work, timeout: float) -> Subject:
    name = describe_callable(fn)
    prm = _callable_params(fn, params)
    timeout = float(timeout)
    if not (timeout > 0 and math.isfinite(timeout)):
        raise ValueError(f"timeout must be a finite number of seconds > 0, got {timeout!r}")
    caller = _Caller(fn, prm, timeout, name)
    notes: list[str] = []
    probe = np.array([-1.5, -0.25, 0.0, 0.25, 1.5])
    try:
        caller.array(probe)
    except (_UserError, ValueError) as first:
        # a function written for one number at a time (math.exp, if/else): call it point by
        # point, which is slower but gives the same function
        caller.scalar_mode = True
        try:
            caller.array(probe)
        except (_UserError, ValueError):
            caller.scalar_mode = False
            if isinstance(first, _UserError):
                raise ValueError(f"surrogate: the callable {name} raised {first}") from None
            raise first from None
        notes.append(f"{name} takes one number at a time, not an array: it was called point "
                     "by point (vectorise it with NumPy for a faster audit)")

    def g(v: np.ndarray) -> np.ndarray:
        shape = np.shape(v)
        v = np.asarray(v, dtype=np.float64).ravel()  # the user's function sees 1-D arrays only
        work.spend("points", v.size)
        try:
            out = caller.array(v).reshape(shape)
        except _UserError as exc:
            raise ValueError(f"surrogate: the callable {name} raised {exc}") from None
        nan = np.isnan(out)
        if nan.any():
            at = float(v[np.flatnonzero(nan)[0]])
            raise ValueError(f"surrogate: the callable {name} returned NaN at v = {at:.6g} "
                             "(a surrogate derivative must be a number at every v)")
        return out

    return Subject("callable", name, prm, g, work, notes=notes)


def _callable_params(fn: Callable[..., Any], params: Mapping[str, float] | None
                     ) -> dict[str, float]:
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of names to numbers, got "
                        f"{type(params).__name__}")
    out: dict[str, float] = {}
    for k, x in params.items():
        if not isinstance(k, str) or not k.isidentifier():
            raise ValueError(f"params: invalid parameter name {k!r}")
        if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)) \
                or not math.isfinite(float(x)):
            raise ValueError(f"params: {k} must be a finite real number, got {x!r}")
        out[k] = float(x)
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return out
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    unknown = [k for k in out if k not in sig.parameters and not accepts_any]
    if unknown:
        raise ValueError(f"params: the callable takes no parameter {', '.join(unknown)} "
                         f"(its signature is {sig})")
    return out
