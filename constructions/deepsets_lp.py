r"""``deepsets-lp``: an injective linear + power (LP) sum embedding with an explicit decoder.

Wang, Yang, Li, Wang, Li, ICLR 2024 (arXiv 2307.04001), Theorem 3.1 (LP): every continuous
permutation-invariant :math:`f` on :math:`K^{N\times D}` is :math:`\rho(\sum_n\phi(x^{(n)}))` with
:math:`\phi(x) = [\psi_N(w_1^\top x), \dots, \psi_N(w_K^\top x)]`, :math:`\psi_N(z) = (z, \dots, z^N)`,
for some latent width :math:`L = NK \in [N(D+1), N^5 D^2]`.  The weights
(:mod:`constructions._deepsets_common`) are the D buffers :math:`e_i`, :math:`K_1` anchor
candidates in general position, and the couplings :math:`e_i - \gamma_k w_j`:

* ``variant="paper"``: :math:`K_2 = N(N-1)+1` coefficients, the paper's count (Lemma 4.5);
* ``variant="improved"`` (default): :math:`K_2 = N-1` suffice.  Proof: with
  :math:`d_r(\gamma) = e_r(x - \gamma y) - e_r(x' - \gamma y')`, a polynomial of degree
  :math:`\le r` whose constant and leading coefficients vanish when :math:`x\sim x'` and
  :math:`y\sim y'`, :math:`d_r = \gamma q_r` with :math:`\deg q_r \le N-2`; vanishing at N-1
  nonzero :math:`\gamma` forces :math:`d_r\equiv 0`, and unique factorisation of
  :math:`\prod_n(z - x_n + \gamma y_n)` aligns the columns.

Both are injective on multisets (rational-arithmetic checks in the tests), and
:math:`\rho` = target :math:`\circ` decode is exact in exact arithmetic; in float64 the
decoder's roundoff is what the verifier measures.

>>> from constructions import build
>>> c = build("deepsets-lp", "pairwise-distance-sum", N=4, D=3)
>>> c.network.width, c.parameters["K1"], c.parameters["K2"], c.extra_metadata["lower_bound"]
(532, 13, 3, 16)
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
from ._deepsets_common import anchor_candidates, coupling_gammas, k1, k2, lower_bound_lp, precision_budget, width_lp
from ._registry import Construction, ConstructionSpec, ContractCase, register

__all__ = ["build_deepsets_lp", "width", "supports", "demo_cases"]

THEOREM = "wang2024-deepsets-lp"


def width(N: int, D: int, variant: str = "improved") -> int:  # noqa: N803 (names from the paper)
    r"""The latent width :math:`L = N(D + K_1 + D K_1 K_2)` of the LP witness (Wang et al., ICLR 2024, Sec. 4).

    :math:`K_1 = N(N-1)(D-1)/2 + 1` anchor candidates; :math:`K_2 = N - 1` (improved) or
    :math:`N(N-1) + 1` (the paper's Lemma 4.5) coupling coefficients.

    Parameters
    ----------
    N, D : int
        Set size and element dimension.
    variant : {"improved", "paper"}
        The coupling count.

    Returns
    -------
    int
    """
    return width_lp(N, D, variant)


def build_deepsets_lp(target: Any = None, *, N: int = 3, D: int = 2, variant: str = "improved",  # noqa: N803
                      eps: Any = None, domain: Any = None, progress: Any = "auto") -> Construction:
    r"""Build the LP witness :math:`f = \rho(\sum_n \phi(x^{(n)}))`, :math:`\phi(x) = (\psi_N(w_k^\top x))_k`, for sets of N points in :math:`\mathbb R^D`.

    Wang et al. (ICLR 2024), Theorem 3.1 (LP), with the explicit weights of the module docstring.

    Parameters
    ----------
    target : str or SetTarget, optional
        The set target composed with the decoder (:mod:`uat.set_targets`); default: the
        decoded set itself (``lex-sort``).
    N, D : int
        Set size and element dimension (N within the float64 decoding budget
        :data:`~constructions._deepsets_common.N_MAX_BUDGET`: 4 for D = 1; for D = 2..4, 10 on a
        centred box and 7 otherwise; for D >= 5, 8 and 4).
    variant : {"improved", "paper"}
        K2 = N - 1 or the paper's K2 = N(N-1) + 1 coupling coefficients.
    eps : float, optional
        The accuracy the verifier judges (default 1e-8; the representation itself is exact).
    domain : str or Box, optional
        Where the verifier samples set elements (default [-1, 1]^D; must lie in [-1, 1]^D with
        relative spread >= 1/2, :func:`~constructions._deepsets_boundary.check_budget`).
    progress : ignored
        Accepted for a uniform CLI.

    Returns
    -------
    Construction
    """
    n, d = check_dims(N, D)
    count = k2(n, variant)
    box = domain_box(domain, d)
    n_max = check_budget("lp", n, d, box)
    check_size(f"deepsets-lp ({variant})", width_lp(n, d, variant))
    readout, target_text = resolve_target(target, n, d)
    gammas = coupling_gammas(count)
    layout = AnchorLayout("lp", n, anchor_candidates(n, d), gammas)
    net = DeepSets(SetEmbedding("lp", layout.weight(), degree=n), n, layout, readout)
    return set_construction(
        net, name="deepsets-lp", theorem=THEOREM, width=width_lp(n, d, variant),
        parameters={"N": n, "D": d, "variant": variant, "K1": k1(n, d), "K2": count},
        precision=precision_budget("lp", n, gammas, n_max), target_text=target_text, box=box, eps=eps, kind="lp",
        variant=variant,
    )


def _contract_cases() -> list[ContractCase]:
    return [
        ContractCase("N=3 D=2 pairwise", "pairwise-distance-sum", {"N": 3, "D": 2}, {"N": 3, "D": 2}, "sup", 1e-8),
        ContractCase("N=4 D=3 max", "max(channel=2)", {"N": 4, "D": 3}, {"N": 4, "D": 3}, "sup", 1e-8),
        ContractCase("N=3 D=2 paper chamfer", "chamfer", {"N": 3, "D": 2, "variant": "paper"},
                     {"N": 3, "D": 2, "variant": "paper"}, "sup", 1e-8),
    ]


register(ConstructionSpec(
    name="deepsets-lp",
    theorem=THEOREM,
    family="deepsets",
    norm="exact",
    summary="DeepSets LP embedding (linear + powers) with anchors, couplings and an explicit decoder",
    width=width,
    supports=supports,
    builder=build_deepsets_lp,
    add_arguments=partial(add_set_arguments, variants=True),
    from_args=set_args,
    width_kind="upper bound (exact formula); the minimum lies in [N(D+1), N^5 D^2]",
    contract_cases=_contract_cases,
))


def demo_cases(quick: bool = False) -> list[DemoCase]:
    """One DeepSets witness for ``uat demo``: the sum of pairwise squared distances of N points in R^D.

    Parameters
    ----------
    quick : bool
        Smaller settings for ``uat demo --quick``: N = 3, D = 2 instead of N = 4, D = 3.

    Returns
    -------
    list of uat._demo.DemoCase
    """
    from ._registry import build

    n, d = (3, 2) if quick else (4, 3)
    c = build("deepsets-lp", "pairwise-distance-sum", N=n, D=d, progress="quiet")
    return [DemoCase(title=f"deepsets-lp pairwise distances (N={n}, D={d})", theorem=c.theorem, network=c.network,
                     target="pairwise-distance-sum", domain=c.domain, norm="sup", eps=c.epsilon,
                     minimum=f"[{lower_bound_lp(n, d)}, {n**5 * d**2}]")]
