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
from uat.errors import BudgetExceeded, NonFiniteError
from uat.network import FeedForward

from ._neurons import column_groups, columns_where
from ._validate import forward
from .pieces import _KINKED, JUMPS, check_piecewise

__all__ = ["Regions3D", "linear_regions_3d", "tetrahedron_volumes"]

# the six faces of a box, corners numbered b0 + 2 b1 + 4 b2 (b_i = 1 at the upper bound of axis i)
# a pre-activation within SNAP times its rounding scale (sum_k |w_jk| max|h_k| + |b_j|, the maxima
# over the polytope's vertices) is taken as exactly 0: the plane then passes through the vertex, and
# degenerate arrangements (several planes through one point or line) leave no rounding slivers
SNAP = 2.0**-40
_BOX_FACES = np.array([[0, 2, 6, 4], [1, 3, 7, 5], [0, 1, 5, 4], [2, 3, 7, 6], [0, 1, 3, 2], [4, 5, 7, 6]])


def tetrahedron_volumes(T: np.ndarray) -> np.ndarray:
    """(k,) volumes of tetrahedra given as vertex coordinates (k, 4, 3)."""
    u, v, w = T[:, 1] - T[:, 0], T[:, 2] - T[:, 0], T[:, 3] - T[:, 0]
    return np.abs(np.einsum("ij,ij->i", u, np.cross(v, w))) / 6.0


@dataclass(frozen=True, eq=False)
class Regions3D:
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
    def n_regions(self) -> int:
        return int(self.offsets.shape[0] - 1)

    @property
    def counts(self) -> np.ndarray:
        """(n,) vertices per polytope."""
        return np.diff(self.offsets)

    @property
    def polytope_index(self) -> np.ndarray:
        """(V,) the polytope each vertex belongs to."""
        return np.repeat(np.arange(self.n_regions), self.counts)

    def _sum(self, arr: np.ndarray) -> np.ndarray:
        return np.add.reduceat(arr, self.offsets[:-1], axis=0)

    @property
    def vertex_means(self) -> np.ndarray:
        """(n, 3) the mean of each polytope's vertices (an interior point)."""
        return self._sum(self.vertices) / self.counts[:, None]

    @property
    def mean_values(self) -> np.ndarray:
        """(n, d_y) the network at :attr:`vertex_means` (the mean of the vertex values)."""
        return self._sum(self.values) / self.counts[:, None]

    @property
    def bounding_boxes(self) -> tuple[np.ndarray, np.ndarray]:
        """((n, 3), (n, 3)) lower and upper corners of each polytope's bounding box."""
        lo = np.minimum.reduceat(self.vertices, self.offsets[:-1], axis=0)
        hi = np.maximum.reduceat(self.vertices, self.offsets[:-1], axis=0)
        return lo, hi

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

    def affine_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """(A (n, d_y, 3), c (n, d_y)): ``N(x) = A x + c`` on each region (least squares on the vertices)."""
        pid = self.polytope_index
        dp = self.vertices - self.vertex_means[pid]
        dv = self.values - self.mean_values[pid]
        cov = self._sum(dp[:, :, None] * dp[:, None, :])  # (n, 3, 3)
        cross = self._sum(dp[:, :, None] * dv[:, None, :])  # (n, 3, d_y)
        inv = np.linalg.pinv(cov, hermitian=True)
        At = inv @ cross
        for _ in range(2):  # iterative refinement: the normal equations square the condition of thin polytopes
            res = dv - np.einsum("vi,vij->vj", dp, At[pid])
            At = At + inv @ self._sum(dp[:, :, None] * res[:, None, :])
        A = np.swapaxes(At, 1, 2)
        c = self.mean_values - np.einsum("nij,nj->ni", A, self.vertex_means)
        return A, c

    def lipschitz(self) -> float:
        """The exact Lipschitz constant max_R ||A_R||_2 of a continuous network on the box."""
        if not self.continuous:
            return float("inf")
        A, _ = self.affine_maps()
        big = self.volumes > 1e-14 * float(np.prod(self.box.widths))
        return float(np.max(np.linalg.norm(A[big], ord=2, axis=(1, 2)))) if big.any() else 0.0

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


def _next_in_runs(offsets: np.ndarray) -> np.ndarray:
    """For entries grouped in runs by ``offsets``: the index of the next entry of the same run (cyclic)."""
    nxt = np.arange(1, int(offsets[-1]) + 1)
    nxt[offsets[1:] - 1] = offsets[:-1]
    return nxt


def _offsets(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.intp)


def _cap_order(eP, sign, owner, n_split, split_of, P, z, vown_split):
    """Cyclic order of each cut polytope's cap points (entries of eP with sign 0): (indices, owner)."""
    on = np.nonzero(sign == 0)[0]
    own = owner[on]
    # projection direction: mean of the strictly positive minus mean of the strictly negative vertices
    d = np.zeros((n_split, 3))
    for mask, s in ((z > 0, 1.0), (z < 0, -1.0)):
        cnt = np.bincount(vown_split[mask], minlength=n_split)
        for k in range(3):
            d[:, k] += s * np.bincount(vown_split[mask], weights=P[mask, k], minlength=n_split) / np.maximum(cnt, 1)
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    axis = np.argmin(np.abs(d), axis=1)
    e1 = np.cross(d, np.eye(3)[axis])
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
    e2 = np.cross(d, e1)
    cnt = np.bincount(own, minlength=n_split)
    centre = np.stack([np.bincount(own, weights=eP[on, k], minlength=n_split) for k in range(3)], axis=1)
    centre /= np.maximum(cnt, 1)[:, None]
    rel = eP[on] - centre[own]
    ang = np.arctan2(np.einsum("ij,ij->i", rel, e2[own]), np.einsum("ij,ij->i", rel, e1[own]))
    order = np.lexsort((ang, own))
    return on[order], own[order]


def _cut(state: tuple, j: int, scale: np.ndarray) -> tuple[tuple, np.ndarray | None]:
    """Cut every polytope on which column j of Z changes strict sign along Z[:, j] = 0.

    ``scale`` (one per polytope) is the rounding scale of z_j; values within SNAP times it are
    set to exactly 0 first.  Returns the new state and, for each new polytope, the index of its
    parent (None when nothing was cut).
    """
    P, Z, voff, fv, foff, fown = state
    if not ((Z[:, j] > 0).any() and (Z[:, j] < 0).any()):
        return state, None
    n_old = voff.size - 1
    vcount, fcount = np.diff(voff), np.diff(foff)
    vown = np.repeat(np.arange(n_old), vcount)
    Z[np.abs(Z[:, j]) <= SNAP * scale[vown], j] = 0.0
    z = Z[:, j]
    pos, neg = z > 0, z < 0
    split = np.logical_or.reduceat(pos, voff[:-1]) & np.logical_or.reduceat(neg, voff[:-1])
    if not split.any():
        return state, None
    vsplit, fsplit = split[vown], split[fown]
    esplit = np.repeat(fsplit, fcount)
    kept = ~split
    n_keep = int(kept.sum())
    new_of_old = np.cumsum(kept) - 1  # polytope label of a kept polytope
    split_of = np.cumsum(split) - 1  # index among the cut polytopes
    n_split = n_old - n_keep
    vkeep = ~vsplit
    vid_keep = np.cumsum(vkeep) - 1
    # -- the cut polytopes, compacted: vertices 0..ns-1, then the crossings ns..ns+nc-1
    sidx = np.nonzero(vsplit)[0]
    ns = sidx.size
    loc = np.full(P.shape[0], -1, dtype=np.intp)
    loc[sidx] = np.arange(ns)
    sz, sown = z[sidx], split_of[vown[sidx]]
    s_fc = fcount[fsplit]
    s_foff = _offsets(s_fc)
    a = loc[fv[esplit]]
    b = a[_next_in_runs(s_foff)]
    cross = sz[a] * sz[b] < 0
    lo, hi = np.minimum(a, b)[cross], np.maximum(a, b)[cross]
    keys, inv = np.unique(lo.astype(np.int64) * ns + hi, return_inverse=True)
    c_lo, c_hi = keys // ns, keys % ns
    t = sz[c_lo] / (sz[c_lo] - sz[c_hi])
    sP, sZ = P[sidx], Z[sidx]
    cP = sP[c_lo] + t[:, None] * (sP[c_hi] - sP[c_lo])
    cZ = sZ[c_lo] + t[:, None] * (sZ[c_hi] - sZ[c_lo])
    cZ[:, j] = 0.0
    eP, eZ = np.concatenate([sP, cP]), np.concatenate([sZ, cZ])
    del cP, cZ  # (large temporaries: the whole state may be cut at once)
    esign = np.concatenate([np.sign(sz), np.zeros(keys.size)]).astype(np.int8)
    eown = np.concatenate([sown, sown[c_lo]])
    # -- faces with the crossings interleaved (vertex m, then its edge's crossing if any)
    n_e = a.size
    slot = np.arange(n_e) + np.concatenate([[0], np.cumsum(cross)[:-1]])
    seq = np.empty(n_e + int(cross.sum()), dtype=np.intp)
    seq[slot] = a
    seq[slot[cross] + 1] = ns + inv
    seq_fc = s_fc + np.add.reduceat(cross.astype(np.intp), s_foff[:-1])
    seq_face = np.repeat(np.arange(s_fc.size), seq_fc)
    sg = esign[seq]
    seq_start = _offsets(seq_fc)[:-1]
    f_pos = np.logical_or.reduceat(sg > 0, seq_start)
    f_neg = np.logical_or.reduceat(sg < 0, seq_start)
    s_fown = split_of[fown[fsplit]]
    cap, cap_own = _cap_order(eP, esign, eown, n_split, split_of, sP, sz, sown)
    # -- assemble: kept polytopes, then the upper halves, then the lower halves
    parts_P, parts_Z, v_counts = [P[vkeep]], [Z[vkeep]], [vcount[kept]]
    parts_fv, f_counts, f_owner = [vid_keep[fv[~esplit]]], [fcount[~fsplit]], [new_of_old[fown[~fsplit]]]
    base = int(vkeep.sum())
    for side, (v_ok, f_ok) in enumerate(((esign >= 0, f_pos), (esign <= 0, f_neg))):
        take = np.nonzero(v_ok)[0]
        take = take[np.argsort(eown[take], kind="stable")]
        vmap = np.full(eP.shape[0], -1, dtype=np.intp)
        vmap[take] = base + np.arange(take.size)
        base += take.size
        parts_P.append(eP[take])
        parts_Z.append(eZ[take])
        v_counts.append(np.bincount(eown[take], minlength=n_split))
        label0 = n_keep + side * n_split
        e_ok = v_ok[seq] & f_ok[seq_face]
        parts_fv.append(vmap[seq[e_ok]])
        f_counts.append(np.bincount(seq_face[e_ok], minlength=s_fc.size)[f_ok])
        f_owner.append(label0 + s_fown[f_ok])
        parts_fv.append(vmap[cap])
        f_counts.append(np.bincount(cap_own, minlength=n_split))
        f_owner.append(label0 + np.arange(n_split))
    fc_all = np.concatenate(f_counts)
    fv_all = np.concatenate(parts_fv)
    good = fc_all >= 3
    if not good.all():  # degenerate runs (fewer than three points) are not faces
        fv_all = fv_all[np.repeat(good, fc_all)]
    cut = np.nonzero(split)[0]
    return ((np.concatenate(parts_P), np.concatenate(parts_Z), _offsets(np.concatenate(v_counts)), fv_all,
             _offsets(fc_all[good]), np.concatenate(f_owner)[good]), np.concatenate([np.nonzero(kept)[0], cut, cut]))


def _activate(act: Any, Z: np.ndarray, voff: np.ndarray) -> np.ndarray:
    """The activation at the vertices, neuron by neuron; a jump neuron takes the branch of the
    polytope's interior (no unit changes strict sign on a polytope: the sign of the vertex sum)."""
    on = None
    if columns_where(act, Z.shape[1], JUMPS).any():
        on = np.repeat(np.add.reduceat(Z, voff[:-1], axis=0) >= 0, np.diff(voff), axis=0)
    out = np.empty_like(Z)
    for a, idx in column_groups(act, Z.shape[1]):
        z = Z[:, idx]
        if a.name == "relu":
            out[:, idx] = np.maximum(z, 0.0)
        elif a.name == "leaky_relu":
            out[:, idx] = np.where(z >= 0, z, float(a.negative_slope) * z)
        elif a.name == "step":
            out[:, idx] = on[:, idx]
        elif a.name == "stepped_leaky_relu":
            out[:, idx] = np.where(on[:, idx], z, float(a.negative_slope) * z - 1.0)
        else:
            out[:, idx] = z
    return out


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
    state = (P, P.copy(), np.array([0, 8], dtype=np.intp), _BOX_FACES.ravel().astype(np.intp),
             np.arange(0, 25, 4, dtype=np.intp), np.zeros(6, dtype=np.intp))
    continuous = True
    layer = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for blk in net._float_blocks():
            act = blk.activation
            for i in range(blk.count):
                layer += 1
                P, H, voff, fv, foff, fown = state
                Wt, bt = blk.weights[i], blk.biases[i]
                width = Wt.shape[0]
                kinked = np.nonzero(columns_where(act, width, _KINKED))[0]
                Z = (Wt @ H.T).T + bt
                if kinked.size:  # rounding scale of each unit per polytope: sum_k |w_jk| max|h_k| + |b_j|
                    S = np.maximum.reduceat(np.abs(H), voff[:-1], axis=0) @ np.abs(Wt[kinked]).T + np.abs(bt[kinked])
                state = (P, Z, voff, fv, foff, fown)
                for m, j in enumerate(kinked):
                    state, parent = _cut(state, int(j), S[:, m])
                    if parent is not None:
                        S = S[parent]
                    n = state[2].size - 1
                    if n > max_regions:
                        raise BudgetExceeded(
                            f"region budget exceeded: {n} regions after layer {layer} of {net.depth} "
                            f"(unit {j + 1} of {width}), above max_regions={max_regions}; use method='grid' "
                            "(grid maximum plus a Lipschitz certificate) or raise max_regions"
                        )
                if columns_where(act, width, JUMPS).any():
                    continuous = False
                P, Z, voff, fv, foff, fown = state
                H = _activate(act, Z, voff)
                state = (P, H, voff, fv, foff, fown)
                if layer % 64 == 0 and not np.isfinite(H).all():
                    raise NonFiniteError(f"non-finite values in the regions after layer {layer} (overflow)")
    P, H, voff, fv, foff, fown = state
    if not np.isfinite(H).all():
        raise NonFiniteError("non-finite values in the network output over the regions (overflow)")
    for arr in state:
        arr.flags.writeable = False
    return Regions3D(P, H, voff, fv, foff, fown, continuous, net, box)
