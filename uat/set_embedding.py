r"""Sum-pooled set embeddings :math:`\Psi(X) = \sum_{n=1}^N \phi(x^{(n)})` (the first half of DeepSets).

Two element embeddings from Wang, Yang, Li, Wang, Li, "Polynomial Width is Sufficient for Set
Representation with High-dimensional Features" (ICLR 2024, arXiv 2307.04001, Sec. 3):

* **LP** (linear + power): :math:`\phi(x) = [\psi_N(w_1^\top x), \dots, \psi_N(w_K^\top x)]` with
  :math:`\psi_N(z) = (z, z^2, \dots, z^N)`; the weight is ``W`` of shape ``(K, D)`` and the
  latent width is :math:`L = N K`.  Pooled coordinate ``k * N + (m - 1)`` is
  :math:`\sum_n (w_k^\top x^{(n)})^m`.
* **LE** (linear + exponential): :math:`\phi(x) = \exp(W x)` with ``W`` of shape ``(L, D)``;
  pooled coordinate ``l`` is :math:`\sum_n \exp(w_l^\top x^{(n)})`.

Weights are all exact rationals or all float64 (:mod:`uat._scalars`).  :meth:`SetEmbedding.pool`
is the vectorised float64 forward pass over a batch of sets; :meth:`SetEmbedding.pool_exact`
computes the pooled vector of one rational set exactly: Fractions for LP, and for LE each
coordinate as the multiset of its rational exponents, which *is* exact: by the
Lindemann-Weierstrass theorem, :math:`\sum_n e^{r_n} = \sum_n e^{r'_n}` for rationals iff the
multisets :math:`\{r_n\}` and :math:`\{r'_n\}` agree.

>>> emb = SetEmbedding("lp", [[1, 0], [0, 1]], degree=2)
>>> emb.width, emb.pool(np.array([[[1.0, 2.0], [3.0, 4.0]]])).tolist()
(4, [[4.0, 10.0, 6.0, 20.0]])
>>> emb.pool_exact([["1/2", 0], [1, 1]])
(Fraction(3, 2), Fraction(5, 4), Fraction(1, 1), Fraction(1, 1))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from ._scalars import exact_array, float_array, is_exact_array, to_fraction
from .errors import DimensionMismatch, ExactnessError, NonFiniteError, ParameterError

__all__ = ["SetEmbedding", "EMBEDDING_KINDS", "as_sets", "exact_set", "exact_or_float"]

EMBEDDING_KINDS = ("lp", "le")
# Memory bound for the float forward pass: sets per chunk * N * K * 8 bytes stays below this.
_CHUNK_BYTES = 1 << 26


def exact_or_float(values: Any, what: str) -> np.ndarray:
    """A read-only array that is all Fractions (from ints, Fractions, ``"p/q"``) or all float64.

    Integer arrays are exact; any float makes the array float64, unless it is mixed with
    Fractions or strings, which raises :class:`ExactnessError`.
    """
    if isinstance(values, np.ndarray) and values.dtype != object:
        if np.issubdtype(values.dtype, np.integer):
            return exact_array(values)
        return float_array(values, what=what)
    obj = np.asarray(values, dtype=object)
    has_float = any(isinstance(v, (float, np.floating)) for v in obj.ravel())
    if has_float and any(isinstance(v, (Fraction, str)) for v in obj.ravel()):
        raise ExactnessError(
            f"the {what} mixes floats with exact rationals; give every entry as an int, Fraction "
            "or 'p/q' string, or pass a float64 array"
        )
    if has_float:
        return float_array(obj, what=what)
    if obj.size == 0:
        out = np.zeros(obj.shape, dtype=object)
        out.flags.writeable = False
        return out
    return exact_array(obj)


def _weight_array(weight: Any) -> np.ndarray:
    arr = exact_or_float(weight, "embedding weight")
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise DimensionMismatch(f"the embedding weight must be a non-empty (K, D) matrix, got shape {arr.shape}")
    return arr


@dataclass(frozen=True, eq=False)
class SetEmbedding:
    """A linear map followed by powers (``"lp"``) or the exponential (``"le"``), then sum pooling.

    Parameters
    ----------
    kind : {"lp", "le"}
    weight : array of shape (K, D)
        Exact (ints, Fractions, ``"p/q"`` strings) or float64.
    degree : int
        LP only: the largest power N (powers 1..N).  Must be None for LE.
    """

    kind: str
    weight: Any
    degree: int | None = None
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in EMBEDDING_KINDS:
            raise ParameterError(f"unknown embedding kind {self.kind!r}; use 'lp' (linear + powers) or 'le' (linear + exp)")
        object.__setattr__(self, "weight", _weight_array(self.weight))
        if self.kind == "lp":
            if not isinstance(self.degree, (int, np.integer)) or isinstance(self.degree, bool) or self.degree < 1:
                raise ParameterError(f"an LP embedding needs an integer degree N >= 1 (powers 1..N), got {self.degree!r}")
            object.__setattr__(self, "degree", int(self.degree))
        elif self.degree is not None:
            raise ParameterError(f"an LE embedding has no degree (got {self.degree!r}); each row of W is one exp feature")

    # -- descriptors ----------------------------------------------------------------------
    @property
    def input_dim(self) -> int:
        """D, the dimension of one set element."""
        return int(self.weight.shape[1])

    @property
    def n_directions(self) -> int:
        """K, the number of rows of the linear map."""
        return int(self.weight.shape[0])

    @property
    def width(self) -> int:
        """L, the latent dimension: N K for LP, K for LE."""
        return self.n_directions * (self.degree if self.kind == "lp" else 1)

    @property
    def n_params(self) -> int:
        """Entries of the linear map W (the powers and exp have no parameters)."""
        return int(self.weight.size)

    @property
    def is_exact(self) -> bool:
        return is_exact_array(self.weight)

    def float_weight(self) -> np.ndarray:
        """W as a read-only float64 array (exact entries correctly rounded)."""
        w = self._cache.get("float_weight")
        if w is None:
            w = self.weight if not self.is_exact else float_array(self.weight, what="embedding weight")
            self._cache["float_weight"] = w
        return w

    def as_float(self) -> "SetEmbedding":
        return SetEmbedding(self.kind, self.float_weight(), self.degree)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SetEmbedding):
            return NotImplemented
        return (self.kind, self.degree, self.is_exact, self.weight.shape) == (
            other.kind, other.degree, other.is_exact, other.weight.shape
        ) and bool(np.array_equal(self.weight, other.weight))

    __hash__ = None  # type: ignore[assignment]

    # -- float evaluation -----------------------------------------------------------------
    def features(self, points: Any) -> np.ndarray:
        """phi of single elements: ``(n, D) -> (n, L)`` float64."""
        pts = np.asarray(points, dtype=np.float64)
        if pts.ndim != 2 or pts.shape[1] != self.input_dim:
            raise DimensionMismatch(f"features expects points of shape (n, {self.input_dim}), got {pts.shape}")
        return self.pool(pts[:, None, :])

    def pool(self, sets: Any, *, check_finite: bool = True) -> np.ndarray:
        """The pooled vectors of a batch of sets: ``(B, N, D) -> (B, L)`` float64.

        Chunked over the batch so that memory stays bounded; raises :class:`NonFiniteError`
        on overflow (``check_finite=False`` returns inf/nan entries instead, for callers that
        judge each set separately).
        """
        xs = as_sets(sets, self.input_dim)
        b, n, _ = xs.shape
        w_t = self.float_weight().T
        k = self.n_directions
        per_set = n * k * 8 * (2 if self.kind == "lp" else 1)
        chunk = max(1, _CHUNK_BYTES // max(per_set, 1))
        out = np.empty((b, self.width), dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            for s in range(0, b, chunk):
                z = xs[s : s + chunk] @ w_t  # (c, n, K)
                if self.kind == "le":
                    out[s : s + chunk] = np.exp(z).sum(axis=1)
                    continue
                acc = np.empty((z.shape[0], k, self.degree), dtype=np.float64)
                power = z.copy()
                for m in range(self.degree):
                    if m:
                        power *= z
                    acc[:, :, m] = power.sum(axis=1)
                out[s : s + chunk] = acc.reshape(z.shape[0], -1)
        if check_finite and not np.all(np.isfinite(out)):
            raise NonFiniteError(
                "the pooled embedding overflowed; scale the set elements into [-1, 1]^D (DeepSets witnesses "
                "are built for that domain)"
            )
        return out

    # -- exact evaluation -----------------------------------------------------------------
    def pool_exact(self, points: Sequence[Sequence[Any]]) -> tuple[Any, ...]:
        """The pooled vector of one rational set, exactly.

        LP: a tuple of L Fractions.  LE: a tuple of L sorted tuples of Fractions, coordinate
        ``l`` standing for :math:`\\sum_n \\exp(r_n)` with the listed exponents :math:`r_n`
        (equal tuples iff equal values, by Lindemann-Weierstrass).
        """
        if not self.is_exact:
            raise ExactnessError("pool_exact needs an exact embedding; this one has float64 weights")
        rows = exact_set(points, self.input_dim)
        w = self.weight
        z = [[sum((w[k, d] * r[d] for d in range(self.input_dim) if w[k, d]), Fraction(0)) for r in rows]
             for k in range(self.n_directions)]
        if self.kind == "le":
            return tuple(tuple(sorted(zk)) for zk in z)
        out: list[Fraction] = []
        for zk in z:
            pw = list(zk)
            for m in range(self.degree):  # type: ignore[arg-type]
                if m:
                    pw = [p * v for p, v in zip(pw, zk)]
                out.append(sum(pw, Fraction(0)))
        return tuple(out)


def as_sets(sets: Any, dim: int) -> np.ndarray:
    """A float64 batch of sets ``(B, N, D)``; a single set ``(N, D)`` becomes ``(1, N, D)``."""
    xs = np.asarray(sets, dtype=np.float64)
    if xs.ndim == 2:
        xs = xs[None]
    if xs.ndim != 3 or xs.shape[2] != dim or xs.shape[1] == 0:
        raise DimensionMismatch(
            f"expected a set of shape (N, {dim}) or a batch of sets of shape (B, N, {dim}), got {np.shape(sets)}"
        )
    if not np.all(np.isfinite(xs)):
        raise NonFiniteError("the set elements contain NaN or infinity")
    return xs


def exact_set(points: Sequence[Sequence[Any]], dim: int) -> list[list[Fraction]]:
    """One set as rows of Fractions (ints, Fractions and ``"p/q"`` strings; floats are refused)."""
    rows = [list(r) if isinstance(r, (list, tuple, np.ndarray)) else [r] for r in points]
    if not rows:
        raise DimensionMismatch("a set needs at least one element")
    out = []
    for r in rows:
        if len(r) != dim:
            raise DimensionMismatch(f"the set element {r!r} has {len(r)} coordinates, expected {dim}")
        out.append([to_fraction(v) for v in r])
    return out
