"""The shared pipeline of the L^p ReLU witnesses: validate, plan, build, describe.

Used by ``relu-lp-compact``, ``relu-lp-whole`` and ``relu-like-lp-compact``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from uat.domains import Box
from uat.network import FeedForward
from uat.targets import Target

from ._common import positive_int
from ._relu_api import OVERRIDES_LP, as_bool, check_overrides, normalise, progress_meter
from ._relu_build import build_compact, build_whole
from ._relu_plan import Plan, plan_lp
from ._relu_state import Trace

__all__ = ["LpWitness", "lp_witness", "bad_set_description"]


@dataclass(frozen=True)
class LpWitness:
    network: FeedForward
    trace: Trace
    plan: Plan
    target: Target
    box: Box
    eps: float
    p: float


def _total_steps(plan: Plan) -> int:
    n = sum(plan.N**i for i in range(1, plan.dx + 1))
    if plan.M is not None:
        n += plan.M * max(plan.dy - 1, 1)
    return n


def lp_witness(name: str, kind: str, target: Any, *, eps: Any, p: Any, domain: Any, input_dim: Any,
               output_dim: Any, progress: Any, overrides: Mapping[str, Any], extra_overrides: tuple[str, ...] = (),
               bad_set_factor: float = 1.0) -> LpWitness:
    r"""Validate, plan (:func:`~constructions._relu_plan.plan_lp`) and build one :math:`L^p` ReLU witness.

    ``kind="compact"``: Recipe A at width :math:`\max(d_x, d_y, 2)` (Kim, Min and Park, ICLR 2024);
    ``kind="whole"``: Recipe B at width :math:`\max(d_x + 1, d_y)` (Park et al., ICLR 2021).

    Parameters
    ----------
    name : str
        The construction name (error messages, progress).
    kind : {"compact", "whole"}
        The recipe.
    target, eps, p, domain, input_dim, output_dim, progress
        The builder's arguments (:func:`constructions._relu_api.normalise`).
    overrides : mapping
        The builder's overrides (checked against ``OVERRIDES_LP``, plus ``tail`` for the whole space).
    extra_overrides : tuple of str
        Further override names the caller handles itself.
    bad_set_factor : float
        Widening of the bad set, passed to the planner.

    Returns
    -------
    LpWitness
    """
    allowed = OVERRIDES_LP + (("tail",) if kind == "whole" else ()) + extra_overrides
    check_overrides(overrides, allowed, name)
    t, box, eps, p = normalise(target, eps=eps, p=p, domain=domain, input_dim=input_dim, output_dim=output_dim,
                               name=name)
    ov = dict(overrides)
    exact = as_bool(ov.get("exact"), "exact")
    builder = build_compact if kind == "compact" else build_whole
    with progress_meter(progress, name, None) as pr:
        pr.advance(0, note="choosing the parameters")
        plan = plan_lp(
            t, box, eps, p, kind=kind, bits=ov.get("bits"), levels=ov.get("levels"), ramp=ov.get("ramp"),
            lipschitz=ov.get("lipschitz"), cell_values_rule=ov.get("cell_values", "auto"),
            exact=exact, bad_set_factor=bad_set_factor,
            max_cells=positive_int("max_cells", ov.get("max_cells", 1 << 21)), tail=ov.get("tail"),
        )
        pr.total = _total_steps(plan)
        net, trace = builder(plan, box, progress=pr)
    return LpWitness(net, trace, plan, t, box, eps, p)


def bad_set_description(plan: Plan, box: Box) -> dict[str, Any]:
    r"""Where the witness may be wrong: the ramp strips, of measure fraction at most :math:`d_x N \delta` (relu.md §7 item 6).

    Parameters
    ----------
    plan : Plan
        The witness's plan.
    box : Box
        The domain (the truncation box for the whole space).

    Returns
    -------
    dict
        ``kind``, ``cells_per_axis``, ``ramp``, a description of the strips and
        ``measure_fraction_bound`` (and the shell for the whole space).
    """
    frac = plan.dx * plan.N * float(plan.delta)
    out = {
        "kind": "ramp strips",
        "cells_per_axis": plan.N,
        "ramp": str(plan.delta),
        "description": (
            "x_i in [a_i + w_i ((j+1)/N - ramp), a_i + w_i (j+1)/N) for some axis i and cell j < N-1 "
            "(a = domain lower corner, w = domain widths); the witness is exact-by-construction elsewhere"
        ),
        "measure_fraction_bound": frac,
    }
    if plan.kind == "whole":
        out["shell"] = ("outside the box, within ramp x widths of a face: the flag interpolates; beyond it "
                        "the output is exactly 0")
    return out
