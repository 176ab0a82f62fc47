"""The error hierarchy of uat.

Every error that uat raises on bad input is a :class:`UatError`.  Each subclass also
derives from the matching builtin exception, so ``except ValueError`` keeps working for
callers that do not know uat.  Messages name the offending value and the fix.

>>> issubclass(DimensionMismatch, ValueError)
True
>>> issubclass(ExactnessError, TypeError)
True
"""

from __future__ import annotations

__all__ = [
    "UatError",
    "DimensionMismatch",
    "ExactnessError",
    "NonFiniteError",
    "ActivationError",
    "FormatError",
    "UnknownTheorem",
    "UnknownConstruction",
    "DomainError",
    "ExpressionError",
    "TargetError",
    "PrecisionBudgetExceeded",
    "BudgetExceeded",
    "ParameterError",
    "MethodError",
    "NotApproximating",
]


class UatError(Exception):
    """Base class of every error raised by uat on bad input or a failed check."""


class DimensionMismatch(UatError, ValueError):
    """Shapes that do not chain, or dimensions that disagree (d_x, d_y, layer sizes)."""


class ExactnessError(UatError, TypeError):
    """A float was given where an exact rational is promised, or exact and float values were mixed."""


class NonFiniteError(UatError, ValueError):
    """A NaN or infinity in weights, biases, bounds, or evaluated values."""


class ActivationError(UatError, ValueError):
    """Unknown activation name, or an activation parameter outside its valid range."""


class FormatError(UatError, ValueError):
    """A witness file that does not follow the documented JSON format."""


class UnknownTheorem(UatError, ValueError):
    """A theorem id or a (architecture, activation, norm, domain) combination not in the catalogue."""


class UnknownConstruction(UatError, ValueError):
    """A construction name that is not registered."""


class DomainError(UatError, ValueError):
    """A malformed domain: non-finite bounds, lo >= hi, or the wrong dimension."""


class ExpressionError(UatError, ValueError):
    """A target expression string that the whitelist parser refuses."""


class TargetError(UatError, TypeError):
    """A target callable that is not callable, not vectorised, or returns the wrong shape."""


class PrecisionBudgetExceeded(UatError, ValueError):
    """A construction needs more bits than float64 carries; use exact evaluation or coarser parameters."""


class BudgetExceeded(UatError, ValueError):
    """A work budget (regions, pieces, layers) was exceeded; the message gives the count so far."""


class ParameterError(UatError, ValueError):
    """A numerical parameter (epsilon, p, bits, slopes, sample sizes) outside its valid range."""


class MethodError(UatError, ValueError):
    """An unknown ``method=`` name; the message lists the valid names."""


class NotApproximating(UatError, AssertionError):
    """Raised by ``assert_approximates`` when a measured error exceeds the requested epsilon."""
