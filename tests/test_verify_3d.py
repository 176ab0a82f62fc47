"""Exact linear regions of three-input networks and the certified sup error built on them."""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
import pytest

from uat import FeedForward
from uat.cli import main
from uat.errors import BudgetExceeded, DimensionMismatch, MethodError
from uat.testing import random_network, tent_network
from uat.tolerances import tol
from verification import sup_error
from verification._sup3d import enclosing_ball_radius, red_refine
from verification._validate import forward
from verification.regions3d import linear_regions_3d, tetrahedron_volumes

from _verify_support import KnownTarget

try:
    import hypothesis as hyp
    import hypothesis.strategies as st
except ImportError:  # pragma: no cover
    hyp = None


def planes_network(W, b) -> FeedForward:
    """One hidden relu layer whose units are the planes W x + b = 0, summed."""
    W = np.asarray(W, dtype=float)
    return FeedForward.from_layers([(W, np.asarray(b, dtype=float), "relu"), (np.ones((1, len(W))), np.zeros(1))])


def general_planes(rng, n):
    """n random planes and a box holding every triple point (so every region of the arrangement meets it)."""
    W = rng.standard_normal((n, 3))
    W /= np.linalg.norm(W, axis=1, keepdims=True)
    b = rng.uniform(-0.5, 0.5, n)
    corners = [np.linalg.solve(W[list(t)], -b[list(t)]) for t in itertools.combinations(range(n), 3)]
    half = 1.25 * max([1.0] + [float(np.abs(c).max()) for c in corners])
    return planes_network(W, b), half


def tent_3d(layers: int) -> FeedForward:
    """T^L(x1) + T^L(x2) + T^L(x3) with the tent map T: 8^L cubes of side 2^-L."""
    first = (np.kron(np.eye(3), [[2], [4]]), np.tile([0, -2], 3), "relu")
    mid = (np.kron(np.eye(3), [[2, -2], [4, -4]]), np.tile([0, -2], 3), "relu")
    return FeedForward.from_layers([first] + [mid] * (layers - 1) + [(np.tile([[1, -1]], 3), [0], "identity")])


def quadratic_interpolant(n: int, outputs: int = 1) -> FeedForward:
    """Sum over axes of the piecewise-linear interpolant of x_i^2 at knots k/n (and of x_1^2 alone)."""
    knots = np.arange(n) / n
    W1 = np.kron(np.eye(3), np.ones((n, 1)))
    b1 = -np.tile(knots, 3)
    slope = np.r_[1.0 / n, np.full(n - 1, 2.0 / n)]  # (2k+1)/n on [k/n, (k+1)/n]
    rows = [np.tile(slope, 3), np.r_[slope, np.zeros(2 * n)]][:outputs]
    return FeedForward.from_layers([(W1, b1, "relu"), (np.array(rows), np.zeros(outputs))])


def squares(outputs: int = 1) -> KnownTarget:
    """f = |x|^2 (and x_1^2): Hessians 2I and 2 e1 e1^T, both of norm 2."""
    fn = (lambda x: (x**2).sum(1, keepdims=True)) if outputs == 1 else (lambda x: np.c_[(x**2).sum(1), x[:, 0] ** 2])
    return KnownTarget("|x|^2", 3, outputs, fn, continuous=True, hess=2.0, lip=2 * np.sqrt(3))


# -- regions -------------------------------------------------------------------------------


@pytest.mark.parametrize("n_planes", [1, 2, 3, 4, 7, 12, 20])
def test_zaslavsky_count_for_planes_in_general_position(n_planes):
    """D planes in general position, every triple point inside the box: 1 + D + C(D,2) + C(D,3) regions."""
    net, half = general_planes(np.random.default_rng(300 + n_planes), n_planes)
    reg = linear_regions_3d(net, [(-half, half)] * 3)
    assert reg.n_regions == 1 + n_planes + comb(n_planes, 2) + comb(n_planes, 3)
    assert reg.verify() <= tol("pieces_vs_forward")
    assert reg.volume_defect() <= tol("verify_closed_form")


@pytest.mark.parametrize("layers", [1, 2, 3])
def test_tent_3d_has_eight_to_the_L_cubes(layers):
    reg = linear_regions_3d(tent_3d(layers), "[0,1]^3")
    assert reg.n_regions == 8**layers
    np.testing.assert_allclose(reg.volumes, 8.0**-layers, rtol=tol("verify_closed_form"))
    assert (reg.counts == 8).all()  # every region is a cube: the shared grid vertices leave no slivers
    assert reg.verify() <= tol("pieces_vs_forward")
    assert reg.lipschitz() == pytest.approx(np.sqrt(3) * 2**layers, rel=tol("verify_closed_form"))


@pytest.mark.parametrize("n_planes", [3, 5, 8])
def test_degenerate_arrangements_leave_no_slivers(n_planes):
    """Planes through one point (central arrangement: D(D-1) + 2 regions) and through one line (2D)."""
    rng = np.random.default_rng(n_planes)
    central = linear_regions_3d(planes_network(rng.standard_normal((n_planes, 3)), np.zeros(n_planes)), "[-1,1]^3")
    assert central.n_regions == n_planes * (n_planes - 1) + 2
    ang = np.pi * np.arange(n_planes) / n_planes + 0.1
    pencil = linear_regions_3d(planes_network(np.c_[np.cos(ang), np.sin(ang), np.zeros(n_planes)],
                                              np.zeros(n_planes)), "[-1,1]^3")
    assert pencil.n_regions == 2 * n_planes
    for reg in (central, pencil):
        assert reg.volumes.min() > 1e-6 and reg.verify() <= tol("pieces_vs_forward")


def test_planes_through_box_vertices_and_faces():
    for W, b, n in [([[1, 1, 1]], [-1], 2), ([[1, 1, 1]], [0], 1), ([[1, 0, 0]], [-1], 1), ([[1, -1, 0]], [0], 2)]:
        reg = linear_regions_3d(planes_network(W, b), "[0,1]^3")
        assert reg.n_regions == n and reg.volumes.sum() == pytest.approx(1.0, rel=tol("verify_closed_form"))


@pytest.mark.parametrize("act", ["relu", "leaky_relu(1/5)"])
def test_affine_maps_of_random_deep_networks_agree_with_the_forward_pass(act):
    rng = np.random.default_rng(7)
    net = random_network(rng, input_dim=3, output_dim=2, width=6, depth=12, activation=act)
    reg = linear_regions_3d(net, "[-1,1]x[0,2]x[-1,0]")
    assert reg.n_regions > 100
    assert reg.verify() <= tol("pieces_vs_forward")
    assert reg.volumes.sum() == pytest.approx(4.0, rel=tol("verify_closed_form"))
    # random points: find each one's region by its activation pattern-free test (affine map at the nearest
    # vertex mean is not enough), so compare on random convex combinations of each region's vertices
    A, c = reg.affine_maps()
    pid = reg.polytope_index
    w = rng.random(pid.size)
    wsum = np.bincount(pid, weights=w)
    pts = np.stack([np.bincount(pid, weights=w * reg.vertices[:, k]) for k in range(3)], axis=1) / wsum[:, None]
    np.testing.assert_allclose(np.einsum("nij,nj->ni", A, pts) + c, forward(net, pts), rtol=0, atol=1e-9)


def test_per_neuron_activations_are_cut_neuron_by_neuron():
    rng = np.random.default_rng(11)
    W1, W2 = rng.standard_normal((4, 3)), rng.standard_normal((4, 4))
    net = FeedForward.from_layers([(W1, rng.standard_normal(4) * 0.3, "[relu, identity, leaky_relu(1/4), relu]"),
                                   (W2, rng.standard_normal(4) * 0.3, "[identity, relu, relu, leaky_relu(1/2)]"),
                                   (np.ones((1, 4)), [0])])
    reg = linear_regions_3d(net, "[-1,1]^3")
    assert reg.verify() <= tol("pieces_vs_forward") and reg.continuous
    only_identity = FeedForward.from_layers([(W1, np.zeros(4), "[identity, identity, identity, identity]"),
                                             (np.ones((1, 4)), [0])])
    assert linear_regions_3d(only_identity, "[-1,1]^3").n_regions == 1


def test_step_units_give_one_sided_limits_and_no_closed_sup_certificate():
    net = FeedForward.from_layers([([[1, 1, 1]], [-1.5], "step"), ([[1]], [0])])
    reg = linear_regions_3d(net, "[0,1]^3")
    assert reg.n_regions == 2 and not reg.continuous
    assert sorted(np.unique(reg.values).tolist()) == [0.0, 1.0]
    r = sup_error(net, KnownTarget("0", 3, 1, lambda x: 0 * x[:, :1], continuous=True, hess=0.0, lip=0.0))
    assert r.method == "regions-3d" and not r.certified and r.details["essential_sup_high"] == 1.0


def test_region_budget_is_enforced_with_the_count_so_far():
    with pytest.raises(BudgetExceeded, match=r"(?s)in layer \d+ of 4 gives \d+ regions, above max_regions=100.*method='grid'"):
        linear_regions_3d(tent_3d(3), "[0,1]^3", max_regions=100)


def test_regions_refuse_wrong_dimension_and_smooth_activations():
    with pytest.raises(DimensionMismatch, match="3 inputs"):
        linear_regions_3d(tent_network(2), "[0,1]^3")
    smooth = FeedForward.from_layers([(np.eye(3), np.zeros(3), "tanh"), (np.ones((1, 3)), [0])])
    with pytest.raises(MethodError, match="piecewise-linear"):
        linear_regions_3d(smooth, "[0,1]^3")
    with pytest.raises(MethodError, match="regions-3d"):
        sup_error(tent_network(2), "x1", method="regions-3d")


# -- tetrahedra ----------------------------------------------------------------------------


def test_tetrahedra_tile_every_region():
    net = random_network(np.random.default_rng(3), input_dim=3, output_dim=1, width=5, depth=4)
    reg = linear_regions_3d(net, "[0,1]^3")
    idx, owner = reg.tetrahedra()
    assert np.array_equal(np.unique(owner), np.arange(reg.n_regions))
    assert reg.volumes.sum() == pytest.approx(1.0, rel=tol("verify_closed_form"))
    np.testing.assert_array_equal(reg.polytope_index[idx], np.repeat(owner[:, None], 4, axis=1))


def test_red_refinement_and_enclosing_balls():
    T = np.random.default_rng(1).standard_normal((50, 4, 3))
    kids, = red_refine(T)
    np.testing.assert_allclose(tetrahedron_volumes(kids).reshape(-1, 8), np.repeat(tetrahedron_volumes(T)[:, None] / 8, 8, axis=1),
                               rtol=tol("verify_closed_form"))
    R = enclosing_ball_radius(T)
    # no vertex lies outside, and no candidate centre on a fine random search does better
    probes = T.mean(axis=1)[:, None, :] + 0.5 * np.random.default_rng(2).standard_normal((50, 4000, 3)) * R[:, None, None]
    best = np.min(np.max(np.linalg.norm(T[:, None, :, :] - probes[:, :, None, :], axis=3), axis=2), axis=1)
    assert (R <= best * (1 + tol("verify_closed_form"))).all()
    regular = np.array([[[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]], dtype=float)
    assert enclosing_ball_radius(regular)[0] == pytest.approx(np.sqrt(3), rel=tol("verify_closed_form"))


# -- certified sup -------------------------------------------------------------------------


@pytest.mark.parametrize("n", [2, 5])
def test_certified_sup_contains_the_interpolation_error_of_a_quadratic(n):
    """|f - N| for the separable interpolant of |x|^2 peaks at the cell centres with 3 h^2 / 4."""
    r = sup_error(quadratic_interpolant(n), squares(), "[0,1]^3", rtol=1e-6)
    exact = 3 / (4 * n**2)
    assert r.method == "regions-3d" and r.certified and r.details["regions"] == n**3
    assert r.low <= exact * (1 + tol("certified_interval_slack")) and exact <= r.high
    assert r.high - r.low <= 2e-6 * exact


def test_certified_sup_of_two_outputs():
    n = 3
    r = sup_error(quadratic_interpolant(n, outputs=2), squares(outputs=2), "[0,1]^3", rtol=1e-6)
    exact = np.sqrt(10) / (4 * n**2)  # both components peak at the same cell centres
    assert r.certified and r.low <= exact * (1 + tol("certified_interval_slack")) <= r.high * (1 + 1e-12)
    assert r.high <= exact * (1 + 2e-6)


def test_auto_route_falls_back_to_the_grid_beyond_the_region_budget():
    net = tent_3d(2)
    r = sup_error(net, squares(), "[0,1]^3", max_regions=10, max_evals=20_000)
    assert r.method == "grid-lipschitz" and r.details["fallback_from"] == "regions-3d"
    assert "exact regions abandoned" in r.details["notes"][-1]
    with pytest.raises(BudgetExceeded):
        sup_error(net, squares(), "[0,1]^3", method="regions-3d", max_regions=10)


def test_the_exact_route_beats_the_grid_route_on_a_deep_network():
    """Same network, same target: the exact regions give a tight certificate, the grid a loose one."""
    net = tent_3d(4)
    exact = sup_error(net, squares(), "[0,1]^3", rtol=1e-4)
    grid = sup_error(net, squares(), "[0,1]^3", method="grid", max_evals=50_000)
    assert exact.certified and exact.high <= exact.low * (1 + 2e-4)
    assert grid.high > 10 * exact.high and grid.low <= exact.high


def test_cli_verify_uses_the_3d_regions(tmp_path, capsys):
    pytest.importorskip("uat.expressions")
    import uat

    path = tmp_path / "q.json"
    uat.save(quadratic_interpolant(2).with_metadata(target="x1**2 + x2**2 + x3**2", domain="[0,1]^3", epsilon=0.5),
             path)
    assert main(["verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert "regions-3d" in out and "certified" in out and "PASS" in out


if hyp is not None:

    @hyp.settings(max_examples=20, deadline=None)
    @hyp.given(st.integers(0, 10_000), st.sampled_from(["relu", "leaky_relu(1/4)"]), st.integers(2, 5),
               st.floats(0.5, 4.0))
    def test_certified_bound_is_never_below_the_sampled_maximum(seed, act, depth, freq):
        pytest.importorskip("uat.expressions")
        rng = np.random.default_rng(seed)
        net = random_network(rng, input_dim=3, output_dim=1, width=4, depth=depth, activation=act)
        target = f"sin({freq:.3f}*x1)*x2 + x3**2/2"
        r = sup_error(net, target, "[-1,1]^3", rtol=1e-3)
        assert r.method == "regions-3d" and r.certified and r.low <= r.high
        x = rng.uniform(-1, 1, (4000, 3))
        from uat.targets import make_target

        sampled = np.abs(make_target(target, input_dim=3)(x) - net.evaluate(x)).max()
        assert sampled <= r.high * (1 + tol("bound_vs_sample")) + tol("bound_vs_sample")


# -- L^p -----------------------------------------------------------------------------------


@pytest.mark.parametrize("p, exact", [(1, 1 / 8), (2, np.sqrt(4 / 15) / 4)])
def test_lp_over_the_regions_contains_the_closed_form(p, exact):
    """||sum_i (x_i^2 - I x_i^2)||_p on [0,1]^3 with h = 1/2: h^2/2 (p = 1), sqrt(4/15) h^2 (p = 2)."""
    from verification import lp_error

    r = lp_error(quadratic_interpolant(2), squares(), "[0,1]^3", p=p, method="regions-3d", max_tetrahedra=30_000)
    assert r.method == "regions-3d" and r.certified and r.details["regions"] == 8
    assert r.value == pytest.approx(exact, rel=tol("quadrature_relative"))  # degree-5 rule, degree-4 integrand
    assert r.low <= exact <= r.high and r.high - r.low <= 0.1 * exact


def test_lp_regions_3d_refuses_other_dimensions_and_is_not_certified_without_derivatives():
    from verification import lp_error

    with pytest.raises(MethodError, match="regions-3d"):
        lp_error(tent_network(2), "x1", p=1, method="regions-3d")
    r = lp_error(quadratic_interpolant(2), lambda x: (x**2).sum(1, keepdims=True), "[0,1]^3", p=1,
                 method="regions-3d")
    assert not r.certified and r.high == np.inf and r.value == pytest.approx(1 / 8, rel=tol("quadrature_relative"))
