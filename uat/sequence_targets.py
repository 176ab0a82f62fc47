r"""Sequence targets: maps :math:`f: (\mathbb R^{d_x})^T \to (\mathbb R^{d_y})^T` for RNN witnesses.

A *causal* (past-dependent) target is given by its values on prefixes,
:math:`f[t](x) = f_t(x[1..t])` (Song et al., JMLR 2023, Def. 1): a vectorised callable
``(batch, t, d_x) -> (batch, d_y)``.  A *non-causal* target (for BRNNs) is a callable on
whole sequences ``(batch, T, d_x) -> (batch, T, d_y)``.  A :class:`SequenceTarget` may
also carry its mathematical *structure* (:class:`LinearStructure`,
:class:`RidgeStructure`, :class:`HammersteinStructure`, :class:`RunningMaxStructure`),
which constructions use to build exact or provably accurate witnesses; verifiers never
use it, they only call the target.

Build one with :func:`make_sequence_target` from a library name
(:data:`uat._sequence_library.SEQUENCE_LIBRARY`), a callable, or a SequenceTarget.

>>> f = make_sequence_target("running-mean", input_dim=1)
>>> f(np.array([[[1.0], [0.0], [0.5]]]))[0, :, 0].tolist()
[1.0, 0.5, 0.5]
>>> g = make_sequence_target(lambda p: p[:, -1, :] * p.shape[1], input_dim=1)   # y[t] = t x[t]
>>> g(np.ones((1, 3, 1)))[0, :, 0].tolist()
[1.0, 2.0, 3.0]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping

import numpy as np

from .domains import Box
from .errors import DimensionMismatch, NonFiniteError, TargetError

__all__ = [
    "SequenceTarget",
    "LinearStructure",
    "RidgeStructure",
    "HammersteinStructure",
    "RunningMaxStructure",
    "make_sequence_target",
]


@dataclass(frozen=True)
class LinearStructure:
    r"""A (time-varying) linear target :math:`y[t] = c[t] + \sum_{j} M[t,j]\, x[j]`.

    ``coefficients(T)`` returns ``(M, c)``: object arrays of exact Fractions of shapes
    ``(T, T, d_y, d_x)`` and ``(T, d_y)``.  Causal targets have :math:`M[t,j] = 0` for
    :math:`j > t`.
    """

    coefficients: Callable[[int], tuple[np.ndarray, np.ndarray]]

    def evaluate(self, x: np.ndarray) -> np.ndarray:
        """float64 ``(batch, T, d_x) -> (batch, T, d_y)`` from the coefficients."""
        T = x.shape[1]
        m, c = self.coefficients(T)
        mf = np.array(m, dtype=np.float64)
        return np.einsum("tjkd,bjd->btk", mf, x) + np.array(c, dtype=np.float64)[None]

    def evaluate_exact(self, sequence: list[list[Fraction]]) -> list[list[Fraction]]:
        """Exact values at one rational sequence (a list of T tokens)."""
        T = len(sequence)
        m, c = self.coefficients(T)
        d_y, d_x = m.shape[2], m.shape[3]
        return [
            [c[t, k] + sum((m[t, j, k, i] * sequence[j][i] for j in range(T) for i in range(d_x) if m[t, j, k, i]), Fraction(0))
             for k in range(d_y)]
            for t in range(T)
        ]


@dataclass(frozen=True)
class RidgeStructure:
    r"""A Wiener (ridge) target :math:`y_k[t] = g\big(u_k[t]\big)`, :math:`u = ` a :class:`LinearStructure`.

    ``g`` is a vectorised scalar function and ``g2_bound`` a bound on
    :math:`\sup |g''|` over the real line (used for the interpolation error
    :math:`h^2 \sup|g''| / 8`).
    """

    inner: LinearStructure
    g: Callable[[np.ndarray], np.ndarray]
    g_name: str
    g2_bound: float


@dataclass(frozen=True)
class HammersteinStructure:
    r"""A Hammerstein target :math:`y_k[t] = \sum_{j \le t} h[t-j]\, g(x_k[j])` (coordinatewise).

    ``kernel(i)`` is the exact Fraction :math:`h[i]`; ``g2_bound`` bounds :math:`\sup|g''|`.
    """

    kernel: Callable[[int], Fraction]
    g: Callable[[np.ndarray], np.ndarray]
    g_name: str
    g2_bound: float


@dataclass(frozen=True)
class RunningMaxStructure:
    r"""The running maximum :math:`y_k[t] = \max_{j \le t} x_k[j]` (``sign=-1``: the running minimum)."""

    sign: int = 1


@dataclass(frozen=True, eq=False)
class SequenceTarget:
    r"""A sequence-to-sequence target (see the module docstring).

    Attributes
    ----------
    name : str
    input_dim, output_dim : int
        Token dimensions :math:`d_x`, :math:`d_y`.
    fn : callable
        Causal: ``(batch, t, d_x) -> (batch, d_y)``, the value at the last time of the prefix.
        Non-causal: ``(batch, T, d_x) -> (batch, T, d_y)``.
    causal : bool
    continuous : bool or None
        Known continuity (None when unknown).
    domain : Box or None
        A natural token domain (None: the caller chooses).
    structure : object or None
        Mathematical structure used by constructions.
    sequence_fn : callable or None
        Optional whole-sequence evaluator of a causal target (a fast path; must agree with ``fn``).
    lipschitz : float or None
        A *declared* Lipschitz constant of every :math:`f_t` from the max-norm over all input
        coordinates of :math:`x[1..t]` (or :math:`x[1..T]`) to the Euclidean norm of the output;
        certificates use it (None: unknown, no certificate).
    tail : callable or None
        ``tail(L, p, n)``: an upper bound on the :math:`L^p` norm, outside the cube
        :math:`[-L, L]^{n d_x}`, of an output that depends on :math:`n` tokens: :math:`f_t` with
        :math:`n = t` for a causal target, every output with :math:`n = T` for a non-causal one
        (for whole-space :math:`L^p` witnesses; None: unknown).
    """

    name: str
    input_dim: int
    output_dim: int
    fn: Callable[[np.ndarray], np.ndarray]
    causal: bool = True
    continuous: bool | None = None
    domain: Box | None = None
    structure: Any = None
    sequence_fn: Callable[[np.ndarray], np.ndarray] | None = None
    info: Mapping[str, Any] = field(default_factory=dict)
    lipschitz: float | None = None
    tail: Callable[[float, float, int], float] | None = None

    def _seqs(self, x: Any) -> np.ndarray:
        arr = np.asarray(x, dtype=np.float64)
        if arr.ndim == 2:
            arr = arr[None]
        if arr.ndim != 3 or arr.shape[2] != self.input_dim:
            raise DimensionMismatch(f"target {self.name!r} expects sequences of shape (batch, T, {self.input_dim}), got {np.shape(x)}")
        return arr

    def __call__(self, x: Any) -> np.ndarray:
        """All outputs ``(batch, T, d_y)`` for sequences ``(batch, T, d_x)``."""
        seqs = self._seqs(x)
        n, T, _ = seqs.shape
        with np.errstate(all="ignore"):
            if self.causal and self.sequence_fn is None:
                y = np.stack([self._prefix_value(seqs[:, : t + 1]) for t in range(T)], axis=1) if T else np.empty((n, 0, self.output_dim))
            else:
                f = self.sequence_fn if self.causal else self.fn
                y = np.asarray(f(seqs), dtype=np.float64)
        if y.shape != (n, T, self.output_dim):
            raise TargetError(f"target {self.name!r} returned shape {y.shape}, expected {(n, T, self.output_dim)}")
        return y

    def _prefix_value(self, prefix: np.ndarray) -> np.ndarray:
        y = np.asarray(self.fn(prefix), dtype=np.float64)
        if y.ndim == 1:
            y = y[:, None]
        return y

    def at(self, x: Any, t: int) -> np.ndarray:
        """The output at time ``t`` (1-based): ``(batch, d_y)``; for causal targets only x[1..t] is read."""
        seqs = self._seqs(x)
        if not 1 <= t <= seqs.shape[1]:
            raise DimensionMismatch(f"time index {t} outside 1..{seqs.shape[1]}")
        if self.causal:
            with np.errstate(all="ignore"):
                return self._prefix_value(seqs[:, :t])
        return self(seqs)[:, t - 1]

    def to_json(self) -> str:
        return self.name


def make_sequence_target(
    spec: Any,
    *,
    input_dim: int | None = None,
    output_dim: int | None = None,
    causal: bool = True,
) -> SequenceTarget:
    """Normalise a sequence-target specification.

    Parameters
    ----------
    spec : str, callable or SequenceTarget
        A library name (``uat._sequence_library.SEQUENCE_LIBRARY``), a vectorised
        callable (prefix form if ``causal``, whole-sequence form otherwise), or a target.
    input_dim, output_dim : int, optional
        Token dimensions; a callable needs ``input_dim``.

    Raises
    ------
    TargetError
        Unknown name, a callable that is not vectorised, or the wrong return shape.
    DimensionMismatch
        Dimensions that disagree with the target's.
    """
    if isinstance(spec, SequenceTarget):
        target = spec
    elif isinstance(spec, str):
        from ._sequence_library import library_sequence_target

        target = library_sequence_target(spec, input_dim=1 if input_dim is None else input_dim)
    elif callable(spec):
        if input_dim is None:
            raise TargetError("a callable sequence target needs input_dim=...")
        name = getattr(spec, "__name__", type(spec).__name__)
        d_out = _probe(spec, input_dim, name, causal)
        target = SequenceTarget(name=name, input_dim=input_dim, output_dim=d_out, fn=spec, causal=causal)
    else:
        raise TargetError(f"cannot make a sequence target from {type(spec).__name__} {spec!r}")
    if input_dim is not None and target.input_dim != input_dim:
        raise DimensionMismatch(f"sequence target {target.name!r} has d_x = {target.input_dim}, expected {input_dim}")
    if output_dim is not None and target.output_dim != output_dim:
        raise DimensionMismatch(f"sequence target {target.name!r} has d_y = {target.output_dim}, expected {output_dim}")
    return target


def _probe(fn: Callable[[np.ndarray], np.ndarray], d: int, name: str, causal: bool) -> int:
    x = np.linspace(0.2, 0.8, 3 * 2 * d).reshape(3, 2, d)
    try:
        with np.errstate(all="ignore"):
            y = np.asarray(fn(x), dtype=np.float64)
    except Exception as exc:
        raise TargetError(
            f"the sequence target {name!r} failed on a probe batch of shape (3, 2, {d}) ({type(exc).__name__}: {exc}); "
            + ("causal targets take a prefix (batch, t, d_x) and return (batch, d_y)" if causal
               else "non-causal targets take (batch, T, d_x) and return (batch, T, d_y)")
        ) from None
    if causal:
        if y.ndim == 1:
            y = y[:, None]
        ok = y.ndim == 2 and y.shape[0] == 3
    else:
        ok = y.ndim == 3 and y.shape[:2] == (3, 2)
    if not ok:
        want = "(3, d_y)" if causal else "(3, 2, d_y)"
        raise TargetError(f"the sequence target {name!r} returned shape {y.shape} on a probe of shape (3, 2, {d}); expected {want}")
    if not np.all(np.isfinite(y)):
        raise NonFiniteError(f"the sequence target {name!r} returned non-finite values on the probe sequences")
    return int(y.shape[-1])
