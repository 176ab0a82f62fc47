r"""The curve recipe: uniform witnesses of :math:`f:[a,b]\to\mathbb R^{d_y}`, :math:`d_y\ge3`, at width :math:`d_y`.

State :math:`(t,z)\in\mathbb R\times\mathbb R^{d_y-1}` (no extra slot).  Let :math:`F` be the PL
interpolant of :math:`f` at the knots and :math:`P=[u;Q]` an invertible (dyadic) matrix.  A
time-dependent velocity field with two pieces is flowed exactly (:mod:`constructions._leaky_flow`):

1. :math:`z\mathrel{+}=QF(t)` (ReLU shears reading :math:`t`);
2. :math:`t\mathrel{+}=h(z)` with :math:`h(QF(t))\approx uF(t)-t` on the curve (shears reading :math:`z`).

The state is then :math:`\approx PF(t)` and the output :math:`P^{-1}(t,z)`.  Two routes for :math:`h`:

* **monotone** (exact): if some direction :math:`w` makes :math:`w\cdot F` strictly increasing (a small
  LP), take :math:`w` as the first row of :math:`Q`; then :math:`h` is a 1-D PL function of
  :math:`z_1=w\cdot F(t)` and the network equals :math:`F` exactly.
* **generic projection** (certified): otherwise choose :math:`u` so that the projected polyline
  :math:`QF` is simple (generic for :math:`d_y-1\ge3`; for :math:`d_y=3` the planar projection must be
  crossing-free, the crossing condition), fit :math:`h` by least squares on a fixed ridge dictionary
  in :math:`z`, and certify :math:`\sup_t|h(QF(t))-(uF(t)-t)|` *exactly*: it is PL in :math:`t` with
  known breakpoints (the knots and the ridge hyperplane crossings).

Error: :math:`\|N-f\|\le\|F-f\|_\infty+\|P^{-1}e_1\|\,\sup_t|E(t)|`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from uat.domains import Box
from uat.errors import BudgetExceeded, ParameterError
from uat.targets import Target

from ._leaky_common import Modulus
from ._leaky_flow import FieldPiece, Neuron, VelocityField, realise_flow
from ._leaky_machine import LeakyMachine, Q, qzeros
from ._leaky_shallow import directions, pl_interpolant

__all__ = ["build_curve", "monotone_direction", "exact_inverse"]

_DY = 2**-20  # dyadic rounding of directions


def _dyadic(v: np.ndarray) -> list[Fraction]:
    return [Fraction(int(round(float(x) / _DY)), 2**20) for x in v]


def monotone_direction(F: np.ndarray) -> np.ndarray | None:
    """A direction w with w . (F_{k+1} - F_k) > 0 for every k (max-margin LP), or None."""
    from scipy.optimize import linprog

    dF = np.diff(F, axis=0)
    nrm = np.linalg.norm(dF, axis=1)
    if np.any(nrm == 0):
        return None
    A = dF / nrm[:, None]
    d = F.shape[1]
    # maximise s subject to  -A w + s <= 0,  -1 <= w <= 1
    res = linprog(c=np.r_[np.zeros(d), -1.0], A_ub=np.hstack([-A, np.ones((A.shape[0], 1))]),
                  b_ub=np.zeros(A.shape[0]), bounds=[(-1, 1)] * d + [(None, 1)], method="highs")
    if not res.success or res.x[-1] <= 1e-9:
        return None
    return res.x[:d]


def exact_inverse(P: list[list[Fraction]]) -> list[list[Fraction]]:
    """Gauss-Jordan inverse over the rationals (raises ParameterError if singular)."""
    n = len(P)
    A = [list(row) + [Fraction(int(i == j)) for j in range(n)] for i, row in enumerate(P)]
    for c in range(n):
        piv = next((r for r in range(c, n) if A[r][c] != 0), None)
        if piv is None:
            raise ParameterError("the output basis is singular")
        A[c], A[piv] = A[piv], A[c]
        inv = 1 / A[c][c]
        A[c] = [v * inv for v in A[c]]
        for r in range(n):
            if r != c and A[r][c] != 0:
                f = A[r][c]
                A[r] = [a - f * b for a, b in zip(A[r], A[c])]
    return [row[n:] for row in A]


def _complete_basis(first: list[list[Fraction]], d: int) -> list[list[Fraction]]:
    """Append standard basis vectors to the given rows until they form an invertible d x d matrix."""
    rows = [list(r) for r in first]
    for i in range(d):
        if len(rows) == d:
            break
        e = [Fraction(int(i == j)) for j in range(d)]
        if np.linalg.matrix_rank(np.array([[float(v) for v in r] for r in rows + [e]])) == len(rows) + 1:
            rows.append(e)
    if len(rows) != d:
        raise ParameterError("could not complete an invertible output basis")  # pragma: no cover
    return rows


def _segment_separation(G: np.ndarray) -> float:
    """Minimum distance between non-adjacent segments of the polyline G (sampled, for choosing u)."""
    K = G.shape[0] - 1
    s = np.linspace(0, 1, 9)
    pts = (G[:-1, None, :] + s[None, :, None] * (G[1:] - G[:-1])[:, None, :])  # (K, 9, m)
    best = math.inf
    for i in range(K):
        for j in range(i + 2, K):
            d = np.linalg.norm(pts[i][:, None, :] - pts[j][None, :, :], axis=2).min()
            best = min(best, float(d))
    return best


def _build(box: Box, alpha: Fraction, d_y: int, P: list[list[Fraction]], stage1: list[Any], stage2: list[Neuron],
           progress: Any) -> tuple[Any, dict]:
    N = d_y
    m = LeakyMachine(alpha, N, 1)
    T = qzeros(N, 1)
    T[0, 0] = Fraction(1)
    m.load_input(box, T, qzeros(N))
    n1 = []
    for j, g in enumerate(stage1, start=1):
        pad = lambda w0: (w0,) + (Fraction(0),) * (N - 1)  # noqa: E731
        if g.a0 != 0 or g.a[0] != 0:
            n1.append(Neuron(j, Fraction(1), pad(g.a[0]), g.a0, kind="affine"))
        for c, w, b in g.neurons:
            n1.append(Neuron(j, c, pad(w[0]), b, kind="relu"))
    field = VelocityField(N, (FieldPiece(Fraction(1), tuple(n1)), FieldPiece(Fraction(1), tuple(stage2))))
    adv = (lambda k: progress.advance(k)) if progress is not None else None
    rep = realise_flow(m, field, steps=1, progress=adv)
    Pinv = exact_inverse(P)
    net = m.finish(Pinv, [0] * N)
    rep.update(max_slot_bound=m.max_bound, pieces=2)
    return net, rep


def build_curve(target: Target, box: Box, mod: Modulus, eps_g: float, alpha: Fraction, *, knots: int | None = None,
                progress: Any = None, max_level: int = 5) -> tuple[Any, dict, float, dict]:
    """The width-d_y witness for d_x = 1 (see the module docstring); returns (net, params, bound, report)."""
    from ._leaky_graph import _knots_1d

    d_y = target.output_dim
    if box.dim != 1 or d_y < 3:
        raise ParameterError(f"the curve recipe needs d_x = 1 and d_y >= 3, got ({box.dim}, {d_y})")
    K = int(knots) if knots is not None else _knots_1d(box, mod, eps_g / 2)
    lo, hi = box.lo[0], box.hi[0]
    ts = [lo + (hi - lo) * Fraction(k, K) for k in range(K + 1)]
    Ff = target(np.array([[float(t)] for t in ts]))
    Fq = [[Q(float(v)) for v in row] for row in Ff]
    h = float(hi - lo) / K
    bF = []
    if mod.hessian is not None:
        bF.append(math.sqrt(d_y) * mod.hessian * h * h / 8)
    if mod.lipschitz is not None:
        bF.append(mod.lipschitz * h / 2)
    boundF = min(bF) if bF else math.inf
    w = monotone_direction(Ff)
    if w is not None:
        wq = _dyadic(w / np.max(np.abs(w)))
        s = [sum(a * b for a, b in zip(wq, row)) for row in Fq]
        if all(b > a for a, b in zip(s, s[1:])):
            rows = _complete_basis([wq], d_y)          # rows: w, then standard vectors
            u, Qrows = rows[-1], rows[:-1]
            P = [u] + Qrows
            stage1 = [pl_interpolant(ts, [[sum(a * b for a, b in zip(q, row))] for row in Fq])[0] for q in Qrows]
            hv = [sum(a * b for a, b in zip(u, row)) - t for row, t in zip(Fq, ts)]
            g2 = pl_interpolant(s, [[v] for v in hv])[0]
            pad = lambda w1: (Fraction(0), w1) + (Fraction(0),) * (d_y - 2)  # noqa: E731
            stage2 = [Neuron(0, Fraction(1), pad(g2.a[0]), g2.a0, kind="affine")] if (g2.a0 or g2.a[0]) else []
            stage2 += [Neuron(0, c, pad(ww[0]), b, kind="relu") for c, ww, b in g2.neurons]
            net, rep = _build(box, alpha, d_y, P, stage1, stage2, progress)
            params = {"knots": K, "recipe": "curve (monotone direction, exact)", "bound_method":
                      "a-priori PL interpolation bound (the network equals the PL interpolant)",
                      "direction": [str(v) for v in wq]}
            return net, params, boundF, rep
    return _generic_projection(target, box, alpha, ts, Fq, Ff, boundF, eps_g, progress, max_level)


def _generic_projection(target, box, alpha, ts, Fq, Ff, boundF, eps_g, progress, max_level):
    d_y = Ff.shape[1]
    m = d_y - 1
    best = None
    for cand in directions(d_y, 24):
        u = _dyadic(cand)
        rows = _complete_basis([u], d_y)
        Qrows = rows[1:]
        G = np.array([[sum(float(a) * float(b) for a, b in zip(q, row)) for q in Qrows] for row in Fq])
        sep = _segment_separation(G)
        if best is None or sep > best[0]:
            best = (sep, u, Qrows, G)
    sep, u, Qrows, G = best
    if not sep > 1e-9:
        raise ParameterError(
            f"no projection direction makes the curve's projection to R^{m} simple"
            + (" (the crossing condition of the (1,3) recipe fails)" if m == 2 else "")
            + "; use method='graph' (width d_x + d_y)"
        )
    P = [u] + Qrows
    Pinv = exact_inverse(P)
    amp = float(np.linalg.norm([float(r[0]) for r in Pinv]))
    H = np.array([sum(float(a) * float(b) for a, b in zip(u, row)) for row in Fq]) - np.array([float(t) for t in ts])
    tf = np.array([float(t) for t in ts])
    S = 12
    lam = np.linspace(0, 1, S, endpoint=False)
    tt = np.concatenate([tf[:-1, None] + lam[None, :] * np.diff(tf)[:, None]]).ravel()
    tt = np.r_[tt, tf[-1]]
    Gs = np.stack([np.interp(tt, tf, G[:, j]) for j in range(m)], axis=1)
    Hs = np.interp(tt, tf, H)
    zlo, zhi = G.min(axis=0), G.max(axis=0)
    supE = math.inf
    for level in range(max_level + 1):
        D = 8 * 2**level if m == 2 else 16 * 2**level
        if D * 8 * 2**level > 4096:  # at most 4096 ridges (8192 layers)
            raise BudgetExceeded(
                f"the ridge fit of the t-shear on the projected curve reached 4096 ridges with sup error "
                f"{amp * supE:.3g} > {eps_g / 2:.3g}; the projected curve nearly self-approaches. Ask for a larger "
                "eps or use method='graph'"
            )
        nb = 8 * 2**level
        Wd = np.round(directions(m, D) / _DY) * _DY
        feats, dict_w, dict_b = [np.ones((tt.size, 1)), Gs], [], []
        for wv in Wd:
            plo = float(np.clip(wv, 0, None) @ zlo + np.clip(wv, None, 0) @ zhi)
            phi_ = float(np.clip(wv, 0, None) @ zhi + np.clip(wv, None, 0) @ zlo)
            for o in np.round((plo + (phi_ - plo) * (np.arange(nb) + 0.5) / nb) / _DY) * _DY:
                dict_w.append(wv)
                dict_b.append(-o)
        Wm, bm = np.array(dict_w), np.array(dict_b)
        feats.append(np.maximum(Gs @ Wm.T + bm, 0))
        Phi = np.hstack(feats)
        cn = np.linalg.norm(Phi, axis=0)
        cn[cn == 0] = 1
        A = Phi / cn
        Gm = A.T @ A
        Gm[np.diag_indices_from(Gm)] += 1e-10 * np.trace(Gm) / Gm.shape[0]
        coef = np.linalg.solve(Gm, A.T @ Hs) / cn
        a0, a, cc = coef[0], coef[1:1 + m], coef[1 + m:]
        # exact sup along t of E(t) = h(G(t)) - H(t): breakpoints = knots + ridge crossings
        pre = G @ Wm.T + bm                       # (K+1, J) at the knots
        cross = []
        for k in range(len(tf) - 1):
            p0, p1 = pre[k], pre[k + 1]
            sgn = (p0 > 0) != (p1 > 0)
            lamc = p0[sgn] / (p0[sgn] - p1[sgn])
            cross.append(tf[k] + lamc * (tf[k + 1] - tf[k]))
        tb = np.unique(np.concatenate([tf] + cross))
        Gb = np.stack([np.interp(tb, tf, G[:, j]) for j in range(m)], axis=1)
        Eb = a0 + Gb @ a + np.maximum(Gb @ Wm.T + bm, 0) @ cc - np.interp(tb, tf, H)
        supE = float(np.max(np.abs(Eb)))
        if progress is not None:
            progress.advance(1, f"curve fit level {level}: sup |E| {supE:.3g}")
        if amp * supE <= eps_g / 2:
            break
    else:
        raise BudgetExceeded(
            f"the ridge fit of the t-shear on the projected curve reached level {max_level} with sup error "
            f"{amp * supE:.3g} > {eps_g / 2:.3g}; the curve nearly self-approaches in this projection. Ask for a "
            "larger eps or use method='graph'"
        )  # pragma: no cover
    stage1 = [pl_interpolant(ts, [[sum(a_ * b_ for a_, b_ in zip(q, row))] for row in Fq])[0] for q in Qrows]
    stage2 = [Neuron(0, Fraction(1), (Fraction(0),) + tuple(Q(float(v)) for v in a), Q(float(a0)), kind="affine")]
    for c, wv, b in zip(cc, Wm, bm):
        if c != 0:
            stage2.append(Neuron(0, Q(float(c)), (Fraction(0),) + tuple(Q(float(v)) for v in wv), Q(float(b)),
                                 kind="relu"))
    net, rep = _build(box, alpha, d_y, P, stage1, stage2, progress)
    # the float rounding of the fitted coefficients is included: sup|E| was computed from the float64 values,
    # and Q(float) keeps them exactly
    params = {"knots": len(ts) - 1, "recipe": "curve (generic projection, certified fit)", "level": level,
              "ridges": int(len(bm)), "separation": sep, "bound_method":
              "PL interpolation bound + exact sup of the t-shear error along the curve", "sup_shear_error": supE}
    return net, params, boundF + amp * supE + 1e-12, rep
