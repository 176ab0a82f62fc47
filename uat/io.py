"""Witness files: the documented JSON formats (see ``docs/format.md``).

``uat.network/1`` stores a feed-forward network::

    {"format": "uat.network/1", "input_dim": 2, "output_dim": 1,
     "layers": [{"weight": [[...]], "bias": [...], "activation": "relu"}, ...],
     "metadata": {...}}

Semantics: ``h_0 = x``, ``h_l = act_l(W_l h_{l-1} + b_l)``, output ``h_L``.  Every number is
either a JSON number (float64, written with the shortest repr so it reads back bit-exact)
or a string ``"p/q"`` / ``"p"`` (an exact rational).  A network whose entries are all
strings loads as exact; otherwise it loads as float64 (strings correctly rounded).
Writing is deterministic (fixed key order, one layer per line), so saving the same
network twice gives identical bytes.  Nothing is ever unpickled or evaluated.

Other formats (``uat.rnn/1``, ``uat.deepsets/1``) register a reader and writer here with
:func:`register_format`; :func:`load` dispatches on the ``"format"`` key.  The fields all
formats share (numbers, matrices, metadata, the layout of the text) are read and written by
:mod:`uat._witness_json`.

>>> from uat import FeedForward
>>> net = FeedForward.from_layers([([[1], [-1]], [0, 0], "relu"), ([["1/2", "1/2"]], [0])])
>>> text = dumps(net)
>>> loads(text) == net and dumps(loads(text)) == text
True
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from ._witness_json import (
    all_strings, check_keys, json_rows, matrix_json, read_dims, read_matrix, read_metadata, witness_text,
)
from .activations import parse_activation
from .errors import ActivationError, DimensionMismatch, ExactnessError, FormatError, UatError
from .network import FeedForward, Layer

__all__ = ["save", "load", "dumps", "loads", "register_format", "NETWORK_FORMAT", "MAX_FILE_BYTES"]

NETWORK_FORMAT = "uat.network/1"
MAX_FILE_BYTES = 2 * 1024**3  # refuse files above 2 GiB with a clear message


@dataclass(frozen=True)
class _FormatSpec:
    name: str
    kind: type
    write: Callable[[Any], str]
    read: Callable[[Mapping[str, Any]], Any]


_FORMATS: dict[str, _FormatSpec] = {}


def register_format(name: str, kind: type, write: Callable[[Any], str], read: Callable[[Mapping[str, Any]], Any]) -> None:
    """Register a JSON witness format: ``write(value) -> text`` and ``read(parsed_json) -> value``."""
    _FORMATS[name] = _FormatSpec(name, kind, write, read)


def _reject_constant(name: str) -> Any:
    raise FormatError(f"the file contains {name}, which is not a finite number; witness files hold finite values only")


def _write_network(net: FeedForward) -> str:
    layers = [
        {"weight": matrix_json(layer.weight), "bias": matrix_json(layer.bias), "activation": layer.activation.to_json()}
        for layer in net.iter_layers()
    ]
    fields = [f'"input_dim": {net.input_dim},', f'"output_dim": {net.output_dim},', '"layers": [', *json_rows(layers), "],"]
    return witness_text(NETWORK_FORMAT, fields, net.metadata)


def _read_network(obj: Mapping[str, Any]) -> FeedForward:
    d_in, d_out, layers_json = read_dims(obj, "the network")
    metadata = read_metadata(obj)
    exact = all(
        isinstance(l, dict) and all_strings(l.get("weight", [])) and all_strings(l.get("bias", []))
        for l in layers_json
    )
    layers: list[Layer] = []
    for i, lj in enumerate(layers_json):
        where = f"layer {i}"
        if not isinstance(lj, dict):
            raise FormatError(f"{where} must be an object with 'weight', 'bias' and 'activation'")
        check_keys(lj, ("weight", "bias", "activation"), where)
        w = read_matrix(lj.get("weight"), exact, f"{where} weight", 2)
        b = read_matrix(lj.get("bias"), exact, f"{where} bias", 1)
        if b.shape[0] != w.shape[0]:
            raise FormatError(f"{where}: bias has {b.shape[0]} entries but weight has {w.shape[0]} rows")
        raw = lj.get("activation", "identity")
        if isinstance(raw, list) and len(raw) != w.shape[0]:  # checked before a uniform list collapses to one
            raise FormatError(
                f"{where}: the per-neuron activation lists {len(raw)} neurons but the layer has {w.shape[0]} "
                f"(weight rows); give one activation per neuron, or a single activation"
            )
        try:
            act = parse_activation(raw)
        except (ActivationError, ExactnessError) as exc:
            raise FormatError(f"{where}: {exc}") from None
        layers.append(Layer(w, b, act))
    if layers[0].in_dim != d_in:
        raise FormatError(f"input_dim is {d_in} but the first layer expects {layers[0].in_dim} inputs")
    if layers[-1].out_dim != d_out:
        raise FormatError(f"output_dim is {d_out} but the last layer has {layers[-1].out_dim} outputs")
    try:
        return FeedForward.from_layer_values(layers, metadata=metadata)
    except DimensionMismatch as exc:
        raise FormatError(str(exc)) from None


register_format(NETWORK_FORMAT, FeedForward, _write_network, _read_network)


def dumps(value: Any) -> str:
    """The JSON text of a network (or another registered value)."""
    for spec in _FORMATS.values():
        if isinstance(value, spec.kind):
            return spec.write(value)
    raise FormatError(f"no witness format for {type(value).__name__}")


def loads(text: str | bytes) -> Any:
    """Parse JSON witness text, validating everything (shapes, finiteness, activation names)."""
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except UatError:
        raise
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"not valid JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise FormatError("a witness file must hold a JSON object")
    fmt = obj.get("format")
    if fmt not in _FORMATS:
        raise FormatError(f"unknown format {fmt!r}; known formats: {', '.join(sorted(_FORMATS))}")
    return _FORMATS[fmt].read(obj)


def save(value: Any, path: str | os.PathLike[str]) -> None:
    """Write a witness file (deterministic bytes)."""
    text = dumps(value)
    with open(path, "w", encoding="ascii", newline="\n") as fh:
        fh.write(text)


def load(path: str | os.PathLike[str]) -> Any:
    """Read a witness file written by :func:`save` or by any tool following docs/format.md."""
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise FormatError(f"cannot read {os.fspath(path)!r}: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise FormatError(f"{os.fspath(path)!r} is {size} bytes, above the {MAX_FILE_BYTES}-byte limit")
    with open(path, "rb") as fh:
        return loads(fh.read())

