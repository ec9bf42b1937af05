"""The run store: every finished task of a run as one JSON file, and a manifest.

A run lives in ``<root>/<run-id>/`` (root default ``reports/runs``, or ``SGVERIFY_RUNS``)::

    manifest.json            run id, profile, code identity, environment, engine, selection,
                             start/end, status, and per task its state, seconds and retries
    tasks/<task>.json        one finished task: its key, kind and result (``Result.to_dict()``
                             for a claim, an encoded history for a training run, ...)

Every file is written atomically (:mod:`sgverify._io`) and a task file before the manifest
that mentions it, so a process killed at any moment leaves the previous version of each file
or the new one, never half of one. The task files are the truth: a task whose file exists is
finished, whatever the manifest says (a kill between the two writes loses nothing).

Examples
--------
>>> import tempfile
>>> from sgverify._store import RunStore
>>> store = RunStore(tempfile.mkdtemp())
>>> run = store.create(profile="dev", selection={"claims": ["a.b"]}, tasks={
...     "claim/a.b": {"kind": "claim", "label": "a.b"}}, engine={"kind": "in-process"})
>>> run.save_result("claim/a.b", {"status": "confirmed"}, seconds=0.1)
>>> run.finished_keys(), run.load_result("claim/a.b")
(['claim/a.b'], {'status': 'confirmed'})
>>> store.runs()[0].run_id == run.run_id
True
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import secrets
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from ._io import atomic_write_json

__all__ = ["FORMAT", "Run", "RunStore", "code_identity", "default_root", "source_hash"]

#: version of the manifest and task-file layout; runs of another format are not reused
FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def default_root() -> Path:
    """``SGVERIFY_RUNS`` if set, else ``reports/runs`` (relative to the working directory)."""
    return Path(os.environ.get("SGVERIFY_RUNS") or Path("reports") / "runs")


@lru_cache(maxsize=1)
def source_hash() -> str:
    """SHA-256 of the installed package's source and data files (names and contents).

    Identifies the code that computed a result also when it is not a git checkout or has
    uncommitted changes.
    """
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix in (".pyc", ".tmp"):
            continue
        h.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_identity() -> dict[str, Any]:
    """``version``, ``git_commit`` (None outside a checkout) and ``source_hash``."""
    from importlib.metadata import PackageNotFoundError, version

    from ._environment import git_commit

    try:
        ver = version("sgverify")
    except PackageNotFoundError:
        ver = None
    return {"version": ver, "git_commit": git_commit(), "source_hash": source_hash()}


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds")


def _file_name(key: str) -> str:
    # keys are ids like "claim/escape.step-limit" or "train/randman/dev/stochastic/3"
    return _SAFE.sub("_", key.replace("/", "__")) + ".json"


class Run:
    """One run directory: its manifest and the finished tasks' files."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._manifest: dict[str, Any] | None = None

    @property
    def run_id(self) -> str:
        return self.path.name

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest as last read or written by this object."""
        if self._manifest is None:
            self._manifest = json.loads((self.path / "manifest.json").read_text("utf-8"))
        return self._manifest

    def reload(self) -> Run:
        self._manifest = None
        return self

    def write_manifest(self) -> None:
        atomic_write_json(self.path / "manifest.json", self.manifest)

    @property
    def profile(self) -> str:
        return self.manifest["profile"]

    @property
    def status(self) -> str:
        return self.manifest["status"]

    def task_path(self, key: str) -> Path:
        return self.path / "tasks" / _file_name(key)

    def finished_keys(self, include_failed: bool = False) -> list[str]:
        """Keys of the manifest's tasks whose result file exists and reads back whole.

        A task that failed for want of a result (its worker died too often, a dependency
        failed, a figure raised) counts only with ``include_failed``: it is computed again
        when the run is resumed or reused.
        """
        return [k for k in self.manifest["tasks"] if self.is_finished(k, include_failed)]

    def is_finished(self, key: str, include_failed: bool = False) -> bool:
        """Whether ``key``'s result file exists and reads back whole (see finished_keys)."""
        try:
            rec = self._read(key)
        except (OSError, ValueError):
            return False
        return isinstance(rec, dict) and rec.get("key") == key and (
            include_failed or not rec.get("failed"))

    def _read(self, key: str) -> dict[str, Any]:
        return json.loads(self.task_path(key).read_text("utf-8"))

    def load_result(self, key: str) -> Any:
        """The stored result of a finished task."""
        return self._read(key)["result"]

    def load_record(self, key: str) -> dict[str, Any]:
        """The whole task file: key, kind, result, seconds, attempts, worker, failed,
        finished."""
        return self._read(key)

    def add_tasks(self, tasks: Mapping[str, Mapping[str, Any]]) -> None:
        """Add tasks (key -> kind, label, ...) not yet in the manifest, as pending."""
        for key, info in tasks.items():
            self.manifest["tasks"].setdefault(key, {**info, "state": "pending"})
        self.write_manifest()

    def save_result(self, key: str, result: Any, *, seconds: float = 0.0, attempts: int = 1,
                    worker: str | None = None, failed: bool = False) -> None:
        """Write a finished task's file, then record it in the manifest (in that order)."""
        info = self.manifest["tasks"].setdefault(key, {"kind": key.split("/", 1)[0],
                                                       "label": key})
        atomic_write_json(self.task_path(key), {
            "key": key, "kind": info.get("kind"), "result": result, "seconds": round(seconds, 4),
            "attempts": attempts, "worker": worker, "failed": failed, "finished": _now()})
        info.update(state="failed" if failed else "done", seconds=round(seconds, 4),
                    attempts=attempts, worker=worker, file=str(self.task_path(key).relative_to(
                        self.path)))
        if attempts > 1:
            retried = self.manifest.setdefault("retried", [])
            if key not in retried:
                retried.append(key)
        self.write_manifest()

    def begin(self, engine: Mapping[str, Any]) -> None:
        """Record that a process (the first or a resuming one) starts working on the run."""
        self.manifest["status"] = "running"
        if engine.get("kind") != "none":
            self.manifest["engine"] = dict(engine)
        self.manifest.setdefault("sessions", []).append(
            {"started": _now(), "ended": None, "status": "running", "engine": dict(engine),
             "pid": os.getpid()})
        self.write_manifest()

    def end(self, status: str) -> None:
        """Record how the current process left the run: complete, interrupted or failed."""
        now = _now()
        self.manifest["status"] = status
        self.manifest["ended"] = now
        sessions = self.manifest.setdefault("sessions", [])
        if sessions:
            sessions[-1].update(ended=now, status=status)
        self.write_manifest()

    def clean_partial_files(self) -> list[Path]:
        """Remove temporary files a killed writer left behind (never a finished file)."""
        gone = []
        for p in [*self.path.glob(".*.tmp"), *self.path.glob("tasks/.*.tmp")]:
            p.unlink(missing_ok=True)
            gone.append(p)
        return gone


class RunStore:
    """The folder of runs (default :func:`default_root`)."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else default_root()

    def create(self, *, profile: str, selection: Mapping[str, Any],
               tasks: Mapping[str, Mapping[str, Any]], engine: Mapping[str, Any],
               seeds: Mapping[str, Any] | None = None) -> Run:
        """A new run directory with its manifest (every task pending)."""
        from ._environment import environment

        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
        run_id = f"{stamp}-{profile}-{secrets.token_hex(3)}"
        run = Run(self.root / run_id)
        (run.path / "tasks").mkdir(parents=True, exist_ok=False)
        run._manifest = {
            "format": FORMAT, "run_id": run_id, "profile": profile, "created": _now(),
            "ended": None, "status": "created", "code": code_identity(),
            "environment": environment(), "engine": dict(engine),
            "selection": dict(selection), "seeds": dict(seeds or {}),
            "tasks": {k: {**v, "state": "pending"} for k, v in tasks.items()},
            "retried": [], "sessions": [],
        }
        run.write_manifest()
        return run

    def runs(self) -> list[Run]:
        """Every readable run, newest first."""
        out = []
        if not self.root.is_dir():
            return out
        for d in self.root.iterdir():
            run = Run(d)
            try:
                if run.manifest.get("format") == FORMAT:
                    out.append(run)
            except (OSError, ValueError):
                continue
        return sorted(out, key=lambda r: r.manifest.get("created", ""), reverse=True)

    def find(self, ref: str) -> Run:
        """A run by id or by path; ValueError naming ``ref`` if there is none."""
        path = Path(ref)
        candidates = [path] if path.is_dir() else [self.root / ref]
        for p in candidates:
            run = Run(p)
            try:
                run.manifest  # noqa: B018 - read now, so a broken run fails here
                return run
            except (OSError, ValueError):
                continue
        raise ValueError(f"no run {ref!r} in {self.root} (runs are folders with a manifest.json)")

    def latest(self, profile: str, needed: list[str]) -> Run | None:
        """The newest run of this code and profile in which every ``needed`` task finished."""
        me = code_identity()["source_hash"]
        for run in self.runs():
            m = run.manifest
            if m.get("profile") != profile or m.get("code", {}).get("source_hash") != me:
                continue
            if all(run.is_finished(k) for k in needed):
                return run
        return None
