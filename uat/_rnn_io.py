"""The ``uat.rnn/1`` witness format for :class:`uat.recurrent.Recurrent` (see docs/format.md).

::

    {"format": "uat.rnn/1", "input_dim": 1, "output_dim": 1, "bidirectional": false,
     "lift": [["1"], ["0"]],
     "layers": [
       {"recurrent": [["1", "0"], ["0", "0"]], "input": [["1", "0"], ["0", "1"]], "bias": ["0", "0"], "activation": "relu"},
       {"input": [...], "bias": [...], "activation": "relu"},
       {"forward": {<cell>}, "backward": {<cell>}, "mix_forward": [[...]], "mix_backward": [[...]]}],
     "readout": [["1", "0"]],
     "readout_bias": ["0"],
     "metadata": {...}}

A cell without ``"recurrent"`` is token-wise (``A = 0``); ``"readout_bias"`` (the bias ``q`` of
the affine readout ``y = Q h + q``) is written only when it is nonzero and absent means zero.  Numbers follow ``uat.network/1``:
JSON numbers are float64 (shortest repr, bit-exact round trip), strings ``"p/q"`` are exact;
a file whose every number is a string loads as an exact network.  One layer per line, fixed
key order: identical networks give identical bytes.

>>> from uat.recurrent import Recurrent
>>> net = Recurrent.create(lift=[[1]], cells=[([[1]], [[1]], [0], "relu")], readout=[["1/2"]])
>>> from uat.io import dumps, loads
>>> text = dumps(net)
>>> text.splitlines()[0:2]
['{', '"format": "uat.rnn/1",']
>>> loads(text) == net and dumps(loads(text)) == text
True
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .activations import parse_activation
from .errors import ActivationError, DimensionMismatch, ExactnessError, FormatError
from ._witness_json import (
    all_strings, check_keys, json_dumps_line, json_rows, matrix_json, read_dims, read_matrix, read_metadata, witness_text,
)
from .io import register_format
from .recurrent import BiLayer, Cell, Recurrent

__all__ = ["RNN_FORMAT"]

RNN_FORMAT = "uat.rnn/1"
_CELL_KEYS = {"recurrent", "input", "bias", "activation"}
_BI_KEYS = {"forward", "backward", "mix_forward", "mix_backward"}


def _cell_json(cell: Cell) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    if cell.is_recurrent:
        obj["recurrent"] = matrix_json(cell.recurrent)
    obj["input"] = matrix_json(cell.input)
    obj["bias"] = matrix_json(cell.bias)
    obj["activation"] = cell.activation.to_json()
    return obj


def _layer_json(layer: Cell | BiLayer) -> dict[str, Any]:
    if isinstance(layer, BiLayer):
        return {
            "forward": _cell_json(layer.forward),
            "backward": _cell_json(layer.backward),
            "mix_forward": matrix_json(layer.mix_forward),
            "mix_backward": matrix_json(layer.mix_backward),
        }
    return _cell_json(layer)


def _write_rnn(net: Recurrent) -> str:
    fields = [
        f'"input_dim": {net.input_dim},',
        f'"output_dim": {net.output_dim},',
        f'"bidirectional": {"true" if net.is_bidirectional else "false"},',
        f'"lift": {json_dumps_line(matrix_json(net.lift))},',
        '"layers": [',
        *json_rows([_layer_json(layer) for layer in net.layers]),
        "],",
        f'"readout": {json_dumps_line(matrix_json(net.readout))},',
    ]
    if net.readout_bias is not None:
        fields.append(f'"readout_bias": {json_dumps_line(matrix_json(net.readout_bias))},')
    return witness_text(RNN_FORMAT, fields, net.metadata)


def _numbers(layer: Any) -> list[Any]:
    if isinstance(layer, dict):
        out: list[Any] = []
        for k, v in layer.items():
            if k != "activation":
                out.extend(_numbers(v))
        return out
    return [layer]


def _read_cell(obj: Any, exact: bool, where: str) -> Cell:
    if not isinstance(obj, dict):
        raise FormatError(f"{where} must be an object with 'input', 'bias', 'activation' (and optionally 'recurrent')")
    check_keys(obj, _CELL_KEYS, where, f"; a cell has {sorted(_CELL_KEYS)}")
    b = read_matrix(obj.get("input"), exact, f"{where} input", 2)
    th = read_matrix(obj.get("bias"), exact, f"{where} bias", 1)
    d = b.shape[0]
    if th.shape[0] != d:
        raise FormatError(f"{where}: bias has {th.shape[0]} entries but the input matrix has {d} rows")
    if "recurrent" in obj:
        a = read_matrix(obj["recurrent"], exact, f"{where} recurrent", 2)
        if a.shape != (d, d):
            raise FormatError(f"{where}: recurrent matrix has shape {a.shape}, expected ({d}, {d})")
    else:
        a = np.zeros((d, d), dtype=object if exact else np.float64)
        if exact:
            a[...] = b.flat[0] * 0
        a.flags.writeable = False
    try:
        act = parse_activation(obj.get("activation", "identity"))
    except ActivationError as exc:
        raise FormatError(f"{where}: {exc}") from None
    return Cell(a, b, th, act)


def _read_layer(obj: Any, exact: bool, where: str) -> Cell | BiLayer:
    if isinstance(obj, dict) and ("forward" in obj or "backward" in obj):
        check_keys(obj, _BI_KEYS, where, f"; a bidirectional layer has {sorted(_BI_KEYS)}")
        f = _read_cell(obj.get("forward"), exact, f"{where} forward")
        b = _read_cell(obj.get("backward"), exact, f"{where} backward")
        w = read_matrix(obj.get("mix_forward"), exact, f"{where} mix_forward", 2)
        wb = read_matrix(obj.get("mix_backward"), exact, f"{where} mix_backward", 2)
        try:
            return BiLayer(f, b, w, wb)
        except (DimensionMismatch, ExactnessError) as exc:
            raise FormatError(f"{where}: {exc}") from None
    return _read_cell(obj, exact, where)


def _read_rnn(obj: Mapping[str, Any]) -> Recurrent:
    d_in, d_out, layers_json = read_dims(obj, "the RNN")
    check_keys(obj, ("format", "input_dim", "output_dim", "bidirectional", "lift", "layers", "readout", "readout_bias",
                     "metadata"), "the RNN")
    metadata = read_metadata(obj)
    if "lift" not in obj or "readout" not in obj:
        raise FormatError("the RNN needs a 'lift' matrix P and a 'readout' matrix Q")
    exact = all_strings(obj["lift"]) and all_strings(obj["readout"]) and all(
        all_strings(_numbers(l)) for l in layers_json
    ) and all_strings(obj.get("readout_bias", []))
    try:
        p = read_matrix(obj["lift"], exact, "lift", 2)
        q = read_matrix(obj["readout"], exact, "readout", 2)
        qb = read_matrix(obj["readout_bias"], exact, "readout_bias", 1) if "readout_bias" in obj else None
    except ExactnessError as exc:  # pragma: no cover - _read_matrix already converts
        raise FormatError(str(exc)) from None
    layers = [_read_layer(lj, exact, f"layer {i}") for i, lj in enumerate(layers_json)]
    if p.shape[1] != d_in:
        raise FormatError(f"input_dim is {d_in} but the lift P has {p.shape[1]} columns")
    if q.shape[0] != d_out:
        raise FormatError(f"output_dim is {d_out} but the readout Q has {q.shape[0]} rows")
    try:
        net = Recurrent(p, tuple(layers), q, metadata, readout_bias=qb)
    except (DimensionMismatch, ExactnessError) as exc:
        raise FormatError(str(exc)) from None
    declared = obj.get("bidirectional")
    if declared is not None and (not isinstance(declared, bool) or declared != net.is_bidirectional):
        raise FormatError(f"'bidirectional' is {declared!r} but the layers say {net.is_bidirectional}")
    return net


register_format(RNN_FORMAT, Recurrent, _write_rnn, _read_rnn)
