"""What every figure module shares: the figure's data record, profiles, JSON-friendly numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["PROFILES", "FigureData", "check_profile", "describe", "json_number"]

#: the profiles a figure accepts (as the claims: dev, ci, thorough)
PROFILES = ("dev", "ci", "thorough")


def check_profile(profile: str) -> str:
    """``profile`` if it is one of :data:`PROFILES`; a ValueError naming it otherwise."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}; got {profile!r}")
    return profile


def json_number(x: float) -> int | float:
    """JSON-friendly number: integral values as ints (``beta: 100``, not ``100.0``)."""
    x = float(x)
    return int(x) if x.is_integer() else x


@dataclass
class FigureData:
    """What a figure's ``compute(profile)`` returns and its ``plot(data)`` draws.

    Attributes
    ----------
    numbers
        The figure's numbers, JSON-ready: exactly what ``sgverify reproduce NAME --json``
        writes and the report shows.
    arrays
        Curves and grids the plot draws besides (not part of the JSON).
    profile
        The profile the numbers were computed under.
    """

    numbers: dict[str, Any]
    arrays: dict[str, Any] = field(default_factory=dict)
    profile: str = "dev"

    def __repr__(self) -> str:
        return (f"<FigureData ({self.profile}): numbers {describe(self.numbers)}; "
                f"arrays {describe(self.arrays)}>")


def describe(d: dict[str, Any], limit: int = 8) -> str:
    """The keys of a dict with the shape or length of each value, on one line."""
    parts = []
    for k, v in list(d.items())[:limit]:
        shape = getattr(v, "shape", None)
        if shape is not None:
            parts.append(f"{k} {'x'.join(map(str, shape))}")
        elif isinstance(v, (list, tuple, dict)):
            parts.append(f"{k} [{len(v)}]")
        else:
            parts.append(f"{k}={v!r}" if len(repr(v)) <= 24 else k)
    more = f", +{len(d) - limit} more" if len(d) > limit else ""
    return "{" + ", ".join(parts) + more + "}"
