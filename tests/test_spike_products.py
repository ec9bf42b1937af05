"""Products with a spike raster (``snn._products``): exact sums in a stated order, the dense
product's values to rounding, and the dense product itself where the kernels do not apply."""

from __future__ import annotations

import numpy as np
import pytest

from sgverify import _jit
from sgverify.snn import _products
from sgverify.snn.network import SNN

pytestmark = pytest.mark.skipif(not _jit.enabled(), reason="numba not installed (optional)")


def _raster(rng, shape, p):
    return (rng.random(shape) < p).astype(np.float64)


def _sequential_rows(s, w):
    """``s @ w.T`` summed along k in ascending order (the kernel's stated order)."""
    out = np.zeros((s.shape[0], w.shape[0]))
    for k in range(s.shape[1]):
        out += s[:, k, None] * w[:, k]  # 0 * w and 1 * w are exact, as are the + 0 terms
    return out


def _sequential_cols(g, s):
    """``g.T @ s`` summed over the rows in ascending order."""
    out = np.zeros((g.shape[1], s.shape[1]))
    for r in range(s.shape[0]):
        out += g[r, :, None] * s[r]
    return out


@pytest.mark.parametrize("shape, n_out, p", [((4000, 20), 128, 0.05), ((900, 200), 200, 0.3)])
def test_spikes_times_is_the_sequential_sum(shape, n_out, p):
    rng = np.random.default_rng(0)
    s, w = _raster(rng, shape, p), rng.normal(0, 2.0, (n_out, shape[1]))
    got = _products.spikes_times(s.reshape(10, -1, shape[1]), w)
    assert got.shape == (10, shape[0] // 10, n_out)
    assert np.array_equal(got.reshape(shape[0], n_out), _sequential_rows(s, w))
    np.testing.assert_allclose(got.reshape(shape[0], n_out), s @ w.T, rtol=1e-13, atol=1e-13)


def test_times_spikes_is_the_sequential_sum():
    rng = np.random.default_rng(1)
    s, g = _raster(rng, (3000, 20), 0.05), rng.normal(size=(3000, 64))
    got = _products.times_spikes(g, s)
    assert got.shape == (64, 20) and got.flags.c_contiguous
    assert np.array_equal(got, _sequential_cols(g, s))
    np.testing.assert_allclose(got, g.T @ s, rtol=1e-12, atol=1e-12)


def test_non_spike_factors_and_narrow_products_are_dense():
    rng = np.random.default_rng(2)
    s = _raster(rng, (3000, 20), 0.1)
    s[7, 3] = 0.5  # not a spike: the kernel gives up, the dense product answers
    w, g = rng.normal(size=(64, 20)), rng.normal(size=(3000, 64))
    assert np.array_equal(_products.spikes_times(s, w), s @ w.T)
    assert np.array_equal(_products.times_spikes(g, s), g.T @ s)
    narrow = _raster(rng, (3000, 20), 0.1)  # 8 output columns: below _MIN_WIDTH
    assert np.array_equal(_products.spikes_times(narrow, w[:8]), narrow @ w[:8].T)


@pytest.mark.parametrize("shape, n", [((100, 1, 100, 128), 15), ((50, 1, 40, 48), 5),
                                      ((50, 2, 65, 128), 15), ((30, 3, 7, 200), 1)])
@pytest.mark.parametrize("spiking", [True, False])
def test_narrow_stacked_products_run_transposed_with_the_same_values(shape, n, spiking):
    """The readout's product (a stack with a narrow dense side) goes through BLAS with the
    narrow side as rows: the very values of the stacked ``s @ w.T``, for spike rasters and
    real-valued factors (thorough and dev randman sizes among the shapes)."""
    rng = np.random.default_rng(shape[2] + n)
    s = _raster(rng, shape, 0.06) if spiking else rng.random(shape)
    w = rng.normal(0, 2.0, (n, shape[-1]))
    got = _products.spikes_times(s, w)
    assert got.shape == (*shape[:-1], n) and got.flags.c_contiguous
    assert np.array_equal(got, s @ w.T)


def test_network_gradients_agree_with_dense_products(monkeypatch):
    """A paper-size layer (200 wide): the same spikes and losses; gradients to rounding."""
    rng = np.random.default_rng(3)
    x = _raster(rng, (120, 1, 200), 0.05)
    target = _raster(rng, (120, 200), 0.02)

    def update():
        from sgverify.snn import losses

        net = SNN.create(200, 200, 200, np.random.default_rng(0), beta_out=100.0,
                         input_rate=50.0, hidden_rate=50.0)
        fw = net.forward(x, np.random.default_rng(1), trials=4)
        loss, g = losses.van_rossum_loss(fw.output.S, target)
        return fw, loss, net.backward(fw, grad_s_out=g)

    fw, loss, grads = update()
    monkeypatch.setattr(_products, "_MIN_WIDTH", 10**9)  # every product dense
    fw0, loss0, grads0 = update()
    assert np.array_equal(fw.hidden.S, fw0.hidden.S) and np.array_equal(fw.output.S, fw0.output.S)
    assert loss == loss0
    for k in grads:
        np.testing.assert_allclose(grads[k], grads0[k], rtol=1e-12,
                                   atol=1e-12 * np.abs(grads0[k]).max())
