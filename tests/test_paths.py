"""sgverify.paths: circles, periodic-trapezoid loop integrals, convergence, running integrals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgverify import paths, toynet

EPS = np.finfo(float).eps


def _plane(a, b):
    a = a / np.linalg.norm(a)
    b = b - (a @ b) * a
    return a, b / np.linalg.norm(b)


@st.composite
def circles(draw, n=4):
    vec = st.lists(st.floats(-1.0, 1.0), min_size=n, max_size=n).map(np.array)
    a, b = draw(vec), draw(vec)
    if np.linalg.norm(a) < 0.1 or np.linalg.norm(b - (a @ b) * a / (a @ a)) < 0.1:
        a, b = np.eye(n)[0], np.eye(n)[1]
    d1, d2 = _plane(a, b)
    return paths.Circle(draw(vec), d1, d2, draw(st.floats(0.1, 2.0)))


def test_tangent_is_derivative_of_point():
    c = paths.Circle(np.ones(5), *toynet.DIRECTIONS["scipy"], radius=1.8)
    phi, h = np.linspace(0, 2 * np.pi, 13), 1e-6
    fd = (c.point(phi + h) - c.point(phi - h)) / (2 * h)
    assert np.abs(fd - c.tangent(phi)).max() < 1e-9
    assert np.allclose(c.point(0.0), np.ones(5) + 1.8 * toynet.DIRECTIONS["scipy"][1])


@given(circles(), st.lists(st.floats(-2, 2), min_size=16, max_size=16).map(
    lambda v: np.array(v).reshape(4, 4)))
def test_linear_field_loop_is_exact_stokes(circle, A):
    # F = A theta: trapezoid is exact for trigonometric polynomials of degree < N; the loop
    # runs clockwise in (d1, d2) coordinates, so it is -pi r^2 (d2.A.d1 - d1.A.d2)
    exact = -np.pi * circle.radius**2 * (circle.d2 @ A @ circle.d1 - circle.d1 @ A @ circle.d2)
    res = paths.loop_integral(lambda th: th @ A.T, circle, 8)
    assert abs(res.value - exact) <= 64 * EPS * (1 + res.magnitude) * (1 + np.abs(A).max())


@given(circles())
def test_gradient_field_loop_vanishes(circle):
    # F = grad (sum sin(theta_i) + theta_0 theta_1^2): smooth, period-free potential
    def grad(th):
        g = np.cos(th)
        g[..., 0] += th[..., 1] ** 2
        g[..., 1] += 2 * th[..., 0] * th[..., 1]
        return g

    res = paths.loop_integral(grad, circle, 256)
    assert abs(res.value) <= res.error_estimate + 64 * EPS * res.magnitude


def test_error_estimate_bounds_the_error_of_a_sharp_field():
    circle = paths.Circle(np.zeros(5), *toynet.DIRECTIONS["published"], radius=1.8)
    table = paths.convergence_table(lambda th: toynet.sg_field(th, 1.0, 1e4, 5.0), circle,
                                    [1000, 10_000, 100_000, 1_000_000])
    best = table[-1].value
    for e in table[1:-1]:
        assert abs(e.value - best) <= e.error_estimate  # |I_N - I_{N/2}| is conservative here
    assert table[-1].error_estimate < 1e-12


def test_convergence_table_reuses_samples_and_matches_loop_integral():
    circle = paths.Circle(np.zeros(5), *toynet.DIRECTIONS["scipy"], radius=1.8)
    field = lambda th: toynet.sg_field(th, 1.0, 10.0, 2.0)  # noqa: E731
    table = paths.convergence_table(field, circle, [50, 100, 200])
    for e in table:
        single = paths.loop_integral(field, circle, e.steps)
        assert e.steps == single.steps
        assert abs(e.value - single.value) <= 1e-15 * max(1.0, abs(single.value))
    with pytest.raises(ValueError, match="divide"):
        paths.convergence_table(field, circle, [30, 100])


def test_running_integral_reproduces_potential_with_richardson_estimate():
    circle = paths.Circle(np.zeros(5), *toynet.DIRECTIONS["published"], radius=1.8)
    run = paths.running_integral(lambda th: toynet.gradient(th, 1.0, 5.0), circle, 20_000)
    y = toynet.output(circle.point(run.phi), 1.0, 5.0)
    err = np.abs(run.values - (y - y[0])).max()
    assert run.phi[0] == 0.0 and run.phi[-1] == pytest.approx(2 * np.pi)
    # the O(h^2) Richardson estimate matches the actual error closely for a smooth field
    assert 0.5 * run.error_estimate <= err <= 2 * run.error_estimate


def test_chunking_gives_the_same_sum(monkeypatch):
    circle = paths.Circle(np.zeros(5), *toynet.DIRECTIONS["published"], radius=1.8)
    field = lambda th: toynet.sg_field(th, 1.0, 10.0, 2.0)  # noqa: E731
    whole = paths.integrand(field, circle, 1000)
    monkeypatch.setattr(paths, "CHUNK", 64)
    assert np.array_equal(paths.integrand(field, circle, 1000), whole)


@pytest.mark.parametrize(("call", "match"), [
    (lambda: paths.Circle(np.zeros(2), [1, 0], [1, 0], 1.0), "orthonormal"),
    (lambda: paths.Circle(np.zeros(3), [1, 0], [0, 1], 1.0), "same length"),
    (lambda: paths.Circle(np.zeros(2), [1, 0], [0, 1], -1.0), "radius"),
    (lambda: paths.Circle(np.zeros(2), [np.nan, 0], [0, 1], 1.0), "d1"),
    (lambda: paths.loop_integral(lambda t: t, "circle", 10), "circle"),
    (lambda: paths.loop_integral(lambda t: t, paths.Circle(np.zeros(2), [1, 0], [0, 1], 1.0),
                                 0), "steps"),
    (lambda: paths.loop_integral(lambda t: t[:, :1], paths.Circle(np.zeros(2), [1, 0], [0, 1],
                                                                  1.0), 10), "field"),
    (lambda: paths.loop_integral(lambda t: t / 0.0, paths.Circle(np.zeros(2), [1, 0], [0, 1],
                                                                 1.0), 10), "non-finite"),
    (lambda: paths.running_integral(lambda t: t, paths.Circle(np.zeros(2), [1, 0], [0, 1],
                                                              1.0), 11), "even"),
])
def test_bad_input_raises(call, match):
    with np.errstate(all="ignore"), pytest.raises(ValueError, match=match):
        call()


def test_loop_and_running_share_one_evaluation_and_match_the_separate_calls():
    import numpy as np

    from sgverify import paths, toynet

    c = paths.Circle(np.zeros(5), np.eye(5)[0], np.eye(5)[3], radius=0.7)
    calls = []

    def field(th):
        calls.append(th.shape[0])
        return toynet.gradient(th, 0.9, 3.0)

    loop, run = paths.loop_and_running(field, c, 4096)
    assert sum(calls) == 4096  # the circle sampled once
    assert loop == paths.loop_integral(field, c, 4096)
    again = paths.running_integral(field, c, 4096)
    assert run.values.tobytes() == again.values.tobytes()
    assert run.error_estimate == again.error_estimate
