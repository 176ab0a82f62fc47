r"""Shared mathematics of the DeepSets constructions: explicit weights, exact width formulas, budgets.

(The boundary, validation, CLI and result assembly, is :mod:`constructions._deepsets_boundary`.)

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

from fractions import Fraction
from typing import Any

import numpy as np

from uat.errors import ParameterError

__all__ = [
    "VARIANTS", "N_MAX_FLOAT", "k1", "k2", "anchor_candidates", "coupling_gammas", "width_lp", "width_le",
    "lower_bound_lp", "lower_bound_le", "precision_budget", "width_table", "N_MAX_BUDGET", "MIN_SPREAD",
    "LE_MIN_HALF_WIDTH", "domain_spread", "n_max_float", "MAX_LATENT",
]

VARIANTS = ("improved", "paper")
# Largest set size any DeepSets witness accepts (LP on a centred domain, D >= 2, measured: N = 10
# recovers sets to ~1e-12 including rows 1e-3 apart; LP fails from N = 14).  Beyond it the
# builders raise PrecisionBudgetExceeded.
N_MAX_FLOAT = 10
# The float64 decoding budget per embedding, dimension class and domain.  D = 1 has a single
# anchor candidate, so no choice of a well-conditioned one; from D = 5 on, sets whose row
# differences are orthogonal to D - 1 candidates each leave fewer good anchors.  "centred"
# boxes have relative spread 1 (symmetric about 0), the others at least MIN_SPREAD.  Each entry
# is the largest N whose witness passed its own verifier at eps = 1e-8 (random sets, duplicated
# rows, rows 1e-3 r apart, anchor-adversarial sets; several seeds) on [-1,1]^D and [0,1]^D
# (docs/deepsets.md, "Pitfalls and the precision budget").
N_MAX_BUDGET = {
    ("lp", "D=1", "centred"): 4, ("lp", "D=1", "off-centre"): 4,
    ("lp", "D=2..4", "centred"): 10, ("lp", "D=2..4", "off-centre"): 7,
    ("lp", "D>=5", "centred"): 8, ("lp", "D>=5", "off-centre"): 4,
    ("le", "D=1", "centred"): 4, ("le", "D=1", "off-centre"): 4,
    ("le", "D=2..4", "centred"): 6, ("le", "D=2..4", "off-centre"): 6,
    ("le", "D>=5", "centred"): 5, ("le", "D>=5", "off-centre"): 5,
}
# Size budget: the largest latent width L a builder accepts.  LP (paper) at N = 8, D = 10 has
# L = 1,155,784: 55 s to build, a 75 MB file, and verification that runs for many minutes.
MAX_LATENT = 300_000
# Relative spread r_min / max_i(|c_i| + r_i) of the sampling box (c centre, r half-widths): below
# it the points share their leading digits and the power sums lose their spread.
MIN_SPREAD = Fraction(1, 2)
# LE also needs absolute room: exp(w.x) on a box of half-width r < 1/2 clusters near 1.
LE_MIN_HALF_WIDTH = Fraction(1, 2)


def domain_spread(lo: Any, hi: Any) -> tuple[Fraction, Fraction]:
    r"""The relative spread :math:`\min_i r_i / \max_i(|c_i| + r_i)` of a box and its smallest half-width.

    Parameters
    ----------
    lo, hi : sequences of Fraction
        The box's corners.

    Returns
    -------
    (Fraction, Fraction)

    >>> domain_spread([0, 0], [1, 1])
    (Fraction(1, 2), Fraction(1, 2))
    """
    c = [(Fraction(a) + Fraction(b)) / 2 for a, b in zip(lo, hi)]
    r = [(Fraction(b) - Fraction(a)) / 2 for a, b in zip(lo, hi)]
    return min(r) / max(abs(ci) + ri for ci, ri in zip(c, r)), min(r)


def n_max_float(kind: str, d: int, centred: bool) -> int:
    """The float64 decoding budget: the largest N for this embedding, dimension and domain class (:data:`N_MAX_BUDGET`)."""
    dims = "D=1" if d == 1 else "D=2..4" if d <= 4 else "D>=5"
    return N_MAX_BUDGET[(kind, dims, "centred" if centred else "off-centre")]


def k1(n: int, d: int) -> int:
    r"""The number of anchor candidates :math:`K_1 = N(N-1)(D-1)/2 + 1` (the pigeonhole count of Lemma 4.4).

    Each pair of distinct points of a set rules out at most :math:`D - 1` candidates in general
    position, so one of :math:`K_1` candidates separates every pair: an anchor.

    Parameters
    ----------
    n, d : int
        Set size :math:`N` and element dimension :math:`D`.

    Returns
    -------
    int
    """
    return n * (n - 1) * (d - 1) // 2 + 1


def k2(n: int, variant: str) -> int:
    r"""The number of coupling coefficients :math:`K_2`: :math:`N(N-1)+1` (paper, Lemma 4.5) or :math:`N-1` (improved).

    Parameters
    ----------
    n : int
        Set size :math:`N`.
    variant : {"improved", "paper"}
        Which count (the improved one is proved in :mod:`constructions.deepsets_lp`).

    Returns
    -------
    int
    """
    if variant not in VARIANTS:
        raise ParameterError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    return n * (n - 1) + 1 if variant == "paper" else n - 1


def width_lp(n: int, d: int, variant: str = "improved") -> int:
    r"""The LP latent width :math:`L = N(D + K_1 + D K_1 K_2)` (Wang et al. 2024, Sec. 4; rnn_deepsets.md B5).

    Parameters
    ----------
    n, d : int
        Set size :math:`N` and element dimension :math:`D`.
    variant : {"improved", "paper"}
        The coupling count :math:`K_2` (:func:`k2`).

    Returns
    -------
    int
    """
    a = k1(n, d)
    return n * (d + a + d * a * k2(n, variant))


def width_le(n: int, d: int) -> int:
    r"""The LE latent width :math:`L = ND + NK_1 + DK_1N(N-1)/2` (channel, anchor and mixed terms).

    Parameters
    ----------
    n, d : int
        Set size :math:`N` and element dimension :math:`D`.

    Returns
    -------
    int
    """
    a = k1(n, d)
    return n * d + n * a + d * a * (n * (n - 1) // 2)


def lower_bound_lp(n: int, d: int) -> int:
    r"""The LP lower bound :math:`N(D+1)` for :math:`D \ge 2` (Theorem 4.6), and :math:`N` for :math:`D = 1`.

    Theorem 4.6 needs :math:`D \ge 2`: with one feature, the power sums of a single direction
    are injective, so :math:`L = N` is necessary and sufficient (Zaheer et al.; Wagstaff et al.).

    Parameters
    ----------
    n, d : int
        Set size :math:`N` and element dimension :math:`D`.

    Returns
    -------
    int

    >>> lower_bound_lp(3, 2), lower_bound_lp(3, 1)
    (9, 3)
    """
    return n if d == 1 else n * (d + 1)


def lower_bound_le(n: int, d: int) -> int:
    r"""The lower bound :math:`ND`: the dimension count for any continuous injective sum-decomposition.

    Parameters
    ----------
    n, d : int
        Set size :math:`N` and element dimension :math:`D`.

    Returns
    -------
    int
    """
    return n * d


def width_table(ns: Any, ds: Any) -> list[dict[str, int]]:
    r"""Width table for docs and benchmarks: per (N, D) the widths of both LP variants and of LE, the bounds.

    Parameters
    ----------
    ns, ds : iterable of int
        Set sizes and dimensions.

    Returns
    -------
    list of dict
        Keys ``N``, ``D``, ``lp_improved``, ``lp_paper``, ``le``, ``lower_lp``, ``lower_le``,
        ``upper_lp`` (:math:`N^5D^2`), ``upper_le`` (:math:`N^4D^2`).
    """
    return [
        {"N": n, "D": d, "lp_improved": width_lp(n, d, "improved"), "lp_paper": width_lp(n, d, "paper"),
         "le": width_le(n, d), "lower_lp": lower_bound_lp(n, d), "lower_le": lower_bound_le(n, d),
         "upper_lp": n**5 * d**2, "upper_le": n**4 * d**2}
        for n in ns for d in ds
    ]


def anchor_candidates(n: int, d: int) -> list[list[Fraction]]:
    r"""The :math:`K_1` anchor candidates :math:`w_j \propto (1, \tau_j, \dots, \tau_j^{D-1})`, unit :math:`\ell_1` norm.

    :math:`\tau_j = (4j - 2K_1 - 1)/(2K_1 + 1)`; any D of them form a scaled Vandermonde matrix, so
    they are in general position (Lemma 4.4 needs that).

    Parameters
    ----------
    n, d : int
        Set size :math:`N` and element dimension :math:`D`.

    Returns
    -------
    list of list of Fraction
        :math:`K_1` exact rows of length D.

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
    r"""The coupling coefficients :math:`\gamma_k = (4k - 2K_2 - 1)/(2K_2)`: distinct, nonzero, in (-1, 1).

    Parameters
    ----------
    count : int
        :math:`K_2`.

    Returns
    -------
    list of Fraction

    >>> [str(g) for g in coupling_gammas(3)]
    ['-1/2', '1/6', '5/6']
    """
    return [Fraction(4 * k - 2 * count - 1, 2 * count) for k in range(1, count + 1)]




def precision_budget(kind: str, n: int, gammas: list[Fraction], n_max: int = N_MAX_FLOAT) -> dict[str, Any]:
    r"""The float64 budget: the largest projection :math:`|w^\top x|` on :math:`[-1,1]^D` and the largest pooled feature.

    LP: :math:`|(e_i - \gamma w_j)^\top x| \le 1 + \max|\gamma|`, features up to :math:`N(1 + \max|\gamma|)^N`;
    LE: :math:`|p\,w_j^\top x + q\,x_i| \le N`, features up to :math:`N e^N`.

    Parameters
    ----------
    kind : {"lp", "le"}
        The embedding.
    n : int
        Set size :math:`N`.
    gammas : list of Fraction
        The coupling coefficients (LP).
    n_max : int
        The decoding budget for this witness's dimension and domain (:func:`n_max_float`).

    Returns
    -------
    dict
    """
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
        "n_max_float64": n_max,
        "decoder": "Newton identities + companion roots, clustering ladder, Vandermonde, Gauss-Newton polish",
    }
