"""An example of a user's own test suite using sgverify's pytest plugin and testing API.

Run it with ``python -m pytest examples/user_suite`` (CI runs it through
tests/test_testing.py). Nothing here is special to sgverify's own repository: copy it into
your project and replace the surrogates by yours.
"""

from __future__ import annotations

import numpy as np
import pytest

from sgverify import escape
from sgverify.testing import (
    assert_matches_escape_noise,
    assert_surrogate_is_density,
)


def my_boxcar(v):
    """A rectangular surrogate as a NumPy function of the membrane potential v."""
    return np.where(np.abs(v) < 0.5, 1.0, 0.0)


def my_superspike(v, beta=10.0):
    """SuperSpike (Zenke & Ganguli 2018): a fast-sigmoid derivative, not normalised."""
    return 1.0 / (beta * np.abs(v) + 1.0) ** 2


def test_boxcar_is_the_uniform_density():
    r = assert_matches_escape_noise(my_boxcar, escape.Uniform(beta=1.0))
    assert r.breakpoints == (-0.5, 0.5)


def test_superspike_is_a_rescaled_fast_sigmoid_density():
    r = assert_matches_escape_noise(my_superspike, escape.FastSigmoid(beta=10.0),
                                    rescaled=True)
    assert r.factor == pytest.approx(2 / 10.0, rel=1e-12)


def test_superspike_is_not_normalised():
    with pytest.raises(AssertionError, match=r"area is 0\.2, not 1"):
        assert_surrogate_is_density(my_superspike)


def test_a_formula_from_a_paper(sgverify_audit):
    r = sgverify_audit("beta*exp(-beta*v)/(1 + exp(-beta*v))**2", {"beta": 4.0})
    assert r.verdict == "density" and r.family == "sigmoid"


@pytest.mark.sgverify_claim("single-neuron.sg-equals-spm-gradient")
def test_my_training_relies_on_the_matched_surrogate(sgverify_claim):
    # the marker checked the claim before this body ran; its evidence is at hand
    assert sgverify_claim.status == "confirmed"
