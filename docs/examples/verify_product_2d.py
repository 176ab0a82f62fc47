"""Certified sup error in two dimensions: a ReLU network for the product x1 * x2.

x1 x2 = ((x1 + x2)^2 - (x1 - x2)^2) / 4, and each square is replaced by its piecewise-linear
interpolant (a one-hidden-layer ReLU network in s = x1 + x2 or d = x1 - x2).  The verifier
enumerates the network's linear regions exactly (polygons cut layer by layer), bounds the
error on each region with the target's Hessian (||D^2 (x1 x2)||_2 = 1) and refines until the
certified bound meets the attained maximum.  The interpolation error of t^2 on pieces of
length h lies in [-h^2/4, 0], so the sup error is h^2/16, attained where x1 + x2 is a knot
and x1 - x2 the middle of a piece; the certified interval must contain it.
Also: the L^2 error by scrambled Sobol' points with a confidence interval.

Run: .venv/bin/python docs/examples/verify_product_2d.py
"""

import os
from pathlib import Path

import numpy as np

import uat
from verification import linear_regions_2d, lp_error, plot_error, sup_error

m = 8
h = 2.0 / m
knots_s = np.linspace(0.0, 2.0, m + 1)  # s = x1 + x2 in [0, 2]
knots_d = np.linspace(-1.0, 1.0, m + 1)  # d = x1 - x2 in [-1, 1]


def relu_sum(knots):
    slopes = np.diff(knots**2) / np.diff(knots)
    return np.diff(np.r_[0.0, slopes]), knots[:-1], knots[0] ** 2


cs, ts, ys = relu_sum(knots_s)
cd, td, yd = relu_sum(knots_d)
W1 = np.r_[np.tile([1.0, 1.0], (m, 1)), np.tile([1.0, -1.0], (m, 1))]
b1 = np.r_[-ts, -td]
W2 = np.r_[cs / 4, -cd / 4][None, :]
net = uat.FeedForward.from_layers([(W1, b1, "relu"), (W2, [(ys - yd) / 4])])

regions = linear_regions_2d(net, "[0,1]^2")
print(f"{net!r}: {regions.n_regions} linear regions, regions vs forward pass {regions.verify():.1e}")

sup = sup_error(net, "x1*x2", "[0,1]^2")
print(sup.describe())
print(f"exact sup error h^2/16 = {h * h / 16:.6e}")
assert sup.certified and sup.low <= h * h / 16 <= sup.high

l2 = lp_error(net, "x1*x2", "[0,1]^2", p=2, m=14)
print(l2.describe())

out = Path(os.environ.get("UAT_EXAMPLE_OUT", Path(__file__).resolve().parents[1] / "figures"))
plot_error(net, "x1*x2", "[0,1]^2", result=sup, out=str(out / "verify_2d.png"))
print("wrote", out / "verify_2d.png")
