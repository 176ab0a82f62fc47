r"""Target expressions: parsed without ``eval``, evaluated in float64 and exactly, differentiated,
and bounded by interval arithmetic.

Grammar (docs/targets.md has the full table): variables ``x1..xd`` (``x`` when d = 1),
constants ``pi`` and ``E``, numbers (``2``, ``0.5``, ``1e-3``, read as exact rationals),
``+ - * / **`` with Python's precedence, parentheses, the functions ``sin cos tan exp log
sqrt abs tanh sinh cosh atan floor Heaviside sign`` (one argument) and ``min max`` (two or
more); a vector target is ``[f1, f2, ...]``.  Anything else is refused with
:class:`uat.errors.ExpressionError` naming the token, its position and the fix.

Certified bounds (:meth:`VectorExpression.local_bounds`): the symbolic derivative is
enclosed by interval arithmetic in float64 with outward rounding over each box, for many
boxes at once; the ``lipschitz`` bound is the Frobenius norm of the enclosed Jacobian
(which bounds its operator 2-norm, hence the Lipschitz constant on the convex box), the
``hessian`` bound is :math:`\max_k` of the Frobenius norm of the enclosed Hessian of
:math:`f_k`.

>>> f = parse_expression("[cos(2*pi*x), sin(2*pi*x)]")
>>> f.input_dim, f.output_dim, str(f)
(1, 2, '[cos(2*pi*x1), sin(2*pi*x1)]')
>>> b = f.lipschitz_bound("[0,1]")
>>> bool(2 * np.pi <= b.value <= 2 * np.pi * 1.02)
True
>>> parse_expression("x1 - x1**2").exact(["1/3"])
(Fraction(2, 9),)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any, Sequence

import numpy as np

from ._expr_ast import DISCONTINUOUS, KINKED, Expr, postorder
from ._expr_diff import derivatives
from ._expr_eval import Tape, compile_tape, evaluate_tape, exact_tape
from ._expr_parse import parse_text
from ._interval import ULP_LIBM, interval_tape
from ._scalars import to_fraction
from .domains import Box, parse_domain
from .errors import DimensionMismatch, DomainError, ExactnessError, ExpressionError, NonFiniteError, ParameterError
from .targets import Bound, LocalBounds, Target

__all__ = ["VectorExpression", "parse_expression", "expression_target", "FiniteCheck", "Expr", "KINDS", "METHOD"]

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


def _as_boxes(lo: Any, hi: Any, dim: int) -> tuple[np.ndarray, np.ndarray]:
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


@dataclass(frozen=True)
class VectorExpression:
    """A parsed target :math:`f = (f_1, \\dots, f_{d_y})` of ``input_dim`` variables (immutable).

    ``is_vector`` records whether the text used brackets, so that ``str`` round-trips:
    ``parse_expression(str(f)) == f``.
    """

    components: tuple[Expr, ...]
    input_dim: int
    is_vector: bool = True

    def __post_init__(self) -> None:
        comps = tuple(self.components)
        if not comps or not all(isinstance(c, Expr) for c in comps):
            raise ExpressionError("a VectorExpression needs at least one Expr component")
        object.__setattr__(self, "components", comps)
        if not self.is_vector and len(comps) != 1:
            raise ExpressionError("a scalar expression has exactly one component")
        used = max((max(c.variables, default=0) for c in comps), default=0)
        if not isinstance(self.input_dim, int) or self.input_dim < max(1, used):
            raise DimensionMismatch(f"the expression uses x{used} but input_dim is {self.input_dim!r}")

    # ------------------------------------------------------------------ description
    @property
    def output_dim(self) -> int:
        return len(self.components)

    @property
    def variables(self) -> frozenset[int]:
        return frozenset().union(*(c.variables for c in self.components))

    @cached_property
    def functions(self) -> frozenset[str]:
        """The function names that occur (e.g. ``{'sin', 'abs'}``)."""
        return frozenset(n.op for n in postorder(self.components) if n.op not in ("num", "var", "const", "neg", "add", "sub", "mul", "div", "pow"))

    @property
    def is_continuous(self) -> bool:
        """False when floor, sign or Heaviside occurs (then f may jump)."""
        return not (self.functions & DISCONTINUOUS)

    @property
    def is_smooth(self) -> bool:
        """True when no abs, min, max, floor, sign or Heaviside occurs."""
        return not (self.functions & (DISCONTINUOUS | KINKED))

    def __str__(self) -> str:
        texts = [str(c) for c in self.components]
        return f"[{', '.join(texts)}]" if self.is_vector else texts[0]

    def __repr__(self) -> str:
        return f"parse_expression({str(self)!r}, input_dim={self.input_dim})"

    def widen(self, input_dim: int) -> "VectorExpression":
        """The same function seen as a function of ``input_dim >= self.input_dim`` variables."""
        if not isinstance(input_dim, int) or input_dim < self.input_dim:
            raise DimensionMismatch(f"cannot widen an expression of {self.input_dim} variables to {input_dim!r}")
        return VectorExpression(self.components, input_dim, self.is_vector)

    def to_sympy(self) -> Any:
        """sympy form (a Matrix column for a vector target); needs sympy (uat.export)."""
        from .export._expr_sympy import to_sympy

        return to_sympy(self)

    # ------------------------------------------------------------------ evaluation
    @cached_property
    def _tape(self) -> Tape:
        return compile_tape(self.components)

    def _points(self, x: Any) -> np.ndarray:
        pts = np.asarray(x, dtype=np.float64)
        if pts.ndim == 1 and self.input_dim == 1:
            pts = pts[:, None]
        if pts.ndim != 2 or pts.shape[1] != self.input_dim:
            raise DimensionMismatch(f"expected points of shape (n, {self.input_dim}), got {np.shape(x)}")
        return pts

    def evaluate(self, x: Any) -> np.ndarray:
        """float64 values at the points ``x`` of shape (n, d): an array of shape (n, d_y)."""
        pts = self._points(x)
        return np.stack(evaluate_tape(self._tape, pts), axis=1)

    __call__ = evaluate

    def exact(self, point: Sequence[Any]) -> tuple[Fraction, ...] | None:
        """Exact values at a rational point (ints, Fractions or 'p/q' strings; no floats).

        Returns None unless every component is a rational number there (see
        :mod:`uat._expr_eval` for the operations that stay rational).
        """
        if len(point) != self.input_dim:
            raise DimensionMismatch(f"a point of {self.input_dim} coordinates is needed, got {len(point)}")
        try:
            pt = [to_fraction(v) for v in point]
        except (ExactnessError, NonFiniteError) as exc:
            raise ExactnessError(f"exact evaluation needs rational coordinates: {exc}") from None
        vals = exact_tape(self._tape, pt)
        return None if any(v is None for v in vals) else tuple(vals)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ derivatives
    @cached_property
    def jacobian(self) -> tuple[tuple[Expr, ...], ...]:
        """Symbolic Jacobian: ``jacobian[k][j] = d f_k / d x_{j+1}`` (almost everywhere)."""
        cols = [derivatives(self.components, j + 1) for j in range(self.input_dim)]
        return tuple(tuple(cols[j][k] for j in range(self.input_dim)) for k in range(self.output_dim))

    @cached_property
    def hessian(self) -> tuple[tuple[tuple[Expr, ...], ...], ...]:
        """Symbolic Hessians: ``hessian[k][j][l] = d^2 f_k / d x_{j+1} d x_{l+1}``."""
        d, jac = self.input_dim, self.jacobian
        rows: dict[tuple[int, int], list[Expr]] = {}
        for j in range(d):
            grad_j = [jac[k][j] for k in range(self.output_dim)]
            for l in range(j, d):
                rows[j, l] = derivatives(grad_j, l + 1)
        return tuple(
            tuple(tuple(rows[min(j, l), max(j, l)][k] for l in range(d)) for j in range(d)) for k in range(self.output_dim)
        )

    def diff(self, j: int) -> "VectorExpression":
        """The partial derivative d f / d x_j (1-based j) as an expression of the same shape."""
        if not isinstance(j, int) or not 1 <= j <= self.input_dim:
            raise DimensionMismatch(f"variable index must be in 1..{self.input_dim}, got {j!r}")
        return VectorExpression(tuple(row[j - 1] for row in self.jacobian), self.input_dim, self.is_vector)

    @cached_property
    def _jac_tape(self) -> Tape:
        return compile_tape([e for row in self.jacobian for e in row])

    @cached_property
    def _hess_tape(self) -> Tape:
        return compile_tape([e for hk in self.hessian for row in hk for e in row])

    def jacobian_at(self, x: Any) -> np.ndarray:
        """Jacobian matrices at the points, shape (n, d_y, d)."""
        pts = self._points(x)
        vals = np.stack(evaluate_tape(self._jac_tape, pts), axis=1)
        return vals.reshape(len(pts), self.output_dim, self.input_dim)

    def hessian_at(self, x: Any) -> np.ndarray:
        """Hessian matrices at the points, shape (n, d_y, d, d)."""
        pts = self._points(x)
        vals = np.stack(evaluate_tape(self._hess_tape, pts), axis=1)
        return vals.reshape(len(pts), self.output_dim, self.input_dim, self.input_dim)

    # ------------------------------------------------------------------ interval bounds
    def enclose(self, lo: Any, hi: Any) -> tuple[np.ndarray, np.ndarray]:
        """Certified enclosures of f over boxes: arrays (m, d) -> lower, upper of shape (m, d_y)."""
        lo_a, hi_a = _as_boxes(lo, hi, self.input_dim)
        out_lo = np.empty((len(lo_a), self.output_dim))
        out_hi = np.empty((len(lo_a), self.output_dim))
        for s in range(0, len(lo_a), CHUNK):
            roots, _ = interval_tape(self._tape, lo_a[s : s + CHUNK], hi_a[s : s + CHUNK])
            for k, (a, b) in enumerate(roots):
                out_lo[s : s + CHUNK, k], out_hi[s : s + CHUNK, k] = a, b
        return out_lo, out_hi

    @cached_property
    def _programs(self) -> dict[str, Tape]:
        return {}

    def _program(self, kind: str) -> Tape:
        progs = self._programs
        if kind not in progs:
            comps = list(self.components)
            if kind == "value":
                extra: list[Expr] = []
            elif kind == "lipschitz":
                extra = [e for row in self.jacobian for e in row]
            else:
                d = self.input_dim
                extra = [self.hessian[k][j][l] for k in range(self.output_dim) for j in range(d) for l in range(j, d)]
            progs[kind] = compile_tape(comps + extra, n_primal=len(comps))
        return progs[kind]

    def _bound_arrays(self, lo: np.ndarray, hi: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
        """(bounds, irregular) for boxes already validated; irregular marks inf forced by a jump/kink."""
        tape, dy, d = self._program(kind), self.output_dim, self.input_dim
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

    def local_bounds(self, lo: Any, hi: Any, kind: str = "hessian") -> LocalBounds:
        """Certified per-box bounds for many boxes at once (vectorised, no loop over boxes).

        Parameters
        ----------
        lo, hi : array_like, shape (m, d)
            The boxes (for d = 1 also shape (m,)).
        kind : {"value", "lipschitz", "hessian"}
            ``value``: :math:`\\sup_{box} \\|f\\|_2`; ``lipschitz``: :math:`\\sup_{box} \\|Df\\|_2`
            (a Lipschitz constant of f on the box; inf where f may jump);
            ``hessian``: :math:`\\max_k \\sup_{box} \\|D^2 f_k\\|_2` (inf where f may fail to
            be :math:`C^2`: a kink of abs/min/max or a jump inside the box).

        Returns
        -------
        LocalBounds
            ``(bound, method, assumptions)`` with ``bound`` of shape (m,); inf means no bound.
        """
        if kind not in KINDS:
            raise ParameterError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
        lo_a, hi_a = _as_boxes(lo, hi, self.input_dim)
        out = np.empty(len(lo_a))
        for s in range(0, len(lo_a), CHUNK):
            out[s : s + CHUNK] = self._bound_arrays(lo_a[s : s + CHUNK], hi_a[s : s + CHUNK], kind)[0]
        return LocalBounds(out, f"{METHOD}; {_NORM[kind]}", _ASSUME + _ASSUME_KIND[kind])

    def _point_norms(self, x: np.ndarray, kind: str) -> np.ndarray:
        if kind == "value":
            return np.linalg.norm(self.evaluate(x), axis=1)
        if kind == "lipschitz":
            return np.linalg.norm(self.jacobian_at(x), axis=(1, 2))
        return np.linalg.norm(self.hessian_at(x), axis=(2, 3)).max(axis=1)

    def refined_bound(self, box: Any, kind: str, *, rtol: float = 0.02, max_boxes: int = 50_000) -> Bound:
        """A certified bound over a whole box, tightened by adaptive bisection (branch and bound).

        Boxes whose bound exceeds ``(1 + rtol)`` times the largest norm sampled inside the
        boxes are bisected along every axis, until no box is above that level, the bound
        stalls, or ``max_boxes`` boxes have been evaluated.  Every round's maximum is a
        valid bound (f is continuous where the ``lipschitz`` bound is finite, so Lipschitz
        constants of the pieces combine); the smallest is returned.  For ``hessian``, a
        possible kink (abs/min/max) or jump anywhere in the whole box gives ``inf`` at once.
        """
        if kind not in KINDS:
            raise ParameterError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
        b = parse_domain(box, dim=self.input_dim)
        lo, hi = b.lo_array[None, :], b.hi_array[None, :]
        d, settled, sampled, evaluated = self.input_dim, 0.0, 0.0, 0
        history: list[float] = []
        offsets = _OFFSETS[np.arange(d) % len(_OFFSETS)]
        with np.errstate(all="ignore"):
            while True:
                bound, irregular = self._bound_arrays(lo, hi, kind)
                if kind == "hessian" and evaluated == 0 and irregular[0]:
                    # A kink inside the box cannot be bisected away: on two sub-boxes that
                    # meet at the kink each piece is C^2, but f is not C^2 on their union.
                    history, evaluated = [np.inf], 1
                    break
                evaluated += len(bound)
                top = max(settled, float(bound.max()))
                history.append(min(top, history[-1]) if history else top)
                # sample off-centre, so that kinks at dyadic points are not hit exactly
                norms = self._point_norms(lo + offsets * (hi - lo), kind)
                sampled = max(sampled, float(np.max(np.where(np.isfinite(norms), norms, 0.0))))
                level = sampled * (1 + rtol)
                refine = bound > level
                n_next = int(refine.sum()) * 2**d
                stalled = len(history) > 6 and not history[-1] < history[-4] * (1 - rtol / 4)
                if top <= level or evaluated + n_next > max_boxes or stalled:
                    break
                settled = max(settled, float(bound[~refine].max(initial=0.0)))
                lo, hi = _bisect(lo[refine], hi[refine])
        best, why = history[-1], ()
        if np.isinf(best) and irregular.any():
            why = ("no finite bound: f may jump" + (" or kink" if kind == "hessian" else "") + " inside the box",)
        method = f"{METHOD}; {_NORM[kind]}; adaptive bisection over {evaluated} boxes (sampled maximum {sampled:.6g})"
        return Bound(float(best), method, _ASSUME + _ASSUME_KIND[kind] + why)

    def lipschitz_bound(self, box: Any) -> Bound:
        """Certified Lipschitz constant of f on ``box`` (Euclidean norms), or inf (see local_bounds)."""
        return self.refined_bound(box, "lipschitz")

    def hessian_bound(self, box: Any) -> Bound:
        """Certified bound of :math:`\\max_k \\sup_{box} \\|D^2 f_k\\|_2`, or inf if f is not C^2 there."""
        return self.refined_bound(box, "hessian")

    def check_finite(self, box: Any, *, n_samples: int = 4096, n_boxes: int = 4096) -> FiniteCheck:
        """Look for NaN/inf values on ``box``: raise NonFiniteError at the first bad sample.

        Samples a tensor grid (corners included); then encloses f on a uniform partition
        into about ``n_boxes`` boxes: ``certified`` is True when every enclosure is finite
        and no sqrt/log/power/division/tan can leave its domain.
        """
        b = parse_domain(box, dim=self.input_dim)
        d = self.input_dim
        per_axis = max(2, int(round(n_samples ** (1 / d))))
        pts = b.grid(per_axis)
        vals = self.evaluate(pts)
        bad = np.flatnonzero(~np.all(np.isfinite(vals), axis=1))
        if bad.size:
            i = int(bad[0])
            raise NonFiniteError(
                f"the target {self} is not finite at x = {pts[i].tolist()} (value {vals[i].tolist()}) on the domain {b}; "
                "change the expression or the domain"
            )
        k = max(1, int(n_boxes ** (1 / d)))
        edges = [np.linspace(a, c, k + 1) for a, c in zip(b.lo_array, b.hi_array)]
        lo = np.stack(np.meshgrid(*[e[:-1] for e in edges], indexing="ij"), axis=-1).reshape(-1, d)
        hi = np.stack(np.meshgrid(*[e[1:] for e in edges], indexing="ij"), axis=-1).reshape(-1, d)
        hi = np.maximum(hi, lo)
        certified = True
        for s in range(0, len(lo), CHUNK):
            roots, masks = interval_tape(self._tape, lo[s : s + CHUNK], hi[s : s + CHUNK])
            finite = np.all([np.isfinite(a) & np.isfinite(c) for a, c in roots], axis=0)
            certified &= bool(np.all(finite & ~masks["undefined"]))
        return FiniteCheck(certified, len(pts), len(lo), f"grid of {per_axis}^{d} samples; {METHOD} on {k}^{d} boxes")


def _bisect(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split each box into 2^d halves along every axis."""
    mid = (lo + hi) / 2
    d = lo.shape[1]
    los, his = [], []
    for corner in range(2**d):
        upper = np.array([(corner >> i) & 1 for i in range(d)], dtype=bool)
        los.append(np.where(upper, mid, lo))
        his.append(np.where(upper, hi, mid))
    return np.concatenate(los), np.concatenate(his)


def parse_expression(text: str, input_dim: int | None = None) -> VectorExpression:
    """Parse a target expression with the whitelist parser (never ``eval``).

    Parameters
    ----------
    text : str
        E.g. ``"sin(2*pi*x1)*x2"`` or ``"[x1**2 - x2**2, 2*x1*x2]"``.
    input_dim : int, optional
        The number of variables; default: the largest index used (1 for constants).

    Raises
    ------
    ExpressionError
        With the offending token, its position and the fix.
    """
    comps, is_vector, dim = parse_text(text, input_dim)
    return VectorExpression(comps, dim, is_vector)


def expression_target(
    expr: VectorExpression,
    text: str | None = None,
    *,
    name: str | None = None,
    domain: Box | None = None,
    info: dict[str, Any] | None = None,
) -> Target:
    """Wrap a parsed expression as a :class:`uat.targets.Target`."""
    label = name or (text.strip() if text else str(expr))
    return Target(
        name=label, input_dim=expr.input_dim, output_dim=expr.output_dim, fn=expr.evaluate,
        expression=expr, continuous=expr.is_continuous, domain=domain, info=dict(info or {}),
    )
