"""A hand-written network: the hat function on [0, 1], width 2, exact weights.

    hat(x) = 2 relu(x) - 4 relu(x - 1/2)

Writes docs/examples/hat.json (the witness file format, docs/format.md) and shows it.
Run: .venv/bin/python docs/examples/hat_network.py
"""

from fractions import Fraction
from pathlib import Path

import numpy as np

import uat

hat = uat.FeedForward.from_layers(
    [([[2], [4]], [0, -2], "relu"), ([[1, -1]], [0], "identity")],
    metadata={"description": "hat(x) = 2 relu(x) - 4 relu(x - 1/2) on [0,1]", "domain": "[0,1]"},
)
print(hat)
print("width", hat.width, "depth", hat.depth, "parameters", hat.n_params, "exact", hat.is_exact)
print("exact values:", [str(v[0]) for v in hat.evaluate_exact([[Fraction(k, 4)] for k in range(5)])])
x = np.linspace(0, 1, 5)
print("float values:", hat(x)[:, 0])
out = Path(__file__).with_name("hat.json")
uat.save(hat, out)
assert uat.load(out) == hat
print("wrote", out)
