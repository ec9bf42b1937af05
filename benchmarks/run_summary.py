"""Summarise a kept run: verdicts, wall time, per-task times, and the wall time on N workers.

``python benchmarks/run_summary.py reports/runs/<run-id> [--workers 1 2 4 8 16]`` reads the
run's manifest and task files (nothing is recomputed) and prints a markdown table: the
longest tasks, the total task time, and for each N the wall time a greedy longest-first
schedule of these tasks would take on N single-threaded workers (a lower bound ignoring
start-up and data transfer; dependencies ignored: training runs come first anyway). This is
how the thorough profile's per-task times turn into an estimate for N machines.
"""

from __future__ import annotations

import argparse
import heapq
import json
from pathlib import Path

__all__ = ["main", "schedule"]


def schedule(seconds: list[float], workers: int) -> float:
    """Makespan of longest-processing-time-first on ``workers`` identical workers.

    >>> schedule([4.0, 3.0, 3.0, 2.0], 2)
    6.0
    """
    loads = [0.0] * workers
    for s in sorted(seconds, reverse=True):
        heapq.heapreplace(loads, loads[0] + s)
    return max(loads)


def _span(session: dict) -> float:
    from datetime import datetime

    if not session.get("ended"):
        return 0.0
    return (datetime.fromisoformat(session["ended"])
            - datetime.fromisoformat(session["started"])).total_seconds()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run", type=Path)
    ap.add_argument("--workers", type=int, nargs="*", default=[1, 2, 4, 8, 16])
    ap.add_argument("--top", type=int, default=12)
    ap.add_argument("--claims", action="store_true",
                    help="also a table of every claim: verdict, worst ratio, seconds")
    args = ap.parse_args()
    m = json.loads((args.run / "manifest.json").read_text())
    tasks = m["tasks"]
    secs = {k: float(t.get("seconds") or 0.0) for k, t in tasks.items() if t.get("state")}
    verdicts = {}
    for k in tasks:
        if k.startswith("claim/"):
            f = args.run / tasks[k].get("file", "")
            if f.is_file():
                verdicts[k[6:]] = json.loads(f.read_text())["result"]["status"]
    print(f"run {m['run_id']} ({m['profile']}), status {m['status']}, engine {m['engine']}")
    print(f"sessions: {[(s['started'], s['ended'], s['status']) for s in m['sessions']]}")
    spans = [_span(s) for s in m["sessions"]]
    print(f"wall time: {sum(spans):.0f} s over {len(spans)} session(s) "
          f"({', '.join(f'{x:.0f}' for x in spans)} s)")
    counts: dict[str, int] = {}
    for v in verdicts.values():
        counts[v] = counts.get(v, 0) + 1
    print(f"verdicts: {counts}; not confirmed: "
          f"{[c for c, v in verdicts.items() if v != 'confirmed']}")
    print(f"retried: {m.get('retried')}")
    print("\n| task | seconds |\n|---|---|")
    for k, s in sorted(secs.items(), key=lambda kv: -kv[1])[: args.top]:
        print(f"| `{k}` | {s:.1f} |")
    if args.claims:
        print("\n| claim | verdict | worst ratio | seconds |\n|---|---|---|---|")
        for k, t in tasks.items():
            if k.startswith("claim/") and (args.run / t.get("file", "")).is_file():
                r = json.loads((args.run / t["file"]).read_text())["result"]
                worst = (r.get("evidence") or {}).get("worst") or {}
                ratio = worst.get("ratio", "") if isinstance(worst, dict) else ""
                ratio = f"{ratio:.3g}" if isinstance(ratio, float) else ratio
                print(f"| `{k[6:]}` | {r['status']} | {ratio} | {secs.get(k, 0.0):.1f} |")
    total = sum(secs.values())
    print(f"\ntotal task time {total:.0f} s over {len(secs)} tasks\n")
    print("| workers | estimated wall (s) | speed-up |\n|---|---|---|")
    for n in args.workers:
        w = schedule(list(secs.values()), n)
        print(f"| {n} | {w:.0f} | {total / w:.2f} |")


if __name__ == "__main__":
    main()
