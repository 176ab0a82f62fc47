"""Certified sup error of a discontinuous network: the stepped leaky ReLU in one dimension.

The stepped leaky ReLU s(t) = t (t >= 0), a t - 1 (t < 0) jumps at 0.  The verifier's exact
pieces carry the one-sided limits on every piece and the network's own value at each
breakpoint (t >= 0 takes the identity branch), so the sup over the closed interval is
certified: the largest of the per-piece bounds and the errors at the jump points.

1. A spike: N = s(x) + s(-x) + 1 is 1 at x = 0 and (3/4)|x| around it (a = 1/4).  Against the
   target 0 the sup over [-1, 1] is 1, attained only at the jump point; the essential sup
   (L^inf norm) is 3/4.  Float64 cannot tell the two coincident jumps apart, so the verifier
   redoes the pieces in rational arithmetic (details["pieces_arithmetic"]).
2. The leaky-stepped-uniform witness for the circle [sin(2 pi x), cos(2 pi x)] at eps = 0.1:
   certified sup and L^2 errors, and a figure of one jump of the quantiser (limits and the
   value at the jump) and of the error with the certified bound.

Run: .venv/bin/python docs/examples/verify_stepped_1d.py
"""

import os
from pathlib import Path

import numpy as np

import uat
from constructions import build
from verification import linear_pieces_1d, lp_error, sup_error

S = "stepped_leaky_relu(1/4)"

# 1. the spike at a jump point
spike = uat.FeedForward.from_layers([([[1], [-1]], [0, 0], S), ([[1, 1]], [1])])
r = sup_error(spike, "0*x1", "[-1,1]")
print("spike:", r.describe())
print(f"  essential sup {r.details['essential_sup_high']:.6f}, at the breakpoints {r.details['max_at_breakpoints']:.6f},"
      f" pieces: {r.details['pieces_arithmetic']}")
assert r.certified and r.value == 1.0 and r.argmax == (0.0,)

# 2. the stepped uniform witness of one input
target, eps = "[sin(2*pi*x1), cos(2*pi*x1)]", 0.1
c = build("leaky-stepped-uniform", target, eps=eps, domain="[0,1]", progress="quiet")
net = c.network
sup = sup_error(net, target, "[0,1]")
l2 = lp_error(net, target, "[0,1]", p=2)
print(f"witness: width {net.width}, depth {net.depth}, a-priori sup bound {c.predicted_error:.4f}")
print(" ", sup.describe())
print(" ", l2.describe())
assert sup.certified and sup.high < eps and l2.certified

pcs = linear_pieces_1d(net, 0, 1)
t = np.asarray(pcs.breakpoints)
f = uat.targets.make_target(target)
u = np.linspace(0.02, 0.98, 25)
xs = (t[:-1, None] + u[None, :] * (t[1:] - t[:-1])[:, None]).ravel()  # inside every piece
err_in = np.linalg.norm(f(xs[:, None]) - pcs(xs), axis=1)
err_at = np.linalg.norm(f(t[:, None]) - pcs.values, axis=1)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
k = int(np.argmin(np.abs(t - 0.5)))  # the jump at x = 1/2
window = slice(max(k - 3, 0), min(k + 4, t.size - 1))
for i in range(window.start, window.stop):
    ax1.plot([t[i], t[i + 1]], [pcs.left[i, 0], pcs.right[i, 0]], color="C1", lw=1.5)
    ax1.plot([t[i]], [pcs.left[i, 0]], "o", mfc="w", color="C1", ms=4)
    ax1.plot([t[i + 1]], [pcs.right[i, 0]], "o", mfc="w", color="C1", ms=4)
ax1.plot(t[window.start:window.stop + 1], pcs.values[window.start:window.stop + 1, 0], "o", color="k", ms=4,
         label="value at the breakpoint")
xx = np.linspace(t[window.start], t[window.stop], 200)
ax1.plot(xx, np.sin(2 * np.pi * xx), color="C0", lw=1, label="target $f_1$")
ax1.set_title("$N_1$ near $x = 1/2$: limits (open dots) and values (dots)", fontsize=9)
ax1.legend(fontsize=8)
ax2.semilogy(xs, np.maximum(err_in, 1e-17), ".", ms=1, color="C3", label="$|f - N|$ inside the pieces")
ax2.semilogy(t, np.maximum(err_at, 1e-17), "k.", ms=3, label="at the breakpoints")
ax2.axhline(sup.high, color="k", ls=":", lw=1, label=f"certified sup {sup.high:.4f}")
ax2.axhline(c.predicted_error, color="C2", ls="--", lw=1, label=f"a-priori bound {c.predicted_error:.4f}")
ax2.set_xlabel("x")
ax2.legend(fontsize=7, loc="lower right")
ax2.set_title(f"{pcs.n_pieces} pieces, certified on the closed interval", fontsize=9)
fig.tight_layout()
out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
fig.savefig(out / "verify_stepped_1d.png", dpi=120)
print("wrote", out / "verify_stepped_1d.png")
