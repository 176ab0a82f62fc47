"""Validation at the public boundary of the verifiers (each returns the normalised value)."""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Iterable

import numpy as np

from uat.domains import Box, parse_domain
from uat.errors import DimensionMismatch, MethodError, NonFiniteError, ParameterError
from uat.network import FeedForward
from uat.targets import Target, make_target

__all__ = [
    "ensure_network", "ensure_target", "ensure_domain", "ensure_p", "ensure_method", "ensure_int",
    "ensure_tolerance", "target_values", "forward",
]

# Points per batch of the float64 forward pass.  Batches of a few thousand rows keep the
# layer arrays in cache and below the size at which OpenBLAS starts threads; on the shared
# 2-core machine, larger batches were 8x slower (docs/benchmarks.md, "Verification").
EVAL_CHUNK = 4096


def ensure_network(net: Any) -> FeedForward:
    if not isinstance(net, FeedForward):
        raise DimensionMismatch(
            f"expected a uat.FeedForward network, got {type(net).__name__}; "
            "load witness files with uat.load(...), or use `uat verify FILE` for other witness kinds"
        )
    return net


def ensure_target(target: Any, net: FeedForward) -> Target:
    """A Target with the network's input and output dimensions."""
    return make_target(target, input_dim=net.input_dim, output_dim=net.output_dim)


def ensure_domain(domain: Any, net: FeedForward, target: Target | None = None) -> Box:
    """The domain box: the given one, else the target's natural domain, else ``[0,1]^{d_x}``."""
    if domain is None and target is not None and target.domain is not None:
        domain = target.domain
    return parse_domain(domain, dim=net.input_dim)


def ensure_p(p: Any, *, allow_inf: bool = False) -> float:
    """An L^p exponent: a real ``1 <= p < inf`` (p = inf goes to ``sup_error``)."""
    if isinstance(p, bool) or not isinstance(p, Real):
        raise ParameterError(f"p must be a real number >= 1, got {p!r}")
    p = float(p)
    if math.isnan(p):
        raise ParameterError("p is NaN; give a real number >= 1")
    if math.isinf(p):
        if allow_inf and p > 0:
            return p
        raise ParameterError(
            "p = inf is the uniform norm: use sup_error(...) (it never estimates a sup by sampling alone)"
        )
    if p < 1:
        raise ParameterError(f"p = {p:g} < 1 does not define a norm; use 1 <= p < inf (or sup_error for p = inf)")
    return p


def ensure_method(method: Any, valid: Iterable[str], what: str) -> str:
    valid = tuple(valid)
    if not isinstance(method, str) or method not in valid:
        raise MethodError(f"unknown {what} method {method!r}; valid methods: {', '.join(valid)}")
    return method


def ensure_int(value: Any, name: str, *, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ParameterError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < low or (high is not None and value > high):
        rng = f">= {low}" if high is None else f"in {low}..{high}"
        raise ParameterError(f"{name} must be {rng}, got {value}")
    return value


def ensure_tolerance(value: Any, name: str) -> float:
    """A relative tolerance: a finite float in (0, 1)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not (0.0 < float(value) < 1.0):
        raise ParameterError(f"{name} must be a number in (0, 1), got {value!r}")
    return float(value)


def forward(net: FeedForward, x: np.ndarray) -> np.ndarray:
    """``net.evaluate(x)`` in batches of :data:`EVAL_CHUNK` points."""
    return net.evaluate(x, chunk_size=EVAL_CHUNK)


def target_values(target: Target, x: np.ndarray) -> np.ndarray:
    """Evaluate the target on points (n, d) and refuse non-finite values."""
    y = target(x)
    if not np.all(np.isfinite(y)):
        bad = np.nonzero(~np.all(np.isfinite(y), axis=1))[0][0]
        raise NonFiniteError(
            f"the target {target.name!r} is not finite at x = {x[bad].tolist()}; "
            "restrict the domain to where the target is finite"
        )
    return y
