"""Minimum-width questions answered from the theorem catalogue (docs/theorems.md).

* ask for w_min in a setting (exact value, or an interval with the theorems that give it);
* check a network's width against the catalogue;
* run the audit that finds the contested ICML 2023 leaky-ReLU formula;
* draw the settled widths for ReLU and leaky ReLU in the uniform norm (docs/figures/min_width_uniform.png).

Run: .venv/bin/python docs/examples/width_bounds.py
"""

import os
from pathlib import Path

import numpy as np

import uat
from uat._audit import audit
from uat.theorems import get_theorem

# 1. Questions.
print(uat.min_width(arch="fnn", activation="relu", norm="lp", d_x=2, d_y=3, domain="compact"))
print()
print(uat.min_width(activation="leaky_relu", norm="uniform", d_x=2, d_y=4))
print()
print(uat.min_width(arch="deepsets", embedding="lp", N=4, D=3))
print()

# 2. A width-2 ReLU network for a curve in the plane (d_x, d_y) = (1, 2).
net = uat.FeedForward.from_layers([([[1], [-1]], [0, 0], "relu"), ([[1, 0], [0, 1]], [0, 0])])
for norm in ("lp", "uniform"):
    print(f"{norm:>8}:", uat.check_width(net, norm=norm))
print()

# 3. The audit: every conflict involves the contested ICML 2023 formula.
conflicts = audit()
print(f"{len(conflicts)} conflicts, all with", {c.upper_id for c in conflicts})
icml = get_theorem("li2023-leaky-uniform-icml")
assert all(icml.id in (c.lower_id, c.upper_id) for c in conflicts)

# 4. The figure: lower bound as colour; exact cells plain, open intervals hatched with [lo, up];
#    red rings where the ICML formula contradicts a proven bound.
import matplotlib.pyplot as plt  # noqa: E402

n = 6
fig, axes = plt.subplots(1, 2, figsize=(11, 4.8), constrained_layout=True)
bad = {(c.a, c.b) for c in conflicts}
for ax, act in zip(axes, ("relu", "leaky_relu")):
    lower = np.zeros((n, n))
    for dx in range(1, n + 1):
        for dy in range(1, n + 1):
            a = uat.min_width(activation=act, norm="uniform", d_x=dx, d_y=dy)
            lower[dx - 1, dy - 1] = a.lower
            ax.text(dy, dx, a.value_text, ha="center", va="center", fontsize=8,
                    weight="bold" if a.kind == "exact" else "normal")
            if a.kind != "exact":
                ax.add_patch(plt.Rectangle((dy - 0.5, dx - 0.5), 1, 1, fill=False, hatch="///", lw=0, alpha=0.35))
            if act == "leaky_relu" and (dx, dy) in bad:
                ax.add_patch(plt.Circle((dy, dx), 0.45, fill=False, color="red", lw=1.5))
    im = ax.imshow(lower, origin="lower", extent=(0.5, n + 0.5, 0.5, n + 0.5), cmap="Blues", vmin=1, vmax=2 * n + 1)
    ax.set_xlabel("$d_y$")
    ax.set_ylabel("$d_x$")
    ax.set_xticks(range(1, n + 1))
    ax.set_yticks(range(1, n + 1))
    ax.set_title(f"{act}, uniform norm: $w_{{\\min}}$ (bold = exact)")
axes[1].text(0.5, -0.18, "red: the ICML 2023 formula is below a proven lower bound", transform=axes[1].transAxes,
             ha="center", color="red", fontsize=9)
fig.colorbar(im, ax=axes, shrink=0.8, label="best proven lower bound")
out_dir = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
out_dir.mkdir(parents=True, exist_ok=True)
path = out_dir / "min_width_uniform.png"
fig.savefig(path, dpi=110)
print("wrote", path)
