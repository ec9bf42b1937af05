"""sgverify.testing: assertions with one readable paragraph, the pytest marker and fixtures,
and the example user suite under examples/ (run here, so CI runs it)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from sgverify import claims, escape, testing

ROOT = Path(__file__).resolve().parents[1]


def paragraph(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and msg.endswith(".")
    return msg


def test_density_passes_and_returns_the_audit():
    r = testing.assert_surrogate_is_density(lambda v: np.maximum(0.0, 1.0 - np.abs(v)))
    assert r.family == "triangular" and r.kind == "callable"
    r = testing.assert_surrogate_is_density("1/(b*abs(v)+1)**2", {"b": 4}, rescaled=True)
    assert r.factor == pytest.approx(0.5)


@pytest.mark.parametrize("surrogate, params, words", [
    ("1/(beta*abs(v)+1)**2", {"beta": 10}, ["area is 0.2, not 1", "rescaled=True",
                                            "fast-sigmoid family (beta=10)"]),
    ("exp(-v**2) - 1.5*exp(-((v-0.3)/0.01)**2)", {},
     ["negative somewhere", "minimum is", "at v = 0.3", "never negative"]),
    ("1/(1 + abs(v))", {}, ["its integral diverges", "|v| |SD| tends to 1"]),
    ("where(abs(v) < 1, 1, 0.01)", {}, ["its integral diverges", "tends to 0.01"]),
    ("exp(-v**2)/abs(v - 0.3)**2", {}, ["its integral diverges", "pole at v = 0.3"]),
    ("1/(1 + abs(v))**1.02", {}, ["could not establish", "too close to 1/|v|"]),
])
def test_failures_say_what_is_wrong_in_one_paragraph(surrogate, params, words):
    with pytest.raises(AssertionError) as info:
        testing.assert_surrogate_is_density(surrogate, params, symbolic=False)
    msg = paragraph(info)
    assert msg.startswith("the surrogate ")
    for w in words:
        assert w in msg, (w, msg)


def test_closest_family_is_named_when_none_matches():
    with pytest.raises(AssertionError) as info:
        # a Student-t-like density: no atlas family, but one is nearest
        testing.assert_surrogate_is_density("1/(1 + v**2/3)**2", symbolic=False)
    msg = paragraph(info)
    assert "closest registered escape-noise family is" in msg and "of the peak" in msg
    from sgverify.audit import audit

    near = testing.nearest_families(audit("1/(1 + v**2/3)**2", symbolic=False))
    assert near and near[0][2] <= near[-1][2]


def test_matches_escape_noise():
    r = testing.assert_matches_escape_noise(lambda v: np.where(np.abs(v) < 0.5, 1.0, 0.0),
                                            escape.Uniform(beta=1.0))
    assert r.breakpoints == (-0.5, 0.5)
    testing.assert_matches_escape_noise("exp(-abs(v))/2", "laplace")
    testing.assert_matches_escape_noise("exp(-abs(v))/2", escape.Laplace)
    with pytest.raises(AssertionError) as info:
        testing.assert_matches_escape_noise("exp(-abs(v))/2", escape.Laplace(beta=1.5))
    msg = paragraph(info)
    assert "not the density of Laplace(beta=1.5)" in msg and "differ by up to" in msg
    assert "laplace family (beta=1)" in msg
    with pytest.raises(AssertionError, match="not of the gaussian family"):
        testing.assert_matches_escape_noise("exp(-abs(v))/2", "gaussian")
    with pytest.raises(TypeError, match="family must be"):
        testing.assert_matches_escape_noise("exp(-abs(v))/2", 3.0)


@pytest.mark.skipif(not hasattr(escape, "from_scipy"), reason="escape.from_scipy not available")
def test_matches_a_frozen_scipy_distribution():
    from scipy import stats

    testing.assert_matches_escape_noise("exp(-v**2/(2*0.25))/sqrt(2*pi*0.25)",
                                        stats.norm(scale=0.5))


def test_assert_claim():
    res = testing.assert_claim("single-neuron.expected-output")
    assert res.status == "confirmed"
    with pytest.raises(ValueError, match=r"claim_id: unknown claim id 'no\.such'"):
        testing.assert_claim("no.such")


def test_assert_claim_failure_is_a_paragraph(monkeypatch):
    real = claims.verify

    def refuted(claim, profile="dev"):
        res = real(claim, profile)
        return type(res)(res.claim, "refuted", res.evidence, res.seconds, res.profile)

    monkeypatch.setattr(claims, "verify", refuted)
    with pytest.raises(AssertionError) as info:
        testing.assert_claim("single-neuron.expected-output")
    msg = str(info.value)
    assert "\n" not in msg
    assert "is refuted under the dev profile, not confirmed" in msg
    assert "sgverify check single-neuron.expected-output --profile dev" in msg


def _pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *args], cwd=cwd, capture_output=True, text=True, env=env,
                          timeout=600)


def test_the_example_user_suite_passes():
    p = _pytest(str(ROOT / "examples" / "user_suite"), cwd=ROOT)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "5 passed" in p.stdout


def test_marker_and_fixtures_in_a_fresh_project(tmp_path):
    (tmp_path / "conftest.py").write_text(textwrap.dedent("""
        import pytest
        from sgverify import claims

        @pytest.fixture(autouse=True)
        def refute_one(monkeypatch, request):
            if "refuted" in request.node.name:
                real = claims.verify
                def fake(claim, profile="dev"):
                    res = real(claim, profile)
                    return type(res)(res.claim, "refuted", res.evidence, res.seconds,
                                     res.profile)
                monkeypatch.setattr(claims, "verify", fake)
    """))
    (tmp_path / "test_user.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.mark.sgverify_claim("single-neuron.expected-output")
        def test_holds(sgverify_claim, sgverify_profile):
            assert sgverify_claim.status == "confirmed" and sgverify_profile == "dev"

        @pytest.mark.sgverify_claim("single-neuron.expected-output",
                                    "single-neuron.mismatched-sg-differs")
        def test_two(sgverify_claim):
            assert set(sgverify_claim) == {"single-neuron.expected-output",
                                           "single-neuron.mismatched-sg-differs"}

        @pytest.mark.sgverify_claim("single-neuron.mismatched-sg-differs", profile="ci")
        def test_refuted_body_never_runs():
            raise RuntimeError("the body ran")

        def test_audit_fixture(sgverify_audit):
            assert sgverify_audit("exp(-abs(v))/2") is sgverify_audit("exp(-abs(v))/2")
    """))
    env_ci = os.environ.pop("CI", None)
    try:
        p = _pytest("-rf", cwd=tmp_path)
    finally:
        if env_ci is not None:
            os.environ["CI"] = env_ci
    out = p.stdout
    assert "1 failed, 3 passed" in out, out + p.stderr
    assert "is refuted under the ci profile, not confirmed" in out
    assert "the body ran" not in out
