"""uat.export sympy/LaTeX: exact expressions for exact networks, agreement with numpy, size limits."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

sympy = pytest.importorskip("sympy")

import uat  # noqa: E402
from uat.errors import BudgetExceeded, DimensionMismatch, ParameterError  # noqa: E402
from uat.export import to_latex, to_sympy  # noqa: E402
from uat.export._sympy import SYMPY_MAX_TERMS, expression_size, sympy_text, write_latex, write_sympy  # noqa: E402
from uat.testing import random_network, tent_network  # noqa: E402
from uat.tolerances import tol  # noqa: E402

EXACT_ACTIVATIONS = ["identity", "relu", "leaky_relu(1/10)", "leaky_relu(-1/3)", "step", "stepped_leaky_relu(1/4)",
                     "power(2)"]
ALL_ACTIVATIONS = EXACT_ACTIVATIONS + ["softplus", "gelu", "tanh", "sigmoid", "exp"]


def substitute(exprs, symbols, point):
    """The expressions at a point given as sympy numbers (xreplace evaluates Max, Heaviside, ...)."""
    return [e.xreplace(dict(zip(symbols, point))) for e in exprs]


def default_symbols(d):
    return [sympy.Symbol(f"x{i + 1}", real=True) for i in range(d)]


@pytest.mark.parametrize("activation", EXACT_ACTIVATIONS)
def test_exact_networks_give_exact_expressions(rng, activation):
    net = random_network(rng, input_dim=2, output_dim=2, width=3, depth=3, activation=activation, exact=True)
    exprs = to_sympy(net)
    assert all(not e.atoms(sympy.Float) for e in exprs), "an exact network must not produce floats"
    syms = default_symbols(2)
    for _ in range(8):
        num = rng.integers(-20, 21, size=2)
        den = rng.integers(1, 12, size=2)
        point = [Fraction(int(n), int(d)) for n, d in zip(num, den)]
        got = substitute(exprs, syms, [sympy.Rational(p.numerator, p.denominator) for p in point])
        want = net.evaluate_exact([point])[0]
        assert all(g.is_Rational for g in got)
        assert [Fraction(int(g.p), int(g.q)) for g in got] == list(want)


def test_exact_at_kinks():
    """Points where a relu/step argument is exactly zero: sympy and the exact evaluator agree."""
    net = tent_network(3)
    (expr,) = to_sympy(net)
    (x,) = default_symbols(1)
    for k in range(9):
        q = Fraction(k, 8)
        assert Fraction(str(expr.xreplace({x: sympy.Rational(k, 8)}))) == net.evaluate_exact([[q]])[0, 0]
    step = uat.FeedForward.from_layers([([[1], [-1]], ["-1/3", "1/3"], "step"), ([[1, 2]], [0])])
    (e2,) = to_sympy(step)
    for q in ["1/3", "-1/3", "0"]:
        assert Fraction(str(e2.xreplace({x: sympy.Rational(q)}))) == step.evaluate_exact([[q]])[0, 0]


def test_exact_at_the_jump_of_the_stepped_leaky_relu():
    """At t = 0 the stepped leaky ReLU is 0 (identity branch); just left of it, a t - 1."""
    net = uat.FeedForward.from_layers([([[1], [-1], [2]], ["-1/3", "1/3", "-2/3"], "stepped_leaky_relu(1/3)"),
                                       ([[1, 2, "-1/5"]], ["1/7"])])
    (expr,) = to_sympy(net)
    assert not expr.atoms(sympy.Float) and expr.atoms(sympy.Heaviside) and expr.atoms(sympy.Max)
    (x,) = default_symbols(1)
    tiny = Fraction(1, 10**30)
    for q in [Fraction(1, 3), Fraction(1, 3) - tiny, Fraction(1, 3) + tiny, Fraction(-1, 3), Fraction(0), Fraction(1)]:
        got = expr.xreplace({x: sympy.Rational(q.numerator, q.denominator)})
        assert got.is_Rational and Fraction(int(got.p), int(got.q)) == net.evaluate_exact([[q]])[0, 0]
    # the one-layer form itself: t at 0 and above, a t - 1 below
    t = sympy.Symbol("t", real=True)
    from uat.export._sympy import sympy_activation

    form = sympy_activation(uat.parse_activation("stepped_leaky_relu(1/3)"), t)
    assert [form.xreplace({t: v}) for v in (sympy.Integer(0), sympy.Rational(-3), sympy.Rational(1, 2))] == [
        0, -2, sympy.Rational(1, 2)]
    assert r"\operatorname{SteppedLeakyReLU}_{\frac{1}{3}}" in to_latex(net)


@pytest.mark.parametrize("activation", ALL_ACTIVATIONS)
def test_float_networks_agree_with_numpy(rng, activation):
    net = random_network(rng, input_dim=2, output_dim=2, width=3, depth=3, activation=activation)
    exprs = to_sympy(net)
    syms = default_symbols(2)
    points = 0.7 * rng.standard_normal((6, 2))
    ref = net.evaluate(points)
    scale = max(float(np.max(np.abs(ref))), 1.0)
    for p, r in zip(points, ref):
        # substitute the exact binary value of each float coordinate, evaluate to 30 digits
        got = [float(v.evalf(30)) for v in substitute(exprs, syms, [sympy.Rational(float(c)) for c in p])]
        assert np.max(np.abs(np.array(got) - r)) <= tol("sympy_vs_numpy") * scale


def test_float_weights_keep_their_binary_value():
    net = uat.FeedForward.from_layers([([[0.1]], [0.2], "relu"), ([[0.3]], [0.0])])
    (expr,) = to_sympy(net)
    floats = sorted(float(f) for f in expr.atoms(sympy.Float))
    assert 0.1 in floats and 0.3 in floats
    text = sympy_text(net)
    assert "precision=53" in text  # float networks are written in srepr form, bit-exact


def test_symbols_are_used_verbatim_never_parsed():
    net = random_network(np.random.default_rng(0), input_dim=2, output_dim=1, width=2, depth=2, exact=True)
    exprs = to_sympy(net, symbols=["__import__('os')", "a+b"])
    names = sorted(s.name for s in exprs[0].free_symbols)
    assert names == ["__import__('os')", "a+b"]
    with pytest.raises(DimensionMismatch, match="got 1 symbols for a network with 2 inputs"):
        to_sympy(net, symbols=["x"])
    with pytest.raises(ParameterError, match="symbols must be sympy Symbols"):
        to_sympy(net, symbols=["x", 3])


def test_oversized_networks_are_refused_with_the_limit_named(rng):
    big = random_network(rng, input_dim=4, output_dim=1, width=8, depth=12)
    assert expression_size(big) > SYMPY_MAX_TERMS
    with pytest.raises(BudgetExceeded, match=f"max_terms={SYMPY_MAX_TERMS}"):
        to_sympy(big)
    with pytest.raises(BudgetExceeded, match="max_terms=5"):
        to_sympy(tent_network(2), max_terms=5)
    with pytest.raises(ParameterError, match="max_terms must be a positive integer"):
        to_sympy(tent_network(2), max_terms=0)
    deep = random_network(rng, input_dim=2, output_dim=1, width=4, depth=2000)
    with pytest.raises(BudgetExceeded, match="max_terms"):
        to_sympy(deep)  # the count stops early instead of overflowing


def test_expression_size_bounds_the_printed_expression(rng):
    for activation in ALL_ACTIVATIONS:
        net = random_network(rng, input_dim=2, output_dim=1, width=3, depth=3, activation=activation, exact=True)
        (expr,) = to_sympy(net)
        leaves = sum(1 for a in sympy.preorder_traversal(expr) if not a.args)
        assert leaves <= expression_size(net)


def test_latex_exact_and_float():
    net = uat.FeedForward.from_layers([([["1/2"], [-1]], [0, "-7/4"], "leaky_relu(1/10)"), ([[1, 3]], [0])])
    tex = to_latex(net)
    assert r"\begin{align*}" in tex and r"\end{align*}" in tex
    assert r"\frac{1}{2}" in tex and r"- \frac{7}{4}" in tex
    assert r"\operatorname{LeakyReLU}_{\frac{1}{10}}" in tex and r"\sigma_{2} &= \mathrm{id}" in tex
    fnet = uat.FeedForward.from_layers([([[0.1], [1e-20]], [0.0, 2.5], "tanh"), ([[1.0, -3.0]], [0.0])])
    ftex = to_latex(fnet)
    assert "0.1" in ftex and r"1 \cdot 10^{-20}" in ftex and r"\tanh" in ftex
    assert net.n_params == 7
    with pytest.raises(BudgetExceeded, match="has 7 parameters, above the limit max_params=6"):
        to_latex(net, max_params=6)


def test_files(tmp_path):
    net = tent_network(2)
    write_sympy(net, tmp_path / "n.txt")
    text = (tmp_path / "n.txt").read_text()
    assert text.splitlines()[1] == "y1 = " + str(to_sympy(net)[0])
    write_latex(net, tmp_path / "n.tex")
    assert (tmp_path / "n.tex").read_text() == to_latex(net)
    with pytest.raises(ParameterError, match="form must be"):
        sympy_text(net, form="latex")


def test_per_neuron_activations_give_each_neuron_its_own_exact_form():
    """A mixed layer [relu, step, stepped_leaky_relu(1/3), identity]: exact at kinks, jumps and in between."""
    net = uat.FeedForward.from_layers([
        ([[1], [1], [-1], [2]], ["-1/3", "-1/2", "1/4", "-1"], "[relu, step, stepped_leaky_relu(1/3), identity]"),
        ([[1, "1/2", 2, "-1/5"]], ["1/7"]),
    ])
    (expr,) = to_sympy(net)
    assert not expr.atoms(sympy.Float) and expr.atoms(sympy.Heaviside) and expr.atoms(sympy.Max)
    (x,) = default_symbols(1)
    tiny = Fraction(1, 10**30)
    for q in [Fraction(1, 3), Fraction(1, 2), Fraction(1, 4), Fraction(1, 2) - tiny, Fraction(1, 4) + tiny,
              Fraction(-1), Fraction(0), Fraction(3, 2)]:
        got = expr.xreplace({x: sympy.Rational(q.numerator, q.denominator)})
        assert got.is_Rational and Fraction(int(got.p), int(got.q)) == net.evaluate_exact([[q]])[0, 0]
    latex = to_latex(net)
    assert r"\left(\operatorname{ReLU}, \mathbf{1}[\,\cdot \ge 0\,], \operatorname{SteppedLeakyReLU}_{\frac{1}{3}}, \mathrm{id}\right)" in latex
    assert expression_size(net) >= len(sympy.srepr(expr).split("Symbol")) - 1


def test_relu_step_witness_in_sympy_agrees_with_numpy():
    from constructions import build

    net = build("relu-step-uniform", "sin(2*pi*x1)", eps=0.5, input_dim=1, progress="quiet").network
    (expr,) = to_sympy(net, max_terms=10**6)
    (x,) = default_symbols(1)
    pts = np.linspace(0, 1, 41)
    got = np.array([float(expr.xreplace({x: sympy.Float(v)})) for v in pts])
    ref = net.evaluate(pts[:, None])[:, 0]
    assert np.max(np.abs(got - ref)) <= tol("sympy_vs_numpy") * max(1.0, float(np.max(np.abs(ref))))
