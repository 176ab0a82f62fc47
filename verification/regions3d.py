r"""Exact linear regions of a three-input network over a box (convex polytopes cut layer by layer).

For :math:`N: \mathbb R^3 \to \mathbb R^{d_y}` with piecewise-linear activations (identity,
relu, leaky_relu; also step and stepped leaky ReLU, see below), possibly chosen neuron by
neuron (:class:`uat._mixed.MixedActivation`), the box is cut into convex polytopes on which
every pre-activation has a constant sign, so :math:`N` is affine on each.  Every polytope
keeps its own vertices (with the current layer's pre-activations at each vertex) and its
faces as cyclic lists of those vertices.  For each unit :math:`j` of a layer, every polytope
on whose vertices :math:`z_j` takes both strict signs is cut along :math:`z_j = 0`:

1. each edge (consecutive vertices of a face) with a strict sign change gets one new vertex,
   by linear interpolation of the coordinates and of all pre-activations, with
   :math:`z_j := 0` exactly (an edge shared by two faces is cut once, from its lower-numbered
   end, so both faces see the same point);
2. every face with a strictly positive vertex gives the upper polytope the run of its
   vertices with :math:`z_j \ge 0` (in cyclic order, crossing points interleaved), and every
   face with a strictly negative vertex gives the lower one its run with :math:`z_j \le 0`
   (a convex polygon meets a half-plane in one contiguous run);
3. the new facet (the *cap*) is the polygon of all points with :math:`z_j = 0` (the crossings
   and the old vertices on the plane), put in cyclic order by angle about its mean after an
   affine projection along :math:`d = \bar v_+ - \bar v_-` (the means of the strictly positive and
   strictly negative vertices; :math:`d` crosses the plane, so the projection is a bijection
   of the plane and keeps the convex order); both halves get it.

All polytopes are cut at once on flat numpy arrays.  This is the face-splitting counterpart of
the edge subdivision of Berzins (ICML 2023) and of the 2-D polygon splitting of
:mod:`verification.regions` (Regioncam, SplineCam).  Geometry is float64 over the network's
correctly rounded weights; :meth:`Regions3D.verify` compares every region's affine map and its
vertex values with the forward pass (the ``verify()`` habit of SplineCam).

Regions are *activation-pattern* regions.  For one hidden layer whose :math:`D` planes are in
general position with every triple point inside the box, the count is Zaslavsky's
:math:`1 + D + \binom D2 + \binom D3`.  Step-type activations are handled as in two
dimensions: the vertex values are the limits from inside each polytope (``continuous`` is
then False).

>>> from uat import FeedForward
>>> net = FeedForward.from_layers([([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0], "relu"),
...                                ([[1, 1, 1]], [0])])
>>> reg = linear_regions_3d(net, "[-1,1]^3")
>>> reg.n_regions, round(float(reg.volumes.sum()), 12)
(8, 8.0)
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

from ._cut3d import cut_polytopes
from ._region_common import ConvexRegions, cut_layer_by_layer
from ._simplices import tetrahedron_volumes
from ._validate import forward
from .pieces import check_piecewise

__all__ = ["Regions3D", "linear_regions_3d", "tetrahedron_volumes"]

# the six faces of a box, corners numbered b0 + 2 b1 + 4 b2 (b_i = 1 at the upper bound of axis i)
_BOX_FACES = np.array([[0, 2, 6, 4], [1, 3, 7, 5], [0, 1, 5, 4], [2, 3, 7, 6], [0, 1, 3, 2], [4, 5, 7, 6]])


@dataclass(frozen=True, eq=False)
class Regions3D(ConvexRegions):
    """The linear regions of a three-input network over a box.

    Attributes
    ----------
    vertices : ndarray (V, 3)
        Polytope vertices, polytope after polytope (each polytope stores its own).
    values : ndarray (V, d_y)
        The network's value at each vertex (the limit from inside the polytope).
    offsets : ndarray (n + 1,)
        Polytope ``k`` owns ``vertices[offsets[k]:offsets[k+1]]``.
    face_vertices : ndarray (E,)
        Faces as cyclic runs of indices into ``vertices``, face after face.
    face_offsets : ndarray (F + 1,)
        Face ``i`` is ``face_vertices[face_offsets[i]:face_offsets[i+1]]``.
    face_owner : ndarray (F,)
        The polytope of each face.
    continuous : bool
        False when a discontinuous activation (step, stepped_leaky_relu) is present.
    network : FeedForward
    box : Box
    """

    vertices: np.ndarray
    values: np.ndarray
    offsets: np.ndarray
    face_vertices: np.ndarray
    face_offsets: np.ndarray
    face_owner: np.ndarray
    continuous: bool
    network: FeedForward
    box: Box

    @property
    def polytope_index(self) -> np.ndarray:
        """(V,) the polytope each vertex belongs to."""
        return self._region_of_vertex()

    def enclosing_radii(self) -> np.ndarray:
        """(n,) radius of a ball holding the polytope: the smaller about the vertex mean or the box centre."""
        pid = self.polytope_index
        lo, hi = self.bounding_boxes
        r = [np.maximum.reduceat(np.linalg.norm(self.vertices - c[pid], axis=1), self.offsets[:-1])
             for c in (self.vertex_means, (lo + hi) / 2)]
        return np.minimum(*r)

    def tetrahedra(self) -> tuple[np.ndarray, np.ndarray]:
        """A triangulation of every polytope: (vertex indices (k, 4), owner polytope (k,)).

        Pulling from each polytope's first vertex: every face not containing it is
        fan-triangulated, and each triangle spans a tetrahedron with that vertex.
        """
        fo, fv = self.face_offsets, self.face_vertices
        fc = np.diff(fo)
        apex = self.offsets[:-1][self.face_owner]
        has_apex = np.logical_or.reduceat(fv == np.repeat(apex, fc), fo[:-1])
        use = ~has_apex
        nt = np.where(use, fc - 2, 0)
        face = np.repeat(np.arange(fc.size), nt)
        k = np.arange(nt.sum()) - np.repeat(np.cumsum(nt) - nt, nt) + 1
        first = fo[:-1][face]
        idx = np.stack([apex[face], fv[first], fv[first + k], fv[first + k + 1]], axis=1)
        return idx, self.face_owner[face]

    @property
    def volumes(self) -> np.ndarray:
        """(n,) polytope volumes (sum over the tetrahedra)."""
        idx, owner = self.tetrahedra()
        return np.bincount(owner, weights=tetrahedron_volumes(self.vertices[idx]), minlength=self.n_regions)

    def volume_defect(self) -> float:
        """``|sum of the region volumes - box volume| / box volume``: the tetrahedra tile the box (about 1e-16)."""
        box = float(np.prod(self.box.widths))
        return abs(float(self.volumes.sum()) - box) / box

    def _measures(self) -> np.ndarray:
        return self.volumes

    def _solve_normal_equations(self, cov, cross, pid, dp, dv) -> np.ndarray:
        """The least-squares slopes by the pseudo-inverse, with two steps of iterative refinement
        (the normal equations square the condition of thin polytopes)."""
        inv = np.linalg.pinv(cov, hermitian=True)
        At = inv @ cross
        for _ in range(2):
            res = dv - np.einsum("vi,vij->vj", dp, At[pid])
            At = At + inv @ self._sum(dp[:, :, None] * res[:, None, :])
        return At

    def verify(self) -> float:
        """Largest discrepancy between the regions and the forward pass, relative to ``max(1, max |N|)``.

        Compares, at every polytope's vertex mean, the forward pass with the mean of the
        vertex values and with the region's affine map, and checks that the affine map
        reproduces every vertex value (a missed kink inside a region would break that).
        Rounding gives 1e-16..1e-12.
        """
        pts = self.vertex_means
        fwd = forward(self.network, pts)
        A, c = self.affine_maps()
        at_means = np.einsum("nij,nj->ni", A, pts) + c
        at_vertices = np.einsum("nij,nj->ni", A[self.polytope_index], self.vertices) + c[self.polytope_index]
        scale = max(1.0, float(np.max(np.abs(fwd))), float(np.max(np.abs(self.values))))
        worst = max(np.max(np.abs(fwd - self.mean_values)), np.max(np.abs(fwd - at_means)),
                    np.max(np.abs(at_vertices - self.values)))
        return float(worst) / scale


def linear_regions_3d(net: FeedForward, box: Any = None, *, max_regions: int = 200_000) -> Regions3D:
    """The linear regions of a three-input network over ``box`` (default ``[0,1]^3``).

    Parameters
    ----------
    net : FeedForward
        ``input_dim == 3``; activations among identity, relu, leaky_relu, step,
        stepped_leaky_relu (per layer, or per neuron).
    box : Box or str, optional
    max_regions : int
        Region budget: beyond it :class:`~uat.errors.BudgetExceeded` is raised with the
        count so far (use the grid route, ``sup_error(..., method="grid")``, or raise the
        budget).

    Returns
    -------
    Regions3D
    """
    check_piecewise(net, 3, "linear_regions_3d")
    box = parse_domain(box, dim=3)
    lo, hi = box.lo_array, box.hi_array
    bits = (np.arange(8)[:, None] >> np.arange(3)) & 1
    P = np.where(bits == 1, hi, lo).astype(np.float64)
    geometry = (P, np.array([0, 8], dtype=np.intp), _BOX_FACES.ravel().astype(np.intp),
                np.arange(0, 25, 4, dtype=np.intp), np.zeros(6, dtype=np.intp))

    def cut(H, Z, Wt, bt, units, layer):
        nonlocal geometry
        P, voff, fv, foff, fown = geometry
        if units.size:  # rounding scale of each unit per polytope: sum_k |w_jk| max|h_k| + |b_j|
            S = np.maximum.reduceat(np.abs(H), voff[:-1], axis=0) @ np.abs(Wt[units]).T + np.abs(bt[units])
        state = (P, Z, voff, fv, foff, fown)
        for m, j in enumerate(units):
            state, parent, n = cut_polytopes(state, int(j), S[:, m], max_regions)
            if parent is not None:
                S = S[parent]
            if n > max_regions:
                raise BudgetExceeded(
                    f"region budget exceeded: cutting along unit {j + 1} of {Wt.shape[0]} in layer {layer} of "
                    f"{net.depth} gives {n} regions, above max_regions={max_regions}; use method='grid' "
                    "(grid maximum plus a Lipschitz certificate) or raise max_regions"
                )
        P, Z, voff, fv, foff, fown = state
        geometry = (P, voff, fv, foff, fown)
        return Z, voff

    H, continuous = cut_layer_by_layer(net, P.copy(), cut)
    P, voff, fv, foff, fown = geometry
    state = (P, H, voff, fv, foff, fown)
    for arr in state:
        arr.flags.writeable = False
    return Regions3D(P, H, voff, fv, foff, fown, continuous, net, box)
