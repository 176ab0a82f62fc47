r"""Cutting convex polytopes along the zero set of one pre-activation (the step of :mod:`verification.regions3d`).

The state is ``(P, Z, voff, fv, foff, fown)``: vertex coordinates (V, 3) and values (V, w), stored
polytope after polytope (``voff``), and faces as cyclic runs of vertex indices (``fv`` split by
``foff``) with their polytope (``fown``).  :func:`cut_polytopes` cuts every polytope on which
column ``j`` of ``Z`` takes both strict signs; see the module docstring of
:mod:`verification.regions3d` for the three steps (crossings, face runs, the cap).
"""

from __future__ import annotations

import numpy as np

from ._region_common import next_in_cycle

__all__ = ["cut_polytopes", "SNAP"]

# a pre-activation within SNAP times its rounding scale (sum_k |w_jk| max|h_k| + |b_j|, the maxima
# over the polytope's vertices) is taken as exactly 0: the plane then passes through the vertex, and
# degenerate arrangements (several planes through one point or line) leave no rounding slivers
SNAP = 2.0**-40


def _offsets(counts: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.intp)


def _cap_order(eP, sign, owner, n_split, P, z, vown_split):
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


def cut_polytopes(state: tuple, j: int, scale: np.ndarray, limit: int) -> tuple[tuple, np.ndarray | None, int]:
    """Cut every polytope on which column j of Z changes strict sign along Z[:, j] = 0.

    ``scale`` (one per polytope) is the rounding scale of z_j; values within SNAP times it are
    set to exactly 0 first.  Returns the new state, for each new polytope the index of its
    parent (None when nothing was cut), and the number of polytopes.  When that number would
    exceed ``limit`` nothing is cut (the state is returned as it was, with the larger count), so
    a budget never costs the memory of a cut beyond it.
    """
    P, Z, voff, fv, foff, fown = state
    n_old = voff.size - 1
    if not ((Z[:, j] > 0).any() and (Z[:, j] < 0).any()):
        return state, None, n_old
    vcount, fcount = np.diff(voff), np.diff(foff)
    vown = np.repeat(np.arange(n_old), vcount)
    Z[np.abs(Z[:, j]) <= SNAP * scale[vown], j] = 0.0
    z = Z[:, j]
    pos, neg = z > 0, z < 0
    split = np.logical_or.reduceat(pos, voff[:-1]) & np.logical_or.reduceat(neg, voff[:-1])
    if not split.any():
        return state, None, n_old
    if n_old + int(split.sum()) > limit:
        return state, None, n_old + int(split.sum())
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
    b = a[next_in_cycle(s_foff)]
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
    cap, cap_own = _cap_order(eP, esign, eown, n_split, sP, sz, sown)
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
    new = (np.concatenate(parts_P), np.concatenate(parts_Z), _offsets(np.concatenate(v_counts)), fv_all,
           _offsets(fc_all[good]), np.concatenate(f_owner)[good])
    return new, np.concatenate([np.nonzero(kept)[0], cut, cut]), n_keep + 2 * n_split
