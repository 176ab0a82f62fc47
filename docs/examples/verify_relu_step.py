"""Per-neuron activations in the verifier: Park et al.'s ReLU+STEP witnesses, certified.

A relu-step-uniform witness (width max(d_x + 1, d_y)) has layers whose neurons use different
activations: ReLU pass-through neurons next to one STEP neuron, written "[relu, relu, step]".
The verifier's exact pieces apply each neuron's own activation (ReLU kinks, STEP jumps with the
value 1 at 0), so the sup over the closed interval is certified; the exports keep every neuron's
activation (torch PerNeuron module, sympy forms, networkx node attributes).

1. A hand-written mixed layer: N(x) = relu(x) + relu(-x) + step(x) + step(-x) = |x| + 1 + [x = 0].
   Against |x| the sup over [-1, 1] is 2, attained only at the jump point x = 0.
2. The witness for the circle [cos(2 pi x), sin(2 pi x)] at eps = 0.2: certified sup and L^1
   errors, torch agreement, and a figure of the pieces and the error with the certified bound.

Run: .venv/bin/python docs/examples/verify_relu_step.py
"""

import os
from pathlib import Path

import numpy as np

import uat
from constructions import build
from verification import linear_pieces_1d, lp_error, sup_error

# 1. a hand-written mixed layer
spike = uat.FeedForward.from_layers([
    ([[1], [-1], [1], [-1]], [0, 0, 0, 0], "[relu, relu, step, step]"),
    ([[1, 1, 1, 1]], [0]),
])
r = sup_error(spike, "abs(x1)", "[-1,1]")
print("mixed layer:", r.describe())
assert r.certified and r.value == 2.0 and r.argmax == (0.0,)

# 2. the ReLU+STEP witness for the circle
target, eps = "circle", 0.2
c = build("relu-step-uniform", target, eps=eps, input_dim=1, progress="quiet")
net = c.network
print(f"witness: width {net.width}, depth {net.depth}, first layer {net.layers[0].activation}")
sup = sup_error(net, target)
l1 = lp_error(net, target, p=1)
print(" ", sup.describe())
print(" ", l1.describe())
assert sup.certified and sup.high < eps and l1.certified

from uat.export import to_networkx, to_torch  # noqa: E402

import torch  # noqa: E402

x = np.linspace(0, 1, 2001)[:, None]
with torch.no_grad():
    gap = np.max(np.abs(to_torch(net)(torch.tensor(x)).numpy() - net.evaluate(x)))
acts = sorted({d["activation"] for _, d in to_networkx(net).nodes(data=True) if d["layer"] == 1})
print(f"  torch vs numpy: {gap:.1e}; networkx activations of layer 1: {acts}")

pcs = linear_pieces_1d(net, 0, 1)
t = np.asarray(pcs.breakpoints)
f = uat.targets.make_target(target)
u = np.linspace(0.02, 0.98, 25)
xs = (t[:-1, None] + u[None, :] * (t[1:] - t[:-1])[:, None]).ravel()
err_in = np.linalg.norm(f(xs[:, None]) - pcs(xs), axis=1)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
xx = np.linspace(0, 1, 400)
ax1.plot(f(xx[:, None])[:, 0], f(xx[:, None])[:, 1], color="C0", lw=1, label="target (circle)")
vals = net.evaluate(xx[:, None])
ax1.plot(vals[:, 0], vals[:, 1], "o", color="C1", ms=3, label="witness values (one per cell)")
ax1.set_aspect("equal")
ax1.legend(fontsize=8)
ax1.set_title(f"ReLU+STEP witness, width {net.width}", fontsize=9)
ax2.plot(xs, err_in, ".", ms=1, color="C3", label="$\\|f - N\\|$ inside the pieces")
ax2.axhline(sup.high, color="k", ls=":", lw=1, label=f"certified sup {sup.high:.4f}")
ax2.axhline(eps, color="C2", ls="--", lw=1, label=f"eps = {eps}")
ax2.set_xlabel("x")
ax2.legend(fontsize=7, loc="lower right")
ax2.set_title(f"{pcs.n_pieces} pieces, certified on the closed interval", fontsize=9)
fig.tight_layout()
out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
fig.savefig(out / "verify_relu_step.png", dpi=120)
print("wrote", out / "verify_relu_step.png")
