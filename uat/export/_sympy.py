r"""Export to sympy and LaTeX: the network as exact formulas.

:func:`to_sympy` writes each output :math:`N_k(x)` as one sympy expression, layer by layer:
:math:`z = W_l h_{l-1} + b_l`, :math:`h_l = \sigma_l(z)`.  Exact networks give exact
expressions (every Fraction becomes ``sympy.Rational``, never a float), so substituting
rational points gives the exact value of :meth:`~uat.FeedForward.evaluate_exact`.  Float64
networks keep each weight's exact binary value (``sympy.Float`` with 53 bits).

=================  ===========================================================
activation         sympy form of :math:`\sigma(t)`
=================  ===========================================================
relu               ``Max(0, t)``
leaky_relu(a)      ``Max(t, a*t)`` (equal to ``t`` for t >= 0, ``a*t`` below, as ``|a| < 1``)
step               ``Heaviside(t, 1)`` (value 1 at 0)
stepped_leaky_     ``Max(t, a*t) + Heaviside(t, 1) - 1``: ``t`` for t >= 0 (value 0 at 0),
relu(a)            ``a*t - 1`` below (the leaky ReLU plus a unit step, minus 1)
power(k)           ``t**k``
softplus           ``log(1 + exp(t))``
gelu               ``t*(1 + erf(t/sqrt(2)))/2``
tanh, sigmoid      ``tanh(t)``, ``1/(1 + exp(-t))``
exp                ``exp(t)``
=================  ===========================================================

Per-neuron activations (:class:`uat._mixed.MixedActivation`, e.g. Park et al.'s ReLU+STEP
layers) give each neuron the form of its own activation: ``[relu, step]`` maps
:math:`(z_1, z_2)` to ``Max(0, z1)`` and ``Heaviside(z2, 1)``.

The printed expression of a deep network grows like the product of the layer widths, so
:func:`to_sympy` first counts the symbols of the expanded expression (an integer recursion
over the non-zero pattern of the weights) and refuses above ``max_terms``
(:data:`SYMPY_MAX_TERMS` by default) with :class:`~uat.errors.BudgetExceeded`.

:func:`to_latex` writes the per-layer data instead (``W_l``, ``b_l``, ``\sigma_l``), which
grows only linearly; it refuses above ``max_params`` (:data:`LATEX_MAX_PARAMS`).

User strings are never parsed: symbol names become ``sympy.Symbol(name)`` as they are.

>>> from uat import FeedForward
>>> net = FeedForward.from_layers([([[1], [-1]], ["1/2", 0], "relu"), ([["1/3", 1]], [0])])
>>> to_sympy(net)
[Max(0, -x1) + Max(0, x1 + 1/2)/3]
>>> print(to_latex(net).splitlines()[2])
W_{1} &= \left[\begin{matrix}1\\-1\end{matrix}\right], & b_{1} &= \left[\begin{matrix}\frac{1}{2}\\0\end{matrix}\right], & \sigma_{1} &= \operatorname{ReLU}\\
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np
import sympy

from ..activations import Activation
from ..errors import BudgetExceeded, DimensionMismatch, ParameterError
from ..network import FeedForward

__all__ = ["to_sympy", "to_latex", "write_sympy", "write_latex", "expression_size", "SYMPY_MAX_TERMS", "LATEX_MAX_PARAMS"]

SYMPY_MAX_TERMS = 20_000
LATEX_MAX_PARAMS = 10_000

# how many copies of its argument t each activation's sympy form contains
_COPIES = {"leaky_relu": 2, "gelu": 2, "stepped_leaky_relu": 3}
# an upper bound on the extra constants an activation's form adds (0 in Max(0, t), 1/2 and
# sqrt(2) in the gelu form, ...)
_EXTRA_LEAVES = 4.0


def _check_limit(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParameterError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def expression_size(net: FeedForward, *, stop_above: float = float("inf")) -> float:
    r"""An upper bound on the number of leaves (symbols and numbers) of the largest output expression.

    The count follows :math:`s_i^{(l)} = c_l\, t_i + e_l` with
    :math:`t_i = 1 + \sum_{j: W_{ij} \ne 0} (s_j^{(l-1)} + 1)` (one leaf per weight and one
    for the bias), :math:`s^{(0)} = 1`, :math:`c_l` the copies of its argument in the
    activation's sympy form and :math:`e_l \le 4` its own constants (0 for the identity).
    It returns as soon as the count passes ``stop_above``.

    >>> from uat.testing import tent_network
    >>> expression_size(tent_network(1)), expression_size(tent_network(3))
    (17.0, 101.0)
    """
    size = np.ones(net.input_dim)
    for block in net.blocks:
        distinct = block.activation.distinct  # per-neuron layers: bounded by their largest form
        copies = max(_COPIES.get(a.name, 1) for a in distinct)
        extra = 0.0 if all(a.name == "identity" for a in distinct) else _EXTRA_LEAVES
        for i in range(block.count):
            pattern = (block.weights[i] != 0).astype(np.float64)
            size = copies * (pattern @ (size + 1.0) + 1.0) + extra
            if float(size.max()) > stop_above:
                return float(size.max())
    return float(size.max())


def _symbols(net: FeedForward, symbols: Sequence[Any] | None) -> list[sympy.Symbol]:
    d = net.input_dim
    if symbols is None:
        # the same real symbols x1..xd as the target expressions (uat.export._expr_sympy)
        return [sympy.Symbol(f"x{i + 1}", real=True) for i in range(d)]
    if isinstance(symbols, (str, sympy.Symbol)):
        symbols = [symbols]
    symbols = list(symbols)
    if len(symbols) != d:
        raise DimensionMismatch(f"to_sympy got {len(symbols)} symbols for a network with {d} inputs")
    out = []
    for s in symbols:
        if isinstance(s, sympy.Symbol):
            out.append(s)
        elif isinstance(s, str) and s:
            out.append(sympy.Symbol(s, real=True))  # the name as it is: never parsed
        else:
            raise ParameterError(f"symbols must be sympy Symbols or non-empty names, got {s!r}")
    return out


def _constant_matrix(arr: np.ndarray) -> list[list[sympy.Expr]]:
    if arr.dtype == object:
        conv = lambda v: sympy.Rational(v.numerator, v.denominator)  # noqa: E731
    else:
        conv = lambda v: sympy.Float(float(v))  # noqa: E731  (exact 53-bit binary value)
    return [[conv(v) for v in row] for row in np.atleast_2d(arr)]


def sympy_activation(act: Activation, t: sympy.Expr) -> sympy.Expr:
    """The sympy form of ``act`` applied to ``t`` (see the module table).

    ``Max`` and ``Heaviside`` of a symbolic argument are built unevaluated: sympy's automatic
    simplification of nested ``Max`` costs seconds per layer, and substituting numbers
    (``xreplace``) evaluates them anyway.  Leaky ReLU is written ``Max(t, a*t)`` rather than
    as a ``Piecewise``: sympy rewrites a ``Piecewise`` whose condition contains another
    ``Piecewise`` into nested ``ITE`` conditions, which is slow and unreadable.
    """
    name = act.name
    ev = bool(t.is_number)
    if name == "identity":
        return t
    if name == "relu":
        return sympy.Max(sympy.Integer(0), t, evaluate=ev)
    if name == "leaky_relu":
        a = act.negative_slope  # |a| < 1, so max(t, a t) is t for t >= 0 and a t for t < 0
        return sympy.Max(t, sympy.Rational(a.numerator, a.denominator) * t, evaluate=ev)
    if name == "step":
        return sympy.Heaviside(t, sympy.Integer(1), evaluate=ev)
    if name == "stepped_leaky_relu":  # leaky ReLU + step - 1: t for t >= 0 (0 at 0), a t - 1 for t < 0
        a = act.negative_slope
        leaky = sympy.Max(t, sympy.Rational(a.numerator, a.denominator) * t, evaluate=ev)
        return sympy.Add(leaky, sympy.Heaviside(t, sympy.Integer(1), evaluate=ev), sympy.Integer(-1))
    if name == "power":
        return t ** int(act.param)  # type: ignore[arg-type]
    if name == "softplus":
        return sympy.log(1 + sympy.exp(t))
    if name == "gelu":
        return t * (1 + sympy.erf(t / sympy.sqrt(2))) / 2
    if name == "tanh":
        return sympy.tanh(t)
    if name == "sigmoid":
        return 1 / (1 + sympy.exp(-t))
    if name == "exp":
        return sympy.exp(t)
    raise ParameterError(f"no sympy form for the activation {act}")  # pragma: no cover


def to_sympy(net: FeedForward, symbols: Sequence[Any] | None = None, *, max_terms: int = SYMPY_MAX_TERMS) -> list[sympy.Expr]:
    """The outputs of a small network as sympy expressions, one per output coordinate.

    Parameters
    ----------
    net : FeedForward
    symbols : sequence of sympy.Symbol or str, optional
        One per input (names become real ``sympy.Symbol`` s verbatim, never parsed); default
        the real symbols ``x1, ..., xd`` that target expressions use too.
    max_terms : int
        Refuse networks whose expanded expression has more leaves than this
        (see :func:`expression_size`).

    Raises
    ------
    BudgetExceeded
        Above ``max_terms``; the message gives the size and the limit.
    """
    max_terms = _check_limit(max_terms, "max_terms")
    size = expression_size(net, stop_above=max_terms)
    if size > max_terms:
        shown = f"{size:.3g}" if size < 1e300 else "an astronomical number of"
        raise BudgetExceeded(
            f"to_sympy is for small networks: the expression of this network (depth {net.depth}, width "
            f"{net.width}) has at least {shown} terms, above the limit max_terms={max_terms}; pass a larger "
            "max_terms, or export the per-layer matrices with to_latex (or to_torch)"
        )
    h: list[sympy.Expr] = list(_symbols(net, symbols))
    for layer in net.iter_layers():
        rows = _constant_matrix(layer.weight)
        bias = _constant_matrix(layer.bias)[0]
        nonzero = layer.weight != 0
        new = []
        for i, row in enumerate(rows):
            terms = [row[j] * h[j] for j in range(len(h)) if nonzero[i, j]]
            z = sympy.Add(*terms, bias[i])
            new.append(sympy_activation(layer.activation.neuron(i), z))  # each neuron's own activation
        h = new
    return h


# -- LaTeX ---------------------------------------------------------------------------------

_LATEX_NAMES = {
    "identity": r"\mathrm{id}",
    "relu": r"\operatorname{ReLU}",
    "step": r"\mathbf{1}[\,\cdot \ge 0\,]",
    "softplus": r"\operatorname{softplus}",
    "gelu": r"\operatorname{GELU}",
    "tanh": r"\tanh",
    "sigmoid": r"\operatorname{sigmoid}",
    "exp": r"\exp",
}


def latex_activation(act: Activation) -> str:
    r"""LaTeX name of an activation, e.g. ``\operatorname{LeakyReLU}_{\frac{1}{10}}``.

    Per-neuron activations print as the list of the neurons' ones, ``(\operatorname{ReLU}, \dots)``.
    """
    if act.name == "mixed":
        return r"\left(" + ", ".join(latex_activation(a) for a in act.parts) + r"\right)"
    if act.name in ("leaky_relu", "stepped_leaky_relu"):
        a = act.negative_slope
        name = "LeakyReLU" if act.name == "leaky_relu" else "SteppedLeakyReLU"
        return rf"\operatorname{{{name}}}_{{" + sympy.latex(sympy.Rational(a.numerator, a.denominator)) + "}"
    if act.name == "power":
        return r"(\cdot)^{" + str(int(act.param)) + "}"  # type: ignore[arg-type]
    return _LATEX_NAMES[act.name]


def _latex_float(x: float) -> str:
    text = repr(float(x))  # shortest text that reads back to the same float
    if "e" in text:
        mant, exp = text.split("e")
        return rf"{mant} \cdot 10^{{{int(exp)}}}"
    return text[:-2] if text.endswith(".0") else text


def _latex_matrix(arr: np.ndarray) -> str:
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1)
    if arr.dtype == object:
        return sympy.latex(sympy.Matrix(_constant_matrix(arr)))
    body = r"\\".join(" & ".join(_latex_float(v) for v in row) for row in arr)
    return r"\left[\begin{matrix}" + body + r"\end{matrix}\right]"


def to_latex(net: FeedForward, *, max_params: int = LATEX_MAX_PARAMS) -> str:
    r"""Per-layer LaTeX: one ``align*`` row ``W_l = [...], b_l = [...], \sigma_l = ...`` per layer.

    Exact weights print as fractions (``sympy.latex`` of Rational matrices); float64 weights
    print with the shortest decimal that reads back to the same float.  The fragment needs
    only amsmath.

    Raises
    ------
    BudgetExceeded
        When the network has more than ``max_params`` parameters.
    """
    max_params = _check_limit(max_params, "max_params")
    if net.n_params > max_params:
        raise BudgetExceeded(
            f"to_latex writes every weight: this network has {net.n_params} parameters, above the limit "
            f"max_params={max_params}; pass a larger max_params or use to_torch / the JSON witness file"
        )
    kind = "exact rational" if net.is_exact else "float64"
    lines = [
        f"% uat network {net.input_dim} -> {list(net.widths)} -> {net.output_dim}, depth {net.depth}, {kind} weights;"
        r" h_0 = x, h_l = \sigma_l(W_l h_{l-1} + b_l), N(x) = h_L",
        r"\begin{align*}",
    ]
    layers = list(net.iter_layers())
    for l, layer in enumerate(layers, start=1):
        end = r"\\" if l < len(layers) else ""
        lines.append(
            f"W_{{{l}}} &= {_latex_matrix(layer.weight)}, & b_{{{l}}} &= {_latex_matrix(layer.bias)}, & "
            f"\\sigma_{{{l}}} &= {latex_activation(layer.activation)}{end}"
        )
    lines.append(r"\end{align*}")
    return "\n".join(lines) + "\n"


# -- files -----------------------------------------------------------------------------------


def write_latex(net: FeedForward, path: str | os.PathLike[str], *, max_params: int = LATEX_MAX_PARAMS) -> None:
    """Write :func:`to_latex` to a ``.tex`` fragment (``\\input`` it into a document with amsmath)."""
    text = to_latex(net, max_params=max_params)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def sympy_text(net: FeedForward, *, max_terms: int = SYMPY_MAX_TERMS, form: str | None = None) -> str:
    """The text written by :func:`write_sympy`: a header, then ``y_k = <expression>`` per output.

    ``form="str"`` (default for exact networks) prints sympy's ``str`` (exact: rationals
    print as ``p/q``); ``form="srepr"`` (default for float64 networks) prints ``srepr``,
    which keeps every float's 53-bit value (``str`` shows only 15 digits).
    """
    if form is None:
        form = "str" if net.is_exact else "srepr"
    if form not in ("str", "srepr"):
        raise ParameterError(f"form must be 'str' or 'srepr', got {form!r}")
    exprs = to_sympy(net, max_terms=max_terms)
    printer = sympy.srepr if form == "srepr" else sympy.sstr
    names = ", ".join(str(s) for s in _symbols(net, None))
    lines = [
        f"# uat network {net.input_dim} -> {net.output_dim}, depth {net.depth}; inputs: {names}; "
        f"sympy {form} form{' (exact)' if net.is_exact else ''}"
    ]
    for k, e in enumerate(exprs, start=1):
        lines.append(f"y{k} = {printer(e)}")
    return "\n".join(lines) + "\n"


def write_sympy(
    net: FeedForward, path: str | os.PathLike[str], *, max_terms: int = SYMPY_MAX_TERMS, form: str | None = None
) -> None:
    """Write :func:`sympy_text` to ``path``."""
    text = sympy_text(net, max_terms=max_terms, form=form)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)

