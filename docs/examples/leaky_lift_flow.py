"""Lift-flow-discretization, drawn from real witnesses: the lifted graph flowing into place.

The X-curve of the (1,2) floor is the PL curve A(-1,0) -> B(1,0) -> C(0,-1) -> D(0,1).  At width 3
the leaky-uniform witness lifts t -> (t, 0, 0) and flows along v = (0, g(t)) with g the PL
interpolant (here exact).  Flowing for time s gives the network N_s(t) = (t, s g(t)); each N_s
below is a real width-3 leaky-ReLU network built by the flow engine (duration s), evaluated in
float64.  Left: the lifted curves in R^3 for s = 0, 1/4, 1/2, 3/4, 1.  Right: the projection
onto the output plane at s = 1, which is the X-curve to machine precision.

Writes docs/figures/leaky_lift_flow.png (or into $UAT_EXAMPLE_OUT).
Run: .venv/bin/python docs/examples/leaky_lift_flow.py
"""

import os
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from constructions._leaky_flow import realise_flow  # noqa: E402
from constructions._leaky_graph import graph_field, shallow_for  # noqa: E402
from constructions._leaky_common import modulus  # noqa: E402
from constructions._leaky_machine import LeakyMachine  # noqa: E402
from constructions.leaky_floors import X_CURVE  # noqa: E402
from uat.domains import parse_domain  # noqa: E402
from uat.targets import make_target  # noqa: E402

f = make_target(X_CURVE)
box = parse_domain("[0,3]")
gs, bound, info = shallow_for(f, box, modulus(f, box), 0.01, knots=3)
field = graph_field(gs, 1)
t = np.linspace(0, 3, 601)[:, None]
states = {}
for s in (Fraction(0), Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(1)):
    m = LeakyMachine(Fraction(1, 4), 3, 1)
    m.load_input(box, [[1], [0], [0]], [0, 0, 0])
    piece = replace(field.pieces[0], duration=s)
    realise_flow(m, replace(field, pieces=(piece,)))
    net = m.finish([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0, 0, 0])   # read the whole state (x, z1, z2)
    states[s] = net(t)
    assert net.width == 3
err = float(np.max(np.abs(states[Fraction(1)][:, 1:] - f(t))))
print(f"width 3, depth {net.depth}: max |N_1 - f| on 601 points = {err:.2e}")
assert err < 1e-12

fig = plt.figure(figsize=(11, 4.6))
ax = fig.add_subplot(1, 2, 1, projection="3d")
for i, (s, st) in enumerate(states.items()):
    ax.plot(st[:, 0], st[:, 1], st[:, 2], color=plt.cm.viridis(i / 4), label=f"s = {s}")
ax.set_xlabel("t (lift)")
ax.set_ylabel("z1")
ax.set_zlabel("z2")
ax.set_title("the lifted graph (t, s g(t)) flowing into place")
ax.legend(fontsize=8)
ax2 = fig.add_subplot(1, 2, 2)
st = states[Fraction(1)]
ax2.plot(f(t)[:, 0], f(t)[:, 1], color="0.7", lw=6, label="target X-curve")
ax2.plot(st[:, 1], st[:, 2], "C3", lw=1.5, label=f"width-3 witness (max error {err:.1e})")
for name, (a, b) in zip("ABCD", [(-1, 0), (1, 0), (0, -1), (0, 1)]):
    ax2.annotate(name, (a, b), textcoords="offset points", xytext=(5, 5))
ax2.set_aspect("equal")
ax2.set_title("projection onto the outputs at s = 1")
ax2.legend(fontsize=8, loc="lower right")
out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
fig.tight_layout()
fig.savefig(out / "leaky_lift_flow.png", dpi=110)
print("wrote", out / "leaky_lift_flow.png")
