"""The surrogate derivatives that popular SNN libraries ship, as formulas in ``v = u - theta``.

Each entry restates, in sgverify's formula language, the backward pass of one named surrogate
as the library's source computes it (not as its docstring describes it, where the two
differ), with the library's default parameters. The expected verdict and area are derived by
hand (the derivation is in ``note``); the claim ``audit.catalogue`` checks that the audit,
which knows nothing of these expectations, reaches them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["CATALOGUE", "LIBRARIES", "CatalogueEntry"]

LIBRARIES = ("snnTorch", "norse", "SpikingJelly", "stork", "braintools", "lava-dl", "sinabs",
             "spyx")


@dataclass(frozen=True)
class CatalogueEntry:
    """One library surrogate.

    Attributes
    ----------
    library, name
        Where it lives, e.g. ``("snnTorch", "fast_sigmoid")``.
    formula, params
        The backward pass in ``v`` and the library's default parameters.
    source
        The module and function whose source the formula restates.
    expected
        Hand-derived verdict: ``density``, ``rescaled density`` or ``not a density``.
    area
        Hand-derived exact area as a SymPy-readable string (``None`` when not integrable).
    note
        The derivation, and any difference from the library's documentation.
    """

    library: str
    name: str
    formula: str
    params: dict[str, float]
    source: str
    expected: str
    area: str | None
    note: str = ""
    tags: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {"library": self.library, "name": self.name, "formula": self.formula,
                "params": dict(self.params), "source": self.source, "expected": self.expected,
                "area": self.area, "note": self.note}


_E = CatalogueEntry
_D, _R, _N = "density", "rescaled density", "not a density"
_SIG = "alpha*sigmoid(alpha*v)*(1 - sigmoid(alpha*v))"

CATALOGUE: tuple[CatalogueEntry, ...] = (
    # --- snnTorch: snntorch/surrogate.py ---------------------------------------------------
    _E("snnTorch", "atan", "alpha/2/(1 + (pi/2*alpha*v)**2)", {"alpha": 2.0},
       "snntorch.surrogate.ATan.backward (factory atan)", _D, "1",
       "arctan (Cauchy) density with beta = pi alpha / 2"),
    _E("snnTorch", "fast_sigmoid", "1/(slope*abs(v) + 1)**2", {"slope": 25.0},
       "snntorch.surrogate.FastSigmoid.backward (factory fast_sigmoid)", _R, "2/25",
       "SuperSpike, unnormalised: 2/slope times the fast-sigmoid density"),
    _E("snnTorch", "sigmoid", "slope*exp(-slope*v)/(exp(-slope*v) + 1)**2", {"slope": 25.0},
       "snntorch.surrogate.Sigmoid.backward (factory sigmoid)", _D, "1",
       "logistic density with beta = slope"),
    _E("snnTorch", "spike_rate_escape", "slope*exp(-beta*abs(v - 1))",
       {"beta": 1.0, "slope": 25.0},
       "snntorch.surrogate.SpikeRateEscape.backward (factory spike_rate_escape)", _R, "50",
       "area 2 slope / beta; a Laplace density centred one unit ABOVE the threshold "
       "(input_ is already u - theta, and the backward uses |input_ - 1|)"),
    _E("snnTorch", "triangular", "where(v < 0, threshold, -threshold)", {"threshold": 1.0},
       "snntorch.surrogate.Triangular.backward (factory triangular)", _N, None,
       "the backward returns +threshold below and -threshold at or above the threshold: "
       "a sign flip, not a triangle; negative and not integrable", ("sign-changing",)),
    _E("snnTorch", "straight_through_estimator", "1", {},
       "snntorch.surrogate.StraightThroughEstimator.backward", _N, None,
       "the identity: a constant 1, not integrable"),
    _E("snnTorch", "heaviside", "heaviside(v)", {},
       "snntorch.surrogate.Heaviside.backward (factory heaviside)", _N, None,
       "the backward is the forward spike H(v): 1 on the whole half-line v > 0"),
    _E("snnTorch", "SFS", "where(v > B, 1/(slope*abs(v) + 1)**2, 0)", {"slope": 25.0, "B": 1.0},
       "snntorch.surrogate.SparseFastSigmoid.backward (factory SFS)", _R, "1/650",
       "SuperSpike cut to v > B: area int_1^inf (25 v + 1)^-2 dv = 1/(25*26); a one-sided "
       "density (noise only above B), no atlas family"),
    # --- norse: norse/torch/functional/{superspike,threshold}.py ------------------------
    _E("norse", "super", "1/(alpha*abs(v) + 1)**2", {"alpha": 100.0},
       "norse.torch.functional.superspike.SuperSpike.backward (threshold method 'super', "
       "LIFParameters alpha = 100)", _R, "1/50", "2/alpha times the fast-sigmoid density"),
    _E("norse", "tanh", "1 - tanh(k*v)**2", {"k": 100.0},
       "norse.torch.functional.threshold.HeaviTanh.backward (method 'tanh', alpha = 100)",
       _R, "1/50", "sech^2(k v) = (2/k) times the logistic density with beta = 2k; the "
       "backward omits the factor k of d/dv tanh(k v)"),
    _E("norse", "tent", "max(1 - abs(v), 0)*alpha", {"alpha": 100.0},
       "norse.torch.functional.threshold.HeaviTent.backward (method 'tent', alpha = 100)",
       _R, "100", "alpha times the triangular density of width 1 (alpha scales the height, "
       "not the width)"),
    _E("norse", "circ",
       "(-(v**2/(2*(alpha**2 + v**2)**(3/2))) + 1/(2*sqrt(alpha**2 + v**2)))*2*alpha",
       {"alpha": 100.0},
       "norse.torch.functional.threshold.HeaviCirc.backward (method 'circ', alpha = 100)", _R,
       "200", "simplifies to alpha^3/(alpha^2 + v^2)^(3/2), area 2 alpha; the density of "
       "x/sqrt(x^2+alpha^2) noise (Student t, 2 dof), not an atlas family"),
    _E("norse", "heavi_erfc", "2*exp(-k**2*v**2)/sqrt(pi)", {"k": 100.0},
       "norse.torch.functional.threshold.HeaviErfc.backward (not dispatched by threshold(); "
       "k = 100 as for the other methods)", _R, "1/50",
       "(2/k) times the Gaussian density with beta = k sqrt 2: the backward omits the factor k"),
    # --- SpikingJelly: spikingjelly/activation_based/surrogate.py ---------------------------
    _E("SpikingJelly", "Sigmoid", _SIG, {"alpha": 4.0},
       "spikingjelly.activation_based.surrogate.sigmoid_backward", _D, "1", "logistic density"),
    _E("SpikingJelly", "PiecewiseQuadratic", "where(abs(v) > 1/alpha, 0, -alpha**2*abs(v) + alpha)",
       {"alpha": 1.0}, "spikingjelly.activation_based.surrogate.piecewise_quadratic_backward",
       _D, "1", "triangular density"),
    _E("SpikingJelly", "PiecewiseExp", "alpha/2*exp(-alpha*abs(v))", {"alpha": 1.0},
       "spikingjelly.activation_based.surrogate.piecewise_exp_backward", _D, "1",
       "Laplace density"),
    _E("SpikingJelly", "SoftSign", "1/(2*alpha*(1/alpha + abs(v))**2)", {"alpha": 2.0},
       "spikingjelly.activation_based.surrogate.soft_sign_backward", _D, "1",
       "fast-sigmoid density"),
    _E("SpikingJelly", "ATan", "alpha/2/(1 + (pi/2*alpha*v)**2)", {"alpha": 2.0},
       "spikingjelly.activation_based.surrogate.atan_backward", _D, "1",
       "arctan density with beta = pi alpha / 2"),
    _E("SpikingJelly", "NonzeroSignLogAbs", "1/(1/alpha + abs(v))", {"alpha": 1.0},
       "spikingjelly.activation_based.surrogate.nonzero_sign_log_abs_backward", _N, None,
       "decays like 1/|v|: the integral diverges logarithmically (as stored, its backward "
       "passes one tuple to nonzero_sign_log_abs_backward, so it would also raise)"),
    _E("SpikingJelly", "Erf", "exp(-(v*alpha)**2)*alpha/sqrt(pi)", {"alpha": 2.0},
       "spikingjelly.activation_based.surrogate.erf_backward", _D, "1",
       "Gaussian density with beta = alpha sqrt 2"),
    _E("SpikingJelly", "PiecewiseLeakyReLU", "where(abs(v) < w, 1/w, c)", {"w": 1.0, "c": 0.01},
       "spikingjelly.activation_based.surrogate.piecewise_leaky_relu_backward", _N, None,
       "constant offset c outside |v| < w: not integrable (the backward uses 1/w inside, while "
       "the primitive's slope there is 1/(2w))", ("offset",)),
    _E("SpikingJelly", "SquarewaveFourierSeries", "4/T_period*cos(2*pi/T_period*v)",
       {"T_period": 8.0}, "spikingjelly.activation_based.surrogate.squarewave_fourier_series"
       ".backward (n = 2: range(1, n) keeps one term)", _N, None,
       "a cosine: negative on half of every period and not integrable", ("sign-changing",)),
    _E("SpikingJelly", "S2NN", f"where(v < 0, {_SIG}, beta/(v + 1))", {"alpha": 4.0, "beta": 1.0},
       "spikingjelly.activation_based.surrogate.s2nn.backward", _N, None,
       "beta/(v + 1) for v >= 0 decays like 1/v: not integrable"),
    _E("SpikingJelly", "QPseudoSpike", "(1 + 2/(alpha - 1)*abs(v))**(-alpha)", {"alpha": 2.0},
       "spikingjelly.activation_based.surrogate.q_pseudo_spike.backward", _D, "1",
       "area 1 for every alpha > 1; at alpha = 2 it is the fast-sigmoid density with beta = 2"),
    _E("SpikingJelly", "LeakyKReLU", "where(v >= 0, k, leak)", {"leak": 0.0, "k": 1.0},
       "spikingjelly.activation_based.surrogate.leaky_k_relu_backward", _N, None,
       "constant k on v >= 0: not integrable"),
    _E("SpikingJelly", "FakeNumericalGradient", "where(abs(v) > 1/alpha, 1/abs(v), alpha)",
       {"alpha": 0.3}, "spikingjelly.activation_based.surrogate.fake_numerical_gradient_backward",
       _N, None, "min(1/|v|, alpha): 1/|v| tails, not integrable"),
    _E("SpikingJelly", "LogTailedReLU", "where(v > 1, 1/v, where(v > 0, 1, alpha))",
       {"alpha": 0.0}, "spikingjelly.activation_based.surrogate.log_tailed_relu_backward", _N,
       None, "1/v for v > 1: not integrable"),
    # --- stork: stork/activations.py (class attributes are the defaults) --------------------
    _E("stork", "SuperSpike", "1/(beta*abs(v) + 1)**2", {"beta": 20.0},
       "stork.activations.SuperSpike.backward", _R, "1/10",
       "2/beta times the fast-sigmoid density"),
    _E("stork", "SuperSpike_rescaled", "(beta + 1)**2/(beta*abs(v) + 1)**2", {"beta": 20.0},
       "stork.activations.SuperSpike_rescaled.backward", _R, "441/10",
       "divides by 1/(beta+1)^2 so that it is 1 at rest (|v| = 1, threshold 1), hence 441 at "
       "the threshold; area 2 (beta+1)^2 / beta"),
    _E("stork", "SuperSpike_asymptote", "beta/(beta*abs(v) + 1)**2", {"beta": 100.0},
       "stork.activations.SuperSpike_asymptote.backward", _R, "2",
       "2 times the fast-sigmoid density"),
    _E("stork", "SuperSpike_MemClamp", "1/(beta*abs(relu(-v)) + 1)**2", {"beta": 20.0},
       "stork.activations.SuperSpike_MemClamp.backward", _N, None,
       "equals 1 for every v > 0: not integrable"),
    _E("stork", "SigmoidSpike", "sigmoid(beta*v)*(1 - sigmoid(beta*v))", {"beta": 100.0},
       "stork.activations.SigmoidSpike.backward", _R, "1/100",
       "the 'scaled sigmoid' sigma(1 - sigma): 1/beta times the logistic density"),
    _E("stork", "EsserSpike", "max(0, 1 - abs(beta*v))", {"beta": 1.0},
       "stork.activations.EsserSpike.backward", _D, "1",
       "area 1/beta: the triangular density at the default beta = 1"),
    _E("stork", "TanhSpike", "1 + (1 - tanh(v*beta)**2)", {"beta": 100.0},
       "stork.activations.TanhSpike.backward", _N, None,
       "constant offset 1 plus sech^2: not integrable", ("offset",)),
    _E("stork", "HardTanhSpike", "1 + min(max(v*beta, -1), 1)", {"beta": 100.0},
       "stork.activations.HardTanhSpike.backward", _N, None,
       "1 + hardtanh(beta v) tends to 2 for v > 0: not integrable"),
    # --- BrainPy / braintools: braintools/surrogate/_impl.py (surrogate_grad) ---------------
    _E("braintools", "Sigmoid", _SIG, {"alpha": 4.0}, "braintools.surrogate.Sigmoid.surrogate_grad",
       _D, "1", "logistic density"),
    _E("braintools", "PiecewiseQuadratic", "where(abs(v) > 1/alpha, 0, alpha - alpha**2*abs(v))",
       {"alpha": 1.0}, "braintools.surrogate.PiecewiseQuadratic.surrogate_grad", _D, "1",
       "triangular density"),
    _E("braintools", "PiecewiseExp", "(alpha/2)*exp(-alpha*abs(v))", {"alpha": 1.0},
       "braintools.surrogate.PiecewiseExp.surrogate_grad", _D, "1", "Laplace density"),
    _E("braintools", "SoftSign", "alpha*0.5/(1 + abs(alpha*v))**2", {"alpha": 1.0},
       "braintools.surrogate.SoftSign.surrogate_grad", _D, "1", "fast-sigmoid density"),
    _E("braintools", "Arctan", "alpha*0.5/(1 + (pi/2*alpha*v)**2)", {"alpha": 1.0},
       "braintools.surrogate.Arctan.surrogate_grad", _D, "1", "arctan density, beta = pi alpha/2"),
    _E("braintools", "NonzeroSignLog", "1/(1/alpha + abs(v))", {"alpha": 1.0},
       "braintools.surrogate.NonzeroSignLog.surrogate_grad", _N, None, "1/|v| tails"),
    _E("braintools", "ERF", "(alpha/sqrt(pi))*exp(-alpha**2*v*v)", {"alpha": 1.0},
       "braintools.surrogate.ERF.surrogate_grad", _D, "1", "Gaussian density, beta = alpha sqrt 2"),
    _E("braintools", "PiecewiseLeakyRelu", "where(abs(v) > w, c, 1/(2*w))", {"c": 0.01, "w": 1.0},
       "braintools.surrogate.PiecewiseLeakyRelu.surrogate_grad", _N, None,
       "constant offset c outside |v| <= w: not integrable (uses 1/(2w) inside, unlike "
       "SpikingJelly's 1/w)", ("offset",)),
    _E("braintools", "SquarewaveFourierSeries",
       "4/t_period*(cos(2*pi/t_period*v) + cos(3*2*pi/t_period*v))", {"t_period": 8.0},
       "braintools.surrogate.SquarewaveFourierSeries.surrogate_grad (n = 2: terms i = 1..n)",
       _N, None, "a sum of cosines: sign-changing and not integrable (two terms here, one "
       "in SpikingJelly at the same n)", ("sign-changing",)),
    _E("braintools", "S2NN", f"where(v < 0, {_SIG}, beta/(v + 1))", {"alpha": 4.0, "beta": 1.0},
       "braintools.surrogate.S2NN.surrogate_grad", _N, None, "beta/(v+1) tail: not integrable"),
    _E("braintools", "QPseudoSpike", "(1 + 2/(alpha + 1)*abs(v))**(-alpha)", {"alpha": 2.0},
       "braintools.surrogate.QPseudoSpike.surrogate_grad", _R, "3",
       "uses alpha+1 where SpikingJelly uses alpha-1: area (alpha+1)/(alpha-1) = 3, "
       "3 times the fast-sigmoid density with beta = 2/3"),
    _E("braintools", "LeakyRelu", "where(v < 0, alpha, beta)", {"alpha": 0.1, "beta": 1.0},
       "braintools.surrogate.LeakyRelu.surrogate_grad", _N, None,
       "piecewise constant: not integrable"),
    _E("braintools", "LogTailedRelu", "where(v > 1, 1/v, where(v > 0, 1, alpha))", {"alpha": 0.0},
       "braintools.surrogate.LogTailedRelu.surrogate_grad", _N, None, "1/v tail"),
    _E("braintools", "ReluGrad", "max(alpha*width - abs(v)*alpha, 0)", {"alpha": 0.3, "width": 1.0},
       "braintools.surrogate.ReluGrad.surrogate_grad", _R, "3/10",
       "alpha width^2 times the triangular density with beta = 1/width"),
    _E("braintools", "GaussianGrad", "alpha*exp(-(v**2)/(2*sigma**2))/(sqrt(2*pi)*sigma)",
       {"sigma": 0.5, "alpha": 0.5}, "braintools.surrogate.GaussianGrad.surrogate_grad", _R,
       "1/2", "alpha times the Gaussian density with beta = 1/sigma"),
    _E("braintools", "MultiGaussianGrad",
       "scale*((1 + h)*exp(-v**2/(2*sigma**2))/(sqrt(2*pi)*sigma)"
       " - h*exp(-(v - sigma)**2/(2*(s*sigma)**2))/(sqrt(2*pi)*s*sigma)"
       " - h*exp(-(v + sigma)**2/(2*(s*sigma)**2))/(sqrt(2*pi)*s*sigma))",
       {"h": 0.15, "s": 6.0, "sigma": 0.5, "scale": 0.5},
       "braintools.surrogate.MultiGaussianGrad.surrogate_grad", _N, "17/40",
       "negative side lobes (area scale (1 - h) = 0.425 but negative for |v| > ~1)",
       ("sign-changing",)),
    _E("braintools", "InvSquareGrad", "1/(alpha*abs(v) + 1.0)**2", {"alpha": 100.0},
       "braintools.surrogate.InvSquareGrad.surrogate_grad", _R, "1/50", "SuperSpike, 2/alpha"),
    _E("braintools", "SlayerGrad", "exp(-alpha*abs(v))", {"alpha": 1.0},
       "braintools.surrogate.SlayerGrad.surrogate_grad", _R, "2",
       "2/alpha times the Laplace density"),
    # --- lava-dl: lava/lib/dl/slayer/spike/spike.py, _spike_backward ------------------------
    _E("lava-dl", "Spike (binary)", "scale_rho/2/tau_rho*exp(-abs(v)/tau_rho)",
       {"scale_rho": 1.0, "tau_rho": 1.0},
       "lava.lib.dl.slayer.spike.spike._spike_backward, graded_spike=False; neuron defaults "
       "tau_grad = scale_grad = 1 give tau_rho = tau_grad*threshold = 1 (threshold 1)", _D, "1",
       "area scale_rho: the Laplace density with beta = 1/tau_rho"),
    _E("lava-dl", "Spike (graded)", "scale_rho*exp(min(v, 0)/tau_rho)",
       {"scale_rho": 1.0, "tau_rho": 1.0},
       "lava.lib.dl.slayer.spike.spike._spike_backward, graded_spike=True", _N, None,
       "equals scale_rho for every v > 0: not integrable"),
    # --- sinabs: sinabs/activation/surrogate_gradient_fn.py (spike_threshold = 1) -----------
    _E("sinabs", "Heaviside", "where(v >= -window, 1/threshold, 0)",
       {"window": 1.0, "threshold": 1.0},
       "sinabs.activation.surrogate_gradient_fn.Heaviside.__call__", _N, None,
       "1/threshold for every v >= -window: not integrable"),
    _E("sinabs", "Gaussian", "grad_scale*exp(-(v - mu)**2/(2*sigma**2))/(sigma*sqrt(2*pi))",
       {"mu": 0.0, "sigma": 0.5, "grad_scale": 1.0},
       "sinabs.activation.surrogate_gradient_fn.Gaussian.__call__", _D, "1",
       "Gaussian density with beta = 1/sigma"),
    _E("sinabs", "MultiGaussian",
       "grad_scale*((1 + h)*exp(-(v - mu)**2/(2*sigma**2))/(sigma*sqrt(2*pi))"
       " - h*exp(-(v - sigma)**2/(2*(s*sigma)**2))/(s*sigma*sqrt(2*pi))"
       " - h*exp(-(v + sigma)**2/(2*(s*sigma)**2))/(s*sigma*sqrt(2*pi)))",
       {"mu": 0.0, "sigma": 0.5, "h": 0.15, "s": 6.0, "grad_scale": 1.0},
       "sinabs.activation.surrogate_gradient_fn.MultiGaussian.__call__", _N, "17/20",
       "negative side lobes; area grad_scale (1 - h)", ("sign-changing",)),
    _E("sinabs", "SingleExponential",
       "grad_scale/(threshold*grad_width)*exp(-abs(v)/(threshold*grad_width))",
       {"grad_width": 0.5, "grad_scale": 1.0, "threshold": 1.0},
       "sinabs.activation.surrogate_gradient_fn.SingleExponential.__call__", _R, "2",
       "2 grad_scale times the Laplace density with beta = 1/(threshold grad_width)"),
    _E("sinabs", "PeriodicExponential",
       "grad_scale/threshold*where(v < 0, exp(-abs(v)/grad_width),"
       " exp(-abs(v + threshold/2 - floor((v + threshold/2)/threshold) - threshold/2)/grad_width))",
       {"grad_width": 0.5, "grad_scale": 1.0, "threshold": 1.0},
       "sinabs.activation.surrogate_gradient_fn.PeriodicExponential.__call__", _N, None,
       "periodic above the threshold (one bump per threshold of potential): not integrable"),
    # --- spyx: spyx/axn.py -------------------------------------------------------------------
    _E("spyx", "superspike", "1/(1 + k*abs(v))**2", {"k": 25.0}, "spyx.axn.superspike", _R,
       "2/25", "2/k times the fast-sigmoid density"),
    _E("spyx", "arctan", "1/((1 + (k*pi*v)**2)*pi)", {"k": 2.0}, "spyx.axn.arctan", _R,
       "1/(2*pi)", "1/(k pi) times the arctan density with beta = k pi"),
    _E("spyx", "tanh", "4/(exp(-k*v) + exp(k*v))**2", {"k": 1.0}, "spyx.axn.tanh", _R, "2",
       "sech^2(k v): 2/k times the logistic density with beta = 2k"),
    _E("spyx", "boxcar", "where(abs(v) < width/2, height, 0)", {"width": 2.0, "height": 0.5},
       "spyx.axn.boxcar", _D, "1", "height*width = 1: the uniform density with beta = 1/2"),
    _E("spyx", "triangular", "max(0, 1 - abs(k*v))", {"k": 2.0}, "spyx.axn.triangular", _R,
       "1/2", "1/k times the triangular density with beta = k"),
    _E("spyx", "custom (default, straight-through)", "1", {}, "spyx.axn.custom", _N, None,
       "the default bwd is the identity: a constant 1"),
)
