"""Keep freed large arrays in the heap while training, so that the next update reuses them.

Why: every training update allocates a few dozen ``(T, trials, batch, neurons)`` float64
arrays (traces, currents, gradients). glibc serves blocks above its mmap threshold with fresh
``mmap`` pages and unmaps them on free, so each update faults its whole working set in
again: on the 2-core development VM that was ~2800 page faults and ~18 % of a thorough
randman update (55.7 ms vs 45.5 ms). Raising the mmap and trim thresholds (``mallopt``) lets
freed blocks go back to the heap, where the next update finds them. Process-wide and kept
(glibc offers no way to read the old settings back); the cost is that the process keeps its
peak heap instead of returning it to the OS. Elsewhere (no glibc) it does nothing.
Results are bit-identical: only where the memory comes from changes.

Examples
--------
>>> from sgverify.snn._alloc import reuse_freed_memory
>>> reuse_freed_memory() in (True, False)
True
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

__all__ = ["reuse_freed_memory"]

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
#: blocks up to this size come from the heap (glibc's maximum on 64-bit platforms)
MMAP_THRESHOLD = 32 << 20
TRIM_THRESHOLD = 512 << 20


@functools.cache
def reuse_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds once per process; True if it took effect."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
