"""DeepSets witnesses: build time, embed and decode time, and decoding error for N, D up to 8.

For each construction (LP improved, LP paper, LE) and each (N, D) this builds the witness
(exact rational weights), embeds a batch of random sets in [-1, 1]^D and a batch with
duplicated rows, decodes them, and reports the worst decoding error after optimal matching
and the worst relative re-embedding residual.  Usage::

    .venv/bin/python benchmarks/bench_deepsets.py [--quick] [--sets 50]

OpenBLAS threads are pinned to 1 (set before numpy is imported): on the shared 2-core machine
multi-threaded LAPACK calls on many small matrices were 10-50x slower than single-threaded.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from constructions import build  # noqa: E402
from verification.sets import matching_error  # noqa: E402
from uat.errors import BudgetExceeded, PrecisionBudgetExceeded  # noqa: E402

GRID_N = (2, 3, 4, 6, 8)
GRID_D = (2, 4, 8)


def run_case(name: str, variant: str | None, n: int, d: int, n_sets: int, rng: np.random.Generator) -> dict:
    kw = {"N": n, "D": d} | ({"variant": variant} if variant else {})
    t0 = time.perf_counter()
    net = build(name, **kw).network
    t_build = time.perf_counter() - t0
    x = rng.uniform(-1, 1, (n_sets, n, d))
    dup = rng.uniform(-1, 1, (max(1, n_sets // 2), n, d))
    dup[:, 1 : min(3, n)] = dup[:, :1]  # a pair (N = 2) or a triple of equal rows
    t0 = time.perf_counter()
    s = net.embed(x)
    t_embed = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = net.decode(s)
    t_decode = time.perf_counter() - t0
    err = max(matching_error(res.sets[i], x[i]) for i in range(n_sets))
    res_dup = net.decode(net.embed(dup))
    err_dup = max(matching_error(res_dup.sets[i], dup[i]) for i in range(dup.shape[0]))
    return {"case": f"{name}{'/' + variant if variant else ''}", "N": n, "D": d, "L": net.width,
            "build_s": t_build, "embed_ms_per_set": 1e3 * t_embed / n_sets, "decode_ms_per_set": 1e3 * t_decode / n_sets,
            "error": err, "error_duplicates": err_dup, "residual": float(res.residual.max())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="N, D in {2, 4} only")
    ap.add_argument("--sets", type=int, default=50, help="random sets per case (default 50)")
    args = ap.parse_args()
    ns, ds = ((2, 4), (2, 4)) if args.quick else (GRID_N, GRID_D)
    rng = np.random.default_rng(2024)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}, numpy {np.__version__}")
    print("| case | N | D | L | build (s) | embed (ms/set) | decode (ms/set) | max error | max error, duplicates | max residual |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, variant in (("deepsets-lp", "improved"), ("deepsets-lp", "paper"), ("deepsets-le", None)):
        for n in ns:
            for d in ds:
                try:
                    r = run_case(name, variant, n, d, args.sets, rng)
                except (PrecisionBudgetExceeded, BudgetExceeded) as err:  # beyond the builder's budgets
                    why = "float64 budget" if isinstance(err, PrecisionBudgetExceeded) else "size budget"
                    print(f"| {name}{'/' + variant if variant else ''} | {n} | {d} | refused ({why}) "
                          "| | | | | | |", flush=True)
                    continue
                print(f"| {r['case']} | {n} | {d} | {r['L']:,} | {r['build_s']:.2f} | {r['embed_ms_per_set']:.2f} | "
                      f"{r['decode_ms_per_set']:.1f} | {r['error']:.1e} | {r['error_duplicates']:.1e} | "
                      f"{r['residual']:.1e} |", flush=True)


if __name__ == "__main__":
    main()
