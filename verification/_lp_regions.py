r"""Certified :math:`L^p` error over exact regions (2-D, 3-D): the shared simplex refinement.

The regions are triangulated into simplices :math:`T` of dimension :math:`d`, on each of which
the network is affine.  With :math:`Ie` the linear interpolant of :math:`e = f - N` at the
vertices, Minkowski's inequality gives :math:`|\,\|e\|_p - \|Ie\|_p| \le \rho`,
:math:`\rho^p = \sum_T |T|\, r_T^p`, with :math:`r_T` the interpolation remainder
(:func:`verification._simplices.interpolation_remainder`).  Since :math:`\|Ie(x)\|^p` is convex,

.. math:: |T|\,\|Ie(c_T)\|^p \le \int_T \|Ie\|^p \le \frac{|T|}{d + 1} \sum_{v} \|e(v)\|^p

(Jensen at the centroid :math:`c_T`; convexity along barycentric coordinates,
:math:`\int_T \lambda_i = |T|/(d+1)`), and for :math:`p = 2` the integral of the quadratic is
exact, :math:`|T|(\sum_i\|e_i\|^2 + \|\sum_i e_i\|^2)/((d+1)(d+2))` (:func:`simplex_lp_terms`).
Simplices carrying too large a share of the gap are refined until the interval is within the
requested relative width or the budget ends (:func:`lp_on_regions`); the reported value is a
quadrature rule on the final simplices (:func:`simplex_quadrature`).  The dimension-specific
parts (rules, notes) are in :mod:`verification._lp2d` and :mod:`verification._lp3d`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from uat.targets import Target
from uat.tolerances import tol

from ._bounds import BoundLog
from ._result import ErrorEstimate, widen_for_rounding
from ._simplices import SimplexKind, interpolation_remainder
from ._validate import target_values

__all__ = ["simplex_lp_terms", "simplex_quadrature", "lp_on_regions", "LpRefinement", "lp_estimate"]


def simplex_lp_terms(E: np.ndarray, vol: np.ndarray, r: np.ndarray, p: float) -> tuple[np.ndarray, ...]:
    r"""Per simplex: lower and upper bounds on :math:`\int_T \|Ie\|^p`, and :math:`|T|\,r_T^p` (module docstring).

    ``E`` (k, d + 1, d_y) holds the errors at the vertices, ``vol`` the measures, ``r`` the remainders.
    """
    n = E.shape[1]  # d + 1 vertices
    if p == 2:  # ||Ie||^2 is quadratic: exact, |T| (sum |e_i|^2 + |sum e_i|^2) / ((d + 1)(d + 2))
        lowp = highp = vol * (np.sum(E * E, axis=(1, 2)) + np.sum(E.sum(axis=1) ** 2, axis=1)) / (n * (n + 1))
    else:
        lowp = vol * np.linalg.norm(E.mean(axis=1), axis=1) ** p
        highp = vol * (np.linalg.norm(E, axis=2) ** p).mean(axis=1)
    with np.errstate(over="ignore", invalid="ignore"):
        rho_p = vol * r**p
    return lowp, highp, rho_p


def simplex_quadrature(target: Target, T: np.ndarray, TN: np.ndarray, p: float, rule: tuple, measure: Callable,
                       chunk: int) -> np.ndarray:
    """A rule for the integral of ||f - N||^p over each simplex (N affine: the barycentric mix of its vertex values).

    ``rule`` is ``(barycentric points (q, d + 1), weights (q,) summing to 1)``; ``chunk`` simplices at a time.
    """
    lam, w = rule
    out = np.empty(T.shape[0])
    for s in range(0, T.shape[0], chunk):
        t, tn = T[s : s + chunk], TN[s : s + chunk]
        x = np.einsum("qk,tkd->tqd", lam, t)
        nx = np.einsum("qk,tkd->tqd", lam, tn)
        fx = target_values(target, x.reshape(-1, T.shape[2])).reshape(nx.shape)
        out[s : s + chunk] = measure(t) * ((np.linalg.norm(fx - nx, axis=2) ** p) @ w)
    return out


@dataclass(frozen=True)
class LpRefinement:
    """The outcome of :func:`lp_on_regions`."""

    value: float  # the quadrature value on the final simplices
    previous: float | None  # the value before the last refinement
    low: float
    high: float
    certifiable: bool  # every simplex has a finite remainder bound
    n_simplices: int
    rounds: int
    exhausted: bool
    n_evals: int
    bounds: BoundLog
    scale: float  # the size of the compared values of f and N (their rounding widens a certified interval)
    total: float  # the measure the interval refers to


def lp_on_regions(
    reg: Any,
    target: Target,
    d_y: int,
    kind: SimplexKind,
    simplices: Callable[[], tuple[np.ndarray, np.ndarray]],
    p: float,
    *,
    cert_rtol: float,
    max_simplices: int,
    max_rounds: int,
    rule: tuple,
    chunk: int,
    total: float | None,
    jumps: bool,
    until_stable: bool,
) -> LpRefinement:
    """Refine the simplices of the regions until the certified interval is ``cert_rtol`` wide (module docstring).

    ``total`` is the measure the gap is shared over (None: the simplices' own total).  With
    ``jumps`` a simplex without a derivative bound gets the rough remainder
    :math:`\\sup_T\\|f\\| + \\max_v\\|N(v)\\| + \\max_v\\|e(v)\\|`.  When some simplex has no
    finite remainder, the value is refined uniformly until two successive values agree to
    ``cert_rtol`` if ``until_stable``, else left as it is.
    """
    bounds = BoundLog(target)

    def radii(T, TN, TF, TA):
        lo, hi = T.min(axis=1), T.max(axis=1)
        hess, lip = bounds(lo, hi)

        def rough():
            fmax = bounds.bound(lo, hi, "value")
            return fmax + np.max(np.linalg.norm(TN, axis=2), axis=1) + np.max(np.linalg.norm(TF - TN, axis=2), axis=1)

        return interpolation_remainder(kind.radius(T), TA, hess, lip, d_y, rough if jumps else None)

    V = np.asarray(reg.vertices)
    fV = target_values(target, V)
    n_evals = V.shape[0]
    idx, owner = simplices()
    T, TN, TF = V[idx], np.asarray(reg.values)[idx], fV[idx]
    A, _ = reg.affine_maps()
    TA = np.linalg.norm(A, ord=2, axis=(1, 2))[owner]
    positive = kind.measure(T) > 0
    T, TN, TF, TA = T[positive], TN[positive], TF[positive], TA[positive]
    r = radii(T, TN, TF, TA)
    certifiable = bool(np.isfinite(r).all())
    if total is None:
        total = float(np.sum(kind.measure(T)))
    Q = simplex_quadrature(target, T, TN, p, rule, kind.measure, chunk)
    n_evals += rule[1].size * T.shape[0]
    estimate = float(np.sum(Q)) ** (1 / p)
    rounds, exhausted, low, high, previous = 0, False, 0.0, math.inf, None
    while certifiable or until_stable:
        if certifiable:
            vol = kind.measure(T)
            lowp, highp, rho_p = simplex_lp_terms(TF - TN, vol, r, p)
            rho = float(np.sum(rho_p)) ** (1 / p)
            low = max(0.0, float(np.sum(lowp)) ** (1 / p) - rho)
            high = float(np.sum(highp)) ** (1 / p) + rho
            allowed = max(cert_rtol * estimate, 1e-14 * max(1.0, estimate))
            if high - low <= allowed:
                break
            # refine where the share of the gap (in p-th powers, x moves the norm by about x / (p v^(p-1))) is too large
            v = max(estimate, allowed)
            bad = ((highp - lowp) > p * v ** (p - 1) * (allowed / 2) * vol / total) | ~(
                rho_p <= (allowed / 2) ** p * vol / total)
        else:
            if previous is not None and abs(estimate - previous) <= cert_rtol * max(estimate, 1e-300):
                break
            bad = np.ones(T.shape[0], dtype=bool)
        n_bad = int(np.count_nonzero(bad))
        if n_bad == 0 or T.shape[0] + (kind.n_children - 1) * n_bad > max_simplices or rounds >= max_rounds:
            exhausted = n_bad > 0
            break
        rounds += 1
        Tc = T[bad]
        mF = target_values(target, kind.midpoints(Tc).reshape(-1, kind.dim)).reshape(Tc.shape[0], kind.n_edges, -1)
        kT, kN, kF = kind.refine(Tc, (TN[bad], TF[bad]), (None, mF))
        kA = kind.repeat(TA[bad])
        keep = ~bad
        T, TN, TF, TA = (np.concatenate([x[keep], y]) for x, y in ((T, kT), (TN, kN), (TF, kF), (TA, kA)))
        r = np.concatenate([r[keep], radii(kT, kN, kF, kA)])
        Q = np.concatenate([Q[keep], simplex_quadrature(target, kT, kN, p, rule, kind.measure, chunk)])
        n_evals += kind.n_edges * n_bad + rule[1].size * kT.shape[0]
        previous = estimate
        estimate = float(np.sum(Q)) ** (1 / p)
    scale = max(1.0, float(np.max(np.abs(fV), initial=0.0)), float(np.max(np.abs(np.asarray(reg.values)), initial=0.0)))
    return LpRefinement(estimate, previous, low, high, certifiable, int(T.shape[0]), rounds, exhausted, n_evals, bounds,
                        scale, float(total))


def lp_estimate(
    run: LpRefinement,
    reg: Any,
    agreement: float,
    kind: SimplexKind,
    p: float,
    *,
    method: str,
    rounding: str,
    uncertified: Callable[[], tuple[float, float, list[str], list[str]]],
    parameters: dict[str, Any],
) -> ErrorEstimate:
    """The result of :func:`lp_on_regions`: certified when every simplex has a remainder bound and the regions
    agree with the forward pass; otherwise ``uncertified()`` gives ``(low, high, assumptions, notes)``."""
    low, high = run.low, run.high
    certified = run.certifiable and math.isfinite(high) and agreement <= tol("conditioning_flag")
    if certified:
        ass, notes = list(run.bounds.assumptions) + [rounding], []
        # f - N cancels where both are large: widen by their float64 rounding level, L^p-weighted
        low, high = widen_for_rounding(low, high, run.scale, notes, weight=run.total ** (1 / p), what="L^p-weighted; ")
        if not (low <= run.value <= high):
            notes.append(f"quadrature value {run.value:.17g} lies outside the certified interval (reported as is)")
    else:
        low, high, ass, notes = uncertified()
    if run.exhausted:
        notes.append(f"{kind.name} budget reached: the interval is wider than the requested tolerance")
    return ErrorEstimate(
        value=run.value,
        low=low,
        high=high,
        certified=certified,
        method=method,
        n_evals=run.n_evals,
        assumptions=tuple(ass),
        norm="lp",
        p=p,
        parameters=parameters,
        details={
            "regions": reg.n_regions,
            kind.plural: run.n_simplices,
            "refinement_rounds": run.rounds,
            "regions_vs_forward": agreement,
            "bound_methods": run.bounds.method_names,
            "notes": notes,
        },
    )
