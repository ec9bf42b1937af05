"""Run independent jobs (claims, figures) in worker processes with one progress display.

Claims are independent by design (each has its own seed), so running them in parallel gives
identical evidence; only the wall time changes. Workers are started with ``spawn`` (no fork
of a process that may hold BLAS or progress-display threads) and with one BLAS thread each,
so two workers on two cores do not oversubscribe them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["Task", "default_jobs", "run_tasks"]

_BLAS_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class Task:
    """One job: ``func(*args)`` where ``func`` is a module-level (picklable) function.

    ``cost`` is a rough relative run time; larger ones are started first. Tasks with the
    same ``group`` run one after another in one worker, so they share its in-process caches
    (trained networks, audited catalogues).
    """

    label: str
    func: Callable[..., Any]
    args: tuple[Any, ...] = ()
    cost: float = 1.0
    group: str | None = None


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

    # one job per group (in task order inside it), one per ungrouped task
    jobs_list: list[list[int]] = []
    by_group: dict[str, list[int]] = {}
    for i, task in enumerate(tasks):
        if task.group is None:
            jobs_list.append([i])
        elif task.group in by_group:
            by_group[task.group].append(i)
        else:
            by_group[task.group] = [i]
            jobs_list.append(by_group[task.group])
    # longest first shortens the tail (LPT scheduling); cost hints are rough guesses
    jobs_list.sort(key=lambda idx: -sum(tasks[i].cost for i in idx))
    results: list[Any] = [None] * len(tasks)
    finished: set[int] = set()
    try:
        _run_pool(tasks, jobs_list, jobs, results, finished, on_start, on_done)
    except BrokenProcessPool as exc:
        # e.g. a parent started from stdin, which spawned workers cannot re-import; the work
        # is still done, in this process
        print(f"sgverify: worker processes unavailable ({exc}); running in this process",
              file=sys.stderr)
        for i, task in enumerate(tasks):
            if i not in finished:
                results[i] = task.func(*task.args)
                if on_done:
                    on_done(task)
    return results


def _run_pool(
    tasks: Sequence[Task],
    jobs_list: list[list[int]],
    jobs: int,
    results: list[Any],
    finished: set[int],
    on_start: Callable[[Task], None] | None,
    on_done: Callable[[Task], None] | None,
) -> None:
    import multiprocessing

    with _one_blas_thread_in_children(), ProcessPoolExecutor(
        max_workers=min(jobs, len(jobs_list)), mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        pending: dict[Future, list[int]] = {}
        for idx in jobs_list:
            calls = [(tasks[i].func, tasks[i].args) for i in idx]
            pending[pool.submit(_run_sequence, calls)] = idx
            if on_start:
                for i in idx:
                    on_start(tasks[i])
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                idx = pending.pop(fut)
                for i, value in zip(idx, fut.result(), strict=True):
                    results[i] = value
                    finished.add(i)
                    if on_done:
                        on_done(tasks[i])


def _run_sequence(calls: list[tuple[Callable[..., Any], tuple[Any, ...]]]) -> list[Any]:
    return [func(*args) for func, args in calls]
