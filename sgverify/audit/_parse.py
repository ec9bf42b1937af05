"""A whitelisting parser for surrogate-derivative formulas: text -> SymPy and NumPy, never eval.

The text is parsed by :func:`ast.parse` in ``eval`` mode (which only builds a syntax tree; it
runs nothing) after a length check. Every node is then checked against a whitelist, and the
SymPy expression and the NumPy evaluator are both built by walking the checked tree. Names
are ``v``, ``pi``, ``e`` and the caller's parameters; calls are only of the functions in
:data:`FUNCTIONS`, by bare name, with positional arguments.

Resource limits (each with a one-line ValueError): the text length, the number of nodes,
the nesting depth, the size of every number, and the polynomial degree a power can reach
(``(1 + v)**64**64`` would otherwise make SymPy expand a huge polynomial). Values that do not
depend on ``v`` are computed in float arithmetic while checking, so ``9**9**9**9`` is refused
before SymPy ever sees it.
"""

from __future__ import annotations

import ast
import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from .. import symbols as S
from . import _logspace as L
from ._grammar import CONSTANTS, FUNCTIONS, LIMITS, depth, describe
from ._text import non_ascii

__all__ = ["FUNCTIONS", "LIMITS", "Denominator", "Formula", "parse"]

_Num = Callable[[np.ndarray], np.ndarray]
_Log = Callable[[np.ndarray], L.LogValue]

_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}


@dataclass(frozen=True)
class Formula:
    """A checked surrogate-derivative formula.

    Attributes
    ----------
    text
        The formula as given.
    params
        The parameter values it was built with.
    expr
        The SymPy expression in :data:`sgverify.symbols.v` with exact (rational) numbers.
    """

    text: str
    params: dict[str, float]
    expr: sp.Expr
    _num: _Num = field(repr=False, compare=False)
    _log: _Log = field(repr=False, compare=False)
    #: sub-expressions whose zeros may make the formula singular (denominators, log
    #: arguments, tan's poles), each with its NumPy form
    denominators: tuple[Denominator, ...] = field(default=(), repr=False, compare=False)

    def numpy(self, v: np.ndarray) -> np.ndarray:
        """The formula evaluated in float64 at the potentials ``v`` (built from the tree,
        independently of :attr:`expr`); overflow gives inf/NaN, never a warning."""
        v = np.asarray(v, dtype=np.float64)
        with np.errstate(all="ignore"):
            out = self._num(v)
        return np.broadcast_to(np.asarray(out, dtype=np.float64), v.shape).copy()

    def logform(self, v: np.ndarray) -> L.LogValue:
        """The formula in overflow-safe arithmetic (:mod:`sgverify.audit._logspace`): sign
        and log-magnitude, evaluated in the order that cannot overflow."""
        v = np.asarray(v, dtype=np.float64)
        with np.errstate(all="ignore"):
            out = self._log(v)
        shape = v.shape
        return L.LogValue(*(np.broadcast_to(x, shape).copy() for x in out))


@dataclass(frozen=True)
class Denominator:
    """A sub-expression ``D`` whose zeros may be singular points of the formula.

    ``order`` is the growth exponent at a simple zero: ``|f| ~ |D|^-order`` (1 for ``1/D``,
    2 for ``D**-2``, 0 for ``log(D)``, whose singularity is logarithmic).
    """

    kind: str
    text: str
    sym: sp.Expr
    num: _Num = field(repr=False, compare=False)
    order: float = 1.0


class _Node:
    """A checked sub-tree: its SymPy form, its NumPy form, and facts used by the limits."""

    __slots__ = ("const", "degree", "log", "num", "sym")

    def __init__(self, sym: sp.Basic, num: _Num, const: float | None, degree: float,
                 log: _Log) -> None:
        self.sym, self.num, self.const, self.degree, self.log = sym, num, const, degree, log


def _const_log(c: float) -> _Log:
    return lambda v: L.from_array(np.full_like(v, c))


def _fail(message: str) -> ValueError:
    return ValueError(f"formula: {message}")


def _exact(value: float) -> sp.Rational:
    # the shortest decimal that round-trips, as an exact rational: 0.1 -> 1/10
    return sp.Rational(repr(float(value)))


def _bounded(value: float, what: str) -> float:
    if not math.isfinite(value) or abs(value) > LIMITS["max_number"]:
        raise _fail(f"{what} {value!r} is out of range (|x| <= {LIMITS['max_number']:g})")
    return value


class _Builder:
    def __init__(self, params: Mapping[str, float], text: str) -> None:
        self.params = params
        self.text = text
        self.used: set[str] = set()
        self.denominators: list[Denominator] = []

    def _segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or describe(node)

    def _denominator(self, kind: str, node: ast.AST, d: _Node, order: float,
                     sym: sp.Expr | None = None, num: _Num | None = None) -> None:
        sym = d.sym if sym is None else sym
        if sym.has(S.v) and len(self.denominators) < 32:
            self.denominators.append(Denominator(kind, self._segment(node), sym,
                                                 d.num if num is None else num, order))

    def build(self, node: ast.AST) -> _Node:
        method = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise _fail(f"{describe(node)} is not allowed")
        return method(node)

    # --- leaves ------------------------------------------------------------------------
    def _Constant(self, node: ast.Constant) -> _Node:
        val = node.value
        if isinstance(val, bool) or not isinstance(val, (int, float)):
            raise _fail(f"only real numbers are allowed, not {type(val).__name__} {val!r}")
        if isinstance(val, int) and len(str(abs(val))) > 13:
            raise _fail(f"integer literal with {len(str(abs(val)))} digits is too large")
        fval = _bounded(float(val), "number")
        sym = sp.Integer(val) if isinstance(val, int) else _exact(fval)
        return _Node(sym, lambda v, c=fval: np.full_like(v, c), fval, 0, _const_log(fval))

    def _Name(self, node: ast.Name) -> _Node:
        name = node.id
        if name.startswith("_"):
            raise _fail(f"name {name!r} is not allowed")
        if name == "v":
            return _Node(S.v, lambda v: v, None, 1, L.from_array)
        if name in self.params:
            self.used.add(name)
            val = self.params[name]
            return _Node(_exact(val), lambda v, c=val: np.full_like(v, c), val, 0,
                         _const_log(val))
        if name in CONSTANTS:
            sym, val = CONSTANTS[name]
            return _Node(sym, lambda v, c=val: np.full_like(v, c), val, 0, _const_log(val))
        if name in FUNCTIONS:
            raise _fail(f"{name!r} is a function: call it, e.g. {name}(v)")
        raise _fail(f"unknown name {name!r}: the variable is v; give parameters as NAME=VALUE")

    # --- operators ---------------------------------------------------------------------
    def _UnaryOp(self, node: ast.UnaryOp) -> _Node:
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise _fail(f"operator {type(node.op).__name__} is not allowed")
        a = self.build(node.operand)
        if isinstance(node.op, ast.UAdd):
            return a
        return _Node(-a.sym, lambda v, f=a.num: -f(v),
                     None if a.const is None else -a.const, a.degree,
                     lambda v, f=a.log: L.neg(f(v)))

    def _BinOp(self, node: ast.BinOp) -> _Node:
        if not isinstance(node.op, _BINOPS):
            raise _fail(f"operator {type(node.op).__name__} is not allowed (use + - * / **)")
        a, b = self.build(node.left), self.build(node.right)
        const = None
        if isinstance(node.op, ast.Pow):
            return self._power(a, b, node)
        fa, fb = a.num, b.num
        la, lb = a.log, b.log
        if isinstance(node.op, ast.Add):
            sym, num, deg = a.sym + b.sym, (lambda v: fa(v) + fb(v)), max(a.degree, b.degree)
            log = lambda v: L.add(la(v), lb(v))  # noqa: E731
            if a.const is not None and b.const is not None:
                const = a.const + b.const
        elif isinstance(node.op, ast.Sub):
            sym, num, deg = a.sym - b.sym, (lambda v: fa(v) - fb(v)), max(a.degree, b.degree)
            log = lambda v: L.add(la(v), L.neg(lb(v)))  # noqa: E731
            if a.const is not None and b.const is not None:
                const = a.const - b.const
        elif isinstance(node.op, ast.Mult):
            sym, num, deg = a.sym * b.sym, (lambda v: fa(v) * fb(v)), a.degree + b.degree
            log = lambda v: L.mul(la(v), lb(v))  # noqa: E731
            if a.const is not None and b.const is not None:
                const = a.const * b.const
        else:
            if b.const == 0.0 or b.sym == 0:
                raise _fail(f"division by zero: {self._segment(node.right)} is identically 0")
            sym, num, deg = a.sym / b.sym, (lambda v: fa(v) / fb(v)), a.degree + b.degree
            log = lambda v: L.div(la(v), lb(v))  # noqa: E731
            self._denominator("division", node.right, b, 1.0)
            if a.const is not None and b.const is not None:
                const = a.const / b.const
        if const is not None:
            _bounded(const, "constant sub-expression")
        self._degree(deg)
        return _Node(sym, num, const, deg, log)

    def _power(self, a: _Node, b: _Node, node: ast.BinOp) -> _Node:
        if b.const is None:
            raise _fail("an exponent must not depend on v (use exp(...) instead)")
        e = b.const
        if abs(e) > LIMITS["max_exponent"]:
            raise _fail(f"exponent {e:g} is too large (|exponent| <= {LIMITS['max_exponent']})")
        const = None
        if e < 0 and a.sym == 0:
            raise _fail(f"division by zero: {self._segment(node.left)} is identically 0 and "
                        "is raised to a negative power")
        if e < 0:
            self._denominator("power", node.left, a, -e)
        if a.const is not None:
            if a.const == 0.0 and e < 0:
                raise _fail("division by zero (0 to a negative power)")
            try:
                const = math.pow(a.const, e)
            except (OverflowError, ValueError):
                raise _fail(f"constant power {a.const:g}**{e:g} is not a finite real "
                            "number") from None
            _bounded(const, "constant sub-expression")
        deg = self._degree(a.degree * abs(e))
        fa, fb, la = a.num, b.num, a.log
        return _Node(a.sym ** b.sym, lambda v: np.power(fa(v), fb(v)), const, deg,
                     lambda v: L.power(la(v), e))

    def _degree(self, deg: float) -> float:
        if deg > LIMITS["max_degree"]:
            raise _fail(f"the formula reaches polynomial degree {deg:g} "
                        f"(limit {LIMITS['max_degree']})")
        return deg

    # --- calls -------------------------------------------------------------------------
    def _Call(self, node: ast.Call) -> _Node:
        if not isinstance(node.func, ast.Name):
            raise _fail("only whitelisted functions may be called by name, not "
                        f"{describe(node.func)}")
        name = node.func.id
        if name not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise _fail(f"function {name!r} is not allowed (allowed: {allowed})")
        if node.keywords:
            raise _fail(f"{name}() takes no keyword arguments")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise _fail(f"{name}() takes no *arguments")
        arity, sym_fn, num_fn = FUNCTIONS[name]
        if name == "where":
            return self._where(node)
        n = len(node.args)
        if (arity is None and n < 2) or (arity is not None and n != arity):
            want = "at least 2 arguments" if arity is None else f"{arity} argument(s)"
            raise _fail(f"{name}() takes {want}, got {n}")
        args = [self.build(a) for a in node.args]
        if name == "log" and args[0].sym == 0:
            raise _fail(f"log of zero: {self._segment(node.args[0])} is identically 0")
        sym = sym_fn(*[a.sym for a in args])
        fns = [a.num for a in args]
        logs = [a.log for a in args]
        log_fn = L.FUNCTIONS_LOG[name]

        def num(v: np.ndarray) -> np.ndarray:
            return num_fn(*[f(v) for f in fns])

        def log(v: np.ndarray) -> L.LogValue:
            return log_fn(*[f(v) for f in logs])

        if name == "log":
            self._denominator("log", node.args[0], args[0], 0.0)
        elif name == "tan":
            f0 = fns[0]
            self._denominator("tan", node, args[0], 1.0, sym=sp.cos(args[0].sym),
                              num=lambda v: np.cos(f0(v)))
        const = None
        if all(a.const is not None for a in args):
            with np.errstate(all="ignore"):
                const = float(num_fn(*[np.float64(a.const) for a in args]))
            _bounded(const, f"{name}() of constants")
        deg = max(a.degree for a in args) if name in ("abs", "min", "max", "relu") else 0
        if name in ("abs", "min", "max", "relu", "sign", "heaviside", "floor"):
            deg = max(a.degree for a in args)
        return _Node(sym, num, const, deg, log)

    def _where(self, node: ast.Call) -> _Node:
        if len(node.args) != 3:
            raise _fail(f"where() takes 3 arguments (condition, a, b), got {len(node.args)}")
        cond_sym, cond_num, cond_log = self._condition(node.args[0])
        a, b = self.build(node.args[1]), self.build(node.args[2])
        fa, fb, la, lb = a.num, b.num, a.log, b.log
        sym = sp.Piecewise((a.sym, cond_sym), (b.sym, True))
        return _Node(sym, lambda v: np.where(cond_num(v), fa(v), fb(v)), None,
                     max(a.degree, b.degree), lambda v: L.where(cond_log(v), la(v), lb(v)))

    def _condition(self, node: ast.AST) -> tuple[sp.Basic, Callable[[np.ndarray], np.ndarray],
                                                 Callable[[np.ndarray], Any]]:
        if isinstance(node, ast.BoolOp):
            parts = [self._condition(x) for x in node.values]
            red = np.logical_and if isinstance(node.op, ast.And) else np.logical_or

            def log(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                res = [p[2](v) for p in parts]
                return red.reduce([r[0] for r in res]), np.logical_or.reduce([r[1] for r in res])

            if isinstance(node.op, ast.And):
                return sp.And(*[p[0] for p in parts]), (
                    lambda v: np.logical_and.reduce([p[1](v) for p in parts])), log
            return sp.Or(*[p[0] for p in parts]), (
                lambda v: np.logical_or.reduce([p[1](v) for p in parts])), log
        if isinstance(node, ast.Compare):
            if not all(type(op) in _CMPOPS for op in node.ops):
                raise _fail("conditions may only use < <= > >=")
            terms = [self.build(node.left), *[self.build(c) for c in node.comparators]]
            syms, nums, logs = [], [], []
            for (lhs, rhs), op in zip(itertools.pairwise(terms), node.ops, strict=True):
                opname = _CMPOPS[type(op)]
                rel = {"<": sp.Lt, "<=": sp.Le, ">": sp.Gt, ">=": sp.Ge}[opname]
                npop = {"<": np.less, "<=": np.less_equal, ">": np.greater,
                        ">=": np.greater_equal}[opname]
                syms.append(rel(lhs.sym, rhs.sym))
                nums.append(lambda v, f=lhs.num, g=rhs.num, o=npop: o(f(v), g(v)))
                logs.append(lambda v, f=lhs.log, g=rhs.log, o=opname: L.compare(f(v), g(v), o))

            def log(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                res = [f(v) for f in logs]
                return (np.logical_and.reduce([r[0] for r in res]),
                        np.logical_or.reduce([r[1] for r in res]))

            return sp.And(*syms), lambda v: np.logical_and.reduce([f(v) for f in nums]), log
        raise _fail(f"where() needs a comparison as its condition, not {describe(node)}")


def parse(formula: str, params: Mapping[str, float] | None = None) -> Formula:
    """Check and build a surrogate-derivative formula in ``v``.

    Parameters
    ----------
    formula
        Python-syntax arithmetic in ``v``, e.g. ``"1/(beta*abs(v)+1)**2"``; functions from
        :data:`FUNCTIONS` and ``where(condition, a, b)`` for piecewise definitions.
    params
        Values of every other name the formula uses.

    Raises
    ------
    ValueError
        One line naming what is wrong; nothing of the text is ever executed.

    Examples
    --------
    >>> f = parse("1/(beta*abs(v)+1)**2", {"beta": 10})
    >>> f.expr
    (10*Abs(v) + 1)**(-2)
    >>> float(f.numpy([0.1])[0])
    0.25
    >>> parse("__import__('os')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: formula: function '__import__' is not allowed (allowed: ...)
    """
    if not isinstance(formula, str):
        raise ValueError(f"formula must be a string, got {type(formula).__name__}")
    if len(formula) > LIMITS["max_chars"]:
        raise _fail(f"{len(formula)} characters is too long (limit {LIMITS['max_chars']})")
    if not formula.strip():
        raise _fail("empty formula")
    bad = non_ascii(formula, "the formula")
    if bad:
        raise _fail(bad)
    if params is not None and not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of names to numbers, got "
                        f"{type(params).__name__}")
    clean: dict[str, float] = {}
    for name, value in (params or {}).items():
        if isinstance(name, str) and (bad := non_ascii(name, f"parameter name {name!r}")):
            raise ValueError(f"params: {bad}")
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"params: invalid parameter name {name!r}")
        if name == "v" or name in FUNCTIONS or name in CONSTANTS:
            raise ValueError(f"params: {name!r} is reserved and cannot be a parameter")
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ValueError(f"params: {name} must be a real number, got {value!r}")
        value = float(value)
        if not math.isfinite(value) or abs(value) > LIMITS["max_number"]:
            raise ValueError(f"params: {name} = {value!r} is out of range "
                             f"(finite, |x| <= {LIMITS['max_number']:g})")
        clean[name] = value
    try:
        tree = ast.parse(formula.strip(), mode="eval")
    except SyntaxError as exc:
        raise _fail(f"syntax error: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise _fail("too deeply nested to parse") from None
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > LIMITS["max_nodes"]:
        raise _fail(f"{nodes} syntax nodes is too many (limit {LIMITS['max_nodes']})")
    if depth(tree) > LIMITS["max_depth"]:
        raise _fail(f"nested deeper than {LIMITS['max_depth']} levels")
    builder = _Builder(clean, formula.strip())
    node = builder.build(tree.body)
    unused = sorted(set(clean) - builder.used)
    if unused:
        raise ValueError(f"params: {', '.join(unused)} not used by the formula")
    if node.sym.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise _fail(f"it is undefined for every v (SymPy reduces it to {node.sym})")
    return Formula(formula, clean, node.sym, node.num, node.log, tuple(builder.denominators))
