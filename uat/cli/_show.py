"""``uat show FILE``: dims, width profile, depth, parameters, activations and metadata."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..io import load


def register(sub: Any) -> None:
    p = sub.add_parser("show", help="describe a witness file", description=__doc__)
    p.add_argument("file", help="a witness file (uat.network/1, uat.rnn/1 or uat.deepsets/1)")
    p.add_argument("--json", action="store_true", help="print a JSON object instead of text")
    p.set_defaults(func=run)


def _profile(runs: list[list[Any]]) -> str:
    return ", ".join(f"{v}" if c == 1 else f"{v} x{c}" for v, c in runs)


def run(args: argparse.Namespace) -> int:
    value = load(args.file)
    info = value.summary()
    if args.json:
        print(json.dumps(info, indent=2, sort_keys=True))
        return 0
    print(f"file        {args.file}")
    print(f"kind        {info.get('kind')}")
    print(f"dims        {info['input_dim']} -> {info['output_dim']}")
    print(f"width       {info['width']}")
    if "width_profile" in info:
        print(f"widths      [{_profile(info['width_profile'])}]")
    print(f"depth       {info['depth']}")
    print(f"parameters  {info['n_params']}")
    print(f"exact       {'yes (rational weights)' if info.get('exact') else 'no (float64 weights)'}")
    if "activation_profile" in info:
        print(f"activations {_profile(info['activation_profile'])}")
    else:
        print(f"activations {', '.join(info.get('activations', []))}")
    if "max_abs_weight" in info:
        print(f"max |w|     {info['max_abs_weight']:.6g}")
    md = info.get("metadata") or {}
    if md:
        print("metadata")
        for k in sorted(md):
            v = md[k]
            text = v if isinstance(v, str) else json.dumps(v, sort_keys=True)
            if len(text) > 200:
                text = text[:197] + "..."
            print(f"  {k:<18} {text}")
    return 0
