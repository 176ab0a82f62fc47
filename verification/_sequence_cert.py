r"""A covering certificate of the sequence sup error for piecewise-linear (ReLU) recurrent networks.

For a network :math:`N` whose cells use only ``relu`` or ``identity`` (a piecewise-linear map of
the whole sequence :math:`x \in K^T \subset \mathbb R^D`, :math:`D = T d_x`) and a target :math:`f`
with a *declared* Lipschitz constant :math:`L_f` (max-norm on the inputs, Euclidean on the
outputs), :math:`K^T` is covered by :math:`n^D` cells :math:`c + [-r, r]`.  On every cell the
unrolled network is propagated as an affine form with an error radius: every state value is
:math:`z(x) \in a\cdot(x - c) + b \pm \rho`.  Linear maps act exactly on the forms; a ReLU whose
input interval :math:`[lo, hi]` is one-signed is the identity or zero (the form stays exact);
otherwise the relaxation :math:`\lambda z \le \mathrm{relu}(z) \le \lambda(z - lo)`,
:math:`\lambda = hi/(hi - lo)` (rounded up), gives :math:`\lambda z - \lambda lo/2 \pm (-\lambda lo/2)`.
Then for every :math:`x` in the cell and every :math:`t`

.. math:: \|N(x)[t] - f(x)[t]\|_2 \le \|b_t - f(c)[t]\|_2 + \big\|\,|a_t|\,r\,\big\|_2 + \|\rho_t\|_2
          + L_f \max_i r_i + \eta\,(1 + \|f(c)[t]\|_2),

where :math:`\eta = 10^{-14}` allows for the float64 evaluation of the target at the centres.
The forms are computed in float64; every linear step adds :math:`\gamma_n |W|(|b| + |a| r + \rho)`
(:math:`\gamma_n = nu/(1 - nu)`) to the radius and every interval is widened by the same amount,
so the bound holds for the network in exact arithmetic (the float64 forward pass differs from it
by rounding, which :mod:`verification.precision` measures).  The maximum over cells and times is
the certificate.  It is **vacuous** when it is no smaller than the triangle inequality with the
network's values at the centres, :math:`\max_c \|N(c)\| + \max_c \|f(c)\| + L_f r`: typical for the
:math:`L^p` witnesses, whose ramps have slopes near :math:`2^{T(d_x M + 1)}`, and for cells much
wider than the target's scale.  The result
then says so and certifies nothing.  Since the bound contains :math:`(L_N + L_f) r`, it is of the
order of the cell width even for an exact witness: it certifies :math:`O(h)` accuracy, not
:math:`10^{-12}`.
"""

from __future__ import annotations

import math
import numpy as np

from uat.domains import Box
from uat.errors import ParameterError
from uat.recurrent import BiLayer, Cell, Recurrent
from uat.sequence_targets import SequenceTarget

from ._result import ErrorEstimate

__all__ = ["sequence_sup_certificate", "certificate_applies"]

_U = 2.0**-53
_ETA = 1e-14


def _gamma(n: int) -> float:
    return n * _U / (1 - n * _U)


def certificate_applies(net: Recurrent, target: SequenceTarget, T: int, *, max_dim: int = 4) -> str:
    """Empty when the certificate applies; otherwise the reason it does not."""
    acts = {a.name for a in net.activations}
    if not acts <= {"relu", "identity"}:
        return f"the network uses {sorted(acts - {'relu', 'identity'})}: not piecewise linear"
    if target.lipschitz is None:
        return f"the target {target.name!r} declares no Lipschitz constant"
    if T * net.input_dim > max_dim:
        return f"T d_x = {T * net.input_dim} > {max_dim}: a grid cover is too large"
    return ""


class _Forms:
    """Affine forms a (C, k, D), centres b (C, k), radii rho (C, k) of k state values on C cells."""

    def __init__(self, a: np.ndarray, b: np.ndarray, rho: np.ndarray) -> None:
        self.a, self.b, self.rho = a, b, rho

    @staticmethod
    def cat(parts: list["_Forms"]) -> "_Forms":
        return _Forms(np.concatenate([p.a for p in parts], axis=1), np.concatenate([p.b for p in parts], axis=1),
                      np.concatenate([p.rho for p in parts], axis=1))

    def spread(self, r: np.ndarray) -> np.ndarray:
        return np.abs(self.a) @ r

    def linear(self, M: np.ndarray, theta: np.ndarray | None, r: np.ndarray) -> "_Forms":
        Mabs = np.abs(M)
        a = np.einsum("ij,cjd->cid", M, self.a)
        b = self.b @ M.T
        mag = np.abs(self.b) + self.spread(r) + self.rho
        rho = self.rho @ Mabs.T + _gamma(M.shape[1] + 1) * (mag @ Mabs.T)
        if theta is not None:
            b = b + theta
            rho = rho + _gamma(M.shape[1] + 1) * np.abs(theta)
        return _Forms(a, b, rho)

    def relu(self, r: np.ndarray) -> tuple["_Forms", int]:
        sp = self.spread(r)
        slack = _gamma(self.a.shape[2] + 2) * (np.abs(self.b) + sp + self.rho)
        lo = self.b - sp - self.rho - slack
        hi = self.b + sp + self.rho + slack
        off = hi <= 0
        on = lo >= 0
        mixed = ~(off | on)
        with np.errstate(divide="ignore", invalid="ignore"):
            lam = np.where(mixed, np.minimum(1.0, hi / (hi - lo) * (1 + 4 * _U)), np.where(on, 1.0, 0.0))
        shift = np.where(mixed, -lam * lo / 2, 0.0)
        a = self.a * lam[:, :, None]
        b = self.b * lam + shift
        rho = self.rho * lam + shift + _gamma(3) * (np.abs(b) + np.abs(a) @ r + self.rho)
        return _Forms(a, b, rho), int(mixed.sum())


def _run_cell(cell: Cell, inputs: list[_Forms], r: np.ndarray, reverse: bool, C: int, D: int) -> tuple[list[_Forms], int]:
    A = np.asarray(cell.recurrent, dtype=np.float64)
    B = np.asarray(cell.input, dtype=np.float64)
    th = np.asarray(cell.bias, dtype=np.float64)
    d = B.shape[0]
    act = cell.activation.name
    T = len(inputs)
    out: list[_Forms | None] = [None] * T
    prev = None
    mixed = 0
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        if prev is None or not cell.is_recurrent:
            z = inputs[t].linear(B, th, r)
        else:
            z = _Forms.cat([inputs[t], prev]).linear(np.hstack([B, A]), th, r)
        if act == "relu":
            z, k = z.relu(r)
            mixed += k
        prev = out[t] = z
    return out, mixed  # type: ignore[return-value]


def _propagate(net: Recurrent, centres: np.ndarray, r: np.ndarray) -> tuple[list[_Forms], int]:
    C, T, dx = centres.shape
    D = T * dx
    P = np.asarray(net.as_float().lift, dtype=np.float64)
    h = []
    for t in range(T):
        a = np.zeros((C, P.shape[0], D))
        a[:, :, t * dx:(t + 1) * dx] = P[None]
        ct = centres[:, t]
        h.append(_Forms(a, ct @ P.T, _gamma(dx + 1) * (np.abs(ct) @ np.abs(P).T)))
    mixed = 0
    for layer in net.as_float().layers:
        if isinstance(layer, BiLayer):
            f, m1 = _run_cell(layer.forward, h, r, False, C, D)
            g, m2 = _run_cell(layer.backward, h, r, True, C, D)
            Wf = np.asarray(layer.mix_forward, dtype=np.float64)
            Wb = np.asarray(layer.mix_backward, dtype=np.float64)
            h = [_Forms.cat([f[t], g[t]]).linear(np.hstack([Wf, Wb]), None, r) for t in range(T)]
            mixed += m1 + m2
        else:
            h, m = _run_cell(layer, h, r, False, C, D)
            mixed += m
    Q = np.asarray(net.as_float().readout, dtype=np.float64)
    qb = None if net.readout_bias is None else np.asarray(net.as_float().readout_bias, dtype=np.float64)
    return [x.linear(Q, qb, r) for x in h], mixed


def sequence_sup_certificate(net: Recurrent, target: SequenceTarget, box: Box, T: int, *, cells: int | None = None,
                             max_cells: int = 1 << 14, max_dim: int = 4, chunk: int = 4096) -> ErrorEstimate:
    """The covering certificate (module docstring) on ``cells`` per axis (default: as many as ``max_cells`` allows).

    Returns a certified :class:`ErrorEstimate` with ``low = 0`` (combine with a sampled lower bound),
    or, when the bound is vacuous, an uncertified one with ``high = inf`` and the reason.

    Raises
    ------
    ParameterError
        When the certificate does not apply (see :func:`certificate_applies`).
    """
    why = certificate_applies(net, target, T, max_dim=max_dim)
    if why:
        raise ParameterError(f"the covering certificate does not apply: {why}")
    dx = net.input_dim
    D = T * dx
    n = cells if cells is not None else max(1, int(math.floor(max_cells ** (1.0 / D) + 1e-9)))
    if n < 1 or n**D > max(max_cells, 1) * 64:
        raise ParameterError(f"cells per axis must be a positive integer with cells^(T d_x) manageable, got {n}")
    lo, wid = box.lo_array, box.widths
    half = np.tile(wid / (2 * n), T)  # r for every coordinate of the sequence
    idx = np.indices((n,) * D).reshape(D, -1).T
    Lf = float(target.lipschitz)
    best, mixed, worst_t = 0.0, 0, 0
    per_t, nsup, fsup = np.zeros(T), np.zeros(T), np.zeros(T)
    for s in range(0, len(idx), chunk):
        k = idx[s:s + chunk]
        centres = (lo + wid * (k.reshape(-1, T, dx) + 0.5) / n)
        ys, m = _propagate(net, centres, half)
        mixed += m
        fc = target(centres)
        yc = net.evaluate(centres)
        for t in range(T):
            y = ys[t]
            spread = np.linalg.norm(np.abs(y.a) @ half, axis=1)
            fn = np.linalg.norm(fc[:, t], axis=1)
            bound = (np.linalg.norm(y.b - fc[:, t], axis=1) + spread + np.linalg.norm(y.rho, axis=1)
                     + Lf * float(half.max()) + _ETA * (1 + fn))
            per_t[t] = max(per_t[t], float(bound.max()))
            nsup[t] = max(nsup[t], float(np.linalg.norm(yc[:, t], axis=1).max()))
            fsup[t] = max(fsup[t], float(fn.max()) + Lf * float(half.max()))
        best = float(per_t.max())
        worst_t = int(np.argmax(per_t)) + 1
    trivial = float(np.max(nsup + fsup))
    vacuous = not math.isfinite(best) or bool(np.any(per_t >= nsup + fsup))
    assumptions = (
        f"cover of K^{T} by {n}^{D} = {n**D} cells (half-widths {', '.join(f'{v:.3g}' for v in half[:dx])}); affine "
        "forms with error radii through the unrolled network, ReLU relaxed on cells where its sign changes",
        f"the target's declared Lipschitz constant {Lf:g} (max-norm on inputs, Euclidean on outputs); target values at "
        f"the centres taken as computed (allowance {_ETA:g} (1 + |f|))",
        "exact-arithmetic network; float64 rounding of the forms bounded by gamma_n |W| |.| per step",
    )
    details = {"per_t": per_t.tolist(), "cells_per_axis": n, "cells": n**D, "relaxed_relus": mixed,
               "trivial_bound": trivial, "vacuous": vacuous, "argmax_time": worst_t, "domain": str(box)}
    if vacuous:
        return ErrorEstimate(value=0.0, low=0.0, high=math.inf, certified=False, method="sequence-cover",
                             n_evals=n**D, assumptions=assumptions + (
                                 f"VACUOUS: the bound {best:.3g} is no better than max|N(centre)| + sup|f| "
                                 f"<= {trivial:.3g} at some time",),
                             norm="sup", parameters={"T": T, "cells": n}, details=details)
    return ErrorEstimate(value=best, low=0.0, high=best, certified=True, method="sequence-cover", n_evals=n**D,
                         assumptions=assumptions, norm="sup", parameters={"T": T, "cells": n}, details=details)

