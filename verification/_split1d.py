r"""Insertion of zero crossings into the 1-D pieces (the inner step of :func:`linear_pieces_1d`).

Inside a piece :math:`[t_i, t_{i+1}]` every pre-activation :math:`z` of the current layer is
affine, so a unit whose one-sided limits :math:`z_L = z(t_i^+)`, :math:`z_R = z(t_{i+1}^-)` have
strictly opposite signs vanishes exactly once, at :math:`t_i + s (t_{i+1} - t_i)` with
:math:`s = z_L / (z_L - z_R)`.  The new breakpoint's state is the linear interpolation of the
piece's end states with the crossing unit set to exactly 0.

For networks with a discontinuous activation (``step``, ``stepped_leaky_relu``) the caller also
tracks the *point states* ``ZP`` (the pre-activations at the breakpoints themselves, which may
differ from both one-sided limits).  A new breakpoint lies inside an old piece, where the network
so far is affine, so its point state is the same interpolated vector.  The functions return a
mask of the entries set to exactly 0 (the crossing unit of each new breakpoint) and the positions
of zero-length pieces that float64 rounding merged away (two distinct points, in exact arithmetic
a crossing is never at a piece's end since :math:`z_L \ne 0 \ne z_R`).
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

import numpy as np

__all__ = ["Split", "split_pieces"]


class Split(NamedTuple):
    """Result of :func:`split_pieces`: breakpoints, end states (2, n, w), point states and flags."""

    t: np.ndarray
    Z: np.ndarray
    ZP: np.ndarray | None
    zero: np.ndarray | None
    merged: np.ndarray


def split_pieces(t: np.ndarray, Z: np.ndarray, cross: np.ndarray, exact: bool,
                 ZP: np.ndarray | None = None) -> Split:
    """Insert the zero crossings flagged in ``cross`` (n, w) (see the module docstring)."""
    per_piece = cross.sum(axis=1)
    if per_piece.max() == 1:
        return _split_once(t, Z[0], Z[1], cross, per_piece.astype(bool), ZP)
    return _split_many(t, Z, cross, exact, ZP)


def _split_many(t, Z, cross, exact, ZP) -> Split:
    n, w = cross.shape
    zl, zr = Z[0], Z[1]
    pi, uj = np.nonzero(cross)
    s = zl[pi, uj] / (zl[pi, uj] - zr[pi, uj])
    vals = zl[pi] + s[:, None] * (zr[pi] - zl[pi])
    vals[np.arange(pi.size), uj] = 0
    # nodes: every piece's left end (s=0), its crossings, and its right end (s=1)
    idx = np.arange(n)
    zero = np.zeros(n, dtype=s.dtype) if not exact else np.array([Fraction(0)] * n, dtype=object)
    one = np.ones(n, dtype=s.dtype) if not exact else np.array([Fraction(1)] * n, dtype=object)
    node_piece = np.concatenate([idx, pi, idx])
    node_s = np.concatenate([zero, s, one])
    node_kind = np.concatenate([np.zeros(n, np.int8), np.ones(pi.size, np.int8), np.full(n, 2, np.int8)])
    node_unit = np.concatenate([np.full(n, -1), uj, np.full(n, -1)])
    node_val = np.concatenate([zl, vals, zr])
    if exact:
        order = sorted(range(node_piece.size), key=lambda k: (node_piece[k], node_kind[k] == 2, node_s[k]))
        order = np.array(order, dtype=np.intp)
    else:
        order = np.lexsort((node_s, node_kind == 2, node_piece))
    node_piece, node_s, node_kind = node_piece[order], node_s[order], node_kind[order]
    node_unit, node_val = node_unit[order], node_val[order]
    h = t[1:] - t[:-1]
    pos = t[:-1][node_piece] + node_s * h[node_piece]
    starts = np.nonzero(node_kind != 2)[0]  # every node but a right end starts a sub-piece
    left_pos = pos[starts]
    right_pos = pos[starts + 1]
    keep = right_pos > left_pos  # drop pieces of zero length (crossings rounded onto an end)
    merged = np.asarray(left_pos[~keep], dtype=np.float64) if not exact else np.empty(0)
    starts = starts[keep]
    new_t = np.concatenate([left_pos[keep], t[-1:]])
    if not exact:
        new_t[0] = t[0]
    new_Z = np.stack([node_val[starts], node_val[starts + 1]])
    if ZP is None:
        return Split(new_t, new_Z, None, None, merged)
    kind, piece, unit = node_kind[starts], node_piece[starts], node_unit[starts]
    old = kind == 0
    PZ = np.empty((starts.size + 1, w), dtype=ZP.dtype)
    PZ[:-1][old] = ZP[piece[old]]
    PZ[:-1][~old] = node_val[starts[~old]]
    PZ[-1] = ZP[-1]
    mask = np.zeros(PZ.shape, dtype=bool)
    rows = np.nonzero(~old)[0]
    mask[rows, unit[rows]] = True
    return Split(new_t, new_Z, PZ, mask, merged)


def _split_once(t, zl, zr, cross, has, ZP) -> Split:
    """Fast path when no piece has more than one crossing (no sorting needed)."""
    n, w = zl.shape
    rows = np.nonzero(has)[0]
    j = np.argmax(cross[rows], axis=1)
    a, b = zl[rows, j], zr[rows, j]
    s = a / (a - b)
    mid = zl[rows] + s[:, None] * (zr[rows] - zl[rows])
    mid[np.arange(rows.size), j] = 0
    h = t[1:] - t[:-1]
    pos = np.arange(n) + np.cumsum(has) - has  # where piece i's first sub-piece goes
    out = n + rows.size
    L = np.empty((out, w), dtype=zl.dtype)
    R = np.empty_like(L)
    T = np.empty(out + 1, dtype=t.dtype)
    L[pos], R[pos], T[pos] = zl, zr, t[:-1]
    second = pos[rows] + 1
    R[pos[rows]] = mid
    L[second], R[second], T[second] = mid, zr[rows], t[rows] + s * h[rows]
    T[-1] = t[-1]
    PZ = mask = None
    if ZP is not None:
        PZ = np.empty((out + 1, w), dtype=ZP.dtype)
        PZ[pos], PZ[second], PZ[-1] = ZP[:-1], mid, ZP[-1]
        mask = np.zeros(PZ.shape, dtype=bool)
        mask[second, j] = True
    keep = T[1:] > T[:-1]
    merged = np.empty(0)
    if not keep.all():
        merged = np.asarray(T[:-1][~keep], dtype=np.float64)
        T = np.concatenate([T[:-1][keep], T[-1:]])
        L, R = L[keep], R[keep]
        if PZ is not None:
            PZ = np.concatenate([PZ[:-1][keep], PZ[-1:]])
            mask = np.concatenate([mask[:-1][keep], mask[-1:]])
    return Split(T, np.stack([L, R]), PZ, mask, merged)
