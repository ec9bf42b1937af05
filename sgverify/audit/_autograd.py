"""The surrogate derivative of an autograd spike function, read off the library's own backward.

SNN libraries define a spike function by its forward pass (a Heaviside step of ``v``, the
membrane potential relative to threshold) and a hand-written backward pass (the surrogate
derivative, docs/theory.md §1.1). :func:`torch_surrogate` and :func:`jax_surrogate` run that
backward pass with upstream gradient 1 on a float64 grid and return it as a NumPy callable of
``v``; :func:`from_torch` and :func:`from_jax` hand it to :func:`sgverify.audit.audit`.

Accepted objects are what the libraries export: a ``torch.autograd.Function`` subclass
(``.apply``), a factory returning a spike function (snnTorch ``surrogate.atan``, spyx
``axn.superspike``), a spike function ``fn(x, **params)`` (norse ``heavi_tanh_fn``), a
``torch.nn.Module`` or any callable object (SpikingJelly and braintools surrogates), a class to
instantiate with ``params``, and JAX ``custom_vjp`` / ``custom_jvp`` / jitted functions.

torch and jax are imported only when used. JAX runs in float64 when its ``enable_x64`` switch
can be set for the call; otherwise (or where the library casts) the dtype actually used is
recorded in :attr:`AutogradSurrogate.dtype` and :attr:`AutogradSurrogate.dtype_note`.

Examples
--------
With torch installed (not needed to import this module):

>>> import torch                                                   # doctest: +SKIP
>>> class Fast(torch.autograd.Function):                           # doctest: +SKIP
...     @staticmethod
...     def forward(ctx, x, slope):
...         ctx.save_for_backward(x); ctx.slope = slope
...         return (x > 0).to(x.dtype)
...     @staticmethod
...     def backward(ctx, g):
...         (x,) = ctx.saved_tensors
...         return g / (ctx.slope * x.abs() + 1) ** 2, None
>>> sd = torch_surrogate(Fast, {"slope": 4.0})                     # doctest: +SKIP
>>> sd([0.0, 0.25]).tolist(), sd.dtype                             # doctest: +SKIP
([1.0, 0.25], 'float64')
>>> from_torch(Fast, {"slope": 4.0}).verdict                       # doctest: +SKIP
'rescaled density'

tests/conformance/test_autograd.py runs the same examples where torch and jax are installed.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import math
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "AutogradSurrogate",
    "from_jax",
    "from_torch",
    "is_jax_spike_fn",
    "is_torch_spike_fn",
    "jax_surrogate",
    "torch_surrogate",
]

#: packages whose exported spike functions are built on each framework (recognised before
#: the framework is imported, e.g. by the CLI's dispatch)
_TORCH_PACKAGES = frozenset({"torch", "snntorch", "norse", "spikingjelly", "sinabs", "lava"})
_JAX_PACKAGES = frozenset({"jax", "jaxlib", "spyx", "braintools", "brainpy", "brainstate"})


@dataclass(frozen=True, eq=False)
class AutogradSurrogate:
    """A spike function's surrogate derivative as a vectorised NumPy callable of ``v``.

    Calling it runs the library's forward and backward pass on ``v`` (upstream gradient 1)
    and returns the derivative as float64.

    Attributes
    ----------
    framework
        ``"torch"`` or ``"jax"``.
    name
        A readable name of the spike function.
    dtype
        The dtype the backward pass ran in (``"float64"`` unless the library or the framework
        forces another; see ``dtype_note``).
    dtype_note
        Why the dtype is not float64, or ``""``.
    forward_dtype
        The dtype of the forward output (snnTorch returns float32 spikes for float64 input;
        its backward still multiplies in float64).
    forward_at_zero
        The forward pass at ``v = 0``: the library's convention for ``H(0)``.
    random_at
        ``None`` when two runs of the backward pass agree on a probe grid over [-4, 4]; else
        the first ``v`` where they differ (a stochastic surrogate, e.g. snnTorch ``SSO``).
    """

    framework: str
    name: str
    dtype: str
    dtype_note: str
    forward_dtype: str
    forward_at_zero: float
    random_at: float | None
    _run: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] = field(repr=False)

    def __call__(self, v: Any) -> np.ndarray:
        return self.evaluate(v)[1]

    def evaluate(self, v: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(forward, derivative)`` at ``v``, both float64 arrays of ``v``'s shape."""
        x = np.asarray(v, dtype=np.float64)
        fwd, grad = self._run(x.reshape(-1))
        return fwd.reshape(x.shape), grad.reshape(x.shape)

    def forward(self, v: Any) -> np.ndarray:
        """The spike function's forward pass at ``v`` (float64)."""
        return self.evaluate(v)[0]

    def to_dict(self) -> dict[str, Any]:
        return {"framework": self.framework, "spike_fn": self.name, "dtype": self.dtype,
                "dtype_note": self.dtype_note, "forward_dtype": self.forward_dtype,
                "forward_at_zero": self.forward_at_zero, "random": self.random_at is not None}


# --- recognising spike functions without importing a framework ------------------------------

def _root(obj: Any) -> str:
    mod = getattr(obj, "__module__", None) or getattr(type(obj), "__module__", "") or ""
    return mod.split(".")[0]


def _refers_to(obj: Any, packages: frozenset[str]) -> bool:
    """Whether a function (or a callable object's ``__call__``) refers to one of ``packages``
    through the names its code uses (globals and closure), or its module imported one."""
    # a callable object's code is its class's __call__
    fn = obj if inspect.isroutine(obj) else vars(type(obj)).get("__call__")
    values: list[Any] = []
    if fn is not None and inspect.isfunction(inspect.unwrap(fn)):
        try:
            cv = inspect.getclosurevars(inspect.unwrap(fn))
            values += [*cv.nonlocals.values(), *cv.globals.values()]
        except (TypeError, ValueError):
            pass
    mod = sys.modules.get(getattr(obj, "__module__", None) or "")
    if mod is not None and mod.__name__ != "__main__":
        values += [x for x in vars(mod).values() if inspect.ismodule(x)]
    return any(_framework_object(x, packages) for x in values)


def _framework_object(x: Any, packages: frozenset[str]) -> bool:
    if inspect.ismodule(x):
        return x.__name__.split(".")[0] in packages
    if _root(x) in packages or type(x).__module__.split(".")[0] in packages:
        return True
    # a class of the user's own that subclasses a framework class (an autograd.Function)
    return isinstance(x, type) and any(
        c.__module__.split(".")[0] in packages for c in x.__mro__[1:])


def is_torch_spike_fn(obj: Any) -> bool:
    """True when ``obj`` looks like a PyTorch spike function (never imports torch).

    A ``torch.autograd.Function`` subclass, a ``torch.nn.Module``, a callable defined in
    snnTorch, norse, SpikingJelly, sinabs or lava-dl, or a function whose code refers to torch
    or to such an object (a factory closing over an ``autograd.Function``).

    Examples
    --------
    >>> is_torch_spike_fn(lambda v: v)
    False
    """
    if not callable(obj) or isinstance(obj, str):
        return False
    torch = sys.modules.get("torch")
    if torch is not None:
        if isinstance(obj, type) and issubclass(obj, (torch.autograd.Function, torch.nn.Module)):
            return True
        if isinstance(obj, torch.nn.Module):
            return True
    if _root(obj) in _TORCH_PACKAGES:
        return True
    return _refers_to(obj, _TORCH_PACKAGES) and not _refers_to(obj, _JAX_PACKAGES)


def is_jax_spike_fn(obj: Any) -> bool:
    """True when ``obj`` looks like a JAX spike function (never imports jax).

    A ``jax.custom_vjp`` / ``custom_jvp`` function, a jitted function, a callable defined in
    spyx, braintools, BrainPy or brainstate, or a function whose code refers to jax.

    Examples
    --------
    >>> is_jax_spike_fn(abs)
    False
    """
    if not callable(obj) or isinstance(obj, str):
        return False
    if _root(obj) in _JAX_PACKAGES or type(obj).__module__.split(".")[0] in _JAX_PACKAGES:
        return True
    return _refers_to(obj, _JAX_PACKAGES) and not _refers_to(obj, _TORCH_PACKAGES)


# --- resolving what the libraries export into a spike function of one tensor -----------------

def _import(framework: str) -> Any:
    try:
        return importlib.import_module(framework)
    except ImportError:
        hint = {"torch": "pip install torch", "jax": "pip install jax jaxlib"}[framework]
        raise ImportError(f"spike_fn: {framework} is not installed ({hint}; or "
                          "pip install 'sgverify[libraries]')") from None


def _name(obj: Any) -> str:
    mod = getattr(obj, "__module__", None)
    qual = getattr(obj, "__qualname__", None) or type(obj).__qualname__
    return f"{mod}.{qual}" if mod else qual


def _signature(fn: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


def _check_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of names to values, got {type(params).__name__}")
    for k in params:
        if not isinstance(k, str):
            raise TypeError(f"params: names must be strings, got {k!r}")
    return dict(params)


def _bind_apply(fn_cls: Any, params: dict[str, Any]) -> Callable[[Any], Any]:
    """``Function.apply(x, *args)`` with args taken from ``params`` by ``forward``'s names."""
    sig = _signature(fn_cls.forward)
    names = [] if sig is None else [
        p for p in sig.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if names and names[0].name == "ctx":
        names = names[1:]
    rest = names[1:]
    unknown = set(params) - {p.name for p in rest}
    if unknown:
        raise ValueError(f"params: {fn_cls.__name__}.forward takes no parameter "
                         f"{sorted(unknown)[0]!r} (it takes {[p.name for p in rest]})")
    args = []
    for p in rest:
        if p.name in params:
            args.append(params[p.name])
        elif p.default is not p.empty:
            args.append(p.default)
        else:
            raise ValueError(f"params: {fn_cls.__name__}.forward needs {p.name!r}")
    return lambda x: fn_cls.apply(x, *args)


def _is_factory(fn: Any, params: dict[str, Any]) -> bool:
    """A factory takes only parameters (all defaulted or given); a spike function takes x."""
    sig = _signature(fn)
    if sig is None:
        return False
    required = [p for p in sig.parameters.values()
                if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    return all(p.name in params for p in required) and (
        bool(params) or not required) and not any(
        p.kind is p.VAR_POSITIONAL for p in sig.parameters.values())


def _resolve(obj: Any, params: dict[str, Any], base_types: tuple[type, ...],
             function_type: type | None) -> tuple[Callable[[Any], Any], str]:
    name = _name(obj)
    if isinstance(obj, type):
        if function_type is not None and issubclass(obj, function_type):
            return _bind_apply(obj, params), name
        inst = _call(lambda p: obj(**p), params, name)
        if not callable(inst):
            raise TypeError(f"spike_fn: {obj.__name__}(**params) is not callable")
        return inst, f"{name}({_fmt_params(params)})"
    if not callable(obj):
        raise TypeError(f"spike_fn must be callable, got {type(obj).__name__}")
    if isinstance(obj, base_types) or (not inspect.isroutine(obj) and not params):
        if params:
            raise ValueError(f"params: {name} is already constructed; give its parameters "
                             "when constructing it")
        return obj, name
    if _is_factory(obj, params):
        made = _call(lambda p: obj(**p), params, name)
        if not callable(made):
            raise TypeError(f"spike_fn: {name}(**params) returned "
                            f"{type(made).__name__}, not a spike function")
        return made, f"{name}({_fmt_params(params)})"
    if params:
        return (lambda x: obj(x, **params)), f"{name}(x, {_fmt_params(params)})"
    return obj, name


def _fmt_params(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items())


_Run = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def _probe(run: _Run, domain: tuple[float, float]) -> tuple[float, float | None]:
    """``(forward at 0 (or at the domain's start), first probe point where two runs of the
    backward pass differ or None)`` on 401 points of ``domain``."""
    lo, hi = (float(x) for x in domain)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"probe: need finite lo < hi, got {domain!r}")
    grid = np.linspace(lo, hi, 401)
    h0 = float(run(np.array([0.0 if lo <= 0.0 <= hi else lo]))[0][0])
    a, b = run(grid)[1], run(grid)[1]
    diff = np.flatnonzero(~((a == b) | (np.isnan(a) & np.isnan(b))))
    return h0, (float(grid[diff[0]]) if diff.size else None)


# --- torch ------------------------------------------------------------------------------------

def torch_surrogate(spike_fn: Any, params: Mapping[str, Any] | None = None, *,
                    probe: tuple[float, float] = (-4.0, 4.0)) -> AutogradSurrogate:
    """The surrogate derivative of a PyTorch spike function, run by torch's autograd.

    Parameters
    ----------
    spike_fn
        A ``torch.autograd.Function`` subclass, a factory, a function ``fn(x, **params)``, a
        module (instance or class) or any callable mapping a tensor to spikes.
    params
        The spike function's parameters (factory keywords, ``forward`` arguments by name,
        constructor keywords, or keywords passed with ``x``).
    probe
        Where to read ``H(0)`` and to test whether the backward pass is random (two runs on
        401 points); narrow it for a spike function of a probability (SpikingJelly
        ``PoissonPass`` takes ``p`` in [0, 1]).

    Returns
    -------
    AutogradSurrogate
        ``v -> dS/dv`` in float64 (the input tensor is float64; torch casts the gradient back
        to it).
    """
    torch = _import("torch")
    p = _check_params(params)
    fn, name = _resolve(spike_fn, p, (torch.nn.Module,), torch.autograd.Function)
    out_dtype: list[str] = []

    def run(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = torch.tensor(v, dtype=torch.float64, requires_grad=True)
        with torch.enable_grad():
            y = _call(fn, x, name)
            if not isinstance(y, torch.Tensor) or tuple(y.shape) != tuple(x.shape):
                raise ValueError(f"spike_fn: {name} returned "
                                 f"{getattr(y, 'shape', type(y).__name__)} for {v.shape} input")
            if not out_dtype:
                out_dtype.append(str(y.dtype).replace("torch.", ""))
            if not y.requires_grad:
                return y.detach().double().numpy(), np.zeros_like(v)
            (g,) = _call(lambda t: torch.autograd.grad(
                t, x, grad_outputs=torch.ones_like(t), allow_unused=True), y, name)
        grad = np.zeros_like(v) if g is None else g.detach().double().numpy()
        return y.detach().double().numpy(), grad

    h0, random_at = _probe(run, probe)
    return AutogradSurrogate("torch", name, "float64", "", out_dtype[0], h0, random_at, run)


def _call(fn: Callable[[Any], Any], x: Any, name: str) -> Any:
    try:
        return fn(x)
    except Exception as exc:  # the user's (or library's) code: one line
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ValueError(f"spike_fn: {name} raised {type(exc).__name__}: {msg}") from None


# --- jax --------------------------------------------------------------------------------------

@contextlib.contextmanager
def _x64(jax: Any) -> Iterator[bool]:
    """float64 for the duration of the call, restoring the caller's setting."""
    before = bool(jax.config.read("jax_enable_x64"))
    try:
        jax.config.update("jax_enable_x64", True)
    except Exception:  # a JAX that refuses the switch: run in its own dtype
        yield before
        return
    try:
        yield True
    finally:
        jax.config.update("jax_enable_x64", before)


def jax_surrogate(spike_fn: Any, params: Mapping[str, Any] | None = None, *,
                  probe: tuple[float, float] = (-4.0, 4.0)) -> AutogradSurrogate:
    """The surrogate derivative of a JAX spike function, run by ``jax.vjp``.

    Parameters
    ----------
    spike_fn
        A ``custom_vjp`` / ``custom_jvp`` / jitted function, a factory returning one (spyx
        ``axn.superspike``), a surrogate object (braintools ``surrogate.Sigmoid(alpha=4)``) or a
        class to instantiate with ``params``.
    params, probe
        As for :func:`torch_surrogate`.

    Returns
    -------
    AutogradSurrogate
        ``v -> dS/dv``; float64 with JAX's x64 switched on for the call (the caller's setting
        is restored), else float32 with ``dtype_note`` saying so.
    """
    jax = _import("jax")
    p = _check_params(params)
    fn, name = _resolve(spike_fn, p, (), None)
    seen: dict[str, str] = {}

    def run(v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        import jax.numpy as jnp

        with _x64(jax) as on:
            x = jnp.asarray(v, dtype=jnp.float64 if on else jnp.float32)
            y, vjp = _call(lambda t: jax.vjp(fn, t), x, name)
            if getattr(y, "shape", None) != x.shape:
                raise ValueError(f"spike_fn: {name} returned "
                                 f"{getattr(y, 'shape', type(y).__name__)} for {v.shape} input")
            (g,) = vjp(jnp.ones_like(y))
            seen.setdefault("dtype", str(g.dtype))
            seen.setdefault("forward", str(y.dtype))
            return np.asarray(y, dtype=np.float64), np.asarray(g, dtype=np.float64)

    h0, random_at = _probe(run, probe)
    dtype = seen["dtype"]
    note = "" if dtype == "float64" else (
        f"JAX computed in {dtype}: float64 (jax_enable_x64) was not available for this call")
    return AutogradSurrogate("jax", name, dtype, note, seen["forward"], h0, random_at, run)


# --- audit ------------------------------------------------------------------------------------

def _audit(sd: AutogradSurrogate, kw: dict[str, Any]) -> Any:
    from ._core import audit

    if sd.random_at is not None:
        raise ValueError(f"spike_fn: {sd.name} has a random backward pass (two runs differ at "
                         f"v = {sd.random_at:g}); audit its expectation as a formula instead")
    label = {**sd.to_dict(), **dict(kw.pop("label", None) or {})}
    return audit(sd, label=label, **kw)


def from_torch(spike_fn: Any, params: Mapping[str, Any] | None = None, **kw: Any) -> Any:
    """Audit a PyTorch spike function's surrogate derivative (see :func:`torch_surrogate`).

    Keywords ``kw`` go to :func:`sgverify.audit.audit`; the result's ``label`` records the
    framework, the spike function, the dtype used and the forward's ``H(0)``.
    """
    return _audit(torch_surrogate(spike_fn, params), kw)


def from_jax(spike_fn: Any, params: Mapping[str, Any] | None = None, **kw: Any) -> Any:
    """Audit a JAX spike function's surrogate derivative (see :func:`jax_surrogate`)."""
    return _audit(jax_surrogate(spike_fn, params), kw)
