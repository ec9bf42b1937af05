"""The surrogate derivatives that popular SNN libraries ship, as formulas in ``v = u - theta``.

Each entry restates, in sgverify's formula language, the backward pass of one named surrogate
as the library's code computes it (not as its docstring describes it, where the two differ),
in the neuron's own threshold convention, at the library's default parameters. Every entry
records the release it describes and whether it was checked by executing that release's
backward pass (``tests/conformance``, recorded in docs/catalogue-conformance.md) or by reading
its source only. The expected verdict and area are derived by hand (the derivation is in
``note``); the claim ``audit.catalogue`` checks that the audit, which knows nothing of these
expectations, reaches them.
"""

from __future__ import annotations

from ._catalogue_entry import VERIFIED, CatalogueEntry
from ._catalogue_jax import ENTRIES as _JAX
from ._catalogue_torch import ENTRIES as _TORCH

__all__ = ["CATALOGUE", "LIBRARIES", "RELEASES", "VERIFIED", "CatalogueEntry"]

LIBRARIES = ("snnTorch", "norse", "SpikingJelly", "stork", "braintools", "lava-dl", "sinabs",
             "spyx")

#: library -> (PyPI distribution or None, how its release installs here); see
#: docs/catalogue-conformance.md for the executed run
RELEASES: dict[str, tuple[str | None, str]] = {
    "snnTorch": ("snntorch", "pip, with torch 2.13.0 (CPU)"),
    "norse": ("norse", "pip, with torch 2.13.0 (CPU)"),
    "SpikingJelly": ("spikingjelly", "pip, with torch 2.13.0 (CPU)"),
    "sinabs": ("sinabs", "pip, with torch 2.13.0 (CPU)"),
    "lava-dl": ("lava-dl", "not by pip on Python 3.11: 'Requires-Python <3.11,>=3.10' and "
                           "torch<2.4; run with --no-deps --ignore-requires-python"),
    "spyx": ("spyx", "pip, with jax (CPU)"),
    "braintools": ("braintools", "pip, with jax (CPU); 0.4.0 needs Python >= 3.12"),
    "stork": (None, "not on PyPI"),
}

_ORDER = {name: i for i, name in enumerate(LIBRARIES)}
CATALOGUE: tuple[CatalogueEntry, ...] = tuple(
    sorted(_TORCH + _JAX, key=lambda e: _ORDER[e.library]))
