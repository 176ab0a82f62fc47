r"""The uniform (sup) error :math:`\sup_{x \in D} \|f(x) - N(x)\|_2` (measuring only).

Methods:

``"exact-1d"`` (default for one input, piecewise-linear or step activations)
    exact pieces and a per-interval certificate from the target's second-derivative or
    Lipschitz bound, refined until the certified bound meets the attained maximum
    (:mod:`verification._sup1d`).
``"regions-2d"`` (default for two inputs, same activations)
    exact linear regions and a per-polygon certificate (:mod:`verification._sup2d`); when
    the region budget is exceeded under ``"auto"``, the grid route is used instead (and
    the switch is recorded in ``details``).
``"grid"``
    a grid of cells: the grid maximum (an attained lower bound) plus a Lipschitz
    certificate (:mod:`verification._supgrid`), which may be vacuous and is then reported
    as such.
``"regions-3d"`` (default for three inputs, same activations)
    exact linear regions (convex polytopes) and a per-tetrahedron certificate
    (:mod:`verification._sup3d`); beyond the region budget under ``"auto"``, the grid route.

A sup error is never reported as certified from sampling alone: every certified result
lists the derivative bounds it rests on in ``assumptions``.

>>> from uat import FeedForward
>>> hat = FeedForward.from_layers([([[2], [4]], [0, -2], "relu"), ([[1, -1]], [0])])
>>> r = sup_error(hat, lambda x: 0 * x, lipschitz=0.0)
>>> r.value, r.certified, r.argmax
(1.0, True, (0.5,))
>>> r.low <= 1.0 <= r.high < 1.0 + 1e-14  # widened by the float64 rounding level of f - N
True
"""

from __future__ import annotations

from typing import Any

from uat.errors import BudgetExceeded, MethodError
from uat.targets import make_target

from ._result import ErrorEstimate
from ._sup1d import sup_exact_1d
from ._sup2d import sup_regions_2d
from ._sup3d import sup_regions_3d
from ._supgrid import sup_grid
from ._validate import ensure_domain, ensure_int, ensure_method, ensure_network, ensure_target, ensure_tolerance
from .pieces import supports_pieces

__all__ = ["sup_error", "SUP_METHODS"]

SUP_METHODS = ("auto", "exact-1d", "regions-2d", "regions-3d", "grid")


def sup_error(
    net: Any,
    target: Any,
    domain: Any = None,
    *,
    method: str = "auto",
    rtol: float = 1e-6,
    max_evals: int = 4_000_000,
    max_regions: int = 200_000,
    max_pieces: int = 50_000_000,
    points_per_axis: int | None = None,
    lipschitz: float | None = None,
) -> ErrorEstimate:
    """Measure the sup error of ``net`` against ``target`` on ``domain``.

    Parameters
    ----------
    net : FeedForward
    target : str, Target or callable
    domain : Box or str, optional
        Default: the target's natural domain, else :math:`[0,1]^{d_x}`.
    method : {"auto", "exact-1d", "regions-2d", "regions-3d", "grid"}
    rtol : float
        Refine until ``high - low <= rtol * low`` (or the budget ends).
    max_evals : int
        Budget of target evaluations for the refinement.
    max_regions, max_pieces : int
        Budgets of the exact enumerations (:class:`~uat.errors.BudgetExceeded` beyond).
    points_per_axis : int, optional
        Grid route: initial points per axis (default from the network's cost).
    lipschitz : float, optional
        Declare a Lipschitz constant of the target (an assumption, recorded as such).

    Returns
    -------
    ErrorEstimate
        ``norm="sup"``; ``value`` is the attained maximum, ``high`` the certified bound.
    """
    net = ensure_network(net)
    method = ensure_method(method, SUP_METHODS, "sup_error")
    target = ensure_target(target, net)
    if lipschitz is not None:
        target = make_target(target, lipschitz=lipschitz)
    box = ensure_domain(domain, net, target)
    where = {"domain": str(box), "target": target.name}
    max_evals = ensure_int(max_evals, "max_evals", low=1)
    max_regions = ensure_int(max_regions, "max_regions", low=1)
    max_pieces = ensure_int(max_pieces, "max_pieces", low=1)
    if points_per_axis is not None:
        points_per_axis = ensure_int(points_per_axis, "points_per_axis", low=1)
    rtol = ensure_tolerance(rtol, "rtol")
    pl = supports_pieces(net)
    chosen = method
    if method == "auto":
        chosen = {1: "exact-1d", 2: "regions-2d", 3: "regions-3d"}.get(net.input_dim, "grid") if pl else "grid"
    if chosen == "exact-1d":
        if not (pl and net.input_dim == 1):
            raise MethodError(_not_applicable("exact-1d", net, 1))
        result = sup_exact_1d(net, target, box, rtol=rtol, max_evals=max_evals, max_pieces=max_pieces)
        return result.with_details(**where)
    if chosen in ("regions-2d", "regions-3d"):
        dim = int(chosen[-2])
        if not (pl and net.input_dim == dim):
            raise MethodError(_not_applicable(chosen, net, dim))
        route = sup_regions_2d if dim == 2 else sup_regions_3d
        try:
            return route(net, target, box, rtol=rtol, max_evals=max_evals,
                         max_regions=max_regions).with_details(**where)
        except BudgetExceeded as exc:
            if method != "auto":
                raise
            fallback = sup_grid(net, target, box, rtol=rtol, max_evals=max_evals, points_per_axis=points_per_axis)
            notes = list(fallback.details.get("notes", ())) + [f"exact regions abandoned: {exc}"]
            return fallback.with_details(notes=notes, fallback_from=chosen, **where)
    result = sup_grid(net, target, box, rtol=rtol, max_evals=max_evals, points_per_axis=points_per_axis)
    return result.with_details(**where)


def _not_applicable(method: str, net: Any, dim: int) -> str:
    return (
        f"method {method!r} needs {dim} input(s) and piecewise-linear or step activations; this network has "
        f"{net.input_dim} input(s) and activations {', '.join(map(str, net.activations))}; use method='grid'"
    )
