"""Stochastic vs deterministic SNN training (theory 7): learning curves, rasters, Fano factors.

Randman classification with paired stochastic / deterministic networks (the claims' task for
the profile, each network trained until its training loss converges under dev/ci; the seeds
of :data:`sgverify.snn.experiments.FIGURE_SEEDS`, 2 under dev/ci, all 10 under thorough) and
spike-train matching of the shipped target raster by a stochastic network. The runs are the
claims' own (:mod:`sgverify.snn.experiments`): free when the claims already ran in this process
or an orchestrator provided them.

Examples
--------
>>> from sgverify.figures import training
>>> training.ragged_mean([[1.0, 0.5, 0.25], [3.0, 1.5]])
[2.0, 1.0, 0.25]
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from ..snn import experiments, target, train
from ._common import FigureData, check_profile

__all__ = ["TITLE", "caption", "compute", "plot", "ragged_mean"]

TITLE = "Stochastic vs deterministic SNN training"
_COLORS = {"deterministic": "tab:gray", "stochastic": "tab:red"}


def ragged_mean(curves: list[list[float]]) -> list[float]:
    """Epoch-wise mean over the runs still training at that epoch (runs stop at convergence)."""
    out = np.full((len(curves), max(len(c) for c in curves)), np.nan)
    for k, c in enumerate(curves):
        out[k, :len(c)] = c
    return np.nanmean(out, axis=0).tolist()


def _summary(hs: list[train.History]) -> dict[str, Any]:
    """One mode's learning curves and end-of-training measurements over seeds."""
    longest = max(hs, key=lambda h: len(h.loss))
    return {
        "loss_mean": ragged_mean([h.loss for h in hs]),
        "train_acc_mean": ragged_mean([h.train_acc for h in hs]),
        "test_epochs": longest.test_epochs,
        "test_acc_mean": ragged_mean([h.test_acc for h in hs]),
        "loss": [h.loss for h in hs],
        "epochs": [h.final["epochs"] for h in hs],
        "converged": [h.final["converged"] for h in hs],
        "final_test_acc": [h.final["test_acc"] for h in hs],
        "fano_windowed": [h.final["fano_hidden"] for h in hs],
        "fano_per_bin": [h.final["fano_hidden_per_bin"]["fano"] for h in hs],
        "rate_hidden_hz": [h.final["rate_hidden_hz"] for h in hs],
        "seconds": [h.seconds for h in hs],
    }


def _matching(match: train.History) -> dict[str, Any]:
    return {
        "distance": match.distance,
        "distance_initial": match.final["distance_initial"],
        "distance_final": match.final["distance"],
        "fano_hidden": match.final["fano_hidden"],
        "fano_out": match.final["fano_out"],
        "rate_out_hz": match.final["rate_out_hz"],
        "target_rate_hz": match.final["target_rate_hz"],
        "seconds": match.seconds,
    }


def compute(profile: str = "dev") -> FigureData:
    """Train (or read the cached runs), measure, and keep the rasters the plot draws."""
    check_profile(profile)
    rtask, mtask = experiments.RANDMAN[profile], experiments.MATCHING[profile]
    seeds = experiments.FIGURE_SEEDS[profile]
    pairs = experiments.randman_runs(profile, seeds)
    runs = {"deterministic": [d for d, _ in pairs], "stochastic": [s for _, s in pairs]}
    match = experiments.matching_run(profile)
    numbers: dict[str, Any] = {
        "profile": profile,
        "seeds": list(seeds),
        "randman_task": asdict(rtask),
        "randman": {mode: _summary(hs) for mode, hs in runs.items()},
        "chance": 1.0 / rtask.n_classes,
        "matching_task": asdict(mtask),
        "matching": _matching(match),
    }
    arrays = {"target": target.load(rows=mtask.n_out), "output": match.rasters["output"],
              "hidden": {mode: hs[0].rasters["hidden"] for mode, hs in runs.items()}}
    return FigureData(numbers, arrays, profile)


def caption(data: FigureData) -> str:
    """The key numbers: accuracies, Fano factors and the matching distance."""
    n = data.numbers
    rtask, m = n["randman_task"], n["matching"]
    sto, det = n["randman"]["stochastic"], n["randman"]["deterministic"]
    return (
        f"Randman ({rtask['n_classes']} classes, {rtask['n_steps']} steps, "
        f"{rtask['n_hidden']} hidden; seeds {n['seeds']}; epochs to convergence deterministic "
        f"{det['epochs']}, stochastic {sto['epochs']}): final single-trial test accuracy "
        f"deterministic {np.mean(det['final_test_acc']):.3f}, stochastic "
        f"{np.mean(sto['final_test_acc']):.3f}; hidden Fano factor (10-step windows) "
        f"deterministic {np.mean(det['fano_windowed']):.3f}, stochastic "
        f"{np.mean(sto['fano_windowed']):.3f}. Spike-train matching: van Rossum distance "
        f"{m['distance_initial']:.3f} -> {m['distance_final']:.3f}. Per-bin Fano factors "
        f"equal 1 - p (not variability)."
    )


def _draw_randman(ax: Any, n: dict[str, Any]) -> None:
    """Learning curves, test accuracy and Fano factors (top row)."""
    for mode, s in n["randman"].items():
        for k, loss in enumerate(s["loss"]):
            ax[0].plot(np.arange(1, len(loss) + 1), loss, color=_COLORS[mode], lw=1,
                       label=mode if k == 0 else None)
        ax[1].plot(s["test_epochs"], s["test_acc_mean"], "o-", color=_COLORS[mode], label=mode)
    ax[0].set(xlabel="epoch", ylabel="training loss (one line per seed)", yscale="log",
              title="randman learning curves (each run stops at convergence)")
    ax[1].axhline(n["chance"], ls=":", color="k", lw=1, label="chance")
    ax[1].set(xlabel="epoch", ylabel="single-trial test accuracy\n(mean over seeds still "
              "training)", ylim=(0, 1.02), title="test accuracy")
    for a in ax[:2]:
        a.legend(frameon=False, fontsize=8)
    x = np.arange(len(n["seeds"]))
    for k, (mode, s) in enumerate(n["randman"].items()):
        ax[2].bar(x + (k - 0.5) * 0.38, s["fano_windowed"], 0.38, color=_COLORS[mode],
                  label=f"{mode} (10-step windows)")
        ax[2].scatter(x + (k - 0.5) * 0.38, s["fano_per_bin"], marker="_", s=200,
                      color="k", zorder=3, label="per-bin (= 1 - p)" if k else None)
    ax[2].set(xticks=x, xticklabels=[f"seed {s}" for s in n["seeds"]], ylabel="Fano factor",
              title="hidden-layer Fano factor after training")
    ax[2].legend(frameon=False, fontsize=7)


def _draw_rasters(ax: Any, n: dict[str, Any], a: dict[str, Any]) -> None:
    """Matching distance, target vs output rasters, one hidden neuron over trials (bottom)."""
    ax[0].plot(n["matching"]["distance"], color="tab:red")
    ax[0].set(xlabel="update", ylabel="van Rossum distance (mean over trials)",
              title="spike-train matching (stochastic)")
    out = a["output"]  # (T, trials, n_out)
    tn, nn = np.nonzero(a["target"].T)
    ax[1].scatter(tn, nn, s=12, facecolors="none", edgecolors="k", lw=0.6, label="target")
    trials = min(3, out.shape[1])
    for trial, col in zip(range(trials), ("tab:red", "tab:blue", "tab:green")[:trials],
                          strict=True):
        t_s, n_s = np.nonzero(out[:, trial])
        ax[1].scatter(t_s, n_s, s=3, color=col, label=f"trial {trial + 1}")
    ax[1].set(xlabel="step (1 ms)", ylabel="output neuron", title="target vs output rasters")
    ax[1].invert_yaxis()  # row 0 of the image on top, so the smiley is upright
    ax[1].legend(frameon=False, fontsize=7, loc="upper right")
    hid_s, hid_d = a["hidden"]["stochastic"], a["hidden"]["deterministic"]  # (T, trials, n)
    neuron = int(np.argmax(hid_s.mean(axis=(0, 1))))
    for k, (raster, mode) in enumerate(((hid_d, "deterministic"), (hid_s, "stochastic"))):
        for trial in range(raster.shape[1]):
            t_s = np.nonzero(raster[:, trial, neuron])[0]
            ax[2].scatter(t_s, np.full(t_s.size, k * (raster.shape[1] + 2) + trial), s=4,
                          color=_COLORS[mode])
    ax[2].set(xlabel="step (1 ms)", ylabel="trial", yticks=[],
              title=f"hidden neuron {neuron}, one input, repeated trials")


def plot(data: FigureData) -> Any:
    """Two rows: randman (curves, accuracy, Fano factors) and matching (distance, rasters)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(2, 3, figsize=(13, 7.5))
    _draw_randman(ax[0], data.numbers)
    _draw_rasters(ax[1], data.numbers, data.arrays)
    fig.tight_layout()
    return fig
