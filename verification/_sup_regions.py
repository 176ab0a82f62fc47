r"""Certified sup error over exact regions (2-D polygons, 3-D polytopes): the shared refinement.

On a region :math:`P` where the network is affine, :math:`\sup_P \|f - N\|_2 \le \max_i
\|g(v_i)\|_2 + r_P` with :math:`g = f - N` at the vertices and :math:`r_P` the interpolation
remainder of :func:`verification._simplices.interpolation_remainder` (Waldron's bound
:math:`\tfrac12 R^2 \sqrt{d_y} H`, or :math:`(L_f + \|A_P\|_2) R`); the derivations are in
:mod:`verification._sup2d` and :mod:`verification._sup3d`.  :func:`sup_on_regions` bounds
every region so, triangulates the regions whose bound exceeds the attained maximum by more
than the tolerance, and refines those simplices (:class:`~verification._simplices.SimplexKind`)
until the certified bound and the attained maximum agree to ``rtol`` or the evaluation budget
is spent.  The network is affine on each simplex, so its values at the edge midpoints are the
means of the vertex values; only the target is evaluated.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from uat.targets import Target
from uat.tolerances import tol

from ._bounds import BoundLog
from ._result import ErrorEstimate, sup_estimate
from ._simplices import SimplexKind, interpolation_remainder
from ._validate import target_values

__all__ = ["sup_on_regions", "region_upper"]


def region_upper(e_max, R, Anorm, hess, lip, d_y: int) -> np.ndarray:
    """``max_i ||g(v_i)|| + r``: the certified bound on each region or simplex (inf when nothing is known)."""
    return e_max + interpolation_remainder(R, Anorm, hess, lip, d_y)


def sup_on_regions(
    reg: Any,
    target: Target,
    d_y: int,
    kind: SimplexKind,
    simplices: Callable[[], tuple[np.ndarray, np.ndarray]],
    *,
    agreement: float,
    rtol: float,
    max_evals: int,
    max_regions: int,
    method: str,
    rounding: str,
    disagreement: str,
) -> ErrorEstimate:
    """The certified sup error over the regions ``reg`` (module docstring).

    ``simplices()`` triangulates the regions: (vertex indices, owner region); ``agreement`` is
    the regions' measured discrepancy with the forward pass, ``rounding`` the arithmetic
    premise and ``disagreement`` the note given when ``agreement`` is too large.
    """
    V = np.asarray(reg.vertices)
    fV = target_values(target, V)
    n_evals = V.shape[0]
    eV = np.linalg.norm(fV - reg.values, axis=1)
    A, _ = reg.affine_maps()
    Anorm = np.linalg.norm(A, ord=2, axis=(1, 2))
    bounds = BoundLog(target)
    hess, lip = bounds(*reg.bounding_boxes)
    U = region_upper(np.maximum.reduceat(eV, reg.offsets[:-1]), reg.enclosing_radii(), Anorm, hess, lip, d_y)
    k = int(np.argmax(eV))
    low, at = float(eV[k]), V[k]
    scale = max(1.0, float(np.max(np.abs(fV))), float(np.max(np.abs(reg.values))))
    atol = 64 * np.finfo(float).eps * scale
    rounds, exhausted, n_simplices = 0, False, 0
    high = float(np.max(U))
    cand = U > low + max(rtol * low, atol)
    if high - low > max(rtol * low, atol) and cand.any():
        idx, owner = simplices()
        idx, owner = idx[cand[owner]], owner[cand[owner]]
        T, TN, TF, TA = V[idx], np.asarray(reg.values)[idx], fV[idx], Anorm[owner]
        kept_U = U[~cand]
        Rt = kind.radius(T)
        h_t, l_t = bounds(T.min(axis=1), T.max(axis=1))
        while True:
            e_t = np.linalg.norm(TF - TN, axis=2)
            sim_U = region_upper(e_t.max(axis=1), Rt, TA, h_t, l_t, d_y)
            n_simplices = int(sim_U.size)
            j = int(np.argmax(e_t.max(axis=1)))
            if float(e_t[j].max()) > low:
                low, at = float(e_t[j].max()), T[j, int(np.argmax(e_t[j]))]
            high = max(float(np.max(kept_U)) if kept_U.size else 0.0, float(np.max(sim_U)) if sim_U.size else 0.0)
            slack = max(rtol * low, atol)
            if high - low <= slack:
                break
            c = sim_U > low + slack
            n_new = kind.n_edges * int(np.count_nonzero(c))
            if n_evals + n_new > max_evals or rounds >= 60 or not c.any():
                exhausted = True
                break
            rounds += 1
            Tc = T[c]
            mids = kind.midpoints(Tc)
            mF = target_values(target, mids.reshape(-1, kind.dim)).reshape(mids.shape[0], kind.n_edges, -1)
            n_evals += n_new
            kT, kN, kF = kind.refine(Tc, (TN[c], TF[c]), (None, mF))
            kA = kind.repeat(TA[c])
            keep = ~c
            T, TN, TF, TA = (np.concatenate([x[keep], y]) for x, y in ((T, kT), (TN, kN), (TF, kF), (TA, kA)))
            kh, kl = bounds(kT.min(axis=1), kT.max(axis=1))
            Rt = np.concatenate([Rt[keep], kind.radius(kT)])
            h_t, l_t = np.concatenate([h_t[keep], kh]), np.concatenate([l_t[keep], kl])
    essential_ok = math.isfinite(high) and agreement <= tol("conditioning_flag")  # a bound on the open regions
    certified = essential_ok and reg.continuous
    assumptions = list(bounds.assumptions) + [rounding]
    notes = []
    if not reg.continuous:
        notes.append(
            "step network (discontinuous activation: step or stepped_leaky_relu): the bound covers the open "
            "regions (the essential sup, details['essential_sup_high']), but the network's own values on region "
            f"boundaries (a null set where it may jump) are not enumerated in {_WORDS[kind.dim]} dimensions, so the "
            "sup over the closed domain is not certified"
        )
    if not math.isfinite(high):
        notes.append(
            "no second-derivative or Lipschitz bound for the target on some regions: the value is the maximum "
            "over the sampled points, a lower bound only"
        )
    if agreement > tol("conditioning_flag"):
        notes.append(disagreement)
    if exhausted and math.isfinite(high):
        notes.append("evaluation budget reached: the certified bound is wider than the requested tolerance")
    return sup_estimate(
        low,
        high,
        at,
        certified=certified,
        method=method,
        n_evals=n_evals,
        assumptions=assumptions,
        parameters={"rtol": rtol, "max_evals": max_evals, "max_regions": max_regions},
        scale=scale,
        details={
            "regions": reg.n_regions,
            "refinement_rounds": rounds,
            f"refined_{kind.plural}": n_simplices,
            "network_lipschitz": reg.lipschitz(),
            "regions_vs_forward": agreement,
            **({} if reg.continuous else {"essential_sup_high": high if essential_ok else None}),
            "bound_methods": bounds.method_names,
            "budget_exhausted": exhausted,
            "notes": notes,
        },
    )


_WORDS = {2: "two", 3: "three"}
