r"""The ReLU gadgets of relu.md §2: in-place clip (P1), collapse-and-shift sweep (P2), bend (P3), gate.

Each gadget emits hidden layers on a :class:`~constructions._relu_state.LogicalState` and updates
the interval bounds of every coordinate it touches; every other coordinate passes through with
the bias of relu.md §2.5.

**P1 clip.**  ``s <- max(s, l(z))``: :math:`\mathrm{pre}_s = s - \ell(z)`, :math:`s' = \ell(z') + h_s`;
``s <- min(s, l(z))``: :math:`\mathrm{pre}_s = \ell(z) - s`, :math:`s' = \ell(z') - h_s`.

**P2 sweep** (the collapse-and-shift sweep of relu.md §2.3).  For cells
:math:`[b_j, b_{j+1})`, ramp width :math:`\delta`, thresholds :math:`e_j = b_{j+1} - \delta`,
:math:`e'_j = e_j + \delta/2` and increments :math:`D_j` (one row per receiver), two layers per
step with :math:`D_j \ne 0`:

.. math::  s \leftarrow \max(s, e_j), \qquad
           (s, r) \leftarrow \big(\max(s, e'_j),\ r + \lambda_j\,\mathrm{relu}(e'_j - s)\big),
           \quad \lambda_j = 2 D_j / \delta .

For :math:`s` in the good part :math:`[b_k, b_{k+1} - \delta)` of cell :math:`k` the receiver
gains exactly :math:`\sum_{j \ge k} D_j`.  For *every* real input :math:`s` the gain is a convex
combination of two consecutive tail sums, which gives the tight receiver bounds used here.

**P3 bend** (relu.md §2.4): clip :math:`p = \alpha\cdot(x, y) + \beta` at 0 along the direction
:math:`u \perp q` with a pass-through neuron :math:`q\cdot(x,y) + B`.

**Gate** (relu.md §4, in an exact-zero form): :math:`v' = c_0 + \mathrm{relu}(v - c_0 - K\varphi)
- \mathrm{relu}(c_0 - v - K\varphi)` equals :math:`v` when :math:`\varphi = 0` and exactly
:math:`c_0` when :math:`\varphi = 1` (:math:`K \ge \max|v - c_0| + 1`).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from uat.errors import ParameterError

from ._relu_state import LogicalState

__all__ = ["clip", "sweep", "bend", "gate", "snap", "spread", "SWEEP_CHUNK"]

SWEEP_CHUNK = 1 << 13  # sweep steps folded per numpy batch (bounds memory, drives progress)


def _nc_mask(st: LogicalState, force: Sequence[int] = ()) -> np.ndarray:
    nc = ~st.constant_mask()
    for i in force:
        nc[i] = True
    return nc


def _eye(st: LogicalState, nc: np.ndarray) -> np.ndarray:
    m = st.zeros((st.w, st.w))
    for i in np.flatnonzero(nc):
        m[i, i] = st.num(1)
    return m


def clip(st: LogicalState, specs: Sequence[tuple[int, str, Any, Any]], *, label: str,
         bounds: dict[int, tuple[Any, Any]] | None = None) -> None:
    """One layer of P1 clips: each spec ``(s, "max"|"min", coef, const)`` sets
    ``z_s <- max/min(z_s, coef . z + const)``; ``coef`` must vanish on clipped coordinates.
    ``bounds`` may give tighter known result intervals (they are intersected with the computed ones).
    """
    clipped = [s for s, _, _, _ in specs]
    nc = _nc_mask(st, clipped)
    P = _eye(st, nc)
    q = st.zeros(st.w)
    coefs = {}
    for s, kind, coef, const in specs:
        coef = st.array(np.zeros(st.w, dtype=np.int64) if coef is None else coef)
        if any(coef[t] != 0 for t in clipped):
            raise ParameterError("internal error: a clip threshold depends on a clipped coordinate")
        row = -coef
        row[s] = row[s] + 1
        if kind == "max":
            P[s], q[s] = row, -st.num(const)
        elif kind == "min":
            P[s], q[s] = -row, st.num(const)
        else:
            raise ParameterError(f"internal error: unknown clip kind {kind!r}")
        coefs[s] = (kind, coef, st.num(const))
    passing = nc.copy()
    passing[clipped] = False
    B = st.pass_bias(P[None], q[None], st.lo, st.hi)[0]
    q[passing] = B[passing]
    Ap = _eye(st, passing)
    cp = np.where(passing, -q, st.lo.copy())
    new_lo, new_hi = st.lo.copy(), st.hi.copy()
    for s, (kind, coef, const) in coefs.items():
        Ap[s] = coef @ Ap
        cp[s] = coef @ cp + const
        sign = 1 if kind == "max" else -1
        Ap[s, s] = Ap[s, s] + sign
        l_lo = const + np.minimum(coef * st.lo, coef * st.hi).sum()
        l_hi = const + np.maximum(coef * st.lo, coef * st.hi).sum()
        if kind == "max":
            new_lo[s], new_hi[s] = max(st.lo[s], l_lo), max(st.hi[s], l_hi)
        else:
            new_lo[s], new_hi[s] = min(st.lo[s], l_lo), min(st.hi[s], l_hi)
        if bounds and s in bounds:
            a, b = bounds[s]
            new_lo[s], new_hi[s] = max(new_lo[s], st.num(a)), min(new_hi[s], st.num(b))
    st.emit(P, q, Ap, cp, passing, label=label)
    st.lo, st.hi = new_lo, new_hi


def sweep(st: LogicalState, s: int, receivers: Sequence[int], D: np.ndarray, *, delta: Any, label: str,
          a0: Any = None, h: Any = None, edges: np.ndarray | None = None, progress: Any = None,
          tied: dict[int, tuple[Any, Any]] | None = None) -> int:
    """The collapse-and-shift sweep of ``z_s`` into ``z_r`` for each receiver (see the module docstring).

    Cells are ``[a0 + j h, a0 + (j+1) h)`` or ``[edges[j], edges[j+1])``; ``D`` has shape
    (receivers, cells) with a zero last column.  ``tied`` maps a receiver ``r`` whose input is
    exactly ``a z_s + b`` to ``(a, b)``: its final interval is then the exact range of the
    one-variable piecewise-linear map ``s -> a s + b + gain_r(s)`` (evaluated at its breakpoints),
    intersected with the generic one.  Returns the number of active steps.
    """
    m, n = D.shape
    if m != len(receivers):
        raise ParameterError("internal error: one increment row per receiver is needed")
    if any(D[i, n - 1] != 0 for i in range(m)):
        raise ParameterError("internal error: the last cell's increment must be 0 (initialise receivers to the last value)")
    delta = st.num(delta)
    for r, (a, b) in (tied or {}).items():
        a, b = st.num(a), st.num(b)
        if not (all(st.A[r] == a * st.A[s]) and st.c[r] == a * st.c[s] + b):
            raise ParameterError(f"internal error: receiver {r} is not tied to the swept coordinate as claimed")
    active = np.flatnonzero(np.any(D[:, : n - 1] != 0, axis=0)) if n > 1 else np.zeros(0, dtype=np.int64)
    L = int(active.size)
    if L == 0:
        return 0
    if edges is not None:
        right = st.array(edges)[active + 1]
        widths = np.diff(st.array(edges))
    else:
        right = st.array(active + 1) * st.num(h) + st.num(a0)
        widths = np.array([st.num(h)])
    if not all(2 * delta < wdt for wdt in widths):
        raise ParameterError(f"internal error: ramp width {delta} is not below half the cell width")
    half = delta / 2
    e = right - delta
    ep = e + half
    Dact = D[:, active]
    lam = Dact * (2 / delta)
    C = st.zeros((m, L + 1))
    C[:, 1:] = np.cumsum(Dact, axis=1)
    runmax = np.maximum.accumulate(C, axis=1)
    runmin = np.minimum.accumulate(C, axis=1)
    r_idx = list(receivers)
    lo_r0 = st.lo[r_idx].copy()
    hi_r0 = st.hi[r_idx].copy()
    rlo = lo_r0[:, None] + C - runmax
    rhi = hi_r0[:, None] + C - runmin
    lo_s0, hi_s0 = st.lo[s], st.hi[s]
    slo = np.maximum(e, lo_s0)
    shi = np.maximum(e, hi_s0)

    nc = _nc_mask(st, [s, *r_idx])
    others = nc.copy()
    others[[s, *r_idx]] = False
    o_idx = np.flatnonzero(others)
    const_vals = st.lo.copy()
    I = _eye(st, nc)
    keep = nc.copy()
    keep[s] = False
    B_other = st.mu - st.lo[o_idx]
    for c0 in range(0, L, SWEEP_CHUNK):
        c1 = min(L, c0 + SWEEP_CHUNK)
        Lc = c1 - c0
        sl = slice(c0, c1)
        Pc = np.broadcast_to(I, (Lc, st.w, st.w)).copy()
        qc = np.broadcast_to(st.zeros(st.w), (Lc, st.w)).copy()
        qc[:, s] = -e[sl]
        qc[:, o_idx] = B_other
        for i, r in enumerate(r_idx):
            qc[:, r] = st.mu - rlo[i, sl]
        Ac = Pc.copy()
        cc = np.where(nc, -qc, const_vals)
        cc[:, s] = e[sl]
        Ps = Pc.copy()
        qs = qc.copy()
        qs[:, s] = -ep[sl]
        As = Pc.copy()
        for i, r in enumerate(r_idx):
            lr = lam[i, sl]
            Ps[:, r, s] = -lr
            qs[:, r] = st.mu - rlo[i, sl] + np.maximum(lr * slo[sl], lr * shi[sl])
            As[:, r, s] = lr
        cs = np.where(nc, -qs, const_vals)
        cs[:, s] = ep[sl]
        for i, r in enumerate(r_idx):
            cs[:, r] = lam[i, sl] * ep[sl] - qs[:, r]
        P2 = np.stack([Pc, Ps], axis=1).reshape(2 * Lc, st.w, st.w)
        q2 = np.stack([qc, qs], axis=1).reshape(2 * Lc, st.w)
        A2 = np.stack([Ac, As], axis=1).reshape(2 * Lc, st.w, st.w)
        c2 = np.stack([cc, cs], axis=1).reshape(2 * Lc, st.w)
        masks = np.broadcast_to(keep, (2 * Lc, st.w))
        st.emit_stack(P2, q2, A2, c2, masks, label=label)
        if progress is not None:
            progress.advance(Lc, note=label)
    st.lo[s], st.hi[s] = max(lo_s0, ep[-1]), max(hi_s0, ep[-1])
    for i, r in enumerate(r_idx):
        st.lo[r], st.hi[r] = rlo[i, L], rhi[i, L]
        if tied and r in tied:
            a, b = (st.num(v) for v in tied[r])
            pts = [lo_s0, hi_s0] + [v for v in (*e, *ep) if lo_s0 < v < hi_s0]
            vals = [a * x + b + _gain(Dact[i], ep, half, x) for x in pts]
            st.lo[r], st.hi[r] = max(st.lo[r], min(vals)), min(st.hi[r], max(vals))
    return L


def _gain(Drow: np.ndarray, ep: np.ndarray, half: Any, x: Any) -> Any:
    """Receiver gain of a sweep at input s = x: sum_j D_j clamp((e'_j - x) / (delta/2), 0, 1)."""
    frac = np.minimum(np.maximum((ep - x) / half, 0), 1)
    return (Drow * frac).sum()


def bend(st: LogicalState, x: int, y: int, alpha: Sequence[Any], beta: Any, qv: Sequence[Any], *,
         radius: Any, label: str) -> None:
    """P3: clip ``p = alpha.(x,y) + beta`` at 0 along the direction orthogonal to ``qv``.

    ``radius`` bounds |x| and |y| before and after the bend (the raster invariant of relu.md §3.4);
    the pass-through neuron ``qv.(x,y) + B`` uses it.
    """
    R = st.num(radius)
    nc = _nc_mask(st, [x, y])
    P = _eye(st, nc)
    q = st.zeros(st.w)
    a = [st.num(v) for v in alpha]
    qq = [st.num(v) for v in qv]
    P[x] = st.num(0)
    P[y] = st.num(0)
    P[x, x], P[x, y], q[x] = a[0], a[1], st.num(beta)
    P[y, x], P[y, y] = qq[0], qq[1]
    lo, hi = st.lo.copy(), st.hi.copy()
    lo[x] = lo[y] = -R
    hi[x] = hi[y] = R
    if any(st.lo[t] < -R or st.hi[t] > R for t in (x, y)):
        raise ParameterError("internal error: the raster invariant |x|, |y| <= radius does not hold before a bend")
    passing = nc.copy()
    passing[x] = False
    B = st.pass_bias(P[None], q[None], lo, hi)[0]
    q[passing] = B[passing]
    det = a[0] * qq[1] - a[1] * qq[0]
    if det == 0:
        raise ParameterError("internal error: degenerate bend")
    inv = [[qq[1] / det, -a[1] / det], [-qq[0] / det, a[0] / det]]
    Ap = _eye(st, passing)
    cp = np.where(passing, -q, st.lo.copy())
    for i, t in enumerate((x, y)):
        Ap[t] = st.num(0)
        Ap[t, x], Ap[t, y] = inv[i][0], inv[i][1]
        cp[t] = -(inv[i][0] * q[x] + inv[i][1] * q[y])
    st.emit(P, q, Ap, cp, passing, label=label)
    st.lo[x] = st.lo[y] = -R
    st.hi[x] = st.hi[y] = R


def gate(st: LogicalState, v: int, phi: int, center: Any, *, label: str) -> None:
    """One layer: z_v <- c0 + relu(v - c0 - K phi) - relu(c0 - v - K phi); every other coordinate -> 0.

    Requires phi in [0, 1]; K = max|v - c0| + 1 over the bounds, so phi = 1 gives exactly c0.
    """
    if st.lo[phi] < 0 or st.hi[phi] > 1:
        raise ParameterError("internal error: the gate flag must lie in [0, 1]")
    c0 = st.num(center)
    K = max(abs(st.hi[v] - c0), abs(st.lo[v] - c0)) + 1
    P = st.zeros((st.w, st.w))
    q = st.zeros(st.w)
    P[v, v], P[v, phi], q[v] = st.num(1), -K, -c0
    P[phi, v], P[phi, phi], q[phi] = st.num(-1), -K, c0
    Ap = st.zeros((st.w, st.w))
    cp = st.zeros(st.w)
    Ap[v, v], Ap[v, phi], cp[v] = st.num(1), st.num(-1), c0
    new_lo, new_hi = min(st.lo[v], c0), max(st.hi[v], c0)
    st.emit(P, q, Ap, cp, np.zeros(st.w, dtype=bool), label=label)
    st.lo = st.zeros(st.w)
    st.hi = st.zeros(st.w)
    st.lo[v], st.hi[v] = new_lo, new_hi


def snap(st: LogicalState, v: int, spare: int, tau1: Any, tau2: Any, center: Any, *, label: str) -> None:
    r"""One layer: :math:`z_v \leftarrow g(z_v)` with :math:`g(r) = c_0` for :math:`r \le \tau_1` and
    :math:`g(r) = r` for :math:`r \ge \tau_2` (linear in between), using the neurons ``v`` and ``spare``:

    .. math:: g(r) = c_0 + k\,\mathrm{relu}(r - \tau_1) - (k-1)\,\mathrm{relu}(r - \tau_2),
              \qquad k = (c_0 - \tau_2)/(\tau_1 - \tau_2).

    Inputs at or below :math:`\tau_1 - 1` give exactly :math:`c_0` (both neurons off), which makes the
    far field of the :math:`d_x = 1` whole-space witness exact.  Every other coordinate -> 0.
    """
    t1, t2, c0 = st.num(tau1), st.num(tau2), st.num(center)
    if not t1 < t2:
        raise ParameterError("internal error: snap thresholds must satisfy tau1 < tau2")
    k = (c0 - t2) / (t1 - t2)
    P = st.zeros((st.w, st.w))
    q = st.zeros(st.w)
    P[v, v], q[v] = st.num(1), -t1
    P[spare, v], q[spare] = st.num(1), -t2
    Ap = st.zeros((st.w, st.w))
    cp = st.zeros(st.w)
    Ap[v, v], Ap[v, spare], cp[v] = k, 1 - k, c0

    def g(r: Any) -> Any:
        return c0 + k * max(r - t1, 0) - (k - 1) * max(r - t2, 0)

    pts = [st.lo[v], st.hi[v]] + [t for t in (t1, t2) if st.lo[v] < t < st.hi[v]]
    vals = [g(r) for r in pts]
    st.emit(P, q, Ap, cp, np.zeros(st.w, dtype=bool), label=label)
    st.lo = st.zeros(st.w)
    st.hi = st.zeros(st.w)
    st.lo[v], st.hi[v] = min(vals), max(vals)


def spread(st: LogicalState, i: int, slot: int, threshold: Any, gap: Any, *, label: str) -> None:
    r"""One ReLU+STEP layer: :math:`z_i \leftarrow z_i + G\,\mathrm{STEP}(z_i - \theta)` (relu.md §6.2).

    Every non-constant coordinate passes through a ReLU neuron; neuron ``slot`` (a constant
    coordinate) is a STEP neuron :math:`\mathbf 1[z_i - \theta \ge 0]` whose output is folded into
    the next affine map.  Applied for :math:`\theta = (N-1)/N, \dots, 1/N` it moves cell
    :math:`m` of axis :math:`i` by :math:`m G`, opening gaps of size :math:`G` between cells.
    """
    if not st.lo[slot] == st.hi[slot]:
        raise ParameterError("internal error: the STEP neuron needs a free (constant) coordinate")
    G, th = st.num(gap), st.num(threshold)
    nc = _nc_mask(st, [i])
    nc[slot] = False
    P = _eye(st, nc)
    q = st.zeros(st.w)
    B = st.pass_bias(P[None], q[None], st.lo, st.hi)[0]
    q[nc] = B[nc]
    P[slot] = st.num(0)
    P[slot, i] = st.num(1)
    q[slot] = -th
    Ap = _eye(st, nc)
    cp = np.where(nc, -q, st.lo.copy())
    Ap[i, slot] = G
    cp[slot] = st.lo[slot]
    acts = tuple("step" if j == slot else "relu" for j in range(st.w))
    st.emit(P, q, Ap, cp, nc, label=label, activations=acts)
    st.hi[i] = st.hi[i] + G
