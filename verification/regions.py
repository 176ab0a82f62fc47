r"""Exact linear regions of a two-input network over a box (polygon splitting, layer by layer).

For :math:`N: \mathbb R^2 \to \mathbb R^{d_y}` with piecewise-linear (identity, relu,
leaky_relu), step or stepped leaky ReLU activations, the box is cut into convex polygons on which every
pre-activation has a constant sign, so :math:`N` is affine on each.  The algorithm keeps
every polygon's vertices in cyclic order with the current layer's pre-activations at each
vertex (vertices are stored per polygon).  For each unit :math:`j` of a layer, every
polygon on whose vertices :math:`z_j` takes both strict signs is cut along
:math:`z_j = 0`: edges with a strict sign change get a new vertex (linear interpolation of
coordinates and of all pre-activations, with :math:`z_j := 0` exactly), and the vertices
with :math:`z_j \ge 0` and those with :math:`z_j \le 0`, taken in cyclic order, are the two
halves (convexity makes each half a contiguous run).  Then the activation is applied at
the vertices (from the polygon's interior sign for ``step`` and ``stepped_leaky_relu``, so the
vertex values are limits from inside the polygon).  All polygons are processed
at once with flat numpy arrays (the vertex-splitting idea of Regioncam, T. van Laarhoven,
and of SplineCam, Humayun et al., CVPR 2023, here written natively in numpy).

Regions are *activation-pattern* regions (distinct cells of the sign partition); two
neighbours may carry the same affine map.  Geometry is float64 over the network's
correctly rounded weights.  For a one-hidden-layer network with :math:`D` units whose
lines are in general position and meet inside the box, the count is Zaslavsky's
:math:`1 + D + \binom D2`.

>>> from uat import FeedForward
>>> net = FeedForward.from_layers([([[1, 0], [0, 1], [1, 1]], [0, 0, -1], "relu"), ([[1, 1, 1]], [0])])
>>> reg = linear_regions_2d(net, "[-2,2]^2")
>>> reg.n_regions, round(float(reg.areas.sum()), 12)
(7, 16.0)
>>> reg.verify() < 1e-14
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from uat.domains import Box, parse_domain
from uat.errors import BudgetExceeded
from uat.network import FeedForward

from ._region_common import ConvexRegions, cut_layer_by_layer, next_in_cycle
from ._validate import forward
from .pieces import check_piecewise

__all__ = ["Regions2D", "linear_regions_2d"]


@dataclass(frozen=True, eq=False)
class Regions2D(ConvexRegions):
    """The linear regions of a two-input network over a box.

    Attributes
    ----------
    vertices : ndarray (V, 2)
        Polygon vertices, polygon after polygon, each in cyclic order.
    values : ndarray (V, d_y)
        The network's value at each vertex (the limit from inside the polygon).
    offsets : ndarray (n + 1,)
        Polygon ``k`` owns ``vertices[offsets[k]:offsets[k+1]]``.
    continuous : bool
        False when a discontinuous activation (step, stepped_leaky_relu) is present; the vertex
        values are then the limits from inside each polygon, and the network's values on region
        boundaries are not represented.
    network : FeedForward
    box : Box
    """

    vertices: np.ndarray
    values: np.ndarray
    offsets: np.ndarray
    continuous: bool
    network: FeedForward
    box: Box

    @property
    def polygon_index(self) -> np.ndarray:
        """(V,) the polygon each vertex belongs to."""
        return self._region_of_vertex()

    @property
    def areas(self) -> np.ndarray:
        """(n,) polygon areas (shoelace formula)."""
        x, y = self.vertices[:, 0], self.vertices[:, 1]
        nxt = next_in_cycle(self.offsets)
        return 0.5 * np.abs(self._sum(x * y[nxt] - x[nxt] * y))

    def enclosing_radii(self) -> np.ndarray:
        """(n,) radius of a ball around :attr:`vertex_means` that holds the polygon."""
        d = np.linalg.norm(self.vertices - self.vertex_means[self.polygon_index], axis=1)
        return np.maximum.reduceat(d, self.offsets[:-1])

    def _measures(self) -> np.ndarray:
        return self.areas

    def _solve_normal_equations(self, cov, cross, pid, dp, dv) -> np.ndarray:
        """The least-squares slopes: ``cov^{-1} cross`` by the explicit 2x2 inverse (zero where singular)."""
        det = cov[:, 0, 0] * cov[:, 1, 1] - cov[:, 0, 1] * cov[:, 1, 0]
        inv = np.empty_like(cov)
        inv[:, 0, 0], inv[:, 1, 1] = cov[:, 1, 1], cov[:, 0, 0]
        inv[:, 0, 1], inv[:, 1, 0] = -cov[:, 0, 1], -cov[:, 1, 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = inv / det[:, None, None]
        inv[~np.isfinite(inv)] = 0.0
        return inv @ cross

    def triangles(self) -> tuple[np.ndarray, np.ndarray]:
        """Fan triangulation ``(v0, v_i, v_{i+1})`` of every polygon: (vertex indices (k, 3), owner polygon (k,))."""
        nt = self.counts - 2
        owner = np.repeat(np.arange(self.n_regions), nt)
        first = self.offsets[owner]
        idx = np.arange(nt.sum()) - np.repeat(np.cumsum(nt) - nt, nt) + 1 + first
        return np.stack([first, idx, idx + 1], axis=1), owner

    def verify(self) -> float:
        """Largest discrepancy at the polygons' vertex means between the regions and the forward pass.

        Relative to ``max(1, max |N|)``; rounding gives 1e-16..1e-12.
        """
        pts = self.vertex_means
        fwd = forward(self.network, pts)
        scale = max(1.0, float(np.max(np.abs(fwd))))
        return float(np.max(np.abs(fwd - self.mean_values)) / scale)


def _offsets_from_labels(pid: np.ndarray) -> np.ndarray:
    change = np.nonzero(pid[1:] != pid[:-1])[0] + 1
    return np.concatenate([[0], change, [pid.size]]).astype(np.intp)


def _split_unit(P: np.ndarray, Z: np.ndarray, offsets: np.ndarray, j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut every polygon on which Z[:, j] changes strict sign along Z[:, j] = 0."""
    z = Z[:, j]
    pos, neg = z > 0, z < 0
    if not (pos.any() and neg.any()):
        return P, Z, offsets
    starts = offsets[:-1]
    has_pos = np.logical_or.reduceat(pos, starts)
    has_neg = np.logical_or.reduceat(neg, starts)
    split = has_pos & has_neg
    if not split.any():
        return P, Z, offsets
    counts = np.diff(offsets)
    vsplit = np.repeat(split, counts)
    keep = ~vsplit
    # the polygons being cut, compacted: their own offsets
    s_counts = counts[split]
    s_off = np.concatenate([[0], np.cumsum(s_counts)])
    sP, sZ = P[vsplit], Z[vsplit]
    zs = sZ[:, j]
    nxt = next_in_cycle(s_off)
    cross = (zs * zs[nxt]) < 0
    k = np.nonzero(cross)[0]
    t = zs[k] / (zs[k] - zs[nxt[k]])
    cP = sP[k] + t[:, None] * (sP[nxt[k]] - sP[k])
    cZ = sZ[k] + t[:, None] * (sZ[nxt[k]] - sZ[k])
    cZ[:, j] = 0.0
    # interleave: vertex m, then its edge crossing (if any)
    n_s = zs.size
    slot = np.arange(n_s) + np.concatenate([[0], np.cumsum(cross)[:-1]])
    total = n_s + k.size
    eP = np.empty((total, 2))
    eZ = np.empty((total, Z.shape[1]))
    sign = np.empty(total, dtype=np.int8)
    eP[slot], eZ[slot], sign[slot] = sP, sZ, np.sign(zs).astype(np.int8)
    cslot = slot[k] + 1
    eP[cslot], eZ[cslot], sign[cslot] = cP, cZ, 0
    local = np.repeat(np.arange(s_counts.size), s_counts + np.add.reduceat(cross.astype(np.intp), s_off[:-1]))
    up, down = sign >= 0, sign <= 0
    n_old = counts.size
    pid_keep = np.repeat(np.arange(n_old), counts)[keep]
    pid = np.concatenate([pid_keep, n_old + 2 * local[up], n_old + 2 * local[down] + 1])
    newP = np.concatenate([P[keep], eP[up], eP[down]])
    newZ = np.concatenate([Z[keep], eZ[up], eZ[down]])
    # kept polygons, then all upper halves, then all lower halves: each run of equal labels is one polygon
    return newP, newZ, _offsets_from_labels(pid)


def linear_regions_2d(net: FeedForward, box: Any = None, *, max_regions: int = 200_000) -> Regions2D:
    """The linear regions of a two-input network over ``box`` (default ``[0,1]^2``).

    Parameters
    ----------
    net : FeedForward
        ``input_dim == 2``; activations among identity, relu, leaky_relu, step, stepped_leaky_relu.
    box : Box or str, optional
    max_regions : int
        Region budget: beyond it :class:`~uat.errors.BudgetExceeded` is raised with the
        count so far (use the grid route, ``sup_error(..., method="grid")``, or raise the
        budget).

    Returns
    -------
    Regions2D
    """
    check_piecewise(net, 2, "linear_regions_2d")
    box = parse_domain(box, dim=2)
    (x0, y0), (x1, y1) = box.lo_array, box.hi_array
    P = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    offsets = np.array([0, 4], dtype=np.intp)

    def cut(H, Z, W, b, units, layer):
        nonlocal P, offsets
        for j in units:  # each neuron's own activation
            P, Z, offsets = _split_unit(P, Z, offsets, int(j))
            if offsets.size - 1 > max_regions:
                raise BudgetExceeded(
                    f"region budget exceeded: {offsets.size - 1} regions after layer {layer} of "
                    f"{net.depth} (unit {j + 1} of {Z.shape[1]}), above max_regions={max_regions}; "
                    "use method='grid' (grid maximum plus a Lipschitz certificate) or raise max_regions"
                )
        return Z, offsets

    H, continuous = cut_layer_by_layer(net, P.copy(), cut)
    for arr in (P, H, offsets):
        arr.flags.writeable = False
    return Regions2D(P, H, offsets, continuous, net, box)
