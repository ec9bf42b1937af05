"""Atomic file output: write to a temporary file beside the target, then rename over it."""

from __future__ import annotations

import json
import os
import secrets
import signal
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["atomic_write_bytes", "atomic_write_json", "atomic_write_pair", "atomic_write_text"]


def _write_temp(path: Path, data: bytes) -> str:
    """A complete, synced temporary file beside ``path`` (the caller renames or removes it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp creates 0600; give the file the permissions a plain open() would have
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    path = Path(path)
    tmp = _write_temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Atomically write UTF-8 text."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Atomically write ``obj`` as indented JSON (``-`` is not a path; callers print instead)."""
    return atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False) + "\n")


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back for a few system calls (delivered right after)."""
    sigs = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    except (AttributeError, OSError, ValueError):  # platforms without it: no holding
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _keep_old(path: Path) -> str | None:
    """A hard link to the current ``path`` (None when there is none), for a rollback."""
    if not path.exists():
        return None
    backup = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.old")
    try:
        os.link(path, backup)
    except OSError:  # no hard links here: a copy serves as well
        import shutil

        shutil.copy2(path, backup)
    return backup


def atomic_write_pair(files: Mapping[str | os.PathLike[str], bytes]) -> list[Path]:
    """Replace several files together: readers find all new files or all old ones.

    Every new file is written and synced first; then the renames run back to back with
    SIGINT and SIGTERM held, and a failing rename rolls the earlier ones back. (Only a
    SIGKILL or power loss between two renames, microseconds apart, could split them.)
    """
    targets = [Path(p) for p in files]
    tmps: dict[Path, str] = {}
    backups: dict[Path, str | None] = {}
    try:
        for path, data in zip(targets, files.values(), strict=True):
            tmps[path] = _write_temp(path, data)
        with _interrupts_held():
            done: list[Path] = []
            try:
                for path in targets:
                    backups[path] = _keep_old(path)
                    os.replace(tmps[path], path)
                    done.append(path)
            except BaseException:
                for path in reversed(done):
                    old = backups.get(path)
                    if old is None:
                        path.unlink(missing_ok=True)
                    else:
                        os.replace(old, path)
                        backups[path] = None
                raise
    finally:
        for leftover in [*tmps.values(), *(b for b in backups.values() if b)]:
            Path(leftover).unlink(missing_ok=True)
    return targets
