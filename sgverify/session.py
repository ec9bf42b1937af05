"""Select claims and extra tasks, run them on an engine, keep every result in a run store.

This is the one place that turns "these claims, these figures, the catalogue, this profile"
into work: :func:`plan` selects, :func:`execute` runs what a run still lacks on an engine
(this process, a local Dask cluster or an existing one) and writes each result into the run
store as it finishes (:mod:`sgverify._store`), and a :class:`Session` reads the results back
for printing or for the report. The CLI and the pytest plugin only call these.

Long claims are split into tasks: every SNN training run (experiment x profile x mode x
seed, :mod:`sgverify.snn.experiments`) is a task of its own, whose result the claims and the
training figure receive, so a cluster spreads them and a resumed run skips finished seeds.

Examples
--------
>>> import tempfile
>>> from sgverify import session
>>> p = session.plan(["escape.cdf-is-distribution"], "dev")
>>> [t.key for t in session.tasks(p)]
['claim/escape.cdf-is-distribution']
>>> s = session.execute(p, store=tempfile.mkdtemp(), jobs=1, progress="off")
>>> [r.status for r in s.results()], s.computed
(['confirmed'], ['claim/escape.cdf-is-distribution'])
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from . import _tasks
from ._engine import DaskEngine, Task, check_scheduler, choose_engine, scheduler_address
from ._progress import Progress
from ._store import Run, RunStore, code_identity

__all__ = ["CATALOGUE_CLAIM", "Interrupted", "Plan", "Session", "execute", "find_reusable",
           "measured_seconds", "open_run", "plan", "tasks"]

#: the claim whose evidence carries the catalogue (no separate catalogue task when it runs)
CATALOGUE_CLAIM = "audit.catalogue"


class Interrupted(Exception):
    """The run was interrupted (Ctrl-C, SIGTERM); what finished is in ``session.run``."""

    def __init__(self, session: Session) -> None:
        super().__init__(f"interrupted; finished tasks are kept in {session.run.path}")
        self.session = session


@dataclass(frozen=True)
class Plan:
    """What a run computes: claim ids, figure names and whether the catalogue is audited."""

    profile: str
    claims: tuple[str, ...]
    figures: tuple[str, ...] = ()
    catalogue: bool = False
    patterns: tuple[str, ...] = ()

    @property
    def catalogue_task(self) -> bool:
        """Whether the catalogue needs its own task (not when its claim runs anyway)."""
        return self.catalogue and CATALOGUE_CLAIM not in self.claims

    def selection(self) -> dict[str, Any]:
        """JSON form (kept in the run's manifest; :meth:`from_selection` reads it back)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_selection(cls, d: Mapping[str, Any]) -> Plan:
        return cls(d["profile"], tuple(d["claims"]), tuple(d.get("figures", ())),
                   bool(d.get("catalogue", False)), tuple(d.get("patterns", ())))


def plan(patterns: str | Iterable[str] = (), profile: str = "dev", *,
         figures: bool | Iterable[str] = False, catalogue: bool = False) -> Plan:
    """Select claims (ids or globs; none means every claim) and extras; ValueError on bad
    input, naming it."""
    from . import claims
    from . import figures as _figures

    prof = claims.get_profile(profile)
    pats = [patterns] if isinstance(patterns, str) else list(patterns)
    selected = claims.select(pats or ["*"])
    if figures is True:
        names = list(_figures.available())
    elif figures is False or figures is None:
        names = []
    else:
        names = [figures] if isinstance(figures, str) else list(figures)
        unknown = [n for n in names if n not in _figures.available()]
        if unknown:
            raise ValueError(f"figures must be among {', '.join(_figures.available())}; "
                             f"got {', '.join(map(repr, unknown))}")
    return Plan(prof.name, tuple(c.id for c in selected), tuple(names), bool(catalogue),
                tuple(pats))


def tasks(p: Plan, measured: Mapping[str, float] | None = None) -> list[Task]:
    """The plan's tasks in dependency order: training runs, claims, figures, catalogue.

    ``measured`` (key -> seconds, e.g. :func:`measured_seconds`) replaces the declared costs,
    which only order the work: the longest tasks start first.
    """
    from . import claims
    from .snn import experiments

    training: dict[str, experiments.Run] = {}
    out: list[Task] = []
    parts: list[Task] = []
    if p.catalogue or CATALOGUE_CLAIM in p.claims:
        from .claims.audit import CATALOGUE_PARTS

        # the catalogue's entries audited in parts the workers share (the claim and the
        # report's catalogue read them); ~1/6 of ~15 s each under dev
        n = CATALOGUE_PARTS
        parts = [Task(f"{_tasks.CATALOGUE_PART}{k}", _tasks.catalogue_part, (k, n), (), 2.5,
                      f"catalogue part {k + 1} of {n}") for k in range(n)]
    for cid in p.claims:
        needs = experiments.needs(cid, p.profile)
        training.update((r.key, r) for r in needs)
        deps = tuple(r.key for r in needs)
        cost = 1.0 if needs else claims.get(cid).cost  # the training is its own task
        if cid == CATALOGUE_CLAIM:
            deps, cost = tuple(t.key for t in parts), 0.5
        out.append(Task(f"claim/{cid}", _tasks.claim, (cid, p.profile), deps, cost, cid))
    for name in p.figures:
        needs = experiments.needs(experiments.FIGURE if name == "training" else name, p.profile)
        training.update((r.key, r) for r in needs)
        out.append(Task(f"figure/{name}", _tasks.figure, (name, p.profile),
                        tuple(r.key for r in needs), 10.0, f"figure {name}"))
    if p.catalogue_task:
        out.append(Task("catalogue", _tasks.catalogue, (), tuple(t.key for t in parts), 0.5,
                        "surrogate catalogue"))
    runs = [Task(k, _tasks.training, (k,), (), r.cost, k) for k, r in training.items()]
    if measured:
        return [replace(t, cost=float(measured.get(t.key, t.cost))) for t in runs + parts + out]
    return runs + parts + out


def measured_seconds(store: RunStore, profile: str, newest: int = 5) -> dict[str, float]:
    """Seconds each task took in the newest runs of ``profile`` in ``store`` (newest first
    wins; any code version: they only order the work)."""
    out: dict[str, float] = {}
    try:
        runs = [r for r in store.runs() if r.manifest.get("profile") == profile][:newest]
    except OSError:
        return out
    for run in runs:
        for key, info in run.manifest.get("tasks", {}).items():
            if info.get("state") == "done" and key not in out:
                try:
                    out[key] = float(info["seconds"])
                except (KeyError, TypeError, ValueError):
                    continue
    return out


def _kind(key: str) -> str:
    return key.split("/", 1)[0]


@dataclass
class Session:
    """A run and what this process did to it; reads the results back from the store."""

    run: Run
    plan: Plan
    computed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    engine: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def results(self) -> list[Any]:
        """The claims' :class:`~sgverify.claims.Result` objects, in the plan's order."""
        from .claims import Result

        done = set(self.run.finished_keys(include_failed=True))
        return [Result.from_dict(self.run.load_result(f"claim/{c}")) for c in self.plan.claims
                if f"claim/{c}" in done]

    def figure_entries(self) -> list[Any]:
        """One :class:`~sgverify.report.FigureEntry` per planned figure."""
        from .report import FigureEntry

        out = []
        for name in self.plan.figures:
            key = f"figure/{name}"
            try:
                rec = self.run.load_record(key)
            except (OSError, ValueError):
                out.append(FigureEntry(name, False, failed=True,
                                       reason="not computed (the run did not finish it)"))
                continue
            res = rec["result"]
            if rec.get("failed"):
                out.append(FigureEntry(name, False, failed=True,
                                       reason=res.get("error", "failed"),
                                       data={"traceback": res.get("traceback", "")}))
            else:
                out.append(FigureEntry(name, True, title=res["title"], caption=res["caption"],
                                       png_base64=res["png_base64"], data=res["data"],
                                       seconds=float(rec.get("seconds", 0.0))))
        return out

    def audit_section(self) -> Any:
        """The catalogue section (from its task or from the catalogue claim), or None."""
        from .report import AuditSection, collect_audit

        if not self.plan.catalogue:
            return None
        if not self.plan.catalogue_task:
            for r in self.results():
                if r.claim.id == CATALOGUE_CLAIM:
                    info = (r.evidence.outcome("summary") or {}).get("info", {})
                    records = info.get("records")
                    if isinstance(records, list):
                        return collect_audit(lambda records=records: records)
                    why = r.evidence.error or "the claim produced no catalogue records"
                    return AuditSection(False, reason=f"{CATALOGUE_CLAIM}: {why}", failed=True)
            return AuditSection(False, reason=f"{CATALOGUE_CLAIM} did not finish", failed=True)
        try:
            rec = self.run.load_record("catalogue")
        except (OSError, ValueError):
            return AuditSection(False, reason="not computed (the run did not finish it)",
                                failed=True)
        if rec.get("failed"):
            return AuditSection(False, reason=rec["result"].get("error", "failed"), failed=True)
        return collect_audit(lambda: rec["result"]["records"])

    def failed_extras(self) -> list[str]:
        """Figures and the catalogue that failed (their reasons are in the report)."""
        bad = [f"figure {f.name}: {f.reason}" for f in self.figure_entries() if f.failed]
        aud = self.audit_section()
        if aud is not None and aud.failed:
            bad.append(f"surrogate catalogue: {aud.reason}")
        return bad

    def report_data(self) -> Any:
        """The report's data (:class:`~sgverify.report.ReportData`) for this run."""
        from .report import build_report

        m = self.run.manifest
        wall = sum(_span(s) for s in m.get("sessions", []))
        return build_report(self.results(), profile=self.plan.profile, seconds=wall,
                            environment={**m["environment"], "run_id": self.run.run_id},
                            figures=self.figure_entries(), audit=self.audit_section())

    def write_report(self, out_dir: str | os.PathLike[str]) -> dict[str, Path]:
        """Write ``index.html`` and ``report.json`` for this run (nothing is computed)."""
        from .report import write_report

        return write_report(out_dir, self.report_data())


def _span(s: Mapping[str, Any]) -> float:
    import datetime as dt

    try:
        a, b = dt.datetime.fromisoformat(s["started"]), dt.datetime.fromisoformat(s["ended"])
    except (KeyError, TypeError, ValueError):
        return 0.0
    return max(0.0, (b - a).total_seconds())


def _store_form(task: Task, rec: Mapping[str, Any], profile: str) -> Any:
    """What the store keeps for a finished task (a claim's failure becomes an error verdict)."""
    if not rec.get("failed"):
        return rec["value"]
    if task.key.startswith("claim/"):
        from .claims import Evidence, Result, get

        evidence = Evidence(error=rec["error"], traceback=rec.get("traceback", ""))
        return Result(get(task.args[0]), "error", evidence, rec.get("seconds", 0.0),
                      profile).to_dict()
    return {"error": rec["error"], "traceback": rec.get("traceback", "")}


def _outcome(task: Task, value: Any, failed: bool) -> str:
    if task.key.startswith("claim/") and isinstance(value, dict):
        return str(value.get("status"))
    return "failed" if failed else "done"


@contextlib.contextmanager
def _collector_thresholds() -> Iterator[None]:
    """Within: the garbage collector's thresholds of a local worker
    (:data:`sgverify._worker.GC_THRESHOLD`), for tasks run in this process."""
    import gc

    from ._worker import GC_THRESHOLD

    saved = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Within: Ctrl-C and SIGTERM stop the run (KeyboardInterrupt), and also set
    :data:`sgverify._engine.STOP`, which the engines check, in case Python swallows the
    KeyboardInterrupt (it does inside a garbage-collector callback or a ``__del__``)."""
    from . import _engine

    def stop(signum: int, frame: Any) -> None:
        _engine.STOP.set()
        raise KeyboardInterrupt

    _engine.STOP.clear()
    saved = _install_handlers(stop)
    try:
        yield
    finally:
        _restore_handlers(saved)
        _engine.STOP.clear()


def _second_interrupt_exits() -> dict[int, Any]:
    """While the first Ctrl-C is handled, a second ends the process whatever it waits on.

    Returns the handlers it replaced (for :func:`_restore_handlers`).
    """

    def now(signum: int, frame: Any) -> None:
        os._exit(130)

    return _install_handlers(now)


def _install_handlers(handler: Callable[[int, Any], None]) -> dict[int, Any]:
    """``handler`` for SIGINT and SIGTERM; returns the handlers it replaced (for
    :func:`_restore_handlers`), none outside the main thread (the caller's stay)."""
    saved: dict[int, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            saved[sig] = signal.signal(sig, handler)
        except ValueError:  # not the main thread
            pass
    return saved


def _restore_handlers(saved: Mapping[int, Any]) -> None:
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def execute(p: Plan, *, store: RunStore | str | os.PathLike[str] | None = None,
            run: Run | None = None, jobs: int | None = None, scheduler: str | None = None,
            progress: str = "auto", stream: TextIO | None = None,
            precomputed: Mapping[str, Any] | None = None) -> Session:
    """Compute what ``run`` (default: a new run in ``store``) lacks of plan ``p``.

    Tasks finished in the run are not recomputed; ``precomputed`` (key -> result, e.g. claim
    results a test session already made) is stored as finished. Each result is written to
    the store as it finishes, and reported on ``stream`` (default stderr; ``progress`` is
    ``"auto"``, ``"rich"``, ``"lines"`` or ``"off"``). ``jobs`` is the number of local
    workers (default one per CPU; 1 runs everything in this process); ``scheduler`` (or
    ``SGVERIFY_SCHEDULER``) names an existing Dask cluster. Raises :class:`Interrupted` on
    Ctrl-C or SIGTERM.
    """
    start = time.perf_counter()
    address = scheduler_address(scheduler)
    if address:  # a wrong address is an error before a run is made
        check_scheduler(address)
    st = store if isinstance(store, RunStore) else RunStore(store)
    all_tasks = tasks(p, measured_seconds(st, p.profile))
    info = {t.key: {"kind": _kind(t.key), "label": t.label, "deps": list(t.deps)}
            for t in all_tasks}
    if run is None:
        run = st.create(profile=p.profile, selection=p.selection(), tasks=info, engine={})
    else:
        if run.profile != p.profile:
            raise ValueError(f"run {run.run_id} is of profile {run.profile}, not {p.profile}")
        run.clean_partial_files()
        run.add_tasks(info)
        old = Plan.from_selection(run.manifest["selection"])
        merged = Plan(p.profile, tuple(dict.fromkeys(old.claims + p.claims)),
                      tuple(dict.fromkeys(old.figures + p.figures)),
                      old.catalogue or p.catalogue, old.patterns or p.patterns)
        run.manifest["selection"] = merged.selection()
    have = set(run.finished_keys())
    for key, value in (precomputed or {}).items():
        if key in info and key not in have:
            run.save_result(key, value, worker="precomputed")
    finished = set(run.finished_keys()) & set(info)
    todo = [t for t in all_tasks if t.key not in finished]
    # catalogue parts only feed other tasks: none when those are finished (e.g. precomputed)
    wanted = {d for t in todo for d in t.deps}
    todo = [t for t in todo if not t.key.startswith(_tasks.CATALOGUE_PART) or t.key in wanted]
    sess = Session(run, p, reused=[t.key for t in all_tasks if t.key in finished])
    known = {k: {"value": run.load_result(k)} for t in todo for k in t.deps if k in finished}
    labels = {t.key: (t.label if t.key.startswith(("claim/", "figure/", "catalogue"))
                      else t.key) for t in all_tasks}
    with _stop_on_signals(), _collector_thresholds(), Progress(
            len(all_tasks), mode=progress, stream=stream, done=len(finished)) as prog:
        engine: Any = None
        try:
            if todo:
                engine = choose_engine(todo, jobs, scheduler, prog.note)
                sess.engine = dict(engine.description)
                prog.note(f"run {run.run_id}: {len(todo)} of {len(all_tasks)} tasks to "
                          f"compute ({_describe(sess.engine)})")
            run.begin(sess.engine or {"kind": "none"})
            if todo:

                def on_start(task: Task) -> None:
                    prog.started(labels[task.key])

                def on_done(task: Task, rec: dict[str, Any], attempts: int) -> None:
                    value = _store_form(task, rec, p.profile)
                    run.save_result(task.key, value, seconds=rec.get("seconds", 0.0),
                                    attempts=attempts, worker=rec.get("worker"),
                                    failed=bool(rec.get("failed")))
                    _note_seed(run, task, value)
                    sess.computed.append(task.key)
                    prog.finished(labels[task.key], _outcome(task, value, rec.get("failed")),
                                  rec.get("seconds", 0.0))

                engine.run(todo, known, on_start, on_done)
        except KeyboardInterrupt:
            saved = _second_interrupt_exits()
            try:
                if engine is not None:
                    engine.close(fast=True) if isinstance(engine, DaskEngine) else engine.close()
                run.end("interrupted")
            finally:
                _restore_handlers(saved)
            sess.seconds = time.perf_counter() - start
            raise Interrupted(sess) from None
        except BaseException:
            if engine is not None:
                engine.close(fast=True) if isinstance(engine, DaskEngine) else engine.close()
            run.end("failed")
            raise
    if engine is not None:
        # every result is in the store: local workers are stopped at once (their graceful
        # shutdown took ~1 s at the end of every run and keeps nothing)
        engine.close(fast=True) if isinstance(engine, DaskEngine) else engine.close()
    run.end("complete")
    sess.seconds = time.perf_counter() - start
    return sess


def _note_seed(run: Run, task: Task, value: Any) -> None:
    seed = None
    if task.key.startswith("claim/") and isinstance(value, dict):
        seed = value.get("evidence", {}).get("seed")
    elif task.key.startswith("train/"):
        seed = int(task.key.rsplit("/", 1)[1])
    if seed is not None:
        run.manifest.setdefault("seeds", {})[task.key] = seed


def _describe(engine: Mapping[str, Any]) -> str:
    kind = engine.get("kind")
    if kind == "in-process":
        return "in this process"
    if kind == "local":
        return f"local Dask cluster, {engine.get('workers')} workers"
    return f"Dask scheduler {engine.get('address')}, {engine.get('workers')} workers"


def find_reusable(p: Plan, store: RunStore | str | os.PathLike[str] | None = None) -> Run | None:
    """The newest run of this code and profile that finished every claim of ``p``."""
    st = store if isinstance(store, RunStore) else RunStore(store)
    return st.latest(p.profile, [f"claim/{c}" for c in p.claims])


def open_run(ref: str, store: RunStore | str | os.PathLike[str] | None = None) -> Run:
    """A run by id or path, checked to be resumable by this code (ValueError otherwise)."""
    st = store if isinstance(store, RunStore) else RunStore(store)
    run = st.find(ref)
    theirs = run.manifest.get("code", {}).get("source_hash")
    if theirs != code_identity()["source_hash"]:
        raise ValueError(f"run {run.run_id} was computed by other sgverify code "
                         f"(version {run.manifest.get('code', {}).get('version')}); "
                         "resuming it would mix results")
    return run
