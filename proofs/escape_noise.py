# %% [markdown]
# # The escape-noise atlas (docs/theory.md §2)
#
# For every family we derive, with symbolic parameters, that the density the library ships
# is the derivative of its CDF, that the density has area 1 and that the CDF runs from 0 to 1.
# The script asserts that each derivation lands on the library's own expressions.

# %%
import sympy as sp

from sgverify import escape
from sgverify import symbols as S
from sgverify.claims import is_zero_everywhere

# %% [markdown]
# ## Sigmoid by hand: d/dv 1/(1+e^{-beta v}) = beta sigma (1 - sigma)

# %%
sigma = 1 / (1 + sp.exp(-S.beta * S.v))
by_hand = S.beta * sigma * (1 - sigma)
assert sp.simplify(sp.diff(sigma, S.v) - by_hand) == 0
assert sp.simplify(by_hand - escape.Sigmoid().pdf_expr(symbolic=True)) == 0
# peak at v = 0 is beta/4
assert sp.simplify(by_hand.subs(S.v, 0) - S.beta / 4) == 0

# %% [markdown]
# ## Every family: f' = d f / dv piecewise, and the density integrates to 1

# %%
for cls in escape.FAMILIES:
    fam = cls()
    cdf, pdf = fam.cdf_expr(symbolic=True), fam.pdf_expr(symbolic=True)
    assert is_zero_everywhere(sp.diff(cdf, S.v) - pdf), cls.name
    if fam.has_density:
        assert sp.simplify(sp.integrate(pdf, (S.v, -sp.oo, sp.oo))) == 1, cls.name

# %% [markdown]
# ## SuperSpike is a rescaled fast-sigmoid density: area 2/beta

# %%
superspike = 1 / (S.beta * sp.Abs(S.v) + 1) ** 2
ratio = sp.simplify(superspike / escape.FastSigmoid().pdf_expr(symbolic=True))
assert ratio == 2 / S.beta
print("escape-noise atlas: all derivations land on the library's expressions")
