r"""L^p error in three input dimensions over the exact linear regions, with a certified interval.

The regions (:func:`~verification.regions3d.linear_regions_3d`) are triangulated into
tetrahedra, on each of which the network is affine.  Let :math:`I e` be the linear interpolant
of :math:`e = f - N` at the four vertices.  As in one and two dimensions
(:mod:`verification._lp1d`, :mod:`verification._lp2d`), Minkowski's inequality gives
:math:`|\,\|e\|_p - \|Ie\|_p| \le \rho`, :math:`\rho^p = \sum_T |T|\, r_T^p`, where
:math:`r_T \ge \sup_T \|e - Ie\|_2` is :math:`\tfrac12 R_T^2 \sqrt{d_y} H_T` (Waldron's bound,
:math:`R_T` the smallest-enclosing-ball radius, :math:`H_T` a bound on the target's Hessian
norm over the tetrahedron's bounding box) or :math:`(L_f + \|A_T\|_2) R_T`.  Since
:math:`\|Ie(x)\|^p` is convex,

.. math:: |T|\,\|Ie(c_T)\|^p \le \int_T \|Ie\|^p \le |T|\,\tfrac14 \sum_{v} \|e(v)\|^p

(Jensen at the centroid; convexity along barycentric coordinates, :math:`\int_T\lambda_i =
|T|/4`), and for :math:`p = 2` the integral is exact, :math:`|T|(\sum_i\|e_i\|^2 +
\|\sum_i e_i\|^2)/20`.  Tetrahedra whose share of the gap is too large are red-refined (eight
children) until the interval is within the requested relative width or the budget ends.  The
reported value is a degree-5 conical product rule (Stroud: Gauss-Jacobi in collapsed
coordinates, 27 points, positive weights) on the final tetrahedra.  Without derivative
information for the target the result is not certified (``lp_error`` then recommends QMC).
"""

from __future__ import annotations

import math

import numpy as np

from uat.domains import Box
from uat.network import FeedForward
from uat.targets import Target
from uat.tolerances import tol

from ._bounds import target_bounds
from ._result import ErrorEstimate
from ._sup3d import ROUNDING_3D, _EDGES, enclosing_ball_radius, red_refine
from ._validate import target_values
from .regions3d import linear_regions_3d, tetrahedron_volumes

__all__ = ["lp_regions_3d", "conical_rule"]

_CHUNK = 1 << 13


def conical_rule(n: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Stroud's conical product rule on a tetrahedron: (barycentric points (n^3, 4), weights summing to 1).

    Exact for polynomials of degree ``2n - 1``.

    >>> lam, w = conical_rule(3)
    >>> lam.shape, round(float(w.sum()), 15), bool((w > 0).all())
    ((27, 4), 1.0, True)
    >>> round(float(w @ (lam[:, 1] ** 2 * lam[:, 2])), 15) == round(2 / 720 * 6, 15)   # int a^2 b / |T|
    True
    """
    from scipy.special import roots_jacobi

    rules = []
    for alpha in (2, 1, 0):
        x, w = roots_jacobi(n, alpha, 0)
        rules.append(((1 + x) / 2, w / 2 ** (alpha + 1)))
    (u1, w1), (u2, w2), (u3, w3) = rules
    U1, U2, U3 = np.meshgrid(u1, u2, u3, indexing="ij")
    W = np.einsum("i,j,k->ijk", w1, w2, w3).ravel()
    a = U1.ravel()
    b = ((1 - U1) * U2).ravel()
    c = ((1 - U1) * (1 - U2) * U3).ravel()
    lam = np.stack([1 - a - b - c, a, b, c], axis=1)
    return lam, W / W.sum()


_LAM, _W = conical_rule(3)


def _quadrature(target: Target, T: np.ndarray, TN: np.ndarray, p: float) -> np.ndarray:
    """The rule for the integral of ||f - N||^p over each tetrahedron (N affine: barycentric mix)."""
    out = np.empty(T.shape[0])
    for s in range(0, T.shape[0], _CHUNK):
        t, tn = T[s : s + _CHUNK], TN[s : s + _CHUNK]
        x = np.einsum("qk,tkd->tqd", _LAM, t)
        nx = np.einsum("qk,tkd->tqd", _LAM, tn)
        fx = target_values(target, x.reshape(-1, 3)).reshape(nx.shape)
        out[s : s + _CHUNK] = tetrahedron_volumes(t) * ((np.linalg.norm(fx - nx, axis=2) ** p) @ _W)
    return out


def lp_regions_3d(
    net: FeedForward,
    target: Target,
    box: Box,
    p: float,
    *,
    cert_rtol: float,
    max_regions: int,
    max_tetrahedra: int,
) -> ErrorEstimate:
    reg = linear_regions_3d(net, box, max_regions=max_regions)
    agreement = max(reg.verify(), reg.volume_defect())  # the regions' maps and their tiling of the box
    d_y = net.output_dim
    V = np.asarray(reg.vertices)
    fV = target_values(target, V)
    n_evals = V.shape[0]
    idx, owner = reg.tetrahedra()
    A, _ = reg.affine_maps()
    T, TN, TF = V[idx], np.asarray(reg.values)[idx], fV[idx]
    TA = np.linalg.norm(A, ord=2, axis=(1, 2))[owner]
    keep = tetrahedron_volumes(T) > 0
    T, TN, TF, TA = T[keep], TN[keep], TF[keep], TA[keep]
    methods: dict[str, None] = {}
    assumptions: dict[str, None] = {}

    def radii(T, TA):
        R = enclosing_ball_radius(T)
        lo, hi = T.min(axis=1), T.max(axis=1)
        hess, m1, a1 = target_bounds(target, lo, hi, "hessian")
        lip, m2, a2 = target_bounds(target, lo, hi, "lipschitz")
        for m, a, v in ((m1, a1, hess), (m2, a2, lip)):
            if m != "none" and np.isfinite(v).any():
                methods[m] = None
                assumptions.update(dict.fromkeys(a))
        with np.errstate(invalid="ignore", over="ignore"):
            r = np.minimum(0.5 * R * R * math.sqrt(d_y) * hess, (lip + TA) * R)
        return np.where(np.isnan(r), np.inf, r)

    r = radii(T, TA)
    total = float(np.prod(box.widths))
    Q = _quadrature(target, T, TN, p)
    n_evals += _W.size * T.shape[0]
    rounds, exhausted, low, high = 0, False, 0.0, math.inf
    certifiable = bool(np.isfinite(r).all())
    while certifiable:
        vol = tetrahedron_volumes(T)
        E = TF - TN
        if p == 2:
            lowp = highp = vol * (np.sum(E * E, axis=(1, 2)) + np.sum(E.sum(axis=1) ** 2, axis=1)) / 20
        else:
            lowp = vol * np.linalg.norm(E.mean(axis=1), axis=1) ** p
            highp = vol * (np.linalg.norm(E, axis=2) ** p).mean(axis=1)
        with np.errstate(over="ignore", invalid="ignore"):
            rho_p = vol * r**p
        rho = float(np.sum(rho_p)) ** (1 / p)
        low = max(0.0, float(np.sum(lowp)) ** (1 / p) - rho)
        high = float(np.sum(highp)) ** (1 / p) + rho
        estimate = float(np.sum(Q)) ** (1 / p)
        allowed = max(cert_rtol * estimate, 1e-14 * max(1.0, estimate))
        if high - low <= allowed:
            break
        v = max(estimate, allowed)
        bad = ((highp - lowp) > p * v ** (p - 1) * (allowed / 2) * vol / total) | ~(
            rho_p <= (allowed / 2) ** p * vol / total)
        n_bad = int(np.count_nonzero(bad))
        if n_bad == 0 or T.shape[0] + 7 * n_bad > max_tetrahedra or rounds >= 30:
            exhausted = n_bad > 0
            break
        rounds += 1
        Tc = T[bad]
        mids = (Tc[:, _EDGES[:, 0]] + Tc[:, _EDGES[:, 1]]) / 2
        mF = target_values(target, mids.reshape(-1, 3)).reshape(mids.shape[0], 6, -1)
        kT, kN, kF = red_refine(Tc, (TN[bad], TF[bad]), (None, mF))
        kA = np.repeat(TA[bad], 8)
        good = ~bad
        T, TN, TF = np.concatenate([T[good], kT]), np.concatenate([TN[good], kN]), np.concatenate([TF[good], kF])
        TA = np.concatenate([TA[good], kA])
        r = np.concatenate([r[good], radii(kT, kA)])
        Q = np.concatenate([Q[good], _quadrature(target, kT, kN, p)])
        n_evals += 6 * n_bad + _W.size * kT.shape[0]
    estimate = float(np.sum(Q)) ** (1 / p)
    certified = certifiable and math.isfinite(high) and agreement <= tol("conditioning_flag")
    notes = []
    if certified:
        ass = list(assumptions) + [ROUNDING_3D]
        if not (low <= estimate <= high):
            notes.append(f"quadrature value {estimate:.17g} lies outside the certified interval (reported as is)")
    else:
        low, high = 0.0, math.inf
        ass = ["no certificate (see details.notes)"]
        if not certifiable:
            notes.append("no derivative or Lipschitz bound for the target on some tetrahedra: the value is the "
                         "degree-5 quadrature on the regions, not a proof (use method='qmc' for a confidence interval)")
        if agreement > tol("conditioning_flag"):
            notes.append(f"regions disagree with the forward pass or do not tile the box ({agreement:.2e}, "
                         "relative): not certified")
    if exhausted:
        notes.append("tetrahedron budget reached: the interval is wider than the requested tolerance")
    return ErrorEstimate(
        value=estimate,
        low=low,
        high=high,
        certified=certified,
        method="regions-3d",
        n_evals=n_evals,
        assumptions=tuple(ass),
        norm="lp",
        p=p,
        parameters={"cert_rtol": cert_rtol, "max_regions": max_regions, "max_tetrahedra": max_tetrahedra,
                    "quadrature": "conical product (Gauss-Jacobi) 27-point degree 5 per tetrahedron"},
        details={
            "regions": reg.n_regions,
            "tetrahedra": int(T.shape[0]),
            "refinement_rounds": rounds,
            "regions_vs_forward": agreement,
            "bound_methods": list(methods) or ["none"],
            "notes": notes,
        },
    )
