"""Per-neuron activations (MixedActivation) in the exact 1-D pieces, the 2-D regions and the bounds.

A mixed layer applies each neuron's own activation: relu and leaky_relu neurons kink at 0, step and
stepped_leaky_relu neurons jump there (with the convention t >= 0 -> right branch), identity neurons
do neither.  Checked here against dense forward passes, exact rational evaluation and closed forms,
and on the relu-step-uniform witnesses (Park et al.'s ReLU+STEP networks).
"""

from __future__ import annotations

from fractions import Fraction
from math import sqrt

import numpy as np
import pytest

from uat import FeedForward
from uat.activations import parse_activation
from uat.domains import parse_domain
from uat.testing import random_network
from uat.tolerances import tol
from verification import linear_pieces_1d, linear_regions_2d, lp_error, sup_error
from verification._bounds import interval_ranges, network_lipschitz_bound

FIVE = ["relu", "step", "identity", "leaky_relu(1/4)", "stepped_leaky_relu(1/3)"]


def five_network() -> FeedForward:
    """N(x) = relu(x - 1/4) + step(x - 1/2) + (x - 3/4) + lrelu(x - 3/4) + sl(x - 1/8), one hidden layer of five neurons."""
    return FeedForward.from_layers([
        ([[1], [1], [1], [1], [1]], ["-1/4", "-1/2", "-3/4", "-3/4", "-1/8"], FIVE),
        ([[1, 1, 1, 1, 1]], [0]),
    ])


def five_formula(x: np.ndarray) -> np.ndarray:
    relu = np.maximum(x - 0.25, 0)
    step = (x - 0.5 >= 0).astype(float)
    ident = x - 0.75
    leaky = np.where(x - 0.75 >= 0, x - 0.75, (x - 0.75) / 4)
    z = x - 0.125
    stepped = np.where(z >= 0, z, z / 3 - 1)
    return relu + step + ident + leaky + stepped


def test_hand_written_mixed_layer_pieces_match_the_formula():
    net = five_network()
    x = np.linspace(-1, 2, 24_001)  # contains 1/8, 1/4, 1/2 and 3/4 exactly
    np.testing.assert_allclose(net.evaluate(x[:, None])[:, 0], five_formula(x), rtol=0, atol=1e-14)
    pcs = linear_pieces_1d(net, -1, 2)
    # each neuron's own activation: kinks/jumps at 1/8 (stepped), 1/4 (relu), 1/2 (step), 3/4 (leaky);
    # the identity neuron (zero at 3/4 too) adds nothing by itself
    assert pcs.breakpoints.tolist() == [-1.0, 0.125, 0.25, 0.5, 0.75, 2.0]
    assert not pcs.continuous and pcs.ambiguous.size == 0
    np.testing.assert_allclose(pcs.values[:, 0], five_formula(pcs.breakpoints), rtol=0, atol=1e-14)
    off = ~np.isin(x, pcs.breakpoints)
    assert pcs.verify(x[off]) <= tol("pieces_vs_forward")
    # slopes per piece from the formula: 1 (identity) + 1/4 (leaky) + 1/3 or 1 (stepped) + 0 or 1 (relu)
    expected = [1 + 0.25 + 1 / 3, 1 + 0.25 + 1, 1 + 0.25 + 1 + 1, 1 + 0.25 + 1 + 1, 1 + 1 + 1 + 1]
    np.testing.assert_allclose(pcs.slopes[:, 0], expected, rtol=1e-14)
    exact = linear_pieces_1d(net, -1, 2, exact=True)
    assert [str(t) for t in exact.breakpoints] == ["-1", "1/8", "1/4", "1/2", "3/4", "2"]
    assert [list(v) for v in net.evaluate_exact([[t] for t in exact.breakpoints])] == [list(v) for v in exact.values]


def test_identity_neurons_in_a_mixed_layer_do_not_split_pieces():
    # [identity, step]: the identity neuron crosses 0 at 1/2 but is linear there
    net = FeedForward.from_layers([([[1], [1]], ["-1/2", "-1/4"], "[identity, step]"), ([[1, 1]], [0])])
    pcs = linear_pieces_1d(net, 0, 1, exact=True)
    assert [str(t) for t in pcs.breakpoints] == ["0", "1/4", "1"]
    assert [str(v) for v in pcs.values[:, 0]] == ["-1/2", "3/4", "3/2"]
    assert [str(v) for v in pcs.right[:, 0]] == ["-1/4", "3/2"]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_random_mixed_networks_exact_pieces_agree_with_exact_evaluation(seed):
    rng = np.random.default_rng(seed)
    net = random_network(rng, input_dim=1, output_dim=2, width=5, depth=5, activation=FIVE, exact=True)
    assert len(net.hidden_activations) == 5
    exact = linear_pieces_1d(net, -2, 2, exact=True)
    pts = [[t] for t in exact.breakpoints]
    assert [list(v) for v in net.evaluate_exact(pts)] == [list(v) for v in exact.values]
    mids = [[(exact.breakpoints[i] + exact.breakpoints[i + 1]) / 2] for i in range(exact.n_pieces)]
    assert [list(v) for v in net.evaluate_exact(mids)] == [list(v) for v in (exact.left + exact.right) / 2]
    flt = linear_pieces_1d(net, -2, 2)
    if flt.ambiguous.size == 0:
        assert flt.n_pieces == exact.n_pieces
        np.testing.assert_allclose(flt.values, np.array(exact.values, dtype=float), rtol=0, atol=1e-12)
    assert flt.verify(np.linspace(-2, 2, 10_001)) <= tol("pieces_vs_forward")


def test_continuous_mixed_networks_are_continuous_pieces():
    net = random_network(np.random.default_rng(5), input_dim=1, output_dim=1, width=3, depth=6,
                         activation=["relu", "identity", "leaky_relu(1/2)"])
    pcs = linear_pieces_1d(net, -3, 3)
    assert pcs.continuous and pcs.values is None
    assert pcs.verify(np.linspace(-3, 3, 20_001)) <= tol("pieces_vs_forward")
    x = np.linspace(-3, 3, 200_001)
    y = net.evaluate(x[:, None])[:, 0]
    sampled = float(np.max(np.abs(np.diff(y) / np.diff(x))))
    assert sampled <= pcs.lipschitz() * (1 + 1e-9)
    assert network_lipschitz_bound(net, parse_domain("[-3,3]"))[0] >= pcs.lipschitz() * (1 - 1e-12)


def test_closed_form_sup_and_lp_of_a_relu_step_network():
    # N = relu(x) + step(x - 1/2), f = x on [0, 1]: f - N = -1 on [1/2, 1], 0 before
    net = FeedForward.from_layers([([[1], [1]], [0, "-1/2"], "[relu, step]"), ([[1, 1]], [0])])
    r = sup_error(net, "x1", "[0,1]")
    assert r.method == "exact-1d" and r.certified and r.value == 1.0 and r.high <= 1.0 + 1e-12
    for p in (1, 2, 3):
        lp = lp_error(net, "x1", "[0,1]", p=p)
        exact = 0.5 ** (1 / p)
        assert lp.certified and abs(lp.value - exact) <= tol("verify_closed_form") * exact
        assert lp.low * (1 - tol("certified_interval_slack")) <= exact <= lp.high * (1 + tol("certified_interval_slack"))


def test_the_value_at_a_mixed_jump_point_counts():
    # relu(x) + relu(-x) + step(x) + step(-x) = |x| + 1 + [x = 0]: against f = |x| the sup 2 is attained at 0 only
    net = FeedForward.from_layers([
        ([[1], [-1], [1], [-1]], [0, 0, 0, 0], "[relu, relu, step, step]"),
        ([[1, 1, 1, 1]], [0]),
    ])
    r = sup_error(net, "abs(x1)", "[-1,1]")
    assert r.certified and r.value == 2.0 and r.argmax == (0.0,)
    assert abs(r.details["essential_sup_high"] - 1.0) <= 1e-6
    # two step neurons jump at one point: float64 flags it (the relu neurons, also 0 there, do not count)
    assert linear_pieces_1d(net, -1, 1).ambiguous.tolist() == [0.0]
    assert r.details["pieces_arithmetic"].startswith("exact rational")


def test_undecidable_mixed_jumps_are_not_certified_without_the_exact_fallback(monkeypatch):
    import verification._sup1d as sup1d

    monkeypatch.setattr(sup1d, "EXACT_WORK", 0)
    net = FeedForward.from_layers([
        ([[1], [-1], [1], [-1]], [0, 0, 0, 0], "[relu, relu, step, step]"),
        ([[1, 1, 1, 1]], [0]),
    ])
    r = sup_error(net, "abs(x1)", "[-1,1]")
    assert not r.certified and any("cannot decide" in n for n in r.details["notes"])
    l1 = lp_error(net, "abs(x1)", "[-1,1]", p=1)
    assert not l1.certified


def test_relu_neurons_near_zero_are_not_ambiguous():
    # only jump neurons are examined: a relu neuron vanishing on a whole piece decides nothing
    net = FeedForward.from_layers([([[1], [0], [1]], [0, 0, 2], "[relu, relu, step]"), ([[1, 1, 1]], [0])])
    pcs = linear_pieces_1d(net, -1, 1)
    assert pcs.ambiguous.size == 0 and pcs.breakpoints.tolist() == [-1.0, 0.0, 1.0]
    # the same layer with a step neuron vanishing on the whole interval is ambiguous (its branch is undecided)
    net2 = FeedForward.from_layers([([[1], [0], [1]], [0, 0, 2], "[relu, step, step]"), ([[1, 1, 1]], [0])])
    assert linear_pieces_1d(net2, -1, 1).ambiguous.size > 0


def test_mixed_regions_in_two_dimensions():
    # N(x, y) = relu(x - y) + step(y - 1/2) + (x + y): three regions on [0,1]^2 (the identity neuron does not cut)
    net = FeedForward.from_layers([
        ([[1, -1], [0, 1], [1, 1]], [0, "-1/2", "-1"], "[relu, step, identity]"),
        ([[1, 1, 1]], [0]),
    ])
    reg = linear_regions_2d(net, "[0,1]^2")
    assert reg.n_regions == 4 and not reg.continuous  # x = y and y = 1/2 cross inside the square
    assert reg.verify() <= tol("pieces_vs_forward")
    assert abs(float(reg.areas.sum()) - 1.0) <= 1e-14
    # against f = x + y - 1 + relu(x - y): the error is step(y - 1/2), so the L^2 error is sqrt(1/2)
    from uat.targets import make_target

    f = make_target(lambda p: (p[:, :1] + p[:, 1:] - 1) + np.maximum(p[:, :1] - p[:, 1:], 0), input_dim=2,
                    lipschitz=3.0)
    lp = lp_error(net, f, "[0,1]^2", p=2, method="regions-2d")
    assert lp.certified and abs(lp.value - sqrt(0.5)) <= 1e-9
    s = sup_error(net, f, "[0,1]^2")
    assert s.method == "regions-2d" and abs(s.value - 1.0) <= 1e-12
    # a Lipschitz-only target: the bound on the open regions is looser, but it holds
    assert 1.0 <= s.details["essential_sup_high"] <= 1.01
    assert not s.certified  # 2-D region boundaries (where a step may jump) are not enumerated


def test_random_two_dimensional_mixed_regions_agree_with_forward_pass():
    net = random_network(np.random.default_rng(8), input_dim=2, output_dim=2, width=5, depth=6, activation=FIVE)
    reg = linear_regions_2d(net, "[-1,1]^2")
    assert reg.n_regions > 20 and reg.verify() <= tol("pieces_vs_forward")
    assert abs(float(reg.areas.sum()) - 4.0) <= 1e-12


def test_interval_propagation_and_lipschitz_bound_per_neuron():
    box = parse_domain("[0,1]")
    # the step neuron's input x + 1 stays positive: it cannot jump (slope 0), so the bound is
    # ||diag(1, 0) W_1||_2 ||W_2||_2 = 2 sqrt(2)
    safe = FeedForward.from_layers([([[2.0], [1.0]], [0.0, 1.0], "[relu, step]"), ([[1.0, 1.0]], [0.0])])
    assert network_lipschitz_bound(safe, box)[0] == pytest.approx(2 * sqrt(2))
    # a step neuron that may jump makes the bound infinite, and the reason names the step neuron
    jumping = FeedForward.from_layers([([[2.0], [1.0]], [0.0, -0.5], "[relu, step]"), ([[1.0, 1.0]], [0.0])])
    value, _, reasons = network_lipschitz_bound(jumping, box)
    assert value == float("inf") and "a step unit may jump" in reasons[0]
    # interval ranges: relu clips its own neuron only, the identity neuron keeps its negative range
    net = FeedForward.from_layers([([[1.0], [1.0]], [-2.0, -2.0], "[relu, identity]"), ([[1.0, 1.0]], [0.0])])
    layers = list(interval_ranges(net, box))
    _, l2, u2, _ = layers[1]
    assert l2[0] == pytest.approx(-2.0) and u2[0] == pytest.approx(-1.0)  # relu range [0, 0] + identity [-2, -1]


@pytest.mark.parametrize("expr, eps", [("sin(2*pi*x1)", 0.1), ("circle", 0.2), ("helix", 0.3)])
def test_relu_step_uniform_witnesses_of_one_input_are_certified(expr, eps):
    from constructions import build
    from uat.targets import make_target

    c = build("relu-step-uniform", expr, eps=eps, input_dim=1, progress="quiet")
    net = c.network
    assert {str(a) for a in net.hidden_activations} == {"relu", "step"}
    r = sup_error(net, expr)
    assert r.method == "exact-1d" and r.certified and r.high < eps
    f = make_target(expr)
    box = r.details["domain"]
    lo, hi = parse_domain(box).lo_array[0], parse_domain(box).hi_array[0]
    x = np.union1d(np.linspace(lo, hi, 20_001), np.asarray(linear_pieces_1d(net, lo, hi).breakpoints))[:, None]
    sampled = float(np.max(np.linalg.norm(net.evaluate(x) - f(x), axis=1)))
    assert sampled <= r.high * (1 + tol("certified_interval_slack"))
    assert r.value >= sampled * (1 - 1e-9)  # the attained maximum is at least every sample


def test_relu_step_uniform_witness_of_two_inputs_on_the_regions_route():
    from constructions import build

    c = build("relu-step-uniform", "sin(2*x1 + x2)", eps=0.3, input_dim=2, progress="quiet")
    r = sup_error(c.network, "sin(2*x1 + x2)")
    assert r.method == "regions-2d" and r.value < 0.3
    assert r.details["essential_sup_high"] is not None and r.details["essential_sup_high"] < 0.3
    grid = sup_error(c.network, "sin(2*x1 + x2)", method="grid")
    assert grid.value <= r.details["essential_sup_high"] * (1 + 1e-9)


def test_mixed_pieces_with_fractions_keep_fractions():
    net = five_network()
    pcs = linear_pieces_1d(net, Fraction(-1), Fraction(2), exact=True)
    assert all(isinstance(v, Fraction) for v in np.asarray(pcs.values).ravel())
    assert parse_activation(FIVE).size == 5
