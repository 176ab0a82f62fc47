r"""More operations of the folded emitter, for the :math:`L^p` witnesses (whole space, decoder, BRNN).

:class:`LpProgram` extends :class:`~constructions._rnn_fold.FoldProgram` with

* :meth:`clamp_all` -- clamp every listed channel to an interval (two cells, no pass-through:
  works on unbounded inputs);
* :meth:`clip_affine` -- :math:`s \leftarrow \max/\min(s, \ell(z))` with :math:`\ell` affine in
  the other coordinates (relu.md §2.2, P1);
* :meth:`gate`    -- :math:`v \leftarrow c_0 + \mathrm{relu}(v - c_0 - K\varphi) - \mathrm{relu}(c_0 - v - K\varphi)`
  (exactly :math:`c_0`, both neurons off, where the flag :math:`\varphi \ge 1`);
* :meth:`bend`    -- the oblique projection P3 of relu.md §2.4 (the raster decoder);
* :meth:`bidirectional` -- a BRNN layer (forward and backward cell, linear mix).


Each keeps the invariants of the base class: stored pass-through channels stay positive,
every recovery map is folded into the next cell, and bounds and rounding bounds are tracked.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable, Mapping, Sequence

import numpy as np

from uat.recurrent import BiLayer

from ._rnn_fold import _MARGIN, _U, FoldProgram, _zeros

__all__ = ["LpProgram"]


class LpProgram(FoldProgram):
    """:class:`FoldProgram` with the clamp, affine clip, gate, bend, BRNN layer and affine readout."""

    # -- operations of the L^p witnesses (whole space, decoder, BRNN) -----------------------
    def set_bounds(self, k: int, lo: Fraction, hi: Fraction) -> None:
        """Replace the bounds of coordinate k by a known (valid) interval."""
        self.lo[k], self.hi[k] = Fraction(lo), Fraction(hi)

    def _identity_fold(self, keep: Iterable[int]) -> None:
        self.A = _zeros(self.W, self.W)
        for o in keep:
            self.A[o, o] = Fraction(1)

    def clamp_all(self, chans: Sequence[int], lo: Sequence[Fraction], hi: Sequence[Fraction]) -> None:
        """Two cells: z_k <- min(max(z_k, lo_k), hi_k) for the listed channels; every other channel -> 0.

        No pass-through is involved, so the inputs may be unbounded (the first layer of a
        whole-space witness).
        """
        chans = list(chans)
        P = _zeros(self.W, self.W)
        q = [Fraction(0)] * self.W
        for k, a in zip(chans, lo):
            P[k, k], q[k] = Fraction(1), -Fraction(a)
        self._emit(P, q)  # stored relu(z - a): logical max(z, a) = h + a
        self._identity_fold(chans)
        self.c = [Fraction(0)] * self.W
        for k, a in zip(chans, lo):
            self.c[k] = Fraction(a)
        P = _zeros(self.W, self.W)
        q = [Fraction(0)] * self.W
        for k, b in zip(chans, hi):
            P[k, k], q[k] = Fraction(-1), Fraction(b)
        self._emit(P, q)  # stored relu(b - z'): logical min(z', b) = b - h
        self._identity_fold([])
        self.c = [Fraction(0)] * self.W
        for k, b in zip(chans, hi):
            self.A[k, k], self.c[k] = Fraction(-1), Fraction(b)
        self.lo = [Fraction(0)] * self.W
        self.hi = [Fraction(0)] * self.W
        self.rounding = [0.0] * self.W
        for k, a, b in zip(chans, lo, hi):
            self.lo[k], self.hi[k] = Fraction(a), Fraction(b)
            self.rounding[k] = 2 * _U * float(max(abs(a), abs(b)))

    def _ell_bounds(self, coef: Mapping[int, Fraction], const: Fraction) -> tuple[Fraction, Fraction]:
        lo = const + sum((min(c * self.lo[j], c * self.hi[j]) for j, c in coef.items()), Fraction(0))
        hi = const + sum((max(c * self.lo[j], c * self.hi[j]) for j, c in coef.items()), Fraction(0))
        return lo, hi

    def clip_affine(self, s: int, kind: str, coef: Mapping[int, Fraction], const: Fraction) -> None:
        """One cell: s <- max(s, l(z)) (``kind="max"``) or min(s, l(z)), l(z) = sum coef_j z_j + const."""
        if s in coef:
            raise ValueError("internal error: a clip threshold depends on the clipped coordinate")
        sign = Fraction(1) if kind == "max" else Fraction(-1)
        P = _zeros(self.W, self.W)
        q = [Fraction(0)] * self.W
        P[s, s] = sign
        for j, c in coef.items():
            P[s, j] = -sign * Fraction(c)
        q[s] = -sign * Fraction(const)
        B = self._pass_through(P, q, (o for o in range(self.W) if o != s and self.lo[o] != self.hi[o]))
        self._emit(P, q)
        A = _zeros(self.W, self.W)
        c = [self.lo[o] if o not in B and o != s else Fraction(0) for o in range(self.W)]  # constants keep their value
        self._unshift(A, c, B)
        A[s, s] = sign  # s' = l(z') + sign * h_s, with z' the recovered pass-through values
        c[s] = Fraction(const)
        for j, cf in coef.items():
            A[s, :] += Fraction(cf) * A[j, :]
            c[s] += Fraction(cf) * c[j]
        el_lo, el_hi = self._ell_bounds(coef, Fraction(const))
        rd = sum(abs(float(cf)) * self.rounding[j] for j, cf in coef.items())
        new_rd = self._rounding_after(B)
        new_rd[s] = self.rounding[s] + 2 * rd + 2 * _U * float(max(abs(self.hi[s]), abs(self.lo[s]), abs(el_lo), abs(el_hi)))
        self.A, self.c, self.rounding = A, c, new_rd
        if kind == "max":
            self.lo[s], self.hi[s] = max(self.lo[s], el_lo), max(self.hi[s], el_hi)
        else:
            self.lo[s], self.hi[s] = min(self.lo[s], el_lo), min(self.hi[s], el_hi)

    def gate(self, v: int, s: int, phi: tuple[Fraction, Fraction], center: Fraction, keep: Iterable[int] = ()) -> None:
        r"""One cell: :math:`v \leftarrow c_0 + \mathrm{relu}(v - c_0 - K\varphi) - \mathrm{relu}(c_0 - v - K\varphi)`.

        ``phi = (a, b)`` gives the flag :math:`\varphi = a z_s + b \in [0, \infty)`; where
        :math:`\varphi \ge 1` both neurons are off and :math:`v` is *exactly* :math:`c_0` (the value
        lives in the fold constant), where :math:`\varphi = 0` it is unchanged.  The neurons are the
        channels ``v`` and ``s`` (``s`` is consumed); ``keep`` channels pass through, others -> 0.
        """
        a, b = Fraction(phi[0]), Fraction(phi[1])
        c0 = Fraction(center)
        K = max(abs(self.hi[v] - c0), abs(self.lo[v] - c0)) + 1
        P = _zeros(self.W, self.W)
        q = [Fraction(0)] * self.W
        P[v, v], P[v, s], q[v] = Fraction(1), -K * a, -c0 - K * b
        P[s, v], P[s, s], q[s] = Fraction(-1), -K * a, c0 - K * b
        B = self._pass_through(P, q, keep)
        self._emit(P, q)
        A = _zeros(self.W, self.W)
        c = [Fraction(0)] * self.W
        self._unshift(A, c, B)
        A[v, v], A[v, s], c[v] = Fraction(1), Fraction(-1), c0
        rd = [r if o in B else 0.0 for o, r in enumerate(self._rounding_after(B))]  # the others are reset
        rd[v] = self.rounding[v] + 4 * _U * float(K + abs(c0))
        new_lo, new_hi = min(self.lo[v], c0), max(self.hi[v], c0)
        self.lo = [self.lo[o] if o in B else Fraction(0) for o in range(self.W)]
        self.hi = [self.hi[o] if o in B else Fraction(0) for o in range(self.W)]
        self.lo[v], self.hi[v] = new_lo, new_hi
        self.A, self.c, self.rounding = A, c, rd

    def bend(self, x: int, y: int, alpha: Sequence[int], beta: int, qv: Sequence[int], radius: int) -> None:
        """P3 (relu.md §2.4): clip p = alpha.(x, y) + beta at 0 along the direction orthogonal to qv.

        ``radius`` bounds |x| and |y| before and after (the raster invariant); other
        non-constant channels pass through.
        """
        R = Fraction(radius)
        if any(self.lo[t] < -R or self.hi[t] > R for t in (x, y)):
            raise ValueError("internal error: the raster invariant |x|, |y| <= radius does not hold before a bend")
        al, qq = [Fraction(v) for v in alpha], [Fraction(v) for v in qv]
        det = al[0] * qq[1] - al[1] * qq[0]
        P = _zeros(self.W, self.W)
        q = [Fraction(0)] * self.W
        P[x, x], P[x, y], q[x] = al[0], al[1], Fraction(beta)
        Bq = _MARGIN + R * (abs(qq[0]) + abs(qq[1]))
        P[y, x], P[y, y], q[y] = qq[0], qq[1], Bq
        B = self._pass_through(P, q, (o for o in range(self.W) if o not in (x, y) and self.lo[o] != self.hi[o]))
        self._emit(P, q)
        inv = [[qq[1] / det, -al[1] / det], [-qq[0] / det, al[0] / det]]
        A = _zeros(self.W, self.W)
        c = [self.lo[o] if (o not in B and o not in (x, y)) else Fraction(0) for o in range(self.W)]
        self._unshift(A, c, B)
        for i, t in enumerate((x, y)):
            A[t, x], A[t, y] = inv[i][0], inv[i][1]
            c[t] = -(inv[i][0] * Fraction(beta) + inv[i][1] * Bq)
        self.rounding = self._rounding_after(B)
        for t in (x, y):
            self.rounding[t] = max(self.rounding[x], self.rounding[y]) * 2 + 4 * _U * float(Bq)
            self.lo[t], self.hi[t] = -R, R
        self.A, self.c = A, c

    def bidirectional(self, forward: Mapping[int, tuple[Mapping[int, Fraction], Fraction]],
                      forward_rec: Mapping[int, Mapping[int, Fraction]],
                      backward: Mapping[int, tuple[Mapping[int, Fraction], Fraction]],
                      backward_rec: Mapping[int, Mapping[int, Fraction]],
                      mix: Mapping[int, tuple[Mapping[int, Fraction], Mapping[int, Fraction]]]) -> None:
        """A BRNN layer: forward/backward cells (rows as in :meth:`recurrent_cell`, width W each) and
        the linear mix ``out_k = sum_j mixF[k][j] f_j + sum_j mixB[k][j] b_j`` (stored = logical)."""
        cells = []
        for rows, rec in ((forward, forward_rec), (backward, backward_rec)):
            self._emit(*self._cell_rows(rows, rec))
            cells.append(self.cells.pop())
        wf, wb = _zeros(self.W, self.W), _zeros(self.W, self.W)
        for k, (mf, mb) in mix.items():
            for j, coef in mf.items():
                wf[k, j] = Fraction(coef)
            for j, coef in mb.items():
                wb[k, j] = Fraction(coef)
        for m in (wf, wb):
            m.flags.writeable = False
        self.cells.append(BiLayer(cells[0], cells[1], wf, wb))
        self._identity_fold(range(self.W))
        self.c = [Fraction(0)] * self.W
        self.rounding = [0.0] * self.W

    def readout_affine(self, rows: Mapping[int, Mapping[int, Fraction]], const: Mapping[int, Fraction],
                       d_y: int) -> tuple[np.ndarray, np.ndarray]:
        """Affine readout ``y_k = sum_j rows[k][j] z_j + const_k`` as (Q, bias) on the stored channels."""
        Q = _zeros(d_y, self.W)
        bias = np.empty(d_y, dtype=object)
        for k in range(d_y):
            bias[k] = Fraction(const.get(k, 0))
            for j, coef in rows[k].items():
                Q[k, :] += Fraction(coef) * self.A[j, :]
                bias[k] += Fraction(coef) * self.c[j]
        return Q, bias
