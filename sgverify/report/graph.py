"""The claim dependency graph as inline SVG, laid out here (no graphviz binary needed).

Layout: one horizontal band per section (paper order), one column per dependency level (a
claim sits one column right of the deepest claim it uses), claims of a band and column
stacked. Edges run from a dependency's right edge to its user's left edge; nodes link to
their cards, so the graph works as a map of the page without JavaScript.

Examples
--------
>>> svg = dependency_svg([("a.x", "confirmed", ()), ("b.y", "blocked", ("a.x",))])
>>> svg.startswith("<svg") and svg.count('class="node') == 2 and svg.count('class="edge') == 1
True
"""

from __future__ import annotations

import html
from collections.abc import Sequence

__all__ = ["COLOURS", "dependency_svg", "levels"]

#: fill and stroke per shown status (the same palette as the page's CSS)
COLOURS: dict[str, tuple[str, str]] = {
    "confirmed": ("#e3f4e8", "#1f7a3f"),
    "blocked": ("#eceff3", "#6b7480"),
    "refuted": ("#fde5e5", "#b42323"),
    "inconclusive": ("#fff3d6", "#a86b00"),
    "error": ("#f5e3f7", "#8a2a93"),
}
_NODE_W, _NODE_H, _VGAP, _HGAP = 184, 34, 8, 34
_LEFT, _BAND_TOP, _BAND_PAD = 12, 26, 10
_LINE_CHARS = 27  # what fits on one line of a node at 11.5 px; two lines at most


def _lines(slug: str) -> list[str]:
    """The slug on at most two lines, broken after hyphens; the full id is in the tooltip."""
    lines = [""]
    for word in slug.replace("-", "-\n").split("\n"):
        if lines[-1] and len(lines[-1]) + len(word) > _LINE_CHARS:
            lines.append("")
        lines[-1] += word
    if len(lines) > 2 or any(len(t) > _LINE_CHARS for t in lines):
        first = lines[0] if len(lines[0]) <= _LINE_CHARS else slug[:_LINE_CHARS]
        rest = slug[len(first):]
        lines = [first, rest if len(rest) <= _LINE_CHARS else rest[: _LINE_CHARS - 1] + "…"]
    return lines


def levels(uses: dict[str, Sequence[str]]) -> dict[str, int]:
    """Dependency level of each claim: 0 without (known) uses, else 1 + deepest use."""
    out: dict[str, int] = {}
    visiting: set[str] = set()

    def visit(cid: str) -> int:
        if cid in out:
            return out[cid]
        if cid in visiting:  # cycles are forbidden by the registry tests; never loop on one
            return 0
        visiting.add(cid)
        deps = [d for d in uses.get(cid, ()) if d in uses]
        out[cid] = 1 + max(visit(d) for d in deps) if deps else 0
        visiting.discard(cid)
        return out[cid]

    for cid in uses:
        visit(cid)
    return out


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _layout(nodes: Sequence[tuple[str, str, Sequence[str]]], level: dict[str, int]
            ) -> tuple[dict[str, tuple[float, float]], list[str], float, float]:
    """Node positions (one band per section, one column per level), band SVG, width, height."""
    sections: dict[str, dict[int, list[str]]] = {}
    for cid, _, _ in nodes:
        sections.setdefault(cid.split(".", 1)[0], {}).setdefault(level[cid], []).append(cid)
    n_levels = max(level.values(), default=0) + 1
    width = 2 * _LEFT + n_levels * (_NODE_W + _HGAP) - _HGAP
    pos: dict[str, tuple[float, float]] = {}
    bands: list[str] = []
    y = 0.0
    for i, (sec, cols) in enumerate(sections.items()):
        rows = max(len(c) for c in cols.values())
        height = _BAND_TOP + _BAND_PAD + rows * _NODE_H + (rows - 1) * _VGAP
        fill = "#f3f5f8" if i % 2 == 0 else "#ffffff"
        bands.append(f'<rect x="0" y="{y:g}" width="{width}" height="{height:g}" fill="{fill}"/>'
                     f'<text class="band" x="{_LEFT}" y="{y + 17:g}" font-size="12.5" '
                     f'font-weight="650" fill="#39424e">{_e(sec)}</text>')
        for lv, ids in cols.items():
            for j, cid in enumerate(ids):
                pos[cid] = (_LEFT + lv * (_NODE_W + _HGAP),
                            y + _BAND_TOP + j * (_NODE_H + _VGAP))
        y += height
    return pos, bands, width, y


def _edges(uses: dict[str, tuple[str, ...]], status: dict[str, str],
           pos: dict[str, tuple[float, float]]) -> list[str]:
    """One curve per drawn ``uses`` edge; edges from a failing dependency are red and dashed."""
    edges = []
    for cid, deps in uses.items():
        x1, y1 = pos[cid]
        for dep in deps:
            if dep not in pos:
                continue
            x0, y0 = pos[dep]
            xa, ya, yb = x0 + _NODE_W, y0 + _NODE_H / 2, y1 + _NODE_H / 2
            mid = (xa + x1) / 2
            bad = status[dep] not in ("confirmed",)
            colour = "#b42323" if bad else "#8a94a3"
            dash = ' stroke-dasharray="4 3"' if bad else ""
            edges.append(
                f'<path class="edge{" failing" if bad else ""}" d="M{xa:g},{ya:g} '
                f'C{mid:g},{ya:g} {mid:g},{yb:g} {x1 - 3:g},{yb:g}" fill="none" '
                f'stroke="{colour}" stroke-width="1.3"{dash} marker-end="url(#arrow)">'
                f'<title>{_e(cid)} uses {_e(dep)}</title></path>')
    return edges


def _boxes(status: dict[str, str], pos: dict[str, tuple[float, float]]) -> list[str]:
    """One linked, coloured box per claim, labelled with its slug."""
    boxes = []
    for cid, (x, yy) in pos.items():
        fill, stroke = COLOURS[status[cid]]
        lines = _lines(cid.split(".", 1)[1])
        y0 = yy + _NODE_H / 2 + 4 - 7 * (len(lines) - 1)
        label = "".join(f'<tspan x="{x + 9:g}" y="{y0 + 14 * k:g}">{_e(t)}</tspan>'
                        for k, t in enumerate(lines))
        boxes.append(
            f'<a href="#claim-{_e(cid)}"><g class="node st-{_e(status[cid])}" '
            f'data-claim-id="{_e(cid)}"><title>{_e(cid)}: {_e(status[cid])}</title>'
            f'<rect x="{x:g}" y="{yy:g}" width="{_NODE_W}" height="{_NODE_H}" rx="6" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.4"/>'
            f'<text font-size="11.5" fill="#1d2430">{label}</text></g></a>')
    return boxes


def dependency_svg(nodes: Sequence[tuple[str, str, Sequence[str]]]) -> str:
    """Inline SVG of the ``uses`` graph.

    Parameters
    ----------
    nodes
        ``(claim id, shown status, ids it uses)`` in paper order. Uses outside ``nodes``
        (claims not checked in this run) are not drawn.

    Returns
    -------
    str
        An ``<svg>`` element; every claim-supplied string in it is escaped.
    """
    status = {cid: st for cid, st, _ in nodes}
    uses = {cid: tuple(u) for cid, _, u in nodes}
    for st in status.values():
        if st not in COLOURS:
            raise ValueError(f"status must be one of {', '.join(COLOURS)}, got {st!r}")
    pos, bands, width, y = _layout(nodes, levels(uses))
    edges, boxes = _edges(uses, status, pos), _boxes(status, pos)
    return (
        f'<svg class="depgraph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {y:g}" '
        f'width="{width}" height="{y:g}" role="img" '
        f'aria-label="Dependency graph of {len(pos)} claims" font-family="system-ui, sans-serif">'
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" '
        'fill="#6b7480"/></marker></defs>'
        + "".join(bands) + "".join(edges) + "".join(boxes) + "</svg>"
    )
