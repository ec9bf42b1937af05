"""The differentiable 5-parameter sigmoid network of the paper's Figs. 4-5 and its SG field.

``theta = (w, v1, v2, u1, u2)``, scalar input ``x``, forward steepness ``beta`` (docs/theory.md §6):
``g = sigma_b(w x)``, ``h_k = sigma_b(v_k g)``, ``y = sigma_b(u1 h1 + u2 h2)``. The surrogate
gradient (SG) field keeps this forward pass and replaces every ``sigma'_b(z)`` of the chain
rule by ``sigma'_{beta_SG}(z)`` at the same pre-activation; ``beta_SG = beta`` is the true
gradient. Every function takes ``theta`` of shape ``(..., 5)`` and vectorises over the
leading axes; the SymPy twins (``*_expr``) are written independently.

Examples
--------
>>> import numpy as np
>>> from sgverify import toynet
>>> theta = np.array([0.0, 0.05, 0.1, 1.0, -1.0])
>>> round(float(toynet.output(theta, beta=100.0)), 6)
0.00099
>>> toynet.sg_field(theta, beta=100.0, beta_sg=25.0).round(3)
array([-2.978,  9.083, -6.924,  2.957,  3.178])
>>> np.allclose(toynet.sg_field(theta, beta=3.0, beta_sg=3.0), toynet.gradient(theta, beta=3.0))
True
>>> round(toynet.critical_beta_sg(), 4)  # Fig. 4B: SG_w changes sign on the scan above this
21.2255
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike
from scipy.special import expit, logit

from . import symbols as S
from ._validate import as_array, finite_real, positive

__all__ = [
    "DIRECTIONS",
    "FIG4B",
    "FIG4C",
    "FIG5",
    "PARAMS",
    "THETA",
    "SGField",
    "critical_beta_sg",
    "critical_beta_sg_expr",
    "flip_product",
    "flip_product_expr",
    "gradient",
    "output",
    "output_expr",
    "sg_field",
    "sg_field_expr",
    "sg_jacobian",
    "sg_w_zero",
    "sigmoid_derivative",
    "sigmoid_derivative_expr",
    "sigmoid_expr",
    "smoothed_minimum",
]

#: the parameter order of every vector in this module
PARAMS = ("w", "v1", "v2", "u1", "u2")
#: SymPy symbols of the parameters, in :data:`PARAMS` order
THETA = sp.symbols("w v_1 v_2 u_1 u_2", real=True)

#: Fig. 4B: x, the fixed parameters, the forward steepness, the scan and its beta_SG values
FIG4B = {"x": 1.0, "v1": 0.05, "v2": 0.1, "u1": 1.0, "u2": -1.0, "beta": 100.0,
         "w_range": (-0.2, 0.2), "points": 10001, "beta_sg": (15.0, 25.0, 30.0)}
#: Fig. 4C: the saturated point, the landscape's fixed parameters and its beta_SG values
FIG4C = {"x": 1.0, "w": 1.0, "u1": 1.0, "u2": -1.0, "beta": 20.0, "point": (1.7, -1.3),
         "range": (-2.0, 2.0), "beta_sg": (2.0, 4.0, 20.0)}
#: Fig. 5: the circle (centre 0, radius 1.8), the "step" forward steepness and beta_SG values
FIG5 = {"x": 1.0, "beta": 1e4, "radius": 1.8, "beta_sg": (1.0, 5.0, 20.0)}

#: Fig. 5's orthonormal directions (rows 0 and 1 of scipy's ortho_group(5, random_state=124)),
#: fixed here because the generator changed between SciPy versions (docs/theory.md §6)
DIRECTIONS: dict[str, tuple[np.ndarray, np.ndarray]] = {
    "published": (
        np.array([0.0930599102, 0.5905991469, -0.3091423196, 0.4299940979, -0.6017213664]),
        np.array([-0.1493434747, 0.2501149153, 0.2617973612, -0.7879228373, -0.4751618670]),
    ),
    "scipy": (
        np.array([0.1168133866, -0.2180221214, -0.8262964982, 0.5019747473, 0.0638469851]),
        np.array([-0.3031082765, -0.8068900418, 0.3674928860, 0.3028788829, 0.1739746941]),
    ),
}


def _theta(theta: ArrayLike) -> np.ndarray:
    th = as_array("theta", theta)
    if th.ndim == 0 or th.shape[-1] != 5:
        raise ValueError(f"theta must have length 5 along its last axis (w, v1, v2, u1, u2), "
                         f"got shape {th.shape}")
    return th


def sigmoid_derivative(z: ArrayLike, beta: float) -> np.ndarray:
    """``sigma'_beta(z) = beta sigma(beta z) sigma(-beta z)``, finite for every finite input.

    >>> float(sigmoid_derivative(0.0, 4.0)), float(sigmoid_derivative(1.0, 1e4))
    (1.0, 0.0)
    """
    beta = positive("beta", beta)
    bz = beta * as_array("z", z)
    return beta * expit(bz) * expit(-bz)


def _sd(bz: np.ndarray, beta: float) -> np.ndarray:
    return beta * expit(bz) * expit(-bz)


def _sd_prime(bz: np.ndarray, beta: float, magnitude: bool) -> np.ndarray:
    # 1 - 2 sigma written as sigma(-x) - sigma(x) keeps the tails exact; the magnitude form
    # uses the sum, the scale of the rounding error of that difference
    p, q = expit(bz), expit(-bz)
    return beta * beta * p * q * ((p + q) if magnitude else (q - p))


def _forward(th: np.ndarray, x: float, beta: float) -> tuple[np.ndarray, ...]:
    a0 = th[..., 0] * x
    g = expit(beta * a0)
    z = th[..., 1:3] * g[..., None]
    h = expit(beta * z)
    s = np.sum(th[..., 3:5] * h, axis=-1)
    return a0, g, z, h, s


def output(theta: ArrayLike, x: float = 1.0, beta: float = 1.0) -> np.ndarray:
    """The network output ``y(theta; beta, x)`` (the paper's "loss"), shape ``theta.shape[:-1]``."""
    th, x, beta = _theta(theta), finite_real("x", x), positive("beta", beta)
    s = _forward(th, x, beta)[-1]
    return expit(beta * s)


# --- the SG field, one exponential per sigmoid and per sigmoid derivative -------------------
# Points are processed in chunks of _CHUNK as five contiguous component rows, so that the ~70
# whole-array passes stay in the cache and no large temporary is allocated (fresh pages are
# expensive). sigma(t) = 1/(1 + e^{-t}) (scipy's expit formula) and
# sigma'_b(z) = b e/(1 + e)^2 with e = e^{-b |z|}: one exponential where sigma(t) sigma(-t)
# takes two, never overflowing. np.exp is vectorised (SIMD) where scipy's expit calls the
# scalar libm exp, but it takes a slow path (~30x) for results that over- or underflow, as
# most do at beta = 1e4: exponents are clipped to [-700, 40]. That changes no result above
# 1e-304: 1 + e^{-40} is already 1 in float64, and e^{-700} ~ 1e-304.
# The field is SG = SD(s) * G * scale with G = (P SD(a0), u1 SD(z1) g, u2 SD(z2) g, h1, h2)
# built without the factors beta_sg of the derivatives, which go into `scale`:
# (x beta_sg^3, beta_sg^2, beta_sg^2, beta_sg, beta_sg).
_CHUNK = 8192
_LO, _HI = -700.0, 40.0


def _sigmoid_into(neg_t: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``1/(1 + e^{-t})`` from ``-t``, clipped to [-40, 700]: exact for t > 40 (1.0)."""
    np.maximum(neg_t, -_HI, out=out)       # np.clip costs three times as much
    np.minimum(out, -_LO, out=out)
    np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def _density_into(z: np.ndarray, beta: float, out: np.ndarray, tmp: np.ndarray) -> np.ndarray:
    """``e / (1 + e)^2``, ``e = exp(-beta |z|)``: ``sigma'_beta(z) / beta``."""
    np.abs(z, out=out)
    out *= -beta
    np.maximum(out, _LO, out=out)
    np.exp(out, out=out)
    np.add(out, 1.0, out=tmp)
    tmp *= tmp
    out /= tmp
    return out


def _sg_rows(th: np.ndarray, x: float, beta: float, beta_sg: float, G: np.ndarray,
             work: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``G`` and ``SD(s)/beta_sg`` for rows ``th`` ``(5, n)``, in ``G`` and ``work`` ``(5, n)``."""
    w, v1, v2, u1, u2 = th
    tmp, t, g, ds, d = work
    _sigmoid_into(np.multiply(w, -beta * x, out=t), g)
    z1 = np.multiply(v1, g, out=G[1])
    z2 = np.multiply(v2, g, out=G[2])
    h1 = _sigmoid_into(np.multiply(z1, -beta, out=t), G[3])
    h2 = _sigmoid_into(np.multiply(z2, -beta, out=t), G[4])
    s = np.multiply(u1, h1, out=t)
    s += np.multiply(u2, h2, out=tmp)
    _density_into(s, beta_sg, ds, tmp)
    p1 = _density_into(z1, beta_sg, z1, tmp)       # z1, z2 are not needed after this
    p2 = _density_into(z2, beta_sg, z2, tmp)
    p1 *= u1                                       # u1 SD(z1) / beta_sg
    p2 *= u2
    P = np.multiply(p1, v1, out=G[0])
    P += np.multiply(p2, v2, out=tmp)
    P *= _density_into(w, beta_sg * abs(x), d, tmp)
    p1 *= g
    p2 *= g
    return G, ds


def _scale(x: float, beta_sg: float) -> np.ndarray:
    return np.array([x * beta_sg**3, beta_sg**2, beta_sg**2, beta_sg, beta_sg])


def sg_field(theta: ArrayLike, x: float = 1.0, beta: float = 1.0,
             beta_sg: float = 1.0) -> np.ndarray:
    """The surrogate-gradient field, order (w, v1, v2, u1, u2), shape ``theta.shape``.

    Forward with ``beta``; every sigmoid derivative of the chain rule is
    ``sigma'_{beta_sg}`` at the forward pass's pre-activation.
    """
    th, x = _theta(theta), finite_real("x", x)
    beta, beta_sg = positive("beta", beta), positive("beta_sg", beta_sg)
    flat = th.reshape(-1, 5)
    out = np.empty(flat.shape)
    scale = _scale(x, beta_sg)
    n = min(_CHUNK, flat.shape[0])
    G, work = np.empty((5, n)), np.empty((5, n))
    for lo in range(0, flat.shape[0], _CHUNK):
        rows = np.ascontiguousarray(flat[lo:lo + _CHUNK].T)
        m = rows.shape[1]
        _, ds = _sg_rows(rows, x, beta, beta_sg, G[:, :m], work[:, :m])
        G[:, :m] *= ds
        G[:, :m] *= scale[:, None]
        out[lo:lo + _CHUNK] = G[:, :m].T
    return out.reshape(th.shape)


@dataclass(frozen=True)
class SGField:
    """The SG field with fixed ``x, beta, beta_sg``, as a :data:`sgverify.paths.Field`.

    Calling it is :func:`sg_field`; :func:`sgverify.paths.loop_integral` and friends also use
    its :meth:`along_circle`, which evaluates ``SG(theta(phi)) . theta'(phi)`` directly from
    the circle's sines and cosines without building the ``(N, 5)`` point and field arrays.

    >>> import numpy as np
    >>> from sgverify import paths, toynet
    >>> d1, d2 = toynet.DIRECTIONS["published"]
    >>> circle = paths.Circle(np.zeros(5), d1, d2, 1.8)
    >>> f = toynet.SGField(x=1.0, beta=1e4, beta_sg=1.0)
    >>> round(paths.loop_integral(f, circle, 100_000).value, 10)
    -0.0412374055
    """

    x: float = 1.0
    beta: float = 1.0
    beta_sg: float = 1.0

    def __post_init__(self) -> None:
        finite_real("x", self.x)
        positive("beta", self.beta)
        positive("beta_sg", self.beta_sg)

    def __call__(self, theta: ArrayLike) -> np.ndarray:
        return sg_field(theta, self.x, self.beta, self.beta_sg)

    def along_circle(self, centre: np.ndarray, d1: np.ndarray, d2: np.ndarray, radius: float,
                     sin: np.ndarray, cos: np.ndarray) -> np.ndarray:
        """``SG(theta) . dtheta/dphi`` at ``theta = centre + radius (sin d1 + cos d2)``."""
        if centre.shape != (5,):
            raise ValueError(f"the circle must lie in the 5-parameter space, got centre of "
                             f"shape {centre.shape}")
        # points = [radius d1, radius d2, centre] @ [sin; cos; 1] and
        # F . theta' = cos (F . radius d1) - sin (F . radius d2), F = SD(s) G scale: two small
        # matrix products instead of ~40 element-wise passes
        basis = np.column_stack([radius * d1, radius * d2, centre])
        proj = np.vstack([d1, d2]) * (radius * _scale(self.x, self.beta_sg))
        out = np.empty(sin.shape)
        n = min(_CHUNK, sin.size)
        scs, ab = np.ones((3, n)), np.empty((2, n))
        rows, G, work = np.empty((5, n)), np.empty((5, n)), np.empty((5, n))
        for lo in range(0, sin.size, _CHUNK):
            m = min(n, sin.size - lo)
            scs[0, :m], scs[1, :m] = sin[lo:lo + m], cos[lo:lo + m]
            np.matmul(basis, scs[:, :m], out=rows[:, :m])
            _, ds = _sg_rows(rows[:, :m], self.x, self.beta, self.beta_sg, G[:, :m],
                             work[:, :m])
            np.matmul(proj, G[:, :m], out=ab[:, :m])
            a, b = ab[0, :m], ab[1, :m]
            a *= scs[1, :m]
            b *= scs[0, :m]
            a -= b
            np.multiply(a, ds, out=out[lo:lo + m])
        return out


def gradient(theta: ArrayLike, x: float = 1.0, beta: float = 1.0) -> np.ndarray:
    """The true gradient ``dy/dtheta``: the SG field with ``beta_sg = beta``."""
    return sg_field(theta, x, beta, beta)


def sg_jacobian(theta: ArrayLike, x: float = 1.0, beta: float = 1.0, beta_sg: float = 1.0,
                *, magnitude: bool = False) -> np.ndarray:
    """Jacobian ``J[..., i, j] = d SG_i / d theta_j`` of the SG field, written by hand.

    Forward-mode differentiation of :func:`sg_field` along the five unit directions. With
    ``beta_sg = beta`` it is the Hessian of ``y`` (symmetric). With ``magnitude=True`` every
    factor and term is replaced by its absolute value: the scale of the rounding error of
    each entry, used to bound the asymmetry float64 alone can produce.
    """
    th, x = _theta(theta), finite_real("x", x)
    beta, beta_sg = positive("beta", beta), positive("beta_sg", beta_sg)
    a0, g, z, h, s = _forward(th, x, beta)
    v, u = th[..., 1:3], th[..., 3:5]
    bsg = beta_sg
    d0, dz, ds = _sd(bsg * a0, bsg), _sd(bsg * z, bsg), _sd(bsg * s, bsg)
    p0, pz, ps = (_sd_prime(bsg * t, bsg, magnitude) for t in (a0, z, s))
    fg, fz = _sd(beta * a0, beta), _sd(beta * z, beta)  # forward derivatives sigma'_beta
    if magnitude:
        x, v, u, s = abs(x), np.abs(v), np.abs(u), np.abs(s)
    eye = np.eye(5)
    da0 = x * eye[0]                                     # (5,): d a0 / d theta_j
    dg = fg[..., None] * da0                             # (..., 5)
    dv = eye[1:3]                                        # (2, 5)
    du = eye[3:5]
    dzt = g[..., None, None] * dv + v[..., None] * dg[..., None, :]        # (..., 2, 5)
    dh = fz[..., None] * dzt
    dst = np.sum(h[..., None] * du + u[..., None] * dh, axis=-2)           # (..., 5)
    dd0 = p0[..., None] * da0
    ddz = pz[..., None] * dzt
    dds = ps[..., None] * dst
    P = np.sum(u * dz * v, axis=-1)
    dP = np.sum(du * (dz * v)[..., None] + (u * v)[..., None] * ddz
                + (u * dz)[..., None] * dv, axis=-2)
    J = np.empty((*th.shape, 5))
    J[..., 0, :] = x * (dds * (P * d0)[..., None] + (ds * d0)[..., None] * dP
                        + (ds * P)[..., None] * dd0)
    ug = u * dz * g[..., None]
    J[..., 1:3, :] = (dds[..., None, :] * ug[..., None]
                      + ds[..., None, None] * (du * (dz * g[..., None])[..., None]
                                               + (u * g[..., None])[..., None] * ddz
                                               + (u * dz)[..., None] * dg[..., None, :]))
    J[..., 3:5, :] = dds[..., None, :] * h[..., None] + ds[..., None, None] * dh
    return J


# --- SymPy twins ---------------------------------------------------------------------------

def sigmoid_expr(z: sp.Expr, beta: sp.Expr) -> sp.Expr:
    """SymPy ``sigma_beta(z) = 1 / (1 + exp(-beta z))``, the network's activation.

    >>> import sympy as sp
    >>> z, b = sp.symbols("z b")
    >>> sigmoid_expr(z, b)
    1/(1 + exp(-b*z))
    """
    return 1 / (1 + sp.exp(-beta * z))


def sigmoid_derivative_expr(z: sp.Expr, beta: sp.Expr) -> sp.Expr:
    """SymPy twin of :func:`sigmoid_derivative`: ``beta sigma_beta(z) (1 - sigma_beta(z))``.

    >>> import sympy as sp
    >>> z, b = sp.symbols("z b")
    >>> sp.simplify(sigmoid_derivative_expr(z, b) - sp.diff(sigmoid_expr(z, b), z))
    0
    """
    sig = sigmoid_expr(z, beta)
    return beta * sig * (1 - sig)


def output_expr(beta: sp.Expr = S.beta, x: sp.Expr = S.x) -> sp.Expr:
    """SymPy twin of :func:`output` in the symbols :data:`THETA`.

    >>> from sgverify import toynet
    >>> toynet.output_expr(2, 1).subs({s: 0 for s in toynet.THETA})
    1/2
    """
    w, v1, v2, u1, u2 = THETA
    g = sigmoid_expr(w * x, beta)
    return sigmoid_expr(u1 * sigmoid_expr(v1 * g, beta) + u2 * sigmoid_expr(v2 * g, beta), beta)


def sg_field_expr(beta: sp.Expr = S.beta, beta_sg: sp.Expr = S.beta_sg,
                  x: sp.Expr = S.x) -> sp.Matrix:
    """SymPy twin of :func:`sg_field`: a 5x1 Matrix in the symbols :data:`THETA`."""
    w, v1, v2, u1, u2 = THETA
    g = sigmoid_expr(w * x, beta)
    z1, z2 = v1 * g, v2 * g
    s = u1 * sigmoid_expr(z1, beta) + u2 * sigmoid_expr(z2, beta)
    ds = sigmoid_derivative_expr(s, beta_sg)
    d1, d2 = sigmoid_derivative_expr(z1, beta_sg), sigmoid_derivative_expr(z2, beta_sg)
    return sp.Matrix([
        ds * (u1 * d1 * v1 + u2 * d2 * v2) * sigmoid_derivative_expr(w * x, beta_sg) * x,
        ds * u1 * d1 * g,
        ds * u2 * d2 * g,
        ds * sigmoid_expr(z1, beta),
        ds * sigmoid_expr(z2, beta),
    ])


# --- Fig. 4B in closed form ------------------------------------------------------------------
# With u1 = -u2 = 1 and v2 = 2 v1 the sign of SG_w is the sign of
# v1 SD(v1 g) - 2 v1 SD(2 v1 g); with SD = beta / (4 cosh^2(beta z / 2)) it depends on the
# product t = beta_SG g only, and changes sign at t* = (2 / v1) arccosh((sqrt 2 + sqrt 10) / 4).

def flip_product(v1: float = 0.05) -> float:
    """``t*``: ``SG_w > 0`` exactly when ``beta_SG * g > t*`` (for ``u1 = -u2 = 1``, ``v2 = 2 v1``).

    >>> round(flip_product(0.05), 6)
    21.225501
    """
    v1 = positive("v1", v1)
    return 2.0 / v1 * math.acosh((math.sqrt(2.0) + math.sqrt(10.0)) / 4.0)


def flip_product_expr() -> sp.Expr:
    """SymPy derivation of ``t*`` (in the symbol ``v_1``) from ``v1 SD(v1 g) = v2 SD(v2 g)``."""
    v1 = THETA[1]
    c = sp.Symbol("c", positive=True)          # c = cosh(a), a = t v1 / 2
    # SD(z) = beta/(4 cosh^2(beta z/2)) and cosh(2a) = 2c^2 - 1 turn the balance
    # v1/cosh^2(a) = 2 v1/cosh^2(2a) into a polynomial equation for c
    roots = [r for r in sp.solve(sp.Eq((2 * c**2 - 1) ** 2, 2 * c**2), c) if r.is_real and r > 1]
    if len(roots) != 1:
        raise ArithmeticError(f"expected exactly one root c > 1, got {roots}")
    return sp.nsimplify(2 / v1 * sp.acosh(roots[0]))


def critical_beta_sg(beta: float = 100.0, x: float = 1.0, v1: float = 0.05,
                     w_max: float = 0.2) -> float:
    """The ``beta_SG`` above which ``SG_w`` changes sign on the scan ``w <= w_max``.

    ``t* / sigma_beta(w_max x)``: ``g`` peaks at the scan's end.
    """
    beta, x, w_max = positive("beta", beta), finite_real("x", x), finite_real("w_max", w_max)
    return flip_product(v1) / float(expit(beta * w_max * x))


def critical_beta_sg_expr() -> sp.Expr:
    """SymPy twin of :func:`critical_beta_sg` in the symbols ``beta``, ``x``, ``v_1``, ``w_max``."""
    w_max = sp.Symbol("w_max", real=True)
    return flip_product_expr() * (1 + sp.exp(-S.beta * w_max * S.x))


def sg_w_zero(beta: float, beta_sg: float, x: float = 1.0, v1: float = 0.05) -> float | None:
    """The ``w`` where ``SG_w`` (forward ``beta``) vanishes, or None if ``SG_w < 0`` for all w.

    ``beta_sg = beta`` gives the zero of the true ``dy/dw``, i.e. the minimum of ``y``.

    >>> round(sg_w_zero(100.0, 100.0), 6), round(sg_w_zero(100.0, 25.0), 6)
    (-0.013114, 0.017269)
    """
    beta, beta_sg = positive("beta", beta), positive("beta_sg", beta_sg)
    x = finite_real("x", x)
    if x <= 0:
        raise ValueError(f"x must be > 0 for the closed form, got {x!r}")
    g_star = flip_product(v1) / beta_sg
    return float(logit(g_star)) / (beta * x) if g_star < 1.0 else None


def smoothed_minimum(beta_sg: float, x: float = 1.0, v1: float = 0.05) -> float | None:
    """Minimum in ``w`` of the smoothed network (forward ``beta = beta_sg``), or None if none."""
    return sg_w_zero(beta_sg, beta_sg, x, v1)
