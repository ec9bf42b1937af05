"""High-precision references: how the library and the claims reach mpmath.

Library modules and claims use mpmath only through this module (its ``mp`` namespace,
:func:`to_mp`, :func:`workdps` and the references below); the one other user is the audit
package, which evaluates users' formulas in mpmath arithmetic.

Everything here evaluates at raised working precision inside a scoped ``workdps`` block
(never by assigning ``mp.dps``) and returns Python floats. The references are built from the
SymPy twins with :func:`sympy.lambdify` (cached), or from callables written in mpmath
arithmetic; they are never used as the implementation.

Examples
--------
>>> from sgverify import escape, reference
>>> f = escape.Sigmoid(beta=2.0)
>>> cdf = reference.escape_cdf(f)
>>> round(reference.derivative(cdf, 0.0), 12)
0.5
>>> round(reference.quad(reference.escape_pdf(f), [-float("inf"), 0.0, float("inf")]), 12)
1.0
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import mpmath
import sympy as sp

from . import symbols as S
from ._validate import finite_real

__all__ = [
    "DPS",
    "MAX_DPS",
    "derivative",
    "escape_cdf",
    "escape_pdf",
    "evaluate",
    "lambdify_mp",
    "mp",
    "quad",
    "quad_mp",
    "to_mp",
    "workdps",
]

#: working precision (decimal digits) of every reference unless a caller asks otherwise
DPS = 40

#: the mpmath namespace, for callers that write references in mpmath arithmetic
mp = mpmath.mp
workdps = mpmath.workdps


def to_mp(value: Any) -> mpmath.mpf:
    """Convert a float (exactly) or a number given as a string to an ``mpf``."""
    return mpmath.mpf(value)


_CACHE: dict[tuple[Any, tuple[Any, ...]], Callable[..., Any]] = {}


def _cache_key(expr: Any) -> Any:
    """The expression itself where SymPy can hash it: structural equality, as strict as
    ``srepr`` (Floats of other precisions, Symbols of other assumptions and Dummies differ),
    and its hash is cached on the tree; ``srepr`` of the toy network's Jacobian took 0.26 s
    on every lookup. A mutable Matrix is keyed by its immutable twin."""
    if isinstance(expr, sp.MatrixBase):
        return sp.ImmutableMatrix(expr)
    if isinstance(expr, sp.Basic):
        return expr
    return ("srepr", sp.srepr(expr))  # e.g. a list of expressions (or of symbols)


def lambdify_mp(expr: sp.Expr, *syms: sp.Symbol) -> Callable[..., Any]:
    """An mpmath callable of ``expr`` (or a matrix of expressions) in the given symbols,
    cached by expression.

    Its constant subexpressions (``sqrt(2)/(80*sqrt(pi))``, a Float written as a decimal
    string) are evaluated once per working precision instead of at every call, and a
    subexpression it repeats once per call (SymPy's ``cse``) unless a ``Piecewise`` makes
    evaluation conditional. Each value is still computed in the working precision of the
    call, only in another order: results agree to its last digits. A formula of the
    catalogue evaluates 1.5-3x faster (a sum of three Gaussians: 64 us to 19 us at 30
    digits); the catalogue's quadratures evaluate formulas ~10^5 times.

    Examples
    --------
    >>> import sympy as sp
    >>> f = lambdify_mp(sp.sqrt(2) * sp.exp(-S.v**2) / sp.sqrt(sp.pi), S.v)
    >>> with workdps(30):
    ...     print(mpmath.nstr(f(mpmath.mpf(0)) ** 2 * mpmath.pi, 25))
    2.0
    """
    key = (_cache_key(expr), tuple(_cache_key(s) for s in syms))
    fn = _CACHE.get(key)
    if fn is None:
        fn = _CACHE[key] = _compile_mp(expr, list(syms))
    return fn


def _compile_mp(expr: Any, syms: list[sp.Symbol]) -> Callable[..., Any]:
    if not isinstance(expr, (sp.Expr, sp.MatrixBase)):  # e.g. a list of expressions
        return sp.lambdify(syms, expr, modules="mpmath")
    consts: list[tuple[sp.Dummy, sp.Expr]] = []
    try:
        free = set(syms)
        if isinstance(expr, sp.MatrixBase):
            body: Any = sp.ImmutableMatrix(expr.rows, expr.cols,
                                           [_hoist(e, free, consts) for e in expr])
        else:
            body = _hoist(expr, free, consts)
        fn = sp.lambdify([*syms, *(d for d, _ in consts)], body, modules="mpmath",
                         cse=not expr.has(sp.Piecewise))
        values = sp.lambdify([], sp.Tuple(*(c for _, c in consts)), modules="mpmath")
        _constants(values)  # one that fails to evaluate: the plain form below
    except Exception:  # a node SymPy cannot rebuild or print this way: the plain form
        return sp.lambdify(syms, expr, modules="mpmath")
    if not consts:
        return fn
    by_prec: dict[int, tuple[Any, ...]] = {}

    def call(*args: Any) -> Any:
        got = by_prec.get(mp.prec)
        if got is None:
            got = by_prec[mp.prec] = _constants(values)
        return fn(*args, *got)

    return call


def _constants(values: Callable[[], Any]) -> tuple[Any, ...]:
    # unary plus rounds to the working precision, and turns mpmath's lazy constants (pi)
    # into numbers
    return tuple(+mpmath.mpmathify(x) for x in values())


def _hoist(expr: sp.Basic, free: set[sp.Symbol], consts: list[tuple[sp.Dummy, sp.Expr]]
           ) -> sp.Basic:
    """``expr`` with its maximal constant subexpressions (but integers) replaced by dummies
    recorded in ``consts``; in a sum or product, its constant terms or factors become one."""
    seen: dict[sp.Basic, bool] = {}

    def varies(e: sp.Basic) -> bool:  # bottom-up once: free_symbols at every node is O(n^2)
        got = seen.get(e)
        if got is None:
            got = seen[e] = e in free if not e.args else any(varies(a) for a in e.args)
        return got

    def dummy(c: sp.Expr) -> sp.Basic:
        if c.is_Integer:
            return c
        d = sp.Dummy(f"c{len(consts)}")
        consts.append((d, c))
        return d

    def walk(e: sp.Basic) -> sp.Basic:
        if not varies(e):
            return dummy(e) if isinstance(e, sp.Expr) else e
        if isinstance(e, (sp.Add, sp.Mul)):
            fixed = [a for a in e.args if not varies(a)]
            rest = [walk(a) for a in e.args if varies(a)]
            if fixed:
                rest.insert(0, dummy(e.func(*fixed)))
            return e.func(*rest, evaluate=False)
        args = tuple(walk(a) for a in e.args)
        return e if args == e.args else e.func(*args)

    return walk(expr)


def _bind_params(escape: Any, which: str) -> Callable[[Any], Any]:
    symbols = escape.symbols  # the family's own symbols: registered families bring theirs
    names = list(symbols)
    expr = getattr(escape, which)(S.v, symbolic=True)
    fn = lambdify_mp(expr, S.v, *symbols.values())  # one lambdify per family, any values
    values = [mpmath.mpf(escape.values[n]) for n in names]  # floats convert exactly
    return lambda v: fn(v, *values)


def escape_cdf(escape: Any) -> Callable[[Any], Any]:
    """mpmath callable of an escape family's CDF, built from its SymPy twin."""
    return _bind_params(escape, "cdf_expr")


def escape_pdf(escape: Any) -> Callable[[Any], Any]:
    """mpmath callable of an escape family's density, built from its SymPy twin."""
    return _bind_params(escape, "pdf_expr")


#: the highest precision :func:`derivative` escalates to before it gives up
MAX_DPS = 5120
_ZERO_DPS = 600


def derivative(
    func: Callable[[Any], Any],
    x: float,
    *,
    side: int = 0,
    dps: int = DPS,
    abs_tol: float = 0.0,
) -> float:
    """Derivative of a smooth mpmath function at ``x``, correct to float64 precision.

    The difference quotient is evaluated at ``dps`` digits. Where the derivative is tiny
    next to the function's value (``1 - 1e-300`` in an upper tail, whose derivative digits
    start only after the value's leading digits), it is evaluated again at twice the
    precision, until two successive values agree to 1e-25 relative.

    Parameters
    ----------
    func
        A function of one ``mpf`` that computes in mpmath arithmetic.
    x
        Where to differentiate.
    side
        0 for the central difference, +1 / -1 for the right / left one-sided derivative
        (used at kinks of piecewise functions).
    dps
        Starting working precision in decimal digits.
    abs_tol
        The absolute accuracy the caller needs; when the first evaluation is already far more
        accurate than that (a tiny or zero derivative of an O(1) function), it is returned
        without escalating. 0 asks for float64 relative accuracy however small the value.
    """
    x = finite_real("x", x)
    if side not in (-1, 0, 1):
        raise ValueError(f"side must be -1, 0 or 1, got {side!r}")
    xm = mpmath.mpf(x)

    def resolved_at_first(value: Any, digits: int) -> bool:
        size = abs(func(xm))
        with workdps(2 * digits):
            again = abs(func(xm))
        if abs(size - again) > mpmath.mpf("1e-25") * again:
            # the function itself cancels at this precision (a twin written as 1 + erf(z)
            # in its lower tail): its difference quotient is no better, so escalate
            return False
        # digits - 30 digits of headroom between the value and its derivative: the value's
        # rounding cannot reach the derivative's leading 25 digits; or mpmath's absolute
        # error (about size * 10^(5 - digits)) is 1000x below what the caller needs
        return (abs(value) > size * mpmath.mpf(10) ** (30 - digits)
                or size * mpmath.mpf(10) ** (5 - digits) < abs_tol * 1e-3)

    # mpmath picks the step 2^-(prec+extra) itself and raises precision while it works
    return _settled(lambda: mpmath.diff(func, xm, direction=side), dps, resolved_at_first,
                    what=f"derivative at x={x!r}")


def evaluate(func: Callable[..., Any], *args: Any, dps: int = DPS) -> float:
    """``func(*args)`` as a float, correct to float64 precision whatever cancels inside it.

    Twins are written for clarity, not for numerics: SymPy itself rewrites
    ``erfc(-x)`` as ``2 - erfc(x)``, which cancels in a lower tail. The value is computed at
    ``dps`` digits and at twice that, doubling until two successive values agree to 1e-25
    relative (or are both exactly 0 with 600 digits).
    """
    margs = [mpmath.mpf(a) if isinstance(a, (int, float)) else a for a in args]
    return _settled(lambda: func(*margs), dps, None, what="value")


def _settled(
    compute: Callable[[], Any],
    dps: int,
    resolved_at_first: Callable[[Any, int], bool] | None,
    *,
    what: str,
) -> float:
    """Evaluate ``compute()`` at ``dps``, 2 ``dps``, ... digits until two values agree."""
    previous = None
    digits = dps
    while digits <= MAX_DPS:
        with workdps(digits):
            value = compute()
            if previous is None:
                if resolved_at_first is not None and resolved_at_first(value, digits):
                    return float(value)
            elif value != 0 and abs(value - previous) <= mpmath.mpf("1e-25") * abs(value):
                return float(value)
            if value == 0 and previous == 0 and digits >= _ZERO_DPS:
                # still exactly 0 with 600 digits of headroom: a constant piece, or a value
                # far below anything float64 can hold
                return 0.0
            previous = value
        digits *= 2
    raise ArithmeticError(f"{what} did not settle by {MAX_DPS} digits")


def quad(
    func: Callable[[Any], Any],
    points: Sequence[float],
    *,
    dps: int = 30,
    error: bool = False,
) -> float | tuple[float, float]:
    """Integral of an mpmath function over ``[points[0], points[-1]]`` with breakpoints.

    Breakpoints should include every kink and discontinuity; infinite ends are allowed.
    With ``error=True`` returns ``(value, error_estimate)``.
    """
    value, err = quad_mp(func, points, dps=dps)
    return (float(value), float(err)) if error else float(value)


def quad_mp(func: Callable[[Any], Any], points: Sequence[float], *, dps: int = 30
            ) -> tuple[Any, Any]:
    """:func:`quad` as mpmath numbers ``(value, error_estimate)`` at ``dps`` digits, for a
    caller that adds pieces before rounding to float64."""
    if len(points) < 2:
        raise ValueError("points must hold at least the two ends of the interval")
    with workdps(dps):
        pts = [
            mpmath.mpf(p) if math.isfinite(p) else (mpmath.inf if p > 0 else -mpmath.inf)
            for p in points
        ]
        method = _Batched if hasattr(func, "many") else "tanh-sinh"
        return mpmath.quad(func, pts, error=True, maxdegree=10, method=method)


class _Batched(mpmath.calculus.quadrature.TanhSinh):
    """mpmath's tanh-sinh rule, its nodes and sums unchanged, asking an integrand with a
    ``many`` method for all the new nodes of a level at once (``many(xs)`` returns what
    calling it on each would): e.g. the audit's float64 tails are one vectorised NumPy call
    instead of one per node. The node caches are those of mpmath's own rule."""

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        own = ctx._tanh_sinh
        self.standard_cache, self.transformed_cache = own.standard_cache, own.transformed_cache
        self.interval_count = own.interval_count

    def sum_next(self, f: Any, nodes: list[tuple[Any, Any]], degree: int, prec: int,
                 previous: list[Any], verbose: bool = False) -> Any:
        many = getattr(f, "many", None)
        if many is None:  # (-inf, inf) in one piece: mpmath folded f into x -> f(-x) + f(x)
            return super().sum_next(f, nodes, degree, prec, previous, verbose)
        ctx = self.ctx
        h = ctx.mpf(2) ** (-degree)
        S = previous[-1] / (h * 2) if previous else ctx.zero
        ys = many([x for x, _ in nodes])
        S += ctx.fdot(zip([w for _, w in nodes], ys, strict=True))
        return h * S
