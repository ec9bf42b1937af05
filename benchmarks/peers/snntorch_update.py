"""Peer for bench_snn.py: one SNN training update in snnTorch (``Synaptic`` + autograd).

Written for this benchmark as a snnTorch user would: two ``nn.Linear`` (no bias) + ``Synaptic``
layers unrolled over time, a sigmoid surrogate of slope 10, float32, one thread, Adam. The
tasks mirror sgverify's: spike-train matching (van Rossum loss on the output spikes, the
trials as the batch) and randman (max-over-time cross-entropy on a non-resetting readout).
Runs in its own environment (torch and snnTorch never become sgverify dependencies) as a
line-oriented worker: each ``run`` line performs one update (forward, loss, backward, Adam
step) and prints ``{"seconds": ...}``.
"""

from __future__ import annotations

import json
import math
import sys
import warnings

warnings.filterwarnings("ignore")

import torch  # noqa: E402

torch.set_num_threads(1)

import snntorch as snn  # noqa: E402
from _serve import serve  # noqa: E402  (this script's folder)
from snntorch import surrogate  # noqa: E402

__all__ = ["main"]


class Net(torch.nn.Module):
    def __init__(self, n_in: int, n_h: int, n_out: int, a_s: float, a_m: float,
                 readout: bool) -> None:
        super().__init__()
        grad = surrogate.sigmoid(slope=10)
        self.fc1 = torch.nn.Linear(n_in, n_h, bias=False)
        self.fc2 = torch.nn.Linear(n_h, n_out, bias=False)
        self.lif1 = snn.Synaptic(alpha=a_s, beta=a_m, spike_grad=grad, reset_mechanism="subtract")
        self.lif2 = snn.Synaptic(alpha=a_s, beta=a_m, spike_grad=grad,
                                 reset_mechanism="none" if readout else "subtract")
        self.readout = readout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        syn1, mem1 = self.lif1.init_synaptic()
        syn2, mem2 = self.lif2.init_synaptic()
        out = []
        for step in range(x.shape[0]):
            spk1, syn1, mem1 = self.lif1(self.fc1(x[step]), syn1, mem1)
            spk2, syn2, mem2 = self.lif2(self.fc2(spk1), syn2, mem2)
            out.append(mem2 if self.readout else spk2)
        return torch.stack(out)


def van_rossum(spikes: torch.Tensor, target: torch.Tensor, a_m: float, a_s: float,
               dt_over_tau: float) -> torch.Tensor:
    m = torch.zeros_like(spikes[0])
    s = torch.zeros_like(spikes[0])
    total = torch.zeros(())
    for n in range(spikes.shape[0]):
        d = spikes[n] - target[n]
        m = a_m * m + d
        s = a_s * s + d
        total = total + ((0.2 * (m - s)) ** 2).sum()
    return dt_over_tau * total / spikes.shape[1]


def main() -> None:
    spec = json.loads(sys.argv[1])  # "mode" is sgverify's: snnTorch's model is deterministic
    torch.manual_seed(0)
    T, n_in, n_h, n_out, batch = (spec[k] for k in ("T", "n_in", "n_h", "n_out", "batch"))
    dt, tau_m, tau_s = spec["dt"], spec["tau_mem"], spec["tau_syn"]
    a_m, a_s = math.exp(-dt / tau_m), math.exp(-dt / tau_s)
    readout = spec["task"] == "randman"
    net = Net(n_in, n_h, n_out, a_s, a_m, readout)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = (torch.rand(T, batch, n_in) < spec["input_p"]).float()
    if readout:
        labels = torch.randint(0, n_out, (batch,))
    else:
        target = (torch.rand(T, 1, n_out) < 0.02).float()

    def update() -> float:
        out = net(x)
        if readout:
            loss = torch.nn.functional.cross_entropy(out.max(dim=0).values, labels)
        else:
            loss = van_rossum(out, target, a_m, a_s, dt / tau_m)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return float(loss.detach())

    update()
    serve(update, f"torch {torch.__version__}, snntorch {snn.__version__}")


if __name__ == "__main__":
    main()
