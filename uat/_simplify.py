r"""Function-preserving simplification of feed-forward networks.

Three rewrites, repeated until nothing changes:

1. **Merge affine maps.**  A hidden layer with the identity activation is folded into the
   next layer: :math:`W_2(W_1 h + b_1) + b_2 = (W_2 W_1) h + (W_2 b_1 + b_2)`.
2. **Drop dead neurons.**  A neuron with an all-zero incoming row is the constant
   :math:`\sigma(b_j)`; its contribution moves into the next bias.  A neuron whose
   outgoing column is all zero is unused.  Both are removed.
3. **Merge duplicate neurons.**  Two neurons with equal (row, bias) and activation compute
   the same value; their outgoing columns are added.  For positively homogeneous
   activations (relu, leaky_relu) a neuron whose (row, bias) is a positive multiple
   :math:`c` of another's is :math:`c` times it (exact networks only, where the multiple is
   detected without rounding).

On exact networks every rewrite is exact, so the simplified network computes the same
rational function (tests check this at rational points).  On float64 networks the merged
products are rounded once.  Neurons that are dead only on part of the input space are
kept: deciding that needs a domain (see :mod:`verification`).

>>> from uat import FeedForward
>>> net = FeedForward.from_layers([([[1], [1], [0]], [0, 0, 3], "relu"), ([[1, 1, 1]], [0], "identity")])
>>> s = net.simplify()
>>> s.widths, s.evaluate_exact([[2]])[0, 0]
((1,), Fraction(7, 1))
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from .activations import Activation

__all__ = ["simplify"]

_HOMOGENEOUS = {"relu", "leaky_relu", "identity"}


def _const(act: Activation, value: Any, exact: bool) -> Any:
    if exact:
        return act.exact(value)
    return float(act.numpy(np.array([float(value)]))[0])


def _zero_like(arr: np.ndarray, exact: bool, shape: tuple[int, ...]) -> np.ndarray:
    if exact:
        z = np.empty(shape, dtype=object)
        z[...] = Fraction(0)
        flat = z.ravel()
        for i in range(flat.size):
            flat[i] = Fraction(0)
        return flat.reshape(shape)
    return np.zeros(shape, dtype=np.float64)


def _is_zero(v: Any) -> bool:
    return v == 0


def _merge_identity(layers: list[list[Any]]) -> bool:
    changed = False
    i = 0
    while i < len(layers) - 1:
        w1, b1, a1 = layers[i]
        if a1.name == "identity":
            w2, b2, a2 = layers[i + 1]
            layers[i] = [w2 @ w1, w2 @ b1 + b2, a2]
            del layers[i + 1]
            changed = True
        else:
            i += 1
    return changed


def _key(row: np.ndarray, bias: Any, act: Activation, exact: bool) -> tuple[tuple[Any, ...], Any]:
    """Canonical key of a neuron and the positive scale it was divided by."""
    entries = list(row) + [bias]
    scale: Any = 1
    if exact and act.name in _HOMOGENEOUS:
        first = next((e for e in entries if e != 0), None)
        if first is not None:
            scale = abs(first)
    if exact:
        return tuple(e / scale for e in entries), scale
    return tuple(float(e) for e in entries), 1


def _prune(layers: list[list[Any]], exact: bool) -> bool:
    changed = False
    for i in range(len(layers) - 1):
        w, b, act = layers[i]
        wn, bn, an = layers[i + 1]
        if w.shape[0] == 1 and all(_is_zero(v) for v in w[0]) and all(_is_zero(v) for v in wn[:, 0]):
            continue  # already the canonical silent neuron
        wn = wn.copy()
        bn = bn.copy()
        keep: list[int] = []
        seen: dict[tuple[Any, ...], tuple[int, Any]] = {}
        for j in range(w.shape[0]):
            row = w[j]
            col = wn[:, j]
            if all(_is_zero(v) for v in col):
                changed = True
                continue
            if all(_is_zero(v) for v in row):
                c = _const(act.neuron(j), b[j], exact)
                bn = bn + col * c
                changed = True
                continue
            key, scale = _key(row, b[j], act.neuron(j), exact)
            key = (str(act.neuron(j)),) + key
            if key in seen:
                k, kscale = seen[key]
                wn[:, k] = wn[:, k] + col * (scale / kscale)
                changed = True
                continue
            seen[key] = (j, scale)
            keep.append(j)
        if not keep:
            # keep one silent neuron so that the layer is not empty
            keep = [0]
            w = _zero_like(w, exact, (1, w.shape[1]))
            b = _zero_like(b, exact, (1,))
            wn = _zero_like(wn, exact, (wn.shape[0], 1))
            layers[i] = [w, b, act.select([0])]
            layers[i + 1] = [wn, bn, an]
            continue
        layers[i] = [w[keep], b[keep], act.select(keep)]
        layers[i + 1] = [wn[:, keep], bn, an]
    return changed


def simplify(net: Any) -> Any:
    """Return a network computing the same function with merged maps and no dead or duplicate neurons."""
    from .network import FeedForward, Layer

    exact = net.is_exact
    layers: list[list[Any]] = [[l.weight.copy(), l.bias.copy(), l.activation] for l in net.iter_layers()]
    changed = True
    while changed:
        changed = _merge_identity(layers)
        changed = _prune(layers, exact) or changed
    out = []
    for w, b, a in layers:
        w = np.array(w, dtype=object if exact else np.float64)
        b = np.array(b, dtype=object if exact else np.float64)
        w.flags.writeable = False
        b.flags.writeable = False
        out.append(Layer(w, b, a))
    return FeedForward.from_layer_values(out, metadata=net.metadata)
