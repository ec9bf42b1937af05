"""Preload of sgverify's local Dask workers (``distributed`` imports it in each worker).

The workers share the terminal's process group with the ``sgverify`` process that started
them, so one Ctrl-C reaches them too. They ignore it: the parent cancels the queued work,
keeps what finished and stops them itself, within a second.
"""

from __future__ import annotations

import signal
from typing import Any

__all__ = ["dask_setup"]


def dask_setup(worker: Any) -> None:
    """Called by ``distributed`` in the worker process before it takes tasks."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: nothing to set (workers run on it)
        pass
