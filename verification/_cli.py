"""``uat verify FILE``: measure a witness file's error and judge it against its epsilon.

Target, domain, norm, p and epsilon default to the file's metadata (``target``,
``domain``, ``norm`` or else ``lp`` when ``p`` is recorded and ``sup`` otherwise, ``p``,
``epsilon``).  Prints the estimate, its interval, whether it is certified, the method and
its parameters, the width against the catalogue, and the verdict.  Exit status: 0 for a
pass (or when there is no epsilon to judge against), 1 for a fail, 2 for bad input.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from uat.errors import ParameterError, TargetError
from uat.io import load

from ._dispatch import handler_for, normalise_norm
from .judge import format_report, judge, width_report


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r}")
    return v


def _p_value(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number for p, got {text!r}") from None


def register(sub: Any) -> None:
    p = sub.add_parser("verify", help="measure a witness's error and judge it", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help="a witness file (uat.network/1, or another registered witness format)")
    p.add_argument("--target", help="target expression or library name (default: the file's metadata)")
    p.add_argument("--domain", help="domain box such as '[0,1]^2' (default: the metadata, else [0,1]^d)")
    p.add_argument("--norm", help="'sup' (uniform) or 'lp' (default: from the metadata)")
    p.add_argument("--p", type=_p_value, help="the L^p exponent, 1 <= p < inf (default: metadata, else 2)")
    p.add_argument("--eps", type=_positive_float, help="epsilon for the verdict (default: the metadata's)")
    p.add_argument("--method", help="measuring method (sup: auto, exact-1d, regions-2d, regions-3d, grid; "
                                    "lp: auto, exact-1d, regions-2d, regions-3d, qmc, mc)")
    p.add_argument("--seed", type=int, help="seed of the sampling methods (default 0)")
    p.add_argument("--m", type=int, dest="m", help="sampling methods: 2**m points per replicate")
    p.add_argument("--replicates", type=int, help="sampling methods: independent replicates (>= 2)")
    p.add_argument("--max-regions", type=int, dest="max_regions", help="region budget of the exact 2-D and 3-D enumerations (sup and L^p)")
    p.add_argument("--require-certified", action="store_true", help="fail unless the result is certified")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--plot", metavar="OUT.png", help="draw target, network and error to this PNG file")
    p.set_defaults(func=run)


def _defaults(md: Any, args: argparse.Namespace) -> tuple[Any, Any, str, float | None, float | None]:
    target = args.target if args.target is not None else md.get("target")
    if target is None:
        raise TargetError("no target: pass --target EXPR (the file's metadata records none)")
    domain = args.domain if args.domain is not None else md.get("domain")
    p = args.p if args.p is not None else md.get("p")
    norm = args.norm or md.get("norm") or ("lp" if (args.p is not None or md.get("p") is not None) else "sup")
    eps = args.eps if args.eps is not None else md.get("epsilon")
    if eps is not None and (isinstance(eps, bool) or not isinstance(eps, (int, float))):
        raise ParameterError(f"the file's metadata has epsilon = {eps!r}, not a number; pass --eps")
    return target, domain, norm, (None if p is None else float(p)), (None if eps is None else float(eps))


def run(args: argparse.Namespace) -> int:
    value = load(args.file)
    md = getattr(value, "metadata", {}) or {}
    target, domain, norm, p, eps = _defaults(md, args)
    h = handler_for(value)
    norm = normalise_norm(norm, h)
    options = {k: getattr(args, k) for k in ("method", "seed", "m", "replicates", "max_regions")}
    if norm == "sup":
        for k in ("seed", "m", "replicates"):
            options.pop(k)
    result = h.measure(value, target, domain=domain, norm=norm, p=p, **options)
    verdict = judge(result, eps, require_certified=args.require_certified)
    width_text, width_info = width_report(value, norm, md.get("theorem"))
    info = h.describe(value)
    if args.plot:
        if h.plot is None:
            raise ParameterError(f"--plot is not available for a {h.name}")
        h.plot(value, target, domain=domain, result=result, out=args.plot)
    if args.json:
        out = result.to_json()
        out.update(
            {
                "width": info.get("width"),
                "verdict": "pass" if verdict.passed and eps is not None else ("fail" if not verdict.passed else "none"),
                "verdict_reason": verdict.reason,
                "epsilon": eps,
                "target": str(getattr(target, "name", target)),
                "domain": result.details.get("domain", None if domain is None else str(domain)),
                "theorem": md.get("theorem"),
                "width_check": width_info if width_info is not None else width_text,
                "file": args.file,
            }
        )
        print(json.dumps(out, indent=2, sort_keys=True))
    else:
        dom = str(result.details.get("domain", domain))
        print(f"file        {args.file}")
        print(format_report(value, str(target), dom, result, verdict, width_text, describe=info))
        if args.plot:
            print(f"plot        {args.plot}")
    return 0 if verdict.passed else 1
