"""DeepSets latent widths: the exact L of each construction beside the paper's bounds.

Prints L for N, D in {2, 4, 6, 8} for the LP construction with the paper's coupling count,
the improved LP construction and the LE construction, with the lower bounds N(D+1) (LP) and
N D (LE) and the paper's upper bounds N^5 D^2 (LP) and N^4 D^2 (LE), and draws
docs/figures/deepsets_widths.png.

Run: .venv/bin/python docs/examples/deepsets_widths.py
"""

import os
from pathlib import Path

from constructions._deepsets_common import width_table

rows = width_table((2, 4, 6, 8), (2, 4, 6, 8))
print(f"{'N':>2} {'D':>2} {'N(D+1)':>7} {'LP improved':>12} {'LP paper':>10} {'N^5 D^2':>10} {'ND':>4} {'LE':>7} {'N^4 D^2':>9}")
for r in rows:
    print(f"{r['N']:>2} {r['D']:>2} {r['lower_lp']:>7} {r['lp_improved']:>12,} {r['lp_paper']:>10,} {r['upper_lp']:>10,} "
          f"{r['lower_le']:>4} {r['le']:>7,} {r['upper_le']:>9,}")
    assert r["lower_lp"] <= r["lp_improved"] <= r["lp_paper"] <= r["upper_lp"]
    assert r["lower_le"] <= r["le"] <= r["upper_le"]

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ns = list(range(2, 11))
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
for ax, d in zip(axes, (2, 8)):
    tab = width_table(ns, (d,))
    for key, style, label in (("upper_lp", "k--", "N^5 D^2 (paper, LP)"), ("lp_paper", "o-", "LP, paper's K2"),
                              ("lp_improved", "s-", "LP, K2 = N - 1"), ("upper_le", "k-.", "N^4 D^2 (paper, LE)"),
                              ("le", "^-", "LE"), ("lower_lp", "k:", "N(D+1) (LP lower bound)")):
        ax.semilogy(ns, [r[key] for r in tab], style, label=label, markersize=4)
    ax.set_title(f"D = {d}")
    ax.set_xlabel("set size N")
axes[0].set_ylabel("latent width L")
axes[1].legend(fontsize=8)
fig.suptitle("DeepSets latent width: constructions vs the bounds of Wang et al. (ICLR 2024)")
fig.tight_layout()
out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
fig.savefig(out / "deepsets_widths.png", dpi=120)
print("wrote", out / "deepsets_widths.png")
