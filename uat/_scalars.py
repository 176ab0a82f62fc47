"""The single exactness policy of uat: exact rationals versus float64.

A network's weights are either all exact (``fractions.Fraction``, stored in numpy object
arrays) or all float64.  Exact constructors never let a float in: :func:`to_fraction`
accepts ``int``, ``Fraction``, a ``"p/q"`` or decimal string, or a sympy ``Rational``
(duck-typed, so sympy is not imported), and rejects floats with :class:`ExactnessError`.
The only float-to-exact path is :func:`fraction_from_float`, which returns the exact
binary value of the float and must be called on purpose.  The only exact-to-float path
is :func:`float_array` (correctly rounded).

>>> to_fraction("1/10")
Fraction(1, 10)
>>> to_fraction(0.1)
Traceback (most recent call last):
...
uat.errors.ExactnessError: got the float 0.1 where an exact rational is required; pass a string such as '1/10', an int or a Fraction (fraction_from_float(0.1) gives the exact binary value 3602879701896397/36028797018963968)
"""

from __future__ import annotations

import math
import re
import sys
from fractions import Fraction
from numbers import Integral
from typing import Any, Union

import numpy as np

from .errors import ExactnessError, NonFiniteError

__all__ = [
    "Scalar",
    "to_fraction",
    "fraction_from_float",
    "exact_array",
    "float_array",
    "is_exact_array",
    "format_scalar",
    "parse_scalar",
]

Scalar = Union[Fraction, float]

_RATIONAL_RE = re.compile(r"^\s*[+-]?\d+(\s*/\s*\d+)?\s*$")
_DECIMAL_RE = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
_MAX_DECIMAL_EXPONENT = 4300  # as Python's int-string digit limit


def _is_sympy_rational(x: Any) -> bool:
    mod = type(x).__module__ or ""
    return mod.startswith("sympy") and getattr(x, "is_Rational", False) is True


def to_fraction(x: Any) -> Fraction:
    """Return ``x`` as an exact :class:`~fractions.Fraction`, refusing floats.

    Parameters
    ----------
    x : int, Fraction, str or sympy Rational
        Strings may be ``"p/q"``, an integer, or a finite decimal such as ``"0.125"``
        (a decimal string is read as the exact decimal number it spells).

    Raises
    ------
    ExactnessError
        For floats (including numpy floats) and anything else that is not exact.
    """
    if isinstance(x, Fraction):
        return x
    if isinstance(x, bool):
        raise ExactnessError(f"got the bool {x!r} where an exact rational is required")
    if isinstance(x, Integral):
        return Fraction(int(x))
    if isinstance(x, str):
        s = x.strip()
        m = _DECIMAL_RE.match(s)
        if m or _RATIONAL_RE.match(s):
            if m and m.group(2) and (len(m.group(2)) > 8 or abs(int(m.group(2)[1:])) > _MAX_DECIMAL_EXPONENT):
                # "1e99999999" would build a 330-million-bit integer and hang every later operation
                raise ExactnessError(
                    f"the decimal exponent of {x!r} is beyond +-{_MAX_DECIMAL_EXPONENT}; write the number as 'p/q' "
                    f"or with a smaller exponent"
                )
            try:
                value = Fraction(s.replace(" ", ""))
            except ZeroDivisionError:
                raise ExactnessError(f"the rational {x!r} has a zero denominator") from None
            except ValueError:  # Python's limit on int-string conversion (4300 digits)
                raise ExactnessError(
                    f"the number string of {len(s)} characters ({s[:20]}...) has more digits than Python "
                    f"converts ({sys.get_int_max_str_digits()}); write it with fewer digits"
                ) from None
            return value
        raise ExactnessError(
            f"cannot read {x!r} as an exact rational; expected 'p/q', an integer or a decimal"
        )
    if _is_sympy_rational(x):
        return Fraction(int(x.p), int(x.q))
    if isinstance(x, (float, np.floating)):
        f = float(x)
        if not math.isfinite(f):
            raise NonFiniteError(f"got the non-finite value {f!r} where an exact rational is required")
        raise ExactnessError(
            f"got the float {f!r} where an exact rational is required; pass a string such as "
            f"'{Fraction(repr(f)).limit_denominator(10**6)}', an int or a Fraction "
            f"(fraction_from_float({f!r}) gives the exact binary value {Fraction(f)})"
        )
    raise ExactnessError(f"got {type(x).__name__} {x!r} where an exact rational is required")


def fraction_from_float(x: float) -> Fraction:
    """The exact binary value of a finite float, as a Fraction (the one explicit float->exact path).

    >>> fraction_from_float(0.5)
    Fraction(1, 2)
    """
    f = float(x)
    if not math.isfinite(f):
        raise NonFiniteError(f"cannot convert the non-finite value {f!r} to a rational")
    return Fraction(f)


def exact_array(values: Any, *, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """A read-only numpy object array of Fractions built from exact values.

    Raises :class:`ExactnessError` if any entry is a float.
    """
    if isinstance(values, np.ndarray) and values.dtype != object:
        if np.issubdtype(values.dtype, np.integer):
            values = values.astype(object)
        else:
            # report the first offending entry
            flat = values.ravel()
            to_fraction(flat[0].item() if flat.size else 0.0)
    arr = np.array(values, dtype=object)
    if shape is not None and arr.shape != shape:
        arr = arr.reshape(shape)
    flat = arr.ravel()
    for i in range(flat.size):
        flat[i] = to_fraction(flat[i])
    arr = flat.reshape(arr.shape)
    arr.flags.writeable = False
    return arr


def float_array(values: Any, *, what: str = "array") -> np.ndarray:
    """A read-only float64 copy of ``values`` (Fractions are correctly rounded); must be finite."""
    if isinstance(values, np.ndarray) and values.dtype == object:
        arr = np.array([float(v) for v in values.ravel()], dtype=np.float64).reshape(values.shape)
    else:
        arr = np.array(values, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise NonFiniteError(
            f"{what} has the non-finite entry {arr[tuple(bad)]!r} at index {tuple(int(i) for i in bad)}"
        )
    arr.flags.writeable = False
    return arr


def is_exact_array(arr: np.ndarray) -> bool:
    """True for object arrays whose entries are all Fractions."""
    return arr.dtype == object and all(isinstance(v, Fraction) for v in arr.ravel())


def format_scalar(x: Scalar) -> str | float:
    """JSON form of a scalar: ``"p/q"`` (or ``"p"``) for a Fraction, a float for a float.

    >>> format_scalar(Fraction(-3, 4)), format_scalar(Fraction(2)), format_scalar(0.25)
    ('-3/4', '2', 0.25)
    """
    if isinstance(x, Fraction):
        return str(x)
    return float(x)


def parse_scalar(x: Any, *, exact: bool) -> Scalar:
    """Read a JSON scalar: strings are exact rationals, numbers are float64."""
    if exact:
        return to_fraction(x)
    if isinstance(x, str):
        return float(to_fraction(x))
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise ExactnessError(f"expected a number or a 'p/q' string, got {type(x).__name__} {x!r}")
    return float(x)
