"""The command line: exit codes, one-line usage errors, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys

from sgverify.cli import main


def test_list_runs(capsys):
    assert main(["list"]) == 0
    assert "single-neuron.sg-equals-spm-gradient" in capsys.readouterr().out


def test_check_json(tmp_path):
    out = tmp_path / "c.json"
    assert main(["check", "single-neuron.mismatched-*", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert [c["id"] for c in data["claims"]] == ["single-neuron.mismatched-sg-differs"]
    assert data["claims"][0]["status"] == "confirmed"
    assert {"claims", "environment"} <= set(data)
    assert data["environment"]["versions"]["numpy"]


def test_bad_usage_exits_2_with_one_line(capsys):
    for argv in (
        ["check", "no.such"],
        ["check", "--profile", "fast"],
        ["frobnicate"],
        ["reproduce", "fig99"],
        ["audit", "x", "--param", "beta"],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert err.startswith("sgverify: error:") and "\n" not in err, (argv, err)


def test_python_dash_m():
    proc = subprocess.run(
        [sys.executable, "-m", "sgverify", "check", "nope"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "no claim matches 'nope'" in proc.stderr
