"""Convergence of the leaky-ReLU witnesses, measured by the independent verifier.

Left: L^1 error of leaky-lp witnesses (width max(2, d_x, d_y)) against the bits per axis n, for
(1,2) and (2,1) targets (randomized QMC), against the rate 2^-n of a Lipschitz target.
Middle: certified sup error of leaky-uniform witnesses (width d_x + 1 = 2) against the number
of PL knots, against the rate knots^-2 of a C^2 target.
Right: depth of eps-driven witnesses against 1/eps.

Writes docs/figures/leaky_convergence.png (or into $UAT_EXAMPLE_OUT).
Run: .venv/bin/python docs/examples/leaky_convergence.py
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from constructions import build  # noqa: E402
from verification import lp_error, sup_error  # noqa: E402

lp_series = {}
for name, tgt, dom, kw, ns in (("(1,2): [x^2, 1-x]", "[x1**2, 1 - x1]", "[0,1]", {"out_bits": 9, "gamma_bits": 22, "decoder_flat": 14}, [2, 3, 4, 5]),
                               ("(2,1): x1 x2 + x1/2", "x1*x2 + x1/2", "[0,1]^2", {"knots": 64, "gamma_bits": 22}, [1, 2, 3, 4])):
    errs = []
    for n in ns:
        c = build("leaky-lp", tgt, eps=1.0, p=1, bits=n, domain=dom, progress="quiet", **kw)
        errs.append(lp_error(c.network, tgt, dom, p=1, method="qmc", m=11, replicates=4).value)
    slope = np.polyfit(ns, np.log2(errs), 1)[0]
    lp_series[name] = (ns, errs, slope)
    print(f"leaky-lp {name}: n = {ns}, L^1 = {[f'{e:.2e}' for e in errs]}, log2-slope {slope:.2f} (theory -1)")
    assert abs(slope + 1) <= 0.3

ks = [4, 8, 16, 32, 64]
sup_errs = []
for k in ks:
    c = build("leaky-uniform", "sin(4*x1)", eps=1.0, knots=k, domain="[0,1]", progress="quiet")
    r = sup_error(c.network, "sin(4*x1)", "[0,1]")
    assert r.certified
    sup_errs.append(r.high)
ks_slope = np.polyfit(np.log2(ks), np.log2(sup_errs), 1)[0]
print(f"leaky-uniform sin(4x): knots = {ks}, certified sup = {[f'{e:.2e}' for e in sup_errs]}, slope {ks_slope:.2f} (theory -2)")

sizes = {}
for name, tgt, dom, epss, kw in (("leaky-lp (2,1), L^1", "x1*x2 + x1/2", "[0,1]^2", [0.4, 0.2, 0.1], {"p": 1}),
                                 ("leaky-uniform (1,1)", "sin(4*x1)", "[0,1]", [0.1, 0.01, 0.001, 1e-4], {}),
                                 ("leaky-uniform (1,2)", "[cos(2*pi*x1), sin(2*pi*x1)]", "[0,1]",
                                  [0.1, 0.01, 0.001], {})):
    rows = []
    cname = name.split()[0]
    for eps in epss:
        c = build(cname, tgt, eps=eps, domain=dom, progress="quiet", **kw)
        rows.append((eps, c.network.depth))
    sizes[name] = rows
    print(name, rows)

fig, ax = plt.subplots(1, 3, figsize=(14, 4.2))
for i, (name, (ns, errs, slope)) in enumerate(lp_series.items()):
    ax[0].semilogy(ns, errs, "o-", color=f"C{i}", label=f"{name}: slope {slope:.2f}")
    ax[0].semilogy(ns, errs[0] * 2.0 ** (-(np.array(ns) - ns[0])), "--", color=f"C{i}", alpha=0.5)
ax[0].set_xlabel("bits per axis n")
ax[0].set_ylabel("L^1 error (QMC)")
ax[0].set_title("leaky-lp: error vs bits (dashed: 2^-n)")
ax[0].legend(fontsize=8)
ax[1].loglog(ks, sup_errs, "o-", label=f"certified sup, slope {ks_slope:.2f}")
ax[1].loglog(ks, sup_errs[0] * (np.array(ks) / ks[0]) ** -2.0, "--", alpha=0.5, label="knots^-2")
ax[1].set_xlabel("PL knots")
ax[1].set_ylabel("sup error (certified)")
ax[1].set_title("leaky-uniform, width 2: sin(4x)")
ax[1].legend(fontsize=8)
for i, (name, rows) in enumerate(sizes.items()):
    e, d = zip(*rows)
    ax[2].loglog(1 / np.array(e), d, "o-", color=f"C{i}", label=name)
ax[2].set_xlabel("1 / eps")
ax[2].set_ylabel("depth (layers)")
ax[2].set_title("witness depth against the requested accuracy")
ax[2].legend(fontsize=8)
fig.tight_layout()
out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
fig.savefig(out / "leaky_convergence.png", dpi=110)
print("wrote", out / "leaky_convergence.png")
