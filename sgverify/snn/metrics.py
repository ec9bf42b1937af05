"""Metrics of trained spiking networks: accuracy, firing rates, trial-to-trial Fano factors.

Spike arrays are ``(T, trials, ..., neurons)``. The Fano factor is ``Var/mean`` of spike
counts over repeated trials of the same input (docs/theory.md §7):

* :func:`fano_windowed` counts spikes in windows of several steps; this is the meaningful
  measure of trial-to-trial variability (0 for a deterministic network, 1 for Poisson);
* :func:`fano_per_bin` uses single 0/1 bins, where ``Var/mean = p(1 - p)/p = 1 - p`` exactly
  (with the population variance): it is trivially below 1 and only reports the firing
  probability per bin, not variability. Kept to show the caveat.

Examples
--------
>>> import numpy as np
>>> from sgverify.snn import metrics
>>> rng = np.random.default_rng(0)
>>> s = (rng.random((100, 50, 1, 3)) < 0.1).astype(float)   # Bernoulli(0.1) bins, 50 trials
>>> 0.8 < metrics.fano_windowed(s, 10)["fano"] < 1.0        # binomial counts: 1 - p = 0.9
True
>>> metrics.fano_windowed(np.repeat(s[:, :1], 50, axis=1), 10)["fano"]
0.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validate import positive, positive_int

__all__ = ["accuracy", "fano_per_bin", "fano_windowed", "firing_rate"]


def accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
    """Single-trial accuracy: fraction of ``argmax(logits) == label`` over trials and samples."""
    logits = np.asarray(logits)
    lab = np.broadcast_to(np.asarray(labels), logits.shape[:-1])
    return float(np.mean(np.argmax(logits, axis=-1) == lab))


def firing_rate(spikes: np.ndarray, dt: float) -> float:
    """Mean firing rate in spikes per unit time (Hz for ``dt`` in seconds)."""
    return float(np.mean(spikes)) / positive("dt", dt)


def _check_trials(spikes: np.ndarray) -> np.ndarray:
    s = np.asarray(spikes, dtype=np.float64)
    if s.ndim < 3 or s.shape[1] < 2:
        raise ValueError(f"spikes must have shape (T, trials >= 2, ..., neurons), got {s.shape}")
    return s


def fano_windowed(spikes: np.ndarray, window: int) -> dict[str, Any]:
    """Fano factor of spike counts in non-overlapping windows of ``window`` steps.

    Returns ``fano`` (the mean over every window, sample and neuron whose mean count is
    positive; 0.0 if there are none), ``per_neuron`` (averaged over windows and samples) and
    ``valid`` (how many entries entered the mean). The variance is the unbiased one
    (``ddof=1``) over trials.
    """
    s = _check_trials(spikes)
    w = positive_int("window", window)
    nwin = s.shape[0] // w
    if nwin < 1:
        raise ValueError(f"window must be <= the number of steps {s.shape[0]}, got {w}")
    counts = s[: nwin * w].reshape(nwin, w, *s.shape[1:]).sum(axis=1)
    mean = counts.mean(axis=1)
    var = counts.var(axis=1, ddof=1)
    ok = mean > 0
    ratio = np.where(ok, var / np.where(ok, mean, 1.0), 0.0)
    n_ok = ok.reshape(-1, ok.shape[-1]).sum(axis=0)
    per_neuron = ratio.reshape(-1, ratio.shape[-1]).sum(axis=0) / np.maximum(n_ok, 1)
    return {
        "fano": float(ratio[ok].mean()) if ok.any() else 0.0,
        "per_neuron": per_neuron,
        "valid": int(ok.sum()),
        "window": w,
    }


def fano_per_bin(spikes: np.ndarray) -> dict[str, Any]:
    """Per-bin Fano factor: exactly ``1 - p_hat`` in every bin with ``p_hat > 0``.

    With the population variance over trials a 0/1 bin has ``Var/mean = 1 - p_hat``; the
    result is therefore below 1 for any network and says nothing about variability. Returns
    the mean over bins with ``p_hat > 0`` and that mean computed as ``1 - p_hat`` directly.
    """
    s = _check_trials(spikes)
    p = s.mean(axis=1)
    var = s.var(axis=1)
    ok = p > 0
    fano = var[ok] / p[ok]
    return {
        "fano": float(fano.mean()) if ok.any() else 0.0,
        "one_minus_p": float((1.0 - p[ok]).mean()) if ok.any() else 0.0,
        "valid": int(ok.sum()),
    }
