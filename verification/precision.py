r"""Rounding measured, not guessed: float64 evaluation against exact rational evaluation.

:func:`float_error` evaluates the network in float64 (:meth:`FeedForward.evaluate`) and in
exact rational arithmetic (:meth:`FeedForward.evaluate_exact`) at the same points and
reports :math:`\max_i \|N_{64}(x_i) - N(x_i)\|_\infty`, absolute and relative to the
output scale.  For an exact network the reference is the network's own rational weights
(``mode="exact-weights"``; the float64 path then also carries the rounding of the weights
themselves).  For a float64 network the reference is the exact value of the stored
float64 weights (``mode="float-weights"``), so only the arithmetic is measured.  Points
given as floats are taken at their exact binary value; ``"p/q"`` strings and Fractions
are exact (their float64 rounding is then part of the measured error).

Exact evaluation needs exact activations (identity, relu, leaky_relu, step, power); it
costs about a millisecond per layer and point at width 10 (verification.md section 7.2),
so use a few dozen points for deep networks.

>>> from uat.testing import tent_network
>>> r = float_error(tent_network(60), [["1/7"]])        # the tent map doubles rounding errors
>>> r.max_abs > 1e-3
True
>>> float_error(tent_network(10), [["1/7"]]).max_abs < 1e-12
True
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from uat.domains import parse_domain
from uat.errors import DimensionMismatch, ExactnessError
from uat.network import FeedForward, Layer

from ._result import FloatError
from ._validate import ensure_int, ensure_network

__all__ = ["float_error", "exact_copy"]


def exact_copy(net: FeedForward) -> FeedForward:
    """The exact network whose weights are the exact binary values of ``net``'s float64 weights."""
    if net.is_exact:
        return net
    layers = []
    for layer in net.iter_layers():
        w = np.array([[Fraction(float(v)) for v in row] for row in layer.weight], dtype=object)
        b = np.array([Fraction(float(v)) for v in layer.bias], dtype=object)
        layers.append(Layer(w, b, layer.activation))
    return FeedForward.from_layer_values(layers)


def _points(points: Any, net: FeedForward, domain: Any, seed: int) -> list[list[Any]]:
    if isinstance(points, (int, np.integer)) and not isinstance(points, bool):
        n = ensure_int(points, "points", low=1)
        box = parse_domain(domain, dim=net.input_dim)
        u = np.random.default_rng(seed).random((n, net.input_dim))
        return [[float(v) for v in row] for row in box.from_unit(u)]
    rows = [list(p) if isinstance(p, (list, tuple, np.ndarray)) else [p] for p in points]
    for r in rows:
        if len(r) != net.input_dim:
            raise DimensionMismatch(f"point {r!r} has {len(r)} coordinates, the network expects {net.input_dim}")
    return rows


def _to_float(v: Any) -> float:
    if isinstance(v, str):
        return float(Fraction(v.replace(" ", "")))
    return float(v)


def float_error(net: Any, points: Any, *, domain: Any = None, seed: int = 0) -> FloatError:
    """Compare float64 with exact evaluation of ``net`` at ``points``.

    Parameters
    ----------
    net : FeedForward
        With exact activations (identity, relu, leaky_relu, step, power).
    points : array-like (n, d_x), or int
        The sample points (floats, Fractions, ``"p/q"`` strings), or a number of random
        points drawn (with ``seed``) from ``domain`` (default :math:`[0,1]^{d_x}`).

    Returns
    -------
    FloatError
    """
    net = ensure_network(net)
    bad = [str(a) for a in net.activations if not a.is_exact]
    if bad:
        raise ExactnessError(
            f"float_error needs activations with exact rational values; this network uses {', '.join(bad)}"
        )
    rows = _points(points, net, domain, seed)
    ref = exact_copy(net)
    exact = ref.evaluate_exact(rows)
    x64 = np.array([[_to_float(v) for v in r] for r in rows], dtype=np.float64)
    y64 = net.evaluate(x64)
    diff = np.array(
        [[abs(Fraction(float(y64[i, k])) - exact[i, k]) for k in range(exact.shape[1])] for i in range(len(rows))],
        dtype=object,
    )
    err = np.array([float(max(r)) for r in diff])
    scale = max(1.0, max(float(abs(v)) for v in exact.ravel()))
    k = int(np.argmax(err))
    return FloatError(
        max_abs=float(err[k]),
        max_rel=float(err[k]) / scale,
        scale=scale,
        argmax=tuple(float(v) for v in x64[k]),
        n_points=len(rows),
        errors=tuple(float(e) for e in err),
        mode="exact-weights" if net.is_exact else "float-weights",
    )
