r"""The whitelist parser of target expressions: a hand-written tokenizer and a Pratt parser.

Nothing here evaluates Python: the text is scanned character by character, every name
is checked against a fixed whitelist, and the tree is built from :class:`uat._expr_ast.Expr`
nodes.  Limits are checked before any work that could be expensive:

=====================  ===========================================================
limit                  value
=====================  ===========================================================
characters             :data:`MAX_CHARS` (checked before tokenizing)
nesting depth          :data:`MAX_DEPTH` (parentheses, calls, unary signs, ``**``)
tree nodes             :data:`MAX_NODES`
number literal         :data:`MAX_NUMBER_CHARS` characters, decimal exponent within
                       +-:data:`MAX_DECIMAL_EXPONENT`, value within float64 range
constant exponent      :math:`|n| \le` :data:`MAX_EXPONENT` (so ``9**9**9`` is refused)
=====================  ===========================================================

The grammar is Python's for the allowed subset: ``**`` is right associative and binds
tighter than a unary sign on its left (``-x**2 == -(x**2)``) and looser than one on its
right (``2**-x == 2**(-x)``); ``+ - * /`` are left associative.

>>> comps, is_vector, d = parse_text("[cos(2*pi*x), sin(2*pi*x)]", None)
>>> is_vector, d, str(comps[1])
(True, 1, 'sin(2*pi*x1)')
"""

from __future__ import annotations

import math
import unicodedata
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from ._expr_ast import CONSTANTS, UNARY_FUNCTIONS, VARIADIC_FUNCTIONS, Expr
from ._expr_eval import FLOAT_OPS, MAX_INT_POWER, float_leaf
from .errors import ExpressionError

__all__ = ["parse_text", "MAX_CHARS", "MAX_DEPTH", "MAX_NODES", "MAX_EXPONENT"]

MAX_CHARS = 10_000
MAX_DEPTH = 200
MAX_NODES = 5_000
MAX_NUMBER_CHARS = 400
MAX_DECIMAL_EXPONENT = 400
MAX_NAME_CHARS = 64
MAX_VARIABLE = 1_000
MAX_EXPONENT = MAX_INT_POWER
_FLOAT_MAX = Fraction(np.finfo(np.float64).max)

FUNCTIONS = UNARY_FUNCTIONS + VARIADIC_FUNCTIONS
_ALLOWED = "variables x1..xd (x when d = 1), constants pi and E, functions " + ", ".join(FUNCTIONS)
_SUGGEST = {
    "e": "E (Euler's number) or exp(...)", "ln": "log", "arctan": "atan", "Abs": "abs", "sgn": "sign",
    "H": "Heaviside", "theta": "Heaviside", "step": "Heaviside", "pow": "a**b", "power": "a**b",
    "Min": "min", "Max": "max", "heaviside": "Heaviside", "ceil": "-floor(-u)", "ceiling": "-floor(-u)",
}
_LOOKALIKE = {
    "\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u00f7": "/", "\u03c0": "pi",
    "\u00b2": "**2", "\u00b3": "**3", "\u00a0": "a plain space", "\u0445": "x", "\u0425": "X", "\u0455": "s",
    "\u0441": "c", "\u0430": "a", "\u0435": "e", "\u043e": "o", "\u0456": "i", "\u03bf": "o",
}
_PUNCT_HINT = {
    "^": ("'^'", "write powers with '**', e.g. x1**2"),
    ".": ("'.' (attribute access)", "attribute access is not allowed; numbers are written 0.5 or .5"),
    ";": ("';'", "only a single expression is allowed (no statements)"),
    "'": ("a quote", "strings are not allowed"),
    '"': ("a quote", "strings are not allowed"),
    "=": ("'='", "assignments and comparisons are not allowed"),
    ":": ("':'", "lambdas, slices and annotations are not allowed"),
    "{": ("'{'", "braces are not allowed; use parentheses"),
    "}": ("'}'", "braces are not allowed; use parentheses"),
    "%": ("'%'", "the modulo operator is not supported"),
    "#": ("'#'", "comments are not allowed"),
    "@": ("'@'", "matrix products and decorators are not allowed"),
    "\\": ("a backslash", "backslashes are not allowed"),
}


class _Tok(NamedTuple):
    kind: str  # num name op ( ) [ ] , end
    text: str
    pos: int
    value: object = None


def _error(text: str, pos: int, what: str, fix: str, token: str = "") -> ExpressionError:
    start = max(0, pos - 30)
    window = text[start : pos + 30]
    shown = "".join(c if " " <= c <= "~" else "?" for c in window)
    msg = (
        f"cannot parse the target expression: {what} at position {pos}; {fix}\n"
        f"    {'...' if start else ''}{shown}{'...' if pos + 30 < len(text) else ''}\n"
        f"    {' ' * (pos - start + (3 if start else 0))}^"
    )
    err = ExpressionError(msg)
    err.position = pos  # type: ignore[attr-defined]
    err.token = token  # type: ignore[attr-defined]
    return err


def _check_name(text: str, name: str, pos: int) -> None:
    if name.startswith("_") or "__" in name:
        raise _error(text, pos, f"the name {name!r}", "names starting with '_' (dunder/private names) are never allowed", name)
    if name in FUNCTIONS or name in CONSTANTS or name == "x":
        return
    if name[0] == "x" and name[1:].isdigit():
        if name[1] == "0":
            raise _error(text, pos, f"the variable {name!r}", "variables are numbered from 1 without leading zeros: x1, x2, ...", name)
        if int(name[1:]) > MAX_VARIABLE:
            raise _error(text, pos, f"the variable {name!r}", f"at most {MAX_VARIABLE} input variables are supported", name)
        return
    hint = _SUGGEST.get(name)
    if hint is None:
        lower = {n.lower(): n for n in FUNCTIONS + CONSTANTS}
        hint = lower.get(name.lower())
        if hint is None and name.lower()[0] == "x" and name[1:].isdigit():
            hint = name.lower()
    fix = f"did you mean {hint}? " if hint else ""
    raise _error(text, pos, f"unknown name {name!r}", f"{fix}allowed: {_ALLOWED}", name)


def _number(text: str, start: int) -> tuple[_Tok, int]:
    n, i = len(text), start
    while i < n and text[i].isdigit():
        i += 1
    int_part = text[start:i]
    frac_part = ""
    if i < n and text[i] == ".":
        j = i + 1
        while j < n and text[j].isdigit():
            j += 1
        frac_part, i = text[i + 1 : j], j
    exp = 0
    if i + 1 < n and text[i] in "eE" and (text[i + 1].isdigit() or (text[i + 1] in "+-" and i + 2 < n and text[i + 2].isdigit())):
        j = i + 2 if text[i + 1] in "+-" else i + 1
        k = j
        while k < n and text[k].isdigit():
            k += 1
        digits = text[j:k]
        if len(digits.lstrip("0")) > 4 or int(digits.lstrip("0") or "0") > MAX_DECIMAL_EXPONENT:
            raise _error(text, start, f"the number {text[start:k][:40]!r}", f"decimal exponents are limited to +-{MAX_DECIMAL_EXPONENT} (float64 range)")
        exp = int(digits.lstrip("0") or "0") * (-1 if text[i + 1] == "-" else 1)
        i = k
    literal = text[start:i]
    if len(literal) > MAX_NUMBER_CHARS:
        raise _error(text, start, f"a number literal of {len(literal)} characters", f"number literals are limited to {MAX_NUMBER_CHARS} characters")
    if i < n and (text[i].isalnum() or text[i] == "_"):
        raise _error(text, i, f"{text[i]!r} directly after the number {literal!r}", f"implicit multiplication is not supported: write {literal}*{text[i]}...", text[i])
    if i < n and text[i] == ".":
        raise _error(text, i, "a second '.' in a number", "write numbers as 1.5, .5 or 1e-3 (attribute access is not allowed)", ".")
    mantissa = int(int_part + frac_part) if (int_part + frac_part) else 0
    value = Fraction(mantissa) * Fraction(10) ** (exp - len(frac_part))
    if value > _FLOAT_MAX:
        raise _error(text, start, f"the number {literal!r}", "it overflows float64 (largest about 1.8e308)", literal)
    return _Tok("num", literal, start, value), i


def tokenize(text: str) -> list[_Tok]:
    """Split ``text`` into tokens, refusing every character and name outside the whitelist."""
    toks: list[_Tok] = []
    n, i = len(text), 0
    while i < n:
        c = text[i]
        if c in " \t\r\n":
            i += 1
        elif not c.isascii() or not (c.isprintable() or c in " \t\r\n"):
            name = unicodedata.name(c, "unnamed") if c.isprintable() or not c.isascii() else "control character"
            look = _LOOKALIKE.get(c)
            fix = f"did you mean {look}? " if look else ""
            raise _error(text, i, f"the character U+{ord(c):04X} ({name})", f"{fix}only printable ASCII text is accepted", c)
        elif c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            tok, i = _number(text, i)
            toks.append(tok)
        elif c.isalpha() or c == "_":
            j = i
            while j < n and text[j].isascii() and (text[j].isalnum() or text[j] == "_"):
                j += 1
            name = text[i:j]
            if len(name) > MAX_NAME_CHARS:
                raise _error(text, i, f"a name of {len(name)} characters", f"allowed: {_ALLOWED}", name[:20])
            _check_name(text, name, i)
            toks.append(_Tok("name", name, i))
            i = j
        elif c == "*":
            if text.startswith("**", i):
                toks.append(_Tok("op", "**", i))
                i += 2
            else:
                toks.append(_Tok("op", "*", i))
                i += 1
        elif c in "+-/":
            toks.append(_Tok("op", c, i))
            i += 1
        elif c in "()[],":
            toks.append(_Tok(c, c, i))
            i += 1
        else:
            what, fix = _PUNCT_HINT.get(c, (repr(c), f"allowed: numbers, + - * / **, parentheses, commas, {_ALLOWED}"))
            raise _error(text, i, f"unexpected character {what}", fix, c)
    toks.append(_Tok("end", "", n))
    return toks


_BINDING = {"+": (10, 11, "add"), "-": (10, 11, "sub"), "*": (20, 21, "mul"), "/": (20, 21, "div"), "**": (40, 30, "pow")}
_UNARY_BP = 30


class _Parser:
    def __init__(self, text: str, input_dim: int | None) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.i = 0
        self.depth = 0
        self.nodes = 0
        self.input_dim = input_dim
        self.vars: list[tuple[int, int, bool]] = []  # (index, position, written as plain x)
        self.const: dict[int, float | None] = {}

    def err(self, tok: _Tok, what: str, fix: str) -> ExpressionError:
        return _error(self.text, tok.pos, what, fix, tok.text)

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def make(self, tok: _Tok, op: str, args: tuple[Expr, ...] = (), value: object = None) -> Expr:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.err(tok, f"more than {MAX_NODES} nodes", "the expression is too large; simplify it or use a Python callable target")
        node = Expr(op, args, value)
        if op in ("num", "const"):
            c: float | None = float_leaf(op, value)
        elif op == "var":
            c = None
        else:
            ins = [self.const[id(a)] for a in args]
            if any(v is None for v in ins):
                c = None
            else:
                with np.errstate(all="ignore"):
                    c = float(FLOAT_OPS[op](*(np.float64(v) for v in ins)))
        self.const[id(node)] = c
        return node

    def expect(self, kind: str, opener: _Tok) -> None:
        tok = self.peek()
        if tok.kind == kind:
            self.take()
            return
        if tok.kind == "end":
            raise self.err(tok, f"missing {kind!r}", f"close the {opener.text!r} opened at position {opener.pos}")
        if tok.kind == ",":
            raise self.err(tok, "unexpected ','", "tuples are not supported; commas separate function arguments and vector components")
        raise self.err(tok, f"unexpected {tok.text!r}", f"expected {kind!r} to close the {opener.text!r} at position {opener.pos}")

    def expr(self, min_bp: int) -> Expr:
        self.depth += 1
        tok = self.take()
        if self.depth > MAX_DEPTH:
            raise self.err(tok, f"nesting deeper than {MAX_DEPTH} levels", "flatten the expression (parentheses, calls, unary signs and ** chains count)")
        if tok.kind == "op" and tok.text in "+-":
            operand = self.expr(_UNARY_BP)
            lhs = self.make(tok, "neg", (operand,)) if tok.text == "-" else operand
        else:
            lhs = self.primary(tok)
        while True:
            tok = self.peek()
            if tok.kind == "op":
                lbp, rbp, op = _BINDING[tok.text]
                if lbp < min_bp:
                    break
                self.take()
                rhs = self.expr(rbp)
                if op == "pow":
                    self.check_exponent(tok, rhs)
                lhs = self.make(tok, op, (lhs, rhs))
            elif tok.kind in (")", ",", "]", "end"):
                break
            elif tok.kind == "[":
                raise self.err(tok, "unexpected '['", "indexing is not allowed; brackets only enclose a whole vector target [f1, f2]")
            else:
                raise self.err(tok, f"missing operator before {tok.text!r}", "implicit multiplication is not supported: write '*'")
        self.depth -= 1
        return lhs

    def check_exponent(self, tok: _Tok, rhs: Expr) -> None:
        c = self.const[id(rhs)]
        if c is not None and not (math.isfinite(c) and abs(c) <= MAX_EXPONENT):
            raise self.err(
                tok, f"the constant exponent {c:.3g}",
                f"constant exponents are limited to |n| <= {MAX_EXPONENT} (larger ones overflow float64 and hang exact arithmetic)",
            )

    def primary(self, tok: _Tok) -> Expr:
        if tok.kind == "num":
            return self.make(tok, "num", value=tok.value)
        if tok.kind == "name":
            return self.name(tok)
        if tok.kind == "(":
            inner = self.expr(0)
            self.expect(")", tok)
            return inner
        if tok.kind == "end":
            raise self.err(tok, "unexpected end of the expression", "an operand is missing")
        if tok.kind == "[":
            raise self.err(tok, "unexpected '['", "brackets are only allowed around the whole vector target, as in [f1, f2]")
        if tok.kind == "op":
            raise self.err(tok, f"missing operand before {tok.text!r}", "write an operand before the operator")
        raise self.err(tok, f"unexpected {tok.text!r}", "an operand (number, variable, constant, call or parenthesis) is missing here")

    def name(self, tok: _Tok) -> Expr:
        name = tok.text
        follows_paren = self.peek().kind == "("
        if name in FUNCTIONS:
            if not follows_paren:
                raise self.err(tok, f"the function {name!r} without arguments", f"call it: {name}(...)")
            opener = self.take()
            if self.peek().kind == ")":
                raise self.err(self.peek(), f"{name}() without arguments", f"{name} needs {'one argument' if name in UNARY_FUNCTIONS else 'at least two arguments'}")
            args = [self.expr(0)]
            while self.peek().kind == ",":
                self.take()
                args.append(self.expr(0))
            self.expect(")", opener)
            if name in UNARY_FUNCTIONS and len(args) != 1:
                raise self.err(tok, f"{name} with {len(args)} arguments", f"{name} takes exactly one argument")
            if name in VARIADIC_FUNCTIONS and len(args) < 2:
                raise self.err(tok, f"{name} with one argument", f"{name} takes at least two arguments")
            return self.make(tok, name, tuple(args))
        if follows_paren:
            raise self.err(self.peek(), f"'(' after {name!r}", f"{name!r} is not a function; implicit multiplication is not supported: write {name}*(...)")
        if name in CONSTANTS:
            return self.make(tok, "const", value=name)
        index = 1 if name == "x" else int(name[1:])
        if self.input_dim is not None:
            if name == "x" and self.input_dim != 1:
                raise self.err(tok, "the variable 'x'", f"'x' stands for x1 only when the input dimension is 1 (here {self.input_dim}); write x1")
            if index > self.input_dim:
                raise self.err(tok, f"the variable {name!r}", f"the input dimension is {self.input_dim}, so only x1..x{self.input_dim} exist")
        self.vars.append((index, tok.pos, name == "x"))
        return self.make(tok, "var", value=index)

    def parse(self) -> tuple[tuple[Expr, ...], bool]:
        first = self.peek()
        if first.kind == "[":
            self.take()
            self.depth += 1
            comps = [self.expr(0)]
            while self.peek().kind == ",":
                self.take()
                comps.append(self.expr(0))
            self.expect("]", first)
            result, is_vector = tuple(comps), True
        else:
            result, is_vector = (self.expr(0),), False
        tok = self.peek()
        if tok.kind != "end":
            if tok.kind == ",":
                raise self.err(tok, "unexpected ','", "write a vector target in brackets: [f1, f2]")
            if tok.kind == "[":
                raise self.err(tok, "unexpected '['", "brackets are only allowed around the whole vector target")
            raise self.err(tok, f"unmatched {tok.text!r}", "remove it or add the matching opening bracket")
        return result, is_vector


def parse_text(text: str, input_dim: int | None) -> tuple[tuple[Expr, ...], bool, int]:
    """Parse ``text``; returns (components, written as a vector, input dimension).

    Raises
    ------
    ExpressionError
        For anything outside the whitelist grammar, with the position and a fix.
    """
    if not isinstance(text, str):
        raise ExpressionError(f"a target expression must be a str, got {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise ExpressionError(
            f"cannot parse the target expression: {len(text)} characters exceed the limit of {MAX_CHARS}; "
            "use a Python callable for very large targets"
        )
    if input_dim is not None and (not isinstance(input_dim, int) or isinstance(input_dim, bool) or not 1 <= input_dim <= MAX_VARIABLE):
        raise ExpressionError(f"input_dim must be an integer in 1..{MAX_VARIABLE}, got {input_dim!r}")
    if not text.strip():
        raise ExpressionError("cannot parse the target expression: it is empty; write e.g. 'sin(2*pi*x1)'")
    parser = _Parser(text, input_dim)
    comps, is_vector = parser.parse()
    dim = input_dim
    if dim is None:
        dim = max((v[0] for v in parser.vars), default=1)
        plain = [v for v in parser.vars if v[2]]
        if plain and dim > 1:
            raise _error(text, plain[0][1], "the variable 'x'", f"'x' stands for x1 only in one dimension, but x{dim} is used too; write x1", "x")
    return comps, is_vector, dim
