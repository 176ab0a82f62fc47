r"""Where a one-input target may fail to be smooth: tiny intervals found from its interval bounds.

A target given by an expression knows where it may jump or kink: its certified per-box bounds
(:meth:`uat.targets.Target.local_bounds`, interval arithmetic over the parsed expression) return
an infinite second-derivative bound exactly on the boxes that may hold a jump (``Heaviside``,
``floor``, ``sign``), a kink (``abs``, ``min``, ``max``) or a blow-up of :math:`f''`.
:func:`singular_intervals` bisects the domain, keeping only such boxes, until they are a few
units in the last place wide.  On the complement the target is :math:`C^2` with finite bounds,
so quadrature there converges fast and the certificate of :mod:`verification._lp1d` uses the
second-derivative bound; the tiny intervals themselves carry a crude value bound whose
contribution :math:`h\,r^p` is negligible.

The search is bounded: if more than ``max_boxes`` boxes stay singular at some level (a
callable target without bounds, or an oscillating discontinuity such as
:math:`\mathrm{floor}(1/x)`), it gives up and returns None, and the caller refines as before.

>>> from uat.targets import make_target
>>> iv = singular_intervals(make_target("Heaviside(x - 0.3) + abs(x - 0.7)"), 0.0, 1.0)
>>> iv.shape, bool(iv[0, 0] <= 0.3 <= iv[0, 1]), bool(iv[1, 0] <= 0.7 <= iv[1, 1])
((2, 2), True, True)
>>> float(np.max(iv[:, 1] - iv[:, 0])) < 1e-14
True
>>> singular_intervals(make_target("sin(x)"), 0.0, 1.0).shape
(0, 2)
"""

from __future__ import annotations

import numpy as np

from uat.targets import Target

from ._bounds import target_bounds

__all__ = ["singular_intervals"]

_ULPS = 8  # stop bisecting a box this many units in the last place (of the domain's scale) wide


def singular_intervals(target: Target, a: float, b: float, *, max_boxes: int = 1024,
                       max_levels: int = 80) -> np.ndarray | None:
    """Tiny disjoint intervals (k, 2) outside which ``target`` has finite second-derivative bounds on ``[a, b]``.

    Returns an empty array when the whole interval is bounded, and None when the search gives
    up (more than ``max_boxes`` singular boxes at one level: nothing is known, as for a plain
    callable, or the singular set is not a few points).
    """
    lo, hi = np.array([float(a)]), np.array([float(b)])
    hess, _, _ = target_bounds(target, lo[:, None], hi[:, None], "hessian")
    if np.isfinite(hess).all():
        return np.empty((0, 2))
    found: list[np.ndarray] = []
    width = _ULPS * np.spacing(max(abs(float(a)), abs(float(b)), float(b) - float(a)))  # of the domain's scale
    for _ in range(max_levels):
        tiny = (hi - lo) <= width
        if tiny.any():
            found.append(np.stack([lo[tiny], hi[tiny]], axis=1))
            lo, hi = lo[~tiny], hi[~tiny]
        if lo.size == 0:
            break
        mid = 0.5 * (lo + hi)
        lo, hi = np.concatenate([lo, mid]), np.concatenate([mid, hi])
        hess, _, _ = target_bounds(target, lo[:, None], hi[:, None], "hessian")
        bad = ~np.isfinite(hess)
        lo, hi = lo[bad], hi[bad]
        if lo.size > max_boxes:
            return None
    else:
        return None
    if not found:
        return np.empty((0, 2))
    iv = np.concatenate(found)
    iv = iv[np.argsort(iv[:, 0])]
    # merge touching boxes (a jump on a dyadic point lies in two neighbouring boxes)
    out = [iv[0].copy()]
    for l, u in iv[1:]:
        if l <= out[-1][1]:
            out[-1][1] = max(out[-1][1], u)
        else:
            out.append(np.array([l, u]))
    return np.array(out)
