"""The dev check as README command 1 installs it: two commits, each ``pip install .``-ed into
its own new venv, ``sgverify check`` run alternately, round by round.

This machine's speed drifts by ~25 % within an hour, so single timings say little; the two
codes alternate in every round and the paired differences (and their ratio) are the result.
``bench_check.py`` compares source trees in one environment; this compares installs, with
compiled bytecode and the dependencies each commit's ``pyproject.toml`` asks for, as a user
gets them. The numbers in benchmarks/suite.md's last section come from this procedure.

Run ``python benchmarks/bench_installed.py --base 7b20ff2 --rounds 5`` from a clone on an
otherwise idle machine (about 20 s per command, plus two installs of ~1 min each).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["install", "main", "wall"]


def install(repo: Path, ref: str, where: Path) -> Path:
    """A new venv under ``where`` with commit ``ref`` of ``repo`` installed; its bin dir."""
    src = where / "src"
    subprocess.run(["git", "-C", str(repo), "worktree", "add", "-q", "--detach", str(src), ref],
                   check=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(where / "venv")], check=True)
        bin_dir = where / "venv" / "bin"
        subprocess.run([str(bin_dir / "pip"), "install", "-q", str(src)], check=True)
    finally:
        subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(src)],
                       check=False)
    return bin_dir


def wall(bin_dir: Path, runs: Path) -> float:
    """Wall seconds of one ``sgverify check`` (dev, default workers) into a new run store."""
    runs.mkdir(parents=True)
    start = time.perf_counter()
    # from the run's own folder: before ed5437a, local workers imported the sgverify of the
    # working directory (a checkout here), whatever the venv held
    proc = subprocess.run([str(bin_dir / "sgverify"), "check", "--runs", str(runs)],
                          capture_output=True, text=True, cwd=runs)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"sgverify check failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="the baseline commit")
    ap.add_argument("--candidate", default="HEAD", help="the commit measured (default HEAD)")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv)
    repo = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="sgverify-bench-") as tmp:
        t = Path(tmp)
        bins = {name: install(repo, ref, t / name)
                for name, ref in (("base", args.base), ("candidate", args.candidate))}
        for b in bins.values():  # the first run compiles Numba's kernels into the venv
            wall(b, t / f"warm-{b.parent.parent.name}")
        walls: dict[str, list[float]] = {"base": [], "candidate": []}
        for r in range(args.rounds):
            for name, b in bins.items():
                walls[name].append(wall(b, t / f"runs-{name}-{r}"))
            print(f"round {r + 1}: base {walls['base'][-1]:.2f} s, "
                  f"candidate {walls['candidate'][-1]:.2f} s", flush=True)
    diffs = [c - b for b, c in zip(walls["base"], walls["candidate"], strict=True)]
    ratios = [c / b for b, c in zip(walls["base"], walls["candidate"], strict=True)]
    print("\n| code | walls [s] | median |\n|---|---|---|")
    for name, ref in (("base", args.base), ("candidate", args.candidate)):
        w = walls[name]
        print(f"| `{ref}` | {', '.join(f'{x:.2f}' for x in w)} | {statistics.median(w):.2f} |")
    print(f"\npaired differences {', '.join(f'{d:+.2f}' for d in diffs)} s; "
          f"median {statistics.median(diffs):+.2f} s, median ratio {statistics.median(ratios):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
