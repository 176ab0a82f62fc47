r"""``rnn-lp`` and ``brnn-lp``: ReLU (B)RNN witnesses of width exactly :math:`\max(d_x + 1, d_y)` for :math:`L^p`.

Song, Hwang, Lee, Kang (JMLR 24(121), 2023, Theorem 15, Table 1): deep ReLU RNNs of width
:math:`\max(d_x+1, d_y)` are dense in :math:`L^p(\mathbb R^{d_x \times T})` for past-dependent maps,
and no smaller width is; Theorem 23 gives the same width for BRNNs and arbitrary
(non-causal) maps.  The witness follows the paper's encoder -> packing -> memoriser ->
decoder plan on a token box :math:`K = \prod_i [lo_i, hi_i]` with :math:`n = 2^M` cells per axis
(:mod:`constructions._rnn_lp_parts` has the stages):

1. **encoder** (token-wise, width :math:`d_x + 1`): per coordinate a collapse-and-shift sweep moves
   the digit :math:`k_i = \lfloor n \hat x_i \rfloor` into the code channel,
   :math:`E = \sum_i k_i 2^{-iM}` (exact outside ramps of total width :math:`2^{-\text{ramp\_bits}}`
   per axis and cell);
2. **packing** (recurrent): :math:`h[t] = \rho\, h[t-1] + E[t] + 1`, :math:`\rho = 2^{-(d_x M + 1)}`
   (all terms positive, so the ReLU is the identity; the marker bit makes
   :math:`(t, k[1..t]) \mapsto h[t]` injective).  The BRNN adds a backward cell
   :math:`p[t] = \rho\, p[t+1] + E[t] + 1` and mixes :math:`m = h[t] - 1 + \rho^T p[t]`;
3. **memoriser** (token-wise): one sweep over the code assigns to every code the target's value at
   the centre of its quantisation cell, flat on a neighbourhood of radius (code gap)/4;
4. **decoder**: when :math:`d_y \le d_x` (or :math:`d_y = 1`) the memoriser writes every output
   directly.  Otherwise (:math:`d_y > d_x`, so the width is :math:`d_y`) it writes *one* integer code
   of the outputs quantised to a dyadic grid of :math:`M_{out}` levels, and relu.md §3.3-3.4
   decode it at width :math:`\max(d_y, 2)`: digit-extraction sweeps and a raster of
   :math:`2(M_{out}-1)` bends.  Integer codes decode *exactly*; the readout is affine
   (``readout_bias``), as it must be: with a linear readout the outputs of :math:`d_y` ReLU
   channels would lie in a pointed cone.

**Whole space** (``whole=True``): the tokens are clamped (two cells), the truncation box
:math:`[-L, L]^{d_x}` is chosen from the target's declared tail
(:math:`\sup_t \|f_t\|_{L^p(\text{outside})} \le \varepsilon/4`) or given as ``radius``, and every
coordinate's sweep has two *outside* cells that put :math:`F = T + 1` into the code.  An absorbing
flag :math:`\psi[t] = \mathrm{relu}(\psi[t-1] + E[t] - 1)` (exactly 0 for in-box histories,
:math:`\ge 1` forever after an outside token) pushes the code beyond every valid code, and a gate
after the memoriser (two neurons, both *off*) sets the output code to the code of 0: the output is
**exactly 0** whenever some token up to time :math:`t` leaves the box (the flag is the paper's
:math:`P_{L,\delta}` clip-to-zero front end with :math:`N(0) = 0`, in a form that keeps valid codes
exact).  The :math:`L^p` error over all of :math:`\mathbb R^{d_x \times t}` is then the in-box error
plus the tail plus the ramp sets.

Budgets: the code needs :math:`T(d_x M + 1) \le 52` bits (BRNN: :math:`2T(d_x M + 1)`), the
memoriser has one step per code change (``max_codes``), and the decoder needs the memoriser's
rounding below 1/8 (:class:`~uat.errors.PrecisionBudgetExceeded` otherwise).

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
from uat.domains import Box
from uat.errors import BudgetExceeded, PrecisionBudgetExceeded
from uat.recurrent import Recurrent

from ._cli import options_from_args
from ._common import all_dims, lp_exponent, optional_positive_int, positive_eps, positive_int
from ._registry import Construction, ConstructionSpec, register
from ._rnn_common import add_horizon_argument, horizon, rnn_construction, sequence_target, token_box
from ._rnn_fold_ops import LpProgram
from ._rnn_lp_budget import MANTISSA_BITS, choose_bits, grid_from_levels, n_codes, truncation_radius
from ._rnn_lp_cases import brnn_cases, rnn_cases
from ._rnn_lp_parts import G_FLAG, decode, encode, memorise, output_grid, pack, packed_codes

__all__ = ["build_rnn_lp", "build_brnn_lp", "width"]

THEOREM = "song2023-rnn-lp"
BRNN_THEOREM = "song2023-brnn-lp"


def _build(name: str, theorem: str, bi: bool, target: Any, *, input_dim: Any, output_dim: Any, T: Any, eps: Any,
           p: Any, domain: Any, bits: Any, ramp_bits: Any, max_codes: Any, whole: Any, radius: Any,
           levels: Any) -> Construction:
    T = horizon(T, default=3, cap=26 if bi else 52)
    p = lp_exponent(p)
    eps = positive_eps(eps, None)
    tgt = sequence_target(target, default="reversal" if bi else "majority", input_dim=input_dim,
                          output_dim=output_dim, bidirectional=bi, alternative="brnn-lp")
    dx, dy = tgt.input_dim, tgt.output_dim
    ramp_bits = optional_positive_int("ramp_bits", ramp_bits)
    max_codes = positive_int("max_codes", max_codes)
    whole = bool(whole)
    M = choose_bits(T, dx, max_codes, bi) if bits is None else positive_int("bits (M)", bits)
    used = (2 if bi else 1) * T * (dx * M + 1)
    if used > MANTISSA_BITS:
        raise PrecisionBudgetExceeded(
            f"the packed code needs {'2 ' if bi else ''}T (d_x M + 1) = {used} bits > {MANTISSA_BITS} (float64); "
            "lower T or bits"
        )
    if n_codes(T, dx, M, bi) > max_codes:
        raise BudgetExceeded(f"memorising {n_codes(T, dx, M, bi)} codes exceeds max_codes = {max_codes}; lower T or "
                             "bits, or raise --param max_codes=...")
    tail = None
    if whole and domain is None:  # the truncation box [-L, L]^d_x from the target's tail (or radius)
        L, tail = truncation_radius(tgt, radius, eps, p, T)
        box = Box((-L,) * dx, (L,) * dx)
    else:
        box = token_box(domain, tgt)
    W = max(dx + 1, dy)
    n = 1 << M
    code_mode = dy >= 2 and (whole or dy > dx)
    # -- target values at the cell centres, codes sorted -----------------------------------------
    groups, ints, Lb = packed_codes(T, dx, M, bi)
    lo_a, wid = box.lo_array, box.widths
    vals = []
    for (t, k), c in zip(groups, ints):
        x = lo_a + wid * (k + 0.5) / n
        vals.append(np.asarray(tgt.at(x, t) if not bi else tgt(x)[:, t - 1], dtype=np.float64).reshape(len(k), dy))
    C = np.array([v for c in ints for v in c], dtype=np.int64)
    V = np.concatenate(vals)
    order = np.argsort(C, kind="stable")
    C, V = C[order], V[order]
    if np.any(np.diff(C) <= 0):
        raise ValueError("internal error: packed codes are not distinct")  # pragma: no cover
    grid = None
    if code_mode:
        eps_q = (0.05 if eps is None else eps) / 2 if levels is None else None
        grid = output_grid(V, eps_q) if levels is None else grid_from_levels(V, positive_int("levels", levels))
        if grid.M ** dy > 2**40:
            raise BudgetExceeded(f"{grid.M} output levels in {dy} outputs need codes up to {grid.M}^{dy} > 2^40; "
                                 "raise eps or lower levels")
    # -- the network -------------------------------------------------------------------------------
    prog = LpProgram(W, list(box.lo) + [Fraction(0)] * (W - dx), list(box.hi) + [Fraction(0)] * (W - dx))
    code = dx
    F = Fraction(T + 1) if whole else None
    rho = 2.0 ** -(dx * M + 1)
    min_gap = float(np.diff(C).min()) * 2.0**-Lb if len(C) > 1 else 1.0

    def encoder_noise(rb: int) -> float:
        trial = LpProgram(W, list(prog.lo), list(prog.hi))
        encode(trial, dx, box.lo, box.hi, M, Fraction(1, n << rb), F)
        return trial.rounding[code] / (1 - rho) * (1 + rho**T if bi else 1) + 4 * T * 2.0**-53

    if ramp_bits is None:  # the thinnest ramps (up to 2^-20 of a cell) whose encoder rounding fits the code gaps
        ramp_bits = next((rb for rb in range(20, 3, -1) if encoder_noise(rb) <= min_gap / 8), 4)
    ramp = Fraction(1, n << ramp_bits)
    layers = {"encoder": encode(prog, dx, box.lo, box.hi, M, ramp, F)}
    packed_noise = prog.rounding[code] / (1 - rho) * (1 + rho**T if bi else 1) + 4 * T * 2.0**-53
    s, layers["packing"] = pack(prog, code, dx, M, T, whole, bi)
    if packed_noise > min_gap / 8:
        raise PrecisionBudgetExceeded(
            f"the encoder's float64 rounding ({packed_noise:.2e}) is not below 1/8 of the smallest code gap "
            f"({min_gap:.2e}); lower T or bits, or use fewer ramp_bits"
        )
    if code_mode:
        receivers = [0]
        values = {0: [Fraction(c) for c in grid.codes(V)]}
    else:
        receivers = [o for o in range(W) if o != s][:dy]
        values = {r: [fraction_from_float(float(v)) for v in V[:, k]] for k, r in enumerate(receivers)}
    layers["memoriser"], min_gap = memorise(prog, s, C, Lb, values)
    out_noise = max(prog.rounding[r] for r in receivers)
    qb = None
    if whole:
        e1 = prog.lo[s]
        center = Fraction(grid.zero_code()) if code_mode else Fraction(0)
        if len(receivers) != 1:  # pragma: no cover - code mode and d_y = 1 both have one receiver
            raise ValueError("internal error: the whole-space gate handles one receiver")
        prog.gate(receivers[0], s, (1 / (G_FLAG - e1), -e1 / (G_FLAG - e1)), center)
        layers["gate"] = 1
    if code_mode:
        if out_noise > 1 / 8:
            raise PrecisionBudgetExceeded(
                f"the memoriser's float64 rounding bound ({out_noise:.2e}) on the output code is not below 1/8 (the "
                "decoder snaps integer codes within 1/4); lower T, bits or the number of output levels"
            )
        prog.set_bounds(0, 0, grid.M**dy - 1)
        where, layers["decoder"] = decode(prog, 0, dy, grid.M)
        Q, qb = prog.readout_affine({k: {where[k]: grid.step} for k in range(dy)}, dict(enumerate(grid.lo)), dy)
    elif whole:
        Q, qb = prog.readout_affine({0: {receivers[0]: Fraction(1)}}, {}, dy)
    else:
        prog.finish(one=s, keep=receivers)
        Q = prog.readout({k: {r: Fraction(1)} for k, r in enumerate(receivers)}, {}, one=s, d_y=dy)
        layers["finish"] = 1
    lift = np.empty((W, dx), dtype=object)
    lift[...] = Fraction(0)
    for i in range(dx):
        lift[i, i] = Fraction(1)
    net = Recurrent(lift, tuple(prog.cells), Q, readout_bias=qb)
    return _construction(name, theorem, net, tgt, box, W, T, M, p, eps, C, V, grid, whole, tail, ramp_bits, n, bi,
                         layers, {"code_bits": used, "smallest_code_gap": min_gap, "encoder_rounding_bound": packed_noise,
                                  "output_rounding_bound": out_noise})


def _construction(name: str, theorem: str, net: Recurrent, tgt: Any, box: Box, W: int, T: int, M: int, p: float,
                  eps: float | None, C: np.ndarray, V: np.ndarray, grid: Any, whole: bool, tail: float | None,
                  ramp_bits: int, n: int, bi: bool, layers: dict, precision: dict) -> Construction:
    dx, dy = tgt.input_dim, tgt.output_dim
    vmax = float(np.max(np.abs(V))) if V.size else 0.0
    if grid is not None:
        vmax = max(vmax, math.sqrt(dy) * max(max(abs(float(l)), abs(float(l + (grid.M - 1) * grid.step))) for l in grid.lo))
    cells = n + 2 if whole else n
    span = T if bi else None
    bad = []
    for t in range(1, T + 1):
        ln = span or t
        bad.append(ln * dx * cells * 2.0**-ramp_bits / n * box.volume**ln)
    bad_bound = max(2 * vmax * b ** (1 / p) for b in bad)
    params: dict[str, Any] = {"T": T, "bits": M, "ramp_bits": ramp_bits, "codes": int(len(C)), "p": p,
                              "whole_space": whole}
    notes = [f"exact on the good set; ramp sets (measure <= {max(bad):.3g} at the worst t) contribute at most "
             f"{bad_bound:.3g} to the L^{p:g} error; the quantisation error of the target (cells of side 2^-{M} of the "
             "box) is not bounded a priori"]
    if grid is not None:
        params.update({"output_levels": grid.M, "output_step": float(grid.step)})
        notes.append(f"outputs quantised to a dyadic grid of step {float(grid.step):g} ({grid.M} levels, error <= "
                     f"{grid.error:.3g} per point) and decoded exactly (digit sweeps + raster of {2 * (grid.M - 1)} bends)")
    if whole:
        params["radius"] = float(box.hi[0])
        notes.append("whole space: output exactly 0 once a token leaves the box (outside cells + absorbing flag + gate)"
                     + (f"; target tail outside the box <= {tail:.3g}" if tail is not None and not math.isnan(tail) else ""))
    return rnn_construction(
        net, name=name, theorem=theorem, width=W, target=tgt, box=box, eps=eps, T=T, norm="lp", p=p,
        parameters=params,
        precision={"mode": "float64 evaluation of exact rational weights", "bit_budget": MANTISSA_BITS,
                   "max_abs_weight": net.max_abs_weight(), **precision},
        notes="; ".join(notes), bidirectional=bi, whole_space=whole, layers=layers,
    )


def build_rnn_lp(target: Any = None, *, input_dim: int | None = None, output_dim: int | None = None,
                 T: int | None = None, eps: float | None = None, p: float | None = None, domain: Any = None,
                 bits: int | None = None, ramp_bits: int | None = None, max_codes: int = 1 << 14, whole: bool = False,
                 radius: float | None = None, levels: int | None = None, progress: str = "auto") -> Construction:
    r"""The causal :math:`L^p` witness at width :math:`\max(d_x + 1, d_y)` (Song et al. 2023, Theorem 15).

    Encoder, packing :math:`h[t] = \rho\,h[t-1] + E[t] + 1`, memoriser and decoder (module docstring):
    exact on the good set; the ramp sets and the quantisation of the target make the error.

    Parameters
    ----------
    target : str, callable or SequenceTarget, optional
        A causal sequence target (default ``majority``).
    input_dim, output_dim : int, optional
        :math:`d_x`, :math:`d_y` (checked against the target).
    T : int, optional
        The horizon (default 3; at most 52).
    eps : float, optional
        The requested accuracy (used for the whole-space radius and the decoder's output grid).
    p : float, optional
        The exponent, :math:`1 \le p < \infty` (default 2).
    domain : str or Box, optional
        The token box (default the target's; with ``whole`` the truncation box).
    bits : int, optional
        :math:`M`, quantisation bits per coordinate (default: the largest within ``max_codes`` and
        the 52-bit code).
    ramp_bits : int, optional
        Ramps of width :math:`2^{-\text{ramp\_bits}}` of a cell (default: the largest :math:`\le 20` whose
        encoder rounding fits the code gaps).
    max_codes : int
        The largest number of codes the memoriser may hold.
    whole : bool
        Build the whole-space witness (output exactly 0 once a token leaves the box).
    radius : float, optional
        Whole space: the truncation radius :math:`L` (default: from the target's tail and eps).
    levels : int, optional
        :math:`d_y > d_x`: the number of output levels of the decoder (default: from eps).
    progress : ignored
        Accepted for a uniform CLI.

    Returns
    -------
    Construction
    """
    return _build("rnn-lp", THEOREM, False, target, input_dim=input_dim, output_dim=output_dim, T=T, eps=eps, p=p,
                  domain=domain, bits=bits, ramp_bits=ramp_bits, max_codes=max_codes, whole=whole, radius=radius,
                  levels=levels)


def build_brnn_lp(target: Any = None, *, input_dim: int | None = None, output_dim: int | None = None,
                  T: int | None = None, eps: float | None = None, p: float | None = None, domain: Any = None,
                  bits: int | None = None, ramp_bits: int | None = None, max_codes: int = 1 << 14, whole: bool = False,
                  radius: float | None = None, levels: int | None = None, progress: str = "auto") -> Construction:
    r"""The bidirectional :math:`L^p` witness at width :math:`\max(d_x + 1, d_y)` (Song et al. 2023, Theorem 23).

    A backward packing cell :math:`p[t] = \rho\,p[t+1] + E[t] + 1` joins the forward one, so every
    output sees the whole sequence: non-causal targets are allowed (default ``reversal``).

    Parameters
    ----------
    target, input_dim, output_dim, T, eps, p, domain, bits, ramp_bits, max_codes, whole, radius, levels, progress
        As for :func:`build_rnn_lp` (T at most 26: the code has twice the bits).

    Returns
    -------
    Construction
    """
    return _build("brnn-lp", BRNN_THEOREM, True, target, input_dim=input_dim, output_dim=output_dim, T=T, eps=eps, p=p,
                  domain=domain, bits=bits, ramp_bits=ramp_bits, max_codes=max_codes, whole=whole, radius=radius,
                  levels=levels)


def _add_arguments(p: argparse.ArgumentParser) -> None:
    add_horizon_argument(p, 3)
    p.add_argument("--bits", type=int, help="M: quantisation bits per coordinate (default: largest within max_codes)")
    p.add_argument("--whole", action="store_true", help="whole-space witness (output exactly 0 outside the box)")
    p.add_argument("--radius", type=float, help="whole space: truncation radius L (default: from the target's tail)")
    p.add_argument("--levels", type=int, help="d_y > d_x: output levels of the decoder (default: from eps)")


_from_args = options_from_args("T", "bits", "radius", "levels", flags=("whole",))


def width(d_x: int, d_y: int, **_: Any) -> int:
    r"""The width :math:`\max(d_x + 1, d_y)`: the exact minimum for L^p (Song et al. 2023, Theorem 15; BRNN: Theorem 23).

    Parameters
    ----------
    d_x, d_y : int
        Token and output dimensions (other keywords, e.g. the horizon, are ignored).

    Returns
    -------
    int
    """
    return max(d_x + 1, d_y)


_SHARED = dict(family="rnn", norm="lp", width=width, supports=all_dims, add_arguments=_add_arguments,
               from_args=_from_args)

register(ConstructionSpec(
    name="rnn-lp",
    theorem=THEOREM,
    summary="deep ReLU RNN of width max(d_x+1, d_y) for a causal L^p sequence target (quantise, pack, memorise, "
            "decode; box or whole space)",
    builder=build_rnn_lp,
    width_kind="exact minimum (JMLR Table 1)",
    contract_cases=rnn_cases,
    **_SHARED,
))

register(ConstructionSpec(
    name="brnn-lp",
    theorem=BRNN_THEOREM,
    summary="deep ReLU BRNN of width max(d_x+1, d_y) for a non-causal L^p sequence target (forward and backward "
            "packing, memorise, decode)",
    builder=build_brnn_lp,
    width_kind="construction width max(d_x+1, d_y) (Theorem 23's value; lower bound from the RNN case)",
    contract_cases=brnn_cases,
    **_SHARED,
))


def demo_cases(quick: bool = False) -> list[DemoCase]:
    """One L^p witness for ``uat demo``: the discontinuous majority target, T = 2, 5 bits, width 2.

    Parameters
    ----------
    quick : bool
        Smaller settings for ``uat demo --quick`` (the same witness).

    Returns
    -------
    list of uat._demo.DemoCase
    """
    from ._registry import build

    c = build("rnn-lp", "majority", T=2, bits=5, p=1.0, eps=0.05)
    return [DemoCase(title="rnn-lp majority T=2 (L^1)", theorem=c.theorem, network=c.network, target="majority",
                     domain="[0,1]", norm="lp", eps=0.05, p=1.0, minimum="2")]
