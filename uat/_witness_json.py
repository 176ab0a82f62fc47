"""The fields of the JSON witness formats (docs/format.md), read and written in one place.

Shared by ``uat.network/1`` (:mod:`uat.io`), ``uat.rnn/1`` (:mod:`uat._rnn_io`) and
``uat.deepsets/1`` (:mod:`uat._deepsets_format`).  Numbers: a JSON number is float64 (written
with the shortest repr, so it reads back bit-exact), a string ``"p/q"`` or ``"p"`` an exact
rational (:func:`uat._scalars.parse_scalar`); a value whose numbers are all strings reads exact
(:func:`all_strings`).  Text: ``{``, the format line, one ``"key": value,`` line per field
(long lists one entry per line, :func:`json_rows`), the metadata with sorted keys, ``}``
(:func:`witness_text`), so equal values give equal bytes.

>>> print(witness_text("demo/1", ['"rows": ['] + json_rows([[1, "1/2"], [0.5, 2]]) + ["],"], {"uat_version": "0"}), end="")
{
"format": "demo/1",
"rows": [
[1, "1/2"],
[0.5, 2]
],
"metadata": {"uat_version": "0"}
}
>>> read_matrix(["1/2", "3"], True, "the bias", 1)
array([Fraction(1, 2), Fraction(3, 1)], dtype=object)
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ._metadata import thaw_json
from ._scalars import format_scalar, parse_scalar
from .errors import ExactnessError, FormatError

__all__ = [
    "json_dumps_line", "metadata_text", "witness_text", "json_rows", "matrix_json", "need", "all_strings",
    "read_matrix", "read_metadata", "check_keys", "read_dims",
]


def json_dumps_line(value: Any) -> str:
    """Compact deterministic JSON for one value (shortest float repr, no NaN)."""
    try:
        return json.dumps(value, separators=(", ", ": "), allow_nan=False, ensure_ascii=True)
    except (TypeError, ValueError) as exc:
        raise FormatError(f"value is not JSON-serialisable ({exc}); metadata must hold str, int, float, bool, None, lists and dicts") from None


def metadata_text(metadata: Mapping[str, Any]) -> str:
    """The metadata as one line of JSON with sorted keys (``uat_version`` added when absent)."""
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


def witness_text(fmt: str, fields: Iterable[str], metadata: Mapping[str, Any]) -> str:
    """The text of a witness file: the format line, the ``fields`` lines (each ending in a comma), the metadata."""
    return "\n".join(["{", f'"format": "{fmt}",', *fields, f'"metadata": {metadata_text(metadata)}', "}"]) + "\n"


def json_rows(values: Sequence[Any]) -> list[str]:
    """One compact JSON value per line, separated by commas (the layers or rows of a witness file)."""
    return [json_dumps_line(v) + ("," if i < len(values) - 1 else "") for i, v in enumerate(values)]


def matrix_json(arr: np.ndarray) -> list[Any]:
    """A 1-D or 2-D array as JSON lists: exact entries as ``"p/q"`` strings, float64 entries as numbers."""
    if arr.dtype == object:
        return [[format_scalar(v) for v in row] for row in arr] if arr.ndim == 2 else [format_scalar(v) for v in arr]
    return arr.tolist()


def need(obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    """``obj[key]``, which must exist and be of ``kind`` (a bool is not an int here)."""
    if key not in obj:
        raise FormatError(f"{where} has no {key!r} entry")
    value = obj[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise FormatError(f"{where}: {key!r} must be {getattr(kind, '__name__', kind)}, got {type(value).__name__}")
    return value


def all_strings(value: Any) -> bool:
    """True when every leaf of the (nested) list is a string, i.e. the numbers are exact rationals."""
    if isinstance(value, list):
        return all(all_strings(v) for v in value)
    return isinstance(value, str)


def read_matrix(value: Any, exact: bool, where: str, ndim: int) -> np.ndarray:
    """A non-empty read-only matrix (``ndim`` 2) or vector (1) of Fractions (``exact``) or finite float64."""
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


def read_metadata(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The ``"metadata"`` object (empty when absent)."""
    metadata = obj.get("metadata", {})
    if not isinstance(metadata, dict):
        raise FormatError("'metadata' must be an object")
    return metadata


def check_keys(obj: Mapping[str, Any], allowed: Iterable[str], where: str, hint: str = "") -> None:
    """Refuse keys outside ``allowed`` (``hint`` is appended to the message)."""
    unknown = set(obj) - set(allowed)
    if unknown:
        raise FormatError(f"{where} has unknown keys {sorted(unknown)}{hint}")


def read_dims(obj: Mapping[str, Any], where: str) -> tuple[int, int, list[Any]]:
    """``(input_dim, output_dim, layers)`` of a network file; the layers must be a non-empty list."""
    d_in = need(obj, "input_dim", int, where)
    d_out = need(obj, "output_dim", int, where)
    layers = need(obj, "layers", list, where)
    if not layers:
        raise FormatError(f"{where} has an empty 'layers' list")
    return d_in, d_out, layers
