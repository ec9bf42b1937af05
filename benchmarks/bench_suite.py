"""Per-task CPU seconds of `sgverify check` (dev) in one process, against a baseline checkout.

Each round runs the plan's tasks (training runs, then claims, as ``sgverify check --jobs 1``
runs them, first-use costs included) in a fresh interpreter, once per checkout: this one and
the ``--baseline`` checkout (e.g. a ``git worktree`` of the commit before a change), in
alternating order round by round, so that both see the same machine load. Prints the median
CPU seconds per task (``time.process_time``: the machine is shared, and CPU time is what two
workers divide), the ratio, and the sums. With ``--numba 0`` the tasks take the NumPy path
(``SGVERIFY_NUMBA=0``). OpenBLAS runs one thread, as in a training task.

Run:  git worktree add /tmp/base <commit>
      python benchmarks/bench_suite.py --baseline /tmp/base --rounds 3 'escape.*' 'lif.*'
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

__all__ = ["main", "run_tasks"]

_DEFAULT = ["escape.*", "single-neuron.*", "multilayer.*", "toynet.*", "lif.*", "snn.*"]


def run_tasks(patterns: list[str], profile: str = "dev") -> dict[str, float]:
    """Run the plan's tasks in this process, in order; CPU seconds per task key."""
    from sgverify import session

    start = time.process_time()
    plan = session.plan(patterns, profile)
    results: dict[str, object] = {}
    seconds: dict[str, float] = {"(plan)": time.process_time() - start}
    for task in session.tasks(plan):
        t0 = time.process_time()
        results[task.key] = task.func(*task.args, {k: results[k] for k in task.deps})
        seconds[task.key] = time.process_time() - t0
    return seconds


def _child(root: str, patterns: list[str], numba: str) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=root, SGVERIFY_NUMBA=numba, OPENBLAS_NUM_THREADS="1")
    code = ("import json, sys, time; t = time.process_time(); "
            f"sys.path.insert(0, {str(Path(__file__).parent)!r}); "
            "import bench_suite as b; s = b.run_tasks(sys.argv[1:]); "
            "s['(process)'] = time.process_time() - t; print(json.dumps(s))")
    out = subprocess.run([sys.executable, "-c", code, *patterns], env=env, cwd=root,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("patterns", nargs="*", default=_DEFAULT)
    ap.add_argument("--baseline", help="checkout to compare against (its repository root)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--numba", choices=("0", "1"), default="1")
    args = ap.parse_args(argv)
    here = str(Path(__file__).resolve().parent.parent)
    roots = {"now": here} | ({"baseline": args.baseline} if args.baseline else {})
    runs: dict[str, list[dict[str, float]]] = {k: [] for k in roots}
    for r in range(args.rounds):
        order = list(roots) if r % 2 == 0 else list(roots)[::-1]
        for name in order:
            runs[name].append(_child(roots[name], args.patterns, args.numba))
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print(f"{args.rounds} rounds, numba={args.numba}, load average {' '.join(load)}")
    keys = list(runs["now"][0])
    med = {n: {k: statistics.median(d.get(k, 0.0) for d in runs[n]) for k in keys}
           for n in roots}
    head = "| task | " + " | ".join(roots) + (" | ratio |" if "baseline" in roots else " |")
    print(head)
    print("|---" * (head.count("|") - 1) + "|")
    for k in keys:
        row = f"| {k} | " + " | ".join(f"{med[n][k]:.2f}" for n in roots)
        if "baseline" in roots:
            row += f" | {med['now'][k] / max(med['baseline'][k], 1e-9):.2f}"
        print(row + " |")
    for label, sel in (("training", lambda k: k.startswith("train/")),
                       ("claims", lambda k: k.startswith("claim/")),
                       ("all tasks", lambda k: not k.startswith("("))):
        tot = {n: sum(v for k, v in med[n].items() if sel(k)) for n in roots}
        print(f"| **{label}** | " + " | ".join(f"{tot[n]:.2f}" for n in roots)
              + (f" | {tot['now'] / tot['baseline']:.2f} |" if "baseline" in roots else " |"))


if __name__ == "__main__":
    main()
