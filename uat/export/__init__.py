"""Exports of uat values to other systems: torch, sympy/LaTeX and networkx/GraphML.

Only the modules of this package import torch, sympy or networkx, and each of them is
loaded on first use (the names below are resolved lazily), so ``import uat`` and even
``import uat.export`` stay light.

=====================  ==========================================================
function               result
=====================  ==========================================================
``to_torch(net)``      ``torch.nn.Sequential`` in float64 (outputs equal numpy's)
``from_torch(module)`` a float64 :class:`~uat.FeedForward` back
``save_torch(net, p)`` a file that ``torch.load(p, weights_only=True)`` reads
``load_torch(p)``      the ``nn.Sequential`` rebuilt from such a file
``to_sympy(net)``      exact sympy expressions, one per output (small networks)
``to_latex(net)``      per-layer matrices ``W_l, b_l`` and activations as LaTeX
``to_networkx(net)``   ``networkx.DiGraph`` with one node per neuron
``write_graphml``      GraphML file of that graph (weights as float + ``"p/q"``)
=====================  ==========================================================

:func:`write` writes a value to a file in a named format (the engine of ``uat export``);
its table :data:`FILE_WRITERS` maps ``(format, class name)`` to ``"module:function"``.

Extending: a new export adds its module here and one line per public name to
:data:`_LAZY` (and, for a file format, one line to :data:`FILE_WRITERS`).

>>> import uat.export
>>> sorted({fmt for fmt, _ in uat.export.FILE_WRITERS})
['graphml', 'latex', 'sympy', 'torch']
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from ..errors import MethodError, UatError

__all__ = [
    "to_torch",
    "from_torch",
    "save_torch",
    "load_torch",
    "to_sympy",
    "to_latex",
    "to_networkx",
    "write_graphml",
    "write",
    "export_formats",
    "FILE_WRITERS",
    "UnsupportedModule",
]

# public name -> submodule that defines it (imported on first access)
_LAZY: dict[str, str] = {
    "to_torch": "._torch",
    "from_torch": "._torch",
    "save_torch": "._torch_io",
    "load_torch": "._torch_io",
    "TORCH_FORMAT": "._torch_io",
    "to_sympy": "._sympy",
    "to_latex": "._sympy",
    "write_sympy": "._sympy",
    "write_latex": "._sympy",
    "SYMPY_MAX_TERMS": "._sympy",
    "LATEX_MAX_PARAMS": "._sympy",
    "to_networkx": "._networkx",
    "write_graphml": "._networkx",
    "deepsets_to_torch": "._torch_deepsets",
    "save_torch_rnn": "._torch_rnn_io",
    "load_torch_rnn": "._torch_rnn_io",
}

# (format, type name of the value) -> "submodule:function(value, path)"
FILE_WRITERS: dict[tuple[str, str], str] = {
    ("torch", "FeedForward"): "._torch_io:save_torch",
    ("graphml", "FeedForward"): "._networkx:write_graphml",
    ("latex", "FeedForward"): "._sympy:write_latex",
    ("sympy", "FeedForward"): "._sympy:write_sympy",
    ("torch", "Recurrent"): "._torch_rnn_io:save_torch_rnn",
}


class UnsupportedModule(UatError, TypeError):
    """A torch module that :func:`from_torch` cannot read as a feed-forward layer (the message names it)."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name], __name__)
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def export_formats(value: Any = None) -> list[str]:
    """The file formats :func:`write` accepts (for ``value``'s type, or for any type)."""
    kind = None if value is None else type(value).__name__
    return sorted({fmt for fmt, k in FILE_WRITERS if kind is None or k == kind})


def write(value: Any, fmt: str, path: str | os.PathLike[str], **options: Any) -> None:
    """Write ``value`` (a FeedForward, or another registered kind) to ``path`` in format ``fmt``.

    Raises
    ------
    MethodError
        For a format name that is not known, or not available for this kind of value;
        the message lists the valid names.
    """
    kind = type(value).__name__
    key = (fmt, kind)
    if key not in FILE_WRITERS:
        every = export_formats()
        mine = export_formats(value)
        if fmt not in every:
            raise MethodError(f"unknown export format {fmt!r}; known formats: {', '.join(every)}")
        raise MethodError(
            f"export format {fmt!r} is not available for a {kind}; formats for a {kind}: "
            f"{', '.join(mine) if mine else 'none'}"
        )
    module_name, func_name = FILE_WRITERS[key].split(":")
    func = getattr(importlib.import_module(module_name, __name__), func_name)
    func(value, path, **options)
