"""Target expressions: grammar, round trips, float/exact/sympy agreement, derivatives, intervals.

Property tests use hypothesis (seeded by the "ci" profile in conftest.py).  Independent
oracles: exact Fractions, sympy (exact substitution and 30-digit evalf, symbolic diff),
central finite differences.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

from uat._expr_ast import UNARY_FUNCTIONS, Expr, number
from uat.errors import DimensionMismatch, DomainError, ExactnessError, ExpressionError, NonFiniteError, ParameterError
from uat.expressions import parse_expression
from uat.tolerances import tol

P = parse_expression

# ----------------------------------------------------------------------------- strategies

DYADIC = ["0", "1", "2", "3", "0.5", "0.25", "1.5", "7", "0.125"]
NUMBERS = DYADIC + ["0.1", "1e-3", "2.75e2"]


def _num(text):
    return Expr("num", value=Fraction(text))


def _leaves(numbers, n_vars=3, constants=True):
    options = [
        st.builds(_num, st.sampled_from(numbers)),
        st.builds(lambda i: Expr("var", value=i), st.integers(1, n_vars)),
    ]
    if constants:
        options.append(st.builds(lambda c: Expr("const", value=c), st.sampled_from(["pi", "E"])))
    return st.one_of(*options)


_EXPONENTS = st.one_of(
    st.builds(_num, st.sampled_from(["0", "1", "2", "3"])),
    st.just(Expr("neg", (_num("2"),))),
    st.just(Expr("var", value=1)),
    st.just(_num("0.5")),
)
_INT_EXPONENTS = st.one_of(st.builds(_num, st.sampled_from(["0", "1", "2", "3"])), st.just(Expr("neg", (_num("1"),))))


def _extend(functions, exponents):
    def grow(children):
        return st.one_of(
            st.builds(lambda a: Expr("neg", (a,)), children),
            st.builds(lambda op, a, b: Expr(op, (a, b)), st.sampled_from(["add", "sub", "mul", "div"]), children, children),
            st.builds(lambda a, n: Expr("pow", (a, n)), children, exponents),
            st.builds(lambda f, a: Expr(f, (a,)), st.sampled_from(functions), children),
            st.builds(lambda f, args: Expr(f, tuple(args)), st.sampled_from(["min", "max"]), st.lists(children, min_size=2, max_size=3)),
        )

    return grow


ANY_EXPR = st.recursive(_leaves(NUMBERS), _extend(list(UNARY_FUNCTIONS), _EXPONENTS), max_leaves=12)
RATIONAL_EXPR = st.recursive(
    _leaves(DYADIC, constants=False), _extend(["abs"], _INT_EXPONENTS), max_leaves=12
)
JUMPY_RATIONAL_EXPR = st.recursive(
    _leaves(DYADIC, constants=False), _extend(["abs", "floor", "sign", "Heaviside"], _INT_EXPONENTS), max_leaves=10
)
DYADIC_POINT = st.lists(st.integers(-16, 16).map(lambda k: Fraction(k, 8)), min_size=3, max_size=3)


def _vector(e: Expr):
    from uat.expressions import VectorExpression

    return VectorExpression((e,), 3, False)


def _sympy_value(f, point, digits=30):
    """(exact sympy value, its numerical value to ``digits`` digits) at a rational point.

    sympy cannot compare its complex infinity (``min(0, 1/0)``); such points give (nan, nan).
    """
    try:
        expr = f.to_sympy()[0]
        subs = {s: sympy.Rational(point[int(s.name[1:]) - 1]) for s in expr.free_symbols}
        exact = expr.subs(subs)
        return exact, exact.evalf(digits)
    except (TypeError, ValueError):
        return sympy.nan, sympy.nan


# ----------------------------------------------------------------------------- grammar


@pytest.mark.parametrize(
    "text, expected",
    [
        ("-x**2", "-x1**2"),
        ("(-x)**2", "(-x1)**2"),
        ("2**-x*3", "2**(-x1)*3"),
        ("x1 - x2 - x3", "x1 - x2 - x3"),
        ("x1 - (x2 - x3)", "x1 - (x2 - x3)"),
        ("x1/x2/x3", "x1/x2/x3"),
        ("x1/(x2*x3)", "x1/(x2*x3)"),
        ("x1**x2**x3", "x1**x2**x3"),
        ("(x1**x2)**x3", "(x1**x2)**x3"),
        ("2*-x1", "2*(-x1)"),
        ("+x1", "x1"),
        ("--x1", "-(-x1)"),
        ("-x1*x2", "-x1*x2"),
        ("-(x1*x2)", "-(x1*x2)"),
        ("max(x1, 0, -x2)", "max(x1, 0, -x2)"),
        ("[x1, x2**2]", "[x1, x2**2]"),
        ("[x1]", "[x1]"),
        ("  sin( 2 * pi * x )  ", "sin(2*pi*x1)"),
    ],
)
def test_precedence_and_printing(text, expected):
    f = P(text)
    assert str(f) == expected
    assert P(str(f), f.input_dim) == f


def test_unary_minus_binds_looser_than_power():
    assert P("-x**2").evaluate([[3.0]])[0, 0] == -9.0
    assert P("2**-x1").evaluate([[1.0]])[0, 0] == 0.5
    assert P("-2**2").exact([0]) == (-4,)


@pytest.mark.parametrize(
    "text, value",
    [("0.1", Fraction(1, 10)), ("1e-3", Fraction(1, 1000)), (".5", Fraction(1, 2)), ("5.", Fraction(5)),
     ("1E+2", Fraction(100)), ("2.5e-1", Fraction(1, 4)), ("0001.2500", Fraction(5, 4)), ("12345678901234567890", Fraction(12345678901234567890))],
)
def test_numbers_are_exact_rationals(text, value):
    f = P(text)
    assert f.components[0] == Expr("num", value=value)
    assert f.exact([0]) == (value,)


def test_variables_and_dimensions():
    assert P("x").input_dim == 1 and P("x1*x3").input_dim == 3 and P("2").input_dim == 1
    assert P("x1", input_dim=4).input_dim == 4
    with pytest.raises(ExpressionError, match="input dimension is 2"):
        P("x3", input_dim=2)
    with pytest.raises(ExpressionError, match="write x1"):
        P("x + x2")
    with pytest.raises(ExpressionError, match="write x1"):
        P("sin(x)", input_dim=2)
    with pytest.raises(ExpressionError, match="input_dim"):
        P("x1", input_dim=0)


def test_arity_and_call_errors():
    for text, words in [("sin(x1, x2)", "exactly one"), ("max(x1)", "at least two"), ("min()", "without arguments"),
                        ("x1(2)", "not a function"), ("(x1)(x2)", "missing operator"), ("", "empty"), ("x1 +", "end of the expression")]:
        with pytest.raises(ExpressionError, match=words):
            P(text)


# ----------------------------------------------------------------------------- round trips


@given(ANY_EXPR)
def test_str_round_trips(e):
    f = _vector(e)
    back = P(str(f), input_dim=3)
    assert back == f
    assert hash(back) == hash(f)
    assert str(back) == str(f)


def test_number_helper_round_trips():
    for q in [Fraction(-5, 4), Fraction(2, 3), Fraction(-1, 7), Fraction(10**30), Fraction(3, 10**12), Fraction(0)]:
        e = number(q)
        assert P(str(e)).components[0] == e
        assert P(str(e)).exact([0]) == (q,)


# ----------------------------------------------------------------------------- evaluation agreement


@given(RATIONAL_EXPR, DYADIC_POINT)
def test_float_matches_exact_on_rational_expressions(e, point):
    f = _vector(e)
    exact = f.exact(point)
    assume(exact is not None)
    x = np.array([[float(p) for p in point]])
    value = f.evaluate(x)[0, 0]
    lo, hi = f.enclose(x, x)
    assert Fraction(lo[0, 0]) <= exact[0] <= Fraction(hi[0, 0])  # rigorous
    scale = max(1.0, abs(float(exact[0])))
    assert abs(value - float(exact[0])) <= tol("exact_vs_float_dyadic") * scale + 4 * (hi[0, 0] - lo[0, 0])


@given(JUMPY_RATIONAL_EXPR, DYADIC_POINT)
def test_exact_matches_sympy_and_lies_in_point_enclosure(e, point):
    f = _vector(e)
    exact = f.exact(point)
    assume(exact is not None)
    sym_exact, _ = _sympy_value(f, point)
    assume(sym_exact is not sympy.nan)
    assert sym_exact == sympy.Rational(exact[0].numerator, exact[0].denominator)
    x = np.array([[float(p) for p in point]])
    lo, hi = f.enclose(x, x)
    assert Fraction(lo[0, 0]) <= exact[0] <= Fraction(hi[0, 0])


@given(ANY_EXPR, DYADIC_POINT)
def test_float_matches_sympy(e, point):
    f = _vector(e)
    x = np.array([[float(p) for p in point]])
    value = f.evaluate(x)[0, 0]
    assume(np.isfinite(value) and abs(value) < 1e12)
    _, approx = _sympy_value(f, point)
    assume(isinstance(approx, sympy.Float) and approx.is_finite)
    lo, hi = f.enclose(x, x)
    slack = tol("sympy_vs_numpy") * max(1.0, abs(value)) + 4 * (hi[0, 0] - lo[0, 0])
    assert abs(value - float(approx)) <= slack


@given(ANY_EXPR, st.lists(st.tuples(st.integers(-24, 24), st.integers(0, 16)), min_size=3, max_size=3), st.integers(0, 2**31))
def test_enclosures_contain_true_values(e, axes, seed):
    """Interval arithmetic contains the 30-digit value at sampled points of the box (property)."""
    f = _vector(e)
    lo = np.array([a / 8 for a, _ in axes])
    hi = np.array([(a + w) / 8 for a, w in axes])
    box_lo, box_hi = f.enclose(lo[None, :], hi[None, :])
    rng = np.random.default_rng(seed)
    pts = np.vstack([lo, hi, lo + (hi - lo) * np.floor(rng.random((4, 3)) * 64) / 64])
    values = f.evaluate(pts)[:, 0]
    for p, v in zip(pts, values):
        if not np.isfinite(v):
            continue  # undefined there (the enclosure assumes f is defined)
        _, approx = _sympy_value(f, [Fraction(c) for c in p])
        if not (isinstance(approx, sympy.Float) and approx.is_finite):
            continue
        assert sympy.Float(box_lo[0, 0], 40) <= approx <= sympy.Float(box_hi[0, 0], 40), (str(f), p)


# ----------------------------------------------------------------------------- exact evaluation


@pytest.mark.parametrize(
    "text, point, value",
    [
        ("Heaviside(x1)", [0], Fraction(1, 2)),
        ("Heaviside(x1)", ["-1/3"], 0),
        ("sign(x1) + floor(x1)", ["-5/2"], -4),
        ("min(x1, 1/3, x1**2)", ["1/2"], Fraction(1, 4)),
        ("max(abs(x1), 2)", ["-7/3"], Fraction(7, 3)),
        ("sqrt(x1) + exp(0) + log(1) + sin(0) + cos(0)", ["9/4"], Fraction(7, 2)),
        ("x1**-2", ["2/3"], Fraction(9, 4)),
        ("(x1 + 1/3)*3", ["0.1"], Fraction(13, 10)),
    ],
)
def test_exact_values(text, point, value):
    assert P(text).exact(point) == (Fraction(value),)


@pytest.mark.parametrize("text, point", [("pi*x1", [1]), ("sin(x1)", [1]), ("1/x1", [0]), ("x1**0.5", [2]), ("sqrt(x1)", [2]), ("E", [0])])
def test_exact_is_none_when_not_rational(text, point):
    assert P(text).exact(point) is None


def test_exact_refuses_floats_and_wrong_length():
    with pytest.raises(ExactnessError):
        P("x1").exact([0.1])
    with pytest.raises(DimensionMismatch):
        P("x1*x2").exact([1])


def test_constant_folding_makes_float_evaluation_exactly_rounded():
    f = P("(0.1*3 - 0.3)*x1 + 1/3")
    assert f.evaluate([[5.0]])[0, 0] == 1 / 3
    assert f.enclose([[5.0]], [[5.0]])[0][0, 0] < 1 / 3 < f.enclose([[5.0]], [[5.0]])[1][0, 0] or 1 / 3 == Fraction(1, 3)


# ----------------------------------------------------------------------------- derivatives

SMOOTH = [
    "sin(3*x1)*exp(-x2) + x1**3*x2",
    "atan(x1*x2) + tanh(x1 - x2)",
    "cosh(x1/2)*sinh(x2/3) + log(2 + x1**2)",
    "sqrt(1 + x1**2 + x2**4) / (2 + cos(x1*x2))",
    "(1 + x1**2)**x2 + tan(x1/3)",
    "x1**2.5 + 3**x2",
]


@pytest.mark.parametrize("text", SMOOTH)
def test_jacobian_matches_finite_differences_and_sympy(text, rng):
    f = P(text, input_dim=2)
    x = rng.uniform(0.2, 1.2, size=(40, 2))
    jac = f.jacobian_at(x)[:, 0, :]
    h = 1e-6
    for j in range(2):
        e = np.zeros(2)
        e[j] = h
        fd = (f.evaluate(x + e) - f.evaluate(x - e))[:, 0] / (2 * h)
        np.testing.assert_allclose(jac[:, j], fd, rtol=tol("finite_difference"), atol=tol("finite_difference"))
    sym = f.to_sympy()[0]
    xs = sorted(sym.free_symbols, key=lambda s: s.name)
    grad = sympy.lambdify(xs, [sympy.diff(sym, s) for s in xs], "numpy")
    hess = sympy.lambdify(xs, [[sympy.diff(sym, a, b) for b in xs] for a in xs], "numpy")
    ref = np.array([np.broadcast_to(v, len(x)) for v in grad(*x.T)], dtype=float).T
    np.testing.assert_allclose(jac, ref, rtol=tol("derivative_vs_sympy"), atol=tol("derivative_vs_sympy"))
    ref_h = np.array([[np.broadcast_to(v, len(x)) for v in row] for row in hess(*x.T)], dtype=float)
    ref_h = np.moveaxis(ref_h, -1, 0)
    np.testing.assert_allclose(f.hessian_at(x)[:, 0], ref_h, rtol=tol("derivative_vs_sympy"), atol=tol("derivative_vs_sympy"))


def test_derivatives_of_kinks_and_jumps():
    f = P("abs(x1) + max(x1, 2*x1) + floor(x1) + Heaviside(x1) + sign(x1)")
    x = np.array([[-0.7], [0.3]])
    np.testing.assert_array_equal(f.jacobian_at(x)[:, 0, 0], [-1 + 1, 1 + 2])
    g = P("sqrt(x1**2 + x2**2)")
    assert str(g.diff(1)) == "_unitratio(x1, sqrt(x1**2 + x2**2))"
    np.testing.assert_allclose(g.jacobian_at([[3.0, 4.0]])[0, 0], [0.6, 0.8])
    assert g.jacobian_at([[0.0, 0.0]])[0, 0].tolist() == [0.0, 0.0]


def test_diff_folds_constants():
    assert str(P("3*x1**2 + 5").diff(1)) == "3*(2*x1)"
    assert str(P("x1*x2").diff(2)) == "x1"
    assert str(P("sin(x2)").diff(1)) == "0"
    with pytest.raises(DimensionMismatch):
        P("x1").diff(2)


def test_derivative_nodes_convert_to_sympy():
    f = P("max(x1**2, x2) + sqrt(x1**2 + x2**2)")
    x = np.array([[0.3, 0.2], [0.9, 0.1], [0.2, 0.5]])
    for j in (1, 2):
        sym = f.diff(j).to_sympy()[0]
        xs = sorted(sym.free_symbols, key=lambda s: s.name)
        values = [float(sym.subs(dict(zip(xs, row)))) for row in x]
        np.testing.assert_allclose(f.diff(j).evaluate(x)[:, 0], values, rtol=tol("sympy_vs_numpy"))


# ----------------------------------------------------------------------------- interval arithmetic


def test_local_bound_kinds_and_validation():
    f = P("[x1**2, x1*x2]")
    r = f.local_bounds([[0, 0]], [[1, 1]], "value")
    assert r.bound.shape == (1,) and r.bound[0] >= np.sqrt(2)
    assert "interval arithmetic" in r.method and r.assumptions
    bound, method, assumptions = f.local_bounds([[0, 0]], [[1, 1]], "lipschitz")
    assert bound[0] >= np.linalg.norm([[2, 0], [1, 1]], 2)
    with pytest.raises(ParameterError, match="kind"):
        f.local_bounds([[0, 0]], [[1, 1]], "jerk")
    with pytest.raises(DomainError, match="lo > hi"):
        f.local_bounds([[0, 1]], [[1, 0]], "value")
    with pytest.raises(DimensionMismatch):
        f.local_bounds([[0, 0, 0]], [[1, 1, 1]], "value")
    with pytest.raises(NonFiniteError):
        f.local_bounds([[0, np.nan]], [[1, 1]], "value")
    assert P("x1").local_bounds(np.zeros(5), np.ones(5), "value").bound.shape == (5,)


def test_exact_operations_stay_exact_so_kinks_on_box_edges_are_seen():
    f = P("abs(6*x1 - 3) + max(0, x1 - 1/2)")
    lo, hi = f.enclose([[0.5]], [[0.5]])
    assert lo[0, 0] == hi[0, 0] == 0.0
    h = f.local_bounds([0.25, 0.5, 0.4], [0.5, 0.75, 0.6], "hessian").bound
    assert h[0] == 0.0 and h[1] == 0.0 and np.isinf(h[2])
    assert np.isinf(f.hessian_bound("[0,1]").value)
    assert f.hessian_bound("[1/2,1]").value == 0.0


def test_jumps_make_lipschitz_infinite_only_near_them():
    f = P("Heaviside(x1 - 1/2) + floor(4*x1)")
    lip = f.local_bounds([0.0, 0.26, 0.4, 0.5], [0.24, 0.49, 0.6, 0.74], "lipschitz").bound
    assert lip.tolist()[:2] == [0.0, 0.0] and np.isinf(lip[2]) and np.isinf(lip[3])
    assert not f.is_continuous and not f.is_smooth
    assert P("abs(x1)").is_continuous and not P("abs(x1)").is_smooth


@pytest.mark.parametrize(
    "text, lo, hi, expect_lo, expect_hi",
    [
        ("sin(x1)", 0.0, 3.0, 0.0, 1.0),
        ("cos(x1)", 3.0, 3.5, -1.0, np.cos(3.5)),
        ("tan(x1)", 1.0, 2.0, -np.inf, np.inf),
        ("1/x1", -1.0, 1.0, -np.inf, np.inf),
        ("1/x1", 0.0, 1.0, 1.0, np.inf),
        ("x1**2", -1.0, 2.0, 0.0, 4.0),
        ("x1**-2", -1.0, 2.0, 0.25, np.inf),
        ("cosh(x1)", -1.0, 2.0, 1.0, np.cosh(2.0)),
        ("min(x1, 2 - x1)", 0.0, 1.0, 0.0, 1.0),
        ("log(x1)", 0.0, 1.0, -np.inf, 0.0),
        ("exp(x1)", 800.0, 801.0, np.finfo(float).max, np.inf),
    ],
)
def test_enclosure_cases(text, lo, hi, expect_lo, expect_hi):
    (a,), (b,) = P(text).enclose([[lo]], [[hi]])
    assert a[0] <= expect_lo and b[0] >= expect_hi
    if np.isfinite(expect_lo):
        assert a[0] >= expect_lo - tol("enclosure_tightness") * (1 + abs(expect_lo))
    if np.isfinite(expect_hi):
        assert b[0] <= expect_hi + tol("enclosure_tightness") * (1 + abs(expect_hi))


def test_variable_power_of_a_negative_base():
    """numpy defines u**v for u < 0 at integer v; the enclosure must contain those values."""
    f = P("x1**x2")
    lo, hi = f.enclose([[-2.0, 2.0], [-2.0, 3.0], [0.5, 2.0]], [[1.0, 2.0], [-1.0, 3.0], [1.0, 3.0]])
    assert lo[0, 0] <= 4.0 <= hi[0, 0] and lo[1, 0] <= -8.0 and hi[1, 0] >= -1.0
    assert lo[2, 0] <= 0.125 and hi[2, 0] >= 1.0


@given(ANY_EXPR, st.integers(0, 2**31))
def test_local_bounds_dominate_sampled_norms(e, seed):
    f = _vector(e)
    rng = np.random.default_rng(seed)
    lo = rng.uniform(-2, 2, size=(16, 3))
    hi = lo + rng.uniform(0, 0.5, size=(16, 3))
    u = rng.random((16, 32, 3))
    pts = (lo[:, None, :] + u * (hi - lo)[:, None, :]).reshape(-1, 3)
    hess = f.hessian_at(pts)
    finite_h = np.all(np.isfinite(hess), axis=(1, 2, 3))
    for kind, norms in [
        ("value", np.linalg.norm(f.evaluate(pts), axis=1)),
        ("lipschitz", np.linalg.norm(f.jacobian_at(pts), axis=(1, 2))),
        ("hessian", np.where(finite_h, np.linalg.norm(np.where(finite_h[:, None, None, None], hess, 0.0), ord=2, axis=(2, 3)).max(axis=1), np.nan)),
    ]:
        bound = np.repeat(f.local_bounds(lo, hi, kind).bound, 32)
        ok = np.isfinite(f.evaluate(pts)[:, 0]) & np.isfinite(norms)
        slack = tol("bound_vs_sample")
        assert np.all(norms[ok] <= bound[ok] * (1 + slack) + slack), (str(f), kind)


def test_check_finite():
    assert P("sin(x1)/(2 + x1)").check_finite("[0,1]").certified
    with pytest.raises(NonFiniteError, match="not finite at x"):
        P("log(x1)").check_finite("[0,1]")
    with pytest.raises(NonFiniteError):
        P("sqrt(x1 - 1/2)").check_finite("[0,1]")
    assert not P("1/(x1 - 0.3)").check_finite("[0,1]").certified


def test_widen_and_repr():
    f = P("x1**2")
    g = f.widen(3)
    assert g.input_dim == 3 and g.evaluate([[2.0, 5.0, 7.0]])[0, 0] == 4.0
    assert repr(f) == "parse_expression('x1**2', input_dim=1)"
    with pytest.raises(DimensionMismatch):
        g.widen(2)
    assert f.functions == frozenset() and P("sin(abs(x1))").functions == {"sin", "abs"}
