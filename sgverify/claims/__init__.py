"""The claim registry: every claim of the paper, one record each, found by id or glob.

Claims live in one module per paper section inside this package, each ending in
``CLAIMS = (...)``. The registry imports them on first use.

Examples
--------
>>> from sgverify import claims
>>> c = claims.get("single-neuron.sg-equals-spm-gradient")
>>> c.kind
'identity'
>>> [c.id for c in claims.select("single-neuron.deterministic-*")]
['single-neuron.deterministic-limit']
>>> claims.verify(c).status
'confirmed'
"""

from __future__ import annotations

import fnmatch
import importlib
import pkgutil
from collections.abc import Iterable

from .._suggest import did_you_mean
from ._common import is_zero_everywhere
from ._evidence import EVIDENCE_SCHEMA, Check, Evidence, monte_carlo_rows, outcome_dict
from ._explain import Explanation
from ._headline import Headline, Plot, Series, bound_headline, monte_carlo_headline
from ._record import (
    KINDS,
    TESTS,
    VERDICTS,
    Claim,
    Context,
    Example,
    Outcome,
    Profile,
    Tolerance,
)
from ._repr import ClaimSet
from ._runner import PROFILES, Result, get_profile, jsonable, run_claim, run_claim_by_id

__all__ = [
    "EVIDENCE_SCHEMA",
    "KINDS",
    "PROFILES",
    "TESTS",
    "VERDICTS",
    "Check",
    "Claim",
    "ClaimSet",
    "Context",
    "Evidence",
    "Example",
    "Explanation",
    "Headline",
    "Outcome",
    "Plot",
    "Profile",
    "Result",
    "Series",
    "Tolerance",
    "all_claims",
    "bound_headline",
    "get",
    "get_profile",
    "is_zero_everywhere",
    "jsonable",
    "monte_carlo_headline",
    "monte_carlo_rows",
    "outcome_dict",
    "run_claim",
    "run_claim_by_id",
    "select",
    "verify",
]

#: paper order of the sections; unknown sections follow alphabetically
SECTION_ORDER = ("escape", "single-neuron", "multilayer", "toynet", "lif", "snn", "audit")

_REGISTRY: dict[str, Claim] | None = None


def _load() -> dict[str, Claim]:
    global _REGISTRY
    if _REGISTRY is None:
        found: list[Claim] = []
        for mod in pkgutil.iter_modules(__path__):
            if mod.name.startswith("_"):
                continue
            module = importlib.import_module(f"{__name__}.{mod.name}")
            found.extend(getattr(module, "CLAIMS", ()))
        registry: dict[str, Claim] = {}
        for claim in found:
            if claim.id in registry:
                raise RuntimeError(f"duplicate claim id {claim.id!r}")
            registry[claim.id] = claim

        def order(c: Claim) -> tuple[int, str]:
            sec = c.section
            return (SECTION_ORDER.index(sec) if sec in SECTION_ORDER else len(SECTION_ORDER), sec)

        # stable sort keeps each module's own order inside a section
        _REGISTRY = {c.id: c for c in sorted(registry.values(), key=order)}
    return _REGISTRY


def all_claims() -> ClaimSet:
    """Every registered claim, in paper order (a tuple that prints as a short table)."""
    return ClaimSet(_load().values())


def get(claim_id: str) -> Claim:
    """The claim with this id; ValueError naming the id (and the closest id) if there is none.

    Examples
    --------
    >>> get("single-neuron.sg-equal-spm-gradient")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown claim id '...' (did you mean 'single-neuron.sg-equals-spm-gradient'?); ...
    """
    reg = _load()
    if claim_id not in reg:
        hint = did_you_mean(str(claim_id), list(reg))
        raise ValueError(f"unknown claim id {claim_id!r}{hint}; `sgverify list` shows every id")
    return reg[claim_id]


def select(patterns: str | Iterable[str] = "*") -> ClaimSet:
    """Claims whose id matches any of the glob patterns, in paper order.

    A pattern that matches nothing raises ValueError naming it (and the closest id or
    section). The result is a tuple that prints as a short table.

    Examples
    --------
    >>> select("escape.*")  # doctest: +ELLIPSIS
    <ClaimSet of 4 claims: escape.pdf-is-cdf-derivative, escape.cdf-is-distribution, ...>
    >>> select("escpe.*")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: no claim matches 'escpe.*' (did you mean 'escape.*'?); `sgverify list` shows ...
    """
    if isinstance(patterns, str):
        patterns = [patterns]
    patterns = list(patterns) or ["*"]
    reg = _load()
    chosen: set[str] = set()
    for pat in patterns:
        hits = [cid for cid in reg if fnmatch.fnmatchcase(cid, pat)]
        if not hits:
            hint = did_you_mean(str(pat), list(reg))
            raise ValueError(f"no claim matches {pat!r}{hint}; `sgverify list` shows every id")
        chosen.update(hits)
    return ClaimSet(c for cid, c in reg.items() if cid in chosen)


def verify(claim: Claim | str, profile: str | Profile = "dev") -> Result:
    """Check a claim (or a claim id) and return its :class:`Result`."""
    if isinstance(claim, str):
        claim = get(claim)
    if not isinstance(claim, Claim):
        raise ValueError(f"claim must be a Claim or a claim id, got {claim!r}")
    return run_claim(claim, profile)
