"""The registry of escape-noise families: :func:`register`, :func:`families`, :func:`from_name`.

:func:`register` adds a family class to :func:`families`, so it is built by :func:`from_name`,
drawn by :func:`sgverify.strategies.escapes`, searched by the claims that quantify over
families and offered to the audit's family matching (through
:meth:`~sgverify.escape.EscapeNoise.from_peak`).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from .._validate import ArgumentTypeError, short_repr
from ._base import EscapeNoise

__all__ = ["families", "from_name", "register", "unregister"]

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

_REGISTRY: dict[str, type[EscapeNoise]] = {}
_BUILTIN: set[str] = set()


def register(cls: type[EscapeNoise]) -> type[EscapeNoise]:
    """Add a family class to :func:`families` (usable as a class decorator).

    Checks the class is complete (its hooks give a CDF from 0 to 1 and a nonnegative
    density on a grid of its :meth:`~EscapeNoise.example`, SymPy twins that are
    expressions) and that its name is free; one-line errors otherwise. Registering the
    same class again is a no-op.
    """
    if not (isinstance(cls, type) and issubclass(cls, EscapeNoise)):
        raise ArgumentTypeError(f"cls must be a subclass of escape.EscapeNoise, got "
                                f"{short_repr(cls)}")
    name = getattr(cls, "name", None)
    if not (isinstance(name, str) and _NAME.match(name)):
        raise ValueError(f"{cls.__name__}.name must be a lower-case name like 'my-family', "
                         f"got {name!r}")
    if _REGISTRY.get(name) is cls:
        return cls
    if name in _REGISTRY:
        raise ValueError(f"a family named {name!r} is registered already "
                         f"({_REGISTRY[name].__name__}); unregister it first")
    _check_family(cls)
    _REGISTRY[name] = cls
    return cls


def _check_family(cls: type[EscapeNoise]) -> None:
    where = f"cannot register {cls.__name__}"
    try:
        esc = cls.example()
        scale = esc.scale
        v = esc.mode + scale * np.concatenate([-np.logspace(6, -3, 60), [0.0],
                                               np.logspace(-3, 6, 60)])
        c = esc.cdf(v)
        d = esc.pdf(v)
        esc.cdf_expr(), esc.pdf_expr(), esc.cdf_expr(symbolic=True)
    except Exception as exc:
        raise ValueError(f"{where}: {type(exc).__name__}: {exc}") from None
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"{where}: scale must be a finite width > 0, got {scale!r}")
    if np.any(np.diff(c) < -1e-12):
        i = int(np.argmin(np.diff(c)))
        raise ValueError(f"{where}: numpy_cdf decreases between v = {v[i]:.6g} and "
                         f"{v[i + 1]:.6g}")
    if c[0] > 1e-3 or c[-1] < 1 - 1e-3:
        raise ValueError(f"{where}: numpy_cdf must go from 0 to 1, got {c[0]:.3g} and "
                         f"{c[-1]:.3g} at +-1e6 scales")
    if cls.has_density and not np.any(d > 0):
        raise ValueError(f"{where}: numpy_pdf is zero everywhere on the grid")


def unregister(family: str | type[EscapeNoise]) -> None:
    """Remove a registered family (by name or class); the built-in families stay."""
    name = family if isinstance(family, str) else getattr(family, "name", None)
    if name in _BUILTIN:
        raise ValueError(f"{name!r} is a built-in family and cannot be unregistered")
    if name not in _REGISTRY:
        raise ValueError(f"no family named {name!r} is registered")
    del _REGISTRY[name]


def families(*, density: bool | None = None) -> tuple[type[EscapeNoise], ...]:
    """Every registered family class: the built-ins (docs/theory.md §2.2) then the user's.

    ``density=True`` keeps those with a density (all but the step), ``False`` the others.
    """
    return tuple(c for c in _REGISTRY.values() if density is None or c.has_density == density)


def from_name(name: str, **params: Any) -> EscapeNoise:
    """Build a registered family by its name, e.g. ``from_name("sigmoid", beta=5)``."""
    cls = _REGISTRY.get(name) if isinstance(name, str) else None
    if cls is None:
        known = ", ".join(_REGISTRY)
        raise ValueError(f"name must be one of {known}; got {name!r}")
    return cls(**params)


def _register_builtin(cls: type[EscapeNoise]) -> type[EscapeNoise]:
    cls._trusted = True
    _REGISTRY[cls.name] = cls
    _BUILTIN.add(cls.name)
    return cls
