"""The formula language: whitelisted functions (SymPy and NumPy forms of each), constants,
resource limits, and descriptions of refused syntax for error messages."""

from __future__ import annotations

import ast
import math
from collections.abc import Callable

import numpy as np
import sympy as sp
from scipy.special import erf as np_erf
from scipy.special import erfc as np_erfc
from scipy.special import expit

__all__ = ["CONSTANTS", "FUNCTIONS", "LIMITS", "depth", "describe"]

#: resource limits of a formula
LIMITS = {
    "max_chars": 500,  # longer formulas are refused before tokenising
    "max_nodes": 200,  # syntax-tree nodes
    "max_depth": 40,  # nesting depth of the syntax tree
    "max_number": 1e12,  # magnitude of any literal, parameter or v-free sub-expression
    "max_exponent": 64,  # magnitude of an exponent
    "max_degree": 256,  # polynomial degree reachable by nested powers
}



def _heaviside_sym(x: sp.Expr) -> sp.Expr:
    return sp.Piecewise((0, x < 0), (1, True))


def _sigmoid_sym(x: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-x))


#: whitelisted functions: name -> (arity or None for 2+, SymPy builder, NumPy builder)
FUNCTIONS: dict[str, tuple[int | None, Callable[..., sp.Expr], Callable[..., np.ndarray]]] = {
    "abs": (1, sp.Abs, np.abs),
    "sign": (1, sp.sign, np.sign),
    "exp": (1, sp.exp, np.exp),
    "log": (1, sp.log, np.log),
    "sqrt": (1, sp.sqrt, np.sqrt),
    "sin": (1, sp.sin, np.sin),
    "cos": (1, sp.cos, np.cos),
    "tan": (1, sp.tan, np.tan),
    "sinh": (1, sp.sinh, np.sinh),
    "cosh": (1, sp.cosh, np.cosh),
    "tanh": (1, sp.tanh, np.tanh),
    "atan": (1, sp.atan, np.arctan),
    "arctan": (1, sp.atan, np.arctan),
    "erf": (1, sp.erf, np_erf),
    "erfc": (1, sp.erfc, np_erfc),
    "floor": (1, sp.floor, np.floor),
    "sigmoid": (1, _sigmoid_sym, expit),
    # H(0) = 1, the convention of most libraries' backward masks; a single point does not
    # change any integral
    "heaviside": (1, _heaviside_sym, lambda x: np.where(x < 0, 0.0, 1.0)),
    "relu": (1, lambda x: sp.Max(x, 0), lambda x: np.maximum(x, 0.0)),
    "min": (None, sp.Min, lambda *a: np.minimum.reduce(np.broadcast_arrays(*a))),
    "max": (None, sp.Max, lambda *a: np.maximum.reduce(np.broadcast_arrays(*a))),
    "where": (3, None, None),  # where(condition, a, b), handled by the walker
}
CONSTANTS = {"pi": (sp.pi, math.pi), "e": (sp.E, math.e)}


def describe(node: ast.AST) -> str:
    kinds = {
        ast.Attribute: "attribute access", ast.Lambda: "lambda", ast.Subscript: "subscript",
        ast.ListComp: "comprehension", ast.GeneratorExp: "comprehension",
        ast.SetComp: "comprehension", ast.DictComp: "comprehension", ast.Tuple: "a tuple",
        ast.List: "a list", ast.Dict: "a dict", ast.Set: "a set", ast.Starred: "starred",
        ast.NamedExpr: "assignment (:=)", ast.IfExp: "if-expression (use where())",
        ast.JoinedStr: "f-string", ast.Await: "await", ast.Yield: "yield",
        ast.Compare: "a comparison outside where()", ast.BoolOp: "and/or outside where()",
    }
    return kinds.get(type(node), type(node).__name__)


def depth(node: ast.AST) -> int:
    # iterative, so that a deep tree cannot exhaust the Python stack here
    best, stack = 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        best = max(best, d)
        stack.extend((c, d + 1) for c in ast.iter_child_nodes(n))
    return best
