"""Hypothesis profiles and the claim profile used by the registry-driven tests."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from sgverify.claims import PROFILES

for _name, _prof in PROFILES.items():
    settings.register_profile(
        _name,
        max_examples=_prof.max_examples,
        deadline=None,
        derandomize=_prof.derandomize,
        suppress_health_check=[HealthCheck.too_slow],
        print_blob=True,
    )

#: CI=true selects the ci profile; SGVERIFY_PROFILE overrides (e.g. thorough)
CLAIM_PROFILE = os.environ.get("SGVERIFY_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(CLAIM_PROFILE)


@pytest.fixture(scope="session")
def claim_profile() -> str:
    """The profile name the registry-driven tests run claims under."""
    return CLAIM_PROFILE


@pytest.fixture
def torch_spike():
    """A factory of torch spike functions as the SNN libraries write them: ``H(x)`` forward,
    ``g * sd(x)`` backward, for a surrogate ``sd`` of torch tensors (skips without torch)."""
    torch = pytest.importorskip("torch")

    def make(sd):
        class Spike(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return (x > 0).to(x.dtype)

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return g * sd(x)

        return Spike

    return make
