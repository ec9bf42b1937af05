# %% [markdown]
# # Stochastic SNN training (docs/theory.md §7): initialisation, kernel, Fano factors
#
# Three derivations that the training code relies on, each checked against the library.

# %%
import math

import numpy as np
import sympy as sp

from sgverify.snn import losses, metrics, network

t, w = sp.symbols("t w", positive=True)
tm, ts = sp.symbols("tau_m tau_s", positive=True)

# %% [markdown]
# ## Fluctuation-driven initialisation: eps_hat = int PSP^2 dt / w^2 = tau_s^2 / (2 (tau_s + tau_m))
# A unit weight's current `I = w e^{-t/tau_s}` drives `tau_m U' = -U + I`, so
# `U = w tau_s / (tau_s - tau_m) (e^{-t/tau_s} - e^{-t/tau_m})`. By Campbell's theorem
# `Var U = n nu int U^2 dt`, so `s = sigma_U / sqrt(n nu eps_hat)`.

# %%
U = w * ts / (ts - tm) * (sp.exp(-t / ts) - sp.exp(-t / tm))
assert sp.simplify(tm * sp.diff(U, t) + U - w * sp.exp(-t / ts)) == 0   # it solves the ODE
assert U.subs(t, 0) == 0
# the prefactor is pulled out (SymPy otherwise splits off the tau_s = tau_m case)
shape_integral = sp.integrate(sp.expand((sp.exp(-t / ts) - sp.exp(-t / tm)) ** 2), (t, 0, sp.oo))
eps_hat = sp.simplify((ts / (ts - tm)) ** 2 * shape_integral)
assert sp.simplify(eps_hat - ts**2 / (2 * (ts + tm))) == 0
val = float(eps_hat.subs({ts: sp.Rational(1, 100), tm: sp.Rational(2, 100)}))
scale = network.fluctuation_scale(20, 10.0, 1.0, 20e-3, 10e-3)
assert abs(scale - 1 / math.sqrt(20 * 10 * val)) < 1e-12

# %% [markdown]
# ## The van Rossum kernel as two exponential traces
# `eps(k dt) = 0.2 (a_m^k - a_s^k)` with `a = e^{-dt/tau}`: the impulse response of the library's
# filter is exactly the sampled kernel (and 0 at k = 0).

# %%
dt, tau_m, tau_s = 1e-3, 10e-3, 5e-3
impulse = np.zeros((40, 1))
impulse[0] = 1.0
k = np.arange(40)
kernel = 0.2 * (np.exp(-k * dt / tau_m) - np.exp(-k * dt / tau_s))
assert np.allclose(losses.filter_spikes(impulse, dt, tau_m, tau_s)[:, 0], kernel, atol=1e-15)
# the continuous kernel peaks at t* = ln(tau_m/tau_s) tau_m tau_s / (tau_m - tau_s)
eps = sp.Rational(1, 5) * (sp.exp(-t / tm) - sp.exp(-t / ts))
t_star = sp.solve(sp.diff(eps, t), t)[0]
peak = float(t_star.subs({tm: sp.Rational(1, 100), ts: sp.Rational(1, 200)}))
assert abs(peak - math.log(2) * 0.01) < 1e-15
assert abs(int(np.argmax(kernel)) * dt - peak) <= dt

# %% [markdown]
# ## Per-bin Fano factor: Var/mean of a Bernoulli bin is 1 - p
# With the population variance, a 0/1 bin fired with frequency `p` over trials has variance
# `p (1 - p)` and mean `p`: the ratio is `1 - p` whatever the network, so per-bin values say
# nothing about variability. Windowed counts of a deterministic network have variance 0.

# %%
p = sp.Symbol("p", positive=True)
var = p * (1 - p) ** 2 + (1 - p) * p**2          # E[(X - p)^2] over X in {0, 1}
assert sp.simplify(var / p - (1 - p)) == 0
rng = np.random.default_rng(0)
spikes = (rng.random((30, 8, 2, 5)) < 0.3).astype(float)
res = metrics.fano_per_bin(spikes)
assert abs(res["fano"] - res["one_minus_p"]) < 1e-12
frozen = np.repeat(spikes[:, :1], 8, axis=1)      # every trial identical
assert metrics.fano_windowed(frozen, 10)["fano"] == 0.0
print("SNN: eps_hat, the van Rossum kernel and the Fano caveats land on the library")
