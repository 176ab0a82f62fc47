"""The JSON-like metadata of witness values (FeedForward, Recurrent, DeepSets): deep read-only copies.

Metadata (the construction, theorem and parameters of a witness) travels with a value and never
takes part in equality.  Values keep it as a read-only mapping of read-only containers
(:func:`freeze_metadata`); writers get plain dicts and lists back (:func:`thaw_json`).

>>> md = freeze_metadata({"theorem": "park2021-relu-lp-whole", "widths": [3, 3]})
>>> md["widths"], thaw_json(updated_metadata(md, {"eps": 0.1}))
((3, 3), {'theorem': 'park2021-relu-lp-whole', 'widths': [3, 3], 'eps': 0.1})
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping

__all__ = ["freeze_json", "thaw_json", "freeze_metadata", "frozen_field", "updated_metadata"]


def freeze_json(value: Any) -> Any:
    """Deep copy of JSON-like metadata into immutable containers."""
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): freeze_json(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(freeze_json(v) for v in value)
    return value


def thaw_json(value: Any) -> Any:
    """Inverse of the metadata freezing: plain dicts and lists (for json.dumps)."""
    if isinstance(value, Mapping):
        return {k: thaw_json(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw_json(v) for v in value]
    return value


def freeze_metadata(metadata: Mapping[str, Any] | None) -> MappingProxyType:
    """A deep read-only copy of ``metadata`` (empty for None)."""
    return MappingProxyType({}) if metadata is None else freeze_json(dict(metadata))


def frozen_field(metadata: Mapping[str, Any]) -> MappingProxyType:
    """The metadata a value stores: a read-only mapping as it is, anything else frozen."""
    return metadata if isinstance(metadata, MappingProxyType) else freeze_json(dict(metadata))


def updated_metadata(metadata: Mapping[str, Any], updates: Mapping[str, Any]) -> MappingProxyType:
    """A frozen copy of ``metadata`` with the entries of ``updates`` added or replaced."""
    md = thaw_json(metadata)
    md.update(updates)
    return freeze_json(md)
