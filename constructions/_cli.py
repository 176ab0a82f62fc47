"""``uat build NAME ...``: build a witness and write it as a JSON witness file.

Each registered construction is a sub-command with the common options below plus its
own (``uat build NAME --help``).  Building is deterministic: the same call writes
byte-identical files.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import uat
from uat.errors import ParameterError

from ._registry import build, registered


def _param(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    k, v = text.split("=", 1)
    return k.strip(), v.strip()


def _value(text: str) -> Any:
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def add_common_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", "-o", required=True, help="the witness file to write (JSON)")
    p.add_argument("--target", help="target: an expression such as 'sin(2*pi*x1)*x2', or a library name")
    p.add_argument("--domain", help="domain box, e.g. '[0,1]^2' or '[-1,1]x[0,2]' (default [0,1]^dx)")
    p.add_argument("--dx", type=int, help="input dimension (default: from the target)")
    p.add_argument("--dy", type=int, help="output dimension (default: from the target)")
    p.add_argument("--eps", type=float, help="requested accuracy epsilon")
    p.add_argument("--p", type=float, help="the L^p exponent (L^p constructions)")
    p.add_argument("--param", action="append", type=_param, default=[], metavar="KEY=VALUE",
                   help="override a construction parameter (repeatable), e.g. --param bits=6")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--progress", action="store_true", help="always show progress (default: on a terminal only)")
    g.add_argument("--quiet", action="store_true", help="never show progress")


def default_from_args(args: argparse.Namespace) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if args.target is not None:
        kw["target"] = args.target
    for src, dst in (("domain", "domain"), ("dx", "input_dim"), ("dy", "output_dim"), ("eps", "eps"), ("p", "p")):
        v = getattr(args, src, None)
        if v is not None:
            kw[dst] = v
    for k, v in args.param:
        kw[k] = _value(v)
    return kw


def register(sub: Any) -> None:
    p = sub.add_parser("build", help="build a witness network", description=__doc__)
    inner = p.add_subparsers(dest="construction", metavar="CONSTRUCTION", parser_class=type(p))
    inner.required = True
    for spec in registered():
        q = inner.add_parser(spec.name, help=spec.summary, description=f"{spec.summary} (theorem {spec.theorem})")
        add_common_arguments(q)
        if spec.add_arguments is not None:
            spec.add_arguments(q)
        q.set_defaults(func=run, spec=spec)


def run(args: argparse.Namespace) -> int:
    spec = args.spec
    kw = spec.from_args(args) if spec.from_args is not None else default_from_args(args)
    kw["progress"] = "force" if args.progress else ("quiet" if args.quiet else "auto")
    target = kw.pop("target", None)
    try:
        result = build(spec.name, target, **kw)
    except TypeError as exc:  # a parameter the builder does not know
        raise ParameterError(f"{spec.name}: {exc}") from None
    uat.save(result.network, args.out)
    net = result.network
    pred = "" if result.predicted_error is None else f", predicted error <= {result.predicted_error:.3g}"
    print(
        f"{spec.name}: width {net.width}, depth {net.depth}, {net.n_params} parameters{pred} -> {args.out}",
        file=sys.stdout,
    )
    return 0
