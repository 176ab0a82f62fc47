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
triangle) until the bound and the attained maximum agree or the budget is spent.  The
refinement is shared with three dimensions (:mod:`verification._sup_regions`).
"""

from __future__ import annotations

from uat.domains import Box
from uat.network import FeedForward
from uat.targets import Target

from ._result import ErrorEstimate
from ._simplices import TRIANGLES
from ._sup1d import _ROUNDING
from ._sup_regions import sup_on_regions
from .regions import linear_regions_2d

__all__ = ["sup_regions_2d"]


def sup_regions_2d(
    net: FeedForward,
    target: Target,
    box: Box,
    *,
    rtol: float,
    max_evals: int,
    max_regions: int,
) -> ErrorEstimate:
    """The certified sup error of a two-input network over its exact regions (module docstring)."""
    reg = linear_regions_2d(net, box, max_regions=max_regions)
    agreement = reg.verify()
    return sup_on_regions(
        reg, target, net.output_dim, TRIANGLES, reg.triangles, agreement=agreement, rtol=rtol, max_evals=max_evals,
        max_regions=max_regions, method="regions-2d", rounding=_ROUNDING,
        disagreement=f"regions disagree with the forward pass by {agreement:.2e} (relative): not certified",
    )
