"""Numba kernels of matrix products with a 0/1 (spike) factor (imported only through
:mod:`sgverify._jit`; used by :mod:`sgverify.snn._products`).

Spike rasters are mostly zeros: a product with one needs an addition per spike and output
element, not a multiply-add per raster element and output element as a dense BLAS product
does. Each kernel adds in a fixed order (stated per kernel) and returns False, leaving its
output unspecified, as soon as it meets a raster entry other than 0 or 1: the caller then
uses the dense product.
"""

from __future__ import annotations

import numba

__all__ = ["spikes_times", "times_spikes"]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def spikes_times(A, Wt, out):
    """``out = A @ Wt`` for a 0/1 ``A`` ``(R, K)``, ``Wt`` ``(K, N)``, ``out`` ``(R, N)``.

    Each output element is the sum over ``k`` ascending of the selected ``Wt[k, j]``: the
    order in which a dense product accumulates along its inner dimension when that fits one
    block (as OpenBLAS's kernels do up to a few hundred), and ``1 * w = w`` and ``acc + 0``
    are exact, so the result equals the dense product there bit for bit.
    """
    R, K = A.shape
    N = Wt.shape[1]
    for r in range(R):
        for j in range(N):
            out[r, j] = 0.0
        for k in range(K):
            s = A[r, k]
            if s != 0.0:
                if s != 1.0:
                    return False
                for j in range(N):
                    out[r, j] += Wt[k, j]
    return True


@_jit
def times_spikes(G, A, outT):
    """``outT = (G.T @ A).T`` for a 0/1 ``A`` ``(R, K)``, ``G`` ``(R, N)``, ``outT``
    ``(K, N)``: ``outT[k]`` is the sum of the rows ``G[r]`` with ``A[r, k] = 1``, ``r``
    ascending (a dense product sums the same terms, in blocks of rows)."""
    R, K = A.shape
    N = G.shape[1]
    for k in range(K):
        for j in range(N):
            outT[k, j] = 0.0
    for r in range(R):
        for k in range(K):
            s = A[r, k]
            if s != 0.0:
                if s != 1.0:
                    return False
                for j in range(N):
                    outT[k, j] += G[r, j]
    return True
