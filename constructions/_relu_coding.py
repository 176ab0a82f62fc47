r"""Encoder, memorizer and decoder of the ReLU witnesses (relu.md §3, Recipe A).

* **Encoder** (:func:`encode`): :math:`d_x - 1` merge sweeps.  Stage :math:`i` sweeps
  :math:`t_i` (cells of width :math:`1/N`, :math:`N^i` of them) into :math:`x_{i+1}` with
  increments :math:`-1`, then adds :math:`N^i - 1`, giving
  :math:`t_{i+1} = x_{i+1} + k^{(i)}(x)` with the mixed-radix cell index
  :math:`k^{(i)} = \sum_{l \le i} \lfloor N x_l \rfloor N^{i-l}` (Park et al.'s
  :math:`\mathrm{encode}_K`, up to scaling).  The swept coordinate is destroyed, so no spare
  neuron is needed: width :math:`d_x` suffices on a compact domain (Kim-Min-Park).
* **Memorizer** (:func:`memorize`): one sweep of :math:`t_{d_x}` over all :math:`N^{d_x}` cells
  into a freed neuron initialised to the last cell's value :math:`w_{n-1}`, with
  :math:`D_j = w_j - w_{j+1}` (steps with :math:`D_j = 0` are skipped).
* **Decoder** (:func:`decode`): for :math:`d_y \ge 3`, digit-extraction sweeps (cells of width
  :math:`S = M^{d_y-1-t}` centred on the integers, ramp width 1/4); then the raster of
  :math:`2(M-1)` bends that folds the code line :math:`[0, M^2-1] \times \{0\}` onto the
  boustrophedon path through the grid :math:`\{0..M-1\}^2`.

The codes are :func:`codes` ``= sum_{t<d_y-2} m_t M^{d_y-1-t} + rho(m_{d_y-2}, m_{d_y-1})`` with
:math:`\rho(i, j) = jM + (i \text{ if } j \text{ even else } M-1-i)`.

>>> codes(np.array([[0, 0], [3, 0], [3, 1], [0, 1]]), 4).tolist()
[0, 3, 4, 7]
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ._relu_gadgets import bend, sweep
from ._relu_state import LogicalState

__all__ = ["encode", "memorize", "decode", "codes", "raster_bends", "raster_radius", "DECODER_RAMP"]

DECODER_RAMP = Fraction(1, 4)
"""Ramp width of the digit sweeps: integer codes stay 1/4 away from every ramp."""


def raster_bends(M: int) -> list[tuple[tuple[int, int], int, tuple[int, int], tuple[int, int]]]:
    """The 2(M-1) bends of the raster as (alpha, beta, q, u): clip p = alpha.(x,y) + beta at 0 along u (q . u = 0).

    Row j (going +x when j is even, -x when odd) is closed by a bend at its end and a bend that
    lifts the rest of the line onto row j+1 (relu.md §3.4 table).
    """
    out = []
    for j in range(M - 1):
        if j % 2 == 0:
            out.append(((-1, 0), M - 1, (1, 1), (-1, 1)))
            out.append(((0, -1), j + 1, (1, -1), (1, 1)))
        else:
            out.append(((1, 0), 0, (1, -1), (1, 1)))
            out.append(((0, -1), j + 1, (1, 1), (1, -1)))
    return out


def raster_radius(M: int) -> int:
    """Bound on |x|, |y| during the raster: every point sits at path distance <= code <= M^2 - 1
    from the origin (each bend is a 90-degree fold that preserves path length); M^2 + M adds slack."""
    return M * M + M


def codes(m: np.ndarray, M: int) -> np.ndarray:
    """Integer codes of level vectors ``m`` (shape (n, d_y), d_y >= 2), as Python ints."""
    n, dy = m.shape
    m = m.astype(object)
    i, j = m[:, dy - 2], m[:, dy - 1]
    rho = j * M + np.where(j % 2 == 0, i, (M - 1) - i)
    out = rho
    for t in range(dy - 2):
        out = out + m[:, t] * (M ** (dy - 1 - t))
    return out.astype(object)


def encode(st: LogicalState, dx: int, N: int, delta: Any, *, a0: Any = 0, h: Any = None, column: Any = 1,
           progress: Any = None) -> int:
    """Merge u_1..u_dx (coordinates 0..dx-1) into t_dx (coordinate dx-1); returns layers emitted.

    Cells of every merged coordinate are ``[a0 + j h, a0 + (j+1) h)`` (default ``a0 = 0``,
    ``h = 1/N``) and the receiver moves by ``column`` per column (1 by default; ``N h`` for the
    spread coordinates of the ReLU+STEP witness), so t_{i+1} = u_{i+1} + column * k^(i).
    """
    before = st.depth
    h = Fraction(1, N) if h is None else h
    for i in range(1, dx):
        n = N**i
        D = st.zeros((1, n))
        D[0, : n - 1] = -st.num(column)
        sweep(st, i - 1, [i], D, delta=delta, a0=a0, h=h, label=f"encoder stage {i}", progress=progress)
        st.add_constant(i, st.num(column) * (n - 1))
        st.set_constant(i - 1, 0)
    return st.depth - before


def memorize(st: LogicalState, s: int, r: int, values: np.ndarray, delta: Any, *, a0: Any = 0, h: Any = None,
             edges: np.ndarray | None = None, progress: Any = None, label: str = "memorizer") -> int:
    """Sweep z_s over the cells into receiver z_r so that z_r = values[k] on cell k's good part."""
    vals = st.array(values)
    n = vals.shape[0]
    st.set_constant(r, vals[n - 1])
    D = st.zeros((1, n))
    D[0, : n - 1] = vals[: n - 1] - vals[1:]
    steps = sweep(st, s, [r], D, delta=delta, a0=a0, h=h, edges=edges, label=label, progress=progress)
    st.set_constant(s, 0)
    return steps


def decode(st: LogicalState, code: int, dy: int, M: int, *, progress: Any = None) -> list[int]:
    """Decode the integer code in coordinate ``code`` into d_y level coordinates m_0..m_{d_y-1}.

    Every other coordinate must be dead (it is set to 0).  Returns the coordinate of each m_t.
    """
    w = st.w
    for i in range(w):
        if i != code:
            st.set_constant(i, 0)
    if code != 0:
        st.move(code, 0)
    where: list[int] = []
    for t in range(dy - 2):
        S = M ** (dy - 1 - t)
        st.copy(0, 1, shift=-(M - 1) * S)
        st.set_constant(2, M - 1)
        D = st.zeros((2, M))
        D[0, : M - 1] = st.num(S)
        D[1, : M - 1] = st.num(-1)
        sweep(st, 0, [1, 2], D, delta=DECODER_RAMP, a0=Fraction(-1, 2), h=S, label=f"decoder digit {t}",
              progress=progress, tied={1: (1, -(M - 1) * S)})
        park = w - 1 - t
        if park != 2:
            st.move(2, park)
        st.set_constant(0, 0)
        st.move(1, 0)
        where.append(park)
    R = raster_radius(M)
    st.set_constant(1, 0)
    for alpha, beta, qv, _u in raster_bends(M):
        bend(st, 0, 1, alpha, beta, qv, radius=R, label="decoder raster")
        if progress is not None:
            progress.advance(1, note="decoder raster")
    for t in (0, 1):
        st.lo[t], st.hi[t] = st.num(0), st.num(M - 1)
    return where + [0, 1]
