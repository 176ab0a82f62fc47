r"""The shared pipeline of the coding-scheme witnesses (``leaky-lp``, ``leaky-lp-two``, ``leaky-stepped-uniform``).

Rochau, Chan, Gottschalk (arXiv 2411.08735) build every witness of the family from the same
four blocks, encoder :math:`\to` 1-D code :math:`\to` memorizer :math:`\to` decoder
(:mod:`constructions._leaky_coding`); the L^p and the stepped uniform witnesses differ only in
the encoder and in the norm of the a-priori bound (:mod:`constructions._leaky_lp_plan`).  This
module validates the arguments, plans, realises the blocks under a progress meter, and
describes the result (parameters, precision budget, layer counts) the same way for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterable

from uat.domains import Box
from uat.targets import Target

from ._common import positive_eps, progress_meter, target_and_box
from ._leaky_coding import CodingPlan, realise_coding
from ._leaky_common import Modulus, modulus, parse_alpha
from ._leaky_lp_plan import BITS_BUDGET, plan_lp

__all__ = ["CodingWitness", "coding_witness"]

DEFAULT_EPS = 0.1


@dataclass(frozen=True)
class CodingWitness:
    """A realised coding-scheme witness with everything its description needs."""

    network: Any
    report: dict
    plan: CodingPlan
    target: Target
    box: Box
    eps: float
    alpha: Fraction
    modulus: Modulus

    def parameters(self, keys: Iterable[str]) -> dict[str, Any]:
        """The planned parameters named in ``keys`` (those the plan has), and the slope ``alpha``.

        Parameters
        ----------
        keys : iterable of str
            Entries of the plan's ``info`` to report (e.g. ``"bits"``, ``"flat"``).

        Returns
        -------
        dict
        """
        params = {k: self.plan.info[k] for k in keys if k in self.plan.info}
        params["alpha"] = str(self.alpha)
        return params

    def precision(self) -> dict[str, Any]:
        r"""The precision budget: bits used of the :math:`45`-bit float64 budget, largest weight and slot, code leak.

        Returns
        -------
        dict
            ``bits``, ``budget_bits``, ``max_abs_weight``, ``max_slot_bound``, ``code_leak``.
        """
        info = self.plan.info
        return {"bits": info["bits_used"], "budget_bits": BITS_BUDGET, "max_abs_weight": self.network.max_abs_weight(),
                "max_slot_bound": self.report["max_slot_bound"], "code_leak": info["code_leak"]}

    def layers(self) -> dict[str, int]:
        """The layer count of each block (encoder, memorizer, decoder ...), from the realisation report.

        Returns
        -------
        dict
        """
        return {k: v for k, v in self.report.items() if k.endswith("_layers")}


def coding_witness(label: str, target: Any, *, domain: Any, input_dim: Any, output_dim: Any, eps: Any, p: float,
                   alpha: Any, progress: Any, stepped: bool = False, **overrides: Any) -> CodingWitness:
    r"""Validate, plan (:func:`~constructions._leaky_lp_plan.plan_lp`) and realise one coding-scheme witness.

    The plan meets ``eps`` in :math:`L^p` (``stepped=False``: strips of transition around the
    cell boundaries, bound :math:`V^{1/p}E_{good} + |{\rm bad}|^{1/p}E_{bad}`) or in the sup norm
    (``stepped=True``: the stepped encoder quantises exactly, no strips).

    Parameters
    ----------
    label : str
        The construction name (shown by the progress meter).
    target, domain, input_dim, output_dim
        As for :func:`constructions._common.target_and_box`.
    eps : float or None
        The requested accuracy (default 0.1).
    p : float
        The validated L^p exponent (ignored when ``stepped``).
    alpha : str or Fraction
        The leaky slope, a power of two.
    progress : {"auto", "force", "quiet"}
        The progress meter.
    stepped : bool
        Plan the stepped uniform variant.
    **overrides
        ``bits``, ``knots``, ``out_bits``, ``gamma_bits``, ``flat``, ``decoder_flat``, ``allow_exact``
        (passed to the planner).

    Returns
    -------
    CodingWitness
    """
    tgt, box = target_and_box(target, domain, input_dim=input_dim, output_dim=output_dim)
    e = positive_eps(eps, DEFAULT_EPS)
    a = parse_alpha(alpha)
    mod = modulus(tgt, box)
    plan = plan_lp(tgt, box, mod, e, p, a, stepped=stepped, **overrides)
    with progress_meter(progress, label) as prog:
        net, report = realise_coding(plan, box, progress=lambda s: prog.advance(1, s))
    return CodingWitness(net, report, plan, tgt, box, e, a, mod)
