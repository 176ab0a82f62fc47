"""The sup error: closed-form facts, certified intervals that hold, honest fallbacks."""

from __future__ import annotations

import numpy as np
import pytest

from uat import FeedForward
from uat.errors import BudgetExceeded, MethodError, ParameterError
from uat.targets import make_target
from uat.testing import random_network, tent_network
from uat.tolerances import tol
from verification import sup_error

from _verify_support import KnownTarget, hat, interpolant, ramp_2d, square_target, tent_2d, zero_target


def _holds(result, true_value):
    slack = tol("certified_interval_slack") * max(1.0, true_value)
    return result.low - slack <= true_value <= result.high + slack


@pytest.mark.parametrize("m", [1, 2, 5, 16, 100])
def test_interpolant_of_square_has_sup_error_one_over_four_m_squared(m):
    r = sup_error(interpolant(lambda x: x**2, m), square_target())
    exact = 1 / (4 * m * m)
    assert r.certified and r.method == "exact-1d"
    assert r.value == pytest.approx(exact, rel=tol("verify_closed_form"))
    assert _holds(r, exact)
    assert r.gap <= tol("certificate_width") * exact
    # attained at a piece midpoint
    assert (r.argmax[0] * m) % 1 == pytest.approx(0.5, abs=1e-9)
    assert any("bound" in a for a in r.assumptions)


def test_hat_against_zero():
    r = sup_error(hat(), zero_target())
    # the interval is the exact value widened by the float64 rounding level (8 ulps of the values' size)
    assert (r.value, r.certified, r.argmax) == (1.0, True, (0.5,))
    assert r.low <= 1.0 <= r.high and r.gap <= 1e-14


def test_vector_target_uses_the_euclidean_norm():
    # N(x) = (x, 0), f(x) = (x + 3/5, 4/5): error (3/5, 4/5) of norm 1 everywhere
    net = FeedForward.from_layers([([[1], [-1]], [0, 0], "relu"), ([[1, -1], [0, 0]], [0, 0])])
    f = KnownTarget("shift", 1, 2, lambda x: np.c_[x[:, 0] + 0.6, np.full(x.shape[0], 0.8)], hess=0.0, lip=1.0)
    r = sup_error(net, f, "[-1,1]")
    assert r.certified and r.value == pytest.approx(1.0, rel=1e-15) and _holds(r, 1.0)


def test_certified_interval_holds_the_true_sup_for_sin():
    """sin(3x) minus its 33-knot interpolant: the true sup from the roots of g' (closed form per piece)."""
    pytest.importorskip("uat.expressions")
    net = interpolant(lambda x: np.sin(3 * x), 32, 0, 2)
    r = sup_error(net, "sin(3*x)", "[0,2]")
    knots = np.linspace(0, 2, 33)
    s = np.diff(np.sin(3 * knots)) / np.diff(knots)
    # g'(x) = 3 cos(3x) - s = 0 -> x = (±acos(s/3) + 2 pi k)/3 ; evaluate all candidates in each piece
    best = 0.0
    for a, b, sl in zip(knots[:-1], knots[1:], s):
        base = np.arccos(np.clip(sl / 3, -1, 1))
        cands = [a, b] + [(sg * base + 2 * np.pi * k) / 3 for sg in (1, -1) for k in range(-1, 4)]
        for x in cands:
            if a <= x <= b:
                best = max(best, abs(np.sin(3 * x) - (np.sin(3 * a) + sl * (x - a))))
    assert r.certified and _holds(r, best)
    assert r.high <= 9 / 8 * (2 / 32) ** 2 + 1e-15  # below the a-priori h^2/8 sup|f''| bound


def test_kinked_target_is_certified_through_its_lipschitz_bound():
    pytest.importorskip("uat.expressions")
    net = interpolant(lambda x: np.abs(x - 0.3), 7)
    r = sup_error(net, "abs(x - 0.3)")
    # the interpolant misses the kink at 0.3 inside the piece [2/7, 3/7]: error at 0.3
    exact = abs(np.interp(0.3, np.linspace(0, 1, 8), np.abs(np.linspace(0, 1, 8) - 0.3)))
    assert r.certified and _holds(r, exact)


def test_discontinuous_target_is_reported_without_a_certificate():
    pytest.importorskip("uat.expressions")
    r = sup_error(hat(), "Heaviside(x - 0.25)", max_evals=20_000)
    assert not r.certified and r.vacuous and r.high == float("inf")
    assert r.value == 1.0  # |hat(1) - H(3/4)| = 1
    assert any("lower bound" in n for n in r.details["notes"])


def test_callable_without_derivative_information_is_not_certified():
    target = make_target(lambda x: np.sin(5 * x), input_dim=1)
    r = sup_error(hat(), target, max_evals=10_000)
    assert not r.certified and r.high == float("inf")
    dense = np.linspace(0, 1, 200_001)[:, None]
    assert r.value <= float(np.max(np.abs(np.sin(5 * dense) - hat()(dense)))) + 1e-12
    # declaring a Lipschitz constant makes it certified, and the assumption is recorded
    r2 = sup_error(hat(), target, lipschitz=5.0)
    assert r2.certified and any("declared" in a for a in r2.assumptions)
    sampled = float(np.max(np.abs(np.sin(5 * dense) - hat()(dense))))
    assert sampled <= r2.high and r2.low >= sampled - 1e-9


def test_step_network_in_one_dimension():
    # N(x) = step(x - 1/2); target 0: sup 1 (attained on [1/2, 1])
    net = FeedForward.from_layers([([[1]], ["-1/2"], "step"), ([[1]], [0])])
    r = sup_error(net, zero_target())
    assert r.certified and r.value == 1.0 and r.high == pytest.approx(1.0, abs=1e-14) and r.high >= 1.0
    assert any("step network" in a for a in r.assumptions)


def test_deep_random_network_certified_sup_is_at_least_the_sampled_max():
    rng = np.random.default_rng(2)
    net = random_network(rng, input_dim=1, output_dim=1, width=10, depth=300, orthogonal=True)
    r = sup_error(net, square_target(-1, 1), "[-1,1]")
    x = np.linspace(-1, 1, 4001)[:, None]
    sampled = float(np.max(np.abs(x**2 - net(x))))
    assert r.certified and sampled <= r.high and r.value >= sampled - 1e-9


# -- two inputs ----------------------------------------------------------------------------


def test_ramp_against_zero_in_two_dimensions():
    r = sup_error(ramp_2d(), zero_target(2))
    assert r.method == "regions-2d" and r.certified
    assert r.value == 1.0 and 1.0 <= r.high <= 1.0 + 1e-14 and r.argmax == (1.0, 1.0)


def test_two_dimensional_certificate_holds_for_a_smooth_target():
    # f = x1^2 + x2^2 (Hessian 2 I, norm 2), N = tent_2d(1) = T(x1) + T(x2): error is separable
    f = KnownTarget("x1^2+x2^2", 2, 1, lambda x: (x**2).sum(axis=1, keepdims=True), hess=2.0, lip=2 * np.sqrt(2))
    r = sup_error(tent_2d(1), f)
    # g(t) = t^2 - T(t) on [0,1] per coordinate; max of g1 + g2 is attained at t = 1 (g = 1) for both: 2
    assert r.certified and _holds(r, 2.0)
    assert r.gap <= tol("certificate_width") * 2.0


def test_region_budget_falls_back_to_the_grid_under_auto():
    r = sup_error(tent_2d(5), zero_target(2), max_regions=100, max_evals=100_000)
    assert r.method == "grid-lipschitz" and r.details["fallback_from"] == "regions-2d"
    assert any("exact regions abandoned" in n for n in r.details["notes"])
    assert r.value <= 2.0 <= r.high or not r.certified
    with pytest.raises(BudgetExceeded, match="max_regions=100"):
        sup_error(tent_2d(5), zero_target(2), method="regions-2d", max_regions=100)


def test_grid_route_for_smooth_activations_is_certified_or_says_why():
    net = FeedForward.from_layers([([[1.5, -0.5], [0.3, 0.8]], [0.1, -0.2], "tanh"), ([[1.0, -1.0]], [0.0])])
    f = KnownTarget("0", 2, 1, lambda x: np.zeros((x.shape[0], 1)), hess=0.0, lip=0.0)
    r = sup_error(net, f, "[-1,1]^2", max_evals=200_000)
    pts = np.random.default_rng(0).uniform(-1, 1, size=(20_000, 2))
    sampled = float(np.max(np.abs(net(pts))))
    assert r.method == "grid-lipschitz" and r.certified
    assert r.low <= max(sampled, r.value) <= r.high
    assert r.details["network_lipschitz_bound"] > 0


def test_grid_bound_is_vacuous_for_a_step_that_may_jump():
    net = FeedForward.from_layers([([[1.0, 1.0, 1.0]], [-1.5], "step"), ([[1.0]], [0.0])])
    f = KnownTarget("0", 3, 1, lambda x: np.zeros((x.shape[0], 1)), hess=0.0, lip=0.0)
    r = sup_error(net, f, "[0,1]^3", method="grid")  # (auto takes the 3-D regions: tests/test_verify_3d.py)
    assert not r.certified and r.vacuous and r.value == 1.0
    assert any("vacuous" in n for n in r.details["notes"])


def test_sup_error_rejects_bad_methods_and_budgets():
    with pytest.raises(MethodError, match="valid methods: auto, exact-1d, regions-2d, regions-3d, grid"):
        sup_error(hat(), zero_target(), method="sampling")
    with pytest.raises(MethodError, match="needs 2 input"):
        sup_error(hat(), zero_target(), method="regions-2d")
    with pytest.raises(ParameterError, match="max_regions must be >= 1"):
        sup_error(hat(), zero_target(), max_regions=0)


def test_exact_1d_handles_the_tent_map_with_many_pieces():
    r = sup_error(tent_network(12), zero_target())
    assert r.certified and r.value == 1.0 and r.details["pieces"] == 4096


def _exact_pieces_one_layer(net, a, b):
    """Breakpoints of a one-hidden-layer exact network: the zeros -b_j / w_j (an independent oracle)."""
    from fractions import Fraction

    w, bias = net.layers[0].weight[:, 0], net.layers[0].bias
    knots = {Fraction(a), Fraction(b)}
    knots |= {-bj / wj for wj, bj in zip(w, bias) if wj != 0 and a < -bj / wj < b}
    knots = sorted(knots)
    vals = [v[0] for v in net.evaluate_exact([[t] for t in knots])]
    return knots, vals


@pytest.mark.parametrize("seed", range(12))
def test_certified_sup_holds_the_exact_sup_of_random_networks_against_a_parabola(seed):
    """Exact oracle: on each piece g = x^2 - (s x + c) peaks at the ends or at x = s / 2 (rational)."""
    rng = np.random.default_rng(seed)
    net = random_network(rng, input_dim=1, output_dim=1, width=6, depth=2, exact=True)
    knots, vals = _exact_pieces_one_layer(net, -1, 1)
    best = 0
    for (t0, v0), (t1, v1) in zip(zip(knots, vals), zip(knots[1:], vals[1:])):
        s = (v1 - v0) / (t1 - t0)
        cands = [t0, t1] + ([s / 2] if t0 < s / 2 < t1 else [])
        best = max(best, *(abs(x * x - (v0 + s * (x - t0))) for x in cands))
    r = sup_error(net, square_target(-1, 1), "[-1,1]")
    assert r.certified and _holds(r, float(best))


def test_one_input_smooth_network_goes_to_the_grid_and_is_certified():
    net = FeedForward.from_layers([([[2.0], [-1.0]], [0.0, 0.5], "tanh"), ([[1.0, 1.0]], [0.0])])
    r = sup_error(net, zero_target(), "[-1,1]")
    x = np.linspace(-1, 1, 10_001)[:, None]
    sampled = float(np.max(np.abs(net(x))))
    assert r.method == "grid-lipschitz" and r.certified
    # the attained value is a true error value; the grid cannot beat the certified bound
    assert sampled <= r.high and r.low >= sampled * (1 - tol("certificate_width"))
    assert r.gap <= tol("certificate_width") * r.value
    with pytest.raises(MethodError, match="exact-1d"):
        sup_error(net, zero_target(), method="exact-1d")


def test_step_network_in_two_dimensions_is_not_certified():
    net = FeedForward.from_layers([([[1, 1]], ["-1"], "step"), ([[1]], [0])])
    r = sup_error(net, zero_target(2))
    assert r.method == "regions-2d" and not r.certified and r.value == 1.0
    assert any("region boundaries" in n for n in r.details["notes"])


@pytest.mark.parametrize("rtol", [0, -1e-3, 1.0, "1e-6", True])
def test_relative_tolerance_is_validated(rtol):
    with pytest.raises(ParameterError, match="rtol must be a number in"):
        sup_error(hat(), zero_target(), rtol=rtol)
