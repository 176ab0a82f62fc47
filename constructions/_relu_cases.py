"""Test and demo targets for the ReLU constructions, by dimension (expression strings).

* :func:`smooth`: :math:`f_t = \\sin(\\sum_i a_{it} x_i + t)` with :math:`a_{it} \\in \\{1,2,3\\}`;
* :func:`oscillatory`: :math:`f_t = \\sin(2(t+1)\\pi x_1) \\prod_{i>1} \\cos(\\pi x_i)`;
* :func:`discontinuous`: :math:`f_t = H(\\sum_i x_i - d_x (t+1)/(d_y+1))` (a half-space indicator);
* :func:`bump`: a compactly supported tent on :math:`[0,1]^{d_x}` (for the whole-space witness).

>>> smooth(2, 1)
'sin(1*x1 + 2*x2)'
>>> discontinuous(1, 2)
'[Heaviside(x1 - 1/3), Heaviside(x1 - 2/3)]'
"""

from __future__ import annotations

from fractions import Fraction

__all__ = ["smooth", "oscillatory", "discontinuous", "bump", "DIMS"]

DIMS = ((1, 1), (2, 1), (3, 1), (1, 2), (2, 2), (1, 3), (2, 3), (3, 2))
"""The (d_x, d_y) pairs of the contract (issue 4)."""


def _vector(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"


def smooth(dx: int, dy: int) -> str:
    r"""Smooth targets :math:`f_t = \sin(\sum_i a_{it} x_i + t)`, :math:`a_{it} = ((i + t) \bmod 3) + 1`, as expression text.

    Parameters
    ----------
    dx, dy : int
        Input and output dimensions.

    Returns
    -------
    str
    """
    parts = []
    for t in range(dy):
        s = " + ".join(f"{((i + t) % 3) + 1}*x{i + 1}" for i in range(dx))
        parts.append(f"sin({s}{f' + {t}' if t else ''})")
    return _vector(parts)


def oscillatory(dx: int, dy: int) -> str:
    r"""Oscillatory targets :math:`f_t = \sin(2(t+1)\pi x_1)\prod_{i>1}\cos(\pi x_i)`, as expression text.

    Parameters
    ----------
    dx, dy : int
        Input and output dimensions.

    Returns
    -------
    str
    """
    parts = []
    for t in range(dy):
        s = f"sin({2 * (t + 1)}*pi*x1)" + "".join(f"*cos(pi*x{i + 1})" for i in range(1, dx))
        parts.append(s)
    return _vector(parts)


def discontinuous(dx: int, dy: int) -> str:
    r"""Half-space indicators :math:`f_t = H(\sum_i x_i - d_x(t+1)/(d_y+1))`, as expression text.

    Parameters
    ----------
    dx, dy : int
        Input and output dimensions.

    Returns
    -------
    str
    """
    parts = []
    s = " + ".join(f"x{i + 1}" for i in range(dx))
    for t in range(dy):
        parts.append(f"Heaviside({s} - {Fraction(dx * (t + 1), dy + 1)})")
    return _vector(parts)


def bump(dx: int, dy: int) -> str:
    """A tent of height 1 supported in [0,1]^d_x (times 1, x1, x1^2 for further outputs)."""
    tent = "max(0, 1 - 2*max(" + ", ".join(f"abs(x{i + 1} - 1/2)" for i in range(dx)) + "))" if dx > 1 else \
        "max(0, 1 - 2*abs(x1 - 1/2))"
    parts = [tent] + [f"{tent}*(2*x1 - 1){'**' + str(t) if t > 1 else ''}" for t in range(1, dy)]
    return _vector(parts)
