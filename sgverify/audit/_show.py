"""Rich tables of audit results (the ``sgverify audit`` terminal output)."""

from __future__ import annotations

from typing import Any

__all__ = ["print_catalogue", "print_one"]

_STYLE = {"density": "green", "rescaled density": "yellow", "not a density": "red",
          "inconclusive": "magenta"}


def _fmt(x: Any, digits: int = 6) -> str:
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


def print_one(r: Any) -> None:
    """One audit as a two-column table."""
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"audit of {r.formula}", show_header=False)
    t.add_column("quantity", style="bold")
    t.add_column("value", overflow="fold")
    fam = "-" if r.family is None else f"{r.family} {r.family_params}" + (
        f" shifted by {r.family_shift:g}" if r.family_shift else "")
    sing = "; ".join(f"{s['kind']} at v = {s['at']:.6g}" for s in r.singularities) or "-"
    rows = [
        ("verdict", f"[{_STYLE[r.verdict]}]{r.verdict}[/]"), ("reason", r.reason),
        ("surrogate", r.kind),
        ("factor", _fmt(r.factor)), ("params", _fmt(r.params or "-")),
        ("nonnegative", f"{_fmt(r.nonnegative)} (min {_fmt(r.min_value)} at v = {_fmt(r.min_at)})"),
        ("integrable", f"{_fmt(r.integrable)} (tails: {r.tails})"),
        ("area", f"{_fmt(r.area, 15)}"
         + (f" (error estimate {r.area_error:.2g})" if r.area_error is not None else "")
         + (f" (exact: {r.area_symbolic})" if r.area_symbolic else "")),
        ("breakpoints", ", ".join(f"{b:.6g}" for b in r.breakpoints) or "-"),
        ("singular points", sing),
        ("peak", f"{_fmt(r.peak)} at v = {_fmt(r.peak_at)}"),
        ("width (FWHM)", _fmt(r.width)),
        ("symmetric", f"{_fmt(r.symmetric)} (asymmetry {_fmt(r.asymmetry, 3)})"),
        ("atlas family", fam),
        ("implied CDF", "-" if r.cdf_method is None else
         (r.cdf_symbolic if r.cdf_symbolic else "numeric (normalised primitive by quadrature)")),
        ("CDF table", "  ".join(f"F({a:.3g})={b:.4f}" for a, b in r.cdf_table) or "-"),
        *[("note", n) for n in r.notes],
        ("seconds", f"{r.seconds:.3f}"),
    ]
    for k, val in rows:
        t.add_row(k, val)
    Console(highlight=False).print(t)


def print_catalogue(rs: list[Any]) -> None:
    """The catalogue's audits, one row each."""
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
