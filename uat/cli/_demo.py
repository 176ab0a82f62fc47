"""``uat demo``: print the catalogue, a hand-written network, and build and verify one witness per family."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="the main job on built-in defaults", description=__doc__)
    p.add_argument("--quick", action="store_true", help="smaller witnesses (used by the tests)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .._demo import run_demo

    return run_demo(sys.stdout, quick=args.quick)
