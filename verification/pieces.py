r"""Exact linear pieces of a one-input network (breakpoint propagation, layer by layer).

A network :math:`N: \mathbb R \to \mathbb R^{d_y}` whose activations are piecewise linear
(identity, relu, leaky_relu) or piecewise constant (step) is piecewise linear on
:math:`[a, b]`.  :func:`linear_pieces_1d` computes the pieces.  Each piece
:math:`[t_i, t_{i+1}]` stores the hidden state at its two ends; inside a piece every
pre-activation :math:`z = W h + b` is affine in :math:`x`, so one layer

1. computes :math:`z` at both ends of every piece (one batched matrix product);
2. finds the units whose :math:`z` has strictly opposite signs at the two ends and
   inserts the zero crossing :math:`t_i + s (t_{i+1} - t_i)`, :math:`s = z_L / (z_L - z_R)`,
   whose state is the linear interpolation (with the crossing unit set to exactly 0);
3. applies the activation at the ends of the (new) pieces: elementwise for continuous
   activations (the sign of each unit is constant inside a piece), and from the sign at
   the piece's midpoint for ``step`` (the one-sided limits).

The cost is :math:`O(\text{depth}\cdot \text{width}^2 \cdot \text{pieces})`.  The pieces
are *activation-pattern* pieces: adjacent pieces may carry the same affine map
(:meth:`Pieces1D.affine_pieces` counts maximal affine pieces instead).  Geometry runs in
float64 over the network's (correctly rounded) weights, or, with ``exact=True`` on an
exact network, in rational arithmetic.  :meth:`Pieces1D.verify` compares the pieces with
the forward pass (the ``verify()`` habit of SplineCam, Humayun et al., CVPR 2023).

>>> from uat.testing import tent_network
>>> pcs = linear_pieces_1d(tent_network(3), 0, 1)
>>> pcs.n_pieces, pcs.breakpoints.tolist()
(8, [0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0])
>>> pcs.lipschitz()
8.0
>>> pcs.verify() < 1e-15
True
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from uat.errors import BudgetExceeded, DimensionMismatch, MethodError, NonFiniteError
from uat.network import FeedForward

from ._validate import forward

__all__ = ["Pieces1D", "linear_pieces_1d", "supports_pieces", "check_piecewise"]

_KINKED = {"relu", "leaky_relu", "step"}
_PL = {"identity", "relu", "leaky_relu", "step"}


def check_piecewise(net: Any, dim: int, who: str) -> None:
    """Refuse what the exact enumerations cannot handle: other types, dimensions, activations."""
    if not isinstance(net, FeedForward):
        raise DimensionMismatch(f"{who} needs a FeedForward network, got {type(net).__name__}")
    if net.input_dim != dim:
        inputs = "one input" if dim == 1 else f"{dim} inputs"
        raise DimensionMismatch(f"{who} needs a network with {inputs}, this one has {net.input_dim}")
    bad = [str(act) for act in net.activations if act.name not in _PL]
    if bad:
        raise MethodError(
            f"exact pieces and regions need piecewise-linear (or step) activations; this network uses "
            f"{', '.join(bad)}; use method='grid' (grid maximum plus a Lipschitz certificate) instead"
        )


def supports_pieces(net: FeedForward) -> bool:
    """True when every activation of ``net`` is piecewise linear or step (exact pieces exist)."""
    return all(a.name in _PL for a in net.activations)


@dataclass(frozen=True, eq=False)
class Pieces1D:
    """The pieces of a one-input network on ``[a, b]``.

    Attributes
    ----------
    breakpoints : ndarray (n + 1,)
        :math:`a = t_0 < t_1 < \\dots < t_n = b`.
    left, right : ndarray (n, d_y)
        The network's one-sided limits at :math:`t_i^+` and :math:`t_{i+1}^-`; the network is
        affine on each open piece, equal to the linear interpolation of these.
    continuous : bool
        False when a step activation makes the network discontinuous at some breakpoints.
    network : FeedForward
        The network the pieces were computed from (for :meth:`verify`).
    """

    breakpoints: np.ndarray
    left: np.ndarray
    right: np.ndarray
    continuous: bool
    network: FeedForward

    @property
    def n_pieces(self) -> int:
        return int(self.left.shape[0])

    @property
    def lengths(self) -> np.ndarray:
        t = self.breakpoints
        return t[1:] - t[:-1]

    @property
    def slopes(self) -> np.ndarray:
        """(n, d_y) slope of each piece."""
        return (self.right - self.left) / self.lengths[:, None]

    @property
    def intercepts(self) -> np.ndarray:
        """(n, d_y) intercept of each piece: ``N(x) = slope * x + intercept`` on the piece."""
        return self.left - self.slopes * self.breakpoints[:-1, None]

    def __call__(self, x: Any) -> np.ndarray:
        """Evaluate the piecewise-linear form at points ``x`` (n,) -> (n, d_y) (right-continuous)."""
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        t = np.asarray(self.breakpoints, dtype=np.float64)
        i = np.clip(np.searchsorted(t, x, side="right") - 1, 0, self.n_pieces - 1)
        h = t[i + 1] - t[i]
        s = ((x - t[i]) / h)[:, None]
        lo = np.asarray(self.left, dtype=np.float64)[i]
        hi = np.asarray(self.right, dtype=np.float64)[i]
        return lo + s * (hi - lo)

    def lipschitz(self) -> float:
        """The exact Lipschitz constant max_i ||slope_i||_2 (continuous networks; inf otherwise)."""
        if not self.continuous and self._has_jumps():
            return float("inf")
        return float(np.max(np.linalg.norm(np.asarray(self.slopes, dtype=np.float64), axis=1)))

    def _has_jumps(self) -> bool:
        r = np.asarray(self.right[:-1], dtype=np.float64)
        l = np.asarray(self.left[1:], dtype=np.float64)
        return bool(np.any(r != l))

    def affine_pieces(self, *, rtol: float = 0.0) -> int:
        """Number of maximal affine pieces (adjacent pieces with equal slope, no jump, merged)."""
        s = np.asarray(self.slopes, dtype=np.float64)
        same = np.all(np.abs(s[1:] - s[:-1]) <= rtol * np.maximum(np.abs(s[1:]), np.abs(s[:-1])), axis=1)
        r = np.asarray(self.right[:-1], dtype=np.float64)
        l = np.asarray(self.left[1:], dtype=np.float64)
        cont = np.all(np.abs(r - l) <= rtol * np.maximum(np.abs(r), np.abs(l)), axis=1)
        return int(self.n_pieces - np.count_nonzero(same & cont))

    def midpoints(self) -> np.ndarray:
        t = np.asarray(self.breakpoints, dtype=np.float64)
        return 0.5 * (t[1:] + t[:-1])

    def verify(self, points: Any = None) -> float:
        """Largest discrepancy between the pieces and the forward pass, relative to the output scale.

        Evaluated at the piece midpoints (default) or at the given points; the scale is
        ``max(1, max |N|)``.  Values of 1e-16..1e-12 are rounding; above
        ``uat.tolerances.tol("conditioning_flag")`` the pieces should not be trusted.
        """
        x = self.midpoints() if points is None else np.asarray(points, dtype=np.float64).reshape(-1)
        fwd = forward(self.network, x[:, None])
        mine = self(x)
        scale = max(1.0, float(np.max(np.abs(fwd))))
        return float(np.max(np.abs(fwd - mine)) / scale)


def _layer_arrays(net: FeedForward, exact: bool):
    blocks = net.blocks if exact else net._float_blocks()
    for blk in blocks:
        wt = np.swapaxes(blk.weights, 1, 2)
        for i in range(blk.count):
            yield wt[i], blk.biases[i], blk.activation


def _affine(V: np.ndarray, wt: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """``V @ wt + bias`` for V (2, n, w); for many float pieces as (W V^T)^T, which OpenBLAS runs much faster."""
    if V.dtype == object or V.shape[1] < 64:
        return V @ wt + bias
    two, n, w = V.shape
    return (wt.T @ V.reshape(two * n, w).T).T.reshape(two, n, -1) + bias


def _exact_coord(v: Any) -> Fraction:
    from uat._scalars import to_fraction

    return Fraction(float(v)) if isinstance(v, (float, np.floating)) else to_fraction(v)


def _activate(act, z: np.ndarray) -> np.ndarray:
    """Apply a continuous piecewise-linear activation elementwise (float or Fraction arrays)."""
    name = act.name
    if name == "identity":
        return z
    if z.dtype == object:
        slope = Fraction(0) if name == "relu" else act.negative_slope
        return np.where(z >= 0, z, slope * z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return np.where(z >= 0, z, act.slopes[0] * z)


def linear_pieces_1d(
    net: FeedForward,
    a: Any,
    b: Any,
    *,
    exact: bool = False,
    max_pieces: int = 50_000_000,
) -> Pieces1D:
    """The linear pieces of a one-input network on ``[a, b]`` (see the module docstring).

    Parameters
    ----------
    net : FeedForward
        A network with ``input_dim == 1`` and activations among identity, relu,
        leaky_relu, step.
    a, b : float, int, Fraction or str
        The interval, ``a < b``.
    exact : bool
        Propagate in rational arithmetic (exact networks only; slow, for small networks).
    max_pieces : int
        Stop with :class:`~uat.errors.BudgetExceeded` when more pieces appear.

    Returns
    -------
    Pieces1D

    Raises
    ------
    MethodError
        For other activations (use the grid route of :func:`verification.sup_error`).
    """
    check_piecewise(net, 1, "linear_pieces_1d")
    if exact and not net.is_exact:
        raise MethodError("exact=True needs an exact network (Fraction weights); this one is float64")
    if exact:
        t = np.array([_exact_coord(a), _exact_coord(b)], dtype=object)
    else:
        t = np.array([float(a), float(b)], dtype=np.float64)
    if not t[0] < t[1]:
        raise DimensionMismatch(f"the interval [{a}, {b}] needs a < b")
    # V[0]: state at the left end of each piece, V[1]: at the right end; shape (2, n, w)
    V = np.stack([t[:-1, None], t[1:, None]])
    continuous = True
    layer = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for wt, bias, act in _layer_arrays(net, exact):
            layer += 1
            Z = _affine(V, wt, bias)
            if act.name in _KINKED:
                cross = (Z[0] * Z[1]) < 0
                if cross.any():
                    t, Z = _split(t, Z, cross, exact)
                    if t.shape[0] - 1 > max_pieces:
                        raise BudgetExceeded(
                            f"{t.shape[0] - 1} pieces after layer {layer} of {net.depth}, above max_pieces={max_pieces}; "
                            "raise max_pieces or use the grid route (method='grid')"
                        )
            if act.name == "step":
                continuous = False
                mid = Z[0] + Z[1]
                on = (mid >= 0).astype(np.float64) if not exact else np.where(mid >= 0, Fraction(1), Fraction(0))
                V = np.stack([on, on])
            else:
                V = _activate(act, Z)
            if not exact and layer % 64 == 0 and not np.isfinite(V).all():
                raise NonFiniteError(f"non-finite values in the pieces after layer {layer} (overflow)")
    if not exact and not np.isfinite(V).all():
        raise NonFiniteError(f"non-finite values in the pieces after layer {layer} (overflow)")
    for arr in (t, V):
        arr.flags.writeable = False
    return Pieces1D(t, V[0], V[1], continuous, net)


def _split(t: np.ndarray, Z: np.ndarray, cross: np.ndarray, exact: bool) -> tuple[np.ndarray, np.ndarray]:
    """Insert the zero crossings flagged in ``cross`` (n, w); return new breakpoints and end states."""
    n, w = cross.shape
    zl, zr = Z[0], Z[1]
    per_piece = cross.sum(axis=1)
    if per_piece.max() == 1:
        return _split_once(t, zl, zr, cross, per_piece.astype(bool))
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
    node_val = np.concatenate([zl, vals, zr])
    if exact:
        order = sorted(range(node_piece.size), key=lambda k: (node_piece[k], node_kind[k] == 2, node_s[k]))
        order = np.array(order, dtype=np.intp)
    else:
        order = np.lexsort((node_s, node_kind == 2, node_piece))
    node_piece, node_s, node_kind, node_val = node_piece[order], node_s[order], node_kind[order], node_val[order]
    h = t[1:] - t[:-1]
    pos = t[:-1][node_piece] + node_s * h[node_piece]
    start = node_kind != 2  # every node but a right end starts a sub-piece
    starts = np.nonzero(start)[0]
    left_pos = pos[starts]
    right_pos = pos[starts + 1]
    keep = right_pos > left_pos  # drop pieces of zero length (crossings rounded onto an end)
    starts = starts[keep]
    new_t = np.concatenate([left_pos[keep], t[-1:]])
    if not exact:
        new_t[0] = t[0]
    new_Z = np.stack([node_val[starts], node_val[starts + 1]])
    return new_t, new_Z


def _split_once(t: np.ndarray, zl: np.ndarray, zr: np.ndarray, cross: np.ndarray, has: np.ndarray):
    """Fast path of :func:`_split` when no piece has more than one crossing (no sorting needed)."""
    n = zl.shape[0]
    rows = np.nonzero(has)[0]
    j = np.argmax(cross[rows], axis=1)
    a, b = zl[rows, j], zr[rows, j]
    s = a / (a - b)
    mid = zl[rows] + s[:, None] * (zr[rows] - zl[rows])
    mid[np.arange(rows.size), j] = 0
    h = t[1:] - t[:-1]
    pos = np.arange(n) + np.cumsum(has) - has  # where piece i's first sub-piece goes
    out = n + rows.size
    L = np.empty((out, zl.shape[1]), dtype=zl.dtype)
    R = np.empty_like(L)
    T = np.empty(out + 1, dtype=t.dtype)
    L[pos], R[pos], T[pos] = zl, zr, t[:-1]
    second = pos[rows] + 1
    R[pos[rows]] = mid
    L[second], R[second], T[second] = mid, zr[rows], t[rows] + s * h[rows]
    T[-1] = t[-1]
    keep = T[1:] > T[:-1]
    if not keep.all():
        T = np.concatenate([T[:-1][keep], T[-1:]])
        L, R = L[keep], R[keep]
    return T, np.stack([L, R])
