r"""The exactly realisable blocks of width-:math:`N` leaky-ReLU networks (primitives P0-P4).

With :math:`\sigma=\sigma_\alpha` (one fixed slope :math:`0<\alpha<1`):

* :math:`\sigma` is a homeomorphism of :math:`\mathbb R` with the one-layer inverse
  :math:`\sigma^{-1}(v)=-\tfrac1\alpha\,\sigma(-v)`, and :math:`\sigma^{\circ k}=\sigma_{\alpha^k}`.
* **P0, pass-through.** A slot :math:`s_k\ge -M_k` crosses a layer unchanged as
  :math:`\sigma(s_k+M_k)-M_k`; :math:`M_k` comes from the machine's interval bounds.
* **P1, kink.** :math:`v\mapsto v` for :math:`v\le\beta` and
  :math:`\beta+\alpha^{e}(v-\beta)` for :math:`v>\beta`, :math:`e\in\mathbb Z\setminus\{0\}`, in
  :math:`|e|` layers: for :math:`e\ge1` the chain :math:`\beta-\sigma^{\circ e}(\beta-v)`, for
  :math:`e=-q` the chain :math:`\beta+\alpha^{-q}\sigma^{\circ q}(v-\beta)`.
* **P2, fold** (only with :math:`\sigma_{-\alpha}`): a kink of ratio :math:`-\alpha`.
* **P3, shear.** :math:`s_i\leftarrow s_i+c\,\sigma(w\cdot s+b)` with :math:`w_i=0`, in two layers:
  a host slot :math:`j` (:math:`|w_j|` maximal) carries :math:`\sigma(u)`, the target adds
  :math:`c\,\sigma(u)`, and the host is restored through :math:`\sigma^{-1}` and
  :math:`s_j=(u-b-\sum_{k\ne j}w_ks_k)/w_j`.
* **P4, conditional kink.** :math:`s_i\leftarrow p\,\sigma^{\circ k}(a s_i+w\cdot s_{-i}+b)+r\cdot s_{-i}+r_0`
  in :math:`k` layers (:math:`a\ne0`); the only exact way to change a slot by a function of itself.

Slot-local blocks are :class:`Chain` values, scheduled in parallel by :func:`run_chains`
(each slot runs its own chain list; idle slots pass through).  ``*_closed`` functions are the
closed forms the tests compare against.

>>> from fractions import Fraction as Q
>>> from uat.domains import parse_domain
>>> from constructions._leaky_machine import LeakyMachine
>>> m = LeakyMachine(Q(1, 2), width=2, input_dim=1)
>>> m.load_input(parse_domain("[-1,1]"), [[1], [1]], [0, 0])
>>> run_chains(m, {0: [kink_chain(Q(0), 2, m.alpha)]})      # slope 1/4 above 0 in slot 0
>>> shear(m, 1, Q(3), [Q(1), Q(0)], Q(0))                   # s_1 += 3 sigma(s_0)
>>> net = m.finish([[1, 0], [0, 1]], [0, 0])
>>> [[str(v) for v in row] for row in net.evaluate_exact([["1"], ["-1"]])]
[['1/4', '7/4'], ['-1', '-5/2']]
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Sequence

import numpy as np

from uat.activations import Activation
from uat.errors import ParameterError

from ._leaky_machine import ONE, ZERO, LeakyMachine, Q, act_range, qzeros, shift_for

__all__ = [
    "Chain",
    "kink_chain",
    "inverse_chain",
    "power_chain",
    "run_chains",
    "shear",
    "relu_shear",
    "conditional_kink",
    "sigma_closed",
    "kink_closed",
    "shear_closed",
    "conditional_kink_closed",
]


@dataclass(frozen=True)
class Chain:
    r"""A slot-local block :math:`v\mapsto c\,\mathrm{act}^{\circ k}(a v+b)+d` of ``k`` layers."""

    pre_scale: Fraction
    pre_shift: Fraction
    k: int
    post_scale: Fraction
    post_shift: Fraction
    act: Activation | None = None

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ParameterError(f"a chain needs at least one layer, got k={self.k}")
        if self.pre_scale == 0 or self.post_scale == 0:
            raise ParameterError("a chain with a zero scale is not invertible")


def kink_chain(beta: Fraction, e: int, alpha: Fraction) -> Chain:
    """P1: slope multiplied by alpha**e above the value beta (|e| layers)."""
    if e == 0:
        raise ParameterError("a kink with exponent 0 is the identity; skip it")
    if e > 0:
        return Chain(-ONE, beta, e, -ONE, beta)
    q = -e
    return Chain(ONE, -beta, q, Fraction(1) / alpha**q, beta)


def inverse_chain(alpha: Fraction) -> Chain:
    r"""The one-layer inverse :math:`\sigma^{-1}(v)=-\frac1\alpha\sigma(-v)`."""
    return Chain(-ONE, ZERO, 1, -Fraction(1) / alpha, ZERO)


def power_chain(k: int) -> Chain:
    r""":math:`v\mapsto\sigma^{\circ k}(v)=\sigma_{\alpha^k}(v)` (``k`` layers)."""
    return Chain(ONE, ZERO, k, ONE, ZERO)


def _chain_bounds(ch: Chain, act: Activation, lo: float, hi: float) -> tuple[float, float]:
    a, b = float(ch.pre_scale), float(ch.pre_shift)
    u = sorted((a * lo + b, a * hi + b))
    for _ in range(ch.k):
        u = list(act_range(act, u[0], u[1]))
    c, d = float(ch.post_scale), float(ch.post_shift)
    v = sorted((c * u[0] + d, c * u[1] + d))
    return v[0], v[1]


def run_chains(m: LeakyMachine, programs: Mapping[int, Sequence[Chain]]) -> None:
    """Run each slot's chain list; slots run in parallel, idle slots pass through (P0).

    The depth added is ``max over slots of sum(chain.k)``.  All chains that are active in one
    layer must share the activation (a layer has one activation); a chain with another
    activation waits.
    """
    queues = {int(i): list(chs) for i, chs in programs.items() if chs}
    for i in queues:
        if not 0 <= i < m.N:
            raise ParameterError(f"slot {i} out of range 0..{m.N - 1}")
    pos = {i: 0 for i in queues}       # index of the current chain
    done = {i: 0 for i in queues}      # layers of the current chain already emitted
    while any(pos[i] < len(queues[i]) for i in queues):
        # the activation of this layer: the first running or startable chain's
        act = None
        for i in sorted(queues):
            if pos[i] < len(queues[i]):
                a = queues[i][pos[i]].act or m.act
                if done[i] > 0:
                    act = a
                    break
                act = act or a
        scale, shift, pscale, pshift = [], [], [], []
        lo, hi = m.lo.copy(), m.hi.copy()
        for i in range(m.N):
            ch = queues[i][pos[i]] if i in queues and pos[i] < len(queues[i]) else None
            if ch is not None and (ch.act or m.act) != act:
                ch = None
            if ch is None:  # P0
                M = shift_for(m.lo[i])
                scale.append(ONE), shift.append(M), pscale.append(ONE), pshift.append(-M)
                continue
            j = done[i]
            if j == 0:
                scale.append(ch.pre_scale), shift.append(ch.pre_shift)
                u = sorted((float(ch.pre_scale) * m.lo[i] + float(ch.pre_shift),
                            float(ch.pre_scale) * m.hi[i] + float(ch.pre_shift)))
            else:
                scale.append(ONE), shift.append(ZERO)
                u = [m.lo[i], m.hi[i]]
            lo_i, hi_i = act_range(act, u[0], u[1])
            if j + 1 == ch.k:
                pscale.append(ch.post_scale), pshift.append(ch.post_shift)
                c, d = float(ch.post_scale), float(ch.post_shift)
                lo_i, hi_i = sorted((c * lo_i + d, c * hi_i + d))
                pos[i] += 1
                done[i] = 0
            else:
                pscale.append(ONE), pshift.append(ZERO)
                done[i] = j + 1
            lo[i], hi[i] = lo_i, hi_i
        pad = 1e-12 * (1 + np.maximum(np.abs(lo), np.abs(hi)))
        m.emit_diagonal(scale, shift, pscale, pshift, lo - pad, hi + pad, act)


def _pass_rows(m: LeakyMachine, skip: Sequence[int]) -> tuple[list[Fraction], np.ndarray, np.ndarray]:
    """Shifts M_k and the identity rows of a pass-through for every slot not in ``skip``."""
    M = [shift_for(m.lo[k]) for k in range(m.N)]
    return M, np.array([k not in skip for k in range(m.N)]), np.array(M, dtype=object)


def shear(m: LeakyMachine, i: int, c: Fraction, w: Sequence[Fraction], b: Fraction) -> None:
    r"""P3: :math:`s_i \leftarrow s_i + c\,\sigma(w\cdot s+b)` with :math:`w_i=0` (two layers)."""
    N = m.N
    w = [Q(v) for v in w]
    c, b = Q(c), Q(b)
    if len(w) != N:
        raise ParameterError(f"shear weights need {N} entries, got {len(w)}")
    if w[i] != 0:
        raise ParameterError(f"a shear of slot {i} must not read slot {i} (w_{i} = {w[i]}); use conditional_kink")
    if c == 0:
        return
    if all(v == 0 for v in w):  # constant field: an affine step
        m.set_slot(i, [ONE if k == i else ZERO for k in range(N)], c * (b if b >= 0 else m.alpha * b))
        return
    j = max((k for k in range(N) if k != i), key=lambda k: (abs(w[k]), -k))
    wf = np.array([float(v) for v in w])
    u_lo = float(np.clip(wf, 0, None) @ m.lo + np.clip(wf, None, 0) @ m.hi + float(b))
    u_hi = float(np.clip(wf, 0, None) @ m.hi + np.clip(wf, None, 0) @ m.lo + float(b))
    pad = 1e-12 * (1 + abs(u_lo) + abs(u_hi))
    u_lo, u_hi = u_lo - pad, u_hi + pad
    su_lo, su_hi = act_range(m.act, u_lo, u_hi)
    ci = sorted((float(c) * su_lo, float(c) * su_hi))
    new_i = (m.lo[i] + ci[0], m.hi[i] + ci[1])
    M = [shift_for(m.lo[k]) for k in range(N)]
    Mi2 = shift_for(new_i[0])
    base_lo, base_hi = m.lo.copy(), m.hi.copy()
    # layer 1: host carries sigma(u), every other slot (target included) passes shifted
    P = qzeros(N, N)
    p = qzeros(N)
    for k in range(N):
        if k == j:
            P[j, :] = np.array(w, dtype=object)
            p[j] = b
        else:
            P[k, k] = ONE
            p[k] = M[k]
    A1 = qzeros(N, N)
    for k in range(N):
        A1[k, k] = ONE
    lo1 = np.array([m.lo[k] + float(M[k]) for k in range(N)])
    hi1 = np.array([m.hi[k] + float(M[k]) for k in range(N)])
    lo1[j], hi1[j] = su_lo, su_hi
    m.emit(P, p, A1, qzeros(N), lo1, hi1)
    # layer 2: target += c sigma(u) (re-shifted), host -> sigma(-sigma(u)), others pass
    P = qzeros(N, N)
    p = qzeros(N)
    for k in range(N):
        P[k, k] = ONE
    P[i, j] = c
    p[i] = -M[i] + Mi2
    P[j, j] = -ONE
    # post: s_k = g_k - M_k; s_i = g_i - Mi2; s_j = (-(1/alpha) g_j - b - sum_{k != i,j} w_k (g_k - M_k)) / w_j
    A2 = qzeros(N, N)
    a2 = qzeros(N)
    for k in range(N):
        if k not in (i, j):
            A2[k, k] = ONE
            a2[k] = -M[k]
    A2[i, i] = ONE
    a2[i] = -Mi2
    inv_wj = ONE / w[j]
    A2[j, j] = -inv_wj / m.alpha
    a2[j] = -b * inv_wj
    for k in range(N):
        if k not in (i, j) and w[k] != 0:
            A2[j, k] = -w[k] * inv_wj
            a2[j] += w[k] * M[k] * inv_wj
    lo2, hi2 = base_lo, base_hi  # slots other than i are restored
    lo2[i], hi2[i] = new_i
    m.emit(P, p, A2, a2, lo2, hi2)


def relu_shear(m: LeakyMachine, i: int, c: Fraction, w: Sequence[Fraction], b: Fraction) -> None:
    r""":math:`s_i \leftarrow s_i + c\,\mathrm{relu}(w\cdot s+b)` via
    :math:`\mathrm{relu}(u)=(\sigma(u)-\alpha u)/(1-\alpha)`: a shear with :math:`c/(1-\alpha)` and the
    free affine correction :math:`s_i \mathrel{-}= c\alpha/(1-\alpha)\,(w\cdot s+b)`, applied at once."""
    c, b = Q(c), Q(b)
    w = [Q(v) for v in w]
    if c == 0:
        return
    k = ONE / (ONE - m.alpha)
    shear(m, i, c * k, w, b)
    row = [(-c * m.alpha * k * w[t]) if t != i else ONE for t in range(m.N)]
    m.set_slot(i, row, -c * m.alpha * k * b)


def conditional_kink(m: LeakyMachine, i: int, a: Fraction, w: Sequence[Fraction], b: Fraction, k: int,
                     p: Fraction, r: Sequence[Fraction], r0: Fraction) -> None:
    r"""P4: :math:`s_i\leftarrow p\,\sigma^{\circ k}(a s_i+w\cdot s_{-i}+b)+r\cdot s_{-i}+r_0` (``k`` layers).

    ``w[i]`` and ``r[i]`` are ignored (the slot's own coefficient is ``a``)."""
    N = m.N
    a, b, p, r0 = Q(a), Q(b), Q(p), Q(r0)
    w = [Q(v) for v in w]
    r = [Q(v) for v in r]
    if a == 0 or p == 0 or k < 1:
        raise ParameterError("a conditional kink needs a != 0, p != 0 and k >= 1 layers")
    row = [a if t == i else w[t] for t in range(N)]
    wf = np.array([float(v) for v in row])
    u = [float(np.clip(wf, 0, None) @ m.lo + np.clip(wf, None, 0) @ m.hi + float(b)),
         float(np.clip(wf, 0, None) @ m.hi + np.clip(wf, None, 0) @ m.lo + float(b))]
    M = [shift_for(m.lo[t]) for t in range(N)]
    base_lo, base_hi = m.lo.copy(), m.hi.copy()
    for layer in range(k):
        P = qzeros(N, N)
        pv = qzeros(N)
        for t in range(N):
            if t != i:
                P[t, t] = ONE
                pv[t] = M[t] if layer == 0 else ZERO
        if layer == 0:
            P[i, :] = np.array(row, dtype=object)
            pv[i] = b
        else:
            P[i, i] = ONE
        u = list(act_range(m.act, u[0], u[1]))
        A = qzeros(N, N)
        av = qzeros(N)
        lo_new = base_lo + np.array([float(v) for v in M])
        hi_new = base_hi + np.array([float(v) for v in M])
        last = layer == k - 1
        for t in range(N):
            A[t, t] = ONE
            if last and t != i:
                av[t] = -M[t]
        if last:
            A[i, i] = p
            av[i] = r0
            for t in range(N):
                if t != i and r[t] != 0:
                    A[i, t] = r[t]
                    av[i] -= r[t] * M[t]
            lo_new, hi_new = base_lo.copy(), base_hi.copy()
            rf = np.array([0.0 if t == i else float(r[t]) for t in range(N)])
            pu = sorted((float(p) * u[0], float(p) * u[1]))
            lo_new[i] = pu[0] + float(np.clip(rf, 0, None) @ base_lo + np.clip(rf, None, 0) @ base_hi) + float(r0)
            hi_new[i] = pu[1] + float(np.clip(rf, 0, None) @ base_hi + np.clip(rf, None, 0) @ base_lo) + float(r0)
            pad = 1e-12 * (1 + abs(lo_new[i]) + abs(hi_new[i]))
            lo_new[i] -= pad
            hi_new[i] += pad
        else:
            lo_new[i], hi_new[i] = u
        m.emit(P, pv, A, av, lo_new, hi_new)


# -- closed forms (numpy, float64) used by the tests ----------------------------------------------
def sigma_closed(t: np.ndarray, alpha: float, k: int = 1) -> np.ndarray:
    r""":math:`\sigma_\alpha^{\circ k}(t)=\sigma_{\alpha^k}(t)`."""
    t = np.asarray(t, dtype=float)
    return np.where(t >= 0, t, alpha**k * t)


def kink_closed(v: np.ndarray, beta: float, e: int, alpha: float) -> np.ndarray:
    r""":math:`v` for :math:`v\le\beta`, :math:`\beta+\alpha^e(v-\beta)` above."""
    v = np.asarray(v, dtype=float)
    return np.where(v <= beta, v, beta + alpha**e * (v - beta))


def shear_closed(s: np.ndarray, i: int, c: float, w: np.ndarray, b: float, alpha: float) -> np.ndarray:
    r"""Closed form of the shear P3 in float64: :math:`s_i \leftarrow s_i + c\,\sigma_\alpha(w\cdot s + b)` (for tests and plots)."""
    s = np.array(s, dtype=float)
    s[:, i] = s[:, i] + c * sigma_closed(s @ np.asarray(w, dtype=float) + b, alpha)
    return s


def conditional_kink_closed(s: np.ndarray, i: int, a: float, w: np.ndarray, b: float, k: int, p: float,
                            r: np.ndarray, r0: float, alpha: float) -> np.ndarray:
    r"""Closed form of the conditional kink P4 in float64: :math:`s_i \leftarrow p\,\sigma_{\alpha^k}(a s_i + w\cdot s_{-i} + b) + r\cdot s_{-i} + r_0`."""
    s = np.array(s, dtype=float)
    w = np.array(w, dtype=float)
    r = np.array(r, dtype=float)
    w[i] = 0.0
    r[i] = 0.0
    u = a * s[:, i] + s @ w + b
    s[:, i] = p * sigma_closed(u, alpha, k) + s @ r + r0
    return s
