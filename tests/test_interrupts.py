"""Real signals to a real ``sgverify check``: it stops at once, keeps what finished, leaves no
process behind and no half-written file, and previous outputs stay whole.

Each test starts the command in its own process group (as a shell starts a job), waits for
its first finished result, signals it, and bounds every wait.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

psutil = pytest.importorskip("psutil")

#: enough claims of a few seconds each that the run is still busy when the signal comes
SELECTION = ["single-neuron.*", "multilayer.*"]


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _task_files(runs: Path) -> list[Path]:
    return sorted(runs.glob("*/tasks/*.json"))


def _start(runs: Path, *extra: str, jobs: str = "2") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sgverify", "check", *SELECTION, "--jobs", jobs, "--runs",
         str(runs), *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)


def _first_result(proc: subprocess.Popen, runs: Path, timeout: float = 120) -> list[int]:
    """Wait for a finished task; return the PIDs of the command's processes below it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1][-2000:]
        if _task_files(runs):
            return [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
        time.sleep(0.05)
    proc.kill()
    pytest.fail("no task finished in time")


def _finish(proc: subprocess.Popen, timeout: float) -> str:
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=10)
        pytest.fail(f"still running {timeout} s after the signal")
    return err


def _no_orphans(pids: list[int], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and any(_alive(p) for p in pids):
        time.sleep(0.1)
    left = [p for p in pids if _alive(p)]
    for p in left:
        os.kill(p, signal.SIGKILL)
    assert not left, f"processes outlived the command: {left}"


def _whole(files: list[Path]) -> None:
    for f in files:
        json.loads(f.read_text())  # every finished result reads back whole
    assert not [p for p in files[0].parent.parent.rglob(".*") if p.name.endswith(".tmp")]


def _previous_outputs(tmp_path: Path) -> dict[Path, bytes]:
    """A finished report and run from before, which the interrupted run must not touch."""
    from sgverify.cli import main

    out = tmp_path / "report"
    assert main(["check", "escape.step-limit", "--jobs", "1", "--report", str(out),
                 "--no-figures", "--no-audit", "--runs", str(tmp_path / "old-runs")]) == 0
    files = [*out.iterdir(), *(tmp_path / "old-runs").rglob("*.json")]
    return {f: f.read_bytes() for f in files}


@pytest.mark.parametrize("target", ["group", pytest.param("parent", marks=pytest.mark.slow)])
def test_one_ctrl_c_stops_within_seconds_and_keeps_results(tmp_path, target):
    before = _previous_outputs(tmp_path)
    runs = tmp_path / "runs"
    proc = _start(runs, "--report", str(tmp_path / "report"))
    children = _first_result(proc, runs)
    assert children, "a local cluster has worker processes"
    if target == "group":  # what a terminal's Ctrl-C does
        os.killpg(proc.pid, signal.SIGINT)
    else:
        os.kill(proc.pid, signal.SIGINT)
    err = _finish(proc, timeout=10)  # a stop takes about a second; 10 s means it hung
    assert proc.returncode == 130, err[-2000:]
    assert "interrupted" in err and "--resume" in err
    _no_orphans(children)
    kept = _task_files(runs)
    _whole(kept)
    (run,) = list(runs.iterdir())
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert len(kept) < len(manifest["tasks"])
    assert {f: f.read_bytes() for f in before} == before  # the previous report and run


@pytest.mark.slow
def test_second_ctrl_c_never_hangs(tmp_path):
    runs = tmp_path / "runs"
    proc = _start(runs)
    children = _first_result(proc, runs)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)
    err = _finish(proc, timeout=10)
    assert proc.returncode in (130, -signal.SIGINT), err[-2000:]
    _no_orphans(children)
    _whole(_task_files(runs))


@pytest.mark.slow
def test_killed_parent_leaves_no_workers_and_resume_finishes(tmp_path):
    runs = tmp_path / "runs"
    proc = _start(runs)
    children = _first_result(proc, runs)
    os.kill(proc.pid, signal.SIGKILL)
    _finish(proc, timeout=10)
    _no_orphans(children, within=5.0)
    kept = _task_files(runs)
    _whole(kept)
    (run,) = list(runs.iterdir())
    before = {f: f.read_bytes() for f in kept}
    # the killed run is finished by --resume, which recomputes nothing that finished
    done = subprocess.run(
        [sys.executable, "-m", "sgverify", "check", "--resume", run.name, "--runs", str(runs),
         "--jobs", "2", "--json", str(tmp_path / "out.json")],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert {f: f.read_bytes() for f in before} == before
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert [s["status"] for s in manifest["sessions"]] == ["running", "complete"]
    out = json.loads((tmp_path / "out.json").read_text())
    assert out["run"]["reused"] == len(kept)
    # the same evidence as a run that was never interrupted
    from sgverify import session

    ref = session.execute(session.plan(SELECTION), store=tmp_path / "ref", jobs=1,
                          progress="off")
    assert [_strip(c) for c in out["claims"]] == [_strip(r.to_dict()) for r in ref.results()]


def _strip(x):
    """Evidence without wall times (the only thing engines may change)."""
    if isinstance(x, dict):
        return {k: _strip(v) for k, v in x.items() if k != "seconds"}
    if isinstance(x, list):
        return [_strip(v) for v in x]
    return x


def test_ctrl_c_in_process(tmp_path):
    runs = tmp_path / "runs"
    proc = _start(runs, jobs="1")
    _first_result(proc, runs)
    os.killpg(proc.pid, signal.SIGINT)
    err = _finish(proc, timeout=10)
    assert proc.returncode == 130, err[-2000:]
    _whole(_task_files(runs))
