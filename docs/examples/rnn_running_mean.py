"""A deep ReLU RNN of width d_x + d_y + 2 that computes the running mean, built and verified.

Builds rnn-uniform for y[t] = (1/t) sum_{j<=t} x[j] on [-1,1] with T = 10, checks it with the
independent sequence verifier (sup error per time, bitwise causality), evaluates it exactly
in rational arithmetic, round-trips the uat.rnn/1 file, and draws the channel layout of a
T = 3 witness: docs/figures/rnn_layout.png (or into $UAT_EXAMPLE_OUT).

Run: .venv/bin/python docs/examples/rnn_running_mean.py
"""

import os
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np

import uat
from constructions import build
from verification import measure

c = build("rnn-uniform", "running-mean", T=10, eps=1e-6, domain="[-1,1]")
net = c.network
print(net)
print(f"width {net.width} (= d_x + d_y + 2), depth {net.depth}, {net.n_params} parameters, theorem {c.theorem}")

res = measure(net, "running-mean", norm="sup")
print(res.describe())
print("per-time sup error:", " ".join(f"{e:.1e}" for e in res.details["per_t"]))
print("causality:", res.details["causality"])
assert res.value <= 1e-10 and res.details["causality"]["passed"]

# exact rational evaluation: the witness *is* the running mean
seq = [Fraction(1, 3), Fraction(-1), Fraction(2, 7), Fraction(1, 2)]
short = build("rnn-uniform", "running-mean", T=4, domain="[-1,1]").network
exact = short.evaluate_exact([[[v] for v in seq]])[0, :, 0]
print("exact outputs:", [str(v) for v in exact])
assert list(exact) == [sum(seq[: t + 1]) / (t + 1) for t in range(4)]

with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "running_mean.json"
    uat.save(net, path)
    back = uat.load(path)
    assert back == net and back.metadata["horizon"] == 10
    print(f"uat.rnn/1 file: {path.stat().st_size:,} bytes, loads back equal")

# -- channel layout of a small witness -------------------------------------------------------------
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

from constructions._rnn_gated import GatedLayout, build_gated  # noqa: E402
from constructions._rnn_plan import plan_target  # noqa: E402
from uat.sequence_targets import make_sequence_target  # noqa: E402

lay = GatedLayout(1, 1, 3, (Fraction(-1),), (Fraction(1),))
ap = plan_target(make_sequence_target("running-mean"), lay, eps=1e-3)
small, diag = build_gated(lay, ap.blocks)
names = ["v (x + t)", "a (accumulator)", "s (signal)", "w (work)"]
grid = np.zeros((4, small.depth))
for j, cell in enumerate(small.as_float().layers):
    for ch in range(4):
        row = cell.input[ch]
        kept = row[ch] == 1 and np.count_nonzero(row) == 1 and cell.bias[ch] == 0
        if cell.recurrent[ch].any():
            grid[ch, j] = 3
        elif kept:
            grid[ch, j] = 1
        elif row.any() or cell.bias[ch]:
            grid[ch, j] = 2
fig, ax = plt.subplots(figsize=(11, 3.2))
ax.imshow(grid, aspect="auto", cmap=ListedColormap(["white", "#cfe3f3", "#2a6fb0", "#d1495b"]), vmin=0, vmax=3)
ax.set_yticks(range(4), names)
ax.set_xlabel("layer (cell)")
prev = None
for j, st in enumerate(diag["stages"]):
    if st != prev:
        ax.axvline(j - 0.5, color="k", lw=0.5)
        ax.text(j - 0.4, -0.7, st, fontsize=7, rotation=30, ha="left", va="bottom")
        prev = st
handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in ("white", "#cfe3f3", "#2a6fb0", "#d1495b")]
ax.legend(handles, ["zero", "kept (identity row)", "written", "recurrent"], loc="lower right", fontsize=7,
          bbox_to_anchor=(1.0, -0.55), ncol=4)
ax.set_title("rnn-uniform, running mean, T = 3: channels x layers (width d_x + d_y + 2 = 4)", pad=38)
fig.tight_layout()
out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
fig.savefig(out / "rnn_layout.png", dpi=120, bbox_inches="tight")
print("wrote", out / "rnn_layout.png")
