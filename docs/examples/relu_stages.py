"""The three stages of a width-2 ReLU witness for a 2-D target with 2 outputs (relu-lp-compact).

Target: polar coordinates f(x1, x2) = (x1 cos(pi x2), x1 sin(pi x2)) on [0,1]^2 (d_x = d_y = 2,
minimum width max(2, 2, 2) = 2).  With 2^3 cells per axis and 8 levels per output:

(a) encoder: the merged scalar t_2(x) = x2 + floor(8 x1) (one sweep of x1 into x2);
(b) memorizer: the integer code of the cell's quantised value (one sweep over the 64 cells);
(c) decoder: the raster folds the code line [0, 63] onto the boustrophedon path through the
    8 x 8 level grid (14 bends); integer codes land exactly on grid points;
(d) the witness's output on a grid of inputs against the target's.

Writes docs/figures/relu_stages.png (or into $UAT_EXAMPLE_OUT).
Run: .venv/bin/python docs/examples/relu_stages.py
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from constructions._relu_coding import decode  # noqa: E402
from constructions._relu_lp import lp_witness  # noqa: E402
from constructions._relu_state import LogicalState, stage_state  # noqa: E402

TARGET = "polar-2d"
w = lp_witness("relu-lp-compact", "compact", TARGET, eps=1.0, p=1, domain=None, input_dim=None, output_dim=None,
               progress="quiet", overrides={"bits": 3, "levels": 8, "ramp": 2.0**-8, "exact": False})
net, trace, plan = w.network, w.trace, w.plan
print(f"{TARGET}: width {net.width}, depth {net.depth}, N = {plan.N}, M = {plan.M}, ramp = {plan.delta}")
print("stages:", ", ".join(f"{lab} ({n} layers)" for lab, _, n in trace.stages))

g = np.linspace(0, 1, 401)
X1, X2 = np.meshgrid(g, g, indexing="xy")
pts = np.stack([X1.ravel(), X2.ravel()], axis=1)
t2 = stage_state(net, trace, "encoder", pts)[:, 1].reshape(X1.shape)
code = stage_state(net, trace, "memorizer", pts)[:, 0].reshape(X1.shape)
# on the good set the encoder gives x2 + floor(8 x1) and the memorizer the cell's code
good = (np.mod(pts * plan.N, 1) < 1 - plan.N * float(plan.delta) - 1e-9).all(axis=1)
k1 = np.minimum(np.floor(pts[:, 0] * plan.N), plan.N - 1)
assert np.allclose(t2.ravel()[good], (pts[:, 1] + k1)[good], atol=1e-9)

# the decoder on its own: codes in [0, M^2 - 1] -> levels (i, j)
M = plan.M
st = LogicalState(1, 2, exact=False)
st.set_bounds(0, 0, M * M - 1)
where = decode(st, 0, 2, M)
dec, _ = st.finish(np.eye(2)[list(where)], [0, 0])
c_line = np.linspace(0, M * M - 1, 20001)[:, None]
path = dec(c_line)
ints = dec(np.arange(M * M, dtype=float)[:, None])
assert np.array_equal(ints, np.array([[i if j % 2 == 0 else M - 1 - i, j] for j in range(M) for i in range(M)]))

fig, ax = plt.subplots(1, 4, figsize=(17, 4.2))
im = ax[0].imshow(t2, origin="lower", extent=(0, 1, 0, 1), cmap="viridis")
ax[0].set_title("(a) encoder: $t_2 = x_2 + \\lfloor 8 x_1 \\rfloor$")
fig.colorbar(im, ax=ax[0], fraction=0.046)
im = ax[1].imshow(code, origin="lower", extent=(0, 1, 0, 1), cmap="nipy_spectral")
ax[1].set_title("(b) memorizer: integer code of the cell")
fig.colorbar(im, ax=ax[1], fraction=0.046)
for a in ax[:2]:
    a.set_xlabel("$x_1$")
    a.set_ylabel("$x_2$")
ax[2].plot(path[:, 0], path[:, 1], "-", color="0.6", lw=1)
ax[2].scatter(ints[:, 0], ints[:, 1], c=np.arange(M * M), cmap="nipy_spectral", s=18, zorder=3)
ax[2].set_title(f"(c) decoder: raster of {2 * (M - 1)} bends")
ax[2].set_xlabel("level $m_1$")
ax[2].set_ylabel("level $m_2$")
ax[2].set_aspect("equal")
gg = np.linspace(0.02, 0.98, 25)
G = np.stack(np.meshgrid(gg, gg), axis=-1).reshape(-1, 2)
ft, fn = w.target(G), net(G)
ax[3].scatter(ft[:, 0], ft[:, 1], s=6, c="0.7", label="target f(x)")
ax[3].scatter(fn[:, 0], fn[:, 1], s=10, c="C3", label="witness N(x)")
ax[3].set_aspect("equal")
ax[3].legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8)
ax[3].set_title("(d) output: quantised to the level grid")
fig.suptitle(f"relu-lp-compact, width {net.width}: polar map, N = {plan.N} cells/axis, M = {M} levels, depth {net.depth}")
fig.tight_layout()
out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
out.mkdir(parents=True, exist_ok=True)
fig.savefig(out / "relu_stages.png", dpi=110)
print("wrote", out / "relu_stages.png")
