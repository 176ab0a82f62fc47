r"""Export of :class:`uat.recurrent.Recurrent` (deep RNN / BRNN) to a float64 PyTorch module.

:class:`RecurrentModule` computes, on a batch ``x`` of shape ``(batch, T, d_x)``,

.. math:: h_0 = x P^\top,\quad h_l[t] = \sigma_l(h_l[t-1] A_l^\top + h_{l-1}[t] B_l^\top + \theta_l),
          \quad y = h_L Q^\top + q,

with :math:`h_l[0] = 0`; a :class:`BiRecurrentLayer` runs its backward cell from :math:`t = T`
down and mixes :math:`W R + \bar W \bar R`.  Weights are float64 parameters (exact weights are
correctly rounded first, as :meth:`~uat.recurrent.Recurrent.as_float` does), so the module
agrees with :meth:`~uat.recurrent.Recurrent.evaluate` to float64 roundoff (tolerance
``torch_vs_numpy``).  Token-wise cells (:math:`A = 0`) skip the time loop.

>>> import torch
>>> from uat.recurrent import Recurrent
>>> net = Recurrent.create(lift=[[1], [1]], cells=[([[0, 0], [1, 1]], [[1, 0], [-1, 0]], [0, 0], "relu")],
...                        readout=[[1, 1]])
>>> module = to_torch_rnn(net)
>>> module(torch.tensor([[[0.2], [0.7], [0.1]]], dtype=torch.float64))[0, :, 0]
tensor([0.2000, 0.7000, 0.7000], dtype=torch.float64, grad_fn=<SelectBackward0>)
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..recurrent import BiLayer, Cell, Recurrent
from . import UnsupportedModule
from ._torch import _activation_module

__all__ = ["to_torch_rnn", "RecurrentModule", "RecurrentCell", "BiRecurrentLayer"]

_DTYPE = torch.float64


def _param(a: np.ndarray) -> nn.Parameter:
    return nn.Parameter(torch.tensor(np.asarray(a, dtype=np.float64), dtype=_DTYPE))


class RecurrentCell(nn.Module):
    """One cell ``h[t] = act(A h[t-1] + B u[t] + theta)``; ``reverse=True`` runs t = T..1."""

    def __init__(self, cell: Cell, reverse: bool = False) -> None:
        super().__init__()
        self.input = _param(cell.input)
        self.bias = _param(cell.bias)
        self.recurrent = _param(cell.recurrent) if cell.is_recurrent else None
        self.act = _activation_module(cell.activation) or nn.Identity()
        self.reverse = reverse

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        z = u @ self.input.T + self.bias
        if self.recurrent is None:
            return self.act(z)
        T = z.shape[1]
        out = [None] * T
        prev = None
        for t in (range(T - 1, -1, -1) if self.reverse else range(T)):
            zt = z[:, t] if prev is None else z[:, t] + prev @ self.recurrent.T
            prev = self.act(zt)
            out[t] = prev
        return torch.stack(out, dim=1)

    def extra_repr(self) -> str:
        kind = "recurrent" if self.recurrent is not None else "token-wise"
        return f"{self.input.shape[1]} -> {self.input.shape[0]}, {kind}{', reverse' if self.reverse else ''}"


class BiRecurrentLayer(nn.Module):
    """A BRNN layer: ``W forward(u) + Wbar backward(u)``."""

    def __init__(self, layer: BiLayer) -> None:
        super().__init__()
        self.forward_cell = RecurrentCell(layer.forward)
        self.backward_cell = RecurrentCell(layer.backward, reverse=True)
        self.mix_forward = _param(layer.mix_forward)
        self.mix_backward = _param(layer.mix_backward)

    def forward(self, u: torch.Tensor) -> torch.Tensor:
        return self.forward_cell(u) @ self.mix_forward.T + self.backward_cell(u) @ self.mix_backward.T


class RecurrentModule(nn.Module):
    """The deep (B)RNN: lift P, layers, readout Q (see the module docstring)."""

    def __init__(self, net: Recurrent) -> None:
        super().__init__()
        net = net.as_float()
        self.lift = _param(net.lift)
        self.layers = nn.ModuleList(BiRecurrentLayer(l) if isinstance(l, BiLayer) else RecurrentCell(l) for l in net.layers)
        self.readout = _param(net.readout)
        self.readout_bias = None if net.readout_bias is None else _param(net.readout_bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x @ self.lift.T
        for layer in self.layers:
            h = layer(h)
        y = h @ self.readout.T
        return y if self.readout_bias is None else y + self.readout_bias


def to_torch_rnn(net: Recurrent) -> RecurrentModule:
    """The network as a float64 :class:`RecurrentModule` (input ``(batch, T, d_x)``)."""
    if not isinstance(net, Recurrent):
        raise UnsupportedModule(f"to_torch_rnn needs a Recurrent network, got {type(net).__name__}")
    return RecurrentModule(net)
