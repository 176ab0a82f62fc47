r"""``rnn-lp``: a deep ReLU RNN of width exactly :math:`\max(d_x + 1, d_y)` for :math:`L^p` targets.

Song, Hwang, Lee, Kang (JMLR 24(121), 2023, Theorem 15, Table 1): deep ReLU RNNs of width
:math:`\max(d_x+1, d_y)` are dense in :math:`L^p` for past-dependent maps, and no smaller
width is.  The witness follows the paper's encoder -> packing -> memoriser plan, on a token
box :math:`K = \prod [lo_i, hi_i]`, with :math:`n = 2^M` cells per axis:

1. **encoder** (token-wise, width :math:`d_x + 1`): :math:`\hat x = (x - lo)/(hi - lo)`; for each
   coordinate a collapse-and-shift sweep (:mod:`constructions._rnn_fold`) moves the digit
   :math:`k_i = \lfloor n \hat x_i \rfloor` into the code channel,
   :math:`E = \sum_i k_i 2^{-iM}` (exact outside ramps of total width :math:`\eta` per axis);
2. **packing** (one recurrent channel): :math:`h[t] = \rho\, h[t-1] + E[t] + 1`,
   :math:`\rho = 2^{-(d_x M + 1)}`; every term is positive, so the ReLU is the identity, and the
   marker bit makes :math:`(t, k[1..t]) \mapsto h[t]` injective;
3. **memoriser** (token-wise): one sweep over the code :math:`c = h - 1` with one receiver per
   output assigns to every code the target's value at the centre of its quantisation cell,
   exactly on a neighbourhood of radius (code gap)/4.

The bit budget is :math:`T(d_x M + 1) \le 52` (codes and their cell midpoints are exact
float64 dyadics); beyond it :class:`~uat.errors.PrecisionBudgetExceeded` is raised.  The
memoriser has one step per code change, so the number of codes
:math:`\sum_{t \le T} 2^{t d_x M}` is bounded by ``max_codes`` (:class:`~uat.errors.BudgetExceeded`).
The error is the quantisation error of the target (unknown a priori for discontinuous targets)
plus the ramp sets (measure :math:`\le t d_x \eta` at time :math:`t`).  Supported: :math:`d_y = 1`
or :math:`d_y \le d_x` (the memoriser writes all outputs at once); :math:`d_y > d_x \ge 1`,
:math:`d_y \ge 2` needs Park et al.'s width-:math:`d_y` decoder, which is not implemented.

>>> from constructions import build
>>> c = build("rnn-lp", "majority", T=2, bits=3)
>>> c.network.width, c.width, c.theorem
(2, 2, 'song2023-rnn-lp')
"""

from __future__ import annotations

import argparse
import math
from fractions import Fraction
from typing import Any

import numpy as np

from uat._demo import DemoCase
from uat._scalars import fraction_from_float
from uat.domains import parse_domain
from uat.errors import BudgetExceeded, DimensionMismatch, ParameterError, PrecisionBudgetExceeded
from uat.recurrent import Recurrent
from uat.sequence_targets import make_sequence_target

from ._registry import Construction, ConstructionSpec, ContractCase, register
from ._rnn_fold import FoldProgram

__all__ = ["build_rnn_lp"]

THEOREM = "song2023-rnn-lp"
MANTISSA_BITS = 52


def _codes(T: int, dx: int, M: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per t: digit arrays (N_t, t, dx) and integer codes (N_t,) of c = h - 1 scaled by 2^L."""
    n = 1 << M
    L = T * (dx * M + 1) - 1
    digits, codes = [], []
    for t in range(1, T + 1):
        k = np.indices((n,) * (t * dx)).reshape(t * dx, -1).T.reshape(-1, t, dx).astype(np.int64)
        e_int = sum(k[:, :, i] << ((dx - 1 - i) * M) for i in range(dx))  # E * 2^(dx M)
        step = dx * M + 1
        H = np.zeros(len(k), dtype=np.int64)
        for j in range(t):  # token j (0-based) weighs rho^(t-1-j)
            H += (e_int[:, j] + (1 << (dx * M))) << (L - dx * M - step * (t - 1 - j))
        digits.append(k)
        codes.append(H - (1 << L))
    return digits, codes


def _choose_bits(T: int, dx: int, max_codes: int) -> int:
    best = None
    for M in range(1, 24):
        n_codes = sum(2 ** (t * dx * M) for t in range(1, T + 1))
        if n_codes > max_codes or T * (dx * M + 1) > MANTISSA_BITS:
            break
        best = M
    if best is None:
        raise BudgetExceeded(
            f"even M = 1 bit per coordinate needs {sum(2 ** (t * dx) for t in range(1, T + 1))} codes for T = {T}, "
            f"d_x = {dx} (max_codes = {max_codes}); lower T or raise --param max_codes=..."
        )
    return best


def build_rnn_lp(target: Any = None, *, input_dim: int | None = None, output_dim: int | None = None,
                 T: int | None = None, eps: float | None = None, p: float | None = None, domain: Any = None,
                 bits: int | None = None, ramp_bits: int = 20, max_codes: int = 1 << 14,
                 progress: str = "auto") -> Construction:
    """Build the L^p witness (see the module docstring); ``bits`` is M (default: the largest within budget)."""
    T = 3 if T is None else T
    if isinstance(T, bool) or not isinstance(T, int) or not 1 <= T <= 52:
        raise ParameterError(f"the horizon T must be an integer in 1..52, got {T!r}")
    p = 2.0 if p is None else float(p)
    if not 1 <= p < math.inf:
        raise ParameterError(f"p must satisfy 1 <= p < inf, got {p!r}")
    tgt = make_sequence_target("majority" if target is None else target, input_dim=input_dim)
    if output_dim is not None and output_dim != tgt.output_dim:
        raise DimensionMismatch(f"target {tgt.name!r} has d_y = {tgt.output_dim}, but --dy {output_dim} was given")
    if not tgt.causal:
        raise ParameterError(f"target {tgt.name!r} is not causal: an RNN cannot approximate it")
    dx, dy = tgt.input_dim, tgt.output_dim
    if dy > 1 and dy > dx:
        raise ParameterError(
            f"rnn-lp supports d_y = 1 or d_y <= d_x (got d_x = {dx}, d_y = {dy}); the width-d_y decoder for "
            "d_y > d_x is not implemented"
        )
    for key, val in (("ramp_bits", ramp_bits), ("max_codes", max_codes)):
        if isinstance(val, bool) or not isinstance(val, int) or val < 1:
            raise ParameterError(f"{key} must be a positive integer, got {val!r}")
    M = _choose_bits(T, dx, max_codes) if bits is None else bits
    if isinstance(M, bool) or not isinstance(M, int) or M < 1:
        raise ParameterError(f"bits (M) must be a positive integer, got {M!r}")
    used = T * (dx * M + 1)
    if used > MANTISSA_BITS:
        raise PrecisionBudgetExceeded(
            f"the packed code needs T (d_x M + 1) = {T}*({dx}*{M}+1) = {used} bits > {MANTISSA_BITS} (float64); "
            "lower T or bits"
        )
    n_codes = sum(2 ** (t * dx * M) for t in range(1, T + 1))
    if n_codes > max_codes:
        raise BudgetExceeded(f"memorising {n_codes} codes exceeds max_codes = {max_codes}; lower T or bits, "
                             "or raise --param max_codes=...")
    box = parse_domain(domain if domain is not None else tgt.domain, dim=dx)
    W = max(dx + 1, dy)
    n = 1 << M
    L = used - 1
    scale = Fraction(1, 1 << L)
    # -- values at cell centres, codes sorted ------------------------------------------------
    digits, codes = _codes(T, dx, M)
    lo, wid = box.lo_array, box.widths
    all_codes, all_vals = [], []
    for t, (k, c) in enumerate(zip(digits, codes), start=1):
        x = lo + wid * (k + 0.5) / n
        all_vals.append(np.asarray(tgt.at(x, t), dtype=np.float64).reshape(len(k), dy))
        all_codes.append(c)
    C = np.concatenate(all_codes)
    V = np.concatenate(all_vals)
    order = np.argsort(C, kind="stable")
    C, V = C[order], V[order]
    if np.any(np.diff(C) <= 0):
        raise ValueError("internal error: packed codes are not distinct")  # pragma: no cover
    # -- the network ---------------------------------------------------------------------------
    prog = FoldProgram(W, list(box.lo) + [Fraction(0)] * (W - dx), list(box.hi) + [Fraction(0)] * (W - dx))
    code = dx
    prog.affine({i: {i: 1 / (box.hi[i] - box.lo[i])} for i in range(dx)},
                {i: -box.lo[i] / (box.hi[i] - box.lo[i]) for i in range(dx)})
    delta = Fraction(1, n << ramp_bits)  # ramp width per cell: a fraction 2^-ramp_bits of the axis
    enc_layers = 0
    for i in range(1, dx + 1):
        unit = Fraction(1, 1 << (i * M))
        prog.affine({code: {code: 1}}, {code: (n - 1) * unit})
        ends = [Fraction(j + 1, n) - delta for j in range(n)]
        enc_layers += prog.sweep(i - 1, ends, [delta] * n, {code: [-unit] * (n - 1) + [Fraction(0)]})
    code_noise = prog.rounding[code]
    rho = Fraction(1, 1 << (dx * M + 1))
    prog.recurrent_cell({code: ({code: 1}, Fraction(1))}, {code: {code: rho}})
    prog.lo = [Fraction(0)] * W
    prog.hi = [Fraction(0)] * W
    prog.lo[code], prog.hi[code] = Fraction(1), Fraction(2)
    prog.affine({code: {code: 1}}, {code: Fraction(-1)})
    packed_noise = code_noise / (1 - float(rho)) + 4 * T * 2.0**-53
    gaps = np.diff(C)
    min_gap = float(gaps.min()) * float(scale) if len(gaps) else 1.0
    if packed_noise > min_gap / 8:
        raise PrecisionBudgetExceeded(
            f"the encoder's float64 rounding ({packed_noise:.2e}) is not below 1/8 of the smallest code gap "
            f"({min_gap:.2e}); lower T or bits, or use fewer ramp_bits"
        )
    receivers = list(range(dy))
    vals = [[fraction_from_float(float(v)) for v in V[:, k]] for k in range(dy)]
    prog.affine({r: {} for r in receivers}, {r: vals[k][-1] for k, r in enumerate(receivers)})
    ends = [Fraction(int(C[j]) * 4 + int(gaps[j]), 4) * scale for j in range(len(C) - 1)]  # c_j + gap/4
    widths = [Fraction(int(gaps[j]), 2) * scale for j in range(len(C) - 1)]
    incs = {r: [vals[k][j] - vals[k][j + 1] for j in range(len(C) - 1)] for k, r in enumerate(receivers)}
    mem_layers = prog.sweep(code, ends, widths, incs)
    out_noise = max(prog.rounding[r] for r in receivers)
    prog.finish(one=code, keep=receivers)
    Q = prog.readout({k: {r: Fraction(1)} for k, r in enumerate(receivers)}, {}, one=code, d_y=dy)
    lift = np.empty((W, dx), dtype=object)
    lift[...] = Fraction(0)
    for i in range(dx):
        lift[i, i] = Fraction(1)
    net = Recurrent(lift, tuple(prog.cells), Q)
    bad = [t * dx * float(n * delta) for t in range(1, T + 1)]
    vmax = float(np.max(np.abs(V))) if V.size else 0.0
    bad_bound = max((2 * vmax * math.sqrt(dy)) * (b * box.volume**t) ** (1 / p) for t, b in enumerate(bad, start=1))
    return Construction(
        network=net,
        name="rnn-lp",
        theorem=THEOREM,
        width=W,
        parameters={"T": T, "bits": M, "ramp_bits": ramp_bits, "codes": int(len(C)), "p": p},
        predicted_error=None,
        precision={
            "mode": "float64 evaluation of exact rational weights",
            "code_bits": used,
            "bit_budget": MANTISSA_BITS,
            "smallest_code_gap": min_gap,
            "encoder_rounding_bound": packed_noise,
            "output_rounding_bound": out_noise,
            "max_abs_weight": net.max_abs_weight(),
        },
        notes=(f"exact on the good set; ramp sets of measure <= t*d_x*2^-{ramp_bits} at time t contribute at most "
               f"{bad_bound:.3g} to the L^{p:g} error; the quantisation error of the target (cells of side 2^-{M}) "
               "is not bounded a priori"),
        target=tgt.name,
        domain=str(box),
        epsilon=None if eps is None else float(eps),
        p=p,
        extra_metadata={"norm": "lp", "horizon": T, "family": "rnn", "layers": {"encoder": enc_layers, "packing": 1,
                        "memoriser": mem_layers, "finish": 1}},
    )


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--T", type=int, dest="T", help="sequence length (horizon), default 3")
    p.add_argument("--bits", type=int, help="M: quantisation bits per coordinate (default: largest within max_codes)")


def _from_args(args: argparse.Namespace) -> dict[str, Any]:
    from ._cli import default_from_args

    kw = default_from_args(args)
    for key in ("T", "bits"):
        if getattr(args, key, None) is not None:
            kw[key] = getattr(args, key)
    return kw


def _contract_cases() -> list[ContractCase]:
    return [
        ContractCase("majority T=2 L^1", "majority", {"T": 2, "bits": 5, "p": 1.0, "eps": 0.05}, {"d_x": 1, "d_y": 1},
                     "lp", 0.05, p=1.0),
        ContractCase("running mean T=2 L^2", "running-mean", {"T": 2, "bits": 5, "p": 2.0, "eps": 0.03},
                     {"d_x": 1, "d_y": 1}, "lp", 0.03, p=2.0),
        ContractCase("d_x=2 d_y=2 T=1", "running-max", {"T": 1, "input_dim": 2, "bits": 5, "p": 2.0, "eps": 0.05},
                     {"d_x": 2, "d_y": 2}, "lp", 0.05, p=2.0),
    ]


register(ConstructionSpec(
    name="rnn-lp",
    theorem=THEOREM,
    family="rnn",
    norm="lp",
    summary="deep ReLU RNN of width max(d_x+1, d_y) for a causal L^p sequence target (quantise, pack, memorise)",
    width=lambda d_x, d_y, **_: max(d_x + 1, d_y),
    supports=lambda d_x=1, d_y=1, **_: d_y == 1 or d_y <= d_x,
    builder=build_rnn_lp,
    add_arguments=_add_arguments,
    from_args=_from_args,
    width_kind="exact minimum (JMLR Table 1)",
    contract_cases=_contract_cases,
))


def demo_cases(quick: bool = False) -> list[DemoCase]:
    """One L^p witness: the discontinuous majority target, T = 2, 5 bits, width 2."""
    from ._registry import build

    c = build("rnn-lp", "majority", T=2, bits=5, p=1.0, eps=0.05)
    return [DemoCase(title="rnn-lp majority T=2 (L^1)", theorem=c.theorem, network=c.network, target="majority",
                     domain="[0,1]", norm="lp", eps=0.05, p=1.0, minimum="2")]
