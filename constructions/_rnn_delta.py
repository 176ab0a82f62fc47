r"""The :math:`\delta`-linearisation of identity channels (Song et al., JMLR 2023, Lemma 3, App. B).

A *modified* cell applies :math:`\sigma` only on some channels and the identity on the others,
:math:`\bar h[t] = \sigma_I(\bar A \bar h[t-1] + \bar B \bar u[t] + \bar\theta)`.  A plain
:math:`\sigma` cell carries an identity channel :math:`j` *encoded* as
:math:`\hat h_j = \sigma(\delta \bar h_j) \approx \sigma_0 + \delta \sigma_1 \bar h_j`
(:math:`\sigma_0 = \sigma(0)`, :math:`\sigma_1 = \sigma'(0)`), decoded affinely by
:math:`(\hat h_j - \sigma_0) / (\delta \sigma_1)`.  Substituting the decoder into the next
pre-activation gives one plain cell per modified cell:

* :math:`\sigma` rows: :math:`\mathrm{pre}_i = \bar A_i\,\mathrm{dec}(\hat h[t-1]) + \bar B_i\,\mathrm{dec}(\hat u[t]) + \bar\theta_i`;
* identity rows: :math:`\delta` times the same expression.

Because :math:`\sigma''(0) = 0` for tanh and the logistic sigmoid, each encoding is exact up to
:math:`O(\delta^3 |\bar h|^3)`, i.e. a relative error :math:`O(\delta^2 \bar h^2)`.  When
:math:`\sigma_0 \ne 0` (sigmoid) the decoder's constant must vanish at :math:`t = 1`
(:math:`\hat h[0] = 0`, not :math:`\sigma_0`): one extra channel :math:`\kappa[t] = \sigma(0)`
(zero at :math:`t = 0`) carries it through the recurrent matrix -- the paper's
:math:`\beta(\sigma) = 1`.  Rounding adds about :math:`\epsilon_{mach}\sigma_0/(\delta\sigma_1)` per
decode for the sigmoid; for tanh (:math:`\sigma_0 = 0`) it does not grow as :math:`\delta \to 0`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from uat.recurrent import Cell, Recurrent

__all__ = ["ModifiedCell", "linearise", "run_modified", "SIGMA", "gate"]

# activation -> (sigma(0), sigma'(0))
SIGMA = {"tanh": (0.0, 1.0), "sigmoid": (0.5, 0.25)}


def gate(act: str) -> Callable[[np.ndarray], np.ndarray]:
    """The cell activation as a numpy function: ``np.tanh``, or the logistic :math:`1/(1+e^{-z})` for ``"sigmoid"``."""
    return np.tanh if act == "tanh" else (lambda z: 1.0 / (1.0 + np.exp(-z)))


@dataclass(frozen=True)
class ModifiedCell:
    """A modified cell: float arrays A (d, d), B (d, d_in), theta (d,), identity mask (d,) of bools."""

    A: np.ndarray
    B: np.ndarray
    theta: np.ndarray
    identity: np.ndarray


def run_modified(lift: np.ndarray, cells: list[ModifiedCell], readout: np.ndarray, act: str, x: np.ndarray) -> np.ndarray:
    """Reference evaluation of a modified network (float64): ``(batch, T, d_x) -> (batch, T, d_y)``."""
    f = gate(act)
    h = x @ lift.T
    for c in cells:
        out = np.empty(h.shape[:2] + (c.B.shape[0],))
        prev = np.zeros((x.shape[0], c.B.shape[0]))
        for t in range(x.shape[1]):
            z = prev @ c.A.T + h[:, t] @ c.B.T + c.theta
            prev = np.where(c.identity, z, f(z))
            out[:, t] = prev
        h = out
    return h @ readout.T


def linearise(lift: np.ndarray, cells: list[ModifiedCell], readout: np.ndarray, act: str, delta: float) -> Recurrent:
    """The plain ``act`` network computing the modified network up to O(delta^2) (see the module docstring)."""
    s0, s1 = SIGMA[act]
    extra = s0 != 0.0  # the kappa channel (sigmoid)
    kappa_value = s0  # kappa = sigma(0)
    plain = []
    prev_identity = np.zeros(lift.shape[0], dtype=bool)  # the lift output is raw (not encoded)
    for c in cells:
        d, d_in = c.B.shape
        W = d + (1 if extra else 0)
        W_in = d_in + (1 if (extra and plain) else 0)
        Bp = np.zeros((W, W_in))
        Ap = np.zeros((W, W))
        th = np.zeros(W)
        # decode of the inputs: encoded identity channels of the previous layer
        in_scale = np.where(prev_identity[:d_in], 1.0 / (delta * s1), 1.0)
        in_const = np.where(prev_identity[:d_in], -s0 / (delta * s1), 0.0)
        rec_scale = np.where(c.identity, 1.0 / (delta * s1), 1.0)
        rec_const = np.where(c.identity, -s0 / (delta * s1), 0.0)
        row_scale = np.where(c.identity, delta, 1.0)
        Bp[:d, :d_in] = row_scale[:, None] * c.B * in_scale[None, :]
        Ap[:d, :d] = row_scale[:, None] * c.A * rec_scale[None, :]
        th[:d] = row_scale * (c.theta + c.B @ in_const)
        rec_offset = row_scale * (c.A @ rec_const)  # must vanish at t = 1
        if extra:
            Ap[:d, d] = rec_offset / kappa_value
            th[d] = 0.0  # kappa = sigma(0)
        elif np.any(rec_offset != 0):  # pragma: no cover - sigma(0) = 0 makes rec_const zero
            raise ValueError("internal error: a recurrent decoder offset without a kappa channel")
        plain.append(Cell.create(Ap, Bp, th, act, exact=False))
        prev_identity = c.identity.copy()
    d_last = cells[-1].B.shape[0]
    ident = cells[-1].identity
    Qp = np.zeros((readout.shape[0], d_last + (1 if extra else 0)))
    Qp[:, :d_last] = readout * np.where(ident, 1.0 / (delta * s1), 1.0)[None, :]
    if extra:
        Qp[:, d_last] = (readout @ np.where(ident, -s0 / (delta * s1), 0.0)) / kappa_value
    return Recurrent.create(lift=lift, cells=plain, readout=Qp, exact=False)
