"""Certified errors in one dimension: the piecewise-linear interpolant of sin(3x) on [0, 2].

A width-m ReLU network (one hidden layer) that interpolates sin(3x) at m + 1 equally spaced
knots.  The verifier computes the network's pieces exactly, certifies the sup error with
the second-derivative bound of the target (|f''| <= 9, enclosed by interval arithmetic),
and gives certified L^1 and L^2 intervals.  The a-priori bound h^2/8 * 9 is printed for
comparison; the certified sup must lie below it.  The figure shows target, network (with
the breakpoints as ticks) and the error curve with its maximum and the certified bound.

Run: .venv/bin/python docs/examples/verify_interpolant_1d.py
"""

import os
from pathlib import Path

import numpy as np

import uat
from verification import linear_pieces_1d, lp_error, plot_error, sup_error


def interpolant(f, m, a, b):
    """sum_k c_k relu(x - t_k) + f(a): the PL interpolant of f on m equal pieces of [a, b]."""
    knots = np.linspace(a, b, m + 1)
    slopes = np.diff(f(knots)) / np.diff(knots)
    c = np.diff(np.r_[0.0, slopes])
    return uat.FeedForward.from_layers([(np.ones((m, 1)), -knots[:-1], "relu"), (c[None, :], [f(knots[0])])])


m = 16
net = interpolant(lambda x: np.sin(3 * x), m, 0.0, 2.0)
pieces = linear_pieces_1d(net, 0, 2)
print(f"{net!r}: {pieces.n_pieces} pieces, pieces vs forward pass {pieces.verify():.1e}")

sup = sup_error(net, "sin(3*x)", "[0,2]")
print(sup.describe())
h = 2.0 / m
print(f"a-priori bound h^2/8 * max|f''| = {h * h / 8 * 9:.6e}  (certified bound {sup.high:.6e})")
assert sup.certified and sup.high <= h * h / 8 * 9

for p in (1, 2):
    r = lp_error(net, "sin(3*x)", "[0,2]", p=p)
    print(r.describe())
    assert r.certified and r.low <= r.value <= r.high

print("assumptions of the sup certificate:")
for a in sup.assumptions:
    print("  -", a)

out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
plot_error(net, "sin(3*x)", "[0,2]", result=sup, out=str(out / "verify_1d.png"))
print("wrote", out / "verify_1d.png")
