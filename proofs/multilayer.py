# %% [markdown]
# # Multi-layer networks (docs/theory.md §5)
#
# A 1-2-1 stochastic network with a generic escape function `f`: hidden spikes
# `h_i ~ Bernoulli(f(W1_i x + b1_i))`, output `y ~ Bernoulli(f(W2 . h + b2))`. We derive
#
# 1. the exact `E[y]` as a sum over hidden patterns and its gradient (the SPM);
# 2. the output layer: `dE[y]/dW2 = E[f'(u2) h]`, i.e. the expected matched SG;
# 3. a hidden layer: `dE[y]/dW1_i` uses the *finite difference* `q(h_i=1) - q(h_i=0)` while the
#    expected SG uses the local slope `W2_i f'(u2)`; the two agree when `f` is linear downstream;
# 4. SG = input-smoothed stochastic derivative on every sampled path;
# 5. the propagated right triple is unbiased;
# 6. finite differences with independent paths: variance ~ 1/eps^2;
#
# and assert that each lands on the library (`sgverify.network`, `sgverify.stochad`).

# %%
import itertools

import numpy as np
import sympy as sp

from sgverify import escape, network, stochad
from sgverify import symbols as S

x = S.x
a1, a2, c1, c2, w1, w2, b = sp.symbols("W1_0 W1_1 b1_0 b1_1 W2_0 W2_1 b2", real=True)
f = S.f
u1 = (a1 * x + c1, a2 * x + c2)
p = [f(u) for u in u1]


def q(h):
    """E[y | h] = f(u2(h))."""
    return f(w1 * h[0] + w2 * h[1] + b)


def prob(h):
    return sp.Mul(*[p[i] if h[i] else 1 - p[i] for i in range(2)])


patterns = list(itertools.product((0, 1), repeat=2))
E = sum(prob(h) * q(h) for h in patterns)

# %% [markdown]
# ## Output layer: the gradient is the expected matched SG
# `dE/dW2_0 = sum_h p(h) f'(u2(h)) h_0`, which is `E[SD(u2) h_0]` with `SD = f'`.

# %%
fp = sp.Function("fprime")  # stands for f' in the SG


def sg_expectation(expr_of_h):
    return sum(prob(h) * expr_of_h(h) for h in patterns)


grad_w2 = sp.diff(E, w1)
esg_w2 = sg_expectation(lambda h: sp.Subs(sp.Derivative(f(S.z), S.z), S.z,
                                          w1 * h[0] + w2 * h[1] + b).doit() * h[0])
assert sp.simplify(grad_w2 - esg_w2) == 0

# %% [markdown]
# ## Hidden layer: finite difference versus local slope
# `dE/dW1_0 = f'(u1_0) x sum_{h_1} p(h_1) [q(1, h_1) - q(0, h_1)]`, while
# `E[SG_{W1_0}] = f'(u1_0) x W2_0 E[f'(u2(h))]`.

# %%
df = lambda z: sp.Subs(sp.Derivative(f(S.z), S.z), S.z, z).doit()  # noqa: E731
dp0 = df(u1[0])
grad_w1 = sp.diff(E, a1)
by_hand = dp0 * x * sum((p[1] if h1 else 1 - p[1]) * (q((1, h1)) - q((0, h1))) for h1 in (0, 1))
assert sp.simplify(grad_w1 - by_hand) == 0
esg_w1 = sg_expectation(lambda h: df(w1 * h[0] + w2 * h[1] + b) * w1 * dp0 * x)

# with a linear downstream q(h) = alpha u2(h) + gamma the two coincide (smoothing is exact),
# whatever the hidden escape function: only the output's f is replaced
alpha, gamma = sp.symbols("alpha gamma", real=True)
q_lin = lambda h: alpha * (w1 * h[0] + w2 * h[1] + b) + gamma  # noqa: E731
diff_lin = sum((p[1] if h1 else 1 - p[1]) * (q_lin((1, h1)) - q_lin((0, h1))) for h1 in (0, 1)) \
    - sum(prob(h) * alpha * w1 for h in patterns)
assert sp.simplify(diff_lin) == 0

# %% [markdown]
# ## The paper's witness lands on the library
# Sigmoid escape noise `beta_N = 5` in both layers, `x = 1`, `W1 = (0.3, -0.2)`, `b1 = 0`,
# `W2 = (2, -1)`, `b2 = -0.5`.

# %%
beta = sp.Integer(5)
sig = sp.Lambda(S.z, 1 / (1 + sp.exp(-beta * S.z)))
vals = {x: 1, a1: sp.Rational(3, 10), a2: -sp.Rational(1, 5), c1: 0, c2: 0, w1: 2, w2: -1,
        b: -sp.Rational(1, 2)}


def at_witness(expr):
    return float(expr.subs(f, sig).doit().subs(vals).evalf(30))


f5 = escape.Sigmoid(5.0)
net = network.MLP([[[0.3], [-0.2]], [[2.0, -1.0]]], [[0.0, 0.0], [-0.5]], [f5, f5])
grad = network.expected_output_gradient(net, 1.0)
esg = network.expected_surrogate_gradient(net, 1.0)
assert abs(at_witness(E) - network.expected_output(net, 1.0)) < 1e-14
assert abs(at_witness(grad_w1) - grad[0][0][0, 0]) < 1e-13
assert abs(at_witness(esg_w1) - esg[0][0][0, 0]) < 1e-13
assert abs(at_witness(grad_w2) - grad[1][0][0, 0]) < 1e-13
print(f"witness: dE/dW1_0 = {at_witness(grad_w1):.6f}, E[SG]_W1_0 = {at_witness(esg_w1):.6f}")

# the library's own SymPy twin of E[y] is the same function of the parameters
twin = network.expected_output_expr(net, 1.0)
syms = network.parameter_symbols(net)
rename = {syms[0][0][0, 0]: a1, syms[0][0][1, 0]: a2, syms[0][1][0]: c1, syms[0][1][1]: c2,
          syms[1][0][0, 0]: w1, syms[1][0][0, 1]: w2, syms[1][1][0]: b}
mine = E.subs(f, sig).doit().subs(x, 1)
probe = {a1: 0.7, a2: -0.4, c1: 0.1, c2: 0.3, w1: -1.2, w2: 0.8, b: 0.25}
# the twin carries its numbers as 15-digit sympy Floats, so agreement is to ~1e-15
assert abs(float((twin.subs(rename) - mine).subs(probe).evalf(30))) < 1e-13

# %% [markdown]
# ## SG = input-smoothed stochastic derivative
# Conditioned on its input, `E[h | u] = f(u)`, so the smoothed derivative of each node is
# `f'(u)`: chaining them along a sampled path gives `f'(u2) W2_i f'(u1_i) x`, the SG.

# %%
rng = np.random.default_rng(0)
fwd = network.forward(net, 1.0, rng, 64)
chain = stochad.smoothed_chain_gradient(net, fwd, "input")
sg = network.surrogate_gradient(net, 1.0, forward_pass=fwd)
u2 = fwd.u[1][:, 0]
by_formula = f5.pdf(u2) * 2.0 * float(f5.pdf(0.3)) * 1.0
assert np.allclose(chain[0][0][:, 0, 0], by_formula, rtol=1e-14, atol=0)
assert np.array_equal(chain[0][0], sg[0][0])

# %% [markdown]
# ## The propagated right triple is unbiased
# With `h_0 = [U < p_0]`: the estimate `(1 - h_0)/(1 - p_0) (q(1, h_1) - q(0, h_1))` averages,
# over `U`, to `q(1, h_1) - q(0, h_1)`, i.e. `dE/dp_0`; times `f'(u1_0) x` it is `dE/dW1_0`.

# %%
pp, q1, q0 = sp.symbols("p q_1 q_0", positive=True)
est_mean = pp * 0 + (1 - pp) * (1 / (1 - pp)) * (q1 - q0)
assert sp.simplify(est_mean - (q1 - q0)) == 0

# %% [markdown]
# ## Finite differences with independent paths: variance ~ 1/eps^2
# For a binary output the central difference with independent paths has variance
# `[v(theta + eps) + v(theta - eps)] / (4 eps^2)`, `v = m (1 - m)`, so `eps^2 Var -> v/2`.

# %%
eps, m = sp.symbols("epsilon m", positive=True)
mf = sp.Function("m")
var = (mf(eps) * (1 - mf(eps)) + mf(-eps) * (1 - mf(-eps))) / (4 * eps**2)
lead = sp.limit((eps**2 * var).subs(mf, sp.Lambda(S.z, m + S.z)), eps, 0)
assert sp.simplify(lead - m * (1 - m) / 2) == 0
print("multilayer: all derivations land on the library's expressions")
