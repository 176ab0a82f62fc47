"""The L^p witnesses at width max(d_x+1, d_y): whole space, the d_y > d_x decoder, a BRNN; and the cover certificate.

Left: rnn-lp for the Gaussian target exp(-|x[1..t]|^2/2) on all of R^(1 x 2) (T = 2, width 2): the
output at t = 2 along x[1] with x[2] = 0.3, against the target; the witness is exactly 0 once a
token leaves the truncation box [-L, L] (L from the target's tail), here checked at 1e3 and 1e6.
Middle: the (d_x, d_y) = (1, 2) decoder (width 2 = d_y): both outputs of rnn-lp for
(mean, mean of squares) at T = 1, snapped to the dyadic output grid by the digit/raster decoder.
Right: the covering certificate of the sup error of an rnn-uniform witness (running mean,
T = 2) against the cell width h: it certifies O(h) (the sampled error is ~1e-15), and it is
vacuous for rnn-lp (slopes ~2^(T(d_x M + 1))).  Writes docs/figures/rnn_lp_whole.png (or into
$UAT_EXAMPLE_OUT).

Run: .venv/bin/python docs/examples/rnn_lp_whole.py
"""

import os
from pathlib import Path

import numpy as np

from constructions import build
from constructions._rnn_lp_cases import mean_and_square
from uat.domains import parse_domain
from uat.sequence_targets import make_sequence_target
from verification import measure, sequence_sup_certificate

# -- whole space ------------------------------------------------------------------------------------
whole = build("rnn-lp", "gaussian", T=2, bits=5, whole=True, eps=0.1)
L = float(whole.parameters["radius"])
res = measure(whole.network, "gaussian", norm="lp", p=2.0, m=11, replicates=4)
far = whole.network.evaluate(np.array([[[1e3], [0.3]], [[-1e6], [0.3]], [[0.3], [1e6]]]))[:, 1, 0]
assert np.all(far == 0.0) and res.high <= 0.1
print(f"whole space: width {whole.network.width}, depth {whole.network.depth}, box [-{L:g}, {L:g}], "
      f"L^2(R^(1 x t)) error {res.value:.3f} [{res.low:.3f}, {res.high:.3f}], far-field outputs {far.tolist()}")
xs = np.linspace(-1.6 * L, 1.6 * L, 801)
seq = np.stack([xs, np.full_like(xs, 0.3)], axis=1)[:, :, None]
y_net = whole.network.evaluate(seq)[:, 1, 0]
y_tgt = make_sequence_target("gaussian")(seq)[:, 1, 0]

# -- the d_y > d_x decoder ------------------------------------------------------------------------
dec = build("rnn-lp", mean_and_square, input_dim=1, T=1, bits=5, eps=0.05)
assert dec.network.width == 2 == dec.network.output_dim
u = np.linspace(0, 1, 801)[:, None, None]
y_dec = dec.network.evaluate(u)[:, 0]
y_dec_t = mean_and_square(u)
print(f"decoder (1, 2): width {dec.network.width}, depth {dec.network.depth}, {dec.parameters['output_levels']} "
      f"levels of step {dec.parameters['output_step']}; max error on a fine grid {np.abs(y_dec - y_dec_t).max():.3f}")

# -- BRNN ---------------------------------------------------------------------------------------------
brnn = build("brnn-lp", "reversal", T=3, bits=3, eps=0.1)
rb = measure(brnn.network, "reversal", norm="lp", p=2.0, m=10)
print(f"brnn-lp reversal T=3: width {brnn.network.width}, depth {brnn.network.depth}, L^2 error {rb.value:.3f}")

# -- cover certificate --------------------------------------------------------------------------------
uni = build("rnn-uniform", "running-mean", T=2, domain="[-1,1]").network
box = parse_domain("[-1,1]")
f = make_sequence_target("running-mean")
cells = (8, 16, 32, 64, 128)
bounds = [sequence_sup_certificate(uni, f, box, 2, cells=n).high for n in cells]
lp_cert = sequence_sup_certificate(build("rnn-lp", "running-mean", T=2, bits=3).network, f, parse_domain("[0,1]"), 2)
print("cover of rnn-uniform (running mean, T=2): " + ", ".join(f"{n} cells: {b:.3g}" for n, b in zip(cells, bounds))
      + f"; rnn-lp: {'vacuous' if lp_cert.details['vacuous'] else lp_cert.high}")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

fig, ax = plt.subplots(1, 3, figsize=(13, 3.8))
ax[0].plot(xs, y_tgt, "k-", lw=1, label="target f_2(x1, 0.3)")
ax[0].plot(xs, y_net, "-", lw=1, label="rnn-lp, y[2]")
for s in (-L, L):
    ax[0].axvline(s, color="gray", ls=":", lw=0.8)
ax[0].set_xlabel("x[1]  (x[2] = 0.3)")
ax[0].set_title(f"whole space: exactly 0 outside [-{L:g}, {L:g}]")
ax[0].legend(fontsize=8)
for k, name in enumerate(("mean", "mean of squares")):
    ax[1].plot(u[:, 0, 0], y_dec_t[:, k], "k-", lw=0.8)
    ax[1].plot(u[:, 0, 0], y_dec[:, k], "-", lw=1, label=f"y_{k + 1} = {name}")
ax[1].set_xlabel("x[1]")
ax[1].set_title("(d_x, d_y) = (1, 2) at width 2: the raster decoder")
ax[1].legend(fontsize=8)
h = [2 / n for n in cells]
ax[2].loglog(h, bounds, "o-", label="certified bound (rnn-uniform)")
ax[2].loglog(h, h, "k--", lw=0.8, label="h")
ax[2].xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
ax[2].yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
ax[2].set_xlabel("cell width h")
ax[2].set_ylabel("sup error bound")
ax[2].set_title("cover certificate, running mean, T = 2")
ax[2].legend(fontsize=8)
fig.tight_layout()
out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
fig.savefig(out / "rnn_lp_whole.png", dpi=120)
print("wrote", out / "rnn_lp_whole.png")
