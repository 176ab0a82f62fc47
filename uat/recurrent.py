r"""The deep recurrent network value (deep RNN and bidirectional RNN).

A :class:`Recurrent` network maps a sequence :math:`x[1..T] \in \mathbb R^{d_x}` to a
sequence :math:`y[1..T] \in \mathbb R^{d_y}` (Song, Hwang, Lee, Kang, JMLR 24(121), 2023, §3):

.. math::

    h_0[t] = P\,x[t], \qquad
    h_l[t] = \sigma_l\big(A_l h_l[t-1] + B_l h_{l-1}[t] + \theta_l\big),\quad h_l[0] = 0,
    \qquad y[t] = Q\,h_L[t].

``P`` (the *lift*) and ``Q`` (the *readout*) are token-wise linear maps; each
:class:`Cell` holds :math:`(A_l, B_l, \theta_l, \sigma_l)`.  A cell with :math:`A_l = 0` is a
token-wise (feed-forward) layer.  A :class:`BiLayer` is the bidirectional layer of a BRNN:
a forward cell :math:`R` and a backward cell :math:`\bar R` (run from :math:`t = T` down to 1
with :math:`\bar h[T+1] = 0`) read the same input and are mixed token-wise,
:math:`h_l[t] = W R(h_{l-1})[t] + \bar W \bar R(h_{l-1})[t]`.  A network with a
:class:`BiLayer` is a BRNN and is not causal.

The *width* is the largest hidden-state dimension (lifted dimension, every cell state and
every mixed output), the quantity bounded by the minimum-width theorems; the *depth* is the
number of layers (cells, a :class:`BiLayer` counting once).  Weights follow the exactness
policy of :mod:`uat._scalars`: all exact ``Fraction``s or all float64.

>>> relu_max = Recurrent.create(lift=[[1], [1]], cells=[([[0, 0], [1, 1]], [[1, 0], [-1, 0]], [0, 0], "relu")],
...                             readout=[[1, 1]])
>>> relu_max.width, relu_max.depth, relu_max.is_exact, relu_max.is_causal
(2, 1, True, True)
>>> relu_max.evaluate([[[0.2], [0.7], [0.1]]])[0, :, 0].tolist()     # running max of x >= 0
[0.2, 0.7, 0.7]
>>> relu_max.evaluate_exact([[["1/3"], ["1/4"]]])[0, :, 0].tolist()
[Fraction(1, 3), Fraction(1, 3)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Sequence, Union

import numpy as np

from ._scalars import exact_array, float_array
from .activations import Activation, parse_activation
from .errors import DimensionMismatch, ExactnessError, NonFiniteError
from .network import _exact_point_coord, _freeze_json, _has_float, thaw_json

__all__ = ["Cell", "BiLayer", "Recurrent"]

_CHUNK_ELEMENTS = 1 << 22  # batch * T * width per evaluation chunk


def _matrix(values: Any, exact: bool, what: str, ndim: int) -> np.ndarray:
    arr = exact_array(values) if exact else float_array(values, what=what)
    if arr.ndim != ndim or 0 in arr.shape:
        raise DimensionMismatch(f"{what} must be a non-empty {ndim}-D array, got shape {arr.shape}")
    return arr


@dataclass(frozen=True, eq=False, slots=True)
class Cell:
    r"""One recurrent cell :math:`h[t] = \sigma(A h[t-1] + B u[t] + \theta)`, :math:`h[0] = 0`.

    Parameters
    ----------
    recurrent : array (d, d)
        :math:`A`; all zeros for a token-wise layer.
    input : array (d, d_in)
        :math:`B`.
    bias : array (d,)
        :math:`\theta`.
    activation : Activation
    """

    recurrent: np.ndarray
    input: np.ndarray
    bias: np.ndarray
    activation: Activation

    def __post_init__(self) -> None:
        a, b, th = self.recurrent, self.input, self.bias
        if not all(isinstance(m, np.ndarray) for m in (a, b, th)):
            raise DimensionMismatch("Cell needs numpy arrays; use Cell.create(...) for nested lists")
        if b.ndim != 2 or 0 in b.shape:
            raise DimensionMismatch(f"cell input matrix B must be a non-empty 2-D array, got shape {b.shape}")
        d = b.shape[0]
        if a.shape != (d, d):
            raise DimensionMismatch(f"cell recurrent matrix A has shape {a.shape}, expected ({d}, {d}) to match B {b.shape}")
        if th.shape != (d,):
            raise DimensionMismatch(f"cell bias has shape {th.shape}, expected ({d},)")
        kinds = {m.dtype == object for m in (a, b, th)}
        if len(kinds) != 1:
            raise ExactnessError("cell mixes exact and float arrays; make all of A, B, theta exact or all float64")
        if not isinstance(self.activation, Activation):
            object.__setattr__(self, "activation", parse_activation(self.activation))

    @classmethod
    def create(cls, recurrent: Any, input: Any, bias: Any, activation: Any = "relu", *, exact: bool | None = None) -> "Cell":
        """Build a cell from nested lists (``recurrent=None`` means a token-wise cell)."""
        if exact is None:
            exact = not (_has_float(recurrent) or _has_float(input) or _has_float(bias))
        b = _matrix(input, exact, "cell input matrix B", 2)
        d = b.shape[0]
        if recurrent is None:
            recurrent = np.zeros((d, d), dtype=object if exact else np.float64)
            if exact:
                recurrent[...] = Fraction(0)
        a = _matrix(recurrent, exact, "cell recurrent matrix A", 2)
        th = _matrix(bias, exact, "cell bias", 1)
        return cls(a, b, th, parse_activation(activation))

    @property
    def state_dim(self) -> int:
        return int(self.input.shape[0])

    @property
    def in_dim(self) -> int:
        return int(self.input.shape[1])

    @property
    def is_exact(self) -> bool:
        return self.input.dtype == object

    @property
    def is_recurrent(self) -> bool:
        """True when :math:`A \\ne 0` (the cell carries state across time)."""
        return bool(np.any(self.recurrent != 0))

    @property
    def n_params(self) -> int:
        d = self.state_dim
        return d * d + d * self.in_dim + d

    def as_float(self) -> "Cell":
        if not self.is_exact:
            return self
        return Cell(float_array(self.recurrent), float_array(self.input), float_array(self.bias), self.activation)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cell):
            return NotImplemented
        return (
            self.activation == other.activation
            and self.is_exact == other.is_exact
            and self.input.shape == other.input.shape
            and bool(np.array_equal(self.recurrent, other.recurrent))
            and bool(np.array_equal(self.input, other.input))
            and bool(np.array_equal(self.bias, other.bias))
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, eq=False, slots=True)
class BiLayer:
    r"""A bidirectional layer :math:`h[t] = W R(u)[t] + \bar W \bar R(u)[t]` (BRNN).

    ``forward`` runs :math:`t = 1..T` from :math:`h[0] = 0`; ``backward`` runs
    :math:`t = T..1` from :math:`\bar h[T+1] = 0`; both read the same input sequence.
    """

    forward: Cell
    backward: Cell
    mix_forward: np.ndarray
    mix_backward: np.ndarray

    def __post_init__(self) -> None:
        f, b, w, wb = self.forward, self.backward, self.mix_forward, self.mix_backward
        if not isinstance(f, Cell) or not isinstance(b, Cell):
            raise DimensionMismatch("BiLayer needs two Cell values")
        if f.in_dim != b.in_dim:
            raise DimensionMismatch(f"forward and backward cells read {f.in_dim} and {b.in_dim} inputs; they must read the same input")
        if w.ndim != 2 or wb.ndim != 2 or w.shape[0] != wb.shape[0] or w.shape[0] == 0:
            raise DimensionMismatch(f"mixing matrices must be 2-D with the same number of rows, got {w.shape} and {wb.shape}")
        if w.shape[1] != f.state_dim or wb.shape[1] != b.state_dim:
            raise DimensionMismatch(
                f"mixing matrices {w.shape}, {wb.shape} do not match the cell states ({f.state_dim}, {b.state_dim})"
            )
        if len({f.is_exact, b.is_exact, w.dtype == object, wb.dtype == object}) != 1:
            raise ExactnessError("BiLayer mixes exact and float arrays")

    @property
    def in_dim(self) -> int:
        return self.forward.in_dim

    @property
    def state_dim(self) -> int:
        """Dimension of the mixed output."""
        return int(self.mix_forward.shape[0])

    @property
    def width(self) -> int:
        return max(self.forward.state_dim, self.backward.state_dim, self.state_dim)

    @property
    def is_exact(self) -> bool:
        return self.forward.is_exact

    @property
    def n_params(self) -> int:
        return self.forward.n_params + self.backward.n_params + self.mix_forward.size + self.mix_backward.size

    def as_float(self) -> "BiLayer":
        if not self.is_exact:
            return self
        return BiLayer(self.forward.as_float(), self.backward.as_float(), float_array(self.mix_forward), float_array(self.mix_backward))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BiLayer):
            return NotImplemented
        return (
            self.forward == other.forward
            and self.backward == other.backward
            and self.mix_forward.shape == other.mix_forward.shape
            and bool(np.array_equal(self.mix_forward, other.mix_forward))
            and bool(np.array_equal(self.mix_backward, other.mix_backward))
        )

    __hash__ = None  # type: ignore[assignment]


LayerValue = Union[Cell, BiLayer]


@dataclass(frozen=True, eq=False)
class Recurrent:
    """An immutable deep RNN / BRNN (see the module docstring for the semantics).

    Build it with :meth:`create` from nested lists, or directly from :class:`Cell` and
    :class:`BiLayer` values.  ``metadata`` is JSON-like and does not take part in equality.
    """

    lift: np.ndarray
    layers: tuple[LayerValue, ...]
    readout: np.ndarray
    metadata: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        p, q = self.lift, self.readout
        if not isinstance(p, np.ndarray) or not isinstance(q, np.ndarray) or p.ndim != 2 or q.ndim != 2:
            raise DimensionMismatch("lift P and readout Q must be 2-D numpy arrays")
        if 0 in p.shape or 0 in q.shape:
            raise DimensionMismatch(f"lift {p.shape} and readout {q.shape} must be non-empty")
        object.__setattr__(self, "layers", tuple(self.layers))
        if not self.layers:
            raise DimensionMismatch("a recurrent network needs at least one cell")
        exact = p.dtype == object
        dim = p.shape[0]
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, (Cell, BiLayer)):
                raise DimensionMismatch(f"layer {i} is a {type(layer).__name__}, expected Cell or BiLayer")
            if layer.is_exact != exact:
                raise ExactnessError(f"layer {i} is {'exact' if layer.is_exact else 'float64'} but the lift is not; use as_float()")
            if layer.in_dim != dim:
                raise DimensionMismatch(f"layer sizes do not chain: layer {i} reads {layer.in_dim} values, the state before it has {dim}")
            dim = layer.state_dim
        if q.shape[1] != dim:
            raise DimensionMismatch(f"readout Q has shape {q.shape} but the last state has {dim} values")
        if (q.dtype == object) != exact:
            raise ExactnessError("lift and readout mix exact and float arrays")
        if not isinstance(self.metadata, MappingProxyType):
            object.__setattr__(self, "metadata", _freeze_json(dict(self.metadata)))

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        *,
        lift: Any,
        cells: Iterable[Any],
        readout: Any,
        exact: bool | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> "Recurrent":
        """Build from nested lists: ``cells`` holds ``(A or None, B, theta, activation)`` tuples,
        :class:`Cell` or :class:`BiLayer` values.  ``exact=None`` infers exactness (no floats -> exact).
        """
        items = list(cells)
        if exact is None:
            exact = not (_has_float(lift) or _has_float(readout) or any(
                (not it.is_exact) if isinstance(it, (Cell, BiLayer)) else any(_has_float(v) for v in it[:3]) for it in items
            ))
        built: list[LayerValue] = []
        for it in items:
            if isinstance(it, (Cell, BiLayer)):
                built.append(it if it.is_exact == exact else _convert(it, exact))
            else:
                if len(it) not in (3, 4):
                    raise DimensionMismatch("a cell is (A or None, B, theta) or (A or None, B, theta, activation)")
                built.append(Cell.create(*it, exact=exact))
        p = _matrix(lift, exact, "lift P", 2)
        q = _matrix(readout, exact, "readout Q", 2)
        return cls(p, tuple(built), q, MappingProxyType({}) if metadata is None else _freeze_json(dict(metadata)))

    def with_metadata(self, **updates: Any) -> "Recurrent":
        """A copy with metadata entries added or replaced."""
        md = thaw_json(self.metadata)
        md.update(updates)
        return Recurrent(self.lift, self.layers, self.readout, _freeze_json(md))

    # -- descriptors ----------------------------------------------------------------------
    @property
    def input_dim(self) -> int:
        return int(self.lift.shape[1])

    @property
    def output_dim(self) -> int:
        return int(self.readout.shape[0])

    @property
    def depth(self) -> int:
        """Number of layers (cells; a bidirectional layer counts once)."""
        return len(self.layers)

    @property
    def widths(self) -> tuple[int, ...]:
        """Hidden-state dimension of each layer (a BiLayer reports its widest part)."""
        return tuple(l.width if isinstance(l, BiLayer) else l.state_dim for l in self.layers)

    @property
    def width(self) -> int:
        """The largest hidden-state dimension, including the lifted dimension of ``P x``."""
        return max((int(self.lift.shape[0]),) + self.widths)

    @property
    def n_params(self) -> int:
        return int(self.lift.size + self.readout.size + sum(l.n_params for l in self.layers))

    @property
    def is_exact(self) -> bool:
        return self.lift.dtype == object

    @property
    def is_bidirectional(self) -> bool:
        """True for a BRNN (some layer is a :class:`BiLayer`)."""
        return any(isinstance(l, BiLayer) for l in self.layers)

    @property
    def is_causal(self) -> bool:
        """True when every output y[t] depends on x[1..t] only (no bidirectional layer)."""
        return not self.is_bidirectional

    @property
    def n_recurrent(self) -> int:
        """Number of cells with a nonzero recurrent matrix (BiLayers count their two cells)."""
        n = 0
        for l in self.layers:
            cells = (l.forward, l.backward) if isinstance(l, BiLayer) else (l,)
            n += sum(c.is_recurrent for c in cells)
        return n

    def _cells(self) -> Iterable[Cell]:
        for l in self.layers:
            if isinstance(l, BiLayer):
                yield l.forward
                yield l.backward
            else:
                yield l

    @property
    def activations(self) -> tuple[Activation, ...]:
        """Distinct activations of the cells in order of first use."""
        seen: list[Activation] = []
        for c in self._cells():
            if c.activation not in seen:
                seen.append(c.activation)
        return tuple(seen)

    @property
    def hidden_activations(self) -> tuple[Activation, ...]:
        """Distinct activations of the hidden cells (lift and readout are linear)."""
        return self.activations

    def max_abs_weight(self) -> float:
        """Largest absolute entry of P, Q and every A, B, theta, W (as a float)."""
        net = self.as_float()
        m = max(float(np.max(np.abs(net.lift))), float(np.max(np.abs(net.readout))))
        for l in net.layers:
            mats = [l.forward, l.backward, l.mix_forward, l.mix_backward] if isinstance(l, BiLayer) else [l]
            for c in mats:
                arrs = (c.recurrent, c.input, c.bias) if isinstance(c, Cell) else (c,)
                m = max([m] + [float(np.max(np.abs(a))) for a in arrs])
        return m

    def summary(self) -> dict[str, Any]:
        """A JSON-ready description (``"kind"`` is ``"rnn"`` or ``"brnn"``)."""
        return {
            "kind": "brnn" if self.is_bidirectional else "rnn",
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "width": self.width,
            "widths": list(self.widths),
            "depth": self.depth,
            "recurrent_cells": self.n_recurrent,
            "n_params": self.n_params,
            "exact": self.is_exact,
            "causal": self.is_causal,
            "activations": [str(a) for a in self.activations],
            "max_abs_weight": self.max_abs_weight(),
            "metadata": thaw_json(self.metadata),
        }

    # -- conversion -----------------------------------------------------------------------
    def as_float(self) -> "Recurrent":
        """The float64 network with every exact weight correctly rounded."""
        if not self.is_exact:
            return self
        cached = self._cache.get("float")
        if cached is None:
            cached = Recurrent(float_array(self.lift), tuple(l.as_float() for l in self.layers), float_array(self.readout), self.metadata)
            self._cache["float"] = cached
        return cached

    # -- evaluation -----------------------------------------------------------------------
    def __call__(self, x: Any) -> np.ndarray:
        return self.evaluate(x)

    def evaluate(self, x: Any) -> np.ndarray:
        """Vectorised float64 evaluation: ``(batch, T, d_x) -> (batch, T, d_y)``.

        A 2-D array ``(T, d_x)`` is one sequence (the batch axis is added and kept).
        Raises :class:`NonFiniteError` if a value overflows.
        """
        seqs = _as_sequences(x, self.input_dim)
        n, T, _ = seqs.shape
        out = np.empty((n, T, self.output_dim))
        if n == 0 or T == 0:
            return out
        net = self.as_float()
        chunk = max(1, _CHUNK_ELEMENTS // (T * max(self.width, self.input_dim)))
        for start in range(0, n, chunk):
            out[start : start + chunk] = _forward(net, seqs[start : start + chunk])
        return out

    def evaluate_exact(self, sequences: Any) -> np.ndarray:
        """Exact rational evaluation of a few sequences: ``(n, T, d_x) -> (n, T, d_y)`` Fractions.

        Tokens may be Fractions, ints, ``'p/q'`` strings or floats (taken at their exact
        binary value).  Needs an exact network with exact activations.
        """
        if not self.is_exact:
            raise ExactnessError("evaluate_exact needs an exact network; this one has float64 weights")
        for a in self.activations:
            if not a.is_exact:
                raise ExactnessError(f"activation {a} has no exact rational values; use evaluate()")
        seqs = [[[_exact_point_coord(v) for v in _token(tok, self.input_dim)] for tok in seq] for seq in sequences]
        out = []
        for seq in seqs:
            h = [_matvec(self.lift, tok) for tok in seq]
            for layer in self.layers:
                h = _exact_layer(layer, h)
            out.append([_matvec(self.readout, tok) for tok in h])
        T = max((len(s) for s in seqs), default=0)
        if any(len(s) != T for s in seqs):
            raise DimensionMismatch("evaluate_exact needs sequences of equal length")
        arr = np.empty((len(seqs), T, self.output_dim), dtype=object)
        for i, seq in enumerate(out):
            for t, tok in enumerate(seq):
                arr[i, t, :] = tok
        return arr

    # -- comparison and display -----------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Recurrent):
            return NotImplemented
        return (
            self.is_exact == other.is_exact
            and self.lift.shape == other.lift.shape
            and self.readout.shape == other.readout.shape
            and len(self.layers) == len(other.layers)
            and bool(np.array_equal(self.lift, other.lift))
            and bool(np.array_equal(self.readout, other.readout))
            and all(a == b for a, b in zip(self.layers, other.layers))
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        kind = "BRNN" if self.is_bidirectional else "RNN"
        acts = ", ".join(str(a) for a in self.activations)
        ex = "exact" if self.is_exact else "float64"
        return (
            f"Recurrent[{kind}]({self.input_dim} -> width {self.width} -> {self.output_dim}; depth {self.depth} "
            f"({self.n_recurrent} recurrent); {acts}; {ex})"
        )


def _convert(layer: LayerValue, exact: bool) -> LayerValue:
    if exact:
        raise ExactnessError("a float64 cell cannot join an exact network; pass exact=False")
    return layer.as_float()


def _token(tok: Any, d: int) -> list[Any]:
    vals = list(tok) if isinstance(tok, (list, tuple, np.ndarray)) else [tok]
    if len(vals) != d:
        raise DimensionMismatch(f"token {tok!r} has {len(vals)} coordinates, the network expects {d}")
    return vals


def _as_sequences(x: Any, d: int) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 2 and d == 1 and arr.shape[-1] != 1:
        arr = arr[:, :, None]  # (batch, T) scalar tokens
    elif arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[2] != d:
        raise DimensionMismatch(f"expected sequences of shape (batch, T, {d}), got {np.shape(x)}")
    return arr


def _run_cell(cell: Cell, u: np.ndarray, reverse: bool = False) -> np.ndarray:
    z = u @ cell.input.T
    z += cell.bias
    act = cell.activation
    if not cell.is_recurrent:
        return act.numpy(z)
    at = np.ascontiguousarray(cell.recurrent.T)
    T = z.shape[1]
    order = range(T - 1, -1, -1) if reverse else range(T)
    prev = None
    for t in order:
        zt = z[:, t, :]
        if prev is not None:
            zt += prev @ at
        prev = act.numpy(zt)
        z[:, t, :] = prev
    return z


def _forward(net: Recurrent, x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore", invalid="ignore"):
        h = x @ net.lift.T
        for i, layer in enumerate(net.layers):
            if isinstance(layer, BiLayer):
                hf = _run_cell(layer.forward, h)
                hb = _run_cell(layer.backward, h, reverse=True)
                h = hf @ layer.mix_forward.T + hb @ layer.mix_backward.T
            else:
                h = _run_cell(layer, h)
            if i % 256 == 255 and not np.isfinite(h).all():
                raise NonFiniteError(f"non-finite values after layer {i + 1} (overflow)")
        y = h @ net.readout.T
    if not np.isfinite(y).all():
        raise NonFiniteError("non-finite values in the network output (overflow)")
    return y


def _matvec(m: np.ndarray, v: Sequence[Fraction]) -> list[Fraction]:
    return [sum((m[i, j] * v[j] for j in range(m.shape[1]) if m[i, j]), Fraction(0)) for i in range(m.shape[0])]


def _exact_cell(cell: Cell, u: list[list[Fraction]], reverse: bool = False) -> list[list[Fraction]]:
    act = cell.activation
    T = len(u)
    out: list[list[Fraction]] = [[] for _ in range(T)]
    prev: list[Fraction] | None = None
    rec = cell.is_recurrent
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        z = _matvec(cell.input, u[t])
        if rec and prev is not None:
            z = [a + b for a, b in zip(z, _matvec(cell.recurrent, prev))]
        prev = [act.exact(zi + bi) for zi, bi in zip(z, cell.bias)]
        out[t] = prev
    return out


def _exact_layer(layer: LayerValue, h: list[list[Fraction]]) -> list[list[Fraction]]:
    if isinstance(layer, BiLayer):
        hf = _exact_cell(layer.forward, h)
        hb = _exact_cell(layer.backward, h, reverse=True)
        return [[a + b for a, b in zip(_matvec(layer.mix_forward, f), _matvec(layer.mix_backward, g))] for f, g in zip(hf, hb)]
    return _exact_cell(layer, h)
