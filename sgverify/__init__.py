"""sgverify: executable checks of the theory of surrogate-gradient learning.

Question -> call
----------------
==========================================================  =========================================
What is the firing probability / matched SD of a noise?    ``escape.Sigmoid(beta).cdf(v)`` / ``.pdf(v)``
What is E[y] and dE[y]/dw for one stochastic neuron?       ``neuron.expected_output``, ``neuron.spm_gradient``
What does a surrogate derivative give for one neuron?      ``neuron.surrogate_gradient``
What are the stochastic derivatives of a Bernoulli?        ``stochad.bernoulli_triple``, ``stochad.smoothed``
Which claims exist, and do they hold?                      ``claims.select("*")``, ``claims.verify(claim)``
==========================================================  =========================================

Examples
--------
>>> from sgverify import escape, neuron
>>> float(neuron.spm_gradient(0.0, 2.0, escape.Sigmoid(beta=4.0)))
2.0
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sgverify")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
