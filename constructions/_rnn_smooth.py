r"""The gated construction for a smooth activation (tanh, sigmoid), as a *modified* RNN then :math:`\delta`-linearised.

Song, Hwang, Lee, Kang (JMLR 24(121), 2023, Theorem 5 with :math:`\alpha(\sigma)`, Lemma 3) for
non-degenerate :math:`\sigma`.  Channels of the modified network (:math:`W = d_x + d_y + 3`):
:math:`v \in \mathbb R^{d_x}` (normalised token :math:`\hat x \in [0, 1]^{d_x}`), the counter
:math:`c[t] = t`, accumulators :math:`a' \in \mathbb R^{d_y}`, a running signal :math:`s'` (all
*identity* channels) and one :math:`\sigma` work channel :math:`w`.  With
:math:`\tilde\sigma = \tanh` (for the sigmoid :math:`\tanh u = 2\sigma(2u) - 1`, so every unit is
taken with its pre-activation doubled and its contribution doubled):

* **time gates by saturation**: for an integer :math:`c`,
  :math:`\tilde\sigma(u + K(c - \tau)) - \tilde\sigma(K(c - \tau))` is :math:`\tilde\sigma(u)` when
  :math:`c = \tau` and at most :math:`4 e^{-2(K - |u|)}|u|` otherwise (both terms saturate);
  the two terms are two consecutive units of :math:`w`, added to and subtracted from a channel;
* **load**: for every input time :math:`\tau` of a block, the unit :math:`u = \delta\,\alpha_\tau\cdot v`
  adds :math:`\delta\,\tilde\sigma(\delta\alpha_\tau\cdot\hat x[\tau]) \approx \delta^2\alpha_\tau\cdot\hat x[\tau]`
  to :math:`s'` at time :math:`\tau` (so :math:`s'` holds :math:`\delta^2` times the linear functional);
* **integrator**: :math:`s'[t] = s'[t-1] + s'_{in}[t]`;
* **units**: at time :math:`t_0`, a nonlinear unit adds :math:`\delta^2 g_k\,\tilde\sigma(a z + b)` to
  :math:`a'_k`, :math:`z = s'/\delta^2 + c_{blk}` (a constant term is a unit with :math:`a = 0`); a
  linear term :math:`g_k z` is the unit :math:`\delta g_k\,\tilde\sigma(\delta z) \approx \delta^2 g_k z`;
  the accumulators hold :math:`\delta^2` times the output;
* **readout** :math:`y_k = a'_k / \delta^2`.

The token is stored as :math:`v = \delta\hat x` and the counter as :math:`c = \gamma t` with
:math:`\gamma = \delta/(4T)` (tanh) or :math:`\delta/10` (sigmoid): its error enters every gate
multiplied by :math:`K/\gamma`, so it must be linearised at a small value, but the sigmoid's absolute
decode error :math:`\approx 2\epsilon_{mach}/\delta` per layer forbids making it tiny.  Every other
signal in an identity channel is scaled by :math:`\delta^2`, and every gate swing is at most
:math:`\delta|g|`, so the :math:`\delta`-linearisation of the identity channels
(:mod:`constructions._rnn_delta`, same :math:`\delta`; error :math:`O(\delta^2 h^3)` on a value
:math:`h`) is negligible; the :math:`\tilde\sigma(\delta u) \approx \delta u` steps cost a relative
:math:`O(\delta^2)`.  Rounding: about :math:`\epsilon_{mach}/\delta` for tanh (the swings cancel), about
:math:`\epsilon_{mach}\sqrt{\text{depth}}/\delta^3` for the sigmoid (whose identity channels decode
with an absolute error :math:`\approx 2\epsilon_{mach}/\delta` per layer).  So the error falls like
:math:`\delta^2` and then rises as :math:`\delta \to 0`.  Width: :math:`d_x + d_y + 3` for tanh and :math:`+1` (the constant
channel :math:`\kappa`) for the sigmoid -- the published widths (:math:`\alpha = 0, 1`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from uat.recurrent import Recurrent

from ._rnn_delta import ModifiedCell, linearise

__all__ = ["SmoothUnit", "SmoothBlock", "build_smooth", "GATE_MARGIN"]

GATE_MARGIN = 20.0  # off-time gate arguments are >= this in absolute value: error <= 4 e^-40 |u|


@dataclass(frozen=True)
class SmoothUnit:
    """``gains[k] * sigma~(a * z + b)`` (or ``gains[k] * z`` when ``linear``) added to output k at the block's time."""

    a: float
    b: float
    gains: Mapping[int, float]
    linear: bool = False


@dataclass
class SmoothBlock:
    """``z = alpha . xhat[1..span] + c`` (``alpha[tau-1][i]``), then the units at time ``t0``."""

    t0: int
    alpha: Sequence[Sequence[float]]
    c: float
    units: list[SmoothUnit] = field(default_factory=list)

    def z_range(self) -> tuple[float, float]:
        r"""The range :math:`[c + \sum \min(a, 0), c + \sum \max(a, 0)]` of the block's linear state :math:`z = \alpha\cdot\hat x + c`, :math:`\hat x \in [0, 1]`."""
        lo = self.c + sum(min(a, 0.0) for r in self.alpha for a in r)
        hi = self.c + sum(max(a, 0.0) for r in self.alpha for a in r)
        return lo, hi


class _Emitter:
    def __init__(self, W: int, d_x: int, act: str) -> None:
        self.W, self.act = W, act
        self.ident = np.ones(W, dtype=bool)
        self.ident[W - 1] = False
        self.cells: list[ModifiedCell] = []
        self.pending: dict[int, float] = {}  # channel -> coefficient on the previous w
        self.scale = 1.0 if act == "tanh" else 2.0  # sigma~(u) = scale * sigma(scale u) - const
        self.counter_scale = 1.0

    def emit(self, keep: Sequence[int], w_row: Mapping[int, float] | None = None, w_bias: float = 0.0,
             adds: Mapping[int, float] | None = None, recurrent: Mapping[int, float] | None = None,
             bias: Mapping[int, float] | None = None, B0: np.ndarray | None = None) -> None:
        """One modified cell: ``keep`` identity channels pass, ``adds[ch]`` * w_prev is added (with pending),
        ``w = sigma(scale * (w_row . h + w_bias))``; ``recurrent[ch]``: A[ch, ch]."""
        W = self.W
        B = np.zeros((W, W)) if B0 is None else B0
        A = np.zeros((W, W))
        th = np.zeros(W)
        for ch in keep:
            B[ch, ch] = 1.0
        wk = W - 1
        for src in (self.pending, adds or {}):
            for ch, coef in src.items():
                if ch not in keep:
                    raise ValueError(f"internal error: an addition into channel {ch}, which is not kept")
                B[ch, wk] += coef
        self.pending = {}
        if w_row is not None:
            for ch, coef in w_row.items():
                B[wk, ch] += self.scale * coef
            th[wk] = self.scale * w_bias
        for ch, coef in (recurrent or {}).items():
            A[ch, ch] = coef
        for ch, v in (bias or {}).items():
            th[ch] += v
        self.cells.append(ModifiedCell(A, B, th, self.ident))

    def gated(self, keep: Sequence[int], row: Mapping[int, float], const: float, counter: int, at: float, K: float,
              gains: Mapping[int, float], reset: Sequence[int] = ()) -> None:
        """Add ``gains[ch] * (sigma~(row.h + const + K (c - at)) - sigma~(K (c - at)))`` to the channels (2 cells);
        ``reset`` channels are set to 0 in the first cell."""
        g = {ch: self.scale * v for ch, v in gains.items()}
        kc = K / self.counter_scale
        self.emit([ch for ch in keep if ch not in reset], {**row, counter: row.get(counter, 0.0) + kc}, const - K * at)
        self.emit(keep, {counter: kc}, -K * at, adds=g)
        self.pending = {ch: -v for ch, v in g.items()}


def _unit_slopes(blk: SmoothBlock, zlo: float, zhi: float) -> dict[int, float]:
    """Per output, the largest slope in z of the block's units (on 257 points of the z range; a linear unit has slope g)."""
    z = np.linspace(zlo, zhi, 257)
    out: dict[int, np.ndarray] = {}
    for unit in blk.units:
        d = np.ones_like(z) if unit.linear else unit.a * (1.0 - np.tanh(unit.a * z + unit.b) ** 2)
        for k, g in unit.gains.items():
            out[k] = out.get(k, 0.0) + g * d
    return {k: float(np.max(np.abs(v))) for k, v in out.items()}


def build_smooth(d_x: int, d_y: int, T: int, lo: Sequence[float], hi: Sequence[float], blocks: Sequence[SmoothBlock],
                 act: str, delta: float, lin_budget: float | None = None) -> tuple[Recurrent, dict]:
    """The plain ``act`` network (width d_x + d_y + 3, + 1 for the sigmoid) and diagnostics.

    ``lin_budget``: the running signal of a block is carried divided by the smallest S >= 1 whose
    linearisation error :math:`L_0/S^2` is within it (wide boxes; a larger :math:`S` costs rounding)."""
    W = d_x + d_y + 3
    V, C = list(range(d_x)), d_x
    A = list(range(d_x + 1, d_x + 1 + d_y))
    S_CH = d_x + d_y + 1
    em = _Emitter(W, d_x, act)
    # the counter is the most sensitive identity channel (its error enters every gate times K): keep it small;
    # for the sigmoid, whose identity channels decode with an absolute error ~2 eps/delta, not too small
    em.counter_scale = delta / (4 * T) if act == "tanh" else delta / 10
    # v = delta xhat, xhat = (x - lo) / (hi - lo), and the counter c[t] = c[t-1] + delta = delta t
    B0 = np.zeros((W, W))
    bias = {}
    for i in V:
        B0[i, i] = delta / (hi[i] - lo[i])
        bias[i] = -delta * lo[i] / (hi[i] - lo[i])
    bias[C] = em.counter_scale
    lift = np.zeros((W, d_x))
    lift[V, V] = 1.0
    em.emit([], recurrent={C: 1.0}, bias=bias, B0=B0)
    base = V + [C] + A
    counts = {"blocks": 0, "loads": 0, "units": 0}
    max_K = 0.0
    lin: dict[tuple[int, int], float] = {}  # (t0, k) -> bound on the tanh(delta u) ~ delta u error of that output
    for blk in blocks:
        counts["blocks"] += 1
        span = len(blk.alpha)
        loads = [tau for tau in range(1, span + 1) if any(blk.alpha[tau - 1])]
        zlo, zhi = blk.z_range()
        zmax = max(abs(zlo), abs(zhi))
        # s' carries delta^2 (z - c) / S; |tanh y - y| <= |y|^3 / 3 bounds the error of the loads on z and of the
        # linear units by L0 / S^2: the smallest S >= 1 within lin_budget (wide boxes need S > 1)
        slopes = _unit_slopes(blk, zlo, zhi)
        cube = delta**2 / 3 * sum(sum(abs(a) for a in blk.alpha[tau - 1]) ** 3 for tau in loads)
        lin_g = sum(abs(g) for u in blk.units if u.linear for g in u.gains.values())
        L0 = max(slopes.values(), default=0.0) * cube + lin_g * delta**2 * zmax**3 / 3
        S = max(1.0, math.sqrt(L0 / lin_budget)) if lin_budget else 1.0
        ez = cube / S**2  # error of z
        for tau in loads:
            row = {V[i]: a / S for i, a in enumerate(blk.alpha[tau - 1]) if a}  # delta alpha . xhat / S = alpha . v / S
            u = delta * sum(abs(a) for a in blk.alpha[tau - 1]) / S
            K = GATE_MARGIN + u
            em.gated(base + [S_CH], row, 0.0, C, float(tau), K, {S_CH: delta}, reset=[S_CH] if tau == loads[0] else [])
            counts["loads"] += 1
        if loads:  # integrator s'[t] = s'[t-1] + s'_in[t] (the pending subtraction of the last load merges here)
            em.emit(base + [S_CH], recurrent={S_CH: 1.0})
        for k, slope in slopes.items():
            lin[blk.t0, k] = lin.get((blk.t0, k), 0.0) + slope * ez
        for unit in blk.units:
            if not any(unit.gains.values()):
                continue
            # a linear term g z is delta g S tanh(delta z / S) ~ delta^2 g z
            a, b = (delta / S, 0.0) if unit.linear else (unit.a, unit.b)
            K = GATE_MARGIN + abs(a) * zmax + abs(b)
            max_K = max(max_K, K)
            row = {S_CH: a * S / delta**2} if (a and loads) else {}
            const = a * blk.c + b
            scale = delta * S if unit.linear else delta**2
            gains = {A[k]: scale * g for k, g in unit.gains.items() if g}
            if unit.linear:
                for k, g in unit.gains.items():
                    lin[blk.t0, k] = lin.get((blk.t0, k), 0.0) + abs(g) * delta**2 * zmax**3 / (3 * S**2)
            em.gated(base + [S_CH], row, const, C, float(blk.t0), K, gains)
            counts["units"] += 1
    em.emit(base)  # flush the last pending subtraction
    readout = np.zeros((d_y, W))
    for k in range(d_y):
        readout[k, A[k]] = 1.0 / delta**2
    net = linearise(lift, em.cells, readout, act, delta)
    return net, {**counts, "max_gate_slope": max_K, "modified_depth": len(em.cells),
                 "linearisation_error": max(lin.values(), default=0.0)}
