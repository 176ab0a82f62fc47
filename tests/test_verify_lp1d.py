"""The exact 1-D L^p route on hard integrands: near-cusps of ||f - N||, target jumps inside a piece.

Closed forms check the quadrature value (relative accuracy ~1e-12) and the certified interval;
evaluation counts (deterministic, not timings) guard against the refinement blow-ups recorded in
docs/benchmarks.md (about 1e8 target evaluations before the global error control).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from uat import FeedForward
from uat.targets import make_target
from uat.tolerances import tol
from verification import lp_error
from verification._lp1d_quad import Segs, cut
from verification._singular1d import singular_intervals

ZERO = FeedForward.from_layers([([[0], [0]], [0, 0])])  # N = 0 in R^2


def _sqrt_antiderivative(u: float, d: float) -> float:
    """An antiderivative of sqrt(u^2 + d^2)."""
    return 0.5 * (u * math.hypot(u, d) + d * d * math.asinh(u / d))


def _inside(r, exact: float) -> bool:
    s = tol("certified_interval_slack")
    return r.low * (1 - s) <= exact <= r.high * (1 + s)


@pytest.mark.parametrize("c, d", [(0.6253750000000012, 1e-8), (0.5, 1e-9), (0.99999, 1e-7)])
def test_near_cusp_of_the_error_norm_is_integrated_accurately(c, d):
    # ||(x - c, d)|| has a near-cusp of width d at x = c; Gauss nodes miss it unless the interval is cut there
    f = make_target(f"[x - {c!r}, {d!r}]")
    exact = _sqrt_antiderivative(1 - c, d) - _sqrt_antiderivative(-c, d)
    r = lp_error(ZERO, f, "[0,1]", p=1)
    assert abs(r.value - exact) <= tol("quadrature_relative") * exact
    assert r.certified and _inside(r, exact)
    assert r.details["root_splits"] >= 1
    assert r.n_evals < 20_000


def test_target_jump_inside_a_piece_is_located_from_the_expression():
    # N = 0, f = [Heaviside(x - 0.3), x]: int_0^0.3 x dx + int_0.3^1 sqrt(1 + x^2) dx
    f = make_target("[Heaviside(x - 0.3), x]")
    exact = 0.045 + (_sqrt_antiderivative(1.0, 1.0) - _sqrt_antiderivative(0.3, 1.0))
    r = lp_error(ZERO, f, "[0,1]", p=1)
    assert r.details["target_singular_intervals"] == 1
    assert abs(r.value - exact) <= tol("quadrature_relative") * exact
    assert r.certified and _inside(r, exact) and (r.high - r.low) <= tol("certificate_width") * exact
    assert r.n_evals < 20_000


@pytest.mark.parametrize("p", [1, 2, 3])
def test_scalar_jump_without_sign_change(p):
    # N = x, f = x + Heaviside(x - 1/3)/2: the error is 1/2 on [1/3, 1] (no sign change to split at)
    net = FeedForward.from_layers([([[1]], [0])])
    r = lp_error(net, "x + Heaviside(x - 1/3)/2", "[0,1]", p=p)
    exact = 0.5 * (2 / 3) ** (1 / p)
    assert abs(r.value - exact) <= tol("quadrature_relative") * exact
    assert r.certified and _inside(r, exact)


def test_jump_of_a_callable_target_is_refined_to_the_tolerance_but_not_certified():
    net = FeedForward.from_layers([([[1]], [0])])
    f = make_target(lambda x: x + 0.5 * (x >= 1 / 3), input_dim=1)
    r = lp_error(net, f, "[0,1]", p=1)
    exact = 1 / 3
    assert not r.certified
    assert abs(r.value - exact) <= 1e-10 * exact  # global refinement closes in on the jump
    assert r.n_evals < 100_000


def test_floor_target_has_many_singular_intervals_and_a_certified_interval():
    f = make_target("floor(8*x)/8")
    iv = singular_intervals(f, 0.0, 1.0)
    assert iv.shape == (8, 2)  # 1/8, ..., 7/8, and the jump at x = 1 (the right end)
    assert all(lo <= k / 8 <= hi for k, (lo, hi) in zip(range(1, 9), iv))
    net = FeedForward.from_layers([([[1]], [0])])
    r = lp_error(net, f, "[0,1]", p=2)  # x - floor(8x)/8 is a saw tooth of height 1/8: L^2 norm 1/(8 sqrt(3))
    exact = 1 / (8 * math.sqrt(3))
    assert abs(r.value - exact) <= tol("quadrature_relative") * exact
    assert r.certified and _inside(r, exact)


def test_cut_splits_only_inside_intervals():
    segs = Segs(np.array([0.0, 0.5]), np.array([0.5, 1.0]), np.array([0.0, 0.5]), np.zeros((2, 1)), np.ones((2, 1)))
    out = cut(segs, np.array([-1.0, 0.0, 0.25, 0.5, 0.75, 0.75, 2.0]))
    assert out.a.tolist() == [0.0, 0.25, 0.5, 0.75] and out.b.tolist() == [0.25, 0.5, 0.75, 1.0]
    assert out.x0.tolist() == [0.0, 0.0, 0.5, 0.5]  # each keeps its piece's anchor


def test_two_output_relu_witness_is_measured_with_few_evaluations():
    from constructions import build

    c = build("relu-lp-compact", "[cos(2*pi*x), sin(2*pi*x)]", eps=0.05, p=1, input_dim=1, domain="[0,1]",
              progress="quiet")
    r = lp_error(c.network, "[cos(2*pi*x), sin(2*pi*x)]", "[0,1]", p=1)
    assert r.certified and r.high < 0.05 and r.low <= r.value <= r.high
    assert r.n_evals < 2_000_000  # about 1e8 before the global error control (docs/benchmarks.md)


def test_hundred_target_jumps_are_located_and_integrated_to_the_tolerance():
    # unlocated, jumps close to an interval's end escape every Gauss node (3.6e-8 relative error before)
    net = FeedForward.from_layers([([[1]], [0])])
    r = lp_error(net, "floor(100*x)/100", "[0,1]", p=2)
    exact = 1 / (100 * math.sqrt(3))
    assert r.details["target_singular_intervals"] == 100
    assert abs(r.value - exact) <= tol("quadrature_relative") * exact
    assert r.certified and _inside(r, exact)
