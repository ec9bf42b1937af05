"""Each catalogue entry's formula against its library's executed backward pass.

Runs the installed release's spike function through its own neuron (``_targets``) with
upstream gradient 1 on a float64 grid (dense on [-8, 8], far points to 1e6) and compares it
with the entry's formula point by point within a tolerance derived from the dtype the library
computes in (sgverify.audit._conformance). Libraries that are not installed skip with the
reason; a newer release than the catalogue's is still compared (a change shows up as a
failure, which is the point).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sgverify.audit import CATALOGUE
from sgverify.audit._conformance import compare, conformance_grid

from ._targets import TARGETS, installed, surrogate

ENTRIES = {(e.library, e.name): e for e in CATALOGUE}

#: two-sided false-alarm rate 1e-9 per comparison: |z| <= 6.109
_Z = 6.109


def _need(library: str) -> None:
    reason = installed(library)
    if reason:
        pytest.skip(reason)


def _grid(target) -> np.ndarray:
    if target.grid is not None:
        return np.linspace(*target.grid, 1001)
    return conformance_grid()


DETERMINISTIC = [k for k, t in TARGETS.items() if t.kind == "deterministic"]


@pytest.mark.parametrize("key", DETERMINISTIC, ids=lambda k: f"{k[0]}:{k[1]}")
def test_backward_matches_formula(key):
    target, entry = TARGETS[key], ENTRIES[key]
    _need(target.library)
    sd = surrogate(target, entry.params)
    assert sd.random_at is None, "a deterministic surrogate repeats exactly"
    grid = _grid(target)
    if target.nan_below is not None:
        # documented: the library's arithmetic overflows to NaN below this potential
        cut = target.nan_below(entry.params)
        grid = np.union1d(grid, cut * (1 + np.array([-1e-6, -1e-9, 1e-9, 1e-6])))
        assert np.all(np.isnan(sd(grid[grid < cut * (1 + 1e-10)])))
        grid = grid[grid > cut * (1 - 1e-10)]
    c = compare(sd, entry.formula, entry.params, dtype=target.dtype,
                threshold=target.threshold, grid=grid)
    assert c.ok, (f"{key}: library {c.worst_library!r} vs formula {c.worst_formula!r} at "
                  f"v = {c.worst_v!r} ({c.max_ratio:.3g} x tolerance, dtype {c.dtype})")
    assert c.points >= grid.size - 8


def test_compare_catches_a_changed_parameter():
    """Control: the same machinery rejects the formula at a parameter 1e-6 off."""
    target = TARGETS[("snnTorch", "fast_sigmoid")] if installed("snnTorch") is None else None
    if target is None:
        target = TARGETS[("spyx", "superspike")]
        _need("spyx")
    entry = ENTRIES[(target.library, target.name)]
    sd = surrogate(target, entry.params)
    off = {k: x * (1 + 1e-6) for k, x in entry.params.items()}
    assert not compare(sd, entry.formula, off, threshold=target.threshold).ok


def test_norse_superspike_ignores_alpha():
    """FINDING (norse 1.1.0): LIFParameters.alpha has no effect on the 'super' surrogate."""
    _need("norse")
    t = TARGETS[("norse", "super")]
    v = np.linspace(-3, 3, 601)
    outs = [surrogate(t, {"alpha": a})(v) for a in (1.0, 10.0, 100.0)]
    assert np.array_equal(outs[0], outs[1]) and np.array_equal(outs[1], outs[2])
    assert np.allclose(outs[0], 1 / (np.abs(v) + 1) ** 2, rtol=1e-15, atol=0)


def test_snntorch_sigmoid_nan_in_float32():
    """FINDING (snnTorch 1.0.0): in float32 the sigmoid surrogate is NaN below v = -3.42
    (upstream gradient 1, slope 25): (grad * slope) * exp(-slope v) overflows to inf and is
    divided by (exp(-slope v) + 1)^2 = inf."""
    _need("snnTorch")
    import torch
    from snntorch import surrogate as s

    cut = -(math.log(float(np.finfo(np.float32).max)) - math.log(25)) / 25
    assert cut == pytest.approx(-3.4202, abs=1e-4)
    x = torch.tensor([-3.40, -3.45, -10.0], dtype=torch.float32, requires_grad=True)
    s.sigmoid(slope=25)(x).sum().backward()
    assert np.isfinite(x.grad[0].item()) and np.isnan(x.grad[1:].numpy()).all()


@pytest.mark.parametrize("key", [k for k, t in TARGETS.items() if t.kind == "raises"],
                         ids=lambda k: f"{k[0]}:{k[1]}")
def test_documented_failure(key):
    """The release fails when run, as the entry's note says (a fix will show up here)."""
    target, entry = TARGETS[key], ENTRIES[key]
    _need(target.library)
    with pytest.raises((TypeError, ValueError, RuntimeError)):
        surrogate(target, entry.params)(np.linspace(-1, 1, 11))
    assert "raises" in entry.verification


def test_snntorch_leaky_spike_operator_autograd_refuses():
    _need("snnTorch")
    import torch
    from snntorch import surrogate as s

    x = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        s.LeakySpikeOperator.apply(x, 0.1).sum().backward()


@pytest.mark.parametrize("key", [k for k, t in TARGETS.items() if t.kind == "stochastic"],
                         ids=lambda k: f"{k[0]}:{k[1]}")
def test_stochastic_backward(key):
    """snnTorch SSO: 1 above the threshold; (U - 1/2 + mean) * variance at or below it.

    Support checked exactly; the mean of the draws against the formula's expectation
    mean * variance with the exact standard deviation variance / sqrt(12 n), at |z| <= 6.109
    (two-sided false-alarm rate 1e-9)."""
    target, entry = TARGETS[key], ENTRIES[key]
    _need(target.library)
    m, var = entry.params["mean"], entry.params["variance"]
    sd = surrogate(target, entry.params)
    assert sd.random_at is not None, "its backward pass draws random numbers"
    below, above = np.linspace(-4, 0, 2001), np.linspace(1e-6, 4, 2000)
    draws = np.concatenate([sd(below) for _ in range(5)])
    assert np.all(sd(above) == 1.0)
    lo, hi = (m - 0.5) * var, (m + 0.5) * var
    assert np.all((draws >= lo - 1e-15) & (draws < hi + 1e-15))
    n = draws.size
    z = (draws.mean() - m * var) / (var / math.sqrt(12 * n))
    assert abs(z) <= _Z
    # the formula states the expectation
    assert compare(lambda v: np.where(v > 0, 1.0, m * var), entry.formula, entry.params).ok
