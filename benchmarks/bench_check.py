"""The whole suite: ``sgverify check`` (dev) wall and CPU time against a baseline checkout.

Issue 14's budget is ``sgverify check`` (dev) <= 20 s wall on the 2-core machine. This runs the
command for the current checkout and for a baseline (``--before DIR``, a ``git worktree`` of
an older commit, run with ``PYTHONPATH=DIR`` from the same environment), interleaved round by
round (baseline, candidate, baseline, ...), so machine load moves both alike, and prints:

* wall seconds of the whole command (medians), and the CPU seconds of the command with its
  worker processes (the machine's busy CPU time during the run, from ``/proc/stat``: run
  it on an otherwise idle machine);
* for the candidate, one run of the same tasks on a 2-worker local cluster with each task's
  start and end (from the worker) and the seconds each worker was busy: the timeline says
  whether the wall time is work (both workers busy) or waiting;
* the in-process task seconds by kind (trainings, catalogue, other claims) of one
  ``--jobs 1`` run: where the CPU goes.

Run ``python benchmarks/bench_check.py --before /tmp/sgverify-before --rounds 3`` through the
shared lock (about 5 minutes). The numbers in benchmarks/suite.md come from it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["main", "run_check", "timeline"]

PYTHON = sys.executable


def run_check(args: list[str], *, before: Path | None = None) -> tuple[float, float]:
    """``(wall, cpu)`` seconds of ``sgverify check ARGS`` in a fresh process (and its workers)."""
    env = dict(os.environ)
    if before is not None:
        env["PYTHONPATH"] = str(before)
    with tempfile.TemporaryDirectory() as runs:
        cpu0 = _machine_cpu()
        start = time.perf_counter()
        # from an empty folder: ``python -m`` puts the working directory first on the path,
        # so from a checkout the baseline ran the checkout's code (and before ed5437a, so did
        # every local worker, whatever the path)
        proc = subprocess.run([PYTHON, "-m", "sgverify", "check", *args, "--runs", runs],
                              env=env, capture_output=True, text=True, timeout=1800,
                              cwd=runs)
        wall = time.perf_counter() - start
        cpu = _machine_cpu() - cpu0
    if proc.returncode != 0:
        raise RuntimeError(f"sgverify check {args} exited {proc.returncode}: "
                           f"{proc.stderr[-1500:]}")
    return wall, cpu


def _machine_cpu() -> float:
    """CPU seconds the whole machine has spent busy (``/proc/stat``).

    The command's own ``getrusage(RUSAGE_CHILDREN)`` misses its workers: they are killed at
    the end of the run and reaped by their parent (the fork server, or nobody), not waited
    for by the command. On an otherwise idle machine the machine's busy time is the run's.
    """
    import psutil

    t = psutil.cpu_times()
    return float(t.user + t.nice + t.system + getattr(t, "irq", 0.0)
                 + getattr(t, "softirq", 0.0))


_TIMELINE = r"""
import json, sys, time
if __name__ == "__main__":
    from sgverify import session
    from sgverify._engine import DaskEngine
    t0 = time.time()
    tasks = session.tasks(session.plan([], "dev"))
    t1 = time.time()
    eng = DaskEngine.local(2)
    t2 = time.time()
    recs = {}
    eng.run(tasks, {}, lambda t: None,
            lambda t, rec, n: recs.__setitem__(t.key, [time.time() - t0,
                                                       rec.get("seconds", 0.0),
                                                       rec.get("worker")]))
    t3 = time.time()
    eng.close(fast=True)
    json.dump({"plan": t1 - t0, "cluster": t2 - t1, "run": t3 - t2,
               "close": time.time() - t3, "tasks": recs}, sys.stdout)
"""


def timeline() -> dict:
    """One dev run of every task on a 2-worker local cluster, with each task's end time."""
    with tempfile.TemporaryDirectory() as d:
        script = Path(d) / "timeline.py"
        script.write_text(_TIMELINE)
        out = subprocess.run([PYTHON, str(script)], capture_output=True, text=True,
                             timeout=1800, check=True, cwd=d)
    return json.loads(out.stdout)


def _in_process() -> dict[str, float]:
    """In-process task seconds of one dev run, by kind."""
    with tempfile.TemporaryDirectory() as runs:
        subprocess.run([PYTHON, "-m", "sgverify", "check", "--jobs", "1", "--runs", runs],
                       capture_output=True, text=True, timeout=1800, check=True, cwd=runs)
        (manifest,) = Path(runs).glob("*/manifest.json")
        tasks = json.loads(manifest.read_text())["tasks"]
    kinds: dict[str, float] = {}
    for key, info in tasks.items():
        kind = ("trainings" if key.startswith("train/") else
                "catalogue" if key.startswith("catalogue") or key == "claim/audit.catalogue"
                else "other claims")
        kinds[kind] = kinds.get(kind, 0.0) + float(info.get("seconds", 0.0))
    kinds["total"] = sum(kinds.values())
    return kinds


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, help="a checkout of the baseline code")
    ap.add_argument("--rounds", type=int, default=3)
    ns = ap.parse_args(argv)
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    sides = [("candidate", None)] + ([("baseline", ns.before)] if ns.before else [])
    got: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in sides}
    for _ in range(ns.rounds):
        for name, where in reversed(sides):  # baseline first in each round
            got[name].append(run_check([], before=where))
    print("\n| code | wall [s] (median) | walls | CPU [s] (median, with workers) |")
    print("|---|---|---|---|")
    for name, rows in got.items():
        walls, cpus = [w for w, _ in rows], [c for _, c in rows]
        print(f"| {name} | {statistics.median(walls):.1f} | "
              f"{', '.join(f'{w:.1f}' for w in walls)} | {statistics.median(cpus):.1f} |")
    if ns.before:
        ratio = statistics.median(w for w, _ in got["baseline"]) / statistics.median(
            w for w, _ in got["candidate"])
        print(f"\nbaseline / candidate wall: {ratio:.2f}x")
    tl = timeline()
    busy: dict[str, float] = {}
    for _, secs, worker in tl["tasks"].values():
        busy[worker] = busy.get(worker, 0.0) + secs
    print(f"\ntimeline (2 local workers): plan {tl['plan']:.2f} s, cluster start "
          f"{tl['cluster']:.2f} s, tasks {tl['run']:.2f} s, close {tl['close']:.2f} s; busy "
          + ", ".join(f"{b:.1f} s" for b in busy.values()))
    slow = sorted(tl["tasks"].items(), key=lambda kv: -kv[1][1])[:8]
    print("longest tasks on the workers: " + ", ".join(f"{k} {v[1]:.1f} s" for k, v in slow))
    kinds = _in_process()
    print("\nin-process task seconds (--jobs 1): "
          + ", ".join(f"{k} {v:.1f}" for k, v in kinds.items()))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
