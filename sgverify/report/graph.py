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
_NODE_W, _NODE_H, _VGAP, _HGAP = 228, 26, 8, 46
_LABEL_W, _BAND_PAD = 118, 12
_MAX_CHARS = 33  # what fits in a node at 11.5 px; the full id is in the tooltip and the link


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
    level = levels(uses)
    sections: dict[str, dict[int, list[str]]] = {}
    for cid, _, _ in nodes:
        sections.setdefault(cid.split(".", 1)[0], {}).setdefault(level[cid], []).append(cid)
    n_levels = max(level.values(), default=0) + 1
    width = _LABEL_W + n_levels * (_NODE_W + _HGAP)
    pos: dict[str, tuple[float, float]] = {}
    bands: list[str] = []
    y = 0.0
    for i, (sec, cols) in enumerate(sections.items()):
        rows = max(len(c) for c in cols.values())
        height = 2 * _BAND_PAD + rows * _NODE_H + (rows - 1) * _VGAP
        fill = "#f6f7f9" if i % 2 == 0 else "#ffffff"
        bands.append(f'<rect x="0" y="{y:g}" width="{width}" height="{height:g}" fill="{fill}"/>'
                     f'<text class="band" x="10" y="{y + _BAND_PAD + 17:g}" font-size="12" '
                     f'font-weight="600" fill="#39424e">{_e(sec)}</text>')
        for lv, ids in cols.items():
            for j, cid in enumerate(ids):
                pos[cid] = (_LABEL_W + lv * (_NODE_W + _HGAP),
                            y + _BAND_PAD + j * (_NODE_H + _VGAP))
        y += height
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
    boxes = []
    for cid, (x, yy) in pos.items():
        fill, stroke = COLOURS[status[cid]]
        slug = cid.split(".", 1)[1]
        label = slug if len(slug) <= _MAX_CHARS else slug[: _MAX_CHARS - 1] + "…"
        boxes.append(
            f'<a href="#claim-{_e(cid)}"><g class="node st-{_e(status[cid])}" '
            f'data-claim-id="{_e(cid)}"><title>{_e(cid)}: {_e(status[cid])}</title>'
            f'<rect x="{x:g}" y="{yy:g}" width="{_NODE_W}" height="{_NODE_H}" rx="6" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="1.4"/>'
            f'<text x="{x + 10:g}" y="{yy + 17:g}" font-size="11.5" fill="#1d2430">'
            f'{_e(label)}</text></g></a>')
    return (
        f'<svg class="depgraph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {y:g}" '
        f'width="{width}" height="{y:g}" role="img" '
        f'aria-label="Dependency graph of {len(pos)} claims" font-family="system-ui, sans-serif">'
        '<defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" '
        'fill="#6b7480"/></marker></defs>'
        + "".join(bands) + "".join(edges) + "".join(boxes) + "</svg>"
    )
