"""Numba kernels of the LIF time loops (imported only through :mod:`sgverify._jit`).

Each kernel repeats the NumPy loop of :meth:`sgverify.lif.LIF.run` or
:meth:`~sgverify.lif.LIF.backward` element by element, with the same floating-point
operations in the same order, so both paths give bit-identical potentials, currents, spikes
and gradients (tests compare them). One fused pass per time step instead of ~10 whole-array
NumPy passes, and no temporaries. Exponentials and logarithms stay in NumPy (vectorised, and
the same as the NumPy path's): the caller computes them for a block of time steps, in the
cache, just before the kernel consumes them.

The forward kernels return False if an input current is not finite (checked on the fly, so
that the caller makes no extra pass over the currents). Arrays are 2-D, ``(T, M)`` with
``M`` = trials x batch x neurons. The input currents may be ``(T, P)`` with ``M`` a multiple
of ``P``: element ``m = k P + p`` reads ``c[n, p]`` (the trial axis broadcast without a copy).
"""

from __future__ import annotations

import numba

__all__ = ["backward", "forward", "forward_decay", "forward_silent", "odds", "sigmoid_arg"]

# reset codes and spike modes, shared with lif.py
DECAY, FULL, NONE = 0, 1, 2
SILENT, DETERMINISTIC, THRESHOLDS = -1, 0, 1

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def forward(c, a_m, a_s, one_m, theta, beta, reset, mode, thr, I, U, S, n0, n1, i, u):
    """Steps ``n0 .. n1 - 1`` into ``I, U, S`` ``(T, M)``, carrying ``i, u`` ``(M,)``.

    Spikes: none (mode -1), ``U > theta`` (0) or ``(U - theta) beta > thr`` (1; row
    ``n - n0`` of ``thr``).
    """
    M = U.shape[1]
    P = c.shape[1]
    bad = False
    for n in range(n0, n1):
        for k in range(M // P):
            for p in range(P):
                m = k * P + p
                un = u[m]
                inn = i[m]
                I[n, m] = inn
                U[n, m] = un
                if mode == SILENT:
                    s = 0.0
                elif mode == DETERMINISTIC:
                    s = 1.0 if un > theta else 0.0
                else:
                    s = 1.0 if (un - theta) * beta > thr[n - n0, m] else 0.0
                S[n, m] = s
                drive = one_m * inn
                if reset == DECAY:          # a_m (u - u s) + (1 - a_m) I
                    u[m] = (un - un * s) * a_m + drive
                elif reset == FULL:         # (a_m u + (1 - a_m) I) (1 - s)
                    nxt = un * a_m + drive
                    u[m] = nxt - nxt * s
                else:
                    u[m] = un * a_m + drive
                cv = c[n, p]
                bad |= (cv - cv) != 0.0   # inf or NaN
                i[m] = inn * a_s + cv
    return not bad


@_jit
def forward_decay(c, a_m, a_s, one_m, theta, beta, thresholds, thr, I, U, S, n0, n1, i,
                  u):
    """:func:`forward` for the decay reset, the common case, without branches in the inner
    loop (so that it vectorises): ``(U - theta) beta > thr`` if ``thresholds``, else
    ``U > theta``."""
    M = U.shape[1]
    P = c.shape[1]
    bad = False
    for n in range(n0, n1):
        for k in range(M // P):
            if thresholds:
                for p in range(P):
                    m = k * P + p
                    un, inn = u[m], i[m]
                    I[n, m], U[n, m] = inn, un
                    s = 1.0 if (un - theta) * beta > thr[n - n0, m] else 0.0
                    S[n, m] = s
                    u[m] = (un - un * s) * a_m + one_m * inn
                    cv = c[n, p]
                    bad |= (cv - cv) != 0.0   # inf or NaN
                    i[m] = inn * a_s + cv
            else:
                for p in range(P):
                    m = k * P + p
                    un, inn = u[m], i[m]
                    I[n, m], U[n, m] = inn, un
                    s = 1.0 if un > theta else 0.0
                    S[n, m] = s
                    u[m] = (un - un * s) * a_m + one_m * inn
                    cv = c[n, p]
                    bad |= (cv - cv) != 0.0   # inf or NaN
                    i[m] = inn * a_s + cv
    return not bad


@_jit
def forward_silent(c, a_m, a_s, one_m, I, U, S, n0, n1, i, u):
    """:func:`forward` for a non-spiking layer (a leaky readout): ``S = 0``."""
    M = U.shape[1]
    P = c.shape[1]
    bad = False
    for n in range(n0, n1):
        for k in range(M // P):
            for p in range(P):
                m = k * P + p
                un, inn = u[m], i[m]
                I[n, m], U[n, m], S[n, m] = inn, un, 0.0
                u[m] = un * a_m + one_m * inn
                cv = c[n, p]
                bad |= (cv - cv) != 0.0   # inf or NaN
                i[m] = inn * a_s + cv
    return not bad


@_jit
def backward(U, I, S, sd, sig_beta, grad_s, grad_u, a_m, a_s, one_m, reset, through_reset,
             gc, n0, n1, gu, gi):
    """BPTT over the steps ``n1 - 1 .. n0`` into ``gc``, carrying ``gu, gi`` ``(M,)``.

    ``sd`` holds the surrogate derivatives of the steps ``n0 .. n1 - 1`` (row ``n - n0``) or,
    with ``sig_beta > 0``, the logistic's ``e = exp(-beta |U - theta|)``, finished here as
    ``beta e / (1 + e)^2`` (as in ``lif._surrogate``); ``sd``, ``grad_s`` and ``grad_u`` may
    be ``(0, 0)`` (absent).
    """
    M = U.shape[1]
    has_sd, has_gs, has_gu = sd.shape[0] > 0, grad_s.shape[0] > 0, grad_u.shape[0] > 0
    for n in range(n1 - 1, n0 - 1, -1):
        for m in range(M):
            g_u = gu[m]
            g_i = gi[m]
            gc[n, m] = g_i
            gs = grad_s[n, m] if has_gs else 0.0
            if reset == DECAY:
                if through_reset:
                    gs = gs - a_m * U[n, m] * g_u
                new_u = a_m * (1.0 - S[n, m]) * g_u
                new_i = a_s * g_i + one_m * g_u
            elif reset == FULL:
                keep = (1.0 - S[n, m]) * g_u
                if through_reset:
                    gs = gs - (a_m * U[n, m] + one_m * I[n, m]) * g_u
                new_u = a_m * keep
                new_i = a_s * g_i + one_m * keep
            else:
                new_u = a_m * g_u
                new_i = a_s * g_i + one_m * g_u
            if has_sd:
                d = sd[n - n0, m]
                if sig_beta > 0.0:
                    den = (d + 1.0) * (d + 1.0)
                    d = d * sig_beta / den
                new_u = new_u + d * gs
            if has_gu:
                new_u = new_u + grad_u[n, m]
            gu[m] = new_u
            gi[m] = new_i
    return gc


@_jit
def odds(r):
    """``r / (1 - r)`` in place (NumPy's ``np.divide(r, np.subtract(1, r))``, one pass)."""
    flat = r.reshape(-1)
    for j in range(flat.size):
        flat[j] = flat[j] / (1.0 - flat[j])
    return r


@_jit
def sigmoid_arg(U, theta, neg_beta, n0, n1, out):
    """``out[n - n0] = |U[n] - theta| * neg_beta`` (``lif._surrogate``'s first passes, fused)."""
    M = U.shape[1]
    for n in range(n0, n1):
        for m in range(M):
            out[n - n0, m] = abs(U[n, m] - theta) * neg_beta
    return out
