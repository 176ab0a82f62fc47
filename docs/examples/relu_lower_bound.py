"""The uniform lower bound for (d_x, d_y) = (1, 2) on the self-crossing alpha-curve.

Every width-2 network has sup error >= 1/2 on the alpha-curve (constructions/relu_alpha_curve.py
has the argument).  The width-2 L^p witness (relu-lp-compact) obeys the floor: its sup error,
certified by exact piece enumeration, stays near 3 while its L^1 error falls like 2^-K; the
width-3 witness (relu-uniform-1d, the minimum width for uniform approximation here) converges
uniformly.

Writes docs/figures/relu_lower_bound.png (or into $UAT_EXAMPLE_OUT).
Run: .venv/bin/python docs/examples/relu_lower_bound.py
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from constructions.relu_alpha_curve import FLOOR, TARGET, width2_witness, width3_witness  # noqa: E402
from uat.target_library import library_target  # noqa: E402
from verification import linear_pieces_1d, lp_error, sup_error  # noqa: E402

ks = [4, 5, 6, 7, 8, 9]
rows = []
for K in ks:
    w2, w3 = width2_witness(K).network, width3_witness(K).network
    s2 = sup_error(w2, TARGET)
    l2 = lp_error(w2, TARGET, p=1, method="qmc", m=12, replicates=4)
    s3 = sup_error(w3, TARGET)
    assert s2.certified and s2.low >= FLOOR, "a width-2 network below the floor would contradict the argument"
    rows.append((K, l2.value, s2.low, s3.high))
    print(f"K={K}: width 2 L^1 {l2.value:.4f}, sup >= {s2.low:.3f} (certified); width 3 sup <= {s3.high:.4f}")
assert rows[-1][3] < 0.01 and rows[-1][1] < rows[0][1] / 8

f = library_target(TARGET)
K = 6
n2, n3 = width2_witness(K).network, width3_witness(K).network
# evaluate at every breakpoint of the piecewise-linear witnesses, so the ramps (2^-16 wide) show
t = np.union1d(np.linspace(0, 1, 4001), linear_pieces_1d(n2, 0.0, 1.0).breakpoints)[:, None]
y2, y3, yf = n2(t), n3(t), f(t)
fig, ax = plt.subplots(1, 3, figsize=(15, 4.5))
for a, y, title in ((ax[0], y2, f"width 2 (L^p witness), K={K}"), (ax[1], y3, f"width 3 (uniform witness), K={K}")):
    a.plot(yf[:, 0], yf[:, 1], color="0.75", lw=6, label="alpha-curve")
    a.plot(y[:, 0], y[:, 1], color="C3" if a is ax[0] else "C2", lw=0.8, label="witness (ramps included)")
    a.plot([0], [0], "k+", ms=12)
    a.set_aspect("equal")
    a.set_xlim(-1.6, 1.6)
    a.set_ylim(-1.6, 1.6)
    a.set_title(title)
    a.legend(loc="lower right", fontsize=8)
K_, l1, s2, s3 = (np.array(c) for c in zip(*rows))
ax[2].semilogy(K_, s2, "o-", color="C3", label="width 2: sup error (certified lower end)")
ax[2].semilogy(K_, l1, "s-", color="C3", alpha=0.6, label="width 2: L^1 error")
ax[2].semilogy(K_, s3, "^-", color="C2", label="width 3: sup error (certified)")
ax[2].axhline(float(FLOOR), color="k", ls="--", lw=1, label="floor 1/2 for every width-2 net")
ax[2].set_xlabel("bits K")
ax[2].set_title("L^p converges at width 2, uniform needs width 3")
ax[2].legend(fontsize=8)
fig.tight_layout()
out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
out.mkdir(parents=True, exist_ok=True)
fig.savefig(out / "relu_lower_bound.png", dpi=110)
print("wrote", out / "relu_lower_bound.png")
