"""Leaky-ReLU constructions: size, weights, build and verification time against eps.

Prints markdown tables (record them in docs/benchmarks.md, section "Leaky-ReLU constructions"):

1. leaky-lp (L^1, QMC 2^12 x 4) and leaky-uniform (certified sup) for several eps:
   width, depth, parameters, max |weight|, build time, verification time, measured error, a-priori bound.
2. The encoder against the peer implementation's published setting (Rochau et al.,
   DennisRTUB/universal-approximation-minimal-width, Coding_Scheme_1D): their 1-D encoder for K levels is
   2(2^K - 1) + 1 blocks of leaky ReLUs with *arbitrary* slopes (a few layers each), error checked by
   sampling only; ours uses one fixed slope alpha = 1/4, so each of the 2(2^K - 1) kinks costs m layers.

Run: .venv/bin/python benchmarks/bench_leaky.py [--quick]
"""

from __future__ import annotations

import sys
import time

from constructions import build
from verification import lp_error, sup_error

QUICK = "--quick" in sys.argv

LP_CASES = [
    ("(1,1) sin(3x)", "sin(3*x1)", "[0,1]", [0.1, 0.03, 0.01]),
    ("(2,1) x1 x2 + x1/2", "x1*x2 + x1/2", "[0,1]^2", [0.4, 0.2, 0.1]),
    ("(1,2) [x^2, 1-x]", "[x1**2, 1 - x1]", "[0,1]", [0.2, 0.1, 0.05]),
    ("(2,2) [x1 x2, x1 - x2]", "[x1*x2, x1 - x2]", "[0,1]^2", [0.6, 0.3]),
]
UNIFORM_CASES = [
    ("(1,1) sin(4x)", "sin(4*x1)", "[0,1]", [1e-2, 1e-3, 1e-4]),
    ("(1,2) circle", "[cos(2*pi*x1), sin(2*pi*x1)]", "[0,1]", [1e-2, 1e-3]),
    ("(2,1) sin(2x1)cos(x2)+x1x2/2", "sin(2*x1)*cos(x2) + x1*x2/2", "[-1,1]^2", [0.2, 0.1]),
    ("(1,3) [cos pi x, sin pi x, x^2]", "[cos(pi*x1), sin(pi*x1), x1**2]", "[0,1]", [1e-2, 1e-3]),
]


def row(name, label, eps, c, verify_s, err):
    n = c.network
    return (f"| {name} | {label} | {eps:g} | {n.width} | {n.depth:,} | {n.n_params:,} | {n.max_abs_weight():.3g} | "
            f"{c.build_s:.2f} | {verify_s:.2f} | {err:.3g} | {c.predicted_error:.3g} |")


def main() -> None:
    print("| construction | case | eps | width | depth | params | max abs weight | build (s) | verify (s) | "
          "measured error | a-priori bound |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for label, tgt, dom, epss in LP_CASES:
        for eps in epss[:2] if QUICK else epss:
            t0 = time.perf_counter()
            c = build("leaky-lp", tgt, eps=eps, p=1, domain=dom, progress="quiet")
            object.__setattr__(c, "build_s", time.perf_counter() - t0)
            t0 = time.perf_counter()
            r = lp_error(c.network, tgt, dom, p=1, method="qmc", m=12, replicates=4)
            print(row("leaky-lp (L^1)", label, eps, c, time.perf_counter() - t0, r.value), flush=True)
    for label, tgt, dom, epss in UNIFORM_CASES:
        for eps in epss[:1] if QUICK else epss:
            t0 = time.perf_counter()
            c = build("leaky-uniform", tgt, eps=eps, domain=dom, progress="quiet")
            object.__setattr__(c, "build_s", time.perf_counter() - t0)
            t0 = time.perf_counter()
            r = sup_error(c.network, tgt, dom)
            err = r.high if r.certified else r.value
            print(row("leaky-uniform (sup, certified)" if r.certified else "leaky-uniform (sup)", label, eps, c,
                      time.perf_counter() - t0, err), flush=True)
    print()
    print("| K (levels 2^K) | peer encoder blocks 2(2^K-1)+1 (arbitrary slopes) | our encoder kinks 2(2^K-1) | "
          "our flat exponent m | our encoder layers (alpha = 1/4) | our memorizer + decoder layers | whole witness depth |")
    print("|---|---|---|---|---|---|---|")
    for K in (3, 4, 5, 6) if not QUICK else (3, 4):
        c = build("leaky-lp", "[x1**2, 1 - x1]", eps=0.5, p=1, bits=K, domain="[0,1]", progress="quiet")
        layers = c.network.metadata["layers"]
        enc = layers.get("encoder_layers", 0)
        print(f"| {K} | {2 * (2**K - 1) + 1} | {2 * (2**K - 1)} | {c.parameters['flat']} | {enc:,} | "
              f"{layers.get('memorizer_layers', 0) + layers.get('decoder_layers', 0):,} | {c.network.depth:,} |",
              flush=True)


if __name__ == "__main__":
    main()
