r"""Deterministic shallow approximants :math:`g(x)=a_0+a\cdot x+\sum_j c_j\,\mathrm{relu}(w_j\cdot x+b_j)` of a target.

The graph lift of the uniform construction flows along :math:`v=(0,g(x))`, so its whole
approximation error is :math:`\|f-g\|_\infty`.  Two routes:

* :math:`d_x=1`: exact piecewise-linear interpolation at equispaced knots :math:`t_k`
  (:func:`pl_interpolant`); the hinge coefficients are the slope jumps, and
  :math:`\|f-g\|_\infty\le\min(L h/2,\ H h^2/8)` for an :math:`L`-Lipschitz or
  :math:`\|f''\|\le H` target (:math:`h` the knot spacing).
* :math:`d_x\ge2`: linear least squares on a fixed ridge dictionary (``n_dir`` directions
  on the half-sphere, ``n_bias`` equispaced offsets each, plus the affine terms) over a
  tensor grid, Tikhonov-regularised (:func:`ridge_fit`).  This is one direct linear solve on
  fixed features (no iterative optimiser); the result is then *certified*:
  :func:`certified_sup` bounds :math:`\sup_K|f-g|\le\max_{\text{grid}}|f-g|+(L_f+L_g)\,r` with
  :math:`r` the grid's covering radius and :math:`L_g\le\|a\|+\sum_j|c_j|\|w_j\|`.

>>> import numpy as np
>>> from fractions import Fraction as Q
>>> g = pl_interpolant([Q(0), Q(1, 2), Q(1)], [[Q(0)], [Q(1)], [Q(0)]])[0]   # the hat
>>> g(np.array([[0.25], [0.5], [0.75]])).ravel().tolist()
[0.5, 1.0, 0.5]
>>> len(g.neurons), g.lipschitz()
(1, 2.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from fractions import Fraction
from typing import Any, Callable, Sequence

import numpy as np

from uat.domains import Box
from uat.errors import ParameterError

from ._leaky_machine import Q

__all__ = ["Shallow", "pl_interpolant", "ridge_fit", "certified_sup", "directions"]


@dataclass(frozen=True)
class Shallow:
    """A shallow ReLU function with exact rational coefficients (one output)."""

    a0: Fraction
    a: tuple[Fraction, ...]
    neurons: tuple[tuple[Fraction, tuple[Fraction, ...], Fraction], ...]  # (c, w, b)

    @property
    def input_dim(self) -> int:
        """The input dimension of the shallow network."""
        return len(self.a)

    @cached_property
    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """float64 copies (a, W, b, c) of the coefficients."""
        a = np.array([float(v) for v in self.a])
        W = np.array([[float(v) for v in w] for _, w, _ in self.neurons]).reshape(-1, self.input_dim)
        b = np.array([float(bb) for _, _, bb in self.neurons])
        c = np.array([float(cc) for cc, _, _ in self.neurons])
        return a, W, b, c

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float).reshape(-1, self.input_dim)
        a, W, b, c = self._arrays
        out = float(self.a0) + x @ a
        if self.neurons:
            for s in range(0, x.shape[0], 1 << 15):
                out[s:s + (1 << 15)] += np.maximum(x[s:s + (1 << 15)] @ W.T + b, 0.0) @ c
        return out[:, None]

    def local_gradient_bound(self, x: np.ndarray, r: float) -> np.ndarray:
        r"""Per point, a bound of :math:`\|\nabla g\|_2` on the ball of radius ``r`` around it:
        :math:`\|a+\sum_{u_j>r\|w_j\|}c_jw_j\|+\sum_{|u_j|\le r\|w_j\|}|c_j|\|w_j\|`."""
        x = np.asarray(x, dtype=float).reshape(-1, self.input_dim)
        a, W, b, c = self._arrays
        if not self.neurons:
            return np.full(x.shape[0], float(np.linalg.norm(a)))
        wn = np.linalg.norm(W, axis=1)
        out = np.empty(x.shape[0])
        for s in range(0, x.shape[0], 1 << 14):
            u = x[s:s + (1 << 14)] @ W.T + b
            on = u > r * wn
            cross = np.abs(u) <= r * wn
            grad = a + (on * c) @ W
            out[s:s + (1 << 14)] = np.linalg.norm(grad, axis=1) + (cross * np.abs(c)) @ wn
        return out

    def lipschitz(self) -> float:
        """The exact Lipschitz constant for d_x = 1 (max |slope| over the pieces); else the bound
        ||a|| + sum_j |c_j| ||w_j|| (Euclidean)."""
        if self.input_dim == 1 and self.neurons:
            ws = np.array([float(w[0]) for _, w, _ in self.neurons])
            cs = np.array([float(c) for c, _, _ in self.neurons])
            bs = np.array([float(b) for _, _, b in self.neurons])
            brk = np.sort(-bs[ws != 0] / ws[ws != 0])
            probes = np.concatenate([[brk[0] - 1.0], (brk[1:] + brk[:-1]) / 2, [brk[-1] + 1.0]]) if brk.size else np.zeros(1)
            slopes = float(self.a[0]) + ((probes[:, None] * ws + bs) > 0) @ (cs * ws)
            return float(np.max(np.abs(slopes)))
        la = math.sqrt(sum(float(v) ** 2 for v in self.a))
        return la + sum(abs(float(c)) * math.sqrt(sum(float(v) ** 2 for v in w)) for c, w, _ in self.neurons)


def pl_interpolant(knots: Sequence[Fraction], values: Sequence[Sequence[Fraction]]) -> list[Shallow]:
    """Exact PL interpolants (one per output) through (t_k, y_k); linear beyond the end knots."""
    t = [Q(v) for v in knots]
    if len(t) < 2 or any(b <= a for a, b in zip(t, t[1:])):
        raise ParameterError("PL interpolation needs at least two strictly increasing knots")
    Y = [[Q(v) for v in row] for row in values]
    out = []
    for j in range(len(Y[0])):
        y = [row[j] for row in Y]
        s = [(y[k + 1] - y[k]) / (t[k + 1] - t[k]) for k in range(len(t) - 1)]
        a0 = y[0] - s[0] * t[0]
        neurons = tuple((s[k] - s[k - 1], (Fraction(1),), -t[k]) for k in range(1, len(s)) if s[k] != s[k - 1])
        out.append(Shallow(a0, (s[0],), neurons))
    return out


def directions(d: int, n_dir: int) -> np.ndarray:
    """``n_dir`` deterministic unit directions on the half-sphere of R^d (angles for d = 2,
    a Fibonacci lattice for d = 3, axes plus Halton-like points otherwise)."""
    if d == 2:
        th = np.pi * np.arange(n_dir) / n_dir
        return np.stack([np.cos(th), np.sin(th)], axis=1)
    if d == 3:
        k = np.arange(n_dir) + 0.5
        z = k / n_dir  # upper half-sphere
        phi = np.pi * (1 + 5**0.5) * k
        r = np.sqrt(1 - z**2)
        return np.stack([r * np.cos(phi), r * np.sin(phi), z], axis=1)
    primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29][:d]
    pts = []
    for i in range(1, n_dir + 1):
        v = []
        for p in primes:
            f, r, n = 1.0, 0.0, i
            while n:
                f /= p
                r += f * (n % p)
                n //= p
            v.append(2 * r - 1)
        v = np.array(v)
        pts.append(v / (np.linalg.norm(v) or 1.0))
    return np.array(pts)


def ridge_fit(f: Callable[[np.ndarray], np.ndarray], box: Box, *, n_dir: int, n_bias: int, n_grid: int,
              ridge: float = 1e-10, dyadic_bits: int = 20) -> tuple[list[Shallow], dict[str, Any]]:
    """Least squares on the fixed dictionary {relu(w.x - t)} plus affine terms (one Shallow per output).

    Directions and offsets are rounded to dyadic rationals with ``dyadic_bits`` bits, so the
    network weights are short exact rationals; the coefficients are the exact binary values
    of the float64 solution.
    """
    d = box.dim
    D = directions(d, n_dir)
    scale = 2.0**dyadic_bits
    D = np.round(D * scale) / scale
    lo, hi = box.lo_array, box.hi_array
    X = box.grid(n_grid)
    feats = [np.ones((X.shape[0], 1)), X]
    dict_w, dict_b = [], []
    for w in D:
        proj_lo = float(np.clip(w, 0, None) @ lo + np.clip(w, None, 0) @ hi)
        proj_hi = float(np.clip(w, 0, None) @ hi + np.clip(w, None, 0) @ lo)
        ts = proj_lo + (proj_hi - proj_lo) * (np.arange(n_bias) + 0.5) / n_bias
        ts = np.round(ts * scale) / scale
        for t in ts:
            dict_w.append(w)
            dict_b.append(-t)
    Wd = np.array(dict_w)
    bd = np.array(dict_b)
    feats.append(np.maximum(X @ Wd.T + bd, 0.0))
    Phi = np.hstack(feats)
    Y = np.asarray(f(X), dtype=float).reshape(X.shape[0], -1)
    # Tikhonov-regularised normal equations on unit-norm columns (one direct solve)
    cn = np.linalg.norm(Phi, axis=0)
    cn[cn == 0] = 1.0
    Ps = Phi / cn
    G = Ps.T @ Ps
    G[np.diag_indices_from(G)] += ridge * max(1.0, float(np.trace(G)) / G.shape[0])
    coef = np.linalg.solve(G, Ps.T @ Y) / cn[:, None]
    out = []
    for j in range(Y.shape[1]):
        cj = coef[:, j]
        a0 = Q(float(cj[0]))
        a = tuple(Q(float(v)) for v in cj[1:1 + d])
        neurons = tuple(
            (Q(float(c)), tuple(Q(float(v)) for v in w), Q(float(b)))
            for c, w, b in zip(cj[1 + d:], Wd, bd) if c != 0.0
        )
        out.append(Shallow(a0, a, neurons))
    info = {"n_dir": n_dir, "n_bias": n_bias, "n_grid": n_grid, "ridge": ridge, "dictionary": len(bd)}
    return out, info


def certified_sup(gs: Sequence[Shallow], f: Callable[[np.ndarray], np.ndarray], box: Box, lip_f: float,
                  n_cells: int, *, max_points: int = 4_000_000) -> tuple[float, float]:
    r"""(certified bound, sampled maximum) of :math:`\sup_K\|f-g\|_2`, over ``n_cells`` cells per axis.

    On each cell with centre :math:`x_0` and half-diagonal :math:`r`:
    :math:`\|f-g\|\le\|f-g\|(x_0)+(L_f+L_g(x_0,r))\,r`, with the local gradient bound
    :meth:`Shallow.local_gradient_bound` (rigorous up to float64 rounding of the evaluations).
    """
    d = box.dim
    if n_cells**d > max_points:
        raise ParameterError(f"certification with {n_cells}^{d} cells exceeds the budget of {max_points}")
    h = box.widths / n_cells
    axes = [box.lo_array[i] + h[i] * (np.arange(n_cells) + 0.5) for i in range(d)]
    mesh = np.meshgrid(*axes, indexing="ij")
    X = np.stack([m.ravel() for m in mesh], axis=1)
    r = 0.5 * float(np.sqrt(np.sum(h**2)))
    worst = bound = 0.0
    for s in range(0, X.shape[0], 1 << 16):
        xs = X[s:s + (1 << 16)]
        G = np.hstack([g(xs) for g in gs])
        F = np.asarray(f(xs), dtype=float).reshape(xs.shape[0], -1)
        e = np.linalg.norm(G - F, axis=1)
        lg = np.sqrt(sum(g.local_gradient_bound(xs, r) ** 2 for g in gs))
        worst = max(worst, float(np.max(e)))
        bound = max(bound, float(np.max(e + (lip_f + lg) * r)))
    return bound, worst
