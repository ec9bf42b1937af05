"""A simple probe of this machine's limits, measured in the same run as a benchmark.

``bandwidth`` streams a 256 MB float64 array (read + write, ``np.copyto``), ``flops`` times a
single-threaded 1024^3 float64 matrix product, ``exp_rate`` NumPy's (SIMD) exponential on an
L2-resident array, and ``pass_rate`` one element-wise pass (``a *= b``) on an L2-resident
array: together they tell whether a kernel is bound by memory, arithmetic or call overhead.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["probe"]


def _best(fn, repeats: int = 5) -> float:
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def probe() -> dict[str, float]:
    """``{"bandwidth_gbs", "gflops", "exp_ns", "pass_ns"}``: best of 5 each."""
    n = 1 << 25                                   # 32 Mi doubles = 256 MB
    src, dst = np.ones(n), np.empty(n)
    t_copy = _best(lambda: np.copyto(dst, src))
    a, b = np.random.default_rng(0).random((1024, 1024)), np.ones((1024, 1024))
    from sgverify.snn._blas import blas_threads

    with blas_threads(1):
        t_mm = _best(lambda: a @ b)
    x, y = np.linspace(-5.0, 5.0, 8192), np.empty(8192)
    t_exp = _best(lambda: [np.exp(x, out=y) for _ in range(100)]) / 100
    t_pass = _best(lambda: [np.multiply(x, 1.0000001, out=y) for _ in range(100)]) / 100
    return {"bandwidth_gbs": 2 * 8 * n / t_copy / 1e9, "gflops": 2 * 1024**3 / t_mm / 1e9,
            "exp_ns": t_exp / x.size * 1e9, "pass_ns": t_pass / x.size * 1e9}


if __name__ == "__main__":
    print(probe())
