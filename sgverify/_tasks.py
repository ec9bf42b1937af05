"""What a worker runs: a claim, a training run, a figure or the surrogate catalogue.

Each function takes plain arguments and ``inputs`` (the results of the tasks it depends on,
by key) and returns JSON values, so a result can be stored, shipped between processes and
machines, and read back unchanged. Exceptions are left to :func:`sgverify._engine.execute`,
which turns them into failure records; a claim's own failures are already ``error``
verdicts (:func:`sgverify.claims._runner.run_claim`).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

__all__ = ["CATALOGUE_PART", "catalogue", "catalogue_part", "claim", "figure", "parts_of",
           "provide_training", "training"]

#: key prefix of the tasks that audit a part of the surrogate catalogue
CATALOGUE_PART = "catalogue/part/"


def provide_training(inputs: Mapping[str, Any]) -> None:
    """Hand the training runs among ``inputs`` to this process's experiment cache."""
    from .snn import experiments

    for key, value in inputs.items():
        if key.startswith("train/"):
            experiments.provide(experiments.Run.from_key(key), value)


def claim(claim_id: str, profile: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Verify one registered claim; returns ``Result.to_dict()``."""
    from hypothesis.errors import HypothesisDeprecationWarning

    from .claims import get
    from .claims._runner import run_claim
    from .claims.audit import provided_catalogue

    provide_training(inputs)
    with warnings.catch_warnings(), provided_catalogue(parts_of(inputs)):
        # A Dask worker's own threads draw from the global `random` module (heartbeat
        # jitter), and Hypothesis, comparing that module's state before and after each draw,
        # then blames our strategies. They never touch it (searches are hermetic and their
        # evidence is identical in-process), so this one false alarm is silenced here.
        warnings.filterwarnings("ignore", message="Do not use the `random` module",
                                category=HypothesisDeprecationWarning)
        return run_claim(get(claim_id), profile).to_dict()


def training(key: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Train the run named ``key`` (:attr:`sgverify.snn.experiments.Run.key`), encoded."""
    from .snn import experiments

    run = experiments.Run.from_key(key)
    return experiments.encode(experiments.run_training(run))


def figure(name: str, profile: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Reproduce a paper figure: its title, caption, numbers and a PNG (base64)."""
    import base64
    import io

    from . import figures
    from .claims import jsonable

    provide_training(inputs)
    rep = figures.reproduce(name, profile)
    try:
        buf = io.BytesIO()
        # 110 dpi keeps a multi-panel figure sharp on screen and the page a few MB at most
        rep.figure.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    finally:
        _close(rep.figure)
    return {"name": name, "title": str(getattr(rep, "title", "") or name),
            "caption": str(getattr(rep, "caption", "") or ""), "data": jsonable(dict(rep.data)),
            "png_base64": base64.b64encode(buf.getvalue()).decode("ascii")}


def _close(fig: Any) -> None:
    try:
        import matplotlib.pyplot as plt

        plt.close(fig)
    except Exception:  # closing is housekeeping; a figure not made by pyplot is fine
        pass


def parts_of(inputs: Mapping[str, Any]) -> list[Any]:
    """The catalogue parts among ``inputs``, in key order."""
    return [inputs[k] for k in sorted(inputs) if k.startswith(CATALOGUE_PART)]


def catalogue_part(part: int, parts: int, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Audit and check one part of the catalogue (:func:`sgverify.claims.audit.catalogue_part`)."""
    from .claims.audit import catalogue_part as run_part

    return run_part(part, parts)


def catalogue(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The library catalogue of surrogates audited: ``{"records": [...]}``, read from the
    catalogue parts among ``inputs`` when they cover it, else audited here."""
    from .claims.audit import catalogue_records, entries_of

    return {"records": catalogue_records(entries_of(parts_of(inputs)))}
