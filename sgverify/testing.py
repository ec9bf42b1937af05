"""Assertions for your own test suite: is my surrogate a density, is it my escape noise, does
a claim of the paper hold?

Each helper audits with :func:`sgverify.audit.audit` (formulas, NumPy callables, torch / JAX
spike functions alike), returns what it found when the assertion holds, and otherwise raises
:class:`AssertionError` with one readable paragraph: the area, where the surrogate is
negative, whether its integral converges, and which registered escape-noise family it is
closest to. With the pytest plugin (installed with sgverify) a test can also be marked
``@pytest.mark.sgverify_claim("escape.pdf-normalised")`` and use the fixtures
``sgverify_claim``, ``sgverify_audit`` and ``sgverify_profile``; see ``examples/``.

Examples
--------
>>> from sgverify import testing
>>> r = testing.assert_surrogate_is_density("beta/2*exp(-beta*abs(v))", {"beta": 3})
>>> r.family
'laplace'
>>> testing.assert_surrogate_is_density("1/(beta*abs(v)+1)**2", {"beta": 10})
Traceback (most recent call last):
...
AssertionError: the surrogate 1/(beta*abs(v)+1)**2 (beta=10) is not a probability density: ...
>>> from sgverify import escape
>>> _ = testing.assert_matches_escape_noise("1/(beta*abs(v)+1)**2",
...                                         escape.FastSigmoid(beta=10), {"beta": 10},
...                                         rescaled=True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "assert_claim",
    "assert_matches_escape_noise",
    "assert_surrogate_is_density",
    "nearest_families",
]


def _audit(surrogate: Any, params: Mapping[str, float] | None, kw: dict[str, Any]) -> Any:
    from .audit import audit

    return audit(surrogate, params, **kw)


def _name(r: Any) -> str:
    prm = ", ".join(f"{k}={v:g}" for k, v in r.params.items())
    return f"{r.formula} ({prm})" if prm else r.formula


def nearest_families(r: Any, n: int = 3) -> list[tuple[str, dict[str, float], float]]:
    """The registered escape-noise families closest to an audited surrogate's normalised
    shape: ``(name, parameters, max |p - f'| / max f')``, best first (same peak height,
    aligned at the surrogate's centre)."""
    from .audit._numerics import _candidate, _families

    area = r.area if r.area else (r.factor or None)
    if area is None or not r.peak or not math.isfinite(r.peak) or r._g is None:
        return []
    w = r.width if r.width and math.isfinite(r.width) else 1.0
    x = r.peak_at + w * np.linspace(-30, 30, 6001)
    p = r.density(x) / area
    out = []
    for cls in _families():
        fam = _candidate(cls, r.peak / area)
        if fam is None:
            continue
        shift = r.peak_at - float(getattr(fam, "mode", 0.0))
        with np.errstate(all="ignore"):
            err = float(np.nanmax(np.abs(p - fam.pdf(x - shift))) / (r.peak / area))
        out.append((fam.name, {k: float(v) for k, v in fam.params.items()}, err))
    return sorted(out, key=lambda t: t[2])[:n]


def _closest(r: Any) -> str:
    if r.family is not None:
        prm = ", ".join(f"{k}={v:.6g}" for k, v in (r.family_params or {}).items())
        shift = f", shifted to v = {r.family_shift:.6g}" if r.family_shift else ""
        return f" Normalised, it is the {r.family} family ({prm}{shift})."
    near = nearest_families(r, 1)
    if not near:
        return ""
    name, prm, err = near[0]
    p = ", ".join(f"{k}={v:.4g}" for k, v in prm.items())
    return (f" The closest registered escape-noise family is {name} ({p}, same peak height), "
            f"which differs from it by {err:.3g} of the peak.")


def _why(r: Any) -> str:
    """What the audit found, as a clause."""
    if r.verdict == "rescaled density":
        return (f"it is nonnegative and integrable but its area is {r.area:.6g}, not 1 (a "
                f"rescaled density: divide it by {r.area:.6g}, or pass rescaled=True to "
                "accept a positive multiple of a density)")
    if r.verdict == "inconclusive":
        return f"the audit could not establish it ({r.reason})"
    if not r.nonnegative and math.isfinite(r.min_value):
        tail = (f"; also {r.reason.split(' and ', 1)[1]}" if " and not integrable" in r.reason
                else "")
        return (f"it is negative somewhere: its minimum is {r.min_value:.4g} at "
                f"v = {r.min_at:.6g}, and a density is never negative{tail}")
    return r.reason.replace("not integrable:", "its integral diverges:", 1)


def assert_surrogate_is_density(
    surrogate: Any,
    params: Mapping[str, float] | None = None,
    *,
    rescaled: bool = False,
    **audit_kw: Any,
) -> Any:
    """Assert that a surrogate derivative is a probability density (area 1, nonnegative).

    Parameters
    ----------
    surrogate
        A formula, a callable of ``v`` or a torch / JAX spike function.
    params
        The formula's parameters (or the callable's keyword arguments).
    rescaled
        Also accept a positive multiple of a density (the right direction of the SPM
        gradient with a scaled magnitude).
    audit_kw
        Passed to :func:`sgverify.audit.audit` (``kinks``, ``support``, ``timeout``...).

    Returns
    -------
    AuditResult
        The audit, for further checks.
    """
    r = _audit(surrogate, params, audit_kw)
    if r.verdict == "density" or (rescaled and r.verdict == "rescaled density"):
        return r
    want = "a positive multiple of a probability density" if rescaled else \
        "a probability density"
    raise AssertionError(f"the surrogate {_name(r)} is not {want}: {_why(r)}.{_closest(r)}")


def _family_object(family: Any) -> tuple[Any, str]:
    """(an escape-noise instance or class, its description) from what the user gave."""
    from . import escape

    if isinstance(family, str):
        return None, family
    if isinstance(family, type):
        return family, getattr(family, "name", family.__name__)
    if hasattr(family, "dist") and hasattr(family, "pdf") and not hasattr(family, "params"):
        from_scipy = getattr(escape, "from_scipy", None)
        if from_scipy is None:
            raise TypeError("family: scipy.stats distributions need sgverify.escape.from_scipy")
        fam = from_scipy(family)
        return fam, repr(fam)
    if hasattr(family, "pdf"):
        return family, repr(family)
    raise TypeError(f"family must be an escape-noise family (instance, class or name) or a "
                    f"frozen scipy.stats distribution, got {type(family).__name__}")


def assert_matches_escape_noise(
    surrogate: Any,
    family: Any,
    params: Mapping[str, float] | None = None,
    *,
    rescaled: bool = False,
    tol: float = 1e-7,
    **audit_kw: Any,
) -> Any:
    """Assert that a surrogate derivative is the matched SD of the given escape noise.

    Parameters
    ----------
    surrogate, params, audit_kw
        As in :func:`assert_surrogate_is_density`.
    family
        An escape-noise instance (``escape.Sigmoid(beta=4)``: that exact member), a family
        name or class (``"sigmoid"``: any member), or a frozen ``scipy.stats`` distribution.
    rescaled
        Compare the normalised surrogate (accept a positive multiple of the density).
    tol
        Largest ``max |SD/area - f'| / max f'`` accepted for an exact member.
    """
    r = assert_surrogate_is_density(surrogate, params, rescaled=rescaled, **audit_kw)
    target, desc = _family_object(family)
    if isinstance(family, (str, type)):
        name = family if isinstance(family, str) else getattr(family, "name", None)
        if r.family == name:
            return r
        raise AssertionError(f"the surrogate {_name(r)} is a density but not of the {name} "
                             f"family.{_closest(r)}")
    area = r.area if r.area else 1.0
    w = r.width if r.width and math.isfinite(r.width) else 1.0
    x = np.unique(np.concatenate([r.peak_at + w * np.linspace(-30, 30, 12001),
                                  np.asarray(r.breakpoints, dtype=np.float64)]))
    ref = target.pdf(x)
    keep = np.ones(x.size, dtype=bool)
    for k in getattr(target, "kinks", ()):  # a jump of the density: skip rounding-close points
        keep &= np.abs(x - k) > 1e-9 * w
    for k in r.breakpoints:
        keep &= np.abs(x - k) > 1e-9 * w
    diff = np.abs(r.density(x) / area - ref)[keep]
    top = float(np.max(ref))
    i = int(np.argmax(diff))
    err = float(diff[i]) / top
    if err <= tol:
        return r
    at = float(x[keep][i])
    scale = f" (normalised by its area {area:.6g})" if rescaled and area != 1.0 else ""
    raise AssertionError(f"the surrogate {_name(r)} is a density but not the density of "
                         f"{desc}: they differ by up to {err:.3g} of that density's peak, at "
                         f"v = {at:.6g}{scale}.{_closest(r)}")


def assert_claim(claim_id: str, profile: str = "dev") -> Any:
    """Assert that a claim of the paper (``sgverify list``) gets its expected verdict under
    ``profile`` (dev, ci or thorough); returns its :class:`sgverify.claims.Result`.

    Examples
    --------
    >>> assert_claim("single-neuron.expected-output").status
    'confirmed'
    """
    from . import claims

    if not isinstance(claim_id, str):
        raise TypeError(f"claim_id must be a claim id string, got {type(claim_id).__name__}")
    try:
        claim = claims.get(claim_id)
    except ValueError as exc:
        raise ValueError(f"claim_id: {exc}") from None
    res = claims.verify(claim, profile)
    if res.ok:
        return res
    ev = res.evidence.to_dict() if hasattr(res.evidence, "to_dict") else dict(res.evidence)
    detail = ""
    if ev.get("error"):
        detail = f" The check raised: {ev['error']}."
    elif isinstance(ev.get("worst_ratio"), (int, float)):
        detail = (f" Its worst check used {ev['worst_ratio']:.3g} times its tolerance "
                  f"({res.claim.tolerance.why[:200]}).")
    raise AssertionError(f"claim {claim_id} ({res.claim.statement}) is {res.status} under the "
                         f"{res.profile} profile, not {res.claim.expected}.{detail} Rerun it "
                         f"with `sgverify check {claim_id} --profile {res.profile}` for the "
                         "evidence.")
