r"""The LP lower bound made concrete: with K <= D directions, two different multisets collide.

Theorem 4.6 of Wang et al. (ICLR 2024): if the LP embedding uses :math:`K \le D` directions
:math:`w_1, \dots, w_K`, then some :math:`X \not\sim X'` have :math:`Xw_k \sim X'w_k` for every k,
so :math:`\Psi(X) = \Psi(X')` and no :math:`\rho` can tell them apart; hence
:math:`L = NK \ge N(D+1)`.  The witness built here:

* :math:`K < D`: a nonzero :math:`v` with :math:`Wv = 0`; :math:`X = \{0, z_2, \dots\}`,
  :math:`X' = \{v, z_2, \dots\}` (same projections, different sets);
* :math:`K = D` (W invertible): in the coordinates :math:`y = Wx` take the channel-swap pair
  :math:`Y = \{(0,0), (1,1)\}`, :math:`Y' = \{(0,1), (1,0)\}` in the first two coordinates
  (every column multiset agrees, the rows do not), padded with common rows, and map back
  with :math:`X = Y W^{-\top}`, exactly in rational arithmetic.

The collision is checked exactly: both pooled vectors are computed in Fractions and are
equal entry by entry.

>>> demo = lower_bound_demo(3, 2)
>>> demo.network.width, demo.lower_bound, demo.pooled_equal, demo.equivalent
(6, 9, True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from uat._rational_linalg import null_vector, solve
from uat.deepsets import DeepSets
from uat.errors import DimensionMismatch, ParameterError
from uat.set_embedding import SetEmbedding

from ._deepsets_boundary import check_dims
from ._deepsets_common import anchor_candidates, lower_bound_lp

__all__ = ["LowerBoundDemo", "lower_bound_demo", "colliding_pair", "default_directions"]


@dataclass(frozen=True)
class LowerBoundDemo:
    """An LP embedding of K <= D directions and two inequivalent sets with identical pooled vectors."""

    network: DeepSets
    first: tuple[tuple[Fraction, ...], ...]
    second: tuple[tuple[Fraction, ...], ...]
    pooled_equal: bool
    equivalent: bool
    lower_bound: int


def default_directions(d: int, k: int | None = None) -> list[list[Fraction]]:
    r"""Exact directions :math:`w_1, \dots, w_K` on the moment curve (an invertible scaled Vandermonde matrix when K = D).

    Parameters
    ----------
    d : int
        Element dimension :math:`D`.
    k : int, optional
        Number of directions :math:`K` (default D).

    Returns
    -------
    list of list of Fraction
        K rows of D entries.
    """
    k = d if k is None else k
    cands = anchor_candidates(max(2, d + 1), d)  # at least D + 1 distinct moment-curve points
    if k > len(cands):
        cands = [[Fraction(j + 1, k + 1) ** e for e in range(d)] for j in range(k)]
    return cands[:k]


def colliding_pair(w: list[list[Fraction]], n: int) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
    r"""Two inequivalent :math:`N`-element sets with equal projections onto every row of :math:`W` (:math:`K \le D`).

    The collision behind Theorem 4.6 of Wang et al. (ICLR 2024): :math:`Xw_k \sim X'w_k` for every k,
    so the LP embedding with these K directions cannot tell X from X'.  :math:`K < D`: a null vector
    of W; :math:`K = D`: the channel-swap pair mapped back through :math:`W^{-1}` (module docstring).

    Parameters
    ----------
    w : list of list of Fraction
        The K directions (rows of length D).
    n : int
        Set size :math:`N \ge 2`.

    Returns
    -------
    (list, list)
        The two sets, as N rows of D Fractions each.
    """
    k, d = len(w), len(w[0])
    if k > d:
        raise ParameterError(f"the lower-bound collision needs K <= D directions, got K = {k} > D = {d}")
    if n < 2:
        raise ParameterError("a collision needs sets of at least N = 2 elements")
    zero = [Fraction(0)] * d
    if k < d:  # X = {0, 0, pad}, X' = {v, 0, pad} with W v = 0
        pad = [[Fraction(j + 2, 3)] + [Fraction(0)] * (d - 1) for j in range(n - 2)]
        return [zero[:], zero[:]] + pad, [null_vector(w, d), zero[:]] + [p[:] for p in pad]
    if d < 2:
        raise ParameterError("with D = 1 the power sums are injective (L = N suffices); the demo needs D >= 2")
    y_first = [[Fraction(0)] * d, [Fraction(1), Fraction(1)] + [Fraction(0)] * (d - 2)]
    y_second = [[Fraction(0), Fraction(1)] + [Fraction(0)] * (d - 2), [Fraction(1), Fraction(0)] + [Fraction(0)] * (d - 2)]
    y_pad = [[Fraction(j + 2)] + [Fraction(0)] * (d - 1) for j in range(n - 2)]
    to_x = lambda y: solve(w, y)  # noqa: E731  (x = W^{-1} y)
    return [to_x(y) for y in y_first + y_pad], [to_x(y) for y in y_second + y_pad]


def _equivalent(a: list[list[Fraction]], b: list[list[Fraction]]) -> bool:
    return sorted(map(tuple, a)) == sorted(map(tuple, b))


def lower_bound_demo(N: int, D: int, directions: Any = None) -> LowerBoundDemo:  # noqa: N803
    r"""The LP embedding with :math:`K = D` directions (or the given :math:`K \le D`) and its exact collision.

    Demonstrates the lower bound :math:`L = NK \ge N(D+1)` of Wang et al. (ICLR 2024, Theorem 4.6):
    the two sets of :func:`colliding_pair` have equal pooled vectors, checked in Fractions.

    Parameters
    ----------
    N, D : int
        Set size and element dimension.
    directions : array_like, optional
        The K rows (K <= D); default :func:`default_directions`.

    Returns
    -------
    LowerBoundDemo
    """
    n, d = check_dims(N, D)
    w = default_directions(d) if directions is None else [[Fraction(v) for v in row] for row in directions]
    if any(len(r) != d for r in w):
        raise DimensionMismatch(f"every direction must have D = {d} entries")
    first, second = colliding_pair(w, n)
    net = DeepSets(SetEmbedding("lp", w, degree=n), n)
    equal = net.embed_exact(first) == net.embed_exact(second)
    return LowerBoundDemo(net, tuple(map(tuple, first)), tuple(map(tuple, second)), equal,
                          _equivalent(first, second), lower_bound_lp(n, d))
