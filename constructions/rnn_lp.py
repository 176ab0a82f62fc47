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

**Error and eps** (:mod:`constructions._rnn_lp_error`): the :math:`L^p` error at time :math:`t` is at
most the quantisation term :math:`V_t^{1/p} L \max_i w_i / 2^{M+1}` (:math:`L` the target's declared
Lipschitz constant, or the user's ``lipschitz=``) plus the output-level, ramp, rounding and tail
terms; the witness records this bound as ``predicted_error``.  With ``eps`` and no ``bits``, the
smallest :math:`M` whose bound is at most eps is chosen (:class:`~uat.errors.BudgetExceeded`,
naming the best reachable bound, when none within the budgets is).  Targets without a Lipschitz
constant (discontinuous or opaque callables) get a seeded sampled estimate instead (upper
confidence limit of a 2048-sequence Monte Carlo value, plus the ramp and tail terms): the default
``bits`` must bring it below eps or the build is refused; with ``bits`` given the witness is kept
and its notes start with a WARNING.  Without ``eps`` the largest :math:`M` within the budgets is used.

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
from typing import Any

from uat._demo import DemoCase
from uat.domains import Box
from uat.errors import BudgetExceeded, PrecisionBudgetExceeded

from ._cli import options_from_args
from ._common import all_dims, lp_exponent, optional_positive_int, positive_eps, positive_int
from ._registry import Construction, ConstructionSpec, register
from ._relu_params import nonnegative
from ._rnn_common import add_horizon_argument, horizon, rnn_construction, sequence_target, token_box
from ._rnn_lp_budget import MANTISSA_BITS, choose_bits, n_codes, truncation_radius
from ._rnn_lp_build import build_witness, sampled_terms
from ._rnn_lp_cases import brnn_cases, rnn_cases
from ._rnn_lp_error import ErrorTerms, Witness, plan_bits

__all__ = ["build_rnn_lp", "build_brnn_lp", "width"]

MAX_TRIES = 4

THEOREM = "song2023-rnn-lp"
BRNN_THEOREM = "song2023-brnn-lp"


def _build(name: str, theorem: str, bi: bool, target: Any, *, input_dim: Any, output_dim: Any, T: Any, eps: Any,
           p: Any, domain: Any, bits: Any, ramp_bits: Any, max_codes: Any, whole: Any, radius: Any,
           levels: Any, lipschitz: Any) -> Construction:
    T = horizon(T, default=3, cap=26 if bi else 52)
    p = lp_exponent(p)
    eps = positive_eps(eps, None)
    tgt = sequence_target(target, default="reversal" if bi else "majority", input_dim=input_dim,
                          output_dim=output_dim, bidirectional=bi, alternative="brnn-lp")
    dx = tgt.input_dim
    ramp_bits = optional_positive_int("ramp_bits", ramp_bits)
    max_codes = positive_int("max_codes", max_codes)
    levels = optional_positive_int("levels", levels)
    lip = tgt.lipschitz if lipschitz is None else nonnegative(lipschitz, "lipschitz")
    lip_how = "none" if lip is None else ("declared by the user" if lipschitz is not None else "declared by the target")
    whole = bool(whole)
    tail = None
    if whole and domain is None:  # the truncation box [-L, L]^d_x from the target's tail (or radius)
        L, tail = truncation_radius(tgt, radius, eps, p, T)
        box = Box((-L,) * dx, (L,) * dx)
    else:
        box = token_box(domain, tgt)
        if whole and tgt.tail is not None:  # the tail outside the largest cube [-L, L]^d_x inside the user's box
            L_in = min(min(-float(lo), float(hi)) for lo, hi in zip(box.lo, box.hi))
            tail = max(tgt.tail(L_in, p, t) for t in range(1, T + 1)) if L_in > 0 else math.nan
    fixed = bits is not None
    if fixed:
        M = positive_int("bits (M)", bits)
        used = (2 if bi else 1) * T * (dx * M + 1)
        if used > MANTISSA_BITS:
            raise PrecisionBudgetExceeded(
                f"the packed code needs {'2 ' if bi else ''}T (d_x M + 1) = {used} bits > {MANTISSA_BITS} (float64); "
                "lower T or bits"
            )
        if n_codes(T, dx, M, bi) > max_codes:
            raise BudgetExceeded(f"memorising {n_codes(T, dx, M, bi)} codes exceeds max_codes = {max_codes}; lower T "
                                 "or bits, or raise --param max_codes=...")
        candidates = [M]
    else:
        M_max = choose_bits(T, dx, max_codes, bi)
        candidates = [M_max] if eps is None else plan_bits(tgt, box, lip, T=T, p=p, bi=bi, eps=eps, tail=tail,
                                                           whole=whole, M_max=M_max, max_codes=max_codes, name=name)
    tail_v = 0.0 if tail is None or math.isnan(tail) else tail
    sampled, previous, best = None, math.inf, None
    for M in candidates[:MAX_TRIES]:  # more bits only while the error falls (ramps and rounding grow with M)
        w = build_witness(tgt, box, T, M, p, eps, bi, whole, ramp_bits, levels, lip, tail_v)
        if eps is None:
            break
        check = w.bound if lip is not None else sampled_terms(w, tgt, box, T, p, bi, tail_v)
        sampled = None if lip is not None else check
        if best is None or check.total < best[1].total:
            best = (M, check)
        if check.total <= eps or fixed or check.total >= previous:
            break
        previous = check.total
    if eps is not None and check.total > eps and not fixed:
        raise BudgetExceeded(
            f"{name}: no witness within the budgets meets eps = {eps:g} in L^{p:g}: the best "
            f"{'a-priori bound' if lip is not None else 'sampled estimate'} is {best[1].describe()} at bits = {best[0]} "
            f"(tried bits {candidates[0]}..{w.M}; at most {candidates[-1]} within max_codes = {max_codes} and the "
            f"52-bit code for T = {T}, d_x = {dx}); raise eps, lower T, use p closer to 1, raise --param max_codes=..."
            + (", declare a smaller Lipschitz constant (--param lipschitz=...)" if lip is not None else "")
            + ", or fix --bits to keep a witness with a warning"
        )
    if fixed and eps is not None and lip is not None and w.bound.total > eps:  # explicit bits: measure before warning
        sampled = sampled_terms(w, tgt, box, T, p, bi, tail_v)
    return _construction(name, theorem, w, sampled, tgt, box, T, p, eps, whole, tail, bi, lip, lip_how)


def _construction(name: str, theorem: str, w: Witness, sampled: ErrorTerms | None, tgt: Any, box: Box, T: int,
                  p: float, eps: float | None, whole: bool, tail: float | None, bi: bool, lip: float | None,
                  lip_how: str) -> Construction:
    dx, dy = tgt.input_dim, tgt.output_dim
    grid, bound = w.grid, w.bound
    certified = lip_how != "none"
    params: dict[str, Any] = {"T": T, "bits": w.M, "ramp_bits": w.ramp_bits, "codes": int(len(w.C)), "p": p,
                              "whole_space": whole}
    if certified:
        params["lipschitz"] = float(lip)
    notes = ["exact on the good set (every token off the encoder's ramps)"]
    if certified:
        notes.append(f"a-priori L^{p:g} error bound {bound.describe()} (Lipschitz constant {lip_how})")
    else:
        notes.append(f"no a-priori bound (the target declares no Lipschitz constant; pass --param lipschitz=... if "
                     f"one is known); ramp sets contribute at most {bound.ramps:.3g}")
    if sampled is not None:
        notes.append(f"build-time sampled L^{p:g} estimate {sampled.describe()}")
    check = bound if certified else sampled
    if eps is not None and check is not None and check.total > eps:
        also = f" (sampled estimate {sampled.total:.3g})" if certified and sampled is not None else ""
        notes.insert(0, f"WARNING: the {'a-priori bound' if certified else 'sampled estimate'} {check.total:.3g} "
                        f"exceeds eps = {eps:g} at the user's bits = {w.M}{also}")
    if grid is not None:
        params.update({"output_levels": grid.M, "output_step": float(grid.step)})
        notes.append(f"outputs quantised to a dyadic grid of step {float(grid.step):g} ({grid.M} levels, error <= "
                     f"{grid.error:.3g} per point) and decoded exactly (digit sweeps + raster of {2 * (grid.M - 1)} bends)")
    if whole:
        params["radius"] = float(box.hi[0])
        notes.append("whole space: output exactly 0 once a token leaves the box (outside cells + absorbing flag + gate)"
                     + (f"; target tail outside the box <= {tail:.3g}" if tail is not None and not math.isnan(tail) else ""))
        if eps is not None and (tail is None or math.isnan(tail)):
            notes.insert(0, "WARNING: the target's tail outside the box is unknown (no declared tail, or a box "
                            "without the origin) and is NOT included in the error bound or estimate")
    precision = {"mode": "float64 evaluation of exact rational weights", "bit_budget": MANTISSA_BITS,
                 "max_abs_weight": w.net.max_abs_weight(), **w.precision}
    if certified:
        precision["error_bound"] = bound.as_dict()
    if sampled is not None:
        precision["sampled_error"] = sampled.as_dict()
    return rnn_construction(
        w.net, name=name, theorem=theorem, width=max(dx + 1, dy), target=tgt, box=box, eps=eps, T=T, norm="lp", p=p,
        parameters=params, precision=precision, notes="; ".join(notes), bidirectional=bi, whole_space=whole,
        layers=w.layers, predicted_error=bound.total if certified else None,
    )


def build_rnn_lp(target: Any = None, *, input_dim: int | None = None, output_dim: int | None = None,
                 T: int | None = None, eps: float | None = None, p: float | None = None, domain: Any = None,
                 bits: int | None = None, ramp_bits: int | None = None, max_codes: int = 1 << 14, whole: bool = False,
                 radius: float | None = None, levels: int | None = None, lipschitz: float | None = None,
                 progress: str = "auto") -> Construction:
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
        The requested accuracy: chooses the bits (the smallest :math:`M` whose error bound, or
        sampled estimate, is at most eps), the whole-space radius and the decoder's output grid.
    p : float, optional
        The exponent, :math:`1 \le p < \infty` (default 2).
    domain : str or Box, optional
        The token box (default the target's; with ``whole`` the truncation box).
    bits : int, optional
        :math:`M`, quantisation bits per coordinate, honoured as given (default: from eps; without
        eps the largest within ``max_codes`` and the 52-bit code).
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
    lipschitz : float, optional
        A Lipschitz constant of every :math:`f_t` (max-norm of the inputs to the Euclidean norm of
        the outputs), declared by the user; default: the target's own, if it declares one.
    progress : ignored
        Accepted for a uniform CLI.

    Returns
    -------
    Construction
    """
    return _build("rnn-lp", THEOREM, False, target, input_dim=input_dim, output_dim=output_dim, T=T, eps=eps, p=p,
                  domain=domain, bits=bits, ramp_bits=ramp_bits, max_codes=max_codes, whole=whole, radius=radius,
                  levels=levels, lipschitz=lipschitz)


def build_brnn_lp(target: Any = None, *, input_dim: int | None = None, output_dim: int | None = None,
                  T: int | None = None, eps: float | None = None, p: float | None = None, domain: Any = None,
                  bits: int | None = None, ramp_bits: int | None = None, max_codes: int = 1 << 14, whole: bool = False,
                  radius: float | None = None, levels: int | None = None, lipschitz: float | None = None,
                  progress: str = "auto") -> Construction:
    r"""The bidirectional :math:`L^p` witness at width :math:`\max(d_x + 1, d_y)` (Song et al. 2023, Theorem 23).

    A backward packing cell :math:`p[t] = \rho\,p[t+1] + E[t] + 1` joins the forward one, so every
    output sees the whole sequence: non-causal targets are allowed (default ``reversal``).

    Parameters
    ----------
    target, input_dim, output_dim, T, eps, p, domain, bits, ramp_bits, max_codes, whole, radius, levels, lipschitz
        As for :func:`build_rnn_lp` (T at most 26: the code has twice the bits).
    progress : ignored
        Accepted for a uniform CLI.

    Returns
    -------
    Construction
    """
    return _build("brnn-lp", BRNN_THEOREM, True, target, input_dim=input_dim, output_dim=output_dim, T=T, eps=eps, p=p,
                  domain=domain, bits=bits, ramp_bits=ramp_bits, max_codes=max_codes, whole=whole, radius=radius,
                  levels=levels, lipschitz=lipschitz)


def _add_arguments(p: argparse.ArgumentParser) -> None:
    add_horizon_argument(p, 3)
    p.add_argument("--bits", type=int, help="M: quantisation bits per coordinate (default: the smallest whose error "
                   "bound meets eps; without eps the largest within max_codes)")
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
