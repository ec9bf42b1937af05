"""Tests of sgverify.lif: roll-out against the naive reference, BPTT, Perceptron limit, errors."""

from __future__ import annotations

import numpy as np
import pytest

from sgverify import escape, lif
from sgverify.snn import losses, reference
from sgverify.snn.network import SNN

FAMILIES = (escape.Sigmoid(4.0), escape.Gaussian(3.0), escape.Arctan(5.0), escape.Laplace(4.0))


@pytest.mark.parametrize("fam", FAMILIES, ids=lambda f: f.name)
@pytest.mark.parametrize("reset", lif.RESETS)
@pytest.mark.parametrize("mode", lif.MODES)
def test_rollout_matches_naive_reference(fam, reset, mode):
    # the same uniforms must give the same spikes: the Sigmoid (odds), Gaussian (quantile)
    # and generic (p > r) sampling paths all implement [f(U - theta) > r]
    rng = np.random.default_rng(3)
    c = rng.normal(1.0, 6.0, (40, 3, 4))
    layer = lif.LIF(reset=reset)
    tr = layer.run(c, fam, mode, np.random.default_rng(11))
    uniforms = np.random.default_rng(11).random(c.shape)
    for b in range(3):
        ref = reference.layer_forward(c[:, b], layer, fam, mode, uniforms[:, b])
        np.testing.assert_allclose(tr.U[:, b], ref["U"], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(tr.I[:, b], ref["I"], rtol=1e-12, atol=1e-12)
        if mode == "smooth":
            np.testing.assert_allclose(tr.S[:, b], ref["S"], rtol=1e-12, atol=1e-15)
        else:
            assert np.array_equal(tr.S[:, b], ref["S"])
    if mode != "smooth":
        assert 0.0 < tr.S.mean() < 1.0, "the test must exercise both outcomes"


@pytest.mark.parametrize("reset", ("decay", "full"))
@pytest.mark.parametrize("detach", (False, True))
def test_network_gradients_match_naive_reference(reset, detach):
    rng = np.random.default_rng(5)
    net = SNN.create(6, 5, 3, rng, reset=reset, beta_hidden=5.0, beta_out=5.0)
    net.params["W1"] *= 2.0
    net.detach_reset = detach
    x = (rng.random((30, 4, 6)) < 0.3).astype(float)
    tgt = (rng.random((30, 3)) < 0.2).astype(float)
    fw = net.forward(x, np.random.default_rng(9), trials=1)
    _, g_s = losses.van_rossum_loss(fw.output.S, tgt)
    grads = net.backward(fw, g_s)
    r = np.random.default_rng(9)
    uh, uo = r.random((30, 1, 4, 5))[:, 0], r.random((30, 1, 4, 3))[:, 0]
    ref, traces = reference.network_forward_backward(
        net.params, x, net.hidden, net.output, net.escape_hidden, net.escape_out, "stochastic",
        uh, uo, lambda b, o: (g_s[:, 0, b], None), detach_reset=detach)
    assert np.array_equal(traces["S_hidden"], fw.hidden.S[:, 0])
    for k in grads:
        np.testing.assert_allclose(grads[k], ref[k], rtol=1e-11, atol=1e-13)
    assert np.abs(grads["W1"]).max() > 0


@pytest.mark.parametrize("reset", lif.RESETS)
def test_bptt_is_the_gradient_of_a_smooth_layer(reset):
    rng = np.random.default_rng(0)
    f = escape.Sigmoid(5.0)
    layer = lif.LIF(reset=reset)
    c = rng.normal(3.0, 5.0, (12, 2, 2))
    gs, gu = rng.normal(size=c.shape), rng.normal(size=c.shape)

    def loss(cc):
        tr = layer.run(cc, f, "smooth")
        return float(np.sum(tr.S * gs) + np.sum(tr.U * gu))

    g = layer.backward(layer.run(c, f, "smooth"), f, gs, gu)
    h = 1e-6
    for idx in [(0, 0, 0), (3, 1, 1), (7, 0, 1), (10, 1, 0)]:
        e = np.zeros_like(c)
        e[idx] = h
        fd = (loss(c + e) - loss(c - e)) / (2 * h)
        # central differences with h = 1e-6: truncation ~1e-12 x curvature, rounding ~1e-10
        assert abs(g[idx] - fd) < 1e-7 * max(1.0, abs(fd))


def test_perceptron_limit_decay_and_refractory_full_reset():
    w = np.array([[1.5, -0.7], [0.4, 1.1]])
    x = np.array([[1, 0], [1, 1], [0, 1], [1, 1], [1, 0.0]])
    gaps = [lif.perceptron_gap(w, x, r)["gap"] for r in (5.0, 10.0, 20.0)]
    assert gaps[0] > gaps[1] > gaps[2] > 0
    out = lif.perceptron_gap(w, x, 30.0)
    assert np.array_equal(out["S"], out["H"])
    full = lif.perceptron_gap(np.array([[3.0]]), np.ones((5, 1)), 30.0, reset="full")
    assert full["S"][:, 0].tolist() == [1.0, 0.0, 1.0, 0.0, 1.0]
    assert full["gap"] > 1.0


def test_readout_layer_is_linear_filter():
    layer = lif.LIF(reset="none")
    c = np.zeros((5, 1))
    c[0] = 1.0
    tr = layer.run(c, None)
    a_m, a_s = layer.a_m, layer.a_s
    assert tr.U[2, 0] == pytest.approx(1 - a_m)
    assert tr.U[3, 0] == pytest.approx(a_m * (1 - a_m) + (1 - a_m) * a_s)
    assert not tr.S.any()


def test_bad_input_is_rejected_with_the_argument_name():
    with pytest.raises(ValueError, match="reset"):
        lif.LIF(reset="soft")
    with pytest.raises(ValueError, match="tau_mem"):
        lif.LIF(tau_mem=-1.0)
    layer = lif.LIF()
    with pytest.raises(ValueError, match="currents"):
        layer.run(np.zeros(5), escape.Sigmoid())
    with pytest.raises(ValueError, match="currents"):
        layer.run(np.full((3, 2), np.nan), escape.Sigmoid())
    with pytest.raises(ValueError, match="mode"):
        layer.run(np.zeros((3, 2)), escape.Sigmoid(), "noisy")
    with pytest.raises(ValueError, match="rng"):
        layer.run(np.zeros((3, 2)), escape.Sigmoid(), "stochastic")
    with pytest.raises(ValueError, match="escape"):
        layer.run(np.zeros((3, 2)), "sigmoid")
    tr = layer.run(np.zeros((3, 2)), escape.Sigmoid())
    with pytest.raises(ValueError, match="grad_s"):
        layer.backward(tr, escape.Sigmoid(), grad_s=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="surrogate"):
        layer.backward(tr, escape.Step(), grad_s=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="weights"):
        lif.perceptron_gap(np.zeros((1, 3)), np.zeros((4, 2)), 10.0)


@pytest.mark.parametrize("beta", (0.1, 1.0, 10.0, 100.0, 1e4))
def test_sigmoid_surrogate_fast_path_is_the_family_density(beta):
    from sgverify.lif import _surrogate

    f = escape.Sigmoid(beta)
    v = np.concatenate([np.linspace(-50, 50, 20001), [1e300, -1e300, 0.0]])
    fast, ref = _surrogate(f, v), f.pdf(v)
    assert np.all(np.isfinite(fast))
    normal = ref > 1e-290  # below that both are subnormal or 0 and carry no digits
    np.testing.assert_allclose(fast[normal], ref[normal], rtol=1e-13)
    assert np.all(fast[~normal] < 1e-280)


# --- the claims' rounding bounds (found by the thorough profile) ------------------------------

def test_fd_check_covers_rounding_of_a_tiny_loss_and_still_catches_a_wrong_gradient(
        monkeypatch):
    from sgverify import claims

    fd_eval = claims.get("lif.bptt-matches-finite-differences").evaluate
    # a readout margin so large that the cross-entropy is ~1e-9: the finite difference is
    # rounding-limited (error ~1e-12 on a gradient ~7e-9), which the bound must cover
    out = fd_eval((171, escape.Sigmoid, "decay", True, 2.0), None)
    assert out.holds and out.info["loss"] < 1e-8
    assert out.info["error"] > out.info["relative_part"]  # a pure relative bound fails here
    assert out.info["error"] < out.info["fd_rounding"]
    # steep noise near threshold: Richardson at h = 1e-5 is still 4e-7 off (truncation),
    # which the coarse-fine distance must cover; BPTT agrees to 6e-12 as h -> 0
    out = fd_eval((14130468, escape.Sigmoid, "full", False, 7.189170070860055),
                              None)
    assert out.holds and out.info["fd_truncation"] > out.info["relative_part"]
    # at an ordinary point a 0.1 % error in one BPTT term is far outside the bound
    point = (7, escape.Arctan, "decay", False, 5.0)
    assert fd_eval(point, None).holds
    real = SNN.backward

    def wrong(self, *args, **kwargs):
        g = real(self, *args, **kwargs)
        return {**g, "W1": g["W1"] * 1.001}

    monkeypatch.setattr(SNN, "backward", wrong)
    assert not fd_eval(point, None).holds


def test_mc_mean_of_a_zero_variance_component_is_within_the_float_floor():
    from sgverify import claims
    from sgverify.snn import exact

    prob = exact.TinyProblem(
        lif.LIF(dt=1e-3, tau_mem=2e-3, tau_syn=1e-3, reset="decay"), escape.Sigmoid(10.0),
        w=np.array([[-0.909622639, 2.30999937], [1.02958320e-03, 2.49738954]]),
        x=np.array([[0.0, 1], [1, 0], [1, 1]]),
        a=np.array([[0.79174473, 0.02455974], [-0.57351052, -0.42919978],
                    [0.18222151, 0.47842172]]))

    class Ctx:
        seed = 2884661998

        @staticmethod
        def samples(n: int) -> int:
            return 200_000  # the thorough profile's count, where row-wise sums drifted

    out = claims.get("lif.sg-expectation-by-enumeration").evaluate(prob, Ctx())
    assert out.holds
    w11 = out.parts["W(1, 1)"].monte_carlo.to_dict()
    assert w11["exact_var"] < 1e-25  # the SG of this component is the same in every history
    # the derived floor is far below the old fixed 1e-12 yet covers the error
    assert w11["floor"] < 1e-12 * abs(w11["exact"])
    assert w11["error"] < w11["bound"]
    # summed pairwise (~log2(n) eps); NumPy's row-by-row sum over a leading axis was off by
    # 5e-13 here, more than mean_check's summation term
    assert w11["error"] < 8 * np.log2(200_000) * np.finfo(float).eps * abs(w11["exact"])


def test_full_reset_rate_is_second_order_when_input_is_at_the_first_step_only():
    """The thorough search's point: both neurons fire on the only input step, the full reset
    wipes the a_s I carry-over, so the gap closes like e^{-2 dt/tau_max} (theory 8.3)."""
    from sgverify.claims import lif as cl

    w, x, ratio = cl._FIRST_STEP_ONLY
    out = cl._refractory_eval((w, x, ratio), None)
    assert out.holds and out.info["leading_order"] == 2.0
    slope = out.parts["log_gap_slope"].info["slopes"][0]
    assert abs(slope + 2.0) < 1e-3  # the old -1 expectation is refuted here
    # the decay reset keeps the carry-over: first order, slope -1
    dec = cl._limit_eval((w, x, ratio), None)
    assert dec.holds and dec.info["leading_order"] == 1.0
    # the expansion is specific to the reset: the decay-reset series misses the full-reset gap
    outs = [lif.perceptron_gap(w, x, r * ratio, tau_ratio=ratio, reset="full")
            for r in cl._RATIOS]
    target = x @ w.T
    checks, _ = cl._rate_checks(outs, "S", target, lambda o: cl._refr_target(o, target),
                                ratio, "decay", cl._REFRACTORY_TOL)
    assert not checks["gap_equals_expansion"].holds
