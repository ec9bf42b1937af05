"""Imported once by the fork server of local Dask workers (``_engine.start_worker_server``).

Importing this module loads what the tasks of a run need: Dask's worker, the claims with
their SymPy, SciPy, mpmath and Hypothesis, the figures, the audit and (when it is used) Numba
with sgverify's kernel modules. Each worker is forked from the server with all of it loaded;
importing it in every worker cost ~1 s of CPU each, on the run's critical path.

Nothing here may stop the server: it imports only, and a failure leaves the workers to
import what they need themselves, as spawned workers do.
"""

from __future__ import annotations

import gc
import signal

# The server shares the terminal's process group: a Ctrl-C during these imports must not
# kill it with a traceback. The workers it forks inherit this and ignore Ctrl-C too, as
# sgverify._worker.dask_setup makes them do: the parent stops them.
signal.signal(signal.SIGINT, signal.SIG_IGN)


def _load() -> None:
    import distributed.nanny
    import distributed.worker  # noqa: F401

    from . import _jit, _worker, session  # noqa: F401

    # building the largest plan imports every module whose functions its tasks call
    session.tasks(session.plan([], "dev", figures=True, catalogue=True))
    if _jit.enabled():
        for name in ("_spike_kernels", "_lif_kernels"):
            _jit.kernels(name)


try:
    _load()
except BaseException:  # see the docstring: whatever failed, the workers import it themselves
    pass
# What is loaded now lives as long as the workers: out of the collector's sight, it is not
# traversed by their full collections (Hypothesis starts one per worker thread; SymPy's
# allocations trigger more), nor are its pages copied by the traversal.
gc.freeze()
