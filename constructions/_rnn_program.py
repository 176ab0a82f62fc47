r"""A small emitter of ReLU RNN cells on named channels (used by the RNN constructions).

Every emitted cell has the same width :math:`W`.  A cell is described by the rows that
differ from the default: a *live* channel keeps its value (identity row of :math:`B`,
exact because live channels are kept non-negative), every other channel is reset to 0
unless it gets an explicit row.  *Pending* additions ``target += coef * src`` are folded
into the next emitted cell: this merges the last term of a piecewise-linear pipeline
into the following layer, which is exact whenever the pending sum is non-negative (the
invariant the constructions maintain).

All coefficients are exact :class:`~fractions.Fraction` values.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from typing import Iterable, Mapping

import numpy as np

from uat.recurrent import BiLayer, Cell

__all__ = ["Program", "Row"]

Row = Mapping[int, Fraction]  # source channel -> coefficient


def _zero_matrix(rows: int, cols: int) -> np.ndarray:
    m = np.empty((rows, cols), dtype=object)
    m[...] = Fraction(0)
    return m


class Program:
    """Mutable builder of a list of cells of fixed width ``width`` (internal to constructions)."""

    def __init__(self, width: int, live: Iterable[int] = ()) -> None:
        self.width = width
        self.live: set[int] = set(live)
        self.cells: list[Cell | BiLayer] = []
        self.stage = ""
        self.stages: list[str] = []  # the stage label of every emitted cell (for figures and diagnostics)
        self.pending: dict[int, dict[int, Fraction]] = defaultdict(dict)

    # -- pending additions -----------------------------------------------------------------
    def add_pending(self, target: int, src: int, coef: Fraction) -> None:
        """Add ``coef`` times channel ``src`` to the pending (not yet emitted) input of channel ``target``."""
        if coef:
            self.pending[target][src] = self.pending[target].get(src, Fraction(0)) + Fraction(coef)

    def _take_pending(self) -> dict[int, dict[int, Fraction]]:
        p = {k: dict(v) for k, v in self.pending.items() if v}
        self.pending = defaultdict(dict)
        return p

    # -- emission --------------------------------------------------------------------------
    def _matrices(
        self,
        rows: Mapping[int, Row],
        bias: Mapping[int, Fraction],
        recurrent: Mapping[int, Row],
        live_after: Iterable[int] | None,
        use_pending: bool = True,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        W = self.width
        b = _zero_matrix(W, W)
        a = _zero_matrix(W, W)
        th = np.empty(W, dtype=object)
        th[...] = Fraction(0)
        for ch in range(W):
            if ch in rows:
                for src, coef in rows[ch].items():
                    b[ch, src] += Fraction(coef)
            elif ch in self.live:
                b[ch, ch] = Fraction(1)
        if use_pending:
            pend = self._take_pending()
            for ch, adds in pend.items():
                if ch not in rows and ch not in self.live:
                    raise RuntimeError(f"internal error: pending addition into reset channel {ch}")
                # the next layer reads the pending sum in place of the bare channel value
                for src, coef in adds.items():
                    b[ch, src] += coef
        for ch, val in bias.items():
            th[ch] += Fraction(val)
        for ch, r in recurrent.items():
            for src, coef in r.items():
                a[ch, src] += Fraction(coef)
        if live_after is not None:
            self.live = set(live_after)
        for m in (a, b, th):
            m.flags.writeable = False
        return a, b, th

    def emit(
        self,
        rows: Mapping[int, Row] | None = None,
        bias: Mapping[int, Fraction] | None = None,
        recurrent: Mapping[int, Row] | None = None,
        *,
        live_after: Iterable[int] | None = None,
    ) -> None:
        """Append one ReLU cell (see the module docstring for the defaults)."""
        a, b, th = self._matrices(rows or {}, bias or {}, recurrent or {}, live_after)
        self.cells.append(Cell(a, b, th, "relu"))
        self.stages.append(self.stage)

    def emit_bidirectional(
        self,
        forward_rows: Mapping[int, Row],
        forward_recurrent: Mapping[int, Row],
        backward_rows: Mapping[int, Row],
        backward_recurrent: Mapping[int, Row],
        mix_forward: Mapping[int, Row],
        mix_backward: Mapping[int, Row],
        *,
        live_after: Iterable[int],
    ) -> None:
        """Append one bidirectional layer; pending additions go into the forward cell's input rows."""
        af, bf, tf = self._matrices(forward_rows, {}, forward_recurrent, None)
        saved_live = self.live
        self.live = set()
        ab, bb, tb = self._matrices(backward_rows, {}, backward_recurrent, None, use_pending=False)
        self.live = saved_live
        W = self.width
        wf, wb = _zero_matrix(W, W), _zero_matrix(W, W)
        for m, spec in ((wf, mix_forward), (wb, mix_backward)):
            for ch, r in spec.items():
                for src, coef in r.items():
                    m[ch, src] += Fraction(coef)
            m.flags.writeable = False
        self.live = set(live_after)
        self.cells.append(BiLayer(Cell(af, bf, tf, "relu"), Cell(ab, bb, tb, "relu"), wf, wb))
        self.stages.append(self.stage)

    def pl_pipeline(
        self,
        targets: Mapping[int, list[Fraction]],
        features: list[tuple[int, Fraction, Fraction]],
        work: int,
        *,
        const: Mapping[int, Fraction] | None = None,
        flush: bool = False,
        keep_live: Iterable[int] = (),
    ) -> None:
        r"""``target_k += const_k + sum_i coef_k[i] * relu(a_i * src_i + b_i)`` with the work channel.

        ``features[i] = (src_i, a_i, b_i)``; ``targets[k]`` lists ``coef_k[i]``.  One cell per
        feature: it computes the feature into ``work`` and adds the previous one.  The last
        addition stays pending (``flush=False``) or gets its own cell (``flush=True``).
        Positive constants go into the first cell, negative ones into the last, so with
        non-negative coefficients ordered before negative ones the partial sums rise then
        fall and stepwise ReLU clipping equals one final ReLU (exact).
        """
        const = dict(const or {})
        initial_live = set(self.live)
        prev: int | None = None
        base_live = set(self.live) | set(keep_live) | set(targets)
        for i, (src, a, b) in enumerate(features):
            rows: dict[int, dict[int, Fraction]] = {work: {src: Fraction(a)}}
            bias: dict[int, Fraction] = {work: Fraction(b)}
            if prev is not None:
                for k, coefs in targets.items():
                    rows.setdefault(k, {k: Fraction(1)})
                    rows[k][work] = rows[k].get(work, Fraction(0)) + coefs[prev]
            if i == 0:
                for k, c in const.items():
                    if c > 0:
                        bias[k] = bias.get(k, Fraction(0)) + c
            self.emit(rows, bias, live_after=base_live - {work})
            prev = i
        neg = {k: c for k, c in const.items() if c < 0 or (not features and c > 0)}
        if prev is None:
            if neg:
                rows0 = {k: ({k: Fraction(1)} if k in initial_live else {}) for k in neg}
                self.emit(rows0, neg, live_after=base_live)
            return
        if flush or neg:
            rows = {k: {k: Fraction(1), work: coefs[prev]} for k, coefs in targets.items()}
            self.emit(rows, neg, live_after=base_live - {work})
        else:
            for k, coefs in targets.items():
                self.add_pending(k, work, coefs[prev])
