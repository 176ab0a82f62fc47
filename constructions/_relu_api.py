"""The public boundary shared by the ReLU constructions: validation, progress, CLI options, results.

Builders take ``(target, *, eps, p=..., domain=None, input_dim=None, output_dim=None,
progress="auto", **overrides)``; the overrides each construction accepts are listed in its
``OVERRIDES`` and validated here (an unknown name raises :class:`uat.errors.ParameterError`
listing the valid ones).
"""

from __future__ import annotations

import argparse
import math
from typing import Any, Iterable, Mapping

from uat._progress import Progress
from uat.domains import Box, parse_domain
from uat.errors import ParameterError
from uat.targets import Target, make_target

from ._cli import options_from_args
from ._registry import Construction
from ._relu_plan import Plan

__all__ = [
    "normalise", "check_overrides", "progress_meter", "add_arguments", "from_args", "construction_result",
    "OVERRIDES_LP", "as_bool",
]

OVERRIDES_LP = ("bits", "levels", "ramp", "lipschitz", "cell_values", "exact", "max_cells")


def as_bool(value: Any, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
        return value.lower() in ("true", "yes", "1")
    raise ParameterError(f"{name} must be true or false, got {value!r}")


def normalise(target: Any, *, eps: Any, p: Any, domain: Any, input_dim: Any, output_dim: Any,
              norm: str = "lp", name: str) -> tuple[Target, Box, float, float]:
    """Validate the common builder arguments once; returns (target, box, eps, p)."""
    if target is None:
        raise ParameterError(f"{name}: a target is needed (an expression such as 'sin(2*pi*x1)*x2', a library "
                             "name, a vectorised callable with input_dim=..., or a Target)")
    if eps is None:
        raise ParameterError(f"{name}: eps (the requested accuracy) is required, e.g. eps=0.05")
    try:
        eps = float(eps)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}: eps must be a number, got {eps!r}") from None
    if not (eps > 0 and math.isfinite(eps)):
        raise ParameterError(f"{name}: eps must be a positive finite number, got {eps!r}")
    if norm == "lp":
        try:
            p = float(p)
        except (TypeError, ValueError):
            raise ParameterError(f"{name}: p must be a number >= 1, got {p!r}") from None
        if not (p >= 1 and math.isfinite(p)):
            raise ParameterError(f"{name}: the L^p exponent p must satisfy 1 <= p < inf, got {p!r} "
                                 "(for the uniform norm use relu-uniform-1d)")
    else:
        p = math.inf
    t = make_target(target, input_dim=input_dim, output_dim=output_dim)
    if domain is None and t.domain is not None:
        box = t.domain
    else:
        box = parse_domain(domain, dim=t.input_dim)
    return t, box, eps, p


def check_overrides(overrides: Mapping[str, Any], allowed: Iterable[str], name: str) -> None:
    allowed = tuple(allowed)
    bad = sorted(set(overrides) - set(allowed))
    if bad:
        raise ParameterError(f"{name}: unknown parameter(s) {', '.join(bad)}; valid: {', '.join(allowed)}")


def progress_meter(progress: Any, label: str, total: int | None) -> Progress:
    if progress not in ("auto", "force", "quiet"):
        raise ParameterError(f"progress must be 'auto', 'force' or 'quiet', got {progress!r}")
    return Progress(label, total, force=progress == "force", quiet=progress == "quiet")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Extra CLI options of the ReLU constructions (the rest goes through --param KEY=VALUE)."""
    parser.add_argument("--exact", action="store_true",
                        help="build a network of exact rationals (evaluate it with evaluate_exact; no float64 budget)")


from_args = options_from_args(flags=("exact",))
"""Builder keywords of the ReLU sub-commands: the common options plus ``exact=True`` when ``--exact`` is given."""


def construction_result(net: Any, *, name: str, theorem: str, width: int, target: Target, box: Box, eps: float,
                        p: float, plan: Plan | None, parameters: Mapping[str, Any], predicted: float,
                        precision: Mapping[str, Any], notes: str, extra: Mapping[str, Any]) -> Construction:
    md = dict(extra)
    if plan is not None:
        md.setdefault("error_terms", {k: float(v) for k, v in plan.terms.items()})
        md.setdefault("assumptions", list(plan.assumptions))
        md.setdefault("grid_model", plan.grid.method if plan.grid is not None else None)
    return Construction(
        network=net, name=name, theorem=theorem, width=width, parameters=dict(parameters),
        predicted_error=float(predicted), precision=dict(precision), notes=notes, target=target.name,
        domain=str(box), epsilon=eps, p=None if math.isinf(p) else p, extra_metadata=md,
    )
