r"""The deep recurrent network value (deep RNN and bidirectional RNN).

A :class:`Recurrent` network maps a sequence :math:`x[1..T] \in \mathbb R^{d_x}` to a
sequence :math:`y[1..T] \in \mathbb R^{d_y}` (Song, Hwang, Lee, Kang, JMLR 24(121), 2023, §3):

.. math::

    h_0[t] = P\,x[t], \qquad
    h_l[t] = \sigma_l\big(A_l h_l[t-1] + B_l h_{l-1}[t] + \theta_l\big),\quad h_l[0] = 0,
    \qquad y[t] = Q\,h_L[t] + q.

``P`` (the *lift*) is a token-wise linear map and ``Q`` (the *readout*) a token-wise linear
map with an optional bias ``q`` (``readout_bias``; absent means zero).  The affine readout is
what a feed-forward network's last layer is (with ``T = 1`` the network is an MLP): with a
purely linear readout the outputs of width-:math:`d_y` ReLU states would lie in a pointed cone
(:math:`Q\,\mathbb R^{d_y}_{\ge 0}`), so the width-:math:`d_y` :math:`L^p` decoder needs it; each
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
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import numpy as np

from ._rnn_eval import as_sequences, compile_network, exact_layer, forward, matvec, token
from ._rnn_layers import BiLayer, Cell, LayerValue, _matrix
from ._scalars import float_array
from .activations import Activation
from .errors import DimensionMismatch, ExactnessError
from ._metadata import freeze_metadata, frozen_field, thaw_json, updated_metadata
from .network import _exact_point_coord, _has_float

__all__ = ["Cell", "BiLayer", "Recurrent"]


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
    readout_bias: np.ndarray | None = None

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
        qb = self.readout_bias
        if qb is not None:
            if not isinstance(qb, np.ndarray) or qb.shape != (q.shape[0],):
                raise DimensionMismatch(f"readout bias must be a 1-D array of {q.shape[0]} values, got shape {np.shape(qb)}")
            if (qb.dtype == object) != exact:
                raise ExactnessError("readout bias and readout mix exact and float arrays")
            if not np.any(qb != 0):
                object.__setattr__(self, "readout_bias", None)  # zero bias is no bias (one canonical form)
        object.__setattr__(self, "metadata", frozen_field(self.metadata))

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
        readout_bias: Any = None,
    ) -> "Recurrent":
        """Build from nested lists: ``cells`` holds ``(A or None, B, theta, activation)`` tuples,
        :class:`Cell` or :class:`BiLayer` values.  ``exact=None`` infers exactness (no floats -> exact).
        ``readout_bias`` is the optional bias ``q`` of the readout.
        """
        items = list(cells)
        if exact is None:
            exact = not (_has_float(lift) or _has_float(readout) or _has_float(readout_bias) or any(
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
        qb = None if readout_bias is None else _matrix(readout_bias, exact, "readout bias", 1)
        return cls(p, tuple(built), q, freeze_metadata(metadata), readout_bias=qb)

    def with_metadata(self, **updates: Any) -> "Recurrent":
        """A copy with metadata entries added or replaced."""
        return Recurrent(self.lift, self.layers, self.readout, updated_metadata(self.metadata, updates),
                         readout_bias=self.readout_bias)

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
        nb = 0 if self.readout_bias is None else self.readout_bias.size
        return int(self.lift.size + self.readout.size + nb + sum(l.n_params for l in self.layers))

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
        if net.readout_bias is not None:
            m = max(m, float(np.max(np.abs(net.readout_bias))))
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
            qb = None if self.readout_bias is None else float_array(self.readout_bias)
            cached = Recurrent(float_array(self.lift), tuple(l.as_float() for l in self.layers), float_array(self.readout),
                               self.metadata, readout_bias=qb)
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
        seqs = as_sequences(x, self.input_dim)
        compiled = self._cache.get("compiled")
        if compiled is None:
            net = self.as_float()
            compiled = compile_network(net.lift, net.layers, net.readout, net.readout_bias)
            self._cache["compiled"] = compiled
        return forward(compiled, seqs, self.output_dim)

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
        seqs = [[[_exact_point_coord(v) for v in token(tok, self.input_dim)] for tok in seq] for seq in sequences]
        out = []
        for seq in seqs:
            h = [matvec(self.lift, tok) for tok in seq]
            for layer in self.layers:
                h = exact_layer(layer, h)
            qb = self.readout_bias
            out.append([matvec(self.readout, tok) if qb is None else [a + b for a, b in zip(matvec(self.readout, tok), qb)]
                        for tok in h])
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
            and (self.readout_bias is None) == (other.readout_bias is None)
            and (self.readout_bias is None or bool(np.array_equal(self.readout_bias, other.readout_bias)))
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
