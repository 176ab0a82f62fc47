r"""Domains: axis-aligned boxes :math:`\prod_i [a_i, b_i] \subset \mathbb R^d` with exact bounds.

Text forms: ``"[0,1]^2"``, ``"[-1,1]x[0,2]"`` (also ``×`` or ``*`` between factors),
``"[0,1/2]"``.  Bounds are kept as exact Fractions (a float bound is taken at its exact
binary value), so constructions can rescale with rational weights.

>>> b = parse_domain("[-1,1]x[0,2]")
>>> b.dim, b.volume, str(b)
(2, 4.0, '[-1,1]x[0,2]')
>>> parse_domain(None, dim=3) == parse_domain("[0,1]^3")
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from ._scalars import fraction_from_float, to_fraction
from .errors import DomainError, ExactnessError, NonFiniteError

__all__ = ["Box", "parse_domain", "unit_box"]

_MAX_DOMAIN_TEXT = 10_000
_NUM = r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:\s*/\s*\d+)?\s*"
_FACTOR_RE = re.compile(r"\[(" + _NUM + r"),(" + _NUM + r")\](?:\s*\^\s*(\d+))?")


def _bound(v: Any) -> Fraction:
    if isinstance(v, (float, np.floating)):
        if not math.isfinite(float(v)):
            raise DomainError(f"domain bound {v!r} is not finite; domains must be bounded boxes")
        return fraction_from_float(float(v))
    try:
        return to_fraction(v)
    except (ExactnessError, NonFiniteError) as exc:
        raise DomainError(f"cannot read the domain bound {v!r}: {exc}") from None


def _short(q: Fraction) -> str:
    """A bound for an error message: the exact text, abbreviated when it is long."""
    text = str(q)
    return text if len(text) <= 40 else f"{text[:16]}...({len(text)} characters)"


@dataclass(frozen=True)
class Box:
    """The box :math:`\\prod_{i=1}^d [lo_i, hi_i]` with exact rational bounds."""

    lo: tuple[Fraction, ...]
    hi: tuple[Fraction, ...]

    def __post_init__(self) -> None:
        lo = tuple(_bound(v) for v in self.lo)
        hi = tuple(_bound(v) for v in self.hi)
        if len(lo) != len(hi) or not lo:
            raise DomainError(f"a box needs the same positive number of lower and upper bounds, got {len(lo)} and {len(hi)}")
        for i, (a, b) in enumerate(zip(lo, hi)):
            if not a < b:
                raise DomainError(f"axis {i + 1} of the domain has lo = {a} >= hi = {b}; need lo < hi")
            try:
                fa, fb = float(a), float(b)
            except OverflowError:
                raise DomainError(
                    f"axis {i + 1} of the domain [{_short(a)}, {_short(b)}] exceeds the float64 range (about 1.8e308); rescale it"
                ) from None
            if not fa < fb:  # e.g. [0, 1e-400]: the verifiers would measure a point
                raise DomainError(
                    f"axis {i + 1} of the domain [{_short(a)}, {_short(b)}] collapses to the single float64 value {fa!r}; widen it"
                )
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)

    @property
    def dim(self) -> int:
        return len(self.lo)

    @property
    def lo_array(self) -> np.ndarray:
        return np.array([float(v) for v in self.lo])

    @property
    def hi_array(self) -> np.ndarray:
        return np.array([float(v) for v in self.hi])

    @property
    def widths(self) -> np.ndarray:
        return self.hi_array - self.lo_array

    @property
    def volume(self) -> float:
        return float(math.prod(b - a for a, b in zip(self.lo, self.hi)))

    @property
    def exact_volume(self) -> Fraction:
        return math.prod((b - a for a, b in zip(self.lo, self.hi)), start=Fraction(1))

    @property
    def diameter(self) -> float:
        return float(np.linalg.norm(self.widths))

    @property
    def center(self) -> np.ndarray:
        return (self.lo_array + self.hi_array) / 2

    def contains(self, x: Any, *, tol: float = 0.0) -> np.ndarray:
        """Boolean mask of the points (n, d) that lie in the box (closed, with tolerance)."""
        pts = np.asarray(x, dtype=np.float64).reshape(-1, self.dim)
        return np.all((pts >= self.lo_array - tol) & (pts <= self.hi_array + tol), axis=1)

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map points of [0,1]^d affinely onto the box."""
        return self.lo_array + np.asarray(u, dtype=np.float64) * self.widths

    def to_unit(self, x: np.ndarray) -> np.ndarray:
        """Map points of the box affinely onto [0,1]^d."""
        return (np.asarray(x, dtype=np.float64) - self.lo_array) / self.widths

    def grid(self, n_per_axis: int) -> np.ndarray:
        """Tensor grid with ``n_per_axis`` points per axis including the endpoints, shape (n^d, d)."""
        if n_per_axis < 2:
            raise DomainError(f"a grid needs at least 2 points per axis, got {n_per_axis}")
        axes = [np.linspace(float(a), float(b), n_per_axis) for a, b in zip(self.lo, self.hi)]
        mesh = np.meshgrid(*axes, indexing="ij")
        return np.stack([m.ravel() for m in mesh], axis=1)

    def __str__(self) -> str:
        factors = [f"[{a},{b}]" for a, b in zip(self.lo, self.hi)]
        if len(set(factors)) == 1 and len(factors) > 1:
            return f"{factors[0]}^{len(factors)}"
        return "x".join(factors)

    def to_json(self) -> str:
        return str(self)


def unit_box(dim: int) -> Box:
    """The unit cube [0,1]^dim."""
    if not isinstance(dim, int) or dim < 1:
        raise DomainError(f"dimension must be a positive integer, got {dim!r}")
    return Box((Fraction(0),) * dim, (Fraction(1),) * dim)


def parse_domain(spec: Any, *, dim: int | None = None) -> Box:
    """Normalise a domain: a Box, a text form, a sequence of (lo, hi) pairs, or None for [0,1]^dim.

    Raises :class:`DomainError` for malformed text, non-finite bounds, lo >= hi, or a
    dimension that differs from ``dim``.
    """
    if spec is None:
        if dim is None:
            raise DomainError("no domain given and no dimension to default to [0,1]^d")
        return unit_box(dim)
    if isinstance(spec, Box):
        box = spec
    elif isinstance(spec, str):
        box = _parse_text(spec)
    elif isinstance(spec, Sequence):
        pairs = list(spec)
        if len(pairs) == 2 and all(not isinstance(p, (list, tuple)) for p in pairs):
            pairs = [tuple(pairs)]
        try:
            box = Box(tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))
        except (TypeError, IndexError):
            raise DomainError(f"cannot read a domain from {spec!r}; expected pairs (lo, hi)") from None
    else:
        raise DomainError(f"cannot read a domain from {type(spec).__name__} {spec!r}")
    if dim is not None and box.dim != dim:
        raise DomainError(
            f"the domain {box} has dimension {box.dim}, but the input dimension is {dim}; give a domain of "
            f"dimension {dim}, or state the input dimension (--dx {box.dim}, input_dim={box.dim}) when the target "
            "does not show it (a constant, or only x1)"
        )
    return box


def _parse_text(text: str) -> Box:
    if len(text) > _MAX_DOMAIN_TEXT:
        raise DomainError(f"domain text of {len(text)} characters is too long")
    s = text.strip().replace("×", "x")
    parts = re.split(r"\s*(?:x|\*)\s*(?=\[)", s)
    lo: list[Any] = []
    hi: list[Any] = []
    for part in parts:
        m = _FACTOR_RE.fullmatch(part.strip())
        if not m:
            raise DomainError(
                f"cannot read the domain {text!r}; write boxes as '[0,1]^2' or '[-1,1]x[0,2]'"
            )
        a, b, reps = m.group(1), m.group(2), m.group(3)
        k = int(reps) if reps else 1
        if not 1 <= k <= 1000:
            raise DomainError(f"domain power {k} in {text!r} is out of range 1..1000")
        for _ in range(k):
            lo.append(a.strip().replace(" ", ""))
            hi.append(b.strip().replace(" ", ""))
    return Box(tuple(_text_bound(v) for v in lo), tuple(_text_bound(v) for v in hi))


def _text_bound(v: str) -> Fraction:
    try:
        return to_fraction(v)  # bounded exponents and digit counts ("1e99999999" would hang)
    except ExactnessError as exc:
        raise DomainError(f"cannot read the domain bound {v!r}: {exc}") from None
