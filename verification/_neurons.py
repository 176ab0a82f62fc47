r"""Per-neuron activations seen by the verifiers: the columns of a layer grouped by activation.

A layer's activation is either one :class:`~uat.activations.Activation` for every neuron or a
per-neuron :class:`~uat._mixed.MixedActivation` (Park et al.'s ReLU+STEP networks, ICLR 2021,
choose the activation neuron by neuron).  Both expose ``distinct`` and ``neuron(j)``; the exact
enumerations (:mod:`verification.pieces`, :mod:`verification.regions`) and the interval bounds
(:mod:`verification._bounds`) apply each neuron's own activation through :func:`column_groups`,
so a mixed layer is handled exactly, neuron by neuron: its relu neurons kink at 0, its step
neurons jump there, its identity neurons do neither.

>>> from uat.activations import parse_activation
>>> mixed = parse_activation("[relu, step, relu]")
>>> [(str(a), idx.tolist()) for a, idx in column_groups(mixed, 3)]
[('relu', [0, 2]), ('step', [1])]
>>> columns_where(mixed, 3, {"step"}).tolist()
[False, True, False]
>>> apply_by_column(mixed, np.array([[-1.0, 0.0, 2.0]]), lambda a, z: a.numpy(z)).tolist()
[[0.0, 1.0, 2.0]]
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np

__all__ = ["column_groups", "columns_where", "apply_by_column", "is_uniform"]


def is_uniform(act: Any) -> bool:
    """True when every neuron of the layer uses the same activation."""
    return len(act.distinct) == 1


@lru_cache(maxsize=1024)
def _groups(act: Any, width: int) -> tuple[tuple[Any, np.ndarray], ...]:
    if is_uniform(act):
        idx = np.arange(width)
        idx.flags.writeable = False
        return ((act.distinct[0], idx),)
    size = getattr(act, "size", width)
    if size != width:
        raise ValueError(f"a per-neuron activation of {size} neurons on a layer of {width} neurons")
    out = []
    for a in act.distinct:
        idx = np.array([j for j in range(width) if act.neuron(j) == a], dtype=np.intp)
        idx.flags.writeable = False
        out.append((a, idx))
    return tuple(out)


def column_groups(act: Any, width: int) -> tuple[tuple[Any, np.ndarray], ...]:
    """``((activation, column indices), ...)``: the layer's neurons grouped by their activation."""
    return _groups(act, int(width))


def columns_where(act: Any, width: int, names: Any) -> np.ndarray:
    """(width,) bool: the neurons whose activation's name is in ``names``."""
    mask = np.zeros(int(width), dtype=bool)
    for a, idx in column_groups(act, width):
        if a.name in names:
            mask[idx] = True
    return mask


def apply_by_column(act: Any, Z: np.ndarray, fn: Callable[[Any, np.ndarray], np.ndarray]) -> np.ndarray:
    """``fn(activation, Z[..., columns])`` for each group, assembled column by column.

    ``fn`` gets and returns arrays of the same shape; the result has ``Z``'s dtype (float64
    or object for Fractions).  A uniform layer is one call with the whole array.
    """
    groups = column_groups(act, Z.shape[-1])
    if len(groups) == 1:
        return fn(groups[0][0], Z)
    out = np.empty(Z.shape, dtype=Z.dtype)
    for a, idx in groups:
        out[..., idx] = fn(a, Z[..., idx])
    return out
