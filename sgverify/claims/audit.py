"""Claims about the surrogate audit (extension: docs/theory.md §2's 'SD = f'' made a tool)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from .. import audit as A
from .. import escape, reference
from .. import strategies as sst
from .. import symbols as S
from ._evidence import jsonable, outcome_dict
from ._headlines import audit as _hl
from ._record import Claim, Example, Outcome, Tolerance

__all__ = ["CATALOGUE_PARTS", "CLAIMS", "FAMILY_FORMULAS", "catalogue_part",
           "catalogue_records", "entries_of", "provided_catalogue"]

PROOF = "proofs/audit.py"

#: each atlas family's matched SD written by hand in the audit's formula language
FAMILY_FORMULAS: dict[str, str] = {
    "sigmoid": "beta*exp(-beta*v)/(1 + exp(-beta*v))**2",
    "fast-sigmoid": "beta/(2*(1 + beta*abs(v))**2)",
    "gaussian": "beta/sqrt(2*pi)*exp(-beta**2*v**2/2)",
    "arctan": "beta/(pi*(1 + beta**2*v**2))",
    "laplace": "beta/2*exp(-beta*abs(v))",
    "uniform": "where(abs(v) < 1/(2*beta), beta, 0)",
    "triangular": "max(beta - beta**2*abs(v), 0)",
    "exponential": "where(v < -delta_u*log(p0), p0/delta_u*exp(v/delta_u), 0)",
}

_WHY_ROUND = (
    "ratios of four sub-checks, each <= 1: verdict 'density' and the same family (exact); "
    f"|area - 1| <= {A.AREA_TOL:g} (mpmath quadrature at 20 digits with breakpoints at every "
    f"kink is accurate to ~1e-15; the bound only allows for the float64 parameters); family "
    f"parameter relative error <= {A.MATCH_TOL:g} (read off the peak of a float64 grid and the "
    f"area: ~1e-14, margin for steep families); implied CDF vs the family's CDF within "
    f"{1e-12:g} absolute at 5 points (quadrature at 20 digits vs a float64 CDF, whose "
    f"rounding is ~1e-16; 1e-12 allows for the parameter's read-off error times the density); "
    f"NumPy vs SymPy twin within {1e-12:g} of the peak (a few float64 roundings, ~1e-15, "
    f"amplified at most ~60x by exp at |beta v| <= 60)"
)
#: the claim's bound (the implied CDF equals the family's); the why states all four sub-bounds
_CDF_TOL = Tolerance(1e-12, _WHY_ROUND)
_AREA_ONE = Tolerance(A.AREA_TOL, "|area - 1| of a normalised family: mpmath quadrature at 20 "
                      "digits with breakpoints at every kink is accurate to ~1e-15; the bound "
                      "only allows for the float64 parameters")
_PARAM_TOL = Tolerance(A.MATCH_TOL, "the family parameter's relative error: read off the peak "
                       "of a float64 grid and the area, ~1e-14, margin for steep families")
_TWIN_TOL = Tolerance(1e-12, "NumPy vs SymPy twin relative to the peak: a few float64 "
                      "roundings, ~1e-15, amplified at most ~60x by exp at |beta v| <= 60")
#: the catalogue claim's bound: areas within 1e-12 relative of the hand-derived value
_AREA_TOL = Tolerance(1e-12, "verdict and flags exact; areas within 1e-12 relative of the "
                      "hand-derived exact value: 20- and 30-digit tanh-sinh quadrature with "
                      "breakpoints at every kink reach ~1e-15 on these piecewise analytic "
                      "integrands, float64 defaults are short decimals; the NumPy/SymPy twins "
                      "within 1e-12 of the peak (as in audit.atlas-round-trip); SymPy's exact "
                      "area, when found, equal to the hand-derived one exactly; the summary "
                      "reports the slowest audit's CPU time but does not judge it "
                      "(benchmarks/audit.md measures speed)")


def _pinned(cls: type[escape.EscapeNoise]) -> escape.EscapeNoise:
    if cls not in escape.FAMILIES:  # a registered family: its documented example member
        return cls.example()
    return escape.Exponential(0.5, 0.5) if cls is escape.Exponential else cls(2.0)


def _formula(esc: escape.EscapeNoise) -> tuple[str, dict[str, float]]:
    """A built-in family's hand-written formula; a registered family's SymPy twin, printed."""
    if esc.name in FAMILY_FORMULAS:
        return FAMILY_FORMULAS[esc.name], esc.params
    return (str(esc.pdf_expr(symbolic=True)),
            {str(sym): esc.values[k] for k, sym in esc.symbols.items()})


def _round_trip(point: tuple[escape.EscapeNoise, bool], ctx: Any) -> Outcome:
    esc, symbolic = point
    # the library's own formula: no CPU budget, so the verdict cannot depend on load
    formula, params = _formula(esc)
    r = A.audit(formula, params, symbolic=symbolic, cpu_budget=False)
    same = r.verdict == "density" and r.family == esc.name
    checks = {"verdict_and_family": Outcome.check(same,
                                            {"verdict": r.verdict, "family": r.family,
                                             "reason": r.reason})}
    if r.area is not None:
        checks["area_is_1"] = _AREA_ONE.check(abs(r.area - 1.0), area=r.area)
    checks["numpy_vs_sympy"] = _twins(r)
    if same:
        rel = max(abs(r.family_params[k] - x) / abs(x) for k, x in esc.params.items())
        checks["parameter"] = _PARAM_TOL.check(rel, found=r.family_params, true=esc.params)
        w = r.width if r.width and math.isfinite(r.width) else esc.scale
        vs = [r.peak_at + k * w for k in (-3, -0.5, 0.0, 0.5, 3)]
        # F(v) accumulated over consecutive intervals (one pass from -inf, not five)
        pieces = [r._integral(a, b, dps=20)
                  for a, b in zip([-math.inf, *vs[:-1]], vs, strict=True)]
        implied = np.cumsum(pieces) / r.area
        exact = esc.cdf(np.array(vs))
        checks["cdf_numeric"] = _CDF_TOL.check(float(np.max(np.abs(implied - exact))),
                                               v=vs, implied=implied, family=exact)
        if r.cdf_symbolic is not None:
            f = sp.lambdify(S.v, sp.sympify(r.cdf_symbolic, locals={"v": S.v}), "mpmath")
            with reference.workdps(30):
                sym = np.array([float(f(reference.to_mp(v))) for v in vs])
            checks["cdf_symbolic"] = _CDF_TOL.check(float(np.max(np.abs(sym - exact))),
                                                    cdf=r.cdf_symbolic)
    return Outcome.all_of(checks, family=repr(esc), seconds=r.seconds)




def _twins(r: A.AuditResult) -> Outcome:
    """The audit's NumPy form (built from the syntax tree) against the mpmath evaluation of
    its SymPy form, relative to the peak, on ~100 points across the bump."""
    twin = r.checks.get("numpy_vs_sympy", {})
    return _TWIN_TOL.check(twin.get("max_rel_error", math.inf), **twin)


#: a run audits and checks the catalogue in this many tasks (entries ``k, k + parts, ...``),
#: which its workers share; the claim's own task then only reads their results
CATALOGUE_PARTS = 6
#: entries computed by :func:`catalogue_part` in this or another process, by index
_PROVIDED: dict[int, Mapping[str, Any]] = {}


def catalogue_part(part: int, parts: int = CATALOGUE_PARTS) -> dict[str, Any]:
    """Audit and check the catalogue entries ``part, part + parts, ...`` (JSON).

    One task of a run: the parts spread the catalogue over the workers, and the
    ``audit.catalogue`` claim reads them (:func:`provided_catalogue`) instead of auditing
    each entry again, with the same evidence as when it audits them itself.

    Examples
    --------
    >>> part = catalogue_part(0, parts=40)
    >>> [(e["index"], e["record"]["name"], e["outcome"]["holds"]) for e in part["entries"]]
    [(0, 'atan', True), (40, 'SuperSpike_MemClamp', True)]
    """
    if not (isinstance(parts, int) and parts >= 1):
        raise ValueError(f"parts must be a positive integer, got {parts!r}")
    if not (isinstance(part, int) and 0 <= part < parts):
        raise ValueError(f"part must be an integer in [0, {parts}), got {part!r}")
    entries = []
    for i in range(part, len(A.CATALOGUE), parts):
        out = _catalogue_eval(i, None)
        entries.append({"index": i, "record": jsonable(A.audit_entry(i).to_dict()),
                        "outcome": outcome_dict(out)})
    return {"entries": entries}


@contextlib.contextmanager
def provided_catalogue(parts: Iterable[Mapping[str, Any]]) -> Iterator[None]:
    """Within the block, the catalogue claim reads the entries of these
    :func:`catalogue_part` results instead of computing them."""
    got = entries_of(parts)
    _PROVIDED.update(got)
    try:
        yield
    finally:
        for i in got:
            _PROVIDED.pop(i, None)


def entries_of(parts: Iterable[Mapping[str, Any]]) -> dict[int, Mapping[str, Any]]:
    """The entries of :func:`catalogue_part` results, by catalogue index."""
    return {int(e["index"]): e for part in parts for e in part["entries"]}


def catalogue_records(entries: Mapping[int, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every catalogue entry's audit record (JSON), in catalogue order: read from ``entries``
    (by index, as :func:`entries_of` gives them) when they cover the catalogue, else
    audited here."""
    n = len(A.CATALOGUE)
    if all(i in entries for i in range(n)):
        return [dict(entries[i]["record"]) for i in range(n)]
    return [jsonable(r.to_dict()) for r in A.audit_catalogue()]


def _catalogue_eval(index: int, ctx: Any) -> Outcome:
    if index in _PROVIDED:
        return Outcome.from_dict(_PROVIDED[index]["outcome"])
    e = A.CATALOGUE[index]
    r = A.audit_entry(index)
    ok = r.verdict == e.expected
    checks = {"verdict": Outcome.check(ok,
                                 {"found": r.verdict, "expected": e.expected,
                                  "reason": r.reason})}
    if r.checks.get("numpy_vs_sympy"):
        checks["numpy_vs_sympy"] = _twins(r)
    if e.area is not None and r.area_symbolic is not None:
        same = sp.simplify(sp.sympify(r.area_symbolic) - sp.sympify(e.area)) == 0
        checks["area_symbolic_exact"] = Outcome.check(same,
                                                {"sympy": r.area_symbolic, "hand": e.area})
    if e.area is not None:
        exact = float(sp.N(sp.sympify(e.area), 30))
        if r.area is None:
            checks["area"] = Outcome.check(False, {"expected": e.area, "found": None})
        else:
            # an independent 30-digit quadrature of the audited function (30 digits where it
            # is evaluated in mpmath; its far tails, evaluated in float64, to float64's)
            hp = r._integral(-math.inf, math.inf, dps=30)
            checks["area_audit"] = _AREA_TOL.check(abs(r.area - exact) / exact,
                                                   found=r.area, expected=e.area)
            checks["area_30_digits"] = _AREA_TOL.check(abs(hp - exact) / exact,
                                                       quad_30=hp, expected=e.area)
    else:
        checks["flagged_not_integrable"] = Outcome.check(r.integrable is False,
            {"integrable": r.integrable, "tails": r.tails})
    if "sign-changing" in e.tags:
        checks["flagged_negative"] = Outcome.check(not r.nonnegative,
                                                   {"min": r.min_value, "at": r.min_at})
    if "offset" in e.tags:
        off = any(d.startswith("tends to") for d in r.tails.values())
        checks["flagged_offset"] = Outcome.check(off, {"tails": r.tails})
    return Outcome.all_of(checks, library=e.library, name=e.name, seconds=r.seconds)


def _catalogue_summary(ctx: Any) -> Outcome:
    n = len(A.CATALOGUE)
    records = catalogue_records(_PROVIDED)
    table: dict[str, dict[str, int]] = {}
    slowest = 0.0
    for r in records:
        row = table.setdefault(r["library"], {})
        row[r["verdict"]] = row.get(r["verdict"], 0) + 1
        cpu = r.get("cpu_seconds")
        slowest = max(slowest, cpu if isinstance(cpu, float) else math.nan)
    # every entry audited to one of the three verdicts; speed is reported, not judged here
    # (it depends on the machine's load: benchmarks/audit.md measures it)
    unaudited = n - sum(r["verdict"] in _VERDICTS for r in records)
    return Outcome.check(unaudited == 0, unaudited=unaudited, verdicts_by_library=table,
                         slowest_cpu_seconds=slowest, entries=n, records=records)


_VERDICTS = ("density", "rescaled density", "not a density")


CLAIMS = (
    Claim(
        id="audit.atlas-round-trip",
        headline=_hl.round_trip,
        cost=5,  # seconds under dev: scheduling only
        kind="for-all",
        statement="The matched surrogate derivative of every atlas family, written as a "
                  "formula, audits as a density of that family with its parameter, and its "
                  "implied escape-noise CDF equals the family's CDF.",
        formula=r"\mathrm{audit}(f'_\beta) = (\text{density}, f, \beta),\quad "
                r"\int_{-\infty}^{v} f'_\beta = f_\beta(v)",
        source="extension; theory 8.1",
        tolerance=_CDF_TOL,
        evaluate=_round_trip,
        points=lambda ctx: st.tuples(sst.escapes(sst.density_families, min_beta=0.2,
                                                 max_beta=50.0), st.just(False)),
        examples=tuple(Example(c.name, (_pinned(c), True)) for c in sst.density_families),
        uses=("escape.pdf-normalised", "escape.pdf-is-cdf-derivative"),
        proof=PROOF,
        limitations="Families are recognised at their own parameterisation, centred at the "
                    "threshold (or shifted, reported separately); a density that is no atlas "
                    "family (e.g. Student t) is reported as such. The Hypothesis search runs "
                    "the numeric audit only; the symbolic primitive is checked on the pinned "
                    "examples. Nonnegativity is checked on a dense grid (plus every feature "
                    "the formula names), not proved. The audit's numerics are bounded by "
                    "counted work, so the verdict is a function of the formula only; SymPy's "
                    "exact area (cpu_budget=False: a 60 s CPU bound, >15x the slowest it needs "
                    "on any library formula) is reported and checked, never used for the "
                    "verdict.",
    ),
    Claim(
        id="audit.catalogue",
        headline=_hl.catalogue,
        cost=15,  # seconds under dev: scheduling only
        kind="for-all",
        statement="Every surrogate in the library catalogue gets its hand-derived verdict: "
                  "densities and rescaled densities with their exact area (checked by "
                  "30-digit quadrature), and the non-integrable, constant-offset and "
                  "sign-changing ones flagged as not the density of any noise.",
        formula=r"\int_{-\infty}^{\infty} SD(v)\,dv = c,\quad SD \ge 0",
        source="extension; theory 8.2",
        tolerance=_AREA_TOL,
        evaluate=_catalogue_eval,
        examples=tuple(Example(f"{e.library} {e.name}", i) for i, e in enumerate(A.CATALOGUE)),
        summary=_catalogue_summary,
        uses=("audit.atlas-round-trip",),
        proof=PROOF,
        limitations="Formulas restate each library's backward pass at its default "
                    "parameters in its neuron's threshold convention (each entry names the "
                    "release, and whether it was checked by executing it: "
                    "docs/catalogue-conformance.md); a random surrogate (snnTorch SSO) enters "
                    "as its expectation; data-dependent ones (stork SuperSpike_norm) are not "
                    "included. "
                    "The audit's numerics are bounded by counted work and SymPy's exact area "
                    "(cpu_budget=False: 60 s of CPU, >15x the slowest it needs here) never "
                    "decides a verdict, so verdicts and the exact areas checked do not depend "
                    "on load; speed is measured in benchmarks/audit.md, not judged.",
    ),
)
