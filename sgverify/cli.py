"""The ``sgverify`` command: list | check | report | reproduce | audit.

Exit codes: 0 when every selected claim has its expected verdict (or the command succeeded),
1 when some claim does not, 2 on bad usage, with a one-line message.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any, NoReturn

__all__ = ["main"]

_STYLE = {"confirmed": "green", "refuted": "red", "inconclusive": "yellow", "error": "magenta"}


class UsageError(Exception):
    """Bad usage: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="sgverify", description="Verify the theory of surrogate-gradient learning.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    ls = sub.add_parser("list", help="every claim id, kind and statement")
    ls.add_argument("patterns", nargs="*", metavar="ID-or-glob")
    ls.add_argument("--json", metavar="FILE", help="also write the list as JSON (- for stdout)")

    ck = sub.add_parser("check", help="run claims and print their verdicts")
    ck.add_argument("patterns", nargs="*", metavar="ID-or-glob", help="default: every claim")
    ck.add_argument("--profile", default="dev", help="dev (default) | ci | thorough")
    ck.add_argument("--jobs", type=int, default=None, metavar="N",
                    help="worker processes (default: one per CPU; 1 runs in this process)")
    ck.add_argument("--json", metavar="FILE",
                    help="write verdicts and evidence as JSON (- for stdout)")

    rp = sub.add_parser("report", help="write the self-contained HTML verification report")
    rp.add_argument("--out", default="reports", metavar="DIR",
                    help="output folder (default reports/)")
    rp.add_argument("--profile", default="dev", help="dev (default) | ci | thorough")
    rp.add_argument("--jobs", type=int, default=None, metavar="N",
                    help="worker processes (default: one per CPU; 1 runs in this process)")
    rp.add_argument("patterns", nargs="*", metavar="ID-or-glob", help="default: every claim")
    rp.add_argument("--no-figures", action="store_true", help="skip reproducing the figures")
    rp.add_argument("--no-audit", action="store_true", help="skip the surrogate catalogue")

    rr = sub.add_parser("reproduce", help="reproduce a paper figure with its numbers")
    rr.add_argument("figure", metavar="FIGURE", help="fig4b | fig4c | fig5 | training")
    rr.add_argument("--json", metavar="FILE", help="write the numbers as JSON (- for stdout)")
    rr.add_argument("--plot", metavar="FILE", help="write the figure (.png or .svg)")
    rr.add_argument("--profile", default="dev", help="dev (default) | ci | thorough")

    au = sub.add_parser("audit",
                        help="audit a surrogate derivative for the escape noise it implies")
    au.add_argument("formula", nargs="?", help='e.g. "1/(beta*abs(v)+1)**2"')
    au.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                    help="a parameter value (repeatable)")
    au.add_argument("--catalogue", action="store_true", help="audit the library catalogue")
    au.add_argument("--json", metavar="FILE", help="write the audit as JSON (- for stdout)")
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


def run_claims(
    patterns: Sequence[str],
    profile: str,
    *,
    quiet: bool = False,
    jobs: int | None = None,
    extra: Sequence[Any] = (),
) -> Any:
    """Select and verify claims with a progress display on stderr.

    Claims (and any ``extra`` :class:`sgverify._parallel.Task`, e.g. figures) run in
    ``jobs`` worker processes (default: one per CPU). Returns the list of Results, or
    ``(results, extra_results)`` when ``extra`` is given.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from . import claims
    from ._parallel import Task, default_jobs, run_tasks
    from .claims import Result, run_claim_by_id

    try:
        prof = claims.get_profile(profile)
        selected = claims.select(patterns or ["*"])
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    jobs = default_jobs() if jobs is None else jobs
    tasks = [Task(c.id, run_claim_by_id, (c.id, prof.name), cost=c.cost, group=c.group)
             for c in selected]
    tasks += list(extra)
    running: list[str] = []
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=_console(stderr=True), transient=True, disable=quiet,
    ) as progress:
        bar = progress.add_task("checking", total=len(tasks))

        def show() -> None:
            progress.update(bar, description="[bold]" + ", ".join(running[:2])
                            + (f" (+{len(running) - 2})" if len(running) > 2 else ""))

        def started(task: Task) -> None:
            running.append(task.label)
            if len(running) <= max(jobs, 1):
                show()

        def done(task: Task) -> None:
            running.remove(task.label)
            progress.advance(bar)
            show()

        outputs = run_tasks(tasks, jobs, on_start=started, on_done=done)
    by_id = {c.id: c for c in selected}
    results = [Result.from_dict(d, by_id[d["id"]]) for d in outputs[: len(selected)]]
    return (results, outputs[len(selected):]) if extra else results


def _cmd_list(args: argparse.Namespace) -> int:
    from rich.table import Table

    from . import claims

    try:
        selected = claims.select(args.patterns or ["*"])
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    table = Table(title=f"{len(selected)} claims", show_lines=False)
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


def _check_jobs(jobs: int | None) -> None:
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs must be >= 1, got {jobs}")


def _cmd_check(args: argparse.Namespace) -> int:
    from rich.table import Table

    from ._environment import environment

    start = time.perf_counter()
    _check_jobs(args.jobs)
    results = run_claims(args.patterns, args.profile, jobs=args.jobs)
    table = Table(title=f"sgverify check ({args.profile} profile)")
    table.add_column("claim", no_wrap=True)
    for col in ("kind", "verdict", "worst ratio", "seconds"):
        table.add_column(col, overflow="fold")
    for r in results:
        worst = r.evidence.worst_ratio
        worst_s = f"{worst:.3g}" if isinstance(worst, float) else str(worst)
        verdict = f"[{_STYLE[r.status]}]{r.status}[/]"
        if not r.ok:
            verdict += f" (expected {r.claim.expected})"
        table.add_row(r.claim.id, r.claim.kind, verdict, worst_s, f"{r.seconds:.2f}")
    console = _console()
    console.print(table)
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    bad = [r for r in results if not r.ok]
    total = time.perf_counter() - start
    summary = ", ".join(f"{n} {s}" for s, n in counts.items())
    console.print(f"{len(results)} claims: {summary} in {total:.1f} s")
    for r in bad:
        if r.evidence.error is not None:
            console.print(f"[magenta]{r.claim.id}: {r.evidence.error}[/]")
    if args.json:
        _write_json(args.json, {
            "claims": [r.to_dict() for r in results],
            "environment": {**environment(), "profile": args.profile, "seconds": round(total, 3)},
        })
    return 0 if not bad else 1


def _cmd_report(args: argparse.Namespace) -> int:
    from . import claims
    from .report import write_report

    try:
        claims.get_profile(args.profile)
        claims.select(args.patterns or ["*"])
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    _check_jobs(args.jobs)
    paths, results = write_report(args.out, profile=args.profile, patterns=args.patterns or None,
                                  figures=not args.no_figures, audit=not args.no_audit,
                                  jobs=args.jobs)
    bad = [r for r in results if not r.ok]
    _console().print(f"wrote {paths['html']} and {paths['json']} "
                     f"({len(results)} claims, {len(bad)} without their expected verdict)")
    return 0 if not bad else 1


def _cmd_reproduce(args: argparse.Namespace) -> int:
    from . import claims, figures

    if args.figure not in figures.available():
        names = ", ".join(figures.available())
        raise UsageError(f"figure must be one of {names}; got {args.figure!r}")
    try:
        claims.get_profile(args.profile)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.plot and not args.plot.lower().endswith((".png", ".svg")):
        raise UsageError(f"--plot must end in .png or .svg, got {args.plot!r}")
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
    params: dict[str, float] = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        try:
            if not sep:
                raise ValueError
            params[name.strip()] = float(value)
        except ValueError:
            raise UsageError(f"--param must look like NAME=NUMBER, got {item!r}") from None
    if not args.catalogue and not args.formula:
        raise UsageError("give a FORMULA or --catalogue")
    from . import audit

    try:
        return audit.cli_audit(args.formula, params, catalogue=args.catalogue, json_path=args.json)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


_COMMANDS = {"list": _cmd_list, "check": _cmd_check, "report": _cmd_report,
             "reproduce": _cmd_reproduce, "audit": _cmd_audit}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sgverify`` console script; returns the exit code."""
    try:
        args = _parser().parse_args(argv)
        return _COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"sgverify: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sgverify: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
