r"""Certified sup error in three input dimensions: exact regions plus a per-polytope certificate.

On a convex polytope :math:`P` with vertices :math:`v_i` where the network is affine, write
:math:`x = \sum_i \lambda_i v_i` (:math:`\lambda \ge 0`, :math:`\sum \lambda_i = 1`).  The
affine part of :math:`g = f - N` cancels, and Taylor's theorem at :math:`x` gives, componentwise,

.. math:: g(x) - \sum_i \lambda_i g(v_i) = -\tfrac12 \sum_i \lambda_i (v_i - x)^\top D^2 f(\xi_i) (v_i - x),

with :math:`\sum_i \lambda_i \|v_i - x\|^2 = \sum_i \lambda_i \|v_i - c\|^2 - \|x - c\|^2 \le
\max_i \|v_i - c\|^2 = R^2` for every centre :math:`c`.  Hence

.. math:: \sup_P \|g\|_2 \le \max_i \|g(v_i)\|_2 + \tfrac12 R^2 \sqrt{d_y}\, H,

:math:`H \ge \max_k \|D^2 f_k\|_2` on the polytope's bounding box.  This is Waldron's bound for
linear interpolation on a simplex (SIAM J. Numer. Anal. 35, 1998), sharp when :math:`R` is the
radius of the smallest ball holding the simplex, extended to polytopes.  With only a Lipschitz
constant, :math:`\|g(x) - \sum_i\lambda_i g(v_i)\| \le (L_f + \|A_P\|_2) \sum_i \lambda_i\|x - v_i\|
\le (L_f + \|A_P\|_2) R`.  The smaller bound applies.

Polytopes whose bound exceeds the attained maximum by more than the tolerance are triangulated
(:meth:`~verification.regions3d.Regions3D.tetrahedra`), and the tetrahedra are refined by
red refinement (eight children from the edge midpoints, the inner octahedron cut along its
shortest diagonal; Bey, Computing 55, 1995), with :math:`R` the smallest-enclosing-ball radius
of each tetrahedron, until the certified bound and the attained maximum agree to ``rtol`` or the
evaluation budget is spent.  The network is affine on each tetrahedron, so its values at the
midpoints are the means of the vertex values; only the target is evaluated.
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np

from uat.domains import Box
from uat.network import FeedForward
from uat.targets import Target
from uat.tolerances import tol

from ._result import ErrorEstimate
from ._sup1d import _Bounds
from ._sup2d import _upper  # the bound of the module docstring (the same formula in two dimensions)
from ._validate import target_values
from .regions3d import linear_regions_3d

__all__ = ["sup_regions_3d", "enclosing_ball_radius", "red_refine"]

ROUNDING_3D = (
    "float64 arithmetic: rounding in the regions and in the certificate is not enclosed "
    "(the regions are checked against the forward pass and their volumes against the box's; "
    "see details['regions_vs_forward'])"
)
_EDGES = np.array(list(combinations(range(4), 2)))  # midpoints 4..9: 01 02 03 12 13 23
_CORNERS = [[0, 4, 5, 6], [1, 4, 7, 8], [2, 5, 7, 9], [3, 6, 8, 9]]
# the inner octahedron cut along diagonal (p, q): the four tetrahedra around it (equator in cyclic order)
_DIAGONALS = [(4, 9, [5, 6, 8, 7]), (5, 8, [4, 7, 9, 6]), (6, 7, [4, 5, 9, 8])]
_CHILDREN = np.array([_CORNERS + [[p, q, c[i], c[(i + 1) % 4]] for i in range(4)] for p, q, c in _DIAGONALS])


def enclosing_ball_radius(T: np.ndarray) -> np.ndarray:
    """(k,) radius of the smallest ball holding each tetrahedron (k, 4, 3).

    The smallest enclosing ball is centred at the circumcentre of some 2, 3 or 4 of the
    vertices; every centre gives a valid (larger or equal) radius, so the minimum over all
    these candidates and the centroid is the smallest radius.
    """
    cands = [T.mean(axis=1)]
    for i, j in combinations(range(4), 2):
        cands.append((T[:, i] + T[:, j]) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        for i, j, k in combinations(range(4), 3):
            a, u, v = T[:, i], T[:, j] - T[:, i], T[:, k] - T[:, i]
            w = np.cross(u, v)
            num = (u * u).sum(1)[:, None] * np.cross(v, w) + (v * v).sum(1)[:, None] * np.cross(w, u)
            cands.append(a + num / (2 * (w * w).sum(1))[:, None])
        a, u, v, t = T[:, 0], T[:, 1] - T[:, 0], T[:, 2] - T[:, 0], T[:, 3] - T[:, 0]
        num = ((u * u).sum(1)[:, None] * np.cross(v, t) + (v * v).sum(1)[:, None] * np.cross(t, u)
               + (t * t).sum(1)[:, None] * np.cross(u, v))
        cands.append(a + num / (2 * np.einsum("ij,ij->i", u, np.cross(v, t)))[:, None])
        r = np.stack([np.max(np.linalg.norm(T - c[:, None, :], axis=2), axis=1) for c in cands])
    r[~np.isfinite(r)] = np.inf
    return r.min(axis=0)


def red_refine(T: np.ndarray, values: tuple = (), at_midpoints: tuple = ()) -> tuple[np.ndarray, ...]:
    """The eight red-refinement children of tetrahedra ``T`` (k, 4, 3), with per-vertex ``values``.

    Each array in ``values`` is (k, 4, ...) and is carried to the children; its values at the
    six edge midpoints are the means of the end values (right for a function affine on the
    tetrahedron) unless the matching entry of ``at_midpoints`` gives them, (k, 6, ...).
    Returns the children's coordinates and values, each (8k, 4, ...), parent by parent.

    >>> T = np.array([[[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]], dtype=float)
    >>> kids, = red_refine(T)
    >>> from verification.regions3d import tetrahedron_volumes
    >>> kids.shape, float(tetrahedron_volumes(kids).sum()) * 6
    ((8, 4, 3), 1.0)
    """
    mids = (T[:, _EDGES[:, 0]] + T[:, _EDGES[:, 1]]) / 2
    d = np.linalg.norm(mids[:, [0, 1, 2]] - mids[:, [5, 4, 3]], axis=2)  # diagonals 01-23, 02-13, 03-12
    table = _CHILDREN[np.argmin(d, axis=1)]  # (k, 8, 4)
    rows = np.arange(T.shape[0])[:, None, None]
    out = []
    for i, arr in enumerate((T,) + tuple(values)):
        given = at_midpoints[i - 1] if 0 < i <= len(at_midpoints) else None
        m = mids if i == 0 else (given if given is not None else (arr[:, _EDGES[:, 0]] + arr[:, _EDGES[:, 1]]) / 2)
        full = np.concatenate([arr, m], axis=1)  # (k, 10, ...)
        out.append(full[rows, table].reshape((8 * T.shape[0], 4) + arr.shape[2:]))
    return tuple(out)


def sup_regions_3d(
    net: FeedForward,
    target: Target,
    box: Box,
    *,
    rtol: float,
    max_evals: int,
    max_regions: int,
) -> ErrorEstimate:
    reg = linear_regions_3d(net, box, max_regions=max_regions)
    agreement = max(reg.verify(), reg.volume_defect())  # the regions' maps and their tiling of the box
    d_y = net.output_dim
    V = np.asarray(reg.vertices)
    fV = target_values(target, V)
    n_evals = V.shape[0]
    eV = np.linalg.norm(fV - reg.values, axis=1)
    A, _ = reg.affine_maps()
    Anorm = np.linalg.norm(A, ord=2, axis=(1, 2))
    bounds = _Bounds(target)
    hess, lip = bounds(*reg.bounding_boxes)
    U = _upper(np.maximum.reduceat(eV, reg.offsets[:-1]), reg.enclosing_radii(), Anorm, hess, lip, d_y)
    k = int(np.argmax(eV))
    low, at = float(eV[k]), V[k]
    scale = max(1.0, float(np.max(np.abs(fV))), float(np.max(np.abs(reg.values))))
    atol = 64 * np.finfo(float).eps * scale
    rounds, exhausted, n_tets = 0, False, 0
    high = float(np.max(U))
    cand = U > low + max(rtol * low, atol)
    if high - low > max(rtol * low, atol) and cand.any():
        idx, owner = reg.tetrahedra()
        idx, owner = idx[cand[owner]], owner[cand[owner]]
        T, TN, TF, TA = V[idx], np.asarray(reg.values)[idx], fV[idx], Anorm[owner]
        kept_U = U[~cand]
        Rt = enclosing_ball_radius(T)
        h_t, l_t = bounds(T.min(axis=1), T.max(axis=1))
        while True:
            e_t = np.linalg.norm(TF - TN, axis=2)
            tet_U = _upper(e_t.max(axis=1), Rt, TA, h_t, l_t, d_y)
            n_tets = int(tet_U.size)
            j = int(np.argmax(e_t.max(axis=1)))
            if float(e_t[j].max()) > low:
                low, at = float(e_t[j].max()), T[j, int(np.argmax(e_t[j]))]
            high = max(float(np.max(kept_U)) if kept_U.size else 0.0, float(np.max(tet_U)) if tet_U.size else 0.0)
            slack = max(rtol * low, atol)
            if high - low <= slack:
                break
            c = tet_U > low + slack
            n_new = 6 * int(np.count_nonzero(c))
            if n_evals + n_new > max_evals or rounds >= 60 or not c.any():
                exhausted = True
                break
            rounds += 1
            Tc = T[c]
            mids = (Tc[:, _EDGES[:, 0]] + Tc[:, _EDGES[:, 1]]) / 2
            mF = target_values(target, mids.reshape(-1, 3)).reshape(mids.shape[0], 6, -1)
            n_evals += n_new
            kT, kN, kF = red_refine(Tc, (TN[c], TF[c]), (None, mF))
            kA = np.repeat(TA[c], 8)
            keep = ~c
            T, TN, TF, TA = (np.concatenate([x[keep], y]) for x, y in ((T, kT), (TN, kN), (TF, kF), (TA, kA)))
            kh, kl = bounds(kT.min(axis=1), kT.max(axis=1))
            Rt = np.concatenate([Rt[keep], enclosing_ball_radius(kT)])
            h_t, l_t = np.concatenate([h_t[keep], kh]), np.concatenate([l_t[keep], kl])
    essential_ok = math.isfinite(high) and agreement <= tol("conditioning_flag")
    certified = essential_ok and reg.continuous
    assumptions = list(bounds.assumptions) + [ROUNDING_3D]
    notes = []
    if not reg.continuous:
        notes.append(
            "step network (discontinuous activation: step or stepped_leaky_relu): the bound covers the open "
            "regions (the essential sup, details['essential_sup_high']), but the network's own values on region "
            "boundaries (a null set where it may jump) are not enumerated in three dimensions, so the sup over "
            "the closed domain is not certified"
        )
    if not math.isfinite(high):
        notes.append(
            "no second-derivative or Lipschitz bound for the target on some regions: the value is the maximum "
            "over the sampled points, a lower bound only"
        )
    if agreement > tol("conditioning_flag"):
        notes.append(f"regions disagree with the forward pass or do not tile the box ({agreement:.2e}, relative): "
                     "not certified")
    if exhausted and math.isfinite(high):
        notes.append("evaluation budget reached: the certified bound is wider than the requested tolerance")
    if not certified:
        assumptions.append("no certificate (see details.notes)")
    return ErrorEstimate(
        value=low,
        low=low,
        high=high,
        certified=certified,
        method="regions-3d",
        n_evals=n_evals,
        assumptions=tuple(assumptions),
        norm="sup",
        argmax=tuple(float(v) for v in at),
        parameters={"rtol": rtol, "max_evals": max_evals, "max_regions": max_regions},
        details={
            "regions": reg.n_regions,
            "refinement_rounds": rounds,
            "refined_tetrahedra": n_tets,
            "network_lipschitz": reg.lipschitz(),
            "regions_vs_forward": agreement,  # (the larger of verify() and volume_defect())
            **({} if reg.continuous else {"essential_sup_high": high if essential_ok else None}),
            "bound_methods": list(bounds.methods) or ["none"],
            "budget_exhausted": exhausted,
            "notes": notes,
        },
    )
