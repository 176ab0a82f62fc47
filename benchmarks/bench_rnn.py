"""RNN witnesses: build time, width, depth, parameters and verification time (issue 6).

Grid: T in {5, 10, 20} and d_x in {1, 2, 3} for rnn-uniform on the exact running mean and on
the ridge target wiener-tanh (eps = 1e-3); then a few rnn-lp, brnn-uniform and rnn-tanh
cases.  Verification is the independent sequence verifier: the sup over 2^12 Sobol' plus
3 x 1024 corner, face and uniform sequences, and the bitwise causality check (L^p: 8 x 2^12
QMC sequences).  One run per case; prints a markdown table for docs/benchmarks.md.

Usage: .venv/bin/python benchmarks/bench_rnn.py [--quick]
"""

from __future__ import annotations

import os
import platform
import sys
import time

import numpy as np

from constructions import build
from verification import measure


def _row(name: str, target: str, kw: dict, norm: str = "sup", p: float | None = None) -> str:
    t0 = time.perf_counter()
    c = build(name, target, **kw)
    t_build = time.perf_counter() - t0
    net = c.network
    t0 = time.perf_counter()
    res = measure(net, target, norm=norm, p=p, m=12)
    t_verify = time.perf_counter() - t0
    causal = res.details.get("causality", {}).get("passed", "n/a")
    dims = f"{net.input_dim}/{net.output_dim}"
    interval = "" if norm == "sup" else f" [{res.low:.2e}, {res.high:.2e}]"
    return (f"| {name} | {target} | {kw.get('T')} | {dims} | {net.width} | {net.depth:,} | {net.n_params:,} | "
            f"{t_build:.2f} | {t_verify:.2f} | {res.value:.2e}{interval} | {causal} |")


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    Ts = (5, 10) if quick else (5, 10, 20)
    dxs = (1, 2) if quick else (1, 2, 3)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, load average {load:.1f}, "
          f"Python {platform.python_version()}, numpy {np.__version__}")
    print("| construction | target | T | d_x/d_y | width | depth | params | build (s) | verify (s) | error | causal |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for target in ("running-mean", "wiener-tanh"):
        for dx in dxs:
            for T in Ts:
                print(_row("rnn-uniform", target, {"T": T, "input_dim": dx, "eps": 1e-3, "domain": f"[-1,1]^{dx}"}),
                      flush=True)
    for kw in ({"T": 10, "input_dim": 1}, {"T": 20, "input_dim": 2}):
        print(_row("brnn-uniform", "reversal", {**kw, "domain": f"[-1,1]^{kw['input_dim']}"}), flush=True)
    print(_row("rnn-uniform", "running-max", {"T": 20, "input_dim": 3}), flush=True)
    print(_row("rnn-uniform", "tanh-system", {"T": 3, "eps": 0.05}), flush=True)
    for kw in ({"T": 2, "bits": 5, "p": 1.0}, {"T": 3, "bits": 4, "p": 1.0}):
        print(_row("rnn-lp", "majority", kw, norm="lp", p=kw["p"]), flush=True)
    for act in ("tanh", "sigmoid"):
        print(_row(f"rnn-{act}", "wiener-sin", {"T": 20, "eps": 1e-3}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
