"""The fused SG loop integrand (toynet.SGField.along_circle) and the symmetric trig tables.

The fused path, the generic path (field called on (N, 5) points) and an mpmath evaluation of
the SymPy twin agree within float64 rounding; the pre-issue-14 formulation (scipy expit,
sigma(z) sigma(-z)) gives the same Fig. 5 loop integrals to 1e-13 relative.
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit

from sgverify import paths, reference, toynet
from sgverify import strategies as sst
from sgverify import symbols as S

EPS = np.finfo(float).eps


def _old_sg_field(th, x, beta, bs):
    """The formulation before issue 14, verbatim in effect (two expit per derivative)."""
    sd = lambda z: bs * expit(bs * z) * expit(-bs * z)  # noqa: E731
    a0 = th[..., 0] * x
    g = expit(beta * a0)
    z = th[..., 1:3] * g[..., None]
    h = expit(beta * z)
    s = np.sum(th[..., 3:5] * h, axis=-1)
    v, u = th[..., 1:3], th[..., 3:5]
    out = np.empty(th.shape)
    out[..., 0] = sd(s) * np.sum(u * sd(z) * v, axis=-1) * sd(a0) * x
    out[..., 1:3] = sd(s)[..., None] * u * sd(z) * g[..., None]
    out[..., 3:5] = sd(s)[..., None] * h
    return out


@pytest.mark.parametrize("steps", [7, 8, 12, 16, 24, 1000, 4096, 100_000])
def test_circle_trig_is_accurate_and_exactly_symmetric(steps):
    s, c = paths.circle_trig(steps)
    assert s.shape == c.shape == (steps,) and not s.flags.writeable
    idx = np.unique(np.linspace(0, steps - 1, 40).astype(int))
    # by symmetry every sample is as accurate as the first octant's (phi <= pi/4 rounded, then
    # sin/cos rounded); without it (steps not divisible by 8) phi = j h carries ~ulp(2 pi)
    tol = EPS if steps % 8 == 0 else 8 * EPS
    with mpmath.workdps(40):
        for j in idx:
            phi = 2 * mpmath.pi * j / steps
            assert abs(s[j] - mpmath.sin(phi)) <= tol and abs(c[j] - mpmath.cos(phi)) <= tol
    if steps % 8 == 0:
        q = steps // 4
        assert np.array_equal(s[q:2 * q], c[:q]) and np.array_equal(s[2 * q:], -s[:2 * q])
    assert paths.circle_trig(steps)[0] is s or steps > paths.TRIG_CACHE_MAX


@settings(max_examples=25, deadline=None)
@given(sst.circles(5), st.floats(0.2, 2.0), st.floats(0.5, 1e4), st.floats(0.5, 30.0),
       st.sampled_from([64, 1000, 8192 + 24]))
def test_fused_integrand_matches_generic(circle, x, beta, bs, steps):
    field = toynet.SGField(x, beta, bs)
    fused = paths.integrand(field, circle, steps)
    generic = paths.integrand(lambda th: toynet.sg_field(th, x, beta, bs), circle, steps)
    old = paths.integrand(lambda th: _old_sg_field(th, x, beta, bs), circle, steps)
    # each term is a sum of five products of ~30 rounded factors, amplified by the sigmoids'
    # condition number cond: the same rounding bound the claims use
    cond = 1 + max(beta, bs) * (1 + x) * (1 + np.abs(circle.centre).max() + circle.radius)
    s, c = paths.circle_trig(steps)
    th = circle.centre + circle.radius * (s[:, None] * circle.d1 + c[:, None] * circle.d2)
    tangent = circle.radius * (c[:, None] * circle.d1 - s[:, None] * circle.d2)
    mag = np.sum(np.abs(toynet.sg_field(th, x, beta, bs) * tangent), axis=-1)  # sum |F_k t_k|
    bound = 64 * EPS * cond * mag + 1e-300
    assert np.all(np.abs(fused - generic) <= bound)
    assert np.all(np.abs(old - generic) <= bound)


def test_fused_integrand_matches_mpmath_twin():
    d1, d2 = toynet.DIRECTIONS["scipy"]
    circle = paths.Circle(np.zeros(5), d1, d2, 1.8)
    x, beta, bs, steps = 1.0, 1e4, 20.0, 4096
    fused = paths.integrand(toynet.SGField(x, beta, bs), circle, steps)
    fn = reference.lambdify_mp(toynet.sg_field_expr(S.beta, S.beta_sg, S.x), *toynet.THETA,
                               S.x, S.beta, S.beta_sg)
    phi = np.arange(steps) * (2 * np.pi / steps)
    for j in range(0, steps, 97):
        with reference.workdps(60):
            th = [reference.to_mp(float(v)) for v in circle.point(phi[j])]
            tg = circle.tangent(phi[j])
            F = fn(*th, reference.to_mp(x), reference.to_mp(beta), reference.to_mp(bs))
            ref = float(sum(F[i] * reference.to_mp(float(tg[i])) for i in range(5)))
        # theta(phi_j) itself is rounded (~eps R) and the field's slope is up to ~beta
        assert abs(fused[j] - ref) <= 1e-9 * (1 + abs(ref)), (j, fused[j], ref)


def test_fig5_loops_agree_with_the_old_formulation():
    for d1, d2 in toynet.DIRECTIONS.values():
        circle = paths.Circle(np.zeros(5), d1, d2, toynet.FIG5["radius"])
        for bs in toynet.FIG5["beta_sg"]:
            new = paths.loop_integral(toynet.SGField(1.0, 1e4, bs), circle, 100_000)
            old = paths.loop_integral(lambda th, bs=bs: _old_sg_field(th, 1.0, 1e4, bs), circle,
                                      100_000)
            assert abs(new.value - old.value) <= 1e-13 * old.magnitude
            assert f"{new.value:.10f}" == f"{old.value:.10f}"


def test_sg_field_object_validates_and_equals_the_function():
    with pytest.raises(ValueError, match="beta_sg"):
        toynet.SGField(beta_sg=0.0)
    th = np.random.default_rng(3).uniform(-2, 2, (10, 5))
    f = toynet.SGField(0.5, 3.0, 7.0)
    assert np.array_equal(f(th), toynet.sg_field(th, 0.5, 3.0, 7.0))
    with pytest.raises(ValueError, match="5-parameter"):
        paths.loop_integral(f, paths.Circle(np.zeros(2), [1, 0], [0, 1], 1.0), 16)
