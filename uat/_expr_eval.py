r"""Straight-line programs ("tapes") for expression DAGs: float64 and exact evaluation.

:func:`compile_tape` flattens one or more expression trees into a list of instructions in
post-order; structurally equal subtrees share one slot (common-subexpression
elimination), and a power whose exponent is a constant integer becomes ``ipow``.
Evaluation is a loop over the instructions, so it never recurses and each instruction is
one vectorised numpy call over all points.

Exact evaluation maps rational points to Fractions through the operations that stay
rational (``+ - * /``, integer powers, ``abs min max floor sign Heaviside``, and the
trivial values ``sqrt`` of a square, ``exp(0)``, ``log(1)``, ``sin(0)`` ...); anything
else (``pi``, ``sin(1)``, division by zero, a result beyond :data:`MAX_EXACT_BITS`) gives
None.

>>> from uat._expr_ast import Expr
>>> x = Expr("var", value=1)
>>> tape = compile_tape([Expr("pow", (x, Expr("num", value=Fraction(3))))])
>>> tape.ops
('var', 'ipow')
>>> compile_tape([Expr("div", (Expr("num", value=Fraction(1)), Expr("num", value=Fraction(3))))]).values
(Fraction(1, 3),)
>>> evaluate_tape(tape, np.array([[2.0]]))[0].tolist(), exact_tape(tape, [Fraction(1, 2)])
([8.0], (Fraction(1, 8),))
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import reduce
from typing import Any, Callable, Sequence

import numpy as np

from ._expr_ast import Expr, postorder

__all__ = ["Tape", "compile_tape", "evaluate_tape", "exact_tape", "FLOAT_OPS", "MAX_EXACT_BITS", "MAX_INT_POWER"]

MAX_EXACT_BITS = 100_000  # numerator + denominator bits of any exact intermediate value
MAX_INT_POWER = 1024  # |n| of a constant exponent (the parser refuses larger ones)


@dataclass(frozen=True)
class Tape:
    """A compiled expression DAG: instruction i computes slot i from earlier slots.

    ``last_use[i]`` is the last instruction that reads slot i (``len(ops)`` for roots),
    so evaluators can free intermediate arrays early; ``primal[i]`` marks slots that belong
    to the first ``n_primal`` roots (the function itself, not its derivatives).
    """

    ops: tuple[str, ...]
    args: tuple[tuple[int, ...], ...]
    values: tuple[Any, ...]
    roots: tuple[int, ...]
    last_use: tuple[int, ...]
    primal: tuple[bool, ...]

    def __len__(self) -> int:
        return len(self.ops)


def compile_tape(roots: Sequence[Expr], *, n_primal: int | None = None) -> Tape:
    """Flatten ``roots`` into a :class:`Tape` (the first ``n_primal`` roots are the primal ones).

    Variable-free subtrees with a rational value are folded into one exact ``num`` leaf
    (e.g. ``1/3``, ``2**-3``), so float evaluation rounds them once and interval
    arithmetic encloses them as tightly as possible; ``u**n`` with a constant integer
    ``|n| <= MAX_INT_POWER`` becomes ``ipow``.
    """
    roots = list(roots)
    n_primal = len(roots) if n_primal is None else n_primal
    slot: dict[Expr, int] = {}
    ops: list[str] = []
    args: list[tuple[int, ...]] = []
    values: list[Any] = []
    constant: list[bool] = []
    rational: list[Fraction | None] = []  # exact value of a constant slot, when rational
    for node in postorder(roots):
        if node in slot:
            continue
        op, a, v = node.op, tuple(slot[c] for c in node.args), node.value
        is_const = op != "var" and all(constant[j] for j in a)
        exact: Fraction | None = None
        if op == "num":
            exact = v
        elif is_const and op != "const" and all(rational[j] is not None for j in a):
            res = _EXACT_OPS[op](*(rational[j] for j in a))
            exact = None if res is None else _small(res)
        if is_const and exact is not None:
            op, a, v = "num", (), exact
        elif op == "pow" and constant[a[1]]:
            n = rational[a[1]]
            if n is not None and n.denominator == 1 and abs(n) <= MAX_INT_POWER:
                op, a, v = "ipow", a[:1], int(n)
        slot[node] = len(ops)
        ops.append(op)
        args.append(a)
        values.append(v)
        constant.append(is_const)
        rational.append(exact)
    root_slots = [slot[r] for r in roots]
    # drop slots no root reads (the exponent of an ipow), renumbering the rest
    live = [False] * len(ops)
    stack = list(root_slots)
    while stack:
        i = stack.pop()
        if not live[i]:
            live[i] = True
            stack.extend(args[i])
    new = {old: k for k, old in enumerate(i for i in range(len(ops)) if live[i])}
    ops = [ops[i] for i in new]
    values = [values[i] for i in new]
    args = [tuple(new[j] for j in args[i]) for i in new]
    root_slots = tuple(new[r] for r in root_slots)
    last = [-1] * len(ops)
    for i, a in enumerate(args):
        for j in a:
            last[j] = i
    for r in root_slots:
        last[r] = len(ops)
    primal = [False] * len(ops)
    stack = list(root_slots[:n_primal])
    while stack:
        i = stack.pop()
        if not primal[i]:
            primal[i] = True
            stack.extend(args[i])
    return Tape(tuple(ops), tuple(args), tuple(values), root_slots, tuple(last), tuple(primal))


# ----------------------------------------------------------------------------- float64


def _select(pick: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def run(*ad: np.ndarray) -> np.ndarray:
        n = len(ad) // 2
        every = np.broadcast_arrays(*ad)
        a, d = np.stack(every[:n]), np.stack(every[n:])
        idx = pick(a, axis=0)[None, ...]
        return np.take_along_axis(d, idx, axis=0)[0]

    return run


def _unitratio(g: np.ndarray, r: np.ndarray) -> np.ndarray:
    safe = np.where(r != 0, r, 1.0)
    return np.where(r != 0, g / safe, 0.0)


FLOAT_OPS: dict[str, Callable[..., np.ndarray]] = {
    "neg": np.negative, "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
    "pow": np.power, "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log,
    "sqrt": np.sqrt, "abs": np.abs, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh,
    "atan": np.arctan, "floor": np.floor, "sign": np.sign,
    "Heaviside": lambda u: np.heaviside(u, 0.5),
    "min": lambda *a: reduce(np.minimum, a), "max": lambda *a: reduce(np.maximum, a),
    "_select_min": _select(np.argmin), "_select_max": _select(np.argmax), "_unitratio": _unitratio,
}


def float_leaf(op: str, value: Any) -> float:
    """The float64 value of a leaf (num correctly rounded, pi and E as numpy's constants)."""
    if op == "num":
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    return float(np.pi) if value == "pi" else float(np.e)


def evaluate_tape(tape: Tape, x: np.ndarray) -> list[np.ndarray]:
    """Evaluate every root at the points ``x`` of shape (n, d); returns arrays of shape (n,)."""
    n = x.shape[0]
    vals: list[Any] = [None] * len(tape.ops)
    with np.errstate(all="ignore"):
        for i, (op, a, v) in enumerate(zip(tape.ops, tape.args, tape.values)):
            if op == "var":
                vals[i] = x[:, v - 1]
            elif op in ("num", "const"):
                vals[i] = np.float64(float_leaf(op, v))
            elif op == "ipow":
                vals[i] = np.power(vals[a[0]], float(v))
            else:
                vals[i] = FLOAT_OPS[op](*(vals[j] for j in a))
            for j in a:
                if tape.last_use[j] == i:
                    vals[j] = None
    return [np.broadcast_to(np.asarray(vals[r], dtype=np.float64), (n,)) for r in tape.roots]


# ----------------------------------------------------------------------------- exact


def _small(q: Fraction) -> Fraction | None:
    if q.numerator.bit_length() + q.denominator.bit_length() > MAX_EXACT_BITS:
        return None
    return q


def _exact_pow(b: Fraction, e: Fraction) -> Fraction | None:
    if e.denominator != 1:
        return None
    n = int(e)
    if b == 0 and n < 0:
        return None
    if abs(n) * (b.numerator.bit_length() + b.denominator.bit_length()) > MAX_EXACT_BITS:
        return None
    return b**n


def _exact_sqrt(u: Fraction) -> Fraction | None:
    if u < 0:
        return None
    p, q = math.isqrt(u.numerator), math.isqrt(u.denominator)
    return Fraction(p, q) if p * p == u.numerator and q * q == u.denominator else None


def _at(point: Fraction, value: Fraction) -> Callable[[Fraction], Fraction | None]:
    return lambda u: value if u == point else None


def _sign(u: Fraction) -> Fraction:
    return Fraction((u > 0) - (u < 0))


def _first(pick: Callable[[Sequence[Fraction]], Fraction]) -> Callable[..., Fraction]:
    def run(*ad: Fraction) -> Fraction:
        n = len(ad) // 2
        best = pick(ad[:n])
        return ad[n + list(ad[:n]).index(best)]

    return run


_EXACT_OPS: dict[str, Callable[..., Fraction | None]] = {
    "neg": lambda a: -a, "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b if b != 0 else None, "pow": _exact_pow,
    "abs": abs, "floor": lambda u: Fraction(math.floor(u)), "sign": _sign,
    "Heaviside": lambda u: Fraction(1, 2) if u == 0 else _sign(u) / 2 + Fraction(1, 2),
    "min": lambda *a: min(a), "max": lambda *a: max(a), "sqrt": _exact_sqrt,
    "exp": _at(Fraction(0), Fraction(1)), "log": _at(Fraction(1), Fraction(0)),
    "cos": _at(Fraction(0), Fraction(1)), "cosh": _at(Fraction(0), Fraction(1)),
    "sin": _at(Fraction(0), Fraction(0)), "tan": _at(Fraction(0), Fraction(0)),
    "tanh": _at(Fraction(0), Fraction(0)), "sinh": _at(Fraction(0), Fraction(0)),
    "atan": _at(Fraction(0), Fraction(0)),
    "_select_min": _first(min), "_select_max": _first(max),
    "_unitratio": lambda g, r: g / r if r != 0 else Fraction(0),
}


def exact_tape(tape: Tape, point: Sequence[Fraction]) -> tuple[Fraction | None, ...]:
    """Exact values of the roots at a rational point (None where a value is not rational)."""
    vals: list[Fraction | None] = [None] * len(tape.ops)
    for i, (op, a, v) in enumerate(zip(tape.ops, tape.args, tape.values)):
        if op == "var":
            vals[i] = point[v - 1]
            continue
        if op == "num":
            vals[i] = v
            continue
        if op == "const":
            continue
        ins = [vals[j] for j in a]
        if any(u is None for u in ins):
            continue
        if op == "ipow":
            res = _exact_pow(ins[0], Fraction(v))
        else:
            res = _EXACT_OPS[op](*ins)
        vals[i] = None if res is None else _small(res)
    return tuple(vals[r] for r in tape.roots)
