r"""Targets: vector-valued functions :math:`f: \mathbb R^{d_x} \to \mathbb R^{d_y}` to approximate.

A :class:`Target` wraps a vectorised float64 evaluator ``(n, d_x) -> (n, d_y)`` together with
what is known about the function: a parsed expression (from the whitelist parser in
:mod:`uat.expressions`, never ``eval``), continuity, and certified derivative bounds.
Build one with :func:`make_target` from

* an expression string such as ``"sin(2*pi*x1)*x2"`` or ``"[cos(2*pi*x), sin(2*pi*x)]"``;
* the name of a built-in target (:mod:`uat.target_library`), e.g. ``"circle"``;
* a Python callable (probed with a 3-point batch for shape and finiteness);
* a Target (returned unchanged).

>>> t = make_target(lambda x: x[:, :1] ** 2, input_dim=1)
>>> t.input_dim, t.output_dim, t(np.array([[0.5]])).tolist()
(1, 1, [[0.25]])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping, NamedTuple, Sequence

import numpy as np

from .domains import Box, parse_domain
from .errors import DimensionMismatch, NonFiniteError, ParameterError, TargetError

__all__ = ["Bound", "LocalBounds", "Target", "make_target"]


@dataclass(frozen=True)
class Bound:
    """A certified upper bound on some quantity, with how it was obtained.

    ``value`` may be ``inf`` (a vacuous bound, reported as such).
    """

    value: float
    method: str
    assumptions: tuple[str, ...] = ()


class LocalBounds(NamedTuple):
    """Per-box certified bounds: ``bound`` has shape (m,) (inf = no bound), with the method
    and the assumptions under which they hold.  Unpacks as ``bound, method, assumptions``."""

    bound: np.ndarray
    method: str
    assumptions: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Target:
    """A target function with its metadata (see the module docstring).

    Attributes
    ----------
    name : str
        The text form: the expression, the library name, or the callable's name.
    input_dim, output_dim : int
    fn : callable
        Vectorised float64 evaluator ``(n, input_dim) -> (n, output_dim)``.
    expression : object or None
        The parsed expression (:class:`uat.expressions.VectorExpression`), if any.
    continuous : bool or None
        True/False when known, None when unknown (callables).
    domain : Box or None
        The natural domain of a library target.
    lipschitz : float or None
        A user-declared Lipschitz constant (Euclidean norms), used as an assumption.
    """

    name: str
    input_dim: int
    output_dim: int
    fn: Callable[[np.ndarray], np.ndarray]
    expression: Any = None
    continuous: bool | None = None
    domain: Box | None = None
    lipschitz: float | None = None
    info: Mapping[str, Any] = field(default_factory=dict)

    def __call__(self, x: Any) -> np.ndarray:
        pts = np.asarray(x, dtype=np.float64)
        if pts.ndim == 1:
            pts = pts.reshape(-1, self.input_dim) if self.input_dim > 1 else pts[:, None]
        if pts.ndim != 2 or pts.shape[1] != self.input_dim:
            raise DimensionMismatch(f"target {self.name!r} expects points of shape (n, {self.input_dim}), got {np.shape(x)}")
        with np.errstate(all="ignore"):
            y = np.asarray(self.fn(pts), dtype=np.float64)
        if y.ndim == 1:
            y = y[:, None]
        if y.shape != (pts.shape[0], self.output_dim):
            raise TargetError(f"target {self.name!r} returned shape {y.shape}, expected ({pts.shape[0]}, {self.output_dim})")
        return y

    def exact_value(self, point: Sequence[Fraction]) -> tuple[Fraction, ...] | None:
        """The exact rational value at a rational point, when the expression is rational there; else None."""
        if self.expression is None:
            return None
        return self.expression.exact(point)

    def lipschitz_bound(self, box: Any) -> Bound | None:
        """A certified bound on the Lipschitz constant on ``box`` (Euclidean in and out), or None.

        Uses the user-declared constant if given, else the parsed expression's Jacobian
        enclosed by interval arithmetic with adaptive bisection (``inf`` when f may jump).
        """
        if self.lipschitz is not None:
            return Bound(float(self.lipschitz), "declared", (f"the target is {self.lipschitz}-Lipschitz (declared by the user)",))
        if self.expression is None:
            return None
        return self.expression.lipschitz_bound(box)

    def hessian_bound(self, box: Any) -> Bound | None:
        """A certified bound on max_k sup_box ||D^2 f_k||_2 (None without a parsed expression; inf if not C^2)."""
        if self.expression is None:
            return None
        return self.expression.hessian_bound(box)

    def enclose(self, lo: Any, hi: Any) -> tuple[np.ndarray, np.ndarray]:
        """Certified value enclosures over boxes (m, d) -> (m, d_y) lower, upper; (-inf, inf) for callables."""
        if self.expression is not None:
            return self.expression.enclose(lo, hi)
        m = np.asarray(lo, dtype=np.float64).reshape(-1, self.input_dim).shape[0]
        return np.full((m, self.output_dim), -np.inf), np.full((m, self.output_dim), np.inf)

    def local_bounds(self, lo: Any, hi: Any, kind: str = "hessian") -> LocalBounds:
        """Per-box certified bounds, kind in {"value", "lipschitz", "hessian"}.

        Delegates to :meth:`uat.expressions.VectorExpression.local_bounds`; a declared
        Lipschitz constant is used for ``kind="lipschitz"``; a callable without one gets
        ``inf`` (no certificate), with the reason as the method.
        """
        if self.lipschitz is not None and kind == "lipschitz":
            m = np.asarray(lo, dtype=np.float64).reshape(-1, self.input_dim).shape[0]
            return LocalBounds(np.full(m, float(self.lipschitz)), "declared", (f"the target is {self.lipschitz}-Lipschitz (declared by the user)",))
        if self.expression is not None:
            return self.expression.local_bounds(lo, hi, kind)
        if kind not in ("value", "lipschitz", "hessian"):
            raise ParameterError(f"kind must be one of value, lipschitz, hessian; got {kind!r}")
        m = np.asarray(lo, dtype=np.float64).reshape(-1, self.input_dim).shape[0]
        return LocalBounds(np.full(m, np.inf), f"none: the target {self.name!r} is a Python callable without an expression", ())

    def check_finite(self, box: Any = None) -> Any:
        """Raise NonFiniteError if the target is NaN/inf somewhere on ``box`` (default: its domain or [0,1]^d).

        For an expression target returns :class:`uat.expressions.FiniteCheck`; for a callable
        samples a grid and returns None.
        """
        b = parse_domain(box if box is not None else self.domain, dim=self.input_dim)
        if self.expression is not None:
            return self.expression.check_finite(b)
        pts = b.grid(max(2, int(round(4096 ** (1 / self.input_dim)))))
        vals = self(pts)
        bad = np.flatnonzero(~np.all(np.isfinite(vals), axis=1))
        if bad.size:
            i = int(bad[0])
            raise NonFiniteError(f"the target {self.name!r} is not finite at x = {pts[i].tolist()} (value {vals[i].tolist()})")
        return None

    def to_json(self) -> str:
        return self.name


def _probe(fn: Callable[[np.ndarray], np.ndarray], input_dim: int, name: str) -> int:
    pts = np.array([[0.25] * input_dim, [0.5] * input_dim, [0.75] * input_dim], dtype=np.float64)
    try:
        with np.errstate(all="ignore"):
            y = np.asarray(fn(pts), dtype=np.float64)
    except Exception as exc:
        raise TargetError(
            f"the target callable {name!r} failed on a probe batch of shape (3, {input_dim}) ({type(exc).__name__}: {exc}); "
            "targets must be vectorised: (n, d_x) array in, (n, d_y) or (n,) array out"
        ) from None
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape[0] != 3:
        raise TargetError(
            f"the target callable {name!r} returned shape {y.shape} for 3 points; expected (3, d_y) or (3,): "
            "make it vectorised over the first axis"
        )
    if not np.all(np.isfinite(y)):
        raise NonFiniteError(f"the target callable {name!r} returned non-finite values on the probe points")
    return int(y.shape[1])


def make_target(
    spec: Any,
    *,
    input_dim: int | None = None,
    output_dim: int | None = None,
    lipschitz: float | None = None,
) -> Target:
    """Normalise a target specification (expression string, library name, callable, Target).

    Raises
    ------
    ExpressionError
        For an expression string that the whitelist parser refuses.
    TargetError
        For a callable that is not vectorised or returns the wrong shape.
    DimensionMismatch
        When the given dimensions disagree with the target's.
    """
    if isinstance(spec, Target):
        target = spec
    elif isinstance(spec, str):
        from .target_library import library_target

        lib = library_target(spec)
        if lib is not None:
            target = lib
        else:
            from .expressions import parse_expression, expression_target

            expr = parse_expression(spec, input_dim=input_dim)
            target = expression_target(expr, text=spec)
    elif callable(spec):
        if input_dim is None:
            raise TargetError("a callable target needs input_dim=...")
        name = getattr(spec, "__name__", type(spec).__name__)
        d_out = _probe(spec, input_dim, name)
        target = Target(name=name, input_dim=input_dim, output_dim=d_out, fn=spec, continuous=None)
    else:
        raise TargetError(f"cannot make a target from {type(spec).__name__} {spec!r}")
    if input_dim is not None and target.input_dim != input_dim:
        # expressions in x1 only may be used in higher dimension
        if target.expression is not None and target.input_dim < input_dim:
            from .expressions import expression_target

            target = expression_target(target.expression.widen(input_dim), name=target.name, info=target.info)
        else:
            raise DimensionMismatch(f"target {target.name!r} has input dimension {target.input_dim}, expected {input_dim}")
    if output_dim is not None and target.output_dim != output_dim:
        raise DimensionMismatch(f"target {target.name!r} has output dimension {target.output_dim}, expected {output_dim}")
    if lipschitz is not None:
        target = Target(
            target.name, target.input_dim, target.output_dim, target.fn, target.expression,
            target.continuous, target.domain, float(lipschitz), target.info,
        )
    return target
