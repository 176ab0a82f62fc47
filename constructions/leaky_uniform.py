r"""``leaky-uniform``: uniform approximation by leaky-ReLU networks, by lift-flow-discretization.

The witness lifts :math:`x\mapsto(x,0)`, flows along an explicit velocity field whose flow
is realised *exactly* by two-layer shears (see :mod:`constructions._leaky_graph` and
:mod:`constructions._leaky_flow`), and reads the outputs off linearly.  Widths:

=====================  ===========================  =====================================================
:math:`(d_x, d_y)`     width                        status
=====================  ===========================  =====================================================
:math:`d_y = 1`        :math:`d_x+1`                exact minimum (lower bound Johnson 2019, Rochau et al.)
:math:`(1, 2)`         3                            exact minimum (lower bound Kim-Min-Park, Rochau et al.)
:math:`(1, d_y\ge3)`   :math:`d_y`                  exact minimum (Cai's lower bound), curve recipe [*]_
otherwise              :math:`d_x+d_y`              upper bound; the gap to the best lower bound is reported
=====================  ===========================  =====================================================

.. [*] :mod:`constructions._leaky_curve`: exact when the curve is strictly monotone in some
   direction, else a certified fit on a generic projection (for :math:`d_y=3` the projected
   curve must be crossing-free).  When neither applies, ``method="auto"`` falls back to the
   graph lift at width :math:`d_y+1` and records why (``parameters["fallback"]``).

The published ICML 2023 formula :math:`\max(d_x+1,d_y)+\mathbf 1[d_y=d_x+1]` is *not* used
(it contradicts proven lower bounds; see docs/leaky.md).  The width equals the upper bound
:math:`\min(d_x+d_y,\max(2d_x+1,d_y))` of ``hwang2025-uniform`` for :math:`d_x=1` (curve recipe) and
for :math:`d_y\le d_x+1`; for :math:`d_x\ge2`, :math:`d_y\ge d_x+2` the graph lift's :math:`d_x+d_y` is
larger (e.g. 6 against 5 at :math:`(2,4)`), and the curve fallback at :math:`(1,d_y\ge3)` has width
:math:`d_y+1`; the metadata then says ``width_status: upper bound`` with the gap.

>>> from constructions import build
>>> c = build("leaky-uniform", "x1**2", eps=0.05, domain="[0,1]")
>>> c.network.width, c.parameters["knots"], c.predicted_error <= 0.05
(2, 4, True)
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from uat._demo import DemoCase
from uat.errors import BudgetExceeded, ParameterError

from ._leaky_common import catalogue_bounds, check_eps, modulus, parse_alpha, prepare, progress_meter
from ._leaky_graph import build_graph_lift, float_error_estimate, shallow_for
from ._registry import Construction, ConstructionSpec, ContractCase, register

__all__ = ["build_leaky_uniform", "width", "supports", "demo_cases"]

THEOREM = "hwang2025-uniform"


def width(d_x: int, d_y: int) -> int:
    """The width of the witness for (d_x, d_y)."""
    if d_x == 1 and d_y >= 3 and _curve_available():
        return d_y
    return d_x + d_y


def _curve_available() -> bool:
    try:
        from . import _leaky_curve  # noqa: F401
    except ImportError:
        return False
    return True


def supports(d_x: int, d_y: int) -> bool:
    return d_x >= 1 and d_y >= 1


def build_leaky_uniform(target: Any = None, *, eps: float | None = None, p: Any = None, domain: Any = None,
                        input_dim: int | None = None, output_dim: int | None = None, progress: Any = "auto",
                        alpha: Any = "1/4", knots: int | None = None, n_dir: int | None = None,
                        n_bias: int | None = None, method: str = "auto", safety: float = 0.5) -> Construction:
    """Build the uniform witness (see the module docstring).

    Parameters
    ----------
    target, domain, input_dim, output_dim
        The target (expression, library name, callable) and its domain box (default: the
        target's own, else [0,1]^d_x).
    eps : float
        Requested sup-norm accuracy; the shallow approximant is certified to ``safety * eps``.
    p : ignored
        (Uniform approximation; accepted for a common signature.)
    alpha : str or Fraction
        The leaky slope, a power of two (default 1/4).
    knots : int, optional
        d_x = 1: number of PL intervals (default from eps and the target's Hessian/Lipschitz bound).
    n_dir, n_bias : int, optional
        d_x >= 2: ridge dictionary size (default: refined until certified).
    method : {"auto", "graph", "curve"}
        ``"graph"`` forces the graph lift (width d_x + d_y) also for (1, d_y >= 3).
    """
    tgt, box = prepare(target, domain, input_dim, output_dim)
    e = check_eps(eps, 0.05)
    a = parse_alpha(alpha)
    if method not in ("auto", "graph", "curve"):
        raise ParameterError(f"method must be 'auto', 'graph' or 'curve', got {method!r}")
    if not 0 < float(safety) <= 1:
        raise ParameterError(f"safety must lie in (0, 1], got {safety!r}")
    d_x, d_y = tgt.input_dim, tgt.output_dim
    use_curve = d_x == 1 and d_y >= 3 and method != "graph" and _curve_available()
    if method == "curve" and not use_curve:
        raise ParameterError(f"the curve recipe needs d_x = 1 and d_y >= 3, got ({d_x}, {d_y})")
    mod = modulus(tgt, box)
    eps_g = float(safety) * e
    with progress_meter(progress, "leaky-uniform") as prog:
        fallback = None
        if use_curve:
            from ._leaky_curve import build_curve

            try:
                net, params, bound, report = build_curve(tgt, box, mod, eps_g, a, knots=knots, progress=prog)
            except (ParameterError, BudgetExceeded) as exc:
                if method == "curve":
                    raise
                use_curve, fallback = False, str(exc)
        if not use_curve:
            gs, bound, params = shallow_for(tgt, box, mod, eps_g, knots=knots, n_dir=n_dir, n_bias=n_bias,
                                            progress=prog)
            net, report = build_graph_lift(gs, box, a, progress=prog)
            params = dict(params, neurons=sum(len(g.neurons) for g in gs), recipe="graph lift")
            if fallback:
                params["fallback"] = f"curve recipe not applicable: {fallback}"
    w = net.width
    lower, upper, lower_by = catalogue_bounds("uniform", d_x, d_y)
    exact_min = lower is not None and w == lower
    fe = float_error_estimate(net, report["max_slot_bound"], report.get("shears", 0) * (d_x + d_y))
    predicted = bound + fe if math.isfinite(bound) else None
    params = dict(params, alpha=str(a), eps_g=eps_g)
    status = "exact minimum" if exact_min else "upper bound"
    notes = (
        f"{params.get('recipe', 'graph lift')} at width {w} ({status}"
        + (f"; best lower bound {lower} by {', '.join(lower_by)}" if lower is not None else "")
        + f"). Sup error of the shallow approximant <= {bound:.3g} ({params.get('bound_method', '')}); "
        f"modulus: {mod.how}."
    )
    return Construction(
        network=net,
        name="leaky-uniform",
        theorem=THEOREM,
        width=w,
        parameters=params,
        predicted_error=predicted,
        precision={
            "evaluation": "exact rational weights; float64 evaluation",
            "max_abs_weight": net.max_abs_weight(),
            "max_slot_bound": report["max_slot_bound"],
            "float64_error_estimate": fe,
            "bits": None,
        },
        notes=notes,
        target=tgt.name,
        domain=str(box),
        epsilon=e,
        p=None,
        extra_metadata={
            "norm": "uniform",
            "width_status": status,
            "lower_bound": lower,
            "lower_bound_theorems": list(lower_by),
            "gap": (w - lower) if lower is not None else None,
            "modulus_certified": mod.certified,
            "flow": {k: v for k, v in report.items() if k in ("exact", "shears", "quantised_kinks", "scheme")},
        },
    )


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--alpha", default="1/4", help="the leaky slope, a power of two (default 1/4)")
    p.add_argument("--method", choices=("auto", "graph", "curve"), default="auto",
                   help="'graph' forces the graph lift at width d_x + d_y")


def _from_args(args: argparse.Namespace) -> dict[str, Any]:
    from ._cli import default_from_args

    kw = default_from_args(args)
    kw.setdefault("alpha", args.alpha)
    kw.setdefault("method", args.method)
    return kw


def _contract_cases() -> list[ContractCase]:
    return [
        ContractCase("(1,1) smooth", "sin(4*x1) + x1/2", {"domain": "[0,1]", "eps": 0.02}, {"d_x": 1, "d_y": 1}, "sup", 0.02,
                     domain="[0,1]"),
        ContractCase("(2,1) smooth", "sin(2*x1)*cos(x2) + x1*x2/2", {"domain": "[-1,1]^2", "eps": 0.1}, {"d_x": 2, "d_y": 1}, "sup", 0.1,
                     domain="[-1,1]^2"),
        # judged by the certified bound of the exact 3-D regions (8,221 regions; 0.0273 against 0.3)
        ContractCase("(3,1) smooth", "sin(2*x1)*x2 + x3**2/2", {"domain": "[0,1]^3", "eps": 0.3}, {"d_x": 3, "d_y": 1},
                     "sup", 0.3, domain="[0,1]^3"),
        ContractCase("(1,2) circle", "[cos(2*pi*x1), sin(2*pi*x1)]", {"domain": "[0,1]", "eps": 0.05}, {"d_x": 1, "d_y": 2}, "sup",
                     0.05, domain="[0,1]"),
        ContractCase("(1,3) monotone curve", "[cos(pi*x1), sin(pi*x1), x1**2]", {"domain": "[0,1]", "eps": 0.05}, {"d_x": 1, "d_y": 3},
                     "sup", 0.05, domain="[0,1]"),
        ContractCase("(1,4) generic projection", "[cos(1.5*pi*x1), sin(1.5*pi*x1), cos(3*pi*x1), sin(3*pi*x1)]",
                     {"domain": "[0,1]", "eps": 0.1}, {"d_x": 1, "d_y": 4}, "sup", 0.1, domain="[0,1]"),
    ]


register(ConstructionSpec(
    name="leaky-uniform",
    theorem=THEOREM,
    family="leaky_relu",
    norm="uniform",
    summary="uniform leaky-ReLU witness by lift-flow-discretization (graph lift, exact shears)",
    width=width,
    supports=supports,
    builder=build_leaky_uniform,
    add_arguments=_add_arguments,
    from_args=_from_args,
    width_kind="exact minimum for d_y = 1 and (1, d_y >= 2); upper bound d_x + d_y elsewhere",
    contract_cases=_contract_cases,
))


def demo_cases(quick: bool = False) -> list[DemoCase]:
    """One uniform witness: sin(2 pi x) on [0,1] at width 2."""
    from ._registry import build

    eps = 0.05 if quick else 0.01
    c = build("leaky-uniform", "sin(2*pi*x1)", eps=eps, domain="[0,1]", progress="quiet")
    return [DemoCase(title="leaky-uniform sin(2 pi x)", theorem=c.theorem, network=c.network,
                     target="sin(2*pi*x1)", domain="[0,1]", norm="sup", eps=eps, minimum="2")]
