"""The ``uat.deepsets/1`` witness format (docs/format.md), registered with :func:`uat.io.register_format`.

Same number conventions as ``uat.network/1``: JSON numbers are float64 (shortest repr, bit
exact), strings ``"p/q"`` are exact rationals; a file whose weight, anchors and gammas are all
strings loads exact.  Writing is deterministic (fixed key order, one row of W per line).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping

from ._set_layout import AnchorLayout
from .errors import DimensionMismatch, ExactnessError, FormatError, ParameterError, TargetError, UatError
from ._witness_json import (
    all_strings, check_keys, json_dumps_line, json_rows, matrix_json, need, read_matrix, read_metadata, witness_text,
)
from .io import register_format
from .set_embedding import SetEmbedding

__all__ = ["DEEPSETS_FORMAT"]

DEEPSETS_FORMAT = "uat.deepsets/1"


def _write(ds: Any) -> str:
    emb = ds.phi
    head = {"kind": emb.kind, "degree": emb.degree, "pooling": "sum"}
    if emb.kind == "le":
        del head["degree"]
    fields = [
        f'"set_size": {ds.set_size},',
        f'"input_dim": {ds.input_dim},',
        f'"latent_dim": {ds.width},',
        '"embedding": ' + json_dumps_line(head)[:-1] + ', "weight": [',
        *json_rows(matrix_json(emb.weight)),
        "]},",
    ]
    if ds.layout is None:
        fields.append('"decoder": null,')
    else:
        lay = ds.layout
        dec: dict[str, Any] = {"kind": "anchor-coupling" if lay.kind == "lp" else "anchor-exponential",
                               "anchors": matrix_json(lay.anchors)}
        if lay.kind == "lp":
            dec["gammas"] = matrix_json(lay.gammas)
        fields.append('"decoder": ' + json_dumps_line(dec) + ",")
    fields.append('"readout": ' + ("null" if ds.readout is None else json_dumps_line(ds.readout.to_json())) + ",")
    return witness_text(DEEPSETS_FORMAT, fields, ds.metadata)


def _positive_int(obj: Mapping[str, Any], key: str, where: str) -> int:
    v = need(obj, key, int, where)
    if v < 1:
        raise FormatError(f"{where}: {key!r} must be >= 1, got {v}")
    return v


def _readout_params(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise FormatError("readout 'params' must be an object")
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if k == "reference":
            out[k] = v
        elif isinstance(v, str):
            try:
                out[k] = Fraction(v)
            except (ValueError, ZeroDivisionError):
                raise FormatError(f"readout parameter {k!r} = {v!r} is not a rational 'p/q'") from None
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[k] = v
        else:
            raise FormatError(f"readout parameter {k!r} must be a number or 'p/q', got {v!r}")
    return out


def _read(obj: Mapping[str, Any]) -> Any:
    from .deepsets import DeepSets

    check_keys(obj, ("format", "set_size", "input_dim", "latent_dim", "embedding", "decoder", "readout", "metadata"),
               "the DeepSets witness")
    n = _positive_int(obj, "set_size", "the DeepSets witness")
    d = _positive_int(obj, "input_dim", "the DeepSets witness")
    latent = _positive_int(obj, "latent_dim", "the DeepSets witness")
    emb_json = need(obj, "embedding", dict, "the DeepSets witness")
    kind = need(emb_json, "kind", str, "the embedding")
    if kind not in ("lp", "le"):
        raise FormatError(f"the embedding kind must be 'lp' or 'le', got {kind!r}")
    if emb_json.get("pooling", "sum") != "sum":
        raise FormatError(f"only sum pooling is defined, got {emb_json.get('pooling')!r}")
    check_keys(emb_json, ("kind", "degree", "pooling", "weight"), "the embedding")
    degree = _positive_int(emb_json, "degree", "the LP embedding") if kind == "lp" else None
    if kind == "le" and "degree" in emb_json:
        raise FormatError("an LE embedding has no 'degree'")
    dec = obj.get("decoder")
    if dec is not None and not isinstance(dec, dict):
        raise FormatError("'decoder' must be an object or null")
    weight_json = emb_json.get("weight")
    exact = all_strings(weight_json) and (dec is None or (all_strings(dec.get("anchors")) and all_strings(dec.get("gammas", []))))
    w = read_matrix(weight_json, exact, "the embedding weight", 2)
    if w.shape[1] != d:
        raise FormatError(f"input_dim is {d} but the embedding weight has {w.shape[1]} columns")
    try:
        emb = SetEmbedding(kind, w, degree)
    except (ExactnessError, ParameterError, DimensionMismatch) as exc:
        raise FormatError(f"the embedding: {exc}") from None
    if emb.width != latent:
        raise FormatError(f"latent_dim is {latent} but the embedding has width {emb.width}")
    layout = None
    if dec is not None:
        want = "anchor-coupling" if kind == "lp" else "anchor-exponential"
        if dec.get("kind") != want:
            raise FormatError(f"the decoder of an {kind.upper()} embedding has kind {want!r}, got {dec.get('kind')!r}")
        extra = set(dec) - {"kind", "anchors", "gammas"}
        if extra or (kind == "le" and "gammas" in dec):
            raise FormatError(f"the decoder has unexpected keys {sorted(extra | ({'gammas'} & set(dec) if kind == 'le' else set()))}")
        anchors = read_matrix(dec.get("anchors"), exact, "the decoder anchors", 2)
        gammas = read_matrix(dec.get("gammas"), exact, "the decoder gammas", 1) if kind == "lp" and dec.get("gammas") else ()
        try:
            layout = AnchorLayout(kind, n, anchors, gammas)
        except UatError as exc:
            raise FormatError(f"the decoder: {exc}") from None
    readout = obj.get("readout")
    target = None
    if readout is not None:
        if not isinstance(readout, dict) or not isinstance(readout.get("name"), str):
            raise FormatError("'readout' must be null or an object with a 'name' and 'params'")
        params = _readout_params(readout.get("params", {}))
        from .set_targets import make_set_target

        try:
            target = make_set_target(readout["name"], dim=d, size=n, **params)
        except (TargetError, ParameterError, DimensionMismatch) as exc:
            raise FormatError(f"the readout: {exc}") from None
    metadata = read_metadata(obj)
    try:
        return DeepSets(emb, n, layout, target, metadata)
    except (DimensionMismatch, ParameterError) as exc:
        raise FormatError(str(exc)) from None


def _register() -> None:
    from .deepsets import DeepSets

    register_format(DEEPSETS_FORMAT, DeepSets, _write, _read)


_register()

