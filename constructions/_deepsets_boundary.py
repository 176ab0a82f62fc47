r"""The boundary of the DeepSets constructions: validation, CLI options and the witness description.

Both embeddings of Wang, Yang, Li, Wang, Li (ICLR 2024, Theorem 3.1), LP and LE, take sets of
:math:`N` points of :math:`[-1, 1]^D`, represent the target exactly as
:math:`f = \rho(\sum_n \phi(x^{(n)}))` and record the same widths and bounds
(:mod:`constructions._deepsets_common` has the formulas).
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from uat.domains import Box, parse_domain
from uat.errors import BudgetExceeded, ParameterError, PrecisionBudgetExceeded
from uat.set_targets import make_set_target

from ._common import positive_eps
from ._deepsets_common import (
    LE_MIN_HALF_WIDTH, MAX_LATENT, MIN_SPREAD, N_MAX_FLOAT, VARIANTS, domain_spread, lower_bound_le, lower_bound_lp, n_max_float,
    width_le, width_lp,
)
from ._registry import Construction

__all__ = [
    "DEFAULT_EPS", "check_dims", "domain_box", "check_budget", "check_size", "add_set_arguments", "set_args", "supports", "resolve_target",
    "set_metadata", "set_construction",
]

DEFAULT_EPS = 1e-8  # the float64 error budget of the exact representation (docs/deepsets.md)


def check_dims(n: Any, d: Any) -> tuple[int, int]:
    """Validate the set size N and the dimension D (integers >= 1; N within the float64 decoding budget).

    Parameters
    ----------
    n, d : int
        The user's N and D.

    Returns
    -------
    (int, int)

    Raises
    ------
    ParameterError
        Not integers >= 1.
    PrecisionBudgetExceeded
        :math:`N >` ``N_MAX_FLOAT`` (power sums of degree N are ill-conditioned beyond it).
    """
    for name, v in (("N", n), ("D", d)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ParameterError(f"{name} must be an integer >= 1, got {v!r}")
    if n > N_MAX_FLOAT:
        raise PrecisionBudgetExceeded(
            f"N = {n} exceeds the float64 decoding budget N <= {N_MAX_FLOAT}: power sums of degree N are "
            "ill-conditioned in the set (the LE decoder fails from N = 12, the LP decoder from N = 14); use "
            "smaller sets, or compare embeddings exactly with DeepSets.embed_exact"
        )
    return int(n), int(d)


def domain_box(domain: Any, d: int) -> Box:
    r"""The sampling domain of the sets' elements (default :math:`[-1, 1]^D`), checked against the scale budget.

    Parameters
    ----------
    domain : str, Box or None
        The user's box; it must lie in :math:`[-1, 1]^D`.
    d : int
        Element dimension D.

    Returns
    -------
    Box

    Raises
    ------
    PrecisionBudgetExceeded
        The box reaches :math:`|x| > 1` (the weights are scaled for :math:`[-1, 1]^D`).
    """
    box = parse_domain(f"[-1,1]^{d}" if domain is None else domain, dim=d)
    r = max(max(abs(float(v)) for v in box.lo), max(abs(float(v)) for v in box.hi))
    if r > 1:
        raise PrecisionBudgetExceeded(
            f"the domain {domain!r} reaches |x| = {r:g} > 1; the witnesses are scaled for elements in [-1, 1]^D "
            "(powers up to x^N and exp(N x) stay well conditioned there): rescale the data into [-1, 1]^D"
        )
    return box


def check_budget(kind: str, n: int, d: int, box: Box) -> int:
    r"""Check N and the sampling box against the float64 decoding budget; return the budget's largest N.

    The decoder works on power sums (LP) or exponential moments (LE) of the elements; they lose
    the spread of the points when the box is off-centre and narrow (relative spread below
    :data:`MIN_SPREAD`), LE also when the box is small (half-width below
    :data:`LE_MIN_HALF_WIDTH`), and either beyond the measured N of :func:`n_max_float`.

    Parameters
    ----------
    kind : {"lp", "le"}
        The embedding.
    n, d : int
        Set size and element dimension.
    box : Box
        The sampling box (:func:`domain_box`).

    Returns
    -------
    int
        The largest N the budget allows for this dimension and box.

    Raises
    ------
    PrecisionBudgetExceeded
        The box or N is beyond the budget; the message names the value and the fix.
    """
    spread, half = domain_spread(box.lo, box.hi)
    name = f"deepsets-{kind}"
    if spread < MIN_SPREAD:
        raise PrecisionBudgetExceeded(
            f"{name}: the domain {box} is narrow for its offset (half-width / largest |x| = {float(spread):.3g} < "
            f"{MIN_SPREAD}): the points share their leading digits and float64 decoding loses them; map the data "
            "onto [-1, 1]^D (x -> (x - centre) / half-width) and build for the default domain"
        )
    if kind == "le" and half < LE_MIN_HALF_WIDTH:
        raise PrecisionBudgetExceeded(
            f"{name}: the domain {box} has half-width {float(half):g} < {LE_MIN_HALF_WIDTH}: exp(w.x) clusters near 1 "
            "and the LE decoder cannot separate the points in float64; rescale the data into [-1, 1]^D, or use "
            "deepsets-lp (scale invariant)"
        )
    limit = n_max_float(kind, d, spread == 1)
    if n > limit:
        where = "a centred domain" if spread == 1 else f"the domain {box}"
        raise PrecisionBudgetExceeded(
            f"{name}: N = {n} exceeds the float64 decoding budget N <= {limit} for D = {d} on "
            f"{where} (beyond it duplicated or close rows decode with errors above 1e-8; docs/deepsets.md); use "
            "smaller sets" + (", deepsets-lp" if kind == "le" else "") + (", a domain centred at 0" if spread < 1 else "")
            + ", or compare embeddings exactly with DeepSets.embed_exact"
        )
    return limit


def check_size(name: str, width: int) -> None:
    """Refuse a witness whose latent width L exceeds :data:`MAX_LATENT` (build time, file size, verification time).

    Parameters
    ----------
    name : str
        The construction (with its variant) for the message.
    width : int
        Its latent width L.

    Raises
    ------
    BudgetExceeded
        ``width > MAX_LATENT``; the message names L and the smaller alternatives.
    """
    if width > MAX_LATENT:
        raise BudgetExceeded(
            f"{name}: the latent width L = {width:,} exceeds the size budget of {MAX_LATENT:,} features (building, "
            "the witness file and verification would take minutes to hours and gigabytes); use the improved LP "
            "variant, deepsets-le, or smaller N or D"
        )


def add_set_arguments(parser: argparse.ArgumentParser, *, variants: bool) -> None:
    """Add ``--N``, ``--D`` (and ``--variant`` for LP) to a ``uat build`` sub-command.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-command's parser.
    variants : bool
        Whether the construction has the LP coupling variants.
    """
    parser.add_argument("--N", type=int, default=3, help="set size N (default 3)")
    parser.add_argument("--D", type=int, default=2, help="element dimension D (default 2)")
    if variants:
        parser.add_argument("--variant", choices=VARIANTS, default="improved",
                            help="coupling count: improved K2 = N-1 (default) or the paper's K2 = N(N-1)+1")


def set_args(args: argparse.Namespace) -> dict[str, Any]:
    """Builder keywords of the DeepSets sub-commands: N, D, the variant, target, domain, eps and ``--param``.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Returns
    -------
    dict
    """
    kw: dict[str, Any] = {"N": args.N, "D": args.D}
    if getattr(args, "variant", None) is not None:
        kw["variant"] = args.variant
    for name in ("target", "domain", "eps"):
        if getattr(args, name, None) is not None:
            kw[name] = getattr(args, name)
    for k, v in getattr(args, "param", []):
        kw[k] = v
    return kw


def supports(N: int, D: int, **_: Any) -> bool:  # noqa: N803 (names from the paper)
    r"""``supports`` of the DeepSets constructions: every set size :math:`N \ge 1` and dimension :math:`D \ge 1`.

    Parameters
    ----------
    N, D : int
        Set size and element dimension (other keywords, e.g. the variant, are ignored).

    Returns
    -------
    bool
    """
    return N >= 1 and D >= 1


def resolve_target(target: Any, n: int, d: int) -> tuple[Any, str]:
    r"""The readout target :math:`f` composed with the decoder, and its metadata text.

    Parameters
    ----------
    target : str, SetTarget or None
        A set target (:mod:`uat.set_targets`); None means the decoded set itself.
    n, d : int
        Set size :math:`N` and element dimension :math:`D`.

    Returns
    -------
    (SetTarget or None, str)
        The target (None for the decoded set) and its text (``"lex-sort"`` for None).
    """
    if target is None:
        return None, "lex-sort"
    t = make_set_target(target, dim=d, size=n)
    return t, t.text


def set_metadata(n: int, d: int, kind: str, variant: str | None) -> dict[str, Any]:
    r"""Widths and bounds recorded in every DeepSets witness (Wang et al. 2024, Theorem 3.1 and Sec. 4).

    Parameters
    ----------
    n, d : int
        Set size :math:`N` and element dimension :math:`D`.
    kind : {"lp", "le"}
        The embedding.
    variant : str or None
        The LP coupling count (``"improved"`` or ``"paper"``); None for LE.

    Returns
    -------
    dict
        The widths of both LP variants and of LE, the lower bound of ``kind``
        (:math:`N(D+1)` for LP, :math:`ND` for LE) and the paper's upper bound
        (:math:`N^5D^2` for LP, :math:`N^4D^2` for LE).
    """
    return {
        "N": n,
        "D": d,
        "norm": "sup",
        "family": "deepsets",
        "embedding": kind,
        "variant": variant,
        "width_lp_improved": width_lp(n, d, "improved"),
        "width_lp_paper": width_lp(n, d, "paper"),
        "width_le": width_le(n, d),
        "lower_bound": lower_bound_lp(n, d) if kind == "lp" else lower_bound_le(n, d),
        "lower_bound_lp": lower_bound_lp(n, d),
        "upper_bound_paper": n**5 * d**2 if kind == "lp" else n**4 * d**2,
    }


def set_construction(net: Any, *, name: str, theorem: str, width: int, parameters: dict[str, Any],
                     precision: dict[str, Any], target_text: str, box: Box, eps: Any, kind: str,
                     variant: str | None) -> Construction:
    r"""The :class:`~constructions.Construction` of a DeepSets witness :math:`f = \rho(\sum_n \phi(x^{(n)}))`.

    The representation is exact (:math:`\rho` = target :math:`\circ` decode); its float64 error is
    the decoder's roundoff, which only the verifier measures, so there is no a-priori bound.

    Parameters
    ----------
    net : DeepSets
        The witness.
    name, theorem : str
        Construction name and catalogue theorem id.
    width : int
        The latent width :math:`L`.
    parameters, precision : dict
        The parameters used and the float64 budget (:func:`precision_budget`).
    target_text : str
        The target's text (:func:`resolve_target`).
    box : Box
        Where the verifier samples set elements.
    eps : float or None
        The accuracy the verifier judges (default :data:`DEFAULT_EPS`).
    kind, variant
        As for :func:`set_metadata`.

    Returns
    -------
    Construction
    """
    return Construction(
        network=net,
        name=name,
        theorem=theorem,
        width=width,
        parameters=parameters,
        predicted_error=None,
        precision=precision,
        notes="exact representation f = rho(sum phi) with rho = target o decode; the float64 error is decoder "
              "roundoff, measured by the verifier (no a-priori bound)",
        target=target_text,
        domain=str(box),
        epsilon=positive_eps(eps, DEFAULT_EPS),
        extra_metadata=set_metadata(n=parameters["N"], d=parameters["D"], kind=kind, variant=variant),
    )
