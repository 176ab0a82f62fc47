"""L^p witnesses (rnn-lp) against the quantisation bits, and tanh/sigmoid witnesses against delta.

Left: the L^p error of rnn-lp (width max(d_x+1, d_y) = 2) for the discontinuous majority target
(p = 1) and the running mean (p = 2), T = 2, against the bits M per token, with 95% QMC
confidence intervals.  Right: the sup error of the general rnn-tanh and rnn-sigmoid witnesses
(widths d_x+d_y+3 and +4) on the running mean (T = 3; a linear target, so all error comes from
the delta-trick) against delta: it falls like delta^2, then rounding takes over, like
eps_mach/delta for tanh and eps_mach sqrt(depth)/delta^3 for the sigmoid.
Writes docs/figures/rnn_lp_tanh.png (or into $UAT_EXAMPLE_OUT).

Run: .venv/bin/python docs/examples/rnn_lp_and_tanh.py
"""

import os
from pathlib import Path

from constructions import build
from verification import measure

bits = (1, 2, 3, 4, 5)
lp = {}
for name, p in (("majority", 1.0), ("running-mean", 2.0)):
    rows = []
    for M in bits:
        c = build("rnn-lp", name, T=2, bits=M, p=p)
        assert c.network.width == 2
        r = measure(c.network, name, norm="lp", p=p, m=9, causality=False)
        rows.append((r.value, r.low, r.high))
    lp[name] = (p, rows)
    print(f"rnn-lp {name:12s} L^{p:g}, M = {bits}: " + " ".join(f"{v:.2e} [{lo:.1e},{hi:.1e}]" for v, lo, hi in rows))

deltas = (1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 1e-5, 1e-6, 1e-7)
dcurve = {}
for act in ("tanh", "sigmoid"):
    errs = [measure(build(f"rnn-{act}", "running-mean", T=3, delta=d).network, "running-mean", norm="sup", m=7,
                    causality=False).value for d in deltas]
    dcurve[act] = errs
    print(f"rnn-{act:8s} delta = {deltas}: " + " ".join(f"{e:.1e}" for e in errs))
assert min(dcurve["tanh"]) < 1e-7 and min(dcurve["sigmoid"]) < 1e-4

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

fig, ax = plt.subplots(1, 2, figsize=(10, 3.8))
for name, (p, rows) in lp.items():
    v = [r[0] for r in rows]
    yerr = [[r[0] - r[1] for r in rows], [r[2] - r[0] for r in rows]]
    ax[0].errorbar(bits, v, yerr=yerr, fmt="o-", capsize=3, label=f"{name}, L^{p:g}")
ax[0].set_yscale("log")
ax[0].set_xlabel("bits M per token (2^M cells)")
ax[0].set_ylabel("L^p error (max over t), 95% CI")
ax[0].set_title("rnn-lp, T = 2, width 2")
ax[0].legend(fontsize=8)
for act, errs in dcurve.items():
    ax[1].loglog(deltas, errs, "o-", label=f"rnn-{act}")
ax[1].loglog(deltas, [3 * d**2 for d in deltas], "k--", lw=0.8, label="delta^2 (slope 2)")
ax[1].set_ylim(1e-10, 10)
ax[1].set_xlabel("delta")
ax[1].set_ylabel("sup error")
ax[1].set_title("delta-trick, running mean, T = 3")
ax[1].legend(fontsize=8)
fig.tight_layout()
out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
fig.savefig(out / "rnn_lp_tanh.png", dpi=120)
print("wrote", out / "rnn_lp_tanh.png")
