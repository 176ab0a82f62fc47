r"""Lattice piecewise-linear maps: strictly increasing PL maps whose slope ratios are powers of :math:`\alpha`.

Composing P1 kinks gives exactly the strictly increasing PL maps
:math:`\varphi` whose consecutive slope ratios lie in :math:`\alpha^{\mathbb Z}`.  A
:class:`LatticeMap` stores one: the start point :math:`(t_0,v_0)`, the initial slope
:math:`s_0` and the breaks :math:`(t_k,e_k)` (slope multiplied by :math:`\alpha^{e_k}` for
:math:`t>t_k`).  It is realised on a slot holding :math:`t` by the free affine map
:math:`v_0+s_0(t-t_0)` followed by one P1 kink per break at the *current* value
:math:`\beta_k=\varphi(t_k)`, :math:`|e_k|` layers each.

**P1', lattice interpolation** (:func:`lattice_interpolation`).  Given strictly increasing
data :math:`(c_a,y_a)\to(c_b,y_b)` with mean slope :math:`a`, take the lattice slopes
:math:`s_{hi}=s_{ref}\alpha^j\ge a>s_{lo}=s_{ref}\alpha^{j+1}`, use :math:`s_{hi}` on
:math:`[c_a,c_a+\tau]` and :math:`s_{lo}` after, with
:math:`\tau=(\Delta y-s_{lo}\Delta c)/(s_{hi}-s_{lo})\in(0,\Delta c]`; the value at :math:`c_b`
is exact.  No "all leaks" activation family is needed; a kink costs :math:`|\Delta j|` layers.

>>> from fractions import Fraction as Q
>>> phi = lattice_interpolation([Q(0), Q(1), Q(2)], [Q(0), Q(3), Q(7, 2)], Q(1, 2))
>>> [str(phi.value(t)) for t in (Q(0), Q(1), Q(2))]
['0', '3', '7/2']
>>> all(r in (Q(1, 2) ** e for e in range(-8, 9)) for r in phi.slope_ratios())
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import numpy as np

from uat.errors import ParameterError

from ._leaky_primitives import Chain, kink_chain

__all__ = ["LatticeMap", "lattice_exponent", "lattice_interpolation"]


def lattice_exponent(a: Fraction, s_ref: Fraction, alpha: Fraction) -> int:
    """The integer j with s_ref * alpha**j >= a > s_ref * alpha**(j+1) (a > 0)."""
    if a <= 0:
        raise ParameterError(f"lattice slopes are positive; got the slope {a}")
    j = int(math.floor(math.log(float(a / s_ref)) / math.log(float(alpha))))
    # exact correction of the float guess
    while s_ref * alpha**j < a:
        j -= 1
    while s_ref * alpha ** (j + 1) >= a:
        j += 1
    return j


@dataclass(frozen=True)
class LatticeMap:
    """A strictly increasing lattice PL map (see the module docstring)."""

    alpha: Fraction
    t0: Fraction
    v0: Fraction
    s0: Fraction
    breaks: tuple[tuple[Fraction, int], ...]

    def __post_init__(self) -> None:
        if self.s0 <= 0:
            raise ParameterError(f"a lattice map is increasing; initial slope {self.s0} <= 0")
        ts = [t for t, _ in self.breaks]
        if any(b <= a for a, b in zip(ts, ts[1:])):
            raise ParameterError("lattice map breaks must be strictly increasing")

    @property
    def n_layers(self) -> int:
        r"""The number of :math:`\sigma`-layers: :math:`\sum |e|` over the breaks (one layer per factor :math:`\alpha^{\pm 1}`)."""
        return sum(abs(e) for _, e in self.breaks)

    def slopes(self) -> list[Fraction]:
        r"""The slopes left to right: :math:`s_0`, then :math:`s_{j+1} = s_j\alpha^{e_j}` at each break."""
        s = [self.s0]
        for _, e in self.breaks:
            s.append(s[-1] * self.alpha**e)
        return s

    def slope_ratios(self) -> list[Fraction]:
        r"""The slope ratio :math:`\alpha^{e_j}` at each break."""
        return [self.alpha**e for _, e in self.breaks]

    def knot_values(self) -> list[Fraction]:
        """phi(t_k) at every break (exact)."""
        out = []
        t, v, s = self.t0, self.v0, self.s0
        for tk, e in self.breaks:
            v = v + s * (tk - t)
            t = tk
            out.append(v)
            s = s * self.alpha**e
        return out

    def value(self, t: Fraction) -> Fraction:
        """Exact value at a rational point."""
        x, v, s = self.t0, self.v0, self.s0
        if t <= x:
            return v + s * (t - x)
        for tk, e in self.breaks:
            if t <= tk:
                return v + s * (t - x)
            v = v + s * (tk - x)
            x = tk
            s = s * self.alpha**e
        return v + s * (t - x)

    def __call__(self, t: np.ndarray) -> np.ndarray:
        """float64 evaluation (closed form, for tests and plots)."""
        t = np.asarray(t, dtype=float)
        ts = np.array([float(tk) for tk, _ in self.breaks])
        vs = np.array([float(v) for v in self.knot_values()])
        ss = np.array([float(v) for v in self.slopes()])
        idx = np.searchsorted(ts, t, side="left")  # segment index: t <= ts[idx]
        base_t = np.where(idx == 0, float(self.t0), ts[np.maximum(idx - 1, 0)])
        base_v = np.where(idx == 0, float(self.v0), vs[np.maximum(idx - 1, 0)])
        return base_v + ss[idx] * (t - base_t)

    def affine_part(self) -> tuple[Fraction, Fraction]:
        """(scale, shift) of the initial affine map t -> v0 + s0 (t - t0)."""
        return self.s0, self.v0 - self.s0 * self.t0

    def kink_chains(self) -> list[Chain]:
        """The P1 chains that follow the initial affine map (one per break)."""
        return [kink_chain(beta, e, self.alpha) for (_, e), beta in zip(self.breaks, self.knot_values())]


def lattice_interpolation(c: Sequence[Fraction], y: Sequence[Fraction], alpha: Fraction,
                          s_ref: Fraction | None = None) -> LatticeMap:
    """The lattice PL map through the strictly increasing points (c_k, y_k) (P1').

    Slopes are ``s_ref * alpha**j``; ``s_ref`` defaults to 1.  Outside [c_0, c_K] the map
    continues with its first and last slopes.
    """
    alpha = Fraction(alpha)
    s_ref = Fraction(1) if s_ref is None else Fraction(s_ref)
    c = [Fraction(v) for v in c]
    y = [Fraction(v) for v in y]
    if len(c) != len(y) or len(c) < 2:
        raise ParameterError("lattice interpolation needs at least two points (c_k, y_k)")
    pieces: list[tuple[Fraction, Fraction]] = []  # (start t, slope)
    for k in range(len(c) - 1):
        dc, dy = c[k + 1] - c[k], y[k + 1] - y[k]
        if dc <= 0 or dy <= 0:
            raise ParameterError(
                f"lattice interpolation needs strictly increasing data; segment {k} has dc={dc}, dy={dy}"
            )
        a = dy / dc
        j = lattice_exponent(a, s_ref, alpha)
        s_hi = s_ref * alpha**j
        if s_hi == a:
            pieces.append((c[k], s_hi))
            continue
        s_lo = s_hi * alpha
        tau = (dy - s_lo * dc) / (s_hi - s_lo)
        pieces.append((c[k], s_hi))
        if tau < dc:
            pieces.append((c[k] + tau, s_lo))
    s0 = pieces[0][1]
    breaks: list[tuple[Fraction, int]] = []
    prev = s0
    for t, s in pieces[1:]:
        if s == prev:
            continue
        e = _exponent_of_ratio(s / prev, alpha)
        breaks.append((t, e))
        prev = s
    return LatticeMap(alpha, c[0], y[0], s0, tuple(breaks))


def _exponent_of_ratio(r: Fraction, alpha: Fraction) -> int:
    e = int(round(math.log(float(r)) / math.log(float(alpha))))
    if alpha**e != r:
        raise ParameterError(f"slope ratio {r} is not a power of alpha = {alpha}")  # pragma: no cover
    return e
