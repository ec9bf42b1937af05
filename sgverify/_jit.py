"""Optional Numba: whether the compiled kernels may be used, and loading them lazily.

Numba is installed with sgverify (on CPython). Where it is missing (another Python, an
environment without it), or ``SGVERIFY_NUMBA=0`` is set, every computation takes its NumPy
path, which gives the same results (the LIF kernels repeat the NumPy operations in the same
order; the spike-raster products sum in another order, see :mod:`sgverify.snn._products`;
tests compare the two).
Nothing is imported until a kernel is first needed, so ``import sgverify`` stays light.

Examples
--------
>>> from sgverify import _jit
>>> _jit.enabled() in (True, False)
True
"""

from __future__ import annotations

import functools
import importlib
import os
import warnings
from types import ModuleType

__all__ = ["enabled", "kernels"]


@functools.cache
def _numba_importable() -> bool:
    try:
        importlib.import_module("numba")
    except Exception:
        return False
    return True


def enabled() -> bool:
    """True when Numba is importable and not switched off by ``SGVERIFY_NUMBA=0``."""
    return os.environ.get("SGVERIFY_NUMBA", "1") != "0" and _numba_importable()


def kernels(name: str) -> ModuleType | None:
    """The kernel module ``sgverify.<name>`` when :func:`enabled` and it loads, else None."""
    return _load(name) if enabled() else None


@functools.cache
def _load(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"sgverify.{name}")
    except Exception as exc:  # e.g. no writable cache directory: the NumPy path
        warnings.warn(f"sgverify: Numba kernels unavailable ({type(exc).__name__}: {exc}); "
                      f"using the NumPy path", RuntimeWarning, stacklevel=3)
        return None
