"""The ``sgverify`` command: list | check | report | reproduce | audit.

The CLI only parses arguments and prints; :mod:`sgverify.session` does the work and keeps
every result in the run store (``reports/runs/`` by default).

Exit codes: 0 when every selected claim has its expected verdict (or the command succeeded),
1 when some claim does not, 2 on bad usage (with a one-line message, before any work),
3 when the report is incomplete (a figure or the catalogue failed; the report says why),
130 when interrupted (Ctrl-C; finished results are kept, ``sgverify check --resume RUN``
finishes the run).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any, NoReturn

from ._display import plural

__all__ = ["console", "main"]

_STYLE = {"confirmed": "green", "refuted": "red", "inconclusive": "yellow", "error": "magenta"}
#: exit code when a figure or the catalogue failed (exit 1 stays "a claim lacks its verdict")
EXIT_INCOMPLETE = 3
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """Bad usage: reported in one line, exit code 2."""


class _Stopped(Exception):
    """Interrupted: the message says what was kept; exit code 130."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if args is not None and self.prog.split()[-1:] == ["audit"]:
            args = _audit_formula_first(list(args), self)
        return super().parse_known_args(args, namespace)


def _audit_formula_first(args: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """A formula that starts with '-' ("-v*exp(-v**2)") is a formula, not an unknown option:
    pass it as --formula=... (argparse would otherwise refuse it)."""
    options = set(parser._option_string_actions)
    out = []
    for i, tok in enumerate(args):
        if tok == "--":
            return out + args[i:]
        takes_value = out and out[-1] in options and parser._option_string_actions[
            out[-1]].nargs != 0
        if (tok.startswith("-") and not tok.startswith("--") and len(tok) > 1
                and tok not in options and not takes_value):
            tok = f"--formula={tok}"
        out.append(tok)
    return out


def _run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("patterns", nargs="*", metavar="ID-or-glob", help="default: every claim")
    p.add_argument("--profile", default="dev", help="dev (default) | ci | thorough")
    p.add_argument("--jobs", type=int, default=None, metavar="N",
                   help="local worker processes (default: one per CPU; 1 runs in this process)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                   help="run the tasks on this Dask cluster (default: $SGVERIFY_SCHEDULER, "
                        "else local)")
    p.add_argument("--runs", metavar="DIR", default=None,
                   help="run store (default: $SGVERIFY_RUNS, else reports/runs)")
    p.add_argument("--no-figures", action="store_true", help="report without the figures")
    p.add_argument("--no-audit", action="store_true", help="report without the catalogue")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="sgverify", description="Verify the theory of surrogate-gradient learning.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    ls = sub.add_parser("list", help="every claim id, kind and statement")
    ls.add_argument("patterns", nargs="*", metavar="ID-or-glob")
    ls.add_argument("--json", metavar="FILE", help="also write the list as JSON (- for stdout)")

    ck = sub.add_parser("check", help="run claims, keep the results, print their verdicts")
    _run_options(ck)
    ck.add_argument("--json", metavar="FILE",
                    help="write verdicts and evidence as JSON (- for stdout)")
    ck.add_argument("--report", metavar="DIR", default=None,
                    help="also reproduce the figures, audit the catalogue and write the report "
                         "(index.html, report.json) to DIR")
    ck.add_argument("--resume", metavar="RUN", default=None,
                    help="finish an interrupted run (id or folder); nothing finished is redone")

    rp = sub.add_parser("report", help="write the HTML report from the latest matching run")
    _run_options(rp)
    rp.add_argument("--out", default="reports", metavar="DIR",
                    help="output folder (default reports/)")
    rp.add_argument("--rerun", action="store_true",
                    help="compute everything again instead of reusing a finished run")
    rp.add_argument("--run", metavar="RUN", default=None, help="report this run (id or folder)")

    rr = sub.add_parser("reproduce", help="reproduce a paper figure with its numbers")
    rr.add_argument("figure", metavar="FIGURE", help="fig4b | fig4c | fig5 | training")
    rr.add_argument("--json", metavar="FILE", help="write the numbers as JSON (- for stdout)")
    rr.add_argument("--plot", metavar="FILE", help="write the figure (.png or .svg)")
    rr.add_argument("--profile", default="dev", help="dev (default) | ci | thorough")

    au = sub.add_parser(
        "audit", help="audit a surrogate derivative for the escape noise it implies",
        description="Audit a surrogate derivative: a FORMULA in v (parsed by a whitelist, never "
                    "executed), a Python callable (--callable), or the library catalogue.",
        epilog="--callable imports MODULE, which runs its code: that is your own (or trusted) "
               "code, named explicitly here. Formulas never run anything.")
    au.add_argument("formula", nargs="?", help='e.g. "1/(beta*abs(v)+1)**2"; one that starts '
                    'with - works as is (or put it after --)')
    au.add_argument("--formula", dest="formula_opt", help=argparse.SUPPRESS)
    au.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="a parameter value, each name once (repeatable)")
    au.add_argument("--callable", dest="callable_spec", metavar="MODULE:ATTR",
                    help="audit a Python callable of v, a factory called with the --param "
                         "values, or a torch/JAX spike function (e.g. snntorch.surrogate:atan); "
                         "IMPORTING MODULE RUNS ITS CODE (searched in the current folder first)")
    fw = au.add_mutually_exclusive_group()
    fw.add_argument("--torch", action="store_const", const="torch", dest="framework",
                    help="run the callable's PyTorch backward pass (autograd) on a float64 grid")
    fw.add_argument("--jax", action="store_const", const="jax", dest="framework",
                    help="run the callable's JAX backward pass (vjp) on a float64 grid")
    au.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                    help="wall-time budget of the callable's own code (default 60)")
    au.add_argument("--catalogue", action="store_true", help="audit the library catalogue")
    au.add_argument("--json", metavar="FILE", help="write the audit as JSON (- for stdout)")
    au.add_argument("--plot", metavar="FILE", help="also draw the surrogate, its matched "
                    "density and the implied CDF (.png or .svg; the catalogue: one panel each)")
    return p


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    # rich falls back to 80 columns when piped, which folds claim ids; logs read better wider
    width = None if stream.isatty() else 140
    return Console(stderr=stderr, highlight=False, width=width)


def _write_json(target: str, obj: Any) -> None:
    if target == "-":
        sys.stdout.write(json.dumps(obj, indent=2) + "\n")
        return
    from ._io import atomic_write_json

    atomic_write_json(target, obj)


def _usage(func: Any, *args: Any, **kw: Any) -> Any:
    """Call ``func``; its ValueError is bad usage."""
    try:
        return func(*args, **kw)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _known_patterns(patterns: Sequence[str]) -> None:
    """Refuse a pattern no claim id matches, from the ids in the source (no heavy imports)."""
    import fnmatch

    from ._claim_ids import static_ids

    ids = static_ids()
    if ids is None:  # the source is not plain enough to read: the registry will judge
        return
    for pat in patterns:
        if not any(fnmatch.fnmatchcase(cid, pat) for cid in ids):
            from ._suggest import did_you_mean

            raise UsageError(f"no claim matches {pat!r}{did_you_mean(pat, ids)}; "
                             "`sgverify list` shows every id")


def _cmd_list(args: argparse.Namespace) -> int:
    _known_patterns(args.patterns)
    _usage(_check_file, "--json", args.json)
    from rich.table import Table

    from . import claims

    selected = _usage(claims.select, args.patterns or ["*"])
    table = Table(title=f"{plural(len(selected), 'claim')}", show_lines=False)
    table.add_column("id", no_wrap=True)
    for col in ("kind", "source", "statement"):
        table.add_column(col, overflow="fold")
    for c in selected:
        table.add_row(c.id, c.kind, c.source, c.statement)
    _console().print(table)
    if args.json:
        _write_json(args.json, [{"id": c.id, "kind": c.kind, "source": c.source,
                                 "statement": c.statement, "uses": list(c.uses)} for c in selected])
    return 0


def _check_file(opt: str, value: str | None, **kw: Any) -> None:
    from ._outputs import check_file

    check_file(opt, value, **kw)


def _check_run_args(args: argparse.Namespace, out_dirs: dict[str, str | None]) -> None:
    """Everything a run's arguments can get wrong, before any work."""
    from ._outputs import check_dir

    _known_patterns(args.patterns)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be >= 1, got {args.jobs}")
    if args.scheduler is not None and not args.scheduler.strip():
        raise UsageError("--scheduler: empty address")
    for opt, value in out_dirs.items():
        files = ("index.html", "report.json") if opt in ("--out", "--report") else ()
        _usage(check_dir, opt, value, files=files)
    _usage(check_dir, "--runs", args.runs)


def _table(results: Sequence[Any], title: str) -> Any:
    from rich.table import Table

    table = Table(title=title)
    table.add_column("claim", no_wrap=True)
    for col in ("kind", "verdict", "worst ratio", "seconds"):
        table.add_column(col, overflow="fold")
    for r in results:
        worst = r.evidence.worst_ratio
        worst_s = f"{worst:.3g}" if isinstance(worst, float) else str(worst)
        verdict = f"[{_STYLE.get(r.status, 'white')}]{r.status}[/]"
        if not r.ok:
            verdict += f" (expected {r.claim.expected})"
        table.add_row(r.claim.id, r.claim.kind, verdict, worst_s, f"{r.seconds:.2f}")
    return table


def _execute(args: argparse.Namespace, p: Any, run: Any) -> Any:
    from . import session
    from ._engine import EngineError

    try:
        return session.execute(p, store=args.runs, run=run, jobs=args.jobs,
                               scheduler=args.scheduler)
    except session.Interrupted as exc:
        run = exc.session.run
        kept = len(run.finished_keys())
        raise _Stopped(f"interrupted; {kept} finished tasks kept in {run.path} (finish with "
                       f"`sgverify check --resume {run.run_id}"
                       + (f" --runs {args.runs}" if args.runs else "") + "`)") from None
    except (ConnectionError, EngineError) as exc:  # the cluster named cannot serve
        raise UsageError(str(exc).splitlines()[0]) from None


def _cmd_check(args: argparse.Namespace) -> int:
    from ._engine import prepare_local_workers

    # first, while the run is planned: the fork server's imports are the start's critical
    # path (the checks below read every claim module's source, ~0.1 s); on a usage error
    # main() stops it again at once
    prepare_local_workers(args.jobs, args.scheduler)
    _check_run_args(args, {"--report": args.report})
    _usage(_check_file, "--json", args.json)
    from . import session

    want_figures = bool(args.report) and not args.no_figures
    want_catalogue = bool(args.report) and not args.no_audit
    if args.resume:
        if args.patterns:
            raise UsageError("--resume finishes a run with its own selection; give no claim ids")
        run = _usage(session.open_run, args.resume, args.runs)
        old = session.Plan.from_selection(run.manifest["selection"])
        if args.profile not in ("dev", old.profile):
            raise UsageError(f"--resume: run {run.run_id} is of profile {old.profile}")
        if want_figures:
            from . import figures

            names = tuple(dict.fromkeys(old.figures + tuple(figures.available())))
        else:
            names = old.figures
        p = session.Plan(old.profile, old.claims, names, old.catalogue or want_catalogue,
                         old.patterns)
    else:
        run = None
        p = _usage(session.plan, args.patterns, args.profile, figures=want_figures,
                   catalogue=want_catalogue)
    sess = _execute(args, p, run)
    results = sess.results()
    console = _console()
    console.print(_table(results, f"sgverify check ({p.profile} profile)"))
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    bad = [r for r in results if not r.ok]
    summary = ", ".join(f"{n} {s}" for s, n in counts.items())
    reused = sum(k.startswith("claim/") for k in sess.reused)
    console.print(f"{plural(len(results), 'claim')}: {summary} in {sess.seconds:.1f} s"
                  + (f" ({reused} kept from before)" if reused else "")
                  + f"; run {sess.run.run_id}")
    for r in bad:
        if r.evidence.error is not None:
            console.print(f"[magenta]{r.claim.id}: {r.evidence.error}[/]", markup=True)
    if args.json:
        env = sess.run.manifest["environment"]
        _write_json(args.json, {
            "claims": [r.to_dict() for r in results],
            "environment": {**env, "profile": p.profile, "seconds": round(sess.seconds, 3)},
            "run": {"id": sess.run.run_id, "path": str(sess.run.path),
                    "computed": len(sess.computed), "reused": len(sess.reused)},
        })
    incomplete = []
    if args.report:
        paths = sess.write_report(args.report)
        incomplete = sess.failed_extras()
        console.print(f"wrote {paths['html']} and {paths['json']}")
    return _exit(bad, incomplete)


def _exit(bad: Sequence[Any], incomplete: Sequence[str]) -> int:
    for line in incomplete:
        print(f"sgverify: report incomplete: {line}", file=sys.stderr)
    if bad:
        return 1
    return EXIT_INCOMPLETE if incomplete else 0


def _cmd_report(args: argparse.Namespace) -> int:
    _check_run_args(args, {"--out": args.out})
    from . import session

    p = _usage(session.plan, args.patterns, args.profile, figures=not args.no_figures,
               catalogue=not args.no_audit)
    if args.run:
        run = _usage(session.open_run, args.run, args.runs)
    else:
        run = None if args.rerun else session.find_reusable(p, args.runs)
    if run is not None:
        print(f"sgverify: reusing run {run.run_id} ({plural(len(p.claims), 'claim')} "
              f"finished "
              f"{run.manifest.get('ended') or run.manifest.get('created')}); no claim is "
              "recomputed", file=sys.stderr)
    elif not args.rerun:
        print("sgverify: no finished run of this code and profile has these claims; "
              "computing them", file=sys.stderr)
    sess = _execute(args, p, run)
    paths = sess.write_report(args.out)
    results = sess.results()
    bad = [r for r in results if not r.ok]
    _console().print(f"wrote {paths['html']} and {paths['json']} "
                     f"({plural(len(results), 'claim')}, "
                     f"{len(bad)} without their expected verdict; run {sess.run.run_id})")
    return _exit(bad, sess.failed_extras())


def _cmd_reproduce(args: argparse.Namespace) -> int:
    _usage(_check_file, "--json", args.json)
    _usage(_check_file, "--plot", args.plot, suffixes=(".png", ".svg"))
    from . import claims, figures

    if args.figure not in figures.available():
        names = ", ".join(figures.available())
        raise UsageError(f"figure must be one of {names}; got {args.figure!r}")
    _usage(claims.get_profile, args.profile)
    with _console(stderr=True).status(f"reproducing {args.figure}"):
        rep = figures.reproduce(args.figure, profile=args.profile)
    if args.json:
        _write_json(args.json, rep.data)
    if args.plot:
        figures.save_plot(rep, args.plot)
    if not args.json:
        _console().print_json(json.dumps(rep.data))
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from .audit import _cli

    if args.formula and args.formula_opt:
        raise UsageError(f"give one FORMULA, got {args.formula_opt!r} and {args.formula!r}")
    formula = args.formula or args.formula_opt
    try:
        params = _cli.parse_params(args.param)
        return _cli.cli_audit(formula, params, catalogue=args.catalogue, json_path=args.json,
                              callable_spec=args.callable_spec, framework=args.framework,
                              timeout=args.timeout, plot_path=args.plot)
    except (ValueError, TypeError) as exc:
        raise UsageError(str(exc)) from None



_COMMANDS = {"list": _cmd_list, "check": _cmd_check, "report": _cmd_report,
             "reproduce": _cmd_reproduce, "audit": _cmd_audit}


def _terminate(signum: int, frame: Any) -> None:
    # SIGTERM stops a run as Ctrl-C does: queued work cancelled, finished results kept
    raise KeyboardInterrupt


def _exit_now(signum: int, frame: Any) -> None:
    os._exit(EXIT_INTERRUPTED)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sgverify`` console script; returns the exit code."""
    try:
        old = signal.signal(signal.SIGTERM, _terminate)
        old_int = signal.getsignal(signal.SIGINT)
    except ValueError:  # not the main thread (e.g. called from a test runner's thread)
        old = old_int = None
    try:
        # nested, so that a Ctrl-C arriving while an error or a stop is reported is still
        # an interrupt (exit 130), never a traceback
        try:
            args = _parser().parse_args(argv)
            return _COMMANDS[args.command](args)
        except UsageError as exc:
            print(f"sgverify: error: {exc}", file=sys.stderr)
            return 2
        except _Stopped as exc:
            if old is not None:  # another Ctrl-C while this is printed ends the process
                signal.signal(signal.SIGINT, _exit_now)
            print(f"sgverify: {exc}", file=sys.stderr)
            return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print("sgverify: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if "sgverify._engine" in sys.modules:  # a fork server started in vain goes now
            sys.modules["sgverify._engine"].stop_worker_server()
        if old is not None:
            signal.signal(signal.SIGTERM, old)
            signal.signal(signal.SIGINT, old_int)


def console() -> NoReturn:
    """The ``sgverify`` command and ``python -m sgverify``: :func:`main`, then the end of the
    process without the interpreter's teardown.

    Python frees every object at exit; after a check, the command's heap (SymPy's caches,
    the plan, Dask's state) took ~0.45 s of the command's ~20 s to free, for nothing. As
    at a normal exit, the exit handlers run first (logging, multiprocessing, Dask, weakref
    finalizers), and a thread that is not a daemon is waited for: with one still running,
    the exit is the normal one.
    """
    code = main()
    run_handlers = getattr(atexit, "_run_exitfuncs", None)
    others = [t for t in threading.enumerate()
              if t is not threading.main_thread() and not t.daemon and t.is_alive()]
    if run_handlers is None or others:
        sys.exit(code)
    run_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, a closed stream
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    console()
