"""Speed of sgverify.network on one core (issue 3 targets).

* exact gradient of E[y] by enumeration of a 1-20-1 net (2^20 hidden patterns): target well
  under a second;
* stochastic forward + SG backward of a 10-10-1 net: target >= 1e6 samples/s.

Run ``python benchmarks/bench_network.py``; it pins BLAS/OpenMP to one thread and prints a
Markdown table (best of several repeats, because the machine is shared).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import itertools  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from sgverify import escape, network, stochad  # noqa: E402

__all__ = ["main"]


def best(fn, repeats: int = 5) -> float:
    """Smallest wall time of ``repeats`` calls (the least disturbed by other processes)."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def random_net(rng: np.random.Generator, sizes: tuple[int, ...]) -> network.MLP:
    f = escape.Sigmoid(5.0)
    ws = [rng.normal(0, 1 / np.sqrt(a), (b, a)) for a, b in itertools.pairwise(sizes)]
    return network.MLP(ws, [rng.normal(0, 0.5, b) for b in sizes[1:]], [f] * (len(sizes) - 1))


def main() -> None:
    rng = np.random.default_rng(0)
    rows = []
    net = random_net(rng, (1, 20, 1))
    t = best(lambda: network.expected_output_gradient(net, 1.0))
    rows.append(("exact dE[y]/dtheta, 1-20-1 (2^20 patterns, Kronecker path)", f"{t:.3f} s"))
    t = best(lambda: network.enumerate_patterns(net, np.array([1.0]), grad=True), repeats=2)
    rows.append(("same, generic chunked enumeration", f"{t:.3f} s"))
    deep = random_net(rng, (4, 6, 6, 1))
    t = best(lambda: network.expected_output_gradient(deep, np.ones(4)))
    rows.append(("exact dE[y]/dtheta, 4-6-6-1 (2^12 joint patterns)", f"{t * 1e3:.1f} ms"))
    t = best(lambda: network.expected_surrogate_gradient(deep, np.ones(4)))
    rows.append(("exact E[SG], 4-6-6-1", f"{t * 1e3:.1f} ms"))

    net = random_net(rng, (10, 10, 1))
    x = rng.normal(size=10)
    for n in (1 << 14, 1 << 17, 1 << 20):
        t = best(lambda n=n: network.surrogate_gradient(net, x, rng, n))
        rows.append((f"forward + SG backward 10-10-1, per-sample grads, {n} samples",
                     f"{n / t / 1e6:.2f} M samples/s"))
        t = best(lambda n=n: network.surrogate_gradient(net, x, rng, n, mean=True))
        rows.append((f"forward + SG backward 10-10-1, mean only, {n} samples",
                     f"{n / t / 1e6:.2f} M samples/s"))
    n = 1 << 16
    t = best(lambda: stochad.triple_gradient_estimate(net, x, rng, n), repeats=3)
    rows.append((f"propagated triples 10-10-1, {n} samples", f"{n / t / 1e6:.3f} M samples/s"))

    print("| measurement | result |\n|---|---|")
    for name, val in rows:
        print(f"| {name} | {val} |")


def scaling(hidden: range = range(2, 23, 2)) -> None:
    """Exact enumeration of a 1-H-1 net, H = 2..22: time per hidden pattern, against the
    machine probe (stream bandwidth, one-thread matmul rate)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from _machine import probe

    m = probe()
    print(f"\n## Exact enumeration scaling, 1-H-1 net (machine: {m['bandwidth_gbs']:.1f} GB/s "
          f"stream, {m['gflops']:.1f} GFLOP/s one-thread matmul, one pass "
          f"{m['pass_ns']:.2f} ns/element in cache)\n")
    print("| H | patterns 2^H | Kronecker path [s] | ns / pattern | generic path [s] | "
          "ns / pattern | generic GB/s (lower bound) |")
    print("|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(1)
    for h in hidden:
        net = random_net(rng, (1, h, 1))
        n = 1 << h
        reps = 3 if h <= 18 else 1
        tk = best(lambda net=net: network.expected_output_gradient(net, 1.0), repeats=reps)
        tg = (best(lambda net=net: network._enumerate(net, np.array([1.0]), grad=True),
                   repeats=reps) if h <= 20 else float("nan"))
        # the generic path forms (chunk, H) pattern, probability and gradient arrays: >= ~4
        # float64 arrays of n x H elements pass through memory
        gbs = 4 * 8 * n * h / tg / 1e9
        print(f"| {h} | {n} | {tk:.4f} | {tk / n * 1e9:.1f} | {tg:.4f} | "
              f"{tg / n * 1e9:.1f} | {gbs:.1f} |")


if __name__ == "__main__":
    main()
    scaling()
