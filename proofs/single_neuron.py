# %% [markdown]
# # Single neuron: SG = SPM gradient = smoothed stochastic derivative (docs/theory.md §§1, 3, 4)
#
# Each cell derives one step with SymPy and asserts that it lands on the expression the
# library ships (`sgverify.neuron`, `sgverify.stochad`).

# %%
import sympy as sp

from sgverify import neuron, stochad
from sgverify import symbols as S

f, w, x, theta, p = S.f, S.w, S.x, S.theta, S.p
u = w * x - theta

# %% [markdown]
# ## 1. Expected output: y in {0, 1}, P(y = 1) = f(u), so E[y] = f(u)

# %%
E_y = 1 * f(u) + 0 * (1 - f(u))
assert sp.simplify(E_y - neuron.expected_output_expr()) == 0

# %% [markdown]
# ## 2. SPM gradient: dE[y]/dw = f'(u) x, the SG with SD = f' (and only with it)

# %%
spm = sp.diff(E_y, w).doit()
assert sp.simplify(spm - neuron.spm_gradient_expr()) == 0
sd = sp.Function("SD")
sg = neuron.surrogate_gradient_expr(sd)
# SG - SPM = (SD(u) - f'(u)) x: zero for every x iff SD = f' at u
gap = sp.simplify(sg - spm)
fprime_at_u = sp.Subs(sp.Derivative(f(S.z), S.z), S.z, u)
assert sp.simplify(gap - (sd(u) - fprime_at_u) * x) == 0

# %% [markdown]
# ## 3. Mismatched sigmoids differ at u = 0 by (beta_SG - beta_N)/4

# %%
sig = lambda b, a: 1 / (1 + sp.exp(-b * a))  # noqa: E731
d0 = (sp.diff(sig(S.beta_sg, S.z), S.z) - sp.diff(sig(S.beta_n, S.z), S.z)).subs(S.z, 0)
assert sp.simplify(d0 - (S.beta_sg - S.beta_n) / 4) == 0

# %% [markdown]
# ## 4. Bernoulli stochastic derivatives: right and left both have mean 1 per unit p
#
# Right: X = 0 (prob 1-p) jumps to 1 with weight 1/(1-p). Left: X = 1 (prob p) jumps to 0
# with weight -1/p, so weight (Y - X) = 1/p.

# %%
right_mean = (1 - p) * (1 / (1 - p)) * (1 - 0)
left_mean = p * (-1 / p) * (0 - 1)
assert sp.simplify(right_mean - 1) == 0 and sp.simplify(left_mean - 1) == 0
assert stochad.exact_moments_expr("right")[0] == 1
assert stochad.exact_moments_expr("left")[0] == 1

# %% [markdown]
# ## 5. Smoothing: input-conditioned gives f'(u) x; two-sided variance (1-2p)^2/(4p(1-p))

# %%
two_sided = {1: 1 / (2 * p), 0: 1 / (2 * (1 - p))}
mean = p * two_sided[1] + (1 - p) * two_sided[0]
var = p * (two_sided[1] - mean) ** 2 + (1 - p) * (two_sided[0] - mean) ** 2
assert sp.simplify(mean - 1) == 0
assert sp.simplify(var - (1 - 2 * p) ** 2 / (4 * p * (1 - p))) == 0
assert sp.simplify(var - stochad.exact_moments_expr("output")[1]) == 0

# %% [markdown]
# ## 6. Deterministic limit: sigma_beta(u) -> H(u) for u != 0

# %%
up = sp.Symbol("u_pos", positive=True)
s = 1 / (1 + sp.exp(-S.beta * up))
assert sp.limit(s, S.beta, sp.oo) == 1
assert sp.limit(1 / (1 + sp.exp(S.beta * up)), S.beta, sp.oo) == 0

# %% [markdown]
# ## 7. Non-linear loss caveat: gap between average SG and dE[L]/dw is f'(u) x (2 f(u) - 1)

# %%
y, t = sp.symbols("y t", real=True)
L = (y - t) ** 2
q = f(w * x)
exact = sp.diff(q * L.subs(y, 1) + (1 - q) * L.subs(y, 0), w)
avg_sg = sp.diff(q, w) * (q * sp.diff(L, y).subs(y, 1) + (1 - q) * sp.diff(L, y).subs(y, 0))
assert sp.simplify(avg_sg - exact - sp.diff(q, w) * (2 * q - 1)) == 0
print("single neuron: all derivations land on the library's expressions")
