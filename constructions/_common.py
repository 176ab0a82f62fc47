r"""Boundary checks shared by every construction family (ReLU, leaky ReLU, RNN, DeepSets).

Each builder validates its user-facing arguments once, here, and gets back normalised
values; every refusal is a :class:`uat.errors.ParameterError` naming the value and the fix.

>>> positive_eps("0.05", 0.1), positive_eps(None, 0.1), lp_exponent(None)
(0.05, 0.1, 2.0)
>>> positive_eps(-1, 0.1)
Traceback (most recent call last):
...
uat.errors.ParameterError: eps must be a positive finite number, got -1
>>> lp_exponent(0.5, name="leaky-lp")
Traceback (most recent call last):
...
uat.errors.ParameterError: leaky-lp: the L^p exponent p must satisfy 1 <= p < inf, got 0.5
"""

from __future__ import annotations

import math
from typing import Any

from uat._progress import Progress
from uat.domains import Box, parse_domain
from uat.errors import ParameterError
from uat.targets import Target, make_target

__all__ = [
    "REQUIRED", "positive_eps", "lp_exponent", "positive_int", "optional_positive_int", "target_and_box",
    "progress_meter", "all_dims",
]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
"""Marker default: the argument has no default and must be given."""


def _prefix(name: str) -> str:
    return f"{name}: " if name else ""


def positive_eps(eps: Any, default: Any = REQUIRED, *, name: str = "") -> Any:
    r"""The requested accuracy :math:`\varepsilon` as a float, :math:`0 < \varepsilon < \infty`.

    Parameters
    ----------
    eps : float, str or None
        The user's value (a number or its text).
    default : float or None, optional
        Returned when ``eps`` is None; without it ``eps`` is required.
    name : str, optional
        The construction name, prefixed to the error messages.

    Returns
    -------
    float or None
        ``float(eps)``, or ``default`` when ``eps`` is None.

    Raises
    ------
    ParameterError
        ``eps`` missing (and required), not a number (booleans included), zero, negative,
        NaN or infinite.
    """
    if eps is None:
        if default is REQUIRED:
            raise ParameterError(f"{_prefix(name)}eps (the requested accuracy) is required, e.g. eps=0.05")
        return default
    try:
        if isinstance(eps, bool):
            raise TypeError
        e = float(eps)
    except (TypeError, ValueError):
        raise ParameterError(f"{_prefix(name)}eps must be a positive number, got {eps!r}") from None
    if not (math.isfinite(e) and e > 0):
        raise ParameterError(f"{_prefix(name)}eps must be a positive finite number, got {eps!r}")
    return e


def lp_exponent(p: Any, default: float = 2.0, *, name: str = "", hint: str = "") -> float:
    r"""The exponent of the :math:`L^p` norm :math:`\|f\|_p = (\int |f|^p)^{1/p}`, :math:`1 \le p < \infty`.

    Parameters
    ----------
    p : float, str or None
        The user's value; None gives ``default``.
    default : float, optional
        The exponent used when ``p`` is None (2).
    name : str, optional
        The construction name, prefixed to the error messages.
    hint : str, optional
        Appended to the range error (e.g. where to go for the uniform norm).

    Returns
    -------
    float
        The exponent.

    Raises
    ------
    ParameterError
        ``p`` not a number, below 1, infinite or NaN.
    """
    if p is None:
        return float(default)
    try:
        if isinstance(p, bool):
            raise TypeError
        pf = float(p)
    except (TypeError, ValueError):
        raise ParameterError(f"{_prefix(name)}p must be a number in [1, inf), got {p!r}") from None
    if not (1 <= pf < math.inf):
        raise ParameterError(f"{_prefix(name)}the L^p exponent p must satisfy 1 <= p < inf, got {p!r}{hint}")
    return pf


def positive_int(key: str, value: Any) -> int:
    """An integer parameter that must be at least 1 (counts of knots, features, codes, levels ...).

    Parameters
    ----------
    key : str
        The parameter's name, for the error message.
    value : int
        The user's value (booleans are refused).

    Returns
    -------
    int
        ``value`` unchanged.

    Raises
    ------
    ParameterError
        ``value`` is not an integer or is below 1.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(f"{key} must be a positive integer, got {value!r}")
    return value


def optional_positive_int(key: str, value: Any) -> int | None:
    """:func:`positive_int`, with None passed through (the builder then chooses the value).

    Parameters
    ----------
    key : str
        The parameter's name, for the error message.
    value : int or None
        The user's value.

    Returns
    -------
    int or None
        ``value`` unchanged.
    """
    return None if value is None else positive_int(key, value)


def target_and_box(target: Any, domain: Any, *, input_dim: Any = None, output_dim: Any = None,
                   name: str = "") -> tuple[Target, Box]:
    r"""The target :math:`f: \mathbb R^{d_x} \to \mathbb R^{d_y}` and the box :math:`K` it is approximated on.

    The box is ``domain`` when given, else the target's own domain, else :math:`[0,1]^{d_x}`.

    Parameters
    ----------
    target : str, callable or Target
        An expression, a library name, a vectorised callable (with ``input_dim``) or a
        :class:`~uat.targets.Target`.
    domain : str, Box or None
        The domain box (e.g. ``"[0,1]^2"``).
    input_dim, output_dim : int, optional
        :math:`d_x`, :math:`d_y` (checked against the target's).
    name : str, optional
        The construction name, prefixed to the error message.

    Returns
    -------
    (Target, Box)

    Raises
    ------
    ParameterError
        No target given.
    """
    if target is None:
        raise ParameterError(f"{_prefix(name)}a target is needed (an expression such as 'sin(2*pi*x1)*x2', a library "
                             "name, a vectorised callable with input_dim=..., or a Target)")
    t = make_target(target, input_dim=input_dim, output_dim=output_dim)
    if domain is None and t.domain is not None:
        return t, t.domain
    return t, parse_domain(domain, dim=t.input_dim)


def progress_meter(progress: Any, label: str, total: int | None = None) -> Progress:
    """The progress meter of a build: ``"auto"`` (on a terminal), ``"force"`` or ``"quiet"``.

    Parameters
    ----------
    progress : {"auto", "force", "quiet"} or bool or None
        ``True`` means ``"force"``, ``False`` ``"quiet"``, None ``"auto"``.
    label : str
        Shown in front of the meter (the construction name).
    total : int, optional
        The number of steps, when known in advance.

    Returns
    -------
    uat._progress.Progress
        A context manager; ``advance(n, note)`` moves it.
    """
    if progress not in ("auto", "force", "quiet", True, False, None):
        raise ParameterError(f"progress must be 'auto', 'force' or 'quiet', got {progress!r}")
    return Progress(label, total, force=progress in ("force", True), quiet=progress in ("quiet", False))


def all_dims(d_x: int = 1, d_y: int = 1, **_: Any) -> bool:
    r"""``supports`` of a construction that applies to every :math:`d_x, d_y \ge 1`.

    Parameters
    ----------
    d_x, d_y : int
        Input and output dimensions (other keywords, e.g. the horizon, are ignored).

    Returns
    -------
    bool
    """
    return d_x >= 1 and d_y >= 1
