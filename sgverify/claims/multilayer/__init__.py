"""Multi-layer claims (docs/theory.md §5): exact SPM by enumeration, where the SG is and is not the
gradient, SG = smoothed stochAD, unbiased propagated triples, finite differences, and the
deterministic SG as a limit.

The oracle is exact enumeration of every hidden spike pattern (``sgverify.network``); its
reference is an mpmath sum over the same patterns written here, differentiated by
``reference.derivative``; its SymPy twin is ``network.expected_output_expr``.
"""

from __future__ import annotations

from ._enumeration import NOT_INTERCHANGEABLE, SPM_GRADIENT
from ._estimators import FD_HIGH_VARIANCE, SMOOTHED_STOCHAD, TRIPLES_UNBIASED
from ._surrogate import DETERMINISTIC_LIMIT, HIDDEN_LAYER_BIASED, OUTPUT_LAYER_EXACT

__all__ = ["CLAIMS"]

CLAIMS = (
    SPM_GRADIENT,
    NOT_INTERCHANGEABLE,
    OUTPUT_LAYER_EXACT,
    HIDDEN_LAYER_BIASED,
    SMOOTHED_STOCHAD,
    TRIPLES_UNBIASED,
    FD_HIGH_VARIANCE,
    DETERMINISTIC_LIMIT,
)
