"""The verification report: one self-contained HTML page of claim, evidence and verdict.

This package only turns results into a page: :func:`build_report` assembles claim results,
figures and the catalogue into :class:`ReportData`, :func:`render_html` and
:func:`report_json` render it, and :func:`write_report` writes ``DIR/index.html`` (inline
CSS, SVG and MathML; no scripts, no external requests) and ``DIR/report.json`` (the same
data) together. Computing the results is :mod:`sgverify.session`'s job (``sgverify check
--report DIR``, ``sgverify report``, ``pytest --sgverify-report DIR``).

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
