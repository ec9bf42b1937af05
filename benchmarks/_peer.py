"""Run a peer implementation (JAX, snnTorch) in its own Python environment, interleaved.

The peer script is a line-oriented worker: it prints one JSON line when ready, then for every
``run`` line on stdin does the work once and prints ``{"seconds": ..., ...}``. The benchmark
asks it for one run between its own runs, so both see the same machine load.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["Peer", "peer_python"]


def peer_python(name: str) -> str | None:
    """The interpreter of the peer environment ``name`` from ``SGVERIFY_<NAME>_PYTHON``."""
    path = os.environ.get(f"SGVERIFY_{name.upper()}_PYTHON")
    return path if path and Path(path).exists() else None


class Peer:
    """A running peer worker; ``run()`` returns its report of one timed run."""

    def __init__(self, python: str, script: Path, spec: dict[str, Any],
                 env: dict[str, str] | None = None) -> None:
        full_env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                    "MKL_NUM_THREADS": "1", **(env or {})}
        self.proc = subprocess.Popen([python, str(script), json.dumps(spec)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     env=full_env)
        self.ready = self._read()

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"peer {self.proc.args[1]} exited without answering")
        return json.loads(line)

    def run(self) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)

    def __enter__(self) -> Peer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
