r"""The row layout of an anchor-based set embedding: which row of W plays which role.

The decoder (:mod:`uat._set_decode`) needs to know the roles; the JSON format stores both the
layout and W, and :meth:`AnchorLayout.check_weight` confirms that they agree.

**LP layout** (Wang et al. 2024, Sec. 4 "Proof Sketch"; rows in this order):

1. buffers :math:`e_1, \dots, e_D` (each channel's multiset);
2. anchor candidates :math:`w_1, \dots, w_{K_1}`;
3. couplings :math:`e_i - \gamma_k w_j` for :math:`i \le D, j \le K_1, k \le K_2` (``i`` slowest, ``k`` fastest).

``K = D + K1 + D K1 K2`` rows and latent width ``L = N K``.

**LE layout** (reconstructed; rows in this order): channel terms :math:`p\,e_i` (``i`` slowest,
:math:`p = 1..N`), anchor terms :math:`p\,w_j`, and mixed terms :math:`p\,w_j + q\,e_i` for
:math:`p, q \ge 1, p + q \le N` (order ``i, j, p, q``).  ``L = N D + N K_1 + D K_1 N(N-1)/2``.

>>> lay = AnchorLayout("lp", 2, [[1, 1]], ["1/2"])     # D = 2, one anchor, one gamma
>>> [[str(v) for v in row] for row in lay.weight()]
[['1', '0'], ['0', '1'], ['1', '1'], ['1/2', '-1/2'], ['-1/2', '1/2']]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ._scalars import float_array, is_exact_array
from .errors import DimensionMismatch, ExactnessError, ParameterError
from .set_embedding import exact_or_float

__all__ = ["AnchorLayout", "mixed_pairs"]


def mixed_pairs(n: int) -> tuple[tuple[int, int], ...]:
    """The exponent pairs (p, q) with p, q >= 1 and p + q <= n, in layout order.

    >>> mixed_pairs(3)
    ((1, 1), (1, 2), (2, 1))
    """
    return tuple((p, q) for p in range(1, n) for q in range(1, n - p + 1))


def _values(values: Any, what: str, ndim: int) -> np.ndarray:
    arr = exact_or_float(values, what)
    if arr.ndim != ndim:
        raise DimensionMismatch(f"the {what} must be a {ndim}-D array, got shape {arr.shape}")
    return arr


@dataclass(frozen=True, eq=False)
class AnchorLayout:
    """Anchor candidates and coupling coefficients: everything the decoder needs besides W.

    Parameters
    ----------
    kind : {"lp", "le"}
    set_size : int
        N, the number of elements of every set.
    anchors : array (K1, D)
        The anchor candidates :math:`w_j`.
    gammas : array (K2,)
        LP: the distinct nonzero coupling coefficients :math:`\\gamma_k` (K2 >= N - 1).
        LE: empty.
    """

    kind: str
    set_size: int
    anchors: Any
    gammas: Any = ()
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in ("lp", "le"):
            raise ParameterError(f"unknown layout kind {self.kind!r}; use 'lp' or 'le'")
        n = self.set_size
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
            raise ParameterError(f"the set size N must be an integer >= 1, got {n!r}")
        object.__setattr__(self, "set_size", int(n))
        a = _values(self.anchors, "anchor candidates", 2)
        if a.shape[0] == 0 or a.shape[1] == 0:
            raise DimensionMismatch(f"need at least one anchor candidate of dimension >= 1, got shape {a.shape}")
        g = _values(list(self.gammas), "coupling coefficients", 1) if len(self.gammas) else np.zeros(0, dtype=a.dtype)
        if g.size and is_exact_array(a) != is_exact_array(g):
            raise ExactnessError("anchors and gammas must both be exact or both float64")
        if self.kind == "le" and g.size:
            raise ParameterError("an LE layout has no coupling coefficients gamma")
        if self.kind == "lp":
            if g.size < n - 1:
                raise ParameterError(
                    f"an LP layout for sets of N = {n} elements needs at least N - 1 = {n - 1} coupling "
                    f"coefficients gamma, got {g.size}"
                )
            if any(v == 0 for v in g):
                raise ParameterError("coupling coefficients gamma must be nonzero (gamma = 0 repeats a buffer)")
            if len(set(g.tolist())) != g.size:
                raise ParameterError(f"coupling coefficients gamma must be distinct, got {g.tolist()}")
        object.__setattr__(self, "anchors", a)
        object.__setattr__(self, "gammas", g)

    # -- sizes ----------------------------------------------------------------------------
    @property
    def dim(self) -> int:
        return int(self.anchors.shape[1])

    @property
    def n_anchors(self) -> int:
        return int(self.anchors.shape[0])

    @property
    def n_gammas(self) -> int:
        return int(self.gammas.shape[0])

    @property
    def is_exact(self) -> bool:
        return is_exact_array(self.anchors)

    @property
    def n_rows(self) -> int:
        """Rows of W: D + K1 + D K1 K2 (LP) or N D + N K1 + D K1 N(N-1)/2 (LE)."""
        d, k1, n = self.dim, self.n_anchors, self.set_size
        if self.kind == "lp":
            return d + k1 + d * k1 * self.n_gammas
        return n * d + n * k1 + d * k1 * (n * (n - 1) // 2)

    # -- row indices ----------------------------------------------------------------------
    def coupling_rows(self) -> np.ndarray:
        """LP: index array (D, K1, K2) of the rows :math:`e_i - \\gamma_k w_j`."""
        d, k1, k2 = self.dim, self.n_anchors, self.n_gammas
        return d + k1 + np.arange(d * k1 * k2).reshape(d, k1, k2)

    def le_rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """LE: index arrays channel (D, N), anchor (K1, N) and mixed (D, K1, M) with M = N(N-1)/2."""
        d, k1, n = self.dim, self.n_anchors, self.set_size
        m = n * (n - 1) // 2
        chan = np.arange(d * n).reshape(d, n)
        anch = d * n + np.arange(k1 * n).reshape(k1, n)
        mixed = d * n + k1 * n + np.arange(d * k1 * m).reshape(d, k1, m)
        return chan, anch, mixed

    # -- the weight -----------------------------------------------------------------------
    def weight(self) -> np.ndarray:
        """The canonical W of this layout (exact when the anchors are exact)."""
        cached = self._cache.get("weight")
        if cached is not None:
            return cached
        d, n = self.dim, self.set_size
        exact = self.is_exact
        one, zero = (Fraction(1), Fraction(0)) if exact else (1.0, 0.0)
        eye = np.full((d, d), zero, dtype=object if exact else np.float64)
        for i in range(d):
            eye[i, i] = one
        a, g = self.anchors, self.gammas
        if self.kind == "lp":
            coup = eye[:, None, None, :] - g[None, None, :, None] * a[None, :, None, :]
            w = np.concatenate([eye, a, coup.reshape(-1, d)], axis=0)
        else:
            ps = np.arange(1, n + 1)
            if exact:
                ps = np.array([Fraction(int(p)) for p in ps], dtype=object)
            chan = (ps[None, :, None] * eye[:, None, :]).reshape(-1, d)
            anch = (ps[None, :, None] * a[:, None, :]).reshape(-1, d)
            pq = mixed_pairs(n)
            pp = np.array([p for p, _ in pq], dtype=object if exact else np.float64)
            qq = np.array([q for _, q in pq], dtype=object if exact else np.float64)
            if exact:
                pp = np.array([Fraction(int(v)) for v in pp], dtype=object).reshape(-1)
                qq = np.array([Fraction(int(v)) for v in qq], dtype=object).reshape(-1)
            mixed = pp[None, None, :, None] * a[None, :, None, :] + qq[None, None, :, None] * eye[:, None, None, :]
            w = np.concatenate([chan, anch, mixed.reshape(-1, d)], axis=0)
        w = w.astype(object) if exact else w.astype(np.float64)
        w.flags.writeable = False
        self._cache["weight"] = w
        return w

    def check_weight(self, weight: np.ndarray, *, where: str = "the embedding") -> None:
        """Raise :class:`DimensionMismatch` unless ``weight`` equals this layout's W.

        Exact weights must match exactly; float weights to 4 ulp of the largest entry.
        """
        ref = self.weight()
        if weight.shape != ref.shape:
            raise DimensionMismatch(
                f"{where}: W has shape {weight.shape} but the {self.kind.upper()} layout (N = {self.set_size}, "
                f"D = {self.dim}, K1 = {self.n_anchors}, K2 = {self.n_gammas}) needs {ref.shape}"
            )
        if weight.dtype == object and ref.dtype == object:
            bad = np.argwhere(weight != ref)
        else:
            wf = float_array(weight, what="weight")
            rf = float_array(ref, what="weight")
            slack = 4 * np.finfo(np.float64).eps * max(1.0, float(np.max(np.abs(rf))))
            bad = np.argwhere(np.abs(wf - rf) > slack)
        if bad.size:
            r, c = (int(v) for v in bad[0])
            raise DimensionMismatch(
                f"{where}: row {r} of W disagrees with the layout at column {c} ({weight[r, c]} vs {ref[r, c]}); "
                "the rows must be the buffers, anchors and couplings in layout order (docs/format.md)"
            )

    def as_float(self) -> "AnchorLayout":
        if not self.is_exact:
            return self
        g = float_array(self.gammas, what="gammas") if self.gammas.size else np.zeros(0)
        return AnchorLayout(self.kind, self.set_size, float_array(self.anchors, what="anchors"), g)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AnchorLayout):
            return NotImplemented
        return (
            (self.kind, self.set_size, self.is_exact, self.anchors.shape, self.gammas.shape)
            == (other.kind, other.set_size, other.is_exact, other.anchors.shape, other.gammas.shape)
            and bool(np.array_equal(self.anchors, other.anchors))
            and bool(np.array_equal(self.gammas, other.gammas))
        )

    __hash__ = None  # type: ignore[assignment]
