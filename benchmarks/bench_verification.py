"""Timings of the verification package (results recorded in docs/benchmarks.md, section "Verification").

1. 1-D exact sup certification of a depth-10^4, width-10 ReLU network (random orthogonal
   weights) against sin(3x) on [-1, 1]: pieces, then the refined certificate.  Goal < 2 s.
2. 2-D exact region enumeration of T^9(x1) + T^9(x2) (tent map, 4^9 = 262,144 regions), and
   of T^8 + T^8 (65,536).  Goal: 10^5 regions < 5 s.
3. QMC L^2 error at 2^16 points x 8 replicates of a depth-10^3, width-10 ReLU network with two
   inputs (no goal; dominated by float64 forward passes).
4. 3-D exact region enumeration (``linear_regions_3d``) of T^L(x1) + T^L(x2) + T^L(x3) (8^L
   cubes; L = 5 and 6), of a random leaky-ReLU network (width 8, depth 12), and of the width-4
   ``leaky-uniform`` (3, 1) witness of sin(2*x1)*x2 + x3**2/2 (build time excluded), with the
   certified sup of that witness by the regions and by the grid route (regions per second).

Usage: .venv/bin/python benchmarks/bench_verification.py [--quick]
Each timing is the best of ``--repeat`` runs (default 3; 1 for the QMC case).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import scipy  # noqa: E402
import scipy.stats.qmc  # noqa: E402,F401  (imported before timing: scipy.stats takes seconds to import)

from uat.testing import random_network  # noqa: E402
from verification import linear_pieces_1d, linear_regions_2d, lp_error, sup_error  # noqa: E402
from _verify_support import tent_2d, zero_target  # noqa: E402
from test_verify_3d import tent_3d  # noqa: E402
from verification import linear_regions_3d  # noqa: E402


def best_of(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a smoke test, not the recorded numbers)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    depth1 = 1000 if args.quick else 10_000
    layers2 = 6 if args.quick else 9
    depth3, m3 = (100, 12) if args.quick else (1000, 16)
    rows = []

    print(f"machine: {cpu_name()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}, scipy {scipy.__version__}", flush=True)

    # 1. one input, depth 10^4
    net1 = random_network(np.random.default_rng(0), input_dim=1, output_dim=1, width=10, depth=depth1, orthogonal=True)
    t_pieces, pcs = best_of(lambda: linear_pieces_1d(net1, -1, 1), args.repeat)
    t_sup, r1 = best_of(lambda: sup_error(net1, "sin(3*x)", "[-1,1]"), args.repeat)
    rows.append(("1-D pieces, depth %d width 10" % depth1, t_pieces, f"{pcs.n_pieces} pieces, verify {pcs.verify():.1e}"))
    rows.append(("1-D certified sup, depth %d width 10" % depth1, t_sup,
                 f"[{r1.low:.6e}, {r1.high:.6e}] certified={r1.certified}, {r1.n_evals} target evals"))

    # 2. two inputs, tent networks
    for L in sorted({layers2 - 1, layers2}):
        net2 = tent_2d(L)
        t_reg, reg = best_of(lambda: linear_regions_2d(net2, "[0,1]^2", max_regions=10**6), args.repeat)
        rows.append((f"2-D regions, T^{L}(x1)+T^{L}(x2)", t_reg, f"{reg.n_regions} regions, verify {reg.verify():.1e}"))
    t_c2, r2 = best_of(lambda: sup_error(tent_2d(layers2 - 1), zero_target(2), max_regions=10**6), 1)
    rows.append((f"2-D certified sup vs 0, T^{layers2 - 1}+T^{layers2 - 1}", t_c2,
                 f"value {r2.value:g}, [{r2.low:g}, {r2.high:g}] certified={r2.certified}"))

    # 3. QMC L^2, depth 10^3, two inputs
    net3 = random_network(np.random.default_rng(3), input_dim=2, output_dim=1, width=10, depth=depth3, orthogonal=True)
    t_q, r3 = best_of(lambda: lp_error(net3, lambda x: np.sin(3 * x[:, :1]) * x[:, 1:], "[-1,1]^2", p=2, m=m3,
                                       replicates=8, seed=0), 1)
    rows.append((f"QMC L^2, 2^{m3} x 8 points, depth {depth3} width 10", t_q,
                 f"{r3.value:.6e} in [{r3.low:.6e}, {r3.high:.6e}] (95% CI)"))

    rows.extend(three_d(args))

    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'time [s]':>9}  result")
    for name, t, note in rows:
        print(f"{name:<{width}}  {t:9.3f}  {note}")
    print(json.dumps({name: round(t, 4) for name, t, _ in rows}))
    return 0


def three_d(args) -> list[tuple[str, float, str]]:
    """Section 4: exact 3-D regions and the certified sup built on them."""
    from constructions import build

    rows = []

    def regions_row(name, net, box):
        t, reg = best_of(lambda: linear_regions_3d(net, box, max_regions=10**6), args.repeat)
        rows.append((name, t, f"{reg.n_regions} regions ({reg.n_regions / t:,.0f}/s), verify {reg.verify():.1e}"))

    for L in (3, 4) if args.quick else (5, 6):
        regions_row(f"3-D regions, T^{L}(x1)+T^{L}(x2)+T^{L}(x3)", tent_3d(L), "[0,1]^3")
    regions_row("3-D regions, random leaky net width 8 depth 12",
                random_network(np.random.default_rng(4), input_dim=3, output_dim=1, width=8, depth=12,
                               activation="leaky_relu(1/4)"), "[-1,1]^3")
    target = "sin(2*x1)*x2 + x3**2/2"
    net = build("leaky-uniform", target, eps=0.5, domain="[0,1]^3", progress="quiet").network
    regions_row(f"3-D regions, leaky-uniform (3,1) witness, width {net.width} depth {net.depth}", net, "[0,1]^3")
    t, r = best_of(lambda: sup_error(net, target, "[0,1]^3"), args.repeat)
    rows.append(("3-D certified sup of that witness (regions-3d)", t,
                 f"[{r.low:.7g}, {r.high:.7g}] certified={r.certified}, {r.details['regions']} regions, "
                 f"{r.n_evals} target evals"))
    t, g = best_of(lambda: sup_error(net, target, "[0,1]^3", method="grid"), 1)
    rows.append(("same witness, grid + network Lipschitz route", t, f"[{g.low:.7g}, {g.high:.3g}]"))
    return rows


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
