"""Bounds on the audit's work: deterministic counts for its own numerics, time limits only
around code whose cost cannot be counted (SymPy, a user's callable), in any thread.

The audit's verdict must be the same on an idle and a busy machine, so its numerics are
bounded by counting (points evaluated, mpmath evaluations), never by the clock: exhausting
a count ends in the same explicit outcome every time. Two things cannot be counted: SymPy's
attempt at an exact area (whose result is reported next to the verdict, never used for it)
and a user's callable that may not return at all. Those run under :class:`Limit`, which
works in the main thread (POSIX interval timers) and in any other thread (a watchdog that
reads the thread's own CPU clock and raises in it asynchronously).
"""

from __future__ import annotations

import ctypes
import signal
import threading
import time
from types import TracebackType
from typing import Any

__all__ = ["Limit", "Work", "WorkExhausted"]


class _Expired(BaseException):
    """A limit ran out; a BaseException so that ``except Exception`` in SymPy or in a user's
    callable cannot swallow it. Each :class:`Limit` raises its own subclass."""


class WorkExhausted(Exception):
    """A deterministic work count ran out."""


class Work:
    """Counts of the audit's own work, with fixed caps (deterministic bounds).

    Examples
    --------
    >>> w = Work(points=10)
    >>> w.spend("points", 4); w.used["points"]
    4
    >>> w.spend("points", 7)
    Traceback (most recent call last):
    ...
    sgverify.audit._guard.WorkExhausted: more than 10 points
    """

    def __init__(self, **caps: int) -> None:
        self.caps = dict(caps)
        self.used = dict.fromkeys(caps, 0)

    def spend(self, kind: str, n: int = 1) -> None:
        self.used[kind] = self.used.get(kind, 0) + int(n)
        cap = self.caps.get(kind)
        if cap is not None and self.used[kind] > cap:
            raise WorkExhausted(f"more than {cap} {kind}")

    def left(self, kind: str) -> int:
        cap = self.caps.get(kind)
        return 2**62 if cap is None else max(cap - self.used.get(kind, 0), 0)


# main-thread limits by clock, outermost first: (limit, start, seconds)
_STACKS: dict[str, list[tuple[Limit, float, float]]] = {"cpu": [], "wall": []}
_PREVIOUS: dict[str, Any] = {}
_HANDLERS: dict[str, Any] = {}
_TIMER = {"cpu": signal.ITIMER_PROF, "wall": signal.ITIMER_REAL} if hasattr(signal, "setitimer") \
    else {}
_SIG = {"cpu": signal.SIGPROF, "wall": signal.SIGALRM} if hasattr(signal, "SIGPROF") else {}
# the main thread's own CPU time: the process's (what ITIMER_PROF counts) also runs while
# other threads of the process compute, so a busy thread would shorten the budget. The
# profiling timer fires no later than the thread's budget ends; the handler checks this clock.
_CLOCK = {"cpu": time.thread_time, "wall": time.monotonic}


def _arm(clock: str) -> None:
    now = _CLOCK[clock]()
    left = min(start + secs - now for _, start, secs in _STACKS[clock])
    # periodic: an exception raised inside a weakref callback or __del__ is swallowed by
    # Python, so the timer keeps firing every 50 ms until one lands in ordinary code
    signal.setitimer(_TIMER[clock], max(left, 1e-3), 0.05)


def _handler(clock: str) -> Any:
    def handle(signum: int, frame: Any) -> None:
        now = _CLOCK[clock]()
        for lim, start, secs in _STACKS[clock]:  # the outermost expired limit wins
            if lim._active and now - start >= secs - 1e-3:
                raise lim.Expired(f"over {secs:g} s of {clock} time")
    return handle


def _bytecode() -> None:
    """A call: a point where a pending asynchronous exception is raised."""


def _thread_cpu_clock(ident: int) -> Any:
    try:
        cid = time.pthread_getcpuclockid(ident)
        return lambda: time.clock_gettime(cid)
    except (AttributeError, OSError):  # no per-thread CPU clock: wall time bounds it instead
        return time.monotonic


class Limit:
    """Raise :attr:`Expired` in the calling thread after ``seconds`` of its CPU time
    (``clock="cpu"``) or of wall time (``clock="wall"``).

    Use as ``lim = Limit(0.5); try: with lim: ... except lim.Expired: ...``. Limits nest:
    an inner one never outlives an outer one of the same clock, and only its own expiry is
    caught by its own handler.
    """

    _POLL = 0.02

    def __init__(self, seconds: float, clock: str = "cpu") -> None:
        if clock not in ("cpu", "wall"):
            raise ValueError(f"clock must be 'cpu' or 'wall', got {clock!r}")
        self.seconds, self.clock = float(seconds), clock
        self.Expired: type[_Expired] = type("Expired", (_Expired,), {})
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._armed = False
        self._posted = False
        self._active = False

    # --- main thread: interval timers ---------------------------------------------------
    def _enter_signal(self) -> None:
        self._active = True
        stack = _STACKS[self.clock]
        if not stack:
            mine = _HANDLERS.setdefault(self.clock, _handler(self.clock))
            _PREVIOUS[self.clock] = signal.signal(_SIG[self.clock], mine)
        stack.append((self, _CLOCK[self.clock](), self.seconds))
        _arm(self.clock)

    def _exit_signal(self) -> None:
        # idempotent: __exit__ repeats it if a signal lands half-way
        self._active = False
        stack = _STACKS[self.clock]
        stack[:] = [e for e in stack if e[0] is not self]
        if stack:
            _arm(self.clock)
        elif self.clock in _PREVIOUS:
            signal.setitimer(_TIMER[self.clock], 0)
            previous = _PREVIOUS.pop(self.clock)
            # a signal already generated may still arrive: with the default action it
            # would end the process (SIGPROF, SIGALRM), so the idle handler (a no-op with
            # no limit active) stays unless someone else's handler was there before
            if callable(previous):
                signal.signal(_SIG[self.clock], previous)

    # --- other threads: a watchdog ------------------------------------------------------
    def _enter_watchdog(self) -> None:
        self._active = True
        target = threading.get_ident()
        clock = _thread_cpu_clock(target) if self.clock == "cpu" else time.monotonic
        deadline = clock() + self.seconds
        self._armed = True

        def watch() -> None:
            while not self._stop.wait(self._POLL):
                if clock() >= deadline:
                    with self._lock:
                        if self._armed:
                            # stays pending until the thread next runs Python bytecode
                            self._posted = True
                            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                                ctypes.c_ulong(target), ctypes.py_object(self.Expired))
                    return

        self._watcher = threading.Thread(target=watch, name="sgverify-limit", daemon=True)
        self._watcher.start()

    def _exit_watchdog(self) -> None:
        self._active = False
        with self._lock:
            self._armed = False
        self._stop.set()
        self._watcher.join()
        if self._posted:
            # An exception posted but not yet raised is let land here, never cancelled:
            # PyThreadState_SetAsyncExc(id, NULL) leaves the interpreter's "async exception
            # pending" flag set for good (CPython <= 3.11), which sends every later bytecode
            # through the slow path (Hypothesis' shrinking then ran for tens of minutes).
            self._posted = False
            try:
                for _ in range(10_000):
                    _bytecode()
            except self.Expired:
                pass

    def __enter__(self) -> Limit:
        self._main = (threading.current_thread() is threading.main_thread()
                      and hasattr(signal, "setitimer"))
        try:
            (self._enter_signal if self._main else self._enter_watchdog)()
            return self
        except _Expired:
            # expired before the block began (a tiny limit): __exit__ would not run
            self.__exit__(None, None, None)
            raise

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        # a limit's signal may land inside this very cleanup (it fires every 50 ms until it
        # lands in ordinary code): finish the cleanup whatever lands, then re-raise an outer
        # limit's expiry (this one's has no block left to stop)
        pending: BaseException | None = None
        for _ in range(1000):
            try:
                (self._exit_signal if self._main else self._exit_watchdog)()
                break
            except _Expired as late:
                if not isinstance(late, self.Expired):
                    pending = late
        if pending is not None:
            raise pending
