r"""Symbolic differentiation of expression DAGs (forward mode, iterative), with light folding.

:func:`derivatives` differentiates several roots with respect to one variable in one
post-order sweep: each node's derivative is built from its children's derivatives and
reuses the node's own subtrees, so the result is a DAG of size linear in the input.
Non-smooth functions get their derivative almost everywhere:

* ``abs(u)' = sign(u) u'``; ``min``/``max`` select the derivative of the active argument
  (internal node ``_select_min`` / ``_select_max``; its interval enclosure is the hull of
  the candidates, i.e. it covers Clarke's generalised gradient at a kink);
* ``floor``, ``sign``, ``Heaviside`` have derivative 0 (their jumps are detected
  separately, by :mod:`uat._interval`);
* ``sqrt(g1**2 + ... + gn**2 [+ c])' = sum_i (g_i / sqrt(...)) g_i'`` with the ratio kept
  as ``_unitratio`` (known to lie in [-1, 1]), so that norms such as
  ``sqrt(x1**2 + x2**2)`` get the Lipschitz bound 1 even at the origin.

>>> from uat._expr_parse import parse_text
>>> (f,), _, _ = parse_text("x1**3 + sin(x1*x2)", None)
>>> str(derivatives([f], 1)[0])
'3*x1**2 + cos(x1*x2)*x2'
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

from ._expr_ast import ONE, ZERO, Expr, as_rational, number, postorder

__all__ = ["derivatives", "add", "sub", "mul", "div", "neg", "power"]


def _r(e: Expr) -> Fraction | None:
    return as_rational(e)


def neg(a: Expr) -> Expr:
    ra = _r(a)
    if ra is not None:
        return number(-ra)
    if a.op == "neg":
        return a.args[0]
    return Expr("neg", (a,))


def add(a: Expr, b: Expr) -> Expr:
    ra, rb = _r(a), _r(b)
    if ra is not None and rb is not None:
        return number(ra + rb)
    if ra == 0:
        return b
    if rb == 0:
        return a
    if b.op == "neg":
        return Expr("sub", (a, b.args[0]))
    return Expr("add", (a, b))


def sub(a: Expr, b: Expr) -> Expr:
    ra, rb = _r(a), _r(b)
    if ra is not None and rb is not None:
        return number(ra - rb)
    if rb == 0:
        return a
    if ra == 0:
        return neg(b)
    return Expr("sub", (a, b))


def mul(a: Expr, b: Expr) -> Expr:
    ra, rb = _r(a), _r(b)
    if ra == 0 or rb == 0:
        return ZERO
    if ra is not None and rb is not None:
        return number(ra * rb)
    if ra == 1:
        return b
    if rb == 1:
        return a
    if ra == -1:
        return neg(b)
    if rb == -1:
        return neg(a)
    return Expr("mul", (a, b))


def div(a: Expr, b: Expr) -> Expr:
    ra, rb = _r(a), _r(b)
    if rb is not None and rb != 0:
        if ra is not None:
            return number(ra / rb)
        if rb == 1:
            return a
    if ra == 0 and rb is not None and rb != 0:
        return ZERO
    return Expr("div", (a, b))


def power(a: Expr, b: Expr) -> Expr:
    ra, rb = _r(a), _r(b)
    if rb == 0:
        return ONE
    if rb == 1:
        return a
    if ra is not None and rb is not None and rb.denominator == 1 and abs(rb) <= 64 and not (ra == 0 and rb < 0):
        return number(ra**int(rb))
    return Expr("pow", (a, b))


def _call(name: str, *args: Expr) -> Expr:
    return Expr(name, tuple(args))


def _is_zero(e: Expr) -> bool:
    return _r(e) == 0


def _squares(u: Expr) -> list[Expr] | None:
    """The g_i when u is a sum of squares g_i**2 (plus non-negative constants); else None."""
    terms, stack = [], [u]
    while stack:
        t = stack.pop()
        if t.op == "add":
            stack.extend(t.args)
        elif t.op == "pow" and _r(t.args[1]) == 2:
            terms.append(t.args[0])
        elif t.op == "mul" and t.args[0] == t.args[1]:
            terms.append(t.args[0])
        elif _r(t) is not None and _r(t) >= 0 or (t.op == "const"):
            continue
        else:
            return None
    return terms or None


def _rule(node: Expr, d: dict[int, Expr], j: int) -> Expr:
    op, args = node.op, node.args
    da = [d[id(a)] for a in args]
    if op in ("num", "const"):
        return ZERO
    if op == "var":
        return ONE if node.value == j else ZERO
    if all(_is_zero(x) for x in da) and op not in ("_select_min", "_select_max"):
        return ZERO
    u = args[0]
    du = da[0]
    if op == "neg":
        return neg(du)
    if op == "add":
        return add(du, da[1])
    if op == "sub":
        return sub(du, da[1])
    if op == "mul":
        return add(mul(du, args[1]), mul(u, da[1]))
    if op == "div":
        v, dv = args[1], da[1]
        return sub(div(du, v), div(mul(u, dv), power(v, number(2))))
    if op == "pow":
        v, dv = args[1], da[1]
        if not v.variables:
            return mul(mul(v, power(u, sub(v, ONE))), du)
        return mul(node, add(mul(dv, _call("log", u)), div(mul(v, du), u)))
    if op == "sin":
        return mul(_call("cos", u), du)
    if op == "cos":
        return neg(mul(_call("sin", u), du))
    if op == "tan":
        return mul(add(ONE, power(node, number(2))), du)
    if op == "exp":
        return mul(node, du)
    if op == "log":
        return div(du, u)
    if op == "sqrt":
        gs = _squares(u)
        if gs is not None:
            total = ZERO
            for g in gs:
                dg = _derivative_of(g, d)
                total = add(total, mul(_call("_unitratio", g, node), dg))
            return total
        return div(du, mul(number(2), node))
    if op == "abs":
        return mul(_call("sign", u), du)
    if op == "tanh":
        return mul(sub(ONE, power(node, number(2))), du)
    if op == "sinh":
        return mul(_call("cosh", u), du)
    if op == "cosh":
        return mul(_call("sinh", u), du)
    if op == "atan":
        return div(du, add(ONE, power(u, number(2))))
    if op in ("floor", "sign", "Heaviside"):
        return ZERO
    if op in ("min", "max"):
        return _call("_select_" + op, *args, *da)
    if op in ("_select_min", "_select_max"):
        n = len(args) // 2
        dd = da[n:]
        if all(_is_zero(x) for x in dd):
            return ZERO
        return _call(op, *args[:n], *dd)
    if op == "_unitratio":
        g, r = args
        return div(sub(da[0], mul(node, da[1])), r)
    raise ValueError(f"no derivative rule for {op!r}")  # unreachable: the node constructor checks op


def _derivative_of(g: Expr, d: dict[int, Expr]) -> Expr:
    return d[id(g)]


def derivatives(roots: Sequence[Expr], j: int) -> list[Expr]:
    """The partial derivatives d root / d x_j (j is 1-based), computed without recursion."""
    d: dict[int, Expr] = {}
    for node in postorder(roots):
        d[id(node)] = _rule(node, d, j)
    return [d[id(r)] for r in roots]
