# %% [markdown]
# # The discrete LIF neuron (docs/theory.md §1): Perceptron limit, reset variants, BPTT
#
# We write the LIF update with SymPy, expand it for vanishing decays, and check that the
# library's roll-out (`sgverify.lif.LIF.run`), its Perceptron comparison
# (`sgverify.lif.perceptron_gap`) and its backward pass (`LIF.backward`) land on the
# same expressions.

# %%
import numpy as np
import sympy as sp

from sgverify import escape, lif

a_m, a_s = sp.symbols("a_m a_s", positive=True)
u1, i1, s1, wx0, wx1, theta = sp.symbols("U_1 I_1 S_1 Wx_0 Wx_1 theta", real=True)

# %% [markdown]
# ## Perceptron limit of the decay reset
# `I[n+1] = a_s I[n] + W x[n]`, `U[n+2] = a_m U[n+1] (1 - S[n+1]) + (1 - a_m) I[n+1]`.
# With `I[n] = Wx_1` (the previous pattern) the gap `U[n+2] - W x[n]` is

# %%
i_next = a_s * i1 + wx0
u_decay = a_m * u1 * (1 - s1) + (1 - a_m) * i_next
gap = sp.expand(u_decay - wx0)
assert gap.subs({a_m: 0, a_s: 0}) == 0          # the Perceptron: U[n+2] = W x[n]
first_order = sp.expand(sp.diff(gap, a_m).subs({a_m: 0, a_s: 0}))
assert sp.simplify(first_order - (u1 * (1 - s1) - wx0)) == 0
# the gap is linear in a_m and a_s at leading order: it closes like exp(-dt/tau_max)
print("decay reset: gap =", sp.factor(gap))

# %% [markdown]
# ## The full reset keeps a refractory step
# `U[n+2] = (a_m U[n+1] + (1 - a_m) I[n+1]) (1 - S[n+1])` tends to `W x[n] (1 - S[n+1])`.

# %%
u_full = (a_m * u1 + (1 - a_m) * i_next) * (1 - s1)
limit_full = sp.expand(u_full.subs({a_m: 0, a_s: 0}))
assert sp.simplify(limit_full - wx0 * (1 - s1)) == 0
assert limit_full.subs(s1, 1) == 0                 # after a spike the input is wiped out

# the library shows the same: constant strong input, plain Perceptron fires every step
out = lif.perceptron_gap(np.array([[2.0]]), np.ones((6, 1)), 30.0, reset="full")
assert out["H"][:, 0].tolist() == [1.0] * 6
assert out["S"][:, 0].tolist() == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]
out = lif.perceptron_gap(np.array([[2.0]]), np.ones((6, 1)), 30.0, reset="decay")
assert out["S"][:, 0].tolist() == [1.0] * 6 and out["gap"] < 1e-12

# %% [markdown]
# ## BPTT through the reset
# One input pulse `c0` at step 0 of a smooth layer (spike `S = sigma_3(U - theta)`):
# `I[1] = c0`, `U[2] = (1 - a_m) c0`, `I[2] = a_s c0`,
# `U[3] = a_m U[2] (1 - S(U[2])) + (1 - a_m) I[2]`. SymPy differentiates `U[3]` with respect
# to `c0`; the library's backward pass with `dL/dU[3] = 1` must give the same number.

# %%
c0 = sp.Symbol("c0", real=True)
b = 3
layer = lif.LIF(dt=1e-3, tau_mem=10e-3, tau_syn=5e-3, reset="decay")
am, as_ = sp.exp(-sp.Rational(1, 10)), sp.exp(-sp.Rational(1, 5))
U2 = (1 - am) * c0
S2 = 1 / (1 + sp.exp(-b * (U2 - 1)))
U3 = am * U2 * (1 - S2) + (1 - am) * as_ * c0
dU3 = sp.diff(U3, c0)

f = escape.Sigmoid(float(b))
for c_val in (5.0, 10.5, 14.0):
    c = np.zeros((4, 1))
    c[0] = c_val
    tr = layer.run(c, f, "smooth")
    assert abs(tr.U[3, 0] - float(U3.subs(c0, c_val))) < 1e-13
    grad_u = np.zeros((4, 1))
    grad_u[3] = 1.0
    g = layer.backward(tr, f, grad_u=grad_u)
    assert abs(g[0, 0] - float(dU3.subs(c0, c_val))) < 1e-13, (g[0, 0], float(dU3.subs(c0, c_val)))
    # dropping the reset path removes exactly the term through S(U[2])
    g_det = layer.backward(tr, f, grad_u=grad_u, detach_reset=True)
    no_reset_path = sp.diff(am * U2 * (1 - S2.subs(c0, sp.Float(c_val))) + (1 - am) * as_ * c0,
                            c0)
    assert abs(g_det[0, 0] - float(no_reset_path)) < 1e-13
print("LIF: Perceptron limit, full-reset refractoriness and BPTT land on the library")
