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

from uat.domains import Box
from uat.errors import ParameterError
from uat.targets import Target

from ._cli import options_from_args
from ._common import lp_exponent, positive_eps, progress_meter, target_and_box
from ._registry import Construction
from ._relu_plan import Plan

__all__ = [
    "normalise", "check_overrides", "progress_meter", "add_arguments", "from_args", "construction_result",
    "OVERRIDES_LP", "as_bool",
]

OVERRIDES_LP = ("bits", "levels", "ramp", "lipschitz", "cell_values", "exact", "max_cells")


def as_bool(value: Any, name: str) -> bool | None:
    """A boolean override (``exact=...``) from a bool, 0/1 or the text true/false/yes/no.

    Parameters
    ----------
    value : bool, int, str or None
        The user's value; None stays None (the builder decides).
    name : str
        The parameter's name, for the error message.

    Returns
    -------
    bool or None
    """
    if value is None or isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
        return value.lower() in ("true", "yes", "1")
    raise ParameterError(f"{name} must be true or false, got {value!r}")


def normalise(target: Any, *, eps: Any, p: Any, domain: Any, input_dim: Any, output_dim: Any,
              norm: str = "lp", name: str) -> tuple[Target, Box, float, float]:
    """Validate the common builder arguments once (:mod:`constructions._common`).

    Parameters
    ----------
    target, domain, input_dim, output_dim
        As for :func:`constructions._common.target_and_box`.
    eps : float
        The requested accuracy (required).
    p : float
        The L^p exponent (``norm="lp"``); ignored for ``norm="sup"``.
    norm : {"lp", "sup"}
        The norm of the construction.
    name : str
        The construction name, prefixed to the error messages.

    Returns
    -------
    (Target, Box, float, float)
        The target, the box, eps and p (``inf`` for the uniform norm).
    """
    t, box = target_and_box(target, domain, input_dim=input_dim, output_dim=output_dim, name=name)
    eps = positive_eps(eps, name=name)
    p = lp_exponent(p, name=name, hint=" (for the uniform norm use relu-uniform-1d)") if norm == "lp" else math.inf
    return t, box, eps, p


def check_overrides(overrides: Mapping[str, Any], allowed: Iterable[str], name: str) -> None:
    """Refuse any override a ReLU construction does not know, listing the valid ones.

    Parameters
    ----------
    overrides : mapping
        The builder's ``**overrides``.
    allowed : iterable of str
        The construction's override names.
    name : str
        The construction name.
    """
    allowed = tuple(allowed)
    bad = sorted(set(overrides) - set(allowed))
    if bad:
        raise ParameterError(f"{name}: unknown parameter(s) {', '.join(bad)}; valid: {', '.join(allowed)}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Extra CLI options of the ReLU constructions (the rest goes through --param KEY=VALUE)."""
    parser.add_argument("--exact", action="store_true",
                        help="build a network of exact rationals (evaluate it with evaluate_exact; no float64 budget)")


from_args = options_from_args(flags=("exact",))
"""Builder keywords of the ReLU sub-commands: the common options plus ``exact=True`` when ``--exact`` is given."""


def construction_result(net: Any, *, name: str, theorem: str, width: int, target: Target, box: Box, eps: float,
                        p: float, plan: Plan | None, parameters: Mapping[str, Any], predicted: float,
                        precision: Mapping[str, Any], notes: str, extra: Mapping[str, Any]) -> Construction:
    """The :class:`~constructions.Construction` of a ReLU witness, with the plan's error terms and assumptions.

    Parameters
    ----------
    net : FeedForward
        The witness.
    name, theorem : str
        Construction name and catalogue theorem id.
    width : int
        The claimed width.
    target : Target
        The target.
    box : Box
        The recorded domain.
    eps, p : float
        Requested accuracy and exponent (``inf``: the uniform norm, recorded as ``p = None``).
    plan : Plan or None
        The L^p plan (its ``terms``, ``assumptions`` and grid model go into the metadata).
    parameters, precision : mapping
        The parameters used and the precision budget.
    predicted : float
        The a-priori error bound.
    notes : str
        How the error arises.
    extra : mapping
        Further witness metadata.

    Returns
    -------
    Construction
    """
    md = dict(extra)
    if eps is not None and math.isfinite(float(predicted)) and float(predicted) > eps:
        # kept because the user fixed the parameters (bits, levels, ...): say so first, as rnn-lp does
        notes = (f"WARNING: the a-priori bound {float(predicted):.3g} exceeds eps = {eps:g} with the given "
                 f"parameters; only `uat verify` can pass this witness; " + notes)
    elif eps is not None and not math.isfinite(float(predicted)):
        notes = f"WARNING: no finite a-priori bound at eps = {eps:g}; only `uat verify` can pass this witness; " + notes
    if plan is not None:
        md.setdefault("error_terms", {k: float(v) for k, v in plan.terms.items()})
        md.setdefault("assumptions", list(plan.assumptions))
        md.setdefault("grid_model", plan.grid.method if plan.grid is not None else None)
    return Construction(
        network=net, name=name, theorem=theorem, width=width, parameters=dict(parameters),
        predicted_error=float(predicted), precision=dict(precision), notes=notes, target=target.name,
        domain=str(box), epsilon=eps, p=None if math.isinf(p) else p, extra_metadata=md,
    )
