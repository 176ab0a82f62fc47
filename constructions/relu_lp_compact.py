r"""``relu-lp-compact``: ReLU witnesses of width exactly :math:`\max(d_x, d_y, 2)` in :math:`L^p([0,1]^{d_x})`.

Realises the upper bound of Kim, Min and Park, *Minimum width for universal approximation using
ReLU networks on compact domain* (ICLR 2024, arXiv 2309.10402): the minimum width for
:math:`L^p` approximation of :math:`L^p([0,1]^{d_x}, \mathbb R^{d_y})` by ReLU networks is exactly
:math:`\max\{d_x, d_y, 2\}` (catalogue id ``kim2024-relu-lp-compact``).  Any box domain is
rescaled to the unit cube in the first layer.

The construction (relu.md §3, Recipe A; see docs/relu.md): an encoder of :math:`d_x - 1`
collapse-and-shift sweeps that merges the cell digits of all coordinates into one scalar, a
memorizer sweep over the :math:`N^{d_x}` cells (:math:`N = 2^K`), and for :math:`d_y \ge 2` a decoder
(digit sweeps and a raster of bends) from an integer code to :math:`d_y` output levels.  The
network is exact outside ramp strips of total measure at most :math:`d_x N \delta`.

Parameters (chosen from eps, p and the target; override with keywords / ``--param``):
``bits`` (K), ``levels`` (M, :math:`d_y \ge 2`), ``ramp`` (:math:`\delta`, unit-cube units),
``lipschitz`` (declare a constant), ``cell_values`` (``centre``/``average``/``auto``),
``exact`` (Fraction weights), ``max_cells``.

>>> c = build_relu_lp_compact("x1*x2", eps=0.2, p=1, input_dim=2)
>>> c.network.width, c.theorem, c.parameters["bits"], c.network.is_exact
(2, 'kim2024-relu-lp-compact', 2, True)
"""

from __future__ import annotations

from typing import Any

from ._common import all_dims
from ._registry import ConstructionSpec, ContractCase, register
from ._relu_api import add_arguments, construction_result, from_args
from ._relu_cases import DIMS, discontinuous, oscillatory, smooth
from ._relu_lp import bad_set_description, lp_witness

__all__ = ["build_relu_lp_compact", "width", "demo_cases", "contract_cases"]

NAME = "relu-lp-compact"
THEOREM = "kim2024-relu-lp-compact"


def width(d_x: int, d_y: int) -> int:
    r"""The width :math:`\max(d_x, d_y, 2)`: the exact minimum for ReLU networks in :math:`L^p([0,1]^{d_x})`.

    Kim, Min and Park (ICLR 2024), the main theorem (catalogue id ``kim2024-relu-lp-compact``).

    Parameters
    ----------
    d_x, d_y : int
        Input and output dimensions.

    Returns
    -------
    int
    """
    return max(d_x, d_y, 2)


def build_relu_lp_compact(target: Any = None, *, eps: Any = None, p: Any = 2, domain: Any = None,
                          input_dim: Any = None, output_dim: Any = None, progress: str = "auto",
                          **overrides: Any):
    r"""Build the width-:math:`\max(d_x, d_y, 2)` ReLU witness of ``target`` in :math:`L^p(K)` to accuracy ``eps``.

    Recipe A (module docstring): :math:`\|\mathcal N - f\|_{L^p(K)} \le` grid term + level term +
    ramp-strip term, each chosen below its share of ``eps``.

    Parameters
    ----------
    target : str, callable or Target
        The target (an expression, a library name, a vectorised callable with ``input_dim``).
    eps : float
        The requested :math:`L^p` accuracy (required).
    p : float
        The exponent, :math:`1 \le p < \infty` (default 2).
    domain : str or Box, optional
        The box :math:`K` (default: the target's, else :math:`[0,1]^{d_x}`).
    input_dim, output_dim : int, optional
        :math:`d_x`, :math:`d_y` (checked against the target).
    progress : {"auto", "force", "quiet"}
        The progress meter.
    **overrides
        ``bits``, ``levels``, ``ramp``, ``lipschitz``, ``cell_values``, ``exact``, ``max_cells``
        (module docstring); any other name is refused.

    Returns
    -------
    Construction
        Its ``predicted_error`` is the a-priori bound of :mod:`constructions._relu_params`
        (certified when the target has a certified Lipschitz bound; the metadata lists every
        assumption otherwise).
    """
    w = lp_witness(NAME, "compact", target, eps=eps, p=p, domain=domain, input_dim=input_dim,
                   output_dim=output_dim, progress=progress, overrides=overrides)
    plan = w.plan
    return construction_result(
        w.network, name=NAME, theorem=THEOREM, width=width(plan.dx, plan.dy), target=w.target, box=w.box,
        eps=w.eps, p=w.p, plan=plan, parameters=plan.parameters(), predicted=plan.predicted,
        precision=plan.precision,
        notes="Recipe A (relu.md 3): sweep encoder, sweep memorizer, digit/raster decoder; exact off the ramp strips",
        extra={"bad_set": bad_set_description(plan, w.box), "activation": "relu", "lp_measure": "lebesgue"},
    )


def contract_cases() -> list[ContractCase]:
    """The contract cases: smooth, oscillatory and discontinuous targets for every (d_x, d_y) of ``DIMS``, in L^1, and one L^2 case on a non-unit box.

    Returns
    -------
    list of ContractCase
        Each: a target, builder keywords and the eps the independent verifier must confirm at the claimed width.
    """
    cases = []
    for dx, dy in DIMS:
        for fam, fn in (("smooth", smooth), ("oscillatory", oscillatory), ("discontinuous", discontinuous)):
            eps = _EPS.get((dx, dy, fam), 0.25)
            slow = (dx, dy, fam) in _SLOW
            cases.append(ContractCase(
                label=f"{NAME} ({dx},{dy}) {fam}", target=fn(dx, dy), kwargs={"eps": eps, "p": 1, "input_dim": dx},
                dims={"d_x": dx, "d_y": dy}, norm="lp", eps=eps, p=1, slow=slow))
    cases.append(ContractCase(label=f"{NAME} (2,1) p=2 box [-1,1]x[0,2]", target="x1*x2 + x1",
                              kwargs={"eps": 0.3, "p": 2, "input_dim": 2, "domain": "[-1,1]x[0,2]"},
                              dims={"d_x": 2, "d_y": 1}, norm="lp", eps=0.3, p=2, domain="[-1,1]x[0,2]"))
    return cases


_EPS = {(3, 1, "smooth"): 0.3, (3, 1, "oscillatory"): 0.3, (3, 2, "smooth"): 0.3, (3, 2, "oscillatory"): 0.35,
        (1, 1, "oscillatory"): 0.1, (1, 1, "smooth"): 0.05}
_SLOW = {(3, 1, "oscillatory"), (3, 2, "smooth"), (3, 2, "oscillatory"), (2, 3, "oscillatory"), (2, 2, "oscillatory")}


def demo_cases(quick: bool = False) -> list[Any]:
    r"""One witness for ``uat demo``: :math:`\sin(2\pi x_1) x_2` on :math:`[0,1]^2` in :math:`L^1` at width 2.

    Parameters
    ----------
    quick : bool
        Smaller settings for ``uat demo --quick`` (eps 0.1 instead of 0.05).

    Returns
    -------
    list of uat._demo.DemoCase
    """
    from uat._demo import DemoCase

    expr, eps = ("sin(2*pi*x1)*x2", 0.1 if quick else 0.05)
    c = build_relu_lp_compact(expr, eps=eps, p=1, input_dim=2, progress="quiet")
    return [DemoCase(title=f"{NAME} sin(2 pi x1) x2", theorem=THEOREM, network=c.network, target=expr,
                     domain="[0,1]^2", norm="lp", eps=eps, p=1.0, minimum="2",
                     extra={"predicted_error": c.predicted_error})]


SPEC = register(ConstructionSpec(
    name=NAME, theorem=THEOREM, family="relu", norm="lp",
    summary="ReLU, L^p on a box: width exactly max(d_x, d_y, 2) (Kim-Min-Park 2024)",
    width=width, supports=all_dims, builder=build_relu_lp_compact,
    add_arguments=add_arguments, from_args=from_args, width_kind="exact minimum", contract_cases=contract_cases,
))
