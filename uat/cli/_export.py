"""``uat export FILE --to torch|graphml|latex|sympy OUT``: write a witness in another system's format.

* ``torch``: a ``uat.torch/1`` file for ``torch.load(OUT, weights_only=True)``; rebuild the
  ``nn.Sequential`` with ``uat.export.load_torch(OUT)`` (docs/exports.md).
* ``graphml``: GraphML, one node per neuron, weights as float plus exact ``"p/q"`` strings.
* ``latex``: a ``.tex`` fragment (amsmath ``align*``) with ``W_l``, ``b_l`` and activations.
* ``sympy``: the exact expression of each output (small networks only; ``--max-terms``).
"""

from __future__ import annotations

import argparse
from typing import Any

from ..errors import ParameterError
from ..io import load

_FORMATS = ("torch", "graphml", "latex", "sympy")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "export",
        help="export a witness to torch, GraphML, LaTeX or sympy",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", help="a witness file (uat.network/1)")
    p.add_argument("--to", required=True, metavar="FORMAT", help=f"one of: {', '.join(_FORMATS)}")
    p.add_argument("out", help="the file to write")
    p.add_argument(
        "--max-terms", type=int, default=None, metavar="N", help="sympy: refuse expressions with more terms than N"
    )
    p.add_argument(
        "--max-params", type=int, default=None, metavar="N", help="latex: refuse networks with more parameters than N"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..export import export_formats, write

    fmt = args.to.strip().lower()
    if fmt not in export_formats():
        raise ParameterError(f"unknown --to value {args.to!r}; choose one of: {', '.join(export_formats())}")
    options: dict[str, Any] = {}
    if args.max_terms is not None:
        if fmt != "sympy":
            raise ParameterError("--max-terms applies only to --to sympy")
        options["max_terms"] = args.max_terms
    if args.max_params is not None:
        if fmt != "latex":
            raise ParameterError("--max-params applies only to --to latex")
        options["max_params"] = args.max_params
    value = load(args.file)
    write(value, fmt, args.out, **options)
    print(f"wrote {args.out} ({fmt}, {value!r})")
    return 0
