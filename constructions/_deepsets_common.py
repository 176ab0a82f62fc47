r"""Shared pieces of the DeepSets constructions: explicit weights, exact width formulas, budgets.

Weights (all exact rationals, chosen deterministically; Wang et al. 2024, Sec. 4):

* **anchor candidates** on the moment curve, :math:`w_j \propto (1, \tau_j, \tau_j^2, \dots, \tau_j^{D-1})`
  with distinct :math:`\tau_j = (4j - 2K_1 - 1)/(2K_1 + 1) \in (-1, 1)`, scaled to unit
  :math:`\ell_1` norm (rational, and :math:`|w_j^\top x| \le 1` on :math:`[-1,1]^D`).  Any D of
  them form a scaled Vandermonde matrix, so they are in general position, and with
  :math:`K_1 = N(N-1)(D-1)/2 + 1` one of them is an anchor of every set (Lemma 4.4);
* **coupling coefficients** :math:`\gamma_k = (4k - 2K_2 - 1)/(2K_2)`: distinct, nonzero, in (-1, 1).

Widths (exact; rnn_deepsets.md section B5):

* LP, the paper's count :math:`K_2 = N(N-1)+1`: :math:`L = N(D + K_1 + D K_1 (N(N-1)+1))`;
* LP, improved :math:`K_2 = N - 1`: :math:`L = N(D + K_1 + D K_1 (N-1))`;
* LE: :math:`L = N D + N K_1 + D K_1 N(N-1)/2`;
* lower bounds: :math:`N(D+1)` for LP (Theorem 4.6), :math:`N D` for any continuous
  sum-decomposition (dimension count).

>>> k1(4, 3), width_lp(4, 3, "improved"), width_lp(4, 3, "paper"), width_le(4, 3)
(13, 532, 2092, 298)
"""

from __future__ import annotations

import argparse
from fractions import Fraction
from typing import Any

import numpy as np

from uat.domains import Box, parse_domain
from uat.errors import ParameterError, PrecisionBudgetExceeded
from uat.set_targets import make_set_target

from ._common import positive_eps
from ._registry import Construction

__all__ = [
    "VARIANTS", "N_MAX_FLOAT", "k1", "k2", "anchor_candidates", "coupling_gammas", "width_lp", "width_le",
    "lower_bound_lp", "lower_bound_le", "check_dims", "domain_box", "precision_budget", "add_set_arguments",
    "set_args", "width_table", "DEFAULT_EPS", "supports", "resolve_target", "set_metadata", "set_construction",
]

VARIANTS = ("improved", "paper")
# Largest set size whose float64 decoding stays accurate for both embeddings (measured: N = 10
# recovers sets to ~1e-13 (LP) and ~4e-12 (LE); LE fails from N = 12 (D = 3), LP from N = 14;
# docs/deepsets.md).  Beyond it the builders raise PrecisionBudgetExceeded.
N_MAX_FLOAT = 10
DEFAULT_EPS = 1e-8  # the float64 error budget of the exact representation (docs/deepsets.md)


def k1(n: int, d: int) -> int:
    """The number of anchor candidates, N(N-1)(D-1)/2 + 1 (the pigeonhole count of Lemma 4.4)."""
    return n * (n - 1) * (d - 1) // 2 + 1


def k2(n: int, variant: str) -> int:
    """The number of coupling coefficients: N(N-1)+1 (paper) or N-1 (improved)."""
    if variant not in VARIANTS:
        raise ParameterError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    return n * (n - 1) + 1 if variant == "paper" else n - 1


def width_lp(n: int, d: int, variant: str = "improved") -> int:
    """L = N (D + K1 + D K1 K2) for the LP construction."""
    a = k1(n, d)
    return n * (d + a + d * a * k2(n, variant))


def width_le(n: int, d: int) -> int:
    """L = N D + N K1 + D K1 N(N-1)/2 for the LE construction."""
    a = k1(n, d)
    return n * d + n * a + d * a * (n * (n - 1) // 2)


def lower_bound_lp(n: int, d: int) -> int:
    """N(D+1): no LP embedding of smaller width is injective (Theorem 4.6)."""
    return n * (d + 1)


def lower_bound_le(n: int, d: int) -> int:
    """N D: the dimension count for any continuous injective sum-decomposition."""
    return n * d


def width_table(ns: Any, ds: Any) -> list[dict[str, int]]:
    """Rows (N, D, L for each variant, the bounds) for docs and benchmarks."""
    return [
        {"N": n, "D": d, "lp_improved": width_lp(n, d, "improved"), "lp_paper": width_lp(n, d, "paper"),
         "le": width_le(n, d), "lower_lp": lower_bound_lp(n, d), "lower_le": lower_bound_le(n, d),
         "upper_lp": n**5 * d**2, "upper_le": n**4 * d**2}
        for n in ns for d in ds
    ]


def anchor_candidates(n: int, d: int) -> list[list[Fraction]]:
    """K1 exact anchor candidates on the moment curve, unit l1 norm (see the module docstring).

    >>> [[str(v) for v in w] for w in anchor_candidates(2, 2)]
    [['5/6', '-1/6'], ['5/8', '3/8']]
    """
    count = k1(n, d)
    out = []
    for j in range(1, count + 1):
        tau = Fraction(4 * j - 2 * count - 1, 2 * count + 1)
        v = [tau**e for e in range(d)]
        norm = sum(abs(x) for x in v)
        out.append([x / norm for x in v])
    return out


def coupling_gammas(count: int) -> list[Fraction]:
    """``count`` distinct nonzero rationals in (-1, 1), equally spaced.

    >>> [str(g) for g in coupling_gammas(3)]
    ['-1/2', '1/6', '5/6']
    """
    return [Fraction(4 * k - 2 * count - 1, 2 * count) for k in range(1, count + 1)]


def check_dims(n: Any, d: Any) -> tuple[int, int]:
    """Validate N and D (integers >= 1; N within the float64 decoding budget)."""
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
    """The sampling domain of the sets' elements (default [-1, 1]^D), checked against the scale budget."""
    box = parse_domain(f"[-1,1]^{d}" if domain is None else domain, dim=d)
    r = max(max(abs(float(v)) for v in box.lo), max(abs(float(v)) for v in box.hi))
    if r > 1:
        raise PrecisionBudgetExceeded(
            f"the domain {domain!r} reaches |x| = {r:g} > 1; the witnesses are scaled for elements in [-1, 1]^D "
            "(powers up to x^N and exp(N x) stay well conditioned there): rescale the data into [-1, 1]^D"
        )
    return box


def precision_budget(kind: str, n: int, gammas: list[Fraction]) -> dict[str, Any]:
    """The float64 budget: the largest |w^T x| on [-1,1]^D and the largest pooled feature."""
    if kind == "lp":
        proj = 1.0 + max((abs(float(g)) for g in gammas), default=0.0)
        largest = n * proj**n
    else:
        proj = float(n)  # |p w_j^T x + q x_i| <= p + q <= N
        largest = n * float(np.exp(proj))
    return {
        "evaluation": "float64 (exact rational embedding via embed_exact)",
        "max_projection": proj,
        "largest_feature": largest,
        "feature_bits": float(np.log2(largest)),
        "n_max_float64": N_MAX_FLOAT,
        "decoder": "Newton identities + companion roots, clustering ladder, Vandermonde, Gauss-Newton polish",
    }


def add_set_arguments(parser: argparse.ArgumentParser, *, variants: bool) -> None:
    parser.add_argument("--N", type=int, default=3, help="set size N (default 3)")
    parser.add_argument("--D", type=int, default=2, help="element dimension D (default 2)")
    if variants:
        parser.add_argument("--variant", choices=VARIANTS, default="improved",
                            help="coupling count: improved K2 = N-1 (default) or the paper's K2 = N(N-1)+1")


def set_args(args: argparse.Namespace) -> dict[str, Any]:
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
