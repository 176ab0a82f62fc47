r"""The :math:`L^p` error :math:`\|f - N\|_{L^p(D)}`, :math:`1 \le p < \infty` (measuring only).

.. math:: \|f - N\|_{L^p(D)} = \Bigl(\int_D \|f(x) - N(x)\|_2^p \, dx\Bigr)^{1/p},

with the Euclidean norm over outputs and Lebesgue measure on the box :math:`D` (not
normalised by its volume).  Methods:

``"exact-1d"`` (default for one input and piecewise-linear or step activations)
    exact pieces, Gauss-Legendre per piece (split at sign changes of the error for
    exponents that are not even integers), plus a certified interval from the target's
    derivative bounds (:mod:`verification._lp1d`).
``"regions-2d"`` (on request, two inputs and piecewise-linear activations)
    exact linear regions, triangulated; Radon's degree-5 rule per triangle and a certified
    interval from the target's derivative bounds (:mod:`verification._lp2d`).  Slower than
    sampling, but a proof.
``"regions-3d"`` (on request, three inputs and piecewise-linear activations)
    the same over the exact 3-D regions, tetrahedra and a degree-5 conical product rule
    (:mod:`verification._lp3d`).
``"qmc"`` (default otherwise)
    randomized quasi-Monte Carlo: ``replicates`` independent scramblings of ``2**m``
    Sobol' points, with a Student-t confidence interval (:mod:`verification._qmc`).
``"mc"``
    plain Monte Carlo with the same replicate structure (for comparison).

:math:`p = \infty` is refused here: the uniform norm is :func:`verification.sup_error`,
which never reports a sampled maximum as certified.

>>> from uat import FeedForward
>>> from uat.targets import make_target
>>> hat = FeedForward.from_layers([([[2], [4]], [0, -2], "relu"), ([[1, -1]], [0])])
>>> zero = make_target(lambda x: 0 * x, input_dim=1, lipschitz=0.0)   # declared: 0-Lipschitz
>>> r = lp_error(hat, zero, p=1)
>>> round(r.value, 12), r.method, r.certified, r.low <= 0.5 <= r.high
(0.5, 'exact-1d', True, True)
"""

from __future__ import annotations

from typing import Any

from uat.errors import MethodError, ParameterError

from ._lp1d import lp_exact_1d
from ._lp2d import lp_regions_2d
from ._lp3d import lp_regions_3d
from ._qmc import lp_sampled
from ._result import ErrorEstimate
from ._validate import (
    ensure_domain, ensure_int, ensure_method, ensure_network, ensure_p, ensure_target, ensure_tolerance,
)
from .pieces import supports_pieces

__all__ = ["lp_error", "LP_METHODS"]

LP_METHODS = ("auto", "exact-1d", "regions-2d", "regions-3d", "qmc", "mc")


def lp_error(
    net: Any,
    target: Any,
    domain: Any = None,
    *,
    p: float = 2,
    method: str = "auto",
    m: int = 14,
    n: int | None = None,
    replicates: int = 8,
    seed: int = 0,
    confidence: float = 0.95,
    rtol: float = 1e-12,
    cert_rtol: float | None = None,
    max_intervals: int = 2**21,
    max_pieces: int = 50_000_000,
    max_regions: int = 200_000,
    max_triangles: int = 2**20,
    max_tetrahedra: int = 2**19,
) -> ErrorEstimate:
    """Measure the :math:`L^p` error of ``net`` against ``target`` on ``domain``.

    Parameters
    ----------
    net : FeedForward
    target : str, Target or callable
        An expression such as ``"sin(2*pi*x)"``, a library name, a
        :class:`~uat.targets.Target`, or a vectorised callable ``(n, d_x) -> (n, d_y)``.
    domain : Box or str, optional
        Default: the target's natural domain, else :math:`[0,1]^{d_x}`.
    p : float
        :math:`1 \\le p < \\infty`.
    method : {"auto", "exact-1d", "regions-2d", "regions-3d", "qmc", "mc"}
    m, n : int
        Sampling methods: ``2**m`` points per replicate (or ``n``, a power of two).
    replicates : int
        Independent replicates (>= 2) for the confidence interval.
    seed : int
        Seed of the replicate streams (results are reproducible).
    confidence : float
        Level of the confidence interval, in (0, 1).
    rtol : float
        exact-1d: relative tolerance of the quadrature.
    cert_rtol : float, optional
        Requested relative width of the certified interval (default 1e-6 for exact-1d,
        1e-4 for regions-2d, 1e-2 for regions-3d, whose certificate needs about
        ``cert_rtol**-1.5`` tetrahedra per region).
    max_intervals, max_pieces : int
        exact-1d budgets.
    max_regions, max_triangles, max_tetrahedra : int
        regions-2d and regions-3d budgets.

    Returns
    -------
    ErrorEstimate
        ``norm="lp"``; ``certified`` only for the exact routes (exact-1d, regions-2d, regions-3d) with
        derivative information.

    Raises
    ------
    BudgetExceeded
        For ``method="regions-2d"`` beyond ``max_regions``.
    ParameterError
        For ``p < 1``, ``p = inf``, a sample size that is not a power of two, fewer than
        two replicates, or a confidence level outside (0, 1).
    MethodError
        For an unknown method, or ``"exact-1d"`` where it does not apply.
    """
    net = ensure_network(net)
    p = ensure_p(p)
    method = ensure_method(method, LP_METHODS, "lp_error")
    target = ensure_target(target, net)
    box = ensure_domain(domain, net, target)
    where = {"domain": str(box), "target": target.name}
    exact_ok = net.input_dim == 1 and supports_pieces(net)
    regions_ok = net.input_dim == 2 and supports_pieces(net)
    if method == "auto":
        method = "exact-1d" if exact_ok else "qmc"
    if method == "regions-2d":
        if not regions_ok:
            raise MethodError(
                "method 'regions-2d' needs two inputs and piecewise-linear or step activations; "
                f"this network has {net.input_dim} inputs and activations {', '.join(map(str, net.activations))}; "
                "use method='qmc'"
            )
        result = lp_regions_2d(net, target, box, p,
                               cert_rtol=ensure_tolerance(1e-4 if cert_rtol is None else cert_rtol, "cert_rtol"),
                               max_regions=ensure_int(max_regions, "max_regions", low=1),
                               max_triangles=ensure_int(max_triangles, "max_triangles", low=1))
        return result.with_details(**where)
    if method == "regions-3d":
        if not (net.input_dim == 3 and supports_pieces(net)):
            raise MethodError(
                "method 'regions-3d' needs three inputs and piecewise-linear or step activations; "
                f"this network has {net.input_dim} inputs and activations {', '.join(map(str, net.activations))}; "
                "use method='qmc'"
            )
        return lp_regions_3d(net, target, box, p,
                             cert_rtol=ensure_tolerance(1e-2 if cert_rtol is None else cert_rtol, "cert_rtol"),
                             max_regions=ensure_int(max_regions, "max_regions", low=1),
                             max_tetrahedra=ensure_int(max_tetrahedra, "max_tetrahedra", low=1)).with_details(**where)
    if method == "exact-1d":
        if not exact_ok:
            raise MethodError(
                "method 'exact-1d' needs one input and piecewise-linear or step activations; "
                f"this network has {net.input_dim} inputs and activations {', '.join(map(str, net.activations))}; "
                "use method='qmc'"
            )
        return lp_exact_1d(net, target, box, p, rtol=ensure_tolerance(rtol, "rtol"),
                           cert_rtol=ensure_tolerance(1e-6 if cert_rtol is None else cert_rtol, "cert_rtol"),
                           max_intervals=ensure_int(max_intervals, "max_intervals", low=1),
                           max_pieces=ensure_int(max_pieces, "max_pieces", low=1)).with_details(**where)
    if n is not None:
        n = ensure_int(n, "n", low=2)
        if n & (n - 1):
            raise ParameterError(
                f"n = {n} is not a power of 2: Sobol' points keep their balance properties only for n = 2**m; "
                f"use n = {1 << (n.bit_length() - 1)} or {1 << n.bit_length()} (or pass m=...)"
            )
        m = n.bit_length() - 1
    m = ensure_int(m, "m (log2 of the points per replicate)", low=1, high=30)
    replicates = ensure_int(replicates, "replicates", low=2)
    seed = ensure_int(seed, "seed", low=0)
    if not (isinstance(confidence, float) and 0.0 < confidence < 1.0):
        raise ParameterError(f"confidence must be a float in (0, 1), got {confidence!r}")
    result = lp_sampled(net, target, box, p, method=method, m=m, replicates=replicates, seed=seed,
                        confidence=confidence)
    return result.with_details(**where)
