r"""Cell values of the memorizer: target values on the grid of :math:`N^{d_x}` cells.

Cell :math:`k = \sum_l k_l N^{d_x - l}` (first axis most significant, the order the encoder
produces) is :math:`\prod_l [a_l + k_l w_l / N,\ a_l + (k_l+1) w_l / N)` with centre
:math:`c_k`.  Two rules (relu.md §7 item 10):

* ``"centre"``: :math:`w_k = f(c_k)`; exact rationals when the target's expression is rational
  at the rational centres (``Target.exact_value``), float64 otherwise;
* ``"average"``: :math:`w_k \approx |Q_k|^{-1} \int_{Q_k} f` by the midpoint rule on
  :math:`q^{d_x}` sub-cells (for targets that are only in :math:`L^p`).

>>> from uat.targets import make_target
>>> from uat.domains import unit_box
>>> t = make_target(lambda x: x[:, :1] + 10 * x[:, 1:2], input_dim=2)
>>> cell_values(t, unit_box(2), 2, "centre").values[:, 0].tolist()
[2.75, 7.75, 3.25, 8.25]
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from uat.domains import Box
from uat.errors import NonFiniteError

__all__ = ["CellValues", "cell_values", "cell_centres", "in_mode", "AVERAGE_POINTS"]

AVERAGE_POINTS = 4
"""Midpoint-rule points per axis and cell for cell averages."""

_CHUNK = 1 << 18


@dataclass(frozen=True)
class CellValues:
    """Values per cell, shape (N^d_x, d_y): Fractions (``exact``) or float64."""

    values: np.ndarray
    exact: bool
    rule: str


def cell_centres(box: Box, N: int, *, exact: bool = False) -> np.ndarray:
    r"""The :math:`N^{d_x}` cell centres :math:`c_k = a + (k + 1/2)\,w/N` in cell order.

    Parameters
    ----------
    box : Box
        The domain, lower corner :math:`a`, widths :math:`w`.
    N : int
        Cells per axis.
    exact : bool
        Fractions instead of float64.

    Returns
    -------
    ndarray, shape (N^d_x, d_x)
    """
    d = box.dim
    idx = np.indices((N,) * d).reshape(d, -1).T  # (N^d, d), C order = cell order
    if exact:
        out = np.empty(idx.shape, dtype=object)
        for i in range(d):
            a, w = box.lo[i], box.hi[i] - box.lo[i]
            out[:, i] = [a + (Fraction(int(k)) + Fraction(1, 2)) * w / N for k in idx[:, i]]
        return out
    return box.lo_array + (idx + 0.5) * (box.widths / N)


def _evaluate(target: Any, pts: np.ndarray) -> np.ndarray:
    out = np.empty((pts.shape[0], target.output_dim))
    for s in range(0, pts.shape[0], _CHUNK):
        out[s : s + _CHUNK] = target(pts[s : s + _CHUNK])
    if not np.all(np.isfinite(out)):
        bad = int(np.argwhere(~np.isfinite(out))[0][0])
        raise NonFiniteError(f"the target {target.name!r} is not finite at {pts[bad].tolist()}; "
                             "cell values must be finite (restrict the domain)")
    return out


def cell_values(target: Any, box: Box, N: int, rule: str, *, try_exact: bool = False) -> CellValues:
    r"""Cell values of ``target`` on the :math:`N^{d_x}` grid of ``box``: :math:`f(c_k)` or the cell average.

    Parameters
    ----------
    target : Target
        The target.
    box : Box
        The domain.
    N : int
        Cells per axis.
    rule : {"centre", "average"}
        Centre values, or midpoint-rule cell averages (module docstring).
    try_exact : bool
        With ``"centre"``: exact rational values when the target's expression is rational at
        every centre.

    Returns
    -------
    CellValues
    """
    if rule == "centre":
        if try_exact and getattr(target, "expression", None) is not None:
            exact = _exact_centre_values(target, box, N)
            if exact is not None:
                return CellValues(exact, True, "centre")
        return CellValues(_evaluate(target, cell_centres(box, N)), False, "centre")
    if rule == "average":
        q = AVERAGE_POINTS
        d = box.dim
        sub = (np.indices((q,) * d).reshape(d, -1).T + 0.5) / q  # (q^d, d) in [0,1)
        centres = cell_centres(box, N)
        h = box.widths / N
        acc = np.zeros((centres.shape[0], target.output_dim))
        for u in sub:
            acc += _evaluate(target, centres + (u - 0.5) * h)
        return CellValues(acc / sub.shape[0], False, "average")
    raise ValueError(f"unknown cell rule {rule!r}")


def _exact_centre_values(target: Any, box: Box, N: int) -> np.ndarray | None:
    pts = cell_centres(box, N, exact=True)
    out = np.empty((pts.shape[0], target.output_dim), dtype=object)
    for k in range(pts.shape[0]):
        try:
            v = target.exact_value(tuple(pts[k]))
        except Exception:  # a failing exact evaluator means: not rational here
            return None
        if v is None or len(v) != target.output_dim or any(x is None for x in v):
            return None
        out[k] = [Fraction(x) for x in v]
    return out


def in_mode(cv: CellValues, exact: bool | None) -> CellValues:
    """The cell values in the arithmetic of the witness: Fractions or float64.

    ``exact=True`` forces Fractions (float values are taken exactly, ``Fraction(float(v))``),
    ``exact=False`` float64, and ``exact=None`` keeps Fractions when the values came out exact.

    Parameters
    ----------
    cv : CellValues
        The values from :func:`cell_values`.
    exact : bool or None
        The user's choice (``exact`` override).

    Returns
    -------
    CellValues
        The values as an object array of Fractions (``exact`` is True) or a float64 array.
    """
    use_exact = bool(exact) or (exact is None and cv.exact)
    values = cv.values
    if use_exact:
        if values.dtype != object:
            values = np.array([Fraction(float(v)) for v in values.ravel()], dtype=object).reshape(values.shape)
    else:
        values = np.asarray(values, dtype=np.float64) if values.dtype != object else values.astype(np.float64)
    return CellValues(values, use_exact, cv.rule)
