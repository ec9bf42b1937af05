"""The extension API: a user's escape family, registered publicly, reaches every consumer.

Acceptance (issue 13 §3): a family registered through ``escape.register`` is built by
``from_name``, drawn by the strategies, searched by Hypothesis in the claims that quantify
over families (a NumPy bug in it is found; a right one is confirmed) and matched by the audit.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from scipy import stats

from sgverify import claims, escape, reference
from sgverify import strategies as sst


class HyperbolicSecant(escape.EscapeNoise):
    """Hyperbolic-secant threshold noise: ``f = (2/pi) atan(exp(pi beta v / 2))``."""

    name = "hyperbolic-secant"
    parameters = (escape.Parameter("beta", 1.0, typical=(0.1, 100.0), role="steepness"),)
    calls = 0  # how often a search evaluated this family (class-wide)

    def numpy_cdf(self, v, beta):
        type(self).calls += 1
        z = 0.5 * math.pi * beta * v
        with np.errstate(over="ignore"):
            # each tail from its own small side: atan(e^z) ~ e^z, no cancellation against 1
            return np.where(z < 0, 2 / math.pi * np.arctan(np.exp(z)),
                            1.0 - 2 / math.pi * np.arctan(np.exp(-z)))

    def numpy_pdf(self, v, beta):
        type(self).calls += 1
        with np.errstate(over="ignore"):
            e = np.exp(-np.abs(0.5 * math.pi * beta * v))
        return beta * e / (1.0 + e * e)

    def sympy_cdf(self, v, beta):
        return 2 / sp.pi * sp.atan(sp.exp(sp.pi * beta * v / 2))

    def sympy_pdf(self, v, beta):
        return beta / (2 * sp.cosh(sp.pi * beta * v / 2))


class SloppySecant(HyperbolicSecant):
    """The same family with a NumPy density 2% too high: its SymPy twins are right."""

    name = "sloppy-secant"

    def numpy_pdf(self, v, beta):
        return 1.02 * super().numpy_pdf(v, beta)


@pytest.fixture
def registered():
    def add(cls):
        escape.register(cls)
        added.append(cls)
        return cls

    added: list = []
    yield add
    for cls in added:
        escape.unregister(cls)


def test_registered_family_is_everywhere(registered):
    registered(HyperbolicSecant)
    assert HyperbolicSecant in escape.families(density=True)
    f = escape.from_name("hyperbolic-secant", beta=2.0)
    assert f == HyperbolicSecant(2.0) and f.scale == 0.5
    assert sst.density_families[-1] is HyperbolicSecant
    # the twins and the NumPy forms agree (as the claims check, here at a few points)
    for v in (-3.0, -0.2, 0.0, 0.7, 4.0):
        assert float(f.pdf(v)) == pytest.approx(
            reference.evaluate(reference.escape_pdf(f), v), rel=1e-12)
        assert float(f.cdf(v)) == pytest.approx(
            reference.evaluate(reference.escape_cdf(f), v), rel=1e-12)
    escape.unregister(HyperbolicSecant)
    assert HyperbolicSecant not in escape.families()
    with pytest.raises(ValueError, match="name must be one of"):
        escape.from_name("hyperbolic-secant")
    escape.register(HyperbolicSecant)  # the fixture unregisters it


def test_strategies_draw_registered_families(registered):
    registered(HyperbolicSecant)
    seen = set()

    @settings(max_examples=60, derandomize=True, database=None)
    @given(sst.escapes(), sst.networks(architectures=((1, 2, 1),)))
    def draw(esc, net):
        seen.add(type(esc))
        seen.update(type(e) for e in net.escapes)
        assert 0.0 <= float(esc.cdf(0.3)) <= 1.0

    draw()
    assert HyperbolicSecant in seen and escape.Sigmoid in seen


@pytest.mark.parametrize("claim_id", ["escape.pdf-is-cdf-derivative",
                                      "escape.cdf-is-distribution"])
def test_family_claims_search_and_confirm_a_right_family(registered, claim_id):
    registered(HyperbolicSecant)
    HyperbolicSecant.calls = 0
    r = claims.verify(claim_id)
    assert r.status == "confirmed"
    assert HyperbolicSecant.calls > 0  # the search evaluated it


def test_family_claims_find_a_numpy_bug_in_a_registered_family(registered):
    registered(SloppySecant)
    r = claims.verify("escape.pdf-is-cdf-derivative")
    assert r.status == "refuted"
    checks = r.to_dict()["evidence"]["checks"]
    # the symbolic twins are right: it is the Hypothesis search that found the NumPy bug
    assert all(c["outcome"]["holds"] for c in checks if c["stage"] == "symbolic")
    found = [c for c in checks if c["stage"] == "search" and not c["outcome"]["holds"]]
    assert found and found[0]["point"][0].startswith("SloppySecant(")


def test_audit_matches_a_registered_family(registered):
    from sgverify import audit

    registered(HyperbolicSecant)
    r = audit.audit("beta/(2*cosh(pi*beta*v/2))", {"beta": 3.0})
    assert r.verdict == "density"
    assert r.family == "hyperbolic-secant" and r.family_params["beta"] == pytest.approx(3.0)


def test_from_peak_recovers_builtin_members():
    for cls in escape.families(density=True):
        esc = cls.example()
        fit = cls.from_peak(float(esc.pdf(esc.mode)))
        if cls is escape.Exponential:
            assert fit is None  # two parameters: the audit fits it from its log-slope
        else:
            assert fit == esc


# --- registration errors: one line each ----------------------------------------------------

def test_register_refuses_incomplete_or_wrong_families():
    class NoHooks(escape.EscapeNoise):
        name = "no-hooks"
        parameters = (escape.Parameter("beta", 1.0, role="steepness"),)

    class Decreasing(HyperbolicSecant):
        name = "decreasing"

        def numpy_cdf(self, v, beta):
            return 1.0 - super().numpy_cdf(v, beta)

    class NoScale(HyperbolicSecant):
        name = "no-scale"
        parameters = (escape.Parameter("beta", 1.0),)

    for cls, match in [(NoHooks, "must define numpy_cdf"), (Decreasing, "decreases"),
                       (NoScale, "must define scale"), (int, "subclass of escape.EscapeNoise")]:
        with pytest.raises((ValueError, TypeError), match=match):
            escape.register(cls)
    with pytest.raises(ValueError, match="registered already"):
        escape.register(type("Other", (HyperbolicSecant,), {"name": "sigmoid"}))
    with pytest.raises(ValueError, match="built-in"):
        escape.unregister("sigmoid")
    assert escape.families() == escape.FAMILIES


def test_parameter_names_may_not_shadow_the_api():
    with pytest.raises(TypeError, match="clashes"):
        type("Bad", (HyperbolicSecant,), {"parameters": (escape.Parameter("scale", 1.0),)})


# --- scipy.stats distributions as escape noise --------------------------------------------

@pytest.mark.parametrize("dist", [stats.norm(scale=0.2), stats.logistic(loc=0.1, scale=0.5),
                                  stats.cauchy(scale=0.3), stats.laplace(scale=2.0),
                                  stats.uniform(loc=-0.5, scale=1.0), stats.gumbel_r(scale=0.4)])
def test_from_scipy_numeric_and_sympy_twin_agree(dist):
    f = escape.from_scipy(dist)
    assert f.name == f"scipy.{dist.dist.name}"
    lo, hi = dist.ppf(0.01), dist.ppf(0.99)
    for v in np.linspace(lo, hi, 7):
        if any(abs(v - k) < 1e-9 for k in f.kinks):
            continue
        assert float(f.cdf(v)) == pytest.approx(float(dist.cdf(v)), rel=1e-15)
        # scipy's forms against the twins sympy.stats writes independently, in mpmath
        assert float(f.pdf(v)) == pytest.approx(
            reference.evaluate(reference.escape_pdf(f), float(v)), rel=1e-9, abs=1e-300)
        assert float(f.cdf(v)) == pytest.approx(
            reference.evaluate(reference.escape_cdf(f), float(v)), rel=1e-9, abs=1e-300)


def test_from_scipy_sharpen_subs_and_errors():
    f = escape.from_scipy(stats.norm(loc=0.2, scale=0.5))
    g = f.sharpen(2.0)
    assert g == escape.from_scipy(stats.norm(loc=0.1, scale=0.25))
    assert float(g.cdf(0.1)) == 0.5 and float(f.cdf(0.2)) == 0.5
    assert f.subs(scale=1.0) == escape.from_scipy(stats.norm(loc=0.2, scale=1.0))
    with pytest.raises(TypeError, match=r"frozen scipy\.stats continuous"):
        escape.from_scipy(stats.norm)
    with pytest.raises(TypeError, match=r"frozen scipy\.stats continuous"):
        escape.from_scipy(stats.poisson(3))
    t = escape.from_scipy(stats.t(df=3))  # numeric only: sympy.stats twin not mapped
    assert float(t.cdf(0.0)) == 0.5
    with pytest.raises(NotImplementedError, match="no SymPy twin"):
        t.cdf_expr()
    assert t._repr_latex_() is None and repr(t) == "ScipyNoise(t(df=3.0, loc=0.0, scale=1.0))"
