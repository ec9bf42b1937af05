"""``sgverify reproduce training``: learning curves, rasters over trials and Fano factors.

Randman classification with paired stochastic / deterministic networks (the claims' task for
the profile, each network trained until its training loss converges under dev/ci; 2 seeds
under dev/ci to stay within ~30 s, all 10 under thorough) and spike-train
matching of the shipped target raster by a stochastic network.

Examples
--------
>>> from sgverify.snn import figures
>>> figures.SEEDS["dev"]
(0, 1)
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from . import target, train

__all__ = ["SEEDS", "training"]

#: seeds of the figure per profile (the claims use more under dev/ci: snn.experiments.SEEDS)
SEEDS: dict[str, tuple[int, ...]] = {"dev": (0, 1), "ci": (0, 1), "thorough": tuple(range(10))}


def _tasks(profile: str) -> tuple[train.RandmanTask, train.MatchingTask]:
    from . import experiments

    if profile not in experiments.RANDMAN:
        raise ValueError(f"profile must be one of {', '.join(experiments.RANDMAN)}, "
                         f"got {profile!r}")
    return experiments.RANDMAN[profile], experiments.MATCHING[profile]


def _ragged_mean(curves: list[list[float]]) -> list[float]:
    """Epoch-wise mean over the runs still training at that epoch (runs stop at convergence).

    >>> _ragged_mean([[1.0, 0.5, 0.25], [3.0, 1.5]])
    [2.0, 1.0, 0.25]
    """
    out = np.full((len(curves), max(len(c) for c in curves)), np.nan)
    for k, c in enumerate(curves):
        out[k, :len(c)] = c
    return np.nanmean(out, axis=0).tolist()


def training(profile: str = "dev") -> Any:
    """Train, measure and plot; returns a :class:`sgverify.figures.Reproduction`."""
    import matplotlib.pyplot as plt

    from ..figures import Reproduction
    from . import experiments

    rtask, mtask = _tasks(profile)
    seeds = SEEDS[profile]
    # the claims' runs (sgverify.snn.experiments): identical (same task, seed and mode) and
    # free when the claims already ran in this process or the runs were provided to it
    pairs = experiments.randman_runs(profile, seeds)
    runs = {"deterministic": [d for d, _ in pairs], "stochastic": [s for _, s in pairs]}
    match = experiments.matching_run(profile)

    def summary(mode: str) -> dict[str, Any]:
        hs = runs[mode]
        longest = max(hs, key=lambda h: len(h.loss))
        return {
            "loss_mean": _ragged_mean([h.loss for h in hs]),
            "train_acc_mean": _ragged_mean([h.train_acc for h in hs]),
            "test_epochs": longest.test_epochs,
            "test_acc_mean": _ragged_mean([h.test_acc for h in hs]),
            "loss": [h.loss for h in hs],
            "epochs": [h.final["epochs"] for h in hs],
            "converged": [h.final["converged"] for h in hs],
            "final_test_acc": [h.final["test_acc"] for h in hs],
            "fano_windowed": [h.final["fano_hidden"] for h in hs],
            "fano_per_bin": [h.final["fano_hidden_per_bin"]["fano"] for h in hs],
            "rate_hidden_hz": [h.final["rate_hidden_hz"] for h in hs],
            "seconds": [h.seconds for h in hs],
        }

    data: dict[str, Any] = {
        "profile": profile,
        "seeds": list(seeds),
        "randman_task": asdict(rtask),
        "randman": {mode: summary(mode) for mode in runs},
        "chance": 1.0 / rtask.n_classes,
        "matching_task": asdict(mtask),
        "matching": {
            "distance": match.distance,
            "distance_initial": match.final["distance_initial"],
            "distance_final": match.final["distance"],
            "fano_hidden": match.final["fano_hidden"],
            "fano_out": match.final["fano_out"],
            "rate_out_hz": match.final["rate_out_hz"],
            "target_rate_hz": match.final["target_rate_hz"],
            "seconds": match.seconds,
        },
    }

    fig, ax = plt.subplots(2, 3, figsize=(13, 7.5))
    colors = {"deterministic": "tab:gray", "stochastic": "tab:red"}
    for mode, s in data["randman"].items():
        for k, loss in enumerate(s["loss"]):
            ax[0, 0].plot(np.arange(1, len(loss) + 1), loss, color=colors[mode], lw=1,
                          label=mode if k == 0 else None)
        ax[0, 1].plot(s["test_epochs"], s["test_acc_mean"], "o-", color=colors[mode], label=mode)
    ax[0, 0].set(xlabel="epoch", ylabel="training loss (one line per seed)", yscale="log",
                 title="randman learning curves (each run stops at convergence)")
    ax[0, 1].axhline(data["chance"], ls=":", color="k", lw=1, label="chance")
    ax[0, 1].set(xlabel="epoch", ylabel="single-trial test accuracy\n(mean over seeds still "
                 "training)", ylim=(0, 1.02),
                 title="test accuracy")
    for a in ax[0, :2]:
        a.legend(frameon=False, fontsize=8)

    x = np.arange(len(seeds))
    for k, mode in enumerate(runs):
        s = data["randman"][mode]
        ax[0, 2].bar(x + (k - 0.5) * 0.38, s["fano_windowed"], 0.38, color=colors[mode],
                     label=f"{mode} (10-step windows)")
        ax[0, 2].scatter(x + (k - 0.5) * 0.38, s["fano_per_bin"], marker="_", s=200,
                         color="k", zorder=3, label="per-bin (= 1 - p)" if k else None)
    ax[0, 2].set(xticks=x, xticklabels=[f"seed {s}" for s in seeds], ylabel="Fano factor",
                 title="hidden-layer Fano factor after training")
    ax[0, 2].legend(frameon=False, fontsize=7)

    ax[1, 0].plot(match.distance, color="tab:red")
    ax[1, 0].set(xlabel="update", ylabel="van Rossum distance (mean over trials)",
                 title="spike-train matching (stochastic)")
    tgt = target.load(rows=mtask.n_out)
    out = match.rasters["output"]  # (T, trials, n_out)
    tn, nn = np.nonzero(tgt.T)
    ax[1, 1].scatter(tn, nn, s=12, facecolors="none", edgecolors="k", lw=0.6, label="target")
    for trial, col in zip(range(min(3, out.shape[1])), ("tab:red", "tab:blue", "tab:green")[
            :min(3, out.shape[1])], strict=True):
        t_s, n_s = np.nonzero(out[:, trial])
        ax[1, 1].scatter(t_s, n_s, s=3, color=col, label=f"trial {trial + 1}")
    ax[1, 1].set(xlabel="step (1 ms)", ylabel="output neuron", title="target vs output rasters")
    ax[1, 1].invert_yaxis()  # row 0 of the image on top, so the smiley is upright
    ax[1, 1].legend(frameon=False, fontsize=7, loc="upper right")

    hid_s = runs["stochastic"][0].rasters["hidden"]  # (T, trials, n_hidden)
    hid_d = runs["deterministic"][0].rasters["hidden"]
    neuron = int(np.argmax(hid_s.mean(axis=(0, 1))))
    for k, (raster, mode) in enumerate(((hid_d, "deterministic"), (hid_s, "stochastic"))):
        for trial in range(raster.shape[1]):
            t_s = np.nonzero(raster[:, trial, neuron])[0]
            ax[1, 2].scatter(t_s, np.full(t_s.size, k * (raster.shape[1] + 2) + trial), s=4,
                             color=colors[mode])
    ax[1, 2].set(xlabel="step (1 ms)", ylabel="trial", yticks=[],
                 title=f"hidden neuron {neuron}, one input, repeated trials")
    fig.tight_layout()

    sto, det = data["randman"]["stochastic"], data["randman"]["deterministic"]
    caption = (
        f"Randman ({rtask.n_classes} classes, {rtask.n_steps} steps, {rtask.n_hidden} hidden; "
        f"seeds {list(seeds)}; epochs to convergence deterministic {det['epochs']}, "
        f"stochastic {sto['epochs']}): final single-trial test accuracy deterministic "
        f"{np.mean(det['final_test_acc']):.3f}, stochastic {np.mean(sto['final_test_acc']):.3f}; "
        f"hidden Fano factor (10-step windows) deterministic "
        f"{np.mean(det['fano_windowed']):.3f}, stochastic {np.mean(sto['fano_windowed']):.3f}. "
        f"Spike-train matching: van Rossum distance {match.final['distance_initial']:.3f} -> "
        f"{match.final['distance']:.3f}. Per-bin Fano factors equal 1 - p (not variability)."
    )
    return Reproduction("training", "Stochastic vs deterministic SNN training", data, fig,
                        caption)
