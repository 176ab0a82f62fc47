r"""``relu-like-lp-compact``: softplus and GELU witnesses of width :math:`\max(d_x, d_y, 2)` in :math:`L^p`.

Kim, Min and Park (ICLR 2024, arXiv 2309.10402) state the minimum width
:math:`\max\{d_x, d_y, 2\}` for "ReLU-like" activations (e.g. ReLU, GELU, Softplus; catalogue id
``kim2024-relu-lp-compact``).  This construction realises it by the *scaled substitution* of
relu.md §5: in the ReLU witness of ``relu-lp-compact`` every hidden
:math:`\mathrm{relu}(z)` becomes :math:`\sigma_\alpha(z) = \sigma(\alpha z)/\alpha`, folded into the
weights (first hidden layer :math:`(\alpha W, \alpha b)`, later hidden layers :math:`(W, \alpha b)`,
output :math:`(W/\alpha, b)`).  Width and depth are unchanged.

Why it works: :math:`|\sigma_\alpha(z) - \mathrm{relu}(z)| \le g(\alpha |z|)/\alpha` with
:math:`g(T) = \log(1 + e^{-T})` (softplus) or :math:`T\,\Phi(-T)` (GELU), both below
:math:`10^{-17}` for :math:`T \ge 40`.  Pass-through neurons have :math:`z \ge 1`; clip and shift
neurons are at distance :math:`\ge 40/\alpha` from their kink except for inputs within
:math:`40/\alpha` of a ramp, so the bad set widens from :math:`\delta` to
:math:`\delta + 80/\alpha` per cell boundary.  With :math:`\alpha = 2^{\lceil \log_2(1000/\delta)\rceil}`
(a power of two, so the scaling is exact in float64) that is a factor :math:`\le 1.08`, and the
ReLU parameters are chosen for the widened bad set, so the predicted bound still meets eps.

>>> c = build_relu_like_lp_compact("x1*x2", eps=0.2, p=1, input_dim=2, activation="gelu")
>>> c.network.width, [str(a) for a in c.network.hidden_activations]
(2, ['gelu'])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from uat.errors import ParameterError
from uat.network import FeedForward

from ._common import all_dims
from ._registry import ConstructionSpec, ContractCase, register
from ._cli import options_from_args
from ._relu_api import construction_result
from ._relu_cases import smooth
from ._relu_lp import bad_set_description, lp_witness

__all__ = ["build_relu_like_lp_compact", "substitute", "width", "ALPHA_FACTOR", "KINK_DISTANCE"]

NAME = "relu-like-lp-compact"
THEOREM = "kim2024-relu-lp-compact"
ACTIVATIONS = ("softplus", "gelu")
ALPHA_FACTOR = 1000
KINK_DISTANCE = 40  # alpha |z| >= 40 makes sigma_alpha and relu agree to 1e-17 / alpha


def width(d_x: int, d_y: int) -> int:
    r"""The width :math:`\max(d_x, d_y, 2)` of Kim, Min and Park (ICLR 2024) for ReLU-like activations.

    Parameters
    ----------
    d_x, d_y : int
        Input and output dimensions.

    Returns
    -------
    int
    """
    return max(d_x, d_y, 2)


def substitute(net: FeedForward, activation: str, alpha: float) -> FeedForward:
    r"""The network with every hidden ReLU replaced by :math:`\sigma_\alpha(z) = \sigma(\alpha z)/\alpha` (relu.md §5).

    Folded into the weights: first hidden layer :math:`(\alpha W, \alpha b)`, later hidden layers
    :math:`(W, \alpha b)`, output layer :math:`(W/\alpha, b)`; width and depth are unchanged.

    Parameters
    ----------
    net : FeedForward
        A ReLU network (its weights are taken in float64).
    activation : {"softplus", "gelu"}
        The ReLU-like :math:`\sigma`.
    alpha : float
        The scale (a power of two keeps the rescaling exact in float64).

    Returns
    -------
    FeedForward
    """
    if activation not in ACTIVATIONS:
        raise ParameterError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    layers = list(net.as_float().iter_layers())
    Ws, bs, acts = [], [], []
    for i, layer in enumerate(layers):
        W = np.array(layer.weight, dtype=np.float64)
        b = np.array(layer.bias, dtype=np.float64)
        last = i == len(layers) - 1
        if i == 0 and not last:
            W = W * alpha
        elif last:
            W = W / alpha
        if not last:
            b = b * alpha
        Ws.append(W)
        bs.append(b)
        acts.append("identity" if last else activation)
    return FeedForward.from_arrays(Ws, bs, acts, metadata=dict(net.metadata))


def build_relu_like_lp_compact(target: Any = None, *, eps: Any = None, p: Any = 2, domain: Any = None,
                               input_dim: Any = None, output_dim: Any = None, progress: str = "auto",
                               activation: str = "softplus", **overrides: Any):
    r"""The ReLU witness of ``relu-lp-compact`` with ReLU replaced by :math:`\sigma(\alpha\,\cdot)/\alpha` (module docstring).

    The ReLU parameters are chosen for the bad set widened by :math:`80/\alpha` per cell boundary,
    and the bound adds the activation term :math:`V^{1/p}\,(\#\text{bends}\cdot\log 2\cdot\text{step})/\alpha`.

    Parameters
    ----------
    target, eps, p, domain, input_dim, output_dim, progress
        As for :func:`constructions.relu_lp_compact.build_relu_lp_compact`.
    activation : {"softplus", "gelu"}
        The ReLU-like activation (default softplus).
    **overrides
        Those of ``relu-lp-compact`` (except ``exact``) and ``alpha`` (the scale; default
        :math:`2^{\lceil \log_2(1000/\text{ramp})\rceil}`).

    Returns
    -------
    Construction
    """
    if activation not in ACTIVATIONS:
        raise ParameterError(f"{NAME}: activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    if overrides.get("exact"):
        raise ParameterError(f"{NAME}: exact=True is impossible for {activation} (transcendental); use relu-lp-compact")
    alpha_in = overrides.pop("alpha", None)
    factor = 1 + 2 * KINK_DISTANCE / ALPHA_FACTOR
    w = lp_witness(NAME, "compact", target, eps=eps, p=p, domain=domain, input_dim=input_dim,
                   output_dim=output_dim, progress=progress, overrides={**overrides, "exact": False},
                   bad_set_factor=factor)
    plan = w.plan
    delta = float(plan.delta)
    alpha = 2.0 ** math.ceil(math.log2(ALPHA_FACTOR / delta))
    if alpha_in is not None:
        alpha = float(alpha_in)
        if not (alpha > 0 and math.isfinite(alpha)):
            raise ParameterError(f"{NAME}: alpha must be a positive number, got {alpha_in!r}")
    net = substitute(w.network, activation, alpha)
    terms = dict(plan.terms)
    vol = w.box.volume ** (1.0 / w.p)
    # bends hit lattice points exactly at their kink (error log 2 / alpha each, times the level step)
    bends = 2 * (plan.M - 1) * (plan.dy - 1) if plan.M else 0
    terms["activation"] = vol * (bends * math.log(2) * plan.max_step + 1e-12) / alpha
    precision = {**plan.precision, "alpha": alpha, "largest_weight_scaled": net.max_abs_weight(),
                 "activation_rule": f"sigma(alpha z)/alpha, alpha = 2^ceil(log2({ALPHA_FACTOR}/ramp))"}
    return construction_result(
        net, name=NAME, theorem=THEOREM, width=width(plan.dx, plan.dy), target=w.target, box=w.box, eps=w.eps,
        p=w.p, plan=plan, parameters={**plan.parameters(), "activation": activation, "alpha": alpha},
        predicted=float(sum(terms.values())), precision=precision,
        notes=f"relu-lp-compact witness with relu -> {activation}(alpha z)/alpha (relu.md 5)",
        extra={"bad_set": bad_set_description(plan, w.box), "activation": activation, "lp_measure": "lebesgue",
               "error_terms": terms},
    )


_from_args = options_from_args(defaults=("activation",))  # --param activation=... wins over the default


def _add_arguments(parser: Any) -> None:
    parser.add_argument("--activation", choices=ACTIVATIONS, default="softplus", help="the ReLU-like activation")


def contract_cases() -> list[ContractCase]:
    """The contract cases: a smooth target for (1,1), (2,1), (1,2), (2,2), with each activation, in L^1.

    Returns
    -------
    list of ContractCase
        Each: a target, builder keywords and the eps the independent verifier must confirm at the claimed width.
    """
    out = []
    for act in ACTIVATIONS:
        for dx, dy in ((1, 1), (2, 1), (1, 2), (2, 2)):
            out.append(ContractCase(
                label=f"{NAME} {act} ({dx},{dy})", target=smooth(dx, dy),
                kwargs={"eps": 0.2, "p": 1, "input_dim": dx, "activation": act}, dims={"d_x": dx, "d_y": dy},
                norm="lp", eps=0.2, p=1))
    return out


SPEC = register(ConstructionSpec(
    name=NAME, theorem=THEOREM, family="relu", norm="lp",
    summary="softplus / GELU, L^p on a box: width exactly max(d_x, d_y, 2) (Kim-Min-Park 2024, ReLU-like)",
    width=width, supports=all_dims, builder=build_relu_like_lp_compact,
    add_arguments=_add_arguments, from_args=_from_args, width_kind="exact minimum", contract_cases=contract_cases,
))
