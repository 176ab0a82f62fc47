r"""Export to PyTorch: a float64 ``nn.Sequential`` that computes the same function as numpy.

A network :math:`h_l = \sigma_l(W_l h_{l-1} + b_l)` becomes ``nn.Sequential(Linear_1, act_1,
Linear_2, act_2, ...)`` with ``dtype=torch.float64``; identity activations add no module.
Exact (Fraction) weights are correctly rounded to float64 first, exactly as
:meth:`~uat.FeedForward.as_float` does, so the module agrees with
:meth:`~uat.FeedForward.evaluate` to float64 roundoff (tolerance ``torch_vs_numpy``).

Activation modules (each computes the same formula as :meth:`uat.Activation.numpy`):

==================  ===============================================================
uat activation      torch module
==================  ===============================================================
relu                ``nn.ReLU()``
leaky_relu(a)       ``nn.LeakyReLU(float(a))``
step                :class:`Step` -- :math:`\mathbb{1}[t \ge 0]`
stepped_leaky_relu  :class:`SteppedLeakyReLU` -- :math:`t` for :math:`t \ge 0`,
(a)                 :math:`a t - 1` otherwise (the jump of Rochau-Chan-Gottschalk)
power(k)            :class:`Power` -- :math:`t^k`
softplus            :class:`LogAddExpSoftplus` -- ``logaddexp(0, t)``; ``nn.Softplus``
                    switches to the identity above ``threshold=20``, an error of
                    :math:`e^{-20} \approx 2\cdot 10^{-9}`
gelu                ``nn.GELU(approximate='none')`` (the exact erf form)
tanh, sigmoid       ``nn.Tanh()``, ``nn.Sigmoid()``
exp                 :class:`Exp`
per-neuron          :class:`PerNeuron` -- each neuron's own module on its columns
[a_1, ..., a_n]     (:class:`uat._mixed.MixedActivation`, e.g. ReLU+STEP layers)
==================  ===============================================================

Deep networks are built from the packed block arrays (one numpy-to-torch copy per block)
and without torch's random initialisation (depth :math:`10^4`: 1.4 s to 7 s, docs/exports.md).

Files: :func:`uat.export.save_torch` / :func:`uat.export.load_torch` (:mod:`uat.export._torch_io`).

>>> import torch
>>> from uat import FeedForward
>>> net = FeedForward.from_layers([([[1], [-1]], [0, 0], "relu"), ([[1, 1]], [0])])
>>> module = to_torch(net)
>>> module
Sequential(
  (0): Linear(in_features=1, out_features=2, bias=True)
  (1): ReLU()
  (2): Linear(in_features=2, out_features=1, bias=True)
)
>>> module(torch.tensor([[-0.5]], dtype=torch.float64))
tensor([[0.5000]], dtype=torch.float64, grad_fn=<AddmmBackward0>)
>>> from_torch(module) == net.as_float()
True
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterable, Iterator, Mapping

import numpy as np
import torch
from torch import nn

from ..activations import IDENTITY, RELU, Activation, leaky_relu, parse_activation, stepped_leaky_relu
from ..errors import ActivationError, UatError
from .._scalars import float_array
from ..network import FeedForward, Layer
from . import UnsupportedModule

__all__ = [
    "to_torch",
    "from_torch",
    "Step",
    "SteppedLeakyReLU",
    "Power",
    "LogAddExpSoftplus",
    "Exp",
    "PerNeuron",
]

# nn.Softplus(threshold=T) returns t for t > T; above t = 37, log(1 + e^t) rounds to t in
# float64, so a threshold of at least this value gives the same float64 function.
SOFTPLUS_MIN_THRESHOLD = 40.0
_DTYPE = torch.float64


class Step(nn.Module):
    r"""The Heaviside step :math:`\mathbb{1}[t \ge 0]` (value 1 at 0), as uat's ``step``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x >= 0).to(x.dtype)


class SteppedLeakyReLU(nn.Module):
    r"""The stepped leaky ReLU :math:`t` (:math:`t \ge 0`), :math:`a t - 1` (:math:`t < 0`), as uat's
    ``stepped_leaky_relu(a)``: the value at 0 is 0 (the identity branch), the limit from the left -1.

    ``uat_activation`` holds the exact slope when the module comes from :func:`to_torch`.
    """

    def __init__(self, negative_slope: float, uat_activation: str | None = None) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)
        if uat_activation is not None:
            self.uat_activation = uat_activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.where(x >= 0, x, self.negative_slope * x - 1.0)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope!r}"


class Power(nn.Module):
    r"""The power :math:`t \mapsto t^k` for an integer :math:`k \ge 1` (uat's ``power(k)``)."""

    def __init__(self, k: int) -> None:
        super().__init__()
        self.k = int(k)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.pow(x, self.k)

    def extra_repr(self) -> str:
        return f"k={self.k}"


class LogAddExpSoftplus(nn.Module):
    r"""Softplus :math:`\log(1 + e^t)` computed as ``logaddexp(0, t)`` (no identity cut-off)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.logaddexp(x, torch.zeros((), dtype=x.dtype, device=x.device))


class Exp(nn.Module):
    r"""The exponential :math:`e^t` (uat's ``exp``, used by DeepSets LE embeddings)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.exp(x)


class PerNeuron(nn.Module):
    r"""Per-neuron activations (uat's :class:`~uat._mixed.MixedActivation`): neuron ``j`` uses its own
    activation, e.g. ``[relu, relu, step]`` in Park et al.'s ReLU+STEP networks.

    ``parts[k]`` is applied to the columns ``index_k`` (a buffer); the columns of identity neurons
    are copied.  ``uat_activation`` holds the exact text form when the module comes from
    :func:`to_torch`.
    """

    def __init__(self, size: int, groups: list[tuple[nn.Module, list[int]]], uat_activation: str | None = None) -> None:
        super().__init__()
        self.size = int(size)
        self.parts = nn.ModuleList([module for module, _ in groups])
        for k, (_, idx) in enumerate(groups):
            self.register_buffer(f"index_{k}", torch.tensor(list(idx), dtype=torch.long))
        if uat_activation is not None:
            self.uat_activation = uat_activation

    def groups(self) -> list[tuple[nn.Module, torch.Tensor]]:
        return [(part, getattr(self, f"index_{k}")) for k, part in enumerate(self.parts)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = x.new_empty(x.shape)
        for part, idx in self.groups():
            out[..., idx] = part(x[..., idx])
        return out

    def extra_repr(self) -> str:
        return f"size={self.size}"


# -- uat -> torch -----------------------------------------------------------------------------


def _activation_module(act: Any) -> nn.Module | None:
    if act.name == "mixed":  # per-neuron activations: one module per distinct activation
        groups = []
        for a in act.distinct:
            idx = [j for j in range(act.size) if act.neuron(j) == a]
            groups.append((_activation_module(a) or nn.Identity(), idx))
        return PerNeuron(act.size, groups, str(act))
    name = act.name
    if name == "identity":
        return None
    if name == "relu":
        return nn.ReLU()
    if name == "leaky_relu":
        module = nn.LeakyReLU(float(act.negative_slope))
        module.uat_activation = str(act)  # lets from_torch recover the exact slope
        return module
    if name == "step":
        return Step()
    if name == "stepped_leaky_relu":
        return SteppedLeakyReLU(float(act.negative_slope), str(act))
    if name == "power":
        return Power(int(act.param))  # type: ignore[arg-type]
    if name == "softplus":
        return LogAddExpSoftplus()
    if name == "gelu":
        return nn.GELU(approximate="none")
    if name == "tanh":
        return nn.Tanh()
    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "exp":
        return Exp()
    raise ActivationError(f"no torch module for the activation {act}")  # pragma: no cover


def _linear(weight: torch.Tensor, bias: torch.Tensor) -> nn.Linear:
    """An ``nn.Linear`` holding the given tensors, skipping torch's random initialisation."""
    module = nn.Linear.__new__(nn.Linear)
    nn.Module.__init__(module)
    module.in_features = int(weight.shape[1])
    module.out_features = int(weight.shape[0])
    module.weight = nn.Parameter(weight)
    module.bias = nn.Parameter(bias)
    return module


def _sequential(layers: Iterable[tuple[torch.Tensor, torch.Tensor, Activation]]) -> nn.Sequential:
    modules: list[nn.Module] = []
    for weight, bias, act in layers:
        modules.append(_linear(weight, bias))
        extra = _activation_module(act)
        if extra is not None:
            modules.append(extra)
    return nn.Sequential(*modules)


def _net_layers(net: FeedForward) -> Iterator[tuple[torch.Tensor, torch.Tensor, Activation]]:
    for block in net.as_float().blocks:
        weights = torch.tensor(block.weights, dtype=_DTYPE)  # one copy per packed block
        biases = torch.tensor(block.biases, dtype=_DTYPE)
        for i in range(block.count):
            yield weights[i].clone(), biases[i].clone(), block.activation


def to_torch(net: FeedForward) -> nn.Sequential:
    """The network as a float64 ``torch.nn.Sequential`` (see the module docstring).

    Parameters
    ----------
    net : FeedForward
        Float64 or exact; exact weights are correctly rounded to float64.

    Returns
    -------
    torch.nn.Sequential
        ``Linear`` layers (float64) interleaved with activation modules; its outputs equal
        ``net.evaluate`` to float64 roundoff.
    """
    if type(net).__name__ == "DeepSets":  # phi and the sum pooling (uat/export/_torch_deepsets.py)
        from ._torch_deepsets import deepsets_to_torch

        return deepsets_to_torch(net)
    if type(net).__name__ == "Recurrent":  # deep RNN / BRNN (uat/export/_torch_rnn.py)
        from ._torch_rnn import to_torch_rnn

        return to_torch_rnn(net)
    if not isinstance(net, FeedForward):
        raise UnsupportedModule(f"to_torch needs a FeedForward network, got {type(net).__name__}")
    return _sequential(_net_layers(net))


# -- torch -> uat -----------------------------------------------------------------------------


def _flatten(module: nn.Module) -> Iterator[nn.Module]:
    if type(module) is nn.Sequential:
        for child in module:
            yield from _flatten(child)
    else:
        yield module


def _simple_fraction(x: float) -> Fraction:
    """The simplest-looking rational that rounds to the float ``x`` (1/10 for 0.1)."""
    for den in (10**k for k in range(1, 18)):
        f = Fraction(x).limit_denominator(den)
        if float(f) == x:
            return f
    return Fraction(x)


def _tagged_activation(module: nn.Module) -> Activation | Any | None:
    """The exact activation :func:`to_torch` recorded in ``module.uat_activation``, if there is one that parses."""
    tag = getattr(module, "uat_activation", None)
    if not isinstance(tag, str):
        return None
    try:
        return parse_activation(tag)
    except ActivationError:
        return None


def _sloped_activation(module: nn.LeakyReLU | SteppedLeakyReLU, name: str) -> Activation | None:
    """``leaky_relu`` or ``stepped_leaky_relu`` with the module's slope: the recorded exact one when it
    rounds to the module's, else the simplest rational that does (a leaky slope 0 is relu, 1 the identity)."""
    slope = float(module.negative_slope)
    act = _tagged_activation(module)
    if act is not None and act.name == name and float(act.negative_slope) == slope:
        return act
    if name == "leaky_relu" and slope in (0.0, 1.0):
        return RELU if slope == 0.0 else None
    try:
        if name == "leaky_relu":
            return leaky_relu(_simple_fraction(slope), allow_negative=True)
        return stepped_leaky_relu(_simple_fraction(slope))
    except ActivationError as exc:
        raise UnsupportedModule(f"cannot read {module!r}: {exc}") from None


def _module_activation(module: nn.Module) -> tuple[bool, Activation | None]:
    """(is an activation, the activation or None for the identity) for a recognised module."""
    kind = type(module)
    if kind is nn.Identity:
        return True, None
    if kind is nn.ReLU:
        return True, RELU
    if kind is nn.LeakyReLU:
        return True, _sloped_activation(module, "leaky_relu")
    if kind is nn.Tanh:
        return True, Activation("tanh")
    if kind is nn.Sigmoid:
        return True, Activation("sigmoid")
    if kind is nn.GELU:
        if module.approximate != "none":
            raise UnsupportedModule(
                f"cannot read {module!r}: uat's gelu is the exact erf form; use nn.GELU(approximate='none')"
            )
        return True, Activation("gelu")
    if kind is nn.Softplus:
        if float(module.beta) != 1.0 or float(module.threshold) < SOFTPLUS_MIN_THRESHOLD:
            raise UnsupportedModule(
                f"cannot read {module!r}: uat's softplus is log(1 + e^t), i.e. nn.Softplus with beta=1 and "
                f"threshold >= {SOFTPLUS_MIN_THRESHOLD:g} (the default threshold 20 cuts it off early)"
            )
        return True, Activation("softplus")
    if kind is Step:
        return True, Activation("step")
    if kind is SteppedLeakyReLU:
        return True, _sloped_activation(module, "stepped_leaky_relu")
    if kind is Power:
        return True, parse_activation(f"power({module.k})")
    if kind is LogAddExpSoftplus:
        return True, Activation("softplus")
    if kind is Exp:
        return True, Activation("exp")
    if kind is PerNeuron:
        return True, _per_neuron_activation(module)
    return False, None


def _per_neuron_activation(module: PerNeuron) -> Any:
    """The per-neuron activation of a :class:`PerNeuron` module, read from its parts."""
    from .._mixed import per_neuron

    parts: list[Any] = [None] * module.size
    for position, (part, idx) in enumerate(module.groups()):
        known, act = _module_activation(part)
        if not known or type(part) is PerNeuron:
            raise UnsupportedModule(f"cannot read part {position} of {module!r}: {part!r} is not a single activation")
        for j in idx.tolist():
            if not 0 <= j < module.size or parts[j] is not None:
                raise UnsupportedModule(f"{module!r}: neuron {j} is out of range or covered twice")
            parts[j] = act if act is not None else IDENTITY
    missing = [j for j, a in enumerate(parts) if a is None]
    if missing:
        raise UnsupportedModule(f"{module!r}: neurons {missing} have no activation")
    act = per_neuron(parts)
    tagged = _tagged_activation(module)  # the exact slopes recorded by to_torch, if they round to the module's ones
    if tagged is not None and str(_float_view(tagged)) == str(_float_view(act)):
        return tagged
    return act


def _float_view(act: Any) -> str:
    """Text of an activation with its parameters as floats (to compare exact tags with read slopes)."""
    parts = act.parts if act.name == "mixed" else (act,)
    return ",".join(p.name if p.param is None else f"{p.name}({float(p.param)!r})" for p in parts)


def _tensor_array(t: torch.Tensor | None, shape: tuple[int, ...], what: str) -> np.ndarray:
    if t is None:
        return np.zeros(shape, dtype=np.float64)
    if t.is_complex() or not t.is_floating_point():
        raise UnsupportedModule(f"{what} has dtype {t.dtype}; only real floating-point tensors can be read")
    if t.device.type == "meta":
        raise UnsupportedModule(f"{what} lives on the meta device and has no values")
    return float_array(t.detach().to("cpu", torch.float64).numpy(), what=what)


def from_torch(module: nn.Module, *, metadata: Mapping[str, Any] | None = None) -> FeedForward:
    """Read a float64 :class:`~uat.FeedForward` from a ``Linear``/activation sequence.

    Recognised modules: ``nn.Linear`` (with or without bias), ``nn.ReLU``, ``nn.LeakyReLU``,
    ``nn.Tanh``, ``nn.Sigmoid``, ``nn.GELU(approximate='none')``, ``nn.Softplus(beta=1,
    threshold>=40)``, ``nn.Identity``, the modules :func:`to_torch` emits (:class:`Step`,
    :class:`SteppedLeakyReLU`, :class:`Power`, :class:`LogAddExpSoftplus`, :class:`Exp`,
    :class:`PerNeuron` for per-neuron activations), and nested ``nn.Sequential``.
    Each activation applies to the preceding ``Linear``; a ``Linear`` with no activation
    after it gets the identity.  Float32 or float16 weights are widened exactly.

    A ``LeakyReLU`` or ``SteppedLeakyReLU`` slope is read as the simplest rational that rounds
    to it (0.1 -> 1/10), unless the module came from :func:`to_torch`, which records the exact
    slope.

    Raises
    ------
    UnsupportedModule
        For any other module type (named in the message), an activation with no ``Linear``
        before it, or two activations in a row.
    """
    if not isinstance(module, nn.Module):
        raise UnsupportedModule(f"from_torch needs a torch.nn.Module, got {type(module).__name__}")
    weights: list[np.ndarray] = []
    biases: list[np.ndarray] = []
    acts: list[Activation] = []
    has_act: list[bool] = []
    for position, child in enumerate(_flatten(module)):
        if type(child) is nn.Linear:
            n_out, n_in = child.weight.shape
            where = f"module {position} ({child!r})"
            weights.append(_tensor_array(child.weight, (n_out, n_in), f"the weight of {where}"))
            biases.append(_tensor_array(child.bias, (n_out,), f"the bias of {where}"))
            acts.append(IDENTITY)
            has_act.append(False)
            continue
        known, act = _module_activation(child)
        if not known:
            raise UnsupportedModule(
                f"from_torch cannot read module {position}: {child!r} (type {type(child).__module__}."
                f"{type(child).__qualname__}); it reads only nn.Linear followed by ReLU, LeakyReLU, Tanh, "
                "Sigmoid, GELU(approximate='none'), Softplus(beta=1, threshold>=40), Identity, or uat's "
                "Step, SteppedLeakyReLU, Power, LogAddExpSoftplus, Exp, PerNeuron"
            )
        if act is None:
            continue  # identity adds nothing
        if not acts:
            raise UnsupportedModule(f"module {position} ({child!r}) is an activation with no nn.Linear before it")
        if has_act[-1]:
            raise UnsupportedModule(
                f"module {position} ({child!r}) follows another activation; uat layers have one activation "
                "after each affine map (insert an identity nn.Linear to compose activations)"
            )
        acts[-1] = act
        has_act[-1] = True
    if not weights:
        raise UnsupportedModule(f"{type(module).__name__} contains no nn.Linear layer")
    try:
        layers = [Layer(w, b, a) for w, b, a in zip(weights, biases, acts)]
        return FeedForward.from_layer_values(layers, metadata=metadata)
    except UatError:
        raise
    except ValueError as exc:  # pragma: no cover - shape errors are UatErrors already
        raise UnsupportedModule(str(exc)) from None
