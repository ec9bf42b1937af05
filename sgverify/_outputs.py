"""Output paths checked before any work: one clear line instead of a traceback afterwards.

Writability is probed by creating (and removing) a temporary file where the output will go,
which is what matters (also for root, for whom permission bits say little, and on read-only
file systems). Nothing else is created: a missing folder is made only when the output is
written.

Examples
--------
>>> import tempfile, os
>>> d = tempfile.mkdtemp()
>>> check_file("--json", os.path.join(d, "out.json"))
>>> check_file("--json", d)
Traceback (most recent call last):
...
ValueError: --json: ... is a folder; a file name is needed
>>> check_file("--json", "")
Traceback (most recent call last):
...
ValueError: --json: empty path
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["check_dir", "check_file"]


def _existing_ancestor(opt: str, path: Path) -> Path:
    """The nearest existing folder at or above ``path``; ValueError if a file stands there."""
    p = path
    while not p.exists():
        if p.parent == p:
            break
        p = p.parent
    if not p.is_dir():
        raise ValueError(f"{opt}: {str(p)!r} is a file where a folder is needed (for "
                         f"{str(path)!r})")
    return p


def _probe(opt: str, folder: Path, target: Path) -> None:
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".sgverify-probe-"):
            pass
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise ValueError(f"{opt}: cannot write in folder {str(folder)!r} ({why}) for "
                         f"{str(target)!r}") from None


def check_file(opt: str, value: str | os.PathLike[str] | None, *,
               suffixes: Sequence[str] = ()) -> None:
    """Check that ``value`` can be written as a file (``-`` means stdout, allowed)."""
    if value is None or str(value) == "-":
        return
    if not str(value).strip():
        raise ValueError(f"{opt}: empty path")
    path = Path(value)
    if suffixes and path.suffix.lower() not in suffixes:
        raise ValueError(f"{opt} must end in {' or '.join(suffixes)}, got {str(value)!r}")
    if path.is_dir():
        raise ValueError(f"{opt}: {str(value)!r} is a folder; a file name is needed")
    if path.exists() and not os.access(path, os.W_OK):
        raise ValueError(f"{opt}: {str(value)!r} exists and is not writable")
    _probe(opt, _existing_ancestor(opt, path.parent if str(path.parent) else Path(".")), path)


def check_dir(opt: str, value: str | os.PathLike[str] | None, *,
              files: Sequence[str] = ()) -> None:
    """Check that ``value`` is (or can be made) a writable folder, and that the ``files`` to
    be written inside it are not folders."""
    if value is None:
        return
    if not str(value).strip():
        raise ValueError(f"{opt}: empty path")
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{opt}: {str(value)!r} is a file; a folder is needed")
    for name in files:
        if (path / name).is_dir():
            raise ValueError(f"{opt}: {str(path / name)!r} is a folder; the report writes a "
                             "file there")
    _probe(opt, _existing_ancestor(opt, path), path)
