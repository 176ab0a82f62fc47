r"""The graph lift: lift :math:`x\mapsto(x,0)`, flow along :math:`v=(0,g(x))`, project onto the last :math:`d_y` slots.

State :math:`s=(x,z)\in\mathbb R^{d_x+d_y}`.  For a shallow approximant
:math:`g_k(x)=a_{0k}+a_k\cdot x+\sum_j c_{jk}\,\mathrm{relu}(w_j\cdot x+b_j)` of each output, the
velocity field :math:`v(x,z)=(0,g(x))` is a sum of single-neuron fields that read only
:math:`x` and move only :math:`z`; they commute, so one Lie step is exact and the flow map for
time 1 is the shear :math:`(x,z)\mapsto(x,z+g(x))`.  Each ReLU neuron is one P3 shear (two
layers) with an :math:`x` slot as host.  The network reproduces :math:`g` to float64 precision,
so the whole approximation error is :math:`\|f-g\|_\infty` (Li-Duan-Ji-Cai's lift-flow-
discretization, with the graph as the target embedding).

Width :math:`d_x+d_y`: the proven minimum for :math:`d_y=1` (lower bound :math:`d_x+1`, Johnson
2019 / Rochau et al.) and for :math:`(1,2)` (lower bound 3); an upper bound elsewhere.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from uat.domains import Box
from uat.errors import BudgetExceeded, ParameterError
from uat.targets import Target

from ._leaky_common import Modulus
from ._leaky_flow import FieldPiece, Neuron, VelocityField, realise_flow
from ._leaky_machine import LeakyMachine, Q, qzeros
from ._leaky_shallow import Shallow, certified_sup, pl_interpolant, ridge_fit

__all__ = ["shallow_for", "graph_field", "build_graph_lift"]


def _knots_1d(box: Box, mod: Modulus, eps_g: float) -> int:
    length = float(box.hi[0] - box.lo[0])
    cands = []
    if mod.hessian is not None and mod.hessian > 0:
        cands.append(math.ceil(length * math.sqrt(mod.hessian / (8.0 * eps_g))))
    if mod.lipschitz is not None and mod.lipschitz > 0:
        cands.append(math.ceil(length * mod.lipschitz / (2.0 * eps_g)))
    return max(1, min(cands)) if cands else 1


_RIDGES = (1e-10, 1e-6)
"""Tikhonov weights of :func:`ridge_fit`, tried in this order at each dictionary level."""


def shallow_for(target: Target, box: Box, mod: Modulus, eps_g: float, *, knots: int | None = None,
                n_dir: int | None = None, n_bias: int | None = None, max_level: int = 6,
                progress: Any = None) -> tuple[list[Shallow], float, dict[str, Any]]:
    """Shallow approximants of every output with a bound on sup ||f - g||_2 (certified if the modulus is).

    d_x = 1: PL interpolation, a-priori bound min(L h/2, H h^2/8) (sqrt(d_y) times the
    per-output Hessian bound for several outputs).  d_x >= 2: ridge least squares refined
    until the grid-plus-Lipschitz certificate is below ``eps_g``.
    """
    d = box.dim
    if d == 1:
        K = int(knots) if knots is not None else _knots_1d(box, mod, eps_g)
        if K < 1:
            raise ParameterError(f"knots must be >= 1, got {K}")
        lo, hi = box.lo[0], box.hi[0]
        ts = [lo + (hi - lo) * Fraction(k, K) for k in range(K + 1)]
        vals = target(np.array([[float(t)] for t in ts]))
        gs = pl_interpolant(ts, [[Q(float(v)) for v in row] for row in vals])
        h = float(hi - lo) / K
        bounds = []
        if mod.hessian is not None:
            bounds.append(math.sqrt(target.output_dim) * mod.hessian * h * h / 8.0)
        if mod.lipschitz is not None:
            bounds.append(mod.lipschitz * h / 2.0)
        bound = min(bounds) if bounds else math.inf
        return gs, bound, {"knots": K, "spacing": h, "bound_method": "a-priori PL interpolation bound"}
    lip_f = mod.lipschitz if mod.lipschitz is not None else math.inf
    explicit = n_dir is not None and n_bias is not None
    n_cert = int(math.ceil(math.sqrt(d) * float(np.max(box.widths)) * 4.0 * lip_f / eps_g)) + 1
    if not math.isfinite(lip_f) or n_cert ** d > 4_000_000:
        raise BudgetExceeded(
            f"certifying a sup error of {eps_g:.3g} for a {lip_f:.3g}-Lipschitz target in {d} dimensions needs "
            f"{n_cert}^{d} cells (budget 4e6); ask for a larger eps"
        )
    best = math.inf
    for level in range(max_level + 1):
        nd = n_dir if n_dir is not None else (6 if d == 2 else 12) * 2 ** (level // 2 + level % 2)
        nb = n_bias if n_bias is not None else 6 * 2 ** (level // 2)
        n_fit = max(21, 3 * nb + 1) if d == 2 else max(9, 2 * nb + 1)
        # the weak ridge first; when the screen fails, the larger dictionaries overfit between the fit
        # points (errors and coefficients grow with the level), so refit with the stronger ridge
        for ridge in _RIDGES[:1] if explicit else _RIDGES:
            gs, info = ridge_fit(target, box, n_dir=nd, n_bias=nb, n_grid=n_fit, ridge=ridge)
            # cheap screening on a grid twice as fine as the fit grid before the full certificate
            Xs = box.grid(2 * n_fit - 1)
            quick = float(np.max(np.linalg.norm(np.hstack([g(Xs) for g in gs]) - target(Xs), axis=1)))
            if progress is not None:
                progress.advance(1, f"ridge level {level} (ridge {ridge:g}): sampled error {quick:.3g}")
            if quick <= 0.8 * eps_g:
                break
        if quick > 0.8 * eps_g and not explicit:
            continue
        bound, grid_max = certified_sup(gs, target, box, lip_f, n_cert)
        best = min(best, bound)
        info.update(cert_cells=n_cert, grid_max=grid_max, level=level,
                    bound_method="cell centres + (Lip f + local Lip g) x cell radius")
        if bound <= eps_g or explicit:
            return gs, bound, info
    raise BudgetExceeded(
        f"the ridge dictionary reached level {max_level} without a certified sup bound below {eps_g:.3g} "
        f"(best certified bound {best:.3g}); ask for a larger eps, or set n_dir/n_bias explicitly"
    )


def graph_field(gs: list[Shallow], d_x: int) -> VelocityField:
    """The velocity field v(x, z) = (0, g(x)) on R^{d_x + d_y} as single-neuron fields (time 1)."""
    N = d_x + len(gs)
    neurons = []
    for k, g in enumerate(gs):
        slot = d_x + k
        w_aff = tuple(g.a) + (Fraction(0),) * len(gs)
        if g.a0 != 0 or any(v != 0 for v in g.a):
            neurons.append(Neuron(slot, Fraction(1), w_aff, g.a0, kind="affine"))
        for c, w, b in g.neurons:
            neurons.append(Neuron(slot, c, tuple(w) + (Fraction(0),) * len(gs), b, kind="relu"))
    return VelocityField(N, (FieldPiece(Fraction(1), tuple(neurons)),))


def build_graph_lift(gs: list[Shallow], box: Box, alpha: Fraction, progress: Any = None) -> tuple[Any, dict[str, Any]]:
    """The width-(d_x + d_y) network x -> g(x) by the exact shear flow (see the module docstring)."""
    d_x, d_y = box.dim, len(gs)
    N = d_x + d_y
    m = LeakyMachine(alpha, N, d_x)
    T = qzeros(N, d_x)
    for i in range(d_x):
        T[i, i] = Fraction(1)
    m.load_input(box, T, qzeros(N))
    field = graph_field(gs, d_x)
    adv = (lambda n: progress.advance(n)) if progress is not None else None
    report = realise_flow(m, field, steps=1, progress=adv)
    Out = qzeros(d_y, N)
    for k in range(d_y):
        Out[k, d_x + k] = Fraction(1)
    net = m.finish(Out, qzeros(d_y))
    report.update(max_slot_bound=m.max_bound, sigma_layers=m.depth)
    return net, report


def float_error_estimate(net: Any, max_bound: float, n_ops: int) -> float:
    """A rough float64 reproduction-error estimate: n_ops * 2^-52 * (max slot bound + 1) * 8."""
    return float(n_ops) * 2.0**-52 * (max_bound + 1.0) * 8.0
