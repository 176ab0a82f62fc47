r"""The feed-forward network value.

A :class:`FeedForward` network is a sequence of layers

.. math::  h_0 = x, \qquad h_l = \sigma_l(W_l h_{l-1} + b_l), \quad l = 1..L, \qquad N(x) = h_L,

where the last layer normally has the identity activation.  Its *width* is the largest
hidden-layer size :math:`\max_{l<L} \dim h_l` (input and output layers do not count), the
quantity bounded by the minimum-width theorems; its *depth* is the number of affine maps
:math:`L`.

Weights are either all exact rationals (``Fraction`` in numpy object arrays) or all float64
(see :mod:`uat._scalars`).  Consecutive layers of equal shape and activation are packed
into one stacked array, so networks with :math:`10^6` layers stay compact.

>>> net = FeedForward.from_layers([([[1], [-1]], [0, 0], "relu"), ([[1, 1]], [0], "identity")])
>>> net.widths, net.width, net.depth, net.n_params, net.is_exact
((2,), 2, 2, 7, True)
>>> net(np.array([[-0.5], [2.0]]))          # |x|
array([[0.5],
       [2. ]])
>>> net.evaluate_exact([["-1/3"]])
array([[Fraction(1, 3)]], dtype=object)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Iterable, Iterator, Mapping, Sequence

import numpy as np

from ._layer import (  # noqa: F401  (re-exported for modules that import them from here)
    _CHUNK_BYTES,
    Layer,
    _as_points,
    _Block,
    _exact_point_coord,
    _forward,
    _has_float,
    _has_fraction,
    _pack,
)
from ._metadata import freeze_metadata, frozen_field, thaw_json, updated_metadata
from ._scalars import float_array
from .activations import IDENTITY, Activation, parse_activation
from .errors import DimensionMismatch, ExactnessError, NonFiniteError

__all__ = ["Layer", "FeedForward", "compose"]

@dataclass(frozen=True, eq=False)
class FeedForward:
    """An immutable feed-forward network (see the module docstring for the semantics).

    Build it with :meth:`from_layers` (nested lists, exactness inferred) or from
    :class:`Layer` values.  ``metadata`` is a JSON-like mapping carried along (e.g. the
    construction and theorem of a witness); it does not take part in equality.
    """

    blocks: tuple[_Block, ...]
    metadata: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.blocks:
            raise DimensionMismatch("a network needs at least one layer")
        exact = self.blocks[0].weights.dtype == object
        prev_out = None
        for i, blk in enumerate(self.blocks):
            if (blk.weights.dtype == object) != exact:
                raise ExactnessError(
                    "network mixes exact and float layers; convert the exact part with as_float() first"
                )
            if prev_out is not None and blk.weights.shape[2] != prev_out:
                raise DimensionMismatch(
                    f"layer sizes do not chain: a layer with output size {prev_out} is followed by one "
                    f"expecting input size {blk.weights.shape[2]}"
                )
            if blk.count > 1 and blk.weights.shape[1] != blk.weights.shape[2]:
                raise DimensionMismatch("stacked block layers must be square")
            prev_out = blk.weights.shape[1]
        object.__setattr__(self, "metadata", frozen_field(self.metadata))

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_layers(
        cls,
        layers: Iterable[Layer | Sequence[Any]],
        *,
        exact: bool | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> "FeedForward":
        """Build a network from Layers or ``(weight, bias, activation)`` triples.

        With ``exact=None`` the network is exact when no entry is a float, and float64
        otherwise; mixing floats with Fractions raises :class:`ExactnessError`.
        """
        items = list(layers)
        if not items:
            raise DimensionMismatch("a network needs at least one layer")
        if exact is None and not all(isinstance(l, Layer) for l in items):
            has_float = any(
                (l.weight.dtype != object) if isinstance(l, Layer) else (_has_float(l[0]) or _has_float(l[1]))
                for l in items
            )
            has_exact = any(
                isinstance(l, Layer) and l.is_exact
                or (not isinstance(l, Layer) and _has_fraction(l))
                for l in items
            )
            if has_float and has_exact:
                raise ExactnessError(
                    "layers mix floats with exact rationals; pass exact=False to convert everything to float64, "
                    "or give every entry as an int, Fraction or 'p/q' string"
                )
            exact = not has_float
        built: list[Layer] = []
        for i, l in enumerate(items):
            if isinstance(l, Layer):
                if exact is not None and l.is_exact != exact:
                    if exact:
                        raise ExactnessError(f"layer {i} is float64 but exact=True was requested")
                    l = Layer(float_array(l.weight), float_array(l.bias), l.activation)
                built.append(l)
            else:
                if len(l) == 2:
                    w, b = l
                    act: Any = IDENTITY
                elif len(l) == 3:
                    w, b, act = l
                else:
                    raise DimensionMismatch(f"layer {i} must be (weight, bias) or (weight, bias, activation)")
                built.append(Layer.create(w, b, act, exact=exact))
        return cls.from_layer_values(built, metadata=metadata)

    @classmethod
    def from_layer_values(cls, layers: Sequence[Layer], *, metadata: Mapping[str, Any] | None = None) -> "FeedForward":
        """Build from :class:`Layer` values, checking that sizes chain."""
        for i in range(1, len(layers)):
            if layers[i].in_dim != layers[i - 1].out_dim:
                raise DimensionMismatch(
                    f"layer sizes do not chain: layer {i - 1} outputs {layers[i - 1].out_dim} values "
                    f"but layer {i} expects {layers[i].in_dim}"
                )
        return cls(_pack(layers), freeze_metadata(metadata))

    @classmethod
    def from_arrays(
        cls,
        weights: Sequence[np.ndarray],
        biases: Sequence[np.ndarray],
        activations: Sequence[Any],
        *,
        metadata: Mapping[str, Any] | None = None,
    ) -> "FeedForward":
        """Fast path for builders: float64 arrays or object arrays of Fraction, validated per block.

        Consecutive layers of equal shape and activation are stacked with one numpy call and
        validated at once (finiteness for float64, Fractions only for exact arrays), so networks
        with :math:`10^6` layers build in seconds.
        """
        n = len(weights)
        if not (n == len(biases) == len(activations)):
            raise DimensionMismatch("weights, biases and activations must have the same length")
        if n == 0:
            raise DimensionMismatch("a network needs at least one layer")
        parsed: dict[Any, Any] = {}
        acts = []
        for a in activations:
            key = a if isinstance(a, (str, Activation)) else id(a)
            if key not in parsed:
                parsed[key] = parse_activation(a)
            acts.append(parsed[key])
        blocks: list[_Block] = []
        i = 0
        while i < n:
            w0 = np.asarray(weights[i])
            exact = w0.dtype == object
            j = i + 1
            while (
                j < n
                and np.shape(weights[j]) == w0.shape
                and acts[j] == acts[i]
                and (np.asarray(weights[j]).dtype == object) == exact
            ):
                j += 1
            W = np.stack([np.asarray(w, dtype=object if exact else np.float64) for w in weights[i:j]])
            B = np.stack([np.asarray(b, dtype=object if exact else np.float64) for b in biases[i:j]])
            if W.ndim != 3 or W.shape[1] == 0 or W.shape[2] == 0:
                raise DimensionMismatch(f"layer {i} weight must be a non-empty 2-D matrix, got shape {w0.shape}")
            if B.shape != W.shape[:2]:
                raise DimensionMismatch(f"layers {i}..{j - 1}: biases have shape {B.shape[1:]}, expected ({W.shape[1]},)")
            if exact:
                bad = next((v for v in W.ravel() if not isinstance(v, Fraction)), None)
                bad = bad if bad is not None else next((v for v in B.ravel() if not isinstance(v, Fraction)), None)
                if bad is not None:
                    raise ExactnessError(f"layers {i}..{j - 1}: exact arrays must hold Fractions, got {type(bad).__name__} {bad!r}")
            elif not (np.isfinite(W).all() and np.isfinite(B).all()):
                raise NonFiniteError(f"layers {i}..{j - 1} have a non-finite weight or bias")
            size = getattr(acts[i], "size", None)
            if size is not None and size != W.shape[1]:
                raise DimensionMismatch(f"layer {i}: the per-neuron activation lists {size} neurons but the layer has {W.shape[1]}")
            if j - i > 1 and W.shape[1] != W.shape[2]:
                raise DimensionMismatch(f"layer sizes do not chain: layer {i} maps {W.shape[2]} to {W.shape[1]} values and is followed by a layer of the same shape")
            W.flags.writeable = False
            B.flags.writeable = False
            blocks.append(_Block(W, B, acts[i]))
            i = j
        return cls(tuple(blocks), freeze_metadata(metadata))

    def with_metadata(self, **updates: Any) -> "FeedForward":
        """A copy with metadata entries added or replaced."""
        return FeedForward(self.blocks, updated_metadata(self.metadata, updates))

    # -- descriptors ----------------------------------------------------------------------
    @property
    def input_dim(self) -> int:
        return int(self.blocks[0].weights.shape[2])

    @property
    def output_dim(self) -> int:
        return int(self.blocks[-1].weights.shape[1])

    @property
    def depth(self) -> int:
        """Number of affine maps (layers), including the output layer."""
        return sum(b.count for b in self.blocks)

    @property
    def widths(self) -> tuple[int, ...]:
        """Sizes of the hidden layers (all layers but the last)."""
        out: list[int] = []
        for b in self.blocks:
            out.extend([int(b.weights.shape[1])] * b.count)
        return tuple(out[:-1])

    @property
    def width(self) -> int:
        """The largest hidden-layer size (0 for a single affine map)."""
        widths = [int(b.weights.shape[1]) for b in self.blocks]
        counts = [b.count for b in self.blocks]
        # exclude the last layer
        if counts[-1] == 1:
            widths, counts = widths[:-1], counts[:-1]
        return max(widths, default=0)

    @property
    def n_params(self) -> int:
        return sum(b.count * (b.weights.shape[1] * b.weights.shape[2] + b.weights.shape[1]) for b in self.blocks)

    @property
    def is_exact(self) -> bool:
        """True when every weight and bias is an exact Fraction."""
        return self.blocks[0].weights.dtype == object

    @property
    def activations(self) -> tuple[Activation, ...]:
        """Distinct activations in order of first use (hidden and output layers).

        Per-neuron activations contribute each of their distinct activations.
        """
        seen: list[Activation] = []
        for b in self.blocks:
            for a in b.activation.distinct:
                if a not in seen:
                    seen.append(a)
        return tuple(seen)

    @property
    def hidden_activations(self) -> tuple[Activation, ...]:
        """Distinct activations of the hidden layers (all layers but the last)."""
        seen: list[Activation] = []
        for i, b in enumerate(self.blocks):
            hidden = b.count - 1 if i == len(self.blocks) - 1 else b.count
            for a in b.activation.distinct if hidden > 0 else ():
                if a not in seen:
                    seen.append(a)
        return tuple(seen)

    def activation_profile(self) -> tuple[tuple[Activation, int], ...]:
        """Run-length form of the per-layer activations: ((activation, count), ...)."""
        runs: list[list[Any]] = []
        for b in self.blocks:
            if runs and runs[-1][0] == b.activation:
                runs[-1][1] += b.count
            else:
                runs.append([b.activation, b.count])
        return tuple((a, c) for a, c in runs)

    def width_profile(self) -> tuple[tuple[int, int], ...]:
        """Run-length form of the hidden widths: ((width, count), ...)."""
        runs: list[list[int]] = []
        for w in self.widths:
            if runs and runs[-1][0] == w:
                runs[-1][1] += 1
            else:
                runs.append([w, 1])
        return tuple((w, c) for w, c in runs)

    @property
    def layers(self) -> tuple[Layer, ...]:
        """The layers as :class:`Layer` values (views into the packed arrays)."""
        cached = self._cache.get("layers")
        if cached is None:
            cached = tuple(self.iter_layers())
            self._cache["layers"] = cached
        return cached

    def iter_layers(self) -> Iterator[Layer]:
        for b in self.blocks:
            for i in range(b.count):
                yield Layer(b.weights[i], b.biases[i], b.activation)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready description: dims, width profile, depth, parameters, activations, metadata."""
        return {
            "kind": "feed-forward",
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "width": self.width,
            "widths": list(self.widths),
            "width_profile": [[w, c] for w, c in self.width_profile()],
            "depth": self.depth,
            "n_params": self.n_params,
            "exact": self.is_exact,
            "activations": [str(a) for a in self.activations],
            "activation_profile": [[str(a), c] for a, c in self.activation_profile()],
            "max_abs_weight": self.max_abs_weight(),
            "metadata": thaw_json(self.metadata),
        }

    def max_abs_weight(self) -> float:
        """Largest absolute weight or bias (as a float)."""
        m = 0.0
        for b in self._float_blocks():
            m = max(m, float(np.max(np.abs(b.weights))), float(np.max(np.abs(b.biases))))
        return m

    # -- conversion -----------------------------------------------------------------------
    def _float_blocks(self) -> tuple[_Block, ...]:
        fb = self._cache.get("float_blocks")
        if fb is None:
            if self.is_exact:
                fb = tuple(
                    _Block(float_array(b.weights, what="weight"), float_array(b.biases, what="bias"), b.activation)
                    for b in self.blocks
                )
            else:
                fb = self.blocks
            self._cache["float_blocks"] = fb
        return fb

    def as_float(self) -> "FeedForward":
        """The float64 network with every exact weight correctly rounded (explicit conversion)."""
        return FeedForward(self._float_blocks(), self.metadata)

    # -- evaluation -----------------------------------------------------------------------
    def __call__(self, x: Any) -> np.ndarray:
        return self.evaluate(x)

    def evaluate(self, x: Any, *, chunk_size: int | None = None) -> np.ndarray:
        """Vectorised float64 evaluation of a batch: ``(n, d_x) -> (n, d_y)``.

        Points are processed in chunks so that memory stays bounded.  Raises
        :class:`NonFiniteError` (naming the layer) if a value overflows.
        """
        pts = _as_points(x, self.input_dim)
        n = pts.shape[0]
        wmax = max([self.input_dim] + [int(b.weights.shape[1]) for b in self.blocks])
        if chunk_size is None:
            # Small matrix products per layer: OpenBLAS stays single-threaded below ~2^17
            # multiply-adds, and threads fighting over two cores were measured 20x slower.
            chunk_size = int(min(_CHUNK_BYTES // (8 * wmax), max(4096, (1 << 17) // (wmax * wmax))))
        out = np.empty((n, self.output_dim), dtype=np.float64)
        blocks = self._float_blocks()
        for start in range(0, n, chunk_size):
            out[start : start + chunk_size] = _forward(blocks, pts[start : start + chunk_size])
        return out

    def evaluate_exact(self, points: Any) -> np.ndarray:
        """Exact evaluation in rational arithmetic at a few points: ``(n, d_x) -> (n, d_y)`` Fractions.

        Points may be Fractions, ints, 'p/q' strings, or floats (taken at their exact binary value).
        Requires an exact network with exact activations.
        """
        if not self.is_exact:
            raise ExactnessError("evaluate_exact needs an exact network; this one has float64 weights")
        rows = [list(p) if isinstance(p, (list, tuple, np.ndarray)) else [p] for p in points]
        out = []
        for r in rows:
            if len(r) != self.input_dim:
                raise DimensionMismatch(f"point {r!r} has {len(r)} coordinates, the network expects {self.input_dim}")
            h = [_exact_point_coord(v) for v in r]
            for layer in self.iter_layers():
                act = layer.activation
                w, b = layer.weight, layer.bias
                z = [sum((w[i, j] * h[j] for j in range(len(h)) if w[i, j]), b[i]) for i in range(w.shape[0])]
                h = act.exact_vector(z)
            out.append(h)
        return np.array(out, dtype=object).reshape(len(rows), self.output_dim)

    # -- algebra --------------------------------------------------------------------------
    def __matmul__(self, other: "FeedForward") -> "FeedForward":
        """``outer @ inner`` is the composition ``x -> outer(inner(x))``."""
        if not isinstance(other, FeedForward):
            return NotImplemented
        return compose(self, other)

    def simplify(self) -> "FeedForward":
        """Same function, fewer parameters: see :func:`uat._simplify.simplify`."""
        from ._simplify import simplify

        return simplify(self)

    # -- comparison and display -----------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FeedForward):
            return NotImplemented
        if self.is_exact != other.is_exact or self.depth != other.depth:
            return False
        return all(a == b for a, b in zip(self.iter_layers(), other.iter_layers()))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        prof = self.width_profile()
        if len(prof) <= 4:
            hidden = ", ".join(f"{w}" if c == 1 else f"{w}x{c}" for w, c in prof)
        else:
            hidden = f"width {self.width}"
        acts = ", ".join(str(a) for a in self.activations)  # per-neuron layers list their parts
        kind = "exact" if self.is_exact else "float64"
        return f"FeedForward({self.input_dim} -> [{hidden}] -> {self.output_dim}; depth {self.depth}; {acts}; {kind})"


def compose(outer: FeedForward, inner: FeedForward) -> FeedForward:
    """The network ``x -> outer(inner(x))``: the layers of ``inner`` followed by those of ``outer``.

    The last layer of ``inner`` becomes a hidden layer (with its activation, normally the
    identity); call :meth:`FeedForward.simplify` to merge the two affine maps there.
    """
    if inner.output_dim != outer.input_dim:
        raise DimensionMismatch(
            f"cannot compose: the inner network outputs {inner.output_dim} values, the outer expects {outer.input_dim}"
        )
    if inner.is_exact != outer.is_exact:
        raise ExactnessError("cannot compose an exact network with a float64 one; call as_float() on the exact one")
    return FeedForward.from_layer_values(list(inner.iter_layers()) + list(outer.iter_layers()))
