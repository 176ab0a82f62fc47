r"""Frozen result records of the error measures.

An :class:`ErrorEstimate` is what every measuring function returns: a number together with
the interval it is known to lie in and the reason why.  ``certified=True`` means that
``low <= true error <= high`` follows from a proof (with the premises listed in
``assumptions``; float64 rounding in the arithmetic of the certificate itself is not
enclosed, and is said so).  ``certified=False`` means the interval is a statistical
confidence interval (QMC, Monte Carlo) or an error *estimate* (quadrature without
derivative information), or that no upper bound is known (``high = inf``).

>>> r = ErrorEstimate(value=0.1, low=0.09, high=0.11, certified=True, method="exact-1d",
...                   n_evals=10, assumptions=("f'' bounded by 2 (declared)",), norm="sup")
>>> r.judged_value, round(r.gap, 12)
(0.11, 0.02)
>>> r.value = 1.0
Traceback (most recent call last):
...
dataclasses.FrozenInstanceError: cannot assign to field 'value'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

__all__ = ["ErrorEstimate", "FloatError", "sup_estimate", "rounding_level", "widen_for_rounding"]


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _plain(value: Any) -> Any:
    """JSON-ready copy (tuples -> lists, mappings -> dicts, numpy scalars -> Python)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


@dataclass(frozen=True)
class ErrorEstimate:
    """The measured error of a network against a target, with its interval and provenance.

    Attributes
    ----------
    value : float
        The best estimate of the error (the attained maximum for sup norms; the quadrature
        or sample-mean value for :math:`L^p`).
    low, high : float
        An interval for the true error: proved when ``certified``, otherwise a confidence
        interval or estimate (``high = inf`` when nothing bounds it).
    certified : bool
        True when ``[low, high]`` is proved under ``assumptions``.
    method : str
        The method that produced the result (``"exact-1d"``, ``"regions-2d"``, ``"regions-3d"``,
        ``"grid-lipschitz"``, ``"qmc"``, ``"mc"``, ``"grid"``).
    n_evals : int
        Target evaluations used (network evaluations are reported in ``details``).
    assumptions : tuple of str
        The premises of the certificate (derivative bounds and where they come from,
        arithmetic model), or the caveats of an estimate.
    norm : str
        ``"sup"`` or ``"lp"``.
    p : float or None
        The exponent for ``norm == "lp"``.
    argmax : tuple of float or None
        A point where the reported (attained) sup error is attained.
    parameters : mapping
        The method's parameters (points, replicates, seed, tolerances, budgets).
    details : mapping
        Further diagnostics (pieces or regions, gap, piece-vs-forward agreement, notes).
    """

    value: float
    low: float
    high: float
    certified: bool
    method: str
    n_evals: int = 0
    assumptions: tuple[str, ...] = ()
    norm: str = "sup"
    p: float | None = None
    argmax: tuple[float, ...] | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("value", "low", "high"):
            object.__setattr__(self, name, float(getattr(self, name)))
        object.__setattr__(self, "assumptions", tuple(str(a) for a in self.assumptions))
        object.__setattr__(self, "parameters", _freeze(dict(self.parameters)))
        object.__setattr__(self, "details", _freeze(dict(self.details)))
        if self.argmax is not None:
            object.__setattr__(self, "argmax", tuple(float(v) for v in self.argmax))

    @property
    def judged_value(self) -> float:
        """What a verdict compares with epsilon: ``high`` when certified, else ``value``."""
        return self.high if self.certified else self.value

    @property
    def gap(self) -> float:
        """``high - low`` (the width of the interval)."""
        return self.high - self.low

    @property
    def vacuous(self) -> bool:
        """True when no finite upper bound is known."""
        return not math.isfinite(self.high)

    def with_details(self, **extra: Any) -> "ErrorEstimate":
        """A copy with entries added to ``details``."""
        d = dict(self.details)
        d.update(extra)
        return replace(self, details=d)

    def describe(self) -> str:
        """One line: value, interval, certified or not, method."""
        norm = "sup" if self.norm == "sup" else f"L^{self.p:g}"
        kind = "certified" if self.certified else ("uncertified, no upper bound" if self.vacuous else "estimate (uncertified)")
        where = ""
        if self.argmax is not None:
            where = " at x* = (" + ", ".join(f"{v:.6g}" for v in self.argmax) + ")"
        return (
            f"{norm} error {self.value:.6e}{where}; interval [{self.low:.6e}, {self.high:.6e}] "
            f"({kind}; method {self.method}, {self.n_evals} target evaluations)"
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``inf`` becomes the string ``"inf"``)."""
        return _plain(
            {
                "value": self.value,
                "low": self.low,
                "high": self.high,
                "certified": self.certified,
                "method": self.method,
                "norm": self.norm,
                "p": self.p,
                "n_evals": self.n_evals,
                "argmax": self.argmax,
                "assumptions": list(self.assumptions),
                "parameters": self.parameters,
                "details": self.details,
            }
        )


ROUNDING_ULPS = 8  # float64 evaluation error of f and N, in ulps of their size


def rounding_level(scale: float) -> float:
    """The float64 rounding level of ``|f - N|`` when ``f`` and ``N`` are about ``scale`` in size.

    ``ROUNDING_ULPS * 2^-52 * scale``: the error is computed as a difference of two float64 values
    of that size, so near ``x = 10^6`` with ``f = x^2`` it is known only to about ``10^-4``.
    """
    return ROUNDING_ULPS * float(np.finfo(np.float64).eps) * float(scale)


def widen_for_rounding(low: float, high: float, scale: float, notes: list, *, weight: float = 1.0,
                       what: str = "") -> tuple[float, float]:
    """``[low, high]`` widened on both sides by ``weight * rounding_level(scale)``.

    ``weight`` is :math:`|D|^{1/p}` for an :math:`L^p` norm (1 for the sup); a note is appended to
    ``notes`` when the widening is more than 1e-3 of the interval's width.
    """
    rho = rounding_level(scale) * weight
    if rho > 1e-3 * (high - low):
        notes.append(f"f and N are about {scale:.2e} in size: the interval is widened by their float64 rounding "
                     f"level {rho:.2e} ({what}{ROUNDING_ULPS} ulps)")
    return max(0.0, low - rho), high + rho


def sup_estimate(low: float, high: float, argmax: Any, *, certified: bool, method: str, n_evals: int,
                 assumptions: Any, parameters: Mapping[str, Any], details: Mapping[str, Any],
                 scale: float = 1.0) -> ErrorEstimate:
    """A sup-norm result: the attained maximum ``low`` (at ``argmax``) is the value and ``[low, high]`` the interval.

    A certified interval is widened by :func:`widen_for_rounding` at ``scale`` (the size of the
    values of ``f`` and ``N`` that were compared; its note goes to ``details["notes"]``); the value
    stays the measured maximum.  An uncertified result adds the caveat
    ``"no certificate (see details.notes)"`` to its assumptions.
    """
    value = low
    if certified:
        notes = list(details.get("notes", ()))
        low, high = widen_for_rounding(low, high, scale, notes)
        details = {**details, "notes": notes}
    caveat = () if certified else ("no certificate (see details.notes)",)
    return ErrorEstimate(value=value, low=low, high=high, certified=certified, method=method, n_evals=n_evals,
                         assumptions=tuple(assumptions) + caveat, norm="sup",
                         argmax=tuple(float(v) for v in np.ravel(argmax)), parameters=parameters,
                         details=details)


@dataclass(frozen=True)
class FloatError:
    """float64 evaluation measured against exact rational evaluation at sample points.

    Attributes
    ----------
    max_abs : float
        :math:`\\max_i \\|N_{64}(x_i) - N(x_i)\\|_\\infty` where :math:`N` is evaluated exactly.
    max_rel : float
        ``max_abs`` divided by the output scale :math:`\\max(1, \\max_i \\|N(x_i)\\|_\\infty)`.
    scale : float
        The output scale used for ``max_rel``.
    argmax : tuple of float
        The sample point with the largest discrepancy.
    n_points : int
    errors : tuple of float
        The discrepancy at each point.
    mode : str
        ``"exact-weights"`` (the network's own rational weights) or ``"float-weights"``
        (the exact values of the stored float64 weights).
    """

    max_abs: float
    max_rel: float
    scale: float
    argmax: tuple[float, ...]
    n_points: int
    errors: tuple[float, ...]
    mode: str

    def describe(self) -> str:
        return (
            f"float64 vs exact evaluation at {self.n_points} points: max abs error {self.max_abs:.3e} "
            f"(relative {self.max_rel:.3e} to the output scale {self.scale:.3g}), mode {self.mode}"
        )
