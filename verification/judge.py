"""Judging: compare a measured error with epsilon and explain the verdict.

Measuring (:func:`verification.sup_error`, :func:`verification.lp_error`) returns numbers;
:func:`assert_approximates` decides.  A certified result is judged by its upper bound
``high``; an uncertified one by its estimate ``value`` (or refused, with
``require_certified=True``).  The report includes the width check of the theorem
catalogue (:func:`uat.check_width`).

>>> from uat import FeedForward
>>> from uat.targets import make_target
>>> hat = FeedForward.from_layers([([[2], [4]], [0, -2], "relu"), ([[1, -1]], [0])])
>>> zero = make_target(lambda x: 0 * x, input_dim=1, lipschitz=0.0)
>>> assert_approximates(hat, zero, 1.5).certified
True
>>> assert_approximates(hat, zero, 0.5)
Traceback (most recent call last):
...
uat.errors.NotApproximating: the network does not approximate the target to epsilon = 0.5 in the sup norm
...
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from uat.errors import NotApproximating, ParameterError, UatError

from ._dispatch import handler_for, normalise_norm
from ._result import ErrorEstimate

__all__ = ["assert_approximates", "Verdict", "judge", "width_report", "format_report"]


@dataclass(frozen=True)
class Verdict:
    """The outcome of judging one measurement against epsilon."""

    passed: bool
    eps: float | None
    compared: float
    reason: str


def judge(result: ErrorEstimate, eps: float | None, *, require_certified: bool = False) -> Verdict:
    """Decide whether ``result`` is below ``eps`` (see the module docstring)."""
    if eps is None:
        return Verdict(True, None, result.judged_value, "no epsilon given: nothing to judge")
    if result.certified:
        what = "certified upper bound"
    elif result.vacuous:  # no finite upper bound: the value may be far below the true error
        what = "estimate (uncertified; no upper bound is known, so the true error may be larger)"
    else:
        what = "estimate (uncertified)"
    x = result.judged_value
    if require_certified and not result.certified:
        return Verdict(False, eps, x, f"the result is not certified ({result.method}) and a certificate was required")
    if x <= eps:
        return Verdict(True, eps, x, f"{what} {x:.6e} <= epsilon {eps:g}")
    return Verdict(False, eps, x, f"{what} {x:.6e} > epsilon {eps:g}")


def _is_deepsets(value: Any) -> bool:
    return hasattr(value, "set_size")


def _check_norm(value: Any, norm: str) -> str | None:
    if _is_deepsets(value):
        return None  # DeepSets widths are about exact representation, not a norm
    return "lp" if norm == "lp" else "uniform"


def _domain_kind(theorem: str | None) -> str:
    """``"whole"`` for witnesses of a whole-space theorem (L^p on R^d_x), else ``"compact"``."""
    if not theorem:
        return "compact"
    try:
        from uat.theorems import get_theorem

        return "whole" if get_theorem(theorem).domain == "whole" else "compact"
    except Exception:  # an unknown theorem id is reported by the caller
        return "compact"


def _theorem_text(value: Any, theorem: str) -> tuple[str, dict]:
    """The width that the theorem recorded in the witness promises at the witness's dimensions."""
    from uat.theorems import get_theorem

    th = get_theorem(theorem)
    if _is_deepsets(value):  # DeepSets theorems are stated in (N, D)
        a, b, names = value.set_size, value.input_dim, "(N, D)"
    else:
        a, b, names = getattr(value, "input_dim", None), getattr(value, "output_dim", None), "(d_x, d_y)"
    lo, up = th.lower_at(a, b), th.upper_at(a, b)
    width = getattr(value, "width", None)
    if lo is not None and lo == up:
        bound = f"= {lo}"
    else:
        bound = " and ".join(x for x in (f">= {lo}" if lo is not None else "", f"<= {up}" if up is not None else "") if x)
    text = f"theorem {theorem} at {names} = ({a}, {b}): minimum width {bound or 'not stated there'}; witness width {width}"
    return text, {"theorem": theorem, "lower": lo, "upper": up, "width": width}


def width_report(value: Any, norm: str, theorem: str | None = None) -> tuple[str, dict | None]:
    """The catalogue's width check for ``value`` and, when given, its recorded theorem (text, JSON dict)."""
    parts: list[str] = []
    info: dict = {}
    try:
        import uat

        check = getattr(uat, "check_width", None)
        if check is None:
            parts.append("width check unavailable (uat.check_width is not installed)")
        else:
            res = check(value, norm=_check_norm(value, norm), domain=_domain_kind(theorem))
            parts.append(str(res))
            info.update(res.to_dict() if hasattr(res, "to_dict") else {"message": str(res)})
    except Exception as exc:  # the width check must never hide the measurement
        # a UatError here means that no catalogued theorem applies (e.g. DeepSets at D = 1), not a failure
        parts.append(f"{'no theorem applies' if isinstance(exc, UatError) else 'width check failed'}: {exc}")
    if theorem:
        try:
            text, th = _theorem_text(value, theorem)
            parts.append(text)
            info["recorded_theorem"] = th
        except Exception as exc:
            parts.append(f"recorded theorem {theorem!r}: {exc}")
    return "; ".join(parts), (info or None)


def format_report(
    value: Any,
    target_text: str,
    domain_text: str,
    result: ErrorEstimate,
    verdict: Verdict,
    width_text: str,
    *,
    describe: dict | None = None,
) -> str:
    """The human-readable report used by ``uat verify`` and :func:`assert_approximates`."""
    norm = "sup" if result.norm == "sup" else (f"L^{result.p:g}" if result.p is not None else result.norm)
    lines = []
    net_text = (describe or {}).get("text", repr(value))
    lines.append(f"network     {net_text}")
    lines.append(f"target      {target_text} on {domain_text}")
    lines.append(f"norm        {norm}")
    where = ""
    if result.argmax is not None:
        where = " at x* = (" + ", ".join(f"{v:.6g}" for v in result.argmax) + ")"
    lines.append(f"error       {result.value:.6e}{where}")
    kind = "certified" if result.certified else ("no upper bound (uncertified)" if result.vacuous else "not certified")
    lines.append(f"interval    [{result.low:.6e}, {result.high:.6e}]  {kind}")
    params = ", ".join(f"{k}={v}" for k, v in result.parameters.items())
    lines.append(f"method      {result.method} ({params}); {result.n_evals} target evaluations")
    for i, a in enumerate(result.assumptions):
        lines.append(("assumptions " if i == 0 else "            ") + f"- {a}")
    for note in result.details.get("notes", ()):
        lines.append(f"note        {note}")
    width = (describe or {}).get("width", getattr(value, "width", "?"))
    lines.append(f"width       {width}: {width_text}")
    status = "PASS" if verdict.passed and verdict.eps is not None else ("FAIL" if not verdict.passed else "-")
    lines.append(f"verdict     {status}: {verdict.reason}")
    return "\n".join(lines)


def assert_approximates(
    net: Any,
    target: Any,
    eps: float,
    *,
    norm: str = "sup",
    p: float | None = None,
    domain: Any = None,
    require_certified: bool = False,
    **options: Any,
) -> ErrorEstimate:
    """Assert that ``net`` approximates ``target`` to ``eps`` in the given norm.

    Parameters
    ----------
    net : FeedForward (or another witness kind with a registered verifier)
    target : str, Target or callable
    eps : float
        The accuracy to check, > 0.
    norm : {"sup", "lp"}
        ``"uniform"`` is accepted for ``"sup"``.
    p : float, optional
        The exponent for ``norm="lp"`` (default 2).
    domain : Box or str, optional
    require_certified : bool
        Fail unless the measurement is certified.
    **options
        Passed to the measuring function (``method``, ``seed``, ``m``, ``max_regions``, ...).

    Returns
    -------
    ErrorEstimate
        The measurement, when the verdict is a pass.

    Raises
    ------
    NotApproximating
        With the full report, when the verdict is a fail.
    """
    __tracebackhide__ = True
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not (math.isfinite(eps) and eps > 0):
        raise ParameterError(f"eps must be a finite number > 0, got {eps!r}")
    h = handler_for(net)
    norm = normalise_norm(norm, h)
    result = h.measure(net, target, domain=domain, norm=norm, p=p, **options)
    verdict = judge(result, float(eps), require_certified=require_certified)
    if verdict.passed:
        return result
    width_text, _ = width_report(net, norm)
    target_text = getattr(target, "name", None) or (target if isinstance(target, str) else getattr(target, "__name__", repr(target)))
    domain_text = str(domain) if domain is not None else "the default domain"
    report = format_report(net, str(target_text), domain_text, result, verdict, width_text, describe=h.describe(net))
    label = "sup" if norm == "sup" else f"L^{result.p:g}" if result.p else norm
    raise NotApproximating(
        f"the network does not approximate the target to epsilon = {eps:g} in the {label} norm\n{report}"
    )
