r"""Gauss-Newton refinement of decoded sets on the pooled equations.

The algebraic decoder (:mod:`uat._set_decode`) amplifies rounding errors through Newton's
identities and two Vandermonde solves.  The pooled equations themselves are much better
conditioned, so a few Gauss-Newton steps on

* LP: :math:`\frac1m\big(\sum_n (w_r^\top x_n)^m - s_{r,m}\big) = 0`,
* LE: :math:`\big(\sum_n e^{w_l^\top x_n} - s_l\big) / s_l = 0`,

over the rows the decoder used (buffers or channel terms, the chosen anchor, and its
couplings or mixed terms; these determine the set near the decoded one) recover most of
the lost digits.  A step is
kept only for sets whose full re-embedding residual decreases, so polishing never makes a
decoding worse.  The least-squares steps use the pseudo-inverse, so repeated rows (a
rank-deficient Jacobian) take the minimum-norm step.
"""

from __future__ import annotations

import numpy as np

from ._set_layout import AnchorLayout, mixed_pairs

__all__ = ["polish_sets"]

_STEPS = 3
_CHUNK_ENTRIES = 1 << 23  # Jacobian entries per chunk (64 MiB of float64)


def _used_rows(lay: AnchorLayout, anchor: np.ndarray) -> np.ndarray:
    """Per set, the rows of W that the decoder used: (B, R) indices."""
    d, n = lay.dim, lay.set_size
    b = anchor.shape[0]
    if lay.kind == "lp":
        buffers = np.broadcast_to(np.arange(d), (b, d))
        coup = lay.coupling_rows()[:, anchor, :].transpose(1, 0, 2).reshape(b, -1)
        return np.concatenate([buffers, (d + anchor)[:, None], coup], axis=1)
    chan, anch, mixed = lay.le_rows()
    q1 = [i for i, (_, q) in enumerate(mixed_pairs(n)) if q == 1]
    mix = mixed[:, anchor, :][:, :, q1].transpose(1, 0, 2).reshape(b, -1) if q1 else np.zeros((b, 0), dtype=np.int64)
    return np.concatenate([np.broadcast_to(chan.ravel(), (b, chan.size)), anch[anchor], mix], axis=1)


def _step(lay: AnchorLayout, x: np.ndarray, w_r: np.ndarray, target: np.ndarray) -> np.ndarray:
    """One Gauss-Newton step for a chunk: x (c, N, D), w_r (c, R, D), target (c, R, N) or (c, R)."""
    c, n, d = x.shape
    z = np.einsum("cnd,crd->crn", x, w_r)  # (c, R, N_elements)
    if lay.kind == "lp":
        deg = lay.set_size
        powers = np.empty(z.shape + (deg + 1,))
        powers[..., 0] = 1.0
        for m in range(1, deg + 1):
            powers[..., m] = powers[..., m - 1] * z
        ms = np.arange(1, deg + 1)
        f = (powers[..., 1:].sum(axis=2) - target) / ms  # (c, R, deg)
        jac = powers[..., :deg].transpose(0, 1, 3, 2)[..., None] * w_r[:, :, None, None, :]  # (c, R, deg, N, D)
    else:
        e = np.exp(z)
        f = (e.sum(axis=2) - target) / target  # (c, R)
        jac = (e / target[..., None])[..., None] * w_r[:, :, None, :]  # (c, R, N, D)
    jac = jac.reshape(c, -1, n * d)
    q, r = np.linalg.qr(jac)  # min-norm least squares: J = QR, step = pinv(R) Q^T f
    step = np.linalg.pinv(r) @ (np.swapaxes(q, 1, 2) @ f.reshape(c, -1, 1))
    return x - step.reshape(c, n, d)


def polish_sets(
    lay: AnchorLayout, sets: np.ndarray, pooled: np.ndarray, anchor: np.ndarray, res: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Refine decoded sets; returns (sets, residuals), each set changed only if its residual drops."""
    from ._set_decode import residual

    sets, res = sets.copy(), res.copy()
    b, n, d = sets.shape
    w = lay.weight()
    rows = _used_rows(lay, anchor)
    if lay.kind == "lp":
        target_all = pooled.reshape(b, lay.n_rows, n)
    else:
        target_all = pooled
    per_set = rows.shape[1] * (n if lay.kind == "lp" else 1) * n * d * (n if lay.kind == "lp" else 1)
    chunk = max(1, _CHUNK_ENTRIES // max(per_set, 1))
    active = np.flatnonzero(np.isfinite(res) & (res > 0))
    for _ in range(_STEPS):
        if active.size == 0:
            break
        kept = []
        for start in range(0, active.size, chunk):
            idx = active[start : start + chunk]
            w_r = w[rows[idx]]
            tgt = target_all[idx[:, None], rows[idx]]
            with np.errstate(all="ignore"):
                try:
                    cand = _step(lay, sets[idx], w_r, tgt)
                except np.linalg.LinAlgError:
                    continue
            ok = np.all(np.isfinite(cand), axis=(1, 2))
            r = np.full(idx.size, np.inf)
            if ok.any():
                r[ok] = residual(lay, cand[ok], pooled[idx[ok]])
            better = r < res[idx]
            sets[idx[better]] = cand[better]
            res[idx[better]] = r[better]
            kept.append(idx[better])
        active = np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)
    return sets, res
