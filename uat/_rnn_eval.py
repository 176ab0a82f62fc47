"""Evaluation kernels of :class:`uat.recurrent.Recurrent`: float64 (vectorised) and exact (Fractions).

The float kernel keeps the state *channel-major*: one contiguous ``(T, batch)`` array per
channel.  Every linear map is compiled once into sparse rows (source channel, coefficient),
so the identity rows that dominate constructed networks cost a copy, and nothing calls BLAS
on the tiny matrices (whose thread start-up dominates on small, loaded machines).  Dense
maps fall back to ``einsum``.  Batches are processed in cache-sized chunks.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from ._rnn_layers import BiLayer, Cell, LayerValue
from .activations import Activation
from .errors import DimensionMismatch, NonFiniteError

__all__ = ["as_sequences", "forward", "compile_network", "exact_layer", "matvec", "token"]

_CHUNK_TOKENS = 1 << 15  # batch * T per chunk (keeps each channel in cache)
_FINITE_CHECK_EVERY = 256

Rows = tuple  # tuple over output channels of tuple((src, coef), ...)


@dataclass(frozen=True)
class _Linear:
    rows: Rows | None  # sparse rows, or None for the dense fallback
    dense: np.ndarray
    bias: tuple[float, ...]

    def apply(self, u: list[np.ndarray]) -> list[np.ndarray]:
        shape = u[0].shape
        if self.rows is None:
            z = np.einsum("kj,jtn->ktn", self.dense, np.stack(u))
            out = list(z)
            for k, b in enumerate(self.bias):
                if b:
                    out[k] += b
            return out
        out = []
        for k, row in enumerate(self.rows):
            b = self.bias[k]
            if not row:
                out.append(np.full(shape, b))
                continue
            j, c = row[0]
            z = u[j] * c if c != 1.0 else u[j].copy()
            for j, c in row[1:]:
                if c == 1.0:
                    z += u[j]
                else:
                    z += c * u[j]
            if b:
                z += b
            out.append(z)
        return out


def _linear(m: np.ndarray, bias: np.ndarray | None = None) -> _Linear:
    m = np.asarray(m, dtype=np.float64)
    b = tuple(float(v) for v in (np.zeros(m.shape[0]) if bias is None else bias))
    nnz = int(np.count_nonzero(m))
    if nnz > 3 * m.shape[0] and m.shape[1] > 3:
        return _Linear(None, m, b)
    rows = tuple(tuple((int(j), float(m[k, j])) for j in np.nonzero(m[k])[0]) for k in range(m.shape[0]))
    return _Linear(rows, m, b)


@dataclass(frozen=True)
class _CompiledCell:
    inp: _Linear
    rec: Rows | None
    act: Activation
    reverse: bool = False

    def run(self, u: list[np.ndarray]) -> list[np.ndarray]:
        z = self.inp.apply(u)
        act = self.act
        if self.rec is None:
            return [act.numpy(zk) for zk in z]
        T = z[0].shape[0]
        order = range(T - 1, -1, -1) if self.reverse else range(T)
        prev = None
        for t in order:
            if prev is not None:
                for k, row in enumerate(self.rec):
                    zt = z[k][t]
                    for j, c in row:
                        zt += c * z[j][prev] if c != 1.0 else z[j][prev]
            # the recurrent reads above use the activated values of time prev, so activate after all rows
            for k in range(len(z)):
                z[k][t] = act.numpy(z[k][t])
            prev = t
        return z


def _cell(cell: Cell, reverse: bool = False) -> _CompiledCell:
    rec = None
    if cell.is_recurrent:
        a = np.asarray(cell.recurrent, dtype=np.float64)
        rec = tuple(tuple((int(j), float(a[k, j])) for j in np.nonzero(a[k])[0]) for k in range(a.shape[0]))
    return _CompiledCell(_linear(cell.input, cell.bias), rec, cell.activation, reverse)


@dataclass(frozen=True)
class _CompiledBi:
    fwd: _CompiledCell
    bwd: _CompiledCell
    mix_f: _Linear
    mix_b: _Linear

    def run(self, u: list[np.ndarray]) -> list[np.ndarray]:
        a = self.mix_f.apply(self.fwd.run(u))
        b = self.mix_b.apply(self.bwd.run(u))
        return [x + y for x, y in zip(a, b)]


def compile_network(lift: np.ndarray, layers: Sequence[LayerValue], readout: np.ndarray,
                    readout_bias: np.ndarray | None = None) -> tuple:
    """The float kernel's form of a (float64) network: (lift, layers, readout with its bias)."""
    comp = []
    for l in layers:
        if isinstance(l, BiLayer):
            comp.append(_CompiledBi(_cell(l.forward), _cell(l.backward, True), _linear(l.mix_forward), _linear(l.mix_backward)))
        else:
            comp.append(_cell(l))
    return _linear(lift), tuple(comp), _linear(readout, readout_bias)


def _forward_chunk(compiled: tuple, x: np.ndarray) -> np.ndarray:
    lift, layers, readout = compiled
    u = [np.ascontiguousarray(x[:, :, i].T) for i in range(x.shape[2])]  # channel i: (T, batch)
    with np.errstate(over="ignore", invalid="ignore"):
        h = lift.apply(u)
        for i, layer in enumerate(layers):
            h = layer.run(h)
            if i % _FINITE_CHECK_EVERY == _FINITE_CHECK_EVERY - 1 and not all(np.isfinite(c).all() for c in h):
                raise NonFiniteError(f"non-finite values after layer {i + 1} (overflow)")
        y = readout.apply(h)
    out = np.stack([c.T for c in y], axis=2)
    if not np.isfinite(out).all():
        raise NonFiniteError("non-finite values in the network output (overflow)")
    return out


def forward(compiled: tuple, x: np.ndarray, d_y: int) -> np.ndarray:
    n, T, _ = x.shape
    out = np.empty((n, T, d_y))
    if n == 0 or T == 0:
        return out
    step = max(1, _CHUNK_TOKENS // T)
    for s in range(0, n, step):
        out[s : s + step] = _forward_chunk(compiled, x[s : s + step])
    return out


def as_sequences(x: Any, d: int) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 2 and d == 1 and arr.shape[-1] != 1:
        arr = arr[:, :, None]  # (batch, T) scalar tokens
    elif arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[2] != d:
        raise DimensionMismatch(f"expected sequences of shape (batch, T, {d}), got {np.shape(x)}")
    return arr


def token(tok: Any, d: int) -> list[Any]:
    vals = list(tok) if isinstance(tok, (list, tuple, np.ndarray)) else [tok]
    if len(vals) != d:
        raise DimensionMismatch(f"token {tok!r} has {len(vals)} coordinates, the network expects {d}")
    return vals


def matvec(m: np.ndarray, v: Sequence[Fraction]) -> list[Fraction]:
    return [sum((m[i, j] * v[j] for j in range(m.shape[1]) if m[i, j]), Fraction(0)) for i in range(m.shape[0])]


def _exact_cell(cell: Cell, u: list[list[Fraction]], reverse: bool = False) -> list[list[Fraction]]:
    act = cell.activation
    T = len(u)
    out: list[list[Fraction]] = [[] for _ in range(T)]
    prev: list[Fraction] | None = None
    rec = cell.is_recurrent
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        z = matvec(cell.input, u[t])
        if rec and prev is not None:
            z = [a + b for a, b in zip(z, matvec(cell.recurrent, prev))]
        prev = [act.exact(zi + bi) for zi, bi in zip(z, cell.bias)]
        out[t] = prev
    return out


def exact_layer(layer: LayerValue, h: list[list[Fraction]]) -> list[list[Fraction]]:
    """One layer in exact rational arithmetic (h: list over time of token lists)."""
    if isinstance(layer, BiLayer):
        hf = _exact_cell(layer.forward, h)
        hb = _exact_cell(layer.backward, h, reverse=True)
        return [[a + b for a, b in zip(matvec(layer.mix_forward, f), matvec(layer.mix_backward, g))] for f, g in zip(hf, hb)]
    return _exact_cell(layer, h)
