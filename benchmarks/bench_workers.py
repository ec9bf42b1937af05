"""Wall time of one selection of claims on 1 and 2 local workers and a 4-worker Dask cluster.

The same ``sgverify check`` selection runs three times in one session, each into its own
fresh run store: ``--jobs 1`` (in this process), ``--jobs 2`` (the local engine), and
``--scheduler`` against a real localhost cluster (``dask scheduler`` and four single-threaded
``dask worker`` processes on 127.0.0.1, started here and stopped by PID). On a 2-core
machine the 4 workers share the two cores, so that row measures what a cluster costs
(transfer, scheduling, four processes' imports), not more CPU. From the per-task seconds
of the ``--jobs 1`` run the script prints the makespan of a longest-first schedule on N
workers (the ideal wall time on N machines) and each measured wall time against it.

Run (through the shared lock; about 10 minutes for the default selection)::

    python benchmarks/bench_workers.py --profile thorough \\
        'multilayer.*' 'toynet.*' 'lif.*' snn.spike-train-matching

It prints a markdown table; benchmarks/thorough.md records it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from run_summary import schedule

__all__ = ["main", "run_check"]

PYTHON = sys.executable
DASK = str(Path(PYTHON).with_name("dask"))


def run_check(patterns: list[str], profile: str, runs: Path, *extra: str) -> dict:
    """Wall seconds, verdicts and per-task seconds of one ``sgverify check``."""
    argv = [PYTHON, "-m", "sgverify", "check", *patterns, "--profile", profile,
            "--runs", str(runs), *extra]
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{argv} exited {proc.returncode}: {proc.stderr[-1500:]}")
    (run,) = [p for p in runs.iterdir() if (p / "manifest.json").is_file()]
    m = json.loads((run / "manifest.json").read_text())
    secs = {k: float(t.get("seconds") or 0.0) for k, t in m["tasks"].items()}
    verdicts = {}
    for k, t in m["tasks"].items():
        if k.startswith("claim/"):
            verdicts[k[6:]] = json.loads((run / t["file"]).read_text())["result"]["status"]
    return {"wall": wall, "seconds": secs, "verdicts": verdicts, "engine": m["engine"]}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_workers(address: str, n: int, timeout: float = 120.0) -> None:
    from distributed import Client

    with Client(address, timeout=timeout) as c:
        c.wait_for_workers(n, timeout=timeout)


def with_cluster(n_workers: int, fn):
    """Call ``fn(address)`` with a localhost cluster of ``n_workers`` single-threaded
    workers; every process started here is stopped by its PID afterwards."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]
    try:
        for i in range(n_workers):
            procs.append(subprocess.Popen(
                [DASK, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                 "--name", f"bench-{i}", "--memory-limit", "0"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        start = time.perf_counter()
        _wait_for_workers(address, n_workers)
        ready = time.perf_counter() - start
        return ready, fn(address)
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                os.kill(p.pid, signal.SIGTERM)
        for p in reversed(procs):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(p.pid, signal.SIGKILL)
                p.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("patterns", nargs="+")
    ap.add_argument("--profile", default="thorough")
    ap.add_argument("--estimate", type=int, nargs="*", default=[1, 2, 4, 8, 16])
    ap.add_argument("--keep", type=Path, default=None, metavar="DIR",
                    help="keep the three run stores under DIR (default: a temporary folder)")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or Path(scratch)
        for label, extra in (("1 local worker (--jobs 1, in-process)", ("--jobs", "1")),
                             ("2 local workers (--jobs 2)", ("--jobs", "2"))):
            runs = Path(tmp, f"workers-{label.split()[0]}")
            runs.mkdir(parents=True)
            rows.append((label, run_check(args.patterns, args.profile, runs, *extra), None))
        runs = Path(tmp, "workers-4")
        runs.mkdir(parents=True)
        ready, res = with_cluster(
            4, lambda addr: run_check(args.patterns, args.profile, runs, "--scheduler", addr))
        rows.append(("4-worker localhost Dask cluster (--scheduler)", res, ready))
    base = rows[0][1]
    tasks = list(base["seconds"].values())
    total = sum(tasks)
    print(f"selection: {' '.join(args.patterns)} (--profile {args.profile}); "
          f"{len(tasks)} tasks, {total:.0f} s of task time in the --jobs 1 run\n")
    print("| engine | wall (s) | wall / 1-worker wall | ideal makespan (s) | wall / ideal | "
          "verdicts |")
    print("|---|---|---|---|---|---|")
    for (label, res, ready), n in zip(rows, (1, 2, 4), strict=True):
        ideal = schedule(tasks, n)
        counts: dict[str, int] = {}
        for v in res["verdicts"].values():
            counts[v] = counts.get(v, 0) + 1
        note = f" (cluster ready in {ready:.1f} s, not counted)" if ready is not None else ""
        print(f"| {label}{note} | {res['wall']:.1f} | {res['wall'] / base['wall']:.2f} | "
              f"{ideal:.1f} | {res['wall'] / ideal:.2f} | {counts} |")
    print("\nIdeal wall time of this selection on N single-threaded machines (longest task "
          f"{max(tasks):.1f} s):\n")
    print("| N | ideal makespan (s) | speed-up |\n|---|---|---|")
    for n in args.estimate:
        w = schedule(tasks, n)
        print(f"| {n} | {w:.1f} | {total / w:.2f} |")
    differ = [c for c in base["verdicts"]
              if any(r[1]["verdicts"].get(c) != base["verdicts"][c] for r in rows[1:])]
    print(f"\nverdicts differing between engines: {differ or 'none'}")


if __name__ == "__main__":
    main()
