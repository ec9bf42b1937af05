"""Stochastic spiking networks trained with surrogate gradients (docs/theory.md §§1, 7).

=====================================  ==============================================
question                               call
=====================================  ==============================================
randman classification data            :func:`randman.spiking_dataset`
a two-layer SNN, forward and BPTT      :class:`network.SNN`
fluctuation-driven initial weights     :func:`network.fluctuation_init`
van Rossum distance, CE on max-U       :mod:`losses`
Fano factors, accuracy, rates          :mod:`metrics`
train on randman / spike matching      :func:`train.train_randman`, :func:`train.train_matching`
the §7 experiments, runs as tasks      :mod:`experiments` (settings per profile, caches)
exact expectations by enumeration      :mod:`exact`
the naive loop reference               :mod:`reference`
the shipped target raster              :func:`target.load`
``sgverify reproduce training``        :mod:`sgverify.figures.training`
=====================================  ==============================================

Examples
--------
>>> from sgverify import snn
>>> snn.target.load().shape
(200, 189)
"""

from __future__ import annotations

from . import exact, experiments, losses, metrics, network, randman, reference, target, train

__all__ = ["exact", "experiments", "losses", "metrics", "network", "randman", "reference",
           "target", "train"]
