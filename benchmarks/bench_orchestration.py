"""Whole-command timings of the orchestration: one pass, reuse, the Dask engine, fast paths.

Every figure is a ratio against a baseline measured in the same run, interleaved (baseline,
candidate, baseline, candidate, ...), so machine load moves both alike. The baseline is a
checkout of the code before the run store and the Dask engine (``--before DIR``, e.g. a
``git worktree`` of commit 58d68fa), run with ``PYTHONPATH=DIR`` from the same environment.

Run ``python benchmarks/bench_orchestration.py --before /tmp/sgverify-before`` (about ten
minutes on the 2-core machine; through the shared lock). It prints a markdown table; the
numbers in benchmarks/orchestration.md come from it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["main", "timed"]


def timed(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
          ok: tuple[int, ...] = (0, 1)) -> float:
    """Wall seconds of one command (which must exit with a code in ``ok``: 1, a claim
    without its expected verdict, is a finding, not a failure of the timing)."""
    start = time.perf_counter()
    proc = subprocess.run(argv, env={**os.environ, **(env or {})}, cwd=cwd,
                          capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - start
    if proc.returncode not in ok:
        raise RuntimeError(f"{argv} exited {proc.returncode}: {proc.stderr[-1500:]}")
    return seconds


PYTHON = sys.executable


def _sg(*args: str) -> list[str]:
    return [PYTHON, "-m", "sgverify", *args]


def _cluster_start(repeats: int) -> tuple[float, float]:
    """Seconds to start a 2-worker local cluster and run a trivial task, and to close it."""
    code = (
        "import time\n"
        "if __name__ == '__main__':\n"
        "    t0 = time.perf_counter()\n"
        "    from sgverify._engine import DaskEngine\n"
        "    e = DaskEngine.local(2)\n"
        "    assert e.client.submit(sum, [1, 2]).result() == 3\n"
        "    t1 = time.perf_counter()\n"
        "    e.close()\n"
        "    print(t1 - t0, time.perf_counter() - t1)\n")
    with tempfile.TemporaryDirectory() as d:
        script = Path(d) / "start.py"
        script.write_text(code)
        runs = [subprocess.run([PYTHON, str(script)], capture_output=True, text=True,
                               timeout=300, check=True).stdout.split() for _ in range(repeats)]
    return (statistics.median(float(r[0]) for r in runs),
            statistics.median(float(r[1]) for r in runs))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, required=True, help="checkout of the old code")
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter with sgverify's dependencies (default: this one)")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--what", default="list,check,readme,report,cluster",
                    help="comma-separated measurements (to split long runs)")
    args = ap.parse_args()
    what = set(args.what.split(","))
    global PYTHON
    PYTHON = args.python
    before = {"PYTHONPATH": str(args.before.resolve())}
    work = Path(tempfile.mkdtemp(prefix="sgverify-bench-"))
    rows: list[tuple[str, str, str, str]] = []

    def pair(name: str, old: list[str], new: list[str], *, new_env=None, old_ok=(0, 1),
             new_ok=(0, 1), setup=None) -> None:
        olds, news = [], []
        for _ in range(args.repeats):
            if setup:
                setup()
            olds.append(timed(old, env=before, cwd=work, ok=old_ok))
            if setup:
                setup()
            news.append(timed(new, env=new_env, cwd=work, ok=new_ok))
        o, n = statistics.median(olds), statistics.median(news)
        rows.append((name, f"{o:.1f}", f"{n:.1f}", f"{o / n:.2f}"))
        print(rows[-1], flush=True)

    def fresh() -> None:
        shutil.rmtree(work / "reports", ignore_errors=True)

    # the fast path: a mistyped id
    if "list" in what:
            pair("`sgverify list no-such-id` (usage error)", _sg("list", "no-such-id"),
             _sg("list", "no-such-id"), old_ok=(2,), new_ok=(2,))
    # verify every claim (dev): the old process pool vs Dask's local cluster
    if "check" in what:
        pair("`sgverify check` (37 claims, dev, 2 workers)", _sg("check"), _sg("check"),
             setup=fresh)
    # README command 1: the old two passes vs one pass
    if "readme" in what:
        pair("README command 1: old `check && report`, new `check --report reports`",
             ["sh", "-c", f"{PYTHON} -m sgverify check; {PYTHON} -m sgverify report"],
             _sg("check", "--report", "reports"), setup=fresh)
    # the report after a check: old recomputes every claim, new renders the run
    if "report" in what:
        fresh()
        timed(_sg("check", "--report", "reports"), cwd=work)
        pair("`sgverify report` after a check (new: renders the kept run)", _sg("report"),
             _sg("report"))
        fresh()
        timed(_sg("check"), cwd=work)
        after = timed(_sg("report"), cwd=work)
        rows.append(("new `sgverify report` after a plain `sgverify check` (figures only)", "",
                     f"{after:.1f}", ""))
    if "cluster" in what:
        start, close = _cluster_start(args.repeats)
        rows.append(("local Dask cluster (2 workers): start + first task / close", "",
                     f"{start:.2f} / {close:.2f}", ""))
    print("\n| measurement | before (s) | after (s) | before / after |")
    print("|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
