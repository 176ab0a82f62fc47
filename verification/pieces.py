r"""Exact linear pieces of a one-input network (breakpoint propagation, layer by layer).

A network :math:`N: \mathbb R \to \mathbb R^{d_y}` whose activations are piecewise linear
(identity, relu, leaky_relu), piecewise constant (step) or piecewise linear with a jump
(stepped_leaky_relu) is piecewise linear on :math:`[a, b]`.  :func:`linear_pieces_1d`
computes the pieces.  Each piece :math:`[t_i, t_{i+1}]` stores the hidden state at its two
ends (the one-sided limits); inside a piece every pre-activation :math:`z = W h + b` is affine
in :math:`x`, so one layer

1. computes :math:`z` at both ends of every piece (one batched matrix product);
2. finds the units whose :math:`z` has strictly opposite signs at the two ends and
   inserts the zero crossing :math:`t_i + s (t_{i+1} - t_i)`, :math:`s = z_L / (z_L - z_R)`,
   whose state is the linear interpolation (with the crossing unit set to exactly 0);
3. applies the activation at the ends of the (new) pieces: elementwise for continuous
   activations (the sign of each unit is constant inside a piece), and for ``step`` and
   ``stepped_leaky_relu`` on the branch given by the sign at the piece's midpoint (so the
   end states are the one-sided limits).

**Discontinuous networks.**  With a ``step`` or ``stepped_leaky_relu`` unit the value *at* a
breakpoint can differ from both one-sided limits (``step(x) + step(-x)`` is 2 at 0 and 1
elsewhere).  The pieces then also carry the *point states*: the state at each breakpoint
itself, propagated with the activations' own convention (``t >= 0`` takes the right branch,
exactly as :meth:`uat.activations.Activation.numpy`), so :attr:`Pieces1D.values` holds
:math:`N(t_i)`.  In float64 a sign decision at a jump can be wrong when a pre-activation is
within rounding of 0 (a jump at an existing breakpoint, two jumps at one point, a unit that is
0 on a whole piece); such places are listed in :attr:`Pieces1D.ambiguous` (never silently
decided), and ``exact=True`` settles them in rational arithmetic.

The cost is :math:`O(\text{depth}\cdot \text{width}^2 \cdot \text{pieces})`.  The pieces
are *activation-pattern* pieces: adjacent pieces may carry the same affine map
(:meth:`Pieces1D.affine_pieces` counts maximal affine pieces instead).  Geometry runs in
float64 over the network's (correctly rounded) weights, or, with ``exact=True``, in rational
arithmetic over the exact weights (a float64 network's weights are taken at their exact binary
values).  :meth:`Pieces1D.verify` compares the pieces with the forward pass (the ``verify()``
habit of SplineCam, Humayun et al., CVPR 2023).

>>> from uat.testing import tent_network
>>> pcs = linear_pieces_1d(tent_network(3), 0, 1)
>>> pcs.n_pieces, pcs.breakpoints.tolist()
(8, [0.0, 0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0])
>>> pcs.lipschitz()
8.0
>>> pcs.verify() < 1e-15
True
>>> from uat import FeedForward
>>> spike = FeedForward.from_layers([([[1], [-1]], [0, 0], "step"), ([[1, 1]], [0])])  # step(x) + step(-x)
>>> pcs = linear_pieces_1d(spike, -1, 1, exact=True)
>>> [str(v) for v in pcs.values[:, 0]], [str(v) for v in pcs.left[:, 0]]   # N(-1), N(0), N(1); limits
(['1', '2', '1'], ['1', '1'])
>>> linear_pieces_1d(spike, -1, 1).ambiguous.tolist()   # float64 cannot tell the two jumps apart
[0.0]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from uat._scalars import fraction_from_float, to_fraction
from uat.errors import BudgetExceeded, DimensionMismatch, MethodError, NonFiniteError
from uat.network import FeedForward
from uat.tolerances import tol

from ._neurons import apply_by_column, columns_where
from ._split1d import split_pieces
from ._validate import forward

__all__ = ["Pieces1D", "linear_pieces_1d", "supports_pieces", "check_piecewise", "EXACT_RECHECK"]

# Pieces1D.verify: how many points that disagree with the float64 forward pass are re-checked exactly,
# within points x depth x width^2 <= EXACT_RECHECK_WORK (about a second of rational arithmetic)
EXACT_RECHECK = 32
EXACT_RECHECK_WORK = 200_000

# activations with a jump at 0 (the network may be discontinuous), those with a kink or jump
# at 0 (pieces are split there), and all that the exact enumerations handle
JUMPS = frozenset({"step", "stepped_leaky_relu"})
_KINKED = frozenset({"relu", "leaky_relu"}) | JUMPS
_PL = frozenset({"identity", "relu", "leaky_relu"}) | JUMPS


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
            f"exact pieces and regions need piecewise-linear activations (identity, relu, leaky_relu, step, "
            f"stepped_leaky_relu); this network uses "
            f"{', '.join(bad)}; use method='grid' (grid maximum plus a Lipschitz certificate) instead"
        )


def supports_pieces(net: FeedForward) -> bool:
    """True when every activation of ``net`` is piecewise linear, step or stepped leaky ReLU (exact pieces exist)."""
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
        False when a discontinuous activation (step, stepped_leaky_relu) is present, so the
        network may jump at some breakpoints.
    network : FeedForward
        The network the pieces were computed from (for :meth:`verify`).
    values : ndarray (n + 1, d_y) or None
        Discontinuous networks only: the network's value :math:`N(t_i)` at each breakpoint itself
        (with the activations' convention at 0); None for continuous networks (there the
        value is the common limit).
    ambiguous : ndarray (k,)
        Float64 pieces of a discontinuous network: positions where a jump unit's pre-activation
        is within rounding of 0, so float64 cannot decide the branch (``exact=True`` can); empty
        otherwise.
    exact : bool
        True when the pieces were computed in rational arithmetic.
    """

    breakpoints: np.ndarray
    left: np.ndarray
    right: np.ndarray
    continuous: bool
    network: FeedForward
    values: np.ndarray | None = None
    ambiguous: np.ndarray = field(default_factory=lambda: np.empty(0))
    exact: bool = False

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
        """Evaluate the piecewise-linear form at points ``x`` (n,) -> (n, d_y).

        Inside a piece: the interpolation of its limits; at a breakpoint: :attr:`values` when
        the network is discontinuous, else the right piece's limit (the same value).
        """
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        t = np.asarray(self.breakpoints, dtype=np.float64)
        i = np.clip(np.searchsorted(t, x, side="right") - 1, 0, self.n_pieces - 1)
        h = t[i + 1] - t[i]
        with np.errstate(divide="ignore", invalid="ignore"):  # exact pieces shorter than an ulp have h == 0
            s = np.where(h > 0, (x - t[i]) / h, 0.0)[:, None]
        lo = np.asarray(self.left, dtype=np.float64)[i]
        hi = np.asarray(self.right, dtype=np.float64)[i]
        out = lo + s * (hi - lo)
        if self.values is not None:  # at a breakpoint itself: the network's own value there
            j = np.clip(np.searchsorted(t, x), 0, t.size - 1)
            at = t[j] == x
            out[at] = np.asarray(self.values, dtype=np.float64)[j[at]]
        return out

    def lipschitz(self) -> float:
        """The exact Lipschitz constant max_i ||slope_i||_2 (continuous networks; inf otherwise)."""
        if not self.continuous and self._has_jumps():
            return float("inf")
        return float(np.max(np.linalg.norm(np.asarray(self.slopes, dtype=np.float64), axis=1)))

    def _has_jumps(self) -> bool:
        r = np.asarray(self.right[:-1], dtype=np.float64)
        l = np.asarray(self.left[1:], dtype=np.float64)
        if bool(np.any(r != l)):
            return True
        if self.values is None:
            return False
        v = np.asarray(self.values, dtype=np.float64)
        inner = v[1:-1]
        return bool(np.any(inner != l) or np.any(v[0] != np.asarray(self.left[0], dtype=np.float64))
                    or np.any(v[-1] != np.asarray(self.right[-1], dtype=np.float64)))

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
        ``uat.tolerances.tol("conditioning_flag")`` the pieces should not be trusted.  On a
        steep piece the float64 forward pass itself may be the inaccurate side (its rounding is
        multiplied by the slope): the worst :data:`EXACT_RECHECK` points above the flag (fewer
        for deep networks, within :data:`EXACT_RECHECK_WORK`) are re-evaluated in exact rational
        arithmetic (the network's weights at their exact binary values) and compared with that
        instead.
        """
        dev, scale = self.deviations(points)
        return float(np.max(dev)) / scale

    def deviations(self, points: Any = None) -> tuple[np.ndarray, float]:
        """Per-point absolute discrepancies behind :meth:`verify` (at the midpoints by default), and the scale."""
        x = self.midpoints() if points is None else np.asarray(points, dtype=np.float64).reshape(-1)
        fwd = forward(self.network, x[:, None])
        mine = self(x)
        scale = max(1.0, float(np.max(np.abs(fwd))))
        dev = np.max(np.abs(fwd - mine), axis=1)
        bad = np.nonzero(dev > tol("conditioning_flag") * scale)[0]
        net = self.network
        if bad.size and all(a.is_exact for a in net.activations):
            worst = bad[np.argsort(dev[bad])[::-1][:EXACT_RECHECK]]
            # rational arithmetic grows with the depth: recheck only what fits the work budget
            worst = worst[: max(0, EXACT_RECHECK_WORK // (net.depth * max(1, net.width) ** 2))]
        else:
            worst = bad[:0]
        if worst.size:
            exact = np.asarray(_exact_network(net).evaluate_exact(x[worst][:, None]), dtype=np.float64)
            dev[worst] = np.max(np.abs(exact - mine[worst]), axis=1)
        return dev, scale


def _exact_network(net: FeedForward) -> FeedForward:
    """The network with its weights as exact rationals (a float64 network: their exact binary values)."""
    if net.is_exact:
        return net
    as_fraction = np.vectorize(fraction_from_float, otypes=[object])
    return FeedForward.from_layers([(as_fraction(l.weight), as_fraction(l.bias), l.activation) for l in net.layers])


def _layer_arrays(net: FeedForward, exact: bool):
    blocks = net.blocks if exact else net._float_blocks()
    as_fraction = np.vectorize(fraction_from_float, otypes=[object])
    for blk in blocks:
        W, B = blk.weights, blk.biases
        if exact and W.dtype != object:  # a float64 network: its weights at their exact binary values
            W, B = as_fraction(W), as_fraction(B)
        wt = np.swapaxes(W, 1, 2)
        for i in range(blk.count):
            yield wt[i], B[i], blk.activation


def _affine(V: np.ndarray, wt: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """``V @ wt + bias`` for V (2, n, w); for many float pieces as (W V^T)^T, which OpenBLAS runs much faster."""
    if V.dtype == object or V.shape[1] < 64:
        return V @ wt + bias
    two, n, w = V.shape
    return (wt.T @ V.reshape(two * n, w).T).T.reshape(two, n, -1) + bias


def _exact_coord(v: Any) -> Fraction:
    return fraction_from_float(v) if isinstance(v, (float, np.floating)) else to_fraction(v)


def _activate(act, z: np.ndarray) -> np.ndarray:
    """Apply a layer's activation at points, neuron by neuron, with each one's convention at 0 (float or Fraction)."""
    return apply_by_column(act, z, _activate_one)


def _activate_one(act, z: np.ndarray) -> np.ndarray:
    """One activation elementwise at points, with its own convention at 0."""
    name = act.name
    if name == "identity":
        return z
    exact = z.dtype == object
    if name == "step":
        return np.where(z >= 0, Fraction(1), Fraction(0)) if exact else (z >= 0).astype(np.float64)
    if name == "stepped_leaky_relu":
        a = act.negative_slope if exact else float(act.negative_slope)
        return np.where(z >= 0, z, a * z - 1)
    if exact:
        slope = Fraction(0) if name == "relu" else act.negative_slope
        return np.where(z >= 0, z, slope * z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return np.where(z >= 0, z, act.slopes[0] * z)


def _activate_pieces(act, Z: np.ndarray) -> np.ndarray:
    """One-sided limits at both ends (2, n, w): a jump neuron takes the branch of the piece's interior."""
    return apply_by_column(act, Z, _activate_pieces_one)


def _activate_pieces_one(act, Z: np.ndarray) -> np.ndarray:
    if act.name not in JUMPS:
        return _activate_one(act, Z)
    on = (Z[0] + Z[1]) >= 0  # no unit changes strict sign inside a piece: the midpoint's sign is the interior's
    if act.name == "step":
        one = np.where(on, Fraction(1), Fraction(0)) if Z.dtype == object else on.astype(np.float64)
        return np.stack([one, one])
    a = act.negative_slope if Z.dtype == object else float(act.negative_slope)
    return np.where(on, Z, a * Z - 1)


def _near_zero(z: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Entries whose sign float64 cannot be trusted: |z| within tol('jump_ambiguity') of their magnitude scale."""
    return np.abs(z) <= tol("jump_ambiguity") * scale


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
        leaky_relu, step, stepped_leaky_relu.
    a, b : float, int, Fraction or str
        The interval, ``a < b``.
    exact : bool
        Propagate in rational arithmetic (slow, for small networks; a float64 network is taken
        at the exact binary values of its weights).
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
    if exact:
        t = np.array([_exact_coord(a), _exact_coord(b)], dtype=object)
    else:
        t = np.array([float(a), float(b)], dtype=np.float64)
    if not t[0] < t[1]:
        raise DimensionMismatch(f"the interval [{a}, {b}] needs a < b")
    # V[0]: state at the left end of each piece, V[1]: at the right end; shape (2, n, w)
    V = np.stack([t[:-1, None], t[1:, None]])
    jumps = any(act.name in JUMPS for act in net.activations)
    P = t[:, None] if jumps else None  # point states at the breakpoints (discontinuous networks)
    ambiguous: list[np.ndarray] = []
    layer = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for wt, bias, act in _layer_arrays(net, exact):
            layer += 1
            Z = _affine(V, wt, bias)
            ZP = P @ wt + bias if jumps else None
            zero = None
            width = Z.shape[-1]
            kinked = columns_where(act, width, _KINKED)  # each neuron's own activation (per-neuron layers)
            jump_cols = columns_where(act, width, JUMPS)
            if kinked.any():
                cross = (Z[0] * Z[1]) < 0
                if not kinked.all():
                    cross &= kinked
                if cross.any():
                    t, Z, ZP, zero, merged = split_pieces(t, Z, cross, exact, ZP)
                    if jumps and merged.size:  # rounding merged two points: which one's state is kept is arbitrary
                        ambiguous.append(merged)
                    if t.shape[0] - 1 > max_pieces:
                        raise BudgetExceeded(
                            f"{t.shape[0] - 1} pieces after layer {layer} of {net.depth}, above max_pieces={max_pieces}; "
                            "raise max_pieces or use the grid route (method='grid')"
                        )
            if jump_cols.any() and not exact:
                ambiguous.extend(_ambiguous_here(t, V, P, Z, ZP, zero, wt, bias, jump_cols))
            V = _activate_pieces(act, Z)
            if jumps:
                P = _activate(act, ZP)
            if not exact and layer % 64 == 0 and not np.isfinite(V).all():
                raise NonFiniteError(f"non-finite values in the pieces after layer {layer} (overflow)")
    if not exact and not (np.isfinite(V).all() and (P is None or np.isfinite(P).all())):
        raise NonFiniteError(f"non-finite values in the pieces after layer {layer} (overflow)")
    amb = np.unique(np.concatenate(ambiguous)) if ambiguous else np.empty(0)
    for arr in (t, V, amb) + ((P,) if jumps else ()):
        arr.flags.writeable = False
    return Pieces1D(t, V[0], V[1], not jumps, net, values=P, ambiguous=amb, exact=exact)


def _ambiguous_here(t, V, P, Z, ZP, zero, wt, bias, jump_cols) -> list[np.ndarray]:
    """Positions where a jump unit of this layer is within rounding of 0 (float64 pieces only).

    At a breakpoint (its point state) unless the unit is the one that was set to exactly 0 there
    (a crossing of this layer); on a whole piece (both one-sided limits small: its branch is
    undecided).  Only the jump neurons (``jump_cols``) are examined.  Each unit's magnitude scale
    is the largest ``|h| |W| + |b|`` over the states ``h`` of the layer's input (one-sided limits
    and point states).
    """
    absw = np.abs(wt)
    unit_scale = np.max(np.abs(np.concatenate([V[0], V[1], P])) @ absw, axis=0) + np.abs(bias)  # (w,)
    out = []
    bad_pt = _near_zero(ZP, unit_scale) & jump_cols
    if zero is not None:
        bad_pt &= ~zero
    rows = np.nonzero(bad_pt.any(axis=1))[0]
    if rows.size:
        out.append(np.asarray(t[rows], dtype=np.float64))
    rows = np.nonzero((_near_zero(np.abs(Z[0]) + np.abs(Z[1]), unit_scale) & jump_cols).any(axis=1))[0]
    if rows.size:
        out.append(0.5 * (np.asarray(t[rows], dtype=np.float64) + np.asarray(t[rows + 1], dtype=np.float64)))
    return out
