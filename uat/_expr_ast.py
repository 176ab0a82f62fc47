r"""The immutable syntax tree of target expressions (see :mod:`uat.expressions`).

One frozen node type, :class:`Expr`, with an operator name ``op``, a tuple of children
``args`` and a ``value`` (the exact number of a ``num`` node, the 1-based index of a
``var`` node, the name of a ``const`` node).  Every algorithm over the tree (printing,
evaluation, differentiation, interval arithmetic) walks it iteratively in post-order, so a
deep tree never exhausts Python's recursion limit; the hash is computed once per node from
the children's cached hashes, and equality is structural and iterative.

Invariants that make ``parse(str(e)) == e`` hold for every tree that can be built:

* a ``num`` value is a non-negative Fraction with a terminating decimal expansion
  (denominator :math:`2^a 5^b`); other rationals are built by :func:`number` as
  ``neg``/``div`` of such numbers, exactly as the parser would read them;
* the printer puts parentheses exactly where the parser's precedence needs them.

>>> e = Expr("add", (Expr("var", value=1), number(Fraction(-1, 3))))
>>> str(e)
'x1 + (-(1/3))'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterable

from .errors import ExpressionError

__all__ = [
    "Expr",
    "UNARY_FUNCTIONS",
    "VARIADIC_FUNCTIONS",
    "CONSTANTS",
    "DISCONTINUOUS",
    "KINKED",
    "number",
    "as_rational",
    "postorder",
    "to_text",
    "format_number",
    "ZERO",
    "ONE",
]

UNARY_FUNCTIONS = (
    "sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh", "atan",
    "floor", "Heaviside", "sign",
)
VARIADIC_FUNCTIONS = ("min", "max")
CONSTANTS = ("pi", "E")
DISCONTINUOUS = frozenset({"floor", "Heaviside", "sign"})
KINKED = frozenset({"abs", "min", "max"})
# Internal nodes that only appear in derivatives (printed with a leading underscore, so the
# parser refuses them): _select_min(a1..an, d1..dn) is d_i at the index i minimising a_i;
# _unitratio(g, r) is g / r where |g| <= r is known (0 when r = 0).
INTERNAL = ("_select_min", "_select_max", "_unitratio")
BINARY = ("add", "sub", "mul", "div", "pow")
_BINARY_SYMBOL = {"add": " + ", "sub": " - ", "mul": "*", "div": "/", "pow": "**"}
_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "pow": 4}
_ATOM = 5
MAX_PRINT_CHARS = 2_000_000


def _terminating(q: Fraction) -> bool:
    d = q.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def _check(node: "Expr") -> None:
    op, args, value = node.op, node.args, node.value
    if op == "num":
        if not (isinstance(value, Fraction) and value >= 0 and _terminating(value)) or args:
            raise ExpressionError(
                f"a num node holds a non-negative terminating decimal Fraction, got {value!r}; use number(...)"
            )
    elif op == "var":
        if not (isinstance(value, int) and value >= 1) or args:
            raise ExpressionError(f"a var node holds a 1-based int index, got {value!r}")
    elif op == "const":
        if value not in CONSTANTS or args:
            raise ExpressionError(f"unknown constant {value!r}; known: {', '.join(CONSTANTS)}")
    elif op == "neg" or op in UNARY_FUNCTIONS:
        if len(args) != 1:
            raise ExpressionError(f"{op} takes exactly 1 argument, got {len(args)}")
    elif op in BINARY or op == "_unitratio":
        if len(args) != 2:
            raise ExpressionError(f"{op} takes exactly 2 arguments, got {len(args)}")
    elif op in VARIADIC_FUNCTIONS:
        if len(args) < 2:
            raise ExpressionError(f"{op} takes at least 2 arguments, got {len(args)}")
    elif op in ("_select_min", "_select_max"):
        if len(args) < 4 or len(args) % 2:
            raise ExpressionError(f"{op} takes 2n >= 4 arguments, got {len(args)}")
    else:
        raise ExpressionError(f"unknown expression node {op!r}")
    if not all(isinstance(a, Expr) for a in args):
        raise ExpressionError(f"the children of an {op} node must be Expr values")


@dataclass(frozen=True, eq=False, repr=False)
class Expr:
    """A node of a target expression (immutable; hashable; structural equality).

    Attributes
    ----------
    op : str
        ``num``, ``var``, ``const``, ``neg``, ``add``, ``sub``, ``mul``, ``div``, ``pow``,
        a function name (``sin`` ... ``sign``, ``min``, ``max``), or an internal
        derivative node (``_select_min``, ``_select_max``, ``_unitratio``).
    args : tuple of Expr
    value : Fraction, int, str or None
    height : int
        Length of the longest path to a leaf (a leaf has height 1).
    """

    op: str
    args: tuple["Expr", ...] = ()
    value: Any = None
    height: int = field(default=1, init=False, compare=False)
    _hash: int = field(default=0, init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "args", tuple(self.args))
        _check(self)
        h = hash((self.op, self.value, tuple(a._hash for a in self.args)))
        object.__setattr__(self, "_hash", h)
        object.__setattr__(self, "height", 1 + max((a.height for a in self.args), default=0))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Expr):
            return NotImplemented
        stack = [(self, other)]
        seen: set[tuple[int, int]] = set()
        while stack:
            a, b = stack.pop()
            if a is b or (id(a), id(b)) in seen:
                continue
            if a._hash != b._hash or a.op != b.op or a.value != b.value or len(a.args) != len(b.args):
                return False
            seen.add((id(a), id(b)))
            stack.extend(zip(a.args, b.args))
        return True

    def __str__(self) -> str:
        return to_text(self)

    def __repr__(self) -> str:
        return f"Expr({to_text(self)!r})"

    @property
    def is_constant(self) -> bool:
        """True when no variable occurs in the expression."""
        return not self.variables

    @property
    def variables(self) -> frozenset[int]:
        """The 1-based indices of the variables that occur."""
        cached = self.__dict__.get("_variables")
        if cached is None:
            cached = frozenset(n.value for n in postorder([self]) if n.op == "var")
            self.__dict__["_variables"] = cached
        return cached

    def count_nodes(self) -> int:
        """Number of distinct nodes (shared subtrees counted once)."""
        return len(postorder([self]))


ZERO = Expr("num", value=Fraction(0))
ONE = Expr("num", value=Fraction(1))


def number(q: Fraction | int) -> Expr:
    """The expression the parser would build for the exact rational ``q``.

    >>> str(number(Fraction(-5, 4))), str(number(Fraction(2, 3)))
    ('-1.25', '2/3')
    """
    q = Fraction(q)
    if q < 0:
        return Expr("neg", (number(-q),))
    if _terminating(q):
        return Expr("num", value=q)
    return Expr("div", (Expr("num", value=Fraction(q.numerator)), Expr("num", value=Fraction(q.denominator))))


def as_rational(e: Expr) -> Fraction | None:
    """The exact value of a number built by :func:`number` (num, -num, num/num, -(num/num)); else None."""
    sign = 1
    if e.op == "neg":
        sign, e = -1, e.args[0]
    if e.op == "num":
        return sign * e.value
    if e.op == "div" and e.args[0].op == "num" and e.args[1].op == "num" and e.args[1].value != 0:
        return sign * e.args[0].value / e.args[1].value
    return None


def postorder(roots: Iterable[Expr]) -> list[Expr]:
    """Distinct nodes (by identity) of the DAG below ``roots``, children before parents."""
    order: list[Expr] = []
    seen: set[int] = set()
    stack: list[tuple[Expr, bool]] = [(r, False) for r in reversed(list(roots))]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for a in reversed(node.args):
            if id(a) not in seen:
                stack.append((a, False))
    return order


def format_number(q: Fraction) -> str:
    """Shortest exact decimal text of a non-negative terminating Fraction.

    >>> [format_number(Fraction(x)) for x in ("1/8", "1000000000", "3/10000000")]
    ['0.125', '1e9', '3e-7']
    """
    if q.denominator == 1:
        n = q.numerator
        digits = str(n)
        stripped = digits.rstrip("0")
        zeros = len(digits) - len(stripped)
        return f"{stripped}e{zeros}" if zeros > 4 and stripped else digits
    k = 0
    m = q
    while m.denominator != 1:
        m *= 10
        k += 1
    mant = str(m.numerator)
    plain = mant.rjust(k + 1, "0")
    plain = plain[:-k] + "." + plain[-k:]
    sci = f"{mant}e-{k}"
    return plain if len(plain) <= len(sci) else sci


def _wrap(text_prec: tuple[str, int], need: bool) -> str:
    text, _ = text_prec
    return f"({text})" if need else text


def to_text(root: Expr) -> str:
    """The text form, which the parser reads back to an equal tree (iterative)."""
    out: dict[int, tuple[str, int]] = {}
    for node in postorder([root]):
        op, args = node.op, [out[id(a)] for a in node.args]
        if op == "num":
            res = (format_number(node.value), _ATOM)
        elif op == "var":
            res = (f"x{node.value}", _ATOM)
        elif op == "const":
            res = (node.value, _ATOM)
        elif op == "neg":
            res = ("-" + _wrap(args[0], args[0][1] <= _PREC["neg"]), _PREC["neg"])
        elif op == "pow":
            base, expo = args
            text = _wrap(base, base[1] < _ATOM) + "**" + _wrap(expo, expo[1] < _PREC["pow"])
            res = (text, _PREC["pow"])
        elif op in BINARY:
            p = _PREC[op]
            left, right = args
            text = _wrap(left, left[1] < p) + _BINARY_SYMBOL[op] + _wrap(right, right[1] <= p or right[1] == _PREC["neg"])
            res = (text, p)
        else:
            res = (f"{op}({', '.join(a[0] for a in args)})", _ATOM)
        if len(res[0]) > MAX_PRINT_CHARS:
            raise ExpressionError(f"the expression is too large to print (more than {MAX_PRINT_CHARS} characters)")
        out[id(node)] = res
    return out[id(root)][0]

