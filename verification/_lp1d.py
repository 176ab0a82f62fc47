r"""L^p error in one input dimension: exact pieces, Gauss-Legendre per piece, and a certified interval.

**Value.**  The network's pieces are computed exactly (:func:`linear_pieces_1d`; for a
discontinuous network whose float64 pieces leave a jump undecided, in rational arithmetic
within :data:`verification._sup1d.EXACT_WORK`, else the result is not certified).  For a
scalar target and an exponent that is not an even integer, each piece is further split
at the sign changes of :math:`e = f - N` (found on 17 sample points per piece and refined
by bisection), so that :math:`|e|^p` is smooth on every sub-interval.  Each sub-interval is
integrated with Gauss-Legendre rules of 10 and 20 nodes; sub-intervals where the two
disagree by more than their share of the relative tolerance are bisected.

**Certified interval.**  Let :math:`I e` be the piecewise-linear interpolant of :math:`e`
on a subdivision of the pieces.  Minkowski's inequality gives
:math:`\bigl|\|e\|_p - \|I e\|_p\bigr| \le \|e - I e\|_p \le \rho`, with
:math:`\rho^p = \sum_j h_j r_j^p` and :math:`r_j \ge \sup_j \|e - I e\|_2` taken from the
target's second-derivative bound (:math:`\sqrt{d_y} H h^2/8`), its Lipschitz constant
(:math:`(L_f + \|s\|) h / 2`), or a bound on :math:`\sup\|f\|` (for discontinuous targets).
Since :math:`\|I e(x)\|_2^p` is convex on each sub-interval (:math:`p \ge 1`), the midpoint
rule bounds its integral from below and the trapezoidal rule from above (for :math:`p = 2`
the integral of the quadratic :math:`\|Ie\|^2` is exact).  Sub-intervals
are bisected until the interval is within the requested relative width or the budget
ends.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.polynomial.legendre import leggauss

from uat.domains import Box
from uat.network import FeedForward
from uat.targets import Target
from uat.tolerances import tol

from ._bounds import target_bounds
from ._result import ErrorEstimate
from ._sup1d import _ROUNDING, EXACT_WORK, decided_pieces
from ._validate import target_values

__all__ = ["lp_exact_1d"]

_CHUNK = 1 << 15
_G10 = leggauss(10)
_G20 = leggauss(20)


def _err_norm_p(target: Target, x: np.ndarray, S: np.ndarray, C: np.ndarray, p: float):
    """||f(x) - (S x + C)||^p for x (m, k) with per-row affine maps S, C (m, d_y), and its rounding noise."""
    m, k = x.shape
    fx = target_values(target, x.reshape(-1, 1)).reshape(m, k, -1)
    nx = x[:, :, None] * S[:, None, :] + C[:, None, :]
    e = fx - nx
    if e.shape[2] == 1:
        en, mag = np.abs(e[:, :, 0]), np.abs(fx[:, :, 0]) + np.abs(nx[:, :, 0])
    else:
        en = np.sqrt(np.einsum("mki,mki->mk", e, e))
        mag = np.sqrt(np.einsum("mki,mki->mk", fx, fx)) + np.sqrt(np.einsum("mki,mki->mk", nx, nx))
    # a perturbation of e by 16 eps |f|+|N| (rounding) moves ||e||^p by about p ||e||^(p-1) times that
    noise = p * en ** (p - 1) * (16 * np.finfo(float).eps) * mag
    return en**p, noise


def _gauss(target, a, b, S, C, p, rule) -> tuple[np.ndarray, np.ndarray]:
    nodes, weights = rule
    out_v, out_n = np.empty(a.size), np.empty(a.size)
    for s in range(0, a.size, _CHUNK):  # bounded memory for networks with millions of pieces
        sl = slice(s, s + _CHUNK)
        h = (b[sl] - a[sl])[:, None]
        x = a[sl, None] + h * (nodes[None, :] + 1) / 2
        vals, noise = _err_norm_p(target, x, S[sl], C[sl], p)
        out_v[sl], out_n[sl] = (h[:, 0] / 2) * (vals @ weights), (h[:, 0] / 2) * (noise @ weights)
    return out_v, out_n


def _split_at_roots(target, a, b, S, C) -> tuple[np.ndarray, ...]:
    """Split scalar pieces at the sign changes of f - N (17 samples per piece, then bisection)."""
    u = np.linspace(0.0, 1.0, 17)
    x = a[:, None] + (b - a)[:, None] * u[None, :]
    g = target_values(target, x.reshape(-1, 1)).reshape(x.shape) - (x * S + C)
    sc = (g[:, :-1] * g[:, 1:]) < 0
    if not sc.any():
        return a, b, S, C, 0
    pi, k = np.nonzero(sc)
    lo, hi = x[pi, k], x[pi, k + 1]
    glo = g[pi, k]
    s_, c_ = S[pi, 0], C[pi, 0]
    for _ in range(64):
        mid = 0.5 * (lo + hi)
        gm = target_values(target, mid[:, None])[:, 0] - (s_ * mid + c_)
        same = np.sign(gm) == np.sign(glo)
        lo = np.where(same, mid, lo)
        glo = np.where(same, gm, glo)
        hi = np.where(same, hi, mid)
        if np.all(hi - lo <= 4 * np.finfo(float).eps * np.maximum(1.0, np.abs(hi))):
            break
    roots = 0.5 * (lo + hi)
    piece = np.concatenate([np.arange(a.size), pi])
    left = np.concatenate([a, roots])
    order = np.lexsort((left, piece))
    piece, left = piece[order], left[order]
    nxt_same = np.r_[piece[1:] == piece[:-1], False]
    right = np.where(nxt_same, np.r_[left[1:], 0.0], b[piece])
    ok = right > left
    return left[ok], right[ok], S[piece[ok]], C[piece[ok]], int(roots.size)


def _quadrature(target, a, b, S, C, p, rtol, max_intervals):
    total_len = float(np.sum(b - a))
    done = 0.0
    done_err = 0.0
    rounds = 0
    n_evals = 0
    while True:
        g10, _ = _gauss(target, a, b, S, C, p, _G10)
        g20, noise = _gauss(target, a, b, S, C, p, _G20)
        n_evals += 30 * a.size
        err = np.abs(g20 - g10)
        est = done + float(np.sum(g20))
        share = rtol * max(est, np.finfo(float).tiny) * (b - a) / total_len
        bad = err > np.maximum(share, noise)  # no refinement below the rounding noise of the integrand
        done += float(np.sum(g20[~bad]))
        done_err += float(np.sum(err[~bad]))
        if not bad.any() or rounds >= 50 or 2 * np.count_nonzero(bad) > max_intervals:
            done += float(np.sum(g20[bad]))
            done_err += float(np.sum(err[bad]))
            return done, done_err, rounds, n_evals, bool(bad.any())
        rounds += 1
        a, b, S, C = a[bad], b[bad], S[bad], C[bad]
        m = 0.5 * (a + b)
        a, b = np.concatenate([a, m]), np.concatenate([m, b])
        S, C = np.concatenate([S, S]), np.concatenate([C, C])


def _certify(target, a, b, S, C, p, value, cert_rtol, max_intervals):
    """Rigorous [low, high] for ||e||_p (module docstring); (low, high, n_intervals, evals, methods, assumptions)."""
    d_y = S.shape[1]
    methods: dict[str, None] = {}
    assumptions: dict[str, None] = {}

    def bounds(lo, hi, snorm, NA, NB, eA, eB):
        out = np.full(lo.size, np.inf)
        hess, m1, a1 = target_bounds(target, lo[:, None], hi[:, None], "hessian")
        lip, m2, a2 = target_bounds(target, lo[:, None], hi[:, None], "lipschitz")
        h = hi - lo
        with np.errstate(invalid="ignore", over="ignore"):
            out = np.minimum(out, math.sqrt(d_y) * hess * h * h / 8)
            out = np.minimum(out, (lip + snorm) * h / 2)
            used = [(m1, a1, hess), (m2, a2, lip)]
            if not np.isfinite(out).all():
                fmax, m3, a3 = target_bounds(target, lo[:, None], hi[:, None], "value")
                nmax = np.maximum(np.linalg.norm(NA, axis=1), np.linalg.norm(NB, axis=1))
                out = np.minimum(out, fmax + nmax + np.maximum(eA, eB))
                used.append((m3, a3, fmax))
        for m, a, v in used:
            if m != "none" and np.isfinite(v).any():
                methods[m] = None
                assumptions.update(dict.fromkeys(a))
        return np.where(np.isnan(out), np.inf, out)

    fa = target_values(target, a[:, None])
    fb = target_values(target, b[:, None])
    n_evals = 2 * a.size
    NA, NB = a[:, None] * S + C, b[:, None] * S + C
    EA, EB = fa - NA, fb - NB
    snorm = np.linalg.norm(S, axis=1)
    r = bounds(a, b, snorm, NA, NB, np.linalg.norm(EA, axis=1), np.linalg.norm(EB, axis=1))
    gap_allowed = max(cert_rtol * value, 1e-14 * max(1.0, value))
    total_len = float(np.sum(b - a))
    rounds = 0
    while True:
        h = b - a
        phiA, phiB = np.linalg.norm(EA, axis=1) ** p, np.linalg.norm(EB, axis=1) ** p
        phiM = np.linalg.norm(0.5 * (EA + EB), axis=1) ** p
        if p == 2:  # ||Ie||^2 is quadratic: exact, h (|e_a|^2 + e_a.e_b + |e_b|^2) / 3
            lowp = highp = h * (np.sum(EA * EA, axis=1) + np.sum(EA * EB, axis=1) + np.sum(EB * EB, axis=1)) / 3
        else:
            lowp, highp = h * phiM, h * 0.5 * (phiA + phiB)
        with np.errstate(over="ignore", invalid="ignore"):
            rho_p = h * r**p
        rho = float(np.sum(rho_p)) ** (1 / p)
        low = max(0.0, float(np.sum(lowp)) ** (1 / p) - rho)
        high = float(np.sum(highp)) ** (1 / p) + rho
        if not math.isfinite(high) and not np.isfinite(r).any():
            break
        if high - low <= gap_allowed or rounds >= 60:
            break
        v = max(value, gap_allowed)
        conv_share = p * v ** (p - 1) * (gap_allowed / 2) * h / total_len
        rho_share = (gap_allowed / 2) ** p * h / total_len
        bad = ((highp - lowp) > conv_share) | ~(rho_p <= rho_share)
        n_bad = int(np.count_nonzero(bad))
        if n_bad == 0 or a.size + n_bad > max_intervals:
            break
        rounds += 1
        m = 0.5 * (a[bad] + b[bad])
        fm = target_values(target, m[:, None])
        n_evals += n_bad
        Sb, Cb = S[bad], C[bad]
        Em = fm - (m[:, None] * Sb + Cb)
        keep = ~bad
        a2 = np.concatenate([a[bad], m])
        b2 = np.concatenate([m, b[bad]])
        EA2, EB2 = np.concatenate([EA[bad], Em]), np.concatenate([Em, EB[bad]])
        S2, C2 = np.concatenate([Sb, Sb]), np.concatenate([Cb, Cb])
        r2 = bounds(a2, b2, np.linalg.norm(S2, axis=1), a2[:, None] * S2 + C2, b2[:, None] * S2 + C2,
                    np.linalg.norm(EA2, axis=1), np.linalg.norm(EB2, axis=1))
        a, b = np.concatenate([a[keep], a2]), np.concatenate([b[keep], b2])
        S, C = np.concatenate([S[keep], S2]), np.concatenate([C[keep], C2])
        EA, EB = np.concatenate([EA[keep], EA2]), np.concatenate([EB[keep], EB2])
        r = np.concatenate([r[keep], r2])
    return low, high, int(a.size), n_evals, list(methods), list(assumptions)


def lp_exact_1d(
    net: FeedForward,
    target: Target,
    box: Box,
    p: float,
    *,
    rtol: float,
    cert_rtol: float,
    max_intervals: int,
    max_pieces: int,
) -> ErrorEstimate:
    pcs, arithmetic = decided_pieces(net, box, max_pieces)  # a jump float64 cannot decide is redone exactly
    undecided = pcs.ambiguous.size > 0
    agreement = pcs.verify()
    a = np.asarray(pcs.breakpoints[:-1], dtype=np.float64)
    b = np.asarray(pcs.breakpoints[1:], dtype=np.float64)
    S = np.asarray(pcs.slopes, dtype=np.float64)
    C = np.asarray(pcs.left, dtype=np.float64) - S * a[:, None]
    n_roots = 0
    n_evals = 0
    even = float(p).is_integer() and int(p) % 2 == 0
    if net.output_dim == 1 and not even:
        a, b, S, C, n_roots = _split_at_roots(target, a, b, S, C)
        n_evals += 17 * pcs.n_pieces
    total, qerr, rounds, q_evals, unconverged = _quadrature(target, a, b, S, C, p, rtol, max_intervals)
    n_evals += q_evals
    value = total ** (1 / p)
    q_low = max(0.0, total - qerr) ** (1 / p)
    q_high = (total + qerr) ** (1 / p)
    low, high, n_cert, c_evals, methods, assumptions = _certify(
        target, a, b, S, C, p, value, cert_rtol, max_intervals
    )
    n_evals += c_evals
    notes = []
    bounded = math.isfinite(high)
    certified = bounded and agreement <= tol("conditioning_flag") and not undecided
    if undecided:
        notes.append(
            f"float64 cannot decide the branch of a jump unit at {pcs.ambiguous.size} place(s) (a unit within "
            f"rounding of 0), and exact recomputation exceeds EXACT_WORK = {EXACT_WORK}: not certified"
        )
    if certified:
        if not (low <= value <= high):
            notes.append(f"quadrature value {value:.17g} lies outside the certified interval (reported as is)")
        ass = assumptions + [_ROUNDING]
    else:
        low, high = q_low, q_high
        if not bounded:
            notes.append(
                "no derivative, Lipschitz or value bound for the target: the interval is the quadrature error "
                "estimate (Gauss-Legendre 10 vs 20 nodes), not a proof"
            )
        if agreement > tol("conditioning_flag"):
            notes.append(f"pieces disagree with the forward pass by {agreement:.2e} (relative): not certified")
        ass = ["quadrature error estimated by comparing Gauss-Legendre rules; not certified"]
    if unconverged:
        notes.append("quadrature did not reach the requested relative tolerance within the budget")
    return ErrorEstimate(
        value=value,
        low=low,
        high=high,
        certified=certified,
        method="exact-1d",
        n_evals=n_evals,
        assumptions=tuple(ass),
        norm="lp",
        p=p,
        parameters={"rtol": rtol, "cert_rtol": cert_rtol, "max_intervals": max_intervals, "quadrature": "gauss-legendre 10/20"},
        details={
            "pieces": pcs.n_pieces,
            "root_splits": n_roots,
            "quadrature_rounds": rounds,
            "quadrature_error_estimate": (total + qerr) ** (1 / p) - value,
            "certificate_intervals": n_cert,
            "pieces_vs_forward": agreement,
            "pieces_arithmetic": arithmetic,
            "bound_methods": methods or ["none"],
            "notes": notes,
        },
    )
