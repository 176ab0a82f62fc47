"""Exact linear algebra over the rationals (Gauss-Jordan elimination in Fractions), for small systems.

Used by the DeepSets lower-bound demonstration and by the adversarial-pair generator of the
verifier (both need exact null vectors and exact solves of D x D systems).

>>> from fractions import Fraction as F
>>> null_vector([[F(1), F(2), F(3)]], 3)
[Fraction(-2, 1), Fraction(1, 1), Fraction(0, 1)]
>>> solve([[F(2), F(1)], [F(1), F(3)]], [F(3), F(5)])
[Fraction(4, 5), Fraction(7, 5)]
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from .errors import DimensionMismatch

__all__ = ["row_reduce", "null_vector", "solve"]


def row_reduce(rows: Sequence[Sequence[Fraction]], ncols: int) -> tuple[list[list[Fraction]], list[int]]:
    """Reduced row echelon form of the first ``ncols`` columns (all columns are transformed); returns (rows, pivots)."""
    m = [list(r) for r in rows]
    pivots: list[int] = []
    r = 0
    for c in range(ncols):
        piv = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
        if piv is None:
            continue
        m[r], m[piv] = m[piv], m[r]
        inv = 1 / m[r][c]
        m[r] = [v * inv for v in m[r]]
        for i in range(len(m)):
            if i != r and m[i][c] != 0:
                f = m[i][c]
                m[i] = [v - f * x for v, x in zip(m[i], m[r])]
        pivots.append(c)
        r += 1
    return m, pivots


def null_vector(rows: Sequence[Sequence[Fraction]], d: int) -> list[Fraction]:
    """A nonzero exact v in Q^d with ``rows @ v = 0`` (the rows must not have full column rank)."""
    m, pivots = row_reduce(rows, d)
    free = next((c for c in range(d) if c not in pivots), None)
    if free is None:
        raise DimensionMismatch(f"the {len(m)} rows have rank {d}: only the zero vector is orthogonal to them")
    v = [Fraction(0)] * d
    v[free] = Fraction(1)
    for i, c in enumerate(pivots):
        v[c] = -m[i][free]
    return v


def solve(a: Sequence[Sequence[Fraction]], b: Sequence[Fraction]) -> list[Fraction]:
    """The exact solution of the square invertible system ``a x = b``."""
    n = len(a)
    m, pivots = row_reduce([list(row) + [rhs] for row, rhs in zip(a, b)], n)
    if pivots != list(range(n)):
        raise DimensionMismatch("the matrix is singular; no unique solution")
    return [m[i][n] for i in range(n)]
