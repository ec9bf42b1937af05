"""The autograd adapters (sgverify.audit._autograd) on spike functions written here, in every
form the libraries export: autograd.Function, factory, function with parameters, module,
class, custom_vjp/custom_jvp, jitted."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from sgverify.audit import _autograd as A

needs_torch = pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                                 reason="torch is not installed (pip install -e '.[libraries]')")
needs_jax = pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                               reason="jax is not installed (pip install -e '.[libraries]')")

V = np.array([-1e6, -2.0, -0.25, 0.0, 0.1, 3.0, 1e6])


def fast(v: np.ndarray, slope: float) -> np.ndarray:
    return 1 / (slope * np.abs(v) + 1) ** 2


def test_not_spike_fns():
    assert not A.is_torch_spike_fn(np.abs) and not A.is_jax_spike_fn(np.abs)
    assert not A.is_torch_spike_fn("1/(abs(v)+1)") and not A.is_jax_spike_fn(3)


def test_missing_framework_is_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match=r"^spike_fn: torch is not installed"):
        A.torch_surrogate(lambda x: x)


@pytest.fixture
def torch_fast():
    torch = pytest.importorskip("torch")

    class Fast(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, slope):
            ctx.save_for_backward(x)
            ctx.slope = slope
            return (x > 0).to(x.dtype)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g / (ctx.slope * x.abs() + 1) ** 2, None

    return torch, Fast


@needs_torch
def test_torch_forms(torch_fast):
    torch, Fast = torch_fast

    def factory(slope=25.0):
        return lambda x: Fast.apply(x, slope)

    def with_params(x, slope):
        return Fast.apply(x, slope)

    class Module(torch.nn.Module):
        def __init__(self, slope=25.0):
            super().__init__()
            self.slope = slope

        def forward(self, x):
            return Fast.apply(x, self.slope)

    forms = [(Fast, {"slope": 4.0}), (factory, {"slope": 4.0}), (with_params, {"slope": 4.0}),
             (Module(4.0), None), (Module, {"slope": 4.0})]
    for fn, p in forms:
        sd = A.torch_surrogate(fn, p)
        np.testing.assert_array_equal(sd(V), fast(V, 4.0))
        assert (sd.framework, sd.dtype, sd.forward_at_zero, sd.random_at) == (
            "torch", "float64", 0.0, None)
        assert A.is_torch_spike_fn(fn) and not A.is_jax_spike_fn(fn)
    assert sd(V.reshape(7, 1)).shape == (7, 1)


@needs_torch
def test_torch_errors(torch_fast):
    _, Fast = torch_fast
    with pytest.raises(ValueError, match="forward takes no parameter 'beta'"):
        A.torch_surrogate(Fast, {"beta": 1.0})
    with pytest.raises(ValueError, match="needs 'slope'"):
        A.torch_surrogate(Fast)
    with pytest.raises(ValueError, match=r"raised ZeroDivisionError"):
        A.torch_surrogate(lambda x: 1 / 0)
    with pytest.raises(ValueError, match=r"returned .* for \(1,\) input"):
        A.torch_surrogate(lambda x: x.sum())
    with pytest.raises(TypeError, match="params must be a mapping"):
        A.torch_surrogate(Fast, [1.0])


@needs_torch
def test_torch_random_backward_is_detected(torch_fast):
    torch, _ = torch_fast

    class Noisy(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return (x > 0).to(x.dtype)

        @staticmethod
        def backward(ctx, g):
            return g * torch.rand_like(g)

    sd = A.torch_surrogate(Noisy)
    assert sd.random_at is not None
    with pytest.raises(ValueError, match="random backward pass"):
        A.from_torch(Noisy)


@needs_torch
def test_from_torch_audits_the_executed_derivative(torch_fast):
    _, Fast = torch_fast
    r = A.from_torch(Fast, {"slope": 10.0})
    assert r.verdict == "rescaled density"
    assert r.area == pytest.approx(0.2, rel=1e-9)
    assert r.label["framework"] == "torch" and r.label["dtype"] == "float64"


@pytest.fixture
def jax_fast():
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")

    def make(slope=25.0, kind="vjp"):
        if kind == "vjp":
            @jax.custom_vjp
            def f(x):
                return (x > 0).astype(x.dtype)

            f.defvjp(lambda x: (f(x), x), lambda x, g: (g / (slope * jnp.abs(x) + 1) ** 2,))
            return f

        @jax.custom_jvp
        def h(x):
            return (x > 0).astype(x.dtype)

        h.defjvp(lambda p, t: (h(p[0]), t[0] / (slope * jnp.abs(p[0]) + 1) ** 2))
        return h

    return jax, make


@needs_jax
def test_jax_forms_and_x64_restored(jax_fast):
    jax, make = jax_fast
    before = bool(jax.config.read("jax_enable_x64"))
    for fn, p in [(make(4.0), None), (make(4.0, "jvp"), None), (jax.jit(make(4.0)), None),
                  (make, {"slope": 4.0})]:
        sd = A.jax_surrogate(fn, p)
        np.testing.assert_allclose(sd(V), fast(V, 4.0), rtol=4e-16, atol=0)
        assert sd.dtype == "float64" and sd.dtype_note == ""
        assert A.is_jax_spike_fn(fn) and not A.is_torch_spike_fn(fn)
    assert bool(jax.config.read("jax_enable_x64")) == before


@needs_jax
def test_from_jax(jax_fast):
    _, make = jax_fast
    r = A.from_jax(make, {"slope": 10.0})
    assert r.verdict == "rescaled density" and r.area == pytest.approx(0.2, rel=1e-9)
    assert r.label["framework"] == "jax"


@needs_torch
@pytest.mark.parametrize("shape", ["boxcar", "triangle"])
def test_from_torch_audits_like_the_numpy_callable(torch_fast, torch_spike, shape):
    """The adapter adds nothing: a torch spike function audits exactly as the NumPy callable
    of the same surrogate (both go through sgverify.audit.audit's callable path)."""
    torch, _ = torch_fast
    from sgverify.audit import audit

    sds = {"boxcar": (lambda x: (x.abs() < 0.5).to(x.dtype),
                      lambda v: np.where(np.abs(v) < 0.5, 1.0, 0.0)),
           "triangle": (lambda x: torch.relu(1 - x.abs()),
                        lambda v: np.maximum(1 - np.abs(v), 0.0))}
    sd_torch, sd_numpy = sds[shape]
    r, ref = A.from_torch(torch_spike(sd_torch)), audit(sd_numpy)
    assert (r.verdict, r.family) == (ref.verdict, ref.family)
    assert r.area == pytest.approx(ref.area, rel=1e-15, abs=0)
