r"""The gated ReLU RNN of width :math:`d_x + d_y + 2` (uniform approximation; BRNN variant).

Worked-out construction after Song, Hwang, Lee, Kang (JMLR 24(121), 2023, Thm 5, Thm 22).
Channels :math:`h = (v \in \mathbb R^{d_x}, a \in \mathbb R^{d_y}, s, w)`:

1. *normalise*: :math:`v = \hat x = (x - lo) / (2(hi - lo)) \in [0, \frac12]^{d_x}`, :math:`a = C_a`;
2. *running max* terms (optional, exact): the width-2 cell :math:`(s, w)` with
   :math:`A = [[0,0],[1,1]]` gives :math:`s + w = \max_{j \le t} \hat x_i[j]`;
3. *counter* :math:`w[t] = t` and *time shift* :math:`v \leftarrow v + t`, so that
   :math:`v_i[t] \in [t, t + \frac12]` encodes both :math:`t` and :math:`\hat x_i[t]`;
4. one **gated block** per term :math:`(t_0, \alpha, c, \varphi)`, adding
   :math:`\varphi_k(\mathrm{relu}(\alpha \cdot \hat x[1..] + c))` to :math:`a_k` at time
   :math:`t_0` only:

   * *load* (token-wise): :math:`s[\tau] = o + \sum_i H_i(v_i[\tau])` with :math:`H_i` piecewise
     linear of slope :math:`\alpha_{\tau, i}` on :math:`[\tau, \tau+1)`, so
     :math:`s[\tau] = o + \mathrm{base}(\tau) + \alpha_\tau \cdot \hat x[\tau] \ge 0`;
   * *integrator* :math:`s[t] = s[t-1] + s_{in}[t]` (a BRNN sums over all :math:`\tau`
     with a forward and a backward cell);
   * *gate*: :math:`s \leftarrow \mathrm{relu}(s + G(v_1))`, :math:`G = G_0 - m\,\mathrm{relu}(t_0 - v_1)
     - m'\,\mathrm{relu}(v_1 - t_0 - \frac12)` equals :math:`c - B(t_0)` on the slab of
     :math:`t_0` and is below :math:`-B(t) - P(t) - \gamma` on the other slabs;
   * *output*: :math:`a_k \mathrel{+}= \varphi_k(s)` (piecewise linear, :math:`\varphi_k(0) = 0`).
5. :math:`s \leftarrow 1` and the readout :math:`y_k = a_k - (C_a - \mathrm{const}_k)\, s`.

Every ReLU acts either on a channel proven non-negative (so it is the identity) or on a
sum whose terms are added in rising-then-falling order, so stepwise clipping equals one
final ReLU.  The network is therefore *exactly* the function
:math:`\mathrm{const} + \sum_{\text{blocks}} \varphi(\mathrm{relu}(\cdot))` on the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Sequence

import numpy as np

from uat.recurrent import Recurrent

from ._rnn_program import Program

__all__ = ["OutputPL", "GatedBlock", "RunningMaxTerm", "GatedLayout", "build_gated"]

_HALF = Fraction(1, 2)
_GAMMA = Fraction(1, 4)  # gate margin: off-time gate arguments are <= -gamma


@dataclass(frozen=True)
class OutputPL:
    r""":math:`\varphi(s) = \text{slope0}\, s + \sum_j \Delta_j\, \mathrm{relu}(s - q_j)` with every :math:`q_j > 0`."""

    slope0: Fraction
    knots: tuple[tuple[Fraction, Fraction], ...] = ()

    def negative_mass(self, s_max: Fraction) -> Fraction:
        """A bound on how far partial sums of the terms can go below 0 for s in [0, s_max]."""
        m = max(Fraction(0), -self.slope0) * s_max
        for q, d in self.knots:
            m += max(Fraction(0), -d) * max(Fraction(0), s_max - q)
        return m


@dataclass(frozen=True)
class GatedBlock:
    """One term: at time ``t0`` add ``outputs[k](relu(alpha . xhat[1..span] + c))`` to output k."""

    t0: int
    alpha: tuple[tuple[Fraction, ...], ...]  # alpha[tau-1][i], tau = 1..span
    c: Fraction
    outputs: Mapping[int, OutputPL]


@dataclass(frozen=True)
class RunningMaxTerm:
    """``y_out += scale * max_{j<=t} xhat'_coord[j]`` with xhat' = xhat (sign +1) or 1/2 - xhat (sign -1)."""

    out: int
    coord: int
    sign: int
    scale: Fraction


@dataclass(frozen=True)
class GatedLayout:
    d_x: int
    d_y: int
    T: int
    lo: tuple[Fraction, ...]
    hi: tuple[Fraction, ...]
    bidirectional: bool = False

    @property
    def width(self) -> int:
        """The width :math:`d_x + d_y + 2` of the gated construction."""
        return self.d_x + self.d_y + 2


@dataclass
class _Plan:
    block: GatedBlock
    span: int
    loads: list[tuple[int, Fraction, Fraction]]  # (coord, knot q, delta)
    o: Fraction
    B: list[Fraction]  # B[t-1], t = 1..T (integrated constant part)
    G0: Fraction
    m_left: Fraction
    m_right: Fraction
    s_max: Fraction


def _plan(block: GatedBlock, lay: GatedLayout) -> _Plan | None:
    T, dx = lay.T, lay.d_x
    span = T if lay.bidirectional else block.t0
    alpha = [list(r) for r in block.alpha] + [[Fraction(0)] * dx for _ in range(span - len(block.alpha))]
    alpha = alpha[:span]
    zero = all(a == 0 for r in alpha for a in r)
    loads: list[tuple[int, Fraction, Fraction]] = []
    H = [[Fraction(0)] * (span + 2) for _ in range(dx)]  # H[i][tau] for tau = 1..span+1
    for i in range(dx):
        prev = Fraction(0)
        for tau in range(1, span + 1):
            cur = alpha[tau - 1][i]
            H[i][tau + 1] = H[i][tau] + cur
            if cur != prev:
                loads.append((i, Fraction(tau), cur - prev))
            prev = cur
        if prev != 0 and span + 1 <= T:
            loads.append((i, Fraction(span + 1), -prev))
    base = [sum((H[i][min(tau, span + 1)] for i in range(dx)), Fraction(0)) for tau in range(1, T + 1)]
    neg_load = [sum((min(a, Fraction(0)) for a in alpha[tau - 1]), Fraction(0)) * _HALF if tau <= span else Fraction(0)
                for tau in range(1, T + 1)]
    o = Fraction(0) if zero else max([Fraction(0)] + [-(b + n) for b, n in zip(base, neg_load)])
    pos = [sum((max(a, Fraction(0)) for a in alpha[tau - 1]), Fraction(0)) * _HALF for tau in range(1, span + 1)]
    P_span = sum(pos, Fraction(0))
    s_max = block.c + P_span
    if s_max <= 0:
        return None  # the unit is relu(negative) = 0 on the whole domain
    B, acc = [], Fraction(0)
    for tau in range(1, T + 1):
        acc += Fraction(0) if zero else o + base[tau - 1]
        B.append(acc)
    if lay.bidirectional:
        Bt = [B[-1]] * T
        Pt = [P_span] * T
    else:
        Bt = B
        Pt, run = [], Fraction(0)
        for t in range(1, T + 1):
            if t <= span:
                run += pos[t - 1]
            Pt.append(run)
    t0 = block.t0
    G0 = block.c - Bt[t0 - 1]
    m_left = max([Fraction(0)] + [(G0 + Bt[t - 1] + Pt[t - 1] + _GAMMA) / (t0 - t - _HALF) for t in range(1, t0)])
    m_right = max([Fraction(0)] + [(G0 + Bt[t - 1] + Pt[t - 1] + _GAMMA) / (t - t0 - _HALF) for t in range(t0 + 1, T + 1)])
    loads.sort(key=lambda r: (r[2] < 0,))
    return _Plan(block, span, loads, o, Bt, G0, m_left, m_right, s_max)


def accumulator_offsets(plans: Sequence[_Plan], maxterms: Sequence[RunningMaxTerm], lay: GatedLayout) -> list[Fraction]:
    """C_a[k]: the accumulators never go negative (1 + worst negative mass at any time)."""
    C = []
    for k in range(lay.d_y):
        rm = sum((t.scale * _HALF for t in maxterms if t.out == k and t.scale < 0), Fraction(0))
        per_t = [Fraction(0)] * lay.T
        for p in plans:
            phi = p.block.outputs.get(k)
            if phi is not None:
                per_t[p.block.t0 - 1] += phi.negative_mass(p.s_max)
        C.append(Fraction(1) + abs(rm) + max(per_t, default=Fraction(0)))
    return C


def build_gated(
    lay: GatedLayout,
    blocks: Sequence[GatedBlock],
    maxterms: Sequence[RunningMaxTerm] = (),
    const: Sequence[Fraction] | None = None,
) -> tuple[Recurrent, dict]:
    """Emit the network; returns it with a dict of diagnostics (offsets, slopes, counts)."""
    dx, dy = lay.d_x, lay.d_y
    V = list(range(dx))
    A = list(range(dx, dx + dy))
    S, Wk = dx + dy, dx + dy + 1
    plans = [p for p in (_plan(b, lay) for b in blocks) if p is not None]
    C = accumulator_offsets(plans, maxterms, lay)
    const = list(const) if const is not None else [Fraction(0)] * dy
    base_live = set(V) | set(A)
    prog = Program(lay.width)
    # 1. normalise into [0, 1/2] and set the accumulators
    prog.stage = "normalise"
    rows = {i: {i: 1 / (2 * (lay.hi[i] - lay.lo[i]))} for i in V}
    bias = {i: -lay.lo[i] / (2 * (lay.hi[i] - lay.lo[i])) for i in V}
    bias.update({A[k]: C[k] for k in range(dy)})
    prog.emit(rows, bias, live_after=base_live)
    # 2. exact running maxima (width-2 cell on (s, w))
    prog.stage = "running max"
    for t in maxterms:
        sgn = Fraction(t.sign)
        off = Fraction(0) if t.sign > 0 else _HALF
        prog.emit({S: {t.coord: sgn}, Wk: {t.coord: -sgn}}, {S: off, Wk: -off}, {Wk: {S: Fraction(1), Wk: Fraction(1)}},
                  live_after=base_live)
        prog.add_pending(A[t.out], S, t.scale)
        prog.add_pending(A[t.out], Wk, t.scale)
    # 3. counter and time shift
    prog.stage = "counter"
    prog.emit({}, {Wk: Fraction(1)}, {Wk: {Wk: Fraction(1)}}, live_after=base_live | {Wk})
    prog.stage = "shift"
    prog.emit({i: {i: Fraction(1), Wk: Fraction(1)} for i in V}, {}, live_after=base_live)
    # 4. gated blocks
    counts = {"blocks": len(plans), "load_terms": 0, "gate_terms": 0, "output_terms": 0}
    for p in plans:
        b = p.block
        prog.stage = "load"
        if p.loads:
            feats = [(V[i], Fraction(1), -q) for i, q, _ in p.loads]
            prog.pl_pipeline({S: [d for _, _, d in p.loads]}, feats, Wk, const={S: p.o}, flush=lay.bidirectional)
            counts["load_terms"] += len(p.loads)
            prog.stage = "integrate"
            if lay.bidirectional:
                prog.emit_bidirectional(
                    {S: {S: Fraction(1)}, Wk: {S: Fraction(1)}}, {S: {S: Fraction(1)}},
                    {S: {S: Fraction(1)}}, {S: {S: Fraction(1)}},
                    {**{c: {c: Fraction(1)} for c in base_live}, S: {S: Fraction(1), Wk: Fraction(-1)}},
                    {S: {S: Fraction(1)}},
                    live_after=base_live | {S},
                )
            else:
                prog.emit({S: {S: Fraction(1)}}, {}, {S: {S: Fraction(1)}}, live_after=base_live | {S})
        prog.stage = "gate"
        feats, coefs = [], []
        if p.m_left > 0:
            feats.append((V[0], Fraction(-1), Fraction(b.t0)))
            coefs.append(-p.m_left)
        if p.m_right > 0:
            feats.append((V[0], Fraction(1), -Fraction(b.t0) - _HALF))
            coefs.append(-p.m_right)
        prog.pl_pipeline({S: coefs}, feats, Wk, const={S: p.G0}, flush=True, keep_live=[S] if p.loads else [])
        counts["gate_terms"] += len(feats)
        prog.stage = "output"
        outs = sorted(b.outputs)
        feats = [(S, Fraction(1), Fraction(0))]
        nknots = max(len(b.outputs[k].knots) for k in outs)
        qs = [b.outputs[outs[0]].knots[j][0] for j in range(nknots)]
        for k in outs:
            if [q for q, _ in b.outputs[k].knots] != qs:
                raise ValueError("internal error: outputs of one block must share their knots")
        feats += [(S, Fraction(1), -q) for q in qs]
        targets = {A[k]: [b.outputs[k].slope0] + [d for _, d in b.outputs[k].knots] for k in outs}
        prog.pl_pipeline(targets, feats, Wk, keep_live=[S])
        prog.live = set(base_live)
        counts["output_terms"] += len(feats)
    # 5. constant channel and readout
    prog.stage = "constant"
    prog.emit({}, {S: Fraction(1)}, live_after=base_live | {S})
    W = lay.width
    lift = np.empty((W, dx), dtype=object)
    lift[...] = Fraction(0)
    for i in V:
        lift[i, i] = Fraction(1)
    readout = np.empty((dy, W), dtype=object)
    readout[...] = Fraction(0)
    for k in range(dy):
        readout[k, A[k]] = Fraction(1)
        readout[k, S] = const[k] - C[k]
    net = Recurrent(lift, tuple(prog.cells), readout)
    diag = {
        **counts,
        "stages": list(prog.stages),
        "accumulator_offsets": [float(c) for c in C],
        "max_load_offset": float(max([p.o for p in plans], default=Fraction(0))),
        "max_gate_slope": float(max([max(p.m_left, p.m_right) for p in plans], default=Fraction(0))),
        "max_integrated_offset": float(max([abs(x) for p in plans for x in p.B], default=Fraction(0))),
    }
    return net, diag
