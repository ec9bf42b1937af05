"""Training throughput of the vectorised SNN against the naive per-neuron/per-step reference.

Throughput = time steps x neurons (hidden + output) x samples (batch x trials) per second for
one training update (forward + loss + backward). Run ``python benchmarks/bench_snn.py``; it
prints a markdown table (the numbers in benchmarks/snn.md come from it). Set
``OPENBLAS_NUM_THREADS=1`` on a shared machine: multi-threaded BLAS only adds contention.
"""

from __future__ import annotations

import time

import numpy as np

from sgverify.snn import losses, reference
from sgverify.snn.network import SNN

__all__ = ["bench_naive", "bench_vectorised", "main"]


def _setup(T: int, n_in: int, n_h: int, n_out: int, batch: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    net = SNN.create(n_in, n_h, n_out, rng, dt=1e-3, tau_mem=10e-3, tau_syn=5e-3,
                     beta_hidden=10.0, beta_out=10.0, input_rate=50.0, hidden_rate=50.0)
    net.detach_reset = True
    x = (rng.random((T, batch, n_in)) < 0.05).astype(float)
    tgt = (rng.random((T, n_out)) < 0.02).astype(float)
    return net, x, tgt, rng


def bench_vectorised(T: int, n_in: int, n_h: int, n_out: int, batch: int, trials: int,
                     repeats: int = 5) -> dict[str, float]:
    """Best-of-``repeats`` seconds per update and the throughput."""
    net, x, tgt, rng = _setup(T, n_in, n_h, n_out, batch)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fw = net.forward(x, rng, trials=trials)
        _, g = losses.van_rossum_loss(fw.output.S, tgt)
        net.backward(fw, grad_s_out=g)
        best = min(best, time.perf_counter() - start)
    work = T * (n_h + n_out) * batch * trials
    return {"seconds": best, "throughput": work / best}


def bench_naive(T: int, n_in: int, n_h: int, n_out: int, batch: int) -> dict[str, float]:
    """One update of the naive reference (one trial per sample)."""
    net, x, tgt, rng = _setup(T, n_in, n_h, n_out, batch)
    uh = rng.random((T, batch, n_h))
    uo = rng.random((T, batch, n_out))

    def loss_grad(b: int, out: dict) -> tuple:
        _, g = losses.van_rossum_loss(out["S"][:, None], tgt)
        return g[:, 0], None

    start = time.perf_counter()
    reference.network_forward_backward(net.params, x, net.hidden, net.output, net.escape_hidden,
                                       net.escape_out, "stochastic", uh, uo, loss_grad,
                                       detach_reset=True)
    sec = time.perf_counter() - start
    return {"seconds": sec, "throughput": T * (n_h + n_out) * batch / sec}


def main() -> None:
    rows = []
    small = (100, 20, 16, 4, 4)
    naive = bench_naive(*small)
    vec = bench_vectorised(*small, trials=1)
    rows.append(("naive reference", small, 1, naive))
    rows.append(("vectorised", small, 1, vec))
    for T, n_in, n_h, n_out, batch, trials in (
        (50, 20, 48, 5, 40, 1),        # the dev randman update size
        (189, 50, 50, 50, 1, 10),      # the dev spike-train matching update
        (100, 20, 128, 15, 100, 1),    # the thorough randman update
        (189, 200, 200, 200, 1, 10),   # the paper's spike-train matching update
        (100, 100, 256, 10, 256, 1),   # a large batch
    ):
        rows.append(("vectorised", (T, n_in, n_h, n_out, batch), trials,
                     bench_vectorised(T, n_in, n_h, n_out, batch, trials)))
    print("| implementation | T, n_in, n_hidden, n_out, batch | trials | s / update | "
          "steps x neurons x samples / s |")
    print("|---|---|---|---|---|")
    for name, size, trials, r in rows:
        print(f"| {name} | {', '.join(map(str, size))} | {trials} | {r['seconds']:.4f} | "
              f"{r['throughput']:.3g} |")
    print(f"\nspeed-up on the small case: {vec['throughput'] / naive['throughput']:.0f}x")


if __name__ == "__main__":
    main()
