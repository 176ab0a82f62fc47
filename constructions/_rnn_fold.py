r"""A *folded* ReLU cell emitter: logical values :math:`z = A h + c` of the stored states ``h``.

Used by the :math:`L^p` RNN construction.  Stored channels stay non-negative, so ReLU never
clips a pass-through channel; the constant shifts that make this true (pass-through biases)
and every recovery map are kept in the fold :math:`(A, c)`, absorbed exactly into the next
cell (:math:`B = P A`, :math:`\theta = P c + q`).  Interval bounds of every logical
coordinate give the pass-through biases.  Operations (after the ReLU reference, §2):

* :meth:`affine`  -- a free affine map of the logical state (no cell);
* :meth:`clip`    -- :math:`s \leftarrow \max(s, e)` (one cell);
* :meth:`shift`   -- :math:`(s, r_i) \leftarrow (\max(s, e'), r_i + \lambda_i\,\mathrm{relu}(e' - s))` (one cell);
* :meth:`sweep`   -- collapse-and-shift over cells: a receiver gets the prescribed value of
  the cell that :math:`s` lies in (exact on the good part of each cell);
Pass-through biases are the integers :math:`1 - \lfloor lo \rfloor`, so the integer-valued
decoder stages (digit sweeps, bends) run in exact float64 arithmetic.

All coefficients are exact Fractions; :attr:`rounding` accumulates a bound on the float64
rounding error of each receiver's stored value (from the largest magnitudes each cell adds).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable, Mapping, Sequence

import numpy as np

from uat.recurrent import Cell

__all__ = ["FoldProgram", "_floor", "_zeros", "_MARGIN", "_U"]

_MARGIN = Fraction(1)
_U = 2.0**-53  # unit roundoff of float64


def _floor(v: Fraction) -> Fraction:
    return Fraction(v.numerator // v.denominator)


def _zeros(rows: int, cols: int) -> np.ndarray:
    m = np.empty((rows, cols), dtype=object)
    m[...] = Fraction(0)
    return m


class FoldProgram:
    """Mutable builder (internal): width ``W``, logical state ``z = A h + c`` with bounds."""

    def __init__(self, W: int, lo: Sequence[Fraction], hi: Sequence[Fraction]) -> None:
        self.W = W
        self.A = _zeros(W, W)
        for i in range(W):
            self.A[i, i] = Fraction(1)
        self.c = [Fraction(0)] * W
        self.lo = [Fraction(v) for v in lo]
        self.hi = [Fraction(v) for v in hi]
        self.cells: list[Cell] = []
        self.rounding = [0.0] * W  # bound on the absolute float error of each logical coordinate

    # -- bookkeeping -----------------------------------------------------------------------
    def affine(self, M: Mapping[int, Mapping[int, Fraction]], v: Mapping[int, Fraction] | None = None) -> None:
        """Logical map z_k <- sum_j M[k][j] z_j + v_k for the listed k (others unchanged; free)."""
        v = dict(v or {})
        A, c = self.A.copy(), list(self.c)
        lo, hi, rd = list(self.lo), list(self.hi), list(self.rounding)
        for k in set(M) | set(v):
            row = M.get(k, {})
            A[k, :] = sum((coef * self.A[j, :] for j, coef in row.items()), _zeros(1, self.W)[0])
            c[k] = sum((coef * self.c[j] for j, coef in row.items()), Fraction(0)) + v.get(k, Fraction(0))
            lo[k] = v.get(k, Fraction(0)) + sum((min(coef * self.lo[j], coef * self.hi[j]) for j, coef in row.items()), Fraction(0))
            hi[k] = v.get(k, Fraction(0)) + sum((max(coef * self.lo[j], coef * self.hi[j]) for j, coef in row.items()), Fraction(0))
            rd[k] = sum(abs(float(coef)) * self.rounding[j] for j, coef in row.items())
        self.A, self.c, self.lo, self.hi, self.rounding = A, c, lo, hi, rd

    def _emit(self, P: np.ndarray, q: Sequence[Fraction], recurrent: np.ndarray | None = None) -> None:
        B = _zeros(self.W, self.W)
        for i in range(self.W):
            for j in range(self.W):
                if P[i, j]:
                    B[i, :] += P[i, j] * self.A[j, :]
        th = np.empty(self.W, dtype=object)
        for i in range(self.W):
            th[i] = sum((P[i, j] * self.c[j] for j in range(self.W) if P[i, j]), Fraction(0)) + q[i]
        a = recurrent if recurrent is not None else _zeros(self.W, self.W)
        for m in (a, B, th):
            m.flags.writeable = False
        self.cells.append(Cell(a, B, th, "relu"))

    def _passthrough_bias(self, o: int) -> Fraction:
        return _MARGIN - _floor(self.lo[o])

    def _pass_through(self, P: np.ndarray, q: list[Fraction], chans: Iterable[int]) -> dict[int, Fraction]:
        r"""Let the channels ``chans`` pass through the next cell: :math:`h_o = z_o + B_o > 0`.

        Sets :math:`P_{oo} = 1` and :math:`q_o = B_o = 1 - \lfloor lo_o \rfloor` and returns the biases
        :math:`B` (recovered by :meth:`_unshift` as :math:`z_o = h_o - B_o`).
        """
        B: dict[int, Fraction] = {}
        for o in chans:
            P[o, o] = Fraction(1)
            B[o] = self._passthrough_bias(o)
            q[o] = B[o]
        return B

    @staticmethod
    def _unshift(A: np.ndarray, c: list[Fraction], B: Mapping[int, Fraction]) -> None:
        """The recovery of the passed channels in the fold: :math:`z_o = h_o - B_o`."""
        for o, bo in B.items():
            A[o, o], c[o] = Fraction(1), -bo

    def _rounding_after(self, B: Mapping[int, Fraction]) -> list[float]:
        """Rounding bounds after a cell: a passed channel stores :math:`|z_o| + B_o`, one rounding more."""
        return [self.rounding[o] + (_U * float(self.hi[o] + B[o]) if o in B else 0.0) for o in range(self.W)]

    # -- operations ------------------------------------------------------------------------
    def clip(self, s: int, e: Fraction, dead: Iterable[int] = ()) -> None:
        """s <- max(s, e); ``dead`` channels are reset to 0 (their values are no longer needed)."""
        dead = set(dead)
        P = _zeros(self.W, self.W)
        q = [Fraction(0)] * self.W
        P[s, s] = Fraction(1)
        q[s] = -e
        B = self._pass_through(P, q, (o for o in range(self.W) if o != s and o not in dead))
        self._emit(P, q)
        for o in range(self.W):
            self.A[o, :] = Fraction(0)
            self.A[o, o] = Fraction(1)
        self.c = [(-B[o] if o in B else (e if o == s else Fraction(0))) for o in range(self.W)]
        self.rounding = self._rounding_after(B)
        self.lo[s], self.hi[s] = max(self.lo[s], e), max(self.hi[s], e)
        for o in dead:
            self.lo[o] = self.hi[o] = Fraction(0)
            self.rounding[o] = 0.0

    def shift(self, s: int, receivers: Mapping[int, Fraction], e1: Fraction) -> None:
        """(s, r) <- (max(s, e1), r + lam_r relu(e1 - s)) for every receiver r."""
        P = _zeros(self.W, self.W)
        q = [Fraction(0)] * self.W
        P[s, s] = Fraction(1)
        q[s] = -e1
        B: dict[int, Fraction] = {}
        dmax = max(Fraction(0), e1 - self.lo[s])
        new_lo, new_hi, new_rd = list(self.lo), list(self.hi), list(self.rounding)
        for o in range(self.W):
            if o == s:
                continue
            P[o, o] = Fraction(1)
            lam = receivers.get(o, Fraction(0))
            lo_pre = self.lo[o]
            if lam:
                P[o, s] = -lam
                lo_pre += min(-lam * (self.hi[s] - e1), -lam * (self.lo[s] - e1))
                hi_pre = self.hi[o] + max(-lam * (self.hi[s] - e1), -lam * (self.lo[s] - e1))
                new_lo[o] = self.lo[o] + min(Fraction(0), lam * dmax)
                new_hi[o] = self.hi[o] + max(Fraction(0), lam * dmax)
            else:
                hi_pre = self.hi[o]
            B[o] = _MARGIN - _floor(lo_pre)
            q[o] = B[o] + lam * e1
            # a stored value of size |pre| + B carries a rounding error of about U * that size (x3 for the
            # three operations: the cell's sum, and the recovery's two terms)
            new_rd[o] = self.rounding[o] + 3 * _U * float(hi_pre + B[o] + abs(lam) * (self.hi[s] - self.lo[s]))
        self._emit(P, q)
        A = _zeros(self.W, self.W)
        c = [Fraction(0)] * self.W
        A[s, s] = Fraction(1)
        c[s] = e1
        for o in range(self.W):
            if o == s:
                continue
            A[o, o] = Fraction(1)
            c[o] = -B[o]
            lam = receivers.get(o, Fraction(0))
            if lam:
                A[o, s] = lam
        self.A, self.c = A, c
        new_lo[s], new_hi[s] = max(self.lo[s], e1), max(self.hi[s], e1)
        self.lo, self.hi, self.rounding = new_lo, new_hi, new_rd

    def sweep(self, s: int, ends: Sequence[Fraction], widths: Sequence[Fraction],
              increments: Mapping[int, Sequence[Fraction]]) -> int:
        """Collapse-and-shift: step j clips s to ``ends[j]`` and ramps over ``[ends[j], ends[j] + widths[j]/2]``.

        A point with ``ends[k-1] + widths[k-1]/2 <= s <= ends[k]`` (the good part of cell k) ends
        with every receiver r increased by ``sum_{j >= k} increments[r][j]``; points in a ramp
        get an intermediate value.  Steps whose increments all vanish are skipped.  Returns
        the number of cells emitted.
        """
        count = 0
        for j in range(len(ends)):
            if all(not inc[j] for inc in increments.values()):
                continue
            d = widths[j]
            self.clip(s, ends[j])
            self.shift(s, {r: 2 * inc[j] / d for r, inc in increments.items() if inc[j]}, ends[j] + d / 2)
            count += 2
        return count

    def recurrent_cell(self, rows: Mapping[int, tuple[Mapping[int, Fraction], Fraction]],
                       recurrent: Mapping[int, Mapping[int, Fraction]]) -> None:
        """A cell whose listed channels get pre = row . z + const + sum recurrent . h[t-1]; others reset.

        The listed channels must have non-negative pre-activations (stored = logical afterwards).
        """
        self._emit(*self._cell_rows(rows, recurrent))
        self.A = _zeros(self.W, self.W)
        for o in range(self.W):
            self.A[o, o] = Fraction(1)
        self.c = [Fraction(0)] * self.W
        self.rounding = [0.0] * self.W

    def _cell_rows(self, rows: Mapping[int, tuple[Mapping[int, Fraction], Fraction]],
                   recurrent: Mapping[int, Mapping[int, Fraction]]) -> tuple[np.ndarray, list[Fraction], np.ndarray]:
        """(P, q, A) of a cell whose listed channels get pre = row . z + const (+ recurrent . h[t-1])."""
        P = _zeros(self.W, self.W)
        q = [Fraction(0)] * self.W
        a = _zeros(self.W, self.W)
        for k, (row, const) in rows.items():
            for j, coef in row.items():
                P[k, j] = Fraction(coef)
            q[k] = Fraction(const)
            for j, coef in recurrent.get(k, {}).items():
                a[k, j] = Fraction(coef)
        return P, q, a

    def finish(self, one: int, keep: Iterable[int]) -> None:
        """Last cell: the ``keep`` channels pass through, channel ``one`` becomes the constant 1, others 0."""
        keep = set(keep)
        P = _zeros(self.W, self.W)
        q = [Fraction(0)] * self.W
        B = self._pass_through(P, q, keep)
        q[one] = Fraction(1)
        self._emit(P, q)
        self.A = _zeros(self.W, self.W)
        for o in range(self.W):
            self.A[o, o] = Fraction(1) if (o in keep or o == one) else Fraction(0)
        self.c = [(-B[o] if o in B else Fraction(0)) for o in range(self.W)]
        self.rounding = self._rounding_after(B)

    def readout(self, rows: Mapping[int, Mapping[int, Fraction]], const: Mapping[int, Fraction], one: int, d_y: int) -> np.ndarray:
        """Linear readout of logical combinations; constants go through channel ``one`` (stored value 1)."""
        Q = _zeros(d_y, self.W)
        for k in range(d_y):
            for j, coef in rows[k].items():
                Q[k, :] += coef * self.A[j, :]
            Q[k, one] += sum((coef * self.c[j] for j, coef in rows[k].items()), Fraction(0)) + const.get(k, Fraction(0))
        return Q
