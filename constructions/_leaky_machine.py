r"""A width-:math:`N` register machine that writes exact leaky-ReLU networks layer by layer.

Every witness of the leaky-ReLU family is a network whose hidden layers all have the same
width :math:`N` and the same activation :math:`\sigma_\alpha(t)=t\ (t\ge0),\ \alpha t\ (t<0)`.
The builders think in *slots*: :math:`N` real registers :math:`s\in\mathbb R^N` that hold
meaningful values (a coordinate, a code, an accumulator).  The machine keeps

* the emitted layers :math:`(W_l, b_l)`, exact rationals;
* a *pending* affine map :math:`s = A h + a` from the output :math:`h` of the last emitted
  layer (or from the input :math:`x`) to the slot values, merged into the next layer, so
  that affine steps cost no depth ("merge the post-affine into the next ``W``");
* rigorous interval bounds :math:`[\ell_k, u_k]` of every slot on the domain :math:`K`,
  propagated by interval arithmetic.  The pass-through shift of a slot (primitive P0) is
  :math:`M_k=\lceil\max(0,-\ell_k)\rceil+1`; the ``+1`` absorbs float64 round-off of the
  bounds, so a slot value never dips below :math:`-M_k` on :math:`K`.

A hidden layer is emitted with :meth:`LeakyMachine.emit`: a pre-activation
:math:`P s + p` (in slot coordinates) and the new pending map from the layer output back to
slot values.  Exactness: all weights are :class:`~fractions.Fraction`; the bounds are floats
(they only choose shifts).

>>> from fractions import Fraction as Q
>>> from uat.domains import parse_domain
>>> m = LeakyMachine(Q(1, 4), width=2, input_dim=1)
>>> m.load_input(parse_domain("[0,1]"), [[1], [-1]], [0, 0])
>>> m.pass_layer()
>>> net = m.finish([[1, 1]], [0])       # x + (-x) = 0, through one sigma-layer
>>> net.width, net.depth, net.hidden_activations
(2, 2, (Activation('leaky_relu(1/4)'),))
>>> net.evaluate_exact([["1/3"]])[0, 0]
Fraction(0, 1)
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from uat.activations import Activation, leaky_relu
from uat.domains import Box
from uat.errors import DimensionMismatch, ParameterError
from uat.network import FeedForward

__all__ = ["LeakyMachine", "Q", "qarray", "qzeros", "qeye", "act_range", "shift_for"]

ZERO = Fraction(0)
ONE = Fraction(1)


def Q(x: Any) -> Fraction:
    """An exact rational from an int, Fraction, numpy integer or (explicitly) a float's binary value."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    if isinstance(x, (float, np.floating)):
        if not math.isfinite(float(x)):
            raise ParameterError(f"non-finite value {x!r} in an exact construction")
        return Fraction(float(x))
    if isinstance(x, str):
        return Fraction(x)
    raise ParameterError(f"cannot make an exact rational from {type(x).__name__} {x!r}")


def qarray(values: Any) -> np.ndarray:
    """Object array of Fractions (floats are taken at their exact binary value)."""
    arr = np.array(values, dtype=object)
    flat = arr.ravel()
    for i in range(flat.size):
        flat[i] = Q(flat[i])
    return flat.reshape(arr.shape)


def qzeros(*shape: int) -> np.ndarray:
    """An object array of exact zeros (Fractions) of the given shape."""
    out = np.empty(shape, dtype=object)
    out.fill(ZERO)
    return out


def qeye(n: int) -> np.ndarray:
    """The exact n x n identity (an object array of Fractions)."""
    out = qzeros(n, n)
    for i in range(n):
        out[i, i] = ONE
    return out


def act_range(act: Activation, lo: float, hi: float) -> tuple[float, float]:
    """The image of the interval [lo, hi] under a piecewise-linear activation (exact formula)."""
    if act.name == "stepped_leaky_relu":  # non-decreasing (jump at 0)
        v = act.numpy(np.array([lo, hi], dtype=float))
        return float(v[0]), float(v[1])
    neg, pos = act.slopes

    def f(t: float) -> float:
        return t if t >= 0 else neg * t

    vals = [f(lo), f(hi)]
    if lo < 0 < hi:
        vals.append(0.0)
    return min(vals), max(vals)


def shift_for(lo: float) -> Fraction:
    """The pass-through shift M = ceil(max(0, -lo)) + 1 (an integer, so it is exact)."""
    if not math.isfinite(lo):
        raise ParameterError(f"a slot bound is not finite ({lo!r}); the construction cannot choose a safe shift")
    return Fraction(int(math.ceil(max(0.0, -lo))) + 1)


class LeakyMachine:
    """Builder state for an exact width-``width`` network with hidden activation ``leaky_relu(alpha)``.

    Parameters
    ----------
    alpha : Fraction
        The negative slope, ``0 < alpha < 1`` (dyadic in every construction of the family).
    width : int
        The number of slots :math:`N` (every hidden layer has this size).
    input_dim : int
        :math:`d_x`.
    """

    def __init__(self, alpha: Fraction, width: int, input_dim: int) -> None:
        self.alpha = Fraction(alpha)
        if not 0 < self.alpha < 1:
            raise ParameterError(f"the leaky slope must lie in (0, 1), got {self.alpha}")
        self.act = leaky_relu(self.alpha)
        self.N = int(width)
        self.input_dim = int(input_dim)
        self._Ws: list[np.ndarray] = []
        self._bs: list[np.ndarray] = []
        self._acts: list[Activation] = []
        self.A = qzeros(self.N, self.input_dim)
        self.a = qzeros(self.N)
        self.lo = np.zeros(self.N)
        self.hi = np.zeros(self.N)
        self.max_bound = 0.0

    # -- state ------------------------------------------------------------------------
    @property
    def depth(self) -> int:
        """Number of sigma-layers emitted so far."""
        return len(self._Ws)

    def bounds(self, i: int) -> tuple[float, float]:
        """The interval bound of slot ``i`` as floats ``(lo, hi)``."""
        return float(self.lo[i]), float(self.hi[i])

    def _set_bounds(self, lo: np.ndarray, hi: np.ndarray) -> None:
        if not (np.all(np.isfinite(lo)) and np.all(np.isfinite(hi))):
            raise ParameterError("slot bounds overflowed; the construction's parameters are out of range")
        self.lo = np.asarray(lo, dtype=float).copy()
        self.hi = np.asarray(hi, dtype=float).copy()
        self.max_bound = max(self.max_bound, float(np.max(np.abs(self.lo))), float(np.max(np.abs(self.hi))))

    def load_input(self, box: Box, T: Any, t: Any) -> None:
        """Set the slots to ``s = T x + t`` for inputs ``x`` in ``box`` (T is N x d_x)."""
        T, t = qarray(T), qarray(t)
        if T.shape != (self.N, self.input_dim) or t.shape != (self.N,):
            raise DimensionMismatch(f"input map must be ({self.N}, {self.input_dim}) and ({self.N},)")
        if box.dim != self.input_dim:
            raise DimensionMismatch(f"domain dimension {box.dim} differs from input_dim {self.input_dim}")
        self.A, self.a = T, t
        lo, hi = interval_affine(T, t, box.lo_array, box.hi_array)
        self._set_bounds(lo, hi)

    def affine(self, T: Any, t: Any) -> None:
        """Free step ``s <- T s + t`` (merged into the pending map; no layer)."""
        T, t = qarray(T), qarray(t)
        lo, hi = interval_affine(T, t, self.lo, self.hi)
        self.A = T.dot(self.A)
        self.a = T.dot(self.a) + t
        self._set_bounds(lo, hi)

    def set_slot(self, i: int, row: Sequence[Any], const: Any = 0) -> None:
        """Free step ``s_i <- row . s + const`` (other slots unchanged)."""
        T = qeye(self.N)
        T[i, :] = qarray(row)
        t = qzeros(self.N)
        t[i] = Q(const)
        self.affine(T, t)

    # -- layers -----------------------------------------------------------------------
    def emit(self, P: np.ndarray, p: np.ndarray, A_new: np.ndarray, a_new: np.ndarray,
             lo_new: np.ndarray, hi_new: np.ndarray, act: Activation | None = None) -> None:
        """Emit one hidden layer ``h = act(P s + p)``; afterwards ``s = A_new h + a_new``.

        ``lo_new``/``hi_new`` are the slot bounds after the layer (computed by the caller's
        closed form).  The caller guarantees that pass-through pre-activations are >= 0.
        """
        W = P.dot(self.A)
        b = P.dot(self.a) + p
        self._Ws.append(W)
        self._bs.append(b)
        self._acts.append(self.act if act is None else act)
        self.A, self.a = A_new, a_new
        self._set_bounds(lo_new, hi_new)

    def emit_diagonal(self, scale: Sequence[Fraction], shift: Sequence[Fraction], post_scale: Sequence[Fraction],
                      post_shift: Sequence[Fraction], lo_new: np.ndarray, hi_new: np.ndarray,
                      act: Activation | None = None) -> None:
        """Fast path of :meth:`emit` for slot-wise layers: ``h_i = act(scale_i s_i + shift_i)``,
        then ``s_i = post_scale_i h_i + post_shift_i``."""
        W = np.empty_like(self.A)
        b = np.empty_like(self.a)
        for i in range(self.N):
            c = scale[i]
            if c == 1:
                W[i] = self.A[i]
                b[i] = self.a[i] + shift[i]
            else:
                W[i] = self.A[i] * c
                b[i] = self.a[i] * c + shift[i]
        self._Ws.append(W)
        self._bs.append(b)
        self._acts.append(self.act if act is None else act)
        A = qzeros(self.N, self.N)
        for i in range(self.N):
            A[i, i] = post_scale[i]
        self.A = A
        self.a = np.array(list(post_shift), dtype=object)
        self._set_bounds(lo_new, hi_new)

    def pass_layer(self, act: Activation | None = None) -> None:
        """One sigma-layer that passes every slot through unchanged (P0 shifts)."""
        M = [shift_for(self.lo[i]) for i in range(self.N)]
        self.emit_diagonal([ONE] * self.N, M, [ONE] * self.N, [-m for m in M], self.lo, self.hi, act)

    def finish(self, Out: Any, o: Any, *, metadata: dict | None = None) -> FeedForward:
        """The network ``x -> Out s + o`` (identity output layer).  At least one hidden layer is ensured."""
        if not self._Ws:
            self.pass_layer()
        Out, o = qarray(Out), qarray(o)
        if Out.ndim != 2 or Out.shape[1] != self.N or o.shape != (Out.shape[0],):
            raise DimensionMismatch(f"output map must be (d_y, {self.N}) and (d_y,)")
        Ws = self._Ws + [Out.dot(self.A)]
        bs = self._bs + [Out.dot(self.a) + o]
        acts = self._acts + ["identity"]
        return FeedForward.from_arrays(Ws, bs, acts, metadata=metadata)

    def output_bounds(self, Out: Any, o: Any) -> tuple[np.ndarray, np.ndarray]:
        """Interval bounds of ``Out s + o`` on the domain."""
        return interval_affine(qarray(Out), qarray(o), self.lo, self.hi)


def interval_affine(T: np.ndarray, t: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Interval bounds of ``T s + t`` for ``s`` in the box [lo, hi] (float, slightly widened)."""
    Tf = np.array([[float(v) for v in row] for row in T], dtype=float).reshape(T.shape)
    tf = np.array([float(v) for v in t], dtype=float)
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    pos = np.clip(Tf, 0, None)
    neg = np.clip(Tf, None, 0)
    out_lo = pos @ lo + neg @ hi + tf
    out_hi = pos @ hi + neg @ lo + tf
    pad = 1e-12 * (np.abs(Tf) @ np.maximum(np.abs(lo), np.abs(hi)) + np.abs(tf))
    return out_lo - pad, out_hi + pad
