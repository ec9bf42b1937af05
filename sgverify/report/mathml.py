"""LaTeX -> MathML for the report, offline, with a whitelist so no markup slips through.

``latex2mathml`` copies ``\\text{...}`` content verbatim into the MathML it returns, so its
output is parsed, checked against the MathML Core element and attribute names, and written
out again by :func:`to_mathml` itself (every text node and attribute escaped). Anything that
does not convert cleanly, including an unknown command that ``latex2mathml`` passes through
as ``<mi>\\cmd</mi>``, gives ``None``: the page then shows the escaped LaTeX instead.

Examples
--------
>>> m = to_mathml(r"\\frac{a}{b}")
>>> m.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML"') and "<mfrac>" in m
True
>>> to_mathml(r"\\text{<script>alert(1)</script>}") is None
True
>>> to_mathml(r"\\frac{") is None
True
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

__all__ = ["to_mathml"]

_NS = "{http://www.w3.org/1998/Math/MathML}"
#: MathML Core presentation elements (what Chromium, Firefox and Safari render)
_TAGS = frozenset("""
    math mrow mi mn mo ms mtext mspace mfrac msqrt mroot msub msup msubsup munder mover
    munderover mmultiscripts mprescripts none mtable mtr mtd mstyle mpadded mphantom merror
    semantics annotation
""".split())
_ATTRS = frozenset("""
    xmlns display stretchy accent accentunder fence separator form lspace rspace largeop
    movablelimits symmetric minsize maxsize mathvariant displaystyle scriptlevel
    columnalign rowalign columnspacing rowspacing columnlines rowlines frame width height
    depth linethickness encoding columnspan rowspan
""".split())
_MAX_LATEX = 2000  # a claim's formula is one line or two; anything longer is not a formula


def _emit(el: ET.Element, out: list[str]) -> bool:
    tag = el.tag[len(_NS):] if el.tag.startswith(_NS) else el.tag
    if tag not in _TAGS:
        return False
    attrs = "".join(
        f' {k}="{html.escape(v, quote=True)}"' for k, v in el.attrib.items() if k in _ATTRS
    )
    if any(k not in _ATTRS for k in el.attrib):
        return False
    if tag == "math":
        attrs = ' xmlns="http://www.w3.org/1998/Math/MathML"' + attrs
    text = el.text or ""
    if "\\" in text and tag in ("mi", "mo"):  # an unknown command passed through as a name
        return False
    out.append(f"<{tag}{attrs}>{html.escape(text, quote=False)}")
    for child in el:
        if not _emit(child, out):
            return False
        out.append(html.escape(child.tail or "", quote=False))
    out.append(f"</{tag}>")
    return True


def to_mathml(latex: str, display: str = "inline") -> str | None:
    """MathML markup for ``latex``, or None when it does not convert cleanly.

    Parameters
    ----------
    latex
        The formula in LaTeX.
    display
        ``"inline"`` or ``"block"``.

    Returns
    -------
    str or None
        Safe MathML (only whitelisted elements and attributes, all text escaped).
    """
    if display not in ("inline", "block"):
        raise ValueError(f"display must be 'inline' or 'block', got {display!r}")
    if not isinstance(latex, str) or not latex.strip() or len(latex) > _MAX_LATEX:
        return None
    try:
        from latex2mathml.converter import convert

        root = ET.fromstring(convert(latex, display=display))
    except Exception:  # any converter or parser failure means: show the LaTeX instead
        return None
    out: list[str] = []
    return "".join(out) if _emit(root, out) else None
