r"""sympy form of parsed target expressions (:mod:`uat.expressions`).

The conversion walks the expression tree (iteratively, children first) and builds the
sympy objects directly: numbers become ``sympy.Rational`` (exact), variables the real
symbols ``x1..xd``, and every function its sympy namesake.  No string is handed to sympy
(no ``sympify``), so this is as safe as the whitelist parser itself.

=================  ===============================================
uat                sympy
=================  ===============================================
``pi``, ``E``      ``pi``, ``E``
``abs``            ``Abs``
``min``, ``max``   ``Min``, ``Max``
``Heaviside(u)``   ``Heaviside(u, 1/2)`` (value 1/2 at 0, as numpy)
``sign``, ``floor``  ``sign``, ``floor``
``atan``           ``atan``
=================  ===============================================

Derivative-only nodes (``_select_min``, ``_unitratio``) become ``Piecewise``.

>>> from uat.expressions import parse_expression
>>> to_sympy(parse_expression("[x1**2/3, Heaviside(x2 - 1/2)]"))
[x1**2/3, Heaviside(x2 - 1/2)]
"""

from __future__ import annotations

from typing import Any

import sympy

from .._expr_ast import Expr, postorder

__all__ = ["to_sympy", "expr_to_sympy", "symbols"]

_FUNCS = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "exp": sympy.exp, "log": sympy.log,
    "sqrt": sympy.sqrt, "abs": sympy.Abs, "tanh": sympy.tanh, "sinh": sympy.sinh, "cosh": sympy.cosh,
    "atan": sympy.atan, "floor": sympy.floor, "sign": sympy.sign, "min": sympy.Min, "max": sympy.Max,
    "Heaviside": lambda u: sympy.Heaviside(u, sympy.S.Half),
}


def symbols(dim: int) -> list[sympy.Symbol]:
    """The real symbols x1..x_dim used for variables."""
    return [sympy.Symbol(f"x{i}", real=True) for i in range(1, dim + 1)]


def _select(args: list[Any], smallest: bool) -> Any:
    n = len(args) // 2
    a, d = args[:n], args[n:]
    pieces = []
    for i in range(n):
        conds = [(a[i] <= a[j] if smallest else a[i] >= a[j]) if j > i else (a[i] < a[j] if smallest else a[i] > a[j]) for j in range(n) if j != i]
        pieces.append((d[i], sympy.And(*conds)))
    pieces[-1] = (d[-1], True)
    return sympy.Piecewise(*pieces)


def expr_to_sympy(root: Expr, dim: int | None = None) -> Any:
    """sympy expression of one :class:`uat._expr_ast.Expr` node."""
    dim = max(root.variables, default=1) if dim is None else dim
    xs = symbols(dim)
    out: dict[int, Any] = {}
    for node in postorder([root]):
        op, a = node.op, [out[id(c)] for c in node.args]
        if op == "num":
            res = sympy.Rational(node.value.numerator, node.value.denominator)
        elif op == "var":
            res = xs[node.value - 1]
        elif op == "const":
            res = sympy.pi if node.value == "pi" else sympy.E
        elif op == "neg":
            res = -a[0]
        elif op == "add":
            res = a[0] + a[1]
        elif op == "sub":
            res = a[0] - a[1]
        elif op == "mul":
            res = a[0] * a[1]
        elif op == "div":
            res = a[0] / a[1]
        elif op == "pow":
            res = a[0] ** a[1]
        elif op in _FUNCS:
            res = _FUNCS[op](*a)
        elif op in ("_select_min", "_select_max"):
            res = _select(a, op == "_select_min")
        elif op == "_unitratio":
            res = sympy.Piecewise((a[0] / a[1], sympy.Ne(a[1], 0)), (sympy.S.Zero, True))
        else:  # pragma: no cover - Expr validates op names
            raise ValueError(f"no sympy form for {op!r}")
        out[id(node)] = res
    return out[id(root)]


def to_sympy(expr: Any) -> list[Any]:
    """One sympy expression per component of a :class:`uat.expressions.VectorExpression`
    (or of a single Expr)."""
    if isinstance(expr, Expr):
        return [expr_to_sympy(expr)]
    return [expr_to_sympy(c, expr.input_dim) for c in expr.components]
