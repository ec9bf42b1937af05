"""Time of one audit per formula: the catalogue, the atlas families, and the parser alone.

Run: ``python benchmarks/bench_audit.py`` (writes nothing; paste the table into audit.md).
Reports wall-clock and CPU seconds per audit (the machine may be shared).
"""

from __future__ import annotations

import statistics
import time

from sgverify import audit as A
from sgverify.claims.audit import FAMILY_FORMULAS


def _time(fn, repeat: int = 3) -> tuple[float, float, float]:
    """(first-call wall, best wall, best cpu): the first call pays SymPy's and lambdify's
    caches, the best repeat does not."""
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return walls[0], min(walls), min(cpus)


def main() -> None:
    A.audit("v*exp(-v**2)")  # warm the imports and lambdify caches
    rows = []
    for e in A.CATALOGUE:
        rows.append((f"{e.library} {e.name}", *_time(lambda e=e: A.audit(e.formula, e.params))))
    for name, text in FAMILY_FORMULAS.items():
        prm = {"p0": 0.5, "delta_u": 0.5} if name == "exponential" else {"beta": 2.0}
        rows.append((f"atlas {name}", *_time(lambda t=text, p=prm: A.audit(t, p))))
    _, parse_w, _ = _time(lambda: [A.parse(e.formula, e.params) for e in A.CATALOGUE], 5)
    print(f"{'formula':45s} {'first s':>8s} {'best s':>8s} {'cpu s':>8s}")
    for name, f, w, c in rows:
        print(f"{name:45s} {f:8.3f} {w:8.3f} {c:8.3f}")
    first = [r[1] for r in rows]
    walls = [r[2] for r in rows]
    cpus = [r[3] for r in rows]
    print(f"\n{len(rows)} formulas: first call median {statistics.median(first):.3f} s, max "
          f"{max(first):.3f} s; best wall median {statistics.median(walls):.3f} s, max "
          f"{max(walls):.3f} s; best cpu max {max(cpus):.3f} s")
    print(f"parsing alone: {parse_w / len(A.CATALOGUE) * 1e3:.2f} ms per formula")


if __name__ == "__main__":
    main()
