"""The worker side of ``benchmarks/_peer.py``'s protocol, shared by the peer scripts.

A peer prints one JSON line when ready, then for every ``run`` line on stdin does its work
once and prints ``{"seconds": ..., **what the work returned}``; any other line ends it. Only
the standard library: the peers run in their own environments (JAX, snnTorch).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

__all__ = ["serve"]


def serve(work: Callable[[], Any], ready: str, *, report: bool = False) -> None:
    """Announce ``ready``, then time ``work()`` once per ``run`` line; with ``report`` the
    dict ``work()`` returns is added to each line (e.g. the values computed)."""
    print(json.dumps({"ready": ready}), flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        start = time.perf_counter()
        out = work()
        seconds = time.perf_counter() - start
        print(json.dumps({"seconds": seconds, **(out if report else {})}), flush=True)
