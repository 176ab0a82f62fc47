r"""``deepsets-le``: an injective linear + exponential (LE) sum embedding with an explicit decoder.

Wang, Yang, Li, Wang, Li, ICLR 2024 (arXiv 2307.04001), Theorem 3.1 (LE): the embedding
:math:`\phi(x) = \exp(Wx)` represents every continuous permutation-invariant :math:`f` exactly
with latent width :math:`L \le N^4 D^2`.  The final paper's exact LE weights were not
available to us; this is the reconstruction of ``rnn_deepsets.md`` section B3, with the same
order :math:`N^4 D^2`.  Rows of W:

* channel terms :math:`p\,e_i` (:math:`p = 1..N`): the power sums of :math:`e^{x_i}`;
* anchor terms :math:`p\,w_j` with the moment-curve candidates of
  :mod:`constructions._deepsets_common`: the power sums of :math:`u = e^{w_j^\top x}`;
* mixed terms :math:`p\,w_j + q\,e_i`, :math:`p, q \ge 1, p + q \le N`: the bivariate power
  sums :math:`\sum_n u_n^p (e^{x_{n,i}})^q` of degree :math:`\le N`, which determine the
  multiset of pairs :math:`(w_j^\top x_n, x_{n,i})` (the submission's Lemma 4.8).  With an
  anchor among the candidates, union alignment (Lemma 4.3) recovers X, so the embedding is
  injective on multisets, repeated rows included.

:math:`L = ND + NK_1 + DK_1N(N-1)/2 \le N^4 D^2`.  The submission's LLE construction
(pairwise column alignment only, :math:`2N^2D^2`) is *not* injective: the parity pair of
four binary rows in D = 3 defeats it (docs/deepsets.md); this construction separates it.

>>> from constructions import build
>>> c = build("deepsets-le", "mean", N=3, D=2)
>>> c.network.width, c.network.embedding, c.extra_metadata["upper_bound_paper"]
(42, 'le', 324)
"""

from __future__ import annotations

from functools import partial
from typing import Any

from uat._demo import DemoCase
from uat._set_layout import AnchorLayout
from uat.deepsets import DeepSets
from uat.set_embedding import SetEmbedding

from ._deepsets_boundary import (
    add_set_arguments, check_budget, check_dims, check_size, domain_box, resolve_target, set_args, set_construction, supports,
)
from ._deepsets_common import anchor_candidates, k1, lower_bound_le, precision_budget, width_le
from ._registry import Construction, ConstructionSpec, ContractCase, register

__all__ = ["build_deepsets_le", "width", "supports", "demo_cases"]

THEOREM = "wang2024-deepsets-le"


def width(N: int, D: int, **_: Any) -> int:  # noqa: N803 (names from the paper)
    r"""The latent width :math:`L = ND + NK_1 + DK_1N(N-1)/2 \le N^4D^2` of the LE witness (Wang et al., ICLR 2024, Thm 3.1).

    Parameters
    ----------
    N, D : int
        Set size and element dimension.

    Returns
    -------
    int
    """
    return width_le(N, D)


def build_deepsets_le(target: Any = None, *, N: int = 3, D: int = 2, eps: Any = None,  # noqa: N803
                      domain: Any = None, progress: Any = "auto") -> Construction:
    r"""Build the LE witness :math:`f = \rho(\sum_n \exp(Wx^{(n)}))` for sets of N points in :math:`\mathbb R^D`.

    The rows of W are the channel, anchor and mixed terms of the module docstring; :math:`\rho` is
    the target composed with the exact decoder (no training, no a-priori float64 bound).

    Parameters
    ----------
    target : str or SetTarget, optional
        The set target composed with the decoder (default: the decoded set, ``lex-sort``).
    N, D : int
        Set size and element dimension (N within the float64 decoding budget
        :data:`~constructions._deepsets_common.N_MAX_BUDGET`: 4 for D = 1, 6 for D = 2..4, 5 beyond).
    eps : float, optional
        The accuracy the verifier judges (default 1e-8).
    domain : str or Box, optional
        Where the verifier samples set elements (default and largest :math:`[-1, 1]^D`; half-widths
        >= 1/2 and relative spread >= 1/2, :func:`~constructions._deepsets_boundary.check_budget`).
    progress : ignored
        Accepted for a uniform CLI.

    Returns
    -------
    Construction
    """
    n, d = check_dims(N, D)
    box = domain_box(domain, d)
    n_max = check_budget("le", n, d, box)
    check_size("deepsets-le", width_le(n, d))
    readout, target_text = resolve_target(target, n, d)
    layout = AnchorLayout("le", n, anchor_candidates(n, d))
    net = DeepSets(SetEmbedding("le", layout.weight()), n, layout, readout)
    return set_construction(
        net, name="deepsets-le", theorem=THEOREM, width=width_le(n, d), parameters={"N": n, "D": d, "K1": k1(n, d)},
        precision=precision_budget("le", n, [], n_max), target_text=target_text, box=box, eps=eps, kind="le", variant=None,
    )


def _contract_cases() -> list[ContractCase]:
    return [
        ContractCase("N=3 D=2 min distance", "min-pairwise-distance", {"N": 3, "D": 2}, {"N": 3, "D": 2}, "sup", 1e-8),
        ContractCase("N=4 D=3 order statistic", "order-statistic(k=2, channel=3)", {"N": 4, "D": 3},
                     {"N": 4, "D": 3}, "sup", 1e-8),
    ]


register(ConstructionSpec(
    name="deepsets-le",
    theorem=THEOREM,
    family="deepsets",
    norm="exact",
    summary="DeepSets LE embedding (linear + exp) with anchors, bivariate exponential moments and a decoder",
    width=width,
    supports=supports,
    builder=build_deepsets_le,
    add_arguments=partial(add_set_arguments, variants=False),
    from_args=set_args,
    width_kind="upper bound (exact formula, <= N^4 D^2); the minimum is at least N D",
    contract_cases=_contract_cases,
))


def demo_cases(quick: bool = False) -> list[DemoCase]:
    """No LE witness in ``uat demo`` (it shows one DeepSets witness, ``deepsets-lp``); the tests exercise LE.

    Parameters
    ----------
    quick : bool
        Smaller settings for ``uat demo --quick``.

    Returns
    -------
    list of uat._demo.DemoCase
    """
    return []  # the demo shows one DeepSets witness (deepsets-lp); LE is exercised by the tests


_ = lower_bound_le  # re-exported for docs and tests
