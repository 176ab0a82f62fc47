r"""The target's :math:`L^p` mass outside the truncation box of ``relu-lp-whole`` (Recipe B).

The whole-space witness is exactly 0 outside the box widened by its own width on every side
(its recorded ``domain``, on which ``uat verify`` measures by default), so

.. math:: \|\mathcal N - f\|_{L^p(\mathbb R^{d_x})}^p = \|\mathcal N - f\|_{L^p(W)}^p + \|f\|_{L^p(\mathbb R^{d_x} \setminus W)}^p

with :math:`W` the widened box.  The last term is invisible to a verifier that measures on
:math:`W`, so it is estimated here, not only on the ring :math:`W \setminus K`:

* ``certified``: the target's interval enclosure (:meth:`uat.targets.Target.enclose`) over the
  :math:`2 d_x` open slabs :math:`\{x_i > b_i\}`, :math:`\{x_i < a_i\}` (reaching to
  :math:`\pm 10^{300}`) of a box is exactly 0: the target vanishes outside that box;
* otherwise a seeded Monte Carlo estimate on the ring and on the dyadic shells
  :math:`2^{k-1} < \|v\|_\infty / (3/2) \le 2^k`, :math:`k = 1, \dots, 40`, around the box
  centre (in box units :math:`v`), i.e. out to about :math:`10^{12}` box widths.

>>> from uat.targets import make_target
>>> from uat.domains import parse_domain
>>> tail_mass(make_target("max(0, 1 - abs(x1))", input_dim=1), parse_domain("[-1,1]"), 1.0).certified
True
>>> m = tail_mass(make_target("Heaviside(x1 - 5)", input_dim=1), parse_domain("[0,1]"), 1.0)
>>> m.ring, m.far > 1
(0.0, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from uat.domains import Box

__all__ = ["TailMass", "tail_mass", "SAMPLE_TAIL", "FAR_SHELLS"]

SAMPLE_TAIL = 4096
"""Monte Carlo points on the ring and on each far shell."""

FAR_SHELLS = 40
"""Dyadic shells beyond the widened box (out to 1.5 x 2^40 box widths from the centre)."""

_REACH = 1e300


@dataclass(frozen=True)
class TailMass:
    """The target's :math:`L^p` mass on the ring :math:`W \\setminus K` and beyond :math:`W`.

    ``certified`` when the enclosure shows the target is 0 outside :math:`K` (then both are 0);
    ``far_certified`` when it is 0 outside :math:`W`.
    """

    ring: float
    far: float
    certified: bool
    far_certified: bool

    @property
    def total(self) -> float:
        """:math:`(\\text{ring}^p + \\text{far}^p)^{1/p} \\le` ring + far: the sum is reported."""
        return self.ring + self.far


def _vanishes_outside(target: Any, lo: np.ndarray, hi: np.ndarray) -> bool:
    """True when the target's enclosure is exactly 0 on every open slab outside the box [lo, hi]."""
    d = lo.size
    slo, shi = [], []
    for i in range(d):
        for side in (0, 1):
            a, b = np.full(d, -_REACH), np.full(d, _REACH)
            if side:
                a[i] = np.nextafter(hi[i], np.inf)
            else:
                b[i] = np.nextafter(lo[i], -np.inf)
            slo.append(a)
            shi.append(b)
    try:
        with np.errstate(all="ignore"):
            elo, ehi = target.enclose(np.array(slo), np.array(shi))
    except Exception:  # noqa: BLE001 - no enclosure means no certificate, never an error
        return False
    return bool(np.all(np.asarray(elo) == 0) and np.all(np.asarray(ehi) == 0))


def _mass(target: Any, box: Box, p: float, u: np.ndarray, volume: float) -> float:
    """Monte Carlo L^p mass from points ``u`` (box units: the box is [0, 1]^d) on a region of that volume."""
    if not u.size:
        return 0.0
    x = box.from_unit(u)
    with np.errstate(all="ignore"):
        vals = np.linalg.norm(target(x), axis=1)
    if not np.all(np.isfinite(vals)):
        return float("inf")
    return float((volume * np.mean(vals**p)) ** (1.0 / p))


def tail_mass(target: Any, box: Box, p: float) -> TailMass:
    """Estimate (or certify as 0) the target's L^p mass outside the truncation box ``box``.

    Parameters
    ----------
    target : Target
        The target.
    box : Box
        The truncation box :math:`K`; :math:`W` is :math:`K` widened by its own width on every side.
    p : float
        The exponent.

    Returns
    -------
    TailMass
    """
    lo = np.array([float(v) for v in box.lo])
    hi = np.array([float(v) for v in box.hi])
    w = hi - lo
    if _vanishes_outside(target, lo, hi):
        return TailMass(0.0, 0.0, True, True)
    d = box.dim
    vol = float(box.volume)
    rng = np.random.default_rng(7)
    u = rng.random((SAMPLE_TAIL, d)) * 3 - 1  # the widened box [-1, 2]^d in box units
    ring = _mass(target, box, p, u[np.any((u < 0) | (u > 1), axis=1)], vol * (3.0**d - 1.0))
    if _vanishes_outside(target, lo - w, hi + w):
        return TailMass(ring, 0.0, False, True)
    far_p = 0.0
    for k in range(1, FAR_SHELLS + 1):
        r_in, r_out = 1.5 * 2.0 ** (k - 1), 1.5 * 2.0**k
        v = (rng.random((SAMPLE_TAIL, d)) * 2 - 1) * r_out
        v = v[np.max(np.abs(v), axis=1) > r_in]
        m = _mass(target, box, p, v + 0.5, vol * ((2 * r_out) ** d - (2 * r_in) ** d))
        if not np.isfinite(m):
            return TailMass(ring, float("inf"), False, False)
        far_p += m**p
    return TailMass(ring, float(far_p ** (1.0 / p)), False, False)
