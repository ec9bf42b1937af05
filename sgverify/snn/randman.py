"""Random-manifold ("randman") classification data, generated here and seedable.

A randman (Zenke & Vogels 2021) is a smooth random ``d``-dimensional manifold embedded in
``n`` dimensions: every embedding coordinate is a product over the manifold coordinates of
random 1-D functions ``sum_k a_k k^-alpha sin(2 pi (k x b_k + c_k))`` with ``a, b, c ~ U(0, 1)``
and ``k < ceil(prec^(-1/alpha))`` (``alpha`` sets the smoothness). Each class is its own
manifold; a sample is a uniform point on the manifold, min-max normalised per coordinate
and class, and coded as one spike per input unit at time ``value * n_steps``.

Examples
--------
>>> from sgverify.snn import randman
>>> data = randman.spiking_dataset(n_classes=3, n_units=5, n_steps=20, n_samples=4, seed=1)
>>> data.raster.shape, data.labels.shape
((20, 12, 5), (12,))
>>> data.raster.sum(axis=(0, 2)).tolist()[:3]     # one spike per input unit
[5.0, 5.0, 5.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validate import positive, positive_int

__all__ = ["Randman", "SpikingDataset", "spiking_dataset"]


class Randman:
    """A smooth random manifold of dimension ``manifold_dim`` in ``embedding_dim`` dimensions.

    Parameters
    ----------
    embedding_dim, manifold_dim
        Dimensions of the embedding space and of the manifold.
    rng
        The generator that draws the manifold's random Fourier coefficients.
    alpha
        Power-spectrum fall-off exponent (larger = smoother).
    prec
        Sets the frequency cut-off ``ceil(prec^(-1/alpha))`` (capped by ``max_f_cutoff``).
    use_bias
        Keep the constant (k = 0) term, which offsets the manifold at random.
    """

    def __init__(
        self,
        embedding_dim: int,
        manifold_dim: int,
        rng: np.random.Generator,
        *,
        alpha: float = 2.0,
        prec: float = 1e-3,
        max_f_cutoff: int = 1000,
        use_bias: bool = False,
    ) -> None:
        if not isinstance(rng, np.random.Generator):
            raise ValueError("rng must be a numpy.random.Generator")
        self.embedding_dim = positive_int("embedding_dim", embedding_dim)
        self.manifold_dim = positive_int("manifold_dim", manifold_dim)
        self.alpha = positive("alpha", alpha)
        prec = positive("prec", prec)
        if prec >= 1:
            raise ValueError(f"prec must lie in (0, 1), got {prec!r}")
        self.f_cutoff = int(min(math.ceil(prec ** (-1.0 / self.alpha)),
                                positive_int("max_f_cutoff", max_f_cutoff)))
        # (embedding, manifold, {amplitude, frequency jitter, phase}, frequency)
        self.params = rng.uniform(0.0, 1.0, (self.embedding_dim, self.manifold_dim, 3,
                                             self.f_cutoff))
        if not use_bias:
            self.params[:, :, 0, 0] = 0.0

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Embed coordinates ``x`` ``(samples, manifold_dim)`` in [0, 1] -> ``(samples, E)``."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.manifold_dim:
            raise ValueError(f"x must have shape (samples, {self.manifold_dim}), got {x.shape}")
        k = np.arange(self.f_cutoff, dtype=np.float64)
        spectrum = 1.0 / (k + 1.0) ** self.alpha
        amp, freq, phase = (self.params[:, :, j, :] for j in range(3))  # (E, D, F)
        # (samples, E, D, F): all sinusoids at once, then sum over F and multiply over D
        arg = 2.0 * np.pi * (k * x[:, None, :, None] * freq + phase)
        one_d = np.sum(amp * spectrum * np.sin(arg), axis=-1)
        return np.prod(one_d, axis=-1)


@dataclass(frozen=True)
class SpikingDataset:
    """Spike rasters ``(n_steps, samples, n_units * n_spikes)``, labels and manifold coordinates."""

    raster: np.ndarray
    labels: np.ndarray
    coords: np.ndarray
    n_classes: int


def _standardize(y: np.ndarray) -> np.ndarray:
    lo, hi = y.min(axis=0), y.max(axis=0)
    return (y - lo) / (hi - lo + 1e-7)


def spiking_dataset(
    n_classes: int = 10,
    n_units: int = 20,
    n_steps: int = 100,
    n_samples: int = 100,
    *,
    manifold_dim: int = 1,
    n_spikes: int = 1,
    alpha: float = 2.0,
    step_frac: float = 1.0,
    seed: int = 0,
    test_samples: int = 0,
) -> SpikingDataset | tuple[SpikingDataset, SpikingDataset]:
    """A randman classification set: one manifold per class, one spike per unit and manifold.

    Parameters
    ----------
    n_samples
        Samples per class.
    test_samples
        If > 0, also draw this many test samples per class from the SAME manifolds and
        return ``(train, test)``.
    seed
        Seeds everything (manifolds, sample positions, shuffling).
    """
    n_classes = positive_int("n_classes", n_classes)
    n_units = positive_int("n_units", n_units)
    n_steps = positive_int("n_steps", n_steps)
    n_samples = positive_int("n_samples", n_samples)
    n_spikes = positive_int("n_spikes", n_spikes)
    if not 0 < step_frac <= 1:
        raise ValueError(f"step_frac must lie in (0, 1], got {step_frac!r}")
    rng = np.random.default_rng(seed)
    mans = [[Randman(n_units, manifold_dim, rng, alpha=alpha) for _ in range(n_spikes)]
            for _ in range(n_classes)]
    n_test = max(int(test_samples), 0)
    times, labels, coords = [], [], []
    for k in range(n_classes):
        # train and test points are normalised together, as one draw from the class manifold
        x = rng.random((n_samples + n_test, manifold_dim))
        times.append(np.concatenate([_standardize(rm(x)) for rm in mans[k]], axis=1))
        labels.append(np.full(n_samples + n_test, k))
        coords.append(x)
    out = []
    for part in (slice(0, n_samples), slice(n_samples, n_samples + n_test)):
        t = np.concatenate([tk[part] for tk in times])
        lab = np.concatenate([lk[part] for lk in labels])
        xs = np.concatenate([ck[part] for ck in coords])
        if len(lab) == 0:
            continue
        order = rng.permutation(len(lab))
        t, lab, xs = t[order], lab[order], xs[order]
        steps = np.minimum((t * n_steps * step_frac).astype(np.int64), n_steps - 1)
        raster = np.zeros((n_steps, len(lab), t.shape[1]))
        sample_idx = np.repeat(np.arange(len(lab)), t.shape[1])
        unit_idx = np.tile(np.arange(t.shape[1]), len(lab))
        np.add.at(raster, (steps.ravel(), sample_idx, unit_idx), 1.0)
        out.append(SpikingDataset(raster, lab, xs, n_classes))
    return out[0] if len(out) == 1 else (out[0], out[1])
