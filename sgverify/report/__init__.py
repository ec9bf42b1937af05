"""The verification report: one self-contained HTML page of claim, evidence and verdict.

``sgverify report [--out DIR]`` (and ``pytest --sgverify-report DIR``) run the claims through
the registry, reproduce the paper's figures, audit the surrogate catalogue, and write
``DIR/index.html`` (inline CSS, SVG and MathML; no scripts, no external requests) and
``DIR/report.json`` (the same data), each atomically.

Examples
--------
>>> from sgverify import claims, report
>>> results = [claims.verify("escape.cdf-is-distribution")]
>>> data = report.build_report(results, profile="dev", seconds=1.0)
>>> data.display_counts["confirmed"]
1
>>> html = report.render_html(data)
>>> html.startswith("<!DOCTYPE html>") and 'id="claim-escape.cdf-is-distribution"' in html
True
"""

from __future__ import annotations

from .data import (
    AuditSection,
    ClaimEntry,
    FigureEntry,
    ReportData,
    build_report,
    collect_audit,
    collect_figures,
    propagate_status,
)
from .render import render_html, report_json, write_report

__all__ = [
    "AuditSection",
    "ClaimEntry",
    "FigureEntry",
    "ReportData",
    "build_report",
    "collect_audit",
    "collect_figures",
    "propagate_status",
    "render_html",
    "report_json",
    "write_report",
]
