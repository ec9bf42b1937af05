"""Peer for bench_fig5.py: Fig. 5's loop integrals in JAX, ``jit(vmap(...))``, float64, CPU.

Written for this benchmark the way the authors' JAX notebook evaluates the field (a scalar
``grad_value`` per parameter point, ``vmap``-ed over the points and ``jit``-compiled, with
their ``sigmoid`` and ``grad_sigmoid`` formulas); the loop integral is the periodic trapezoid
sum of ``field . tangent`` on the circle. Runs in its own environment (JAX is never a
dependency of sgverify) as a line-oriented worker: each ``run`` line on stdin performs the
whole work once and prints ``{"seconds": ..., "values": [...]}``.

Started by bench_fig5.py as ``<jax-python> jax_fig5.py '<json: directions, params, steps>'``.
"""

from __future__ import annotations

import json
import sys

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_platforms", "cpu")

import jax.numpy as jnp  # noqa: E402
from _serve import serve  # noqa: E402  (this script's folder)
from jax import jit, vmap  # noqa: E402

__all__ = ["main"]


def sigmoid(x, beta):
    return 1 / (1 + jnp.exp(-beta * x))


def grad_sigmoid(x, beta):
    return (beta * jnp.exp(-beta * x)) / ((jnp.exp(-beta * x) + 1) ** 2)


def grad_value(w, v1, v2, u1, u2, x, beta, beta_sg):
    g = sigmoid(w * x, beta)
    g_sg = grad_sigmoid(w * x, beta_sg)
    h1 = sigmoid(v1 * g, beta)
    h1_sg = grad_sigmoid(v1 * g, beta_sg)
    h2 = sigmoid(v2 * g, beta)
    h2_sg = grad_sigmoid(v2 * g, beta_sg)
    y_sg = grad_sigmoid(u1 * h1 + u2 * h2, beta_sg)
    dydh1, dydh2 = u1 * y_sg, u2 * y_sg
    return jnp.array([(dydh1 * v1 * h1_sg + dydh2 * v2 * h2_sg) * x * g_sg,
                      dydh1 * g * h1_sg, dydh2 * g * h2_sg, h1 * y_sg, h2 * y_sg])


def integrand(phi, centre, d1, d2, radius, x, beta, beta_sg):
    th = centre + radius * (jnp.sin(phi) * d1 + jnp.cos(phi) * d2)
    tangent = radius * (jnp.cos(phi) * d1 - jnp.sin(phi) * d2)
    return jnp.dot(grad_value(*th, x, beta, beta_sg), tangent)


@jit
def loop_integral(phi, centre, d1, d2, radius, x, beta, beta_sg):
    f = vmap(integrand, in_axes=(0, None, None, None, None, None, None, None))(
        phi, centre, d1, d2, radius, x, beta, beta_sg)
    return (2 * jnp.pi / phi.size) * jnp.sum(f)


def main() -> None:
    spec = json.loads(sys.argv[1])
    steps = spec["steps"]
    phi = jnp.arange(steps) * (2.0 * jnp.pi / steps)
    cases = [(jnp.asarray(d1), jnp.asarray(d2), bs) for d1, d2 in spec["directions"]
             for bs in spec["beta_sg"]]
    centre = jnp.zeros(5)
    args = (spec["radius"], spec["x"], spec["beta"])

    def work() -> list[float]:
        return [float(loop_integral(phi, centre, d1, d2, *args, bs)) for d1, d2, bs in cases]

    work()  # compile outside the timed runs, as a notebook's second cell run would be
    serve(lambda: {"values": work()}, jax.__version__, report=True)


if __name__ == "__main__":
    main()
