"""Build and verify one witness of each ReLU construction (Python API), and draw the whole-space one.

* relu-lp-compact: sin(2 pi x1) x2 on [0,1]^2, width max(2, 1, 2) = 2, L^1 eps = 0.05;
* relu-lp-whole: a tent supported in [0,1]^2, width max(3, 1) = 3, L^1(R^2) eps = 0.1 -- exactly 0
  beyond a thin shell around the box (checked at |x| = 1e3 and 1e6 in every orthant);
* relu-like-lp-compact: the compact witness with softplus(alpha z)/alpha, same width;
* relu-uniform-1d: the circle, uniform eps = 0.05, width 1 + d_y = 3.

Writes docs/figures/relu_whole.png (or into $UAT_EXAMPLE_OUT).
Run: .venv/bin/python docs/examples/relu_witnesses.py
"""

import itertools
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from constructions import build  # noqa: E402
from verification import lp_error, sup_error  # noqa: E402

TENT = "max(0, 1 - 2*max(abs(x1 - 1/2), abs(x2 - 1/2)))"
jobs = [
    ("relu-lp-compact", "sin(2*pi*x1)*x2", dict(input_dim=2, eps=0.05, p=1), "lp", None),
    ("relu-lp-whole", TENT, dict(eps=0.1, p=1), "lp", "[-1,2]^2"),
    ("relu-like-lp-compact", "sin(2*pi*x1)*x2", dict(input_dim=2, eps=0.05, p=1, activation="softplus"), "lp", None),
    ("relu-uniform-1d", "circle", dict(eps=0.05), "sup", None),
]
print(f"{'construction':22s} {'theorem':26s} width depth  params   predicted  measured   eps")
built = {}
for name, target, kw, norm, dom in jobs:
    c = build(name, target, progress="quiet", **kw)
    net = c.network
    if norm == "lp":
        r = lp_error(net, target, domain=dom, p=1, method="qmc", m=12, replicates=4)
    else:
        r = sup_error(net, target)
    print(f"{name:22s} {c.theorem:26s} {net.width:5d} {net.depth:5d} {net.n_params:7d}   "
          f"{c.predicted_error:.3e}  {r.judged_value:.3e}  {kw['eps']}")
    assert r.judged_value < kw["eps"] and net.width == c.width
    built[name] = c

whole = built["relu-lp-whole"].network
far = [R * np.array(s) for R in (1e3, 1e6) for s in itertools.product((-1.0, 1.0), repeat=2)]
far += [np.array([R, 0.5]) for R in (1e3, -1e6)] + [np.array([0.5, R]) for R in (-1e3, 1e6)]
assert np.all(whole(np.array(far)) == 0.0)
print(f"relu-lp-whole output at {len(far)} far points (|x| = 1e3, 1e6, every orthant): exactly 0")

g = np.linspace(-1, 2, 601)
X, Y = np.meshgrid(g, g)
Z = whole(np.stack([X.ravel(), Y.ravel()], axis=1)).reshape(X.shape)
fig, ax = plt.subplots(1, 2, figsize=(10, 4.3))
im = ax[0].imshow(Z, origin="lower", extent=(-1, 2, -1, 2), cmap="magma")
ax[0].plot([0, 1, 1, 0, 0], [0, 0, 1, 1, 0], "c--", lw=0.8)
ax[0].set_title(f"relu-lp-whole witness (width {whole.width}) on [-1,2]^2")
fig.colorbar(im, ax=ax[0], fraction=0.046)
ax[1].imshow(Z != 0, origin="lower", extent=(-1, 2, -1, 2), cmap="gray_r")
ax[1].set_title("support of the witness (black: output != 0)")
fig.tight_layout()
out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
out.mkdir(parents=True, exist_ok=True)
fig.savefig(out / "relu_whole.png", dpi=110)
print("wrote", out / "relu_whole.png")
