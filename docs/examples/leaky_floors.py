"""Topological floors: at the too-small width the L^p error falls while the sup error stays above the floor.

For the bump (d_x = 2, width 2), the X-curve ((1,2), width 2) and the Hopf target ((2,3), width 3)
the leaky-lp witness is built with n = 2, 3, 4 bits; its L^1 error is measured by QMC and its
sup error *exactly* on the floor's test set (the boundary of the box and the origin; the whole
interval; two inscribed 12-gons of the linked circles), using the exact 1-D pieces of the
network along segments.  One more neuron reaches the target (bump: 0.05 certified; X-curve and
Hopf: exact).

Writes docs/figures/leaky_floors.png (or into $UAT_EXAMPLE_OUT).
Run: .venv/bin/python docs/examples/leaky_floors.py
"""

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from constructions import build  # noqa: E402
from constructions.leaky_floors import (BUMP, FLOORS, HOPF, X_CURVE, bump_witness, hopf_loops,  # noqa: E402
                                        hopf_witness, polygon_distance, segment_network)
from uat.targets import make_target  # noqa: E402
from verification import linear_pieces_1d, lp_error, sup_error  # noqa: E402


def sup_on_segment(net, f, p, q, knots=()):
    seg = segment_network(net.as_float(), p, q)
    t = np.union1d(linear_pieces_1d(seg, 0, 1).breakpoints, np.asarray(knots, dtype=float))
    x = np.asarray(p, float) + np.outer(t, np.asarray(q, float) - np.asarray(p, float))
    return float(np.max(np.linalg.norm(seg(t[:, None]) - f(x), axis=1)))


def test_set_sup(name, net):
    fl = FLOORS[name]
    f = make_target(fl.target)
    if name == "x-curve":
        return sup_on_segment(net, f, [0.0], [3.0], knots=[1 / 3, 2 / 3])
    if name == "bump":
        c = [(-2.0, -2.0), (2.0, -2.0), (2.0, 2.0), (-2.0, 2.0), (-2.0, -2.0)]
        edge = max(sup_on_segment(net, f, a, b) for a, b in zip(c, c[1:]))
        return max(edge, abs(float(net(np.zeros((1, 2)))[0, 0]) - 1))
    P, R = hopf_loops(12)
    return max(sup_on_segment(net, f, poly[i], poly[i + 1]) for poly in (P, R) for i in range(12))


rows = {}
for name, kw in (("bump", {"knots": 24}), ("x-curve", {"out_bits": 6}), ("hopf", {})):
    fl = FLOORS[name]
    res = []
    for bits in (2, 3, 4) if name != "hopf" else (2, 3):
        c = build("leaky-lp", fl.target, eps=3.0, p=1, bits=bits, domain=fl.domain, progress="quiet", **kw)
        assert c.network.width == fl.width
        l1 = lp_error(c.network, fl.target, fl.domain, p=1, method="qmc", m=11, replicates=4).value
        res.append((bits, l1, test_set_sup(name, c.network)))
    rows[name] = res
    print(f"{name} at width {fl.width}: " + "; ".join(f"n={b}: L1 {l:.3g}, sup {s:.3g}" for b, l, s in res))

f_h = make_target(HOPF)
P, R = hopf_loops(12)
floors = {"bump": 0.5, "x-curve": 0.5, "hopf": polygon_distance(f_h(P), f_h(R)) / 2}
wider = {}
net_b, _ = bump_witness(0.05)
wider["bump"] = sup_error(net_b, BUMP, FLOORS["bump"].domain, rtol=0.05).high
net_x = build("leaky-uniform", X_CURVE, eps=0.01, knots=3, domain="[0,3]", progress="quiet").network
wider["x-curve"] = sup_error(net_x, X_CURVE, "[0,3]").high
x = np.random.default_rng(0).uniform([-1, -1], [4, 1], (20000, 2))
wider["hopf"] = float(np.max(np.abs(hopf_witness()(x) - f_h(x))))
print("one more neuron:", {k: f"{v:.2e}" for k, v in wider.items()})

fig, ax = plt.subplots(1, 4, figsize=(17, 4))
for i, (name, res) in enumerate(rows.items()):
    b, l1, sup = zip(*res)
    ax[i].semilogy(b, l1, "o-", label="L^1 error (falls)")
    ax[i].semilogy(b, sup, "s-", label="sup on the test set (exact)")
    ax[i].axhline(floors[name], color="C3", ls="--", label=f"floor {floors[name]:.3f}")
    ax[i].axhline(wider[name] + 1e-16, color="C2", ls=":", label=f"width {FLOORS[name].width + 1}: {wider[name]:.1e}")
    ax[i].set_title(f"{name}: width {FLOORS[name].width} (d=({FLOORS[name].d_x},{FLOORS[name].d_y}))")
    ax[i].set_xlabel("bits n of the L^p witness")
    ax[i].legend(fontsize=7)
# the X-curve at width 2 and 3 in the output plane
c2 = build("leaky-lp", X_CURVE, eps=3.0, p=1, bits=4, out_bits=6, domain="[0,3]", progress="quiet").network
t = np.linspace(0, 3, 20001)[:, None]
fx = make_target(X_CURVE)(t)
ax[3].plot(fx[:, 0], fx[:, 1], color="0.75", lw=6, label="X-curve")
y2 = c2(t)
ax[3].plot(y2[:, 0], y2[:, 1], "C1", lw=0.8, label="width 2 (L^p witness, n=4)")
y3 = net_x(t)
ax[3].plot(y3[:, 0], y3[:, 1], "C2", lw=1.2, label="width 3 (exact)")
ax[3].set_aspect("equal")
ax[3].set_title("X-curve: width 2 must jump, width 3 is exact")
ax[3].legend(fontsize=7)
fig.tight_layout()
out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
fig.savefig(out / "leaky_floors.png", dpi=110)
print("wrote", out / "leaky_floors.png")
