"""Discontinuous activations (stepped leaky ReLU, step) in the exact 1-D pieces and 2-D regions.

The stepped leaky ReLU is t for t >= 0 and a t - 1 for t < 0 (a jump of -1 at 0).  Checked here:
the pieces against the dense forward pass and against exact evaluation at the breakpoints (the
convention at the jump: t >= 0 takes the identity branch), closed-form sup and L^p errors, the
closed-domain sup that counts a network's value at a jump point, honest refusal to certify when
float64 cannot decide a jump, and the leaky-stepped-uniform witnesses of one input.
"""

from __future__ import annotations

from fractions import Fraction
from math import sqrt

import numpy as np
import pytest

from uat import FeedForward
from uat.activations import stepped_leaky_relu
from uat.domains import parse_domain
from uat.testing import random_network
from uat.tolerances import tol
from verification import linear_pieces_1d, linear_regions_2d, lp_error, sup_error
from verification._bounds import network_lipschitz_bound

S = "stepped_leaky_relu(1/4)"


def hand_network() -> FeedForward:
    """N(x) = s(2x - 1) - 2 s(1/4 - x) + s(x), s the stepped leaky ReLU with slope 1/4 (jumps at 0, 1/4, 1/2)."""
    return FeedForward.from_layers([
        ([[2], [-1], [1]], [-1, "1/4", 0], S),
        ([[1, -2, 1]], [0]),
    ])


def hand_formula(x: np.ndarray) -> np.ndarray:
    def s(t):
        return np.where(t >= 0, t, t / 4 - 1)

    return s(2 * x - 1) - 2 * s(0.25 - x) + s(x)


def test_hand_written_stepped_network_pieces_match_the_dense_forward_pass():
    net = hand_network()
    x = np.linspace(-1, 2, 30_001)  # contains 1/4 and 1/2 exactly
    np.testing.assert_allclose(net.evaluate(x[:, None])[:, 0], hand_formula(x), rtol=0, atol=1e-14)
    pcs = linear_pieces_1d(net, -1, 2)
    assert not pcs.continuous
    assert pcs.breakpoints.tolist() == [-1.0, 0.0, 0.25, 0.5, 2.0]  # the third unit (x itself) jumps at 0
    assert pcs.ambiguous.size == 0
    off = ~np.isin(x, pcs.breakpoints)
    assert pcs.verify(x[off]) <= tol("pieces_vs_forward")
    # the values at the breakpoints are the network's own values there (t >= 0: identity branch)
    np.testing.assert_allclose(pcs.values[:, 0], hand_formula(pcs.breakpoints), rtol=0, atol=1e-14)
    # the one-sided limits differ from them at the jumps
    t = pcs.breakpoints
    np.testing.assert_allclose(pcs.right[:, 0], hand_formula(t[1:] - 1e-12), atol=1e-10)
    np.testing.assert_allclose(pcs.left[:, 0], hand_formula(t[:-1] + 1e-12), atol=1e-10)
    assert np.any(np.abs(pcs.values[1:-1, 0] - pcs.right[:-1, 0]) > 0.5)
    assert pcs.lipschitz() == float("inf")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_stepped_networks_exact_pieces_agree_with_exact_evaluation(seed):
    rng = np.random.default_rng(seed)
    net = random_network(rng, input_dim=1, output_dim=2, width=4, depth=5, activation=S, exact=True)
    exact = linear_pieces_1d(net, -2, 2, exact=True)
    flt = linear_pieces_1d(net, -2, 2)
    # values at the exact breakpoints are exactly the exact forward pass there
    pts = [[t] for t in exact.breakpoints]
    assert [list(v) for v in net.evaluate_exact(pts)] == [list(v) for v in exact.values]
    # the network is affine on each open piece: the exact midpoint value is the mean of the limits
    mids = [[(exact.breakpoints[i] + exact.breakpoints[i + 1]) / 2] for i in range(exact.n_pieces)]
    interp = (exact.left + exact.right) / 2
    assert [list(v) for v in net.evaluate_exact(mids)] == [list(v) for v in interp]
    # float64 pieces agree (or point at the places they cannot decide)
    if flt.ambiguous.size == 0:
        assert flt.n_pieces == exact.n_pieces
        np.testing.assert_allclose(flt.values, np.array(exact.values, dtype=float), rtol=0, atol=1e-12)
    assert flt.verify(np.linspace(-2, 2, 10_001)) <= tol("pieces_vs_forward")


def test_float_network_exact_pieces_use_the_binary_weights():
    rng = np.random.default_rng(4)
    net = random_network(rng, input_dim=1, output_dim=1, width=3, depth=4, activation=S)
    exact = linear_pieces_1d(net, -1, 1, exact=True)
    assert exact.exact and all(isinstance(v, Fraction) for v in exact.breakpoints)
    assert exact.verify(np.linspace(-1, 1, 5001)) <= tol("pieces_vs_forward")


def test_closed_form_sup_counts_one_sided_limits():
    # N = s(x - 1/2), f = x - 1/2: f - N = 0 on [1/2, 1], (3/4)(x - 1/2) + 1 on [0, 1/2): sup 1, a limit at 1/2-
    net = FeedForward.from_layers([([[1]], ["-1/2"], S), ([[1]], [0])])
    r = sup_error(net, "x1 - 1/2", "[0,1]")
    assert r.certified and r.method == "exact-1d"
    assert abs(r.value - 1.0) <= tol("verify_closed_form") and r.low <= 1.0 <= r.high * (1 + tol("certified_interval_slack"))
    assert r.argmax == (0.5,)
    assert any("closed domain" in a for a in r.assumptions)
    # with curvature: f = x^2, f - N -> 1/4 + 1 at 1/2-
    r2 = sup_error(net, "x1**2", "[0,1]")
    assert r2.certified and abs(r2.value - 1.25) <= tol("verify_closed_form") and r2.high >= 1.25


def test_sup_counts_the_value_at_a_jump_point():
    # N = s(x) + s(-x) + 1 is 1 at x = 0 and (3/4)|x| near 0: the sup over [-1, 1] is attained at 0 only
    net = FeedForward.from_layers([([[1], [-1]], [0, 0], S), ([[1, 1]], [1])])
    assert net.evaluate(np.array([[0.0]]))[0, 0] == 1.0
    r = sup_error(net, "0*x1", "[-1,1]")
    assert r.certified and abs(r.value - 1.0) <= tol("verify_closed_form") and r.argmax == (0.0,)
    assert r.details["pieces_arithmetic"].startswith("exact rational")  # two coincident jumps: float64 is unsure
    assert abs(r.details["essential_sup_high"] - 0.75) <= 1e-5 * 0.75  # the L^inf norm is smaller
    assert r.details["max_at_breakpoints"] == 1.0


def test_step_spike_is_found_exactly():
    # step(x) + step(-x) is 2 at 0 and 1 elsewhere
    net = FeedForward.from_layers([([[1], [-1]], [0, 0], "step"), ([[1, 1]], [0])])
    r = sup_error(net, "0*x1", "[-1,1]")
    assert r.certified and r.value == 2.0 and r.argmax == (0.0,)


def test_undecidable_float_jumps_are_not_certified(monkeypatch):
    import verification._sup1d as sup1d

    monkeypatch.setattr(sup1d, "EXACT_WORK", 0)
    net = FeedForward.from_layers([([[1], [-1]], [0, 0], S), ([[1, 1]], [1])])
    r = sup_error(net, "0*x1", "[-1,1]")
    assert not r.certified
    assert any("cannot decide" in n for n in r.details["notes"])


@pytest.mark.parametrize("p, exact", [(1, 21 / 32), (2, sqrt(233 / 384))])
def test_closed_form_lp_of_a_stepped_network(p, exact):
    # N = s(x - 1/2), f = 0 on [0, 1]: int_0^1/2 (1 + u/4)^p du + int_0^1/2 u^p du
    net = FeedForward.from_layers([([[1]], ["-1/2"], S), ([[1]], [0])])
    r = lp_error(net, "0*x1", "[0,1]", p=p)
    assert r.certified and r.method == "exact-1d"
    assert abs(r.value - exact) <= tol("verify_closed_form") * exact
    assert r.low * (1 - tol("certified_interval_slack")) <= exact <= r.high * (1 + tol("certified_interval_slack"))


def test_two_dimensional_regions_and_errors():
    # N(x, y) = s(x - 1/2) + 0 y: the same profile on every horizontal line
    net = FeedForward.from_layers([([[1, 0]], ["-1/2"], S), ([[1]], [0])])
    reg = linear_regions_2d(net, "[0,1]^2")
    assert not reg.continuous and reg.n_regions == 2 and reg.verify() <= tol("pieces_vs_forward")
    r = lp_error(net, "0*x1", "[0,1]^2", p=2, method="regions-2d")
    assert r.certified and abs(r.value - sqrt(233 / 384)) <= 1e-6
    s = sup_error(net, "0*x1", "[0,1]^2")
    assert s.method == "regions-2d" and not s.certified  # region boundaries are not enumerated in 2-D
    assert abs(s.value - 1.125) <= tol("verify_closed_form") and abs(s.details["essential_sup_high"] - 1.125) <= 1e-5


def test_random_two_dimensional_stepped_regions_agree_with_forward_pass():
    net = random_network(np.random.default_rng(8), input_dim=2, output_dim=2, width=5, depth=6, activation=S)
    reg = linear_regions_2d(net, "[-1,1]^2")
    assert reg.n_regions > 20 and reg.verify() <= tol("pieces_vs_forward")


def test_network_lipschitz_bound_of_stepped_units():
    box = parse_domain("[0,1]")
    jumping = FeedForward.from_layers([([[1.0]], [-0.5], S), ([[1.0]], [0.0])])
    assert network_lipschitz_bound(jumping, box)[0] == float("inf")
    positive = FeedForward.from_layers([([[2.0]], [1.0], S), ([[1.0]], [0.0])])
    negative = FeedForward.from_layers([([[2.0]], [-3.0], S), ([[1.0]], [0.0])])
    assert network_lipschitz_bound(positive, box)[0] == pytest.approx(2.0)
    assert network_lipschitz_bound(negative, box)[0] == pytest.approx(0.5)


# -- the leaky-stepped-uniform witnesses of one input -----------------------------------------


@pytest.mark.parametrize("target, eps, compare_exact", [
    ("[x1**2, 1 - x1]", 0.2, True),
    ("[sin(2*pi*x1), cos(2*pi*x1)]", 0.1, False),  # exact pieces of this deeper witness take ~15 s
    pytest.param("[sin(2*pi*x1), cos(2*pi*x1)]", 0.1, True, marks=pytest.mark.slow),
])
def test_stepped_uniform_witnesses_of_one_input_are_certified(target, eps, compare_exact):
    from constructions import build

    c = build("leaky-stepped-uniform", target, eps=eps, domain="[0,1]", progress="quiet")
    net = c.network
    assert stepped_leaky_relu("1/4") in net.hidden_activations
    r = sup_error(net, target, "[0,1]")
    assert r.certified and r.high < eps and r.high <= c.predicted_error
    # every sampled point (cell edges, where the quantiser jumps, included) lies below the certificate
    from uat.targets import make_target

    f = make_target(target)
    x = np.union1d(np.linspace(0, 1, 20_001), np.asarray(linear_pieces_1d(net, 0, 1).breakpoints))[:, None]
    sampled = float(np.max(np.linalg.norm(net.evaluate(x) - f(x), axis=1)))
    assert sampled <= r.high * (1 + tol("certified_interval_slack"))
    lp = lp_error(net, target, "[0,1]", p=2)
    assert lp.certified and lp.high < eps
    if compare_exact:  # exact rational pieces give the same breakpoint values and limits
        flt, ex = linear_pieces_1d(net, 0, 1), linear_pieces_1d(net, 0, 1, exact=True)
        assert flt.ambiguous.size == 0 and ex.n_pieces == flt.n_pieces
        for a, b in ((ex.values, flt.values), (ex.left, flt.left), (ex.right, flt.right)):
            np.testing.assert_allclose(np.array(a, dtype=float), b, rtol=0, atol=1e-9)


def test_undecidable_float_jumps_leave_lp_uncertified(monkeypatch):
    import verification._sup1d as sup1d

    net = FeedForward.from_layers([([[1], [-1]], [0, 0], S), ([[1, 1]], [1])])
    decided = lp_error(net, "0*x1", "[-1,1]", p=2)  # exact recomputation: certified, (3/4)^2 x^2 integrated
    assert decided.certified and decided.details["pieces_arithmetic"].startswith("exact rational")
    assert abs(decided.value - sqrt(2 * (9 / 16) / 3)) <= tol("verify_closed_form")
    monkeypatch.setattr(sup1d, "EXACT_WORK", 0)
    r = lp_error(net, "0*x1", "[-1,1]", p=2)
    assert not r.certified and any("cannot decide" in n for n in r.details["notes"])
    assert not any("no derivative" in n for n in r.details["notes"])
