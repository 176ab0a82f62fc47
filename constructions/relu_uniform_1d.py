r"""``relu-uniform-1d``: uniform ReLU witnesses for :math:`d_x = 1` at width :math:`1 + d_y`.

One collapse-and-shift sweep of :math:`x` into :math:`d_y` receivers (relu.md §6.1): cell
:math:`k` of :math:`N = 2^K` gets the value :math:`f(c_k)` and on each ramp zone the output moves
along the segment between two neighbouring cell values, so no point is bad:

.. math::  \sup_x \|\mathcal N(x) - f(x)\|_2 \le \omega_f\big(w (1/(2N) + \delta)\big), \qquad \delta = 1/(8N),

with :math:`w` the interval length and :math:`\omega_f` the modulus of continuity
(:math:`L r` for an :math:`L`-Lipschitz target).  Widths: :math:`d_y = 1`: 2 = :math:`d_x + 1`, the exact
minimum of Hanin and Sellke (catalogue ``hanin2017-relu-uniform``); :math:`d_y = 2`: 3, the exact
minimum for :math:`(1, 2)` (``park2021-relu-uniform-12``; width 2 fails, see
``constructions.relu_alpha_curve``); :math:`d_y \ge 3`: :math:`1 + d_y = d_x + d_y`, Hanin-Sellke's upper
bound (not known to be minimal).

>>> c = build_relu_uniform_1d("circle", eps=0.2)
>>> c.network.width, c.theorem
(3, 'park2021-relu-uniform-12')
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from uat.errors import ParameterError

from ._common import positive_int
from ._registry import ConstructionSpec, ContractCase, register
from ._relu_api import add_arguments, as_bool, check_overrides, construction_result, from_args, normalise, \
    progress_meter
from ._relu_build import build_uniform_1d
from ._relu_cells import cell_values, in_mode
from ._relu_params import MAX_BITS, grid_bits, modulus
from ._relu_plan import EXACT_AUTO_CELLS

__all__ = ["build_relu_uniform_1d", "width", "theorem_for", "demo_cases", "contract_cases"]

NAME = "relu-uniform-1d"
OVERRIDES = ("bits", "lipschitz", "exact", "max_cells")


def width(d_x: int, d_y: int) -> int:
    r"""The width :math:`1 + d_y` (:math:`d_x = 1`): the exact minimum for :math:`d_y \le 2`.

    :math:`d_y = 1`: Hanin and Sellke's :math:`d_x + 1`; :math:`d_y = 2`: Park et al.'s 3 for (1, 2);
    :math:`d_y \ge 3`: Hanin and Sellke's upper bound :math:`d_x + d_y`.

    Parameters
    ----------
    d_x, d_y : int
        Input (1) and output dimensions.

    Returns
    -------
    int
    """
    return 1 + d_y


def theorem_for(d_y: int) -> str:
    """The catalogue theorem whose width the witness realises for this :math:`d_y`.

    Parameters
    ----------
    d_y : int
        Output dimension.

    Returns
    -------
    str
        ``park2021-relu-uniform-12`` for :math:`d_y = 2`, ``hanin2017-relu-uniform`` otherwise.
    """
    return "park2021-relu-uniform-12" if d_y == 2 else "hanin2017-relu-uniform"


def build_relu_uniform_1d(target: Any = None, *, eps: Any = None, domain: Any = None, input_dim: Any = None,
                          output_dim: Any = None, progress: str = "auto", p: Any = None, **overrides: Any):
    r"""Build the width-:math:`(1 + d_y)` uniform witness of a continuous target on an interval.

    One sweep with :math:`N = 2^K` cells; :math:`\sup_x\|\mathcal N(x) - f(x)\|_2 \le \omega_f(w(1/(2N) + 1/(8N)))`
    and :math:`K` is the smallest meeting ``eps``.

    Parameters
    ----------
    target : str, callable or Target
        A continuous target with :math:`d_x = 1`.
    eps : float
        The requested sup error (required).
    domain : str or Box, optional
        The interval (default: the target's, else [0, 1]).
    input_dim, output_dim : int, optional
        Checked against the target.
    progress : {"auto", "force", "quiet"}
        The progress meter.
    p : ignored
        Accepted for a uniform CLI.
    **overrides
        ``bits`` (K), ``lipschitz`` (declared constant), ``exact`` (Fraction weights; by default only
        for a rational target with at most ``EXACT_AUTO_CELLS`` cells), ``max_cells`` (default
        :math:`2^{21}`; a larger automatic grid is refused).

    Returns
    -------
    Construction
    """
    check_overrides(overrides, OVERRIDES, NAME)
    t, box, eps, _ = normalise(target, eps=eps, p=None, domain=domain, input_dim=input_dim, output_dim=output_dim,
                               norm="sup", name=NAME)
    if t.input_dim != 1:
        raise ParameterError(f"{NAME} needs d_x = 1, got a target with {t.input_dim} inputs (see relu-lp-compact)")
    dy = t.output_dim
    w = float(box.hi[0] - box.lo[0])
    omega, method, assumptions = modulus(t, box, overrides.get("lipschitz"), NAME)

    def bound(N: int) -> float:
        return omega(w * (Fraction(1, 2 * N) + Fraction(1, 8 * N)))

    K = grid_bits(overrides.get("bits"), lambda k: bound(2**k) <= eps,
                  f"{NAME}: no grid with at most 2^{MAX_BITS} cells reaches sup error {eps}")
    N = 2**K
    max_cells = positive_int("max_cells", overrides.get("max_cells", 1 << 21))
    if overrides.get("bits") is None and N > max_cells:
        raise ParameterError(
            f"{NAME}: reaching sup error {eps:g} needs {N} cells (about {2 * N} layers), above max_cells={max_cells}; "
            "use a larger eps, declare a smaller Lipschitz constant (lipschitz=...), or raise max_cells")
    exact = as_bool(overrides.get("exact"), "exact")
    try_exact = exact is True or (exact is None and N <= EXACT_AUTO_CELLS)
    cv = in_mode(cell_values(t, box, N, "centre", try_exact=try_exact), exact)
    use_exact, vals = cv.exact, cv.values
    delta = Fraction(1, 8 * N)
    with progress_meter(progress, NAME, N) as pr:
        net, _trace = build_uniform_1d(vals, box, N, delta, exact=use_exact, progress=pr)
    predicted = bound(N)
    fv = np.asarray(vals, dtype=np.float64)
    lam = 2 * float(np.abs(np.diff(fv, axis=0)).max(initial=0)) / float(delta)
    return construction_result(
        net, name=NAME, theorem=theorem_for(dy), width=width(1, dy), target=t, box=box, eps=eps, p=math.inf,
        plan=None, parameters={"bits": K, "cells": N, "ramp": str(delta), "exact": use_exact},
        predicted=predicted, precision={"mode": "exact rationals" if use_exact else "float64",
                                        "largest_slope_predicted": lam, "bits": K + 3},
        notes="one sweep with d_y receivers (relu.md 6.1); ramps interpolate between neighbouring cell values",
        extra={"error_model": method, "assumptions": list(assumptions), "activation": "relu",
               "width_kind": "exact minimum" if dy <= 2 else "upper bound (Hanin-Sellke d_x + d_y)"},
    )


def contract_cases() -> list[ContractCase]:
    """The contract cases: smooth and kinked targets for d_y = 1, the circle and the alpha-curve for d_y = 2, a helix for d_y = 3.

    Returns
    -------
    list of ContractCase
        Each: a target, builder keywords and the eps the independent verifier must confirm at the claimed width.
    """
    out = []
    for dy, expr, eps in ((1, "sin(2*pi*x1)", 0.05), (1, "abs(x1 - 1/3)", 0.02), (2, "circle", 0.05),
                          (2, "alpha-curve", 0.05), (3, "helix", 0.1)):
        out.append(ContractCase(label=f"{NAME} (1,{dy}) {expr}", target=expr, kwargs={"eps": eps, "input_dim": 1},
                                dims={"d_x": 1, "d_y": dy}, norm="sup", eps=eps))
    return out


def demo_cases(quick: bool = False) -> list[Any]:
    """One witness for ``uat demo``: the alpha-curve at width 3, the minimum for (1, 2).

    Parameters
    ----------
    quick : bool
        Smaller settings for ``uat demo --quick`` (eps 0.1 instead of 0.03).

    Returns
    -------
    list of uat._demo.DemoCase
    """
    from uat._demo import DemoCase

    eps = 0.1 if quick else 0.03
    c = build_relu_uniform_1d("alpha-curve", eps=eps, progress="quiet")
    return [DemoCase(title=f"{NAME} alpha-curve (width 3 = minimum)", theorem=c.theorem, network=c.network,
                     target="alpha-curve", domain="[0,1]", norm="sup", eps=eps, minimum="3")]


SPEC = register(ConstructionSpec(
    name=NAME, theorem="hanin2017-relu-uniform", family="relu", norm="uniform",
    summary="ReLU, uniform on an interval: width 1 + d_y (exact minimum for d_y <= 2)",
    width=width, supports=lambda d_x, d_y: d_x == 1 and d_y >= 1, builder=build_relu_uniform_1d,
    add_arguments=add_arguments, from_args=from_args, width_kind="upper bound (exact minimum for d_y <= 2)",
    contract_cases=contract_cases,
))
