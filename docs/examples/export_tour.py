"""A tour of the exports: torch (float64), sympy/LaTeX (exact), networkx/GraphML ("p/q" strings).

The witness is the sawtooth t -> tent(tent(tent(t))) on [0, 1]: three ReLU layers of width 2
with exact integer weights (uat.testing.tent_network(3)).

Writes the exported files and docs/figures/export_graph.png (the networkx drawing), or puts
everything into $UAT_EXAMPLE_OUT when that is set (the test suite sets it).
Run: .venv/bin/python docs/examples/export_tour.py
"""

import os
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

import uat  # noqa: E402
from uat.export import from_torch, load_torch, save_torch, to_latex, to_networkx, to_sympy, to_torch, write_graphml  # noqa: E402
from uat.testing import random_network, tent_network  # noqa: E402
from uat.tolerances import tol  # noqa: E402

env_out = os.environ.get("UAT_EXAMPLE_OUT")
FIG_DIR = Path(env_out) if env_out else Path(__file__).resolve().parents[1] / "figures"
FILES = Path(env_out) if env_out else Path(tempfile.mkdtemp(prefix="uat-exports-"))

net = tent_network(3).with_metadata(description="sawtooth: three compositions of the tent map on [0,1]")
print(net)

# -- torch: float64 nn.Sequential, equal to numpy evaluation --------------------------------------
module = to_torch(net)
print(module)
x = np.linspace(0.0, 1.0, 1001)[:, None]
with torch.no_grad():
    y_torch = module(torch.tensor(x)).numpy()
gap = float(np.max(np.abs(y_torch - net.evaluate(x))))
print(f"max |torch - numpy| on 1001 points: {gap:.2e}")
assert gap <= tol("torch_vs_numpy")
assert from_torch(module) == net.as_float()  # float64 copy of the exact witness

save_torch(net, FILES / "tent.pt")
payload = torch.load(FILES / "tent.pt", weights_only=True)  # no code is unpickled
print("torch file:", payload["format"], payload["architecture"])
assert load_torch(FILES / "tent.pt", as_network=True) == net.as_float()

# a deep network exports from its packed arrays (timing shown, not asserted)
torch.set_num_threads(1)  # one small op per layer: extra threads only add synchronisation
deep = random_network(np.random.default_rng(0), input_dim=2, output_dim=1, width=8, depth=1000, orthogonal=True)
start = time.perf_counter()
deep_module = to_torch(deep)
elapsed = time.perf_counter() - start
pts = np.random.default_rng(1).standard_normal((100, 2))
with torch.no_grad():
    deep_gap = float(np.max(np.abs(deep_module(torch.tensor(pts)).numpy() - deep.evaluate(pts))))
print(f"depth {deep.depth}: to_torch took {elapsed:.2f} s, max |torch - numpy| = {deep_gap:.2e}")
assert deep_gap <= tol("torch_vs_numpy") * max(1.0, float(np.max(np.abs(deep.evaluate(pts)))))

# -- sympy: exact expression; exact at rational points -----------------------------------------------
(expr,) = to_sympy(net)
print("N(x1) =", expr)
(x1,) = sorted(expr.free_symbols, key=str)
for q in [Fraction(1, 3), Fraction(5, 16), Fraction(7, 10)]:
    value = expr.xreplace({x1: q})  # Max(...) of numbers evaluates exactly
    exact = net.evaluate_exact([[q]])[0, 0]
    print(f"  N({q}) = {value} (evaluate_exact: {exact})")
    assert Fraction(str(value)) == exact

print(to_latex(net))

# -- networkx / GraphML: weights as float + "p/q" -----------------------------------------------
graph = to_networkx(net)
write_graphml(net, FILES / "tent.graphml")
back = nx.read_graphml(FILES / "tent.graphml")
print(f"GraphML: {back.number_of_nodes()} nodes, {back.number_of_edges()} edges;",
      "edge 1:0 -> 2:1 weight", back.edges["1:0", "2:1"]["weight"], "exact", back.edges["1:0", "2:1"]["weight_exact"])
assert back.edges["1:0", "2:1"]["weight_exact"] == graph.edges["1:0", "2:1"]["weight_exact"]

# the drawing: neurons by layer, edge colour by sign, edge labels the exact weights
pos = {n: (d["layer"], -d["index"] + 0.5 * (len([m for m in graph if graph.nodes[m]["layer"] == d["layer"]]) - 1))
       for n, d in graph.nodes(data=True)}
fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [1.5, 1]})
colors = ["tab:blue" if d["weight"] > 0 else "tab:red" for _, _, d in graph.edges(data=True)]
nx.draw_networkx_edges(graph, pos, ax=ax, edge_color=colors, width=1.5, arrowsize=12, node_size=900)
node_colors = {"input": "#dddddd", "hidden": "#ffe8a8", "output": "#bfe3bf"}
nx.draw_networkx_nodes(graph, pos, ax=ax, node_size=900,
                       node_color=[node_colors[d["kind"]] for _, d in graph.nodes(data=True)], edgecolors="black")
labels = {n: ("x" if d["kind"] == "input" else f"b={d['bias_exact']}") for n, d in graph.nodes(data=True)}
nx.draw_networkx_labels(graph, pos, labels=labels, ax=ax, font_size=8)
nx.draw_networkx_edge_labels(graph, pos, ax=ax, font_size=8, label_pos=0.3,
                             edge_labels={(u, v): d["weight_exact"] for u, v, d in graph.edges(data=True)})
ax.set_title("to_networkx(tent_network(3)): ReLU layers, exact weights")
ax.axis("off")
t = np.linspace(0, 1, 801)
ax2.plot(t, net.evaluate(t[:, None])[:, 0], color="black")
ax2.set_title("the function: 8 linear pieces on [0, 1]")
ax2.set_xlabel("x")
fig.tight_layout()
FIG_DIR.mkdir(parents=True, exist_ok=True)
fig.savefig(FIG_DIR / "export_graph.png", dpi=110)
print("wrote", FIG_DIR / "export_graph.png", "and the exports in", FILES)
