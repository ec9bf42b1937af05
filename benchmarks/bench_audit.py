"""Time of one audit per formula (the catalogue and the atlas families), as a ratio against a
baseline checkout measured interleaved in the same run.

Run: ``python benchmarks/bench_audit.py [--baseline DIR] [--repeat N]`` (writes nothing;
paste the table into audit.md). ``DIR`` is a source tree of the version to compare against,
e.g. ``git worktree add /tmp/audit-base <commit>``. Each version runs in its own worker
process (its own imports and caches); the two are asked in turn, formula by formula,
alternating which goes first, so load affects both alike. Without ``--baseline`` only the
current version is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _formulas() -> list[tuple[str, str, dict[str, float]]]:
    from sgverify import audit as A
    from sgverify.claims.audit import FAMILY_FORMULAS

    rows = [(f"{e.library} {e.name}", e.formula, dict(e.params)) for e in A.CATALOGUE]
    for name, text in FAMILY_FORMULAS.items():
        prm = {"p0": 0.5, "delta_u": 0.5} if name == "exponential" else {"beta": 2.0}
        rows.append((f"atlas {name}", text, prm))
    return rows


def _worker() -> None:
    """Audit the formulas sent on stdin (one JSON [text, params] a line); answer
    [wall, cpu, verdict] per line."""
    from sgverify import audit as A

    A.audit("v*exp(-v**2)")  # warm the imports and lambdify caches
    for line in sys.stdin:
        text, params = json.loads(line)
        w, c = time.perf_counter(), time.process_time()
        r = A.audit(text, params)
        print(json.dumps([time.perf_counter() - w, time.process_time() - c, r.verdict]),
              flush=True)


class _Version:
    def __init__(self, src: Path | None, label: str) -> None:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
        if src is not None:
            env["PYTHONPATH"] = str(src)
        self.label = label
        self.proc = subprocess.Popen([sys.executable, __file__, "--worker"], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def time(self, text: str, params: dict[str, float]) -> tuple[float, float, str]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps([text, params]) + "\n")
        self.proc.stdin.flush()
        wall, cpu, verdict = json.loads(self.proc.stdout.readline())
        return wall, cpu, verdict

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline", type=Path, default=None, metavar="DIR")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        _worker()
        return
    current = _Version(None, "current")
    base = _Version(args.baseline, "baseline") if args.baseline else None
    rows = []
    try:
        for k, (name, text, params) in enumerate(_formulas()):
            best: dict[str, list[float]] = {"current": [], "baseline": []}
            for rep in range(args.repeat):
                order = [current, base] if (k + rep) % 2 == 0 else [base, current]
                for v in order:
                    if v is not None:
                        _wall, cpu, verdict = v.time(text, params)
                        best[v.label].append(cpu)
                        if v is current:
                            cur_verdict = verdict
            rows.append((name, min(best["current"]), min(best["baseline"] or [float("nan")]),
                         cur_verdict))
    finally:
        current.close()
        if base is not None:
            base.close()
    print(f"{'formula':45s} {'cpu s':>8s} {'base s':>8s} {'ratio':>7s}  verdict")
    for name, c, b, verdict in rows:
        print(f"{name:45s} {c:8.3f} {b:8.3f} {c / max(b, 1e-3):7.2f}  {verdict}")
    cur = [r[1] for r in rows]
    print(f"\n{len(rows)} formulas, best-of-{args.repeat} CPU seconds per audit: current median "
          f"{statistics.median(cur):.3f} s, max {max(cur):.3f} s")
    if base is not None:
        bas = [r[2] for r in rows]
        # per-formula ratios of audits above the clock's useful resolution (1 ms of CPU)
        ratios = [r[1] / r[2] for r in rows if r[2] >= 1e-3]
        print(f"baseline median {statistics.median(bas):.3f} s, max {max(bas):.3f} s; ratio "
              f"current/baseline: median of per-formula ratios {statistics.median(ratios):.2f}, "
              f"ratio of medians {statistics.median(cur) / statistics.median(bas):.2f}, "
              f"ratio of maxima {max(cur) / max(bas):.2f}, "
              f"ratio of totals {sum(cur) / sum(bas):.2f}")


if __name__ == "__main__":
    main()
