r"""Export of a DeepSets embedding to PyTorch: :math:`X \mapsto \sum_n \phi(x^{(n)})` as a float64 module.

The module computes :math:`\phi` (the linear map W, then powers 1..N for LP or exp for LE) and
the sum pooling, for a batch ``(B, N, D) -> (B, L)``, with the same coordinate order as
:meth:`uat.DeepSets.embed` (LP: coordinate ``k * N + (m - 1)`` is
:math:`\sum_n (w_k^\top x_n)^m`) and the same arithmetic (powers by repeated multiplication),
so outputs agree with numpy to float64 roundoff (tolerance ``torch_vs_numpy``).
:math:`\rho` = target :math:`\circ` decode is an explicit algorithm, not a layered network, and
stays in numpy: feed the pooled vector to :meth:`uat.DeepSets.rho`.

>>> import numpy as np, torch
>>> from uat.set_embedding import SetEmbedding
>>> from uat.deepsets import DeepSets
>>> net = DeepSets(SetEmbedding("lp", [[1, 0], [1, 1]], degree=2), 2)
>>> module = deepsets_to_torch(net)
>>> module
SumPooledEmbedding(kind=lp, D=2, K=2, L=4)
>>> module(torch.tensor([[[1.0, 2.0], [3.0, 4.0]]], dtype=torch.float64)).tolist()
[[4.0, 10.0, 10.0, 58.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from . import UnsupportedModule

__all__ = ["SumPooledEmbedding", "deepsets_to_torch"]


class SumPooledEmbedding(nn.Module):
    """:math:`\\Psi(X) = \\sum_n \\phi(x_n)` with :math:`\\phi = ` powers or exp of :math:`Wx` (float64)."""

    def __init__(self, weight: np.ndarray, kind: str, degree: int | None) -> None:
        super().__init__()
        self.kind = kind
        self.degree = degree
        self.register_buffer("weight", torch.tensor(np.asarray(weight, dtype=np.float64), dtype=torch.float64))

    def forward(self, sets: torch.Tensor) -> torch.Tensor:
        if sets.dim() == 2:
            sets = sets.unsqueeze(0)
        if sets.dim() != 3 or sets.shape[2] != self.weight.shape[1]:
            raise ValueError(f"expected sets of shape (B, N, {self.weight.shape[1]}), got {tuple(sets.shape)}")
        z = sets.to(torch.float64) @ self.weight.T  # (B, N, K)
        if self.kind == "le":
            return torch.exp(z).sum(dim=1)
        sums = []
        power = z
        for m in range(self.degree):
            if m:
                power = power * z
            sums.append(power.sum(dim=1))
        return torch.stack(sums, dim=2).reshape(sets.shape[0], -1)  # (B, K, N) -> (B, K N)

    def extra_repr(self) -> str:
        k, d = self.weight.shape
        width = k * (self.degree if self.kind == "lp" else 1)
        return f"kind={self.kind}, D={d}, K={k}, L={width}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


def deepsets_to_torch(net: Any) -> SumPooledEmbedding:
    """The embedding and sum pooling of a :class:`uat.DeepSets` (or a SetEmbedding) as a torch module."""
    phi = getattr(net, "phi", net)
    if not hasattr(phi, "float_weight") or getattr(phi, "kind", None) not in ("lp", "le"):
        raise UnsupportedModule(f"deepsets_to_torch needs a DeepSets value or SetEmbedding, got {type(net).__name__}")
    return SumPooledEmbedding(phi.float_weight(), phi.kind, phi.degree)
