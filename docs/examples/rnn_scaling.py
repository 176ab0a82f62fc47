"""Error and depth of rnn-uniform witnesses against T, and the ridge error against the knot count.

Panels: the measured sup error of exact targets (running mean, IIR, moving average) and of
the ridge target wiener-tanh (eps = 1e-3) for T = 2..20; depth against T; the sup error of
wiener-tanh and wiener-sin (T = 5) against the number of interpolation intervals, with the
a-priori bound h^2 sup|g''| / 8; the same errors against the depth of the witness.  Writes docs/figures/rnn_scaling.png (or into
$UAT_EXAMPLE_OUT).

Run: .venv/bin/python docs/examples/rnn_scaling.py
"""

import os
from pathlib import Path

from constructions import build
from verification import measure

Ts = (2, 4, 8, 12, 16, 20)
curves = {}
for name in ("running-mean", "iir", "moving-average", "wiener-tanh"):
    errs, depths = [], []
    for T in Ts:
        c = build("rnn-uniform", name, T=T, eps=1e-3, domain="[-1,1]")
        errs.append(measure(c.network, name, norm="sup", m=7, causality=False).value)
        depths.append(c.network.depth)
    curves[name] = (errs, depths)
    print(f"{name:15s} T={Ts}: sup error " + " ".join(f"{e:.1e}" for e in errs) + f"; depth {depths}")
    bound = 1e-3 if name == "wiener-tanh" else 1e-10
    assert max(errs) <= bound

knots = (2, 4, 8, 16, 32, 64)
ridge = {}
for name in ("wiener-tanh", "wiener-sin"):
    errs, preds, depths = [], [], []
    for k in knots:
        c = build("rnn-uniform", name, T=5, knots=k)
        errs.append(measure(c.network, name, norm="sup", m=7, causality=False).value)
        preds.append(c.predicted_error)
        depths.append(c.network.depth)
    ridge[name] = (errs, preds, depths)
    print(f"{name:15s} knots={knots}: sup error " + " ".join(f"{e:.1e}" for e in errs))
    assert all(e <= p * (1 + 1e-6) + 1e-12 for e, p in zip(errs, preds))
    assert errs[-1] < errs[0] / 100

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

fig, ax = plt.subplots(1, 4, figsize=(17, 3.8))
for name, (errs, depths) in curves.items():
    ax[0].semilogy(Ts, errs, "o-", label=name)
    ax[1].plot(Ts, depths, "o-", label=name)
ax[0].set_xlabel("T")
ax[0].set_ylabel("sup error over K^T and t <= T")
ax[0].set_title("error vs T (domain [-1,1])")
ax[0].legend(fontsize=7)
ax[1].set_xlabel("T")
ax[1].set_ylabel("depth (cells)")
ax[1].set_title("depth vs T (width stays d_x + d_y + 2 = 4)")
for name, (errs, preds, depths) in ridge.items():
    line = ax[2].loglog(knots, errs, "o-", label=f"{name}: measured")[0]
    ax[2].loglog(knots, preds, "--", color=line.get_color(), label=f"{name}: h^2 sup|g''|/8")
    ax[3].loglog(depths, errs, "o-", color=line.get_color(), label=name)
ax[2].set_xticks(knots, [str(k) for k in knots])
ax[2].xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
ax[2].set_xlabel("interpolation intervals per time")
ax[2].set_ylabel("sup error")
ax[2].set_title("ridge targets, T = 5: error vs knots")
ax[2].legend(fontsize=7)
ax[3].xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
ax[3].set_xlabel("depth (cells), width 4")
ax[3].set_ylabel("sup error")
ax[3].set_title("ridge targets, T = 5: error vs depth")
ax[3].legend(fontsize=7)
fig.tight_layout()
out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
fig.savefig(out / "rnn_scaling.png", dpi=120)
print("wrote", out / "rnn_scaling.png")
