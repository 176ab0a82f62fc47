r"""Per-time approximants of sequence targets, as gated blocks for :mod:`constructions._rnn_gated`.

Coordinates: a token :math:`x \in [lo, hi]` is normalised to :math:`\hat x = (x - lo)/(2(hi - lo))
\in [0, \frac12]`, so :math:`x = lo + 2(hi - lo)\hat x`.

* **linear** targets :math:`y_k[t] = c + \sum_j M[t,j,k]\cdot x[j]` become one *affine block*
  per :math:`(t, k)`: with :math:`z = \alpha\cdot\hat x + c' \in [z_-, z_+]` the block computes
  :math:`s = \mathrm{relu}(z + K) = z + K \ge \eta` and adds
  :math:`\varphi(s) = (1 - K/\eta) s + (K/\eta)\,\mathrm{relu}(s - \eta) = s - K` (and 0 when the
  block is off, :math:`s = 0`).  Exact.
* **ridge** targets :math:`y_k = g(z)` use the same shifted :math:`s` and the piecewise-linear
  interpolant of :math:`g` with :math:`n` equal intervals on :math:`[z_-, z_+]`: error
  :math:`\le h^2 \sup|g''|/8`, :math:`h = (z_+ - z_-)/n`.
* **Hammerstein** targets :math:`\sum_j h[t-j] g(x[j])`: the interpolant of :math:`g` on the
  token interval, one block per :math:`(t, j)` for its kinks plus one affine block; error
  :math:`\le \sum_{i<t} |h[i]|\cdot h_x^2 \sup|g''| / 8`.
* **running max/min**: the exact width-2 cell (no blocks).
* **anything else**: least squares on fixed random ReLU features (seeded; a linear solve,
  no iterative training), feature count doubled until a held-out sample error is below
  :math:`\varepsilon/2`.  That error is sampled, not proved.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from uat._scalars import fraction_from_float
from uat.errors import BudgetExceeded, ParameterError
from uat.sequence_targets import (
    HammersteinStructure,
    LinearStructure,
    RidgeStructure,
    RunningMaxStructure,
    SequenceTarget,
)

from ._rnn_gated import GatedBlock, GatedLayout, OutputPL, RunningMaxTerm

__all__ = ["Approximant", "plan_target", "fit_random_features", "MAX_KNOTS"]

MAX_KNOTS = 1 << 16  # default budget: interpolation knots over all blocks (each knot is one output layer)


@dataclass
class Approximant:
    blocks: list[GatedBlock] = field(default_factory=list)
    maxterms: list[RunningMaxTerm] = field(default_factory=list)
    const: list[Fraction] | None = None
    predicted_error: float = 0.0
    method: str = ""
    notes: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)


def _scale(lay: GatedLayout) -> list[Fraction]:
    return [2 * (h - l) for l, h in zip(lay.lo, lay.hi)]


def _inner(m: np.ndarray, c: np.ndarray, t: int, k: int, lay: GatedLayout, span: int) -> tuple[list[list[Fraction]], Fraction]:
    """alpha (span x d_x) and c' of z = c[t,k] + sum_j M[t,j,k].x[j] in normalised coordinates (t 0-based)."""
    sc = _scale(lay)
    alpha = [[m[t, j, k, i] * sc[i] for i in range(lay.d_x)] for j in range(span)]
    cc = c[t, k] + sum((m[t, j, k, i] * lay.lo[i] for j in range(m.shape[1]) for i in range(lay.d_x) if m[t, j, k, i]), Fraction(0))
    return alpha, cc


def _range(alpha: list[list[Fraction]], c: Fraction) -> tuple[Fraction, Fraction]:
    lo = c + sum((min(a, Fraction(0)) for r in alpha for a in r), Fraction(0)) / 2
    hi = c + sum((max(a, Fraction(0)) for r in alpha for a in r), Fraction(0)) / 2
    return lo, hi


def affine_block(t0: int, k: int, alpha: list[list[Fraction]], c: Fraction) -> GatedBlock | None:
    """The exact block adding z = alpha.xhat + c to output k at time t0 (None when z == 0)."""
    zlo, zhi = _range(alpha, c)
    if zlo == zhi == 0 and all(a == 0 for r in alpha for a in r):
        return None
    rows = tuple(tuple(r) for r in alpha)
    if zlo >= 0:
        return GatedBlock(t0, rows, c, {k: OutputPL(Fraction(1))})
    if zhi <= 0:
        return GatedBlock(t0, tuple(tuple(-a for a in r) for r in alpha), -c, {k: OutputPL(Fraction(-1))})
    eta = (zhi - zlo) / 2
    K = eta - zlo
    return GatedBlock(t0, rows, c + K, {k: OutputPL(1 - K / eta, ((eta, K / eta),))})


def ridge_block(t0: int, k: int, alpha: list[list[Fraction]], c: Fraction, g: Any, n: int) -> tuple[GatedBlock | None, float, float]:
    """Block adding the n-interval interpolant of g(alpha.xhat + c); returns (block, h, width of z-range)."""
    zlo, zhi = _range(alpha, c)
    rows = tuple(tuple(r) for r in alpha)
    if zlo == zhi:
        val = fraction_from_float(float(g(np.array([float(zlo)]))[0]))
        return (GatedBlock(t0, rows, Fraction(1), {k: OutputPL(val)}) if val else None), 0.0, 0.0
    h = (zhi - zlo) / n
    nodes = [zlo + i * h for i in range(n + 1)]
    vals = [fraction_from_float(float(v)) for v in g(np.array([float(z) for z in nodes]))]
    slopes = [(vals[i + 1] - vals[i]) / h for i in range(n)]
    eta = (zhi - zlo) / 2
    K = eta - zlo
    slope0 = vals[0] / eta
    knots = [(eta, slopes[0] - slope0)] + [(eta + i * h, slopes[i] - slopes[i - 1]) for i in range(1, n)]
    return GatedBlock(t0, rows, c + K, {k: OutputPL(slope0, tuple(knots))}), float(h), float(zhi - zlo)


def _linear_plan(st: LinearStructure, lay: GatedLayout) -> Approximant:
    m, c = st.coefficients(lay.T)
    out = Approximant(method="exact (affine blocks)")
    for t in range(lay.T):
        span = lay.T if lay.bidirectional else t + 1
        if not lay.bidirectional and any(m[t, j, k, i] for j in range(t + 1, lay.T) for k in range(lay.d_y) for i in range(lay.d_x)):
            raise ParameterError("the target's linear structure is not causal; build a BRNN (brnn-uniform) instead")
        for k in range(lay.d_y):
            alpha, cc = _inner(m, c, t, k, lay, span)
            b = affine_block(t + 1, k, alpha, cc)
            if b is not None:
                out.blocks.append(b)
    out.notes = "exactly representable: the witness equals the target in exact arithmetic; float64 rounding only"
    return out


def _knots_for(width: float, g2: float, share: float) -> int:
    if width <= 0 or g2 <= 0:
        return 1
    return max(1, math.ceil(width * math.sqrt(g2 / (8 * share))))


def _check_knots(total: int, max_knots: int, what: str) -> None:
    """Refuse an interpolant of more than ``max_knots`` knots in all (each is one layer of the witness)."""
    if total > max_knots:
        raise BudgetExceeded(
            f"the piecewise-linear interpolant needs {total} knots in all ({what}), more than max_knots = {max_knots} "
            "(each knot is one layer); raise eps, shrink the domain or T, lower --knots, or raise --param max_knots=..."
        )


def _ridge_plan(st: RidgeStructure, lay: GatedLayout, eps: float, knots: int | None, max_knots: int) -> Approximant:
    m, c = st.inner.coefficients(lay.T)
    out = Approximant(method=f"piecewise-linear interpolation of g = {st.g_name}")
    worst, used, plan = 0.0, [], []
    for t in range(lay.T):
        span = lay.T if lay.bidirectional else t + 1
        for k in range(lay.d_y):
            alpha, cc = _inner(m, c, t, k, lay, span)
            zlo, zhi = _range(alpha, cc)
            n = knots if knots is not None else _knots_for(float(zhi - zlo), st.g2_bound, eps / (2 * math.sqrt(lay.d_y)))
            plan.append((t, k, alpha, cc, n))
    _check_knots(sum(n for *_, n in plan), max_knots,
                 f"up to {max(n for *_, n in plan)} per block, {len(plan)} blocks")
    for t, k, alpha, cc, n in plan:
        b, h, _ = ridge_block(t + 1, k, alpha, cc, st.g, n)
        used.append(n)
        worst = max(worst, h * h * st.g2_bound / 8)
        if b is not None:
            out.blocks.append(b)
    out.predicted_error = worst * math.sqrt(lay.d_y)  # Euclidean norm over the outputs
    out.parameters = {"knots": max(used)}
    out.notes = f"a-priori bound sqrt(d_y) h^2 sup|g''|/8 with sup|g''| <= {st.g2_bound:.6g} (interpolation error; rounding is extra)"
    return out


def _hammerstein_plan(st: HammersteinStructure, lay: GatedLayout, eps: float, knots: int | None,
                      max_knots: int) -> Approximant:
    if lay.bidirectional:
        raise ParameterError("Hammerstein targets are causal; build them with rnn-uniform")
    if lay.d_y != lay.d_x:
        raise ParameterError("Hammerstein targets act coordinatewise (d_y = d_x)")
    hsum = sum(abs(float(st.kernel(i))) for i in range(lay.T))
    out = Approximant(method=f"piecewise-linear interpolation of g = {st.g_name} (Hammerstein)")
    worst = 0.0
    for k in range(lay.d_x):
        lo, hi = lay.lo[k], lay.hi[k]
        n = knots if knots is not None else _knots_for(float(hi - lo), st.g2_bound,
                                                        eps / (2 * max(hsum, 1e-300) * math.sqrt(lay.d_y)))
        pairs = sum(1 for t in range(lay.T) for j in range(t + 1) if st.kernel(t - j))
        _check_knots(lay.d_x * pairs * n, max_knots, f"{n} per block, {pairs} blocks per coordinate")
        hx = (hi - lo) / n
        xs = [lo + i * hx for i in range(n + 1)]
        vals = [fraction_from_float(float(v)) for v in st.g(np.array([float(x) for x in xs]))]
        slopes = [(vals[i + 1] - vals[i]) / hx for i in range(n)]
        sc = 2 * (hi - lo)
        kinks = [(Fraction(i, 2 * n), (slopes[i] - slopes[i - 1]) * sc) for i in range(1, n)]
        worst = max(worst, hsum * float(hx) ** 2 * st.g2_bound / 8)
        for t in range(lay.T):
            alpha = [[Fraction(0)] * lay.d_x for _ in range(t + 1)]
            cc = Fraction(0)
            for j in range(t + 1):
                hj = st.kernel(t - j)
                alpha[j][k] = hj * slopes[0] * sc
                cc += hj * vals[0]
                if hj and any(d for _, d in kinks):
                    e = [[Fraction(0)] * lay.d_x for _ in range(j + 1)]
                    e[j][k] = Fraction(1)
                    out.blocks.append(GatedBlock(t + 1, tuple(tuple(r) for r in e), Fraction(0),
                                                 {k: OutputPL(Fraction(0), tuple((q, hj * d) for q, d in kinks))}))
            b = affine_block(t + 1, k, alpha, cc)
            if b is not None:
                out.blocks.append(b)
        out.parameters = {"knots": n}
    out.predicted_error = worst * math.sqrt(lay.d_y)
    out.notes = "a-priori bound sqrt(d_y) sum_i |h[i]| h_x^2 sup|g''| / 8 (interpolation error; rounding is extra)"
    return out


def _running_max_plan(st: RunningMaxStructure, lay: GatedLayout) -> Approximant:
    if lay.d_y != lay.d_x:
        raise ParameterError("running max/min acts coordinatewise (d_y = d_x)")
    out = Approximant(method="exact running-max cell", const=[])
    for k in range(lay.d_x):
        sc = 2 * (lay.hi[k] - lay.lo[k])
        out.maxterms.append(RunningMaxTerm(k, k, st.sign, sc if st.sign > 0 else -sc))
        out.const.append(lay.lo[k] if st.sign > 0 else lay.hi[k])
    out.notes = "exactly representable (width-2 running-max cell); float64 rounding only"
    return out


def fit_random_features(values: Any, D: int, eps: float, features: int | None, rng: np.random.Generator,
                        max_features: int, *, act: str = "relu", u_max: float = 0.5,
                        where: str = "") -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Least squares on fixed random features ``act(a . u + c)`` of ``u`` in ``[0, u_max]^D`` (plus a constant).

    ``values(u)`` returns the target at points ``(n, D)``.  The feature count doubles from 16 (or is
    ``features``) until the held-out max error (2048 uniform and 512 corner/face points) is <= eps/2.
    Returns ``(a (n, D), c (n,), W (n+1, d_y), held-out error)``; ``W[0]`` is the constant.  A linear
    solve, no iterative training; the error is sampled, not proved.
    """
    from scipy.stats import qmc

    f = (lambda z: np.maximum(z, 0.0)) if act == "relu" else np.tanh
    train = np.vstack([qmc.Sobol(D, scramble=True, rng=rng).random_base2(12), _extremes(rng, 512, D)]) * u_max
    test = np.vstack([rng.random((2048, D)), _extremes(rng, 512, D)]) * u_max
    y_train, y_test = values(train), values(test)
    n = features if features is not None else 16
    while True:
        a = rng.standard_normal((n, D))
        a /= np.linalg.norm(a, axis=1, keepdims=True)
        a *= rng.uniform(1.0, 4.0, size=(n, 1)) * (0.5 / u_max)
        p = rng.random((n, D)) * u_max
        c = -np.sum(a * p, axis=1)
        phi = lambda u: np.hstack([np.ones((len(u), 1)), f(u @ a.T + c)])  # noqa: E731
        F = phi(train)
        reg = 1e-10 * np.trace(F.T @ F) / F.shape[1]
        W = np.linalg.solve(F.T @ F + reg * np.eye(F.shape[1]), F.T @ y_train)
        err = float(np.max(np.linalg.norm(phi(test) @ W - y_test, axis=1)))
        if err <= eps / 2 or features is not None:
            return a, c, W, err
        if 2 * n > max_features:
            raise BudgetExceeded(
                f"random-feature least squares reached a held-out error of {err:.3g}{where} with {n} features "
                f"(need <= eps/2 = {eps / 2:.3g}); raise eps, lower T, or allow more with --param max_features=..."
            )
        n *= 2


def _features_plan(target: SequenceTarget, lay: GatedLayout, eps: float, features: int | None, seed: int,
                   max_features: int) -> Approximant:
    out = Approximant(method="least squares on fixed random ReLU features (seeded)")
    worst, used = 0.0, []
    sc = np.array([float(s) for s in _scale(lay)])
    lo = np.array([float(v) for v in lay.lo])
    for t in range(1, lay.T + 1):
        span = lay.T if lay.bidirectional else t
        D = span * lay.d_x

        def values(u: np.ndarray) -> np.ndarray:
            x = lo + sc * u.reshape(len(u), span, lay.d_x)
            return target.at(x, t) if not lay.bidirectional else target(x)[:, t - 1]

        a, c, W, err = fit_random_features(values, D, eps, features, np.random.default_rng([seed, t]), max_features,
                                           where=f" at t = {t}")
        n = len(c)
        used.append(n)
        worst = max(worst, err)
        outs = range(lay.d_y)
        const = {k: OutputPL(fraction_from_float(float(W[0, k]))) for k in outs}
        out.blocks.append(GatedBlock(t, (), Fraction(1), const))
        for u in range(n):
            rows = tuple(tuple(fraction_from_float(float(v)) for v in a[u, j * lay.d_x:(j + 1) * lay.d_x]) for j in range(span))
            outputs = {k: OutputPL(fraction_from_float(float(W[u + 1, k]))) for k in outs if W[u + 1, k] != 0}
            if outputs:
                out.blocks.append(GatedBlock(t, rows, fraction_from_float(float(c[u])), outputs))
    out.predicted_error = worst
    out.parameters = {"features": max(used), "seed": seed}
    out.notes = ("held-out sampled error of the per-time least-squares fits (2048 uniform and 512 corner/face "
                 "points per t); "
                 "an estimate, not a bound")
    return out


def _extremes(rng: np.random.Generator, n: int, D: int) -> np.ndarray:
    """Unit-cube points with many coordinates at 0 or 1 (corners and faces), where sup errors tend to sit."""
    u = rng.random((n, D))
    mask = rng.random((n, D)) < rng.random((n, 1))
    u[mask] = rng.integers(0, 2, size=int(mask.sum()))
    return u


def plan_target(target: SequenceTarget, lay: GatedLayout, *, eps: float, knots: int | None = None,
                features: int | None = None, seed: int = 0, max_features: int = 512,
                max_knots: int = MAX_KNOTS) -> Approximant:
    """Choose the approximant for ``target`` from its structure (see the module docstring).

    Ridge and Hammerstein interpolants with more than ``max_knots`` knots in all raise
    :class:`~uat.errors.BudgetExceeded` before anything is built (each knot is one layer).
    """
    st = target.structure
    if isinstance(st, LinearStructure):
        return _linear_plan(st, lay)
    if isinstance(st, RidgeStructure):
        return _ridge_plan(st, lay, eps, knots, max_knots)
    if isinstance(st, HammersteinStructure):
        return _hammerstein_plan(st, lay, eps, knots, max_knots)
    if isinstance(st, RunningMaxStructure) and not lay.bidirectional:
        return _running_max_plan(st, lay)
    return _features_plan(target, lay, eps, features, seed, max_features)
