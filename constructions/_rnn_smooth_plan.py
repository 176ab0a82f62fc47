r"""Per-time approximants with tanh units, as blocks for :mod:`constructions._rnn_smooth`.

Coordinates: :math:`\hat x = (x - lo)/(hi - lo) \in [0, 1]^{d_x}`.  The same target classes as
``rnn-uniform`` (:mod:`constructions._rnn_plan`), with :math:`\tanh` units in place of ReLU pieces:

* **linear** :math:`y_k[t] = c + \sum_j M[t,j,k]\cdot x[j]`: one block per :math:`(t, k)` with a
  *linear* unit (exact up to the :math:`O(\delta^2)` of the construction);
* **ridge** :math:`y_k = g(z)`: :math:`g \approx c_0 + c_1 z + \sum_i c_i \tanh(a_i z + b_i)` on the range
  of :math:`z` (:func:`fit_units`: least squares on a fixed grid of units, error measured on a 4x
  finer grid), one block per :math:`(t, k)`;
* **Hammerstein** :math:`\sum_j h[t-j]\, g(x_k[j])`: the fit of :math:`g` on the token interval, one
  block per :math:`(t, j, k)`;
* **anything else** (running max, the tanh system, callables): least squares on fixed random
  :math:`\tanh` features per time (:func:`constructions._rnn_plan.fit_random_features`), held-out
  error :math:`\le \varepsilon/2` (sampled, not proved).

A constant :math:`c_0` is the unit :math:`a = 0, b = 1` with gain :math:`c_0/\tanh 1`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from uat.errors import BudgetExceeded, ParameterError
from uat.sequence_targets import HammersteinStructure, LinearStructure, RidgeStructure, SequenceTarget

from ._rnn_delta import gate
from ._rnn_plan import fit_random_features
from ._rnn_smooth import SmoothBlock, SmoothUnit

__all__ = ["SmoothPlan", "plan_smooth", "fit_units"]

_TANH1 = math.tanh(1.0)


@dataclass
class SmoothPlan:
    blocks: list[SmoothBlock] = field(default_factory=list)
    approx_error: float = 0.0
    method: str = ""
    notes: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)


def fit_units(g: Callable[[np.ndarray], np.ndarray], zlo: float, zhi: float, tol: float, *, act: str = "tanh",
              exact_tanh: bool = False, max_units: int = 64) -> tuple[float, float, list[tuple[float, float, float]], float]:
    r"""Coefficients of :math:`g(z) \approx c_0 + c_1 z + \sum_i c_i \sigma(a_i z + b_i)` on :math:`[z_-, z_+]`
    (:math:`\sigma` = ``act``, tanh or sigmoid).

    Units sit on a uniform grid of centres with the fixed slope 4/(z_+ - z_-); coefficients by
    least squares (a linear solve, no iteration); the unit count grows until the max error on a
    grid 4 times finer than the fitting grid is below ``tol``.  Returns ``(c0, c1, [(a, b, c), ...], error)``.
    ``exact_tanh``: g is tanh itself (tanh = 2 sigmoid(2 z) - 1).
    """
    if exact_tanh:
        return (0.0, 0.0, [(1.0, 0.0, 1.0)], 0.0) if act == "tanh" else (-1.0, 0.0, [(2.0, 0.0, 2.0)], 0.0)
    f = gate(act)
    width = max(zhi - zlo, 1e-12)
    zs = np.linspace(zlo, zhi, 4097)
    gz = g(zs)
    a = 4.0 / width  # fixed slope: smooth units, near-spectral convergence for smooth g
    err = np.inf
    for m in (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64):
        if m > max_units:
            break
        centres = np.linspace(zlo, zhi, m)
        F = np.column_stack([np.ones_like(zs), zs] + [f(a * (zs - b)) for b in centres])
        coef, *_ = np.linalg.lstsq(F[::4], gz[::4], rcond=1e-15)
        err = float(np.max(np.abs(F @ coef - gz)))
        if err <= tol:
            return float(coef[0]), float(coef[1]), [(a, -a * b, float(c)) for b, c in zip(centres, coef[2:])], err
    raise BudgetExceeded(f"{act} units reached a fit error of {err:.3g} for g on [{zlo:.3g}, {zhi:.3g}] "
                         f"(need <= {tol:.3g}); raise eps")


def _units(k: int, c0: float, c1: float, units: list[tuple[float, float, float]], gain: float = 1.0) -> list[SmoothUnit]:
    out = [SmoothUnit(a, b, {k: gain * c}) for a, b, c in units if c]
    if c1:
        out.append(SmoothUnit(0.0, 0.0, {k: gain * c1}, linear=True))
    if c0:
        out.append(SmoothUnit(0.0, 1.0, {k: gain * c0 / _TANH1}))
    return out


def _affine(m: np.ndarray, c: np.ndarray, t: int, k: int, lo: np.ndarray, wid: np.ndarray) -> tuple[list[list[float]], float]:
    """alpha (span t, in xhat) and c' of z_k[t] (t 0-based)."""
    d_x = len(lo)
    alpha = [[float(m[t, j, k, i]) * wid[i] for i in range(d_x)] for j in range(t + 1)]
    cc = float(c[t, k]) + sum(float(m[t, j, k, i]) * lo[i] for j in range(t + 1) for i in range(d_x))
    return alpha, cc


def _check_causal(m: np.ndarray, T: int) -> None:
    for t in range(T):
        if np.any(np.array(m[t, t + 1:], dtype=np.float64) != 0):
            raise ParameterError("the target's linear structure is not causal; an RNN cannot approximate it")


def plan_smooth(target: SequenceTarget, T: int, lo: np.ndarray, hi: np.ndarray, *, eps: float,
                features: int | None = None, seed: int = 0, max_features: int = 512) -> SmoothPlan:
    """The blocks for ``target`` (see the module docstring); ``approx_error`` is the per-time fit error."""
    st = target.structure
    d_x, d_y = target.input_dim, target.output_dim
    wid = hi - lo
    out = SmoothPlan()
    if isinstance(st, LinearStructure):
        m, c = st.coefficients(T)
        _check_causal(m, T)
        for t in range(T):
            for k in range(d_y):
                alpha, cc = _affine(m, c, t, k, lo, wid)
                out.blocks.append(SmoothBlock(t + 1, alpha, cc, [SmoothUnit(0.0, 0.0, {k: 1.0}, linear=True)]))
        out.method = "linear (one linear unit per time and output)"
        out.notes = "linear target: no fit error; the construction's error is O(delta^2)"
        return out
    if isinstance(st, RidgeStructure):
        m, c = st.inner.coefficients(T)
        _check_causal(m, T)
        for t in range(T):
            for k in range(d_y):
                alpha, cc = _affine(m, c, t, k, lo, wid)
                blk = SmoothBlock(t + 1, alpha, cc)
                zlo, zhi = blk.z_range()
                c0, c1, units, err = fit_units(st.g, zlo, zhi, eps / (2 * math.sqrt(d_y)), exact_tanh=st.g_name == "tanh")
                blk.units = _units(k, c0, c1, units)
                out.blocks.append(blk)
                out.approx_error = max(out.approx_error, err * math.sqrt(d_y))
        out.method = f"tanh units fitted to g = {st.g_name} on the range of the ridge variable"
        out.notes = "fit error measured on a grid 4x finer than the fitting grid (not proved)"
        return out
    if isinstance(st, HammersteinStructure):
        if d_y != d_x:
            raise ParameterError("Hammerstein targets act coordinatewise (d_y = d_x)")
        hsum = sum(abs(float(st.kernel(i))) for i in range(T))
        for k in range(d_x):
            c0, c1, units, err = fit_units(st.g, float(lo[k]), float(hi[k]), eps / (2 * max(hsum, 1e-300) * math.sqrt(d_y)))
            out.approx_error = max(out.approx_error, hsum * err * math.sqrt(d_y))
            for t in range(T):
                for j in range(t + 1):
                    h = float(st.kernel(t - j))
                    if not h:
                        continue
                    alpha = [[0.0] * d_x for _ in range(j + 1)]
                    alpha[j][k] = float(wid[k])
                    out.blocks.append(SmoothBlock(t + 1, alpha, float(lo[k]), _units(k, c0, c1, units, gain=h)))
        out.method = f"tanh units fitted to g = {st.g_name} (Hammerstein)"
        out.notes = "fit error measured on a grid 4x finer than the fitting grid, times sum |h| (not proved)"
        return out
    worst, used = 0.0, []
    for t in range(1, T + 1):
        D = t * d_x

        def values(u: np.ndarray) -> np.ndarray:
            return target.at(lo + wid * u.reshape(len(u), t, d_x), t)

        a, c, W, err = fit_random_features(values, D, eps, features, np.random.default_rng([seed, t]), max_features,
                                           act="tanh", u_max=1.0, where=f" at t = {t}")
        used.append(len(c))
        worst = max(worst, err)
        const = [SmoothUnit(0.0, 1.0, {k: float(W[0, k]) / _TANH1}) for k in range(d_y) if W[0, k]]
        for u in range(len(c)):
            alpha = [[float(v) for v in a[u, j * d_x:(j + 1) * d_x]] for j in range(t)]
            units = [SmoothUnit(1.0, 0.0, {k: float(W[u + 1, k]) for k in range(d_y) if W[u + 1, k]})]
            out.blocks.append(SmoothBlock(t, alpha, float(c[u]), units + (const if u == 0 else [])))
    out.approx_error = worst
    out.method = "least squares on fixed random tanh features (seeded)"
    out.parameters = {"features": max(used), "seed": seed}
    out.notes = "held-out sampled error of the per-time fits (2048 uniform and 512 corner/face points per t); an estimate"
    return out
