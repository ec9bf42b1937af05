"""Record a conformance run for docs/catalogue-conformance.md.

``python tests/conformance/record.py OUT.json`` runs every target whose library is installed
(the same comparison as test_conformance) and writes one JSON record per entry: versions,
dtype, points compared, worst ratio to the tolerance, worst relative error, the library's
values at the formula's jumps, H(0), and seconds.
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conformance._targets import DISTRIBUTIONS, TARGETS, installed, surrogate, version
from sgverify.audit import CATALOGUE
from sgverify.audit._conformance import compare, conformance_grid


def _v(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def main(out: str) -> None:
    warnings.filterwarnings("ignore")
    entries = {(e.library, e.name): e for e in CATALOGUE}
    records = []
    for key, t in TARGETS.items():
        if installed(t.library) is not None:
            continue
        e = entries[key]
        fw = DISTRIBUTIONS[t.library][2]
        rec = {"library": t.library, "name": t.name, "version": version(t.library),
               "catalogue_version": e.version, "framework": f"{fw} {_v(fw)}", "kind": t.kind}
        start = time.perf_counter()
        try:
            sd = surrogate(t, e.params)
            rec.update(forward_at_zero=sd.forward_at_zero, dtype=t.dtype,
                       dtype_why=t.dtype_why)
            grid = (np.linspace(*t.grid, 1001) if t.grid else conformance_grid())
            if t.kind == "stochastic":
                rec["random_at"] = sd.random_at
            else:
                if t.nan_below is not None:
                    cut = t.nan_below(e.params)
                    rec["nan_below"] = cut
                    rec["nan_confirmed"] = bool(np.all(np.isnan(sd(grid[grid < cut]))))
                    grid = grid[grid > cut]
                c = compare(sd, e.formula, e.params, dtype=t.dtype, threshold=t.threshold,
                            grid=grid)
                rec.update(c.to_dict())
        except Exception as exc:  # a release that fails when run is recorded as such
            rec["raised"] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        rec["seconds"] = round(time.perf_counter() - start, 3)
        records.append(rec)
    meta = {"python": platform.python_version(), "numpy": np.__version__,
            "date": time.strftime("%Y-%m-%d"), "records": records}
    Path(out).write_text(json.dumps(meta, indent=1, default=float) + "\n")
    print(f"{len(records)} records -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
