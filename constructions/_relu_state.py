r"""The logical-state builder shared by the ReLU witness constructions.

A witness of width :math:`w` is built on a *logical state* :math:`z \in \mathbb R^w` that is an
affine function of the last hidden vector, :math:`z = A h + c`.  A new hidden layer is given in
logical coordinates as

.. math::  \mathrm{pre} = P z + q, \qquad h' = \mathrm{relu}(\mathrm{pre}), \qquad z' = A' h' + c',

and is folded into the network as :math:`W = P A,\; b = P c + q`.  Affine re-mappings of
:math:`z` (copies, constants, permutations) are free: they only change :math:`A, c`.

Every logical coordinate carries an interval :math:`[lo, hi]` that contains its value for every
input the construction admits.  A *pass-through* neuron computes :math:`\rho\cdot z + q_0 + B` with
the bias

.. math::  B = \mu - \Big(q_0 + \sum_k \min(\rho_k\, lo_k,\ \rho_k\, hi_k)\Big),

so its pre-activation is at least the margin :math:`\mu = 1` on the whole bounding box and relu
acts as the identity on it (relu.md §2.1, §2.5).  The builder records which neurons of each
layer are pass-through, so that tests can check the margin on sample points.

A coordinate whose interval is a single point is a *constant*: its neuron gets a zero row and its
value lives in :math:`c` (no pass-through needed).

Numbers are exact rationals (numpy object arrays of ``Fraction``) when ``exact=True`` and
float64 otherwise; every formula below is written once for both.

>>> st = LogicalState(input_dim=1, width=2, exact=True)
>>> st.set_bounds(0, 0, 1)
>>> st.emit(*st.identity_layer(), label="copy")
>>> net, trace = st.finish([[1, 0]], [0])
>>> net.evaluate_exact([["1/3"]])[0, 0]
Fraction(1, 3)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from uat.errors import ParameterError
from uat.network import FeedForward

__all__ = ["LogicalState", "Trace", "MARGIN", "passthrough_margins", "stage_state"]

MARGIN = 1
"""The pass-through margin :math:`\\mu` (pre-activations of pass-through neurons stay >= this)."""


@dataclass(frozen=True)
class Trace:
    """What a build leaves for structural checks.

    Attributes
    ----------
    pass_through : ndarray of bool, shape (hidden layers, width)
        ``pass_through[l, i]`` is True when neuron ``i`` of hidden layer ``l`` is a pass-through
        neuron (its pre-activation must stay >= :data:`MARGIN`).
    stages : tuple of (label, first layer, number of layers)
        The gadget that emitted each run of hidden layers.
    checkpoints : tuple of (name, hidden layers so far, A, c)
        The fold of the logical state at named points (``z = A h + c``), for :func:`stage_state`.
    """

    pass_through: np.ndarray
    stages: tuple[tuple[str, int, int], ...]
    checkpoints: tuple[tuple[str, int, np.ndarray, np.ndarray], ...] = ()


class LogicalState:
    """Mutable builder of one witness (used only inside a construction; see the module docstring)."""

    def __init__(self, input_dim: int, width: int, *, exact: bool, margin: int = MARGIN) -> None:
        if width < input_dim:
            raise ParameterError(f"logical width {width} is smaller than the input dimension {input_dim}")
        self.w = width
        self.exact = exact
        self.mu = self.num(margin)
        self.input_dim = input_dim
        self.A = self.zeros((width, input_dim))
        for i in range(input_dim):
            self.A[i, i] = self.num(1)
        self.c = self.zeros(width)
        self.lo = self.zeros(width)
        self.hi = self.zeros(width)
        self._first: tuple[np.ndarray, np.ndarray] | None = None
        self._W: list[np.ndarray] = []
        self._b: list[np.ndarray] = []
        self._pt: list[np.ndarray] = []
        self._stages: list[tuple[str, int, int]] = []
        self._checkpoints: list[tuple[str, int, np.ndarray, np.ndarray]] = []
        self._acts: dict[int, tuple[str, ...]] = {}  # hidden layers whose neurons are not all relu
        self.depth = 0  # hidden layers emitted

    def checkpoint(self, name: str) -> None:
        """Remember the current fold under ``name`` (see :func:`stage_state`)."""
        A = np.array(self.A, dtype=np.float64) if not self.exact else np.array([[float(v) for v in r] for r in self.A])
        c = np.array([float(v) for v in self.c])
        self._checkpoints.append((name, self.depth, A, c))

    # -- numbers ---------------------------------------------------------------------------
    def num(self, x: Any) -> Any:
        """A scalar in this builder's arithmetic (Fraction or float)."""
        if self.exact:
            if isinstance(x, (float, np.floating)):
                return Fraction(float(x))
            return Fraction(x)
        return float(x)

    def zeros(self, shape: Any) -> np.ndarray:
        """Zeros of the given shape in the state's arithmetic (Fractions or float64)."""
        if self.exact:
            out = np.empty(shape, dtype=object)
            out.fill(Fraction(0))
            return out
        return np.zeros(shape, dtype=np.float64)

    def array(self, values: Any) -> np.ndarray:
        """Convert an array of ints/Fractions (exact) or numbers (float) to this arithmetic."""
        arr = np.asarray(values)
        if self.exact:
            if arr.dtype == object:
                out = np.empty(arr.shape, dtype=object)
                flat, src = out.reshape(-1), arr.reshape(-1)
                for i in range(src.size):
                    v = src[i]
                    flat[i] = v if isinstance(v, Fraction) else self.num(v)
                return out
            if np.issubdtype(arr.dtype, np.integer):
                return np.array([Fraction(int(v)) for v in arr.reshape(-1)], dtype=object).reshape(arr.shape)
            return np.array([Fraction(float(v)) for v in arr.reshape(-1)], dtype=object).reshape(arr.shape)
        return np.array(arr, dtype=np.float64)

    def arange(self, n: int) -> np.ndarray:
        """0, 1, ..., n-1 in this arithmetic (exact ints become Fractions lazily)."""
        if self.exact:
            return np.array([Fraction(j) for j in range(n)], dtype=object)
        return np.arange(n, dtype=np.float64)

    def eye_nc(self) -> np.ndarray:
        """Identity on the non-constant coordinates (zero rows for constants)."""
        m = self.zeros((self.w, self.w))
        for i in np.flatnonzero(~self.constant_mask()):
            m[i, i] = self.num(1)
        return m

    # -- bounds ----------------------------------------------------------------------------
    def set_bounds(self, i: int, lo: Any, hi: Any) -> None:
        """Replace the interval bound of coordinate ``i`` by a known valid one."""
        lo, hi = self.num(lo), self.num(hi)
        if hi < lo:
            raise ParameterError(f"internal error: empty interval [{lo}, {hi}] for coordinate {i}")
        self.lo[i], self.hi[i] = lo, hi

    def constant_mask(self) -> np.ndarray:
        """Which coordinates are constant (lower bound = upper bound)."""
        return np.array([self.lo[i] == self.hi[i] for i in range(self.w)], dtype=bool)

    def pass_bias(self, rows: np.ndarray, q0: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        r"""Pass-through biases :math:`B = \mu - (q_0 + \sum_k \min(\rho_k lo_k, \rho_k hi_k))`.

        ``rows`` has shape (..., n, w); ``lo``, ``hi`` broadcast against its last axis.
        """
        a = rows * lo[..., None, :]
        b = rows * hi[..., None, :]
        low = np.minimum(a, b).sum(axis=-1)
        return self.mu - (q0 + low)

    @staticmethod
    def interval_affine(M: np.ndarray, v: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Interval image of the box [lo, hi] under z -> M z + v (rows of M, exact when M is diagonal)."""
        a = M * lo[None, :]
        b = M * hi[None, :]
        return np.minimum(a, b).sum(axis=1) + v, np.maximum(a, b).sum(axis=1) + v

    # -- free affine maps ------------------------------------------------------------------
    def affine(self, M: np.ndarray, v: np.ndarray, lo: np.ndarray | None = None, hi: np.ndarray | None = None) -> None:
        """z <- M z + v (no layer); bounds by interval arithmetic unless given."""
        M = self.array(M)
        v = self.array(v)
        nlo, nhi = self.interval_affine(M, v, self.lo, self.hi)
        self.A = M @ self.A
        self.c = M @ self.c + v
        self.lo = nlo if lo is None else self.array(lo)
        self.hi = nhi if hi is None else self.array(hi)

    def set_constant(self, i: int, value: Any) -> None:
        """z_i <- value (free)."""
        self.A[i, :] = self.num(0)
        self.c[i] = self.num(value)
        self.lo[i] = self.hi[i] = self.num(value)

    def move(self, src: int, dst: int) -> None:
        """z_dst <- z_src, z_src <- 0 (free)."""
        self.copy(src, dst)
        self.set_constant(src, 0)

    def copy(self, src: int, dst: int, *, scale: Any = 1, shift: Any = 0) -> None:
        """z_dst <- scale * z_src + shift (free)."""
        s, t = self.num(scale), self.num(shift)
        self.A[dst, :] = self.A[src, :] * s
        self.c[dst] = self.c[src] * s + t
        a, b = self.lo[src] * s + t, self.hi[src] * s + t
        self.lo[dst], self.hi[dst] = min(a, b), max(a, b)

    def add_constant(self, i: int, value: Any) -> None:
        """Shift coordinate ``i`` by a constant: it lives in the fold offset, no layer is spent."""
        v = self.num(value)
        self.c[i] = self.c[i] + v
        self.lo[i] = self.lo[i] + v
        self.hi[i] = self.hi[i] + v

    # -- layers ----------------------------------------------------------------------------
    def identity_layer(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """A layer that passes every non-constant coordinate through (P, q, A', c', mask)."""
        P = self.eye_nc()
        nc = ~self.constant_mask()
        q = self.zeros(self.w)
        B = self.pass_bias(P[None], q[None], self.lo, self.hi)[0]
        q[nc] = B[nc]
        Ap = self.eye_nc()
        cp = np.where(nc, -q, self.c * 0 + self.lo)
        return P, q, Ap, cp, nc.copy()

    def emit(self, P: np.ndarray, q: np.ndarray, A_new: np.ndarray, c_new: np.ndarray, mask: np.ndarray, *, label: str,
             activations: tuple[str, ...] | None = None) -> None:
        """Emit one hidden layer given in logical coordinates (``activations``: one name per neuron, default relu)."""
        if activations is not None:
            if len(activations) != self.w:
                raise ParameterError("internal error: one activation per neuron is needed")
            self._acts[self.depth] = tuple(activations)
        self.emit_stack(P[None], q[None], A_new[None], c_new[None], np.asarray(mask)[None], label=label)

    def emit_stack(self, P: np.ndarray, q: np.ndarray, A_new: np.ndarray, c_new: np.ndarray, masks: np.ndarray, *, label: str) -> None:
        """Emit L hidden layers at once: W_0 = P_0 A, W_l = P_l A'_{l-1}, b_l = P_l c'_{l-1} + q_l."""
        L = P.shape[0]
        if L == 0:
            return
        W0 = P[0] @ self.A
        b0 = P[0] @ self.c + q[0]
        start = self.depth
        if self.depth == 0 and W0.shape[1] != self.w:
            self._first = (W0, b0)
        else:
            self._W.append(W0[None])
            self._b.append(b0[None])
        if L > 1:
            self._W.append(np.matmul(P[1:], A_new[:-1]))
            self._b.append(np.matmul(P[1:], c_new[:-1, :, None])[..., 0] + q[1:])
        self._pt.append(np.asarray(masks, dtype=bool).reshape(L, self.w))
        self.A = A_new[-1].copy()
        self.c = c_new[-1].copy()
        self.depth += L
        if self._stages and self._stages[-1][0] == label and self._stages[-1][1] + self._stages[-1][2] == start:
            lab, s0, n0 = self._stages[-1]
            self._stages[-1] = (lab, s0, n0 + L)
        else:
            self._stages.append((label, start, L))

    # -- output ----------------------------------------------------------------------------
    def finish(self, R: Any, r0: Any, *, metadata: dict | None = None, progress: Any = None) -> tuple[FeedForward, Trace]:
        """Readout y = R z + r0; returns the network and its trace."""
        if progress is not None:
            progress.advance(0, note="assembling the network")
        R = self.array(R)
        r0 = self.array(r0)
        if self.depth == 0:  # e.g. a constant target: one pass-through layer keeps the format uniform
            self.emit(*self.identity_layer(), label="identity")
        W_out = R @ self.A
        b_out = R @ self.c + r0
        Ws: list[np.ndarray] = []
        bs: list[np.ndarray] = []
        if self._first is not None:
            Ws.append(self._first[0])
            bs.append(self._first[1])
        for Wst, bst in zip(self._W, self._b):
            Ws.extend(list(Wst))
            bs.extend(list(bst))
        Ws.append(W_out)
        bs.append(b_out)
        acts: list[Any] = ["relu"] * (len(Ws) - 1) + ["identity"]
        if self._acts:
            from uat._mixed import per_neuron

            for layer, names in self._acts.items():
                acts[layer] = per_neuron(names)
        if self.exact:
            Ws = [_fractions(w) for w in Ws]
            bs = [_fractions(b) for b in bs]
        net = FeedForward.from_arrays(Ws, bs, acts, metadata=metadata)
        trace = Trace(np.concatenate(self._pt, axis=0), tuple(self._stages), tuple(self._checkpoints))
        return net, trace


def _fractions(a: np.ndarray) -> np.ndarray:
    out = np.empty(a.shape, dtype=object)
    flat, src = out.reshape(-1), a.reshape(-1)
    for i in range(src.size):
        v = src[i]
        flat[i] = v if isinstance(v, Fraction) else Fraction(v)
    return out


def stage_state(net: FeedForward, trace: Trace, name: str, x: np.ndarray) -> np.ndarray:
    """The logical state z (float64, shape (n, width)) at checkpoint ``name`` for inputs ``x``."""
    found = [cp for cp in trace.checkpoints if cp[0] == name]
    if not found:
        raise ParameterError(f"no checkpoint {name!r}; known: {', '.join(cp[0] for cp in trace.checkpoints)}")
    _, depth, A, c = found[0]
    h = np.asarray(x, dtype=np.float64)
    for layer in list(net.as_float().iter_layers())[:depth]:
        h = layer.activation.numpy(h @ layer.weight.T + layer.bias)
    return h @ A.T + c


def passthrough_margins(net: FeedForward, trace: Trace, x: np.ndarray) -> np.ndarray:
    """Smallest pre-activation of the designated pass-through neurons of each hidden layer at ``x``.

    Layers without pass-through neurons give ``+inf``.  Every entry must be >= :data:`MARGIN`
    (up to float64 rounding) for the witness to compute what its construction claims.
    """
    h = np.asarray(x, dtype=np.float64)
    out = np.full(trace.pass_through.shape[0], np.inf)
    layers = list(net.as_float().iter_layers())[:-1]
    for l, layer in enumerate(layers):
        z = h @ layer.weight.T + layer.bias
        m = trace.pass_through[l]
        if m.any():
            out[l] = float(z[:, m].min())
        h = layer.activation.numpy(z)
    return out
