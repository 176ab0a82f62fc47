"""Derivative bounds behind the certificates: network Lipschitz bounds and interval ranges are valid."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

from uat import FeedForward
from uat.domains import parse_domain
from uat.testing import random_network, tent_network
from verification import linear_pieces_1d, linear_regions_2d
from verification._bounds import interval_ranges, network_lipschitz_bound, target_bounds

from _verify_support import KnownTarget


def test_interval_propagation_encloses_the_tent_range():
    box = parse_domain("[0,1]")
    *_, (W, lo, hi, act) = list(interval_ranges(tent_network(6), box))
    assert lo[0] <= 0.0 and hi[0] >= 1.0  # the true range [0, 1] is inside (loosely: IBP is pessimistic)


@pytest.mark.parametrize("layers", [1, 3, 6])
def test_network_lipschitz_bound_is_at_least_the_exact_constant_of_the_tent(layers):
    bound, method, assumptions = network_lipschitz_bound(tent_network(layers), parse_domain("[0,1]"))
    assert bound >= 2.0**layers and method == "ibp-spectral" and assumptions


@pytest.mark.parametrize("act", ["relu", "leaky_relu(1/4)", "leaky_relu(-1/2)"])
@pytest.mark.parametrize("seed", range(4))
def test_network_lipschitz_bound_dominates_the_exact_slopes(act, seed):
    rng = np.random.default_rng(seed)
    net1 = random_network(rng, input_dim=1, output_dim=2, width=5, depth=6, activation=act)
    box1 = parse_domain("[-1,1]")
    assert network_lipschitz_bound(net1, box1)[0] >= linear_pieces_1d(net1, -1, 1).lipschitz() * (1 - 1e-12)
    net2 = random_network(rng, input_dim=2, output_dim=1, width=5, depth=4, activation=act)
    box2 = parse_domain("[-1,1]^2")
    assert network_lipschitz_bound(net2, box2)[0] >= linear_regions_2d(net2, box2).lipschitz() * (1 - 1e-12)


@pytest.mark.parametrize("act", ["tanh", "sigmoid", "softplus", "gelu", "power(2)", "exp"])
def test_smooth_activation_bounds_dominate_sampled_slopes(act):
    rng = np.random.default_rng(1)
    net = random_network(rng, input_dim=1, output_dim=1, width=4, depth=3, activation=act)
    bound = network_lipschitz_bound(net, parse_domain("[-1,1]"))[0]
    x = np.linspace(-1, 1, 200_001)
    y = net(x)[:, 0]
    assert np.max(np.abs(np.diff(y) / np.diff(x))) <= bound


def test_a_step_that_may_jump_makes_the_bound_infinite_and_one_that_cannot_gives_zero():
    jumping = FeedForward.from_layers([([[1.0]], [-0.5], "step"), ([[1.0]], [0.0])])
    assert network_lipschitz_bound(jumping, parse_domain("[0,1]"))[0] == float("inf")
    constant = FeedForward.from_layers([([[1.0]], [2.0], "step"), ([[1.0]], [0.0])])
    assert network_lipschitz_bound(constant, parse_domain("[0,1]"))[0] == 0.0


def test_target_bounds_use_local_bounds_and_the_declared_constant():
    t = KnownTarget("t", 1, 1, lambda x: x, hess=0.0, lip=1.0)
    vals, method, ass = target_bounds(t, np.zeros((3, 1)), np.ones((3, 1)), "hessian")
    assert vals.tolist() == [0.0, 0.0, 0.0] and "known" in method and ass
    vals, *_ = target_bounds(t, np.zeros((2, 1)), np.ones((2, 1)), "value")
    assert np.isinf(vals).all()


@pytest.mark.parametrize("seed", range(5))
def test_region_and_piece_counts_never_exceed_the_arrangement_bounds(seed):
    rng = np.random.default_rng(seed)
    D = int(rng.integers(1, 12))
    one = random_network(rng, input_dim=1, output_dim=1, width=D, depth=2)
    assert linear_pieces_1d(one, -3, 3).n_pieces <= D + 1
    two = random_network(rng, input_dim=2, output_dim=1, width=D, depth=2)
    assert linear_regions_2d(two, "[-3,3]^2").n_regions <= 1 + D + comb(D, 2)
