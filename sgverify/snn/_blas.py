"""Train with a single OpenBLAS thread.

Why: SNN training does a few small matrix products per update between many element-wise
NumPy passes. With the default of one BLAS thread per core, OpenBLAS's idle worker threads
spin after every product and take the CPU from the main thread's element-wise work: on the
2-core development machine a quick randman run took 2.3-2.5x longer with 2 BLAS threads than
with 1 (4.0 s vs 1.6 s for 60 epochs). This is what ``threadpoolctl`` does, without the
dependency: find the loaded OpenBLAS libraries and call their ``set_num_threads``.
Elsewhere (other BLAS libraries, no ``/proc``) it does nothing.

Examples
--------
>>> from sgverify.snn._blas import blas_threads
>>> import numpy as np
>>> with blas_threads(1):
...     float((np.ones((3, 3)) @ np.ones(3)).sum())
9.0
"""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["blas_threads", "single_threaded"]

F = TypeVar("F", bound=Callable[..., Any])

# (get, set) symbol names of the OpenBLAS builds NumPy and SciPy ship (plain, 64-bit-int, and
# the scipy-openblas wheels' prefixed names)
_SYMBOLS = tuple((f"{p}_get_num_threads{s}", f"{p}_set_num_threads{s}")
                 for p in ("openblas", "scipy_openblas") for s in ("", "64_", "_64_"))


def _controls() -> list[tuple[Any, Any]]:
    """``(get, set)`` pairs of every OpenBLAS currently loaded in this process."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return []
    out = []
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for get, set_ in _SYMBOLS:
            if hasattr(lib, get) and hasattr(lib, set_):
                out.append((getattr(lib, get), getattr(lib, set_)))
                break
    return out


@contextmanager
def blas_threads(n: int) -> Iterator[None]:
    """Limit every loaded OpenBLAS to ``n`` threads inside the block, then restore."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    controls = _controls()
    old = [get() for get, _ in controls]
    for _, set_ in controls:
        set_(n)
    try:
        yield
    finally:
        for (_, set_), k in zip(controls, old, strict=True):
            set_(k)


def single_threaded(func: F) -> F:
    """Decorator: run ``func`` inside ``blas_threads(1)``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with blas_threads(1):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
