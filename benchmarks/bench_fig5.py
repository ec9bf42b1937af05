"""Fig. 5's loop integrals: sgverify against its pre-issue-14 self and the authors' JAX code.

The work (issue 14): the SG field (forward beta = 1e4, x = 1) on both direction sets x
beta_SG in {1, 5, 20}, 1e5 points each on the circle of radius 1.8, periodic-trapezoid loop
integrals, float64. Timed interleaved, round by round, medians of ``--repeats``:

* ``baseline``: the implementation before issue 14 (``_baseline_toynet.py``, a verbatim copy);
* ``generic``: ``paths.loop_integral(lambda th: toynet.sg_field(th, ...), circle)``;
* ``fused``: ``paths.loop_integral(toynet.SGField(...), circle)`` (no ``(N, 5)`` arrays);
* ``jax``: ``jit(vmap(...))`` in float64 (``peers/jax_fig5.py``), in the environment named by
  ``SGVERIFY_JAX_PYTHON`` (skipped when unset).

Then a scaling table (1e4-1e7 points per loop) in ns per point, against the machine probe.

Run:  SGVERIFY_JAX_PYTHON=/path/to/jax-venv/bin/python python benchmarks/bench_fig5.py
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

import _baseline_toynet as baseline  # noqa: E402
from _machine import probe  # noqa: E402
from _peer import Peer, peer_python  # noqa: E402

from sgverify import paths, toynet  # noqa: E402

__all__ = ["main"]

P = toynet.FIG5
CASES = [(name, d1, d2, bs) for name, (d1, d2) in toynet.DIRECTIONS.items()
         for bs in P["beta_sg"]]


def _circle(d1: np.ndarray, d2: np.ndarray) -> paths.Circle:
    return paths.Circle(np.zeros(5), d1, d2, P["radius"])


def run_baseline(steps: int) -> list[float]:
    return [baseline.loop_integral(np.zeros(5), d1, d2, P["radius"], P["x"], P["beta"], bs,
                                   steps) for _, d1, d2, bs in CASES]


def run_generic(steps: int) -> list[float]:
    paths._trig_cached.cache_clear()  # each run of the work pays for its trig table once
    return [paths.loop_integral(lambda th, bs=bs: toynet.sg_field(th, P["x"], P["beta"], bs),
                                _circle(d1, d2), steps).value for _, d1, d2, bs in CASES]


def run_fused(steps: int) -> list[float]:
    paths._trig_cached.cache_clear()
    return [paths.loop_integral(toynet.SGField(P["x"], P["beta"], bs), _circle(d1, d2),
                                steps).value for _, d1, d2, bs in CASES]


def _timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def compare(steps: int, repeats: int) -> None:
    jax_python = peer_python("jax")
    spec = {"steps": steps, "radius": P["radius"], "x": P["x"], "beta": P["beta"],
            "beta_sg": list(P["beta_sg"]),
            "directions": [[d1.tolist(), d2.tolist()] for d1, d2 in toynet.DIRECTIONS.values()]}
    peer = Peer(jax_python, Path(__file__).parent / "peers" / "jax_fig5.py", spec) \
        if jax_python else None
    impls = {"baseline": run_baseline, "generic": run_generic, "fused": run_fused}
    times: dict[str, list[float]] = {k: [] for k in (*impls, *(("jax",) if peer else ()))}
    values: dict[str, list[float]] = {}
    for _ in range(repeats):
        for name, fn in impls.items():
            t, values[name] = _timed(fn, steps)
            times[name].append(t)
        if peer:
            rep = peer.run()
            times["jax"].append(rep["seconds"])
            values["jax"] = rep["values"]
    if peer:
        peer.close()
    med = {k: float(np.median(v)) for k, v in times.items()}
    print(f"## Fig. 5 work: 6 loops x {steps:.0e} points, float64, medians of {repeats} "
          f"interleaved rounds\n")
    print("| implementation | median [s] | min [s] | baseline / this | this / jax |")
    print("|---|---|---|---|---|")
    for k, v in times.items():
        vs_jax = f"{med[k] / med['jax']:.2f}" if "jax" in med else "-"
        print(f"| {k} | {med[k]:.4f} | {min(v):.4f} | {med['baseline'] / med[k]:.1f}x | "
              f"{vs_jax} |")
    if peer:
        print(f"\nJAX {peer.ready['ready']} (CPU, x64), compiled before the timed runs.")
    print("\n| directions | beta_SG | " + " | ".join(values) + " |")
    print("|---|---|" + "---|" * len(values))
    for i, (name, _, _, bs) in enumerate(CASES):
        print(f"| {name} | {bs:g} | " + " | ".join(f"{values[k][i]:.10f}" for k in values)
              + " |")
    same = all(f"{values[k][i]:.10f}" == f"{values['baseline'][i]:.10f}"
               for k in values for i in range(len(CASES)))
    print(f"\nall implementations agree to the 10 printed digits: {same}")


def scaling(tops: list[int]) -> None:
    m = probe()
    print(f"\n## Scaling with the points per loop (machine: {m['bandwidth_gbs']:.1f} GB/s "
          f"stream, {m['gflops']:.1f} GFLOP/s one-thread matmul, np.exp {m['exp_ns']:.2f} "
          f"ns, one element-wise pass {m['pass_ns']:.2f} ns per element)\n")
    print("| points per loop | baseline [s] | fused [s] | baseline ns/point | fused ns/point "
          "| speed-up |")
    print("|---|---|---|---|---|---|")
    for n in tops:
        tb = min(_timed(run_baseline, n)[0] for _ in range(3)) if n <= 1_000_000 else np.nan
        tf = min(_timed(run_fused, n)[0] for _ in range(3))
        pts = 6 * n
        print(f"| {n:.0e} | {tb:.4f} | {tf:.4f} | {tb / pts * 1e9:.0f} | {tf / pts * 1e9:.0f} "
              f"| {tb / tf:.1f}x |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--no-scaling", action="store_true")
    args = ap.parse_args()
    compare(100_000, args.repeats)
    if not args.no_scaling:
        scaling([10_000, 100_000, 1_000_000, 10_000_000])


if __name__ == "__main__":
    main()
