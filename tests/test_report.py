"""The verification report: structure (gold file), escaping, atomic writing, status propagation.

Regenerate the gold file after an intended change of the page's structure with
``SGVERIFY_REGEN_GOLD=1 python -m pytest tests/test_report.py`` and review its diff.
"""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from sgverify import report
from sgverify.claims import Check, Claim, Evidence, Example, Outcome, Result, Tolerance
from sgverify.cli import main
from sgverify.report.data import evidence_digest, propagate_status
from sgverify.report.graph import dependency_svg, levels
from sgverify.report.mathml import to_mathml
from sgverify.statistics import MeanCheck

pytest_plugins = ["pytester"]

GOLD = Path(__file__).resolve().parent / "gold" / "report_structure.txt"
FIXED_ENV = {"python": "3.x", "platform": "test", "git_commit": None, "date": "2000-01-01",
             "versions": {"sgverify": "0", "numpy": "0", "scipy": "0", "sympy": "0",
                          "mpmath": "0", "hypothesis": "0", "matplotlib": "0"}}


def _claim(cid: str, *, uses=(), statement="A statement.", formula=r"\frac{a}{b} = c",
           kind="identity", expected="confirmed", **kw) -> Claim:
    return Claim(
        id=cid, kind=kind, statement=statement, formula=formula, source=kw.pop("source", "§2"),
        tolerance=Tolerance(1.0, "rounding: a few eps"),
        evaluate=lambda point, ctx: Outcome.within(0.0, 1.0),
        examples=(Example("pinned", 0.0),) if kind in ("for-all", "exists") else (),
        uses=tuple(uses), proof="proofs/fake.py", limitations=kw.pop("limitations", "None known."),
        expected=expected, **kw,
    )


def _mc(err: float, n: int) -> dict:
    """An outcome dict of one Monte Carlo comparison (the typed record under monte_carlo)."""
    mc = MeanCheck(0.5 + err, 0.5, 0.25, n, 6.0, 0.01 - 6.0 * (0.25 / n) ** 0.5)
    return {"holds": True, "conclusive": True, "ratio": err / mc.bound, "test": "within",
            "info": {}, "monte_carlo": mc.to_dict()}


def _out(ratio: float, holds: bool = True, **info) -> dict:
    return {"holds": holds, "conclusive": True, "ratio": ratio, "test": "within",
            "info": {"error": ratio, "bound": 1.0, **info}}


def _ev(seed: int, *checks: Check, search=None, **kw) -> Evidence:
    n = len(checks) + ((search or {}).get("examples_run") or 0)
    return Evidence(seed=seed, checks=list(checks), search=search, checks_run=n, **kw)


def _fixed_results() -> list[Result]:
    """A small fixed registry with every verdict, a blocked chain, MC and a counterexample."""
    base = _claim("alpha.base", kind="statistical")
    derived = _claim("alpha.derived", uses=("alpha.base",))
    bad = _claim("beta.broken", kind="for-all", formula=r"\frac{")  # LaTeX that cannot convert
    downstream = _claim("beta.downstream", uses=("beta.broken", "alpha.derived"))
    grand = _claim("beta.grandchild", uses=("beta.downstream",))
    err = _claim("gamma.errors", uses=("outside.not-run",))
    unsure = _claim("gamma.unsure", kind="statistical")
    symbolic = Check("symbolic", "", None, {"holds": True, "conclusive": True, "ratio": 0.0,
                                            "test": "check", "info": {}})
    summary = {"holds": True, "conclusive": True, "ratio": 0.2, "test": "all",
               "info": {"worst": "b"}, "parts": {"a": _mc(0.001, 20000), "b": _mc(0.002, 80000)}}
    return [
        Result(base, "confirmed", _ev(1, Check("example", "p=0.3", 0.0, _mc(0.004, 20000)),
                                      Check("summary", "", None, summary)), 0.5),
        Result(derived, "confirmed", _ev(2, Check("example", "pinned", 0.0, _out(0.25))), 0.1),
        Result(bad, "refuted", _ev(
            3, Check("example", "pinned", 0.0, _out(0.25)),
            Check("example", "edge", 0.0, _out(2.0, holds=False)),
            Check("search", "counterexample", [1.5, -2.0], _out(3.5, holds=False)),
            search={"mode": "for-all", "examples_run": 7, "inconclusive_points": 0,
                    "worst_ratio": 3.5, "worst_point": [1.5, -2.0], "worst_outcome": None}), 0.2),
        Result(downstream, "confirmed", _ev(4, symbolic), 0.1),
        Result(grand, "confirmed", _ev(5, symbolic), 0.1),
        Result(err, "error", _ev(6, error="ZeroDivisionError: boom",
                                 traceback="Traceback ...\nZeroDivisionError: boom"), 0.0),
        Result(unsure, "inconclusive", _ev(7, Check("summary", "", None, {
            "holds": True, "conclusive": False, "ratio": 0.9, "test": "within",
            "info": {"error": 0.9, "bound": 1.0}})), 0.3),
    ]


class _FakeRep(SimpleNamespace):
    pass


def _fake_reproduce(name: str, profile: str) -> _FakeRep:
    if name == "broken":
        raise RuntimeError("reproducer still being written")
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1.5))
    fig.add_subplot().plot([0, 1, 2], [0, 1, 0])
    return _FakeRep(title="A tiny figure", caption="Three points.", figure=fig,
                    data={"beta": 100, "values": [0.0, 1.0, 0.0]})


def _fake_audit() -> list:
    return [SimpleNamespace(to_dict=lambda: {"library": "lib", "name": "fast", "verdict": "density",
                                             "area": 1.0, "params": {"beta": 10.0},
                                             "table": [1, 2]}),
            {"library": "other", "name": "spiky", "verdict": "not a density", "area": None,
             "params": {}, "table": []}]


def _fixed_data(root: Path, results=None, figures=None, audit=None):
    (root / "proofs").mkdir(exist_ok=True)
    (root / "proofs" / "fake.py").write_text("# %%\nassert 1 + 1 == 2\n")
    return report.build_report(
        results if results is not None else _fixed_results(), profile="dev", seconds=1.25,
        environment=FIXED_ENV,
        figures=figures if figures is not None else
        report.collect_figures(["tiny", "broken"], "dev", reproduce=_fake_reproduce),
        audit=audit if audit is not None else report.collect_audit(_fake_audit), root=root)


class _Outline(HTMLParser):
    """Element tree as indented lines: tag, id, classes, data-*, short text; volatile parts out."""

    _SKIP = frozenset({"style"})
    _VOID = frozenset({"meta", "img", "br", "hr", "link", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        volatile = "data-volatile" in a or any(v for _, v in self.stack)
        parts = [tag]
        if a.get("id"):
            parts.append("#" + a["id"])
        if a.get("class"):
            parts.append("." + ".".join(a["class"].split()))
        parts += [f"[{k}={v}]" for k, v in sorted(a.items()) if k.startswith("data-")
                  and k != "data-volatile"]
        if tag == "a" and a.get("href"):
            parts.append(f"->{a['href']}")
        if tag == "img":
            parts.append(f"src={a.get('src', '')[:22]}…")
        self.lines.append("  " * len(self.stack) + " ".join(parts))
        if tag not in self._VOID:
            self.stack.append((tag, volatile))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text or (self.stack and self.stack[-1][0] in self._SKIP):
            return
        if any(v for _, v in self.stack):
            text = "<volatile>"
        elif self.stack and self.stack[-1][0] == "pre":
            text = f"<pre {len(text.splitlines())} lines>"
        self.lines.append("  " * len(self.stack) + "| " + text[:90])


def outline(html: str) -> str:
    p = _Outline()
    p.feed(html)
    return "\n".join(p.lines) + "\n"


def test_gold_structure(tmp_path):
    html = report.render_html(_fixed_data(tmp_path))
    got = outline(html)
    if os.environ.get("SGVERIFY_REGEN_GOLD"):
        GOLD.parent.mkdir(exist_ok=True)
        GOLD.write_text(got, encoding="utf-8")
    assert GOLD.is_file(), "no gold file: run with SGVERIFY_REGEN_GOLD=1 and review it"
    want = GOLD.read_text(encoding="utf-8")
    assert got == want, "HTML structure changed; if intended, regenerate with SGVERIFY_REGEN_GOLD=1"


def test_page_content_of_fixed_registry(tmp_path):
    data = _fixed_data(tmp_path)
    html = report.render_html(data)
    shown = {c.id: c.display_status for c in data.claims}
    assert shown == {"alpha.base": "confirmed", "alpha.derived": "confirmed",
                     "beta.broken": "refuted", "beta.downstream": "blocked",
                     "beta.grandchild": "blocked", "gamma.errors": "error",
                     "gamma.unsure": "inconclusive"}
    assert data.display_counts == {"confirmed": 2, "blocked": 2, "refuted": 1,
                                   "inconclusive": 1, "error": 1}
    for c in data.claims:
        assert f'id="claim-{c.id}"' in html and f'data-display-status="{c.display_status}"' in html
    assert "<math" in html and '<code class="latex">\\frac{</code>' in html
    assert html.count("<script") == 0 and "http://" not in html.replace(
        "http://www.w3.org/", "")  # only XML namespaces, never a fetched URL
    assert "failed:" in html and "reproducer still being written" in html
    assert "data:image/png;base64," in html
    assert "min. detectable bias" in html and "80\u2009000" in html
    assert "sgverify check beta.broken --profile dev" in html
    assert "ZeroDivisionError: boom" in html and "Shrunk counterexample" in html
    assert "Checks that do not hold" in html and "example edge" in html
    assert 'href="#proof-proofs-fake-py"' in html and "assert 1 + 1 == 2" in html


def test_report_json_twin(tmp_path):
    data = _fixed_data(tmp_path)
    d = json.loads(report.report_json(data))
    assert d["summary"]["counts"] == {"confirmed": 4, "refuted": 1, "inconclusive": 1,
                                      "error": 1}
    assert d["summary"]["as_expected"] == 4
    by_id = {c["id"]: c for c in d["claims"]}
    assert by_id["beta.grandchild"]["blocked_by"] == ["beta.downstream"]
    assert by_id["gamma.errors"]["unchecked_uses"] == ["outside.not-run"]
    assert [f["available"] for f in d["figures"]] == [True, False]
    assert d["figures"][0]["data"] == {"beta": 100, "values": [0.0, 1.0, 0.0]}
    assert "png_base64" not in d["figures"][0]
    assert d["audit"]["available"] and len(d["audit"]["records"]) == 2
    assert d["format"] == 3 and d["evidence_schema"] == 2
    assert all(c["evidence"]["schema"] == 2 for c in d["claims"])


def test_failed_builds_are_carried_in_the_data_and_shown(tmp_path):
    def crashing_catalogue():
        raise RuntimeError("catalogue exploded")

    data = _fixed_data(tmp_path, audit=report.collect_audit(crashing_catalogue))
    assert data.failures == ["figure broken: RuntimeError: reproducer still being written",
                             "catalogue: RuntimeError: catalogue exploded"]
    d = json.loads(report.report_json(data))
    assert d["summary"]["failures"] == data.failures and d["audit"]["failed"]
    html = report.render_html(data)
    assert "Parts of this report failed to build" in html and "catalogue exploded" in html
    # a figure that was simply not requested is no failure
    assert _fixed_data(tmp_path, figures=[]).failures == []


HOSTILE = '<script>alert("x")</script>'


def test_every_foreign_string_is_escaped(tmp_path):
    c = _claim("evil.claim", statement=f"Statement {HOSTILE}", formula=r"\text{" + HOSTILE + "}",
               source=f"§1 {HOSTILE}", limitations=f"<img src=x onerror=alert(1)> {HOSTILE}")
    res = Result(c, "refuted", _ev(
        0, Check("example", HOSTILE, HOSTILE, {"holds": False, "conclusive": True, "ratio": 2.0,
                                               "test": HOSTILE,
                                               "info": {"note": "</pre>" + HOSTILE}}),
        Check("search", "counterexample", HOSTILE, {"holds": False, "conclusive": True,
                                                    "ratio": 2.0, "test": "within",
                                                    "info": {"x": HOSTILE, "error": HOSTILE}}),
        search={"mode": "for-all", "examples_run": 1, "worst_point": HOSTILE},
        error=HOSTILE, traceback=HOSTILE), 0.1)
    fig = report.FigureEntry("evil", True, title=HOSTILE, caption=HOSTILE, png_base64="AAAA",
                             data={"k": HOSTILE})
    gone = report.FigureEntry("gone", False, reason=HOSTILE)
    aud = report.collect_audit(lambda: [{"name": HOSTILE, "verdict": HOSTILE}])
    html = report.render_html(_fixed_data(tmp_path, [res], [fig, gone], aud))
    assert "<script" not in html.lower()
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert 'data-claim-id="evil.claim"' in html


def test_mathml_conversion_and_fallback():
    m = to_mathml(r"\frac{\partial \mathbb{E}[y]}{\partial w} = f'(u)\,x")
    assert m is not None and m.startswith("<math") and "<mfrac>" in m
    assert to_mathml(r"\text{<b>bold</b>}") is None  # markup inside \text: not whitelisted
    assert to_mathml(r"\nosuchcommand{x}") is None  # passed through as a name: not converted
    assert to_mathml(r"\frac{") is None and to_mathml("") is None
    assert "&lt;" in to_mathml(r"a < b")
    with pytest.raises(ValueError, match="display"):
        to_mathml("x", display="wide")


def test_status_propagation():
    # a diamond with one failing branch, an expected refutation, an unchecked use, and a cycle
    status = {"s.a": "confirmed", "s.b": "refuted", "s.c": "confirmed", "s.d": "confirmed",
              "s.e": "inconclusive", "s.f": "refuted", "s.g": "confirmed", "s.h": "confirmed",
              "s.x": "confirmed", "s.y": "confirmed"}
    uses = {"s.a": (), "s.b": ("s.a",), "s.c": ("s.a",), "s.d": ("s.b", "s.c"),
            "s.e": ("s.b",), "s.f": (), "s.g": ("s.f",), "s.h": ("t.unknown", "s.a"),
            "s.x": ("s.y",), "s.y": ("s.x",)}
    shown = propagate_status(status, uses, {"s.f": "refuted"})
    assert shown["s.a"] == ("confirmed", [], [])
    assert shown["s.c"] == ("confirmed", [], [])
    assert shown["s.d"] == ("blocked", ["s.b"], [])
    assert shown["s.e"] == ("inconclusive", ["s.b"], [])  # its own verdict stays visible
    assert shown["s.g"] == ("confirmed", [], [])  # s.f is refuted as it expects: no block
    assert shown["s.h"] == ("confirmed", [], ["t.unknown"])
    assert shown["s.x"][0] == "confirmed" and shown["s.y"][0] == "confirmed"


def test_graph_layout_and_escaping():
    lv = levels({"a.x": (), "a.y": ("a.x",), "b.z": ("a.y", "a.x"), "b.w": ("zz.out",)})
    assert lv == {"a.x": 0, "a.y": 1, "b.z": 2, "b.w": 0}
    svg = dependency_svg([("a.x", "confirmed", ()), ("a.y", "refuted", ("a.x",)),
                          ("b.z", "blocked", ("a.y", "a.x", "zz.out"))])
    assert svg.count('class="node') == 3
    assert svg.count('class="edge"') == 2 and svg.count('class="edge failing"') == 1
    assert 'href="#claim-b.z"' in svg
    with pytest.raises(ValueError, match="status"):
        dependency_svg([("a.x", "<b>", ())])


def test_evidence_digest_finds_monte_carlo_and_hypothesis():
    d = evidence_digest(_fixed_results()[0].evidence)
    assert d["mc_count"] == 3 and d["mc_samples"] == [20000, 80000]
    assert d["monte_carlo"][0]["where"] == "example p=0.3"
    assert d["monte_carlo"][0]["ratio"] == pytest.approx(0.4)
    assert [r["where"] for r in d["monte_carlo"][1:]] == ["summary › b", "summary › a"]
    mdb = [MeanCheck(0.5, 0.5, 0.25, n, 6.0, 0.0).min_detectable_bias for n in (80000, 20000)]
    assert d["mc_min_detectable_bias"] == pytest.approx(mdb)
    assert d["ratio_label"] == "error / bound" and d["worst_bound"]["samples"] == 20000
    d = evidence_digest(_fixed_results()[2].evidence)
    assert d["search"]["examples_run"] == 7 and d["counterexample"]["ratio"] == 3.5


def test_write_report_replaces_the_pair_together_or_not_at_all(tmp_path, monkeypatch):
    data = report.build_report(_fixed_results()[:2], profile="dev", seconds=1.0,
                               environment=FIXED_ENV)
    paths = report.write_report(tmp_path, data)
    assert set(paths) == {"html", "json"}
    before = {k: p.read_bytes() for k, p in paths.items()}
    assert json.loads(paths["json"].read_text())["summary"]["claims"] == 2
    umask = os.umask(0)
    os.umask(umask)
    assert paths["html"].stat().st_mode & 0o777 == 0o666 & ~umask  # shareable, not mkstemp's 0600
    import sgverify._io as io_mod

    bigger = report.build_report(_fixed_results(), profile="dev", seconds=1.0,
                                 environment=FIXED_ENV)
    real_replace = io_mod.os.replace
    for fail_at in (1, 2):  # the first rename fails, or the second after the first succeeded
        calls = []

        def flaky(src, dst, fail_at=fail_at, calls=calls):
            calls.append(dst)
            if len(calls) == fail_at:
                raise OSError("disk full")
            return real_replace(src, dst)

        monkeypatch.setattr(io_mod.os, "replace", flaky)
        with pytest.raises(OSError, match="disk full"):
            report.write_report(tmp_path, bigger)
        monkeypatch.undo()
        assert {k: p.read_bytes() for k, p in paths.items()} == before  # the old pair, whole
        assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "report.json"]

    def broken_render(data):
        raise RuntimeError("template bug")

    monkeypatch.setattr(report.render, "render_html", broken_render)
    with pytest.raises(RuntimeError, match="template bug"):
        report.write_report(tmp_path, bigger)
    assert {k: p.read_bytes() for k, p in paths.items()} == before  # no new JSON, old page
    monkeypatch.undo()
    report.write_report(tmp_path, bigger)
    assert json.loads(paths["json"].read_text())["summary"]["claims"] == len(_fixed_results())


def test_bad_arguments_are_clear_errors(tmp_path):
    from sgverify import session

    with pytest.raises(ValueError, match="profile must be one of"):
        session.plan([], "fast")
    with pytest.raises(ValueError, match="no claim matches"):
        session.plan(["nothing.*"])
    with pytest.raises(ValueError, match="figures must be among"):
        session.plan([], figures=["fig99"])
    with pytest.raises(ValueError, match="seconds"):
        report.build_report([], profile="dev", seconds=float("nan"), environment=FIXED_ENV)


def test_cli_report_reuses_the_latest_matching_run(tmp_path, capsys):
    out, runs = tmp_path / "rep", tmp_path / "runs"
    cid = "escape.cdf-is-distribution"
    args = ["--out", str(out), "--runs", str(runs), "--no-figures", "--no-audit", cid]
    assert main(["report", *args]) == 0
    assert "computing them" in capsys.readouterr().err
    html = (out / "index.html").read_text()
    assert f'id="claim-{cid}"' in html
    assert main(["report", *args]) == 0  # the second time nothing is computed
    assert "no claim is recomputed" in capsys.readouterr().err
    (run,) = [d for d in runs.iterdir()]
    manifest = json.loads((run / "manifest.json").read_text())
    assert [s["engine"]["kind"] for s in manifest["sessions"]] == ["in-process", "none"]
    assert main(["report", *args, "--rerun"]) == 0
    assert len(list(runs.iterdir())) == 2
    assert main(["report", "--out", str(out), "nothing.*"]) == 2
    assert main(["report", "--out", str(out), "--profile", "fast"]) == 2
    assert "error" in capsys.readouterr().err


def test_pytest_plugin_reuses_the_sessions_results(pytester, tmp_path, monkeypatch):
    # the test verifies its claim; the report must reuse that result, not compute it again.
    # The report's profile follows SGVERIFY_PROFILE (else "ci" when CI is set, else "dev");
    # pinned here so that the claim's "dev" result is the one the report wants on CI too
    monkeypatch.setenv("SGVERIFY_PROFILE", "dev")
    pytester.makepyfile(test_claims="""
        import pytest
        from sgverify import claims

        @pytest.mark.parametrize("claim", claims.select("escape.cdf-is-distribution"))
        def test_claim(claim):
            assert claims.verify(claim, "dev").status == "confirmed"
    """)
    out = tmp_path / "from-pytest"
    res = pytester.runpytest_inprocess("-p", "no:cacheprovider", f"--sgverify-report={out}",
                                       "--sgverify-no-figures", "--sgverify-no-audit")
    res.assert_outcomes(passed=1)
    res.stdout.fnmatch_lines(["*1 claim results reused from this session*",
                              "*sgverify: wrote*index.html*(1 claim, *0 computed for the report*"])
    d = json.loads((out / "report.json").read_text())
    assert [c["id"] for c in d["claims"]] == ["escape.cdf-is-distribution"]
    assert d["figures"] == [] and d["audit"] is None
    (run,) = list((out / "runs").iterdir())
    tasks = json.loads((run / "manifest.json").read_text())["tasks"]
    assert tasks["claim/escape.cdf-is-distribution"]["worker"] == "precomputed"
    assert re.search(r'data-claim-id="escape\.cdf-is-distribution"',
                     (out / "index.html").read_text())


def test_pytest_plugin_computes_what_the_session_did_not(pytester, tmp_path):
    pytester.makepyfile(test_claims="""
        import pytest
        from sgverify import claims

        @pytest.mark.parametrize("claim", claims.select("escape.step-limit"))
        def test_claim(claim):
            assert claim.id
    """)
    out = tmp_path / "rep"
    res = pytester.runpytest_inprocess("-p", "no:cacheprovider", f"--sgverify-report={out}",
                                       "--sgverify-no-figures", "--sgverify-no-audit")
    res.assert_outcomes(passed=1)
    # no terminal here: one plain progress line per task, then the summary
    res.stdout.fnmatch_lines(["*0 claim results reused*",
                              "sgverify: ?1/1? escape.step-limit: confirmed*",
                              "*(1 claim, 0 without their expected verdict; 1 computed*"])
    bad = pytester.runpytest_inprocess("-p", "no:cacheprovider",
                                       f"--sgverify-report={out / 'index.html'}")
    assert bad.ret != 0  # a file where the report folder should be: refused before the tests
    bad.stderr.fnmatch_lines(["*--sgverify-report*is a file; a folder is needed*"])
