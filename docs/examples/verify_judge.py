"""Measuring versus judging, rounding measured, and the `uat verify` command.

* ``sup_error`` measures; ``assert_approximates`` judges against epsilon and raises
  ``NotApproximating`` with a readable report (including the catalogue's width check).
* ``float_error`` compares float64 evaluation with exact rational evaluation: the tent map
  doubles rounding errors at every layer, so 60 compositions lose all precision.
* ``uat verify FILE`` reads target, domain and epsilon from the witness file's metadata.

Run: .venv/bin/python docs/examples/verify_judge.py
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

import uat
from uat.errors import NotApproximating
from uat.testing import tent_network
from verification import assert_approximates, float_error, sup_error

# the hat function 2 relu(x) - 4 relu(x - 1/2) as a (poor) approximation of sin(pi x)
hat = uat.FeedForward.from_layers([([[2], [4]], [0, -2], "relu"), ([[1, -1]], [0])])
print(sup_error(hat, "sin(pi*x)").describe())
try:
    assert_approximates(hat, "sin(pi*x)", 0.1)
except NotApproximating as exc:
    print("judged:", exc)
print("judged: passes at eps = 0.25 ->", assert_approximates(hat, "sin(pi*x)", 0.25).describe())

for layers in (10, 40, 60):
    print(f"tent map, {layers} layers:", float_error(tent_network(layers), [["1/7"], ["1/3"], ["5/11"]]).describe())

with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "hat.json"
    uat.save(hat.with_metadata(target="sin(pi*x)", domain="[0,1]", epsilon=0.25), path)
    uat_cli = Path(sys.executable).with_name("uat")
    cmd = [str(uat_cli), "verify", str(path), "--json"]
    res = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ))
    print("$ uat verify hat.json --json  (exit status", res.returncode, ")")
    obj = json.loads(res.stdout)
    print({k: obj[k] for k in ("value", "low", "high", "certified", "method", "width", "verdict")})
    assert res.returncode == 0 and obj["verdict"] == "pass"
# a dense grid can only find a value inside the certified interval's reach
x = np.linspace(0, 1, 100_001)
grid_max = float(np.max(np.abs(hat(x)[:, 0] - np.sin(np.pi * x))))
r = sup_error(hat, "sin(pi*x)")
print(f"grid maximum {grid_max:.9e} <= certified bound {r.high:.9e}")
assert grid_max <= r.high
