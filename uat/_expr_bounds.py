r"""Certified bounds of parsed expressions over boxes (the engine behind
:meth:`uat.expressions.VectorExpression.local_bounds` and friends).

For each kind a program is compiled once per expression: the components followed by the
derivative entries it needs (the Jacobian for ``lipschitz``; the upper triangle of each
Hessian for ``hessian``).  The program is evaluated by interval arithmetic
(:mod:`uat._interval`) over chunks of boxes, so the cost is a few numpy calls per
instruction whatever the number of boxes.  Norms of the enclosed matrices are summed with
upward rounding:

* ``value``: :math:`\|f\|_2 \le (\sum_k \max(|l_k|, |u_k|)^2)^{1/2}`;
* ``lipschitz``: :math:`\|Df\|_2 \le \|Df\|_F \le (\sum_{k,j} M_{kj}^2)^{1/2}` with
  :math:`M_{kj}` the magnitude of the enclosure of :math:`\partial_j f_k`;
* ``hessian``: :math:`\max_k \|D^2 f_k\|_2 \le \max_k \|D^2 f_k\|_F`.

>>> from uat.expressions import parse_expression
>>> f = parse_expression("x1**2 + x1*x2")
>>> local_bounds(f, [[0, 0], [1, 1]], [[1, 1], [2, 2]], "lipschitz").bound.round(3).tolist()
[3.162, 6.325]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ._expr_ast import Expr
from ._expr_eval import Tape, compile_tape
from ._interval import ULP_LIBM, interval_tape
from .domains import parse_domain
from .errors import DimensionMismatch, DomainError, NonFiniteError, ParameterError
from .targets import Bound, LocalBounds

if TYPE_CHECKING:  # pragma: no cover
    from .expressions import VectorExpression

__all__ = ["KINDS", "METHOD", "FiniteCheck", "as_boxes", "enclose", "local_bounds", "refined_bound", "check_finite"]

KINDS = ("value", "lipschitz", "hessian")
METHOD = (
    "symbolic derivative + interval arithmetic in float64 with outward rounding "
    f"(1 ulp per + - * / sqrt, {ULP_LIBM} ulp per libm function)"
)
_NORM = {
    "value": "Euclidean norm of the enclosed value",
    "lipschitz": "Frobenius norm of the enclosed Jacobian (>= its operator 2-norm)",
    "hessian": "max over outputs k of the Frobenius norm of the enclosed Hessian of f_k (>= ||D^2 f_k||_2)",
}
_ASSUME = (
    f"numpy's float64 exp, log, sin, cos, tan, tanh, sinh, cosh, arctan and power are accurate to {ULP_LIBM} ulp",
    "the expression is defined (finite) on every box (see check_finite)",
)
_ASSUME_KIND = {
    "value": (),
    "lipschitz": ("the bound is infinite on boxes where floor, sign or Heaviside may jump",),
    "hessian": ("the bound is infinite on boxes where floor, sign or Heaviside may jump or abs, min or max may switch branch",),
}
CHUNK = 8192
_OFFSETS = np.array([np.sqrt(2) - 1, np.sqrt(3) - 1, np.sqrt(5) - 2, np.sqrt(7) - 2])


@dataclass(frozen=True)
class FiniteCheck:
    """Result of :meth:`VectorExpression.check_finite`: samples were all finite; ``certified``
    when interval arithmetic also proves every value finite and defined on the box."""

    certified: bool
    n_samples: int
    n_boxes: int
    method: str


def as_boxes(lo: Any, hi: Any, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Validate boxes: two float arrays of shape (m, dim), finite, lo <= hi ((m,) allowed for dim 1)."""
    lo_a = np.asarray(lo, dtype=np.float64)
    hi_a = np.asarray(hi, dtype=np.float64)
    if lo_a.ndim == 1:
        lo_a = lo_a[:, None] if dim == 1 else lo_a[None, :]
        hi_a = hi_a[:, None] if dim == 1 else hi_a[None, :]
    if lo_a.ndim != 2 or lo_a.shape[1] != dim or lo_a.shape != hi_a.shape:
        raise DimensionMismatch(f"boxes must be two arrays of shape (m, {dim}); got {np.shape(lo)} and {np.shape(hi)}")
    if not (np.all(np.isfinite(lo_a)) and np.all(np.isfinite(hi_a))):
        raise NonFiniteError("box bounds must be finite numbers")
    bad = np.flatnonzero(np.any(lo_a > hi_a, axis=1))
    if bad.size:
        i = int(bad[0])
        raise DomainError(f"box {i} has lo > hi ({lo_a[i].tolist()} > {hi_a[i].tolist()}); need lo <= hi on every axis")
    return lo_a, hi_a


def _norm_up(mags: Sequence[tuple[np.ndarray, int]]) -> np.ndarray:
    """Upward-rounded sqrt(sum w * m**2) for (m, w) pairs of arrays and integer weights (exact zeros stay 0)."""
    total = np.zeros_like(mags[0][0]) if mags else np.zeros(0)
    for m, w in mags:
        sq = np.where(m == 0, 0.0, np.nextafter(m * m, np.inf))
        for _ in range(w):
            total = np.where(sq == 0, total, np.nextafter(total + sq, np.inf))
    out = np.where(total == 0, 0.0, np.nextafter(np.sqrt(total), np.inf))
    return np.where(np.isnan(out), np.inf, out)


def _mag(iv: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return np.maximum(np.abs(iv[0]), np.abs(iv[1]))


def enclose(expr: "VectorExpression", lo: Any, hi: Any) -> tuple[np.ndarray, np.ndarray]:
    """Certified enclosures of f over boxes: arrays (m, d) -> lower, upper of shape (m, d_y)."""
    lo_a, hi_a = as_boxes(lo, hi, expr.input_dim)
    out_lo = np.empty((len(lo_a), expr.output_dim))
    out_hi = np.empty((len(lo_a), expr.output_dim))
    for s in range(0, len(lo_a), CHUNK):
        roots, _ = interval_tape(expr._tape, lo_a[s : s + CHUNK], hi_a[s : s + CHUNK])
        for k, (a, b) in enumerate(roots):
            out_lo[s : s + CHUNK, k], out_hi[s : s + CHUNK, k] = a, b
    return out_lo, out_hi


def program(expr: "VectorExpression", kind: str) -> Tape:
    """The compiled program of a kind (cached on the expression): components, then derivatives."""
    progs = expr._programs
    if kind not in progs:
        comps = list(expr.components)
        if kind == "value":
            extra: list[Expr] = []
        elif kind == "lipschitz":
            extra = [e for row in expr.jacobian for e in row]
        else:
            d = expr.input_dim
            extra = [expr.hessian[k][j][l] for k in range(expr.output_dim) for j in range(d) for l in range(j, d)]
        progs[kind] = compile_tape(comps + extra, n_primal=len(comps))
    return progs[kind]


def bound_arrays(expr: "VectorExpression", lo: np.ndarray, hi: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(bounds, irregular) for boxes already validated; irregular marks inf forced by a jump/kink."""
    tape, dy, d = program(expr, kind), expr.output_dim, expr.input_dim
    roots, masks = interval_tape(tape, lo, hi)
    prim, extra = roots[:dy], roots[dy:]
    if kind == "value":
        return _norm_up([(_mag(iv), 1) for iv in prim]), np.zeros(len(lo), dtype=bool)
    if kind == "lipschitz":
        bound = _norm_up([(_mag(iv), 1) for iv in extra])
        irregular = masks["jump"]
    else:
        per_k, pos = [], 0
        for _ in range(dy):
            mags = []
            for j in range(d):
                for l in range(j, d):
                    mags.append((_mag(extra[pos]), 1 if j == l else 2))
                    pos += 1
            per_k.append(_norm_up(mags))
        bound = np.max(np.stack(per_k), axis=0)
        irregular = masks["jump"] | masks["kink"]
    return np.where(irregular, np.inf, bound), irregular


def local_bounds(expr: "VectorExpression", lo: Any, hi: Any, kind: str = "hessian") -> LocalBounds:
    """Certified per-box bounds of ``kind`` on boxes ``[lo[i], hi[i]]``, in chunks of :data:`CHUNK` boxes.

    Parameters, kinds and the result: :meth:`uat.expressions.VectorExpression.local_bounds`.
    """
    _check_kind(kind)
    lo_a, hi_a = as_boxes(lo, hi, expr.input_dim)
    out = np.empty(len(lo_a))
    for s in range(0, len(lo_a), CHUNK):
        out[s : s + CHUNK] = bound_arrays(expr, lo_a[s : s + CHUNK], hi_a[s : s + CHUNK], kind)[0]
    return LocalBounds(out, f"{METHOD}; {_NORM[kind]}", _ASSUME + _ASSUME_KIND[kind])


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ParameterError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")


def _point_norms(expr: "VectorExpression", x: np.ndarray, kind: str) -> np.ndarray:
    if kind == "value":
        return np.linalg.norm(expr.evaluate(x), axis=1)
    if kind == "lipschitz":
        return np.linalg.norm(expr.jacobian_at(x), axis=(1, 2))
    return np.linalg.norm(expr.hessian_at(x), axis=(2, 3)).max(axis=1)


def refined_bound(expr: "VectorExpression", box: Any, kind: str, *, rtol: float = 0.02, max_boxes: int = 50_000) -> Bound:
    """A certified bound over a whole box, tightened by adaptive bisection (branch and bound).

    Boxes whose bound exceeds ``(1 + rtol)`` times the largest norm sampled inside the
    boxes are bisected along every axis, until no box is above that level, the bound
    stalls, or ``max_boxes`` boxes have been evaluated.  Every round's maximum is a
    valid bound (f is continuous where the ``lipschitz`` bound is finite, so Lipschitz
    constants of the pieces combine); the smallest is returned.  For ``hessian``, a
    possible kink (abs/min/max) or jump anywhere in the whole box gives ``inf`` at once.
    """
    _check_kind(kind)
    b = parse_domain(box, dim=expr.input_dim)
    lo, hi = b.lo_array[None, :], b.hi_array[None, :]
    d, settled, sampled, evaluated = expr.input_dim, 0.0, 0.0, 0
    history: list[float] = []
    offsets = _OFFSETS[np.arange(d) % len(_OFFSETS)]
    with np.errstate(all="ignore"):
        while True:
            bound, irregular = bound_arrays(expr, lo, hi, kind)
            if kind == "hessian" and evaluated == 0 and irregular[0]:
                # A kink inside the box cannot be bisected away: on two sub-boxes that
                # meet at the kink each piece is C^2, but f is not C^2 on their union.
                history, evaluated = [np.inf], 1
                break
            evaluated += len(bound)
            top = max(settled, float(bound.max()))
            history.append(min(top, history[-1]) if history else top)
            # sample off-centre, so that kinks at dyadic points are not hit exactly
            norms = _point_norms(expr, lo + offsets * (hi - lo), kind)
            sampled = max(sampled, float(np.max(np.where(np.isfinite(norms), norms, 0.0))))
            level = sampled * (1 + rtol)
            refine = bound > level
            n_next = int(refine.sum()) * 2**d
            stalled = len(history) > 6 and not history[-1] < history[-4] * (1 - rtol / 4)
            if top <= level or evaluated + n_next > max_boxes or stalled:
                break
            settled = max(settled, float(bound[~refine].max(initial=0.0)))
            lo, hi = bisect(lo[refine], hi[refine])
    best, why = history[-1], ()
    if np.isinf(best) and irregular.any():
        why = ("no finite bound: f may jump" + (" or kink" if kind == "hessian" else "") + " inside the box",)
    method = f"{METHOD}; {_NORM[kind]}; adaptive bisection over {evaluated} boxes (sampled maximum {sampled:.6g})"
    return Bound(float(best), method, _ASSUME + _ASSUME_KIND[kind] + why)


def check_finite(expr: "VectorExpression", box: Any, *, n_samples: int = 4096, n_boxes: int = 4096) -> FiniteCheck:
    """Look for NaN/inf values on ``box``: raise NonFiniteError at the first bad sample.

    Samples a tensor grid (corners included); then encloses f on a uniform partition
    into about ``n_boxes`` boxes: ``certified`` is True when every enclosure is finite
    and no sqrt/log/power/division/tan can leave its domain.
    """
    b = parse_domain(box, dim=expr.input_dim)
    d = expr.input_dim
    per_axis = max(2, int(round(n_samples ** (1 / d))))
    pts = b.grid(per_axis)
    vals = expr.evaluate(pts)
    bad = np.flatnonzero(~np.all(np.isfinite(vals), axis=1))
    if bad.size:
        i = int(bad[0])
        raise NonFiniteError(
            f"the target {expr} is not finite at x = {pts[i].tolist()} (value {vals[i].tolist()}) on the domain {b}; "
            "change the expression or the domain"
        )
    k = max(1, int(n_boxes ** (1 / d)))
    edges = [np.linspace(a, c, k + 1) for a, c in zip(b.lo_array, b.hi_array)]
    lo = np.stack(np.meshgrid(*[e[:-1] for e in edges], indexing="ij"), axis=-1).reshape(-1, d)
    hi = np.stack(np.meshgrid(*[e[1:] for e in edges], indexing="ij"), axis=-1).reshape(-1, d)
    hi = np.maximum(hi, lo)
    certified = True
    for s in range(0, len(lo), CHUNK):
        roots, masks = interval_tape(expr._tape, lo[s : s + CHUNK], hi[s : s + CHUNK])
        finite = np.all([np.isfinite(a) & np.isfinite(c) for a, c in roots], axis=0)
        certified &= bool(np.all(finite & ~masks["undefined"]))
    return FiniteCheck(certified, len(pts), len(lo), f"grid of {per_axis}^{d} samples; {METHOD} on {k}^{d} boxes")

def bisect(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split each box into 2^d halves along every axis."""
    mid = (lo + hi) / 2
    d = lo.shape[1]
    los, his = [], []
    for corner in range(2**d):
        upper = np.array([(corner >> i) & 1 for i in range(d)], dtype=bool)
        los.append(np.where(upper, mid, lo))
        his.append(np.where(upper, hi, mid))
    return np.concatenate(los), np.concatenate(his)
