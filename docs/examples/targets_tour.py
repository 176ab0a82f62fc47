"""A tour of targets: the whitelist parser, exact values, derivatives, certified bounds, the library.

Writes docs/figures/targets_library.png (every library target) and
docs/figures/targets_bounds.png (per-piece certified second-derivative bounds), or into
$UAT_EXAMPLE_OUT when that is set (the test suite sets it).
Run: .venv/bin/python docs/examples/targets_tour.py
"""

import os
from fractions import Fraction
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from uat.errors import ExpressionError  # noqa: E402
from uat.expressions import parse_expression  # noqa: E402
from uat.target_library import LIBRARY, library_target  # noqa: E402
from uat.targets import make_target  # noqa: E402

OUT = Path(os.environ.get("UAT_EXAMPLE_OUT") or Path(__file__).resolve().parents[1] / "figures")
OUT.mkdir(parents=True, exist_ok=True)

# 1. Parsing: a whitelist grammar, never eval.  str() re-parses to the same tree.
f = parse_expression("[x1**2 - x2**2, 2*x1*x2]")
print("parsed:", f, "| d_x =", f.input_dim, "| d_y =", f.output_dim)
assert parse_expression(str(f)) == f
for bad in ["__import__('os').system('ls')", "x1.__class__", "x^2", "9**9**9"]:
    try:
        parse_expression(bad)
    except ExpressionError as exc:
        print("refused:", str(exc).splitlines()[0])

# 2. Exact values at rational points (None when a value is irrational).
g = parse_expression("max(0, 1 - abs(x1)) + x1**3/3")
print("exact g(1/2) =", g.exact([Fraction(1, 2)])[0], "| exact sin(1) =", parse_expression("sin(x1)").exact([1]))

# 3. Symbolic derivatives (almost everywhere) and the Jacobian at points.
h = parse_expression("sin(3*x1)*exp(-x2)")
print("d/dx1:", h.diff(1), "| d/dx2:", h.diff(2))
print("Jacobian at (0.2, 0.5):", h.jacobian_at([[0.2, 0.5]])[0].round(6).tolist())

# 4. Certified bounds by interval arithmetic with outward rounding.
circle = make_target("circle")
lip, hess = circle.lipschitz_bound(circle.domain), circle.hessian_bound(circle.domain)
print(f"circle: Lipschitz <= {lip.value:.6f} (true 2*pi = {2 * np.pi:.6f}), ||f''|| <= {hess.value:.4f} (true {(2 * np.pi) ** 2:.4f})")
print("method:", lip.method)
kinked = library_target("kinked-1d")
print("kinked-1d: Lipschitz <=", kinked.lipschitz_bound(kinked.domain).value, "| Hessian bound:", kinked.hessian_bound(kinked.domain).value)

# The verifier's call: thousands of pieces at once.
osc = library_target("oscillatory-1d")
edges = np.linspace(0, 1, 401)
pieces = osc.local_bounds(edges[:-1], edges[1:], "hessian")
print(f"oscillatory-1d: {len(pieces.bound)} pieces, max Hessian bound {pieces.bound.max():.1f}")

# Figure 1: certified |f''| bounds per piece against sampled |f''|.
fig, ax = plt.subplots(figsize=(7, 3.2))
xs = np.linspace(0, 1, 4001)
ax.plot(xs, np.abs(osc.expression.hessian_at(xs)[:, 0, 0, 0]), lw=0.8, label="|f''(x)| (sampled)")
ax.stairs(pieces.bound, edges, color="C3", lw=1.0, label="certified bound per piece (400 pieces)")
ax.set_xlabel("x")
ax.set_title("oscillatory-1d: sin(12 pi x^2), interval bounds of f'' on pieces")
ax.legend(loc="upper left", fontsize=8)
fig.tight_layout()
fig.savefig(OUT / "targets_bounds.png", dpi=110)
plt.close(fig)

# Figure 2: the library.
names = list(LIBRARY)
cols = 5
rows = -(-len(names) // cols)
fig = plt.figure(figsize=(3.2 * cols, 2.9 * rows))
for i, name in enumerate(names):
    t = library_target(name)
    lo, hi = t.domain.lo_array, t.domain.hi_array
    three_d = t.output_dim == 3
    ax = fig.add_subplot(rows, cols, i + 1, projection="3d" if three_d else None)
    if t.input_dim == 1:
        s = np.linspace(lo[0], hi[0], 1201)
        y = t(s[:, None])
        if t.output_dim == 1:
            ax.plot(s, y[:, 0], lw=1.2)
        elif t.output_dim == 2:
            ax.scatter(y[:, 0], y[:, 1], c=s, s=1.5, cmap="viridis")
            ax.set_aspect("equal")
        else:
            ax.plot(y[:, 0], y[:, 1], y[:, 2], lw=1.0)
    else:
        n = 161
        u, v = np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n), indexing="ij")
        pts = np.stack([u.ravel(), v.ravel()] + [np.full(u.size, 0.5)] * (t.input_dim - 2), axis=1)
        y = t(pts)
        if t.output_dim == 1:
            ax.imshow(y[:, 0].reshape(n, n).T, origin="lower", extent=(lo[0], hi[0], lo[1], hi[1]), cmap="viridis")
        elif t.output_dim == 2:
            grid = y.reshape(n, n, 2)
            for k in range(0, n, 16):
                ax.plot(grid[k, :, 0], grid[k, :, 1], lw=0.6, color="C0")
                ax.plot(grid[:, k, 0], grid[:, k, 1], lw=0.6, color="C1")
            ax.set_aspect("equal")
        else:
            grid = y.reshape(n, n, 3)[::6, ::6]
            ax.plot_surface(grid[..., 0], grid[..., 1], grid[..., 2], cmap="viridis", linewidth=0)
    suffix = " (x3 = 1/2)" if t.input_dim == 3 else ""
    ax.set_title(f"{name}  ({t.input_dim}->{t.output_dim}){suffix}", fontsize=9)
    ax.tick_params(labelsize=6)
fig.tight_layout()
fig.savefig(OUT / "targets_library.png", dpi=90)
plt.close(fig)
print("wrote", OUT / "targets_library.png", "and", OUT / "targets_bounds.png")
