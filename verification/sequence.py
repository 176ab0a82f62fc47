r"""Sequence errors of recurrent witnesses: sup over inputs and times, L^p per time, causality.

For a network :math:`N` and a sequence target :math:`f` on :math:`K^T` (token box :math:`K`),
with :math:`e_t(x) = \|f(x)[t] - N(x)[t]\|_2`:

* **sup** (Song et al. 2023, §3): :math:`\sup_{x \in K^T} \max_{t \le T} e_t(x)`.  Estimated by
  the maximum over scrambled Sobol' sequences, random sequences of box *corners* and random
  sequences of box-face points; the per-time curve :math:`\max_x e_t(x)` is reported.  A sampled
  maximum is a *lower* bound of the true sup: the result is never certified.
* **L^p** per time: :math:`\|e_t\|_{L^p(K^T)} = (\int_{K^T} e_t^p)^{1/p}` (Lebesgue measure on
  :math:`K^T`, so the volume :math:`|K|^T` enters), estimated by :math:`R` independent
  scramblings of :math:`2^m` Sobol' points with a Student-t confidence interval per time; the
  reported error is :math:`\max_t`, with the interval :math:`[\max_t \mathrm{low}_t, \max_t \mathrm{high}_t]`.
* **L^p on the whole space** (:func:`sequence_lp_error_whole`): a causal output at time :math:`t`
  depends on :math:`x[1..t]`, so its norm is over :math:`\mathbb R^{d_x t}` (over
  :math:`\mathbb R^{d_x T}` for a BRNN).  For a witness that vanishes outside a box,
  :math:`\|e_t\|_{L^p(\mathbb R^{d_x t})}^p = \int_{[-R,R]^{d_x t}} e_t^p +
  \|f_t\|_{L^p(\text{outside})}^p` *provided* :math:`N(x)[t] = 0` whenever a token up to time
  :math:`t` leaves :math:`[-R, R]^{d_x}`.  The first term is the QMC estimate above on the cube,
  the second the target's declared tail bound, and the proviso is *tested* (not proved) on
  sequences with one token at :math:`\pm 10^3` and :math:`\pm 10^6`: any nonzero output there
  is reported and the upper end of the interval becomes infinite.
* **causality**: for every :math:`s`, replacing the tokens :math:`x[s..T]` must leave the
  outputs at times :math:`t < s` *bit-identical* (float64 equality, not a tolerance).

Measuring only; :func:`verification.judge.judge` decides.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from uat.domains import Box
from uat.errors import NonFiniteError, ParameterError
from uat.recurrent import Recurrent
from uat.sequence_targets import SequenceTarget

from ._result import ErrorEstimate
from ._validate import ensure_int, ensure_p

__all__ = ["sequence_sup_error", "sequence_lp_error", "sequence_lp_error_whole", "far_field_outputs",
           "causality_check", "CausalityReport", "sequence_samples"]

_CHUNK = 1 << 14


@dataclass(frozen=True)
class CausalityReport:
    """Outcome of :func:`causality_check`: ``violations`` lists ``(s, t, max |change|)`` (1-based times)."""

    passed: bool
    T: int
    sequences: int
    violations: tuple[tuple[int, int, float], ...] = field(default_factory=tuple)

    def describe(self) -> str:
        if self.passed:
            if self.T < 2:
                return f"causal: trivially (T = {self.T}: no later token can change an earlier output)"
            return (f"causal: changing x[s..{self.T}] left every output at times < s bit-identical "
                    f"({self.sequences} sequences, every s = 2..{self.T})")
        s, t, d = self.violations[0]
        return f"NOT causal: changing x[{s}..{self.T}] changed y[{t}] by {d:.3e} ({len(self.violations)} violations)"


def _sobol(d: int, m: int, rng: np.random.Generator) -> np.ndarray:
    from scipy.stats import qmc

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return qmc.Sobol(d, scramble=True, rng=rng).random_base2(m)


def sequence_samples(box: Box, T: int, m: int, seed: int, *, extremes: bool = True) -> np.ndarray:
    """Test sequences ``(n, T, d)``: 2**m scrambled Sobol' points, plus corner, face and i.i.d. uniform sequences."""
    d = box.dim
    rng = np.random.default_rng(seed)
    u = _sobol(T * d, m, rng).reshape(-1, T, d)
    if extremes:
        n_ext = max(16, 2 ** max(m - 2, 0))
        corners = rng.integers(0, 2, size=(n_ext, T, d)).astype(np.float64)
        faces = rng.random((n_ext, T, d))
        axis = rng.integers(0, d, size=(n_ext, T))
        side = rng.integers(0, 2, size=(n_ext, T)).astype(np.float64)
        np.put_along_axis(faces, axis[..., None], side[..., None], axis=2)
        generic = rng.random((n_ext, T, d))  # full 53-bit inputs: Sobol' points are short dyadics
        u = np.concatenate([u, corners, faces, generic])
    lo, wid = box.lo_array, box.widths
    return lo + wid * u


def _errors(net: Recurrent, target: SequenceTarget, x: np.ndarray) -> np.ndarray:
    out = np.empty(x.shape[:2])
    for s in range(0, len(x), _CHUNK):
        xs = x[s : s + _CHUNK]
        y = target(xs)
        if not np.all(np.isfinite(y)):
            raise NonFiniteError(f"the target {target.name!r} is not finite on some test sequence; restrict the domain")
        out[s : s + _CHUNK] = np.linalg.norm(y - net.evaluate(xs), axis=2)
    return out


def sequence_sup_error(net: Recurrent, target: SequenceTarget, box: Box, T: int, *, m: int = 12, seed: int = 0) -> ErrorEstimate:
    """Sampled sup error over :math:`K^T` and all times, with the per-time curve (see the module docstring)."""
    T = ensure_int(T, "T", low=1, high=4096)
    m = ensure_int(m, "m", low=1, high=24)
    x = sequence_samples(box, T, m, seed)
    e = _errors(net, target, x)
    per_t = e.max(axis=0)
    b, t = np.unravel_index(int(np.argmax(e)), e.shape)
    value = float(e[b, t])
    return ErrorEstimate(
        value=value,
        low=value,
        high=math.inf,
        certified=False,
        method="sequence-sampled",
        n_evals=int(x.shape[0]),
        assumptions=(
            f"maximum over {x.shape[0]} sequences of length {T} (2^{m} scrambled Sobol' plus corner, face and "
            "i.i.d. uniform sequences): a lower bound of the sup error, not a certificate",
        ),
        norm="sup",
        argmax=tuple(x[b].ravel()),
        parameters={"T": T, "m": m, "seed": seed, "sequences": int(x.shape[0])},
        details={"per_t": per_t.tolist(), "argmax_time": int(t) + 1, "domain": str(box)},
    )


def sequence_lp_error(net: Recurrent, target: SequenceTarget, box: Box, T: int, *, p: float = 2.0, m: int = 12,
                      replicates: int = 8, seed: int = 0, confidence: float = 0.95) -> ErrorEstimate:
    """L^p error per time over :math:`K^T` by randomized QMC with confidence intervals."""
    from scipy.stats import t as student_t

    T = ensure_int(T, "T", low=1, high=4096)
    p = ensure_p(p)
    m = ensure_int(m, "m", low=1, high=24)
    R = ensure_int(replicates, "replicates", low=2, high=1024)
    if not 0 < confidence < 1:
        raise ParameterError(f"confidence must lie in (0, 1), got {confidence!r}")
    vol = box.volume ** T
    est = np.empty((R, T))
    for r, child in enumerate(np.random.SeedSequence(seed).spawn(R)):
        u = _sobol(T * box.dim, m, np.random.default_rng(child)).reshape(-1, T, box.dim)
        x = box.lo_array + box.widths * u
        est[r] = vol * np.mean(_errors(net, target, x) ** p, axis=0)
    mean = est.mean(axis=0)
    se = est.std(axis=0, ddof=1) / math.sqrt(R)
    q = float(student_t.ppf(0.5 + confidence / 2, R - 1))
    lo_t = np.maximum(mean - q * se, 0.0) ** (1 / p)
    hi_t = (mean + q * se) ** (1 / p)
    val_t = mean ** (1 / p)
    t = int(np.argmax(val_t))
    return ErrorEstimate(
        value=float(val_t[t]),
        low=float(np.max(lo_t)),
        high=float(np.max(hi_t)),
        certified=False,
        method="sequence-qmc",
        n_evals=int(R * 2**m),
        assumptions=(
            f"{confidence:.0%} Student-t interval per time from {R} independent scramblings of 2^{m} Sobol' "
            f"sequences (Lebesgue measure on K^T, volume {vol:.6g}); the reported error is the max over t, "
            "a statistical statement, not a proof",
        ),
        norm="lp",
        p=p,
        parameters={"T": T, "m": m, "replicates": R, "seed": seed, "confidence": confidence},
        details={"per_t": val_t.tolist(), "per_t_low": lo_t.tolist(), "per_t_high": hi_t.tolist(),
                 "argmax_time": t + 1, "domain": str(box), "volume": vol},
    )


def far_field_outputs(net: Recurrent, box: Box, T: int, *, far: tuple[float, ...] = (1e3, 1e6), sequences: int = 16,
                      seed: int = 0) -> float:
    """Largest |output| at times >= s over sequences whose token s has one coordinate at +-far (others in ``box``)."""
    rng = np.random.default_rng(seed)
    worst = 0.0
    for value in far:
        for sign in (1.0, -1.0):
            x = box.lo_array + box.widths * rng.random((sequences, T, box.dim))
            s = rng.integers(0, T, size=sequences)
            i = rng.integers(0, box.dim, size=sequences)
            x[np.arange(sequences), s, i] = sign * value
            y = net.evaluate(x)
            later = np.arange(T)[None, :] >= s[:, None] if net.is_causal else np.ones((sequences, T), dtype=bool)
            worst = max(worst, float(np.max(np.abs(y) * later[:, :, None])))
    return worst


def sequence_lp_error_whole(net: Recurrent, target: SequenceTarget, T: int, *, radius: float, p: float = 2.0,
                            m: int = 12, replicates: int = 8, seed: int = 0, confidence: float = 0.95) -> ErrorEstimate:
    """L^p error per time over all of R^(d_x t) for a witness that vanishes outside [-radius, radius]^(d_x t)
    (see the module docstring); needs the target's declared ``tail``."""
    if target.tail is None:
        raise ParameterError(f"the target {target.name!r} declares no tail bound, so its L^p norm outside a box is "
                             "unknown; measure on a box instead (whole_space=False)")
    if not net.is_causal and target.causal:
        raise ParameterError(f"target {target.name!r} is causal: its outputs at t < T do not decay in the later tokens, "
                             "so they are not in L^p(R^(d_x T)); a bidirectional whole-space measurement needs a "
                             "non-causal target with a tail")
    R = float(radius)
    if not R > 0:
        raise ParameterError(f"radius must be > 0, got {radius!r}")
    box = Box((-Fraction(R),) * net.input_dim, (Fraction(R),) * net.input_dim)
    inner = sequence_lp_error(net, target, box, T, p=p, m=m, replicates=replicates, seed=seed, confidence=confidence)
    p = inner.p
    # a causal output at time t depends on x[1..t] only: its norm is over R^(d_x t), so the cube's volume enters
    # as vol^t (the box estimate used vol^T); a BRNN output depends on the whole sequence (vol^T, R^(d_x T))
    vol = box.volume
    rescale = np.array([vol ** ((t - T) / p) if net.is_causal else 1.0 for t in range(1, T + 1)])
    span = [t if net.is_causal else T for t in range(1, T + 1)]
    tails = np.array([target.tail(R, p, k) for k in span])
    far = far_field_outputs(net, box, T, seed=seed)
    val = ((np.array(inner.details["per_t"]) * rescale) ** p + tails**p) ** (1 / p)
    lo_t = np.array(inner.details["per_t_low"]) * rescale
    hi_t = ((np.array(inner.details["per_t_high"]) * rescale) ** p + tails**p) ** (1 / p)
    t = int(np.argmax(val))
    return ErrorEstimate(
        value=float(val[t]),
        low=float(np.max(lo_t)),
        high=float(np.max(hi_t)) if far == 0.0 else math.inf,
        certified=False,
        method="sequence-qmc-whole",
        n_evals=inner.n_evals,
        assumptions=(
            f"{confidence:.0%} Student-t interval per time from {inner.parameters['replicates']} independent scramblings "
            f"of 2^{m} Sobol' sequences on the cube [-{R:g}, {R:g}]^(d_x n), n = {'t' if net.is_causal else 'T'} tokens "
            "(Lebesgue measure), plus the target's declared tail outside it "
            f"(<= {float(tails.max()):.3g}); a statistical statement, not a proof",
            "the network is assumed to be 0 once a token leaves the cube",
            f"that assumption was tested on far sequences (one token at +-1e3, +-1e6): max |output| = {far:.3g}"
            + ("" if far == 0.0 else " (NOT zero: no upper bound)"),
        ),
        norm="lp",
        p=p,
        parameters={**dict(inner.parameters), "radius": R},
        details={**dict(inner.details), "per_t": val.tolist(), "per_t_high": hi_t.tolist(), "tail_per_t": tails.tolist(),
                 "far_field_max": far, "domain": f"R^(d_x t) (cube radius {R:g})"},
    )


def causality_check(net: Recurrent, box: Box, T: int, *, sequences: int = 8, seed: int = 0) -> CausalityReport:
    """Check bitwise that outputs at times < s ignore the tokens x[s..T], for every s."""
    T = ensure_int(T, "T", low=1, high=4096)
    rng = np.random.default_rng(seed)
    lo, wid = box.lo_array, box.widths
    x = lo + wid * rng.random((sequences, T, box.dim))
    y = net.evaluate(x)
    bad: list[tuple[int, int, float]] = []
    for s in range(2, T + 1):
        x2 = x.copy()
        x2[:, s - 1 :] = lo + wid * rng.random((sequences, T - s + 1, box.dim))
        y2 = net.evaluate(x2)
        for t in range(1, s):
            if not np.array_equal(y[:, t - 1], y2[:, t - 1]):
                bad.append((s, t, float(np.max(np.abs(y[:, t - 1] - y2[:, t - 1])))))
    return CausalityReport(not bad, T, sequences, tuple(bad))
