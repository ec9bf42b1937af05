"""sgverify: executable checks of the theory of surrogate-gradient learning.

Question -> call
----------------
* Firing probability and matched SD of an escape noise?
  ``escape.Sigmoid(beta).cdf(v)``, ``.pdf(v)``
* E[y] and dE[y]/dw of one stochastic neuron?
  ``neuron.expected_output``, ``neuron.spm_gradient``
* What a surrogate derivative gives for one neuron? ``neuron.surrogate_gradient``
* Stochastic derivatives of a Bernoulli spike? ``stochad.bernoulli_triple``, ``stochad.smoothed``
* Exact E[y] and its gradient for a small network? ``network.expected_output_gradient(net, x)``
* The expected SG of a stochastic network? ``network.expected_surrogate_gradient(net, x)``
* An unbiased gradient estimate? ``stochad.triple_gradient_estimate(net, x, rng, samples)``
* The SG field of the Fig. 4-5 network and its loop integrals?
  ``toynet.sg_field``, ``paths.loop_integral``
* The escape noise my surrogate implies? ``audit.audit("1/(beta*abs(v)+1)**2", {"beta": 10})``,
  ``audit.audit(my_numpy_fn)``, ``audit.from_torch(spike_fn)``
* Is my surrogate a density, in my own pytest suite?
  ``testing.assert_surrogate_is_density(fn)``, ``@pytest.mark.sgverify_claim("id")``
* LIF dynamics and SNN training? ``lif.LIF``, ``snn.train``
* A Monte Carlo mean against its exact value (exact variance, z-bound, minimum detectable bias)?
  ``statistics.mean_check(mean, exact, exact_var, n)``
* Which claims exist, and do they hold? ``claims.select("*")``, ``claims.verify(claim)``;
  what was checked: ``claims.verify(claim).evidence.checks``
* A paper figure with its numbers? ``figures.reproduce("fig5")``
* Run claims, figures and the catalogue, keep the results, write the report?
  ``s = session.execute(session.plan("*", figures=True, catalogue=True))``,
  ``s.results()``, ``s.write_report("reports")``

The concept modules load on first use, so ``import sgverify`` stays cheap.

Examples
--------
>>> import sgverify
>>> float(sgverify.neuron.spm_gradient(0.0, 2.0, sgverify.escape.Sigmoid(beta=4.0)))
2.0
"""

from __future__ import annotations

import importlib
from typing import Any

_MODULES = ("audit", "claims", "escape", "figures", "lif", "network", "neuron", "paths",
            "reference", "report", "session", "snn", "statistics", "stochad", "strategies",
            "symbols", "testing", "toynet")

__all__ = ["__version__", *_MODULES]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name == "__version__":
        # looked up when asked: importing importlib.metadata took ~40 ms of every command's
        # start, and of the fork server's, which is the start's critical path
        from importlib.metadata import PackageNotFoundError, version

        try:
            got = version("sgverify")
        except PackageNotFoundError:  # running from a source tree that was never installed
            got = "0.0.0+unknown"
        globals()["__version__"] = got
        return got
    raise AttributeError(f"module 'sgverify' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
