r"""L^p error in two input dimensions over the exact linear regions, with a certified interval.

The regions (:func:`linear_regions_2d`) are fan-triangulated; on each triangle :math:`T` the
network is affine.  Let :math:`I e` be the linear interpolant of :math:`e = f - N` at the
vertices.  As in one dimension (:mod:`verification._lp1d`), Minkowski's inequality gives
:math:`|\,\|e\|_p - \|Ie\|_p| \le \rho`, :math:`\rho^p = \sum_T |T|\, r_T^p`, where
:math:`r_T \ge \sup_T \|e - Ie\|_2` is :math:`\tfrac12 R_T^2 \sqrt{d_y} H_T` (the
Waldron-type bound of :mod:`verification._sup2d`, :math:`R_T` the radius of a ball around the
centroid holding :math:`T`), or :math:`(L_f + \|A_T\|_2) R_T`, or, for a discontinuous target,
:math:`\sup_T\|f\| + \max_v \|N(v)\| + \max_v \|e(v)\|`.  Since :math:`\|Ie(x)\|^p` is convex,

.. math:: |T|\,\|Ie(c_T)\|^p \le \int_T \|Ie\|^p \le |T|\,\tfrac13 \sum_{v} \|e(v)\|^p

(Jensen at the centroid :math:`c_T`; convexity along barycentric coordinates); for
:math:`p = 2` the integral is exact, :math:`|T|(\sum_i\|e_i\|^2 + \|\sum_i e_i\|^2)/12`.  Triangles
whose share of the gap is too large are split into four (edge midpoints) until the interval
is within the requested relative width or the triangle budget ends.  The reported value is
Radon's 7-point degree-5 rule on the final triangles.  Without derivative information the
triangles are refined uniformly until two successive quadrature values agree, and the
result is an (uncertified) estimate.  The refinement is shared with three dimensions
(:mod:`verification._lp_regions`).
"""

from __future__ import annotations

import math

import numpy as np

from uat.domains import Box
from uat.network import FeedForward
from uat.targets import Target

from ._lp_regions import lp_estimate, lp_on_regions
from ._result import ErrorEstimate
from ._simplices import TRIANGLES
from ._sup1d import _ROUNDING
from .regions import linear_regions_2d

__all__ = ["lp_regions_2d", "RADON"]

_S15 = math.sqrt(15.0)
_A, _B = (6 - _S15) / 21, (6 + _S15) / 21
# Radon's 7-point rule, degree 5: barycentric points and weights (summing to 1)
RADON = (
    np.array(
        [[1 / 3, 1 / 3, 1 / 3]]
        + [[_A, _A, 1 - 2 * _A], [_A, 1 - 2 * _A, _A], [1 - 2 * _A, _A, _A]]
        + [[_B, _B, 1 - 2 * _B], [_B, 1 - 2 * _B, _B], [1 - 2 * _B, _B, _B]]
    ),
    np.array([9 / 40] + [(155 - _S15) / 1200] * 3 + [(155 + _S15) / 1200] * 3),
)


def lp_regions_2d(
    net: FeedForward,
    target: Target,
    box: Box,
    p: float,
    *,
    cert_rtol: float,
    max_regions: int,
    max_triangles: int,
) -> ErrorEstimate:
    """The L^p error of a two-input network over its exact regions, with an interval (module docstring)."""
    reg = linear_regions_2d(net, box, max_regions=max_regions)
    agreement = reg.verify()
    run = lp_on_regions(reg, target, net.output_dim, TRIANGLES, reg.triangles, p, cert_rtol=cert_rtol,
                        max_simplices=max_triangles, max_rounds=40, rule=RADON, chunk=1 << 15, total=None,
                        jumps=True, until_stable=True)

    def uncertified():
        diff = abs(run.value - run.previous) if run.previous is not None else math.inf
        notes = ["no derivative, Lipschitz or value bound for the target on some triangles: the interval is the "
                 "change of the quadrature value under the last refinement, not a proof"]
        ass = ["quadrature error estimated by refinement; not certified"]
        return max(0.0, run.value - diff), run.value + diff, ass, notes

    return lp_estimate(run, reg, agreement, TRIANGLES, p, method="regions-2d", rounding=_ROUNDING,
                       uncertified=uncertified,
                       parameters={"cert_rtol": cert_rtol, "max_regions": max_regions, "max_triangles": max_triangles,
                                   "quadrature": "Radon 7-point degree 5 per triangle"})
