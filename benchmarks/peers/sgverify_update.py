"""Peer for bench_snn.py ``--before DIR``: one sgverify training update by another checkout.

Runs :class:`bench_snn.Update` with whatever ``sgverify`` the interpreter imports (the
benchmark starts it with ``PYTHONPATH=DIR``), as a line-oriented worker like the snnTorch
peer, so that the code before a change is timed interleaved with the code after it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

sys.path.insert(0, str(Path(__file__).parents[1]))

from _serve import serve  # noqa: E402  (this script's folder)
from bench_snn import Update  # noqa: E402

import sgverify  # noqa: E402
from sgverify.snn._alloc import reuse_freed_memory  # noqa: E402

__all__ = ["main"]


def main() -> None:
    spec = json.loads(sys.argv[1])
    reuse_freed_memory()
    update = Update(spec)
    update()
    serve(update, str(Path(sgverify.__file__).parent))


if __name__ == "__main__":
    main()
