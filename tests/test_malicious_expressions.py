"""Hostile target strings are refused by the whitelist parser without evaluating anything.

Every string below must raise ExpressionError (a ValueError) naming what is wrong, while
builtins eval/exec/compile/__import__/open are replaced by recorders: none of them may be
called, and a sentinel file that the payloads try to create must not appear.
"""

from __future__ import annotations

import builtins
import contextlib
import os

import pytest

import uat._expr_parse as expr_parse
import uat.target_library  # noqa: F401  (loaded before the guard, so that importing compiles nothing)
from uat.errors import ExpressionError, UatError
from uat.expressions import parse_expression
from uat.targets import make_target

SENTINEL = "/tmp/uat_pwned_sentinel"

MALICIOUS = [
    f"__import__('os').system('touch {SENTINEL}')",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "lambda: 0",
    "x1.__dict__",
    "open('f')",
    f"open('{SENTINEL}', 'w')",
    "exec('x')",
    "eval('1')",
    "compile('1', 'f', 'eval')",
    "x1; import os",
    "import os",
    "globals()",
    "getattr(x1, '__class__')",
    "sin.__globals__",
    "x1 if x1 else 0",
    "[x for x in (1, 2)]",
    "[x1, [x2]]",
    "x1[0]",
    "{x1: 1}",
    "x1 @ x2",
    "x1 == x2",
    "a := 1",
    "`ls`",
    "$(ls)",
    "x1 # comment",
    "x1 % 2",
    "x^2",
    "'x1'",
    '"x1"',
    "b'x1'",
    "\\x00",
    "x1\x00",
    "sin(x1)()",
    "9**9**9**9",
    "x1**9**9",
    "2**99999",
    "x1**1e400",
    "1" * 5000,
    "_",
    "__builtins__",
    "x1.real",
    "1..real",
    "0x1F",
    "print(x1)",
    "os.system('ls')",
    "x1 and x2",
    "not x1",
    "sin(x1, x2)",
    "max(x1)",
    # unicode lookalikes and invisible characters
    "\u0445" + "1",  # Cyrillic ha
    "x\uff11",  # fullwidth digit one
    "\u0455in(x1)",  # Cyrillic dze
    "x1 \u2212 1",  # minus sign
    "x1\u200b",  # zero-width space
    "\uff45\uff58\uff45\uff43('x')",  # fullwidth 'exec' (NFKC would turn it into exec)
    "\u03c0*x1",  # greek pi
]


@contextlib.contextmanager
def guarded():
    """Replace the dangerous builtins by recorders while the block runs (and only then)."""
    calls: list[str] = []
    saved = {name: getattr(builtins, name) for name in ("eval", "exec", "compile", "open", "__import__")}

    def recorder(name):
        def fail(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"{name} was called during parsing")

        return fail

    def import_recorder(name, *args, **kwargs):
        calls.append(f"__import__({name})")
        return saved["__import__"](name, *args, **kwargs)

    try:
        for name in ("eval", "exec", "compile", "open"):
            setattr(builtins, name, recorder(name))
        builtins.__import__ = import_recorder
        yield calls
    finally:
        for name, fn in saved.items():
            setattr(builtins, name, fn)


def refuse(text):
    """Parse under guard; return (the ExpressionError, the recorded calls)."""
    with guarded() as calls:
        try:
            parse_expression(text)
        except ExpressionError as exc:
            error = exc
        else:
            error = None
    return error, calls


def test_guard_records_calls():
    """The recorder itself works (so the tests below can fail)."""
    with guarded() as calls:
        try:
            eval("1")
        except AssertionError:
            pass
        import json  # noqa: F401
    assert calls[0] == "eval" and "__import__(json)" in calls


@pytest.mark.parametrize("text", MALICIOUS, ids=range(len(MALICIOUS)))
def test_malicious_string_is_refused_without_evaluation(text):
    error, calls = refuse(text)
    assert error is not None, f"accepted {text!r}"
    assert calls == []
    assert not os.path.exists(SENTINEL)
    assert "cannot parse the target expression" in str(error)
    assert isinstance(error, ValueError) and isinstance(error, UatError)


def test_enough_malicious_strings():
    assert len(MALICIOUS) >= 20


@pytest.mark.parametrize(
    "text, position, words",
    [
        ("__import__('os')", 0, "'_'"),
        ("().__class__", 2, "attribute"),
        ("x1.__dict__", 2, "attribute"),
        ("lambda: 0", 0, "unknown name 'lambda'"),
        ("x1; import os", 2, "single expression"),
        ("x1 + y", 5, "unknown name 'y'"),
        ("x^2", 1, "'**'"),
        ("[x1, [x2]]", 5, "whole vector"),
        ("9**9**9**9", 4, "constant exponent"),
        ("\u0445" + "1", 0, "CYRILLIC SMALL LETTER HA"),
        ("x1 \u2212 1", 3, "did you mean -"),
        ("2x1", 1, "implicit multiplication"),
        ("sin x1", 0, "sin(...)"),
        ("ln(x1)", 0, "did you mean log"),
        ("e**x1", 0, "E (Euler's number)"),
        ("x0", 0, "numbered from 1"),
        ("(x1 + 1", 7, "close the '('"),
        ("x1 + 1)", 6, "unmatched"),
        ("x1, x2", 2, "[f1, f2]"),
    ],
)
def test_error_names_token_position_and_fix(text, position, words):
    with pytest.raises(ExpressionError) as info:
        parse_expression(text)
    assert info.value.position == position
    assert f"at position {position}" in str(info.value)
    assert words in str(info.value)


def test_megabyte_string_is_refused_before_tokenizing(monkeypatch):
    def tokenizer_must_not_run(text):
        raise AssertionError("the tokenizer ran on an oversized input")

    monkeypatch.setattr(expr_parse, "tokenize", tokenizer_must_not_run)
    for text in ("x1+" * 350_000 + "x1", "(" * 100_000 + "x1" + ")" * 100_000, "1" * 1_000_000):
        error, calls = refuse(text)
        assert error is not None and "exceed the limit" in str(error)
        assert calls == []


def test_nesting_limit():
    ok = "(" * 150 + "x1" + ")" * 150
    assert str(parse_expression(ok)) == "x1"
    assert str(parse_expression("sin(" * 150 + "x1" + ")" * 150)).count("sin") == 150
    for deep in ("(" * 250 + "x1" + ")" * 250, "-" * 300 + "x1", "x1**" * 250 + "2", "abs(" * 250 + "x1" + ")" * 250):
        with pytest.raises(ExpressionError, match="nesting deeper than 200"):
            parse_expression(deep)


def test_node_limit():
    long_sum = "+".join(["x1"] * 3000)  # 8999 characters, 5999 nodes
    assert len(long_sum) <= expr_parse.MAX_CHARS
    with pytest.raises(ExpressionError, match="more than 5000 nodes"):
        parse_expression(long_sum)
    fine = "+".join(["x1"] * 2000)
    assert parse_expression(fine).evaluate([[1.0]])[0, 0] == 2000.0


def test_long_left_assoc_chain_does_not_recurse():
    """A 1100-term sum is a tree of height 1100 (> the recursion limit): every walker is iterative."""
    coeffs = [k % 7 + 1 for k in range(1100)]
    f = parse_expression("+".join(f"x1*{c}" for c in coeffs))
    assert f.components[0].height > 1000
    assert parse_expression(str(f)) == f
    assert f.exact([1]) == (sum(coeffs),)
    assert f.diff(1).exact([0]) == (sum(coeffs),)
    assert f.local_bounds([0.0], [1.0], "lipschitz").bound[0] >= sum(coeffs)
    sym = f.to_sympy()[0]
    assert sym.subs({s: 1 for s in sym.free_symbols}) == sum(coeffs)


@pytest.mark.parametrize("bad", [b"x1", 3, None, ["x1"]])
def test_non_string_input(bad):
    with pytest.raises((ExpressionError, TypeError)):
        parse_expression(bad)


def test_make_target_refuses_malicious_strings():
    for text in MALICIOUS[:10]:
        with guarded() as calls:
            try:
                make_target(text)
            except ExpressionError as exc:
                error = exc
            else:
                error = None
        assert isinstance(error, ExpressionError)
        assert [c for c in calls if not c.startswith("__import__(")] == []
        assert all(c in ("__import__(target_library)", "__import__(expressions)") for c in calls), calls


def test_huge_exponent_is_refused_but_moderate_powers_work():
    assert parse_expression("x1**1024").exact([2]) == (2**1024,)
    assert parse_expression("(x1**1000)**1000").exact(["3/2"]) is None  # beyond the exact bit budget
    with pytest.raises(ExpressionError, match="constant exponent"):
        parse_expression("x1**1025")
    with pytest.raises(ExpressionError, match="constant exponent"):
        parse_expression("x1**(2**11)")
