"""Back end of ``sgverify audit``: a formula, a Python callable (``MODULE:ATTR``) or the
catalogue, printed as a table or written as JSON.

``--callable`` imports the user's module, which runs its code: that is the user's own code,
named explicitly on the command line. Formulas never run anything (:mod:`._parse`).
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys
from collections.abc import Mapping
from typing import Any

from ._text import non_ascii

__all__ = ["cli_audit", "load_callable", "parse_params"]


def parse_params(items: list[str]) -> dict[str, float]:
    """``NAME=VALUE`` strings to a dict: each name once, in ASCII, each value a number.

    Examples
    --------
    >>> parse_params(["beta=10", "alpha = 2"])
    {'beta': 10.0, 'alpha': 2.0}
    >>> parse_params(["beta=1", "beta=2"])
    Traceback (most recent call last):
    ...
    ValueError: --param beta is given twice (1 and 2): give each parameter once
    """
    params: dict[str, float] = {}
    raw: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise ValueError(f"--param must look like NAME=NUMBER, got {item!r}")
        bad = non_ascii(name, f"--param name {name!r}")
        if bad:
            raise ValueError(bad)
        if name in params:
            raise ValueError(f"--param {name} is given twice ({raw[name]} and {value}): give "
                             "each parameter once")
        try:
            params[name] = float(value)
        except ValueError:
            raise ValueError(f"--param {name}: {value!r} is not a number") from None
        raw[name] = value
    return params


def load_callable(spec: str) -> Any:
    """Import ``MODULE:ATTR`` (``ATTR`` may be dotted). The current directory is searched
    first, as ``python -m`` would. Importing runs the module's code."""
    module, sep, attr = spec.partition(":")
    if not sep or not module.strip() or not attr.strip():
        raise ValueError(f"--callable must look like MODULE:ATTR (e.g. mysurrogates:superspike "
                         f"or snntorch.surrogate:atan), got {spec!r}")
    bad = non_ascii(spec, f"--callable {spec!r}")
    if bad:
        raise ValueError(bad)
    module, attr = module.strip(), attr.strip()
    cwd = os.getcwd()
    added = cwd not in sys.path
    if added:
        sys.path.insert(0, cwd)
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise ValueError(f"--callable: no module named {exc.name!r} (not installed, and "
                             f"not a file in {cwd})") from None
        raise ValueError(f"--callable: importing {module} failed: {_line(exc)}") from None
    except Exception as exc:  # the user's module: whatever its import raises, in one line
        raise ValueError(f"--callable: importing {module} raised {_line(exc)}") from None
    finally:
        if added and sys.path and sys.path[0] == cwd:
            sys.path.pop(0)
    obj: Any = mod
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"--callable: {module} has no attribute {attr!r}") from None
    if not callable(obj):
        raise ValueError(f"--callable: {spec} is a {type(obj).__name__}, not a callable")
    return obj


def _line(exc: BaseException) -> str:
    msg = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {msg[:200]}" if msg else type(exc).__name__


def _resolve(obj: Any, params: Mapping[str, float]) -> tuple[Any, dict[str, float]]:
    """A plain NumPy callable of v: a function ``f(v, **params)``, or a factory (or class)
    that ``params`` turn into one."""
    if inspect.isclass(obj):
        return obj(**params), {}
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return obj, dict(params)
    positional = [p for p in sig.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                  and p.name not in params]
    if positional and positional[0].default is inspect.Parameter.empty:
        return obj, dict(params)  # its first free parameter is v
    made = obj(**params)
    if not callable(made):
        raise ValueError(f"--callable: calling it with {dict(params) or 'no parameters'} "
                         f"returned {type(made).__name__}, not a function of v")
    return made, {}


def cli_audit(
    formula: str | None,
    params: Mapping[str, float],
    *,
    catalogue: bool,
    json_path: str | None,
    callable_spec: str | None = None,
    framework: str | None = None,
    timeout: float | None = None,
    plot_path: str | None = None,
) -> int:
    """Run ``sgverify audit``: print a table, or write JSON (``'-'`` = stdout); ``plot_path``
    also writes a figure (.png or .svg).

    Bad input raises ValueError with a one-line message (the CLI turns it into exit 2);
    output paths are checked before any work.
    """
    from .._outputs import check_file
    from ._plot import PLOT_SUFFIXES
    from ._subject import CALLABLE_SECONDS

    check_file("--json", json_path)
    if plot_path == "-":
        raise ValueError("--plot needs a file name (.png or .svg), not -")
    check_file("--plot", plot_path, suffixes=PLOT_SUFFIXES)

    given = [x for x, on in (("a FORMULA", formula), ("--callable", callable_spec),
                             ("--catalogue", catalogue)) if on]
    if len(given) != 1:
        raise ValueError("give exactly one of FORMULA, --callable MODULE:ATTR or --catalogue"
                         + (f" (got {' and '.join(given)})" if given else ""))
    if framework and not callable_spec:
        raise ValueError(f"--{framework} applies to --callable only")
    if catalogue:
        if params:
            raise ValueError("--param does not apply to --catalogue")
        from . import audit_catalogue

        rs = audit_catalogue()
        data: Any = {"catalogue": [r.to_dict() for r in rs]}
    else:
        from ._core import audit

        kw = {"timeout": CALLABLE_SECONDS if timeout is None else timeout}
        if formula:
            if timeout is not None:
                raise ValueError("--timeout applies to --callable only")
            rs = [audit(formula, dict(params))]
        else:
            rs = [_audit_callable(callable_spec, params, framework, kw)]
        data = rs[0].to_dict()
    if plot_path is not None:
        from ._plot import save_plot

        save_plot(list(rs) if catalogue else rs[0], plot_path)
    if json_path is None:
        from ._show import print_catalogue, print_one

        if catalogue:
            print_catalogue(rs)
        else:
            print_one(rs[0])
        return 0
    if json_path == "-":
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    else:
        from .._io import atomic_write_json

        atomic_write_json(json_path, data)
    return 0


def _audit_callable(spec: str, params: Mapping[str, float], framework: str | None,
                    kw: dict[str, Any]) -> Any:
    obj = load_callable(spec)
    if framework is not None:
        from . import _autograd

        adapter = _autograd.from_torch if framework == "torch" else _autograd.from_jax
        return adapter(obj, dict(params), **kw)
    from ._core import _spike_adapter, audit

    if _spike_adapter(obj) is not None:  # a torch/JAX spike function: its own adapter binds
        return audit(obj, dict(params), **kw)
    fn, prm = _resolve(obj, params)
    return audit(fn, prm, **kw)
