r"""Stages of the :math:`L^p` RNN/BRNN witnesses (``rnn-lp``, ``brnn-lp``): codes, encoder, packing, decoder.

Notation: :math:`n = 2^M` cells per axis, :math:`b = d_x M + 1` bits per token, :math:`\rho = 2^{-b}`.

* :func:`packed_codes` -- the integer codes of every quantised history.  Causal:
  :math:`m = h[t] - 1`, :math:`h[t] = \sum_{j \le t} \rho^{t-j}(E_j + 1)` (token :math:`j` in the
  block at position :math:`t - j`).  Bidirectional: :math:`m = h_f[t] - 1 + \rho^T p[t]` with the
  backward code :math:`p[t] = \sum_{j \ge t} \rho^{j-t}(E_j + 1)`; the forward blocks occupy positions
  :math:`0..t-1 < T` and the backward ones :math:`T..2T-t`, so :math:`(t, k[1..T]) \mapsto m` is
  injective (the gap of empty blocks encodes :math:`t`).  Codes are integers times
  :math:`2^{-L_b}`, :math:`L_b = Tb - 1` (causal) or :math:`2Tb - 1` (bidirectional).
* :func:`encode` -- the token encoder of width :math:`d_x + 1`: per coordinate a sweep moves the
  digit :math:`k_i` into the code channel, :math:`E = \sum_i k_i 2^{-iM}`.  For the whole-space
  witness two *outside* cells (below and above the box) give the code value :math:`F` instead
  of a digit, so an outside token has :math:`E \ge F` (no cancellation: valid codes stay exact).
* :func:`pack` -- the recurrent packing cell(s); with the outside flag an absorbing channel
  :math:`\psi[t] = \mathrm{relu}(\psi[t-1] + E[t] - 1)` (:math:`\ge 1` forever after an outside token,
  since :math:`F = T + 1`; exactly 0 otherwise), clipped to 1, and
  :math:`m = h - 1 + G\psi` (:math:`G = 2` puts every flagged history beyond every code).
* :func:`decode` -- relu.md §3.3-3.4 on the fold: digit-extraction sweeps (cells of width
  :math:`S = M^{d_y-1-t}` around the integers, ramp 1/4) and the raster of :math:`2(M-1)` bends;
  integer codes within 1/4 of their value decode *exactly*, in exact float64 arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import numpy as np

from ._relu_coding import codes as level_codes
from ._relu_coding import raster_bends, raster_radius
from ._rnn_fold_ops import LpProgram

__all__ = ["packed_codes", "encode", "pack", "memorise", "decode", "OutputGrid", "output_grid", "G_FLAG"]

G_FLAG = Fraction(2)


def _digits(count: int, length: int, dx: int, n: int) -> np.ndarray:
    return np.indices((n,) * (length * dx)).reshape(length * dx, -1).T.reshape(-1, length, dx).astype(np.int64)[:count]


def packed_codes(T: int, dx: int, M: int, bidirectional: bool) -> tuple[list[tuple[int, np.ndarray]], list[list[int]], int]:
    """Per group ``(t, digits (N, len, d_x))`` with the integer codes of each row, and ``L_b``.

    Causal groups have ``len = t`` (the prefix); bidirectional groups ``len = T`` (the whole sequence).
    """
    n = 1 << M
    b = dx * M + 1
    Lb = (2 * T if bidirectional else T) * b - 1
    groups, ints = [], []
    for t in range(1, T + 1):
        length = T if bidirectional else t
        k = _digits(n ** (length * dx), length, dx, n)
        e = [sum(int(k[r, j, i]) << ((dx - 1 - i) * M) for i in range(dx)) + (1 << (dx * M)) for r in range(len(k))
             for j in range(length)]
        e = np.array(e, dtype=object).reshape(len(k), length)
        if bidirectional:
            # forward blocks j = 1..t at positions t-j; backward blocks j = t..T at positions T + (j - t)
            pos_f = [(j, t - 1 - j) for j in range(t)]
            pos_b = [(j, T + j - (t - 1)) for j in range(t - 1, T)]
            parts = pos_f + pos_b
        else:
            parts = [(j, t - 1 - j) for j in range(t)]
        code = [sum(int(e[r, j]) << ((2 * T if bidirectional else T) - 1 - pos) * b for j, pos in parts) - (1 << Lb)
                for r in range(len(k))]
        groups.append((t, k))
        ints.append(code)
    return groups, ints, Lb


def encode(prog: LpProgram, dx: int, lo: Sequence[Fraction], hi: Sequence[Fraction], M: int, ramp: Fraction,
           outside: Fraction | None) -> int:
    """Registers 0..d_x-1 (raw coordinates) -> code channel d_x; returns the cells emitted.

    ``ramp`` is the ramp width per cell in normalised units; ``outside = F`` adds the two outside
    cells of the whole-space witness (the inputs are clamped first).
    """
    code = dx
    n = 1 << M
    count = 0
    if outside is not None:
        pad = [(h - l) / 4 for l, h in zip(lo, hi)]
        prog.clamp_all(range(dx), [l - p for l, p in zip(lo, pad)], [h + p for h, p in zip(hi, pad)])
        count += 2
    prog.affine({i: {i: 1 / (hi[i] - lo[i])} for i in range(dx)}, {i: -lo[i] / (hi[i] - lo[i]) for i in range(dx)})
    for i in range(1, dx + 1):
        unit = Fraction(1, 1 << (i * M))
        ends = [Fraction(j + 1, n) - ramp for j in range(n)]
        incs = [-unit] * (n - 1) + [Fraction(0)]
        last = (n - 1) * unit
        if outside is not None:  # cells: below [-, 0), the n digit cells, above [1, -)
            ends = [-ramp] + ends
            incs = [outside] + incs[:-1] + [last - outside]
            last = outside
        prog.affine({code: {code: 1}}, {code: last})
        count += prog.sweep(i - 1, ends, [ramp] * len(ends), {code: incs})
    return count


def pack(prog: LpProgram, code: int, dx: int, M: int, T: int, flagged: bool, bidirectional: bool) -> tuple[int, int]:
    """The packing layer(s); returns ``(m channel, cells emitted)`` with the bounds of ``m`` set."""
    rho = Fraction(1, 1 << (dx * M + 1))
    W = prog.W
    psi = 0 if code != 0 else 1
    h_hi = (Fraction(dx) * (T + 1) + 2) / (1 - rho) if flagged else 2 / (1 - rho)
    if not bidirectional:
        rows = {code: ({code: 1}, Fraction(1))}
        rec = {code: {code: rho}}
        if flagged:
            rows[psi] = ({code: 1}, Fraction(-1))
            rec[psi] = {psi: Fraction(1)}
        prog.recurrent_cell(rows, rec)
        lo_h = Fraction(1)
    else:
        fwd = {code: ({code: 1}, Fraction(1))}
        frec = {code: {code: rho}}
        if flagged:
            fwd[psi] = ({code: 1}, Fraction(-1))
            frec[psi] = {psi: Fraction(1)}
        mix = {code: ({code: Fraction(1)}, {code: rho**T})}
        if flagged:
            mix[psi] = ({psi: Fraction(1)}, {psi: Fraction(1)})
        prog.bidirectional(fwd, frec, fwd, frec, mix)
        lo_h = Fraction(1) + rho**T
        h_hi = h_hi * (1 + rho**T)
    for o in range(W):
        prog.set_bounds(o, 0, 0)
    prog.set_bounds(code, lo_h, h_hi)
    cells = 1
    if flagged:
        prog.set_bounds(psi, 0, Fraction(2 if bidirectional else 1) * T * (dx * (T + 1) + 1))
        prog.clip_affine(psi, "min", {}, Fraction(1))
        cells += 1
        prog.affine({code: {code: 1, psi: G_FLAG}, psi: {}}, {code: Fraction(-1)})
    else:
        prog.affine({code: {code: 1}}, {code: Fraction(-1)})
    return code, cells


def memorise(prog: LpProgram, s: int, codes: np.ndarray, Lb: int, values: dict[int, list[Fraction]],
             collapse: bool = False) -> tuple[int, float]:
    """Sweep over the sorted integer ``codes`` (m = code 2^-Lb): receiver r gets ``values[r][j]`` near code j.

    Flat on [c_j - gap/4, c_j + gap/4]; returns ``(cells emitted, smallest gap)``.  With ``collapse``
    (the whole-space gate reads ``s`` next) a last clip at ``c_last + gap/4`` makes ``s`` the same
    constant for *every* valid code: the sweep skips steps without increments, so trailing equal
    values (and the last code itself) would otherwise leave ``s`` above its lower bound, and the gate
    would pull those outputs toward the zero code.
    """
    scale = Fraction(1, 1 << Lb)
    gaps = np.diff(codes)
    prog.affine({r: {} for r in values}, {r: v[-1] for r, v in values.items()})
    ends = [Fraction(int(codes[j]) * 4 + int(gaps[j]), 4) * scale for j in range(len(codes) - 1)]
    widths = [Fraction(int(gaps[j]), 2) * scale for j in range(len(codes) - 1)]
    incs = {r: [v[j] - v[j + 1] for j in range(len(codes) - 1)] for r, v in values.items()}
    cells = prog.sweep(s, ends, widths, incs)
    if collapse:
        quarter = Fraction(int(gaps.min()) if len(gaps) else 1, 4)
        prog.clip(s, (int(codes[-1]) + quarter) * scale)
        cells += 1
    return cells, (float(gaps.min()) * float(scale) if len(gaps) else 1.0)


@dataclass(frozen=True)
class OutputGrid:
    """Levels ``lo_k + step * m``, ``m = 0..M-1`` (``step`` dyadic, 0 a grid point); code = relu.md §3.2."""

    lo: tuple[Fraction, ...]
    step: Fraction
    M: int

    def levels(self, values: np.ndarray) -> np.ndarray:
        r"""The nearest level :math:`m = \mathrm{rint}((v - lo)/\text{step})`, clipped to ``0..M-1``, of each output value."""
        lo = np.array([float(v) for v in self.lo])
        m = np.rint((values - lo) / float(self.step)).astype(np.int64)
        return np.clip(m, 0, self.M - 1)

    def codes(self, values: np.ndarray) -> list[int]:
        """The integer code of each row's levels (:func:`constructions._relu_coding.codes`), which the decoder reads."""
        return [int(c) for c in level_codes(self.levels(values), self.M)]

    def zero_code(self) -> int:
        """The code of the zero output (what the whole-space gate writes)."""
        return self.codes(np.zeros((1, len(self.lo))))[0]

    @property
    def error(self) -> float:
        """Largest Euclidean quantisation error of an in-range value: sqrt(d_y) step / 2."""
        return math.sqrt(len(self.lo)) * float(self.step) / 2


def output_grid(values: np.ndarray, eps_q: float) -> OutputGrid:
    """The dyadic grid with sqrt(d_y) step/2 <= eps_q covering the values and 0."""
    dy = values.shape[1]
    step = Fraction(2) ** math.floor(math.log2(2 * eps_q / math.sqrt(dy)))
    lo, top = [], 0
    for k in range(dy):
        vmin = min(float(values[:, k].min()), 0.0)
        vmax = max(float(values[:, k].max()), 0.0)
        l_k = Fraction(math.floor(Fraction(vmin) / step)) * step
        lo.append(l_k)
        top = max(top, math.ceil((Fraction(vmax) - l_k) / step))
    return OutputGrid(tuple(lo), step, max(2, top + 1))


def decode(prog: LpProgram, code: int, dy: int, M: int) -> tuple[list[int], int]:
    """Decode the integer code in channel ``code`` (every other channel dead) into d_y levels.

    Returns the channel of each level m_0..m_{d_y-1} and the cells emitted.
    """
    W = prog.W
    count = 0
    if code != 0:
        prog.affine({0: {code: 1}, code: {}})
        lo, hi = prog.lo[0], prog.hi[0]
    else:
        lo, hi = prog.lo[0], prog.hi[0]
    where: list[int] = []
    for t in range(dy - 2):
        S = M ** (dy - 1 - t)
        prog.affine({1: {0: 1}, 2: {}}, {1: -(M - 1) * S, 2: Fraction(M - 1)})
        inc = {1: [Fraction(S)] * (M - 1) + [Fraction(0)], 2: [Fraction(-1)] * (M - 1) + [Fraction(0)]}
        ends = [Fraction(-1, 2) + (j + 1) * S - Fraction(1, 4) for j in range(M)]
        count += prog.sweep(0, ends, [Fraction(1, 4)] * M, inc)
        # tight bounds (relu.md §2.3: every gain is a convex combination of two consecutive tail sums)
        lo, hi = min(lo, Fraction(-1)), max(Fraction(S), hi - (M - 1) * S)
        prog.set_bounds(1, lo, hi)
        prog.set_bounds(2, 0, M - 1)
        park = W - 1 - t
        prog.affine({park: {2: 1}, 2: {}, 0: {1: 1}, 1: {}} if park != 2 else {0: {1: 1}, 1: {}})
        where.append(park)
    prog.affine({1: {}})
    R = raster_radius(M)
    for alpha, beta, qv, _u in raster_bends(M):
        prog.bend(0, 1, alpha, beta, qv, R)
        count += 1
    return where + [0, 1], count
