r"""Parameter choices and budgets of the :math:`L^p` RNN witnesses (``rnn-lp``, ``brnn-lp``).

Song, Hwang, Lee, Kang (JMLR 24(121), 2023, Theorems 15 and 23) quantise each token to
:math:`2^M` cells per axis and pack the prefix :math:`(t, k[1..t])` into one float64 number.  The
budgets (:mod:`constructions.rnn_lp` docstring): the packed code needs :math:`T(d_x M + 1) \le 52`
bits (BRNN: :math:`2T(d_x M + 1)`), the memoriser has one step per code, and on the whole space the
truncation box :math:`[-L, L]^{d_x}` must leave a target tail below :math:`\varepsilon/4`.

>>> n_codes(2, 1, 3, False), choose_bits(2, 1, 1 << 14, False)
(72, 6)
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from uat.errors import BudgetExceeded, ParameterError

from ._rnn_lp_parts import OutputGrid, output_grid

__all__ = ["MANTISSA_BITS", "n_codes", "choose_bits", "truncation_radius", "grid_from_levels"]

MANTISSA_BITS = 52


def n_codes(T: int, dx: int, M: int, bi: bool) -> int:
    r"""The number of codes the memoriser holds: :math:`\sum_{t=1}^T 2^{t d_x M}` (RNN) or :math:`T\,2^{T d_x M}` (BRNN).

    Parameters
    ----------
    T, dx, M : int
        Horizon, token dimension, quantisation bits per coordinate.
    bi : bool
        Whether the witness is a BRNN (every output sees the whole sequence).

    Returns
    -------
    int
    """
    return T * 2 ** (T * dx * M) if bi else sum(2 ** (t * dx * M) for t in range(1, T + 1))


def choose_bits(T: int, dx: int, max_codes: int, bi: bool) -> int:
    r"""The largest :math:`M` within both budgets: at most ``max_codes`` codes and a code of at most 52 bits.

    Parameters
    ----------
    T, dx : int
        Horizon and token dimension.
    max_codes : int
        The memoriser's budget.
    bi : bool
        Whether the witness is a BRNN (the code has twice the bits).

    Returns
    -------
    int

    Raises
    ------
    BudgetExceeded
        Not even :math:`M = 1` fits.
    """
    best = None
    for M in range(1, 24):
        if n_codes(T, dx, M, bi) > max_codes or (2 if bi else 1) * T * (dx * M + 1) > MANTISSA_BITS:
            break
        best = M
    if best is None:
        raise BudgetExceeded(
            f"even M = 1 bit per coordinate needs {n_codes(T, dx, 1, bi)} codes for T = {T}, d_x = {dx} "
            f"(max_codes = {max_codes}); lower T or raise --param max_codes=..."
        )
    return best


def truncation_radius(tgt: Any, radius: Any, eps: float | None, p: float, T: int) -> tuple[Fraction, float]:
    r"""The truncation radius :math:`L` (a multiple of 1/4) and the tail bound :math:`\sup_t \|f_t\|_{L^p(\text{outside } [-L, L])}`.

    Without ``radius``, the smallest :math:`L \ge 1/2` whose declared tail is at most
    :math:`\varepsilon/4` (:math:`\varepsilon` = 0.05 when not given).

    Parameters
    ----------
    tgt : SequenceTarget
        The target (its ``tail(L, p, t)``, when declared).
    radius : float or None
        The user's radius (rounded up to a multiple of 1/4).
    eps : float or None
        The requested accuracy.
    p : float
        The exponent.
    T : int
        The horizon.

    Returns
    -------
    (Fraction, float)
        :math:`L` and the tail bound (NaN when the target declares no tail).

    Raises
    ------
    ParameterError
        A non-positive radius, or no radius and no declared tail.
    BudgetExceeded
        No radius up to :math:`10^6` brings the tail low enough.
    """
    if radius is not None:
        r = float(radius)
        if not r > 0:
            raise ParameterError(f"radius must be > 0, got {radius!r}")
        L = Fraction(math.ceil(r * 4), 4)
        tail = max(tgt.tail(float(L), p, t) for t in range(1, T + 1)) if tgt.tail is not None else math.nan
        return L, tail
    if tgt.tail is None:
        raise ParameterError(f"the whole-space witness needs a truncation radius: target {tgt.name!r} declares no "
                             "tail bound, so pass radius=... (--param radius=...)")
    share = (0.05 if eps is None else eps) / 4
    L = Fraction(1, 2)
    while max(tgt.tail(float(L), p, t) for t in range(1, T + 1)) > share:
        L += Fraction(1, 4)
        if L > 1e6:
            raise BudgetExceeded(f"no truncation radius up to 1e6 brings the tail of {tgt.name!r} below {share:.3g}")
    return L, max(tgt.tail(float(L), p, t) for t in range(1, T + 1))


def grid_from_levels(V: np.ndarray, levels: int) -> OutputGrid:
    r"""The decoder's output grid with at least ``levels`` levels: a dyadic step :math:`\ge` span/(levels - 2).

    Parameters
    ----------
    V : ndarray, shape (n, d_y)
        The memorised output values.
    levels : int
        The requested number of levels per output.

    Returns
    -------
    OutputGrid
    """
    span = max(float(V.max()), 0.0) - min(float(V.min()), 0.0)
    step = Fraction(2) ** math.ceil(math.log2(max(span, 1e-300) / max(levels - 2, 1)))
    g0 = output_grid(V, math.sqrt(V.shape[1]) * float(step) / 2)
    return OutputGrid(g0.lo, g0.step, max(g0.M, levels))
