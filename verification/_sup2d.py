r"""Certified sup error in two input dimensions: exact regions plus a per-polygon certificate.

On a convex polygon :math:`P` with vertices :math:`v_i` where the network is affine, write
:math:`x = \sum_i \lambda_i v_i` (barycentric-type weights, :math:`\lambda \ge 0`,
:math:`\sum \lambda_i = 1`).  The affine part of :math:`g = f - N` cancels, so by Taylor's
theorem at :math:`x`,

.. math:: g(x) - \sum_i \lambda_i g(v_i) = -\tfrac12 \sum_i \lambda_i (v_i - x)^\top D^2 f(\xi_i) (v_i - x),

and :math:`\sum_i \lambda_i \|v_i - x\|^2 \le \max_i \|v_i - c\|^2 = R^2` for any centre
:math:`c` (here the vertex mean).  Hence (componentwise, then Euclidean over outputs)

.. math:: \sup_P \|g\|_2 \le \max_i \|g(v_i)\|_2 + \tfrac12 R^2 \sqrt{d_y}\, H,

with :math:`H` a bound on :math:`\max_k \|D^2 f_k\|_2` over the polygon's bounding box; this
is Waldron's bound for linear interpolation on a simplex (SIAM J. Numer. Anal. 1998),
extended to polygons.  With only a Lipschitz constant, :math:`\|g(x) - \sum\lambda_i g(v_i)\|
\le (L_f + \|A_P\|_2) R`.  Polygons whose bound exceeds the attained maximum by more than
the tolerance are fan-triangulated and refined by midpoint subdivision (four children per
triangle) until the bound and the attained maximum agree or the budget is spent.
"""

from __future__ import annotations

import math

import numpy as np

from uat.domains import Box
from uat.network import FeedForward
from uat.targets import Target
from uat.tolerances import tol

from ._result import ErrorEstimate
from ._sup1d import _ROUNDING, _Bounds
from ._validate import target_values
from .regions import linear_regions_2d

__all__ = ["sup_regions_2d"]


def _upper(e_max, R, Anorm, hess, lip, d_y):
    with np.errstate(invalid="ignore", over="ignore"):
        by_h = e_max + 0.5 * R * R * math.sqrt(d_y) * hess
        by_l = e_max + (lip + Anorm) * R
    out = np.minimum(by_h, by_l)
    return np.where(np.isnan(out), np.inf, out)


def _tri_geometry(T: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Enclosing radius around the centroid, bounding box corners of triangles (k, 3, 2)."""
    c = T.mean(axis=1)
    R = np.max(np.linalg.norm(T - c[:, None, :], axis=2), axis=1)
    return R, T.min(axis=1), T.max(axis=1)


def sup_regions_2d(
    net: FeedForward,
    target: Target,
    box: Box,
    *,
    rtol: float,
    max_evals: int,
    max_regions: int,
) -> ErrorEstimate:
    reg = linear_regions_2d(net, box, max_regions=max_regions)
    agreement = reg.verify()
    d_y = net.output_dim
    V = np.asarray(reg.vertices)
    fV = target_values(target, V)
    n_evals = V.shape[0]
    eV = np.linalg.norm(fV - reg.values, axis=1)
    off = reg.offsets
    e_poly = np.maximum.reduceat(eV, off[:-1])
    A, _ = reg.affine_maps()
    Anorm = np.linalg.norm(A, ord=2, axis=(1, 2))
    R = reg.enclosing_radii()
    lo, hi = reg.bounding_boxes
    bounds = _Bounds(target)
    hess, lip = bounds(lo, hi)
    U = _upper(e_poly, R, Anorm, hess, lip, d_y)
    k = int(np.argmax(eV))
    low, at = float(eV[k]), V[k]
    scale = max(1.0, float(np.max(np.abs(fV))), float(np.max(np.abs(reg.values))))
    atol = 64 * np.finfo(float).eps * scale
    rounds, exhausted = 0, False
    high = float(np.max(U))
    cand = U > low + max(rtol * low, atol)
    tri_U = np.empty(0)
    if high - low > max(rtol * low, atol) and cand.any():
        # fan-triangulate the candidate polygons
        tri, owner = reg.triangles()
        tri, owner = tri[cand[owner]], owner[cand[owner]]
        T, TN, TF = V[tri], np.asarray(reg.values)[tri], fV[tri]
        TA = Anorm[owner]
        kept_U = U[~cand]
        Rt, tlo, thi = _tri_geometry(T)
        h_t, l_t = bounds(tlo, thi)
        while True:
            e_t = np.linalg.norm(TF - TN, axis=2)
            tri_U = _upper(e_t.max(axis=1), Rt, TA, h_t, l_t, d_y)
            j = int(np.argmax(e_t.max(axis=1)))
            if float(e_t[j].max()) > low:
                low, at = float(e_t[j].max()), T[j, int(np.argmax(e_t[j]))]
            high = max(float(np.max(kept_U)) if kept_U.size else 0.0, float(np.max(tri_U)))
            slack = max(rtol * low, atol)
            if high - low <= slack:
                break
            c = tri_U > low + slack
            # polygons (not refined) that still exceed cannot improve: stop if they dominate
            n_new = 3 * int(np.count_nonzero(c))
            if n_evals + n_new > max_evals or rounds >= 60 or not c.any():
                exhausted = True
                break
            rounds += 1
            Tc, Nc, Fc = T[c], TN[c], TF[c]
            mids = np.stack([(Tc[:, 0] + Tc[:, 1]) / 2, (Tc[:, 1] + Tc[:, 2]) / 2, (Tc[:, 2] + Tc[:, 0]) / 2], axis=1)
            mN = np.stack([(Nc[:, 0] + Nc[:, 1]) / 2, (Nc[:, 1] + Nc[:, 2]) / 2, (Nc[:, 2] + Nc[:, 0]) / 2], axis=1)
            mF = target_values(target, mids.reshape(-1, 2)).reshape(mids.shape[0], 3, -1)
            n_evals += n_new
            kids_T, kids_N, kids_F = [], [], []
            for arr, m, out in ((Tc, mids, kids_T), (Nc, mN, kids_N), (Fc, mF, kids_F)):
                out.append(np.stack([arr[:, 0], m[:, 0], m[:, 2]], axis=1))
                out.append(np.stack([m[:, 0], arr[:, 1], m[:, 1]], axis=1))
                out.append(np.stack([m[:, 2], m[:, 1], arr[:, 2]], axis=1))
                out.append(np.stack([m[:, 0], m[:, 1], m[:, 2]], axis=1))
            keep = ~c
            T = np.concatenate([T[keep]] + kids_T)
            TN = np.concatenate([TN[keep]] + kids_N)
            TF = np.concatenate([TF[keep]] + kids_F)
            TA = np.concatenate([TA[keep]] + [TA[c]] * 4)
            kids = np.concatenate(kids_T)
            kR, klo, khi = _tri_geometry(kids)
            kh, kl = bounds(klo, khi)
            Rt = np.concatenate([Rt[keep], kR])
            h_t = np.concatenate([h_t[keep], kh])
            l_t = np.concatenate([l_t[keep], kl])
    essential_ok = math.isfinite(high) and agreement <= tol("conditioning_flag")  # a bound on the open regions
    certified = essential_ok and reg.continuous
    assumptions = list(bounds.assumptions) + [_ROUNDING]
    notes = []
    if not reg.continuous:
        notes.append(
            "step network (discontinuous activation: step or stepped_leaky_relu): the bound covers the open "
            "regions (the essential sup, details['essential_sup_high']), but the network's own values on region "
            "boundaries (a null set where it may jump) are not enumerated in two dimensions, so the sup over the "
            "closed domain is not certified"
        )
    if not math.isfinite(high):
        notes.append(
            "no second-derivative or Lipschitz bound for the target on some regions: the value is the maximum "
            "over the sampled points, a lower bound only"
        )
    if agreement > tol("conditioning_flag"):
        notes.append(f"regions disagree with the forward pass by {agreement:.2e} (relative): not certified")
    if exhausted and math.isfinite(high):
        notes.append("evaluation budget reached: the certified bound is wider than the requested tolerance")
    if not certified:
        assumptions.append("no certificate (see details.notes)")
    return ErrorEstimate(
        value=low,
        low=low,
        high=high,
        certified=certified,
        method="regions-2d",
        n_evals=n_evals,
        assumptions=tuple(assumptions),
        norm="sup",
        argmax=tuple(float(v) for v in at),
        parameters={"rtol": rtol, "max_evals": max_evals, "max_regions": max_regions},
        details={
            "regions": reg.n_regions,
            "refinement_rounds": rounds,
            "refined_triangles": int(tri_U.size),
            "network_lipschitz": reg.lipschitz(),
            "regions_vs_forward": agreement,
            **({} if reg.continuous else {"essential_sup_high": high if essential_ok else None}),
            "bound_methods": list(bounds.methods) or ["none"],
            "budget_exhausted": exhausted,
            "notes": notes,
        },
    )
