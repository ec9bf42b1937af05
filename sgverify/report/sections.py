"""Report sections besides the claims: reproduced figures and the surrogate catalogue.

A figure or catalogue build that raises becomes an entry flagged ``failed`` with the reason
(the page shows it; :attr:`sgverify.report.ReportData.failures` lists it), so one broken part
never hides the rest and a command can still exit non-zero.

Examples
--------
>>> from sgverify.report.sections import collect_audit
>>> def broken():
...     raise RuntimeError("no catalogue")
>>> section = collect_audit(broken)
>>> section.available, section.failed, section.reason
(False, True, 'RuntimeError: no catalogue')
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from ..claims import jsonable

__all__ = ["AuditSection", "FigureEntry", "collect_audit", "collect_figures", "figure_entry"]


def _scalar(x: Any) -> bool:
    return x is None or isinstance(x, (str, int, float, bool))


@dataclass
class FigureEntry:
    """A reproduced paper figure (an inline PNG and its numbers), or why it is missing.

    ``failed`` is True when building the figure raised: the page shows the failure and
    :attr:`ReportData.failures` lists it, so a command can exit non-zero.
    """

    name: str
    available: bool
    failed: bool = False
    title: str = ""
    caption: str = ""
    reason: str = ""
    png_base64: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def __repr__(self) -> str:
        state = ("failed: " + self.reason[:80] if self.failed else "not available" if not
                 self.available else f"{len(self.png_base64) * 3 // 4 // 1024} KB PNG, "
                 f"{len(self.data)} numbers")
        return f"<FigureEntry {self.name}: {state}>"

    @property
    def key_numbers(self) -> list[tuple[str, Any]]:
        """The figure's top-level numbers and short strings (the rest is in its JSON)."""
        return [(k, v) for k, v in self.data.items()
                if _scalar(v) and not (isinstance(v, str) and len(v) > 80)][:12]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("png_base64")  # the picture lives in the HTML; the JSON keeps the numbers
        return d


@dataclass
class AuditSection:
    """The surrogate catalogue (``sgverify.audit.audit_catalogue()``), or why it is missing.

    ``failed`` is True when the catalogue build raised (listed in :attr:`ReportData.failures`).
    """

    available: bool
    reason: str = ""
    records: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    failed: bool = False

    def __repr__(self) -> str:
        if not self.available:
            return f"<AuditSection: {'failed' if self.failed else 'not available'}: " \
                   f"{self.reason[:80]}>"
        counts = ", ".join(f"{n} {v}" for v, n in self.verdict_counts.items())
        return f"<AuditSection: {len(self.records)} records ({counts})>"

    @property
    def verdict_counts(self) -> dict[str, int]:
        """Entries per audit verdict, when the records carry one."""
        out: dict[str, int] = {}
        for r in self.records:
            if isinstance(r.get("verdict"), str):
                out[r["verdict"]] = out.get(r["verdict"], 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"available": self.available, "failed": self.failed, "reason": self.reason,
                "records": self.records}


def _reason(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= 500 else text[:499] + "…"


def figure_entry(
    name: str, profile: str, reproduce: Callable[[str, str], Any] | None = None
) -> FigureEntry:
    """Reproduce one figure as a report entry; a missing or failing one is "not available".

    ``reproduce(name, profile)`` defaults to :func:`sgverify.figures.reproduce`; it must return
    an object with ``title``, ``caption``, ``data`` and a matplotlib ``figure``.
    """
    import base64
    import io

    if reproduce is None:
        from .. import figures as _figures

        reproduce = _figures.reproduce
    start = time.perf_counter()
    rep = None
    try:
        rep = reproduce(name, profile)
        buf = io.BytesIO()
        # 110 dpi keeps a multi-panel figure sharp on screen and the page a few MB at most
        rep.figure.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        png = base64.b64encode(buf.getvalue()).decode("ascii")
        entry = FigureEntry(name, True, title=str(getattr(rep, "title", "") or name),
                            caption=str(getattr(rep, "caption", "") or ""),
                            png_base64=png, data=jsonable(dict(rep.data)))
    except Exception as exc:  # the page shows the failure; ReportData.failures lists it
        entry = FigureEntry(name, False, failed=True, reason=_reason(exc),
                            data={"traceback": traceback.format_exc(limit=4)})
    finally:
        _close(rep)
    entry.seconds = time.perf_counter() - start
    return entry


def collect_figures(
    names: Iterable[str],
    profile: str,
    reproduce: Callable[[str, str], Any] | None = None,
    on_start: Callable[[str], None] | None = None,
) -> list[FigureEntry]:
    """Reproduce each named figure in turn with :func:`figure_entry`."""
    out = []
    for name in names:
        if on_start is not None:
            on_start(name)
        out.append(figure_entry(name, profile, reproduce))
    return out


def _close(rep: Any) -> None:
    fig = getattr(rep, "figure", None)
    if fig is not None:
        try:
            import matplotlib.pyplot as plt

            plt.close(fig)
        except Exception:  # closing is housekeeping; a figure not made by pyplot is fine
            pass


#: catalogue columns in the order a reader wants them, when the records have them
_AUDIT_COLUMNS = ("library", "name", "formula", "params", "parameters", "verdict", "area",
                  "factor", "family", "family_params", "nonnegative", "integrable", "peak")
_MAX_AUDIT_COLUMNS = 9
_AUDIT_INLINE = ("reason",)  # shown under the verdict, not as a column of its own


def collect_audit(provider: Callable[[], Iterable[Any]] | None = None) -> AuditSection:
    """Audit the surrogate catalogue; a missing or failing audit becomes "not available"."""
    try:
        if provider is None:
            from .. import audit as _audit

            provider = _audit.audit_catalogue
        records = [jsonable(r.to_dict() if hasattr(r, "to_dict") else r) for r in provider()]
        if not all(isinstance(r, dict) for r in records):
            raise TypeError("audit_catalogue() must return records with to_dict() -> dict")
    except Exception as exc:  # the page shows the failure; ReportData.failures lists it
        return AuditSection(False, reason=_reason(exc), failed=True)
    keys: list[str] = []
    for r in records:
        keys.extend(k for k in r if k not in keys)
    simple = [k for k in keys if all(_scalar(r.get(k)) or (isinstance(r.get(k), dict) and
                                     all(_scalar(v) for v in r[k].values())) for r in records)]
    ordered = [k for k in _AUDIT_COLUMNS if k in simple]
    ordered += [k for k in simple if k not in ordered and k not in _AUDIT_INLINE]
    return AuditSection(True, records=records, columns=ordered[:_MAX_AUDIT_COLUMNS])
