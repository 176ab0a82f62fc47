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
:func:`register_format`; :func:`load` dispatches on the ``"format"`` key.

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

import numpy as np

from ._scalars import format_scalar, parse_scalar
from .activations import parse_activation
from .errors import ActivationError, DimensionMismatch, ExactnessError, FormatError, UatError
from .network import FeedForward, Layer, thaw_json

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


def json_dumps_line(value: Any) -> str:
    """Compact deterministic JSON for one value (shortest float repr, no NaN)."""
    try:
        return json.dumps(value, separators=(", ", ": "), allow_nan=False, ensure_ascii=True)
    except (TypeError, ValueError) as exc:
        raise FormatError(f"value is not JSON-serialisable ({exc}); metadata must hold str, int, float, bool, None, lists and dicts") from None


def metadata_text(metadata: Mapping[str, Any]) -> str:
    md = thaw_json(metadata)
    md.setdefault("uat_version", _version())
    try:
        return json.dumps(md, sort_keys=True, allow_nan=False, ensure_ascii=True, separators=(", ", ": "))
    except (TypeError, ValueError) as exc:
        raise FormatError(
            f"metadata is not JSON-serialisable ({exc}); use str, int, float, bool, None, lists and dicts"
        ) from None


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("uat")
    except Exception:  # not installed (running from a source tree)
        return "0+unknown"


def _matrix_json(arr: np.ndarray) -> list[Any]:
    if arr.dtype == object:
        return [[format_scalar(v) for v in row] for row in arr] if arr.ndim == 2 else [format_scalar(v) for v in arr]
    return arr.tolist()


def _write_network(net: FeedForward) -> str:
    parts = [
        "{",
        f'"format": "{NETWORK_FORMAT}",',
        f'"input_dim": {net.input_dim},',
        f'"output_dim": {net.output_dim},',
        '"layers": [',
    ]
    layers = list(net.iter_layers())
    for i, layer in enumerate(layers):
        obj = {
            "weight": _matrix_json(layer.weight),
            "bias": _matrix_json(layer.bias),
            "activation": layer.activation.to_json(),
        }
        parts.append(json_dumps_line(obj) + ("," if i < len(layers) - 1 else ""))
    parts.append("],")
    parts.append(f'"metadata": {metadata_text(net.metadata)}')
    parts.append("}")
    return "\n".join(parts) + "\n"


def _need(obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise FormatError(f"{where} has no {key!r} entry")
    value = obj[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise FormatError(f"{where}: {key!r} must be {getattr(kind, '__name__', kind)}, got {type(value).__name__}")
    return value


def _all_strings(value: Any) -> bool:
    if isinstance(value, list):
        return all(_all_strings(v) for v in value)
    return isinstance(value, str)


def _read_matrix(value: Any, exact: bool, where: str, ndim: int) -> np.ndarray:
    try:
        if ndim == 2:
            if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
                raise FormatError(f"{where} must be a non-empty list of rows")
            ncol = len(value[0])
            if ncol == 0 or any(len(r) != ncol for r in value):
                raise FormatError(f"{where} has rows of different lengths (or an empty row)")
            data = [[parse_scalar(v, exact=exact) for v in r] for r in value]
        else:
            if not isinstance(value, list) or not value:
                raise FormatError(f"{where} must be a non-empty list")
            data = [parse_scalar(v, exact=exact) for v in value]
    except ExactnessError as exc:
        raise FormatError(f"{where}: {exc}") from None
    arr = np.array(data, dtype=object if exact else np.float64)
    if not exact and not np.all(np.isfinite(arr)):
        raise FormatError(f"{where} has a non-finite entry")
    arr.flags.writeable = False
    return arr


def _read_network(obj: Mapping[str, Any]) -> FeedForward:
    d_in = _need(obj, "input_dim", int, "the network")
    d_out = _need(obj, "output_dim", int, "the network")
    layers_json = _need(obj, "layers", list, "the network")
    if not layers_json:
        raise FormatError("the network has an empty 'layers' list")
    metadata = obj.get("metadata", {})
    if not isinstance(metadata, dict):
        raise FormatError("'metadata' must be an object")
    exact = all(
        isinstance(l, dict) and _all_strings(l.get("weight", [])) and _all_strings(l.get("bias", []))
        for l in layers_json
    )
    layers: list[Layer] = []
    for i, lj in enumerate(layers_json):
        where = f"layer {i}"
        if not isinstance(lj, dict):
            raise FormatError(f"{where} must be an object with 'weight', 'bias' and 'activation'")
        unknown = set(lj) - {"weight", "bias", "activation"}
        if unknown:
            raise FormatError(f"{where} has unknown keys {sorted(unknown)}")
        w = _read_matrix(lj.get("weight"), exact, f"{where} weight", 2)
        b = _read_matrix(lj.get("bias"), exact, f"{where} bias", 1)
        if b.shape[0] != w.shape[0]:
            raise FormatError(f"{where}: bias has {b.shape[0]} entries but weight has {w.shape[0]} rows")
        try:
            act = parse_activation(lj.get("activation", "identity"))
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

