"""Issue 15 §3, Python API: every bad input is a one-line error naming the caller's argument.

Errors name ``w``/``x`` (not the internal ``v``), overflowing pre-activations are reported
(never a silent NaN or inf), a huge ``samples`` is refused before anything is allocated, and
a value of the wrong type is a TypeError (that is also a ValueError, for callers that catch
"bad input").
"""

from __future__ import annotations

import numpy as np
import pytest

from sgverify import escape, network, neuron, stochad

F = escape.Sigmoid(5.0)
NET = network.MLP([[[0.3], [-0.2]], [[2.0, -1.0]]], [[0.0, 0.0], [-0.5]], [F, F])
RNG = np.random.default_rng(0)


def _one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text and len(text) < 300
    return text


@pytest.mark.parametrize("fn", [neuron.expected_output, neuron.spm_gradient,
                                neuron.surrogate_gradient])
def test_overflowing_preactivation_names_w_and_x(fn):
    with pytest.raises(ValueError, match=r"w·x - theta overflows") as exc:
        fn([1e308, 1e308], [10.0, 10.0], F)
    assert "w, x" in _one_line(exc) and " v " not in str(exc.value)


def test_overflowing_gradient_is_reported_not_inf():
    # u = 1e-300 * 1e308 = 1e8 is finite, f'(u) = 0: a true 0, fine
    assert float(neuron.spm_gradient([1e-300], [1e308], F)[0]) == 0.0
    # u near 0, f'(u) = beta/4, times x = 1e308: overflows float64
    with pytest.raises(ValueError, match="SPM gradient f'\\(u\\) x overflows") as exc:
        neuron.spm_gradient([0.0, 0.0], [1e308, 1e308], escape.Sigmoid(50.0))
    _one_line(exc)
    with pytest.raises(ValueError, match="surrogate gradient SD\\(u\\) x overflows"):
        neuron.surrogate_gradient([0.0], [1e308], escape.Sigmoid(50.0))


def test_network_overflow_names_the_layer():
    big = network.MLP([[[1e308], [1.0]], [[1e308, 1e308]]], [[0.0, 0.0], [0.0]], [F, F])
    for call in (lambda: network.forward(big, 10.0),
                 lambda: network.expected_output(big, 1.0),
                 lambda: network.expected_output_gradient(big, 1.0),
                 lambda: network.expected_surrogate_gradient(big, 1.0),
                 lambda: network.surrogate_gradient(big, 1.0, RNG, samples=3)):
        with pytest.raises(ValueError, match=r"layer \d overflows.*weights\[\d\]") as exc:
            call()
        _one_line(exc)


@pytest.mark.parametrize("call", [
    lambda: neuron.sample([0.1], [1.0], F, RNG, 10**12),
    lambda: network.forward(NET, 1.0, RNG, samples=10**12),
    lambda: network.surrogate_gradient(NET, 1.0, RNG, samples=10**12),
    lambda: stochad.triple_gradient_estimate(NET, 1.0, RNG, 10**12),
    lambda: stochad.finite_difference_estimate(NET, 1.0, RNG, 10**12, (0, 0, 0), 1e-3),
])
def test_huge_sample_counts_are_refused_before_allocating(call):
    with pytest.raises(ValueError, match=r"samples=1000000000000 needs .* GiB") as exc:
        call()
    _one_line(exc)


@pytest.mark.parametrize("call, name", [
    (lambda: neuron.expected_output("0.3", [1.0], F), "w"),
    (lambda: neuron.spm_gradient([0.3], None, F), "x"),
    (lambda: neuron.expected_output([0.3], [1.0], "sigmoid"), "escape"),
    (lambda: neuron.surrogate_gradient([0.3], [1.0], 3.0), "surrogate"),
    (lambda: neuron.preactivation([0.3], [1.0], theta="0"), "theta"),
    (lambda: neuron.sample([0.3], [1.0], F, 42, 10), "rng"),
    (lambda: neuron.sample([0.3], [1.0], F, RNG, 10.0), "samples"),
    (lambda: neuron.expected_output_expr("sigmoid"), "f"),
    (lambda: network.forward("net", 1.0), "net"),
    (lambda: network.forward(NET, {"x": 1}), "x"),
    (lambda: network.forward(NET, 1.0, RNG, samples="3"), "samples"),
    (lambda: network.MLP("w", [[0.0]], [F]), "weights"),
    (lambda: network.MLP([[[1.0]]], [[0.0]], ["sigmoid"]), r"escapes\[0\]"),
    (lambda: network.surrogate_gradient(NET, 1.0, surrogates=[1, 2]), r"surrogates\[0\]"),
    (lambda: escape.Sigmoid("5"), "beta"),
    (lambda: escape.Sigmoid(5.0).sharpen("2"), "factor"),
    (lambda: escape.Sigmoid(5.0).sample(0.0, "rng"), "rng"),
    (lambda: escape.Sigmoid(5.0).cdf("0.1"), "v"),
])
def test_wrong_types_are_type_errors_naming_the_argument(call, name):
    with pytest.raises(TypeError, match=rf"^{name}( \(layer \d\))? must be") as exc:
        call()
    assert isinstance(exc.value, ValueError)  # callers catching bad input keep working
    _one_line(exc)


def test_ragged_and_nan_inputs_name_the_argument():
    with pytest.raises(ValueError, match=r"^w must be a number or a rectangular array"):
        neuron.expected_output([[1.0], [1.0, 2.0]], [1.0], F)
    with pytest.raises(ValueError, match=r"^x must be finite"):
        neuron.spm_gradient([0.3], [np.nan], F)
    with pytest.raises(ValueError, match=r"^x must have shape \(1,\)"):
        network.expected_output(NET, [1.0, 2.0])
