"""Run every benchmark script (benchmarks/bench_*.py) in turn; each prints its own table.

Usage: .venv/bin/python benchmarks/run_all.py [name-substring ...]
Results are recorded by hand (with date and machine) in docs/benchmarks.md.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(a in s.name for a in argv)]
    status = 0
    for script in scripts:
        print(f"=== {script.name} ===", flush=True)
        t0 = time.perf_counter()
        res = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(f"=== {script.name}: exit {res.returncode}, {time.perf_counter() - t0:.1f} s ===\n", flush=True)
        status = status or res.returncode
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
