# %% [markdown]
# # Surrogate gradients are not gradients (docs/theory.md §6, paper Figs. 4-5)
#
# Derivations behind the `toynet.*` claims, each asserting that it lands on the library's
# expressions: (1) the SG field at beta_SG = b is the gradient; (2) the sign of SG_w in the
# Fig. 4B network and its critical beta_SG in closed form; (3) the curl of the SG field in
# closed form; (4) Stokes: a small loop integral is the curl times the enclosed area.

# %%
import numpy as np
import sympy as sp

from sgverify import paths, toynet
from sgverify import symbols as S

w, v1, v2, u1, u2 = toynet.THETA
b, bsg, x, z = S.beta, S.beta_sg, S.x, S.z

# %% [markdown]
# ## 1. The sigmoid density is b / (4 cosh^2(b z / 2)), and SG(b, b) = grad y

# %%
sd = toynet.sigmoid_derivative_expr(z, b)
assert sp.simplify((sd - b / (4 * sp.cosh(b * z / 2) ** 2)).rewrite(sp.exp)) == 0
y = toynet.output_expr(b, x)
field_at_b = toynet.sg_field_expr(b, b, x)
for i, t in enumerate(toynet.THETA):
    assert sp.simplify(sp.diff(y, t) - field_at_b[i]) == 0, toynet.PARAMS[i]

# %% [markdown]
# ## 2. Fig. 4B: the sign of SG_w
#
# SG_w = SD(s) SD(w x) x * (u1 v1 SD(v1 g) + u2 v2 SD(v2 g)); the prefactor is positive. With
# u1 = -u2 = 1 and v2 = 2 v1, writing a = beta_SG v1 g / 2 and c = cosh a (cosh 2a = 2c^2 - 1),
# the sum vanishes when v1 / cosh^2 a = 2 v1 / cosh^2 2a, i.e. (2 c^2 - 1)^2 = 2 c^2.

# %%
c = sp.Symbol("c", positive=True)
roots = [r for r in sp.solve((2 * c**2 - 1) ** 2 - 2 * c**2, c) if r > 1]
assert len(roots) == 1
c_star = roots[0]
assert sp.simplify(c_star - (sp.sqrt(2) + sp.sqrt(10)) / 4) == 0
t_star = 2 / v1 * sp.acosh(c_star)                     # beta_SG * g at the sign change
assert sp.simplify(t_star - toynet.flip_product_expr()) == 0
t_val = float(t_star.subs(v1, sp.Rational(1, 20)))
assert abs(t_val - toynet.flip_product(0.05)) <= 1e-13 * t_val

# the balance holds at t*: check at 50 digits with the sigmoid form of SD
t = sp.Symbol("t", positive=True)
sd_t = lambda zz: t * sp.exp(-t * zz) / (1 + sp.exp(-t * zz)) ** 2  # noqa: E731
bal = (v1 * sd_t(v1) - 2 * v1 * sd_t(2 * v1)).subs(v1, sp.Rational(1, 20))
assert abs(sp.N(bal.subs(t, t_star.subs(v1, sp.Rational(1, 20))), 50)) < 1e-45

# g = sigma_b(w x) peaks at the scan's right end w_max = 0.2: SG_w changes sign on the scan
# exactly when beta_SG sigma(0.2 b) > t*
crit = toynet.critical_beta_sg(100.0, 1.0, 0.05, 0.2)
w_max = sp.Symbol("w_max", real=True)
crit_expr = toynet.critical_beta_sg_expr().subs({v1: sp.Rational(1, 20), b: 100, x: 1,
                                                 w_max: sp.Rational(1, 5)})
assert abs(float(crit_expr) - crit) <= 1e-13 * crit
print(f"t* = {t_star}  ->  critical beta_SG = {crit:.10f}")

# the true derivative (beta_SG = b = 100) changes sign at g = t*/100: the minimum of y
w_true = float(sp.log((t_star / 100) / (1 - t_star / 100)).subs(v1, sp.Rational(1, 20))) / 100
assert abs(w_true - toynet.sg_w_zero(100.0, 100.0)) <= 1e-15
print(f"true minimum of y at w = {w_true:.9f}")

# %% [markdown]
# ## 3. The curl of the SG field
#
# d SG_{u1} / d v1 - d SG_{v1} / d u1 = g (sigma'_b(z1) - SD(z1)) (SD(s) + u1 h1 SD'(s)):
# zero for every theta iff SD = sigma'_b, i.e. beta_SG = b.

# %%
F = toynet.sg_field_expr(b, bsg, x)
sig, sd_ = toynet.sigmoid_expr, toynet.sigmoid_derivative_expr
g = sig(w * x, b)
s = u1 * sig(v1 * g, b) + u2 * sig(v2 * g, b)
sdp = sp.diff(sd_(z, bsg), z).subs(z, s)
closed = g * (sd_(v1 * g, b) - sd_(v1 * g, bsg)) * (sd_(s, bsg) + u1 * sig(v1 * g, b) * sdp)
assert sp.simplify(sp.diff(F[3], v1) - sp.diff(F[1], u1) - closed) == 0
assert closed.subs(bsg, b) == 0
# at beta_SG = b the Jacobian is the Hessian: spot-check entries of every kind symbolically
for i, j in ((0, 1), (1, 3), (2, 4)):
    d = sp.diff(field_at_b[i], toynet.THETA[j]) - sp.diff(field_at_b[j], toynet.THETA[i])
    assert sp.simplify(d) == 0, (i, j)

# the hand-written NumPy Jacobian carries the same asymmetry
th = np.array([0.3, -0.8, 1.2, 0.7, -1.1])
J = toynet.sg_jacobian(th, 0.9, 5.0, 1.0)
num = float(sp.N(closed.subs({w: 0.3, v1: -0.8, v2: 1.2, u1: 0.7, u2: -1.1, x: 0.9, b: 5,
                              bsg: 1}), 30))
assert abs((J[3, 1] - J[1, 3]) - num) <= 1e-13 * max(1.0, abs(num))

# %% [markdown]
# ## 4. Stokes on a small circle: the loop integral is minus pi r^2 times the curl component
#
# theta(phi) = c + r sin(phi) d1 + r cos(phi) d2 runs clockwise in the (d1, d2) coordinates,
# so Green's theorem gives  ∮ SG . dtheta = -pi r^2 (d2^T J d1 - d1^T J d2) + O(r^4).

# %%
d1, d2 = toynet.DIRECTIONS["published"]
for bs in (1.0, 5.0):
    for r in (1e-2, 1e-3):
        circle = paths.Circle(th, d1, d2, r)
        loop = paths.loop_integral(lambda p, bs=bs: toynet.sg_field(p, 0.9, 5.0, bs), circle,
                                   256).value
        Jc = toynet.sg_jacobian(th, 0.9, 5.0, bs)
        stokes = -np.pi * r**2 * (d2 @ Jc @ d1 - d1 @ Jc @ d2)
        # the O(r^4) remainder: relative error ~ (r * curvature scale)^2 with scale ~ b = 5
        assert abs(loop - stokes) <= 100 * r**2 * abs(stokes) + 1e-15, (bs, r, loop, stokes)
print("toynet: all derivations land on the library's expressions")
