r"""L^p error in two input dimensions over the exact linear regions, with a certified interval.

The regions (:func:`linear_regions_2d`) are fan-triangulated; on each triangle :math:`T` the
network is affine.  Let :math:`I e` be the linear interpolant of :math:`e = f - N` at the
vertices.  As in one dimension (:mod:`verification._lp1d`), Minkowski's inequality gives
:math:`|\,\|e\|_p - \|Ie\|_p| \le \rho`, :math:`\rho^p = \sum_T |T|\, r_T^p`, where
:math:`r_T \ge \sup_T \|e - Ie\|_2` is :math:`\tfrac12 R_T^2 \sqrt{d_y} H_T` (the
Waldron-type bound of :mod:`verification._sup2d`, :math:`R_T` the radius of a ball around the
centroid holding :math:`T`), or :math:`(L_f + \|A_T\|_2) R_T`, or, for a discontinuous target,
:math:`\sup_T\|f\| + \max_v \|N(v)\| + \max_v \|e(v)\|`.  Since :math:`\|Ie(x)\|^p` is convex,

.. math:: |T|\,\|Ie(c_T)\|^p \le \int_T \|Ie\|^p \le |T|\,\tfrac13 \sum_{v} \|e(v)\|^p

(Jensen at the centroid :math:`c_T`; convexity along barycentric coordinates); for
:math:`p = 2` the integral is exact, :math:`|T|(\sum_i\|e_i\|^2 + \|\sum_i e_i\|^2)/12`.  Triangles
whose share of the gap is too large are split into four (edge midpoints) until the interval
is within the requested relative width or the triangle budget ends.  The reported value is
Radon's 7-point degree-5 rule on the final triangles.  Without derivative information the
triangles are refined uniformly until two successive quadrature values agree, and the
result is an (uncertified) estimate.
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
from ._sup1d import _ROUNDING
from ._validate import target_values
from .regions import linear_regions_2d

__all__ = ["lp_regions_2d"]

_S15 = math.sqrt(15.0)
_A, _B = (6 - _S15) / 21, (6 + _S15) / 21
# Radon's 7-point rule, degree 5: barycentric points and weights (summing to 1)
_RADON_L = np.array(
    [[1 / 3, 1 / 3, 1 / 3]]
    + [[_A, _A, 1 - 2 * _A], [_A, 1 - 2 * _A, _A], [1 - 2 * _A, _A, _A]]
    + [[_B, _B, 1 - 2 * _B], [_B, 1 - 2 * _B, _B], [1 - 2 * _B, _B, _B]]
)
_RADON_W = np.array([9 / 40] + [(155 - _S15) / 1200] * 3 + [(155 + _S15) / 1200] * 3)
_CHUNK = 1 << 15


def _area(T: np.ndarray) -> np.ndarray:
    a, b, c = T[:, 0], T[:, 1], T[:, 2]
    return 0.5 * np.abs((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (c[:, 0] - a[:, 0]) * (b[:, 1] - a[:, 1]))


def _radon(target: Target, T: np.ndarray, TN: np.ndarray, p: float) -> np.ndarray:
    """Radon's rule for the integral of ||f - N||^p over each triangle (N affine: barycentric mix)."""
    out = np.empty(T.shape[0])
    for s in range(0, T.shape[0], _CHUNK):
        t, tn = T[s : s + _CHUNK], TN[s : s + _CHUNK]
        x = np.einsum("qk,tkd->tqd", _RADON_L, t)
        nx = np.einsum("qk,tkd->tqd", _RADON_L, tn)
        fx = target_values(target, x.reshape(-1, 2)).reshape(nx.shape)
        e = np.linalg.norm(fx - nx, axis=2) ** p
        out[s : s + _CHUNK] = _area(t) * (e @ _RADON_W)
    return out


def _children(arr: np.ndarray, mid: np.ndarray) -> list[np.ndarray]:
    """The four midpoint children of triangles arr (k, 3, ...) given edge midpoints mid (k, 3, ...)."""
    return [
        np.stack([arr[:, 0], mid[:, 0], mid[:, 2]], axis=1),
        np.stack([mid[:, 0], arr[:, 1], mid[:, 1]], axis=1),
        np.stack([mid[:, 2], mid[:, 1], arr[:, 2]], axis=1),
        np.stack([mid[:, 0], mid[:, 1], mid[:, 2]], axis=1),
    ]


def _edge_mid(arr: np.ndarray) -> np.ndarray:
    return np.stack([(arr[:, 0] + arr[:, 1]) / 2, (arr[:, 1] + arr[:, 2]) / 2, (arr[:, 2] + arr[:, 0]) / 2], axis=1)


def lp_regions_2d(
    net: FeedForward,
    target: Target,
    box: Box,
    p: float,
    *,
    cert_rtol: float,
    max_regions: int,
    max_triangles: int,
) -> ErrorEstimate:
    reg = linear_regions_2d(net, box, max_regions=max_regions)
    agreement = reg.verify()
    d_y = net.output_dim
    V = np.asarray(reg.vertices)
    fV = target_values(target, V)
    n_evals = V.shape[0]
    tri, owner = reg.triangles()
    T, TN, TF = V[tri], np.asarray(reg.values)[tri], fV[tri]
    A, _ = reg.affine_maps()
    TA = np.linalg.norm(A, ord=2, axis=(1, 2))[owner]
    keep_area = _area(T) > 0
    T, TN, TF, TA = T[keep_area], TN[keep_area], TF[keep_area], TA[keep_area]
    methods: dict[str, None] = {}
    assumptions: dict[str, None] = {}

    def radii(T, TN, TF, TA):
        c = T.mean(axis=1)
        R = np.max(np.linalg.norm(T - c[:, None, :], axis=2), axis=1)
        lo, hi = T.min(axis=1), T.max(axis=1)
        hess, m1, a1 = target_bounds(target, lo, hi, "hessian")
        lip, m2, a2 = target_bounds(target, lo, hi, "lipschitz")
        used = [(m1, a1, hess), (m2, a2, lip)]
        with np.errstate(invalid="ignore", over="ignore"):
            r = np.minimum(0.5 * R * R * math.sqrt(d_y) * hess, (lip + TA) * R)
            if not np.isfinite(r).all():
                fmax, m3, a3 = target_bounds(target, lo, hi, "value")
                nmax = np.max(np.linalg.norm(TN, axis=2), axis=1)
                emax = np.max(np.linalg.norm(TF - TN, axis=2), axis=1)
                r = np.minimum(r, fmax + nmax + emax)
                used.append((m3, a3, fmax))
        for m, a, v in used:
            if m != "none" and np.isfinite(v).any():
                methods[m] = None
                assumptions.update(dict.fromkeys(a))
        return np.where(np.isnan(r), np.inf, r)

    r = radii(T, TN, TF, TA)
    certifiable = bool(np.isfinite(r).all())
    total_area = float(np.sum(_area(T)))
    Q = _radon(target, T, TN, p)
    estimate = float(np.sum(Q)) ** (1 / p)
    n_evals += 7 * T.shape[0]
    rounds, exhausted, low, high = 0, False, 0.0, math.inf
    previous = None
    while True:
        area = _area(T)
        E = TF - TN
        phi_v = np.linalg.norm(E, axis=2) ** p
        phi_c = np.linalg.norm(E.mean(axis=1), axis=1) ** p
        if p == 2:  # ||Ie||^2 is quadratic: exact, |T| (sum |e_i|^2 + |sum e_i|^2) / 12
            lowp = highp = area * (np.sum(E * E, axis=(1, 2)) + np.sum(E.sum(axis=1) ** 2, axis=1)) / 12
        else:
            lowp, highp = area * phi_c, area * phi_v.mean(axis=1)
        with np.errstate(over="ignore", invalid="ignore"):
            rho_p = area * r**p
        if certifiable:
            rho = float(np.sum(rho_p)) ** (1 / p)
            low = max(0.0, float(np.sum(lowp)) ** (1 / p) - rho)
            high = float(np.sum(highp)) ** (1 / p) + rho
            gap_allowed = max(cert_rtol * estimate, 1e-14 * max(1.0, estimate))
            if high - low <= gap_allowed:
                break
            v = max(estimate, gap_allowed)
            bad = ((highp - lowp) > p * v ** (p - 1) * (gap_allowed / 2) * area / total_area) | ~(
                rho_p <= (gap_allowed / 2) ** p * area / total_area
            )
        else:
            if previous is not None and abs(estimate - previous) <= cert_rtol * max(estimate, 1e-300):
                break
            bad = np.ones(T.shape[0], dtype=bool)
        n_bad = int(np.count_nonzero(bad))
        if n_bad == 0 or T.shape[0] + 3 * n_bad > max_triangles or rounds >= 40:
            exhausted = n_bad > 0
            break
        rounds += 1
        Tc, Nc, Fc = T[bad], TN[bad], TF[bad]
        mT, mN = _edge_mid(Tc), _edge_mid(Nc)
        mF = target_values(target, mT.reshape(-1, 2)).reshape(mN.shape)
        n_evals += 3 * n_bad
        kT, kN, kF = _children(Tc, mT), _children(Nc, mN), _children(Fc, mF)
        kA = np.concatenate([TA[bad]] * 4)
        kT, kN, kF = np.concatenate(kT), np.concatenate(kN), np.concatenate(kF)
        keep = ~bad
        T, TN, TF = np.concatenate([T[keep], kT]), np.concatenate([TN[keep], kN]), np.concatenate([TF[keep], kF])
        TA = np.concatenate([TA[keep], kA])
        r = np.concatenate([r[keep], radii(kT, kN, kF, kA)])
        Q = np.concatenate([Q[keep], _radon(target, kT, kN, p)])
        n_evals += 7 * kT.shape[0]
        previous = estimate
        estimate = float(np.sum(Q)) ** (1 / p)
    certified = certifiable and math.isfinite(high) and agreement <= tol("conditioning_flag")
    notes = []
    if certified:
        ass = list(assumptions) + [_ROUNDING]
        if not (low <= estimate <= high):
            notes.append(f"quadrature value {estimate:.17g} lies outside the certified interval (reported as is)")
    else:
        diff = abs(estimate - previous) if previous is not None else math.inf
        low, high = max(0.0, estimate - diff), estimate + diff
        notes.append(
            "no derivative, Lipschitz or value bound for the target on some triangles: the interval is the "
            "change of the quadrature value under the last refinement, not a proof"
        )
        ass = ["quadrature error estimated by refinement; not certified"]
    if exhausted:
        notes.append("triangle budget reached: the interval is wider than the requested tolerance")
    return ErrorEstimate(
        value=estimate,
        low=low,
        high=high,
        certified=certified,
        method="regions-2d",
        n_evals=n_evals,
        assumptions=tuple(ass),
        norm="lp",
        p=p,
        parameters={"cert_rtol": cert_rtol, "max_regions": max_regions, "max_triangles": max_triangles,
                    "quadrature": "Radon 7-point degree 5 per triangle"},
        details={
            "regions": reg.n_regions,
            "triangles": int(T.shape[0]),
            "refinement_rounds": rounds,
            "regions_vs_forward": agreement,
            "bound_methods": list(methods) or ["none"],
            "notes": notes,
        },
    )
