r"""The named library of sequence targets (used by ``uat build rnn-* --target NAME``).

Causal targets (token dimension :math:`d`, applied coordinatewise unless said otherwise):

=========================  =====================================================================  ==========
name                       definition (:math:`t = 1..T`)                                          structure
=========================  =====================================================================  ==========
``running-mean``           :math:`y[t] = \frac1t \sum_{j\le t} x[j]`                               linear
``moving-average``         :math:`y[t] = \frac13 \sum_{i=0}^{2} x[t-i]` (:math:`x[j] = 0` for j<1)  linear
``iir``                    :math:`y[t] = \frac12 y[t-1] + \frac12 x[t]`, :math:`y[0] = 0`           linear
``running-max``            :math:`y[t] = \max_{j \le t} x[j]`                                      running max
``running-min``            :math:`y[t] = \min_{j \le t} x[j]`                                      running max
``wiener-tanh``            :math:`y[t] = \tanh\big(\sum_{j\le t} (4/5)^{t-j} x[j]\big)`            ridge
``wiener-sin``             :math:`y[t] = \sin\big(\sum_{j\le t} (4/5)^{t-j} x[j]\big)`             ridge
``hammerstein``            :math:`y[t] = \sum_{j\le t} 2^{-(t-j+1)} \sin(\pi x[j])`               Hammerstein
``tanh-system``            :math:`h[t] = \tanh(W h[t-1] + U x[t])`, :math:`y = h_1 + h_2` (d_y=1)    none
``majority``               :math:`y[t] = \mathbb 1[\frac1t \sum_{j\le t} \bar x[j] > \frac12]`,      none (L^p)
                           :math:`\bar x` the mean of the token's coordinates (d_y = 1)
``gaussian``               :math:`y[t] = \exp(-\frac12 \sum_{j\le t} \|x[j]\|^2)` (d_y = 1)           tail (L^p(R))
``gaussian-wave``          :math:`y[t] = e^{-\frac12 \sum_{j\le t}\|x[j]\|^2}(\cos\sigma_t, \sin\sigma_t)`,   tail (L^p(R))
                           :math:`\sigma_t` the sum of all coordinates of :math:`x[1..t]` (d_y = 2)
=========================  =====================================================================  ==========

Every continuous library target declares a Lipschitz constant (``lipschitz``: max-norm over the
input coordinates to the Euclidean output norm; ``None`` for ``majority``, ``gaussian`` and
``gaussian-wave``, whose constants grow with the horizon); the two Gaussian targets lie in
:math:`L^p(\mathbb R^{d_x \times T})` and declare their tail outside :math:`[-L, L]^{t d_x}`:
:math:`\|f_t\|_{L^p}^p \le (2\pi/p)^{D/2}\,(1 - \mathrm{erf}(L\sqrt{p/2})^D)`, :math:`D = t d_x`.

Non-causal targets (for BRNNs): ``reversal`` :math:`y[t] = x[T+1-t]` and
``centred-moving-average`` :math:`y[t] = ` mean of :math:`x[j]` over :math:`|j-t| \le 1`,
:math:`1 \le j \le T`; both linear; and ``gaussian-cos``
:math:`y[t] = \exp(-\frac12\sum_{j \le T}\|x[j]\|^2)\cos(x_1[t])`, in :math:`L^p(\mathbb R^{d_x T})` with
the Gaussian tail (a non-causal target's ``tail(L, p, n)`` is over all :math:`n = T` tokens).

>>> sorted(SEQUENCE_LIBRARY)[:4]
['centred-moving-average', 'gaussian', 'gaussian-cos', 'gaussian-wave']
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Callable

import numpy as np

from .errors import TargetError
from .sequence_targets import (
    HammersteinStructure,
    LinearStructure,
    RidgeStructure,
    RunningMaxStructure,
    SequenceTarget,
)

__all__ = ["SEQUENCE_LIBRARY", "library_sequence_target"]

_LAMBDA = Fraction(4, 5)
_TANH2 = 4 / (3 * math.sqrt(3))  # sup |tanh''|, attained at atanh(1/sqrt(3))
_W = np.array([[0.5, -0.4], [0.4, 0.5]])


def _zeros(T: int, d_y: int, d_x: int) -> tuple[np.ndarray, np.ndarray]:
    m = np.full((T, T, d_y, d_x), Fraction(0), dtype=object)
    c = np.full((T, d_y), Fraction(0), dtype=object)
    return m, c


def _diagonal(d: int, weight: Callable[[int, int, int], Fraction]) -> LinearStructure:
    """Coordinatewise linear structure with M[t, j, k, k] = weight(T, t, j) (0-based t, j)."""

    def coefficients(T: int) -> tuple[np.ndarray, np.ndarray]:
        m, c = _zeros(T, d, d)
        for t in range(T):
            for j in range(T):
                w = weight(T, t, j)
                if w:
                    for k in range(d):
                        m[t, j, k, k] = w
        return m, c

    return LinearStructure(coefficients)


def _mean_weight(T: int, t: int, j: int) -> Fraction:
    return Fraction(1, t + 1) if j <= t else Fraction(0)


def _ma_weight(T: int, t: int, j: int) -> Fraction:
    return Fraction(1, 3) if t - 2 <= j <= t else Fraction(0)


def _iir_weight(T: int, t: int, j: int) -> Fraction:
    return Fraction(1, 2) ** (t - j + 1) if j <= t else Fraction(0)


def _geometric_weight(T: int, t: int, j: int) -> Fraction:
    return _LAMBDA ** (t - j) if j <= t else Fraction(0)


def _reversal_weight(T: int, t: int, j: int) -> Fraction:
    return Fraction(1) if j == T - 1 - t else Fraction(0)


def _centred_weight(T: int, t: int, j: int) -> Fraction:
    lo, hi = max(0, t - 1), min(T - 1, t + 1)
    return Fraction(1, hi - lo + 1) if lo <= j <= hi else Fraction(0)


def _causal(name: str, d: int, d_y: int, seq: Callable[[np.ndarray], np.ndarray], **kw) -> SequenceTarget:
    return SequenceTarget(name=name, input_dim=d, output_dim=d_y, fn=lambda p: seq(p)[:, -1], sequence_fn=seq, causal=True, **kw)


def _running_mean(x: np.ndarray) -> np.ndarray:
    return np.cumsum(x, axis=1) / np.arange(1, x.shape[1] + 1)[None, :, None]


def _moving_average(x: np.ndarray) -> np.ndarray:
    c = np.cumsum(x, axis=1)
    out = c.copy()
    out[:, 3:] -= c[:, :-3]
    return out / 3.0


def _filter(x: np.ndarray, lam: float, gain: float) -> np.ndarray:
    out = np.empty_like(x)
    s = np.zeros_like(x[:, 0])
    for t in range(x.shape[1]):
        s = lam * s + gain * x[:, t]
        out[:, t] = s
    return out


def _tanh_system(x: np.ndarray) -> np.ndarray:
    d = x.shape[2]
    u = np.zeros((2, d))
    u[0, :] = 1.0 / d
    u[1, :] = np.where(np.arange(d) % 2 == 0, -1.0, 1.0) / d
    h = np.zeros((x.shape[0], 2))
    out = np.empty((x.shape[0], x.shape[1], 1))
    for t in range(x.shape[1]):
        h = np.tanh(h @ _W.T + 2.0 * x[:, t] @ u.T)
        out[:, t, 0] = h[:, 0] + h[:, 1]
    return out


def _majority(x: np.ndarray) -> np.ndarray:
    m = _running_mean(x.mean(axis=2, keepdims=True))
    return (m > 0.5).astype(np.float64)


def gaussian_tail(d: int) -> Callable[[float, float, int], float]:
    """``tail(L, p, t)`` of exp(-|x|^2/2) on R^(t d) outside [-L, L]^(t d) (see the module docstring)."""

    def tail(L: float, p: float, t: int) -> float:
        D = t * d
        inside = math.erf(L * math.sqrt(p / 2)) ** D
        return ((2 * math.pi / p) ** (D / 2) * max(0.0, 1.0 - inside)) ** (1 / p)

    return tail


def _gaussian(x: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * np.cumsum(np.sum(x * x, axis=2), axis=1))[:, :, None]


def _gaussian_wave(x: np.ndarray) -> np.ndarray:
    g = _gaussian(x)[:, :, 0]
    sig = np.cumsum(np.sum(x, axis=2), axis=1)
    return np.stack([g * np.cos(sig), g * np.sin(sig)], axis=2)


def _build(name: str, d: int) -> SequenceTarget:
    t = _build_target(name, d)
    lip = _LIPSCHITZ.get(name)
    if lip is not None:
        from dataclasses import replace

        t = replace(t, lipschitz=lip * (1.0 if name == "tanh-system" else math.sqrt(d)))
    return t


# declared Lipschitz constants per output coordinate (max-norm on the inputs); times sqrt(d) for d outputs
_LIPSCHITZ = {"running-mean": 1.0, "moving-average": 1.0, "iir": 1.0, "running-max": 1.0, "running-min": 1.0,
              "wiener-tanh": 5.0, "wiener-sin": 5.0, "hammerstein": math.pi, "tanh-system": 11.2,
              "reversal": 1.0, "centred-moving-average": 1.0}


def _build_target(name: str, d: int) -> SequenceTarget:
    lam = float(_LAMBDA)
    if name == "running-mean":
        return _causal(name, d, d, _running_mean, continuous=True, structure=_diagonal(d, _mean_weight))
    if name == "moving-average":
        return _causal(name, d, d, _moving_average, continuous=True, structure=_diagonal(d, _ma_weight))
    if name == "iir":
        return _causal(name, d, d, lambda x: _filter(x, 0.5, 0.5), continuous=True, structure=_diagonal(d, _iir_weight))
    if name in ("running-max", "running-min"):
        sign = 1 if name == "running-max" else -1
        fn = (lambda x: np.maximum.accumulate(x, axis=1)) if sign > 0 else (lambda x: np.minimum.accumulate(x, axis=1))
        return _causal(name, d, d, fn, continuous=True, structure=RunningMaxStructure(sign))
    if name in ("wiener-tanh", "wiener-sin"):
        g, g2 = (np.tanh, _TANH2) if name == "wiener-tanh" else (np.sin, 1.0)
        inner = _diagonal(d, _geometric_weight)
        return _causal(name, d, d, lambda x: g(_filter(x, lam, 1.0)), continuous=True,
                       structure=RidgeStructure(inner, g, name.split("-")[1], g2))
    if name == "hammerstein":
        g = lambda v: np.sin(np.pi * v)  # noqa: E731
        return _causal(name, d, d, lambda x: _filter(g(x), 0.5, 0.5), continuous=True,
                       structure=HammersteinStructure(lambda i: Fraction(1, 2) ** (i + 1), g, "sin(pi x)", math.pi**2))
    if name == "tanh-system":
        return _causal(name, d, 1, _tanh_system, continuous=True)
    if name == "majority":
        return _causal(name, d, 1, _majority, continuous=False)
    if name == "gaussian":
        return _causal(name, d, 1, _gaussian, continuous=True, tail=gaussian_tail(d))
    if name == "gaussian-wave":
        return _causal(name, d, 2, _gaussian_wave, continuous=True, tail=gaussian_tail(d))
    if name == "gaussian-cos":
        def gcos(x: np.ndarray) -> np.ndarray:
            g = np.exp(-0.5 * np.sum(x * x, axis=(1, 2)))
            return (g[:, None] * np.cos(x[:, :, 0]))[:, :, None]
        return SequenceTarget(name=name, input_dim=d, output_dim=1, fn=gcos, causal=False, continuous=True,
                              tail=gaussian_tail(d))
    if name == "reversal":
        return SequenceTarget(name=name, input_dim=d, output_dim=d, fn=lambda x: x[:, ::-1].copy(), causal=False,
                              continuous=True, structure=_diagonal(d, _reversal_weight))
    if name == "centred-moving-average":
        def centred(x: np.ndarray) -> np.ndarray:
            pad = np.pad(x, ((0, 0), (1, 1), (0, 0)))
            s = pad[:, :-2] + pad[:, 1:-1] + pad[:, 2:]
            cnt = np.full(x.shape[1], 3.0)
            cnt[0] -= 1
            cnt[-1] -= 1
            if x.shape[1] == 1:
                cnt[0] = 1.0
            return s / cnt[None, :, None]
        return SequenceTarget(name=name, input_dim=d, output_dim=d, fn=centred, causal=False, continuous=True,
                              structure=_diagonal(d, _centred_weight))
    raise KeyError(name)  # pragma: no cover


SEQUENCE_LIBRARY: tuple[str, ...] = (
    "running-mean", "moving-average", "iir", "running-max", "running-min", "wiener-tanh", "wiener-sin",
    "hammerstein", "tanh-system", "majority", "gaussian", "gaussian-wave", "reversal", "centred-moving-average",
    "gaussian-cos",
)


def library_sequence_target(name: str, *, input_dim: int = 1) -> SequenceTarget:
    """The library target ``name`` for tokens of dimension ``input_dim``.

    Raises
    ------
    TargetError
        For an unknown name (the message lists the library).
    """
    key = name.strip().lower()
    if key not in SEQUENCE_LIBRARY:
        raise TargetError(f"unknown sequence target {name!r}; the library has: {', '.join(SEQUENCE_LIBRARY)} "
                          "(expressions are not sequence targets: pass a Python callable on prefixes "
                          "(batch, t, d_x) -> (batch, d_y) through the API)")
    if not isinstance(input_dim, int) or input_dim < 1:
        raise TargetError(f"input_dim must be a positive integer, got {input_dim!r}")
    return _build(key, input_dim)
