r"""Per-neuron activations: one layer whose neurons use different activation functions.

Park, Yun, Lee and Shin's ReLU+STEP networks (ICLR 2021, the uniform theorem) choose the
activation *per neuron*: a layer may hold ReLU pass-through neurons next to a STEP neuron.
A :class:`MixedActivation` is the tuple of the neurons' activations; it offers the same
evaluation interface as :class:`~uat.activations.Activation`, applied column by column.
Layers whose neurons all share one activation always use the plain
:class:`~uat.activations.Activation` (see :func:`per_neuron`).

Text and JSON form: a list with one entry per neuron, e.g. ``"[relu, relu, step]"`` and
``["relu", "relu", "step"]``.

>>> m = per_neuron(["relu", "step", "relu"])
>>> str(m), m.to_json()
('[relu, step, relu]', ['relu', 'step', 'relu'])
>>> m.numpy(np.array([[-1.0, 0.0, 2.0]])).tolist()
[[0.0, 1.0, 2.0]]
>>> per_neuron(["relu", "relu"])
Activation('relu')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from .activations import Activation
from .errors import ActivationError

__all__ = ["MixedActivation", "per_neuron"]


@dataclass(frozen=True)
class MixedActivation:
    """The activations of the neurons of one layer (at least two distinct ones)."""

    parts: tuple[Activation, ...]
    _groups: tuple[tuple[Activation, np.ndarray], ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = tuple(self.parts)
        if not parts or not all(isinstance(p, Activation) for p in parts):
            raise ActivationError("a per-neuron activation needs a non-empty list of activations")
        if len(set(parts)) < 2:
            raise ActivationError(f"all neurons use {parts[0]}; use that activation for the layer instead")
        object.__setattr__(self, "parts", parts)
        groups = []
        for act in dict.fromkeys(parts):
            idx = np.array([i for i, p in enumerate(parts) if p == act], dtype=np.intp)
            idx.flags.writeable = False
            groups.append((act, idx))
        object.__setattr__(self, "_groups", tuple(groups))

    name = "mixed"
    param = None

    @property
    def size(self) -> int:
        """Number of neurons."""
        return len(self.parts)

    @property
    def distinct(self) -> tuple[Activation, ...]:
        """The distinct activations, in order of first use."""
        return tuple(a for a, _ in self._groups)

    @property
    def is_exact(self) -> bool:
        return all(a.is_exact for a in self.distinct)

    @property
    def is_piecewise_linear(self) -> bool:
        return all(a.is_piecewise_linear for a in self.distinct)

    def neuron(self, j: int) -> Activation:
        """The activation of neuron ``j``."""
        return self.parts[j]

    def select(self, indices: Sequence[int]) -> "Activation | MixedActivation":
        """The activation of the layer restricted to the given neurons."""
        return per_neuron([self.parts[i] for i in indices])

    def numpy(self, z: np.ndarray) -> np.ndarray:
        """Evaluate column by column on a float64 array of shape (n, size)."""
        if z.shape[-1] != self.size:
            raise ActivationError(f"per-neuron activation of {self.size} neurons applied to {z.shape[-1]} values")
        out = np.empty(z.shape, dtype=np.float64)
        for act, idx in self._groups:
            out[..., idx] = act.numpy(np.array(z[..., idx], dtype=np.float64))
        return out

    def exact(self, t: Fraction) -> Fraction:
        raise ActivationError("a per-neuron activation has no single scalar form; use exact_vector")

    def exact_vector(self, ts: Sequence[Fraction]) -> list[Fraction]:
        """Exact values of the neurons at rational pre-activations ``ts``."""
        return [a.exact(t) for a, t in zip(self.parts, ts)]

    def __str__(self) -> str:
        return "[" + ", ".join(str(p) for p in self.parts) + "]"

    def __repr__(self) -> str:
        return f"MixedActivation({str(self)!r})"

    def to_json(self) -> list[Any]:
        return [p.to_json() for p in self.parts]


def per_neuron(acts: Sequence[Any]) -> "Activation | MixedActivation":
    """The layer activation for per-neuron activations: a plain Activation when all agree."""
    from .activations import parse_activation

    parts = tuple(parse_activation(a) for a in acts)
    if not parts:
        raise ActivationError("a per-neuron activation needs at least one neuron")
    if len(set(parts)) == 1:
        return parts[0]
    return MixedActivation(parts)
