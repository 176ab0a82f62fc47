r"""The built-in library of named targets, used by the docs, the demos and the tests.

Every entry is an expression string (so it gets exact evaluation where rational, symbolic
derivatives and certified interval bounds) with its natural domain.  Polylines are
written with ``min``/``max`` of affine functions of the parameter.

>>> t = library_target("circle")
>>> t.input_dim, t.output_dim, str(t.domain), t.continuous
(1, 2, '[0,1]', True)
>>> library_target("no-such-target") is None
True
>>> sorted(LIBRARY)[:3]
['alpha-curve', 'bump-1d', 'bump-2d']
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from .domains import parse_domain
from .targets import Target

__all__ = ["LibraryEntry", "LIBRARY", "library_target"]


@dataclass(frozen=True)
class LibraryEntry:
    """A named target: expression text, dimensions, natural domain and what it illustrates."""

    name: str
    expression: str
    input_dim: int
    output_dim: int
    domain: str
    description: str
    reference: str = ""


# alpha-curve: the polyline (-1,0) -> (1,0) -> (1,1) -> (0,1) -> (0,-1) by arc length s = 6 t
_ALPHA = (
    "[-1 + min(6*x1, 2) - min(max(6*x1 - 3, 0), 1), "
    "min(max(6*x1 - 2, 0), 1) - max(6*x1 - 4, 0)]"
)
# x-curve: A(-1,0), B(1,0), C(0,-1), D(0,1) at t = 0, 1, 2, 3 (segments AB, BC, CD)
_XCURVE = "[-1 + 2*min(x1, 1) - min(max(x1 - 1, 0), 1), 2*max(x1 - 2, 0) - min(max(x1 - 1, 0), 1)]"

_ENTRIES = (
    LibraryEntry("smooth-1d", "sin(3*x1)", 1, 1, "[0,1]", "smooth: sin(3x)", "verification.md 3.2 (sin(3x) oracle)"),
    LibraryEntry("oscillatory-1d", "sin(12*pi*x1**2)", 1, 1, "[0,1]", "a chirp: six oscillations of growing frequency"),
    LibraryEntry("kinked-1d", "abs(x1 - 1/3) - 2*max(0, x1 - 3/4)", 1, 1, "[0,1]", "continuous, piecewise linear, kinks at 1/3 and 3/4"),
    LibraryEntry("step-1d", "Heaviside(x1 - 1/2)", 1, 1, "[0,1]", "discontinuous: a unit step at 1/2 (value 1/2 there)"),
    LibraryEntry("staircase-1d", "floor(4*x1)/4", 1, 1, "[0,1]", "discontinuous: four steps of height 1/4"),
    LibraryEntry("bump-1d", "max(0, 1 - abs(x1))", 1, 1, "[-2,2]", "hat max(0, 1 - |x|): width-1 nets have sup error >= 1/2", "leaky.md 7.1"),
    LibraryEntry("smooth-2d", "sin(pi*x1)*sin(pi*x2)", 2, 1, "[0,1]^2", "smooth product of sines"),
    LibraryEntry("oscillatory-2d", "sin(6*pi*x1)*cos(4*pi*x2)", 2, 1, "[0,1]^2", "oscillatory: 3 x 2 periods"),
    LibraryEntry("kinked-2d", "abs(x1 - x2) + max(0, x1 + x2 - 1)", 2, 1, "[0,1]^2", "continuous, kinks along the two diagonals"),
    LibraryEntry(
        "discontinuous-2d", "Heaviside(1/16 - (x1 - 1/2)**2 - (x2 - 1/2)**2)", 2, 1, "[0,1]^2",
        "indicator of the disk of radius 1/4 centred at (1/2, 1/2)",
    ),
    LibraryEntry(
        "bump-2d", "max(0, 1 - sqrt(x1**2 + x2**2))", 2, 1, "[-2,2]^2",
        "cone max(0, 1 - |x|_2): width-2 nets have sup error >= 1/2", "leaky.md 7.1",
    ),
    LibraryEntry(
        "smooth-3d", "exp(-(x1**2 + x2**2 + x3**2)) + sin(pi*x1*x2*x3)", 3, 1, "[0,1]^3", "smooth in three variables",
    ),
    LibraryEntry("circle", "[cos(2*pi*x1), sin(2*pi*x1)]", 1, 2, "[0,1]", "the unit circle once around (closed curve)"),
    LibraryEntry(
        "alpha-curve", _ALPHA, 1, 2, "[0,1]",
        "self-crossing polyline (-1,0)->(1,0)->(1,1)->(0,1)->(0,-1) by arc length; width-2 nets have sup error >= 1/2",
        "relu.md 8",
    ),
    LibraryEntry(
        "x-curve", _XCURVE, 1, 2, "[0,3]",
        "polyline A(-1,0)->B(1,0)->C(0,-1)->D(0,1) at t = 0,1,2,3; AB and CD cross; width-2 sup floor 1/2",
        "leaky.md 7.2",
    ),
    LibraryEntry("helix", "[cos(4*pi*x1), sin(4*pi*x1), x1]", 1, 3, "[0,1]", "two turns of a helix in R^3"),
    LibraryEntry(
        "trefoil", "[sin(2*pi*x1) + 2*sin(4*pi*x1), cos(2*pi*x1) - 2*cos(4*pi*x1), -sin(6*pi*x1)]", 1, 3, "[0,1]",
        "the trefoil knot (closed, knotted curve in R^3)",
    ),
    LibraryEntry(
        "square-disk", "[x1**2 - x2**2, 2*x1*x2]", 2, 2, "[-1,1]^2",
        "z -> z^2 in real coordinates (the unit disk is the domain of leaky.md 7.4; here its bounding box)", "leaky.md 7.4",
    ),
    LibraryEntry("polar-2d", "[x1*cos(pi*x2), x1*sin(pi*x2)]", 2, 2, "[0,1]^2", "polar coordinates onto the upper half disk"),
    LibraryEntry(
        "torus", "[(2 + cos(2*pi*x1))*cos(2*pi*x2), (2 + cos(2*pi*x1))*sin(2*pi*x2), sin(2*pi*x1)]", 2, 3, "[0,1]^2",
        "a torus in R^3 (periodic in both parameters)",
    ),
)

LIBRARY = MappingProxyType({e.name: e for e in _ENTRIES})
"""Name -> :class:`LibraryEntry`, in the order of the docs table."""


@lru_cache(maxsize=None)
def library_target(name: str) -> Target | None:
    """The library target called ``name`` (a Target with its natural domain), or None."""
    entry = LIBRARY.get(name) if isinstance(name, str) else None
    if entry is None:
        return None
    from .expressions import expression_target, parse_expression

    expr = parse_expression(entry.expression, input_dim=entry.input_dim)
    info = {"expression": entry.expression, "description": entry.description, "reference": entry.reference}
    return expression_target(expr, name=entry.name, domain=parse_domain(entry.domain), info=info)
