"""Convergence of the ReLU L^p witnesses: error against bits per axis, and size against eps.

Left: the measured L^1 error (verifier, randomized QMC) of relu-lp-compact witnesses with
K = 2..6 bits per axis (a tiny ramp, so the grid term dominates) for a scalar 2-D target and
for the unit circle (d_y = 2, M = 2N levels), against the theoretical rate 2^-K (slope -1 in
log2).  Right: depth of eps-driven witnesses (parameters chosen by the construction) against
1/eps, against the depth bound O(eps^-d_x).

Writes docs/figures/relu_convergence.png (or into $UAT_EXAMPLE_OUT).
Run: .venv/bin/python docs/examples/relu_convergence.py
"""

import os
from fractions import Fraction
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from constructions import build  # noqa: E402
from verification import lp_error  # noqa: E402

series = {}
for name, target, ks, extra in (("sin(2 x1 + x2), d=(2,1)", "sin(2*x1 + x2)", [2, 3, 4, 5, 6], {"input_dim": 2}),
                                ("circle, d=(1,2), M=2N", "circle", [3, 4, 5, 6, 7], {})):
    errs = []
    for K in ks:
        kw = dict(extra, bits=K, ramp=Fraction(1, 2 ** (K + 12)))
        if target == "circle":
            kw["levels"] = 2 ** (K + 1)
        c = build("relu-lp-compact", target, eps=1.0, p=1, progress="quiet", **kw)
        errs.append(lp_error(c.network, target, p=1, method="qmc", m=11, replicates=4).value)
    slope = np.polyfit(ks, np.log2(errs), 1)[0]
    series[name] = (ks, errs, slope)
    print(f"{name}: K = {ks}, L^1 = {[f'{e:.2e}' for e in errs]}, log2-slope {slope:.3f} (theory -1)")
    assert abs(slope + 1) <= 0.25

sizes = {}
for name, target, dx, epss in (("d_x=1: sin(2 pi x1)", "sin(2*pi*x1)", 1, [0.2, 0.1, 0.05, 0.025, 0.0125]),
                               ("d_x=2: sin(2 pi x1) x2", "sin(2*pi*x1)*x2", 2, [0.2, 0.1, 0.05, 0.025])):
    rows = []
    for eps in epss:
        c = build("relu-lp-compact", target, input_dim=dx, eps=eps, p=1, progress="quiet")
        rows.append((eps, c.network.depth, c.predicted_error))
    sizes[name] = (dx, rows)
    print(name, [(e, d) for e, d, _ in rows])

fig, ax = plt.subplots(1, 2, figsize=(11, 4.2))
for i, (name, (ks, errs, slope)) in enumerate(series.items()):
    ax[0].semilogy(ks, errs, "o-", color=f"C{i}", label=f"{name}: slope {slope:.2f}")
    ref = errs[0] * 2.0 ** (-(np.array(ks) - ks[0]))
    ax[0].semilogy(ks, ref, "--", color=f"C{i}", alpha=0.5)
ax[0].set_xlabel("bits per axis K (N = 2^K cells)")
ax[0].set_ylabel("L^1 error (measured)")
ax[0].set_title("error vs bits (dashed: theoretical rate 2^-K)")
ax[0].legend(fontsize=8)
for i, (name, (dx, rows)) in enumerate(sizes.items()):
    inv = np.array([1 / e for e, _, _ in rows])
    depth = np.array([d for _, d, _ in rows], float)
    ax[1].loglog(inv, depth, "o-", color=f"C{i}", label=name)
    ax[1].loglog(inv, depth[-1] * (inv / inv[-1]) ** dx, "--", color=f"C{i}", alpha=0.5)
ax[1].set_xlabel("1 / eps")
ax[1].set_ylabel("depth")
ax[1].set_title("witness depth vs 1/eps (dashed: slope d_x)")
ax[1].legend(fontsize=8)
fig.tight_layout()
out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
out.mkdir(parents=True, exist_ok=True)
fig.savefig(out / "relu_convergence.png", dpi=110)
print("wrote", out / "relu_convergence.png")
