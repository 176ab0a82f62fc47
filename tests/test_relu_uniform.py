"""``relu-uniform-1d`` and the lower-bound demonstration on the alpha-curve (relu.md §6.1, §8, §11 item 10)."""

from __future__ import annotations

import numpy as np
import pytest

import constructions
import uat
import verification
from constructions.relu_alpha_curve import FLOOR, TARGET, width2_witness, width3_witness
from uat.errors import ParameterError
from uat.tolerances import tol


def _slope(ks, errs) -> float:
    return float(np.polyfit(np.asarray(ks, float), np.log2(np.asarray(errs, float)), 1)[0])


@pytest.mark.parametrize("target, dy, theorem", [
    ("sin(2*pi*x1)", 1, "hanin2017-relu-uniform"), ("circle", 2, "park2021-relu-uniform-12"),
    ("helix", 3, "hanin2017-relu-uniform"),
])
def test_uniform_witness_meets_eps_at_width_1_plus_dy(target: str, dy: int, theorem: str) -> None:
    c = constructions.build("relu-uniform-1d", target, eps=0.05, progress="quiet")
    assert c.network.width == 1 + dy and c.theorem == theorem
    r = verification.sup_error(c.network, target)
    assert r.certified and r.high < 0.05, r.describe()
    assert r.high <= c.predicted_error * (1 + 1e-9) + 1e-12, "the a-priori bound must hold"


@pytest.mark.parametrize("dy", [1, 2])
def test_width_is_the_catalogue_minimum_for_dy_at_most_2(dy: int) -> None:
    a = uat.min_width(arch="fnn", activation="relu", norm="uniform", d_x=1, d_y=dy, domain="compact")
    assert a.kind == "exact" and a.width == 1 + dy


def test_uniform_rate_is_minus_one_per_bit() -> None:
    ks = [4, 5, 6, 7]
    errs = [verification.sup_error(constructions.build("relu-uniform-1d", "circle", eps=1, bits=k,
                                                       progress="quiet").network, "circle").value for k in ks]
    s = _slope(ks, errs)
    assert abs(s + 1) <= tol("rate_slope_fraction"), (s, errs)


def test_discontinuous_target_is_refused() -> None:
    with pytest.raises(ParameterError, match="discontinuous"):
        constructions.build("relu-uniform-1d", "Heaviside(x1 - 1/2)", eps=0.1)
    with pytest.raises(ParameterError, match="d_x = 1"):
        constructions.build("relu-uniform-1d", "x1*x2", eps=0.1)


def test_alpha_curve_width_two_floor_while_l1_falls() -> None:
    """Every width-2 net has sup error >= 1/2 on the alpha-curve; the width-2 L^p witness obeys it
    (certified, exact pieces) while its L^1 error falls at the rate -1 per bit."""
    ks = [4, 6, 8]
    l1 = []
    for k in ks:
        c = width2_witness(k)
        assert c.network.width == 2
        s = verification.sup_error(c.network, TARGET)
        assert s.certified and s.low >= float(FLOOR), s.describe()
        l1.append(verification.lp_error(c.network, TARGET, p=1, method="qmc", m=13, replicates=4).value)
    assert l1[0] > l1[1] > l1[2]
    assert abs(_slope(ks, l1) + 1) <= tol("rate_slope_fraction"), l1


def test_alpha_curve_width_three_converges_uniformly() -> None:
    ks = [4, 6, 8]
    sups = []
    for k in ks:
        c = width3_witness(k)
        assert c.network.width == 3
        sups.append(verification.sup_error(c.network, TARGET).high)
    assert sups[-1] < 0.05
    assert abs(_slope(ks, sups) + 1) <= tol("rate_slope_fraction"), sups


@pytest.mark.parametrize("target, dx, eps", [("sin(2*pi*x1)", 1, 0.1), ("sin(2*x1 + x2)", 2, 0.3),
                                             ("circle", 1, 0.2), ("[x1*x2, x1 - x2]", 2, 0.3)])
def test_relu_step_witness_is_uniform_everywhere(target: str, dx: int, eps: float) -> None:
    """ReLU+STEP at width max(d_x+1, d_y): the witness equals its cell value at every point of the box,
    cell boundaries included, so the sup error (dense grid through every boundary) is below the bound."""
    from uat.targets import make_target

    c = constructions.build("relu-step-uniform", target, eps=eps, input_dim=dx, progress="quiet")
    t = make_target(target, input_dim=dx)
    assert c.network.width == max(dx + 1, t.output_dim)
    assert {str(a) for a in c.network.hidden_activations} == {"relu", "step"}
    N = c.parameters["cells_per_axis"]
    g = np.linspace(0, 1, 8 * N + 1)  # every cell boundary and 7 points inside each cell
    x = np.stack(np.meshgrid(*[g] * dx), -1).reshape(-1, dx)
    x = np.vstack([x, np.random.default_rng(0).random((20000, dx))])
    err = np.linalg.norm(c.network(x) - t(x), axis=1).max()
    assert err <= c.predicted_error * (1 + 1e-9) and c.predicted_error <= eps
    r = verification.sup_error(c.network, target, method="grid")
    assert r.value < eps


def test_relu_step_width_is_the_catalogue_minimum() -> None:
    a = uat.min_width(arch="fnn", activation="relu+step", norm="uniform", d_x=1, d_y=2, domain="compact")
    assert a.kind == "exact" and a.width == 2
