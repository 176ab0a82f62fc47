"""Which measuring code handles which kind of witness (feed-forward, recurrent, DeepSets, ...).

A :class:`Handler` measures one kind of value (a Python type) in the norms it lists.  The
``uat verify`` command, :func:`verification.assert_approximates` and the demo verifier all go
through :func:`handler_for`, so a new witness kind only needs a handler here: a module
listed in :data:`HANDLER_MODULES` that calls :func:`register_handler` when imported.

``measure(value, target, *, domain, norm, p, **options) -> ErrorEstimate`` receives the
target and domain as given (expression text, library name, Target, callable; text or Box)
and normalises them itself.  ``plot(value, target, *, domain, result, out)`` is optional.
``describe(value) -> dict`` gives the width and the text shown by ``uat verify``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable

from uat.errors import MethodError, ParameterError

__all__ = ["Handler", "register_handler", "handler_for", "measure", "HANDLER_MODULES"]

# modules that register handlers (one line per witness kind)
HANDLER_MODULES: tuple[str, ...] = (
    "verification._feedforward",
    "verification._recurrent",
    "verification.sets",
)

NORM_ALIASES = {"uniform": "sup", "inf": "sup", "linf": "sup", "Lp": "lp", "L^p": "lp"}


@dataclass(frozen=True)
class Handler:
    """How to measure (and optionally plot) one kind of witness."""

    kind: type
    name: str
    norms: tuple[str, ...]
    measure: Callable[..., Any]
    describe: Callable[[Any], dict] = field(default=lambda v: {"width": getattr(v, "width", None), "text": repr(v)})
    plot: Callable[..., Any] | None = None
    options: tuple[str, ...] = ()


_HANDLERS: list[Handler] = []
_loaded = False


def register_handler(handler: Handler) -> Handler:
    """Add a handler (a later registration for the same type replaces the earlier one)."""
    for i, h in enumerate(_HANDLERS):
        if h.kind is handler.kind:
            _HANDLERS[i] = handler
            return handler
    _HANDLERS.append(handler)
    return handler


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for name in HANDLER_MODULES:
            importlib.import_module(name)


def handler_for(value: Any) -> Handler:
    """The handler for ``value``'s type (most specific registered type first)."""
    _load()
    for h in _HANDLERS:
        if type(value) is h.kind:
            return h
    for h in _HANDLERS:
        if isinstance(value, h.kind):
            return h
    known = ", ".join(h.name for h in _HANDLERS)
    raise MethodError(f"no verifier for a {type(value).__name__}; the verifiers handle: {known}")


def normalise_norm(norm: Any, handler: Handler) -> str:
    if not isinstance(norm, str):
        raise ParameterError(f"norm must be a string such as 'sup' or 'lp', got {norm!r}")
    n = NORM_ALIASES.get(norm, norm)
    if n not in handler.norms:
        raise ParameterError(f"unknown norm {norm!r} for a {handler.name}; valid norms: {', '.join(handler.norms)}")
    return n


def measure(value: Any, target: Any, *, domain: Any = None, norm: str = "sup", p: float | None = None, **options: Any):
    """Measure ``value`` against ``target`` with the handler of its type."""
    h = handler_for(value)
    return h.measure(value, target, domain=domain, norm=normalise_norm(norm, h), p=p, **options)
