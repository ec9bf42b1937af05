"""The SNN experiments of docs/theory.md §7: settings per profile and training runs as tasks.

Each training run (experiment x profile x mode x seed) is a :class:`Run` with a stable
:attr:`Run.key`. The claims (``claims/snn.py``) and the training figure read the runs through
:func:`randman_runs` / :func:`matching_run`, which train on first use and cache the result in
this process. An orchestrator can instead train the runs as separate tasks (on other
processes or machines), keep them as JSON (:func:`encode` / :func:`decode`) and hand them to
the process that needs them with :func:`provide`: then nothing is trained twice.

The cache holds each run as its JSON round trip (``decode(encode(history))``, exact for
floats), so a run trained here and one trained elsewhere and shipped in are the same object
to the claims, and the evidence cannot depend on where the run was trained.

The design decisions of the experiments (seeds, budgets, the convergence rule) are
explained in ``claims/snn.py``, whose statements they serve.

Examples
--------
>>> from sgverify.snn import experiments
>>> [r.key for r in experiments.needs("snn.spike-train-matching", "dev")]
['train/matching/dev/stochastic/0']
>>> len(experiments.needs("snn.variability-persists", "dev"))  # 4 seeds x 2 modes
8
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from . import train

__all__ = ["FIGURE", "FIGURE_SEEDS", "MATCHING", "MAX_EPOCHS", "MIN_DELTA", "PATIENCE",
           "RANDMAN", "SEEDS", "Run", "clear", "decode", "encode", "get", "matching_run",
           "needs", "provide", "randman_runs", "run_training"]

PATIENCE = 20
MIN_DELTA = 0.01
MAX_EPOCHS = 200

RANDMAN: dict[str, train.RandmanTask] = {
    "dev": train.RandmanTask(n_classes=5, n_steps=50, n_hidden=48, n_train=40, n_test=40,
                             epochs=MAX_EPOCHS, batch_size=40, lr=1e-2, eval_every=10,
                             patience=PATIENCE, min_delta=MIN_DELTA),
    "thorough": train.RandmanTask(n_classes=15, n_steps=100, n_hidden=128, n_train=200,
                                  n_test=50, epochs=60, batch_size=100, lr=5e-3, eval_every=5),
}
RANDMAN["ci"] = RANDMAN["dev"]
MATCHING: dict[str, train.MatchingTask] = {
    "dev": train.MatchingTask(n_out=50, n_in=50, n_hidden=50, updates=150, lr=5e-3),
    "thorough": train.MatchingTask(updates=1000, lr=5e-3),
}
MATCHING["ci"] = MATCHING["dev"]
#: randman seeds of the claims per profile (paired: both modes per seed)
SEEDS: dict[str, tuple[int, ...]] = {"dev": (0, 1, 2, 3), "ci": (0, 1, 2, 3),
                                     "thorough": tuple(range(10))}
#: the consumer name of the training figure in :func:`needs`
FIGURE = "figure:training"
#: randman seeds of the training figure per profile (a subset of the claims' under dev/ci)
FIGURE_SEEDS: dict[str, tuple[int, ...]] = {"dev": (0, 1), "ci": (0, 1),
                                            "thorough": tuple(range(10))}
_MODES = ("deterministic", "stochastic")


@dataclass(frozen=True)
class Run:
    """One training run: ``experiment`` (``"randman"`` or ``"matching"``), profile, mode, seed.

    >>> Run("randman", "dev", "stochastic", 3).key
    'train/randman/dev/stochastic/3'
    """

    experiment: str
    profile: str
    mode: str
    seed: int

    def __post_init__(self) -> None:
        if self.experiment not in ("randman", "matching"):
            raise ValueError(f"experiment must be 'randman' or 'matching', got "
                             f"{self.experiment!r}")
        if self.profile not in RANDMAN:
            raise ValueError(f"profile must be one of {', '.join(RANDMAN)}, got "
                             f"{self.profile!r}")
        if self.mode not in _MODES:
            raise ValueError(f"mode must be one of {', '.join(_MODES)}, got {self.mode!r}")

    @property
    def key(self) -> str:
        """A stable name, also the run's name in a run store."""
        return f"train/{self.experiment}/{self.profile}/{self.mode}/{self.seed}"

    @classmethod
    def from_key(cls, key: str) -> Run:
        """The run named by :attr:`key`.

        >>> Run.from_key("train/matching/dev/stochastic/0")
        Run(experiment='matching', profile='dev', mode='stochastic', seed=0)
        """
        parts = key.split("/")
        if len(parts) != 5 or parts[0] != "train" or not parts[4].isdigit():
            raise ValueError(f"not a training run key: {key!r}")
        return cls(parts[1], parts[2], parts[3], int(parts[4]))

    @property
    def task(self) -> train.RandmanTask | train.MatchingTask:
        """The task settings the run trains with (read when called, so tests may patch)."""
        return (RANDMAN if self.experiment == "randman" else MATCHING)[self.profile]

    @property
    def cost(self) -> float:
        """Rough seconds under the profile's task: scheduling hints only."""
        quick = self.profile != "thorough"
        if self.experiment == "matching":
            return 4.0 if quick else 600.0
        return (2.0 if self.mode == "deterministic" else 3.0) if quick else 150.0


def _randman(profile: str, seeds: tuple[int, ...] | None = None) -> tuple[Run, ...]:
    seeds = SEEDS[profile] if seeds is None else seeds
    return tuple(Run("randman", profile, m, s) for s in seeds for m in _MODES)


def needs(consumer: str, profile: str) -> tuple[Run, ...]:
    """The training runs a claim (by id) or the training figure (:data:`FIGURE`) reads.

    Anything else needs none.
    """
    if profile not in RANDMAN:
        return ()
    if consumer in ("snn.stochastic-trains-comparably", "snn.variability-persists"):
        return _randman(profile)
    if consumer == "snn.spike-train-matching":
        return (Run("matching", profile, "stochastic", 0),)
    if consumer == FIGURE:
        return (*_randman(profile, FIGURE_SEEDS[profile]),
                Run("matching", profile, "stochastic", 0))
    return ()


def run_training(run: Run) -> train.History:
    """Train ``run`` now (no cache) and return its history."""
    if run.experiment == "randman":
        return train.train_randman(run.task, run.mode, run.seed, progress=False)
    return train.train_matching(run.task, run.mode, run.seed, progress=False)


# keyed by the (frozen) task settings, not by the profile name, so a changed task is never
# served another task's run
_CACHE: dict[tuple[str, Any, str, int], train.History] = {}


def _cache_key(run: Run) -> tuple[str, Any, str, int]:
    return (run.experiment, run.task, run.mode, run.seed)


def get(run: Run) -> train.History:
    """The history of ``run``: provided or cached in this process, else trained now."""
    key = _cache_key(run)
    if key not in _CACHE:
        _CACHE[key] = decode(encode(run_training(run)))
    return _CACHE[key]


def provide(run: Run, history: train.History | dict[str, Any]) -> None:
    """Hand this process a run trained elsewhere (a :class:`train.History` or its
    :func:`encode` dict), so :func:`get` does not train it again."""
    _CACHE[_cache_key(run)] = decode(history if isinstance(history, dict) else encode(history))


def clear() -> None:
    """Forget every cached run."""
    _CACHE.clear()


def randman_runs(profile: str, seeds: tuple[int, ...] | None = None) -> tuple[
        tuple[train.History, train.History], ...]:
    """``(deterministic, stochastic)`` histories per seed (default: the claims' seeds)."""
    seeds = SEEDS[profile] if seeds is None else seeds
    return tuple((get(Run("randman", profile, "deterministic", s)),
                  get(Run("randman", profile, "stochastic", s))) for s in seeds)


def matching_run(profile: str) -> train.History:
    """The stochastic spike-train matching run of a profile, seed 0."""
    return get(Run("matching", profile, "stochastic", 0))


def _pack(a: np.ndarray) -> dict[str, Any]:
    a = np.asarray(a)
    if not np.all((a == 0) | (a == 1)):
        raise ValueError("rasters must hold spikes (0 or 1)")
    return {"shape": list(a.shape), "dtype": a.dtype.str,
            "bits": base64.b64encode(np.packbits(a.astype(bool), axis=None)).decode("ascii")}


def _unpack(d: dict[str, Any]) -> np.ndarray:
    n = int(np.prod(d["shape"]))
    bits = np.unpackbits(np.frombuffer(base64.b64decode(d["bits"]), np.uint8), count=n)
    return bits.reshape(d["shape"]).astype(np.dtype(d["dtype"]))


def encode(history: train.History) -> dict[str, Any]:
    """A training history as JSON values (rasters bit-packed; the network itself left out).

    >>> h = train.History("randman", "stochastic", 0, loss=[0.5],
    ...                   rasters={"hidden": np.eye(2)})
    >>> back = decode(encode(h))
    >>> back.loss, back.rasters["hidden"].tolist()
    ([0.5], [[1.0, 0.0], [0.0, 1.0]])
    """
    d = history.to_dict()
    d["rasters"] = {k: _pack(v) for k, v in history.rasters.items()}
    # through JSON text here, so a run kept in memory and one read from a store are equal
    return json.loads(json.dumps(d, default=_plain))


def _plain(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(f"cannot store {type(x).__name__} in a training history")


def decode(d: dict[str, Any]) -> train.History:
    """The inverse of :func:`encode` (without the network: ``net`` is None)."""
    names = {f.name for f in fields(train.History)} - {"net", "rasters"}
    unknown = set(d) - names - {"rasters"}
    if unknown:
        raise ValueError(f"not a training history: unknown keys {sorted(unknown)}")
    kwargs = {k: v for k, v in d.items() if k in names}
    return train.History(**kwargs, rasters={k: _unpack(v)
                                            for k, v in d.get("rasters", {}).items()})
