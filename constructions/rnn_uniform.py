r"""``rnn-uniform`` and ``brnn-uniform``: ReLU (B)RNN witnesses of width :math:`d_x + d_y + 2`.

Song, Hwang, Lee, Kang (JMLR 24(121), 2023) prove that deep ReLU RNNs of width
:math:`d_x + d_y + 3` approximate every continuous past-dependent map
:math:`K^T \to \mathbb R^{d_y \times T}` uniformly (Theorem 5; the arXiv v1/v2 abstract said
:math:`+2`), and that BRNNs of the same width approximate every continuous sequence-to-sequence
map (Theorem 22).  The witnesses here realise the explicit *gated* construction of
:mod:`constructions._rnn_gated` at width **exactly** :math:`d_x + d_y + 2`: the catalogue
records the published :math:`+3`; :math:`+2` is this construction's width.

The per-time approximants come from the target's structure (:mod:`constructions._rnn_plan`):
linear and running-max targets are *exact*; ridge (Wiener) and Hammerstein targets use
piecewise-linear interpolation with an a-priori bound; other targets use least squares on
seeded random ReLU features.  No gradient training anywhere.

>>> from constructions import build
>>> c = build("rnn-uniform", "running-mean", T=4, input_dim=1)
>>> c.network.width, c.width, c.theorem
(4, 4, 'song2023-rnn-uniform')
"""

from __future__ import annotations

import argparse
from typing import Any

from uat._demo import DemoCase
from uat.errors import PrecisionBudgetExceeded

from ._cli import options_from_args
from ._common import all_dims, optional_positive_int, positive_eps
from ._registry import Construction, ConstructionSpec, ContractCase, register
from ._rnn_common import add_feature_arguments, add_horizon_argument, horizon, rnn_construction, sequence_target, token_box
from ._rnn_gated import GatedLayout, build_gated
from ._rnn_plan import MAX_KNOTS, plan_target

__all__ = ["build_rnn_uniform", "build_brnn_uniform", "width"]

THEOREM = "song2023-rnn-uniform"
BRNN_THEOREM = "song2023-brnn"
MAX_T = 64
ROUNDING_FACTOR = 8  # float64 rounding estimate 8 * max|weight| * 2^-52 (measured 0.8-5x for exact targets)


def _build(name: str, theorem: str, bidirectional: bool, target: Any, *, input_dim: int | None,
           output_dim: int | None, T: Any, eps: Any, domain: Any, knots: Any, features: Any, seed: Any,
           max_features: Any, max_knots: Any) -> Construction:
    T = horizon(T, default=10, cap=MAX_T)
    eps = positive_eps(eps, 1e-3)
    tgt = sequence_target(target, default="running-mean", input_dim=input_dim, output_dim=output_dim,
                          bidirectional=bidirectional, alternative="brnn-uniform")
    for key, val in (("knots", knots), ("features", features), ("max_features", max_features),
                     ("max_knots", max_knots)):
        optional_positive_int(key, val)
    box = token_box(domain, tgt)
    lay = GatedLayout(tgt.input_dim, tgt.output_dim, T, box.lo, box.hi, bidirectional)
    ap = plan_target(tgt, lay, eps=eps, knots=knots, features=features, seed=0 if seed is None else int(seed),
                     max_features=512 if max_features is None else max_features,
                     max_knots=MAX_KNOTS if max_knots is None else max_knots)
    net, diag = build_gated(lay, ap.blocks, ap.maxterms, ap.const)
    params = {"T": T, "approximant": ap.method, **ap.parameters}
    rounding = ROUNDING_FACTOR * net.max_abs_weight() * 2.0**-52
    if rounding >= eps:
        raise PrecisionBudgetExceeded(
            f"eps = {eps:.3g} is below the float64 rounding of this witness (about {rounding:.2g} = "
            f"{ROUNDING_FACTOR} * max|weight| {net.max_abs_weight():.3g} * 2^-52 on the box {box}); raise eps or use a "
            "smaller box nearer 0 (Recurrent.evaluate_exact is exact)"
        )
    precision = {
        "mode": "float64 evaluation of exact rational weights (exact evaluation available)",
        "rounding_estimate": rounding,
        "max_abs_weight": net.max_abs_weight(),
        "max_gate_slope": diag["max_gate_slope"],
        "max_accumulator_offset": max(diag["accumulator_offsets"]),
        "max_integrated_offset": diag["max_integrated_offset"],
    }
    return rnn_construction(
        net, name=name, theorem=theorem, width=lay.width, target=tgt, box=box, eps=eps, T=T, norm="sup",
        parameters=params, predicted_error=ap.predicted_error, precision=precision,
        notes=ap.notes + "; width d_x + d_y + 2 is this construction's (the published bound is d_x + d_y + 3)",
        bidirectional=bidirectional,
        construction_counts={k: diag[k] for k in ("blocks", "load_terms", "gate_terms", "output_terms")},
    )


def build_rnn_uniform(target: Any = None, *, input_dim: int | None = None, output_dim: int | None = None,
                      T: int | None = None, eps: float | None = None, domain: Any = None, knots: int | None = None,
                      features: int | None = None, seed: int | None = None, max_features: int | None = None,
                      max_knots: int | None = None, progress: str = "auto") -> Construction:
    r"""The causal uniform witness at width :math:`d_x + d_y + 2` (Song et al. 2023, Theorem 5 gives :math:`d_x + d_y + 3`).

    The gated construction of :mod:`constructions._rnn_gated` with the per-time approximants of
    :mod:`constructions._rnn_plan`: :math:`\sup \|N - f\| \le` the approximants' error (exact for
    linear and running-max targets).

    Parameters
    ----------
    target : str, callable or SequenceTarget, optional
        A causal sequence target (default ``running-mean``).
    input_dim, output_dim : int, optional
        :math:`d_x`, :math:`d_y` (checked against the target).
    T : int, optional
        The horizon (default 10; at most 64).
    eps : float, optional
        The requested sup error (default 1e-3).
    domain : str or Box, optional
        The token box (default the target's).
    knots : int, optional
        Ridge/Hammerstein targets: interpolation intervals (default: from eps).
    features, max_features : int, optional
        Generic targets: random ReLU features per time (default: from eps, at most 512).
    max_knots : int, optional
        Ridge/Hammerstein targets: the most interpolation knots in all (default 65536; each knot is
        one layer, so a tight eps on a wide domain raises ``BudgetExceeded`` instead of building for
        minutes).
    seed : int, optional
        Generic targets: the features' seed (default 0).
    progress : ignored
        Accepted for a uniform CLI.

    Returns
    -------
    Construction
    """
    return _build("rnn-uniform", THEOREM, False, target, input_dim=input_dim, output_dim=output_dim, T=T, eps=eps,
                  domain=domain, knots=knots, features=features, seed=seed, max_features=max_features,
                  max_knots=max_knots)


def build_brnn_uniform(target: Any = None, *, input_dim: int | None = None, output_dim: int | None = None,
                       T: int | None = None, eps: float | None = None, domain: Any = None, knots: int | None = None,
                       features: int | None = None, seed: int | None = None, max_features: int | None = None,
                       max_knots: int | None = None, progress: str = "auto") -> Construction:
    r"""The bidirectional uniform witness at width :math:`d_x + d_y + 2` (Song et al. 2023, Theorem 22).

    Non-causal targets are allowed (default ``reversal``).

    Parameters
    ----------
    target, input_dim, output_dim, T, eps, domain, knots, features, seed, max_features, max_knots, progress
        As for :func:`build_rnn_uniform`.

    Returns
    -------
    Construction
    """
    return _build("brnn-uniform", BRNN_THEOREM, True, "reversal" if target is None else target, input_dim=input_dim,
                  output_dim=output_dim, T=T, eps=eps, domain=domain, knots=knots, features=features, seed=seed,
                  max_features=max_features, max_knots=max_knots)


def _add_arguments(p: argparse.ArgumentParser) -> None:
    add_horizon_argument(p, 10)
    p.add_argument("--knots", type=int, help="ridge/Hammerstein targets: interpolation intervals (default: from eps)")
    add_feature_arguments(p, "ReLU")


_from_args = options_from_args("T", "knots", "features", "seed")


def _contract_cases() -> list[ContractCase]:
    return [
        ContractCase("running mean T=10", "running-mean", {"T": 10, "eps": 1e-6, "domain": "[-1,1]"}, {"d_x": 1, "d_y": 1},
                     "sup", 1e-6, domain="[-1,1]"),
        ContractCase("IIR d_x=2 T=6", "iir", {"T": 6, "input_dim": 2, "eps": 1e-6}, {"d_x": 2, "d_y": 2}, "sup", 1e-6),
        ContractCase("running max T=8", "running-max", {"T": 8, "eps": 1e-6}, {"d_x": 1, "d_y": 1}, "sup", 1e-6),
        ContractCase("Wiener tanh T=5", "wiener-tanh", {"T": 5, "eps": 1e-3}, {"d_x": 1, "d_y": 1}, "sup", 1e-3),
        ContractCase("tanh system T=3", "tanh-system", {"T": 3, "eps": 0.05}, {"d_x": 1, "d_y": 1}, "sup", 0.05,
                     slow=True),
    ]


def _brnn_contract_cases() -> list[ContractCase]:
    return [
        ContractCase("reversal T=6", "reversal", {"T": 6, "eps": 1e-6}, {"d_x": 1, "d_y": 1}, "sup", 1e-6),
        ContractCase("centred MA d_x=2 T=5", "centred-moving-average", {"T": 5, "input_dim": 2, "eps": 1e-6},
                     {"d_x": 2, "d_y": 2}, "sup", 1e-6),
    ]


def width(d_x: int, d_y: int, **_: Any) -> int:
    r"""The width :math:`d_x + d_y + 2` of the gated witness (the published bound of Theorem 5 is :math:`d_x + d_y + 3`).

    Parameters
    ----------
    d_x, d_y : int
        Token and output dimensions (other keywords, e.g. the horizon, are ignored).

    Returns
    -------
    int
    """
    return d_x + d_y + 2


_SHARED = dict(family="rnn", norm="sup", width=width, supports=all_dims, add_arguments=_add_arguments,
               from_args=_from_args)

register(ConstructionSpec(
    name="rnn-uniform",
    theorem=THEOREM,
    summary="deep ReLU RNN of width d_x+d_y+2 for a causal sequence target (uniform; gated construction)",
    builder=build_rnn_uniform,
    width_kind="construction width d_x+d_y+2 (published upper bound d_x+d_y+3; lower bound d_x+1)",
    contract_cases=_contract_cases,
    **_SHARED,
))

register(ConstructionSpec(
    name="brnn-uniform",
    theorem=BRNN_THEOREM,
    summary="deep ReLU BRNN of width d_x+d_y+2 for a non-causal sequence target (uniform)",
    builder=build_brnn_uniform,
    width_kind="construction width d_x+d_y+2 (published upper bound d_x+d_y+3)",
    contract_cases=_brnn_contract_cases,
    **_SHARED,
))


def demo_cases(quick: bool = False) -> list[DemoCase]:
    """One RNN witness for ``uat demo``: the running mean over T = 10, exact.

    Parameters
    ----------
    quick : bool
        Smaller settings for ``uat demo --quick``: T = 5.

    Returns
    -------
    list of uat._demo.DemoCase
    """
    from ._registry import build

    T = 5 if quick else 10
    c = build("rnn-uniform", "running-mean", T=T, eps=1e-6, domain="[-1,1]")
    return [DemoCase(title=f"rnn-uniform running mean T={T}", theorem=c.theorem, network=c.network,
                     target="running-mean", domain="[-1,1]", norm="sup", eps=1e-6, minimum="[2, 5]")]
