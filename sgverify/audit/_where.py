"""Where a surrogate acts, the first steps of an audit (:class:`_Where`, mixed into
:class:`sgverify.audit._core._Audit`): the scan, the main bump, the fine grid, the singular
points and the breakpoints."""

from __future__ import annotations

import math
import time
from typing import Any

import mpmath
import numpy as np

from . import _features as F
from . import _singular
from ._result import AuditResult, bare

__all__ = ["unique_sorted"]

_LOGS = np.logspace(-6, 6, 241)
# a feature's local grid, in units of its scale
_LOCAL = np.unique(np.concatenate([np.linspace(-10, 10, 201), np.logspace(-3, 4, 57),
                                   -np.logspace(-3, 4, 57)]))
_LOCAL_FINE = np.linspace(-40, 40, 1601)


def unique_sorted(*parts: Any) -> np.ndarray:
    """The finite values of all ``parts``, sorted, each once."""
    x = np.unique(np.concatenate([np.asarray(p, dtype=np.float64).ravel() for p in parts]))
    return x[np.isfinite(x)]


class _Where:
    """The steps that find where the surrogate acts; they fill in the audit's state."""

    def stop(self, verdict: str, reason: str, **extra: Any) -> AuditResult:
        extra.setdefault("checks", {**self.checks, "work": dict(self.sub.work.used)})
        return bare(self.sub.text, self.sub.params, verdict, reason,
                    seconds=time.perf_counter() - self.start, label=self.label,
                    kind=self.sub.kind, notes=tuple(self.notes),
                    singularities=tuple(self.singular), _g=self.g, **extra)

    # --- where the surrogate acts ----------------------------------------------------------
    def scan(self) -> AuditResult | None:
        sub, expr = self.sub, self.sub.expr
        self.kinks = (F.kinks(expr) if expr is not None else []) + sub.hint_kinks
        with mpmath.workdps(50):
            self.xkinks = (F.exact_kinks(expr) if expr is not None else []) + [
                mpmath.mpf(k) for k in sub.hint_kinks]
        self.coarse = np.concatenate([-_LOGS[::-1], [0.0], _LOGS, self.kinks])
        feats = F.formula_features(expr) if expr is not None else []
        feats += [(k, 1e-3 * max(abs(k), 1e-3)) for k in sub.hint_kinks]
        if sub.hint_support is not None:
            lo, hi = sub.hint_support
            feats += [(lo, (hi - lo) / 100), (hi, (hi - lo) / 100), ((lo + hi) / 2, hi - lo)]
        self.features = feats
        self.checks["features_from_formula"] = len(feats)
        self.gc = self.g(self.coarse)
        local = [c + s * _LOCAL for c, s in feats]
        self.x0 = unique_sorted(self.coarse, *local)
        self.y0 = self.g(self.x0)
        return None

    def locate(self) -> AuditResult | None:
        """The main bump: centre and width from the coarse grid, or from the features'
        grids as well when the coarse grid misses the peak (a far-off or narrow bump)."""
        def peak_of(x: np.ndarray, y: np.ndarray) -> tuple[float, int, np.ndarray]:
            a = np.abs(np.where(np.isfinite(y), y, 0.0))
            i = int(np.argmax(a))
            return float(a[i]), i, a

        top, imax, a = peak_of(self.coarse, self.gc)
        x = self.coarse
        top0, imax0, a0 = peak_of(self.x0, self.y0)
        if top0 > 1.5 * top or (top > 0 and np.count_nonzero(a >= top / 2) < 2):
            top, imax, a, x = top0, imax0, a0, self.x0
        if top == 0.0:
            if np.all(np.isfinite(self.y0)):
                n = self.x0.size
                where = (f"including {len(self.features)} features located from the formula"
                         if self.features else "v from -1e6 to 1e6, densest near 0")
                expr = self.sub.expr
                if expr is not None and expr.is_zero:
                    return self.stop("not a density", f"zero area (the formula is 0; zero on "
                                     f"all {n} sampled points, {where})")
                # samples cannot exclude a bump between them: only a formula that is 0 is
                # known to be 0 (a callable is seen only where it is sampled)
                return self.stop(
                    "inconclusive",
                    f"zero on all {n} sampled points ({where}), which does not exclude a "
                    "bump narrower than the grid or beyond |v| = 1e6; pass support=(low, "
                    "high) or kinks=[...] (a formula is analysed for its features)")
            self.scale, self.centre = 1e-6, 0.0
            return None
        big = x[a >= top / 2]
        span = float(big.max() - big.min())
        self.scale = span if span > 0 else 1e-6
        self.centre = float(x[imax])
        return None

    def refine(self) -> AuditResult | None:
        s, c = self.scale, self.centre
        spacing = 120 * s / 24000
        uncovered = [(fc, fs) for fc, fs in self.features
                     if abs(fc - c) > 60 * s or fs < 10 * spacing]
        self.uncovered = uncovered
        local = [fc + fs * _LOCAL_FINE for fc, fs in uncovered[:48]]
        # the main bump's grid (also the NumPy-vs-SymPy twin check's sample), then the rest
        self.base_fine = unique_sorted(c + np.linspace(-60 * s, 60 * s, 24001), self.coarse,
                                       np.linspace(-60 * s, 60 * s, 4001), self.kinks)
        self.fine = unique_sorted(self.base_fine, *local)
        self.gf = self.g(self.fine)
        support = self.sub.hint_support
        if support is not None:
            out = (self.fine < support[0]) | (self.fine > support[1])
            nz = np.flatnonzero(out & (self.gf != 0))
            if nz.size:
                at = float(self.fine[nz[0]])
                raise ValueError(f"support: the surrogate is {self.gf[nz[0]]:.6g} at v = "
                                 f"{at:.6g}, outside the support {support} given")
        return None

    def singularities(self) -> AuditResult | None:
        x, y = self.fine, self.gf
        bad = ~np.isfinite(y)
        cands: list[tuple[float, Any, float | None, str]] = []
        # runs of non-finite samples: an interval where it is undefined or overflows
        idx = np.flatnonzero(bad)
        for i in idx:
            nb = (i > 0 and bad[i - 1]) or (i + 1 < y.size and bad[i + 1])
            if nb:
                what = ("overflows float64" if np.isinf(y[i])
                        else "is undefined (NaN) or not evaluable")
                return self.stop("not a density", f"not finite: {what} at v = {x[i]:.6g}")
            cands.append((float(x[i]), None, None, "a sample that is not finite"))
        if self.sub.formula is not None:
            cands += F.denominator_zeros(self.sub.formula, x, _singular.near_zeros)
        else:
            cands += [(z, None, None, "a local maximum that grows without bound")
                      for z in _singular.spikes(self.g, x, y)]
        # the formula's exact zeros first, then points hit exactly, so that duplicates keep
        # the best-determined location and exponent
        seen: list[float] = []
        picked = []
        for c in sorted(cands, key=lambda c: (c[1] is None, c[3] != "a sample that is not "
                                               "finite", c[0])):
            if not any(abs(c[0] - s) <= 1e-12 * max(abs(c[0]), self.scale) for s in seen):
                seen.append(c[0])
                picked.append(c)
        for at, exact_at, order, text in sorted(picked, key=lambda c: c[0]):
            # probe within the local structure: up to half the distance to the next kink or
            # singular point, at most the bump's width (or 1% of |v| for a far-off point)
            w = max(self.scale, 1e-2 * abs(at))
            others = [k for k in [*self.kinks, *seen]
                      if abs(k - at) > 1e-12 * max(abs(at), self.scale)]
            if others:
                w = min(w, 0.5 * min(abs(at - k) for k in others))
            info = _singular.classify(self.g, at, max(w, 1e-300), order)
            info.update(source=text, exact_at=exact_at)
            if info["kind"] == "bounded" and np.isfinite(self.g(np.array([at]))[0]):
                continue
            self.singular.append(info)
        # report the best-determined pole: an exact exponent, then a point hit exactly
        def rank(info: dict[str, Any]) -> tuple[bool, bool, float]:
            hit = not np.isfinite(self.g(np.array([info["at"]]))[0])
            return (info["exact"] is None, not hit, abs(info["at"] - self.centre))

        for info in sorted(self.singular, key=rank):
            at = info["at"]
            if info["kind"] == "undefined":
                return self.stop("not a density", f"not finite: is undefined (NaN) on the "
                                 f"{info['side']} of v = {at:.6g}")
            if info["kind"] == "pole":
                p = info["exponent"]
                dist = f"|v - {at:.6g}|" if at > 0 else f"|v + {-at:.6g}|" if at < 0 else "|v|"
                grows = "beyond float64" if not math.isfinite(p) else (
                    f"like {dist}^-{p:g}" if info["exact"] is not None and
                    p == info["exact"] else f"like {dist}^-{p:.3f} (measured)")
                finite = "" if np.isfinite(self.g(np.array([at]))[0]) else "not finite at "
                return self.stop("not a density",
                                 f"not integrable: {finite or 'a pole at '}v = {at:.6g}, where "
                                 f"|SD| grows {grows} (from {info['source']})",
                                 integrable=False)
        keep = np.isfinite(y)
        self.fine, self.gf = x[keep], y[keep]
        return None

    # --- breakpoints -----------------------------------------------------------------------
    def breakpoints(self) -> None:
        peak = float(np.max(np.abs(self.gf)))
        known = [*self.kinks, *(s["at"] for s in self.singular)]
        found, counts = F.sample_breaks(self.g, self.fine, self.gf, peak, known=known)
        self.checks["breakpoints_from_samples"] = counts
        singular = [s["exact_at"] if s["exact_at"] is not None else s["at"]
                    for s in self.singular]
        with mpmath.workdps(50):
            self.located = sorted({*self.xkinks, *(mpmath.mpf(f) for f in found),
                                   *(mpmath.mpf(s) for s in singular)})
        if found:
            self.fine = unique_sorted(self.fine, found)
            self.gf = self.g(self.fine)
            ok = np.isfinite(self.gf)
            self.fine, self.gf = self.fine[ok], self.gf[ok]
