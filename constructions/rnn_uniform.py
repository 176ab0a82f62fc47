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
from uat.domains import parse_domain
from uat.errors import DimensionMismatch, ParameterError
from uat.sequence_targets import make_sequence_target

from ._cli import options_from_args
from ._registry import Construction, ConstructionSpec, ContractCase, register
from ._rnn_gated import GatedLayout, build_gated
from ._rnn_plan import plan_target

__all__ = ["build_rnn_uniform", "build_brnn_uniform"]

THEOREM = "song2023-rnn-uniform"
BRNN_THEOREM = "song2023-brnn"
MAX_T = 64


def _horizon(T: Any) -> int:
    if T is None:
        return 10
    if isinstance(T, bool) or not isinstance(T, int) or not 1 <= T <= MAX_T:
        raise ParameterError(f"the horizon T must be an integer in 1..{MAX_T}, got {T!r}")
    return T


def _eps(eps: Any) -> float:
    if eps is None:
        return 1e-3
    e = float(eps)
    if not e > 0:
        raise ParameterError(f"eps must be > 0, got {eps!r}")
    return e


def _build(name: str, theorem: str, bidirectional: bool, target: Any, *, input_dim: int | None,
           output_dim: int | None, T: Any, eps: Any, domain: Any, knots: Any, features: Any, seed: Any,
           max_features: Any) -> Construction:
    T = _horizon(T)
    eps = _eps(eps)
    tgt = make_sequence_target("running-mean" if target is None else target, input_dim=input_dim,
                               causal=not bidirectional)
    if output_dim is not None and tgt.output_dim != output_dim:
        raise DimensionMismatch(f"target {tgt.name!r} has d_y = {tgt.output_dim}, but --dy {output_dim} was given")
    if not tgt.causal and not bidirectional:
        raise ParameterError(f"target {tgt.name!r} is not causal: an RNN cannot approximate it; use brnn-uniform")
    for key, val in (("knots", knots), ("features", features), ("max_features", max_features)):
        if val is not None and (isinstance(val, bool) or not isinstance(val, int) or val < 1):
            raise ParameterError(f"{key} must be a positive integer, got {val!r}")
    box = parse_domain(domain if domain is not None else tgt.domain, dim=tgt.input_dim)
    lay = GatedLayout(tgt.input_dim, tgt.output_dim, T, box.lo, box.hi, bidirectional)
    ap = plan_target(tgt, lay, eps=eps, knots=knots, features=features, seed=0 if seed is None else int(seed),
                     max_features=512 if max_features is None else max_features)
    net, diag = build_gated(lay, ap.blocks, ap.maxterms, ap.const)
    params = {"T": T, "approximant": ap.method, **ap.parameters}
    precision = {
        "mode": "float64 evaluation of exact rational weights (exact evaluation available)",
        "max_abs_weight": net.max_abs_weight(),
        "max_gate_slope": diag["max_gate_slope"],
        "max_accumulator_offset": max(diag["accumulator_offsets"]),
        "max_integrated_offset": diag["max_integrated_offset"],
    }
    return Construction(
        network=net,
        name=name,
        theorem=theorem,
        width=lay.width,
        parameters=params,
        predicted_error=ap.predicted_error,
        precision=precision,
        notes=ap.notes + "; width d_x + d_y + 2 is this construction's (the published bound is d_x + d_y + 3)",
        target=tgt.name,
        domain=str(box),
        epsilon=eps,
        p=None,
        extra_metadata={"norm": "sup", "horizon": T, "bidirectional": bidirectional, "family": "rnn",
                        "construction_counts": {k: diag[k] for k in ("blocks", "load_terms", "gate_terms", "output_terms")}},
    )


def build_rnn_uniform(target: Any = None, *, input_dim: int | None = None, output_dim: int | None = None,
                      T: int | None = None, eps: float | None = None, domain: Any = None, knots: int | None = None,
                      features: int | None = None, seed: int | None = None, max_features: int | None = None,
                      progress: str = "auto") -> Construction:
    """The causal witness (see the module docstring); ``T`` is the horizon (default 10)."""
    return _build("rnn-uniform", THEOREM, False, target, input_dim=input_dim, output_dim=output_dim, T=T, eps=eps,
                  domain=domain, knots=knots, features=features, seed=seed, max_features=max_features)


def build_brnn_uniform(target: Any = None, *, input_dim: int | None = None, output_dim: int | None = None,
                       T: int | None = None, eps: float | None = None, domain: Any = None, knots: int | None = None,
                       features: int | None = None, seed: int | None = None, max_features: int | None = None,
                       progress: str = "auto") -> Construction:
    """The bidirectional witness for non-causal targets (default target ``reversal``)."""
    return _build("brnn-uniform", BRNN_THEOREM, True, "reversal" if target is None else target, input_dim=input_dim,
                  output_dim=output_dim, T=T, eps=eps, domain=domain, knots=knots, features=features, seed=seed,
                  max_features=max_features)


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--T", type=int, dest="T", help="sequence length (horizon) the witness is built for (default 10)")
    p.add_argument("--knots", type=int, help="ridge/Hammerstein targets: interpolation intervals (default: from eps)")
    p.add_argument("--features", type=int, help="generic targets: random ReLU features per time (default: from eps)")
    p.add_argument("--seed", type=int, help="generic targets: seed of the random features (default 0)")


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


register(ConstructionSpec(
    name="rnn-uniform",
    theorem=THEOREM,
    family="rnn",
    norm="sup",
    summary="deep ReLU RNN of width d_x+d_y+2 for a causal sequence target (uniform; gated construction)",
    width=lambda d_x, d_y, **_: d_x + d_y + 2,
    supports=lambda d_x=1, d_y=1, **_: d_x >= 1 and d_y >= 1,
    builder=build_rnn_uniform,
    add_arguments=_add_arguments,
    from_args=_from_args,
    width_kind="construction width d_x+d_y+2 (published upper bound d_x+d_y+3; lower bound d_x+1)",
    contract_cases=_contract_cases,
))

register(ConstructionSpec(
    name="brnn-uniform",
    theorem=BRNN_THEOREM,
    family="rnn",
    norm="sup",
    summary="deep ReLU BRNN of width d_x+d_y+2 for a non-causal sequence target (uniform)",
    width=lambda d_x, d_y, **_: d_x + d_y + 2,
    supports=lambda d_x=1, d_y=1, **_: d_x >= 1 and d_y >= 1,
    builder=build_brnn_uniform,
    add_arguments=_add_arguments,
    from_args=_from_args,
    width_kind="construction width d_x+d_y+2 (published upper bound d_x+d_y+3)",
    contract_cases=_brnn_contract_cases,
))


def demo_cases(quick: bool = False) -> list[DemoCase]:
    """One RNN witness: the running mean over T = 10 (T = 5 when quick), exact."""
    from ._registry import build

    T = 5 if quick else 10
    c = build("rnn-uniform", "running-mean", T=T, eps=1e-6, domain="[-1,1]")
    return [DemoCase(title=f"rnn-uniform running mean T={T}", theorem=c.theorem, network=c.network,
                     target="running-mean", domain="[-1,1]", norm="sup", eps=1e-6, minimum="[2, 5]")]
