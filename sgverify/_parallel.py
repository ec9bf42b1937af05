"""Run independent jobs (claims, figures) in worker processes with one progress display.

Claims are independent by design (each has its own seed), so running them in parallel gives
identical evidence; only the wall time changes. Workers are started with ``spawn`` (no fork
of a process that may hold BLAS or progress-display threads) and with one BLAS thread each,
so two workers on two cores do not oversubscribe them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["Task", "default_jobs", "run_tasks"]

_BLAS_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Task:
    """One job: ``func(*args)`` where ``func`` is a module-level (picklable) function."""

    label: str
    func: Callable[..., Any]
    args: tuple[Any, ...] = ()


def default_jobs() -> int:
    """Worker processes to use by default: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def _one_blas_thread_in_children():
    saved = {k: os.environ.get(k) for k in _BLAS_VARS}
    os.environ.update({k: "1" for k in _BLAS_VARS})
    try:
        yield
    finally:
        for k, val in saved.items():
            if val is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = val


def run_tasks(
    tasks: Sequence[Task],
    jobs: int,
    *,
    on_start: Callable[[Task], None] | None = None,
    on_done: Callable[[Task], None] | None = None,
) -> list[Any]:
    """Run every task and return their results in the order of ``tasks``.

    With ``jobs <= 1`` (or a single task) everything runs in this process, in order.
    """
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be an integer >= 1, got {jobs!r}")
    if jobs == 1 or len(tasks) <= 1:
        out = []
        for task in tasks:
            if on_start:
                on_start(task)
            out.append(task.func(*task.args))
            if on_done:
                on_done(task)
        return out

    import multiprocessing

    results: list[Any] = [None] * len(tasks)
    with _one_blas_thread_in_children(), ProcessPoolExecutor(
        max_workers=min(jobs, len(tasks)), mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        pending: dict[Future, int] = {}
        for i, task in enumerate(tasks):
            pending[pool.submit(task.func, *task.args)] = i
            if on_start:
                on_start(task)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                i = pending.pop(fut)
                results[i] = fut.result()
                if on_done:
                    on_done(tasks[i])
    return results
