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
midpoints are the means of the vertex values; only the target is evaluated.  The refinement
is shared with two dimensions (:mod:`verification._sup_regions`); the simplices are in
:mod:`verification._simplices`.
"""

from __future__ import annotations

from uat.domains import Box
from uat.network import FeedForward
from uat.targets import Target

from ._result import ErrorEstimate
from ._simplices import TETRAHEDRA, enclosing_ball_radius, red_refine
from ._sup_regions import sup_on_regions
from .regions3d import linear_regions_3d

__all__ = ["sup_regions_3d", "enclosing_ball_radius", "red_refine"]

ROUNDING_3D = (
    "float64 arithmetic: rounding in the regions and in the certificate is not enclosed "
    "(the regions are checked against the forward pass and their volumes against the box's; "
    "see details['regions_vs_forward'])"
)


def sup_regions_3d(
    net: FeedForward,
    target: Target,
    box: Box,
    *,
    rtol: float,
    max_evals: int,
    max_regions: int,
) -> ErrorEstimate:
    """The certified sup error of a three-input network over its exact regions (module docstring).

    ``details['regions_vs_forward']`` is the larger of ``verify()`` and ``volume_defect()``.
    """
    reg = linear_regions_3d(net, box, max_regions=max_regions)
    agreement = max(reg.verify(), reg.volume_defect())  # the regions' maps and their tiling of the box
    return sup_on_regions(
        reg, target, net.output_dim, TETRAHEDRA, reg.tetrahedra, agreement=agreement, rtol=rtol, max_evals=max_evals,
        max_regions=max_regions, method="regions-3d", rounding=ROUNDING_3D,
        disagreement=f"regions disagree with the forward pass or do not tile the box ({agreement:.2e}, relative): "
        "not certified",
    )
