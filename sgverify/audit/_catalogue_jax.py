"""Catalogue entries of the JAX libraries: spyx and braintools (BrainPy's surrogates).
Formulas restate the release's backward pass in ``v = u - theta`` at its defaults."""

from __future__ import annotations

from functools import partial

from ._catalogue_entry import CatalogueEntry

__all__ = ["ENTRIES"]

_D, _R, _N = "density", "rescaled density", "not a density"
_SIG = "alpha*sigmoid(alpha*v)*(1 - sigmoid(alpha*v))"
_RUN = "executed: jax.vjp with upstream gradient 1, float64 (jax_enable_x64 for the call)"

_spyx = partial(CatalogueEntry, "spyx", version="1.0.0", verified="execution",
                verification=f"{_RUN}, jax 0.10.2 and 0.12.0.1, through the activation as "
                             "spyx.nn.LIF calls it (self.spike(V - threshold), threshold 1)")
_bt = partial(CatalogueEntry, "braintools", version="0.4.0 (0.3.0 identical)",
              verified="execution",
              verification=f"{_RUN}: 0.4.0 (Python >= 3.12, jax 0.12.0.1) and 0.3.0 (the last "
                           "release for Python 3.11, jax 0.10.2), through Surrogate.__call__ "
                           "as BrainPy's LIF calls it (spk_fun(V - V_th), V_th = 20)")

ENTRIES: tuple[CatalogueEntry, ...] = (
    # --- spyx: spyx/axn.py ----------------------------------------------------------------------
    _spyx("superspike", "1/(1 + k*abs(v))**2", {"k": 25.0}, "spyx.axn.superspike", _R, "2/25",
          "2/k times the fast-sigmoid density"),
    _spyx("arctan", "1/((1 + (k*pi*v)**2)*pi)", {"k": 2.0}, "spyx.axn.arctan", _R, "1/(2*pi)",
          "1/(k pi) times the arctan density with beta = k pi"),
    _spyx("tanh", "4/(exp(-k*v) + exp(k*v))**2", {"k": 1.0}, "spyx.axn.tanh", _R, "2",
          "sech^2(k v): 2/k times the logistic density with beta = 2k"),
    _spyx("boxcar", "where(abs(v) < width/2, height, 0)", {"width": 2.0, "height": 0.5},
          "spyx.axn.boxcar", _D, "1",
          "height*width = 1: the uniform density with beta = 1/2"),
    _spyx("triangular", "max(0, 1 - abs(k*v))", {"k": 2.0}, "spyx.axn.triangular", _R, "1/2",
          "1/k times the triangular density with beta = k (the default k was 0.5 in spyx's "
          "earlier Haiku releases)"),
    _spyx("custom (default bwd)", "v", {}, "spyx.axn.custom (bwd=lambda x: x)", _N, None,
          "FINDING: the default backward of spyx.axn.custom is bwd(x) = x, so the gradient is "
          "the upstream gradient times v itself: negative below the threshold, growing without "
          "bound. The transcription (a straight-through 1) describes the earlier Axon(bwd="
          "lambda x: 1) of spyx's Haiku releases (GitHub kmheckel/spyx @ 0895a0c7)",
          ("sign-changing",)),
    # --- braintools: braintools/surrogate/_impl.py (surrogate_grad) -----------------------------
    _bt("Sigmoid", _SIG, {"alpha": 4.0}, "braintools.surrogate.Sigmoid.surrogate_grad", _D, "1",
        "logistic density"),
    _bt("PiecewiseQuadratic", "where(abs(v) > 1/alpha, 0, alpha - alpha**2*abs(v))",
        {"alpha": 1.0}, "braintools.surrogate.PiecewiseQuadratic.surrogate_grad", _D, "1",
        "triangular density"),
    _bt("PiecewiseExp", "(alpha/2)*exp(-alpha*abs(v))", {"alpha": 1.0},
        "braintools.surrogate.PiecewiseExp.surrogate_grad", _D, "1", "Laplace density"),
    _bt("SoftSign", "alpha*0.5/(1 + abs(alpha*v))**2", {"alpha": 1.0},
        "braintools.surrogate.SoftSign.surrogate_grad", _D, "1", "fast-sigmoid density"),
    _bt("Arctan", "alpha*0.5/(1 + (pi/2*alpha*v)**2)", {"alpha": 1.0},
        "braintools.surrogate.Arctan.surrogate_grad", _D, "1",
        "arctan density, beta = pi alpha/2"),
    _bt("NonzeroSignLog", "1/(1/alpha + abs(v))", {"alpha": 1.0},
        "braintools.surrogate.NonzeroSignLog.surrogate_grad", _N, None, "1/|v| tails"),
    _bt("ERF", "(alpha/sqrt(pi))*exp(-alpha**2*v*v)", {"alpha": 1.0},
        "braintools.surrogate.ERF.surrogate_grad", _D, "1",
        "Gaussian density, beta = alpha sqrt 2"),
    _bt("PiecewiseLeakyRelu", "where(abs(v) > w, c, 1/(2*w))", {"c": 0.01, "w": 1.0},
        "braintools.surrogate.PiecewiseLeakyRelu.surrogate_grad", _N, None,
        "constant offset c outside |v| <= w: not integrable (1/(2w) inside, as SpikingJelly "
        "2.0.0)", ("offset",)),
    _bt("SquarewaveFourierSeries", "4/t_period*(cos(2*pi/t_period*v) + cos(3*2*pi/t_period*v))",
        {"t_period": 8.0},
        "braintools.surrogate.SquarewaveFourierSeries.surrogate_grad (n = 2: terms i = 1..n)",
        _N, None, "a sum of cosines: sign-changing and not integrable (two terms here, one "
        "in SpikingJelly at the same n)", ("sign-changing",)),
    _bt("S2NN", f"where(v < 0, {_SIG}, beta/(v + 1))", {"alpha": 4.0, "beta": 1.0},
        "braintools.surrogate.S2NN.surrogate_grad", _N, None, "beta/(v+1) tail: not integrable"),
    _bt("QPseudoSpike", "(1 + 2/(alpha + 1)*abs(v))**(-alpha)", {"alpha": 2.0},
        "braintools.surrogate.QPseudoSpike.surrogate_grad", _R, "3",
        "uses alpha+1 where SpikingJelly uses alpha-1: area (alpha+1)/(alpha-1) = 3, "
        "3 times the fast-sigmoid density with beta = 2/3"),
    _bt("LeakyRelu", "where(v < 0, alpha, beta)", {"alpha": 0.1, "beta": 1.0},
        "braintools.surrogate.LeakyRelu.surrogate_grad", _N, None,
        "piecewise constant: not integrable"),
    _bt("LogTailedRelu", "where(v > 1, 1/v, where(v > 0, 1, alpha))", {"alpha": 0.0},
        "braintools.surrogate.LogTailedRelu.surrogate_grad", _N, None, "1/v tail"),
    _bt("ReluGrad", "max(alpha*width - abs(v)*alpha, 0)", {"alpha": 0.3, "width": 1.0},
        "braintools.surrogate.ReluGrad.surrogate_grad", _R, "3/10",
        "alpha width^2 times the triangular density with beta = 1/width"),
    _bt("GaussianGrad", "alpha*exp(-(v**2)/(2*sigma**2))/(sqrt(2*pi)*sigma)",
        {"sigma": 0.5, "alpha": 0.5}, "braintools.surrogate.GaussianGrad.surrogate_grad", _R,
        "1/2", "alpha times the Gaussian density with beta = 1/sigma"),
    _bt("MultiGaussianGrad",
        "scale*((1 + h)*exp(-v**2/(2*sigma**2))/(sqrt(2*pi)*sigma)"
        " - h*exp(-(v - sigma)**2/(2*(s*sigma)**2))/(sqrt(2*pi)*s*sigma)"
        " - h*exp(-(v + sigma)**2/(2*(s*sigma)**2))/(sqrt(2*pi)*s*sigma))",
        {"h": 0.15, "s": 6.0, "sigma": 0.5, "scale": 0.5},
        "braintools.surrogate.MultiGaussianGrad.surrogate_grad", _N, "17/40",
        "negative side lobes (area scale (1 - h) = 0.425 but negative for |v| > ~1)",
        ("sign-changing",)),
    _bt("InvSquareGrad", "1/(alpha*abs(v) + 1.0)**2", {"alpha": 100.0},
        "braintools.surrogate.InvSquareGrad.surrogate_grad", _R, "1/50",
        "SuperSpike, 2/alpha times the fast-sigmoid density. FINDING (scale): it is the "
        "default spk_fun of BrainPy's LIF neurons (brainpy 2.8.2 and 2.9.0), whose defaults "
        "put the threshold V_th = 20 mV above V_rest = 0: a surrogate of half-width 1/alpha "
        "= 0.01 mV, 1/2000 of the rest-to-threshold distance"),
    _bt("SlayerGrad", "exp(-alpha*abs(v))", {"alpha": 1.0},
        "braintools.surrogate.SlayerGrad.surrogate_grad", _R, "2",
        "2/alpha times the Laplace density"),
)
