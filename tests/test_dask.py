"""A real Dask cluster on 127.0.0.1: the same evidence as in-process, also after a worker dies.

The test starts ``dask scheduler`` and two ``dask worker`` processes itself (subprocesses of
this interpreter, so they import this sgverify), bounded in time and stopped by PID.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from sgverify import session

FAST = ["single-neuron.mismatched-*", "escape.cdf-is-distribution", "escape.step-limit"]
#: claims of a few seconds each, so a worker can be caught in the middle of one
SLOWER = ["single-neuron.*", "multilayer.spm-gradient-by-enumeration", "escape.*"]


def strip(x):
    """Evidence without wall times (the only thing engines may change)."""
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k != "seconds"}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


class Cluster:
    """A scheduler and ``n`` nanny-less workers (so a killed worker stays dead)."""

    def __init__(self, tmp: Path, n: int = 2) -> None:
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        port = self.address.rsplit(":", 1)[1]
        log = open(tmp / "dask.log", "w")  # closed in stop()
        self.log = log
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
        self.scheduler = subprocess.Popen(
            [sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", port,
             "--no-dashboard"], stdout=log, stderr=subprocess.STDOUT, env=env)
        self.workers = [subprocess.Popen(
            [sys.executable, "-m", "dask", "worker", self.address, "--nthreads", "1",
             "--no-nanny", "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{i}",
             "--death-timeout", "60", "--local-directory", str(tmp / f"w{i}")],
            stdout=log, stderr=subprocess.STDOUT, env=env) for i in range(n)]
        self._wait_for_workers(n)

    def _wait_for_workers(self, n: int, timeout: float = 90.0) -> None:
        from distributed import Client

        with Client(self.address, timeout=timeout, set_as_default=False) as c:
            c.wait_for_workers(n, timeout=timeout)

    def stop(self) -> None:
        _stop([*self.workers, self.scheduler])
        self.log.close()


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    try:
        yield c
    finally:
        c.stop()
        assert all(p.poll() is not None for p in [*c.workers, c.scheduler])


def _check(args: list[str], env_extra: dict | None = None, timeout: float = 400) -> dict:
    proc = subprocess.run([sys.executable, "-m", "sgverify", "check", *args],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env_extra or {})})
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


@pytest.mark.slow
def test_scheduler_gives_in_process_evidence(cluster, tmp_path):
    ref = session.execute(session.plan(FAST), store=tmp_path / "ref", jobs=1, progress="off")
    out = tmp_path / "dist.json"
    # the address from the environment, as a cluster user would set it once
    _check([*FAST, "--runs", str(tmp_path / "runs"), "--json", str(out)],
           {"SGVERIFY_SCHEDULER": cluster.address})
    got = json.loads(out.read_text())
    assert [strip(c) for c in got["claims"]] == [strip(r.to_dict()) for r in ref.results()]
    manifest = json.loads((Path(got["run"]["path"]) / "manifest.json").read_text())
    assert manifest["engine"] == {} or manifest["sessions"][-1]["engine"]["kind"] == "scheduler"
    assert manifest["sessions"][-1]["engine"]["address"] == cluster.address
    workers = {t["worker"] for t in manifest["tasks"].values()}
    assert workers and all(str(os.getpid()) not in w for w in workers)


@pytest.mark.slow
def test_killed_worker_is_retried_with_the_same_evidence(cluster, tmp_path):
    from distributed import Client

    runs, out = tmp_path / "runs", tmp_path / "dist.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sgverify", "check", *SLOWER, "--scheduler", cluster.address,
         "--runs", str(runs), "--json", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    victim = cluster.workers[0]
    killed_while = None
    try:
        with Client(cluster.address, timeout=30, set_as_default=False) as c:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and killed_while is None:
                info = c.scheduler_info(n_workers=-1)["workers"]
                name_of = {a: w.get("name") for a, w in info.items()}
                for addr, keys in c.processing().items():
                    if keys and name_of.get(addr) == "w0":
                        time.sleep(0.3)  # well inside the task
                        os.kill(victim.pid, signal.SIGKILL)
                        killed_while = keys[0]
                        break
                time.sleep(0.1)
        assert killed_while is not None, "the worker never got a task"
        _, stderr = proc.communicate(timeout=400)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == 0, stderr[-2000:]
    victim.wait(timeout=10)
    got = json.loads(out.read_text())
    manifest = json.loads((Path(got["run"]["path"]) / "manifest.json").read_text())
    task_key = killed_while.split("/", 1)[1]  # engine keys are "<prefix>/<task key>"
    assert task_key in manifest["retried"], (killed_while, manifest["retried"])
    assert manifest["tasks"][task_key]["attempts"] >= 2
    assert manifest["status"] == "complete"
    ref = session.execute(session.plan(SLOWER), store=tmp_path / "ref", jobs=1, progress="off")
    assert [strip(c) for c in got["claims"]] == [strip(r.to_dict()) for r in ref.results()]


def test_unreachable_scheduler_is_a_usage_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "sgverify", "check", "escape.step-limit", "--scheduler",
         f"tcp://127.0.0.1:{_free_port()}", "--runs", str(tmp_path)],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    err = proc.stderr.strip().splitlines()
    assert err[-1].startswith("sgverify: error: cannot reach the Dask scheduler"), err
    bad = subprocess.run(
        [sys.executable, "-m", "sgverify", "check", "escape.step-limit", "--scheduler",
         "http://nowhere", "--runs", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "tcp://HOST:PORT" in bad.stderr
