"""Layers and the packed storage of feed-forward networks (internal to :mod:`uat.network`).

A :class:`Layer` is one map ``h -> activation(weight @ h + bias)``.  A network stores runs of
consecutive layers with equal shape and activation as one stacked :class:`_Block`
(``W`` of shape ``(L, out, in)``), so very deep networks stay compact; :func:`_forward`
evaluates the blocks in float64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from ._scalars import exact_array, float_array, to_fraction
from .activations import IDENTITY, Activation, parse_activation
from .errors import DimensionMismatch, ExactnessError, NonFiniteError

__all__ = ["Layer"]

# Memory bound for float evaluation: points per chunk * width * 8 bytes stays below this.
_CHUNK_BYTES = 1 << 26
# How often (in layers) the float evaluator checks for overflow.
_FINITE_CHECK_EVERY = 256


def _has_float(values: Any) -> bool:
    if isinstance(values, np.ndarray):
        if values.dtype == object:
            return any(_has_float(v) for v in values.ravel())
        return not np.issubdtype(values.dtype, np.integer)
    if isinstance(values, (list, tuple)):
        return any(_has_float(v) for v in values)
    return isinstance(values, (float, np.floating))


def _as_matrix(values: Any, exact: bool, what: str) -> np.ndarray:
    """A read-only array of Fractions (``exact``) or of float64 (``what`` names it in errors)."""
    return exact_array(values) if exact else float_array(values, what=what)


@dataclass(frozen=True, eq=False, slots=True)
class Layer:
    """One layer ``h -> activation(weight @ h + bias)``.

    Parameters
    ----------
    weight : array of shape (out, in)
        float64, or an object array of Fractions for exact layers.
    bias : array of shape (out,)
    activation : Activation
    """

    weight: np.ndarray
    bias: np.ndarray
    activation: Activation = IDENTITY

    def __post_init__(self) -> None:
        w, b = self.weight, self.bias
        if not isinstance(w, np.ndarray) or not isinstance(b, np.ndarray):
            raise DimensionMismatch("Layer needs numpy arrays; use Layer.create(...) for lists")
        if w.ndim != 2 or w.shape[0] == 0 or w.shape[1] == 0:
            raise DimensionMismatch(f"layer weight must be a non-empty 2-D matrix, got shape {w.shape}")
        if b.shape != (w.shape[0],):
            raise DimensionMismatch(f"layer bias has shape {b.shape}, expected ({w.shape[0]},) to match weight {w.shape}")
        if (w.dtype == object) != (b.dtype == object):
            raise ExactnessError("layer mixes exact and float arrays; convert both with as_float() or make both exact")
        if not isinstance(self.activation, Activation):
            object.__setattr__(self, "activation", parse_activation(self.activation))
        size = getattr(self.activation, "size", None)
        if size is not None and size != w.shape[0]:
            raise DimensionMismatch(
                f"the per-neuron activation lists {size} neurons but the layer has {w.shape[0]}"
            )

    @classmethod
    def create(cls, weight: Any, bias: Any, activation: Any = IDENTITY, *, exact: bool | None = None) -> "Layer":
        """Build a layer from nested lists; ``exact=None`` infers exactness (no floats -> exact)."""
        if exact is None:
            exact = not _has_float((weight, bias))
        w = _as_matrix(weight, exact, "weight")
        if w.ndim == 1:
            raise DimensionMismatch(f"layer weight must be 2-D (out, in), got a 1-D array of length {w.shape[0]}")
        b = _as_matrix(bias, exact, "bias")
        return cls(w, b, parse_activation(activation))

    @property
    def in_dim(self) -> int:
        return int(self.weight.shape[1])

    @property
    def out_dim(self) -> int:
        return int(self.weight.shape[0])

    @property
    def is_exact(self) -> bool:
        return self.weight.dtype == object

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Layer):
            return NotImplemented
        return (
            self.activation == other.activation
            and self.is_exact == other.is_exact
            and self.weight.shape == other.weight.shape
            and bool(np.array_equal(self.weight, other.weight))
            and bool(np.array_equal(self.bias, other.bias))
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, eq=False, slots=True)
class _Block:
    """A run of consecutive layers with equal shape and activation: W (L, out, in), b (L, out)."""

    weights: np.ndarray
    biases: np.ndarray
    activation: Activation

    @property
    def count(self) -> int:
        return int(self.weights.shape[0])


def _pack(layers: Sequence[Layer]) -> tuple[_Block, ...]:
    blocks: list[_Block] = []
    run: list[Layer] = []

    def flush() -> None:
        if not run:
            return
        ws = np.stack([l.weight for l in run])
        bs = np.stack([l.bias for l in run])
        ws.flags.writeable = False
        bs.flags.writeable = False
        blocks.append(_Block(ws, bs, run[0].activation))
        run.clear()

    for layer in layers:
        if run and (layer.weight.shape != run[0].weight.shape or layer.activation != run[0].activation):
            flush()
        run.append(layer)
    flush()
    return tuple(blocks)


def _has_fraction(triple: Sequence[Any]) -> bool:
    def walk(v: Any) -> bool:
        if isinstance(v, np.ndarray):
            return v.dtype == object and any(isinstance(e, (Fraction, str)) for e in v.ravel())
        if isinstance(v, (list, tuple)):
            return any(walk(e) for e in v)
        return isinstance(v, (Fraction, str))

    return walk(triple[0]) or walk(triple[1])


def _exact_point_coord(v: Any) -> Fraction:
    if isinstance(v, (float, np.floating)):
        if not math.isfinite(float(v)):
            raise NonFiniteError(f"point coordinate {v!r} is not finite")
        return Fraction(float(v))
    return to_fraction(v)


def _as_points(x: Any, d: int) -> np.ndarray:
    pts = np.asarray(x, dtype=np.float64)
    if pts.ndim == 1:
        if d == 1:
            pts = pts[:, None]
        elif pts.shape[0] == d:
            pts = pts[None, :]
    if pts.ndim != 2 or pts.shape[1] != d:
        raise DimensionMismatch(f"expected points of shape (n, {d}), got {np.shape(x)}")
    return pts


def _forward(blocks: Sequence[_Block], h: np.ndarray) -> np.ndarray:
    layer_index = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for b in blocks:
            act = b.activation
            wt = np.swapaxes(b.weights, 1, 2)  # (L, in, out) views
            for i in range(b.count):
                z = h @ wt[i]
                z += b.biases[i]
                h = act.numpy(z)
                layer_index += 1
                if layer_index % _FINITE_CHECK_EVERY == 0 and not np.isfinite(h).all():
                    raise NonFiniteError(f"non-finite values after layer {layer_index} (overflow)")
    if not np.isfinite(h).all():
        raise NonFiniteError(f"non-finite values in the network output (overflow by layer {layer_index})")
    return h
