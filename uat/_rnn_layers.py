"""Layer values of recurrent networks: :class:`Cell` and :class:`BiLayer` (see :mod:`uat.recurrent`)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Union

import numpy as np

from ._scalars import float_array
from .activations import Activation, parse_activation
from .errors import DimensionMismatch, ExactnessError
from ._layer import _as_matrix, _has_float

__all__ = ["Cell", "BiLayer", "LayerValue", "_matrix"]


def _matrix(values: Any, exact: bool, what: str, ndim: int) -> np.ndarray:
    arr = _as_matrix(values, exact, what)
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
            exact = not _has_float((recurrent, input, bias))
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
