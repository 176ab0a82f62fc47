r"""``leaky-stepped-uniform``: uniform approximation at width :math:`\max(2,d_x,d_y)` with stepped leaky ReLUs.

Rochau-Chan-Gottschalk (arXiv 2411.08735) extend the coding scheme to *uniform* approximation by
admitting stepped leaky ReLUs (a leaky ReLU with a jump at 0).  Here the network uses two
activations, :math:`\sigma_\alpha` and :math:`\tilde\sigma_\alpha(t)=t\ (t\ge0),\ \alpha t-1\ (t<0)`
(``uat.activations.stepped_leaky_relu``), in different layers.  The only change to the L^p
witness is the encoder: the exact quantiser
:math:`E(\tilde x)=\delta\tilde x+\#\{k\ge1:\tilde x\ge k2^{-n}\}`, one jump per cell boundary,
each jump two layers (:func:`constructions._leaky_coding.stepped_encoder_chains`).  There are no
transition strips, so every point of :math:`K` gets the code of its own cell and the memorizer
and decoder work on plateaus everywhere: the a-priori bound is a sup-norm bound,

.. math::  \|N-f\|_\infty \le L\,\tfrac{h_{diag}}2 + E_{rows\ or\ quant} + E_{leak}.

The network is discontinuous (Cai's lower bound :math:`\max(d_x,d_y)` still applies; the
topological uniform lower bounds, which need continuous activations, do not).  Verification:
for one input, ``verification.sup_error`` certifies the sup over the closed domain from the exact
pieces (one-sided limits on every piece and the network's own values at the jump points); for
two inputs it certifies only the essential sup (the open linear regions) and reports the
closed-domain sup without a certificate, so there the a-priori bound is the certificate.

>>> from constructions import build
>>> c = build("leaky-stepped-uniform", "sin(3*x1)*x2", eps=0.3, domain="[0,1]^2", progress="quiet")
>>> c.network.width, sorted(a.name for a in c.network.hidden_activations)
(2, ['leaky_relu', 'stepped_leaky_relu'])
"""

from __future__ import annotations

from typing import Any

from ._common import all_dims
from ._leaky_common import add_alpha_argument, alpha_from_args
from ._leaky_pipeline import coding_witness
from ._registry import Construction, ConstructionSpec, ContractCase, register
from .leaky_lp import width

__all__ = ["build_leaky_stepped", "width"]


def build_leaky_stepped(target: Any = None, *, eps: float | None = None, p: Any = None, domain: Any = None,
                        input_dim: int | None = None, output_dim: int | None = None, progress: Any = "auto",
                        alpha: Any = "1/4", bits: int | None = None, knots: int | None = None,
                        out_bits: int | None = None, flat: int | None = None, decoder_flat: int | None = None,
                        allow_exact: bool = False) -> Construction:
    r"""Build the stepped uniform witness at width :math:`\max(2, d_x, d_y)` (Rochau et al. 2024, stepped leaky ReLU).

    A-priori bound :math:`\|N - f\|_\infty \le L\,h_{diag}/2 + E_{rows\ or\ quant} + E_{leak}` (module docstring).

    Parameters
    ----------
    target : str, callable or Target
        The target.
    eps : float, optional
        The requested sup error (default 0.1).
    p : ignored
        The norm is the sup norm.
    domain, input_dim, output_dim
        As for :func:`constructions._common.target_and_box`.
    progress : {"auto", "force", "quiet"}
        The progress meter.
    alpha : str or Fraction
        The leaky slope, a power of two (default 1/4).
    bits, knots, out_bits, flat, decoder_flat : int, optional
        Overrides of the plan (as for :func:`constructions.leaky_lp.build_leaky_lp`).
    allow_exact : bool
        Build beyond the float64 precision budget.

    Returns
    -------
    Construction
    """
    w = coding_witness("leaky-stepped-uniform", target, domain=domain, input_dim=input_dim, output_dim=output_dim,
                       eps=eps, p=1.0, alpha=alpha, progress=progress, stepped=True, bits=bits, knots=knots,
                       out_bits=out_bits, flat=flat, decoder_flat=decoder_flat, allow_exact=allow_exact)
    net, info = w.network, w.plan.info
    return Construction(
        network=net, name="leaky-stepped-uniform", theorem="rochau2024-stepped-uniform", width=net.width,
        parameters=w.parameters(("bits", "flat", "quantised", "knots", "out_bits", "decoder_flat")),
        predicted_error=float(info["predicted"]),
        precision={**w.precision(), "evaluation": "exact rational weights; float64 evaluation"},
        notes=(f"stepped encoder (exact quantiser) + memorizer + decoder at width {net.width}; a-priori sup bound "
               f"{info['predicted']:.3g} (no strips: every point is coded in its own cell); modulus: {w.modulus.how}."),
        target=w.target.name, domain=str(w.box), epsilon=w.eps, p=None,
        extra_metadata={"norm": "uniform", "discontinuous": True, "layers": w.layers(),
                        "modulus_certified": w.modulus.certified},
    )


def _contract_cases() -> list[ContractCase]:
    return [
        ContractCase("(2,1) stepped", "sin(3*x1)*x2", {"domain": "[0,1]^2", "eps": 0.3}, {"d_x": 2, "d_y": 1}, "sup", 0.3,
                     domain="[0,1]^2"),
        # one input: the verifier certifies these (exact pieces with the values at the jumps)
        ContractCase("(1,2) stepped", "[x1**2, 1 - x1]", {"domain": "[0,1]", "eps": 0.2}, {"d_x": 1, "d_y": 2}, "sup", 0.2,
                     domain="[0,1]"),
        ContractCase("(1,2) stepped circle", "[sin(2*pi*x1), cos(2*pi*x1)]", {"domain": "[0,1]", "eps": 0.1},
                     {"d_x": 1, "d_y": 2}, "sup", 0.1, domain="[0,1]"),
    ]


register(ConstructionSpec(
    name="leaky-stepped-uniform",
    theorem="rochau2024-stepped-uniform",
    family="stepped_leaky_relu",
    norm="uniform",
    summary="uniform witness at width max(2, d_x, d_y) with leaky ReLU + stepped leaky ReLU (exact quantiser)",
    width=width,
    supports=all_dims,
    builder=build_leaky_stepped,
    add_arguments=add_alpha_argument,
    from_args=alpha_from_args,
    width_kind="upper bound (max(2, d_x, d_y); Cai's lower bound is max(d_x, d_y))",
    contract_cases=_contract_cases,
))
