"""Matrix products with a spike raster as one factor: a sum of selected rows per spike.

Why: the network's products have a 0/1 factor (input spikes, hidden spikes) that is mostly
zeros: the randman input is 95 % zeros and hidden layers spike in a few percent of their
steps. A dense BLAS product does a multiply-add per raster element and output element; these
do an addition per spike and output element (Numba kernels, :mod:`sgverify._spike_kernels`),
3-4x faster at the paper's sizes. Without Numba, for rasters that are not 0/1 (the smooth
mode) and for small arrays they are the dense products.

Numbers: ``1 * w = w`` and ``acc + 0 = acc`` are exact, so the forward product
(:func:`spikes_times`, summing along the inner dimension in ascending order) equals a dense
product that accumulates in that order, which OpenBLAS does when the inner dimension fits one
of its blocks (checked by the tests at the network sizes used here). The weight gradient
(:func:`times_spikes`) sums over the ``T x batch`` rows in ascending order, where BLAS adds
blocks of rows: the same terms in another order, so the two differ by rounding (a few ulp of
the largest partial sum).

Examples
--------
>>> import numpy as np
>>> from sgverify.snn import _products
>>> s = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]); w = np.array([[0.5, 2.0, 0.25]])
>>> _products.spikes_times(s, w)
array([[0.75],
       [0.  ]])
>>> g = np.array([[1.0], [3.0]])
>>> _products.times_spikes(g, s)
array([[1., 0., 1.]])
"""

from __future__ import annotations

import numpy as np

from .. import _jit

__all__ = ["spikes_times", "times_spikes"]

#: below this many raster elements the dense product costs little and Numba need not load
_MIN_SIZE = 20_000
#: below this many columns on the dense side, reading the raster costs about as much as the
#: dense product (the randman readout's 15 units: 1.6 ms sparse against 1.6 ms BLAS for a
#: 10^4 x 128 raster; 128 columns: 0.45 ms against 1.4 ms)
_MIN_WIDTH = 32


def _kernels(a: np.ndarray, width: int) -> object | None:
    if (a.size < _MIN_SIZE or width < _MIN_WIDTH or a.dtype != np.float64
            or not a.flags.c_contiguous):
        return None
    return _jit.kernels("_spike_kernels")


def spikes_times(s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``s @ w.T`` for a spike raster ``s`` ``(..., K)`` and weights ``w`` ``(N, K)``."""
    kern = _kernels(s, w.shape[0])
    if kern is not None:
        s2 = s.reshape(-1, s.shape[-1])
        out = np.empty((s2.shape[0], w.shape[0]))
        if kern.spikes_times(s2, np.ascontiguousarray(w.T, dtype=np.float64), out):
            return out.reshape(*s.shape[:-1], w.shape[0])
    if w.shape[0] < _MIN_WIDTH and s.ndim >= 3:
        # a stack of products (one per time step) a few columns wide, as the randman
        # readout's 15: OpenBLAS's kernels take 3.0 ms for 100 slices of 100 x 128 rows, and
        # 1.9 ms for the same slices transposed (the narrow side as the rows), with the same
        # values bit for bit (stacked as NumPy stacks them; the tests compare)
        out = w @ np.swapaxes(s, -1, -2)
        return np.ascontiguousarray(np.swapaxes(out, -1, -2))
    return s @ w.T


def times_spikes(g: np.ndarray, s: np.ndarray) -> np.ndarray:
    """``g.T @ s`` for ``g`` ``(R, N)`` and a spike raster ``s`` ``(R, K)``: ``(N, K)``."""
    kern = _kernels(s, g.shape[1])
    if kern is not None and g.dtype == np.float64:
        outT = np.empty((s.shape[1], g.shape[1]))
        if kern.times_spikes(np.ascontiguousarray(g), s, outT):
            return np.ascontiguousarray(outT.T)
    return g.T @ s
