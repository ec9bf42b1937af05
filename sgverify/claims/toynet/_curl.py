"""The SG field has curl: its Jacobian is not symmetric for beta_SG != beta (Fig. 5's
symbolic statement).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from ... import reference, toynet
from ... import strategies as sst
from ... import symbols as S
from .._common import EPS
from .._headlines import toynet as _hl
from .._record import Claim, Example, Outcome, Tolerance
from ._common import (
    _ROUND_WHY,
    PROOF,
    _cond,
    _gradient_identity,
    _simplified_difference,
)

__all__ = ["FIELD_HAS_CURL"]


# --- curl: the Jacobian of the SG field --------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _jacobian_mp() -> Any:
    J = toynet.sg_field_expr(S.beta, S.beta_sg, S.x).jacobian(toynet.THETA)
    return reference.lambdify_mp(J, *toynet.THETA, S.x, S.beta, S.beta_sg)


def _jacobian_reference(th: np.ndarray, x: float, b: float, bs: float) -> np.ndarray:
    # 1 - sigma(z) in the unsimplified SymPy form cancels |b z| / ln 10 digits: add them
    zmax = max(b, bs) * (abs(x * th[0]) + float(np.abs(th[1:3]).max()) + float(
        np.abs(th[3:]).sum()))
    with reference.workdps(30 + int(zmax / 2.3)):
        J = _jacobian_mp()(*[reference.to_mp(float(t)) for t in (*th, x, b, bs)])
        return np.array([[float(J[i, j]) for j in range(5)] for i in range(5)])


def _curl_eval(point: tuple[np.ndarray, float, float, float], ctx: Any) -> Outcome:
    th, x, b, bs = point
    th = np.asarray(th, dtype=np.float64)
    J = toynet.sg_jacobian(th, x, b, bs)
    M = toynet.sg_jacobian(th, x, b, bs, magnitude=True)
    cond = _cond(max(b, bs), x, th)
    ref = _jacobian_reference(th, x, b, bs)
    bound = 64 * EPS * cond * M + 1e-300
    A = np.abs(J - J.T)
    rbound = 64 * EPS * cond * (M + M.T) + 1e-300
    checks = {"jacobian_vs_sympy_mpmath": _CURL_TOL.check(float(np.max(np.abs(J - ref) / bound)),
                                                         1.0)}
    if bs == b:
        checks["symmetric_for_true_gradient"] = _CURL_TOL.check(float(np.max(A / rbound)), 1.0,
                                                               max_asymmetry=float(A.max()))
    else:
        i, j = np.unravel_index(np.argmax(A / rbound), A.shape)
        checks["asymmetric_for_sg"] = Outcome.exceeds(
            float(A[i, j] / rbound[i, j]), 1e3, entry=[toynet.PARAMS[i], toynet.PARAMS[j]],
            asymmetry=float(A[i, j]), max_abs_jacobian=float(np.abs(J).max()))
    return Outcome.all_of(checks, x=x, beta=b, beta_sg=bs)


def _curl_symbolic() -> Outcome:
    w, v1, v2, u1, u2 = toynet.THETA
    Fe = toynet.sg_field_expr()
    sig, sd = toynet.sigmoid_expr, toynet.sigmoid_derivative_expr
    g = sig(w * S.x, S.beta)
    z1 = v1 * g
    s = u1 * sig(z1, S.beta) + u2 * sig(v2 * g, S.beta)
    sdp = sp.diff(sd(S.z, S.beta_sg), S.z).subs(S.z, s)
    closed = (g * (sd(z1, S.beta) - sd(z1, S.beta_sg))
              * (sd(s, S.beta_sg) + u1 * sig(z1, S.beta) * sdp))
    asym = sp.diff(Fe[3], v1) - sp.diff(Fe[1], u1)
    diff_closed = _simplified_difference(asym - closed)
    at_control = _simplified_difference(closed.subs(S.beta_sg, S.beta))
    # a rational point where the entry is exactly non-zero for beta_SG != b
    val = asym.subs({w: 0, v1: 0, v2: 0, u1: 1, u2: -1, S.x: 1, S.beta: 2, S.beta_sg: 1})
    val = sp.nsimplify(sp.simplify(val))
    ident = _gradient_identity()
    ok_ident = all(v == "0" for v in ident.values())
    return Outcome.all_of({
        "sg_at_beta_is_sympy_gradient": Outcome.check(ok_ident, {"diff_minus_field": ident}),
        "uv_asymmetry_closed_form": Outcome.check(diff_closed == 0,
                                                  {"residual": str(diff_closed)}),
        "closed_form_vanishes_at_beta": Outcome.check(at_control == 0),
        "nonzero_at_rational_point": Outcome.exceeds(abs(float(val)), 0.0, exact=str(val)),
    }, closed_form=r"g\,(\sigma'_b(z_1)-\sigma'_{\beta_{SG}}(z_1))\,(SD(s)+u_1 h_1 SD'(s))")


def _curl_points(ctx: Any) -> st.SearchStrategy:
    betas = sst.betas(0.5, 30.0)
    theta = sst.vectors(5)

    def pair(b: float) -> st.SearchStrategy:
        return st.one_of(st.just(b), betas.filter(lambda bs: abs(math.log(bs / b)) >= 0.1))

    return st.tuples(theta, st.floats(0.2, 2.0), betas).flatmap(
        lambda t: st.tuples(st.just(t[0]), st.just(t[1]), st.just(t[2]), pair(t[2])))


# --- the records ----------------------------------------------------------------------------

#: toynet.sg-field-has-curl: its bounds are derived at each point (the why says how)
_CURL_TOL = Tolerance(1.0, _ROUND_WHY + "; the hand-written Jacobian must match the "
                        "SymPy Jacobian (mpmath, 30 + |b z|/2.3 digits) within it, the "
                        "control's asymmetry must stay within it, and the SG's asymmetry "
                        "must exceed it 1000-fold")


FIELD_HAS_CURL = Claim(
    id="toynet.sg-field-has-curl",
    headline=_hl.curl,
    cost=4,  # seconds under dev: scheduling only
    kind="for-all",
    statement="The Jacobian of the SG field is not symmetric (the field has curl, so it is "
              "the gradient of no function) for beta_SG != beta, and is symmetric (the "
              "Hessian of y) for beta_SG = beta.",
    formula=r"\partial_{v_1} SG_{u_1} - \partial_{u_1} SG_{v_1} = g\,\big(\sigma'_\beta(z_1)"
            r" - \sigma'_{\beta_{SG}}(z_1)\big)\big(SD(s) + u_1 h_1 SD'(s)\big)",
    source="paper Fig. 5; theory 6.5",
    tolerance=_CURL_TOL,
    evaluate=_curl_eval,
    points=_curl_points,
    examples=(
        Example("Fig. 4B point, beta_SG=25", (np.array([0.0, 0.05, 0.1, 1.0, -1.0]), 1.0,
                                              100.0, 25.0)),
        Example("control beta_SG=beta=5", (np.array([0.3, -0.8, 1.2, 0.7, -1.1]), 0.9,
                                           5.0, 5.0)),
        Example("generic beta_SG=1", (np.array([0.3, -0.8, 1.2, 0.7, -1.1]), 0.9, 5.0, 1.0)),
    ),
    symbolic=_curl_symbolic,
    proof=PROOF,
    limitations="Numeric points have |theta| <= 2, x in [0.2, 2], beta in [0.5, 30]; the "
                "(u1, v1) entry is derived in closed form, the other entries are compared "
                "with SymPy's Jacobian.",
)
