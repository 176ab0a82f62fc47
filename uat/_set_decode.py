r"""Decoding :math:`\Psi^{-1}`: from a pooled vector back to the multiset (explicit, vectorised).

The paper (Wang et al., ICLR 2024) proves that :math:`\Psi` has a continuous inverse on the
quotient by permutations but gives no algorithm.  This is the explicit one of
``shared/reference/rnn_deepsets.md`` section B4, for the layouts of :mod:`uat._set_layout`:

1. **Per candidate: the multiset from power sums.**  Newton's identities
   :math:`e_m = \frac1m \sum_{i=1}^m (-1)^{i-1} e_{m-i} p_i` give the monic polynomial
   :math:`\prod_n (z - v_n)`; its roots are companion-matrix eigenvalues (backward stable).
   For LE the variable is :math:`u = e^{w_j^\top x}`.
2. **The anchor.**  Real parts of the roots are clustered (single linkage, a gap larger than
   ``tol * scale`` splits; a complex pair is a perturbed multiple root and stays together).
   A true anchor shows as many clusters as the set has distinct rows, the maximum; ties go
   to the candidate whose Vandermonde solve is best conditioned (Gautschi's bound).
   Lemma 4.4's pigeonhole count :math:`K_1 = N(N-1)(D-1)/2 + 1` guarantees that an anchor
   exists among candidates in general position.
3. **Mixed moments** :math:`\mu_r = \sum_n x_{n,i} a_n^r`, :math:`r < N`.  LP: from
   :math:`\sum_n (x_{n,i} - \gamma a_n)^m = \sum_{r} \binom m r (-\gamma)^r S_{m-r,r}` over the
   coupling coefficients :math:`\gamma_k` (a least-squares solve, exact with ``K2 >= N - 1``),
   with :math:`S_{m,0}` from the buffer and :math:`S_{0,m}` from the anchor.  LE: directly,
   :math:`\sum_n e^{x_{n,i}} u_n^p` are the mixed terms with ``q = 1``.
4. **Vandermonde solve** on the anchor's cluster centres :math:`c_g` with multiplicities
   :math:`m_g`: :math:`\sum_g c_g^r G_g = \mu_r`, then :math:`x_{g,i} = G_g / m_g` (LE:
   :math:`\log(G_g / m_g)`), row ``g`` repeated :math:`m_g` times.  Duplicated rows are handled
   by the clustering: the mean of a cluster of perturbed multiple roots is well conditioned,
   and the centres are refined by Gauss-Newton on the anchor's power sums first.

Each decoded set is returned in lexicographic row order with diagnostics: the chosen anchor,
the number of distinct rows, and the relative re-embedding residual
:math:`\|\Psi(\hat X) - s\| / \|s\|` (an a-posteriori check that needs no ground truth).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np

from ._set_layout import AnchorLayout, mixed_pairs
from .errors import DimensionMismatch, NonFiniteError

__all__ = ["DecodeResult", "decode", "CLUSTER_LADDER", "roots_from_power_sums", "lex_sort_rows"]

# Roots closer than tol * scale are one repeated value.  A root of multiplicity m is perturbed
# by about (eps * cond)^(1/m) (1e-8 for m = 2, 1e-5 for m = 3, 1e-4 for m = 4), so no single
# tolerance fits every multiplicity (rnn_deepsets.md B6, item 2).  The decoder tries each
# tolerance of this ladder and keeps, per set, the decoding with the smallest re-embedding
# residual: a wrong split gives a wildly wrong Vandermonde solve, a wrong merge of rows
# delta apart a residual of order delta.
CLUSTER_LADDER = (1e-7, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1)
# Exact duplicates are also fitted, to roundoff, by rows split apart by ~sqrt(eps); so among
# the decodings the coarsest one (fewest distinct rows) wins when its residual is within a
# factor PREFER_COARSER of the best, or below RESIDUAL_FLOOR (roundoff of the pooled sums).
PREFER_COARSER = 10.0
# Candidates whose unpolished residual exceeds the best one's by this factor are not polished
# (a wrong merge of rows a gap g apart leaves a residual ~g^2 that polishing cannot remove).
POLISH_WITHIN = 1e6
RESIDUAL_FLOOR = 1e-15


@dataclass(frozen=True)
class DecodeResult:
    """Decoded sets ``(B, N, D)`` (rows in lexicographic order) and per-set diagnostics."""

    sets: np.ndarray
    anchor: np.ndarray  # (B,) index of the chosen anchor candidate
    n_distinct: np.ndarray  # (B,) number of clusters (distinct rows) found
    imag_ratio: np.ndarray  # (B,) largest |Im root| / scale of the chosen anchor
    residual: np.ndarray  # (B,) relative re-embedding residual ||Psi(X_hat) - s|| / ||s||


def roots_from_power_sums(p: np.ndarray) -> np.ndarray:
    """Roots of :math:`\\prod_n (z - v_n)` from the power sums ``p[..., m-1]`` = :math:`\\sum v_n^m`.

    >>> r = roots_from_power_sums(np.array([3.0, 5.0]))     # {1, 2}: 1+2, 1+4
    >>> np.sort(r.real).round(12).tolist()
    [1.0, 2.0]
    """
    p = np.asarray(p, dtype=np.float64)
    n = p.shape[-1]
    e = np.zeros(p.shape[:-1] + (n + 1,), dtype=np.float64)
    e[..., 0] = 1.0
    for m in range(1, n + 1):
        acc = np.zeros(p.shape[:-1])
        for i in range(1, m + 1):
            acc += (-1.0) ** (i - 1) * e[..., m - i] * p[..., i - 1]
        e[..., m] = acc / m
    if n == 1:
        return e[..., 1:2].astype(np.complex128)
    comp = np.zeros(p.shape[:-1] + (n, n), dtype=np.float64)
    signs = (-1.0) ** np.arange(1, n + 1)
    comp[..., 0, :] = -(signs * e[..., 1:])  # monic coefficients a_m = (-1)^m e_m
    idx = np.arange(n - 1)
    comp[..., idx + 1, idx] = 1.0
    return np.linalg.eigvals(comp)


def lex_sort_rows(sets: np.ndarray) -> np.ndarray:
    """Each set's rows in lexicographic order (first coordinate first): ``(B, N, D)``."""
    out = np.empty_like(sets)
    for b in range(sets.shape[0]):
        order = np.lexsort(sets[b].T[::-1])
        out[b] = sets[b][order]
    return out


def _cluster_stats(roots: np.ndarray, tau: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sort roots by real part; return (sorted roots, split flags, group count, Vandermonde conditioning).

    The conditioning is Gautschi's bound for the inverse of the Vandermonde matrix on the
    cluster centres, :math:`\\max_g \\prod_{h} (1 + |c_h|) / |c_g - c_h|` over roots in other
    clusters, as a logarithm: the mixed-moment solve on a candidate with a large value is
    inaccurate even when all its clusters are separated.
    """
    order = np.argsort(roots.real, axis=-1, kind="stable")
    srt = np.take_along_axis(roots, order, axis=-1)
    # true roots are real: a complex pair is a perturbed multiple root, so gaps are measured
    # on the real parts (a conjugate pair always falls into one cluster)
    re = srt.real
    splits = np.diff(re, axis=-1) > tau[..., None]
    count = 1 + splits.sum(axis=-1)
    labels = np.concatenate([np.zeros(splits.shape[:-1] + (1,), dtype=np.int64), np.cumsum(splits, axis=-1)], axis=-1)
    same = labels[..., :, None] == labels[..., None, :]
    with np.errstate(divide="ignore"):
        terms = np.log1p(np.abs(re))[..., None, :] - np.log(np.abs(re[..., :, None] - re[..., None, :]))
    log_cond = np.where(same, 0.0, terms).sum(axis=-1).max(axis=-1)
    return srt, splits, count, log_cond


def _configure(roots: np.ndarray, scale: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For one clustering tolerance: the anchor, the group labels of its sorted roots, the roots.

    The anchor is a candidate with the most clusters (a true anchor shows as many clusters
    as the set has distinct rows) and, among those, the best conditioned Vandermonde solve.
    """
    b = roots.shape[0]
    rows_b = np.arange(b)
    tau = np.broadcast_to((tol * scale)[:, None], roots.shape[:2])
    srt, splits, count, log_cond = _cluster_stats(roots, tau)
    most = count == count.max(axis=1, keepdims=True)
    best = np.argmin(np.where(most, log_cond, np.inf), axis=1)
    chosen = srt[rows_b, best]  # (B, N) sorted complex roots of the chosen anchor
    labels = np.concatenate([np.zeros((b, 1), dtype=np.int64), np.cumsum(splits[rows_b, best], axis=1)], axis=1)
    return best, labels, chosen, np.abs(chosen.imag).max(axis=1) / scale


def _mixed_moments(lay: AnchorLayout, s: np.ndarray, best: np.ndarray) -> np.ndarray:
    """mu[b, i, r] = sum_n x_{n,i} a_n^r (LP) or sum_n e^{x_{n,i}} u_n^r (LE), r = 0..N-1."""
    b = s.shape[0]
    n, d = lay.set_size, lay.dim
    rows_b = np.arange(b)
    mu = np.empty((b, d, n), dtype=np.float64)
    if lay.kind == "lp":
        p = s.reshape(b, lay.n_rows, n)
        gam = lay.gammas
        buf = p[:, :d, :]  # (B, D, N)
        anc = p[rows_b, d + best, :]  # (B, N)
        coup = p[rows_b[:, None, None], lay.coupling_rows()[:, best, :].transpose(1, 0, 2), :]  # (B, D, K2, N)
        mu[:, :, 0] = buf[:, :, 0]
        for m in range(2, n + 1):
            rhs = coup[:, :, :, m - 1] - buf[:, :, None, m - 1] - ((-gam) ** m)[None, None, :] * anc[:, None, None, m - 1]
            a_m = np.array([[comb(m, r) * (-g) ** r for r in range(1, m)] for g in gam])  # (K2, m-1)
            sol = rhs @ np.linalg.pinv(a_m).T  # (B, D, m-1): S_{m-r, r}, r = 1..m-1
            mu[:, :, m - 1] = sol[:, :, -1]
    else:
        chan, _, mixed = lay.le_rows()
        pos = {pq: i for i, pq in enumerate(mixed_pairs(n))}
        mu[:, :, 0] = s[:, chan[:, 0]]
        for r in range(1, n):
            mu[:, :, r] = s[rows_b[:, None], mixed[:, best, pos[(r, 1)]].T]
    return mu


def _refine_centres(centres: np.ndarray, mult: np.ndarray, sums: np.ndarray, steps: int = 4) -> np.ndarray:
    """Gauss-Newton on :math:`\\sum_g m_g c_g^p = P_p` (p = 1..N) for the cluster centres, per set.

    Companion roots of a close pair are only good to about sqrt(eps) relative to their gap;
    solving for the centres with the multiplicities fixed is far better conditioned, and
    the Vandermonde solve that follows needs accurate nodes.  A step is kept only where
    the weighted residual drops.
    """
    n = sums.shape[1]
    p = np.arange(1, n + 1, dtype=np.float64)
    cmax = np.maximum(np.abs(centres).max(axis=1, keepdims=True), 1e-8)  # (Bg, 1)
    with np.errstate(all="ignore"):
        weight = 1.0 / (p[None, :] * cmax ** (p[None, :] - 1))  # row scaling (Bg, N)
    weight = np.where(np.isfinite(weight), weight, 0.0)

    def resid(c: np.ndarray) -> np.ndarray:
        return weight * ((mult[:, None, :] * c[:, None, :] ** p[None, :, None]).sum(axis=2) - sums)

    with np.errstate(all="ignore"):
        f = resid(centres)
        norm = np.linalg.norm(f, axis=1)
    for _ in range(steps):
        with np.errstate(all="ignore"):
            jac = weight[:, :, None] * mult[:, None, :] * p[None, :, None] * centres[:, None, :] ** (p[None, :, None] - 1)
            jac = np.where(np.isfinite(jac), jac, 0.0)
            step = np.linalg.pinv(jac) @ np.where(np.isfinite(f), f, 0.0)[:, :, None]
            trial = centres - step[:, :, 0]
            f_trial = resid(trial)
            norm_trial = np.linalg.norm(f_trial, axis=1)
        better = np.isfinite(norm_trial) & (norm_trial < norm)
        if not better.any():
            break
        centres = np.where(better[:, None], trial, centres)
        f = np.where(better[:, None], f_trial, f)
        norm = np.where(better, norm_trial, norm)
    return centres


def column_values(lay: AnchorLayout, pooled: np.ndarray) -> np.ndarray:
    """Each channel's multiset, sorted, from its own power sums: ``(B, D, N)``.

    LP: the buffers :math:`\\sum_n x_{n,i}^m`; LE: the channel terms :math:`\\sum_n e^{p x_{n,i}}`
    (roots :math:`e^{x_{n,i}}`, then logs).  Companion roots, real parts.
    """
    b, n, d = pooled.shape[0], lay.set_size, lay.dim
    if lay.kind == "lp":
        sums = pooled.reshape(b, lay.n_rows, n)[:, :d, :]
    else:
        sums = pooled[:, lay.le_rows()[0]]
    vals = np.sort(roots_from_power_sums(sums).real, axis=-1)
    if lay.kind == "le":
        vals = np.log(np.maximum(vals, np.finfo(np.float64).tiny))
    return vals


def _snap_columns(rows: np.ndarray, columns: np.ndarray, onehot: np.ndarray, mult: np.ndarray) -> np.ndarray:
    """Replace each decoded column by the channel's own multiset, matched in sorted order.

    The Vandermonde solve only has to tell *which* value of channel i goes with which anchor
    value (union alignment, Lemma 4.3); the values themselves are the channel's companion
    roots, which stay accurate when the anchor's nodes are close (e.g. D = 1, a single
    candidate).  Sorted matching is the optimal assignment for a convex cost in one
    dimension; a group of m equal rows takes the mean of its m matched roots (a perturbed
    multiple root has a well-conditioned mean).  rows (Bg, N, D), columns (Bg, D, N) sorted.
    """
    order = np.argsort(rows, axis=1, kind="stable")
    matched = np.empty_like(rows)
    np.put_along_axis(matched, order, columns.transpose(0, 2, 1), axis=1)
    per_group = (onehot.transpose(0, 2, 1) @ matched) / mult[:, :, None]
    return onehot @ per_group


def _reconstruct(lay: AnchorLayout, mu: np.ndarray, labels: np.ndarray, chosen: np.ndarray,
                 anchor_sums: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vandermonde solve on the (refined) cluster centres of the anchor; rows repeated by multiplicity.

    Returns the solved sets and the same sets with every column snapped to the channel's own
    multiset (:func:`_snap_columns`); the caller keeps, per set, the one that re-embeds better.
    """
    b, n, d = mu.shape[0], lay.set_size, lay.dim
    values = chosen.real
    n_groups = labels[:, -1] + 1
    out = np.empty((b, n, d), dtype=np.float64)
    snapped = np.empty((b, n, d), dtype=np.float64)
    for g_count in np.unique(n_groups):
        sel = np.flatnonzero(n_groups == g_count)
        onehot = (labels[sel][:, :, None] == np.arange(g_count)[None, None, :]).astype(np.float64)  # (Bg, N, G)
        mult = onehot.sum(axis=1)  # (Bg, G)
        centres = (onehot * values[sel][:, :, None]).sum(axis=1) / mult
        centres = _refine_centres(centres, mult, anchor_sums[sel])
        vander = centres[:, None, :] ** np.arange(n)[None, :, None]  # (Bg, N, G)
        with np.errstate(all="ignore"):
            weights = np.linalg.pinv(vander) @ mu[sel].transpose(0, 2, 1)  # (Bg, G, D)
            per_group = weights / mult[:, :, None]
            if lay.kind == "le":
                per_group = np.log(np.maximum(per_group, np.finfo(np.float64).tiny))
        out[sel] = onehot @ per_group
        snapped[sel] = _snap_columns(out[sel], columns[sel], onehot, mult)
    return out, snapped


def residual(lay: AnchorLayout, sets: np.ndarray, pooled: np.ndarray) -> np.ndarray:
    """Relative re-embedding residual ||Psi(X) - s||_2 / ||s||_2 per set (inf when Psi overflows)."""
    from .set_embedding import SetEmbedding

    emb = SetEmbedding(lay.kind, lay.weight(), lay.set_size if lay.kind == "lp" else None)
    with np.errstate(all="ignore"):
        again = emb.pool(np.where(np.isfinite(sets), sets, 0.0), check_finite=False)
        res = np.linalg.norm(again - pooled, axis=1) / np.maximum(np.linalg.norm(pooled, axis=1), np.finfo(float).tiny)
    return np.where(np.isfinite(res) & np.all(np.isfinite(sets), axis=(1, 2)), res, np.inf)


def decode(
    layout: AnchorLayout,
    pooled: np.ndarray,
    *,
    cluster_tol: float | None = None,
    polish: bool = True,
) -> DecodeResult:
    """Decode a batch of pooled vectors ``(B, L)`` to sets ``(B, N, D)`` (see the module docstring).

    ``cluster_tol`` fixes one clustering tolerance (relative to the root scale) instead of
    the ladder :data:`CLUSTER_LADDER`; ``polish`` refines each decoded set by Gauss-Newton
    steps on the pooled equations (:mod:`uat._set_polish`), kept only where the residual drops.
    """
    lay = layout.as_float()
    s = np.asarray(pooled, dtype=np.float64)
    if s.ndim == 1:
        s = s[None]
    n, d, k1 = lay.set_size, lay.dim, lay.n_anchors
    width = lay.n_rows * (n if lay.kind == "lp" else 1)
    if s.ndim != 2 or s.shape[1] != width:
        raise DimensionMismatch(f"decode expects pooled vectors of shape (B, {width}), got {s.shape}")
    if not np.all(np.isfinite(s)):
        raise NonFiniteError("the pooled vector contains NaN or infinity; nothing can be decoded")
    b = s.shape[0]
    if lay.kind == "lp":
        anchor_sums = s.reshape(b, lay.n_rows, n)[:, d : d + k1, :]
    else:
        anchor_sums = s[:, lay.le_rows()[1]]  # (B, K1, N): sum_n u^p, p = 1..N
    roots = roots_from_power_sums(anchor_sums)  # (B, K1, N)
    columns = column_values(lay, s)  # (B, D, N)
    scale = np.maximum(np.abs(roots).max(axis=(1, 2)), np.finfo(np.float64).tiny)
    ladder = CLUSTER_LADDER if cluster_tol is None else (float(cluster_tol),)
    levels = len(ladder)
    cand_sets = np.zeros((levels, b, n, d))
    cand_res = np.full((levels, b), np.inf)
    cand_anchor = np.zeros((levels, b), dtype=np.int64)
    cand_groups = np.zeros((levels, b), dtype=np.int64)
    cand_imag = np.zeros((levels, b))
    fresh = np.zeros((levels, b), dtype=bool)
    prev: tuple[np.ndarray, np.ndarray] | None = None
    for t, tol in enumerate(ladder):  # fine to coarse
        best, labels, chosen, imag_t = _configure(roots, scale, tol)
        if prev is not None:  # unchanged configurations reuse the previous level's decoding
            same = (best == prev[0]) & np.all(labels == prev[1], axis=1)
            for arr in (cand_sets, cand_res, cand_anchor, cand_groups, cand_imag):
                arr[t, same] = arr[t - 1, same]
            todo = np.flatnonzero(~same)
        else:
            todo = np.arange(b)
        prev = (best, labels)
        if todo.size == 0:
            continue
        cand, snapped = _reconstruct(lay, _mixed_moments(lay, s[todo], best[todo]), labels[todo], chosen[todo],
                                     anchor_sums[todo, best[todo]], columns[todo])
        res_t, res_snap = residual(lay, cand, s[todo]), residual(lay, snapped, s[todo])
        snap = res_snap < res_t
        cand_sets[t, todo] = np.where(snap[:, None, None], snapped, cand)
        cand_res[t, todo], cand_anchor[t, todo] = np.minimum(res_t, res_snap), best[todo]
        cand_groups[t, todo], cand_imag[t, todo] = labels[todo, -1] + 1, imag_t[todo]
        fresh[t, todo] = True
    if polish:  # refine the distinct candidates that are not hopeless against the best one
        from ._set_polish import polish_sets

        hopeless = cand_res > POLISH_WITHIN * cand_res.min(axis=0)[None, :]
        for t in range(levels):
            todo = np.flatnonzero(fresh[t] & ~hopeless[t] & np.isfinite(cand_res[t]))
            if todo.size:
                cand_sets[t, todo], cand_res[t, todo] = polish_sets(
                    lay, cand_sets[t, todo], s[todo], cand_anchor[t, todo], cand_res[t, todo]
                )
            if t + 1 < levels:  # levels that reused this decoding share its polished version
                same = ~fresh[t + 1]
                cand_sets[t + 1, same], cand_res[t + 1, same] = cand_sets[t, same], cand_res[t, same]
    # the coarsest decoding whose residual is within PREFER_COARSER of the best one
    floor = np.maximum(PREFER_COARSER * cand_res.min(axis=0), RESIDUAL_FLOOR)
    ok = cand_res <= floor[None, :]
    key = np.where(ok, cand_groups, np.iinfo(np.int64).max)
    pick = np.lexsort((cand_res, key), axis=0)[0]  # fewest groups, then smallest residual
    cols = np.arange(b)
    sets, res, anchor = cand_sets[pick, cols], cand_res[pick, cols], cand_anchor[pick, cols]
    groups, imag = cand_groups[pick, cols], cand_imag[pick, cols]
    return DecodeResult(lex_sort_rows(sets), anchor, groups, imag, res)
