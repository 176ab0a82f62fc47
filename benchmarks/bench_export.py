"""Exports: accuracy of the torch module against numpy, and export times for deep networks.

Usage: .venv/bin/python benchmarks/bench_export.py [--quick]
Prints two tables (recorded in docs/exports.md).  Times are the best of 3 runs, with one
torch thread (deep narrow networks run one small op per layer).
"""

from __future__ import annotations

import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
import torch

from sympy.core.cache import clear_cache

from uat.export import from_torch, load_torch, save_torch, to_networkx, to_sympy, to_torch
from uat.export._sympy import expression_size
from uat.testing import random_network

SWEEP = [
    ("relu", 1000, 1.0),
    ("leaky_relu(1/10)", 1000, 1.0),
    ("leaky_relu(-1/3)", 1000, 1.0),
    ("step", 1000, 1.0),
    ("stepped_leaky_relu(1/4)", 1000, 1.0),
    ("softplus", 1000, 1.0),
    ("gelu", 1000, 1.0),
    ("tanh", 1000, 1.0),
    ("sigmoid", 1000, 1.0),
    ("power(2)", 4, 0.5),
    ("power(3)", 3, 0.5),
    ("exp", 3, 0.5),
]


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def accuracy(seeds: int) -> None:
    print(f"{'activation':<18} {'depth':>6} {'nets':>5} {'max |torch-numpy|/scale':>24} {'max |torch-numpy|':>18}")
    worst = 0.0
    for act, depth, scale in SWEEP:
        rel_max = abs_max = 0.0
        for seed in range(seeds):
            rng = np.random.default_rng([zlib.crc32(act.encode()), seed])
            net = random_network(rng, input_dim=3, output_dim=2, width=6, depth=depth, activation=act, orthogonal=True)
            x = scale * rng.standard_normal((500, 3))
            ref = net.evaluate(x)
            with torch.no_grad():
                got = to_torch(net)(torch.tensor(x)).numpy()
            gap = float(np.max(np.abs(got - ref)))
            abs_max = max(abs_max, gap)
            rel_max = max(rel_max, gap / max(float(np.max(np.abs(ref))), np.finfo(float).tiny))
        worst = max(worst, rel_max)
        print(f"{act:<18} {depth:>6} {seeds:>5} {rel_max:>24.2e} {abs_max:>18.2e}")
    print(f"worst relative gap: {worst:.2e}\n")


def timings(depths: list[int]) -> None:
    print(f"{'depth':>6} {'width':>5} {'to_torch s':>10} {'from_torch s':>12} {'save s':>8} {'load s':>8} {'to_networkx s':>13}")
    tmp = Path(tempfile.mkdtemp(prefix="uat-bench-export-"))
    for depth in depths:
        net = random_network(np.random.default_rng(depth), input_dim=2, output_dim=1, width=8, depth=depth, orthogonal=True)
        module = to_torch(net)
        path = tmp / f"d{depth}.pt"
        t_to = best_of(lambda: to_torch(net))
        t_from = best_of(lambda: from_torch(module))
        t_save = best_of(lambda: save_torch(net, path))
        t_load = best_of(lambda: load_torch(path))
        t_nx = best_of(lambda: to_networkx(net))
        print(f"{depth:>6} {8:>5} {t_to:>10.3f} {t_from:>12.3f} {t_save:>8.3f} {t_load:>8.3f} {t_nx:>13.3f}")
    print()
    print(f"{'to_sympy: exact relu net':<28} {'leaf bound':>10} {'to_sympy s':>10} {'str s':>8}")
    for depth in (2, 3, 4, 5):
        net = random_network(np.random.default_rng(depth), input_dim=2, output_dim=1, width=4, depth=depth, exact=True)
        clear_cache()  # sympy caches sub-expressions; time each network from a cold cache
        t0 = time.perf_counter()
        (expr,) = to_sympy(net, max_terms=10**6)
        t1 = time.perf_counter()
        str(expr)
        t2 = time.perf_counter()
        print(f"{f'2 -> [4 x {depth - 1}] -> 1':<28} {expression_size(net):>10.0f} {t1 - t0:>10.3f} {t2 - t1:>8.3f}")


def main(argv: list[str]) -> int:
    torch.set_num_threads(1)
    quick = "--quick" in argv
    accuracy(seeds=1 if quick else 5)
    timings([1000] if quick else [1000, 10_000])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
