r"""``rnn-tanh-iir`` and ``rnn-sigmoid-iir``: compact tanh / sigmoid RNN witnesses for first-order targets.

(The general witnesses, for every target class of ``rnn-uniform`` at the published widths, are
``rnn-tanh`` and ``rnn-sigmoid`` in :mod:`constructions.rnn_tanh`; this module keeps the narrower
construction for first-order Wiener/Hammerstein targets, which needs two channels fewer.)

Song, Hwang, Lee, Kang (JMLR 24(121), 2023) extend Theorem 5 to non-degenerate activations:
width :math:`d_x + d_y + 3` for tanh and :math:`d_x + d_y + 4` for the sigmoid (the extra
:math:`\alpha(\sigma) = 1` when :math:`\sigma(0) \ne 0`), by first building a *modified* RNN whose
identity channels are exact and then replacing every identity channel by
:math:`\sigma(\delta\,\cdot)/(\delta\sigma'(0))` (Lemma 3; :mod:`constructions._rnn_delta`).

The witnesses here apply that trick to a **restricted class**: first-order (IIR) Wiener targets
:math:`y_k[t] = g(\sum_{j\le t} \lambda^{t-j} a\, x_k[j])` and Hammerstein targets
:math:`y_k[t] = \sum_{j \le t} b\lambda^{t-j} g(x_k[j])`.  The modified network has the channels
:math:`(u \in \mathbb R^{d}, w, \mathrm{acc} \in \mathbb R^{d})`: an exact linear state :math:`u`,
then :math:`g \approx c_0 + c_1 u + \sum_i c_i \sigma(a_i u + b_i)` accumulated unit by unit
through the :math:`\sigma` work channel :math:`w` (least squares on a fixed grid of units; exact
when :math:`g = \tanh` or :math:`\sigma` is related to :math:`g` affinely).  Width
:math:`2d + 1` (:math:`+1` for the sigmoid's constant channel) :math:`= d_x + d_y + 1 (+1)`:
*this construction's* width for this class, below the published :math:`d_x + d_y + 3 (+4)`
for general targets (which this module does not construct).  The error is the fit error of
:math:`g` plus the :math:`\delta` error, :math:`O(\delta^2)`; ``delta`` is a parameter and
``docs/rnn.md`` plots the error against it.

>>> from constructions import build
>>> c = build("rnn-tanh-iir", "wiener-tanh", T=5, delta=1e-3)
>>> c.network.width, c.network.activations[0].name
(3, 'tanh')
"""

from __future__ import annotations

import argparse
import math
from fractions import Fraction
from typing import Any

import numpy as np

from uat.errors import ParameterError, PrecisionBudgetExceeded
from uat.sequence_targets import HammersteinStructure, RidgeStructure

from ._cli import options_from_args
from ._common import positive_eps
from ._registry import Construction, ConstructionSpec, ContractCase, register
from ._rnn_common import add_delta_argument, add_horizon_argument, horizon, linearisation_scale, rnn_construction, \
    sampled_sup_check, sequence_target, token_box
from ._rnn_delta import SIGMA, ModifiedCell, gate, linearise
from ._rnn_smooth_plan import fit_units

__all__ = ["build_rnn_tanh_iir", "build_rnn_sigmoid_iir"]


def _geometric(st_inner: Any, T: int, d: int) -> tuple[float, float, float]:
    """(lambda, a, c0) when u_k[t] = sum_j lambda^(t-j) (a x_k[j] + c0) (coordinatewise); else ParameterError."""
    m, c = st_inner.coefficients(T)
    a = m[0, 0, 0, 0]
    lam = (m[1, 0, 0, 0] / a) if T > 1 and a else Fraction(0)
    c0 = c[0, 0]
    ok = a != 0
    for t in range(T):
        for j in range(T):
            for k in range(d):
                for i in range(d):
                    want = a * lam ** (t - j) if (j <= t and i == k) else Fraction(0)
                    ok = ok and m[t, j, k, i] == want
        ok = ok and all(c[t, k] == c0 * sum((lam**i for i in range(t + 1)), Fraction(0)) for k in range(d))
    if not ok:
        raise ParameterError("rnn-tanh-iir/rnn-sigmoid-iir need a first-order (IIR) Wiener or Hammerstein target, "
                             "coordinatewise; rnn-tanh/rnn-sigmoid build every target")
    return float(lam), float(a), float(c0)


def _build(act: str, target: Any, *, input_dim: int | None, output_dim: int | None, T: Any, eps: Any, domain: Any,
           delta: Any) -> Construction:
    T = horizon(T, default=10, cap=256)
    eps = positive_eps(eps, 1e-3)
    tgt = sequence_target(target, default="wiener-tanh", input_dim=input_dim, output_dim=output_dim)
    st = tgt.structure
    if not isinstance(st, (RidgeStructure, HammersteinStructure)):
        raise ParameterError(f"rnn-{act}-iir builds first-order Wiener/Hammerstein targets (e.g. wiener-tanh, wiener-sin, "
                             f"hammerstein); {tgt.name!r} has no such structure (rnn-{act} builds every target)")
    d = tgt.input_dim
    box = token_box(domain, tgt)
    if d != 1:
        raise ParameterError(f"rnn-{act}-iir handles d_x = d_y = 1 (one work channel serves one coordinate); got d_x = {d}"
                             f" (rnn-{act} has no such restriction)")
    xlo, xhi = float(box.lo[0]), float(box.hi[0])
    if isinstance(st, RidgeStructure):
        lam, a, c0 = _geometric(st.inner, T, d)
        m_in, m_ax = min(a * xlo, a * xhi) + c0, max(a * xlo, a * xhi) + c0
        sums = [sum(lam**i for i in range(t)) for t in (1, T)] if lam >= 0 else [sum(abs(lam) ** i for i in range(T))] * 2
        if lam < 0:
            m_in, m_ax = -max(abs(m_in), abs(m_ax)), max(abs(m_in), abs(m_ax))
        zlo, zhi = min(m_in * sm for sm in sums), max(m_ax * sm for sm in sums)
        fit = fit_units(st.g, zlo, zhi, eps / 2, act=act, exact_tanh=st.g_name == "tanh")
        gain, rec_first = 1.0, True
    else:
        k0, k1 = st.kernel(0), st.kernel(1)
        if k0 == 0 or any(st.kernel(i) != k0 * (k1 / k0) ** i for i in range(T)):
            raise ParameterError(f"rnn-{act} needs a geometric Hammerstein kernel h[i] = b lambda^i")
        lam, b = float(k1 / k0), float(k0)
        zlo, zhi = xlo, xhi
        hsum = sum(abs(b) * abs(lam) ** i for i in range(T))
        fit = fit_units(st.g, zlo, zhi, eps / (2 * hsum), act=act)
        gain, rec_first, a, c0 = b, False, 1.0, 0.0
    c0_fit, c1_fit, units, fit_err = fit
    # -- the modified network: channels u (0..d-1), w (d), acc (d+1..2d) ------------------------
    W = 2 * d + 1
    U, Wk, ACC = list(range(d)), d, list(range(d + 1, 2 * d + 1))
    ident = np.ones(W, dtype=bool)
    ident[Wk] = False
    cells: list[ModifiedCell] = []
    lift = np.zeros((W, d))
    lift[U, range(d)] = 1.0

    def cell(A=None, B=None, th=None):
        cells.append(ModifiedCell(np.zeros((W, W)) if A is None else A, B, np.zeros(W) if th is None else th, ident))

    keep_u = np.zeros((W, W))
    keep_u[U, U] = 1.0
    if rec_first:  # u[t] = lam u[t-1] + a x[t] + c0
        A = np.zeros((W, W))
        A[U, U] = lam
        B = np.zeros((W, W))
        B[U, U] = a
        th = np.zeros(W)
        th[U] = c0
        cell(A, B, th)
    prev_w = None
    for i, (ua, ub, uc) in enumerate(units + [(None, None, None)]):
        B = keep_u.copy()
        th = np.zeros(W)
        for k in range(d):
            if i == 0:
                B[ACC[k], U[k]] = c1_fit
                th[ACC[k]] = c0_fit
            else:
                B[ACC[k], ACC[k]] = 1.0
            if prev_w is not None:
                B[ACC[k], Wk] = prev_w
        if ua is not None:
            B[Wk, U[0]] = ua
            th[Wk] = ub
        cell(None, B, th)
        prev_w = None if ua is None else uc
    if not rec_first:  # acc[t] = lam acc[t-1] + b acc_in[t]
        A = np.zeros((W, W))
        B = np.zeros((W, W))
        for k in range(d):
            A[ACC[k], ACC[k]] = lam
            B[ACC[k], ACC[k]] = gain
        cell(A, B, None)
    readout = np.zeros((d, W))
    readout[range(d), ACC] = 1.0
    given = delta is not None
    delta = _delta(act, delta, eps, max(abs(zlo), abs(zhi), _partial_sums(act, c0_fit, c1_fit, units, zlo, zhi, T)), T)
    net = linearise(lift, cells, readout, act, delta)
    check = sampled_sup_check(net, tgt, T, box.lo_array, box.hi_array)
    if check > eps and not given:
        raise PrecisionBudgetExceeded(
            f"the rnn-{act}-iir witness misses eps = {eps:.3g}: its float64 error on 320 sampled sequences is "
            f"{check:.3g} (fit {fit_err:.2g}, delta = {delta:.2g}); raise eps, use a smaller box, or use rnn-{act}"
        )
    width = W + (1 if SIGMA[act][0] else 0)
    theorem = f"song2023-rnn-{act}"
    return rnn_construction(
        net, name=f"rnn-{act}-iir", theorem=theorem, width=width, target=tgt, box=box, eps=eps, T=T, norm="sup",
        parameters={"T": T, "delta": delta, "units": len(units), "fit_error": fit_err},
        precision={"mode": "float64", "delta": delta, "max_abs_weight": net.max_abs_weight(),
                   "decode_rounding_scale": 2.0**-52 * (1 + SIGMA[act][0] / (delta * SIGMA[act][1])),
                   "sampled_self_check": check},
        notes=(f"modified RNN (exact identity channels) with a {len(units)}-unit {act} fit of g (max fit error "
               f"{fit_err:.2e}), identity channels delta-linearised with delta = {delta:g} (error O(delta^2)); "
               f"restricted class (first-order Wiener/Hammerstein); width 2d+1{'+1' if SIGMA[act][0] else ''} is this "
               "construction's, the published bound for general targets is larger"),
        delta=delta,
    )


def _partial_sums(act: str, c0: float, c1: float, units: list, zlo: float, zhi: float, T: int) -> float:
    """The largest value the accumulator holds while the fit of g is summed unit by unit (times T for the
    Hammerstein recursion): fitted units cancel, so on wide boxes the partial sums dwarf g, and the identity
    channel carrying them needs a delta small against their size."""
    z = np.linspace(zlo, zhi, 257)
    f = gate(act)
    acc = c0 + c1 * z
    top = float(np.max(np.abs(acc)))
    for a, b, c in units:
        acc = acc + c * f(a * z + b)
        top = max(top, float(np.max(np.abs(acc))))
    return top * T


def _delta(act: str, delta: Any, eps: float, zmax: float, T: int) -> float:
    """The default delta puts the O(delta^2 |u|^2) linearisation error near eps/100 (measured constant < 1)."""
    if delta is None:
        d = math.sqrt(eps / (100.0 * (1.0 + zmax**2) * T))
        floor = 1e-7 if act == "tanh" else 1e-5  # the sigmoid's decode rounding grows like eps_mach / delta
        return float(min(1e-2, max(floor, d)))
    return linearisation_scale(delta, "1")


def build_rnn_tanh_iir(target: Any = None, *, input_dim: int | None = None, output_dim: int | None = None,
                   T: int | None = None, eps: float | None = None, domain: Any = None, delta: float | None = None,
                   progress: str = "auto") -> Construction:
    r"""The compact tanh witness at width :math:`2d + 1 = d_x + d_y + 1` for first-order Wiener/Hammerstein targets.

    A modified RNN with exact identity channels, linearised by the :math:`\delta`-trick (Song et al. 2023,
    Lemma 3): error = fit error of :math:`g` + :math:`O(\delta^2)`.

    Parameters
    ----------
    target : str or SequenceTarget, optional
        A first-order (IIR) Wiener or geometric Hammerstein target with :math:`d_x = d_y = 1`
        (default ``wiener-tanh``).
    input_dim, output_dim : int, optional
        Checked against the target.
    T : int, optional
        The horizon (default 10; at most 256).
    eps : float, optional
        The requested accuracy (default 1e-3).
    domain : str or Box, optional
        The token box (default the target's).
    delta : float, optional
        The linearisation scale, :math:`0 < \delta \le 1` (default: from eps, the :math:`O(\delta^2)` term near eps/100).
    progress : ignored
        Accepted for a uniform CLI.

    Returns
    -------
    Construction
    """
    return _build("tanh", target, input_dim=input_dim, output_dim=output_dim, T=T, eps=eps, domain=domain, delta=delta)


def build_rnn_sigmoid_iir(target: Any = None, *, input_dim: int | None = None, output_dim: int | None = None,
                      T: int | None = None, eps: float | None = None, domain: Any = None, delta: float | None = None,
                      progress: str = "auto") -> Construction:
    r"""The compact sigmoid witness: one channel more than :func:`build_rnn_tanh_iir` (the constant :math:`\sigma(0)`).

    Parameters
    ----------
    target, input_dim, output_dim, T, eps, domain, delta, progress
        As for :func:`build_rnn_tanh_iir`.

    Returns
    -------
    Construction
    """
    return _build("sigmoid", target, input_dim=input_dim, output_dim=output_dim, T=T, eps=eps, domain=domain,
                  delta=delta)


def _add_arguments(p: argparse.ArgumentParser) -> None:
    add_horizon_argument(p, 10)
    add_delta_argument(p, "default: from eps")


_from_args = options_from_args("T", "delta")


def _cases(act: str):
    def cases() -> list[ContractCase]:
        return [
            ContractCase(f"{act} wiener-tanh T=8", "wiener-tanh", {"T": 8, "eps": 1e-5}, {"d_x": 1, "d_y": 1}, "sup", 1e-5),
            ContractCase(f"{act} hammerstein T=5", "hammerstein", {"T": 5, "eps": 1e-3}, {"d_x": 1, "d_y": 1}, "sup", 1e-3),
        ]
    return cases


for _act, _extra in (("tanh", 0), ("sigmoid", 1)):
    register(ConstructionSpec(
        name=f"rnn-{_act}-iir",
        theorem=f"song2023-rnn-{_act}",
        family="rnn",
        norm="sup",
        summary=f"compact deep {_act} RNN for first-order Wiener/Hammerstein targets (d_x = d_y = 1; delta-trick)",
        width=(lambda e: (lambda d_x, d_y, **_: d_x + d_y + 1 + e))(_extra),
        supports=lambda d_x=1, d_y=1, **_: d_x == 1 and d_y == 1,
        builder=build_rnn_tanh_iir if _act == "tanh" else build_rnn_sigmoid_iir,
        add_arguments=_add_arguments,
        from_args=_from_args,
        width_kind=f"construction width d_x+d_y+{1 + _extra} for a restricted target class "
                   f"(published d_x+d_y+{3 + _extra} for general targets)",
        contract_cases=_cases(_act),
    ))
