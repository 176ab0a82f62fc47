r"""``relu-lp-whole``: ReLU witnesses of width exactly :math:`\max(d_x+1, d_y)` in :math:`L^p(\mathbb R^{d_x})`.

Realises the upper bound of Park, Yun, Lee and Shin, *Minimum width for universal approximation*
(ICLR 2021, arXiv 2006.08859): ReLU networks of width :math:`w` are dense in
:math:`L^p(\mathbb R^{d_x}, \mathbb R^{d_y})` iff :math:`w \ge \max\{d_x+1, d_y\}` (catalogue id
``park2021-relu-lp-whole``).

The witness's recorded ``domain`` (the default measuring box of ``uat verify``) is the truncation
box widened by its own width on each side; beyond it the output is exactly 0.

The construction (relu.md §4, Recipe B; see docs/relu.md): the ``domain`` is the truncation box
(the target must vanish outside it, or declare ``tail=`` a bound on its :math:`L^p` mass there);
the input is rescaled and clamped to :math:`[-1, 2]^{d_x}`, an *outside flag* neuron
:math:`\varphi` (0 on the box, 1 beyond a shell of width :math:`\delta`) is carried through
Recipe A, and a gate forces the output to exactly 0 where :math:`\varphi = 1`.  For
:math:`d_x = 1` the flag is replaced by two outer cells with a sentinel value and a final snap
layer.  The extra neuron is the flag; on :math:`\mathbb R^{d_x}` it cannot be saved.

>>> c = build_relu_lp_whole("max(0, 1 - 2*abs(x1 - 1/2))", eps=0.2, p=1)
>>> c.network.width, float(c.network.evaluate([[1e6], [-1e3]]).max())
(2, 0.0)
"""

from __future__ import annotations

from typing import Any

from uat.domains import Box

from ._common import all_dims
from ._registry import ConstructionSpec, ContractCase, register
from ._relu_api import add_arguments, construction_result, from_args
from ._relu_cases import DIMS, bump
from ._relu_lp import bad_set_description, lp_witness

__all__ = ["build_relu_lp_whole", "width", "demo_cases", "contract_cases"]

NAME = "relu-lp-whole"
THEOREM = "park2021-relu-lp-whole"


def width(d_x: int, d_y: int) -> int:
    r"""The width :math:`\max(d_x + 1, d_y)`: the exact minimum for ReLU networks in :math:`L^p(\mathbb R^{d_x})`.

    Park, Yun, Lee and Shin (ICLR 2021), Theorem 1 (catalogue id ``park2021-relu-lp-whole``).

    Parameters
    ----------
    d_x, d_y : int
        Input and output dimensions.

    Returns
    -------
    int
    """
    return max(d_x + 1, d_y)


def build_relu_lp_whole(target: Any = None, *, eps: Any = None, p: Any = 2, domain: Any = None,
                        input_dim: Any = None, output_dim: Any = None, progress: str = "auto", **overrides: Any):
    r"""Build the width-:math:`\max(d_x+1, d_y)` witness on :math:`\mathbb R^{d_x}` (Recipe B); ``domain`` is the truncation box.

    :math:`\|\mathcal N - f\|_{L^p(\mathbb R^{d_x})} \le` the Recipe-A error on the box + the shell term +
    the target's tail :math:`\|f\|_{L^p(\mathbb R^{d_x} \setminus K)}`.  Outside the box (beyond a shell of
    relative width ``ramp``) the witness is exactly 0, also in float64.

    Parameters
    ----------
    target, eps, p, input_dim, output_dim, progress
        As for :func:`constructions.relu_lp_compact.build_relu_lp_compact`.
    domain : str or Box, optional
        The truncation box :math:`K` (the target must vanish outside it or declare its tail).
    **overrides
        Those of ``relu-lp-compact`` and ``tail`` (a declared bound on the target's :math:`L^p`
        mass outside the box).

    Returns
    -------
    Construction
        Its recorded ``domain`` is the box widened by its own width on each side (the default
        measuring box of ``uat verify``).
    """
    w = lp_witness(NAME, "whole", target, eps=eps, p=p, domain=domain, input_dim=input_dim,
                   output_dim=output_dim, progress=progress, overrides=overrides)
    plan = w.plan
    # the recorded domain (what `uat verify` measures on by default) is the truncation box widened by
    # its own width on every side: it holds the flag's shell, and beyond it the witness is exactly 0
    wide = Box(tuple(a - (b - a) for a, b in zip(w.box.lo, w.box.hi)),
               tuple(b + (b - a) for a, b in zip(w.box.lo, w.box.hi)))
    return construction_result(
        w.network, name=NAME, theorem=THEOREM, width=width(plan.dx, plan.dy), target=w.target, box=wide,
        eps=w.eps, p=w.p, plan=plan, parameters={**plan.parameters(), "truncation_box": str(w.box)},
        predicted=plan.predicted, precision=plan.precision,
        notes=("Recipe B (relu.md 4): clamp to [-1,2]^d_x, outside flag, Recipe A carrying the flag, exact-zero "
               "gate; the error is measured on R^d_x and the output vanishes outside the box"),
        extra={"bad_set": bad_set_description(plan, w.box), "activation": "relu", "lp_measure": "lebesgue",
               "support": str(w.box)},
    )


def _measure_box(dx: int) -> str:
    return "[-1,2]" if dx == 1 else f"[-1,2]^{dx}"


def contract_cases() -> list[ContractCase]:
    """The contract cases: a bump for every (d_x, d_y) of ``DIMS`` and three 1-D/2-D targets with jumps or oscillation, measured on the widened box in L^1.

    Returns
    -------
    list of ContractCase
        Each: a target, builder keywords and the eps the independent verifier must confirm at the claimed width.
    """
    cases = []
    for dx, dy in DIMS:
        eps = 0.3 if dx == 3 else 0.2
        cases.append(ContractCase(
            label=f"{NAME} ({dx},{dy}) bump", target=bump(dx, dy), kwargs={"eps": eps, "p": 1, "input_dim": dx},
            dims={"d_x": dx, "d_y": dy}, norm="lp", eps=eps, p=1, domain=_measure_box(dx),
            slow=(dx, dy) in {(3, 2), (3, 1), (2, 3)}))
    for label, expr, dx, eps in (
        ("(1,1) indicator", "Heaviside(x1 - 1/4) - Heaviside(x1 - 3/4)", 1, 0.1),
        ("(2,1) disk indicator", "discontinuous-2d", 2, 0.2),
        ("(1,1) oscillatory", "max(0, 1 - 2*abs(x1 - 1/2))*sin(6*pi*x1)", 1, 0.1),
    ):
        cases.append(ContractCase(
            label=f"{NAME} {label}", target=expr, kwargs={"eps": eps, "p": 1, "input_dim": dx, "domain": _unit(dx)},
            dims={"d_x": dx, "d_y": 1}, norm="lp", eps=eps, p=1, domain=_measure_box(dx)))
    return cases


def _unit(dx: int) -> str:
    return "[0,1]" if dx == 1 else f"[0,1]^{dx}"


def demo_cases(quick: bool = False) -> list[Any]:
    """One witness for ``uat demo``: a tent on :math:`[0,1]^2`, exactly 0 outside, measured on :math:`[-1,2]^2`.

    Parameters
    ----------
    quick : bool
        Smaller settings for ``uat demo --quick`` (eps 0.2 instead of 0.1).

    Returns
    -------
    list of uat._demo.DemoCase
    """
    from uat._demo import DemoCase

    expr = bump(2, 1)
    eps = 0.2 if quick else 0.1
    c = build_relu_lp_whole(expr, eps=eps, p=1, input_dim=2, progress="quiet")
    return [DemoCase(title=f"{NAME} tent on [0,1]^2, zero outside", theorem=THEOREM, network=c.network, target=expr,
                     domain="[-1,2]^2", norm="lp", eps=eps, p=1.0, minimum="3",
                     extra={"predicted_error": c.predicted_error})]


SPEC = register(ConstructionSpec(
    name=NAME, theorem=THEOREM, family="relu", norm="lp",
    summary="ReLU, L^p on all of R^d_x: width exactly max(d_x+1, d_y) (Park et al. 2021)",
    width=width, supports=all_dims, builder=build_relu_lp_whole,
    add_arguments=add_arguments, from_args=from_args, width_kind="exact minimum", contract_cases=contract_cases,
))
