"""Engines that run independent tasks: in this process, or on Dask (local or a cluster).

A :class:`Task` is a module-level function with arguments and the keys of the tasks whose
results it needs. Every engine calls it through :func:`execute`, which times it, names the
worker and turns an exception into an error record (so a failing task never crashes a run),
and reports each finished task through ``on_done`` as soon as it finishes.

* :class:`InProcess` runs the tasks one after another in this process.
* :class:`DaskEngine` submits them to a Dask ``distributed`` scheduler: a local cluster of
  worker processes it starts (:meth:`DaskEngine.local`) or an existing cluster
  (:meth:`DaskEngine.connect`, ``tcp://HOST:PORT``). A worker that dies mid-task has its
  task retried on another worker by the scheduler; the attempts are reported.

Claims are independent by design (each has its own seed and a hermetic Hypothesis search),
so every engine gives the same results; only the wall time changes. Local workers use one
BLAS thread each (two workers on two cores do not oversubscribe them) and ignore SIGINT:
the parent decides what an interrupt means and stops them itself.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["SMALL_WORK", "STOP", "DaskEngine", "EngineError", "InProcess", "Task",
           "check_scheduler", "check_stop", "choose_engine", "default_jobs", "execute",
           "failure", "prepare_local_workers", "scheduler_address", "start_worker_server",
           "stop_worker_server"]

_BLAS_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# Dask's nannies start workers with MALLOC_TRIM_THRESHOLD_=65536, which makes glibc hand every
# freed large array back to the kernel: SNN training then page-faults its temporaries anew
# each step (2.5 M minor faults, 1.7x the wall time of the same run in-process). Our workers
# keep glibc's own adaptive threshold.
_TRIM = "MALLOC_TRIM_THRESHOLD_"
_HASHSEED = "PYTHONHASHSEED"
#: imported once by the fork server of local workers (:func:`start_worker_server`)
_PRELOAD = ("sgverify._warm",)
#: Dask's statistical profiler samples each worker's running task every 10 ms from the
#: worker's event-loop thread, taking the GIL from the task: our tasks ran ~15 % slower in a
#: worker than in-process (benchmarks/suite.md). Nothing here reads its profiles. The tick
#: (a blocked-event-loop watchdog, every 20 ms) and the system monitor (a dashboard's CPU
#: and memory readings, every 0.5 s) wake the scheduler and every worker: ~0.4 s of CPU in
#: a dev check, taken from the tasks on a 2-core machine. Tasks run in worker threads, so
#: the loops are never blocked for long, and there is no dashboard.
_WORKER_CONFIG = {"distributed.worker.profile.enabled": False,
                  "distributed.admin.tick.interval": "1s",
                  "distributed.admin.system-monitor.interval": "5s"}
#: below this much estimated work (seconds under dev) a local cluster costs more than it saves
SMALL_WORK = 6.0
#: seconds a local cluster gets to start before the run falls back to this process
START_TIMEOUT = 60.0


#: set by a run's signal handler (:func:`sgverify.session.execute`) when it is interrupted.
#: Python only prints an exception raised inside a garbage-collector callback or a
#: ``__del__`` (Hypothesis registers one), so a Ctrl-C arriving there would be lost; the
#: engines also look at this flag and stop at their next check.
STOP = threading.Event()


def check_stop() -> None:
    """KeyboardInterrupt when the run was interrupted (:data:`STOP`)."""
    if STOP.is_set():
        raise KeyboardInterrupt


class EngineError(RuntimeError):
    """A cluster that cannot serve: workers that do not start, or run other code."""


@dataclass(frozen=True)
class Task:
    """``func(*args, inputs)`` where ``inputs`` maps each key of ``deps`` to its result.

    ``func`` must be a module-level function (workers import it). ``cost`` is a rough
    relative run time; larger ones start first.
    """

    key: str
    func: Callable[..., Any]
    args: tuple[Any, ...] = ()
    deps: tuple[str, ...] = ()
    cost: float = 1.0
    label: str = ""


def default_jobs() -> int:
    """Workers to use by default: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def failure(message: str, tb: str | None = None) -> dict[str, Any]:
    """The record of a task that did not produce a result."""
    return {"failed": True, "error": message, "traceback": tb or ""}


def execute(func: Callable[..., Any], args: tuple[Any, ...],
            inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Run one task wherever this is called; never raises (except KeyboardInterrupt).

    ``inputs`` maps dependency keys to their records (as returned by this function). A
    failed dependency fails the task without running it. Returns ``{"value", "seconds",
    "worker"}`` or a :func:`failure` record with the same timing keys.
    """
    start = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    bad = {k: v for k, v in inputs.items() if v.get("failed")}
    if bad:
        key, rec = next(iter(bad.items()))
        out = failure(f"needs {key}, which failed: {rec.get('error')}", rec.get("traceback"))
    else:
        try:
            out = {"value": func(*args, {k: v["value"] for k, v in inputs.items()})}
        except Exception as exc:  # any failure of a task is data, never a crashed run
            out = failure(f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=8))
    out.update(seconds=time.perf_counter() - start, worker=worker)
    return out


OnStart = Callable[[Task], None]
OnDone = Callable[[Task, dict[str, Any], int], None]


class InProcess:
    """Run every task in this process, in the given (dependency) order."""

    def __init__(self) -> None:
        self.description: dict[str, Any] = {"kind": "in-process", "workers": 1}

    def run(self, tasks: Sequence[Task], known: Mapping[str, dict[str, Any]],
            on_start: OnStart, on_done: OnDone) -> None:
        """Run ``tasks``; ``known`` holds records of dependencies finished earlier."""
        records = dict(known)
        for task in tasks:
            check_stop()
            on_start(task)
            rec = execute(task.func, task.args, {k: records[k] for k in task.deps})
            records[task.key] = rec
            on_done(task, rec, 1)
        check_stop()

    def close(self) -> None:
        pass


def check_scheduler(address: str, timeout: float = 10.0) -> None:
    """ConnectionError at once (not after the client's retries) when ``address`` is not a
    ``tcp://HOST:PORT`` that something listens at."""
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if parts.scheme not in ("tcp", "tls") or not host or not port:
        raise ConnectionError(f"--scheduler must look like tcp://HOST:PORT, got {address!r}")
    try:
        socket.create_connection((host, port), timeout=min(timeout, 10.0)).close()
    except OSError as exc:
        raise ConnectionError(f"cannot reach the Dask scheduler at {address} "
                              f"({exc.strerror or type(exc).__name__})") from None


def _worker_environment() -> dict[str, str | None]:
    """Set what new workers inherit; returns the previous values for :func:`_restore`."""
    saved = {k: os.environ.get(k) for k in (*_BLAS_VARS, _TRIM, _HASHSEED)}
    os.environ.update(dict.fromkeys(_BLAS_VARS, "1"))
    os.environ.pop(_TRIM, None)
    # what Dask's nannies give spawned workers; forked ones take it from the fork server
    os.environ[_HASHSEED] = os.environ.get(_HASHSEED) or "6640"
    return saved


def _settings() -> dict[str, str]:
    """sgverify's own environment variables as they are now (e.g. ``SGVERIFY_NUMBA``):
    forked workers inherit the fork server's environment, which may be older."""
    return {k: v for k, v in os.environ.items() if k.startswith("SGVERIFY_")}


def scheduler_address(scheduler: str | None) -> str | None:
    """The Dask scheduler a run is sent to: ``scheduler``, else ``SGVERIFY_SCHEDULER``, else
    None (this process or local workers)."""
    return scheduler or os.environ.get("SGVERIFY_SCHEDULER") or None


def prepare_local_workers(jobs: int | None, scheduler: str | None) -> None:
    """Start the fork server now (:func:`start_worker_server`) if a run with these arguments
    may start local workers (:func:`choose_engine` decides, and stops it if they are not
    needed)."""
    if (default_jobs() if jobs is None else jobs) > 1 and scheduler_address(scheduler) is None:
        start_worker_server()


def _fork_server_usable() -> bool:
    """Whether local workers come from the fork server: where the platform has one, unless
    ``SGVERIFY_FORKSERVER=0`` asks for spawned workers (each importing what it needs), or
    the working directory holds another ``sgverify`` that a Python before 3.11 would give
    the server (see :func:`_server_path`)."""
    import multiprocessing

    return (os.environ.get("SGVERIFY_FORKSERVER", "1") != "0"
            and "forkserver" in multiprocessing.get_all_start_methods()
            and (sys.version_info >= (3, 11) or not _shadowed_here()))


def _shadowed_here() -> bool:
    here = os.path.realpath(os.path.join(os.getcwd(), "sgverify"))
    return (os.path.isdir(here)
            and here != os.path.realpath(os.path.dirname(os.path.abspath(__file__))))


def _server_path() -> dict[str, str | None]:
    """Give the fork server this process's import path; returns the previous values for
    :func:`_restore`.

    The server runs ``python -c ...``, which puts the working directory first on its path,
    and Python 3.11's fork server does not apply the path it is sent: run from a checkout of
    another version, the workers imported that checkout's sgverify while this process ran the
    installed one. ``PYTHONSAFEPATH`` (3.11+) drops the working directory and ``PYTHONPATH``
    carries this process's path, where the working directory is only if it is here too
    (``python -m``).
    """
    saved = {k: os.environ.get(k) for k in ("PYTHONSAFEPATH", "PYTHONPATH")}
    os.environ["PYTHONSAFEPATH"] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) if p else os.getcwd()
                                               for p in sys.path)
    return saved


#: whether this process started the fork server, and whether workers were forked from it
_SERVER = {"ours": False, "forked": False}


def start_worker_server() -> None:
    """Start the process that forks local workers, if it is not running; returns at once.

    It imports what every task needs (:mod:`sgverify._warm`) once, while this process
    plans the run; each worker forked from it starts with those modules loaded, instead of
    importing them itself (~1 s each, on the run's critical path). Call it as early as a run
    that may start local workers knows it; :meth:`DaskEngine.local` calls it too.
    """
    if not _fork_server_usable():
        return
    import multiprocessing
    from multiprocessing import forkserver

    server = forkserver._forkserver
    multiprocessing.get_context("forkserver").set_forkserver_preload(list(_PRELOAD))
    before = getattr(server, "_forkserver_pid", None)
    saved = _worker_environment()  # the server's environment is every worker's
    saved.update(_server_path())
    try:
        server.ensure_running()
    except Exception:  # Dask starts the server itself, or spawns the workers
        pass
    finally:
        _restore(saved)
    pid = getattr(server, "_forkserver_pid", None)
    if pid is not None and pid != before:
        _SERVER.update(ours=True, forked=False)


def stop_worker_server() -> None:
    """Stop the fork server this process started, if no worker was forked from it.

    A run that needs no local workers (one task, ``--jobs 1``, little work, an error)
    started it in vain; it would otherwise finish its imports after this process exits.
    A server with workers is left alone: they hold it open, and it exits after them.
    """
    if not _SERVER["ours"] or _SERVER["forked"]:
        return
    from multiprocessing import forkserver

    server = forkserver._forkserver
    pid = getattr(server, "_forkserver_pid", None)
    stop = getattr(server, "_stop_unlocked", None)
    _SERVER["ours"] = False
    if pid is None or stop is None:  # another Python's internals: let it exit by itself
        return
    try:
        os.kill(pid, signal.SIGKILL)  # it may be importing; the kill makes the wait short
        with server._lock:
            stop()
    except Exception:  # housekeeping only: the server exits after this process anyway
        pass


def _restore(saved: Mapping[str, str | None]) -> None:
    for k, val in saved.items():
        if val is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = val


def _quiet_dask_logs(level: int) -> None:
    import logging

    for name in ("distributed", "tornado", "asyncio"):
        logging.getLogger(name).setLevel(level)


class DaskEngine:
    """Run tasks on a Dask ``distributed`` cluster (started here, or an existing one)."""

    def __init__(self, client: Any, cluster: Any | None, description: dict[str, Any]) -> None:
        self.client, self.cluster, self.description = client, cluster, description

    @classmethod
    def local(cls, workers: int) -> DaskEngine:
        """Start a local cluster of ``workers`` single-threaded worker processes.

        Raises EngineError when the processes cannot start (e.g. a parent read from stdin,
        which spawned processes cannot re-import).
        """
        import logging

        import dask
        from distributed import Client, LocalCluster

        _quiet_dask_logs(logging.ERROR)
        method = "forkserver" if _fork_server_usable() else "spawn"
        if method == "forkserver":
            start_worker_server()
            _SERVER["forked"] = True
        saved = _worker_environment()  # inherited by spawned workers
        try:
            with dask.config.set({"distributed.comm.timeouts.connect": "30s",
                                  "distributed.worker.multiprocessing-method": method,
                                  "distributed.nanny.pre-spawn-environ":
                                      dict.fromkeys(_BLAS_VARS, 1),
                                  **_WORKER_CONFIG}):
                cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True,
                    host="127.0.0.1", dashboard_address=None, worker_dashboard_address=None,
                    silence_logs=logging.ERROR, preload=["sgverify._worker"],
                    env={**_settings(), **dict.fromkeys(_BLAS_VARS, "1")},
                    death_timeout=START_TIMEOUT)
            client = Client(cluster, set_as_default=False, timeout=START_TIMEOUT)
        except Exception as exc:
            raise EngineError(f"local Dask workers could not start ({type(exc).__name__}: "
                               f"{exc})") from exc
        finally:
            _restore(saved)
        return cls(client, cluster, {"kind": "local", "workers": workers,
                                     "address": cluster.scheduler_address})

    @classmethod
    def connect(cls, address: str, timeout: float = 20.0) -> DaskEngine:
        """Use the existing Dask scheduler at ``address`` (``tcp://HOST:PORT``)."""
        import logging

        from distributed import Client

        check_scheduler(address, timeout)
        _quiet_dask_logs(logging.ERROR)
        try:
            client = Client(address, set_as_default=False, timeout=timeout)
        except Exception as exc:
            raise ConnectionError(f"cannot reach the Dask scheduler at {address} "
                                  f"({type(exc).__name__}: {exc})") from exc
        workers = len(client.scheduler_info(n_workers=-1).get("workers", {}))
        return cls(client, None, {"kind": "scheduler", "address": address, "workers": workers})

    def worker_pids(self) -> list[int]:
        """PIDs of the local cluster's worker processes (empty for a remote cluster)."""
        if self.cluster is None:
            return []
        pids = []
        for w in list(self.cluster.workers.values()):
            proc = getattr(getattr(w, "process", None), "process", None)
            pid = getattr(proc, "pid", None)
            if pid:
                pids.append(pid)
        return pids

    def check_code(self, expected: str) -> None:
        """Refuse workers that run other sgverify code than this process (their results would
        be stored under the wrong code identity)."""
        from ._store import source_hash

        try:
            hashes = self.client.run(source_hash)
        except Exception as exc:
            raise EngineError(f"the Dask workers cannot import sgverify ({exc})") from exc
        other = {w: h for w, h in hashes.items() if h != expected}
        if other:
            raise EngineError(f"Dask workers {', '.join(sorted(other))} run other sgverify "
                               "code than this process; install the same version there")

    def run(self, tasks: Sequence[Task], known: Mapping[str, dict[str, Any]],
            on_start: OnStart, on_done: OnDone) -> None:
        """Submit every task, report each as it finishes; KeyboardInterrupt propagates."""
        prefix = f"sgverify-{os.getpid()}-{time.time_ns()}/"
        futures: dict[str, Any] = {}
        by_future: dict[Any, Task] = {}
        for task in tasks:  # dependency order: a dependency's future exists before its user
            inputs = {k: futures.get(k, known.get(k)) for k in task.deps}
            fut = self.client.submit(execute, task.func, task.args, inputs,
                                     key=prefix + task.key, pure=False, retries=0,
                                     priority=int(task.cost * 10))
            futures[task.key] = fut
            by_future[fut] = task
        pending = set(by_future)
        started: set[str] = set()
        last_poll = 0.0
        while pending:
            check_stop()
            # future states are kept current by the client's own thread; polling them keeps
            # this (main) thread free to take a Ctrl-C at once
            done = [f for f in pending if f.status in ("finished", "error", "cancelled")]
            if time.monotonic() - last_poll > 0.5:  # which tasks run now, for the display
                last_poll = time.monotonic()
                for task in self._processing(prefix, by_future, started):
                    on_start(task)
            if not done:
                time.sleep(0.05)
                continue
            attempts = self._attempts([f.key for f in done])
            for fut in done:
                pending.discard(fut)
                task = by_future[fut]
                if task.key not in started:
                    started.add(task.key)
                    on_start(task)
                on_done(task, self._record(fut), 1 + attempts.get(fut.key, 0))
        # results stay on the workers until released: free them, the store keeps them now
        for fut in futures.values():
            fut.release()

    @staticmethod
    def _record(fut: Any) -> dict[str, Any]:
        if fut.status == "finished":
            return fut.result()
        if fut.status == "cancelled":
            return failure("cancelled by the Dask scheduler (lost or shut down)")
        exc = fut.exception()
        return failure(f"{type(exc).__name__}: {exc}",
                       "".join(traceback.format_exception(exc))[-4000:])

    def _processing(self, prefix: str, by_future: Mapping[Any, Task],
                    started: set[str]) -> list[Task]:
        try:
            running = {k for keys in self.client.processing().values() for k in keys}
        except Exception:  # a display aid only
            return []
        out = []
        for fut, task in by_future.items():
            if fut.key in running and task.key not in started:
                started.add(task.key)
                out.append(task)
        return out

    def _attempts(self, keys: list[str]) -> dict[str, int]:
        """Times a worker died while running each task (the scheduler's count)."""

        def probe(keys: list[str] = keys, dask_scheduler: Any = None) -> dict[str, int]:
            tasks = dask_scheduler.tasks
            return {k: int(getattr(tasks[k], "suspicious", 0)) for k in keys if k in tasks}

        try:
            return self.client.run_on_scheduler(probe)
        except Exception:  # an accounting aid; the results themselves are already in
            return {}

    def kill_workers(self) -> None:
        """Stop the local workers at once (SIGKILL by PID): an interrupt must not wait."""
        for pid in self.worker_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def close(self, fast: bool = False) -> None:
        """Close the client and the local cluster (if any); ``fast`` kills workers first."""
        import logging
        import threading

        _quiet_dask_logs(logging.CRITICAL)
        if fast:
            self.kill_workers()
        if self.cluster is not None:
            # distributed closes every cluster again at exit, for up to 10 s; this one is
            # closed here (or its workers are dead), so the exit need not wait for it
            from distributed.deploy.spec import SpecCluster

            SpecCluster._instances.discard(self.cluster)

        def shut() -> None:
            for obj in (self.client, self.cluster):
                if obj is None:
                    continue
                try:
                    obj.close(timeout=2) if obj is self.client else obj.close(timeout=5)
                except Exception:  # closing is housekeeping; the workers are gone or going
                    pass

        t = threading.Thread(target=shut, daemon=True)
        t.start()
        t.join(1.0 if fast else 15.0)
        if t.is_alive():  # never let shutdown hold the exit; local workers die with us
            print("sgverify: Dask shutdown still pending; leaving it", file=sys.stderr)


def choose_engine(todo: Sequence[Task], jobs: int | None, scheduler: str | None,
                  note: Callable[[str], None]) -> InProcess | DaskEngine:
    """The engine for ``todo``: the cluster at ``scheduler`` (or ``SGVERIFY_SCHEDULER``),
    else this process for ``jobs == 1`` or little work, else a local cluster of ``jobs``
    workers (default one per CPU; this process if the workers cannot start)."""
    from ._store import code_identity

    address = scheduler_address(scheduler)
    if address:
        eng = DaskEngine.connect(address)
        try:
            eng.check_code(code_identity()["source_hash"])
        except EngineError:
            eng.close()
            raise
        return eng
    jobs = default_jobs() if jobs is None else jobs
    if jobs <= 1 or len(todo) <= 1 or sum(t.cost for t in todo) < SMALL_WORK:
        stop_worker_server()
        return InProcess()
    try:
        return DaskEngine.local(min(jobs, len(todo)))
    except EngineError as exc:
        note(f"{exc}; running in this process")
        return InProcess()
