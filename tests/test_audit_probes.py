"""Every probe of issues 15 (§1, §3) and 10 (§1) as a regression test: a right verdict, an
explicit inconclusive, or a one-line error."""

from __future__ import annotations

import json
import math
import threading
import time

import numpy as np
import pytest
import sympy as sp

from sgverify import audit as A
from sgverify.cli import main

SQRT_PI = math.sqrt(math.pi)


def one_line(exc: BaseException) -> str:
    msg = str(exc)
    assert "\n" not in msg and 0 < len(msg) < 400, msg
    return msg


# --- issue 15 §1: the audit states only what it established ----------------------------------

@pytest.mark.parametrize("text, at, power", [
    ("1/(1-5*abs(v))**2", 0.2, "2"),  # audited as 'rescaled density, area 298896' before
    ("exp(-v**2)/(v-0.3)**2", 0.3, "2"),  # 'area 5.6e11' before
    ("exp(-v**2)/(v-0.3)", 0.3, "1"),
    ("exp(-v**2)/abs(v-0.3)**1.01", 0.3, "1.01"),
    ("1/abs(v)", 0.0, "1"),
])
def test_poles_off_the_grid_are_not_integrable(text, at, power):
    r = A.audit(text, symbolic=False)
    assert r.verdict == "not a density" and r.integrable is False and r.area is None
    assert "not integrable" in r.reason and f"{abs(at):g}" in r.reason
    assert f"^-{power}" in r.reason
    pole = [s for s in r.singularities if s["kind"] == "pole"]
    assert any(abs(abs(s["at"]) - at) < 1e-12 for s in pole)


def test_pole_of_a_transcendental_denominator():
    r = A.audit("exp(-v**2)/sin(v-0.1)**2", symbolic=False)
    assert r.verdict == "not a density" and "not integrable" in r.reason
    assert any(s["kind"] == "pole" and abs(s["at"] - 0.1) < 1e-9 for s in r.singularities)


def test_integrable_singularity_gives_the_area():
    r = A.audit("exp(-v**2)/sqrt(abs(v))", symbolic=False)
    assert r.verdict == "rescaled density"
    assert r.area == pytest.approx(math.gamma(0.25), rel=1e-12)
    assert "unbounded at v = 0" in r.reason and r.family is None


def test_border_singularity_is_inconclusive_not_a_verdict():
    r = A.audit("exp(-v**2)/abs(v-0.3)**0.99", symbolic=False)  # integrable, but barely
    assert r.verdict in ("inconclusive", "rescaled density")
    if r.verdict == "rescaled density":
        assert r.area_error <= A.AREA_ERROR_TOL * r.area


def test_an_area_with_a_large_error_estimate_is_not_reported():
    r = A.audit("(1 + sin(10000*v))*exp(-v**2)", symbolic=False)  # the quadrature cannot resolve it
    if r.verdict == "inconclusive":
        assert r.area is None and "area not established" in r.reason
        assert r.checks["quadrature"]["error_estimate"] > A.AREA_ERROR_TOL
    else:  # if resolved, it is resolved to the stated accuracy
        assert r.area == pytest.approx(SQRT_PI, rel=1e-9)


@pytest.mark.parametrize("text, area, centre", [
    ("exp(-(v-1060)**2)", SQRT_PI, 1060.0),  # 'identically zero' before
    ("exp(-((v-0.3)/1e-4)**2)", 1e-4 * SQRT_PI, 0.3),  # 'identically zero' before
    ("exp(-((v+2e5)/3)**2)", 3 * SQRT_PI, -2e5),
])
def test_far_and_narrow_bumps_are_found(text, area, centre):
    r = A.audit(text, symbolic=False)
    assert r.verdict == "rescaled density" and r.family == "gaussian"
    assert r.area == pytest.approx(area, rel=1e-12)
    assert r.family_shift == pytest.approx(centre, rel=1e-12)


@pytest.mark.parametrize("text, at", [
    ("exp(-v**2) - 2*exp(-((v-0.3)/1e-4)**2)", 0.3),  # called nonnegative before
    ("exp(-v**2) - 0.5*exp(-((v-50)/0.01)**2)", 50.0),
    ("exp(-v**2) - 0.7*exp(-((v-0.7)/1e-6)**2)", 0.7),
    ("exp(-v**2) - 1e-3*exp(-((v-5)/1e-6)**2)", 5.0),
])
def test_narrow_negative_dips_are_found(text, at):
    r = A.audit(text, symbolic=False)
    assert r.verdict == "not a density" and not r.nonnegative
    assert r.min_at == pytest.approx(at, abs=1e-3) and "negative" in r.reason


@pytest.mark.parametrize("text, area", [
    ("exp(-v)*exp(-exp(-v))", 1.0),  # Gumbel: inf*0 in float64 far left
    ("exp(v)*exp(-exp(v))", 1.0),
    ("v**40*exp(-v**2)", math.gamma(20.5)),  # inf*0 at |v| > ~2e7
    ("(1+v**2)**20*exp(-v**2/2)", None),
    ("exp(-exp(v/1000))*exp(-exp(-v/1000))", None),
])
def test_overflow_in_the_written_order_does_not_decide(text, area):
    r = A.audit(text, symbolic=False)
    assert r.verdict in ("density", "rescaled density"), r.reason
    if area is not None:
        assert r.area == pytest.approx(area, rel=1e-12)


def test_products_overflow_safely_also_in_the_cdf():
    r = A.audit("exp(-v)*exp(-exp(-v))", symbolic=False)
    assert r.verdict == "density"
    assert r.cdf(0.0) == pytest.approx(math.exp(-1.0), abs=1e-12)  # Gumbel CDF exp(-e^-v)
    assert float(r.density(np.array([-1000.0]))[0]) == 0.0


@pytest.mark.parametrize("text", [
    "sin(exp(v))*exp(-v**2)",  # highly oscillatory far out
    "exp(-exp(v/1000))*exp(-exp(-v/1000))",
])
def test_same_verdict_whatever_the_load(text):
    # bounded by counted work: two runs (one under CPU contention from a busy thread) give
    # the same verdict, the same reason and the same work counts
    a = A.audit(text, symbolic=False)
    stop = threading.Event()

    def burn() -> None:
        while not stop.is_set():
            sum(range(10_000))

    t = threading.Thread(target=burn)
    t.start()
    try:
        b = A.audit(text, symbolic=False)
    finally:
        stop.set()
        t.join()
    assert (a.verdict, a.reason, a.area) == (b.verdict, b.reason, b.area)
    assert a.checks["work"] == b.checks["work"]


@pytest.mark.parametrize("text, what", [
    ("1/(v-v)", "division by zero: v-v is identically 0"),  # KeyError before
    ("log(v-v)", "log of zero: v-v is identically 0"),
    ("1/(sin(pi)*v)", "division by zero: sin(pi)*v is identically 0"),
    ("(v-v)**-2", "identically 0 and is raised to a negative power"),
])
def test_degenerate_formulas_are_one_line_errors(text, what):
    with pytest.raises(ValueError) as info:
        A.audit(text)
    assert what in one_line(info.value)


def test_the_audit_is_bounded_from_another_thread():
    # CPU guard from a non-main thread (ran for minutes before): counted work bounds the
    # numerics, a watchdog bounds SymPy
    out: dict[str, object] = {}

    def run() -> None:
        t = time.process_time()
        try:
            out["r"] = A.audit("sin(exp(v))*exp(-v**2)")
            out["s"] = A.audit("exp(-v**2)*(1 + sin(3*v)**2*cos(v)**4*tanh(v)**2)"
                               "/(1 + atan(v)**2)")
        except Exception as exc:  # pragma: no cover - reported below
            out["e"] = exc
        out["cpu"] = time.process_time() - t

    th = threading.Thread(target=run)
    th.start()
    th.join(timeout=120)
    assert not th.is_alive() and "e" not in out
    assert out["r"].verdict == "not a density"
    assert out["s"].verdict == "rescaled density"
    assert "SymPy did not finish" in out["s"].checks["symbolic"] or out["s"].area_symbolic


def test_sympy_limit_holds_in_a_thread():
    import sympy as sp

    from sgverify.audit._numerics import symbolic

    hard = sp.sympify("exp(-v**2)*(1 + sin(3*v)**2*cos(v)**4*tanh(v)**2)/(1 + atan(v)**2)")
    out = {}

    def run() -> None:
        t = time.thread_time()
        out["res"] = symbolic(hard, 0.3)
        out["cpu"] = time.thread_time() - t

    th = threading.Thread(target=run)
    th.start()
    th.join(timeout=60)
    assert not th.is_alive()
    assert out["res"][2].startswith(("SymPy did not finish", "SymPy could not"))
    assert out["cpu"] < 2.0


# --- issue 15 §3: arguments ------------------------------------------------------------------

def test_cli_duplicated_param_is_refused(capsys):
    assert main(["audit", "beta*exp(-v**2)", "--param", "beta=1", "--param", "beta=2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--param beta is given twice (1 and 2)" in err


@pytest.mark.parametrize("argv, what", [
    (["audit", "beta*exp(-v**2)", "--param", "b\u0435ta=2"], "'е' (U+0435 CYRILLIC SMALL"),
    (["audit", "b\u0435ta*exp(-v**2)", "--param", "beta=2"], "a lookalike of ASCII 'e'"),
    (["audit", "\u03bd*exp(-\u03bd**2)"], "GREEK SMALL LETTER NU"),
    (["audit", "exp(-\uff56**2)"], "FULLWIDTH LATIN SMALL LETTER V"),
])
def test_cli_lookalike_names_are_named(argv, what, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and what in err and "lookalike" in err


def test_api_lookalike_parameter_name():
    with pytest.raises(ValueError, match=r"^params: .*lookalike of ASCII 'e'"):
        A.audit("beta*exp(-v**2)", {"b\u0435ta": 1.0})


@pytest.mark.parametrize("argv", [
    ["audit", "-v*exp(-v**2)", "--json", "-"],
    ["audit", "--json", "-", "-v*exp(-v**2)"],
    ["audit", "--json", "-", "--", "-v*exp(-v**2)"],
])
def test_cli_formula_starting_with_minus(argv, capsys):
    assert main(argv) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["formula"] == "-v*exp(-v**2)" and d["verdict"] == "not a density"


def test_cli_one_source_only(capsys):
    assert main(["audit"]) == 2
    assert "give exactly one of FORMULA" in capsys.readouterr().err
    assert main(["audit", "v", "--catalogue"]) == 2
    assert main(["audit", "exp(-v**2)", "--torch"]) == 2
    assert "--torch applies to --callable only" in capsys.readouterr().err


# --- issue 10 §1: callables ------------------------------------------------------------------

def test_boxcar_callable_is_a_density_with_its_jumps():
    # 'rescaled density, area 1.000531' (area_error 0.002) before
    r = A.audit(lambda v: np.where(np.abs(v) < 0.5, 1.0, 0.0))
    assert r.verdict == "density" and r.family == "uniform" and r.kind == "callable"
    assert abs(r.area - 1) <= 1e-9 * 1 and r.area_error <= 1e-9
    assert r.breakpoints == (-0.5, 0.5)


def test_scalar_only_callable_is_vectorised_with_a_note():
    r = A.audit(lambda v: 1.0 if abs(v) < 0.5 else 0.0)  # raw TypeError before
    assert r.verdict == "density" and any("one number at a time" in n for n in r.notes)
    r = A.audit(lambda v: math.exp(-v * v))
    assert r.area == pytest.approx(SQRT_PI, rel=1e-12)


@pytest.mark.parametrize("fn, what", [
    (lambda v: 1 / 0, "raised ZeroDivisionError: division by zero"),
    (lambda v: np.full_like(v, np.nan), "returned NaN at v ="),
    (lambda v: np.zeros(3), "returned shape (3,)"),
    (lambda v: "abc", "returned str, not an array of real numbers"),
    (lambda v: np.where(v > 100, np.nan, np.exp(-v**2)), "returned NaN at v ="),
    (lambda v, beta: v, "missing 1 required positional argument: 'beta'"),
])
def test_callable_failures_are_one_line(fn, what):
    with pytest.raises(ValueError) as info:
        A.audit(fn)
    msg = one_line(info.value)
    assert msg.startswith("surrogate: the callable") and what in msg


def test_callable_that_never_returns_is_stopped():
    def hangs(v):
        time.sleep(1000)

    t = time.monotonic()
    with pytest.raises(ValueError) as info:
        A.audit(hangs, timeout=0.5)
    assert "did not return within 0.5 s" in one_line(info.value)
    assert time.monotonic() - t < 10


def test_callable_that_loops_is_stopped_in_a_thread():
    def loops(v):
        while True:
            sum(range(100))

    out = {}

    def run() -> None:
        try:
            A.audit(loops, timeout=0.5)
        except ValueError as exc:
            out["e"] = str(exc)

    th = threading.Thread(target=run)
    th.start()
    th.join(timeout=30)
    assert not th.is_alive() and "did not return within 0.5 s" in out["e"]


def test_callable_params_and_hints():
    r = A.audit(lambda v, beta: beta / 2 * np.exp(-beta * np.abs(v)), {"beta": 3.0},
                kinks=[0.0])
    assert r.verdict == "density" and r.family_params == pytest.approx({"beta": 3.0})
    with pytest.raises(ValueError, match="takes no parameter gamma"):
        A.audit(lambda v, beta=1.0: v, {"gamma": 1.0})
    with pytest.raises(ValueError, match="outside the support"):
        A.audit(lambda v: np.exp(-v**2), support=(-1.0, 1.0))
    with pytest.raises(TypeError, match="surrogate must be a formula string or a callable"):
        A.audit(3.0)


def test_wrong_types_name_the_argument():
    with pytest.raises(TypeError, match=r"^params must be a mapping"):
        A.audit("v", [1, 2])
    with pytest.raises(TypeError, match=r"^params must be a mapping"):
        A.audit(lambda v: v, [1])
    with pytest.raises(TypeError, match=r"^kinks must be a sequence of real numbers"):
        A.audit(lambda v: v, kinks=["a"])
    with pytest.raises(ValueError, match=r"^timeout must be a finite number"):
        A.audit(lambda v: v, timeout=-1)


def test_thread_limits_never_cancel_an_async_exception(monkeypatch):
    # PyThreadState_SetAsyncExc(id, NULL) leaves CPython's "async exception pending" flag set
    # for good: every later bytecode then takes the slow path (a later Hypothesis shrink in the
    # same process ran for tens of minutes). A watchdog limit posts only a real exception and
    # lets a late one land inside its own cleanup.
    import ctypes

    from sgverify.audit._guard import Limit

    real = ctypes.pythonapi.PyThreadState_SetAsyncExc
    posted: list[object] = []

    def spy(ident, exc):
        posted.append(exc)
        return real(ident, exc)

    monkeypatch.setattr(ctypes.pythonapi, "PyThreadState_SetAsyncExc", spy)
    out: dict[str, object] = {}

    def run() -> None:
        with Limit(5.0, "wall"):
            pass  # exits before the deadline: nothing posted, nothing cancelled
        lim = Limit(0.05, "wall")
        try:
            with lim:
                while True:
                    sum(range(100))
        except lim.Expired:
            out["expired"] = True
        out["after"] = sum(range(1000))  # the thread runs on normally

    th = threading.Thread(target=run)
    th.start()
    th.join(timeout=30)
    assert not th.is_alive() and out == {"expired": True, "after": 499500}
    assert len(posted) == 1 and posted[0] is not None


def test_a_callable_zero_on_every_sample_is_inconclusive_not_judged():
    # a callable is seen only where it is sampled: a bump far out is missed, and the audit
    # must say it could not decide rather than call it "not a density"
    far = A.audit(lambda v: np.exp(-(v - 1060.0) ** 2))
    assert far.verdict == "inconclusive" and "support=" in far.reason
    assert A.audit("0*v").verdict == "not a density"  # a formula that is 0 is known


def test_a_support_hint_finds_the_far_bump_with_its_area():
    # the hint's grid met the bump on segments one ulp wide, where tanh-sinh returned NaN
    r = A.audit(lambda v: np.exp(-(v - 1060.0) ** 2), support=(1000.0, 1100.0))
    assert r.verdict == "rescaled density"
    assert abs(r.area - SQRT_PI) <= 1e-9 * SQRT_PI


def test_sympy_answers_are_kept_per_expression_but_not_cut_off_ones():
    from sgverify.audit import _numerics as N
    from sgverify.symbols import v

    e = sp.exp(-sp.Abs(v)) / 2
    N._SYMBOLIC.pop(e, None)
    first = N.symbolic(e, 60.0)
    assert first[0] == "1" and N._SYMBOLIC[e] == first
    assert N.symbolic(sp.exp(-sp.Abs(v)) / 2, 60.0) == first  # an equal expression, kept
    hard = sp.sympify("exp(-v**2)*(1 + sin(3*v)**2*cos(v)**4*tanh(v)**2)/(1 + atan(v)**2)",
                      locals={"v": v})
    cut = N.symbolic(hard, 0.01)
    assert cut[2].startswith("SymPy did not finish") and hard not in N._SYMBOLIC


def test_even_formulas_integrate_one_half_line_with_the_same_answer(monkeypatch):
    from sgverify.audit import _numerics as N

    t = N._T
    half = sp.Rational(1, 2)
    even = [
        sp.exp(-t**2),                                                    # structurally
        sp.exp(-(t + half) ** 2 / 18) + sp.exp(-(half - t) ** 2 / 18),  # by expand
        25 * sp.exp(-25 * t) / (1 + sp.exp(-25 * t)) ** 2,                # by cancel
    ]
    for f in even:
        assert N._even(f, f.subs(t, -t)), f
    for f in (sp.exp(-sp.Abs(t - 1)), sp.exp(-(t + half) ** 2), (t + 1) ** 20 / (1 + t**30)):
        assert not N._even(f, f.subs(t, -t)), f
    # the same area and CDF as when both half-lines are integrated
    v = N._V
    for e in (sp.exp(-(v + half) ** 2 / 18) + sp.exp(-(v - half) ** 2 / 18),
              4 * sp.exp(-4 * v) / (1 + sp.exp(-4 * v)) ** 2):
        once = N._symbolic(e, 60.0)
        monkeypatch.setattr(N, "_even", lambda pos, neg: False)
        both = N._symbolic(e, 60.0)
        monkeypatch.undo()
        assert once == both and once[2] == "exact area and primitive", (once, both)


def test_batched_quadrature_gives_mpmaths_numbers_exactly():
    import mpmath

    from sgverify import reference
    from sgverify.audit._area import MixedPrecision, quad

    calls = []

    def g(v):
        calls.append(np.size(v))
        return np.exp(-np.asarray(v) ** 2) / (1.0 + np.asarray(v) ** 2)

    f = MixedPrecision(lambda t: mpmath.exp(-t * t) / (1 + t * t), g, -2.0, 3.0)
    pts = [-math.inf, -2.0, 0.0, 0.5, 3.0, math.inf]
    ts = [mpmath.mpf(x) for x in (-7.5, -2.0, -1.0, 0.25, 2.999, 3.0, 40.0)]
    assert f.many(ts) == [f(t) for t in ts]  # the float64 ones in one call
    assert calls[0] == 4 and set(calls[1:]) == {1}
    for dps in (15, 20, 30):
        with reference.workdps(dps):
            want = mpmath.quad(f.__call__, [mpmath.mpf(p) if math.isfinite(p) else
                                             (mpmath.inf if p > 0 else -mpmath.inf)
                                             for p in pts], error=True, maxdegree=10)
        got = reference.quad_mp(f, pts, dps=dps)
        assert got == want, (dps, got, want)
    assert quad(f, pts, dps=30) > 0


def test_finite_limit_takes_the_value_at_infinity_only_when_it_is_a_number():
    from sgverify.audit import _numerics as N

    s = sp.Symbol("s", positive=True)
    assert N._finite_limit(sp.atan(sp.pi * s) / sp.pi, s) == sp.Rational(1, 2)
    assert N._finite_limit(1 - 2 / (sp.exp(2 * s) + 1), s) == 1
    # oo - oo at infinity: limit decides (100, not NaN)
    f = 100 * s / sp.sqrt(s**2 + 10000) - 100 * s**2 * sp.asinh(s / 100) / (s**2 + 10000) \
        + 100 * sp.asinh(s / 100)
    assert f.subs(s, sp.oo) is sp.nan and N._finite_limit(f, s) == 100
    assert N._finite_limit(sp.sin(s), s) is None  # oscillating
    assert N._finite_limit(s * sp.exp(-s) + 3, s) == 3  # 0 oo at infinity


def test_a_budget_cut_starts_sympys_caches_afresh(monkeypatch):
    from sgverify.audit import _numerics as N

    cleared = []
    monkeypatch.setattr(N, "clear_cache", lambda: cleared.append(True))
    hard = sp.sympify("exp(-v**2)*(1 + sin(5*v)**2*cos(v)**4*tanh(v)**2)/(1 + atan(v)**2)",
                      locals={"v": N._V})
    out = N._symbolic(hard, 0.01)
    assert out[2].startswith("SymPy did not finish") and cleared == [True]
    assert N._symbolic(sp.exp(-sp.Abs(N._V)) / 2, 60.0)[0] == "1" and cleared == [True]
