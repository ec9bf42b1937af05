"""Catalogue entries of the PyTorch libraries: snnTorch, norse, SpikingJelly, sinabs, lava-dl,
stork. Formulas restate the release's backward pass in ``v = u - theta`` at its defaults."""

from __future__ import annotations

from functools import partial

from ._catalogue_entry import CatalogueEntry

__all__ = ["ENTRIES"]

_D, _R, _N = "density", "rescaled density", "not a density"
_SIG = "alpha*sigmoid(alpha*v)*(1 - sigmoid(alpha*v))"
_CIRC = "(-(v**2/(2*(alpha**2 + v**2)**(3/2))) + 1/(2*sqrt(alpha**2 + v**2)))*2*alpha"
_RUN = "executed: torch 2.13.0 (CPU) autograd, upstream gradient 1, float64 input"

_snn = partial(CatalogueEntry, "snnTorch", version="1.0.0", verified="execution",
               verification=f"{_RUN}, through snntorch.Leaky.fire (spike_grad(mem - threshold), "
                            "threshold 1)")
_norse = partial(CatalogueEntry, "norse", version="1.1.0", verified="execution",
                 verification=f"{_RUN}, through norse.torch.functional.threshold.threshold("
                              "v - v_th, method, alpha) with LIFParameters' v_th = 1 and alpha")
_sj = partial(CatalogueEntry, "SpikingJelly", version="2.0.0", verified="execution",
              verification=f"{_RUN}, through IFNode's step (functional.if_step: "
                           "surrogate_function(v + x - v_threshold), v_threshold 1)")
_sin = partial(CatalogueEntry, "sinabs", version="3.1.3", verified="execution",
               verification=f"{_RUN}, through SingleSpike.apply(v_mem, spike_threshold = 1, "
                            "surrogate_grad_fn) as sinabs' layers call it")
_lava = partial(CatalogueEntry, "lava-dl", version="0.6.0", verified="execution",
                verification=f"{_RUN}, through slayer.neuron.cuba.Neuron(threshold=1).spike; "
                             "lava-dl 0.6.0 requires Python < 3.11 and torch < 2.4, so it was "
                             "installed with pip --no-deps --ignore-requires-python beside "
                             "torch 2.13, and slayer/__init__ (object-detection helpers needing "
                             "torchvision) was bypassed; the spike and neuron modules ran as "
                             "released")
_stork = partial(CatalogueEntry, "stork", version="GitHub fmi-basel/stork @ 06d0c91b",
                 verified="reading", verification="not on PyPI: source read, not executed")

ENTRIES: tuple[CatalogueEntry, ...] = (
    # --- snnTorch: snntorch/surrogate.py --------------------------------------------------------
    _snn("atan", "alpha/2/(1 + (pi/2*alpha*v)**2)", {"alpha": 2.0},
         "snntorch.surrogate.ATan.backward (factory atan)", _D, "1",
         "arctan (Cauchy) density with beta = pi alpha / 2"),
    _snn("fast_sigmoid", "1/(slope*abs(v) + 1)**2", {"slope": 25.0},
         "snntorch.surrogate.FastSigmoid.backward (factory fast_sigmoid)", _R, "2/25",
         "SuperSpike, unnormalised: 2/slope times the fast-sigmoid density"),
    _snn("sigmoid", "slope*exp(-slope*v)/(exp(-slope*v) + 1)**2", {"slope": 25.0},
         "snntorch.surrogate.Sigmoid.backward (factory sigmoid)", _D, "1",
         "logistic density with beta = slope. FINDING: as executed, (grad * slope) * "
         "exp(-slope*v) overflows and is divided by (exp(-slope*v) + 1)^2 = inf, so the "
         "backward returns NaN for v < -(log(max float) - log(slope))/slope with upstream "
         "gradient 1: v < -28.26 in float64 and v < -3.42 in float32 (snnTorch's usual "
         "dtype) at slope 25; a membrane potential 3.42 below a threshold of 1 gets a NaN "
         "gradient (the cut moves with the upstream gradient's size)", ("nan-far-below",)),
    _snn("spike_rate_escape", "slope*exp(-beta*abs(v - 1))", {"beta": 1.0, "slope": 25.0},
         "snntorch.surrogate.SpikeRateEscape.backward (factory spike_rate_escape)", _R, "50",
         "area 2 slope / beta; a Laplace density centred one unit ABOVE the threshold "
         "(input_ is already u - theta, and the backward uses |input_ - 1|)"),
    _snn("triangular", "where(v < 0, threshold, -threshold)", {"threshold": 1.0},
         "snntorch.surrogate.Triangular.backward (factory triangular)", _N, None,
         "the backward returns +threshold below and -threshold at or above the threshold: "
         "a sign flip, not a triangle; negative and not integrable", ("sign-changing",)),
    _snn("straight_through_estimator", "1", {},
         "snntorch.surrogate.StraightThroughEstimator.backward", _N, None,
         "the identity: a constant 1, not integrable", ("straight-through",)),
    _snn("heaviside", "heaviside(v)", {},
         "snntorch.surrogate.Heaviside.backward (factory heaviside)", _N, None,
         "the backward is the forward spike H(v): 1 on the whole half-line v > 0"),
    _snn("SFS", "where(v > B, 1/(slope*abs(v) + 1)**2, 0)", {"slope": 25.0, "B": 1.0},
         "snntorch.surrogate.SparseFastSigmoid.backward (factory SFS)", _R, "1/650",
         "SuperSpike cut to v > B: area int_1^inf (25 v + 1)^-2 dv = 1/(25*26); a one-sided "
         "density (noise only above B), no atlas family"),
    _snn("SSO", "where(v > 0, 1, mean*variance)", {"mean": 0.0, "variance": 0.2},
         "snntorch.surrogate.StochasticSpikeOperator.backward (factory SSO)", _N, None,
         "stochastic: 1 above the threshold, (U[0,1) - 1/2 + mean) * variance at or below it "
         "(zero-mean noise of half-width 0.1 at the defaults). The formula is its expectation "
         "(docs/theory.md 4.4: straight-through above the threshold, noise below): constant "
         "1 on v > 0, not integrable", ("stochastic", "straight-through")),
    _snn("LSO", "where(v > 0, 1, slope)", {"slope": 0.1},
         "snntorch.surrogate.LeakySpikeOperator.backward (factory LSO)", _N, None,
         "as written, 1 above and slope below the threshold (a leaky straight-through "
         "estimator), not integrable; but it cannot run in 1.0.0: LSO() calls "
         "StochasticSpikeOperator.apply(x, slope), which raises TypeError (missing variance), "
         "and LeakySpikeOperator.apply's backward returns one gradient for two inputs, which "
         "autograd refuses", ("straight-through",),
         verified="reading", verification="executing it raises (both the factory and the "
         "autograd Function; tests/conformance asserts the failure)"),
    # --- norse: norse/torch/functional/{superspike,threshold}.py --------------------------------
    _norse("super", "1/(abs(v) + 1)**2", {},
           "norse.torch.functional.superspike.SuperSpike.backward (method 'super', the LIF "
           "default)", _R, "2",
           "FINDING: alpha (LIFParameters.alpha = 100, documented as the steepness) has no "
           "effect; the backward computes 1/(|v| + 1)^2 whatever alpha is: 2 times the "
           "fast-sigmoid density with beta = 1, 100 times wider than documented. The "
           "transcription 1/(alpha |v| + 1)^2 (area 1/50) does not match 1.1.0"),
    _norse("tanh", "1 - tanh(k*v)**2", {"k": 100.0},
           "norse.torch.functional.threshold.HeaviTanh.backward (method 'tanh', alpha = 100)",
           _R, "1/50", "sech^2(k v) = (2/k) times the logistic density with beta = 2k; the "
           "backward omits the factor k of d/dv tanh(k v)"),
    _norse("triangle", "max(1 - abs(v), 0)*alpha", {"alpha": 100.0},
           "norse.torch.functional.threshold.Triangle.backward (method 'triangle', alpha = 100)",
           _R, "100", "alpha times the triangular density of width 1 (alpha scales the height, "
           "not the width). Transcribed as 'tent' (HeaviTent) from an earlier release; 1.1.0 "
           "names it Triangle / method 'triangle' with the same backward"),
    _norse("circ", _CIRC, {"alpha": 100.0},
           "norse.torch.functional.threshold.HeaviCirc.backward (method 'circ', alpha = 100)",
           _R, "200", "simplifies to alpha^3/(alpha^2 + v^2)^(3/2), area 2 alpha; the density "
           "of x/sqrt(x^2+alpha^2) noise (Student t, 2 dof), not an atlas family"),
    _norse("heavi_erfc", "2*exp(-k**2*v**2)/sqrt(pi)", {"k": 100.0},
           "norse.torch.functional.threshold.HeaviErfc.backward (method 'heavi_erfc', "
           "alpha = 100)", _R, "1/50",
           "(2/k) times the Gaussian density with beta = k sqrt 2: the backward omits the "
           "factor k. Dispatched by threshold() in 1.1.0 (the transcription said it was not). "
           "It divides by torch.as_tensor(np.pi).sqrt(), a float32 tensor: the result carries "
           "float32 rounding (relative ~3e-8) even for float64 input"),
    _norse("heaviside", "0", {},
           "norse.torch.functional.heaviside.heaviside (method 'heaviside')", _N, None,
           "no surrogate: torch.gt has no gradient, so nothing flows back (derivative 0)"),
    _norse("logistic (stochastic forward)", "1 - tanh(k*v)**2", {"k": 100.0},
           "norse.torch.functional.threshold.Logistic.backward (logistic_fn)", _R, "1/50",
           "the forward samples Bernoulli(1/2 + tanh(k v)/2) = Bernoulli(sigma_{2k}(v)), a "
           "stochastic neuron with logistic escape noise; its matched SD is k sech^2(k v), and "
           "the backward is sech^2(k v): the matched SD divided by k (right direction, 1/100 "
           "of the SPM gradient's length at k = 100)", ("stochastic-forward",)),
    _norse("circ_dist (stochastic forward)", _CIRC, {"alpha": 100.0},
           "norse.torch.functional.threshold.CircDist.backward (circ_dist_fn)", _R, "200",
           "the forward samples Bernoulli(1/2 + v/(2 sqrt(v^2 + alpha^2))), whose matched SD "
           "is alpha^2/(2 (alpha^2 + v^2)^(3/2)); the backward is 2 alpha times it",
           ("stochastic-forward",)),
    # --- SpikingJelly: spikingjelly/activation_based/surrogate.py -------------------------------
    _sj("Sigmoid", _SIG, {"alpha": 4.0}, "spikingjelly.activation_based.surrogate."
        "sigmoid_backward", _D, "1", "logistic density"),
    _sj("PiecewiseQuadratic", "where(abs(v) > 1/alpha, 0, -alpha**2*abs(v) + alpha)",
        {"alpha": 1.0}, "spikingjelly.activation_based.surrogate.piecewise_quadratic_backward",
        _D, "1", "triangular density"),
    _sj("PiecewiseExp", "alpha/2*exp(-alpha*abs(v))", {"alpha": 1.0},
        "spikingjelly.activation_based.surrogate.piecewise_exp_backward", _D, "1",
        "Laplace density"),
    _sj("SoftSign", "1/(2*alpha*(1/alpha + abs(v))**2)", {"alpha": 2.0},
        "spikingjelly.activation_based.surrogate.soft_sign_backward", _D, "1",
        "fast-sigmoid density"),
    _sj("SuperSpike", "alpha/(abs(v) + 1)**2", {"alpha": 1.0},
        "spikingjelly.activation_based.surrogate.super_spike_backward", _R, "2",
        "alpha times 1/(|v| + 1)^2: area 2 alpha, alpha scales the height, not the width "
        "(SuperSpike's steepness is fixed at 1)"),
    _sj("ATan", "alpha/2/(1 + (pi/2*alpha*v)**2)", {"alpha": 2.0},
        "spikingjelly.activation_based.surrogate.atan_backward", _D, "1",
        "arctan density with beta = pi alpha / 2"),
    _sj("NonzeroSignLogAbs", "1/(1/alpha + abs(v))", {"alpha": 1.0},
        "spikingjelly.activation_based.surrogate.nonzero_sign_log_abs_backward", _N, None,
        "decays like 1/|v|: the integral diverges logarithmically (the transcribed release's "
        "backward passed one tuple and would have raised; 2.0.0 runs)"),
    _sj("Erf", "exp(-(v*alpha)**2)*alpha/sqrt(pi)", {"alpha": 2.0},
        "spikingjelly.activation_based.surrogate.erf_backward", _D, "1",
        "Gaussian density with beta = alpha sqrt 2"),
    _sj("PiecewiseLeakyReLU", "where(abs(v) < w, 1/(2*w), c)", {"w": 1.0, "c": 0.01},
        "spikingjelly.activation_based.surrogate.piecewise_leaky_relu_backward", _N, None,
        "constant offset c outside |v| < w: not integrable. 2.0.0 uses 1/(2w) inside (the "
        "primitive's slope), as braintools does; the transcribed release used 1/w",
        ("offset",)),
    _sj("SquarewaveFourierSeries", "4/T_period*cos(2*pi/T_period*v)", {"T_period": 8.0},
        "spikingjelly.activation_based.surrogate.squarewave_fourier_series.backward (n = 2: "
        "range(1, n) keeps one term)", _N, None,
        "a cosine: negative on half of every period and not integrable", ("sign-changing",)),
    _sj("S2NN", f"where(v < 0, {_SIG}, beta/(v + 1))", {"alpha": 4.0, "beta": 1.0},
        "spikingjelly.activation_based.surrogate.s2nn.backward", _N, None,
        "beta/(v + 1) for v >= 0 decays like 1/v: not integrable"),
    _sj("QPseudoSpike", "(1 + 2/(alpha - 1)*abs(v))**(-alpha)", {"alpha": 2.0},
        "spikingjelly.activation_based.surrogate.q_pseudo_spike.backward", _D, "1",
        "area 1 for every alpha > 1; at alpha = 2 it is the fast-sigmoid density with beta = 2"),
    _sj("LeakyKReLU", "where(v >= 0, k, leak)", {"leak": 0.0, "k": 1.0},
        "spikingjelly.activation_based.surrogate.leaky_k_relu_backward", _N, None,
        "constant k on v >= 0: not integrable"),
    _sj("FakeNumericalGradient", "where(abs(v) > 1/alpha, 1/abs(v), alpha)", {"alpha": 0.3},
        "spikingjelly.activation_based.surrogate.fake_numerical_gradient_backward", _N, None,
        "min(1/|v|, alpha): 1/|v| tails, not integrable"),
    _sj("LogTailedReLU", "where(v > 1, 1/v, where(v > 0, 1, alpha))", {"alpha": 0.0},
        "spikingjelly.activation_based.surrogate.log_tailed_relu_backward", _N, None,
        "1/v for v > 1: not integrable"),
    _sj("Rect", "where(abs(v) < 1/(2*alpha), alpha, 0)", {"alpha": 1.0},
        "spikingjelly.activation_based.surrogate.rect_backward", _D, "1",
        "the uniform (rectangle) density with beta = alpha"),
    _sj("DeterministicPass", "1", {},
        "spikingjelly.activation_based.surrogate.deterministic_pass.backward", _N, None,
        "straight-through: the backward passes the gradient unchanged (constant 1)",
        ("straight-through",)),
    _sj("PoissonPass", "1", {},
        "spikingjelly.activation_based.surrogate.poisson_pass.backward", _N, None,
        "the input is a firing probability p (forward Bernoulli(p)); the backward is 1, the "
        "straight-through derivative of E[spike] = p (docs/theory.md 4.4), unbiased per unit "
        "p, but as an SD in a potential a constant: not integrable",
        ("stochastic-forward", "straight-through"),
        verification=f"{_RUN}, called directly on p in [0, 1] (it takes a probability, not "
                     "a potential)"),
    _sj("MultiLevelSpikeCount", "where(v >= 0, where(v <= max_spike_count, 1, 0), 0)",
        {"max_spike_count": 1.0},
        "spikingjelly.activation_based.quantize.MultiLevelSpikeCountATGF.backward "
        "(max_spike_count = 1; it has no default)", _D, "1",
        "1 on [0, max_spike_count]: at max_spike_count = 1 the uniform density centred half a "
        "unit above the neuron's threshold, where its forward round(clamp(v, 0, 1)) steps "
        "(area max_spike_count in general)"),
    # --- sinabs: sinabs/activation/surrogate_gradient_fn.py (spike_threshold = 1) --------------
    _sin("Heaviside", "where(v >= -window, 1/threshold, 0)", {"window": 1.0, "threshold": 1.0},
         "sinabs.activation.surrogate_gradient_fn.Heaviside.__call__", _N, None,
         "1/threshold for every v >= -window: not integrable"),
    _sin("Gaussian", "grad_scale*exp(-(v - mu)**2/(2*sigma**2))/(sigma*sqrt(2*pi))",
         {"mu": 0.0, "sigma": 0.5, "grad_scale": 1.0},
         "sinabs.activation.surrogate_gradient_fn.Gaussian.__call__", _D, "1",
         "Gaussian density with beta = 1/sigma (sqrt(2 pi) is a float32 tensor: float32 "
         "rounding, relative ~3e-8, even for float64 input)"),
    _sin("MultiGaussian",
         "grad_scale*((1 + h)*exp(-(v - mu)**2/(2*sigma**2))/(sigma*sqrt(2*pi))"
         " - h*exp(-(v - sigma)**2/(2*(s*sigma)**2))/(s*sigma*sqrt(2*pi))"
         " - h*exp(-(v + sigma)**2/(2*(s*sigma)**2))/(s*sigma*sqrt(2*pi)))",
         {"mu": 0.0, "sigma": 0.5, "h": 0.15, "s": 6.0, "grad_scale": 1.0},
         "sinabs.activation.surrogate_gradient_fn.MultiGaussian.__call__", _N, "17/20",
         "negative side lobes; area grad_scale (1 - h); float32 sqrt(2 pi) as for Gaussian",
         ("sign-changing",)),
    _sin("SingleExponential",
         "grad_scale/(threshold*grad_width)*exp(-abs(v)/(threshold*grad_width))",
         {"grad_width": 0.5, "grad_scale": 1.0, "threshold": 1.0},
         "sinabs.activation.surrogate_gradient_fn.SingleExponential.__call__", _R, "2",
         "2 grad_scale times the Laplace density with beta = 1/(threshold grad_width)"),
    _sin("PeriodicExponential",
         "grad_scale*where(v < 0, exp(-abs(v)/grad_width), exp(-abs(threshold*(2*(v/threshold"
         " + 1/2 - floor(v/threshold + 1/2)) - 1))/grad_width))",
         {"grad_width": 0.5, "grad_scale": 1.0, "threshold": 1.0},
         "sinabs.activation.surrogate_gradient_fn.PeriodicExponential.__call__", _N, None,
         "periodic above the threshold (one bump per threshold of potential): not integrable. "
         "As executed in 3.1.3 the bumps above the threshold decay twice as fast as the one "
         "below (|2 (frac(v/theta + 1/2)) - 1| theta, not |frac - 1/2|) and there is no "
         "1/threshold factor; the transcription had both wrong"),
    # --- lava-dl: lava/lib/dl/slayer/{spike/spike.py, neuron/cuba.py} ---------------------------
    _lava("Spike (binary), CUBA neuron", "scale_rho/2/tau_rho*exp(-abs(v - eps_th)/tau_rho)",
          {"scale_rho": 0.1, "tau_rho": 100.0, "eps_th": 0.01 / 4096},
          "lava.lib.dl.slayer.spike.spike._spike_backward (graded_spike=False), as "
          "slayer.neuron.cuba.Neuron.spike calls it", _R, "1/10",
          "area scale_rho: scale_rho times the Laplace density with beta = 1/tau_rho, centred "
          "eps_th = 0.01/4096 above the threshold. FINDING: the neuron passes tau_rho = "
          "tau_grad * threshold * TAU_RHO_MULT and scale_rho = scale_grad * SCALE_RHO_MULT "
          "with the module constants TAU_RHO_MULT = 100, SCALE_RHO_MULT = 0.1, so the "
          "documented defaults tau_grad = scale_grad = 1 give a surrogate 100 thresholds wide "
          "with area 0.1 (the transcription, tau_rho = 1 and area 1, describes Spike.apply "
          "called directly)"),
    _lava("Spike (graded), CUBA neuron", "scale_rho*exp(min(v - eps_th, 0)/tau_rho)",
          {"scale_rho": 0.1, "tau_rho": 100.0, "eps_th": 0.01 / 4096},
          "lava.lib.dl.slayer.spike.spike._spike_backward (graded_spike=True), as "
          "slayer.neuron.cuba.Neuron.spike calls it", _N, None,
          "equals scale_rho for every v > eps_th: not integrable (same neuron multipliers as "
          "the binary spike)"),
    # --- stork: stork/activations.py (class attributes are the defaults) ------------------------
    _stork("SuperSpike", "1/(beta*abs(v) + 1)**2", {"beta": 20.0},
           "stork.activations.SuperSpike.backward", _R, "1/10",
           "2/beta times the fast-sigmoid density"),
    _stork("SuperSpike_rescaled", "(beta + 1)**2/(beta*abs(v) + 1)**2", {"beta": 20.0},
           "stork.activations.SuperSpike_rescaled.backward", _R, "441/10",
           "divides by 1/(beta+1)^2 so that it is 1 at rest (|v| = 1, threshold 1), hence 441 "
           "at the threshold; area 2 (beta+1)^2 / beta"),
    _stork("SuperSpike_asymptote", "beta/(beta*abs(v) + 1)**2", {"beta": 100.0},
           "stork.activations.SuperSpike_asymptote.backward", _R, "2",
           "2 times the fast-sigmoid density"),
    _stork("SuperSpike_MemClamp", "1/(beta*abs(relu(-v)) + 1)**2", {"beta": 20.0},
           "stork.activations.SuperSpike_MemClamp.backward", _N, None,
           "equals 1 for every v > 0: not integrable"),
    _stork("SigmoidSpike", "sigmoid(beta*v)*(1 - sigmoid(beta*v))", {"beta": 100.0},
           "stork.activations.SigmoidSpike.backward", _R, "1/100",
           "the 'scaled sigmoid' sigma(1 - sigma): 1/beta times the logistic density"),
    _stork("EsserSpike", "max(0, 1 - abs(beta*v))", {"beta": 1.0},
           "stork.activations.EsserSpike.backward", _D, "1",
           "area 1/beta: the triangular density at the default beta = 1"),
    _stork("TanhSpike", "1 + (1 - tanh(v*beta)**2)", {"beta": 100.0},
           "stork.activations.TanhSpike.backward", _N, None,
           "constant offset 1 plus sech^2: not integrable", ("offset",)),
    _stork("HardTanhSpike", "1 + min(max(v*beta, -1), 1)", {"beta": 100.0},
           "stork.activations.HardTanhSpike.backward", _N, None,
           "1 + hardtanh(beta v) tends to 2 for v > 0: not integrable"),
)
