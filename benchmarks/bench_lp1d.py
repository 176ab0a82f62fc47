"""Timings of the exact 1-D L^p route (``lp_error(..., method="exact-1d")``) on ReLU witnesses.

Recorded in docs/benchmarks.md, section "Verification" (the exact 1-D L^p table).  Each case
builds a ``relu-lp-compact`` witness on [0, 1] (eps 0.05, p = 1 unless stated) and measures its
L^p error with the default tolerances (quadrature rtol 1e-12, certificate cert_rtol 1e-6),
counting target evaluations.  Cases: smooth scalar and vector targets (the d_y = 2 decoder makes
the error norm ||f - N||_2 nearly singular where f - N passes close to 0), and targets with a
jump (Heaviside) inside a piece, as an expression (the jump is located from the expression) and
as a plain callable (nothing is known: an uncertified estimate).

Usage: .venv/bin/python benchmarks/bench_lp1d.py [--repeat N] [--case SUBSTRING]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import constructions  # noqa: E402
import verification._validate as _validate  # noqa: E402
from uat.targets import make_target  # noqa: E402
from verification import lp_error  # noqa: E402

CASES = [
    # (label, target expression, p)
    ("scalar smooth sin(2 pi x), p=1", "sin(2*pi*x)", 1),
    ("scalar smooth sin(2 pi x), p=2", "sin(2*pi*x)", 2),
    ("d_y=2 smooth [cos 2 pi x, sin 2 pi x], p=1", "[cos(2*pi*x), sin(2*pi*x)]", 1),
    ("d_y=2 smooth [cos 2 pi x, sin 2 pi x], p=2", "[cos(2*pi*x), sin(2*pi*x)]", 2),
    ("scalar jump Heaviside(x - 0.3), p=1", "Heaviside(x-0.3)", 1),
    ("scalar jump x + Heaviside(x - 1/3)/2, p=1", "x + Heaviside(x - 1/3)/2", 1),
    ("d_y=2 jump [Heaviside(x - 0.3), x], p=1", "[Heaviside(x-0.3), x]", 1),
]


class Counter:
    """Counts the points at which the verifier evaluates the target."""

    def __init__(self) -> None:
        self.n = 0
        self.orig = _validate.target_values

    def __enter__(self):
        import importlib

        def counting(target, x):
            self.n += int(np.asarray(x).shape[0])
            return self.orig(target, x)

        self.saved = []
        for name in ("verification._lp1d", "verification._lp1d_quad"):  # the modules that evaluate the target
            try:
                mod = importlib.import_module(name)
            except ImportError:  # older layouts
                continue
            if hasattr(mod, "target_values"):
                self.saved.append((mod, mod.target_values))
                mod.target_values = counting
        return self

    def __exit__(self, *exc):
        for mod, fn in self.saved:
            mod.target_values = fn


def run_case(label: str, expr: str, p: float, repeat: int, callable_target: bool = False) -> dict:
    c = constructions.build("relu-lp-compact", expr, eps=0.05, p=p, input_dim=1, domain="[0,1]", progress="quiet")
    net = c.network
    target = make_target(expr)
    if callable_target:  # the same function without its expression: nothing is known about it
        fn = target.fn
        target = make_target(lambda x: fn(x), input_dim=1)
    best, res, evals = float("inf"), None, 0
    for _ in range(repeat):
        with Counter() as cnt:
            t0 = time.perf_counter()
            res = lp_error(net, target, "[0,1]", p=p, method="exact-1d")
            dt = time.perf_counter() - t0
        best, evals = min(best, dt), cnt.n
    return {"label": label + (" (callable)" if callable_target else ""), "depth": net.depth,
            "pieces": res.details["pieces"], "time": best, "evals": evals, "value": res.value, "low": res.low,
            "high": res.high, "certified": res.certified, "notes": list(res.details.get("notes", ()))}


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--case", default="", help="run only the cases whose label contains this text")
    args = ap.parse_args(argv)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}, numpy {np.__version__}", flush=True)
    todo = [(lab, e, p, False) for lab, e, p in CASES] + [("scalar jump Heaviside(x - 0.3), p=1", "Heaviside(x-0.3)", 1, True)]
    print("| case | depth | pieces | time (s) | target evals | value | certified interval | notes |")
    print("|---|---|---|---|---|---|---|---|")
    for lab, e, p, as_callable in todo:
        if args.case and args.case not in lab:
            continue
        r = run_case(lab, e, p, args.repeat, as_callable)
        interval = f"[{r['low']:.10g}, {r['high']:.10g}]" + ("" if r["certified"] else " (not certified)")
        print(f"| {r['label']} | {r['depth']} | {r['pieces']} | {r['time']:.2f} | {r['evals']:,} | {r['value']:.12g} | "
              f"{interval} | {'; '.join(r['notes'])} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
