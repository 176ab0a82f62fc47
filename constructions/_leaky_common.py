"""Shared boundary code of the leaky-ReLU constructions: slope, target, domain, modulus, progress.

Validation happens once here, at the public boundary of each builder.

>>> parse_alpha("1/4"), parse_alpha(0.5)
(Fraction(1, 4), Fraction(1, 2))
>>> parse_alpha("1/3")
Traceback (most recent call last):
...
uat.errors.ParameterError: the leaky slope must be a power of two 2^-m (m = 1..6) so that every lattice scaling is exact in binary; got 1/3 (use 1/2 or 1/4)
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from uat.domains import Box
from uat.errors import ParameterError, UatError
from uat.targets import Target

from ._cli import options_from_args
from ._common import positive_eps, progress_meter, target_and_box

__all__ = [
    "parse_alpha", "prepare", "Modulus", "modulus", "progress_meter", "check_eps", "catalogue_bounds",
    "add_alpha_argument", "alpha_from_args",
]


def parse_alpha(alpha: Any) -> Fraction:
    r"""The leaky slope :math:`\alpha` of :math:`\sigma_\alpha(t) = \max(t, \alpha t)` as an exact power of two (1/2 ... 1/64).

    Powers of two keep every lattice scaling :math:`\alpha^{\pm k}` exact in binary floating point.

    Parameters
    ----------
    alpha : str, float or Fraction
        The user's slope (e.g. ``"1/4"``).

    Returns
    -------
    Fraction

    Raises
    ------
    ParameterError
        Not readable, or not :math:`2^{-m}` with :math:`m = 1..6`.
    """
    try:
        a = Fraction(alpha) if not isinstance(alpha, float) else Fraction(alpha)
    except (TypeError, ValueError, ZeroDivisionError):
        raise ParameterError(f"cannot read the leaky slope {alpha!r}; pass e.g. '1/4'") from None
    shown = alpha if isinstance(alpha, (str, int, float)) else a  # the value as the user wrote it, not 0.3's binary fraction
    if not 0 < a < 1:
        raise ParameterError(f"the leaky slope must lie strictly between 0 and 1; got {shown} (use 1/2 or 1/4)")
    if not (a.numerator == 1 and a.denominator & (a.denominator - 1) == 0 and a.denominator <= 64):
        raise ParameterError(
            f"the leaky slope must be a power of two 2^-m (m = 1..6) so that every lattice scaling is exact in "
            f"binary; got {shown} (use 1/2 or 1/4)"
        )
    return a


def prepare(target: Any, domain: Any, input_dim: Any, output_dim: Any) -> tuple[Target, Box]:
    """:func:`constructions._common.target_and_box` with positional arguments (kept for callers)."""
    return target_and_box(target, domain, input_dim=input_dim, output_dim=output_dim)


check_eps = positive_eps  # kept for callers: check_eps(eps, default)


@dataclass(frozen=True)
class Modulus:
    """What is known about the target's regularity on the domain."""

    lipschitz: float | None
    hessian: float | None
    certified: bool
    how: str
    sup: float


def modulus(target: Target, box: Box, *, n_probe: int | None = None) -> Modulus:
    r"""The target's regularity on the box: certified Lipschitz/Hessian bounds when it has them, else an estimate.

    The error bounds of the leaky constructions use :math:`|f(x) - f(y)| \le L|x - y|` (and the
    Hessian bound for second-order terms).  A sampled estimate (:math:`2\sqrt{d}` times the largest
    difference quotient on a grid) is labelled ``certified=False``; the independent verifier is
    then the only certificate.

    Parameters
    ----------
    target : Target
        The target.
    box : Box
        The domain.
    n_probe : int, optional
        Grid points per axis (default :math:`\approx 200000^{1/d}`, at most 2000).

    Returns
    -------
    Modulus
    """
    how: list[str] = []
    L = _declared_bound(target.lipschitz_bound, box, "Lipschitz", how)
    H = _declared_bound(target.hessian_bound, box, "Hessian", how)
    d = box.dim
    n = n_probe or max(3, int(round(200_000 ** (1.0 / d))))
    X = box.grid(min(n, 2000))
    Y = target(X)
    sup = float(np.max(np.abs(Y))) if Y.size else 0.0
    certified = L is not None or H is not None
    if L is None:
        # sampled difference quotients along each axis of the grid (an estimate, not a bound)
        m = min(n, 2000)
        G = Y.reshape(*([m] * d), -1)
        h = box.widths / (m - 1)
        q = 0.0
        for ax in range(d):
            diff = np.diff(G, axis=ax) / h[ax]
            q = max(q, float(np.max(np.linalg.norm(diff, axis=-1))))
        L = 2.0 * q * math.sqrt(d) + 1e-12
        how.append(f"Lipschitz ~{L:.4g} (sampled estimate x2, not certified)")
    return Modulus(L, H, certified, "; ".join(how), sup)


def _declared_bound(bound: Any, box: Box, label: str, how: list[str]) -> float | None:
    """The target's certified bound on ``box`` (``bound(box).value``) when it has a finite one; noted in ``how``."""
    try:
        b = bound(box)
    except UatError:
        return None
    if b is None or not math.isfinite(b.value):
        return None
    how.append(f"{label} {float(b.value):.4g} ({b.method})")
    return float(b.value)


def catalogue_bounds(norm: str, d_x: int, d_y: int, activation: str = "leaky_relu") -> tuple[int | None, int | None, tuple[str, ...]]:
    """The catalogue's minimum-width bounds for feed-forward networks on a compact domain.

    Parameters
    ----------
    norm : {"lp", "uniform"}
        The norm.
    d_x, d_y : int
        Input and output dimensions.
    activation : str
        The activation family (default ``leaky_relu``).

    Returns
    -------
    (int or None, int or None, tuple of str)
        Lower bound, upper bound and the theorem ids of the lower bound; ``(None, None, ())``
        when the catalogue cannot answer.
    """
    try:
        from uat._min_width import min_width

        ans = min_width(arch="fnn", activation=activation, norm=norm, d_x=d_x, d_y=d_y, domain="compact")
    except (UatError, ImportError):
        return None, None, ()
    return ans.lower, ans.upper, ans.lower_by


def add_alpha_argument(p: argparse.ArgumentParser) -> None:
    r"""Add ``--alpha``, the leaky slope :math:`\alpha` of :math:`\sigma_\alpha(t) = \max(t, \alpha t)` (default 1/4).

    Parameters
    ----------
    p : argparse.ArgumentParser
        The ``uat build NAME`` parser of a leaky-ReLU construction.
    """
    p.add_argument("--alpha", default="1/4", help="the leaky slope, a power of two (default 1/4)")


alpha_from_args = options_from_args(defaults=("alpha",))
"""Builder keywords of the leaky sub-commands: the common options plus ``alpha`` (``--param alpha=...`` wins)."""
