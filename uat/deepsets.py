r"""The DeepSets value: :math:`f(X) = \rho\big(\sum_{n=1}^N \phi(x^{(n)})\big)` for sets of N points in R^D.

* :math:`\phi` is an explicit :class:`~uat.set_embedding.SetEmbedding`: a linear map W then
  powers 1..N (LP) or exp (LE), Wang, Yang, Li, Wang, Li (ICLR 2024, arXiv 2307.04001).
* Pooling is the sum; the **width** is the latent dimension L of the pooled vector.
* :math:`\rho` = target :math:`\circ` decode: the explicit decoder of :mod:`uat._set_decode`
  (part of the value, so that a verifier can run the full network without the constructions)
  followed by a set target (:mod:`uat.set_targets`).  Without a target, the readout is the
  decoded set in lexicographic row order (``lex-sort``); without a decoder layout (e.g. the
  lower-bound demonstration) the output is the pooled vector itself.
* Equivariant targets use the form of the paper's Theorem 5.1,
  :math:`f(X)_j = \rho(x^{(j)}, \Psi(X))` with
  :math:`\rho(x, s) = g(\hat X)_{\arg\min_n \|\hat X_n - x\|}`, :math:`\hat X` = decode(s).

**Depth** is 1: the number of affine maps of :math:`\phi` (one linear map; the powers or
exponentials are its activation).  :math:`\rho` is an explicit algorithm, not a layered
network, and is not counted.  **Parameters** are the entries of W.

>>> from uat._set_layout import AnchorLayout
>>> lay = AnchorLayout("lp", 2, [[1, 1]], ["1/2"])
>>> ds = DeepSets(SetEmbedding("lp", lay.weight(), degree=2), 2, lay, readout="sum")
>>> ds.width, ds.depth, ds.input_shape
(10, 1, (2, 2))
>>> ds(np.array([[0.25, -0.5], [0.5, 0.125]])).round(12).tolist()
[0.75, -0.375]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from ._set_decode import DecodeResult, decode
from ._set_layout import AnchorLayout
from .errors import DimensionMismatch, DomainError, ParameterError
from ._metadata import frozen_field, thaw_json, updated_metadata
from .set_embedding import SetEmbedding, as_sets
from .set_targets import SetTarget, make_set_target

__all__ = ["DeepSets", "DECODER_RADIUS", "check_decoder_scale"]

# The decoder's scale: anchors have unit l1 norm, couplings |gamma| < 1 and LE exponents at most
# N, so the witnesses are built for elements in [-1, 1]^D (docs/deepsets.md, "Pitfalls").
DECODER_RADIUS = 1.0


def check_decoder_scale(sets: np.ndarray) -> None:
    r"""Raise :class:`DomainError` when a set element leaves :math:`[-1, 1]^D`, the decoder's domain.

    Outside it the LE features :math:`e^{N w^\top x}` overflow or lose the small roots, and
    the decoded set (hence :math:`\rho`) is silently wrong; a few ulp of slack are allowed.
    """
    r = float(np.max(np.abs(sets))) if sets.size else 0.0
    if r > DECODER_RADIUS * (1 + 4 * np.finfo(np.float64).eps):
        raise DomainError(
            f"a set element reaches |x| = {r:g} > {DECODER_RADIUS:g}: DeepSets decoders are built for elements in "
            "[-1, 1]^D; rescale the sets into [-1, 1]^D (and the target with them)"
        )


@dataclass(frozen=True, eq=False)
class DeepSets:
    """A sum-decomposed set function (see the module docstring).

    Parameters
    ----------
    phi : SetEmbedding
        The element embedding (linear map, then powers or exp).
    set_size : int
        N, the number of elements of every input set.
    layout : AnchorLayout or None
        The decoder's map of W's rows; None for an embedding without a decoder.
    readout : SetTarget, str or None
        The target composed with the decoder (a name is resolved by :func:`make_set_target`).
    metadata : mapping
        JSON-like; does not take part in equality.
    """

    phi: SetEmbedding
    set_size: int
    layout: AnchorLayout | None = None
    readout: Any = None
    metadata: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        n = self.set_size
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
            raise ParameterError(f"the set size N must be an integer >= 1, got {n!r}")
        object.__setattr__(self, "set_size", int(n))
        emb = self.phi
        if not isinstance(emb, SetEmbedding):
            raise ParameterError(f"phi must be a SetEmbedding, got {type(emb).__name__}")
        if self.layout is not None:
            lay = self.layout
            if lay.kind != emb.kind or lay.set_size != n:
                raise DimensionMismatch(
                    f"the decoder layout is for {lay.kind.upper()} sets of N = {lay.set_size}, "
                    f"the embedding is {emb.kind.upper()} for N = {n}"
                )
            if emb.kind == "lp" and emb.degree != n:
                raise DimensionMismatch(f"an LP embedding with a decoder needs powers 1..N = {n}, got degree {emb.degree}")
            lay.check_weight(emb.weight)
        if self.readout is not None:
            if self.layout is None:
                raise ParameterError("a readout target needs a decoder layout (rho = target o decode)")
            object.__setattr__(self, "readout", make_set_target(self.readout, dim=emb.input_dim, size=n))
        object.__setattr__(self, "metadata", frozen_field(self.metadata))

    # -- descriptors ----------------------------------------------------------------------
    @property
    def input_dim(self) -> int:
        """D, the dimension of one element."""
        return self.phi.input_dim

    @property
    def embedding(self) -> str:
        """The embedding kind, ``"lp"`` or ``"le"`` (the catalogue's ``embedding`` parameter)."""
        return self.phi.kind

    @property
    def input_shape(self) -> tuple[int, int]:
        """(N, D)."""
        return (self.set_size, self.input_dim)

    @property
    def width(self) -> int:
        """L, the latent dimension of the pooled vector."""
        return self.phi.width

    @property
    def depth(self) -> int:
        """1: the affine maps of phi (rho is an explicit algorithm; see the module docstring)."""
        return 1

    @property
    def n_params(self) -> int:
        return self.phi.n_params

    @property
    def is_exact(self) -> bool:
        return self.phi.is_exact

    @property
    def target(self) -> SetTarget | None:
        """The readout target, or ``lex-sort`` when a decoder exists without one."""
        if self.readout is not None:
            return self.readout
        if self.layout is not None:
            return make_set_target("lex-sort", dim=self.input_dim, size=self.set_size)
        return None

    @property
    def equivariant(self) -> bool:
        t = self.target
        return t is not None and t.equivariant

    @property
    def output_dim(self) -> int:
        t = self.target
        return self.width if t is None else t.output_dim

    # -- copies ---------------------------------------------------------------------------
    def with_metadata(self, **updates: Any) -> "DeepSets":
        return DeepSets(self.phi, self.set_size, self.layout, self.readout, updated_metadata(self.metadata, updates))

    def with_readout(self, target: Any, **params: Any) -> "DeepSets":
        """The same embedding and decoder with another target (``rho = target o decode``)."""
        t = make_set_target(target, dim=self.input_dim, size=self.set_size, **params)
        return DeepSets(self.phi, self.set_size, self.layout, t, self.metadata)

    def as_float(self) -> "DeepSets":
        lay = None if self.layout is None else self.layout.as_float()
        return DeepSets(self.phi.as_float(), self.set_size, lay, self.readout, self.metadata)

    # -- evaluation -----------------------------------------------------------------------
    def _sets(self, sets: Any) -> np.ndarray:
        xs = as_sets(sets, self.input_dim)
        if xs.shape[1] != self.set_size:
            raise DimensionMismatch(f"this DeepSets network takes sets of N = {self.set_size} elements, got {xs.shape[1]}")
        return xs

    def embed(self, sets: Any) -> np.ndarray:
        """The pooled vectors :math:`\\Psi(X)`: ``(B, N, D) -> (B, L)`` float64."""
        return self.phi.pool(self._sets(sets))

    def embed_exact(self, points: Any) -> tuple[Any, ...]:
        """:math:`\\Psi(X)` of one rational set, exactly (see :meth:`SetEmbedding.pool_exact`)."""
        if len(points) != self.set_size:
            raise DimensionMismatch(f"this DeepSets network takes sets of N = {self.set_size} elements, got {len(points)}")
        return self.phi.pool_exact(points)

    def decode(self, pooled: Any, **options: Any) -> DecodeResult:
        """Decode pooled vectors ``(B, L)`` to sets ``(B, N, D)`` with diagnostics."""
        if self.layout is None:
            raise ParameterError("this DeepSets value has no decoder layout (its rho is the identity)")
        return decode(self.layout, pooled, **options)

    def rho(self, pooled: Any, points: Any = None) -> np.ndarray:
        """:math:`\\rho(s)` (invariant) or :math:`\\rho(x, s)` for the rows ``points (B, M, D)`` (equivariant)."""
        s = np.asarray(pooled, dtype=np.float64)
        s = s[None] if s.ndim == 1 else s
        t = self.target
        if t is None:
            return s.copy()
        sets_hat = self.decode(s).sets
        values = t(sets_hat)
        if not t.equivariant:
            return values
        if points is None:
            raise ParameterError("an equivariant rho needs the query elements x: rho(x, s)")
        pts = np.asarray(points, dtype=np.float64).reshape(s.shape[0], -1, self.input_dim)
        d2 = ((pts[:, :, None, :] - sets_hat[:, None, :, :]) ** 2).sum(axis=3)
        nearest = d2.argmin(axis=2)  # (B, M)
        return np.take_along_axis(values, nearest[:, :, None], axis=1)

    def evaluate(self, sets: Any) -> np.ndarray:
        """The full network in float64: ``(B, N, D) -> (B, d)``, or ``(B, N, d)`` when equivariant.

        A single set ``(N, D)`` gives ``(d,)`` or ``(N, d)``.
        """
        single = np.asarray(sets).ndim == 2
        xs = self._sets(sets)
        if self.layout is not None:
            check_decoder_scale(xs)
        out = self.rho(self.phi.pool(xs), xs if self.equivariant else None)
        return out[0] if single else out

    __call__ = evaluate

    # -- comparison and display -----------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DeepSets):
            return NotImplemented
        ta, tb = self.readout, other.readout
        same_readout = (ta is None and tb is None) or (
            ta is not None and tb is not None and ta.text == tb.text
            and np.array_equal(np.asarray(ta.params.get("reference", 0)), np.asarray(tb.params.get("reference", 0)))
        )
        return (
            self.set_size == other.set_size
            and self.phi == other.phi
            and (self.layout == other.layout if self.layout is not None and other.layout is not None
                 else self.layout is other.layout)
            and same_readout
        )

    __hash__ = None  # type: ignore[assignment]

    def summary(self) -> dict[str, Any]:
        """A JSON-ready description (``"kind": "deepsets"``), as :meth:`FeedForward.summary`."""
        emb = self.phi
        act = f"power(1..{emb.degree})" if emb.kind == "lp" else "exp"
        t = self.target
        return {
            "kind": "deepsets",
            "input_dim": self.input_dim,
            "set_size": self.set_size,
            "input_shape": list(self.input_shape),
            "output_dim": self.output_dim,
            "width": self.width,
            "depth": self.depth,
            "n_params": self.n_params,
            "exact": self.is_exact,
            "embedding": emb.kind,
            "n_directions": emb.n_directions,
            "activations": [act],
            "pooling": "sum",
            "decoder": None if self.layout is None else {
                "anchors": self.layout.n_anchors, "gammas": self.layout.n_gammas,
            },
            "rho": "identity" if t is None else f"{t.text} o decode",
            "equivariant": self.equivariant,
            "max_abs_weight": float(np.max(np.abs(emb.float_weight()))),
            "metadata": thaw_json(self.metadata),
        }

    def __repr__(self) -> str:
        t = self.target
        rho = "identity" if t is None else f"{t.text} o decode"
        kind = "exact" if self.is_exact else "float64"
        return (f"DeepSets({self.phi.kind.upper()}; N={self.set_size}, D={self.input_dim} -> L={self.width}; "
                f"rho = {rho}; {kind})")


from . import _deepsets_format as _deepsets_format  # noqa: E402,F401  (registers uat.deepsets/1)
