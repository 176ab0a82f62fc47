"""Exact 1-D pieces and 2-D regions: counts, agreement with the forward pass, budgets."""

from __future__ import annotations

from math import comb

import numpy as np
import pytest

from uat import FeedForward
from uat.errors import BudgetExceeded, DimensionMismatch, MethodError
from uat.testing import random_network, tent_network
from uat.tolerances import tol
from verification import linear_pieces_1d, linear_regions_2d

from _verify_support import lines_network, tent_2d


@pytest.mark.parametrize("layers", [1, 2, 5, 10, 16])
def test_tent_has_exactly_two_to_the_L_pieces(layers):
    pcs = linear_pieces_1d(tent_network(layers), 0, 1)
    assert pcs.n_pieces == 2**layers
    assert pcs.affine_pieces() == 2**layers
    # the exact Lipschitz constant from the pieces is 2^L
    assert pcs.lipschitz() == 2.0**layers
    np.testing.assert_array_equal(pcs.breakpoints, np.linspace(0, 1, 2**layers + 1))


@pytest.mark.parametrize("depth", [1, 2, 10, 100, 2000])
def test_pieces_agree_with_forward_pass_at_ten_thousand_points(depth):
    rng = np.random.default_rng(depth)
    net = random_network(rng, input_dim=1, output_dim=2, width=10, depth=depth, orthogonal=True)
    pcs = linear_pieces_1d(net, -1, 1)
    x = np.linspace(-1, 1, 10_000)
    assert pcs.verify(x) <= tol("pieces_vs_forward")
    assert pcs.verify() <= tol("pieces_vs_forward")


@pytest.mark.slow
def test_pieces_agree_with_forward_pass_at_depth_ten_thousand():
    rng = np.random.default_rng(7)
    net = random_network(rng, input_dim=1, output_dim=1, width=10, depth=10_000, orthogonal=True)
    pcs = linear_pieces_1d(net, -1, 1)
    assert pcs.verify(np.linspace(-1, 1, 10_000)) <= tol("pieces_vs_forward")


@pytest.mark.parametrize("act", ["relu", "leaky_relu(1/10)", "leaky_relu(-1/2)"])
def test_pieces_of_random_leaky_and_relu_networks(act):
    rng = np.random.default_rng(3)
    net = random_network(rng, input_dim=1, output_dim=1, width=6, depth=8, activation=act)
    pcs = linear_pieces_1d(net, -2, 3)
    assert pcs.verify(np.linspace(-2, 3, 5001)) <= tol("pieces_vs_forward")


def test_exact_pieces_match_float_pieces_on_an_exact_network():
    rng = np.random.default_rng(11)
    net = random_network(rng, input_dim=1, output_dim=1, width=4, depth=5, exact=True)
    exact = linear_pieces_1d(net, -1, 1, exact=True)
    flt = linear_pieces_1d(net, -1, 1)
    assert exact.n_pieces == flt.n_pieces
    np.testing.assert_allclose(np.array(exact.breakpoints, dtype=float), flt.breakpoints, rtol=0, atol=1e-14)
    # exact breakpoints are exact zeros of some unit: the exact network is affine between them
    mids = [(exact.breakpoints[i] + exact.breakpoints[i + 1]) / 2 for i in range(exact.n_pieces)]
    vals = net.evaluate_exact([[m] for m in mids])
    interp = [(exact.left[i, 0] + exact.right[i, 0]) / 2 for i in range(exact.n_pieces)]
    assert all(v[0] == w for v, w in zip(vals, interp))


def test_step_network_pieces_are_one_sided_limits():
    # N(x) = step(x - 1/3): jumps from 0 to 1 at 1/3
    net = FeedForward.from_layers([([[1], [1]], ["-1/3", 0], "step"), ([[1, 0]], [0])])
    pcs = linear_pieces_1d(net, 0, 1)
    assert not pcs.continuous
    assert pcs.n_pieces == 2
    assert pcs.left[:, 0].tolist() == [0.0, 1.0] and pcs.right[:, 0].tolist() == [0.0, 1.0]
    assert pcs.lipschitz() == float("inf")


def test_piece_budget_is_enforced():
    with pytest.raises(BudgetExceeded, match=r"pieces after layer \d+ .*max_pieces=100"):
        linear_pieces_1d(tent_network(10), 0, 1, max_pieces=100)


def test_pieces_refuse_smooth_activations_and_wrong_dimension():
    smooth = FeedForward.from_layers([([[1.0]], [0.0], "tanh"), ([[1.0]], [0.0])])
    with pytest.raises(MethodError, match="use method='grid'"):
        linear_pieces_1d(smooth, 0, 1)
    with pytest.raises(DimensionMismatch, match="one input"):
        linear_pieces_1d(tent_2d(1), 0, 1)
    with pytest.raises(DimensionMismatch, match="a < b"):
        linear_pieces_1d(tent_network(1), 1, 0)


# -- 2-D regions -------------------------------------------------------------------------


@pytest.mark.parametrize("n_lines", [1, 2, 3, 6, 10, 25])
def test_zaslavsky_count_for_lines_in_general_position(n_lines):
    """D lines in general position, all crossings inside the box: 1 + D + C(D, 2) regions."""
    net, half = lines_network(np.random.default_rng(100 + n_lines), n_lines)
    reg = linear_regions_2d(net, [(-half, half), (-half, half)])
    assert reg.n_regions == 1 + n_lines + comb(n_lines, 2)
    assert reg.verify() <= tol("pieces_vs_forward")
    assert abs(reg.areas.sum() - (2 * half) ** 2) <= tol("verify_closed_form") * (2 * half) ** 2


@pytest.mark.parametrize("layers", [1, 3, 6])
def test_tent_2d_has_four_to_the_L_regions(layers):
    reg = linear_regions_2d(tent_2d(layers), "[0,1]^2", max_regions=10**5)
    assert reg.n_regions == 4**layers
    np.testing.assert_allclose(reg.areas, 1.0 / 4**layers, rtol=tol("verify_closed_form"))
    assert reg.verify() <= tol("pieces_vs_forward")
    assert reg.lipschitz() == pytest.approx(np.sqrt(2) * 2**layers, rel=tol("verify_closed_form"))


def test_regions_of_random_deep_network_agree_with_forward_pass():
    rng = np.random.default_rng(5)
    net = random_network(rng, input_dim=2, output_dim=3, width=8, depth=30, activation="leaky_relu(1/5)")
    reg = linear_regions_2d(net, "[-1,1]x[0,2]")
    assert reg.n_regions > 50
    assert reg.verify() <= tol("pieces_vs_forward")
    A, c = reg.affine_maps()
    pts = reg.vertex_means
    np.testing.assert_allclose(np.einsum("nij,nj->ni", A, pts) + c, net.evaluate(pts), rtol=0, atol=1e-9)


def test_region_budget_is_enforced_with_the_count_so_far():
    with pytest.raises(BudgetExceeded, match=r"(?s)\d+ regions after layer .*max_regions=1000.*method='grid'"):
        linear_regions_2d(tent_2d(6), "[0,1]^2", max_regions=1000)


def test_regions_refuse_wrong_dimension():
    with pytest.raises(DimensionMismatch, match="2 inputs"):
        linear_regions_2d(tent_network(2), "[0,1]^2")


@pytest.mark.parametrize("n_lines", [2, 5, 8])
def test_concurrent_lines_give_two_regions_per_line(n_lines):
    """A degenerate arrangement: every line through the origin (a vertex shared by all cuts)."""
    ang = np.pi * np.arange(n_lines) / n_lines + 0.1
    W = np.c_[np.cos(ang), np.sin(ang)]
    net = FeedForward.from_layers([(W, np.zeros(n_lines), "relu"), (np.ones((1, n_lines)), np.zeros(1))])
    reg = linear_regions_2d(net, "[-1,1]^2")
    assert reg.n_regions == 2 * n_lines and reg.areas.min() > 0
    assert reg.verify() <= tol("pieces_vs_forward")
