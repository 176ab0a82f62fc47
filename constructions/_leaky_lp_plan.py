r"""Parameters and a-priori error budget of the L^p coding scheme (see :mod:`constructions._leaky_coding`).

For an :math:`L`-Lipschitz target (Euclidean norms) with :math:`|f|\le B` on a box of volume
:math:`V`, the witness :math:`N` satisfies

.. math::  \|N-f\|_{L^p(K)} \le V^{1/p}E_{good} + \big(V\,q\,(2^n-1)\,\gamma\big)^{1/p}E_{bad}

where :math:`E_{good}` bounds the error off the strips (cell size, row interpolation, output
quantisation, code leak, decoder leak) and :math:`E_{bad}\le\sup|f|+\sup|N|` is the error on
the strips (the network stays in the hull of the memorised values there; the decoder's range
is computed exactly).  Parameters (each overridable): ``bits`` :math:`n`, ``knots`` (rows),
``out_bits`` :math:`M`, ``gamma_bits`` :math:`g` (:math:`\gamma=2^{-g}`), ``flat`` :math:`m`,
``decoder_flat`` :math:`m_d`.  Precision budget: :math:`n q+M(d_y-1)+g\le 45` bits in float64.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from uat.domains import Box
from uat.errors import BudgetExceeded, ParameterError, PrecisionBudgetExceeded
from uat.targets import Target

from ._leaky_coding import (THETA, CodingPlan, leak_total, leak_total_stepped, staircase_map, staircase_scale)
from ._leaky_common import Modulus
from ._leaky_machine import Q

__all__ = ["plan_lp", "BITS_BUDGET", "THETA_END"]

BITS_BUDGET = 45
MAX_POINTS = 60_000   # memorised points; each costs a few layers
THETA_END = THETA + THETA / 8   # rows: flat extension of each row absorbs the code leak


def _smallest_m(alpha: Fraction, n: int, q: int, gamma: Fraction, xi_max: float) -> int:
    m = 1
    while float(leak_total(alpha, n, q, gamma, m)) > xi_max:
        m += 1
        if m > 400:
            raise ParameterError("no flat slope satisfies the flatness condition; the parameters are out of range")
    return m


def _decoder_ranges(alpha: Fraction, M: int, theta_s: Fraction, m_d: int, mu: Fraction, d_y: int,
                    v1: tuple[float, float]) -> list[tuple[float, float]]:
    """Exact ranges of the decoder's normalised outputs (levels l_hat_j, last y~) for v_1 in [lo, hi]."""
    St = staircase_map(alpha, M, theta_s, m_d)
    R_d = float(staircase_scale(alpha, theta_s, m_d))
    bk = np.array([float(t) for t, _ in St.breaks])
    out = []
    lo, hi = v1
    for j in range(d_y - 1):
        pts = np.concatenate([[lo, hi], bk[(bk > lo) & (bk < hi)]])
        S = St(pts) / R_d
        out.append((float(S.min()), float(S.max())))
        g = pts - S - float(mu)
        factor = 2.0**M / float(THETA) if j < d_y - 2 else 1.0 / float(THETA)
        lo, hi = float(g.min()) * factor, float(g.max()) * factor
    out.append((lo, hi))
    return out


def plan_lp(target: Target, box: Box, mod: Modulus, eps: float, p: float, alpha: Fraction, *,
            bits: int | None = None, knots: int | None = None, out_bits: int | None = None,
            gamma_bits: int | None = None, flat: int | None = None, decoder_flat: int | None = None,
            allow_exact: bool = False, stepped: bool = False) -> CodingPlan:
    """Choose the parameters from eps, p and the modulus, and compute the memorizer data.

    ``stepped=True`` plans the uniform variant with the stepped encoder (exact quantiser, no
    strips): ``eps`` is then a sup-norm target and ``p`` is ignored.
    """
    d_x, d_y = box.dim, target.output_dim
    rows = d_y == 1
    q = d_x - 1 if rows else d_x
    V = box.volume
    Vp = 1.0 if stepped else V ** (1.0 / p)
    L = float(mod.lipschitz) if mod.lipschitz is not None else math.inf
    if not math.isfinite(L):
        raise ParameterError("the coding scheme needs a Lipschitz bound of the target (declare lipschitz=...)")
    w = box.widths
    E_good = (0.9 if stepped else 0.55) * eps / Vp
    # -- cells: bits per quantised coordinate
    diag_q = float(np.sqrt(np.sum(w[:q] ** 2))) if q else 0.0
    if bits is None:
        n = 1 if q == 0 else max(1, math.ceil(math.log2(max(L * diag_q / (2 * 0.5 * E_good), 1.0))))
    else:
        n = int(bits)
    if n < 1:
        raise ParameterError(f"bits must be >= 1, got {n}")
    B = 2**n
    # -- the memorised values at cell centres (rows: along the continuous last coordinate)
    if rows:
        if knots is None:
            Lk = max(1, math.ceil(L * float(w[-1]) / (0.3 * E_good)))
        else:
            Lk = int(knots)
        if Lk < 1:
            raise ParameterError(f"knots must be >= 1, got {Lk}")
    n_cells = B**q
    n_points = n_cells * (Lk + 2 if rows else 2)
    if n_points > MAX_POINTS:
        raise BudgetExceeded(
            f"{n_cells} cells x {(Lk + 2) if rows else 2} memorised points = {n_points} exceed the budget of "
            f"{MAX_POINTS} (the witness would have well over 10^5 layers); ask for a larger eps, or set bits/knots"
        )
    # planning estimates from a coarse probe (before any heavy work): output ranges and sup |f|
    probe = box.grid(max(2, min(65, int(round(4096 ** (1.0 / d_x))))))
    Yp = target(probe)
    B_probe = 1.05 * float(np.max(np.abs(Yp))) + 1e-12
    spans_probe = np.maximum(Yp.max(axis=0) - Yp.min(axis=0), 1e-12)
    if q > 0 and gamma_bits is None and not stepped:
        if rows:
            E_bad_plan = 2 * B_probe
        else:
            E_bad_plan = float(np.sqrt(np.sum((B_probe + np.abs(Yp).max(axis=0) + 1.5 * spans_probe) ** 2)))
        gam = (0.35 * eps / max(E_bad_plan, 1e-300)) ** p / (V * q * (B - 1))
        gamma_bits = max(n + 2, math.ceil(math.log2(1.0 / gam)))
    if not rows and out_bits is None:
        need = float(np.sqrt(np.sum(spans_probe[:-1] ** 2))) / (2 * 0.3 * E_good)
        out_bits = max(1, math.ceil(math.log2(max(need, 1.0))))
    bits_plan = n * q + (int(out_bits) * (d_y - 1) if not rows else 0) + (int(gamma_bits) if q > 0 and not stepped else 0)
    if bits_plan > BITS_BUDGET and not allow_exact:
        raise PrecisionBudgetExceeded(
            f"the coding scheme needs {bits_plan} bits (n q + M (d_y - 1) + log2(1/gamma) with n = {n}, q = {q}"
            + (f", M = {out_bits}" if not rows else "") + (f", log2(1/gamma) = {gamma_bits}" if q > 0 else "")
            + f") > {BITS_BUDGET}, beyond float64; ask for a larger eps, or pass allow_exact=True "
            "(CLI: --param allow_exact=true) and evaluate the "
            "(exact rational) witness with evaluate_exact"
        )
    idx = np.array(np.unravel_index(np.arange(n_cells), (B,) * q)).T if q else np.zeros((1, 0), dtype=int)
    centres_q = (idx + 0.5) / B  # normalised
    if rows:
        s = np.arange(Lk + 1) / Lk
        Xn = np.hstack([np.repeat(centres_q, Lk + 1, axis=0), np.tile(s, n_cells)[:, None]])
    else:
        Xn = centres_q
    X = box.lo_array + Xn * w
    Y = target(X)
    B_f = float(np.max(np.abs(Y))) if Y.size else 0.0
    info: dict[str, Any] = {"E_good_target": E_good}
    if rows:
        U = [Q(float(v)) for v in Y[:, 0]]
        pts: list[tuple[Fraction, Fraction]] = []
        for r in range(n_cells):
            for l in range(Lk + 1):
                pts.append((r + THETA * Fraction(l, Lk), U[r * (Lk + 1) + l]))
            pts.append((r + THETA_END, U[r * (Lk + 1) + Lk]))
        row_slopes = [abs(b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(pts, pts[1:]) if b[0] - a[0] < 1 - THETA_END]
        S_U = float(max(row_slopes, default=Fraction(0))) / float(alpha) + 1e-300
        E_rows = L * float(w[-1]) / Lk
        xi_max = min(float(THETA) / 8, 0.15 * E_good / S_U) if S_U > 1e-200 else float(THETA) / 8
        E_bad = B_f + max(abs(float(u)) for u in U)
        M = m_d = 0
        LO = HI = ()
        mu = Fraction(1, 8)
        theta_s = Fraction(3, 4)
        E_quant = 0.0
        info.update(knots=Lk, row_interpolation=E_rows, memorizer_slope=S_U)
    else:
        LOf = Y.min(axis=0)
        HIf = Y.max(axis=0)
        HIf = np.where(HIf > LOf, HIf, LOf + 1.0)
        LO = tuple(Q(float(v)) for v in LOf)
        HI = tuple(Q(float(v)) for v in HIf)
        spans = HIf - LOf
        if out_bits is None:
            need = float(np.sqrt(np.sum(spans[:-1] ** 2))) / (2 * 0.3 * E_good)
            M = max(1, math.ceil(math.log2(max(need, 1.0))))
        else:
            M = int(out_bits)
        if M < 1:
            raise ParameterError(f"out_bits must be >= 1, got {M}")
        mu, theta_s = Fraction(1, 8), Fraction(3, 4)
        # decoder flat exponent: accumulated decode error stays below mu/4 and the last output's below 0.1 E_good
        K = 2.0**M / float(THETA)
        J = d_y - 1
        lam = min(float(mu) / 4, 0.1 * E_good * float(THETA) / float(spans[-1])) / (2 * K ** (J - 1))
        if decoder_flat is None:
            m_d = 1
            while float(alpha**m_d * theta_s / staircase_scale(alpha, theta_s, m_d)) > lam:
                m_d += 1
        else:
            m_d = int(decoder_flat)
            if float(alpha**m_d * theta_s / staircase_scale(alpha, theta_s, m_d)) > lam:
                raise ParameterError(f"decoder_flat = {m_d} is too small: the decoded outputs would leave their plateaus "
                                     f"(need alpha^m_d theta_s / R_d <= {lam:.3g})")
        two_M = 2**M
        ell = np.minimum(np.floor(two_M * (Y - LOf) / spans), two_M - 1).astype(int)
        ylast = np.clip((Y[:, -1] - LOf[-1]) / spans[-1], 0.0, 1.0)
        pts = []
        for r in range(n_cells):
            v = Q(float(ylast[r]))
            for j in range(d_y - 2, -1, -1):
                v = ell[r, j] + mu + THETA * v / (1 if j == d_y - 2 else two_M)
            pts.append((Fraction(r), v))
            pts.append((r + THETA, v))
        xi_max = float(THETA) / 4
        v1 = (min(float(v) for _, v in pts), max(float(v) for _, v in pts))
        ranges = _decoder_ranges(alpha, M, theta_s, m_d, mu, d_y, v1)
        outs = []
        for j in range(d_y - 1):
            a_, b_ = ranges[j]
            outs.append(max(abs(LOf[j] + spans[j] * (a_ + 0.5) / two_M), abs(LOf[j] + spans[j] * (b_ + 0.5) / two_M)))
        a_, b_ = ranges[-1]
        outs.append(max(abs(LOf[-1] + spans[-1] * a_), abs(LOf[-1] + spans[-1] * b_)))
        E_bad = float(np.sqrt(np.sum((np.max(np.abs(Y), axis=0) + np.array(outs)) ** 2)))
        E_quant = float(np.sqrt(np.sum((spans[:-1] / 2 ** (M + 1)) ** 2))) + 0.1 * E_good
        E_rows = 0.0
        info.update(out_bits=M, decoder_flat=m_d, output_quantisation=E_quant)
    # -- strips and the flat slope
    if q > 0 and stepped:
        g, gamma = 0, Fraction(0)
        m_min = 1
        while float(leak_total_stepped(alpha, n, q, m_min)) > xi_max:
            m_min += 1
        m = m_min if flat is None else int(flat)
        if m < m_min:
            raise ParameterError(f"flat = {m} violates the flatness condition; the smallest admissible value is {m_min}")
    elif q > 0:
        if gamma_bits is None:
            gam = (0.35 * eps / max(E_bad, 1e-300)) ** p / (V * q * (B - 1))
            g = max(n + 2, math.ceil(math.log2(1.0 / gam)))
        else:
            g = int(gamma_bits)
        if g < n + 2:
            raise ParameterError(f"gamma_bits = {g} must be >= bits + 2 = {n + 2} (strips narrower than a quarter cell)")
        gamma = Fraction(1, 2**g)
        m_min = _smallest_m(alpha, n, q, gamma, xi_max)
        if flat is None:
            m = m_min
        else:
            m = int(flat)
            if m < m_min:
                raise ParameterError(
                    f"flat = {m} violates the flatness condition (code leak {float(leak_total(alpha, n, q, gamma, m)):.3g} "
                    f"> {xi_max:.3g}); the smallest admissible value is {m_min} (a smaller one makes the L^p error stall)"
                )
    else:
        g, gamma, m = 0, Fraction(0), 0
    bits_used = n * q + M * max(d_y - 1, 0) + g
    if bits_used > BITS_BUDGET and not allow_exact:
        raise PrecisionBudgetExceeded(
            f"the coding scheme needs {bits_used} bits (n q + M (d_y - 1) + log2(1/gamma) = {n}*{q} + "
            f"{M}*{max(d_y - 1, 0)} + {g}) > {BITS_BUDGET}, beyond float64; ask for a larger eps, or pass "
            "allow_exact=True (CLI: --param allow_exact=true) and evaluate the (exact rational) witness with "
            "evaluate_exact"
        )
    # -- the a-priori bound with the parameters actually used
    if stepped:
        xi_tot = float(leak_total_stepped(alpha, n, q, m)) if q else 0.0
    else:
        xi_tot = float(leak_total(alpha, n, q, gamma, m)) if q else 0.0
    E_cells = L * diag_q * 2.0**-n / 2 if q else 0.0
    E_leak = (info.get("memorizer_slope", 0.0) * xi_tot) if rows else 0.0
    E_good_actual = E_cells + E_rows + E_quant + E_leak
    bad_measure = V * q * (B - 1) * float(gamma) if q and not stepped else 0.0
    predicted = Vp * E_good_actual + (bad_measure ** (1.0 / p)) * E_bad
    info.update(bits=n, quantised=q, gamma_bits=g, flat=m, bits_used=bits_used, code_leak=xi_tot,
                cell_error=E_cells, leak_error=E_leak, bad_measure=bad_measure, bad_error=E_bad,
                predicted=predicted, stepped=stepped)
    return CodingPlan(alpha=alpha, d_x=d_x, d_y=d_y, n=n, q=q, gamma=gamma, m=m, points=tuple(pts), M=M,
                      m_d=m_d, LO=LO, HI=HI, mu=mu, theta_s=theta_s, info=info)
