"""The handler for feed-forward networks (``uat.network/1`` witnesses)."""

from __future__ import annotations

from typing import Any

from uat.errors import ParameterError
from uat.network import FeedForward

from ._dispatch import Handler, register_handler
from .lp import lp_error
from .sup import sup_error

_SUP_OPTIONS = {"method", "rtol", "max_evals", "max_regions", "max_pieces", "points_per_axis", "lipschitz"}
_LP_OPTIONS = {"method", "m", "n", "replicates", "seed", "confidence", "rtol", "cert_rtol", "max_intervals",
               "max_pieces", "max_regions", "max_triangles", "max_tetrahedra"}


def measure_feedforward(net: FeedForward, target: Any, *, domain: Any = None, norm: str = "sup",
                        p: float | None = None, **options: Any):
    given = {k: v for k, v in options.items() if v is not None}
    if norm == "sup":
        unknown = set(given) - _SUP_OPTIONS
        if unknown:
            raise ParameterError(f"options {sorted(unknown)} do not apply to the sup norm; valid: {sorted(_SUP_OPTIONS)}")
        return sup_error(net, target, domain, **given)
    unknown = set(given) - _LP_OPTIONS
    if unknown:
        raise ParameterError(f"options {sorted(unknown)} do not apply to the L^p norm; valid: {sorted(_LP_OPTIONS)}")
    return lp_error(net, target, domain, p=2 if p is None else p, **given)


def describe_feedforward(net: FeedForward) -> dict:
    return {"width": net.width, "depth": net.depth, "text": repr(net), "input_dim": net.input_dim,
            "output_dim": net.output_dim}


def plot_feedforward(net: FeedForward, target: Any, *, domain: Any, result: Any, out: str) -> None:
    from .plot import plot_error

    plot_error(net, target, domain, result=result, out=out)


register_handler(Handler(FeedForward, "feed-forward network", ("sup", "lp"), measure_feedforward,
                         describe_feedforward, plot_feedforward,
                         options=tuple(sorted(_SUP_OPTIONS | _LP_OPTIONS))))
