"""Sessions and the run store: plans, tasks, results kept as they finish, reuse and resume."""

from __future__ import annotations

import json

import pytest

from sgverify import _engine, _tasks, session
from sgverify._engine import InProcess, Task, execute
from sgverify._progress import Progress
from sgverify._store import Run, RunStore, code_identity
from sgverify.claims import Result
from sgverify.claims import audit as claims_audit

FAST = ["single-neuron.mismatched-*", "single-neuron.deterministic-limit",
        "escape.cdf-is-distribution"]


def strip(x):
    """Evidence without wall times (the only thing engines may change)."""
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k != "seconds"}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x


def test_plan_selects_and_splits_training_into_tasks():
    p = session.plan(["snn.*"], "dev", figures=["training"], catalogue=True)
    keys = [t.key for t in session.tasks(p)]
    train = [k for k in keys if k.startswith("train/")]
    assert len(train) == 4 * 2 + 1 and keys[: len(train)] == train  # dependencies first
    by_key = {t.key: t for t in session.tasks(p)}
    assert set(by_key["claim/snn.spike-train-matching"].deps) == {
        "train/matching/dev/stochastic/0"}
    assert set(by_key["figure/training"].deps) <= set(train)
    assert "catalogue" in keys and p.catalogue_task
    # the catalogue comes from its claim's evidence when that claim runs anyway
    assert not session.plan(["audit.catalogue"], "dev", catalogue=True).catalogue_task
    thorough = session.plan(["snn.stochastic-trains-comparably"], "thorough")
    assert len([t for t in session.tasks(thorough) if t.key.startswith("train/")]) == 20
    with pytest.raises(ValueError, match="profile must be one of"):
        session.plan([], "fast")
    with pytest.raises(ValueError, match="no claim matches"):
        session.plan(["nothing.*"])
    with pytest.raises(ValueError, match="figures must be among"):
        session.plan([], figures=["fig99"])
    assert session.Plan.from_selection(p.selection()) == p


def test_store_keeps_whole_files_and_ignores_partial_ones(tmp_path):
    store = RunStore(tmp_path)
    run = store.create(profile="dev", selection={}, engine={}, tasks={
        "claim/a.b": {"kind": "claim"}, "claim/c.d": {"kind": "claim"},
        "figure/x": {"kind": "figure"}})
    run.save_result("claim/a.b", {"status": "confirmed"}, seconds=1.0, attempts=2, worker="w1")
    run.save_result("figure/x", {"error": "boom"}, failed=True)
    # a writer killed mid-write leaves a temporary file; a torn write never has the real name
    (run.path / "tasks" / ".claim__c.d.json.x1.tmp").write_text('{"key": "claim/c')
    run.task_path("claim/c.d").write_text('{"key": "claim/c')  # corrupt: not finished
    fresh = Run(run.path)
    assert fresh.finished_keys() == ["claim/a.b"]
    assert fresh.finished_keys(include_failed=True) == ["claim/a.b", "figure/x"]
    assert fresh.manifest["retried"] == ["claim/a.b"]
    assert fresh.manifest["tasks"]["claim/a.b"]["attempts"] == 2
    assert [p.name for p in fresh.clean_partial_files()] == [".claim__c.d.json.x1.tmp"]
    assert fresh.manifest["code"] == code_identity() and fresh.manifest["environment"]
    assert store.find(run.run_id).path == run.path and store.find(str(run.path)).run_id
    with pytest.raises(ValueError, match="no run"):
        store.find("no-such-run")
    assert store.latest("dev", ["claim/a.b"]).run_id == run.run_id
    assert store.latest("dev", ["claim/c.d"]) is None and store.latest("ci", []) is None


def test_a_raising_task_is_an_error_record_not_a_crash():
    def broken(inputs):
        raise ZeroDivisionError("boom")

    rec = execute(broken, (), {})
    assert rec["failed"] and rec["error"] == "ZeroDivisionError: boom"
    assert "ZeroDivisionError" in rec["traceback"] and rec["seconds"] >= 0
    dep = execute(sum, ([1],), {"train/x": rec})  # a failed dependency fails its user
    assert dep["failed"] and "needs train/x" in dep["error"]
    assert execute(lambda inputs: 2, (), {})["value"] == 2


def test_claim_task_that_raises_becomes_error_verdict(tmp_path, monkeypatch):
    def explode(claim_id, profile, inputs):
        raise RuntimeError("worker-side failure")

    monkeypatch.setattr(_tasks, "claim", explode)
    s = session.execute(session.plan(FAST[2:], "dev"), store=tmp_path, jobs=1, progress="off")
    (r,) = s.results()
    assert r.status == "error" and "worker-side failure" in r.evidence.error
    assert "RuntimeError" in r.evidence.traceback and s.run.status == "complete"
    # an engine-level failure is retried when the run is reused, unlike a verdict
    assert s.run.finished_keys() == [] and s.run.finished_keys(include_failed=True)


def test_execute_keeps_results_reuses_and_resumes(tmp_path, monkeypatch):
    p = session.plan(FAST, "dev")
    reference = session.execute(p, store=tmp_path / "a", jobs=1, progress="off")
    assert reference.run.status == "complete" and len(reference.computed) == 3
    # interrupted after the first claim: what finished stays, the run says interrupted
    calls = []
    real = _tasks.claim

    def interrupt_second(claim_id, profile, inputs):
        calls.append(claim_id)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(claim_id, profile, inputs)

    monkeypatch.setattr(_tasks, "claim", interrupt_second)
    with pytest.raises(session.Interrupted) as info:
        session.execute(p, store=tmp_path / "b", jobs=1, progress="off")
    run = Run(info.value.session.run.path)
    kept = run.finished_keys()
    assert run.status == "interrupted" and len(kept) == 1
    monkeypatch.setattr(_tasks, "claim", real)
    resumed = session.execute(p, run=session.open_run(str(run.path)), jobs=1, progress="off")
    assert resumed.reused == kept and len(resumed.computed) == 2
    assert resumed.run.status == "complete"
    assert [strip(r.to_dict()) for r in resumed.results()] == [
        strip(r.to_dict()) for r in reference.results()]
    # nothing left to do: a second pass computes nothing
    again = session.execute(p, run=resumed.run, jobs=1, progress="off")
    assert again.computed == [] and len(again.reused) == 3
    assert session.find_reusable(p, tmp_path / "b").run_id == resumed.run.run_id


def test_precomputed_results_are_stored_not_recomputed(tmp_path, monkeypatch):
    from sgverify import claims

    r = claims.verify("escape.cdf-is-distribution")
    monkeypatch.setattr(_tasks, "claim", lambda *a: pytest.fail("recomputed a claim"))
    s = session.execute(session.plan(FAST[2:]), store=tmp_path, progress="off",
                        precomputed={"claim/escape.cdf-is-distribution": r.to_dict()})
    assert s.results()[0].to_dict() == json.loads(json.dumps(r.to_dict()))
    assert s.run.manifest["tasks"]["claim/escape.cdf-is-distribution"]["worker"] == "precomputed"


def test_local_dask_cluster_gives_the_in_process_evidence(tmp_path, monkeypatch):
    monkeypatch.setattr(_engine, "SMALL_WORK", 0.0)  # even this small selection on workers
    p = session.plan(FAST, "dev")
    one = session.execute(p, store=tmp_path, jobs=1, progress="off")
    two = session.execute(p, store=tmp_path, jobs=2, progress="off")
    assert two.engine["kind"] == "local" and two.engine["workers"] == 2
    assert one.engine["kind"] == "in-process"
    assert [strip(r.to_dict()) for r in one.results()] == [
        strip(r.to_dict()) for r in two.results()]
    workers = {two.run.manifest["tasks"][k]["worker"] for k in two.computed}
    assert all(w and not w.endswith(f":{__import__('os').getpid()}") for w in workers)


def test_in_process_engine_passes_dependencies():
    seen = []
    tasks = [Task("a", _double, (2,)), Task("b", _double, (0,), deps=("a", "z"))]
    InProcess().run(tasks, {"z": {"value": 5}}, lambda t: seen.append(("start", t.key)),
                    lambda t, rec, n: seen.append((t.key, rec.get("value"), n)))
    assert seen == [("start", "a"), ("a", 4, 1), ("start", "b"), ("b", 18, 1)]


def _double(x, inputs):
    return 2 * (x + sum(inputs.values()))


def test_progress_lines_without_a_terminal(capsys):
    import io

    buf = io.StringIO()
    with Progress(3, mode="auto", stream=buf, done=1) as prog:  # StringIO is no terminal
        prog.started("claim x")
        prog.note("hello")
        prog.finished("claim x", "confirmed", 1.25)
    assert buf.getvalue().splitlines() == ["sgverify: hello",
                                           "sgverify: [2/3] claim x: confirmed (1.2 s)"]
    with pytest.raises(ValueError, match="mode"):
        Progress(1, mode="fancy")


def test_result_rebuilt_from_the_store_is_the_same(tmp_path):
    s = session.execute(session.plan(FAST[2:]), store=tmp_path, jobs=1, progress="off")
    stored = s.run.load_result("claim/escape.cdf-is-distribution")
    assert Result.from_dict(stored).to_dict() == stored


def test_claim_task_on_a_busy_global_random_raises_no_hypothesis_warning():
    # a Dask worker's threads use the global `random` module while a search draws
    import random
    import threading
    import warnings

    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            random.random()

    thread = threading.Thread(target=spin)
    thread.start()
    try:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            out = _tasks.claim("escape.step-limit", "dev", {})
    finally:
        stop.set()
        thread.join()
    assert out["status"] == "confirmed"
    assert not [w for w in seen if "random` module" in str(w.message)]


def test_tasks_are_ordered_by_the_seconds_of_earlier_runs(tmp_path):
    p = session.plan(FAST, "dev")
    store = RunStore(tmp_path)
    assert session.measured_seconds(store, "dev") == {}
    s = session.execute(p, store=store, jobs=1, progress="off")
    took = session.measured_seconds(store, "dev")
    assert set(took) == set(s.computed) and all(v >= 0 for v in took.values())
    assert session.measured_seconds(store, "thorough") == {}
    costs = {t.key: t.cost for t in session.tasks(p, {"claim/escape.cdf-is-distribution": 99.0})}
    assert costs["claim/escape.cdf-is-distribution"] == 99.0
    assert costs["claim/single-neuron.deterministic-limit"] == next(
        t.cost for t in session.tasks(p) if t.key == "claim/single-neuron.deterministic-limit")


def test_catalogue_is_audited_in_parts_that_its_readers_share():
    n = claims_audit.CATALOGUE_PARTS
    parts = [f"{_tasks.CATALOGUE_PART}{k}" for k in range(n)]
    by_key = {t.key: t for t in session.tasks(session.plan(["audit.catalogue"], "dev"))}
    assert set(parts) <= set(by_key) and by_key["claim/audit.catalogue"].deps == tuple(parts)
    assert [by_key[k].args for k in parts] == [(k, n) for k in range(n)]
    report_only = session.plan(["escape.step-limit"], "dev", catalogue=True)
    by_key = {t.key: t for t in session.tasks(report_only)}
    assert by_key["catalogue"].deps == tuple(parts)
    assert not any(k.startswith(_tasks.CATALOGUE_PART)
                   for k in (t.key for t in session.tasks(session.plan(["escape.*"]))))


def test_catalogue_part_outcomes_are_the_claims_own(monkeypatch):
    from sgverify.claims import Outcome, outcome_dict

    part = claims_audit.catalogue_part(0, parts=40)  # entries 0 and 40
    assert [e["index"] for e in part["entries"]] == [0, 40]
    for e in part["entries"]:
        assert outcome_dict(claims_audit._catalogue_eval(e["index"], None)) == e["outcome"]
        assert outcome_dict(Outcome.from_dict(e["outcome"])) == e["outcome"]
    monkeypatch.setattr("sgverify.audit.audit_entry",
                        lambda i: pytest.fail("audited an entry a part provided"))
    with claims_audit.provided_catalogue([part]):
        assert outcome_dict(claims_audit._catalogue_eval(40, None)) == part["entries"][1]["outcome"]
    assert 40 not in claims_audit._PROVIDED  # nothing outlives the block
    # the task that reads them: the report's catalogue from parts covering it, nothing audited
    got = _tasks.catalogue({f"{_tasks.CATALOGUE_PART}0": {"entries": [
        {"index": i, "record": {"name": str(i)}} for i in range(len(claims_audit.A.CATALOGUE))]}})
    assert [r["name"] for r in got["records"]][:3] == ["0", "1", "2"]
    with pytest.raises(ValueError, match="part must be"):
        claims_audit.catalogue_part(6, parts=6)


def test_finished_readers_leave_the_catalogue_parts_undone(tmp_path, monkeypatch):
    from sgverify import claims

    r = claims.verify("escape.cdf-is-distribution")
    fake = Result.from_dict({**r.to_dict(), "id": "audit.catalogue"})
    monkeypatch.setattr(_tasks, "catalogue_part", lambda *a: pytest.fail("audited a part"))
    s = session.execute(session.plan(["audit.catalogue"]), store=tmp_path, progress="off",
                        precomputed={"claim/audit.catalogue": fake.to_dict()})
    assert s.computed == []


@pytest.mark.slow
def test_catalogue_claim_from_parts_on_workers_is_the_in_process_claim(tmp_path):
    from sgverify import claims

    alone = claims.verify("audit.catalogue")
    two = session.execute(session.plan(["audit.catalogue"]), store=tmp_path, jobs=2,
                          progress="off")
    assert two.engine["kind"] == "local"
    assert sum(k.startswith(_tasks.CATALOGUE_PART) for k in two.computed) == 6
    drop = {"seconds", "cpu_seconds", "slowest_cpu_seconds", "work"}

    def strip_all(x):
        if isinstance(x, dict):
            return {k: strip_all(v) for k, v in x.items() if k not in drop}
        if isinstance(x, list):
            return [strip_all(v) for v in x]
        return x

    assert strip_all(two.results()[0].to_dict()) == strip_all(
        json.loads(json.dumps(alone.to_dict())))


def test_an_interrupt_python_swallowed_still_stops_the_run(tmp_path, monkeypatch):
    """A KeyboardInterrupt raised inside a gc callback or __del__ is only printed by Python;
    the run's signal handler also sets STOP, which the engine checks between tasks."""
    real = _tasks.claim

    def claim_then_swallowed_interrupt(*args):
        out = real(*args)
        _engine.STOP.set()  # what the handler does before its KeyboardInterrupt is lost
        return out

    monkeypatch.setattr(_tasks, "claim", claim_then_swallowed_interrupt)
    with pytest.raises(session.Interrupted) as exc:
        session.execute(session.plan(FAST), store=tmp_path, jobs=1, progress="off")
    run = exc.value.session.run
    assert len(run.finished_keys()) == 1 and run.manifest["status"] == "interrupted"
    assert not _engine.STOP.is_set()  # cleared for the next run


def _probe_worker() -> tuple:
    import gc
    import os
    import sys

    return (os.getppid(), "sgverify.claims" in sys.modules, gc.get_freeze_count(),
            os.environ.get("SGVERIFY_NUMBA"), os.environ.get("OPENBLAS_NUM_THREADS"))


def test_local_workers_are_forked_with_the_tasks_imports_loaded(monkeypatch):
    if not _engine._fork_server_usable():
        pytest.skip("no fork server on this platform: workers are spawned")
    from multiprocessing import forkserver

    _engine.start_worker_server()
    monkeypatch.setenv("SGVERIFY_NUMBA", "0")  # set after the server started
    eng = _engine.DaskEngine.local(1)
    try:
        ((ppid, loaded, frozen, numba, blas),) = eng.client.run(_probe_worker).values()
    finally:
        eng.close(fast=True)
    assert ppid == forkserver._forkserver._forkserver_pid
    assert loaded and frozen > 0  # imported by the server, out of the collector's sight
    assert numba == "0" and blas == "1"  # this process's setting now; one BLAS thread


def test_a_fork_server_no_worker_came_from_is_stopped():
    if not _engine._fork_server_usable():
        pytest.skip("no fork server on this platform")
    code = ("import os\n"
            "from multiprocessing import forkserver\n"
            "from sgverify import _engine\n"
            "_engine.start_worker_server()\n"
            "pid = forkserver._forkserver._forkserver_pid\n"
            "os.kill(pid, 0)\n"  # running (and importing)
            "_engine.stop_worker_server()\n"
            "try:\n"
            "    os.kill(pid, 0)\n"
            "except ProcessLookupError:\n"
            "    print('stopped')\n")
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.strip() == "stopped", out.stderr


def test_workers_import_this_processs_sgverify_not_the_working_directorys(tmp_path):
    # run from a checkout of another version, the fork server (python -c, working directory
    # first on its path) gave the workers that checkout's sgverify
    if not _engine._fork_server_usable():
        pytest.skip("no fork server on this platform: workers are spawned")
    import subprocess
    import sys

    import sgverify

    here = tmp_path / "checkout"
    (here / "sgverify").mkdir(parents=True)
    (here / "sgverify" / "__init__.py").write_text("OTHER_VERSION = True\n")
    script = tmp_path / "probe.py"
    script.write_text(
        "import sgverify\n"
        "from sgverify import _engine\n"
        "def probe():\n"
        "    import sgverify\n"
        "    return sgverify.__file__\n"
        "if __name__ == '__main__':\n"
        "    _engine.start_worker_server()\n"
        "    eng = _engine.DaskEngine.local(1)\n"
        "    try:\n"
        "        (got,) = eng.client.run(probe).values()\n"
        "    finally:\n"
        "        eng.close(fast=True)\n"
        "    print(sgverify.__file__)\n"
        "    print(got)\n")
    out = subprocess.run([sys.executable, str(script)], cwd=here, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    mine, workers = out.stdout.split()
    assert mine == workers == sgverify.__file__
