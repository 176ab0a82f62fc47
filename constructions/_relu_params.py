r"""Choosing the parameters of the ReLU witnesses from :math:`\varepsilon`, :math:`p` and the target.

The a-priori :math:`L^p` error of Recipe A (relu.md §3.6) in exact arithmetic splits into three
terms, each bounded with the Lebesgue measure of the domain box :math:`D` (volume :math:`|D|`,
cell widths :math:`w_i / N`):

.. math::

   \|f - \mathcal N\|_{L^p(D)} \le
   \underbrace{|D|^{1/p} L_{\mathrm{eff}}\, c_p}_{\text{grid}}
   + \underbrace{|D|^{1/p} \tfrac{\sqrt{d_y}}{2} \Delta}_{\text{levels}}
   + \underbrace{(|D|\, \mu_{\mathrm{bad}})^{1/p} R_{\mathrm{bad}}}_{\text{ramps}}

* **grid**: for :math:`x` in cell :math:`k`, :math:`|f(x) - f(c_k)| \le L \|x - c_k\|_2`, and
  :math:`c_p = \| \|u\|_2 \|_{L^p}` for :math:`u` uniform on the centred cell:
  :math:`\sqrt{\sum_i w_i^2 / 12} / N` for :math:`p \le 2` (Jensen) and
  :math:`\sqrt{\sum_i w_i^2}\,(p+1)^{-1/p} / (2N)` for :math:`p > 2` (Minkowski in
  :math:`L^{p/2}`).  :math:`L_{\mathrm{eff}} = (\sum_b \frac{|b|}{|D|} L_b^p)^{1/p}` uses
  certified Lipschitz bounds :math:`L_b` on a partition into blocks of whole cells (sharper
  than one global constant, still a bound).  Without a certified bound the grid term is an
  *estimate*: 1.5 times a seeded Monte Carlo value of :math:`\|f - P_N f\|_p` (cell averages),
  recorded as an assumption.
* **levels** (:math:`d_y \ge 2`): rounding each value to a grid of step :math:`\Delta_t \le \Delta` (dyadic on :math:`\mathbb R^{d_x}`).
* **ramps**: the bad set (a coordinate within :math:`\delta` of its cell's right end) has
  measure fraction :math:`\mu_{\mathrm{bad}} \le d_x N \delta`; there the error is at most
  :math:`R_{\mathrm{bad}}`, the diameter of the output box joined with the target's range.
Float64 evaluation is guarded by the bits budget below; :func:`sweep_rounding` is a crude
per-step rounding model reported as a diagnostic.

Parameters are chosen in that order: the smallest :math:`K` (:math:`N = 2^K`) whose grid term
fits its share of :math:`\varepsilon`, the largest dyadic :math:`\Delta` that fits, then the
largest dyadic :math:`\delta` that fits the rest.  Float64 refuses builds whose encoding needs
more than :data:`BITS_BUDGET` bits: :math:`d_x K + \log_2 M^{d_y} + \log_2(1/(N\delta))`
(relu.md §7 item 3: 44 bits measured fine, 58 broke).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from uat.domains import Box
from uat.errors import BudgetExceeded, ParameterError, PrecisionBudgetExceeded

__all__ = [
    "BITS_BUDGET", "GridModel", "grid_model", "choose_bits", "level_grid", "levels_of", "dyadic_floor",
    "ramp_width", "encoding_bits", "sweep_rounding", "check_budget", "UNIT_ROUNDOFF", "modulus", "nonnegative",
]

BITS_BUDGET = 45
UNIT_ROUNDOFF = 2.0**-53
MAX_BITS = 24
SAMPLES = 4096
SAMPLE_SAFETY = 1.5
BLOCKS = {1: 16, 2: 8, 3: 4}
"""Blocks per axis for the block-wise Lipschitz bounds (refined once, x2 per axis, for large builds)."""
REFINE_FROM_BITS = 5


def nonnegative(value: Any, name: str) -> float:
    """A user-declared bound (``lipschitz=``, ``tail=``): a finite number >= 0.

    Parameters
    ----------
    value : int, float or Fraction
        The user's value (text and booleans are refused).
    name : str
        The parameter's name, for the error message.

    Returns
    -------
    float
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not (ok and math.isfinite(float(value)) and float(value) >= 0):
        raise ParameterError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def dyadic_floor(x: float) -> Fraction:
    """The largest power of two (as a Fraction) that is <= x > 0."""
    if not (x > 0 and math.isfinite(x)):
        raise ParameterError(f"cannot choose a dyadic step below {x!r}")
    e = math.floor(math.log2(x))
    while 2.0**e > x:
        e -= 1
    return Fraction(2) ** e


def _cp(box: Box, N: int, p: float) -> float:
    w2 = float(np.sum(box.widths**2))
    if math.isinf(p):
        return math.sqrt(w2) / (2 * N)
    if p <= 2:
        return math.sqrt(w2 / 12.0) / N
    return math.sqrt(w2) * (p + 1) ** (-1.0 / p) / (2 * N)


@dataclass(frozen=True)
class GridModel:
    """How the grid error is bounded (``certified``) or estimated, as a function of N."""

    method: str
    certified: bool
    lipschitz: float | None
    assumptions: tuple[str, ...]
    blocks: tuple[tuple[float, float], ...] = ()  # (volume fraction, Lipschitz bound), block grid B
    block_count: int = 1
    samples: Any = field(default=None, repr=False)

    def error(self, target: Any, box: Box, N: int, p: float) -> float:
        """The grid term at N cells per axis (an upper bound when certified)."""
        if self.lipschitz is not None:
            L = self.lipschitz
            if self.blocks and N >= self.block_count and not math.isinf(p):
                L = sum(f * l**p for f, l in self.blocks) ** (1.0 / p)
            vol = 1.0 if math.isinf(p) else box.volume ** (1.0 / p)
            return vol * L * _cp(box, N, p)
        return SAMPLE_SAFETY * _sampled_average_error(target, box, N, p, self.samples)

    def refined(self, target: Any, box: Box) -> "GridModel":
        """The same model with twice as many blocks per axis (a sharper, still certified bound)."""
        if not (self.certified and self.blocks):
            return self
        blocks, B = _block_bounds(target, box, 2 * self.block_count)
        if not blocks:
            return self
        return GridModel(self.method, self.certified, self.lipschitz, self.assumptions, blocks, B)

    def value_spread(self, box: Box, N: int) -> float:
        """How far f can be from its cell value inside a cell (inf when unknown)."""
        if self.lipschitz is None:
            return math.inf
        return self.lipschitz * float(np.linalg.norm(box.widths)) / (2 * N)


def grid_model(target: Any, box: Box, p: float, *, declared: float | None = None, rule: str = "centre") -> GridModel:
    """Pick the grid-error model: declared or certified Lipschitz bound, else a sampled estimate."""
    if declared is not None:
        declared = nonnegative(declared, "lipschitz")
        return GridModel("lipschitz-declared", False, float(declared),
                         (f"the target is {declared:g}-Lipschitz on the domain (declared by the user)",))
    bound = None
    if rule == "centre" and getattr(target, "continuous", None) is True:
        bound = target.lipschitz_bound(box)
    if bound is not None and math.isfinite(bound.value):
        certified = bound.method != "declared"
        blocks, B = _block_bounds(target, box) if certified else ((), 1)
        return GridModel("lipschitz-" + ("certified" if certified else "declared"), certified, float(bound.value),
                         tuple(bound.assumptions), blocks, B)
    rng = np.random.default_rng(20240601)
    u = rng.random((SAMPLES, box.dim))
    why = ("no certified Lipschitz bound (target without a parsed expression, or not continuous)"
           if rule == "centre" else "cell averages requested")
    return GridModel("sampled-average", False, None,
                     (f"grid error estimated as {SAMPLE_SAFETY} x a {SAMPLES}-point Monte Carlo value of ||f - P_N f||_p "
                      f"with P_N the cell averages ({why}); not a certified bound",), samples=u)


def _block_bounds(target: Any, box: Box, B: int | None = None) -> tuple[tuple[tuple[float, float], ...], int]:
    d = box.dim
    B = B if B is not None else BLOCKS.get(d, 2)
    out = []
    for idx in np.ndindex(*(B,) * d):
        lo = tuple(box.lo[i] + (box.hi[i] - box.lo[i]) * Fraction(idx[i], B) for i in range(d))
        hi = tuple(box.lo[i] + (box.hi[i] - box.lo[i]) * Fraction(idx[i] + 1, B) for i in range(d))
        b = target.lipschitz_bound(Box(lo, hi))
        if b is None or not math.isfinite(b.value):
            return (), 1
        out.append((1.0 / B**d, float(b.value)))
    return tuple(out), B


def _sampled_average_error(target: Any, box: Box, N: int, p: float, u: np.ndarray) -> float:
    from ._relu_cells import AVERAGE_POINTS

    d = box.dim
    x = box.from_unit(u)
    k = np.minimum(np.floor(u * N), N - 1)
    q = AVERAGE_POINTS
    sub = (np.indices((q,) * d).reshape(d, -1).T + 0.5) / q
    avg = np.zeros((u.shape[0], target.output_dim))
    for s in sub:
        avg += target(box.from_unit((k + s) / N))
    avg /= sub.shape[0]
    err = np.linalg.norm(target(x) - avg, axis=1)
    if math.isinf(p):
        return float(err.max())
    return float((box.volume * np.mean(err**p)) ** (1.0 / p))


MODULUS_POINTS = 1 << 14


def modulus(target: Any, box: Box, declared: float | None, name: str) -> tuple[Any, str, tuple[str, ...]]:
    """A bound r -> omega_f(r) on the modulus of continuity (Euclidean in and out), with its method.

    Declared Lipschitz constant, else the certified bound of the target's expression, else (for a
    callable) an estimate: 1.5 x the largest sampled slope (grid pairs in 1-D, random short
    segments otherwise).  Discontinuous targets are refused: no continuous construction, and no
    piecewise-constant one at a fixed grid, approximates them uniformly.
    """
    if declared is not None:
        L = nonnegative(declared, "lipschitz")
        return (lambda r: L * r), "lipschitz-declared", (f"the target is {L:g}-Lipschitz (declared by the user)",)
    if getattr(target, "continuous", None) is False:
        raise ParameterError(f"{name}: the target {target.name!r} is discontinuous; it has no uniform approximation "
                             "of this kind (use an L^p construction such as relu-lp-compact)")
    if target.continuous is True:
        b = target.lipschitz_bound(box)
        if b is not None and math.isfinite(b.value):
            L = float(b.value)
            return (lambda r: L * r), "lipschitz-certified", tuple(b.assumptions)
    if box.dim == 1:
        x = np.linspace(float(box.lo[0]), float(box.hi[0]), MODULUS_POINTS)[:, None]
        y = target(x)
        gap = float(x[1, 0] - x[0, 0])

        def omega(r: float) -> float:
            k = min(max(1, int(math.ceil(r / gap))), MODULUS_POINTS - 1)
            return SAMPLE_SAFETY * float(np.max(np.linalg.norm(y[k:] - y[:-k], axis=1)))

        return omega, "modulus-sampled", (
            f"modulus of continuity estimated as {SAMPLE_SAFETY} x its value on a {MODULUS_POINTS}-point grid "
            "(not certified)",)
    rng = np.random.default_rng(20240602)
    x = box.from_unit(rng.random((SAMPLES, box.dim)))
    d = rng.standard_normal((SAMPLES, box.dim))
    d *= 1e-4 * float(np.min(box.widths)) / np.linalg.norm(d, axis=1, keepdims=True)
    slope = np.linalg.norm(target(x + d) - target(x), axis=1) / np.linalg.norm(d, axis=1)
    L = SAMPLE_SAFETY * float(slope.max())
    return (lambda r: L * r), "lipschitz-sampled", (
        f"Lipschitz constant estimated as {SAMPLE_SAFETY} x the largest of {SAMPLES} sampled slopes (not certified)",)


def check_bits(bits: Any) -> int:
    r"""The user's grid resolution :math:`K` (:math:`N = 2^K` cells per axis), :math:`1 \le K \le` ``MAX_BITS``.

    Parameters
    ----------
    bits : int
        The ``bits`` override.

    Returns
    -------
    int

    Raises
    ------
    ParameterError
        Not an integer in ``[1, MAX_BITS]``.
    """
    if not (isinstance(bits, int) and 1 <= bits <= MAX_BITS):
        raise ParameterError(f"bits must be an integer in [1, {MAX_BITS}], got {bits!r}")
    return bits


def grid_bits(bits: Any, fits: Callable[[int], bool], failure: str) -> int:
    r"""The grid resolution :math:`K` of a uniform witness: the user's, or the smallest with ``fits(K)``.

    Parameters
    ----------
    bits : int or None
        The ``bits`` override (validated by :func:`check_bits`).
    fits : callable
        ``fits(K)`` says whether the a-priori bound at :math:`N = 2^K` meets eps.
    failure : str
        The error message when no :math:`K \le` ``MAX_BITS`` fits.

    Returns
    -------
    int
    """
    if bits is not None:
        return check_bits(bits)
    K = next((k for k in range(1, MAX_BITS + 1) if fits(k)), None)
    if K is None:
        raise ParameterError(failure)
    return K


def choose_bits(model: GridModel, target: Any, box: Box, p: float, budget: float, *, bits: int | None = None,
                max_cells: int = 1 << 21) -> tuple[int, float]:
    """The smallest K whose grid term is <= budget (or the user's K); returns (K, grid term)."""
    d = box.dim
    if bits is not None:
        return check_bits(bits), model.error(target, box, 2**bits, p)
    for K in range(1, MAX_BITS + 1):
        e = model.error(target, box, 2**K, p)
        if e <= budget:
            if K >= REFINE_FROM_BITS and model.blocks and d <= 2:
                finer = model.refined(target, box)
                e_prev = finer.error(target, box, 2 ** (K - 1), p)
                if e_prev <= budget:
                    K, e = K - 1, e_prev
            if (2**K) ** d > max_cells:
                raise BudgetExceeded(
                    f"reaching a grid error of {budget:.3g} needs {2**K} cells per axis ({(2**K)**d} cells, "
                    f"about {2 * (2**K)**d} layers), above max_cells={max_cells}; use a larger eps, "
                    "declare a smaller Lipschitz constant (lipschitz=...), or raise max_cells"
                )
            return K, e
    raise BudgetExceeded(f"no grid with at most 2^{MAX_BITS} cells per axis reaches a grid error of {budget:.3g}")


def level_grid(values: np.ndarray, *, max_step: float | None = None, levels: int | None = None,
               include_zero: bool = False) -> tuple[int, tuple[Fraction, ...], tuple[Fraction, ...]]:
    """The output level grid lo_t + steps_t * m, m in 0..M-1, covering every value (shape (n, d_y)).

    Without ``include_zero`` (compact domain) the grid spans [min_t, max_t] with
    steps_t = (max_t - min_t)/(M - 1), M the smallest count whose steps are <= ``max_step`` (or
    the given ``levels``).  With ``include_zero`` (whole space, where the outside value 0 must be a
    grid point) the step is one dyadic value for all coordinates and lo_t is a multiple of it.
    """
    n, dy = values.shape
    mins = [Fraction(min(values[:, t])) for t in range(dy)]
    maxs = [Fraction(max(values[:, t])) for t in range(dy)]
    if levels is not None and not (isinstance(levels, int) and levels >= 2):
        raise ParameterError(f"levels must be an integer >= 2, got {levels!r}")
    if not include_zero:
        spans = [b - a for a, b in zip(mins, maxs)]
        if levels is None:
            M = max(2, max(int(math.ceil(float(sp) / max_step)) + 1 for sp in spans))
        else:
            M = levels
        steps = tuple(sp / (M - 1) if sp > 0 else Fraction(1) for sp in spans)
        return M, tuple(mins), steps
    mins = [min(a, Fraction(0)) for a in mins]
    maxs = [max(b, Fraction(0)) for b in maxs]
    span = max(float(b - a) for a, b in zip(mins, maxs))
    if levels is None:
        step = dyadic_floor(max_step)
    else:
        step = dyadic_floor(max(span, 1e-300) / max(levels - 2, 1)) * 2
    los = tuple(step * math.floor(a / step) for a in mins)
    M = max(2, max(int(math.ceil((b - lo) / step)) + 1 for b, lo in zip(maxs, los)))
    if levels is not None:
        if levels < M:  # pragma: no cover - the step above always fits
            raise ParameterError(f"levels={levels} is too few for the value range; need >= {M}")
        M = levels
    return M, los, (step,) * dy


def levels_of(values: np.ndarray, lo: tuple[Fraction, ...], steps: tuple[Fraction, ...], M: int) -> np.ndarray:
    """Nearest grid level of each value, shape (n, d_y), in 0..M-1 (exact for Fraction values)."""
    n, dy = values.shape
    out = np.empty((n, dy), dtype=np.int64)
    for t in range(dy):
        col = values[:, t]
        if values.dtype == object:
            out[:, t] = [int(round((Fraction(v) - lo[t]) / steps[t])) for v in col]
        else:
            out[:, t] = np.rint((col.astype(np.float64) - float(lo[t])) / float(steps[t])).astype(np.int64)
    return np.clip(out, 0, M - 1)


def ramp_width(N: int, measure_per_delta: float, vol: float, p: float, budget: float, R_bad: float,
               *, ramp: Any = None, min_cell: Fraction | None = None) -> Fraction:
    """The largest dyadic delta with (vol * measure_per_delta * delta)^(1/p) * R_bad <= budget."""
    cap = Fraction(1, 4 * N) if min_cell is None else min(Fraction(1, 4 * N), min_cell / 4)
    if ramp is not None:
        d = Fraction(ramp) if not isinstance(ramp, float) else dyadic_floor(ramp)
        if not (0 < d < 2 * cap):
            raise ParameterError(f"ramp={ramp} must lie in (0, {float(2 * cap):g}) (below half a cell)")
        return d
    if R_bad <= 0:
        return cap
    if budget <= 0:
        raise ParameterError("no error budget is left for the ramp zones; use a larger eps")
    dstar = (budget / R_bad) ** p / (vol * measure_per_delta)
    return min(cap, dyadic_floor(dstar))


def encoding_bits(dx: int, K: int, N: int, delta: Fraction, code_range: float) -> float:
    """d_x K + log2(code range) + log2(1/(N delta)) (relu.md §7 item 3)."""
    return dx * K + math.log2(max(code_range, 1.0)) + math.log2(1.0 / float(N * delta))


def sweep_rounding(increments: np.ndarray, smax: float, rmax: float, delta: float) -> tuple[float, float]:
    r"""Model of the float64 drift of a receiver over one sweep: (worst case, typical).

    Each shift step recovers :math:`r' = h_r - B_r + \lambda_j h_s` with
    :math:`|B_r| \lesssim |\lambda_j| s_{\max} + r_{\max}`, :math:`\lambda_j = 2 D_j/\delta`; counting
    :math:`4u` of rounding per step on those magnitudes, the per-step error is
    :math:`e_j = 4u\,(2|\lambda_j| s_{\max} + 2 r_{\max})`.  The worst case adds them,
    :math:`\sum_j e_j`; the typical value treats them as independent, :math:`(\sum_j e_j^2)^{1/2}`.
    """
    lam = 2 * np.abs(np.asarray(increments, dtype=np.float64)) / delta
    lam = lam[lam > 0]
    e = 4 * UNIT_ROUNDOFF * (2 * lam * smax + 2 * rmax)
    return float(e.sum()), float(np.sqrt(np.sum(e**2)))


def check_budget(bits: float, *, exact: bool, what: str) -> None:
    """Refuse float64 builds beyond :data:`BITS_BUDGET` bits (exact builds are always allowed)."""
    if exact or bits <= BITS_BUDGET:
        return
    raise PrecisionBudgetExceeded(
        f"{what}: the encoding needs d_x K + log2(M^d_y) + log2(1/(N delta)) = {bits:.1f} bits, above the float64 "
        f"budget of {BITS_BUDGET} bits; use a larger eps or p closer to 1, fewer bits/levels, a wider ramp "
        "(ramp=...), or exact=True for a network of exact rationals (evaluate it with evaluate_exact)"
    )
