r"""Sup error on a grid of cells with a Lipschitz certificate (any input dimension, any activation).

The box is cut into congruent cells; :math:`e = \|f - N\|_2` is evaluated at each cell's
centre :math:`c`.  On a cell of half-widths :math:`w` the covering radius is
:math:`r = \|w\|_2`, and if :math:`f` is :math:`L_f`-Lipschitz on the cell and :math:`N` is
:math:`L_N`-Lipschitz on the box,

.. math:: \sup_{cell} e \le e(c) + (L_f + L_N)\, r .

The maximum over the centres is an attained lower bound; the maximum of the cell bounds
is the certified upper bound (verification.md section 1.6, item 4).  Cells whose bound
exceeds the attained maximum by more than the tolerance are split into :math:`2^d`
children while the budget lasts.  :math:`L_N` comes from
:func:`verification._bounds.network_lipschitz_bound` and is often pessimistic for deep
networks (exponential in depth), in which case the bound is reported as vacuous.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from uat.domains import Box
from uat.network import FeedForward
from uat.targets import Target

from ._bounds import BoundLog, network_lipschitz_bound
from ._result import ErrorEstimate, sup_estimate
from ._validate import forward, target_values

__all__ = ["sup_grid", "default_grid_points"]


def default_grid_points(net: FeedForward, d: int, max_evals: int) -> int:
    """Points per axis: about 2^16 cells in total, fewer for very deep networks, within the budget."""
    cost = max(1, net.depth * max(1, net.width)) / 100.0
    total = int(min(max_evals // 2, max(256, 2**16 / max(1.0, cost / 10.0))))
    return max(2, int(math.floor(total ** (1.0 / d))))


def sup_grid(
    net: FeedForward,
    target: Target,
    box: Box,
    *,
    rtol: float,
    max_evals: int,
    points_per_axis: int | None = None,
) -> ErrorEstimate:
    d = box.dim
    # each evaluation also runs the network: keep the work (points x depth x width^2) bounded
    max_evals = min(max_evals, max(2**14, int(3e8 / (net.depth * max(1, net.width) ** 2))))
    n = points_per_axis if points_per_axis is not None else default_grid_points(net, d, max_evals)
    widths = box.widths
    hw0 = widths / (2 * n)
    axes = [box.lo_array[i] + hw0[i] * (2 * np.arange(n) + 1) for i in range(d)]
    C = np.stack([m.ravel() for m in np.meshgrid(*axes, indexing="ij")], axis=1)
    HW = np.broadcast_to(hw0, C.shape).copy()
    L_N, n_method, n_ass = network_lipschitz_bound(net, box)
    children = np.array(list(itertools.product((-0.5, 0.5), repeat=d)))  # (2^d, d)
    n_evals = 0
    bounds = BoundLog(target)

    def measure(centres: np.ndarray, hws: np.ndarray):
        fv, nv = target_values(target, centres), forward(net, centres)
        e = np.linalg.norm(fv - nv, axis=1)
        with np.errstate(invalid="ignore"):  # the size of f and N: their float64 rounding widens the interval
            size = max(float(np.nanmax(np.abs(fv), initial=0.0)), float(np.nanmax(np.abs(nv), initial=0.0)))
        lf = bounds.bound(centres - hws, centres + hws, "lipschitz")
        with np.errstate(invalid="ignore", over="ignore"):
            U = e + (lf + L_N) * np.linalg.norm(hws, axis=1)
        return e, np.where(np.isnan(U), np.inf, U), size

    E, U, size = measure(C, HW)
    n_evals += C.shape[0]
    scale = max(1.0, float(np.max(E)))
    atol = 64 * np.finfo(float).eps * scale
    rounds, exhausted = 0, False
    while True:
        k = int(np.argmax(E))
        low, at = float(E[k]), C[k]
        high = float(np.max(U))
        slack = max(rtol * low, atol)
        if high - low <= slack or not math.isfinite(high):
            break
        cand = U > low + slack
        n_new = int(np.count_nonzero(cand)) * children.shape[0]
        if n_evals + n_new > max_evals or rounds >= 60:
            exhausted = True
            break
        rounds += 1
        hw = HW[cand] / 2
        kids_c = (C[cand][:, None, :] + 2 * children[None, :, :] * hw[:, None, :]).reshape(-1, d)
        kids_hw = np.repeat(hw, children.shape[0], axis=0)
        e2, u2, s2 = measure(kids_c, kids_hw)
        size = max(size, s2)
        n_evals += n_new
        keep = ~cand
        C, HW = np.concatenate([C[keep], kids_c]), np.concatenate([HW[keep], kids_hw])
        E, U = np.concatenate([E[keep], e2]), np.concatenate([U[keep], u2])
    certified = math.isfinite(high)
    notes = []
    ass = list(bounds.assumptions) + list(n_ass)
    if not certified:
        why = "the network's Lipschitz bound is infinite" if not math.isfinite(L_N) else (
            "no Lipschitz bound is known for the target (declare one with make_target(..., lipschitz=L))"
        )
        notes.append(f"vacuous upper bound ({why}): the value is the grid maximum, a lower bound only")
    elif high > 1e6 * max(low, atol):
        notes.append("the Lipschitz certificate is valid but very loose (typical for deep networks)")
    if exhausted:
        notes.append("evaluation budget reached before the bound met the requested tolerance")
    return sup_estimate(
        low,
        high,
        at,
        certified=certified,
        method="grid-lipschitz",
        n_evals=n_evals,
        assumptions=ass,
        parameters={"rtol": rtol, "max_evals (capped by network cost)": max_evals, "points_per_axis": n},
        scale=max(1.0, size),
        details={
            "cells": int(C.shape[0]),
            "refinement_rounds": rounds,
            "network_lipschitz_bound": L_N,
            "network_lipschitz_method": n_method,
            "bound_methods": bounds.method_names,
            "budget_exhausted": exhausted,
            "notes": notes,
        },
    )
