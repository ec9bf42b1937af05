"""Monte Carlo against exact values: the exact-variance z-check and its conventions (theory 8.4).

A mean of ``n`` samples passes when

    |mean - exact| <= Z sqrt(Var_exact / n) + rounding

with the EXACT variance from the enumerable model (never the sample variance) and
``Z = 6.0``, a two-sided false-alarm rate of :data:`FALSE_ALARM` per comparison; with at most
~500 comparisons per claim the claim-level false-alarm rate stays below 1e-6 (Bonferroni).
Every comparison reports its minimum detectable bias at 90 % power.

Examples
--------
>>> from sgverify import statistics
>>> round(statistics.Z, 2)
6.0
>>> mc = statistics.mean_check(0.251, 0.25, 0.25 * 0.75, 10_000)
>>> mc.holds, round(mc.min_detectable_bias, 4)
(True, 0.0315)
>>> statistics.mean_check(0.30, 0.25, 0.25 * 0.75, 10_000).holds
False
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

# scipy.special, not scipy.stats (0.6 s to import in every worker): norm.isf(q) is
# -ndtri(q) and norm.sf(z) is ndtr(-z) in SciPy, bit for bit
from scipy.special import ndtr, ndtri

__all__ = ["EPS", "FALSE_ALARM", "MC_WHY", "POWER_Z", "MeanCheck", "Z", "mean_check"]

EPS = float(np.finfo(np.float64).eps)

#: two-sided false-alarm rate of ONE Monte Carlo comparison; with at most ~500 comparisons
#: per claim (pinned examples plus the thorough profile's search) the claim-level false-alarm
#: rate stays below 1e-6 (Bonferroni)
FALSE_ALARM = 2e-9
#: the z-bound for :data:`FALSE_ALARM` (about 6.0)
Z = float(-ndtri(FALSE_ALARM / 2))
#: the extra z for 90 % power in the minimum detectable bias
POWER_Z = float(-ndtri(0.10))

MC_WHY = (
    f"Monte Carlo mean vs exact value: |mean - exact| <= z sd/sqrt(n) with the EXACT sd and "
    f"z = {Z:.2f}, a two-sided false-alarm rate of {FALSE_ALARM:g} per comparison "
    f"(< 1e-6 per claim by Bonferroni over <= 500 comparisons)"
)


@dataclass(frozen=True)
class MeanCheck:
    """One Monte Carlo comparison: a sample mean against its exact value.

    Attributes
    ----------
    mean, exact
        The sample mean and the exact expectation.
    exact_var
        The exact variance of one sample.
    samples
        The sample size ``n``.
    z
        The z-bound the comparison used.
    rounding
        The float64 rounding allowance added to ``z sd`` (all that is left when the variance
        is zero); a caller may add a derived floor of its own (``floor``).
    floor
        An extra allowance for rounding of the exact side that the caller derived.
    """

    mean: float
    exact: float
    exact_var: float
    samples: int
    z: float
    rounding: float
    floor: float = 0.0

    @property
    def sd(self) -> float:
        """The exact standard deviation of the mean, ``sqrt(Var_exact / n)``."""
        return math.sqrt(max(self.exact_var, 0.0) / self.samples)

    @property
    def error(self) -> float:
        """``|mean - exact|``."""
        return abs(self.mean - self.exact)

    @property
    def bound(self) -> float:
        """``z sd + rounding + floor``: the largest error a correct estimator shows."""
        return self.z * self.sd + self.rounding + self.floor

    @property
    def holds(self) -> bool:
        """True when the error is within the bound (NaN never holds)."""
        return bool(self.error <= self.bound)

    @property
    def min_detectable_bias(self) -> float:
        """The bias detected with 90 % power: ``(z + z_0.9) sd``."""
        return (self.z + POWER_Z) * self.sd

    @property
    def false_alarm(self) -> float:
        """The two-sided false-alarm rate of the z-bound."""
        return FALSE_ALARM if self.z == Z else float(2 * ndtr(-self.z))

    def to_dict(self) -> dict[str, Any]:
        """The record and its derived numbers as JSON-ready floats."""
        return {**asdict(self), "error": self.error, "bound": self.bound,
                "min_detectable_bias": self.min_detectable_bias,
                "false_alarm": self.false_alarm}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MeanCheck:
        """The inverse of :meth:`to_dict` (derived numbers are recomputed)."""
        return cls(float(d["mean"]), float(d["exact"]), float(d["exact_var"]),
                   int(d["samples"]), float(d["z"]), float(d["rounding"]),
                   float(d.get("floor", 0.0)))


def mean_check(mean: float, exact: float, exact_var: float, n: int, *, scale: float = 1.0,
               z: float = Z, floor: float = 0.0) -> MeanCheck:
    """Compare a Monte Carlo mean with its exact value using the exact variance.

    The bound is ``z * sqrt(exact_var / n)`` plus float64 rounding, which is all that is
    left when the variance is (nearly) zero: ``8 log2(n) eps |mean|`` for the pairwise sum
    of ``n`` samples, and ``64 eps scale`` for the exact value, itself a sum of terms of
    magnitude ``scale`` (1 for probabilities and O(1) gradients; a residue like 1e-18 of an
    exact 0 is rounding, not bias), plus any ``floor`` the caller derived.

    Parameters
    ----------
    mean, exact
        The sample mean and the exact expectation.
    exact_var
        The exact variance of ONE sample.
    n
        The number of samples (>= 1).
    scale
        The magnitude of the terms summed into ``exact``.
    z
        The z-bound; :data:`Z` (false-alarm rate :data:`FALSE_ALARM`) unless a claim's
        tolerance says otherwise.
    floor
        A derived allowance for rounding on the exact side, added to the bound.
    """
    n = int(n)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    mean, exact = float(mean), float(exact)
    rounding = (8 * math.log2(max(n, 2)) * EPS * max(abs(exact), abs(mean))
                + 64 * EPS * scale)
    return MeanCheck(mean, exact, float(exact_var), n, float(z), rounding, float(floor))
