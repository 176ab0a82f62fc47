r"""Assembling the ReLU witnesses from a :class:`~constructions._relu_plan.Plan`.

* :func:`build_compact`: Recipe A, width :math:`\max(d_x, d_y, 2)` (relu.md §3): rescale the box to
  :math:`[0,1]^{d_x}`, encoder, memorizer, decoder.
* :func:`build_whole`: Recipe B, width :math:`\max(d_x+1, d_y)` (relu.md §4): rescale the truncation
  box, clamp to :math:`[-1, 2]^{d_x}` (2 layers), the outside flag :math:`\varphi` (4 d_x clip layers,
  :math:`\varphi = 0` on the box and 1 beyond a shell of width :math:`\delta`), Recipe A carrying
  :math:`\varphi`, and an exact-zero gate.  For :math:`d_x = 1` no flag is needed: the memorizer gets
  two outer cells :math:`[-1, 0)` and :math:`[1, 3)` holding a sentinel value, which a final
  two-neuron layer snaps exactly to the outside value.
* :func:`build_uniform_1d`: one sweep of :math:`x` into :math:`d_y` receivers (relu.md §6.1), width
  :math:`1 + d_y`.
* :func:`build_step_uniform`: ReLU+STEP (relu.md §6.2), width :math:`\max(d_x+1, d_y)`: every
  coordinate is *spread* by STEP neurons so that gaps of size :math:`G = 1/N` separate its cells,
  then Recipe A runs with every ramp inside a gap: no input point is in a ramp, so the witness
  equals its cell value everywhere (uniform approximation).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from uat.domains import Box
from uat.network import FeedForward

from ._relu_coding import decode, encode, memorize
from ._relu_gadgets import clip, gate, snap, spread, sweep
from ._relu_plan import Plan
from ._relu_state import LogicalState, Trace

__all__ = ["build_compact", "build_whole", "build_uniform_1d", "build_step_uniform", "rescale"]


def rescale(st: LogicalState, box: Box) -> None:
    """First affine map: u_i = (x_i - a_i) / (b_i - a_i); bounds [0, 1]."""
    for i in range(box.dim):
        w = box.hi[i] - box.lo[i]
        st.A[i, i] = st.num(1 / w)
        st.c[i] = st.num(-box.lo[i] / w)
        st.set_bounds(i, 0, 1)


def _readout(st: LogicalState, plan: Plan, where: list[int]) -> tuple[np.ndarray, np.ndarray]:
    R = st.zeros((plan.dy, st.w))
    r0 = st.zeros(plan.dy)
    for t, c in enumerate(where):
        R[t, c] = st.num(plan.steps[t])
        r0[t] = st.num(plan.lo[t])
    return R, r0


def _finish(st: LogicalState, plan: Plan, value: int, progress: Any) -> tuple[FeedForward, Trace]:
    if plan.dy == 1:
        R = st.zeros((1, st.w))
        R[0, value] = st.num(1)
        return st.finish(R, st.zeros(1), progress=progress)
    where = decode(st, value, plan.dy, plan.M, progress=progress)
    st.checkpoint("decoder")
    return st.finish(*_readout(st, plan, where), progress=progress)


def build_compact(plan: Plan, box: Box, *, progress: Any = None) -> tuple[FeedForward, Trace]:
    r"""Realise Recipe A (relu.md §3) at width :math:`\max(d_x, d_y, 2)`: rescale, sweep encoder, sweep memorizer, decoder.

    Parameters
    ----------
    plan : Plan
        The parameters (:func:`constructions._relu_plan.plan_lp`).
    box : Box
        The domain (rescaled to the unit cube in the first layer).
    progress : Progress, optional
        Advanced per sweep step.

    Returns
    -------
    (FeedForward, Trace)
    """
    dx, dy, N = plan.dx, plan.dy, plan.N
    st = LogicalState(dx, max(dx, dy, 2), exact=plan.exact)
    rescale(st, box)
    st.checkpoint("input")
    encode(st, dx, N, plan.delta, progress=progress)
    st.checkpoint("encoder")
    r = 0 if dx >= 2 else 1
    memorize(st, dx - 1, r, plan.memory, plan.delta, a0=0, h=Fraction(1, N), progress=progress)
    st.checkpoint("memorizer")
    return _finish(st, plan, r, progress)


def _clamp(st: LogicalState, dx: int) -> None:
    clip(st, [(i, "max", None, -1) for i in range(dx)], label="clamp")
    clip(st, [(i, "min", None, 2) for i in range(dx)], label="clamp")
    for i in range(dx):  # min(max(u, -1), 2) lies in [-1, 2] for every real input
        st.set_bounds(i, -1, 2)


def build_whole(plan: Plan, box: Box, *, progress: Any = None) -> tuple[FeedForward, Trace]:
    r"""Realise Recipe B (relu.md §4) at width :math:`\max(d_x+1, d_y)`: clamp, outside flag, Recipe A, exact-zero gate.

    Parameters
    ----------
    plan : Plan
        The parameters (``kind="whole"``).
    box : Box
        The truncation box.
    progress : Progress, optional
        Advanced per sweep step.

    Returns
    -------
    (FeedForward, Trace)
    """
    dx, dy, N = plan.dx, plan.dy, plan.N
    st = LogicalState(dx, max(dx + 1, dy), exact=plan.exact)
    rescale(st, box)
    _clamp(st, dx)
    st.checkpoint("clamp")
    if dx == 1:
        o = plan.outside
        edges = [Fraction(-1)] + [Fraction(j, N) for j in range(N + 1)] + [Fraction(3)]
        mem = st.array(plan.memory)
        vals = np.concatenate([st.array([o["sentinel"]]), mem, st.array([o["sentinel"]])])
        memorize(st, 0, 1, vals, plan.delta, edges=np.array(edges, dtype=object), progress=progress)
        snap(st, 1, 0, o["tau1"], o["tau2"], o["center"], label="snap")
        return _finish(st, plan, 1, progress)
    phi = dx
    st.set_constant(phi, 0)
    inv = 1 / Fraction(plan.delta)
    for i in range(dx):
        below = st.zeros(st.w)
        below[i] = -st.num(inv)
        above = st.zeros(st.w)
        above[i] = st.num(inv)
        clip(st, [(phi, "max", below, 0)], label="outside flag")
        clip(st, [(phi, "min", None, 1)], label="outside flag")
        clip(st, [(phi, "max", above, -inv)], label="outside flag")
        clip(st, [(phi, "min", None, 1)], label="outside flag")
    st.checkpoint("flag")
    encode(st, dx, N, plan.delta, progress=progress)
    st.checkpoint("encoder")
    memorize(st, dx - 1, 0, plan.memory, plan.delta, a0=0, h=Fraction(1, N), progress=progress)
    st.checkpoint("memorizer")
    gate(st, 0, phi, plan.outside, label="gate")
    st.checkpoint("gate")
    return _finish(st, plan, 0, progress)


def build_uniform_1d(values: np.ndarray, box: Box, N: int, delta: Fraction, *, exact: bool,
                     progress: Any = None) -> tuple[FeedForward, Trace]:
    """One sweep of u = (x - a)/(b - a) into d_y receivers holding values[k] on cell k's good part."""
    dy = values.shape[1]
    st = LogicalState(1, 1 + dy, exact=exact)
    rescale(st, box)
    vals = st.array(values)
    D = st.zeros((dy, N))
    for t in range(dy):
        st.set_constant(1 + t, vals[N - 1, t])
        D[t, : N - 1] = vals[: N - 1, t] - vals[1:, t]
    sweep(st, 0, list(range(1, 1 + dy)), D, delta=delta, a0=0, h=Fraction(1, N), label="sweep", progress=progress)
    R = st.zeros((dy, st.w))
    for t in range(dy):
        R[t, 1 + t] = st.num(1)
    return st.finish(R, st.zeros(dy))


def build_step_uniform(plan: Plan, box: Box, *, progress: Any = None) -> tuple[FeedForward, Trace]:
    """ReLU+STEP witness: spread (d_x (N-1) layers), then Recipe A on the spread lattice.

    After spreading, cell m of an axis is [m/N + m G, (m+1)/N + m G) with G = 1/N: a lattice of
    period h = 1/N + G.  The sweeps use cells [j h - G/2, (j+1) h - G/2) (boundaries at the gap
    centres) and ramp width G/4 < G/2, so every ramp lies in a gap; merges move the receiver by
    N h per column so that the merged coordinate is again the same lattice.
    """
    dx, dy, N = plan.dx, plan.dy, plan.N
    st = LogicalState(dx, max(dx + 1, dy), exact=plan.exact)
    rescale(st, box)
    G = Fraction(1, N)
    slot = dx
    st.set_constant(slot, 0)
    for i in range(dx):
        for k in range(N - 1, 0, -1):
            spread(st, i, slot, Fraction(k, N), G, label="spread")
        if progress is not None:
            progress.advance(N, note="spread")
    st.checkpoint("spread")
    h = Fraction(1, N) + G
    encode(st, dx, N, plan.delta, a0=-G / 2, h=h, column=N * h, progress=progress)
    st.checkpoint("encoder")
    r = 0 if dx >= 2 else 1
    memorize(st, dx - 1, r, plan.memory, plan.delta, a0=-G / 2, h=h, progress=progress)
    st.checkpoint("memorizer")
    return _finish(st, plan, r, progress)
