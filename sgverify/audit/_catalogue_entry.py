"""One catalogue record: a library surrogate as a formula, its expected verdict and provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["VERIFIED", "CatalogueEntry"]

#: how an entry's formula was checked against the library
VERIFIED = ("execution", "reading")


@dataclass(frozen=True)
class CatalogueEntry:
    """One library surrogate.

    Attributes
    ----------
    library, name
        Where it lives, e.g. ``("snnTorch", "fast_sigmoid")``.
    formula, params
        The backward pass in ``v = u - theta`` (the neuron's own threshold convention) and the
        parameters the library uses by default.
    source
        The module and function whose code the formula restates.
    expected
        Hand-derived verdict: ``density``, ``rescaled density`` or ``not a density``.
    area
        Hand-derived exact area as a SymPy-readable string (``None`` when not integrable).
    note
        The derivation, and any difference from the library's documentation or from an
        earlier release (with its version).
    tags
        ``sign-changing`` and ``offset`` are checked by the claim ``audit.catalogue``;
        ``stochastic`` (the backward pass draws random numbers: the formula is its expectation),
        ``stochastic-forward`` (the forward pass samples spikes) and ``straight-through`` are
        descriptive.
    version
        The library release the entry describes (a commit for libraries not on PyPI).
    verified
        ``"execution"`` (the release's backward pass was run and compared with the formula;
        docs/catalogue-conformance.md records the run) or ``"reading"`` (the source was read).
    verification
        How it was run, or why it could only be read.
    """

    library: str
    name: str
    formula: str
    params: dict[str, float]
    source: str
    expected: str
    area: str | None
    note: str = ""
    tags: tuple[str, ...] = field(default=())
    version: str = ""
    verified: str = "reading"
    verification: str = ""

    def __post_init__(self) -> None:
        if self.verified not in VERIFIED:
            raise ValueError(f"verified must be one of {VERIFIED}, got {self.verified!r}")
        if not self.version:
            raise ValueError(f"{self.library} {self.name}: version is required")

    def to_dict(self) -> dict[str, Any]:
        return {"library": self.library, "name": self.name, "formula": self.formula,
                "params": dict(self.params), "source": self.source, "expected": self.expected,
                "area": self.area, "note": self.note, "tags": list(self.tags),
                "version": self.version, "verified": self.verified,
                "verification": self.verification}
