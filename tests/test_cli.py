"""The command line: exit codes, one-line usage errors, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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


def _one_line_error(capsys, *needles):
    err = capsys.readouterr().err.strip()
    assert err.startswith("sgverify: error:") and "\n" not in err, err
    assert all(n in err for n in needles), err


def test_output_paths_are_checked_before_any_work(tmp_path, capsys):
    runs = tmp_path / "runs"
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    cases = [
        (["check", "escape.step-limit", "--json", str(tmp_path)], ("--json", "is a folder")),
        (["check", "escape.step-limit", "--json", ""], ("--json", "empty path")),
        (["check", "escape.step-limit", "--json", str(a_file / "out.json")],
         ("--json", "is a file where a folder is needed")),
        (["check", "escape.step-limit", "--report", str(a_file)], ("--report", "is a file")),
        (["check", "escape.step-limit", "--runs", str(a_file)], ("--runs", "is a file")),
        (["report", "escape.step-limit", "--out", ""], ("--out", "empty path")),
        (["report", "escape.step-limit", "--out", str(a_file / "sub")],
         ("--out", "is a file where a folder is needed")),
        (["reproduce", "fig4b", "--plot", str(tmp_path / "fig.pdf")], ("--plot", ".png")),
        (["reproduce", "fig4b", "--plot", str(a_file / "f.png")], ("--plot", "is a file")),
        (["reproduce", "fig4b", "--json", str(tmp_path)], ("--json", "is a folder")),
        (["list", "--json", str(tmp_path)], ("--json", "is a folder")),
    ]
    for argv, needles in cases:
        extra = ["--runs", str(runs)] if argv[0] in ("check", "report") and \
            "--runs" not in argv else []
        assert main(argv + extra) == 2, argv
        _one_line_error(capsys, *needles)
    (tmp_path / "rep" / "index.html").mkdir(parents=True)
    assert main(["report", "--out", str(tmp_path / "rep"), "--runs", str(runs)]) == 2
    _one_line_error(capsys, "index.html", "is a folder")
    assert not runs.exists(), "no run may start before the arguments are checked"


def test_unwritable_folder_is_refused(tmp_path, capsys):
    import os

    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK) and _writable(locked):
            return  # root ignores permission bits; the probe would rightly accept
        assert main(["check", "escape.step-limit", "--json", str(locked / "o.json"),
                     "--runs", str(tmp_path / "runs")]) == 2
        _one_line_error(capsys, "--json", "cannot write")
    finally:
        locked.chmod(0o700)


def _writable(folder) -> bool:
    try:
        (folder / ".probe").write_text("")
        (folder / ".probe").unlink()
        return True
    except OSError:
        return False


def test_unknown_id_is_refused_without_importing_the_registry():
    code = ("import sys; from sgverify.cli import main; rc = main(['list', 'no-such-id']); "
            "heavy = [m for m in ('sympy', 'scipy', 'sgverify.claims') if m in sys.modules]; "
            "print(rc, heavy)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.stdout.split("\n")[0] == "2 []", proc.stdout + proc.stderr
    assert "no claim matches 'no-such-id'" in proc.stderr


def test_check_report_writes_table_and_report_in_one_pass(tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["check", "escape.step-limit", "--report", str(out), "--no-figures",
                 "--no-audit", "--runs", str(tmp_path / "runs")]) == 0
    text = capsys.readouterr().out
    assert "escape.step-limit" in text and "confirmed" in text and "wrote" in text
    assert (out / "index.html").is_file() and (out / "report.json").is_file()


def test_a_failing_figure_fails_the_report_visibly(tmp_path, capsys, monkeypatch):
    from sgverify import figures

    real = figures.reproduce

    def broken(name, profile="dev"):
        if name == "fig4c":
            raise RuntimeError("figure code crashed")
        return real(name, profile)

    monkeypatch.setattr(figures, "reproduce", broken)
    monkeypatch.setattr(figures, "available", lambda: ("fig4c",))
    out = tmp_path / "rep"
    rc = main(["report", "escape.step-limit", "--out", str(out), "--no-audit", "--jobs", "1",
               "--runs", str(tmp_path / "runs")])
    assert rc == 3
    assert "report incomplete: figure fig4c: RuntimeError: figure code crashed" in \
        capsys.readouterr().err
    d = json.loads((out / "report.json").read_text())
    assert d["figures"][0]["available"] is False
    assert "figure code crashed" in d["figures"][0]["reason"]
    assert "figure code crashed" in (out / "index.html").read_text()


def test_console_ends_without_teardown_after_the_exit_handlers(monkeypatch):
    import atexit
    import threading

    from sgverify import cli

    seen = []
    monkeypatch.setattr(cli, "main", lambda: 3)
    monkeypatch.setattr(atexit, "_run_exitfuncs", lambda: seen.append("handlers"))
    monkeypatch.setattr(cli.os, "_exit", lambda code: seen.append(("_exit", code)))
    cli.console()
    assert seen == ["handlers", ("_exit", 3)]
    # a thread that is not a daemon is waited for: the normal exit
    seen.clear()
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        with pytest.raises(SystemExit) as exc:
            cli.console()
        assert exc.value.code == 3 and seen == []
    finally:
        stop.set()
        t.join()


def test_console_output_is_complete_through_a_pipe():
    proc = subprocess.run([sys.executable, "-m", "sgverify", "list"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0
    from sgverify.claims import all_claims

    assert all(c.id in proc.stdout for c in all_claims())
