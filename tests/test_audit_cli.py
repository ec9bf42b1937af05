"""sgverify audit --callable MODULE:ATTR: the user's own code, imported on request."""

from __future__ import annotations

import json
import textwrap

import pytest

from sgverify.cli import main

MODULE = textwrap.dedent('''
    import numpy as np

    def boxcar(v):
        return np.where(np.abs(v) < 0.5, 1.0, 0.0)

    def superspike(v, beta=10.0):
        return 1.0 / (beta * np.abs(v) + 1.0) ** 2

    def make_laplace(beta=1.0):
        return lambda v: beta / 2 * np.exp(-beta * np.abs(v))

    class Triangle:
        def __init__(self, width=1.0):
            self.width = width
        def __call__(self, v):
            return np.maximum(0.0, 1.0 - np.abs(v) / self.width) / self.width

    def scalar_only(v):
        return 1.0 if abs(v) < 0.5 else 0.0

    CONSTANT = 3.0
''')


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "mysurrogates.py").write_text(MODULE)
    (tmp_path / "broken.py").write_text("raise RuntimeError('module-level failure')\n")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def run_json(argv, capsys):
    assert main([*argv, "--json", "-"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("argv, verdict, family, params", [
    (["--callable", "mysurrogates:boxcar"], "density", "uniform", {}),
    (["--callable", "mysurrogates:superspike", "--param", "beta=4"], "rescaled density",
     "fast-sigmoid", {"beta": 4.0}),
    (["--callable", "mysurrogates:make_laplace", "--param", "beta=3"], "density", "laplace",
     {}),
    (["--callable", "mysurrogates:Triangle", "--param", "width=2"], "density", "triangular",
     {}),
    (["--callable", "mysurrogates:scalar_only"], "density", "uniform", {}),
])
def test_callable_from_the_command_line(project, capsys, argv, verdict, family, params):
    d = run_json(["audit", *argv], capsys)
    assert d["kind"] == "callable" and d["verdict"] == verdict and d["family"] == family
    assert d["params"] == params
    formula = run_json(["audit", "where(abs(v) < 0.5, 1, 0)"], capsys)
    assert d.keys() == formula.keys()


def test_help_says_importing_runs_code(capsys):
    with pytest.raises(SystemExit) as info:
        main(["audit", "--help"])
    assert info.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "IMPORTING MODULE RUNS ITS CODE" in out and "Formulas never run anything" in out


@pytest.mark.parametrize("argv, what", [
    (["--callable", "nosuchmodule:f"], "no module named 'nosuchmodule'"),
    (["--callable", "mysurrogates:nothing"], "mysurrogates has no attribute 'nothing'"),
    (["--callable", "mysurrogates:CONSTANT"], "is a float, not a callable"),
    (["--callable", "broken:f"], "importing broken raised RuntimeError: module-level failure"),
    (["--callable", "mysurrogates"], "must look like MODULE:ATTR"),
    (["--callable", "mysurrogates:boxcar", "--param", "beta=1"],
     "the callable takes no parameter beta"),
    (["--callable", "mysurrogates:boxcar", "exp(-v**2)"], "give exactly one of"),
    (["exp(-v**2)", "--timeout", "3"], "--timeout applies to --callable only"),
])
def test_callable_errors_are_one_line(project, capsys, argv, what):
    assert main(["audit", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and what in err, err


def test_callable_timeout_from_the_command_line(project, capsys):
    (project / "slow.py").write_text("import time\ndef f(v):\n    time.sleep(30)\n")
    assert main(["audit", "--callable", "slow:f", "--timeout", "0.3"]) == 2
    err = capsys.readouterr().err
    assert "did not return within 0.3 s" in err and err.count("\n") == 1


# --- issue 15 §3: output paths checked before any work ---------------------------------------

@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if an audit starts (the paths must be refused before)."""
    from sgverify.audit import _core

    def forbidden(*a, **k):
        raise AssertionError("the audit ran before its output paths were checked")

    monkeypatch.setattr(_core, "audit", forbidden)
    monkeypatch.setattr("sgverify.audit.audit_catalogue", forbidden)


@pytest.mark.parametrize("opt, bad, says", [
    ("--json", "{tmp}", "is a folder; a file name is needed"),
    ("--json", "{tmp}/afile/out.json", "is a file where a folder is needed"),
    ("--json", "", "--json: empty path"),
    ("--plot", "{tmp}", "--plot must end in .png or .svg"),
    ("--plot", "{tmp}/out.pdf", "--plot must end in .png or .svg"),
    ("--plot", "{tmp}/afile/out.png", "is a file where a folder is needed"),
    ("--plot", "", "--plot: empty path"),
    ("--plot", "-", "--plot needs a file name"),
])
@pytest.mark.parametrize("source", [["exp(-v**2)"], ["--catalogue"]])
def test_output_paths_refused_before_work(tmp_path, capsys, no_work, opt, bad, says, source):
    (tmp_path / "afile").write_text("x")
    assert main(["audit", *source, opt, bad.format(tmp=tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and says in err and "Traceback" not in err


def test_json_and_plot_are_written(tmp_path, capsys):
    js, png, svg = tmp_path / "new" / "a.json", tmp_path / "a.png", tmp_path / "a.svg"
    assert main(["audit", "1/(beta*abs(v)+1)**2", "--param", "beta=10",
                 "--json", str(js), "--plot", str(png)]) == 0
    assert json.loads(js.read_text())["verdict"] == "rescaled density"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["audit", "where(abs(v) < 0.5, 1, 0)", "--plot", str(svg)]) == 0
    assert b"<svg" in svg.read_bytes()[:400]
