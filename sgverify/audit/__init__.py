"""Audit any surrogate derivative: the escape noise it implies, its normalisation, its verdict.

The paper's single-neuron result (docs/theory.md §2-3) says a surrogate derivative is the exact
SPM gradient when it is the density ``f'`` of the neuron's escape noise ``f``. Given an SD as
a formula in ``v = u - theta``, a Python callable of ``v``, or a torch / JAX spike function
(:func:`from_torch`, :func:`from_jax`: the library's own backward pass), :func:`audit`
reports whether it is nonnegative and integrable, its area (high-precision quadrature with
its error estimate; exact where SymPy finds it), the implied escape-noise CDF (the normalised
primitive), peak, width and symmetry, the kinks, jumps and singular points it found, the
matching registered family of :mod:`sgverify.escape`, and a verdict: ``density``,
``rescaled density`` (with the factor), ``not a density`` (with the reason) or
``inconclusive`` (with what could not be established).

:func:`torch_surrogate` and :func:`jax_surrogate` give the spike function's surrogate
derivative itself (an :class:`AutogradSurrogate`, a vectorised NumPy callable of ``v``), and
:func:`save_plot` draws an audit as PNG or SVG.

:data:`CATALOGUE` holds the named surrogates of snnTorch, norse, SpikingJelly, stork,
braintools (BrainPy), lava-dl, sinabs and spyx; :func:`audit_catalogue` audits them all.

Formulas are parsed by a whitelist (:func:`parse`), never evaluated as Python. Names load on
first use, so ``import sgverify.audit`` stays cheap.

Examples
--------
>>> from sgverify import audit
>>> r = audit.audit("1/(beta*abs(v)+1)**2", {"beta": 10})
>>> r.verdict, r.area_symbolic, r.family
('rescaled density', '1/5', 'fast-sigmoid')
>>> audit.audit("alpha/2*exp(-alpha*abs(v))", {"alpha": 2}).verdict
'density'
>>> audit.audit("where(v >= 0, k, leak)", {"k": 1, "leak": 0}).verdict
'not a density'
>>> import numpy as np
>>> audit.audit(lambda v: np.maximum(0.0, 1.0 - np.abs(v))).family
'triangular'
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

__all__ = [
    "AREA_ERROR_TOL",
    "AREA_TOL",
    "CALLABLE_SECONDS",
    "CATALOGUE",
    "FUNCTIONS",
    "LIBRARIES",
    "LIMITS",
    "MATCH_TOL",
    "VERDICTS",
    "WORK_CAPS",
    "AuditResult",
    "AutogradSurrogate",
    "CatalogueEntry",
    "Formula",
    "audit",
    "audit_catalogue",
    "audit_entry",
    "cli_audit",
    "from_jax",
    "from_torch",
    "is_jax_spike_fn",
    "is_torch_spike_fn",
    "jax_surrogate",
    "parse",
    "save_plot",
    "torch_surrogate",
]

_LAZY = {
    "AREA_ERROR_TOL": "_core", "AREA_TOL": "_core", "CALLABLE_SECONDS": "_subject",
    "MATCH_TOL": "_numerics", "VERDICTS": "_result", "WORK_CAPS": "_subject",
    "AuditResult": "_result", "audit": "_core", "FUNCTIONS": "_parse", "LIMITS": "_parse",
    "Formula": "_parse", "parse": "_parse", "CATALOGUE": "_catalogue",
    "LIBRARIES": "_catalogue", "CatalogueEntry": "_catalogue", "cli_audit": "_cli",
    "from_torch": "_autograd", "from_jax": "_autograd", "torch_surrogate": "_autograd",
    "jax_surrogate": "_autograd", "AutogradSurrogate": "_autograd",
    "is_torch_spike_fn": "_autograd", "is_jax_spike_fn": "_autograd", "save_plot": "_plot",
}


def __getattr__(name: str) -> Any:
    mod = _LAZY.get(name)
    if mod is None:
        raise AttributeError(f"module 'sgverify.audit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{mod}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


@functools.cache
def audit_entry(index: int) -> Any:
    """Audit ``CATALOGUE[index]`` (cached: the catalogue is fixed).

    The catalogue is the library's own, so SymPy gets its trusted budget
    (``cpu_budget=False``); the numerics are bounded by counts, so the result does not depend
    on how loaded the machine is.
    """
    from ._catalogue import CATALOGUE
    from ._core import audit

    e = CATALOGUE[index]
    return audit(e.formula, e.params, cpu_budget=False, label={
        "library": e.library, "name": e.name, "source": e.source, "note": e.note,
        "expected_verdict": e.expected, "expected_area": e.area, "version": e.version,
        "verified": e.verified})


def audit_catalogue() -> list[Any]:
    """Audit every catalogue entry, in catalogue order (results are cached per process).

    The list prints as verdict counts per library (each result prints on its own).

    Examples
    --------
    >>> from sgverify.audit import CATALOGUE
    >>> rs = audit_catalogue()
    >>> len(rs) == len(CATALOGUE)
    True
    >>> rs  # doctest: +ELLIPSIS
    <76 audit results: ... density, ...>
    """
    from ._catalogue import CATALOGUE
    from ._explain import AuditResults

    return AuditResults(audit_entry(i) for i in range(len(CATALOGUE)))
