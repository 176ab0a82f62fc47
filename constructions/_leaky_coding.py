r"""The coding scheme of the L^p witness: staircase encoder, 1-D code, two-chain memorizer, staircase decoder.

All maps are lattice PL maps (:mod:`constructions._leaky_lattice`), realised exactly by P1
chains at width :math:`\max(2,d_x,d_y)` with one fixed :math:`\sigma_\alpha` (Rochau-Chan-
Gottschalk's coding scheme, arXiv 2411.08735, with lattice slopes instead of arbitrary leaks).
Coordinates are normalised, :math:`\tilde x\in[0,1]^{d_x}`.

**Encoder** (each quantised coordinate, in parallel).  With :math:`h=2^{-n}`, flat slope
:math:`\delta=\alpha^m` and strip width :math:`\gamma=2^{-g}`: slope :math:`\delta` on
:math:`[kh,(k+1)h-\gamma]`, slope 1 on the strip :math:`[(k+1)h-\gamma,(k+1)h]`; so
:math:`E(kh)=kR_e`, :math:`R_e=\delta(h-\gamma)+\gamma`, and :math:`E/R_e\in[k,k+\xi]` on the good
part of cell :math:`k`, :math:`\xi=\delta(h-\gamma)/R_e`.

**Code.** :math:`c=\sum_{i<q}(E_i/R_e)B^{q-1-i}\,[+\,\theta\tilde x_{d_x}]`, :math:`B=2^n`, written into
two slots.  For :math:`d_y=1` the last coordinate stays continuous ("rows"; :math:`q=d_x-1`);
otherwise all coordinates are quantised ("cells"; :math:`q=d_x`).  **Flatness condition**:
the leak :math:`\xi_{tot}=\xi(B^q-1)/(B-1)` must keep the code inside its plateau (and, for
rows, :math:`S_U\xi_{tot}` small, :math:`S_U` the memorizer slope); :math:`m` is the smallest
exponent that meets it, so the L^1 stall of a too-small :math:`m` cannot occur.

**Memorizer.** Data :math:`(c_k,U_k)` (rows: :math:`(r+\theta s_l, f)`, plus a flat extension to
:math:`r+\theta_{end}`; cells: the plateau :math:`(r,u_r),(r+\theta,u_r)`).  :math:`U=U_{inc}-U_{dec}`
with both chains strictly increasing (increments :math:`\max(\pm\Delta U,0)+\delta_m\Delta c`,
:math:`\delta_m` a lattice slope), lattice-interpolated (P1') in two slots in parallel.  Between
nodes :math:`U` is monotone, so the network stays in the hull of the memorised values on the
bad set (the strips).

**Decoder** (:math:`d_y\ge2`).  The first :math:`d_y-1` outputs are quantised to :math:`M` bits,
:math:`\ell_j`; the code value is :math:`v_j=\ell_j+\mu+\theta v_{j+1}2^{-M}`,
:math:`v_{d_y-1}=\ell+\mu+\theta\tilde y_{d_y}`.  Block :math:`j` copies :math:`v_j`, applies the
unit-period staircase (plateau :math:`[\ell,\ell+\theta_s]` of slope :math:`\alpha^{m_d}`) to get
:math:`\hat\ell_j\approx\ell_j`, and forms :math:`v_{j+1}=(2^M/\theta)(v_j-\hat\ell_j-\mu)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable

from uat.activations import Activation
from uat.domains import Box
from uat.errors import ParameterError

from ._leaky_lattice import LatticeMap, lattice_exponent, lattice_interpolation
from ._leaky_machine import LeakyMachine, qzeros
from ._leaky_primitives import Chain, run_chains

__all__ = ["CodingPlan", "encoder_map", "staircase_map", "memorizer_chains", "realise_coding", "leak_total"]

THETA = Fraction(1, 2)


@dataclass(frozen=True)
class CodingPlan:
    """Everything the network needs (exact), plus the bookkeeping of the error budget."""

    alpha: Fraction
    d_x: int
    d_y: int
    n: int                      # bits per quantised coordinate
    q: int                      # number of quantised coordinates
    gamma: Fraction             # strip width (normalised)
    m: int                      # encoder flat exponent, delta = alpha^m
    points: tuple[tuple[Fraction, Fraction], ...]   # memorizer data (c_k, U_k)
    M: int = 0                  # output bits (d_y >= 2)
    m_d: int = 0                # decoder flat exponent
    LO: tuple[Fraction, ...] = ()
    HI: tuple[Fraction, ...] = ()
    mu: Fraction = Fraction(1, 8)
    theta_s: Fraction = Fraction(3, 4)
    info: dict = field(default_factory=dict)

    @property
    def rows(self) -> bool:
        """Whether the memorizer works row by row (:math:`d_y = 1`: knots along the last input)."""
        return self.d_y == 1

    @property
    def B(self) -> int:
        """The number of cells per axis, :math:`B = 2^n`."""
        return 2**self.n


def encoder_map(alpha: Fraction, n: int, gamma: Fraction, m: int) -> LatticeMap:
    """The encoder staircase E on [0, 1] (see the module docstring)."""
    h = Fraction(1, 2**n)
    if not 0 < gamma < h / 2:
        raise ParameterError(f"the strip width gamma = {gamma} must lie in (0, h/2) with h = 2^-{n}")
    breaks: list[tuple[Fraction, int]] = []
    for k in range(1, 2**n):
        breaks.append((k * h - gamma, -m))
        breaks.append((k * h, m))
    return LatticeMap(alpha, Fraction(0), Fraction(0), alpha**m, tuple(breaks))


def encoder_scale(alpha: Fraction, n: int, gamma: Fraction, m: int) -> Fraction:
    """R_e = delta (h - gamma) + gamma: the rise of E over one cell."""
    h = Fraction(1, 2**n)
    return alpha**m * (h - gamma) + gamma


def leak_total(alpha: Fraction, n: int, q: int, gamma: Fraction, m: int) -> Fraction:
    """xi_tot = xi (B^q - 1)/(B - 1): the largest code drift on the good set."""
    if q == 0:
        return Fraction(0)
    h = Fraction(1, 2**n)
    xi = alpha**m * (h - gamma) / encoder_scale(alpha, n, gamma, m)
    B = 2**n
    return xi * Fraction(B**q - 1, B - 1)


def leak_total_stepped(alpha: Fraction, n: int, q: int, m: int) -> Fraction:
    """Code drift of the stepped encoder E = delta x + #jumps: delta (B^q - 1)/(B - 1)."""
    if q == 0:
        return Fraction(0)
    B = 2**n
    return alpha**m * Fraction(B**q - 1, B - 1)


def stepped_encoder_chains(alpha: Fraction, n: int, m: int, stepped: Activation) -> list[Chain]:
    r"""Jump blocks of the exact quantiser :math:`E(\tilde x)=\delta\tilde x+\#\{k\ge1:\tilde x\ge k2^{-n}\}`.

    Each jump :math:`v\mapsto v+\mathbf 1[v\ge\beta]` is two layers: :math:`u=\tilde\sigma(v-\beta)+1`
    with the stepped leaky ReLU :math:`\tilde\sigma(t)=t\ (t\ge0),\ \alpha t-1\ (t<0)`, then
    :math:`v'=\beta+\sigma^{-1}(u)` (so :math:`v'=v+1` above :math:`\beta`, :math:`v'=v` below).
    """
    delta = alpha**m
    h = Fraction(1, 2**n)
    out = []
    for k in range(1, 2**n):
        beta = delta * k * h + (k - 1)
        out.append(Chain(Fraction(1), -beta, 1, Fraction(1), Fraction(1), act=stepped))
        out.append(Chain(Fraction(-1), Fraction(0), 1, -1 / alpha, beta))
    return out


def staircase_map(alpha: Fraction, M: int, theta_s: Fraction, m_d: int) -> LatticeMap:
    """The decoder's unit-period staircase on [0, 2^M): plateau [l, l + theta_s] slope alpha^m_d, then slope 1."""
    breaks: list[tuple[Fraction, int]] = []
    for ell in range(2**M - 1):
        breaks.append((ell + theta_s, -m_d))
        breaks.append((Fraction(ell + 1), m_d))
    return LatticeMap(alpha, Fraction(0), Fraction(0), alpha**m_d, tuple(breaks))


def staircase_scale(alpha: Fraction, theta_s: Fraction, m_d: int) -> Fraction:
    r"""The mean slope of the decoder's unit-period staircase: :math:`\alpha^{m_d}\theta_s + (1 - \theta_s)`.

    A plateau of length :math:`\theta_s` with slope :math:`\alpha^{m_d}`, then slope 1 (:func:`staircase_map`).

    Parameters
    ----------
    alpha : Fraction
        The leaky slope.
    theta_s : Fraction
        The plateau fraction of a period.
    m_d : int
        The plateau's flatness exponent.

    Returns
    -------
    Fraction
    """
    return alpha**m_d * theta_s + (1 - theta_s)


def memorizer_chains(points: tuple[tuple[Fraction, Fraction], ...], alpha: Fraction) -> tuple[LatticeMap, LatticeMap, Fraction]:
    """The two increasing lattice maps U_inc, U_dec with U_inc - U_dec = U at every node; and delta_m."""
    c = [p[0] for p in points]
    U = [p[1] for p in points]
    dc = [b - a for a, b in zip(c, c[1:])]
    dU = [b - a for a, b in zip(U, U[1:])]
    if any(v <= 0 for v in dc):
        raise ParameterError("memorizer code points must be strictly increasing")
    slopes = sorted(abs(u) / d for u, d in zip(dU, dc) if u != 0)
    typical = slopes[len(slopes) // 2] if slopes else Fraction(1)
    j_m = lattice_exponent(typical, Fraction(1), alpha)
    delta_m = alpha**j_m
    inc, dec = [U[0]], [Fraction(0)]
    for u, d in zip(dU, dc):
        inc.append(inc[-1] + max(u, 0) + delta_m * d)
        dec.append(dec[-1] + max(-u, 0) + delta_m * d)
    return lattice_interpolation(c, inc, alpha), lattice_interpolation(c, dec, alpha), delta_m


def _chains_with_affine(lm: LatticeMap) -> tuple[tuple[Fraction, Fraction], list[Chain]]:
    return lm.affine_part(), lm.kink_chains()


def realise_coding(plan: CodingPlan, box: Box, *, progress: Callable[[str], None] | None = None) -> tuple[Any, dict]:
    """Build the network of a plan on the domain ``box``; returns (network, report)."""
    a, d_x, d_y = plan.alpha, plan.d_x, plan.d_y
    N = max(2, d_x, d_y)
    mach = LeakyMachine(a, N, d_x)
    T = qzeros(N, d_x)
    t = qzeros(N)
    for i in range(d_x):
        w = box.hi[i] - box.lo[i]
        T[i, i] = 1 / w
        t[i] = -box.lo[i] / w
    mach.load_input(box, T, t)
    report: dict[str, Any] = {}
    # 1. encoder on the q quantised slots, in parallel
    stepped = bool(plan.info.get("stepped"))
    if plan.q > 0 and stepped:
        from uat.activations import stepped_leaky_relu

        S = qzeros(N, N)
        for i in range(N):
            S[i, i] = a**plan.m if i < plan.q else Fraction(1)
        mach.affine(S, qzeros(N))
        chains = stepped_encoder_chains(a, plan.n, plan.m, stepped_leaky_relu(a))
        run_chains(mach, {i: chains for i in range(plan.q)})
        report["encoder_layers"] = mach.depth
    elif plan.q > 0:
        E = encoder_map(a, plan.n, plan.gamma, plan.m)
        s0, sh = E.affine_part()
        S = qzeros(N, N)
        for i in range(N):
            S[i, i] = s0 if i < plan.q else Fraction(1)
        off = qzeros(N)
        for i in range(plan.q):
            off[i] = sh
        mach.affine(S, off)
        chains = E.kink_chains()
        run_chains(mach, {i: chains for i in range(plan.q)})
        report["encoder_layers"] = mach.depth
        if progress:
            progress("encoder")
    # 2. the code, into slots 0 and 1
    R_e = encoder_scale(a, plan.n, plan.gamma, plan.m) if plan.q > 0 and not stepped else Fraction(1)
    row = [Fraction(0)] * N
    for i in range(plan.q):
        row[i] = Fraction(plan.B ** (plan.q - 1 - i)) / R_e
    if plan.rows:
        row[d_x - 1] = THETA
    C = qzeros(N, N)
    C[0, :] = row
    C[1, :] = row
    mach.affine(C, qzeros(N))
    # 3. memorizer: U_inc in slot 0, U_dec in slot 1
    inc, dec, delta_m = memorizer_chains(plan.points, a)
    (ai, bi), ci = _chains_with_affine(inc)
    (ad, bd), cd = _chains_with_affine(dec)
    S = qzeros(N, N)
    off = qzeros(N)
    S[0, 0], off[0] = ai, bi
    S[1, 1], off[1] = ad, bd
    mach.affine(S, off)
    before = mach.depth
    run_chains(mach, {0: ci, 1: cd})
    report.update(memorizer_layers=mach.depth - before, delta_m=str(delta_m),
                  memorizer_points=len(plan.points))
    if progress:
        progress("memorizer")
    # U = U_inc - U_dec into slot 0
    D = qzeros(N, N)
    for i in range(N):
        D[i, i] = Fraction(1)
    D[0, 1] = Fraction(-1)
    D[1, 1] = Fraction(0)
    mach.affine(D, qzeros(N))
    if plan.rows:
        Out = qzeros(1, N)
        Out[0, 0] = Fraction(1)
        net = mach.finish(Out, qzeros(1))
        report["max_slot_bound"] = mach.max_bound
        return net, report
    # 4. decoder blocks
    St = staircase_map(a, plan.M, plan.theta_s, plan.m_d)
    R_d = staircase_scale(a, plan.theta_s, plan.m_d)
    s0, sh = St.affine_part()
    chains = St.kink_chains()
    two_M = Fraction(2**plan.M)
    before = mach.depth
    for j in range(d_y - 1):
        # copy v_j into slot j+1, staircase on slot j
        Cp = qzeros(N, N)
        off = qzeros(N)
        for i in range(N):
            Cp[i, i] = Fraction(1)
        Cp[j + 1, j + 1] = Fraction(0)
        Cp[j + 1, j] = Fraction(1)
        Cp[j, j] = s0
        off[j] = sh
        mach.affine(Cp, off)
        run_chains(mach, {j: chains})
        # v_{j+1} = (2^M / theta)(v_j - S/R_d - mu)   (or / theta for the last block)
        factor = two_M / THETA if j < d_y - 2 else 1 / THETA
        Nx = qzeros(N, N)
        off = qzeros(N)
        for i in range(N):
            Nx[i, i] = Fraction(1)
        Nx[j + 1, j + 1] = factor
        Nx[j + 1, j] = -factor / R_d
        off[j + 1] = -factor * plan.mu
        mach.affine(Nx, off)
        if progress:
            progress(f"decoder block {j + 1}")
    report["decoder_layers"] = mach.depth - before
    Out = qzeros(d_y, N)
    o = qzeros(d_y)
    for j in range(d_y - 1):
        span = plan.HI[j] - plan.LO[j]
        Out[j, j] = span / (R_d * two_M)
        o[j] = plan.LO[j] + span * Fraction(1, 2) / two_M
    span = plan.HI[-1] - plan.LO[-1]
    Out[d_y - 1, d_y - 1] = span
    o[d_y - 1] = plan.LO[-1]
    net = mach.finish(Out, o)
    report["max_slot_bound"] = mach.max_bound
    report["output_bounds"] = [list(map(float, v)) for v in mach.output_bounds(Out, o)]
    return net, report
