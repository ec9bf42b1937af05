"""One SNN training update (forward + loss + BPTT + Adam) against snnTorch, and its scaling.

The two sizes of issue 14, timed interleaved round by round (medians of ``--repeats``):

* paper spike-train matching: T = 189, 200-200-200, 10 trials, van Rossum loss;
* thorough randman: T = 100, 20-128-15 (leaky readout), batch 100, max-over-time
  cross-entropy;

each in sgverify's stochastic mode and in its deterministic mode (snnTorch's model).

sgverify runs stochastic sigmoid escape noise (beta 10, output beta 100 for matching), float64,
detached reset, one BLAS thread, with its Numba kernels (``fast``) and without
(``SGVERIFY_NUMBA=0`` semantics, ``numpy``). The peer is snnTorch ``Synaptic`` + autograd,
float32, one thread (``peers/snntorch_update.py``), in the environment named by
``SGVERIFY_SNNTORCH_PYTHON`` (skipped when unset). Then scaling tables in T, hidden width and
batch (ns per neuron-step), against the machine probe.

Run:  SGVERIFY_SNNTORCH_PYTHON=/path/to/torch-venv/bin/python python benchmarks/bench_snn.py
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))

from _machine import probe  # noqa: E402
from _peer import Peer, peer_python  # noqa: E402

from sgverify import _jit  # noqa: E402
from sgverify.snn import losses, train  # noqa: E402
from sgverify.snn._alloc import reuse_freed_memory  # noqa: E402
from sgverify.snn._blas import blas_threads  # noqa: E402
from sgverify.snn.network import SNN  # noqa: E402

__all__ = ["main"]

SIZES = {
    "matching": {"task": "matching", "T": 189, "n_in": 200, "n_h": 200, "n_out": 200,
                 "batch": 10, "dt": 1e-3, "tau_mem": 10e-3, "tau_syn": 5e-3, "input_p": 0.05},
    "randman": {"task": "randman", "T": 100, "n_in": 20, "n_h": 128, "n_out": 15,
                "batch": 100, "dt": 1e-3, "tau_mem": 20e-3, "tau_syn": 10e-3, "input_p": 0.05},
}
# sgverify's deterministic mode is snnTorch's model (Heaviside spikes, sigmoid SG): the
# like-for-like row; the stochastic rows above also draw and transform a uniform per
# neuron and step
SIZES["randman, deterministic"] = {**SIZES["randman"], "mode": "deterministic"}
SIZES["matching, deterministic"] = {**SIZES["matching"], "mode": "deterministic"}


@contextmanager
def numba_switch(on: bool):
    old = os.environ.get("SGVERIFY_NUMBA")
    os.environ["SGVERIFY_NUMBA"] = "1" if on else "0"
    try:
        yield
    finally:
        if old is None:
            del os.environ["SGVERIFY_NUMBA"]
        else:
            os.environ["SGVERIFY_NUMBA"] = old


class Update:
    """One training update of sgverify at a given size (as in ``train.py``'s loops)."""

    def __init__(self, spec: dict, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        mode = spec.get("mode", "stochastic")
        self.matching = spec["task"] == "matching"
        T, n_in, n_h, n_out, batch = (spec[k] for k in ("T", "n_in", "n_h", "n_out", "batch"))
        self.spec = spec
        self.net = SNN.create(n_in, n_h, n_out, rng, readout=not self.matching, dt=spec["dt"],
                              tau_mem=spec["tau_mem"], tau_syn=spec["tau_syn"],
                              beta_hidden=10.0, beta_out=100.0 if self.matching else 10.0,
                              input_rate=50.0 if self.matching else 10.0,
                              hidden_rate=50.0 if self.matching else 10.0, mode=mode)
        self.net.detach_reset = True
        self.trials = batch if self.matching else 1
        self.x = (rng.random((T, 1 if self.matching else batch, n_in)) < spec["input_p"]
                  ).astype(np.float64)
        self.target = ((rng.random((T, n_out)) < 0.02).astype(np.float64) if self.matching
                       else rng.integers(0, n_out, batch))
        self.opt = train.Adam(self.net.params, 1e-3)
        self.rng = np.random.default_rng(seed + 1)

    def __call__(self) -> float:
        s = self.spec
        fw = self.net.forward(self.x, self.rng, trials=self.trials)
        if self.matching:
            loss, g = losses.van_rossum_loss(fw.output.S, self.target, s["dt"], s["tau_mem"],
                                             s["tau_syn"])
            grads = self.net.backward(fw, grad_s_out=g)
        else:
            loss, g, _ = losses.max_over_time_cross_entropy(fw.output.U, self.target)
            grads = self.net.backward(fw, grad_u_out=g)
        self.opt.step(grads)
        return loss


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(repeats: int, before: Path | None = None) -> None:
    torch_python = peer_python("snntorch")
    reuse_freed_memory()  # as train_randman / train_matching do
    print(f"## One training update, medians of {repeats} interleaved rounds "
          f"(numba: {_jit.enabled()})\n")
    extra = " before [s] | before / fast |" if before else ""
    print("| size | sgverify fast [s] | sgverify numpy [s] | snnTorch [s] | "
          "snnTorch / fast | snnTorch / numpy |" + extra)
    print("|---|---|---|---|---|---|" + ("---|---|" if before else ""))
    for name, spec in SIZES.items():
        peer = Peer(torch_python, Path(__file__).parent / "peers" / "snntorch_update.py",
                    spec) if torch_python else None
        old = Peer(sys.executable, Path(__file__).parent / "peers" / "sgverify_update.py",
                   spec, env={"PYTHONPATH": str(before)}) if before else None
        fast, slow = Update(spec), Update(spec)
        times: dict[str, list[float]] = {"fast": [], "numpy": [], "snntorch": [], "before": []}
        with blas_threads(1):
            fast()
            with numba_switch(False):
                slow()
            for _ in range(repeats):
                times["fast"].append(_timed(fast))
                with numba_switch(False):
                    times["numpy"].append(_timed(slow))
                if peer:
                    times["snntorch"].append(peer.run()["seconds"])
                if old:
                    times["before"].append(old.run()["seconds"])
        if peer:
            version = peer.ready["ready"]
            peer.close()
        if old:
            old.close()
        med = {k: float(np.median(v)) if v else float("nan") for k, v in times.items()}
        print(f"| {name} | {med['fast']:.4f} | {med['numpy']:.4f} | {med['snntorch']:.4f} | "
              f"{med['snntorch'] / med['fast']:.2f}x | {med['snntorch'] / med['numpy']:.2f}x |"
              + (f" {med['before']:.4f} | {med['before'] / med['fast']:.2f}x |" if old else ""))
    if torch_python:
        print(f"\nsnnTorch: {version}, float32, one thread, Synaptic + autograd, Adam.")


def scaling() -> None:
    m = probe()
    print(f"\n## Scaling of one randman-style update (fast path; machine: "
          f"{m['bandwidth_gbs']:.1f} GB/s stream, {m['gflops']:.1f} GFLOP/s one-thread "
          f"matmul)\n")
    print("| T | n_hidden | batch | s / update | ns per neuron-step | GB/s (lower bound) | "
          "GFLOP/s (matmuls) |")
    print("|---|---|---|---|---|---|---|")
    base = dict(SIZES["randman"])
    rows = [(50, 128, 100), (100, 128, 100), (200, 128, 100), (400, 128, 100),
            (100, 32, 100), (100, 512, 100), (100, 1024, 100),
            (100, 128, 10), (100, 128, 400), (100, 128, 1600)]
    with blas_threads(1):
        for T, h, b in rows:
            spec = {**base, "T": T, "n_h": h, "batch": b}
            up = Update(spec)
            up()
            sec = min(_timed(up) for _ in range(3))
            steps = T * b * (h + spec["n_out"])
            # traffic: forward writes I, U, S and reads c, thresholds; backward reads U, S,
            # grad_s, writes gc (float64): ~10 arrays of T x batch x neurons
            gbs = 10 * 8 * steps / sec / 1e9
            flops = 2 * T * b * (spec["n_in"] * h + h * spec["n_out"]) * 3 / sec / 1e9
            print(f"| {T} | {h} | {b} | {sec:.4f} | {sec / steps * 1e9:.1f} | {gbs:.1f} | "
                  f"{flops:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--no-scaling", action="store_true")
    ap.add_argument("--before", type=Path, default=None, metavar="DIR",
                    help="also time the checkout DIR (e.g. a git worktree), interleaved")
    args = ap.parse_args()
    compare(args.repeats, args.before)
    if not args.no_scaling:
        scaling()


if __name__ == "__main__":
    main()
