r"""L^p error by randomized quasi-Monte Carlo (scrambled Sobol) or plain Monte Carlo.

With :math:`R` independent scramblings of a Sobol' point set of :math:`n = 2^m` points
:math:`u_{r,i}` (LMS + digital shift, ``scipy.stats.qmc.Sobol``), mapped onto the box
:math:`D`, each replicate

.. math:: \hat I_r = |D| \frac1n \sum_{i=1}^n \|f(x_{r,i}) - N(x_{r,i})\|_2^p

is an unbiased estimate of :math:`I = \|f - N\|_p^p`.  Their mean :math:`\bar I` has the
standard error :math:`s / \sqrt R` (:math:`s` the sample standard deviation of the
replicates), and :math:`\bar I \pm t_{R-1, (1+c)/2}\, s/\sqrt R` is a level-:math:`c`
confidence interval; its endpoints are mapped through :math:`t \mapsto t^{1/p}` (monotone).
Nothing here is certified.  ``method="mc"`` uses i.i.d. uniform points with the same
replicate structure.  Sample sizes must be powers of two: Sobol' points lose their
balance properties otherwise, and scipy's warning about it is promoted to an error.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from uat.domains import Box
from uat.errors import ParameterError
from uat.network import FeedForward
from uat.targets import Target

from ._result import ErrorEstimate
from ._validate import forward, target_values

__all__ = ["lp_sampled"]

_CHUNK = 1 << 18  # points per network pass: all replicates share passes (fewer, larger batches)


def _sobol(d: int, n: int, m: int, rng: np.random.Generator) -> np.ndarray:
    from scipy.stats import qmc

    engine = qmc.Sobol(d, scramble=True, rng=rng)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the balance warning becomes an error
        try:
            return engine.random_base2(m) if n == 2**m else engine.random(n)
        except UserWarning as exc:  # pragma: no cover - sizes are validated before
            raise ParameterError(f"Sobol sampling refused: {exc}") from None


def _error_p(net: FeedForward, target: Target, box: Box, u: np.ndarray, p: float) -> np.ndarray:
    """e(x)^p at the points ``box.from_unit(u)``, in chunks (one network pass per chunk)."""
    out = np.empty(u.shape[0])
    for start in range(0, u.shape[0], _CHUNK):
        x = box.from_unit(u[start : start + _CHUNK])
        out[start : start + _CHUNK] = np.linalg.norm(target_values(target, x) - forward(net, x), axis=1) ** p
    return out


def lp_sampled(
    net: FeedForward,
    target: Target,
    box: Box,
    p: float,
    *,
    method: str,
    m: int,
    replicates: int,
    seed: int,
    confidence: float,
) -> ErrorEstimate:
    from scipy.special import stdtrit  # the Student-t quantile

    d = box.dim
    n = 2**m
    children = np.random.SeedSequence(seed).spawn(replicates)
    samples = []
    for child in children:
        rng = np.random.default_rng(child)
        samples.append(_sobol(d, n, m, rng) if method == "qmc" else rng.random((n, d)))
    values = _error_p(net, target, box, np.concatenate(samples), p).reshape(replicates, n)
    est = box.volume * values.mean(axis=1)
    mean = float(np.mean(est))
    se = float(np.std(est, ddof=1) / math.sqrt(replicates))
    q = float(stdtrit(replicates - 1, 0.5 + confidence / 2))
    lo_p, hi_p = max(0.0, mean - q * se), mean + q * se
    engine = "scrambled Sobol' (LMS + digital shift)" if method == "qmc" else "i.i.d. uniform"
    return ErrorEstimate(
        value=mean ** (1 / p),
        low=lo_p ** (1 / p),
        high=hi_p ** (1 / p),
        certified=False,
        method=method,
        n_evals=n * replicates,
        assumptions=(
            f"{confidence:.0%} Student-t confidence interval from {replicates} independent replicates "
            f"({engine}, {n} points each); a statistical statement, not a proof",
        ),
        norm="lp",
        p=p,
        parameters={"m": m, "points": n, "replicates": replicates, "seed": seed, "confidence": confidence},
        details={
            "integral_p": mean,
            "standard_error_p": se,
            "replicate_estimates": est.tolist(),
            "volume": box.volume,
        },
    )
