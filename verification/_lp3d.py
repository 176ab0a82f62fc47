r"""L^p error in three input dimensions over the exact linear regions, with a certified interval.

The regions (:func:`~verification.regions3d.linear_regions_3d`) are triangulated into
tetrahedra, on each of which the network is affine.  Let :math:`I e` be the linear interpolant
of :math:`e = f - N` at the four vertices.  As in one and two dimensions
(:mod:`verification._lp1d`, :mod:`verification._lp2d`), Minkowski's inequality gives
:math:`|\,\|e\|_p - \|Ie\|_p| \le \rho`, :math:`\rho^p = \sum_T |T|\, r_T^p`, where
:math:`r_T \ge \sup_T \|e - Ie\|_2` is :math:`\tfrac12 R_T^2 \sqrt{d_y} H_T` (Waldron's bound,
:math:`R_T` the smallest-enclosing-ball radius, :math:`H_T` a bound on the target's Hessian
norm over the tetrahedron's bounding box) or :math:`(L_f + \|A_T\|_2) R_T`.  Since
:math:`\|Ie(x)\|^p` is convex,

.. math:: |T|\,\|Ie(c_T)\|^p \le \int_T \|Ie\|^p \le |T|\,\tfrac14 \sum_{v} \|e(v)\|^p

(Jensen at the centroid; convexity along barycentric coordinates, :math:`\int_T\lambda_i =
|T|/4`), and for :math:`p = 2` the integral is exact, :math:`|T|(\sum_i\|e_i\|^2 +
\|\sum_i e_i\|^2)/20`.  Tetrahedra whose share of the gap is too large are red-refined (eight
children) until the interval is within the requested relative width or the budget ends.  The
reported value is a degree-5 conical product rule (Stroud: Gauss-Jacobi in collapsed
coordinates, 27 points, positive weights) on the final tetrahedra.  Without derivative
information for the target the result is not certified (``lp_error`` then recommends QMC).
The refinement is shared with two dimensions (:mod:`verification._lp_regions`).
"""

from __future__ import annotations

import math

import numpy as np

from uat.domains import Box
from uat.network import FeedForward
from uat.targets import Target
from uat.tolerances import tol

from ._lp_regions import lp_estimate, lp_on_regions
from ._result import ErrorEstimate
from ._simplices import TETRAHEDRA
from ._sup3d import ROUNDING_3D
from .regions3d import linear_regions_3d

__all__ = ["lp_regions_3d", "conical_rule"]


def conical_rule(n: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Stroud's conical product rule on a tetrahedron: (barycentric points (n^3, 4), weights summing to 1).

    Exact for polynomials of degree ``2n - 1``.

    >>> lam, w = conical_rule(3)
    >>> lam.shape, round(float(w.sum()), 15), bool((w > 0).all())
    ((27, 4), 1.0, True)
    >>> round(float(w @ (lam[:, 1] ** 2 * lam[:, 2])), 15) == round(2 / 720 * 6, 15)   # int a^2 b / |T|
    True
    """
    from scipy.special import roots_jacobi

    rules = []
    for alpha in (2, 1, 0):
        x, w = roots_jacobi(n, alpha, 0)
        rules.append(((1 + x) / 2, w / 2 ** (alpha + 1)))
    (u1, w1), (u2, w2), (u3, w3) = rules
    U1, U2, U3 = np.meshgrid(u1, u2, u3, indexing="ij")
    W = np.einsum("i,j,k->ijk", w1, w2, w3).ravel()
    a = U1.ravel()
    b = ((1 - U1) * U2).ravel()
    c = ((1 - U1) * (1 - U2) * U3).ravel()
    lam = np.stack([1 - a - b - c, a, b, c], axis=1)
    return lam, W / W.sum()


CONICAL = conical_rule(3)


def lp_regions_3d(
    net: FeedForward,
    target: Target,
    box: Box,
    p: float,
    *,
    cert_rtol: float,
    max_regions: int,
    max_tetrahedra: int,
) -> ErrorEstimate:
    """The L^p error of a three-input network over its exact regions, with a certified interval (module docstring)."""
    reg = linear_regions_3d(net, box, max_regions=max_regions)
    agreement = max(reg.verify(), reg.volume_defect())  # the regions' maps and their tiling of the box
    run = lp_on_regions(reg, target, net.output_dim, TETRAHEDRA, reg.tetrahedra, p, cert_rtol=cert_rtol,
                        max_simplices=max_tetrahedra, max_rounds=30, rule=CONICAL, chunk=1 << 13,
                        total=float(np.prod(box.widths)), jumps=False, until_stable=False)

    def uncertified():
        notes = []
        if not run.certifiable:
            notes.append("no derivative or Lipschitz bound for the target on some tetrahedra: the value is the "
                         "degree-5 quadrature on the regions, not a proof (use method='qmc' for a confidence interval)")
        if agreement > tol("conditioning_flag"):
            notes.append(f"regions disagree with the forward pass or do not tile the box ({agreement:.2e}, "
                         "relative): not certified")
        return 0.0, math.inf, ["no certificate (see details.notes)"], notes

    return lp_estimate(run, reg, agreement, TETRAHEDRA, p, method="regions-3d", rounding=ROUNDING_3D,
                       uncertified=uncertified,
                       parameters={"cert_rtol": cert_rtol, "max_regions": max_regions, "max_tetrahedra": max_tetrahedra,
                                   "quadrature": "conical product (Gauss-Jacobi) 27-point degree 5 per tetrahedron"})
