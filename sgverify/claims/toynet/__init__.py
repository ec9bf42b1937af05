"""Claims of docs/theory.md §6: surrogate gradients are not gradients (paper Figs. 4 and 5).

Figure numbers come from :mod:`sgverify.figures.fig4b` and :mod:`sgverify.figures.fig5` (grid
scans refined by root finding, periodic-trapezoid line integrals) and are compared with the
closed forms and SymPy twins of :mod:`sgverify.toynet`. Every "fails" claim has a control
through the same machinery.
"""

from __future__ import annotations

from ._curl import FIELD_HAS_CURL
from ._fig4 import DESCENDS_WHERE_GRADIENT_VANISHES, MINIMUM_DIFFERS, SIGN_FLIP
from ._loops import GRADIENT_LOOP_ZERO, LOOP_INTEGRAL_NONZERO
from ._search import SIGN_FLIP_SEARCH

__all__ = ["CLAIMS"]

CLAIMS = (
    SIGN_FLIP,
    MINIMUM_DIFFERS,
    DESCENDS_WHERE_GRADIENT_VANISHES,
    FIELD_HAS_CURL,
    LOOP_INTEGRAL_NONZERO,
    GRADIENT_LOOP_ZERO,
    SIGN_FLIP_SEARCH,
)
