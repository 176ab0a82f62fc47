r"""Assembling one ``rnn-lp`` / ``brnn-lp`` witness at a given :math:`M` and bounding its :math:`L^p` error.

Song, Hwang, Lee, Kang (JMLR 24(121), 2023, Theorems 15 and 23): encoder -> packing -> memoriser ->
decoder (:mod:`constructions.rnn_lp` has the plan, :mod:`constructions._rnn_lp_parts` the stages and
:mod:`constructions._rnn_lp_error` the error terms).  :func:`build_witness` returns the network with
its a-priori error terms; :func:`sampled_terms` is the build-time estimate for targets without a
Lipschitz constant.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from uat._scalars import fraction_from_float
from uat.domains import Box
from uat.errors import BudgetExceeded, NonFiniteError, PrecisionBudgetExceeded
from uat.recurrent import Recurrent

from ._rnn_common import sampled_lp_check
from ._rnn_fold_ops import LpProgram
from ._rnn_lp_budget import grid_from_levels
from ._rnn_lp_error import (
    LEVEL_SHARE, MAX_RAMP_BITS, ErrorTerms, Witness, error_terms, output_range, ramp_bits_needed,
    sampled_quantisation, token_volumes,
)
from ._rnn_lp_parts import G_FLAG, decode, encode, memorise, output_grid, pack, packed_codes

__all__ = ["build_witness", "sampled_terms"]


def build_witness(tgt: Any, box: Box, T: int, M: int, p: float, eps: float | None, bi: bool, whole: bool,
             ramp_bits: int | None, levels: int | None, lip: float | None, tail: float) -> Witness:
    """Build the witness at M bits per coordinate and bound (or estimate) its L^p error."""
    dx, dy = tgt.input_dim, tgt.output_dim
    used = (2 if bi else 1) * T * (dx * M + 1)
    W = max(dx + 1, dy)
    n = 1 << M
    code_mode = dy >= 2 and (whole or dy > dx)
    vols = token_volumes(box, T, bi)
    # -- target values at the cell centres, codes sorted -----------------------------------------
    groups, ints, Lb = packed_codes(T, dx, M, bi)
    lo_a, wid = box.lo_array, box.widths
    vals = []
    for (t, k), c in zip(groups, ints):
        x = lo_a + wid * (k + 0.5) / n
        vals.append(np.asarray(tgt.at(x, t) if not bi else tgt(x)[:, t - 1], dtype=np.float64).reshape(len(k), dy))
    C = np.array([v for c in ints for v in c], dtype=np.int64)
    V = np.concatenate(vals)
    if not np.all(np.isfinite(V)):
        raise NonFiniteError(f"target {tgt.name!r} is not finite at some cell centre of {box} (bits = {M})")
    order = np.argsort(C, kind="stable")
    C, V = C[order], V[order]
    if np.any(np.diff(C) <= 0):
        raise ValueError("internal error: packed codes are not distinct")  # pragma: no cover
    grid = None
    if code_mode:  # the output levels get 1/4 of eps (1/8 on the whole space, where the tail takes 1/4)
        share = (0.05 if eps is None else eps) * (LEVEL_SHARE / 2 if whole else LEVEL_SHARE)
        share /= max(1.0, max(vols) ** (1 / p))
        grid = output_grid(V, share) if levels is None else grid_from_levels(V, levels)
        if grid.M ** dy > 2**40:
            raise BudgetExceeded(f"{grid.M} output levels in {dy} outputs need codes up to {grid.M}^{dy} > 2^40; "
                                 "raise eps or lower levels")
    # the error terms that do not depend on the network (quantisation, levels, tail) and the ramp range
    h = float(np.max(wid)) / 2 ** (M + 1)
    if lip is not None:
        quant = [v ** (1 / p) * lip * h for v in vols]
    elif eps is not None:
        quant = sampled_quantisation(tgt, box, T=T, M=M, p=p, bidirectional=bi)
    else:
        quant = [math.nan] * T
    net_range = output_range(V, grid)
    f_range = float(np.max(np.linalg.norm(V, axis=1))) + (lip * h if lip is not None else 0.0)
    level_error = grid.error if grid is not None else 0.0
    cells = n + 2 if whole else n
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
        if eps is not None:  # thinner still when the ramp term needs it (high p) and the rounding allows
            room = [eps - q - v ** (1 / p) * level_error - tail for q, v in zip(quant, vols)]
            need = ramp_bits_needed(room, vols, T=T, dx=dx, n=n, p=p, bi=bi, cells=cells, bad_range=net_range + f_range)
            if ramp_bits < need <= MAX_RAMP_BITS and encoder_noise(need) <= min_gap / 8:
                ramp_bits = need
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
    layers["memoriser"], min_gap = memorise(prog, s, C, Lb, values, collapse=whole)
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
    rounding = 0.0 if code_mode else out_noise
    bad_range = net_range + f_range + rounding
    bound = error_terms(quant, box, T=T, dx=dx, M=M, p=p, bidirectional=bi, ramp_bits=ramp_bits, cells=cells,
                        bad_range=bad_range, level_error=level_error, rounding=rounding, tail=tail)
    precision = {"code_bits": used, "smallest_code_gap": min_gap, "encoder_rounding_bound": packed_noise,
                 "output_rounding_bound": out_noise}
    return Witness(net, M, ramp_bits, C, V, grid, layers, precision, bound, cells, bad_range)


def sampled_terms(w: Witness, tgt: Any, box: Box, T: int, p: float, bi: bool, tail: float) -> ErrorTerms:
    """The build-time estimate: the in-box error, the ramp term and the tail.

    The in-box term is the larger of the network's sampled error (2048 sequences, the Monte Carlo
    value; :func:`constructions._rnn_common.sampled_lp_check`), a guard against a network that is
    not what the construction says, and the cell-by-cell quantisation estimate (an upper confidence
    limit) plus the output-level and rounding terms (``w.bound``): on the good set the network *is*
    the cell-centre value, and plain sampling misses a jump inside one cell among thousands (its
    confidence limit, from a handful of hits, is loose instead).
    """
    upper, _ = sampled_lp_check(w.net, tgt, T, box, p, bidirectional=bi)
    b = w.bound
    inside = max(max(upper), b.quantisation + b.levels + b.rounding)
    t = int(np.argmax(upper)) + 1 if max(upper) >= b.quantisation + b.levels + b.rounding else b.t
    return ErrorTerms(inside, 0.0, b.ramps, 0.0, tail, t, sampled=True)
