"""Tests of sgverify.snn: data, target raster, losses, metrics, network, training, figure."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from sgverify import escape, figures, lif
from sgverify.snn import (
    _blas,
    exact,
    experiments,
    losses,
    metrics,
    network,
    randman,
    target,
    train,
)

TINY_RANDMAN = train.RandmanTask(n_classes=3, n_units=8, n_steps=30, n_hidden=16, n_train=20,
                                 n_test=10, epochs=3, batch_size=20, lr=1e-2, eval_trials=4)
TINY_MATCHING = train.MatchingTask(n_out=10, n_in=12, n_hidden=12, updates=5, trials=3)


# --- randman -------------------------------------------------------------------------------

def test_randman_is_seeded_and_one_spike_per_unit():
    a = randman.spiking_dataset(4, 6, 25, 10, seed=7)
    b = randman.spiking_dataset(4, 6, 25, 10, seed=7)
    c = randman.spiking_dataset(4, 6, 25, 10, seed=8)
    assert np.array_equal(a.raster, b.raster) and np.array_equal(a.labels, b.labels)
    assert not np.array_equal(a.raster, c.raster)
    assert np.all(a.raster.sum(axis=0) == 1.0)
    assert np.bincount(a.labels).tolist() == [10] * 4


def test_randman_manifold_is_smooth_and_train_test_share_it():
    rm = randman.Randman(3, 1, np.random.default_rng(0))
    x = np.linspace(0, 1, 2001)[:, None]
    y = rm(x)
    # smooth: the finite-difference slope stays bounded (spectrum falls like k^-2)
    assert np.max(np.abs(np.diff(y, axis=0))) / (x[1, 0] - x[0, 0]) < 2 * np.pi * 32
    train_set, test_set = randman.spiking_dataset(2, 5, 20, 30, seed=1, test_samples=10)
    assert train_set.raster.shape[1] == 60 and test_set.raster.shape[1] == 20
    with pytest.raises(ValueError, match="n_classes"):
        randman.spiking_dataset(0)
    with pytest.raises(ValueError, match="x must have shape"):
        rm(np.zeros((4, 2)))


# --- target raster ---------------------------------------------------------------------------

def test_shipped_target_is_the_drawing():
    assert np.array_equal(target.load(), target.draw().astype(float))
    img = target.load()
    assert img.shape == (target.HEIGHT, target.WIDTH)
    assert not np.any(img[:, 1:] * img[:, :-1]), "dots, not bursts"
    assert target.load(rows=50).shape == (50, 189)
    with pytest.raises(ValueError, match="P4"):
        target.read_pbm(b"P1\n2 2\n0 1 1 0\n")


# --- losses ------------------------------------------------------------------------------------

def test_van_rossum_distance_properties_and_gradient():
    rng = np.random.default_rng(0)
    s = (rng.random((60, 3, 5)) < 0.1).astype(float)
    t = (rng.random((60, 5)) < 0.1).astype(float)
    d = losses.van_rossum(s, t)
    assert d.shape == (3,) and np.all(d > 0)
    assert np.all(losses.van_rossum(t[:, None], t) == 0)
    # symmetric
    assert losses.van_rossum(s[:, :1], s[:, 1])[0] == pytest.approx(
        losses.van_rossum(s[:, 1:2], s[:, 0])[0], rel=1e-12)
    x = rng.random((60, 3, 5))
    val, g = losses.van_rossum_loss(x, t)
    assert val == pytest.approx(float(np.mean(losses.van_rossum(x, t) ** 2)), rel=1e-12)
    h = 1e-6
    for idx in [(5, 0, 1), (30, 2, 4), (59, 1, 0)]:
        e = np.zeros_like(x)
        e[idx] = h
        fd = (losses.van_rossum_loss(x + e, t)[0] - losses.van_rossum_loss(x - e, t)[0]) / (2 * h)
        # the loss is quadratic: central differences are exact up to rounding ~ eps |L| / h
        assert g[idx] == pytest.approx(fd, abs=1e-8)


def test_max_over_time_cross_entropy_gradient_and_errors():
    rng = np.random.default_rng(1)
    u = rng.normal(size=(15, 2, 4, 5))
    lab = np.array([0, 4, 2, 1])
    val, g, logits = losses.max_over_time_cross_entropy(u, lab)
    assert logits.shape == (2, 4, 5)
    assert val > 0 and np.count_nonzero(g) == 2 * 4 * 5  # one time step per logit
    h = 1e-6
    for trial, sample, cls in [(0, 0, 0), (1, 3, 2), (0, 2, 4)]:
        n = int(np.argmax(u[:, trial, sample, cls]))
        e = np.zeros_like(u)
        e[n, trial, sample, cls] = h
        fd = (losses.max_over_time_cross_entropy(u + e, lab)[0]
              - losses.max_over_time_cross_entropy(u - e, lab)[0]) / (2 * h)
        assert g[n, trial, sample, cls] == pytest.approx(fd, abs=1e-8)
    with pytest.raises(ValueError, match="labels"):
        losses.max_over_time_cross_entropy(u, np.array([0, 1, 2, 7]))


# --- metrics -------------------------------------------------------------------------------------

def test_fano_factors():
    # counts per window over 4 trials: [1, 3, 1, 3] -> mean 2, unbiased var 4/3
    s = np.zeros((10, 4, 1, 1))
    for trial, count in enumerate([1, 3, 1, 3]):
        s[:count, trial] = 1.0
    assert metrics.fano_windowed(s, 10)["fano"] == pytest.approx((4 / 3) / 2)
    pb = metrics.fano_per_bin(s)
    assert pb["fano"] == pytest.approx(pb["one_minus_p"])
    assert metrics.fano_windowed(np.zeros((10, 4, 1, 1)), 5)["fano"] == 0.0
    with pytest.raises(ValueError, match="trials"):
        metrics.fano_windowed(np.zeros((10, 1, 3)), 5)
    with pytest.raises(ValueError, match="window"):
        metrics.fano_windowed(np.zeros((10, 4, 3)), 11)
    assert metrics.accuracy(np.array([[0.1, 0.9], [2.0, 1.0]]), np.array([1, 1])) == 0.5


# --- network ---------------------------------------------------------------------------------

def test_fluctuation_init_matches_campbell():
    s = network.fluctuation_scale(20, 10.0, 1.0, 20e-3, 10e-3)
    assert s == pytest.approx(1.0 / math.sqrt(20 * 10.0 * 0.01**2 / (2 * 0.03)))
    w = network.fluctuation_init((2000, 20), 10.0, np.random.default_rng(0))
    assert w.std() == pytest.approx(s, rel=0.02)  # 40000 draws: sd of the sd ~ 0.35 %
    with pytest.raises(ValueError, match="rate"):
        network.fluctuation_scale(20, -1.0)


def test_deterministic_trials_are_identical_and_stochastic_ones_are_not():
    rng = np.random.default_rng(2)
    net = network.SNN.create(8, 10, 3, rng, readout=True, mode="deterministic")
    net.params["W1"] *= 3
    x = (rng.random((40, 2, 8)) < 0.2).astype(float)
    fw = net.forward(x, rng, trials=5)
    assert np.all(fw.hidden.S == fw.hidden.S[:, :1])
    sto = net.with_mode("stochastic").forward(x, rng, trials=5)
    assert not np.all(sto.hidden.S == sto.hidden.S[:, :1])
    with pytest.raises(ValueError, match="x must have shape"):
        net.forward(np.zeros((40, 2, 7)), rng)


# --- exact enumeration -------------------------------------------------------------------

def test_enumeration_probabilities_and_exact_gradient_without_reset():
    prob = exact.TinyProblem(lif.LIF(dt=1e-3, tau_mem=2e-3, tau_syn=1e-3, reset="none"),
                             escape.Sigmoid(4.0), w=np.array([[1.2, -0.3]]),
                             x=np.array([[1, 0], [1, 1], [0, 1.0]]), a=np.array([[1.0], [-1], [2]]))
    res = exact.enumerate_histories(prob)
    assert res["prob"].sum() == pytest.approx(1.0, abs=1e-14)
    np.testing.assert_allclose(res["mean_sg"], exact.exact_gradient(prob), atol=1e-9)
    with pytest.raises(ValueError, match="T \\* N"):
        exact.TinyProblem(prob.layer, prob.escape, np.zeros((3, 2)), np.zeros((5, 2)),
                          np.zeros((5, 3)))


# --- training and the figure -------------------------------------------------------------

def test_training_is_reproducible_and_reduces_loss():
    a = train.train_randman(TINY_RANDMAN, "stochastic", seed=3, progress=False)
    b = train.train_randman(TINY_RANDMAN, "stochastic", seed=3, progress=False)
    assert a.loss == b.loss and a.final["test_acc"] == b.final["test_acc"]
    d = train.train_randman(TINY_RANDMAN, "deterministic", seed=3, progress=False)
    assert d.final["fano_hidden"] == 0.0 and a.final["fano_hidden"] > 0.0
    assert a.final["epochs"] == TINY_RANDMAN.epochs and a.final["converged"] is False
    assert a.to_dict()["mode"] == "stochastic" and "net" not in a.to_dict()
    m = train.train_matching(TINY_MATCHING, "stochastic", seed=0, progress=False)
    assert len(m.distance) == TINY_MATCHING.updates
    assert m.final["distance"] < m.final["distance_initial"]
    with pytest.raises(ValueError, match="mode"):
        train.train_randman(TINY_RANDMAN, "smooth", seed=0)


def test_convergence_rule_stops_training_and_is_recorded():
    assert not train.has_converged([3.0, 2.0, 1.0], patience=0, min_delta=1.0)
    assert not train.has_converged([3.0, 2.0], patience=2, min_delta=1.0)  # window not full
    assert train.has_converged([3.0, 2.0, 1.5, 1.2], patience=2, min_delta=1.0)  # 2.0 -> 1.2
    assert not train.has_converged([3.0, 2.0, 1.5, 0.9], patience=2, min_delta=1.0)
    with pytest.raises(ValueError, match="patience"):
        train.has_converged([1.0], patience=-1, min_delta=0.1)
    # a min_delta no loss drop can reach stops both modes right after the first full window
    task = dataclasses.replace(TINY_RANDMAN, epochs=50, patience=2, min_delta=1e3)
    for mode in ("deterministic", "stochastic"):
        h = train.train_randman(task, mode, seed=1, progress=False)
        assert h.final["epochs"] == len(h.loss) == 3 and h.final["converged"] is True
    dev = experiments.RANDMAN["dev"]
    assert (dev.patience, dev.min_delta, dev.epochs) == (20, 0.01, 200)
    assert experiments.RANDMAN["ci"] == dev


def test_blas_threads_restores_and_validates():
    before = [get() for get, _ in _blas._controls()]
    with _blas.blas_threads(1):
        assert all(get() == 1 for get, _ in _blas._controls())
    assert [get() for get, _ in _blas._controls()] == before
    with pytest.raises(ValueError, match="n must"):
        with _blas.blas_threads(0):
            pass


def test_adam_rejects_non_finite_gradients():
    opt = train.Adam({"w": np.zeros(3)}, lr=0.1)
    opt.step({"w": np.array([1.0, -1.0, 0.0])})
    assert opt.params["w"].tolist() == pytest.approx([-0.1, 0.1, 0.0])
    with pytest.raises(ValueError, match="not finite"):
        opt.step({"w": np.array([np.nan, 0, 0])})


def test_training_figure_with_tiny_tasks(monkeypatch, tmp_path):
    monkeypatch.setitem(experiments.RANDMAN, "dev", TINY_RANDMAN)
    monkeypatch.setitem(experiments.MATCHING, "dev", TINY_MATCHING)
    rep = figures.reproduce("training", "dev")
    assert set(rep.data["randman"]) == {"deterministic", "stochastic"}
    assert rep.data["randman"]["deterministic"]["fano_windowed"] == [0.0, 0.0]
    assert len(rep.data["matching"]["distance"]) == TINY_MATCHING.updates
    figures.save_json(rep, tmp_path / "t.json")
    figures.save_plot(rep, tmp_path / "t.png")
    assert (tmp_path / "t.png").stat().st_size > 1000


def test_experiment_runs_are_keyed_tasks_that_round_trip(monkeypatch):
    monkeypatch.setitem(experiments.RANDMAN, "dev", TINY_RANDMAN)
    experiments.clear()
    run = experiments.Run("randman", "dev", "stochastic", 1)
    fresh = experiments.run_training(run)
    back = experiments.decode(json.loads(json.dumps(experiments.encode(fresh))))
    assert back.loss == fresh.loss and back.final == fresh.final and back.net is None
    np.testing.assert_array_equal(back.rasters["hidden"], fresh.rasters["hidden"])
    # a provided run is served as it is, never trained again
    experiments.provide(run, experiments.encode(fresh))
    monkeypatch.setattr(experiments, "run_training", lambda r: pytest.fail(f"trained {r}"))
    assert experiments.get(run).loss == fresh.loss
    experiments.clear()
    with pytest.raises(ValueError, match="mode"):
        experiments.Run("randman", "dev", "smooth", 0)
    with pytest.raises(ValueError, match="profile"):
        experiments.Run("randman", "fast", "stochastic", 0)
    keys = [r.key for r in experiments.needs("snn.stochastic-trains-comparably", "thorough")]
    assert len(keys) == 20 and len(set(keys)) == 20
    assert experiments.needs("escape.step-limit", "dev") == ()
    fig = experiments.needs(experiments.FIGURE, "dev")
    assert {r.key for r in fig} <= {r.key for r in experiments.needs(
        "snn.variability-persists", "dev") + experiments.needs("snn.spike-train-matching", "dev")}


@pytest.mark.parametrize("sd", [escape.FastSigmoid(3.0), escape.Gaussian(0.7),
                                escape.Sigmoid(10.0)])
def test_reference_backward_takes_each_density_exactly_as_pdf_gives_it(sd):
    # the scalar reference calls the density hook directly (no per-call validation); its
    # gradients must be bit for bit those of calling sd.pdf on each scalar (a vectorised
    # density is not: FastSigmoid's differs in the last bit at some points)
    from sgverify.snn import reference as ref

    rng = np.random.default_rng(5)
    layer = lif.LIF(reset="full")
    tr = ref.layer_forward(rng.normal(0.0, 3.0, (9, 3)), layer, sd, "stochastic",
                           uniforms=rng.random((9, 3)))
    g_s = rng.normal(size=(9, 3))
    got = ref.layer_backward(tr, layer, sd, g_s, None)
    a_m, a_s = layer.a_m, layer.a_s
    want = np.zeros((9, 3))
    U, I, S = tr["U"], tr["I"], tr["S"]
    for j in range(3):
        gu_next = gi_next = 0.0
        for n in range(8, -1, -1):
            want[n, j] = gi_next
            s = S[n, j]
            gs = g_s[n, j] - (a_m * U[n, j] + (1 - a_m) * I[n, j]) * gu_next
            gu = a_m * (1 - s) * gu_next + float(sd.pdf(U[n, j] - layer.theta)) * gs
            gi_next, gu_next = a_s * gi_next + (1 - a_m) * (1 - s) * gu_next, gu
    assert got.tobytes() == want.tobytes()


def test_max_over_time_cross_entropy_matches_the_scipy_along_axis_form_bit_for_bit():
    # the loss indexes by flat indices and computes log-softmax as scipy does; it must give
    # exactly what take/put_along_axis and scipy.special.log_softmax give (training
    # histories are compared bit for bit across versions)
    from scipy.special import log_softmax

    rng = np.random.default_rng(3)
    for shape in [(50, 1, 40, 5), (9, 3, 7, 15), (4, 2, 3)]:
        u = rng.normal(0.0, 30.0, shape)
        u[rng.random(shape) < 0.1] = 0.0
        lab = rng.integers(0, shape[-1], shape[1:-1])
        loss, grad, logits = losses.max_over_time_cross_entropy(u, lab)
        arg = np.argmax(u, axis=0)
        want_logits = np.take_along_axis(u, arg[None], axis=0)[0]
        logp = log_softmax(want_logits, axis=-1)
        want_loss = -float(np.sum(np.take_along_axis(logp, lab[..., None], -1)[..., 0])) / lab.size
        g = np.exp(logp)
        np.put_along_axis(g, lab[..., None], np.take_along_axis(g, lab[..., None], -1) - 1.0, -1)
        g /= lab.size
        want = np.zeros_like(u)
        np.put_along_axis(want, arg[None], g[None], axis=0)
        assert loss == want_loss
        assert grad.tobytes() == want.tobytes() and logits.tobytes() == want_logits.tobytes()


def test_paired_gap_t_quantile_is_scipy_stats_t_ppf():
    # the claim's t-interval takes the quantile from scipy.special.stdtrit (no scipy.stats
    # import in the worker); it must be exactly scipy.stats.t.ppf's value
    from scipy.stats import t as student_t

    from sgverify.claims import snn as snn_claims

    rng = np.random.default_rng(2)
    for n in (2, 4, 10):
        det, sto = rng.random(n), rng.random(n)
        g = snn_claims.paired_gap(det, sto)
        d = det - sto
        q = float(student_t.ppf(snn_claims.CONFIDENCE, n - 1))
        half = q * float(d.std(ddof=1)) / math.sqrt(n)
        assert (g["lower"], g["upper"]) == (float(d.mean()) - half, float(d.mean()) + half)
