"""`sgverify reproduce fig4b | fig4c | fig5`: the JSON contract, the numbers and the plots."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sgverify import cli, figures, paths, toynet
from sgverify.figures import fig4c, fig5


@pytest.fixture(scope="module")
def fig5_rep():
    return figures.reproduce("fig5")


@pytest.mark.slow  # a figure build
def test_fig4b_contract_and_numbers(tmp_path):
    rep = figures.reproduce("fig4b")
    d = json.loads(json.dumps(rep.data))
    assert set(d) == {"beta", "critical_beta_sg", "panels"} and d["beta"] == 100
    assert d["critical_beta_sg"] == pytest.approx(toynet.critical_beta_sg(), rel=1e-15)
    assert [p["beta_sg"] for p in d["panels"]] == [15, 25, 30]
    w_true = toynet.sg_w_zero(100.0, 100.0)
    for p in d["panels"]:
        assert set(p) == {"beta_sg", "sign_flip_intervals", "true_minimum_w", "sg_zero_w",
                          "integrated_sg_minimum_w", "smoothed_minimum_w", "grid_minima"}
        assert p["true_minimum_w"] == pytest.approx(w_true, abs=1e-14)
        w_sg = toynet.sg_w_zero(100.0, float(p["beta_sg"]))
        assert p["sg_zero_w"] == ([] if w_sg is None else [pytest.approx(w_sg, abs=1e-14)])
        assert p["sign_flip_intervals"] == [[pytest.approx(w_true, abs=1e-14),
                                             pytest.approx(0.2 if w_sg is None else w_sg,
                                                           abs=1e-14)]]
        assert abs(p["integrated_sg_minimum_w"] - w_true) > 1e-3
        assert abs(p["smoothed_minimum_w"] - w_true) > 1e-3
    out = figures.save_plot(rep, tmp_path / "fig4b.png")
    assert out.stat().st_size > 10_000


@pytest.mark.slow  # a figure build
def test_fig4c_contract_and_gradients():
    rep = figures.reproduce("fig4c")
    d = json.loads(json.dumps(rep.data))
    assert d["point"] == [1.7, -1.3] and d["beta"] == 20
    assert [g["beta_sg"] for g in d["gradients"]] == [2, 4, 20]
    th = np.array([1.0, 1.7, -1.3, 1.0, -1.0])
    true = np.array(d["gradients"][2]["gradient"])
    assert np.array_equal(true, toynet.gradient(th, 1.0, 20.0))
    assert np.linalg.norm(true) < 1e-7
    for g in d["gradients"][:2]:
        assert len(g["gradient"]) == 5 and np.linalg.norm(g["gradient"]) > 0.05


@pytest.mark.slow  # a figure build
def test_fig5_contract_and_loops(fig5_rep, tmp_path):
    d = json.loads(json.dumps(fig5_rep.data))
    assert d["beta"] == 10000 and d["radius"] == 1.8
    assert [(q["directions"], q["beta_sg"]) for q in d["loops"]] == [
        (n, b) for n in ("published", "scipy") for b in (1, 5, 20)]
    for q in d["loops"]:
        assert set(q) == {"directions", "beta_sg", "steps", "loop_integral", "error_estimate",
                          "true_gradient_loop_integral", "convergence"}
        assert q["steps"] >= 100_000 and q["convergence"][-1] == [q["steps"], q["loop_integral"]]
        assert max(s for s, _ in q["convergence"]) >= 100_000
        assert q["error_estimate"] < 1e-6 * abs(q["loop_integral"])
        assert abs(q["loop_integral"]) > 0.01
        assert abs(q["true_gradient_loop_integral"]) < 1e-13
    assert figures.save_plot(fig5_rep, tmp_path / "fig5.svg").stat().st_size > 10_000


@pytest.mark.slow  # a figure build
def test_fig5_loop_values_are_reproducible():
    # the published plane, beta_SG = 1: an independent single call at 5e5 steps
    circle = fig5.circle("published")
    res = paths.loop_integral(toynet.SGField(1.0, 1e4, 1.0), circle, 500_000)
    toynet_loop = fig5.loop("published", 1.0, (1000, 500_000))
    assert res.value == toynet_loop["loop_integral"]


@pytest.mark.slow  # a figure build
def test_cli_reproduce_writes_json_and_plot(tmp_path, capsys):
    js, png = tmp_path / "c.json", tmp_path / "c.png"
    assert cli.main(["reproduce", "fig4c", "--json", str(js), "--plot", str(png)]) == 0
    assert json.loads(js.read_text())["beta"] == 20 and png.stat().st_size > 10_000
    assert cli.main(["reproduce", "fig4c", "--plot", str(tmp_path / "c.pdf")]) == 2


def test_unknown_directions_and_profile_raise():
    with pytest.raises(ValueError, match="directions"):
        fig5.circle("random")
    with pytest.raises(ValueError, match="profile"):
        fig4c.compute("fast")
    with pytest.raises(ValueError, match="profile"):
        figures.reproduce("fig4b", "fast")
    with pytest.raises(ValueError, match="figure must be one of"):
        figures.compute("fig9", "dev")


def test_profile_sets_fig5_effort():
    assert fig5.steps_for("dev")[-1] == 200_000 and fig5.steps_for("thorough")[-1] == 10**6
    assert all(200_000 % s == 0 for s in fig5.steps_for("dev"))
