r"""L^p error in one input dimension: exact pieces, Gauss-Legendre per piece, and a certified interval.

**Value.**  The network's pieces are computed exactly (:func:`linear_pieces_1d`; for a
discontinuous network whose float64 pieces leave a jump undecided, in rational arithmetic
within :data:`verification._sup1d.EXACT_WORK`, else the result is not certified).  The pieces
are cut where the target may jump or kink (located from its parsed expression) and where
:math:`\|f - N\|^p` has a kink or near-cusp, then integrated with Gauss-Legendre rules of 10 and
20 nodes under global error control (:mod:`verification._lp1d_quad`).

**Certified interval.**  Let :math:`I e` be the piecewise-linear interpolant of :math:`e`
on a subdivision of the pieces.  Minkowski's inequality gives
:math:`\bigl|\|e\|_p - \|I e\|_p\bigr| \le \|e - I e\|_p \le \rho`, with
:math:`\rho^p = \sum_j h_j r_j^p` and :math:`r_j \ge \sup_j \|e - I e\|_2` taken from the
target's second-derivative bound (:math:`\sqrt{d_y} H h^2/8`), its Lipschitz constant
(:math:`(L_f + \|s\|) h / 2`).  On an interval where neither exists (the target may jump
there) the integral itself is enclosed, :math:`0 \le \int \|e\|^p \le h M^p` with
:math:`M = \sup\|f\| + \max\|N\|`, and added to the :math:`p`-th powers of the bounds on the
rest.  Since :math:`\|I e(x)\|_2^p` is convex
on each sub-interval (:math:`p \ge 1`), the midpoint rule bounds its integral from below and
the trapezoidal rule from above (for :math:`p = 2` the integral of the quadratic
:math:`\|Ie\|^2` is exact).  Sub-intervals are bisected until the interval is within the
requested relative width or the budget ends, largest contributions first (global selection:
an interval holding a jump of the target keeps :math:`M` whatever its length, so only its own
length, halved once per round, shrinks its share :math:`h M^p`).  A target jump located from
the expression sits in an interval a few ulps long, whose share is negligible from the start.  When the budget ends first, the interval is still certified, only
wider than requested (reported in ``details['notes']``).
"""

from __future__ import annotations

import math

import numpy as np

from uat.domains import Box
from uat.network import FeedForward
from uat.targets import Target
from uat.tolerances import tol

from ._bounds import BoundLog
from ._lp1d_quad import MAX_ROUNDS, Segs, largest_share, prepare, quadrature
from ._result import ErrorEstimate, widen_for_rounding
from ._sup1d import _ROUNDING, EXACT_WORK, decided_pieces
from ._validate import target_values

__all__ = ["lp_exact_1d"]

def _certify(target: Target, segs: Segs, p: float, value: float, cert_rtol: float, max_intervals: int):
    """Rigorous [low, high] for ||e||_p (module docstring); (low, high, n_intervals, evals, exhausted, methods, assumptions)."""
    d_y = segs.s.shape[1]
    bounds = BoundLog(target)

    def radii(sg: Segs) -> tuple[np.ndarray, np.ndarray]:
        """(r >= sup ||e - Ie|| from f'' or Lipschitz bounds, M >= sup ||e|| where r is inf) per interval."""
        lo, hi = sg.a[:, None], sg.b[:, None]
        hess, lip = bounds(lo, hi)
        h = sg.b - sg.a
        with np.errstate(invalid="ignore", over="ignore"):
            r = np.minimum(math.sqrt(d_y) * hess * h * h / 8, (lip + np.linalg.norm(sg.s, axis=1)) * h / 2)
        r = np.where(np.isnan(r), np.inf, r)
        M = np.full(r.size, np.inf)
        rough = ~np.isfinite(r)
        if rough.any():  # a jump (or no derivative bound): sup ||e|| <= sup ||f|| + max ||N|| (N affine)
            fmax = bounds.bound(lo[rough], hi[rough], "value")
            sr = sg.take(rough)
            NA, NB = sr.n0 + (sr.a - sr.x0)[:, None] * sr.s, sr.n0 + (sr.b - sr.x0)[:, None] * sr.s
            M[rough] = fmax + np.maximum(np.linalg.norm(NA, axis=1), np.linalg.norm(NB, axis=1))
        return r, M

    def errors_at(sg: Segs, x: np.ndarray) -> np.ndarray:
        return target_values(target, x[:, None]) - sg.net(x[:, None])[:, 0, :]

    EA, EB = errors_at(segs, segs.a), errors_at(segs, segs.b)
    n_evals = 2 * segs.a.size
    r, M = radii(segs)
    gap_allowed = max(cert_rtol * value, 1e-14 * max(1.0, value))
    v = max(value, gap_allowed)
    rounds, exhausted = 0, False
    while True:
        h = segs.b - segs.a
        smooth = np.isfinite(r)
        if p == 2:  # ||Ie||^2 is quadratic: exact, h (|e_a|^2 + e_a.e_b + |e_b|^2) / 3
            lowp = highp = h * (np.sum(EA * EA, axis=1) + np.sum(EA * EB, axis=1) + np.sum(EB * EB, axis=1)) / 3
        else:
            lowp = h * np.linalg.norm(0.5 * (EA + EB), axis=1) ** p
            highp = h * 0.5 * (np.linalg.norm(EA, axis=1) ** p + np.linalg.norm(EB, axis=1) ** p)
        with np.errstate(over="ignore", invalid="ignore"):
            rho_p = np.where(smooth, h * r**p, 0.0)
            direct = np.where(smooth, 0.0, h * M**p)  # 0 <= int ||e||^p <= h M^p on the rough intervals
        rho = float(np.sum(rho_p)) ** (1 / p)
        low = max(0.0, float(np.sum(lowp[smooth])) ** (1 / p) - rho)
        high = ((float(np.sum(highp[smooth])) ** (1 / p) + rho) ** p + float(np.sum(direct))) ** (1 / p)
        if not math.isfinite(high) and not np.isfinite(direct).any() or high - low <= gap_allowed:
            break
        # global selection: bisect the intervals carrying most of the gap, so that what stays uses at most
        # half of each allowance (in p-th powers, a gap x moves the norm by about x / (p v^(p-1)))
        splittable = 0.5 * (segs.a + segs.b) > segs.a
        share = np.where(smooth, np.maximum(highp - lowp, 0.0), direct)
        refine = largest_share(np.where(splittable, share, 0.0), p * v ** (p - 1) * gap_allowed / 8)
        refine |= largest_share(np.where(splittable, rho_p, 0.0), (gap_allowed / 8) ** p)
        refine &= splittable
        n_bad = int(np.count_nonzero(refine))
        if n_bad == 0 or rounds >= MAX_ROUNDS or segs.a.size + n_bad > max_intervals:
            exhausted = True
            break
        rounds += 1
        kids = segs.take(refine).bisect()
        k = n_bad
        EM = errors_at(kids.take(np.arange(k)), kids.b[:k])  # the midpoints are the left halves' right ends
        n_evals += k
        keep = ~refine
        segs = Segs.concat([segs.take(keep), kids])
        EA = np.concatenate([EA[keep], EA[refine], EM])
        EB = np.concatenate([EB[keep], EM, EB[refine]])
        r2, M2 = radii(kids)
        r, M = np.concatenate([r[keep], r2]), np.concatenate([M[keep], M2])
    return low, high, int(segs.a.size), n_evals, exhausted, list(bounds.methods), list(bounds.assumptions)


def lp_exact_1d(
    net: FeedForward,
    target: Target,
    box: Box,
    p: float,
    *,
    rtol: float,
    cert_rtol: float,
    max_intervals: int,
    max_pieces: int,
) -> ErrorEstimate:
    pcs, arithmetic = decided_pieces(net, box, max_pieces)  # a jump float64 cannot decide is redone exactly
    undecided = pcs.ambiguous.size > 0
    dev, scale = pcs.deviations()  # at the piece midpoints, against the forward pass (exact where float64 is unsure)
    agreement = float(np.max(dev)) / scale
    a = np.asarray(pcs.breakpoints[:-1], dtype=np.float64)
    b = np.asarray(pcs.breakpoints[1:], dtype=np.float64)
    segs = Segs(a, b, a.copy(), np.asarray(pcs.left, dtype=np.float64), np.asarray(pcs.slopes, dtype=np.float64))
    segs, prep = prepare(target, segs, p)
    n_evals = prep["n_evals"]
    total, qerr, rounds, q_evals, unconverged = quadrature(target, segs, p, rtol, max_intervals)
    n_evals += q_evals
    value = total ** (1 / p)
    q_low = max(0.0, total - qerr) ** (1 / p)
    q_high = (total + qerr) ** (1 / p)
    low, high, n_cert, c_evals, exhausted, methods, assumptions = _certify(
        target, segs, p, value, cert_rtol, max_intervals
    )
    n_evals += c_evals
    notes = []
    # the L^p norm weighs each piece by its length: a rounding discrepancy on a very short steep piece hardly
    # matters; rho_pieces = (sum_i h_i dev_i^p)^(1/p) widens the interval by the measured discrepancy
    with np.errstate(over="ignore"):
        h_pieces = np.asarray(pcs.lengths, dtype=np.float64)
        rho_pieces = float(np.sum(h_pieces * dev**p)) ** (1 / p)
    agreement_lp = rho_pieces / (scale * float(np.sum(h_pieces)) ** (1 / p))
    bounded = math.isfinite(high)
    certified = bounded and agreement_lp <= tol("conditioning_flag") and not undecided
    if certified:
        low, high = max(0.0, low - rho_pieces), high + rho_pieces
        # f - N cancels where both are large (x**2 near x = 1e6): float64 gives each to a few ulps of the
        # network's scale, so the interval is widened by that rounding level (measured, not enclosed)
        low, high = widen_for_rounding(low, high, scale, notes, weight=float(np.sum(h_pieces)) ** (1 / p),
                                       what="L^p-weighted; ")
        if agreement > tol("conditioning_flag"):
            notes.append(
                f"pieces disagree with the forward pass by up to {agreement:.2e} (relative) on short steep pieces "
                f"(float64 cannot place their ends more precisely); weighted by length the discrepancy is "
                f"{agreement_lp:.2e}, and the certified interval is widened by {rho_pieces:.2e}"
            )
    if undecided:
        notes.append(
            f"float64 cannot decide the branch of a jump unit at {pcs.ambiguous.size} place(s) (a unit within "
            f"rounding of 0), and exact recomputation exceeds EXACT_WORK = {EXACT_WORK}: not certified"
        )
    if certified:
        if not (low <= value <= high):
            notes.append(f"quadrature value {value:.17g} lies outside the certified interval (reported as is)")
        ass = assumptions + [_ROUNDING]
    else:
        low, high = q_low, q_high
        if not bounded:
            notes.append(
                "no derivative, Lipschitz or value bound for the target: the interval is the quadrature error "
                "estimate (Gauss-Legendre 10 vs 20 nodes), not a proof"
            )
            if unconverged:  # e.g. |tan(3x)|^(1/2) in L^2: a divergent integral looks like a slowly converging one
                high = math.inf
                notes.append(
                    "the target has no value bound on some interval (it may be unbounded there) and the quadrature "
                    "did not converge: the L^p error may be infinite, so no upper bound is reported (high = inf)"
                )
        if agreement_lp > tol("conditioning_flag"):
            notes.append(f"pieces disagree with the forward pass by {agreement_lp:.2e} (relative, L^p-weighted; "
                         f"{agreement:.2e} at worst): not certified")
        ass = ["quadrature error estimated by comparing Gauss-Legendre rules; not certified"]
    if unconverged:
        notes.append("quadrature did not reach the requested relative tolerance within the budget")
    if exhausted and certified:
        notes.append("certificate budget reached: the certified interval is wider than the requested cert_rtol")
    return ErrorEstimate(
        value=value,
        low=low,
        high=high,
        certified=certified,
        method="exact-1d",
        n_evals=n_evals,
        assumptions=tuple(ass),
        norm="lp",
        p=p,
        parameters={"rtol": rtol, "cert_rtol": cert_rtol, "max_intervals": max_intervals, "quadrature": "gauss-legendre 10/20"},
        details={
            "pieces": pcs.n_pieces,
            "root_splits": prep["root_splits"],
            "target_singular_intervals": prep["singular_intervals"],
            "quadrature_rounds": rounds,
            "quadrature_error_estimate": (total + qerr) ** (1 / p) - value,
            "certificate_intervals": n_cert,
            "pieces_vs_forward": agreement,
            "pieces_vs_forward_lp": agreement_lp,
            "pieces_arithmetic": arithmetic,
            "bound_methods": methods or ["none"],
            "notes": notes,
        },
    )
