"""How public objects print: short reprs, IPython pretty printing, HTML, ``explain()``,
headline tables, did-you-mean, and the small SVG plots (sgverify._display, _svgplot,
claims._explain, claims._headline, audit._explain)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sgverify import audit, claims, figures
from sgverify._display import html_table, num, plural, shorten, text_table
from sgverify._svgplot import line_plot, nice_ticks
from sgverify.claims import (
    Check,
    Claim,
    Evidence,
    Example,
    Headline,
    Outcome,
    Plot,
    Result,
    Series,
    Tolerance,
    monte_carlo_headline,
)
from sgverify.statistics import mean_check

#: a public object prints in under ~20 lines (issue 13); one-line reprs stay short too
MAX_LINES = 20
MAX_REPR = 300


def _lines(text: str) -> int:
    return text.count("\n") + 1


def _pretty(obj: object) -> str:
    """What IPython shows for ``obj`` at the prompt (its own pretty printer)."""
    pretty = pytest.importorskip("IPython.lib.pretty").pretty
    return pretty(obj)


def _claim(cid: str = "alpha.base", **kw) -> Claim:
    return Claim(id=cid, kind=kw.pop("kind", "for-all"), statement="A statement " * 20,
                 formula=r"\frac{a}{b} = c", source="paper Fig. 5; theory 6.4",
                 tolerance=Tolerance(1e-3, "a long reason " * 30),
                 evaluate=lambda point, ctx: Outcome.within(0.0, 1.0),
                 examples=kw.pop("examples", (Example("pinned", np.arange(1000.0)),)), **kw)


def _mc_outcome(err: float, n: int = 20000) -> dict:
    mc = mean_check(0.5 + err, 0.5, 0.25, n)
    return {"holds": mc.holds, "conclusive": True, "ratio": mc.error / mc.bound,
            "test": "within", "info": {}, "monte_carlo": mc.to_dict()}


def _results() -> dict[str, Result]:
    """A confirmed Monte Carlo claim, a refuted one, an error and an inconclusive one."""
    parts = {f"p{i}": _mc_outcome(0.0005 * i) for i in range(40)}
    big = {"holds": True, "conclusive": True, "ratio": parts["p39"]["ratio"], "test": "all",
           "info": {"worst": "p39", "table": list(range(500))}, "parts": parts}
    mc = Evidence(seed=1, checks=[Check("example", "pinned", list(range(300)), big),
                                  Check("summary", "", None, _mc_outcome(0.004))], checks_run=2)
    bad = Evidence(seed=2, checks=[
        Check("example", "pinned", 0.0, {"holds": True, "conclusive": True, "ratio": 0.5,
                                         "test": "within", "info": {"error": 0.5, "bound": 1.0,
                                                                    "tolerance": 1e-3,
                                                                    "scale": 1000.0}}),
        Check("search", "counterexample", [1.5], {"holds": False, "conclusive": True,
                                                  "ratio": 3.0, "test": "within",
                                                  "info": {"error": 3.0, "bound": 1.0}})],
        search={"mode": "for-all", "examples_run": 7}, checks_run=9)
    err = Evidence(seed=3, error="ZeroDivisionError: boom", traceback="Traceback ...")
    unsure = Evidence(seed=4, checks=[Check("summary", "", None, {
        "holds": True, "conclusive": False, "ratio": 0.9, "test": "within",
        "info": {"error": 0.9, "bound": 1.0}})], checks_run=1)
    return {
        "confirmed": Result(_claim("alpha.mc", kind="statistical", examples=()), "confirmed",
                            mc, 0.5),
        "refuted": Result(_claim("alpha.bad"), "refuted", bad, 0.2),
        "error": Result(_claim("alpha.err"), "error", err, 0.0),
        "inconclusive": Result(_claim("alpha.unsure"), "inconclusive", unsure, 0.3),
    }


# --- the building blocks ---------------------------------------------------------------------

def test_numbers_and_words():
    assert [num(x) for x in (0.0, 3.0, 1234567, 1 / 3, float("nan"), None, True)] == \
        ["0", "3", "1234567", "0.3333", "nan", "—", "true"]
    assert num(np.float64(2.5)) == "2.5" and num([1.0, 0.25]) == "(1, 0.25)"
    assert [plural(n, "claim") for n in (0, 1, 2)] == ["0 claims", "1 claim", "2 claims"]
    assert shorten("a  b\n c", 100) == "a b c" and len(shorten("x" * 500, 50)) == 50


def test_text_table_aligns_numbers_right_and_text_left():
    table = text_table(("name", "value"), [("a", 1.5), ("longer", 10.0)])
    assert table.splitlines() == ["name    value", "a         1.5", "longer     10"]


def test_html_table_escapes_every_cell():
    html = html_table(("<b>", "x"), [("<script>", 1.0)], caption="<i>")
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;i&gt;" in html


def test_svg_plot_is_small_escaped_and_skips_bad_points():
    x = np.logspace(0, 6, 1000)
    svg = line_plot([("<a>", x, 1 / x, "line"), ("fit", x, np.where(x > 10, 1 / x, -1), "dashed"),
                     ("pts", [1, 10], [1.0, np.nan], "points")], "N", "error",
                    logx=True, logy=True)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<a>" not in svg and "&lt;a&gt;" in svg
    assert len(svg) < 20_000  # thinned to a few hundred points per curve
    assert "nan" not in svg.lower() and "inf" not in svg
    assert svg.count("<circle") == 1 + 1  # one finite point, plus its legend mark
    assert "no finite values" in line_plot([("y", [1.0], [np.nan], "line")], "x", "y")
    assert nice_ticks(0.0, 1.0, 4) == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8, 1.0]) or \
        nice_ticks(0.0, 1.0, 4) == pytest.approx([0.0, 0.5, 1.0])


# --- reprs of the claim records ----------------------------------------------------------------

@pytest.mark.parametrize("claim", claims.all_claims(), ids=lambda c: c.id)
def test_every_claim_prints_briefly(claim):
    assert _lines(repr(claim)) == 1 and len(repr(claim)) < MAX_REPR
    assert claim.id in repr(claim)
    for text in (str(claim), _pretty(claim)):
        assert _lines(text) <= MAX_LINES and claim.id in text
    assert claim.formula in claim._repr_latex_()
    assert claim.id in claim._repr_html_()
    assert _lines(repr(claim.tolerance)) == 1 and len(repr(claim.tolerance)) < 130
    for ex in claim.examples:
        assert _lines(repr(ex)) == 1 and len(repr(ex)) < 150


def test_claim_sets_print_as_short_tables():
    every = claims.select("*")
    assert isinstance(every, tuple) and every == claims.all_claims()
    for text in (repr(every), str(every), _pretty(every)):
        assert _lines(text) <= MAX_LINES
    assert "37 claims" in str(every) or f"{len(every)} claims" in str(every)
    few = claims.select("escape.*")
    assert len(repr(few)) < MAX_REPR and all(c.id in str(few) for c in few)
    assert str(few).splitlines()[0] == f"{len(few)} claims in 1 section"
    assert "<table>" in few._repr_html_()
    # nested in a list, IPython prints each claim on one line
    assert _pretty([few[0], few[1]]).splitlines() == [f"[{few[0]!r},", f" {few[1]!r}]"]
    assert _pretty(few).splitlines()[0] == f"{len(few)} claims in 1 section"


def test_outcomes_print_briefly_with_their_bound():
    out = Tolerance(1e-3, "why").check(2e-4, 10.0, note="x" * 5000)
    assert "holds" in repr(out) and "bound=0.01" in repr(out) and len(repr(out)) <= 200
    combined = Outcome.all_of({f"part{i}": Outcome.within(i, 10.0, blob=list(range(1000)))
                               for i in range(50)})
    assert _lines(repr(combined)) == 1 and len(repr(combined)) <= 200
    assert _lines(str(combined)) <= MAX_LINES and _lines(_pretty(combined)) <= MAX_LINES
    assert "part49" in combined._repr_html_()
    mc = Tolerance(6.0, "z").check_mean(0.51, 0.5, 0.25, 10_000)
    assert "n = 10000" in repr(mc)


@pytest.mark.parametrize("status", ["confirmed", "refuted", "error", "inconclusive"])
def test_results_and_evidence_print_briefly(status):
    r = _results()[status]
    assert _lines(repr(r)) == 1 and len(repr(r)) < MAX_REPR and status in repr(r)
    assert _lines(repr(r.evidence)) == 1 and len(repr(r.evidence)) < MAX_REPR
    for text in (str(r), _pretty(r), str(r.evidence), _pretty(r.evidence)):
        assert _lines(text) <= MAX_LINES, text
    assert status in r._repr_html_()
    assert "<table>" in r.evidence._repr_html_()
    for c in r.evidence.checks:
        assert _lines(repr(c)) == 1 and len(repr(c)) < 200


def test_explain_says_what_decided_and_why():
    rs = _results()
    raw = rs["confirmed"].explain()
    assert repr(raw) == str(raw)  # prints as itself in a REPL
    assert max(len(line) for line in raw.splitlines()[1:]) <= 100

    def flat(text: str) -> str:
        return " ".join(text.split())

    ok = flat(raw)
    assert ok.startswith("alpha.mc (statistical; paper Fig. 5; theory 6.4): CONFIRMED")
    assert "Key numbers:" in ok and "min. detectable bias" in ok
    assert "Monte Carlo mean of n = 20000" in ok and "z = 6" in ok
    assert "a long reason" in ok and "Re-check: sgverify check alpha.mc" in ok
    bad = flat(rs["refuted"].explain())
    assert "REFUTED" in bad and "Checks that do not hold: search counterexample" in bad
    assert "The check furthest past its bound is search counterexample: the error 3" in bad
    err = flat(rs["error"].explain())
    assert "ERROR" in err and "ZeroDivisionError: boom" in err and "evidence.traceback" in err
    unsure = flat(rs["inconclusive"].explain())
    assert "could not resolve the question: summary" in unsure


def test_explain_of_a_real_run_names_the_claims_own_bound():
    r = claims.verify("single-neuron.mismatched-sg-differs")
    text = r.explain()
    assert "single-neuron.mismatched-sg-differs (for-all" in text
    assert "Key numbers:" in text and "(β_SG − β_N)/4 · x" in text
    assert r.claim.tolerance.why.split(";")[0][:40] in " ".join(text.split())
    assert _lines(str(r)) <= MAX_LINES


# --- headlines -----------------------------------------------------------------------------

def test_headline_round_trips_and_rejects_ragged_rows():
    h = Headline(("a", "b"), ((1, 2.5), ("x", None)), caption="c", finding="f",
                 plot=Plot((Series("s", (1, 2), (3.0, float("nan")), "dashed"),), "x", "y",
                           logy=True), notes=("n",))
    d = h.to_dict()
    assert d["rows"] == [[1, 2.5], ["x", None]] and d["plot"]["series"][0]["style"] == "dashed"
    again = Headline.from_dict(d)
    assert again.rows == h.rows and again.finding == "f" and again.notes == ("n",)
    with pytest.raises(ValueError, match="2 columns"):
        Headline(("a", "b"), ((1,),))
    with pytest.raises(ValueError, match="differ in length"):
        Series("s", (1, 2), (1.0,))
    with pytest.raises(ValueError, match="style"):
        Series("s", (1,), (1.0,), "bars")


def test_monte_carlo_headline_lists_z_scores_worst_first():
    ev = _results()["confirmed"].evidence
    h = monte_carlo_headline(ev, limit=5)
    assert h is not None and len(h.rows) == 5 and "z" in h.columns
    ratios = [row[5] for row in h.rows]
    assert ratios == sorted(ratios, reverse=True)
    row = h.rows[0]
    assert row[4] == pytest.approx((row[2] - row[3]) / np.sqrt(0.25 / row[1]))
    assert "(5 with the largest ratio shown)" in h.caption
    assert monte_carlo_headline(Evidence()) is None


def test_claims_without_a_headline_of_their_own_show_the_checks_nearest_their_bounds():
    r = _results()["refuted"]  # no hook, no Monte Carlo rows
    h = r.headline()
    assert h is not None and h.columns == ("check", "decided by", "error", "bound", "ratio")
    assert [row[0] for row in h.rows] == ["search counterexample", "example pinned"]
    assert h.rows[0][2:] == (3.0, 1.0, 3.0) and h.rows[1][2:] == (0.5, 1.0, 0.5)
    assert "Key numbers:" in r.explain()
    assert _results()["error"].headline() is None
    many = Evidence(checks=[Check("example", f"e{i}", i, {"holds": True, "ratio": i / 10,
                                                          "test": "within", "info": {}})
                            for i in range(10)])
    table = claims.bound_headline(many, limit=3)
    assert [row[0] for row in table.rows] == ["example e9", "example e8", "example e7"]
    assert "(3 of 10 shown)" in table.caption


def test_a_failing_headline_hook_is_reported_not_raised():
    def broken(ev, used):
        raise KeyError("missing_key")

    r = Result(_claim("alpha.hook", headline=broken), "confirmed", Evidence(seed=1), 0.1)
    with pytest.raises(KeyError):
        r.headline()
    from sgverify import report

    data = report.build_report([r], profile="dev", seconds=0.1, environment={"versions": {}})
    assert data.claims[0].headline is None
    assert data.failures == ["headline of alpha.hook: KeyError: 'missing_key'"]


# --- did-you-mean ------------------------------------------------------------------------------

@pytest.mark.parametrize(("typo", "hint"), [
    ("single-neuron.sg-equal-spm-gradient", "single-neuron.sg-equals-spm-gradient"),
    ("toynet.sg-loop-integral-non-zero", "toynet.sg-loop-integral-nonzero"),
])
def test_unknown_id_suggests_the_closest(typo, hint):
    with pytest.raises(ValueError, match=re.escape(f"did you mean {hint!r}?")):
        claims.get(typo)
    with pytest.raises(ValueError, match=re.escape(f"did you mean {hint!r}?")):
        claims.select(typo)


@pytest.mark.parametrize(("typo", "hint"), [
    ("escpe.*", "escape.*"), ("singleneuron.*", "single-neuron.*"), ("toynte", "toynet.*"),
    ("multilayr.hidden-layer-sg-biased", "multilayer.hidden-layer-sg-biased"),
])
def test_mistyped_glob_suggests_a_section(typo, hint):
    with pytest.raises(ValueError, match=re.escape(f"did you mean {hint!r}?")):
        claims.select(typo)


def test_far_off_id_gets_no_suggestion():
    with pytest.raises(ValueError) as info:
        claims.get("qqq.zzz")
    assert "did you mean" not in str(info.value) and "sgverify list" in str(info.value)


# --- audit results and figures ------------------------------------------------------------------

def test_audit_results_print_briefly():
    r = audit.audit("1/(beta*abs(v)+1)**2", {"beta": 10})
    assert repr(r) == ("<AuditResult '1/(beta*abs(v)+1)**2' (beta=10): rescaled density "
                       "× 0.2, fast-sigmoid(beta=10)>")
    assert _lines(str(r)) <= MAX_LINES and "exactly 1/5" in str(r)
    html = r._repr_html_()
    assert "<svg" in html and html.count("<polyline") >= 2  # surrogate and matched density
    bad = audit.audit("where(v >= 0, k, leak)", {"k": 1, "leak": 0})
    assert repr(bad).endswith(": not a density>") and "<svg" in bad._repr_html_()


def test_a_list_of_audit_results_prints_per_library():
    from sgverify.audit._explain import AuditResults

    rs = AuditResults([audit.audit_entry(i) for i in (0, 1, 2)])
    assert repr(rs).startswith("<3 audit results:")
    assert _lines(str(rs)) <= MAX_LINES and "snnTorch" in str(rs)
    assert _pretty(rs) == str(rs) and _pretty(rs[0]) == str(rs[0])
    assert "<table>" in rs._repr_html_()


def test_figure_data_prints_shapes_not_arrays():
    data = figures.compute("fig4c", "dev")
    text = repr(data)
    assert _lines(text) == 1 and len(text) < MAX_REPR and "v1 301x301" in text
    numbers = data.numbers["gradients"]
    assert all(g["in_plane_norm"] == pytest.approx(np.hypot(*g["gradient"][1:3]))
               for g in numbers)


def test_cli_suggests_and_counts_in_words(capsys):
    from sgverify.cli import main

    assert main(["list", "escpe.*"]) == 2
    assert "did you mean 'escape.*'?" in capsys.readouterr().err
    assert main(["list", "escape.step-limit"]) == 0
    out = capsys.readouterr().out
    assert "1 claim" in out and "1 claims" not in out


@pytest.mark.slow  # a figure build
def test_fig4c_svg_stays_small(tmp_path):
    """Fig. 4C's vector output rasterises its dense background (issue 13: it was 52 MB);
    the arrows, axes and text stay vector."""
    rep = figures.reproduce("fig4c")
    svg = figures.save_plot(rep, tmp_path / "fig4c.svg")
    text = svg.read_text()
    assert svg.stat().st_size < 2_000_000, f"fig4c.svg is {svg.stat().st_size / 1e6:.2f} MB"
    assert "<image" in text and "data:image/png;base64" in text  # the raster background
    assert text.count("<path") > 20  # arrows, axes and glyphs are still vector paths
