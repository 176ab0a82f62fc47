r"""``leaky-lp``: L^p approximation at width exactly :math:`\max(2,d_x,d_y)` with one leaky ReLU.

The witness is the coding scheme of Rochau-Chan-Gottschalk (arXiv 2411.08735), realising the
width of Cai (ICLR 2023, arXiv 2209.11395): staircase encoder :math:`\to` 1-D code
:math:`\to` two-chain monotone memorizer :math:`\to` staircase decoder, every block an exact
lattice PL map of one fixed :math:`\sigma_\alpha` with dyadic :math:`\alpha` (default 1/4).  See
:mod:`constructions._leaky_coding` for the blocks and :mod:`constructions._leaky_lp_plan` for
the parameters and the a-priori bound.

``leaky-lp-two`` is the two-activation variant :math:`\{\sigma_\alpha,\sigma_{-\alpha}\}` at width
:math:`\max(d_x,d_y)`: identical to ``leaky-lp`` except at :math:`(1,1)`, where the fold makes a
width-1 zig-zag memorizer possible (:mod:`constructions._leaky_zigzag`).

>>> from constructions import build
>>> c = build("leaky-lp", "x1*x2", eps=0.2, p=1, domain="[0,1]^2", progress="quiet")
>>> c.network.width, c.network.hidden_activations, c.predicted_error <= 0.2
(2, (Activation('leaky_relu(1/4)'),), True)
"""

from __future__ import annotations

from typing import Any

from uat._demo import DemoCase

from ._common import all_dims, lp_exponent, target_and_box
from ._leaky_common import add_alpha_argument, alpha_from_args, catalogue_bounds
from ._leaky_lp_plan import BITS_BUDGET
from ._leaky_pipeline import coding_witness
from ._registry import Construction, ConstructionSpec, ContractCase, register

__all__ = ["build_leaky_lp", "build_leaky_lp_two", "width", "width_two", "demo_cases"]


_PARAMETERS = ("bits", "gamma_bits", "flat", "quantised", "knots", "out_bits", "decoder_flat")


def width(d_x: int, d_y: int) -> int:
    r"""The width :math:`\max(2, d_x, d_y)`: the exact minimum for one leaky ReLU in :math:`L^p` (Cai, ICLR 2023; Rochau et al. 2024).

    Parameters
    ----------
    d_x, d_y : int
        Input and output dimensions.

    Returns
    -------
    int
    """
    return max(2, d_x, d_y)


def width_two(d_x: int, d_y: int) -> int:
    r"""The width :math:`\max(d_x, d_y)` with the two activations :math:`\{\sigma_\alpha, \sigma_{-\alpha}\}` (Rochau et al. 2024).

    It meets Cai's lower bound :math:`\max(d_x, d_y)`, valid for any activation.

    Parameters
    ----------
    d_x, d_y : int
        Input and output dimensions.

    Returns
    -------
    int
    """
    return max(d_x, d_y)


def build_leaky_lp(target: Any = None, *, eps: float | None = None, p: Any = 2, domain: Any = None,
                   input_dim: int | None = None, output_dim: int | None = None, progress: Any = "auto",
                   alpha: Any = "1/4", bits: int | None = None, knots: int | None = None,
                   out_bits: int | None = None, gamma_bits: int | None = None, flat: int | None = None,
                   decoder_flat: int | None = None, allow_exact: bool = False, _name: str = "leaky-lp",
                   _theorem: str = "rochau2024-leaky-lp") -> Construction:
    """Build the L^p witness (see the module docstring).

    Parameters
    ----------
    eps, p : float
        Requested L^p accuracy on the domain (Lebesgue measure, Euclidean norm of the output).
    alpha : str or Fraction
        The leaky slope, a power of two (default 1/4).
    bits, knots, out_bits, gamma_bits, flat, decoder_flat : int, optional
        Overrides of n, the knots per row (d_y = 1), M, log2(1/gamma), m and m_d.  A ``flat``
        below the flatness condition is rejected.
    allow_exact : bool
        Build beyond the float64 precision budget (the weights are exact rationals).
    """
    pf = lp_exponent(p)
    w = coding_witness(_name, target, domain=domain, input_dim=input_dim, output_dim=output_dim, eps=eps, p=pf,
                       alpha=alpha, progress=progress, bits=bits, knots=knots, out_bits=out_bits,
                       gamma_bits=gamma_bits, flat=flat, decoder_flat=decoder_flat, allow_exact=allow_exact)
    net, info = w.network, w.plan.info
    lower, upper, lower_by = catalogue_bounds("lp", w.target.input_dim, w.target.output_dim)
    notes = (
        f"coding scheme at width {net.width} (= max(2, d_x, d_y)); a-priori L^{pf:g} bound {info['predicted']:.3g} "
        f"= V^(1/p) E_good + (bad-set measure {info['bad_measure']:.3g})^(1/p) x {info['bad_error']:.3g}; "
        f"modulus: {w.modulus.how}."
    )
    beyond = " (beyond budget: use evaluate_exact)" if info["bits_used"] > BITS_BUDGET else ""
    return Construction(
        network=net,
        name=_name,
        theorem=_theorem,
        width=net.width,
        parameters={**w.parameters(_PARAMETERS), "p": pf},
        predicted_error=float(info["predicted"]),
        precision={**w.precision(), "evaluation": "exact rational weights; float64 evaluation" + beyond},
        notes=notes,
        target=w.target.name,
        domain=str(w.box),
        epsilon=w.eps,
        p=pf,
        extra_metadata={
            "norm": "lp",
            "width_status": "exact minimum" if lower is not None and net.width == lower else "upper bound",
            "lower_bound": lower,
            "lower_bound_theorems": list(lower_by),
            "also_realises": ["cai2023-leaky-lp"] if _theorem == "rochau2024-leaky-lp" else [],
            "layers": w.layers(),
            "modulus_certified": w.modulus.certified,
        },
    )


def build_leaky_lp_two(target: Any = None, **kw: Any) -> Construction:
    r"""The :math:`\{\sigma_\alpha, \sigma_{-\alpha}\}` witness at width :math:`\max(d_x, d_y)` (``rochau2024-two-leaky-lp``).

    At :math:`(d_x, d_y) = (1, 1)` the fold :math:`\sigma_{-\alpha}` (a kink of ratio :math:`-\alpha`) builds a
    triangle wave, so a width-1 network is no longer monotone and can memorise the cell values
    (:mod:`constructions._leaky_zigzag`); elsewhere
    :math:`\max(d_x, d_y) = \max(2, d_x, d_y)` and the witness is that of :func:`build_leaky_lp`.

    Parameters
    ----------
    target : str, callable or Target
        The target.
    **kw
        The keywords of :func:`build_leaky_lp`.

    Returns
    -------
    Construction
    """
    tgt, box = target_and_box(target, kw.get("domain"), input_dim=kw.get("input_dim"), output_dim=kw.get("output_dim"))
    if (tgt.input_dim, tgt.output_dim) == (1, 1):
        from ._leaky_zigzag import build_zigzag

        return build_zigzag(tgt, box, **{k: v for k, v in kw.items() if k not in ("domain", "input_dim", "output_dim")})
    return build_leaky_lp(tgt, _name="leaky-lp-two", _theorem="rochau2024-two-leaky-lp", **{**kw, "domain": box})


def _contract_cases() -> list[ContractCase]:
    return [
        ContractCase("(1,1)", "sin(3*x1)", {"domain": "[0,1]", "eps": 0.05, "p": 2}, {"d_x": 1, "d_y": 1}, "lp", 0.05, p=2,
                     domain="[0,1]"),
        ContractCase("(2,1)", "x1*x2 + x1/2", {"domain": "[0,1]^2", "eps": 0.15, "p": 1}, {"d_x": 2, "d_y": 1}, "lp", 0.15, p=1,
                     domain="[0,1]^2"),
        ContractCase("(1,2)", "[x1**2, 1 - x1]", {"domain": "[0,1]", "eps": 0.1, "p": 2}, {"d_x": 1, "d_y": 2}, "lp", 0.1, p=2,
                     domain="[0,1]"),
        ContractCase("(2,2)", "[x1*x2, x1 - x2]", {"domain": "[0,1]^2", "eps": 0.3, "p": 1}, {"d_x": 2, "d_y": 2}, "lp", 0.3, p=1,
                     domain="[0,1]^2", slow=True),
    ]


def _contract_cases_two() -> list[ContractCase]:
    return [
        ContractCase("(1,1) width 1", "sin(3*x1)", {"domain": "[0,1]", "eps": 0.05, "p": 2}, {"d_x": 1, "d_y": 1}, "lp", 0.05, p=2,
                     domain="[0,1]"),
        ContractCase("(1,2)", "[x1**2, 1 - x1]", {"domain": "[0,1]", "eps": 0.1, "p": 2}, {"d_x": 1, "d_y": 2}, "lp", 0.1, p=2,
                     domain="[0,1]"),
    ]


_SHARED = dict(norm="lp", supports=all_dims, add_arguments=add_alpha_argument, from_args=alpha_from_args,
               width_kind="exact minimum")

register(ConstructionSpec(
    name="leaky-lp",
    theorem="rochau2024-leaky-lp",
    family="leaky_relu",
    summary="L^p leaky-ReLU witness at width max(2, d_x, d_y): encoder, 1-D code, memorizer, decoder",
    width=width,
    builder=build_leaky_lp,
    contract_cases=_contract_cases,
    **_SHARED,
))

register(ConstructionSpec(
    name="leaky-lp-two",
    theorem="rochau2024-two-leaky-lp",
    family="leaky_relu_pair",
    summary="L^p witness with {sigma_a, sigma_-a} at width max(d_x, d_y) (width-1 zig-zag memorizer at (1,1))",
    width=width_two,
    builder=build_leaky_lp_two,
    contract_cases=_contract_cases_two,
    **_SHARED,
))


def demo_cases(quick: bool = False) -> list[DemoCase]:
    """One L^p witness for ``uat demo``: x1 x2 + x1/2 on [0,1]^2 at width 2.

    Parameters
    ----------
    quick : bool
        Smaller settings for ``uat demo --quick`` (the same witness).

    Returns
    -------
    list of uat._demo.DemoCase
    """
    from ._registry import build

    eps = 0.2  # 4016 layers; verified by QMC in about 10 s
    c = build("leaky-lp", "x1*x2 + x1/2", eps=eps, p=1, domain="[0,1]^2", progress="quiet")
    return [DemoCase(title="leaky-lp x1 x2 + x1/2", theorem=c.theorem, network=c.network, target="x1*x2 + x1/2",
                     domain="[0,1]^2", norm="lp", eps=eps, p=1.0, minimum="2")]
