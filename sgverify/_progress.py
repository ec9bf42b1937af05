"""Progress of a run: a live rich display on a terminal, one plain line per task otherwise.

CI logs and pipes get lines they can keep (``sgverify: [3/40] claim x: confirmed (1.2 s)``);
a terminal gets a bar with the tasks running now, which disappears when the run ends.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

__all__ = ["Progress"]


class Progress:
    """Report tasks starting and finishing; ``mode`` is ``"auto"``, ``"rich"``, ``"lines"``
    or ``"off"`` (auto: rich on a terminal, lines otherwise).

    >>> import io
    >>> buf = io.StringIO()
    >>> with Progress(2, mode="lines", stream=buf) as p:
    ...     p.started("claim a")
    ...     p.finished("claim a", "confirmed", 0.5)
    >>> buf.getvalue()
    'sgverify: [1/2] claim a: confirmed (0.5 s)\\n'
    """

    def __init__(self, total: int, *, mode: str = "auto", stream: TextIO | None = None,
                 done: int = 0) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if mode == "auto":
            mode = "rich" if _isatty(self.stream) else "lines"
        if mode not in ("rich", "lines", "off"):
            raise ValueError(f"mode must be auto, rich, lines or off; got {mode!r}")
        self.mode, self.total, self.done = mode, total, done
        self.running: list[str] = []
        self._rich: Any = None
        self._bar: Any = None
        self._start = time.perf_counter()

    def __enter__(self) -> Progress:
        if self.mode == "rich":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as RichProgress

            self._rich = RichProgress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(file=self.stream, highlight=False), transient=True)
            self._rich.__enter__()
            self._bar = self._rich.add_task("starting", total=self.total, completed=self.done)
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._rich is not None:
            self._rich.__exit__(*exc)
            self._rich = None

    def note(self, text: str) -> None:
        """A line for the log (above the bar on a terminal)."""
        if self.mode == "off":
            return
        if self._rich is not None:
            self._rich.console.print(f"sgverify: {text}", markup=False)
        else:
            print(f"sgverify: {text}", file=self.stream, flush=True)

    def _show(self) -> None:
        if self._rich is not None:
            names = ", ".join(self.running[:2])
            more = f" (+{len(self.running) - 2})" if len(self.running) > 2 else ""
            self._rich.update(self._bar, description=f"[bold]{names}{more}",
                              completed=self.done)

    def started(self, label: str) -> None:
        if label not in self.running:
            self.running.append(label)
        self._show()

    def finished(self, label: str, outcome: str, seconds: float) -> None:
        if label in self.running:
            self.running.remove(label)
        self.done += 1
        if self.mode == "lines":
            print(f"sgverify: [{self.done}/{self.total}] {label}: {outcome} ({seconds:.1f} s)",
                  file=self.stream, flush=True)
        self._show()


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
