r"""The plan of an L^p ReLU witness: every parameter, the cell values and the predicted error.

:func:`plan_lp` turns (target, domain, eps, p) into a :class:`Plan` following
:mod:`constructions._relu_params`; the network is assembled from the plan by
:mod:`constructions._relu_build`.  Settings (``kind``):

* ``"compact"``: Recipe A on the box (Kim-Min-Park, width max(d_x, d_y, 2));
* ``"whole"``: Recipe B on :math:`\mathbb R^{d_x}` (Park et al., width max(d_x+1, d_y)): the box is
  the truncation box, outside it the witness is exactly 0, and the target is assumed to vanish
  outside it (its sampled :math:`L^p` mass on a surrounding ring is reported and must be small).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from uat.domains import Box
from uat.errors import ParameterError

from ._relu_cells import CellValues, cell_values, in_mode
from ._relu_coding import codes
from ._relu_params import (
    BITS_BUDGET, GridModel, check_budget, choose_bits, dyadic_floor, encoding_bits, grid_model, level_grid,
    levels_of, nonnegative, ramp_width, sweep_rounding,
)
from ._relu_tail import tail_mass

__all__ = ["Plan", "plan_lp", "EXACT_AUTO_CELLS", "SHARES"]

EXACT_AUTO_CELLS = 1 << 12
"""With ``exact=None`` a rational target gives an exact network only up to this many cells."""

SHARES = {"grid1": 0.9, "grid": 0.65, "levels": 0.2}
"""Shares of epsilon for the grid term (d_y = 1 / d_y >= 2) and the level term; ramps get the rest."""

TAIL_FRACTION = 0.25


@dataclass(frozen=True)
class Plan:
    """Everything the builder needs, and what the metadata reports."""

    kind: str
    dx: int
    dy: int
    K: int
    N: int
    delta: Fraction
    exact: bool
    cells: CellValues
    M: int | None = None
    steps: tuple[Fraction, ...] = ()
    lo: tuple[Fraction, ...] = ()
    levels: np.ndarray | None = None  # the output level of every cell, shape (cells, d_y)
    memory: np.ndarray | None = None  # the memorised sequence (values for d_y = 1, codes otherwise)
    outside: Any = None  # value/code memorised for the outside (whole space)
    terms: dict[str, float] = field(default_factory=dict)
    assumptions: tuple[str, ...] = ()
    precision: dict[str, Any] = field(default_factory=dict)
    grid: GridModel | None = None

    @property
    def predicted(self) -> float:
        """The a-priori error bound: the sum of the error terms."""
        return float(sum(self.terms.values()))

    def parameters(self) -> dict[str, Any]:
        """The parameters recorded in the witness (K, N, ramp, cell-value rule, exactness, levels)."""
        out: dict[str, Any] = {"bits": self.K, "cells_per_axis": self.N, "ramp": str(self.delta),
                               "cell_values": self.cells.rule, "exact": self.exact}
        if self.M is not None:
            out.update(levels=self.M, level_steps=[str(v) for v in self.steps], level_origin=[str(v) for v in self.lo])
        return out

    @property
    def max_step(self) -> float:
        """The largest output level step (0 without a decoder)."""
        return max((float(s) for s in self.steps), default=0.0)


def _tail_assumption(tm: Any, box: Box, p: float) -> str:
    """The metadata's sentence on the target outside the truncation box (:mod:`constructions._relu_tail`)."""
    if tm.certified:
        return f"the target vanishes outside the truncation box {box} (certified by interval enclosure)"
    text = (f"the target's L^{p:g} mass on the ring around the truncation box {box} (inside the recorded domain) "
            f"is about {tm.ring:.3g} (a seeded Monte Carlo estimate)")
    if tm.far_certified:
        return text + "; it vanishes beyond the ring (certified by interval enclosure)"
    return (text + f"; beyond the ring (outside the recorded domain, where uat verify does not measure) its "
            f"sampled mass is about {tm.far:.3g}, an estimate that is added to the predicted error")


def plan_lp(target: Any, box: Box, eps: float, p: float, *, kind: str, bits: int | None = None,
            levels: int | None = None, ramp: Any = None, lipschitz: float | None = None,
            cell_values_rule: str = "auto", exact: bool | None = None, bad_set_factor: float = 1.0,
            max_cells: int = 1 << 21, tail: float | None = None) -> Plan:
    r"""Choose every parameter of an :math:`L^p` ReLU witness so that the a-priori bound meets ``eps``.

    The bound is a sum of terms (relu.md §7): grid :math:`\|f - f_N\|_{L^p}` at :math:`N = 2^K` cells per
    axis, output levels (:math:`d_y \ge 2`), ramp strips of measure :math:`\le d_x N \delta`, and for
    the whole space the target's tail and the flag's shell; each gets a fixed share of ``eps``.

    Parameters
    ----------
    target : Target
        The target.
    box : Box
        The domain (the truncation box for ``kind="whole"``).
    eps, p : float
        Requested accuracy and exponent.
    kind : {"compact", "whole"}
        Recipe A (Kim-Min-Park) or Recipe B (Park et al.).
    bits, levels, ramp, lipschitz, cell_values_rule, exact, max_cells, tail
        The user's overrides (module docstring of :mod:`constructions.relu_lp_compact`).
    bad_set_factor : float
        Widening of the bad set (``relu-like-lp-compact``: activation transition zones).

    Returns
    -------
    Plan
    """
    dx, dy = box.dim, target.output_dim
    vol = box.volume ** (1.0 / p)
    assumptions: list[str] = []
    rule = cell_values_rule
    if rule == "auto":
        rule = "centre" if getattr(target, "continuous", None) is True or lipschitz is not None else "average"
    if rule not in ("centre", "average"):
        raise ParameterError(f"cell_values must be 'auto', 'centre' or 'average', got {cell_values_rule!r}")
    terms: dict[str, float] = {}
    avail = eps
    if kind == "whole":
        if tail is None:
            tm = tail_mass(target, box, p)
            t = tm.total
            if math.isinf(t):
                raise ParameterError(
                    f"the target is not finite (NaN or inf) somewhere outside the truncation box {box}; on R^d_x it "
                    "must be defined everywhere and vanish outside the box (e.g. multiply it by an indicator)")
            assumptions.append(_tail_assumption(tm, box, p))
        else:
            t = nonnegative(tail, "tail")
            assumptions.append(f"||f||_L^{p:g} outside the truncation box is <= {t:g} (declared)")
        if t > TAIL_FRACTION * eps:
            raise ParameterError(
                f"the target's L^{p:g} mass outside the truncation box {box} is about {t:.3g}, more than "
                f"{TAIL_FRACTION} x eps = {TAIL_FRACTION * eps:.3g}; pass a larger --domain (the truncation box)")
        terms["tail"] = t
        avail = eps - t
    model = grid_model(target, box, p, declared=lipschitz, rule=rule)
    assumptions.extend(model.assumptions)
    share = SHARES["grid1"] if dy == 1 else SHARES["grid"]
    K, e_grid = choose_bits(model, target, box, p, share * avail, bits=bits, max_cells=max_cells)
    N = 2**K
    terms["grid"] = e_grid
    try_exact = exact is True or (exact is None and N**dx <= EXACT_AUTO_CELLS)
    cv = in_mode(cell_values(target, box, N, rule, try_exact=try_exact), exact)
    use_exact, vals = cv.exact, cv.values
    M = None
    steps: tuple[Fraction, ...] = ()
    lo: tuple[Fraction, ...] = ()
    m = None
    whole = kind == "whole"
    if dy == 1:
        memory = vals[:, 0]
        outside = 0 if whole else None
        vmin, vmax = min(memory), max(memory)
        if whole:
            vmin, vmax = min(vmin, 0), max(vmax, 0)
        out_lo, out_hi = [float(vmin)], [float(vmax)]
    else:
        budget = SHARES["levels"] * avail
        if budget <= 0 and levels is None:
            raise ParameterError("no error budget is left for the output levels; use a larger eps")
        max_step = 2 * budget / (math.sqrt(dy) * vol) if levels is None else None
        M, lo, steps = level_grid(vals, max_step=max_step, levels=levels, include_zero=whole)
        m = levels_of(vals, lo, steps, M)
        memory = codes(m, M)
        terms["levels"] = vol * math.sqrt(dy) / 2 * max(float(s) for s in steps)
        outside = None
        if whole:
            m0 = np.array([[int(-lo_t / st_) for lo_t, st_ in zip(lo, steps)]])
            outside = int(codes(m0, M)[0])
        out_lo = [float(v) for v in lo]
        out_hi = [float(v + st_ * (M - 1)) for v, st_ in zip(lo, steps)]
        memory = np.array(memory, dtype=object) if use_exact else np.array(memory, dtype=np.float64)
        if use_exact:
            memory = np.array([Fraction(int(c)) for c in memory], dtype=object)
    if whole and dx == 1:
        outside = _sentinel(memory, outside if dy > 1 else 0, dy)
        if dy == 1:
            out_lo = [min(out_lo[0], float(outside["tau2"]))]
        else:
            out_lo = [v - float(st_) for v, st_ in zip(out_lo, steps)]
    # the range of f: cell values widened by the within-cell spread (or sampled when unknown)
    spread = model.value_spread(box, N)
    fl = np.array([float(min(vals[:, t])) for t in range(dy)])
    fh = np.array([float(max(vals[:, t])) for t in range(dy)])
    if math.isinf(spread):
        x = box.from_unit(np.random.default_rng(11).random((4096, dx)))
        fx = target(x)
        fl, fh = np.minimum(fl, fx.min(axis=0)), np.maximum(fh, fx.max(axis=0))
        assumptions.append("the target's range is estimated from 4096 samples and the cell values")
    else:
        fl, fh = fl - spread, fh + spread
    if whole:
        fl, fh = np.minimum(fl, 0), np.maximum(fh, 0)
    span = np.maximum(fh, out_hi) - np.minimum(fl, out_lo)
    R_bad = float(np.linalg.norm(span))
    if whole:
        per_delta = (N + 1) if dx == 1 else (dx * N + 2 * dx)
    else:
        per_delta = dx * N
    per_delta *= bad_set_factor
    left = avail - sum(v for k, v in terms.items() if k != "tail")
    if left <= 0 and ramp is None:
        # user-fixed bits/levels already use up eps: keep a small default ramp; the predicted bound
        # (reported) then exceeds eps
        ramp = dyadic_floor(1.0 / (1024 * N))
        assumptions.append("the given bits/levels exceed the error budget; predicted error > eps")
    delta = ramp_width(N, per_delta, box.volume, p, 0.9 * left, R_bad, ramp=ramp)
    terms["ramps"] = (box.volume * per_delta * float(delta)) ** (1.0 / p) * R_bad
    precision = _precision(dx, dy, K, N, M, delta, memory, use_exact, eps, exact is True)
    return Plan(kind, dx, dy, K, N, delta, use_exact, cv, M, steps, lo, m, memory, outside, terms,
                tuple(assumptions), precision, model)


def _sentinel(memory: np.ndarray, center: Any, dy: int) -> dict[str, Any]:
    """Outer-cell value and snap thresholds of the d_x = 1 whole-space witness (see gadgets.snap)."""
    vmin, vmax = min(memory), max(memory)
    gap = 1 if dy > 1 else max(1, math.ceil(vmax - vmin))
    return {"sentinel": vmin - 2 * gap, "tau1": vmin - gap, "tau2": vmin - Fraction(gap, 2), "center": center}


def _precision(dx: int, dy: int, K: int, N: int, M: int | None, delta: Fraction, memory: np.ndarray, exact: bool,
               eps: float, exact_requested: bool) -> dict[str, Any]:
    d = float(delta)
    code_range = float(M) ** dy if M is not None else 1.0
    if dy == 1:  # resolve the values to 1% of eps
        vmax = float(max(abs(float(v)) for v in (min(memory), max(memory))))
        code_range = max(1.0, vmax / (0.01 * eps))
    bits = encoding_bits(dx, K, N, delta, code_range)
    mem = np.asarray([float(v) for v in memory]) if memory.dtype == object else memory
    smax = float(N ** (dx - 1)) + 2.0
    rmax = float(np.abs(mem).max()) + 1.0
    eta_mem, eta_mem_typ = sweep_rounding(np.diff(mem), smax, rmax, d)
    enc = [sweep_rounding(np.ones(N**i), float(N ** (i - 1)) + 2, float(N**i) + 2, d) for i in range(1, dx)]
    eta_enc = sum(e[0] for e in enc)
    lam = 2 * float(np.abs(np.diff(mem)).max(initial=0.0)) / d
    info: dict[str, Any] = {
        "mode": "exact rationals" if exact else "float64",
        "bits": round(bits, 2),
        "bits_budget": BITS_BUDGET,
        "rule": "d_x K + log2(M^d_y) + log2(1/(N delta)) <= budget (relu.md 7.3; for d_y = 1 the value range over the grid error)",
        "largest_slope_predicted": lam,
        "largest_bias_predicted": lam * smax,
        "rounding_memorizer_worst_case": eta_mem,
        "rounding_memorizer_typical": eta_mem_typ,
        "rounding_encoder_worst_case": eta_enc,
    }
    # only an explicit exact=True lifts the float64 budget: an automatically exact network is still
    # evaluated in float64 by verifiers
    check_budget(bits, exact=exact_requested, what="relu witness")
    info["bound_arithmetic"] = (
        "the predicted error is the a-priori bound in exact arithmetic; float64 evaluation is guarded by the "
        "bits budget (measured safe in relu.md 7.3) and checked against exact evaluation in the tests; the "
        "rounding_* entries are a crude per-step model (4u per operation on the largest magnitudes), "
        "reported as diagnostics, not added to the bound")
    return info
