r"""Certified sup error in one input dimension: exact pieces plus a per-interval certificate.

On an interval :math:`[a, b]` inside one piece the network is affine, so
:math:`g = f - N` satisfies :math:`g'' = f''` and, componentwise,
:math:`g - I g = -\tfrac12 (x-a)(b-x) f''(\xi)` where :math:`I g` is the linear interpolant
of :math:`g`.  Since :math:`\|I g(x)\|_2 \le \max(\|g(a)\|_2, \|g(b)\|_2)` (convexity of the
norm),

.. math:: \sup_{[a,b]} \|g\|_2 \le \max(\|g(a)\|_2, \|g(b)\|_2) + \frac{(b-a)^2}{8}\sqrt{d_y}\, H,
   \qquad H \ge \max_k \sup_{[a,b]} |f_k''|.

With only a Lipschitz constant :math:`L_f` of :math:`f`, :math:`g` is
:math:`(L_f + \|s\|_2)`-Lipschitz (:math:`s` the piece's slope), so
:math:`\sup \|g\| \le \tfrac12(\|g(a)\| + \|g(b)\| + (L_f + \|s\|)(b-a))`.  The smaller of the
two applies.  Intervals whose bound exceeds the attained maximum by more than the relative
tolerance are bisected until the bound and the attained maximum agree (or the evaluation
budget is spent; the bound is then still certified, only wider).

**Discontinuous networks** (``step``, ``stepped_leaky_relu``).  The sup is over the *closed*
domain and every point counts, including the jump points, where :math:`N` takes the value
given by each activation's convention at 0 (``t >= 0`` takes the right branch, as
:meth:`uat.activations.Activation.numpy`).  Every point of :math:`[a, b]` lies either inside a
piece, where the bound above holds with the piece's one-sided limits in place of :math:`N(a)`,
:math:`N(b)` (the target is continuous wherever it has a Hessian or Lipschitz bound), or at a
breakpoint, where the error is evaluated at the network's actual value there
(:attr:`Pieces1D.values`).  So

.. math:: \sup_{[a,b]} \|f - N\|_2 = \max\Bigl(\max_i \sup_{(t_i, t_{i+1})} \|f - N\|_2,\;
   \max_i \|f(t_i) - N(t_i)\|_2\Bigr),

and the first term is the essential sup (the :math:`L^\infty` norm), reported in
``details['essential_sup_high']``.  Where float64 cannot decide a jump unit's branch
(:attr:`Pieces1D.ambiguous`), the pieces are recomputed in rational arithmetic when that is
affordable (work ``pieces x depth x width^2`` at most :data:`EXACT_WORK`); otherwise the
result is not certified.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from uat.domains import Box
from uat.network import FeedForward
from uat.targets import Target
from uat.tolerances import tol

from ._bounds import BoundLog
from ._result import ErrorEstimate, sup_estimate
from ._validate import target_values
from .pieces import linear_pieces_1d

__all__ = ["sup_exact_1d", "interval_upper", "decided_pieces", "EXACT_WORK"]

# largest pieces x depth x width^2 for which ambiguous float64 pieces are redone in rational
# arithmetic (about 5 s on the reference machine; docs/verification.md)
EXACT_WORK = 500_000

_ROUNDING = (
    "float64 arithmetic: rounding in the pieces and in the certificate is not enclosed "
    "(the pieces are checked against the forward pass; see details['pieces_vs_forward'])"
)


def interval_upper(eA, eB, h, slope_norm, hess, lip, d_y):
    """The per-interval upper bound of the module docstring (vectorised; inf when nothing is known)."""
    with np.errstate(invalid="ignore", over="ignore"):
        by_hessian = np.maximum(eA, eB) + math.sqrt(d_y) * hess * h * h / 8.0
        g_lip = lip + slope_norm
        by_lipschitz = np.maximum(np.maximum(eA, eB), 0.5 * (eA + eB + g_lip * h))
    out = np.minimum(by_hessian, by_lipschitz)
    return np.where(np.isnan(out), np.inf, out)


def decided_pieces(net: FeedForward, box: Box, max_pieces: int) -> tuple[Any, str]:
    """Float64 pieces, redone exactly when a jump is ambiguous and the work is affordable; (pieces, arithmetic)."""
    pcs = linear_pieces_1d(net, box.lo[0], box.hi[0], max_pieces=max_pieces)
    if pcs.ambiguous.size == 0:
        return pcs, "float64"
    k = pcs.ambiguous.size
    if pcs.n_pieces * net.depth * max(1, net.width) ** 2 <= EXACT_WORK:
        exact = linear_pieces_1d(net, box.lo[0], box.hi[0], exact=True, max_pieces=max_pieces)
        return exact, f"exact rational (float64 could not decide a jump at {k} place(s))"
    return pcs, f"float64 (undecided jumps at {k} place(s); exact recomputation above EXACT_WORK)"


def sup_exact_1d(
    net: FeedForward,
    target: Target,
    box: Box,
    *,
    rtol: float,
    max_evals: int,
    max_pieces: int,
) -> ErrorEstimate:
    a = float(box.lo[0])
    pcs, arithmetic = decided_pieces(net, box, max_pieces)
    undecided = pcs.ambiguous.size > 0
    agreement = pcs.verify()
    t = np.asarray(pcs.breakpoints, dtype=np.float64)
    d_y = net.output_dim
    f_t = target_values(target, t[:, None])
    n_evals = t.size
    A, B = t[:-1].copy(), t[1:].copy()
    NA, NB = np.array(pcs.left, dtype=np.float64), np.array(pcs.right, dtype=np.float64)
    FA, FB = f_t[:-1], f_t[1:]
    with np.errstate(divide="ignore", invalid="ignore"):  # exact pieces shorter than an ulp: U = max(eA, eB)
        snorm = np.where(B > A, np.linalg.norm((NB - NA) / (B - A)[:, None], axis=1), 0.0)
    scale = max(1.0, float(np.max(np.abs(f_t))), float(np.max(np.abs(NA))), float(np.max(np.abs(NB))))
    atol = 64 * np.finfo(float).eps * scale
    bounds = BoundLog(target)
    hess, lip = bounds(A[:, None], B[:, None])
    # a discontinuous network: its values at the breakpoints themselves count too
    point_low, point_at = 0.0, a
    if pcs.values is not None:
        e_t = np.linalg.norm(f_t - np.asarray(pcs.values, dtype=np.float64), axis=1)
        k = int(np.argmax(e_t))
        point_low, point_at = float(e_t[k]), float(t[k])
    rounds, exhausted = 0, False
    while True:
        eA = np.linalg.norm(FA - NA, axis=1)
        eB = np.linalg.norm(FB - NB, axis=1)
        U = interval_upper(eA, eB, B - A, snorm, hess, lip, d_y)
        ia, ib = int(np.argmax(eA)), int(np.argmax(eB))
        low, at = max((float(eA[ia]), float(A[ia])), (float(eB[ib]), float(B[ib])), (point_low, point_at))
        high = max(float(np.max(U)), point_low)
        slack = max(rtol * low, atol)
        if high - low <= slack:
            break
        cand = U > low + slack
        n_new = int(np.count_nonzero(cand))
        if not np.isfinite(U).any():  # nothing is known about the target: a dense sample, then stop
            max_evals = min(max_evals, 2**16 + t.size)
        if n_evals + n_new > max_evals or rounds >= 200:
            exhausted = True
            break
        rounds += 1
        Ac, Bc = A[cand], B[cand]
        M = 0.5 * (Ac + Bc)
        NM = 0.5 * (NA[cand] + NB[cand])
        FM = target_values(target, M[:, None])
        n_evals += n_new
        keep = ~cand
        A = np.concatenate([A[keep], Ac, M])
        B = np.concatenate([B[keep], M, Bc])
        NA = np.concatenate([NA[keep], NA[cand], NM])
        NB = np.concatenate([NB[keep], NM, NB[cand]])
        FA = np.concatenate([FA[keep], FA[cand], FM])
        FB = np.concatenate([FB[keep], FM, FB[cand]])
        snorm = np.concatenate([snorm[keep], snorm[cand], snorm[cand]])
        h2, l2 = bounds(np.concatenate([Ac, M])[:, None], np.concatenate([M, Bc])[:, None])
        hess = np.concatenate([hess[keep], h2])
        lip = np.concatenate([lip[keep], l2])
    certified = math.isfinite(high) and agreement <= tol("conditioning_flag") and not undecided
    assumptions = list(bounds.assumptions) + [_ROUNDING]
    if not pcs.continuous:
        assumptions.append(
            "step network (discontinuous activation): sup over the closed domain = max of the bound on every open "
            "piece (from its one-sided limits) and the error at the network's actual values at the breakpoints "
            f"(each activation's convention at 0); pieces in {arithmetic} arithmetic"
        )
    notes = []
    if not math.isfinite(high):
        notes.append(
            "no second-derivative or Lipschitz bound for the target on some intervals (a discontinuous target, "
            "or a callable without a declared Lipschitz constant): the value is the maximum over the sampled "
            "points, a lower bound only"
        )
    if agreement > tol("conditioning_flag"):
        notes.append(f"pieces disagree with the forward pass by {agreement:.2e} (relative): not certified")
    if undecided:
        where = ", ".join(f"{x:.17g}" for x in pcs.ambiguous[:5]) + (" ..." if pcs.ambiguous.size > 5 else "")
        notes.append(
            f"float64 cannot decide the branch of a jump unit within rounding of 0 at x = {where}, and exact "
            f"recomputation exceeds the work budget (EXACT_WORK = {EXACT_WORK}): the value at those points may be "
            "wrong, so the bound is not certified; use linear_pieces_1d(..., exact=True) or an exact network"
        )
    if exhausted and math.isfinite(high):
        notes.append("evaluation budget reached: the certified bound is wider than the requested tolerance")
    return sup_estimate(
        low,
        high,
        (at,),
        certified=certified,
        method="exact-1d",
        n_evals=n_evals,
        assumptions=assumptions,
        parameters={"rtol": rtol, "max_evals": max_evals, "max_pieces": max_pieces},
        scale=scale,
        details={
            "pieces": pcs.n_pieces,
            "affine_pieces": pcs.affine_pieces(),
            "intervals": int(A.size),
            "refinement_rounds": rounds,
            "network_lipschitz": pcs.lipschitz(),
            "pieces_vs_forward": agreement,
            "pieces_arithmetic": arithmetic,
            **(_jump_details(U, point_low) if pcs.values is not None else {}),
            "bound_methods": bounds.method_names,
            "budget_exhausted": exhausted,
            "notes": notes,
        },
    )


def _jump_details(U: np.ndarray, point_low: float) -> dict[str, float]:
    """Discontinuous networks: the two terms of the closed-domain sup (module docstring)."""
    return {"essential_sup_high": float(np.max(U)), "max_at_breakpoints": point_low}
