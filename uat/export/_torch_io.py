r"""Torch files: ``uat.torch/1``, read with ``torch.load(path, weights_only=True)``.

The payload holds only tensors, strings and ints (no pickled classes)::

    {"format": "uat.torch/1",
     "architecture": [{"in_features": 2, "out_features": 3, "activation": "relu", "count": 1}, ...],
     "weights": [<float64 tensor (count, out, in)> per entry], "biases": [<(count, out)> per entry],
     "metadata": "<the witness metadata as JSON text>", "exact_source": False}

One architecture entry per packed block of the network (a run of equal layers), with its
layers stacked in one tensor: the weights-only unpickler is slow per tensor, so depth
:math:`10^4` saves and loads in well under a second this way.

>>> import os, tempfile, torch
>>> from uat.testing import tent_network
>>> path = os.path.join(tempfile.mkdtemp(), "tent.pt")
>>> save_torch(tent_network(2), path)
>>> torch.load(path, weights_only=True)["architecture"][1]
{'in_features': 2, 'out_features': 2, 'activation': 'relu', 'count': 1}
>>> load_torch(path, as_network=True) == tent_network(2).as_float()
True
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping

import torch
from torch import nn

from ..activations import Activation, parse_activation
from ..errors import ActivationError, FormatError
from ..network import FeedForward, Layer
from ._torch import _DTYPE, _sequential, _tensor_array

__all__ = ["save_torch", "load_torch", "TORCH_FORMAT"]

TORCH_FORMAT = "uat.torch/1"


def _architecture(net: FeedForward) -> list[dict[str, Any]]:
    return [
        {
            "in_features": int(b.weights.shape[2]),
            "out_features": int(b.weights.shape[1]),
            "activation": str(b.activation),
            "count": b.count,
        }
        for b in net.blocks
    ]


def _packed_tensors(net: FeedForward) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """One float64 weight tensor (count, out, in) and bias tensor (count, out) per packed block."""
    blocks = net.as_float().blocks
    return (
        [torch.tensor(b.weights, dtype=_DTYPE) for b in blocks],
        [torch.tensor(b.biases, dtype=_DTYPE) for b in blocks],
    )


def save_torch(net: FeedForward, path: str | os.PathLike[str]) -> None:
    """Write the float64 network to ``path`` as a ``uat.torch/1`` file (``weights_only``-loadable).

    The weights are stored per architecture entry as one stacked tensor, so that depth
    :math:`10^4` saves and loads in a fraction of a second.  Rebuild the module with
    :func:`load_torch`, or by hand (docs/exports.md): for each entry and each ``i <
    count``, an ``nn.Linear(in_features, out_features, dtype=torch.float64)`` holding
    ``weights[k][i]`` and ``biases[k][i]``, followed by the activation's module unless it
    is ``identity``.
    """
    from .._witness_json import metadata_text

    weights, biases = _packed_tensors(net)
    payload = {
        "format": TORCH_FORMAT,
        "architecture": _architecture(net),
        "weights": weights,
        "biases": biases,
        "metadata": metadata_text(net.metadata),
        "exact_source": bool(net.is_exact),
    }
    torch.save(payload, path)


def load_payload(path: str | os.PathLike[str], fmt: str) -> dict[str, Any]:
    """``torch.load(path, weights_only=True)`` of a payload dict whose ``"format"`` is ``fmt``, else :class:`FormatError`."""
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise FormatError(f"cannot read {os.fspath(path)!r}: no such file") from None
    except Exception as exc:  # torch raises UnpicklingError, RuntimeError, EOFError ...
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise FormatError(f"{os.fspath(path)!r} is not a weights-only torch file ({first})") from None
    if not isinstance(payload, dict) or payload.get("format") != fmt:
        got = payload.get("format") if isinstance(payload, dict) else type(payload).__name__
        raise FormatError(f"{os.fspath(path)!r} is not a {fmt} file (format {got!r})")
    return payload


def payload_metadata(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The witness metadata stored in a payload as JSON text."""
    md = payload.get("metadata", "{}")
    try:
        metadata = json.loads(md) if isinstance(md, str) else None
    except ValueError:
        metadata = None
    if not isinstance(metadata, dict):
        raise FormatError("the torch file's 'metadata' must be a JSON object as text")
    return metadata


def read_activation(value: Any, what: str) -> Activation:
    """The activation named by the text ``value`` (``what`` names the place in the file for the error)."""
    if not isinstance(value, str):
        raise FormatError(f"{what}: activation must be a string such as 'relu'")
    try:
        return parse_activation(value)
    except ActivationError as exc:
        raise FormatError(f"{what}: {exc}") from None


def _read_architecture(arch: Any) -> list[tuple[int, int, Activation, int]]:
    if not isinstance(arch, list) or not arch:
        raise FormatError("the torch file's 'architecture' must be a non-empty list")
    out = []
    prev_out = None
    for i, entry in enumerate(arch):
        if not isinstance(entry, dict):
            raise FormatError(f"architecture entry {i} must be a dict, got {type(entry).__name__}")
        keys = {"in_features", "out_features", "activation", "count"}
        if set(entry) != keys:
            raise FormatError(f"architecture entry {i} must have exactly the keys {sorted(keys)}, got {sorted(entry)}")
        n_in, n_out, count = entry["in_features"], entry["out_features"], entry["count"]
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in (n_in, n_out, count)):
            raise FormatError(f"architecture entry {i}: in_features, out_features and count must be positive ints")
        act = read_activation(entry["activation"], f"architecture entry {i}")
        if prev_out is not None and n_in != prev_out:
            raise FormatError(f"architecture entry {i} expects {n_in} inputs but the previous entry outputs {prev_out}")
        if count > 1 and n_in != n_out:
            raise FormatError(f"architecture entry {i} repeats a non-square layer ({n_out}, {n_in}) {count} times")
        prev_out = n_out
        out.append((n_in, n_out, act, count))
    return out


def _read_tensors(payload: Mapping[str, Any], arch: list[tuple[int, int, Activation, int]]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    weights, biases = payload.get("weights"), payload.get("biases")
    if not isinstance(weights, list) or not isinstance(biases, list) or not len(weights) == len(biases) == len(arch):
        raise FormatError(
            f"the torch file needs lists 'weights' and 'biases' with one tensor per architecture entry ({len(arch)})"
        )
    out = []
    for k, ((n_in, n_out, _, count), w, b) in enumerate(zip(arch, weights, biases)):
        if not isinstance(w, torch.Tensor) or not isinstance(b, torch.Tensor):
            raise FormatError(f"weights[{k}] and biases[{k}] must be tensors")
        if tuple(w.shape) != (count, n_out, n_in) or tuple(b.shape) != (count, n_out):
            raise FormatError(
                f"weights[{k}] has shape {tuple(w.shape)} and biases[{k}] {tuple(b.shape)}, which do not match "
                f"the architecture: expected ({count}, {n_out}, {n_in}) and ({count}, {n_out})"
            )
        if not (w.is_floating_point() and b.is_floating_point()):
            raise FormatError(f"weights[{k}] and biases[{k}] must be floating-point tensors")
        out.append((w.to(_DTYPE), b.to(_DTYPE)))
    return out


def load_torch(path: str | os.PathLike[str], *, as_network: bool = False) -> nn.Sequential | FeedForward:
    """Read a ``uat.torch/1`` file with ``torch.load(weights_only=True)`` and rebuild the module.

    With ``as_network=True`` return the float64 :class:`~uat.FeedForward` instead (metadata
    included), built straight from the stacked tensors.

    Raises
    ------
    FormatError
        If the file is not a ``uat.torch/1`` payload or its tensors do not fit the architecture.
    """
    payload = load_payload(path, TORCH_FORMAT)
    arch = _read_architecture(payload.get("architecture"))
    tensors = _read_tensors(payload, arch)
    if not as_network:
        return _sequential(
            (w[i].clone(), b[i].clone(), act) for (_, _, act, count), (w, b) in zip(arch, tensors) for i in range(count)
        )
    metadata = payload_metadata(payload)
    layers = []
    for k, ((_, _, act, count), (w, b)) in enumerate(zip(arch, tensors)):
        warr = _tensor_array(w, (), f"weights[{k}]")  # one finiteness check per block
        barr = _tensor_array(b, (), f"biases[{k}]")
        layers.extend(Layer(warr[i], barr[i], act) for i in range(count))
    return FeedForward.from_layer_values(layers, metadata=metadata)
