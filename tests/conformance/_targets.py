"""How each catalogue entry's surrogate is built and run in its library, through the library's
own neuron (its threshold convention ``u - theta``), at the entry's parameters.

Each :class:`Target` maps one catalogue entry to a builder that imports the library, makes the
spike function with the entry's parameters, and wraps it in the neuron's own firing code with
``u = v + threshold``; :func:`surrogate` turns that into an
:class:`sgverify.audit._autograd.AutogradSurrogate`. ``EXPORTS`` lists, per library, how to
enumerate every surrogate the installed release exports, so that a test can check that the
catalogue covers them all.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import inspect
import math
import pathlib
import sys
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sgverify.audit import _autograd

__all__ = ["DISTRIBUTIONS", "EXPORTS", "TARGETS", "Target", "installed", "surrogate", "version"]

#: library name in the catalogue -> (distribution on PyPI, module to import, framework)
DISTRIBUTIONS: dict[str, tuple[str, str, str]] = {
    "snnTorch": ("snntorch", "snntorch.surrogate", "torch"),
    "norse": ("norse", "norse.torch.functional.threshold", "torch"),
    "SpikingJelly": ("spikingjelly", "spikingjelly.activation_based.surrogate", "torch"),
    "sinabs": ("sinabs", "sinabs.activation", "torch"),
    "lava-dl": ("lava-dl", "lava.lib.dl", "torch"),
    "spyx": ("spyx", "spyx.axn", "jax"),
    "braintools": ("braintools", "braintools.surrogate", "jax"),
}


#: libraries that `pip install -e '.[libraries]'` cannot install on Python 3.11
_NOT_BY_PIP = {"lava-dl": "it requires Python <3.11 and torch <2.4; docs/catalogue-conformance.md "
                          "shows how it was run"}


def version(library: str) -> str | None:
    """The installed distribution's version, or None."""
    try:
        return importlib.metadata.version(DISTRIBUTIONS[library][0])
    except importlib.metadata.PackageNotFoundError:
        return None


def installed(library: str) -> str | None:
    """None when the library imports, else the reason it cannot be used (for pytest.skip)."""
    dist, module, framework = DISTRIBUTIONS[library]
    if importlib.util.find_spec(framework) is None:
        return (f"{library} needs {framework}, which is not installed "
                "(pip install -e '.[libraries]')")
    try:
        if version(library) is None:
            how = _NOT_BY_PIP.get(library, f"pip install {dist}")
            return f"{library} is not installed ({how})"
        _import(module)
    except Exception as exc:  # any import failure is a reason to skip
        return f"{library} {version(library)} does not import here: {type(exc).__name__}: {exc}"
    return None


def _import(module: str) -> Any:
    if module.startswith("lava.lib.dl"):
        _lava_slayer()
    return importlib.import_module(module)


def _lava_slayer() -> None:
    """lava-dl's ``slayer/__init__`` imports its object-detection helpers (torchvision,
    OpenCV), which the spike function and neurons do not use; register the package without
    running that ``__init__`` so that the neuron and spike modules import on their own."""
    name = "lava.lib.dl.slayer"
    if name in sys.modules:
        return
    spec = importlib.util.find_spec("lava.lib.dl")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("lava.lib.dl not found")
    pkg = types.ModuleType(name)
    pkg.__path__ = [str(pathlib.Path(next(iter(spec.submodule_search_locations))) / "slayer")]
    sys.modules[name] = pkg


@dataclass(frozen=True)
class Target:
    """One catalogue entry as run in its library.

    ``build(params)`` returns a callable of one tensor ``x = v`` that fires the library's
    neuron at ``u = x + threshold``; ``kind`` is ``"deterministic"``, ``"stochastic"`` (the
    backward pass draws random numbers: checked statistically) or ``"raises"`` (the release
    fails when run: the test asserts the failure, so a fix is noticed).
    """

    library: str
    name: str
    build: Callable[[Mapping[str, float]], Any]
    threshold: float = 1.0
    kind: str = "deterministic"
    grid: tuple[float, float] | None = None  # restrict v (e.g. a probability in [0, 1])
    dtype: str = "float64"  # the precision the library computes in (see dtype_why)
    dtype_why: str = ""
    nan_below: Callable[[Mapping[str, float]], float] | None = None  # documented NaN region


def surrogate(target: Target, params: Mapping[str, float]) -> _autograd.AutogradSurrogate:
    """Run the target's backward pass (torch or JAX autograd, upstream gradient 1)."""
    framework = DISTRIBUTIONS[target.library][2]
    fn = target.build(params)
    probe = target.grid or (-4.0, 4.0)
    if framework == "torch":
        return _autograd.torch_surrogate(fn, probe=probe)
    return _autograd.jax_surrogate(fn, probe=probe)


# --- snnTorch 1.x: snntorch.Leaky.fire computes spike_grad(mem - threshold) ------------------

def _snntorch(factory: str, order: tuple[str, ...] = ()) -> Callable[[Mapping[str, float]], Any]:
    def build(p: Mapping[str, float]) -> Any:
        import snntorch
        from snntorch import surrogate as s

        lif = snntorch.Leaky(beta=0.5, threshold=1.0,
                             spike_grad=getattr(s, factory)(**{k: p[k] for k in order}))
        return lambda x: lif.fire(x + lif.threshold)
    return build


# --- norse 1.x: lif_feed_forward_step fires threshold(v - p.v_th, p.method, p.alpha) ----------

def _norse(method: str, param: str | None = "alpha") -> Callable[[Mapping[str, float]], Any]:
    def build(p: Mapping[str, float]) -> Any:
        import torch
        from norse.torch.functional import threshold as T
        from norse.torch.functional.lif import LIFParameters

        lp = LIFParameters(method=method, alpha=torch.as_tensor(p[param]) if param in p else
                           LIFParameters().alpha)
        return lambda x: T.threshold((x + lp.v_th) - lp.v_th, lp.method, lp.alpha)
    return build


def _norse_fn(fn: str, param: str) -> Callable[[Mapping[str, float]], Any]:
    # the stochastic-forward spike functions are not dispatched by threshold(): called as
    # exported, at the LIF threshold v_th = 1
    def build(p: Mapping[str, float]) -> Any:
        from norse.torch.functional import threshold as T

        f = getattr(T, fn)
        return lambda x: f((x + 1.0) - 1.0, p[param])
    return build


# --- SpikingJelly 2.x: IFNode's step (functional.if_step) charges v + x and fires
# surrogate_function(v_charged - v_threshold) -----------------------------------------------

def _sj(cls: str, **fixed: Any) -> Callable[[Mapping[str, float]], Any]:
    def build(p: Mapping[str, float]) -> Any:
        from spikingjelly.activation_based import neuron
        from spikingjelly.activation_based import surrogate as s

        kw = {k: int(x) if k in _INTEGER_PARAMS else x for k, x in p.items()}
        node = neuron.IFNode(v_threshold=1.0, surrogate_function=getattr(s, cls)(**kw, **fixed))

        def fire(x: Any) -> Any:
            (spike,), _ = node.single_step_functional_forward((x + 1.0,), (x * 0.0,))
            return spike
        return fire
    return build


_INTEGER_PARAMS = frozenset({"max_spike_count", "n"})


def _sj_direct(cls: str) -> Callable[[Mapping[str, float]], Any]:
    def build(p: Mapping[str, float]) -> Any:
        from spikingjelly.activation_based import surrogate as s

        return getattr(s, cls)(**p)
    return build


# --- sinabs 3.x: layers call spike_fn.apply(v_mem, spike_threshold, surrogate_grad_fn) --------

def _sinabs(cls: str) -> Callable[[Mapping[str, float]], Any]:
    def build(p: Mapping[str, float]) -> Any:
        from sinabs.activation import SingleSpike
        from sinabs.activation import surrogate_gradient_fn as g

        thr = float(p.get("threshold", 1.0))
        fn = getattr(g, cls)(**{k: x for k, x in p.items() if k != "threshold"})
        return lambda x: SingleSpike.apply(x + thr, thr, fn)
    return build


# --- lava-dl 0.6: CUBA Neuron.spike(voltage) = Spike.apply(voltage, threshold + eps, ...) -----

def _lava(graded: bool) -> Callable[[Mapping[str, float]], Any]:
    def build(p: Mapping[str, float]) -> Any:
        _lava_slayer()
        from lava.lib.dl.slayer.neuron import cuba

        # the entry states what the neuron runs: tau_rho = tau_grad * threshold * TAU_RHO_MULT,
        # scale_rho = scale_grad * SCALE_RHO_MULT; invert to the documented arguments
        n = cuba.Neuron(threshold=1.0, current_decay=0.5, voltage_decay=0.5,
                        tau_grad=p["tau_rho"] / cuba.TAU_RHO_MULT,
                        scale_grad=p["scale_rho"] / cuba.SCALE_RHO_MULT, graded_spike=graded)
        return lambda x: n.spike((x + 1.0).reshape(1, -1, 1)).reshape(-1)
    return build


# --- spyx 1.x: spyx.nn.LIF fires self.spike(V - self.threshold) -------------------------------

def _spyx(factory: str) -> Callable[[Mapping[str, float]], Any]:
    def build(p: Mapping[str, float]) -> Any:
        from spyx import axn

        act = getattr(axn, factory)(**p)
        return lambda x: act((x + 1.0) - 1.0)
    return build


# --- braintools: BrainPy's LIF fires spk_fun(V - V_th) with V_th = 20 (mV) by default ----------

def _bt(cls: str) -> Callable[[Mapping[str, float]], Any]:
    def build(p: Mapping[str, float]) -> Any:
        import braintools

        f = getattr(braintools.surrogate, cls)(**p)
        return lambda x: f((x + 20.0) - 20.0)
    return build


def _targets() -> dict[tuple[str, str], Target]:
    T = Target
    out = [
        T("snnTorch", "atan", _snntorch("atan", ("alpha",))),
        T("snnTorch", "fast_sigmoid", _snntorch("fast_sigmoid", ("slope",))),
        T("snnTorch", "sigmoid", _snntorch("sigmoid", ("slope",)),
          # (grad * slope) * exp(-slope v) overflows first: NaN (inf/inf) below this
          nan_below=lambda p: -(math.log(np.finfo(np.float64).max) - math.log(p["slope"]))
          / p["slope"]),
        T("snnTorch", "spike_rate_escape", _snntorch("spike_rate_escape", ("beta", "slope"))),
        T("snnTorch", "triangular", _snntorch("triangular", ("threshold",))),
        T("snnTorch", "straight_through_estimator", _snntorch("straight_through_estimator")),
        T("snnTorch", "heaviside", _snntorch("heaviside")),
        T("snnTorch", "SFS", _snntorch("SFS", ("slope", "B"))),
        T("snnTorch", "SSO", _snntorch("SSO", ("mean", "variance")), kind="stochastic"),
        T("snnTorch", "LSO", _snntorch("LSO", ("slope",)), kind="raises"),
        T("norse", "super", _norse("super")),
        T("norse", "tanh", _norse("tanh", "k")),
        T("norse", "triangle", _norse("triangle")),
        T("norse", "circ", _norse("circ")),
        T("norse", "heavi_erfc", _norse("heavi_erfc", "k"), dtype="float32",
          dtype_why="divides by torch.as_tensor(np.pi).sqrt(), a float32 tensor"),
        T("norse", "heaviside", _norse("heaviside", None)),
        T("norse", "logistic (stochastic forward)", _norse_fn("logistic_fn", "k")),
        T("norse", "circ_dist (stochastic forward)", _norse_fn("circ_dist_fn", "alpha")),
        *[T("SpikingJelly", n, _sj(n)) for n in (
            "Sigmoid", "PiecewiseQuadratic", "PiecewiseExp", "SoftSign", "SuperSpike", "ATan",
            "NonzeroSignLogAbs", "Erf", "PiecewiseLeakyReLU", "SquarewaveFourierSeries",
            "S2NN", "QPseudoSpike", "LeakyKReLU", "FakeNumericalGradient", "LogTailedReLU",
            "Rect", "DeterministicPass")],
        T("SpikingJelly", "MultiLevelSpikeCount", _sj("MultiLevelSpikeCount")),
        T("SpikingJelly", "PoissonPass", _sj_direct("PoissonPass"), grid=(0.0, 1.0)),
        *[T("sinabs", n, _sinabs(n)) for n in ("Heaviside", "SingleExponential",
                                                "PeriodicExponential")],
        *[T("sinabs", n, _sinabs(n), dtype="float32",
            dtype_why="divides by torch.sqrt(2 * torch.tensor(math.pi)), a float32 tensor")
          for n in ("Gaussian", "MultiGaussian")],
        T("lava-dl", "Spike (binary), CUBA neuron", _lava(False)),
        T("lava-dl", "Spike (graded), CUBA neuron", _lava(True)),
        *[T("spyx", n, _spyx(f)) for n, f in (
            ("superspike", "superspike"), ("arctan", "arctan"), ("tanh", "tanh"),
            ("boxcar", "boxcar"), ("triangular", "triangular"),
            ("custom (default bwd)", "custom"))],
        *[T("braintools", n, _bt(n), threshold=20.0) for n in (
            "Sigmoid", "PiecewiseQuadratic", "PiecewiseExp", "SoftSign", "Arctan",
            "NonzeroSignLog", "ERF", "PiecewiseLeakyRelu", "SquarewaveFourierSeries", "S2NN",
            "QPseudoSpike", "LeakyRelu", "LogTailedRelu", "ReluGrad", "GaussianGrad",
            "MultiGaussianGrad", "InvSquareGrad", "SlayerGrad")],
    ]
    return {(t.library, t.name): t for t in out}


TARGETS = _targets()


# --- what each installed release exports --------------------------------------------------------

def _snntorch_exports() -> set[str]:
    from snntorch import surrogate as s

    # the lower-case factories (plus SFS/SSO/LSO); custom_surrogate wraps a user's function
    return {n for n, f in vars(s).items() if inspect.isfunction(f) and f.__module__ == s.__name__
            and not n.startswith("_") and n != "custom_surrogate"}


def _norse_exports() -> set[str]:
    import torch
    from norse.torch.functional import threshold as T

    found = set()
    for m in ("heaviside", "super", "triangle", "tanh", "circ", "heavi_erfc", "nonexistent"):
        try:
            T.threshold(torch.zeros(1), m, 1.0)
            found.add(m)
        except ValueError:
            pass
    found |= {f"{n[:-3]} (stochastic forward)" for n in ("logistic_fn", "circ_dist_fn")
              if hasattr(T, n)}
    return found


def _sj_exports() -> set[str]:
    from spikingjelly.activation_based import surrogate as s

    return {n for n, c in vars(s).items() if inspect.isclass(c)
            and issubclass(c, s.SurrogateFunctionBase) and c is not s.SurrogateFunctionBase}


def _sinabs_exports() -> set[str]:
    from sinabs.activation import surrogate_gradient_fn as g

    return {n for n, c in vars(g).items() if inspect.isclass(c) and c.__module__ == g.__name__}


def _spyx_exports() -> set[str]:
    from spyx import axn

    names = {n for n, f in vars(axn).items() if inspect.isfunction(f)
             and f.__module__ == axn.__name__ and n not in ("heaviside", "custom")}
    return names | {"custom (default bwd)"}


def _bt_exports() -> set[str]:
    import braintools

    s = braintools.surrogate
    return {n for n in s.__all__ if inspect.isclass(getattr(s, n))
            and issubclass(getattr(s, n), s.Surrogate) and n != "Surrogate"}


def _lava_exports() -> set[str]:
    return {"Spike (binary), CUBA neuron", "Spike (graded), CUBA neuron"}


EXPORTS: dict[str, Callable[[], set[str]]] = {
    "snnTorch": _snntorch_exports, "norse": _norse_exports, "SpikingJelly": _sj_exports,
    "sinabs": _sinabs_exports, "spyx": _spyx_exports, "braintools": _bt_exports,
    "lava-dl": _lava_exports,
}
