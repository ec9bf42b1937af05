"""Audit any surrogate derivative: the escape noise it implies, its normalisation, its verdict.

The paper's single-neuron result (docs/theory.md §2-3) says a surrogate derivative is the exact
SPM gradient when it is the density ``f'`` of the neuron's escape noise ``f``. Given an SD as
a formula in ``v = u - theta`` (or a NumPy callable), :func:`audit` reports whether it is
nonnegative and integrable, its area (high-precision quadrature; exact where SymPy finds
it), the implied escape-noise CDF (the normalised primitive), peak, width and symmetry, the
matching atlas family of :mod:`sgverify.escape`, and a verdict: ``density``, ``rescaled
density`` (with the factor) or ``not a density`` (with the reason).

:data:`CATALOGUE` holds the named surrogates of snnTorch, norse, SpikingJelly, stork,
braintools (BrainPy), lava-dl, sinabs and spyx; :func:`audit_catalogue` audits them all.

Formulas are parsed by a whitelist (:func:`parse`), never evaluated as Python.

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
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Mapping
from typing import Any

from ._catalogue import CATALOGUE, LIBRARIES, CatalogueEntry
from ._core import (
    AREA_ERROR_TOL,
    AREA_TOL,
    CALLABLE_SECONDS,
    MATCH_TOL,
    VERDICTS,
    WORK_CAPS,
    AuditResult,
    audit,
)
from ._parse import FUNCTIONS, LIMITS, Formula, parse

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
    "CatalogueEntry",
    "Formula",
    "audit",
    "audit_catalogue",
    "audit_entry",
    "cli_audit",
    "parse",
]


@functools.cache
def audit_entry(index: int) -> AuditResult:
    """Audit ``CATALOGUE[index]`` (cached: the catalogue is fixed).

    The catalogue is the library's own, so it is audited without the CPU budgets that
    guard against hostile user formulas (``cpu_budget=False``): its results must not depend
    on how loaded the machine is.
    """
    e = CATALOGUE[index]
    return audit(e.formula, e.params, cpu_budget=False, label={
        "library": e.library, "name": e.name, "source": e.source, "note": e.note,
        "expected_verdict": e.expected, "expected_area": e.area, "version": e.version,
        "verified": e.verified})


def audit_catalogue() -> list[AuditResult]:
    """Audit every catalogue entry, in catalogue order (results are cached per process).

    The list prints as verdict counts per library (each result prints on its own).

    Examples
    --------
    >>> rs = audit_catalogue()
    >>> len(rs) == len(CATALOGUE)
    True
    >>> rs  # doctest: +ELLIPSIS
    <76 audit results: ... density, ...>
    """
    from ._explain import AuditResults

    return AuditResults(audit_entry(i) for i in range(len(CATALOGUE)))


def _fmt(x: Any, digits: int = 6) -> str:
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


_STYLE = {"density": "green", "rescaled density": "yellow", "not a density": "red"}


def _print_one(r: AuditResult) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"audit of {r.formula}", show_header=False)
    t.add_column("quantity", style="bold")
    t.add_column("value", overflow="fold")
    fam = "-" if r.family is None else f"{r.family} {r.family_params}" + (
        f" shifted by {r.family_shift:g}" if r.family_shift else "")
    rows = [
        ("verdict", f"[{_STYLE[r.verdict]}]{r.verdict}[/]"), ("reason", r.reason),
        ("factor", _fmt(r.factor)), ("params", _fmt(r.params or "-")),
        ("nonnegative", f"{_fmt(r.nonnegative)} (min {_fmt(r.min_value)} at v = {_fmt(r.min_at)})"),
        ("integrable", f"{_fmt(r.integrable)} (tails: {r.tails})"),
        ("area", f"{_fmt(r.area, 15)}"
         + (f" (exact: {r.area_symbolic})" if r.area_symbolic else "")),
        ("peak", f"{_fmt(r.peak)} at v = {_fmt(r.peak_at)}"),
        ("width (FWHM)", _fmt(r.width)),
        ("symmetric", f"{_fmt(r.symmetric)} (asymmetry {_fmt(r.asymmetry, 3)})"),
        ("atlas family", fam),
        ("implied CDF", "-" if r.cdf_method is None else
         (r.cdf_symbolic if r.cdf_symbolic else "numeric (normalised primitive by quadrature)")),
        ("CDF table", "  ".join(f"F({a:.3g})={b:.4f}" for a, b in r.cdf_table) or "-"),
        ("seconds", f"{r.seconds:.3f}"),
    ]
    for k, val in rows:
        t.add_row(k, val)
    Console(highlight=False).print(t)


def _print_catalogue(rs: list[AuditResult]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"{len(rs)} library surrogates (defaults), audited")
    for col in ("library", "name", "verdict", "area", "family", "reason"):
        t.add_column(col, overflow="fold")
    for r in rs:
        fam = "-" if r.family is None else (
            f"{r.family}({', '.join(f'{k}={v:.4g}' for k, v in (r.family_params or {}).items())})")
        area = r.area_symbolic or _fmt(r.area)
        t.add_row(r.label.get("library", ""), r.label.get("name", ""),
                  f"[{_STYLE[r.verdict]}]{r.verdict}[/]", area, fam, r.reason)
    Console(highlight=False).print(t)


def cli_audit(
    formula: str | None,
    params: Mapping[str, float],
    *,
    catalogue: bool,
    json_path: str | None,
) -> int:
    """Back end of ``sgverify audit``: print a table, or write JSON (``'-'`` = stdout).

    Bad input raises ValueError with a one-line message (the CLI turns it into exit 2).
    """
    if catalogue:
        if formula:
            raise ValueError("give either a FORMULA or --catalogue, not both")
        if params:
            raise ValueError("--param does not apply to --catalogue")
        rs = audit_catalogue()
        data: Any = {"catalogue": [r.to_dict() for r in rs]}
    else:
        if not formula:
            raise ValueError("give a FORMULA or --catalogue")
        rs = [audit(formula, dict(params))]
        data = rs[0].to_dict()
    if json_path is None:
        (_print_catalogue if catalogue else lambda x: _print_one(x[0]))(rs)
        return 0
    if json_path == "-":
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        from .._io import atomic_write_json

        atomic_write_json(json_path, data)
    return 0
