"""The flow engine on a field that is not a shear: v(y) = (-sigma(y2 + 1/2), sigma(y1 + 1/4)).

Each single-neuron piece is a shear (it does not read the slot it moves), realised exactly in two
leaky-ReLU layers at width 2; their sum is not a shear, so the flow map is approximated by Lie
(first order) or Strang (second order) splitting.  The error against an RK4 reference falls at
the predicted rates.  A self-dependent neuron c sigma(w.y + b) e_1 switched on for exactly one
quantum ln(alpha)/((alpha - 1) c w_1) is realised exactly by one conditional kink (P4).

Writes docs/figures/leaky_flow_engine.png (or into $UAT_EXAMPLE_OUT).
Run: .venv/bin/python docs/examples/leaky_flow_engine.py
"""

import os
from fractions import Fraction as Q
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from constructions._leaky_flow import FieldPiece, Neuron, VelocityField, quantum_time, realise_flow, rk4_flow  # noqa: E402
from constructions._leaky_machine import LeakyMachine  # noqa: E402
from uat.domains import parse_domain  # noqa: E402

alpha = Q(1, 2)
box = parse_domain("[-1,1]^2")
field = VelocityField(2, (FieldPiece(Q(2), (Neuron(0, Q(-1), (Q(0), Q(1)), Q(1, 2)),
                                           Neuron(1, Q(1), (Q(1), Q(0)), Q(1, 4)))),))


def flow_net(f, steps=1, scheme="strang"):
    m = LeakyMachine(alpha, 2, 2)
    m.load_input(box, [[1, 0], [0, 1]], [0, 0])
    realise_flow(m, f, steps=steps, scheme=scheme)
    return m.finish([[1, 0], [0, 1]], [0, 0])


x = box.grid(21)
ref = rk4_flow(field, x, float(alpha), steps_per_unit=4000)
steps = [4, 8, 16, 32, 64]
errs = {}
for scheme in ("lie", "strang"):
    errs[scheme] = [float(np.max(np.abs(flow_net(field, s, scheme)(x) - ref))) for s in steps]
    rate = -np.polyfit(np.log(steps), np.log(errs[scheme]), 1)[0]
    print(f"{scheme}: steps {steps}, max error {[f'{e:.1e}' for e in errs[scheme]]}, rate {rate:.2f}")
    assert abs(rate - (1 if scheme == "lie" else 2)) < 0.3
net = flow_net(field, 32)
assert net.width == 2 and {str(a) for a in net.hidden_activations} == {"leaky_relu(1/2)"}

n = Neuron(0, Q(1, 2), (Q(2), Q(1)), Q(-1, 2))
T = quantum_time(n, alpha, 1)
self_field = VelocityField(2, (FieldPiece(T, (n,)),))
e_self = float(np.max(np.abs(flow_net(self_field)(x) - rk4_flow(self_field, x, 0.5, steps_per_unit=20000))))
print(f"self-dependent neuron for one quantum (T = {T:.4f}): one P4 block, error vs RK4 {e_self:.1e}")
assert e_self < 1e-8

fig, ax = plt.subplots(1, 2, figsize=(10, 4.2))
for scheme, mk in (("lie", "o-"), ("strang", "s-")):
    ax[0].loglog(steps, errs[scheme], mk, label=scheme)
ax[0].loglog(steps, errs["lie"][0] * (np.array(steps) / 4.0) ** -1, "--", color="0.5", label="rate 1")
ax[0].loglog(steps, errs["strang"][0] * (np.array(steps) / 4.0) ** -2, ":", color="0.5", label="rate 2")
ax[0].set_xlabel("splitting steps")
ax[0].set_ylabel("max error vs RK4")
ax[0].set_title("width-2 leaky net as a splitting scheme")
ax[0].legend(fontsize=8)
g = box.grid(9)
traj = [g]
for k in range(1, 9):
    f_k = VelocityField(2, (FieldPiece(Q(2 * k, 8), field.pieces[0].neurons),))
    traj.append(flow_net(f_k, 8 * k)(g))
traj = np.array(traj)
for j in range(g.shape[0]):
    ax[1].plot(traj[:, j, 0], traj[:, j, 1], "-", color="C0", lw=0.7)
ax[1].plot(traj[-1, :, 0], traj[-1, :, 1], ".", color="C3", ms=3)
ax[1].set_title("trajectories of the realised flow (t = 0 .. 2)")
ax[1].set_aspect("equal")
fig.tight_layout()
out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
fig.savefig(out / "leaky_flow_engine.png", dpi=110)
print("wrote", out / "leaky_flow_engine.png")
