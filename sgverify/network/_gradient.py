"""Gradients of a network as values to compute with: one ``(W, b)`` pair per layer.

A :class:`Gradient` is a tuple of :class:`LayerGradient` s, so ``for dW, db in grad`` and
``grad[k][0]`` work as for the plain lists of pairs, and it adds what comparing gradients
needs: ``g - h``, ``c * g``, ``g.norm()``, ``g.cosine(h)``, ``g.relative_bias(exact)`` and
``g.flat``. Entries are NumPy arrays (numeric; per-sample estimates carry a leading sample
axis) or SymPy matrices (the symbolic twins).

Examples
--------
>>> import numpy as np
>>> from sgverify.network import Gradient
>>> g = Gradient([(np.array([[1.0], [2.0]]), np.array([0.0, 2.0]))])
>>> h = Gradient([(np.array([[1.0], [2.0]]), np.array([0.0, 0.0]))])
>>> float((g - h).norm()), float(g.relative_bias(h))
(2.0, 0.8944271909999159)
>>> g[0].W.ravel().tolist()
[1.0, 2.0]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np
import sympy as sp

__all__ = ["Gradient", "LayerGradient"]


class LayerGradient(NamedTuple):
    """The derivatives of one layer: ``W`` (shape ``(n_out, n_in)``) and ``b`` (``(n_out,)``)."""

    W: Any
    b: Any


def _symbolic(a: Any) -> bool:
    return isinstance(a, sp.MatrixBase)


class Gradient(tuple):
    """Per-layer derivatives ``(dW_l, db_l)``, ``l = 1..L``, with arithmetic and norms."""

    __slots__ = ()

    def __new__(cls, layers: Iterable[tuple[Any, Any]]) -> Gradient:
        out = []
        for w, b in layers:
            if not _symbolic(w):
                w, b = np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64)
            out.append(LayerGradient(w, b))
        return super().__new__(cls, out)

    # --- what it is ------------------------------------------------------------------------
    @property
    def is_symbolic(self) -> bool:
        """True for the SymPy twins (entries are SymPy matrices)."""
        return bool(self) and _symbolic(self[0].W)

    @property
    def samples(self) -> int | None:
        """Number of per-sample estimates (leading axis), or None for one gradient."""
        if self.is_symbolic or not self:
            return None
        return self[0].W.shape[0] if self[0].W.ndim == 3 else None

    @property
    def flat(self) -> Any:
        """All entries in one vector, layer by layer (``W`` row-major, then ``b``).

        Shape ``(n_params,)``, or ``(samples, n_params)`` for per-sample estimates; a SymPy
        column matrix for the twins.
        """
        if self.is_symbolic:
            return sp.Matrix.vstack(*(m.reshape(len(m), 1) for w, b in self for m in (w, b)))
        lead = () if self.samples is None else (self.samples,)
        return np.concatenate([a.reshape(*lead, -1) for layer in self for a in layer], axis=-1)

    # --- arithmetic ----------------------------------------------------------------------
    def _zip(self, other: Any, op: Any) -> Gradient:
        if not isinstance(other, Gradient) or len(other) != len(self):
            raise ValueError(f"other must be a Gradient of the same net ({len(self)} layers), "
                             f"got {type(other).__name__}")
        return Gradient((op(a.W, b.W), op(a.b, b.b)) for a, b in zip(self, other, strict=True))

    def __add__(self, other: Any) -> Gradient:  # type: ignore[override]
        return self._zip(other, lambda a, b: a + b)

    def __sub__(self, other: Any) -> Gradient:
        return self._zip(other, lambda a, b: a - b)

    def __neg__(self) -> Gradient:
        return Gradient((-w, -b) for w, b in self)

    def __mul__(self, c: Any) -> Gradient:  # type: ignore[override]
        if isinstance(c, Gradient) or not np.ndim(c) == 0:
            return NotImplemented
        return Gradient((c * w, c * b) for w, b in self)

    __rmul__ = __mul__  # type: ignore[assignment]

    def __truediv__(self, c: Any) -> Gradient:
        return self * (1 / c)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Gradient) or len(other) != len(self):
            return False
        if self.is_symbolic or other.is_symbolic:
            return all(a.W == b.W and a.b == b.b for a, b in zip(self, other, strict=True))
        return all(np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)
                   for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    # --- measures -------------------------------------------------------------------------
    def dot(self, other: Gradient) -> Any:
        """Inner product over all parameters (per sample for per-sample estimates)."""
        if self.is_symbolic:
            return (self.flat.T * other.flat)[0, 0]
        return np.sum(self.flat * other.flat, axis=-1)

    def norm(self) -> Any:
        """Euclidean norm over all parameters (per sample for per-sample estimates)."""
        if self.is_symbolic:
            return sp.sqrt(self.dot(self))
        return np.linalg.norm(self.flat, axis=-1)

    def cosine(self, other: Gradient) -> Any:
        """Cosine of the angle to ``other`` (1: same direction, < 0: opposed)."""
        return self.dot(other) / (self.norm() * other.norm())

    def relative_bias(self, reference: Gradient) -> Any:
        """``|self - reference| / |reference|``: how far an estimate is from the exact value."""
        return (self - reference).norm() / reference.norm()

    def mean(self) -> Gradient:
        """The average of per-sample estimates (over the leading axis)."""
        if self.samples is None:
            raise ValueError("mean needs per-sample estimates (a leading sample axis)")
        return Gradient((w.mean(axis=0), b.mean(axis=0)) for w, b in self)

    # --- printing -------------------------------------------------------------------------
    def __repr__(self) -> str:
        if self.is_symbolic:
            n = len(self.flat)
            return f"Gradient(symbolic, {len(self)} layer(s), {n} entries)"
        lines = [f"Gradient({len(self)} layer(s)"
                 + (f", {self.samples} samples" if self.samples is not None else
                    f", norm {float(self.norm()):.6g}") + ")"]
        for k, (w, b) in enumerate(self, 1):
            if self.samples is not None:
                lines.append(f"  layer {k}: dW {w.shape[1:]}, db {b.shape[1:]}")
                continue
            opts = {"precision": 4, "threshold": 12, "edgeitems": 2, "max_line_width": 200,
                    "separator": ", "}
            lines.append(f"  layer {k}: dW = {np.array2string(w, **opts).replace(chr(10), '')}"
                         f"  db = {np.array2string(b, **opts)}")
        if len(lines) > 18:
            lines = [*lines[:9], f"  ... {len(lines) - 17} more layers", *lines[-8:]]
        return "\n".join(lines)

    def _repr_latex_(self) -> str | None:
        if not self.is_symbolic:
            return None
        parts = [rf"\frac{{\partial}}{{\partial W_{k}}} = {sp.latex(w)},\ "
                 rf"\frac{{\partial}}{{\partial b_{k}}} = {sp.latex(b.T)}"
                 for k, (w, b) in enumerate(self, 1)]
        return "$" + r",\quad ".join(parts) + "$"
