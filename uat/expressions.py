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
from types import MappingProxyType
from typing import Any, Sequence

import numpy as np

from . import _expr_bounds as _bounds
from ._expr_ast import DISCONTINUOUS, KINKED, Expr, postorder
from ._expr_bounds import KINDS, METHOD, FiniteCheck
from ._expr_diff import derivatives
from ._expr_eval import Tape, compile_tape, evaluate_tape, exact_tape
from ._expr_parse import parse_text
from ._scalars import to_fraction
from .domains import Box
from .errors import DimensionMismatch, ExactnessError, ExpressionError, NonFiniteError
from .targets import Bound, LocalBounds, Target

__all__ = ["VectorExpression", "parse_expression", "expression_target", "FiniteCheck", "Expr", "KINDS", "METHOD"]


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
    @cached_property
    def _programs(self) -> dict[str, Tape]:
        return {}

    def enclose(self, lo: Any, hi: Any) -> tuple[np.ndarray, np.ndarray]:
        """Certified enclosures of f over boxes: arrays (m, d) -> lower, upper of shape (m, d_y)."""
        return _bounds.enclose(self, lo, hi)

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
            be :math:`C^2` on the closed box: a kink of abs/min/max or a jump inside it).

        Returns
        -------
        LocalBounds
            ``(bound, method, assumptions)`` with ``bound`` of shape (m,); inf means no bound.
        """
        return _bounds.local_bounds(self, lo, hi, kind)

    def refined_bound(self, box: Any, kind: str, *, rtol: float = 0.02, max_boxes: int = 50_000) -> Bound:
        """A certified bound over a whole box, tightened by adaptive bisection (see :mod:`uat._expr_bounds`)."""
        return _bounds.refined_bound(self, box, kind, rtol=rtol, max_boxes=max_boxes)

    def lipschitz_bound(self, box: Any) -> Bound:
        """Certified Lipschitz constant of f on ``box`` (Euclidean norms), or inf (see local_bounds)."""
        return _bounds.refined_bound(self, box, "lipschitz")

    def hessian_bound(self, box: Any) -> Bound:
        """Certified bound of :math:`\\max_k \\sup_{box} \\|D^2 f_k\\|_2`, or inf if f is not C^2 there."""
        return _bounds.refined_bound(self, box, "hessian")

    def check_finite(self, box: Any, *, n_samples: int = 4096, n_boxes: int = 4096) -> FiniteCheck:
        """Raise NonFiniteError at the first NaN/inf sample on ``box``; else a :class:`FiniteCheck`
        (``certified`` when interval arithmetic proves f finite and defined on the whole box)."""
        return _bounds.check_finite(self, box, n_samples=n_samples, n_boxes=n_boxes)


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
        expression=expr, continuous=expr.is_continuous, domain=domain, info=MappingProxyType(dict(info or {})),
    )
