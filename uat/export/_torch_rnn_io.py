r"""Torch files of recurrent witnesses: ``uat.torch-rnn/1``, read with ``torch.load(path, weights_only=True)``.

The payload holds only tensors, strings, ints and lists/dicts of them (no pickled classes)::

    {"format": "uat.torch-rnn/1",
     "lift": <float64 (W, d_x)>, "readout": <float64 (d_y, W_L)>, "readout_bias": <(d_y,)> or None,
     "blocks": [{"kind": "cells", "activation": "relu", "count": n,
                 "input": <(n, d, d_in)>, "bias": <(n, d)>, "recurrent": <(n, d, d)>},
                {"kind": "bidirectional", "forward": {<one cell>}, "backward": {<one cell>},
                 "mix_forward": <(d, d_f)>, "mix_backward": <(d, d_b)>}, ...],
     "metadata": "<the witness metadata as JSON text>", "exact_source": False}

A ``cells`` block is a run of consecutive cells with equal shapes and activation, stacked in
one tensor per matrix (a token-wise cell has an all-zero ``recurrent``): the weights-only
unpickler is slow per tensor, so depth :math:`10^4` saves and loads quickly this way.  The
weights are float64 (exact weights correctly rounded, as :meth:`Recurrent.as_float` does), so
:func:`load_torch_rnn` with ``as_network=True`` gives back exactly ``net.as_float()``.

>>> import os, tempfile
>>> from uat.recurrent import Recurrent
>>> net = Recurrent.create(lift=[[1], [1]], cells=[([[0, 0], [1, 1]], [[1, 0], [-1, 0]], [0, 0], "relu")],
...                        readout=[[1, 1]])
>>> path = os.path.join(tempfile.mkdtemp(), "max.pt")
>>> save_torch_rnn(net, path)
>>> load_torch_rnn(path, as_network=True) == net.as_float()
True
"""

from __future__ import annotations

import os
from typing import Any, Mapping

import numpy as np
import torch

from ..errors import FormatError
from ..recurrent import BiLayer, Cell, Recurrent
from . import UnsupportedModule
from ._torch import _DTYPE
from ._torch_io import load_payload, payload_metadata, read_activation
from ._torch_rnn import RecurrentModule

__all__ = ["save_torch_rnn", "load_torch_rnn", "TORCH_RNN_FORMAT"]

TORCH_RNN_FORMAT = "uat.torch-rnn/1"


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=_DTYPE)


def _cell_payload(c: Cell) -> dict[str, Any]:
    return {"activation": str(c.activation), "input": _t(c.input), "bias": _t(c.bias), "recurrent": _t(c.recurrent)}


def _blocks(net: Recurrent) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    run: list[Cell] = []

    def flush() -> None:
        if run:
            out.append({"kind": "cells", "activation": str(run[0].activation), "count": len(run),
                        "input": _t(np.stack([c.input for c in run])), "bias": _t(np.stack([c.bias for c in run])),
                        "recurrent": _t(np.stack([c.recurrent for c in run]))})
            run.clear()

    for layer in net.layers:
        if isinstance(layer, BiLayer):
            flush()
            out.append({"kind": "bidirectional", "forward": _cell_payload(layer.forward),
                        "backward": _cell_payload(layer.backward), "mix_forward": _t(layer.mix_forward),
                        "mix_backward": _t(layer.mix_backward)})
            continue
        if run and (layer.input.shape != run[0].input.shape or layer.activation != run[0].activation):
            flush()
        run.append(layer)
    flush()
    return out


def save_torch_rnn(net: Recurrent, path: str | os.PathLike[str]) -> None:
    """Write the float64 recurrent network to ``path`` as a ``uat.torch-rnn/1`` file."""
    from .._witness_json import metadata_text

    if not isinstance(net, Recurrent):
        raise UnsupportedModule(f"save_torch_rnn needs a Recurrent network, got {type(net).__name__}")
    f = net.as_float()
    payload = {"format": TORCH_RNN_FORMAT, "lift": _t(f.lift), "readout": _t(f.readout),
               "readout_bias": None if f.readout_bias is None else _t(f.readout_bias), "blocks": _blocks(f),
               "metadata": metadata_text(net.metadata), "exact_source": bool(net.is_exact)}
    torch.save(payload, path)


def _array(v: Any, shape_len: int, what: str) -> np.ndarray:
    if not isinstance(v, torch.Tensor) or not v.is_floating_point() or v.dim() != shape_len:
        raise FormatError(f"{what} must be a floating-point tensor with {shape_len} dimensions")
    a = v.detach().to(_DTYPE).cpu().numpy().copy()
    if not np.all(np.isfinite(a)):
        raise FormatError(f"{what} holds non-finite values")
    return a


def _cell(obj: Any, what: str) -> Cell:
    if not isinstance(obj, Mapping) or set(obj) != {"activation", "input", "bias", "recurrent"}:
        raise FormatError(f"{what} must be a dict with keys activation, input, bias, recurrent")
    try:
        return Cell(_array(obj["recurrent"], 2, what), _array(obj["input"], 2, what), _array(obj["bias"], 1, what),
                    read_activation(obj["activation"], what))
    except (ValueError, TypeError) as exc:
        raise FormatError(f"{what}: {exc}") from None


def _layers(blocks: Any) -> list[Cell | BiLayer]:
    if not isinstance(blocks, list) or not blocks:
        raise FormatError("the torch file's 'blocks' must be a non-empty list")
    layers: list[Cell | BiLayer] = []
    for k, b in enumerate(blocks):
        what = f"blocks[{k}]"
        if not isinstance(b, Mapping) or b.get("kind") not in ("cells", "bidirectional"):
            raise FormatError(f"{what} must be a dict with kind 'cells' or 'bidirectional'")
        if b["kind"] == "bidirectional":
            try:
                layers.append(BiLayer(_cell(b.get("forward"), what + ".forward"), _cell(b.get("backward"), what + ".backward"),
                                      _array(b.get("mix_forward"), 2, what), _array(b.get("mix_backward"), 2, what)))
            except (ValueError, TypeError) as exc:
                raise FormatError(f"{what}: {exc}") from None
            continue
        n = b.get("count")
        if not isinstance(n, int) or isinstance(n, bool) or n < 1:
            raise FormatError(f"{what}: count must be a positive int")
        act = read_activation(b.get("activation"), what)
        inp, bias, rec = (_array(b.get(key), nd, f"{what}.{key}") for key, nd in (("input", 3), ("bias", 2), ("recurrent", 3)))
        if inp.shape[0] != n or bias.shape[0] != n or rec.shape[0] != n:
            raise FormatError(f"{what}: the stacked tensors do not hold count = {n} cells")
        for i in range(n):
            try:
                layers.append(Cell(rec[i], inp[i], bias[i], act))
            except (ValueError, TypeError) as exc:
                raise FormatError(f"{what}, cell {i}: {exc}") from None
    return layers


def load_torch_rnn(path: str | os.PathLike[str], *, as_network: bool = False) -> RecurrentModule | Recurrent:
    """Read a ``uat.torch-rnn/1`` file; return the :class:`RecurrentModule` (or, with
    ``as_network=True``, the float64 :class:`~uat.recurrent.Recurrent` with its metadata).

    Raises
    ------
    FormatError
        If the file is not a ``uat.torch-rnn/1`` payload or its tensors do not fit together.
    """
    payload = load_payload(path, TORCH_RNN_FORMAT)
    metadata = payload_metadata(payload)
    qb = payload.get("readout_bias")
    try:
        net = Recurrent.create(lift=_array(payload.get("lift"), 2, "lift"), cells=_layers(payload.get("blocks")),
                               readout=_array(payload.get("readout"), 2, "readout"), exact=False, metadata=metadata,
                               readout_bias=None if qb is None else _array(qb, 1, "readout_bias"))
    except (ValueError, TypeError) as exc:
        if isinstance(exc, FormatError):
            raise
        raise FormatError(f"the torch file's tensors do not form a recurrent network: {exc}") from None
    return net if as_network else RecurrentModule(net)
