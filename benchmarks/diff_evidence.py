"""Compare the evidence of every claim in two ``sgverify check --json`` files.

A speed change must leave every claim's status, tolerance and evidence identical (issue 14):
save ``sgverify check --jobs 1 --json before.json`` before the change and ``after.json``
after it, then run ``python benchmarks/diff_evidence.py before.json after.json``. Fields
whose names end in ``seconds`` (timings) are ignored; anything else that differs is printed,
and the exit status is 1.
"""

from __future__ import annotations

import json
import sys
from typing import Any

__all__ = ["differences", "main"]


def differences(a: Any, b: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """Every leaf where ``a`` and ``b`` differ, as ``(path, a_value, b_value)``."""
    if type(a) is not type(b):
        return [(path, a, b)]
    if isinstance(a, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append((f"{path}/{k}", a.get(k, "<missing>"), b.get(k, "<missing>")))
            else:
                out += differences(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list):
        out = [(f"{path}#len", len(a), len(b))] if len(a) != len(b) else []
        for i, (x, y) in enumerate(zip(a, b)):  # noqa: B905 (lengths compared above)
            out += differences(x, y, f"{path}[{i}]")
        return out
    return [] if a == b or path.endswith("seconds") else [(path, a, b)]


def main(argv: list[str] | None = None) -> int:
    before_file, after_file = (argv if argv is not None else sys.argv[1:])[:2]
    before = {c["id"]: c for c in json.load(open(before_file))["claims"]}
    after = {c["id"]: c for c in json.load(open(after_file))["claims"]}
    bad = 0
    for cid in sorted(set(before) | set(after)):
        if cid not in before or cid not in after:
            print(f"only in one file: {cid}")
            bad += 1
            continue
        diff = [d for key in ("status", "tolerance", "evidence")
                for d in differences(before[cid].get(key), after[cid].get(key), key)]
        if diff:
            bad += 1
            print(f"{cid}: {len(diff)} differences")
            for path, x, y in diff[:8]:
                print(f"  {path}: {str(x)[:100]} -> {str(y)[:100]}")
    print(f"{bad} of {len(before | after)} claims differ")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
