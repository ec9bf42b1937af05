"""The Fig. 5 work as sgverify computed it before issue 14: the benchmark's baseline.

A verbatim copy of ``toynet.sg_field`` (scipy ``expit``, ``sigma(z) sigma(-z)`` for every
surrogate derivative) and of ``paths.integrand`` + the trapezoid sum (``np.sin``/``np.cos`` of
every sample, ``(N, 5)`` point, field and tangent arrays), kept so that the speed-up is
measured in the same run rather than remembered.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

__all__ = ["loop_integral", "sg_field"]

CHUNK = 1 << 18


def _sd(bz: np.ndarray, beta: float) -> np.ndarray:
    return beta * expit(bz) * expit(-bz)


def sg_field(th: np.ndarray, x: float, beta: float, beta_sg: float) -> np.ndarray:
    a0 = th[..., 0] * x
    g = expit(beta * a0)
    z = th[..., 1:3] * g[..., None]
    h = expit(beta * z)
    s = np.sum(th[..., 3:5] * h, axis=-1)
    v, u = th[..., 1:3], th[..., 3:5]
    d0, dz, ds = _sd(beta_sg * a0, beta_sg), _sd(beta_sg * z, beta_sg), _sd(beta_sg * s, beta_sg)
    out = np.empty(th.shape)
    out[..., 0] = ds * np.sum(u * dz * v, axis=-1) * d0 * x
    out[..., 1:3] = ds[..., None] * u * dz * g[..., None]
    out[..., 3:5] = ds[..., None] * h
    return out


def loop_integral(centre: np.ndarray, d1: np.ndarray, d2: np.ndarray, radius: float,
                  x: float, beta: float, beta_sg: float, steps: int) -> float:
    """``paths.loop_integral(lambda th: toynet.sg_field(th, x, beta, beta_sg), circle, steps)``."""
    phi = np.arange(steps) * (2.0 * np.pi / steps)
    out = np.empty(steps)
    for lo in range(0, steps, CHUNK):
        ph = phi[lo:lo + CHUNK, None]
        point = centre + radius * (np.sin(ph) * d1 + np.cos(ph) * d2)
        tangent = radius * (np.cos(ph) * d1 - np.sin(ph) * d2)
        out[lo:lo + CHUNK] = np.sum(sg_field(point, x, beta, beta_sg) * tangent, axis=-1)
    return float(2.0 * np.pi / steps * np.sum(out))
