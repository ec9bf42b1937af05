"""Time Fig. 5's convergence table: both direction sets, beta_SG in {1, 5, 20}, on one core.

Run:  python benchmarks/bench_fig5.py   (prints a Markdown table; numbers go to toynet.md)

The table evaluates the SG field once at the largest step count and reuses every divisor's
samples (sgverify.paths.convergence_table), so its cost is that of one loop at N_max per case.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core, as the issue asks

import time  # noqa: E402

import numpy as np  # noqa: E402

from sgverify import paths, toynet  # noqa: E402

__all__ = ["main"]


def _steps(top: int) -> list[int]:
    return [n for n in (int(m * 10**k) for k in range(1, 7) for m in (1, 2, 5)) if n <= top]


def _table(top: int) -> tuple[float, list[tuple[str, float, float, float]]]:
    p = toynet.FIG5
    rows = []
    start = time.perf_counter()
    for name, (d1, d2) in toynet.DIRECTIONS.items():
        circle = paths.Circle(np.zeros(5), d1, d2, p["radius"])
        for bs in p["beta_sg"]:
            tab = paths.convergence_table(
                lambda th, bs=bs: toynet.sg_field(th, p["x"], p["beta"], bs), circle, _steps(top))
            rows.append((name, bs, tab[-1].value, tab[-1].error_estimate))
    return time.perf_counter() - start, rows


def main(repeats: int = 5) -> None:
    """Print best-of-``repeats`` timings for N_max = 1e5 and 1e6 and the values reached."""
    print(f"| N_max | best of {repeats} [s] | median [s] |")
    print("|---|---|---|")
    results = {}
    for top in (100_000, 1_000_000):
        times = []
        for _ in range(repeats):
            t, rows = _table(top)
            times.append(t)
        results[top] = rows
        print(f"| {top:.0e} | {min(times):.3f} | {float(np.median(times)):.3f} |")
    print()
    print("| directions | beta_SG | I(1e5) | |I_N - I_N/2| at 1e5 | I(1e6) "
          "| |I_N - I_N/2| at 1e6 |")
    print("|---|---|---|---|---|---|")
    for r5, r6 in zip(results[100_000], results[1_000_000], strict=True):
        print(f"| {r5[0]} | {r5[1]:g} | {r5[2]:.10f} | {r5[3]:.1e} | {r6[2]:.10f} | {r6[3]:.1e} |")


if __name__ == "__main__":
    main()
