r"""The lower-bound demonstration for :math:`(d_x, d_y) = (1, 2)`: the self-crossing :math:`\alpha`-curve.

Target (library name ``"alpha-curve"``): the polyline
:math:`(-1,0) \to (1,0) \to (1,1) \to (0,1) \to (0,-1)` traversed by arc length on :math:`[0,1]`
(speed 6).  It crosses itself transversally at the origin, at :math:`t = 1/6` and
:math:`t = 5/6`, and the four arms leaving the crossing have length :math:`a = 1`.

**Floor.** Every width-2 ReLU network :math:`\mathcal N : [0,1] \to \mathbb R^2` has
:math:`\sup_t \|\mathcal N(t) - f^*(t)\|_2 \ge a/2 = 1/2` (relu.md §8, worked out for this project;
an instance of the phenomenon behind Park et al.'s "ReLU width 2 is not uniformly dense for
(1, 2)" and Kim-Min-Park's :math:`w_{\min} \ge d_y + 1` for :math:`d_x < d_y \le 2 d_x`):

1. For a strictly monotone continuous :math:`\sigma` (softplus), a width-2 layer
   :math:`z \mapsto \sigma(Az + b)` is injective when :math:`A` is invertible, and a rank-:math:`\le 1`
   layer factors the network through :math:`\mathbb R`.  So a width-2 network is
   :math:`\Psi \circ \varphi` with :math:`\varphi : [0,1] \to \mathbb R` continuous and :math:`\Psi`
   injective on the interval :math:`\varphi([0,1])` (or the output lies on a line, and then the
   error is :math:`\ge 1/\sqrt 2` at an arm end).
2. If the sup error were :math:`< 1/2`, the image of :math:`[0, 1/3]` would cross the square
   :math:`[-1/2, 1/2]^2` from left to right inside :math:`|y| < 1/2`, and the image of
   :math:`[2/3, 1]` from top to bottom inside :math:`|x| < 1/2`; so the two sub-paths meet.
3. Both are images under the injective :math:`\Psi` of intervals :math:`\varphi([0,1/3])`,
   :math:`\varphi([2/3,1])`; a meeting point forces the intervals to overlap, and on the overlap
   one path would have to stay in both bands at once, which leaves no room for the other crossing.
   Contradiction.
4. ReLU: :math:`\mathrm{softplus}(\alpha z)/\alpha \to \mathrm{relu}(z)` uniformly, so a width-2 ReLU
   net with sup error :math:`< 1/2` would give a width-2 softplus net with sup error :math:`< 1/2`.

The width-2 :math:`L^p` witness of ``relu-lp-compact`` therefore keeps a sup error of at least
1/2 (its ramps must travel between distant codes) while its :math:`L^1` error goes to 0; the
width-3 witness of ``relu-uniform-1d`` converges uniformly.  Both are built by
:func:`width2_witness` and :func:`width3_witness` (docs/relu.md has the figure).

>>> width2_witness(4).network.width, width3_witness(4).network.width
(2, 3)
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ._registry import Construction, build

__all__ = ["TARGET", "FLOOR", "CROSSING", "width2_witness", "width3_witness"]

TARGET = "alpha-curve"
FLOOR = Fraction(1, 2)
"""Lower bound on the sup error of every width-2 network for the alpha-curve."""
CROSSING = (Fraction(1, 6), Fraction(5, 6))
"""Parameters at which the curve passes through its self-crossing (0, 0)."""


def width2_witness(bits: int, *, levels: int | None = None, ramp: Fraction | None = None, eps: float = 1.0,
                   p: float = 1, progress: str = "quiet", **kw: Any) -> Construction:
    r"""The width-2 :math:`L^p` witness (``relu-lp-compact``) of the alpha-curve with :math:`N = 2^{bits}` cells.

    Its :math:`L^p` error falls like :math:`1/N` while its sup error stays :math:`\ge` :data:`FLOOR` = 1/2
    (the floor of the module docstring: width 2 cannot approximate the self-crossing curve uniformly,
    Park et al. 2021 for (1, 2); Kim, Min and Park 2024, :math:`w_{\min} \ge d_y + 1`).

    Parameters
    ----------
    bits : int
        :math:`K`, the grid has :math:`2^K` cells.
    levels : int, optional
        Output levels :math:`M` (default :math:`2^K`: M proportional to N keeps the :math:`L^p` rate
        at -1 per bit).
    ramp : Fraction, optional
        Ramp width (default :math:`2^{-(K+10)}`: a bad set of measure :math:`2^{-10}`, negligible next
        to the grid term).
    eps, p : float
        Passed to the builder (the parameters above fix the witness; eps only has to be met).
    progress : str
        The progress meter.
    **kw
        Further ``relu-lp-compact`` overrides.

    Returns
    -------
    Construction
    """
    ramp = Fraction(1, 2 ** (bits + 10)) if ramp is None else ramp
    return build("relu-lp-compact", TARGET, eps=eps, p=p, bits=bits, levels=levels or 2**bits, ramp=ramp,
                 progress=progress, **kw)


def width3_witness(bits: int, *, eps: float = 1.0, progress: str = "quiet") -> Construction:
    r"""The width-3 uniform witness (``relu-uniform-1d``) of the alpha-curve with :math:`N = 2^{bits}` cells.

    Width :math:`d_y + 1 = 3` is the minimum for (1, 2) (Park et al. 2021); the sup error is
    :math:`\le \omega_f(5/(8N))` and goes to 0.

    Parameters
    ----------
    bits : int
        :math:`K`, the grid has :math:`2^K` cells.
    eps : float
        Passed to the builder (only has to be met).
    progress : str
        The progress meter.

    Returns
    -------
    Construction
    """
    return build("relu-uniform-1d", TARGET, eps=eps, bits=bits, progress=progress)
