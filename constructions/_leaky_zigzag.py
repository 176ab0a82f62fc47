r"""The width-1 L^p witness at :math:`(d_x,d_y)=(1,1)` with the two activations :math:`\{\sigma_\alpha,\sigma_{-\alpha}\}`.

A width-1 network is a composition of 1-D maps.  With :math:`\sigma_\alpha` alone it is monotone
(hence width 2 at (1,1)); the fold :math:`\sigma_{-\alpha}` (a kink of ratio :math:`-\alpha`) lifts
this (Rochau-Chan-Gottschalk).  Construction (our own arrangement, lattice slopes only):

1. **Encoder** :math:`E`: a lattice PL map, flat (slope :math:`\delta=\alpha^m`) on the good part of
   each cell :math:`r` of width :math:`h=2^{-n}`, at the value :math:`2r+\tilde u_r`, where
   :math:`\tilde u_r=(1-\eta)(f_r-LO)/(HI-LO)\in[0,1-\eta]` is the normalised cell value; the strip
   :math:`[(r+1)h-\gamma,(r+1)h]` climbs to the next plateau with two lattice slopes (P1').
2. **Zig-zag** :math:`Z`: the triangle wave with :math:`Z(2r+t)=t`, :math:`Z(2r+1+t)=1-t`
   (:math:`t\in[0,1]`), built left to right: at each turning point :math:`T` a kink of ratio
   :math:`1/\alpha` followed by a fold at the turning level (1 from above for odd :math:`T`, 0 from
   below for even :math:`T`), total ratio :math:`-1`.  Everything already built has values in
   :math:`[0,1]`, on the identity side of both, so it is never re-bent (the pitfall of a naive
   kink-per-breakpoint composition).
3. Output :math:`LO+(HI-LO)Z/(1-\eta)`; so :math:`N=f_r+O(\xi)` on the good part of cell :math:`r`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from uat.activations import leaky_relu
from uat.domains import Box
from uat.errors import ParameterError, PrecisionBudgetExceeded
from uat.targets import Target

from ._common import lp_exponent, positive_eps, progress_meter
from ._leaky_common import catalogue_bounds, modulus, parse_alpha
from ._leaky_lattice import lattice_interpolation
from ._leaky_machine import LeakyMachine, Q
from ._leaky_primitives import Chain, run_chains
from ._registry import Construction

__all__ = ["build_zigzag", "zigzag_chains", "zigzag_closed"]

ETA = Fraction(1, 8)


def zigzag_chains(n_turns: int, alpha: Fraction) -> list[Chain]:
    """Chains of the triangle wave Z(q) on [0, n_turns + 1] (2 layers per turning point)."""
    fold = leaky_relu(-alpha, allow_negative=True)
    inv = Fraction(1) / alpha
    out = []
    for T in range(1, n_turns + 1):
        if T % 2 == 1:  # values above 1: slope x 1/alpha, then fold about 1 (ratio -alpha)
            out.append(Chain(Fraction(1), Fraction(-1), 1, inv, Fraction(1)))
            out.append(Chain(Fraction(-1), Fraction(1), 1, Fraction(-1), Fraction(1), act=fold))
        else:  # values below 0: slope x 1/alpha, then fold about 0
            out.append(Chain(Fraction(-1), Fraction(0), 1, -inv, Fraction(0)))
            out.append(Chain(Fraction(1), Fraction(0), 1, Fraction(1), Fraction(0), act=fold))
    return out


def zigzag_closed(q: np.ndarray) -> np.ndarray:
    """The triangle wave: Z(2r + t) = t, Z(2r + 1 + t) = 1 - t on q >= 0."""
    q = np.asarray(q, dtype=float)
    frac = np.mod(q, 2.0)
    return np.where(frac <= 1.0, frac, 2.0 - frac)


def build_zigzag(target: Target, box: Box, *, eps: float | None = None, p: Any = 2, progress: Any = "auto",
                 alpha: Any = "1/4", bits: int | None = None, gamma_bits: int | None = None, flat: int | None = None,
                 allow_exact: bool = False, **unused: Any) -> Construction:
    """Width-1 {sigma_a, sigma_-a} L^p witness at (1, 1) (see the module docstring)."""
    bad = [k for k in unused if k not in ("knots", "out_bits", "decoder_flat")]
    if bad:
        raise ParameterError(f"unknown parameters for the (1,1) zig-zag witness: {', '.join(sorted(bad))}")
    e = positive_eps(eps, 0.1)
    pf = lp_exponent(p)
    a = parse_alpha(alpha)
    mod = modulus(target, box)
    L = float(mod.lipschitz)
    w = float(box.hi[0] - box.lo[0])
    V = w
    E_good = 0.55 * e / V ** (1 / pf)
    n = int(bits) if bits is not None else max(1, math.ceil(math.log2(max(L * w / (2 * 0.5 * E_good), 1.0))))
    B = 2**n
    h = Fraction(1, B)
    xs = box.lo_array[0] + (np.arange(B) + 0.5) / B * w
    fr = target(xs[:, None])[:, 0]
    LO, HI = float(fr.min()), float(fr.max())
    if HI <= LO:
        HI = LO + 1.0
    LOq, HIq = Q(LO), Q(HI)
    scale = (HIq - LOq) / (1 - ETA)
    u = [(1 - ETA) * (Q(float(v)) - LOq) / (HIq - LOq) for v in fr]
    E_bad = float(np.max(np.abs(fr))) + max(abs(LO), abs(float(LOq + scale)))
    g = int(gamma_bits) if gamma_bits is not None else max(n + 2, math.ceil(math.log2(
        (V * (B - 1)) / ((0.35 * e / E_bad) ** pf))))
    if g < n + 2:
        raise ParameterError(f"gamma_bits = {g} must be >= bits + 2 = {n + 2}")
    gamma = Fraction(1, 2**g)
    xi_max = min(float(ETA) / 2, 0.1 * E_good / float(scale))
    m_min = max(1, math.ceil(math.log(xi_max / float(h)) / math.log(float(a))))
    m = m_min if flat is None else int(flat)
    if m < m_min:
        raise ParameterError(f"flat = {m} violates the flatness condition; the smallest admissible value is {m_min}")
    delta = a**m
    bits_used = n + g
    if bits_used > 45 and not allow_exact:
        raise PrecisionBudgetExceeded(f"the zig-zag witness needs {bits_used} bits > 45; ask for a larger eps or pass "
                                      "allow_exact=True (CLI: --param allow_exact=true)")
    # encoder data (normalised coordinate) -> plateau values 2r + u_r
    c, y = [], []
    for r in range(B):
        c.append(r * h)
        y.append(2 * r + u[r])
        end = (r + 1) * h - gamma if r < B - 1 else Fraction(1)
        c.append(end)
        y.append(2 * r + u[r] + delta * (end - r * h))
    E = lattice_interpolation(c, y, a)
    n_turns = 2 * B - 2
    mach = LeakyMachine(a, 1, 1)
    wq = box.hi[0] - box.lo[0]
    mach.load_input(box, [[1 / wq]], [-box.lo[0] / wq])
    with progress_meter(progress, "leaky-lp-two (zig-zag)") as prog:
        s0, sh = E.affine_part()
        mach.affine([[s0]], [sh])
        run_chains(mach, {0: E.kink_chains()})
        enc_layers = mach.depth
        prog.advance(1, "encoder")
        run_chains(mach, {0: zigzag_chains(n_turns, a)})
        prog.advance(1, "zig-zag")
    net = mach.finish([[scale]], [LOq])
    xi = float(delta * h)
    E_good_actual = L * w / B / 2 + float(scale) * xi
    bad_measure = V * (B - 1) * float(gamma)
    predicted = V ** (1 / pf) * E_good_actual + bad_measure ** (1 / pf) * E_bad
    lower, _, lower_by = catalogue_bounds("lp", 1, 1, activation="leaky_relu_pair")
    return Construction(
        network=net, name="leaky-lp-two", theorem="rochau2024-two-leaky-lp", width=1,
        parameters={"bits": n, "gamma_bits": g, "flat": m, "alpha": str(a), "p": pf, "turning_points": n_turns},
        predicted_error=predicted,
        precision={"bits": bits_used, "budget_bits": 45, "max_abs_weight": net.max_abs_weight(),
                   "max_slot_bound": mach.max_bound, "evaluation": "exact rational weights; float64 evaluation"},
        notes=f"width-1 encoder + zig-zag memorizer with folds; a-priori L^{pf:g} bound {predicted:.3g}; modulus: {mod.how}.",
        target=target.name, domain=str(box), epsilon=e, p=pf,
        extra_metadata={"norm": "lp", "width_status": "exact minimum" if lower == 1 else "upper bound",
                        "lower_bound": lower, "lower_bound_theorems": list(lower_by),
                        "layers": {"encoder_layers": enc_layers, "zigzag_layers": mach.depth - enc_layers}},
    )
