"""The Numba LIF kernels against the NumPy loops: bit-identical traces and gradients.

Skipped where Numba is not installed (the NumPy path is then the only one, tested everywhere
else). Sizes are above the kernels' threshold (20k elements) so that the compiled path runs.
"""

from __future__ import annotations

import numpy as np
import pytest

from sgverify import _jit, escape, lif
from sgverify.snn import losses
from sgverify.snn.network import SNN

pytestmark = pytest.mark.skipif(not _jit.enabled(), reason="numba not installed (optional)")


@pytest.fixture
def numpy_only(monkeypatch):
    def run(fn):
        monkeypatch.setenv("SGVERIFY_NUMBA", "0")
        try:
            return fn()
        finally:
            monkeypatch.setenv("SGVERIFY_NUMBA", "1")
    return run


FAMILIES = (escape.Sigmoid(4.0), escape.Gaussian(3.0), escape.Arctan(5.0))


@pytest.mark.parametrize("fam", FAMILIES, ids=lambda f: f.name)
@pytest.mark.parametrize("reset", lif.RESETS)
@pytest.mark.parametrize("mode", lif.MODES)  # smooth: always the NumPy loop, both ways
@pytest.mark.parametrize("detach", (False, True))
def test_compiled_layer_is_bit_identical(numpy_only, fam, reset, mode, detach):
    rng = np.random.default_rng(5)
    c = rng.normal(1.0, 6.0, (60, 3, 7, 50))
    layer = lif.LIF(reset=reset)
    gs, gu = rng.normal(size=c.shape), rng.normal(size=c.shape)

    def both():
        tr = layer.run(c, fam, mode, np.random.default_rng(11))
        g = layer.backward(tr, fam, gs, gu, detach_reset=detach)
        return tr, g

    tr, g = both()
    tr0, g0 = numpy_only(both)
    assert 0.0 < tr.S.mean() < 1.0
    for a, b in ((tr.U, tr0.U), (tr.I, tr0.I), (tr.S, tr0.S), (g, g0)):
        assert np.array_equal(a, b)


def test_compiled_readout_and_broadcast_trials_are_bit_identical(numpy_only):
    rng = np.random.default_rng(2)
    x = (rng.random((80, 4, 30)) < 0.1).astype(float)
    for readout in (True, False):
        def update(readout=readout):
            net = SNN.create(30, 64, 20, np.random.default_rng(0), readout=readout)
            fw = net.forward(x, np.random.default_rng(1), trials=5)
            if readout:
                _, g, _ = losses.max_over_time_cross_entropy(fw.output.U, np.arange(4) % 3)
                return fw, net.backward(fw, grad_u_out=g)
            _, g = losses.van_rossum_loss(fw.output.S, (rng.random((80, 20)) < 0.05) * 1.0)
            return fw, net.backward(fw, grad_s_out=g)
        state = rng.bit_generator.state
        fw, grads = update()
        rng.bit_generator.state = state
        fw0, grads0 = numpy_only(update)
        assert np.array_equal(fw.hidden.S, fw0.hidden.S)
        assert np.array_equal(fw.output.U, fw0.output.U)
        for k in grads:
            assert np.array_equal(grads[k], grads0[k]), k


def test_switch_off_takes_the_numpy_path(monkeypatch):
    monkeypatch.setenv("SGVERIFY_NUMBA", "0")
    assert not _jit.enabled() and lif._kernels(10**6) is None
    monkeypatch.setenv("SGVERIFY_NUMBA", "1")
    assert lif._kernels(10**6) is not None and lif._kernels(10) is None


def test_a_kernel_module_that_fails_to_load_falls_back_with_a_warning():
    with pytest.warns(RuntimeWarning, match="NumPy path"):
        assert _jit._load("_no_such_kernels") is None
