"""Structural checks of ``relu-lp-compact`` (relu.md §11, issue 4 "Done when")."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import constructions
import uat
import verification
from constructions._relu_build import build_compact
from constructions._relu_cases import DIMS, smooth
from constructions._relu_cells import cell_centres
from constructions._relu_lp import lp_witness
from constructions._relu_state import MARGIN, passthrough_margins
from uat.domains import parse_domain
from uat.errors import ParameterError, PrecisionBudgetExceeded
from uat.tolerances import tol

SLACK = tol("relu_passthrough_slack")


def _witness(target, dx, **kw):
    kw.setdefault("eps", 0.5)
    kw.setdefault("p", 1)
    return lp_witness("relu-lp-compact", "compact", target, domain=None, input_dim=dx, output_dim=None,
                      progress="quiet", overrides={k: v for k, v in kw.items() if k not in ("eps", "p")},
                      eps=kw["eps"], p=kw["p"])


def _ramp_points(plan, box, rng, n=2000):
    """Points with one coordinate inside a ramp zone [ (j+1)/N - delta, (j+1)/N ) (relu.md §7 item 6)."""
    u = rng.random((n, plan.dx))
    axis = rng.integers(0, plan.dx, n)
    j = rng.integers(0, plan.N - 1, n)
    u[np.arange(n), axis] = (j + 1) / plan.N - rng.random(n) * float(plan.delta)
    return box.from_unit(u)


@pytest.mark.parametrize("dx, dy", DIMS)
def test_width_structure_and_margins(dx: int, dy: int, rng) -> None:
    w = _witness(smooth(dx, dy), dx, bits=2, levels=8 if dy > 1 else None)
    net = w.network
    assert net.width == max(dx, dy, 2)
    assert [str(a) for a in net.hidden_activations] == ["relu"]
    assert str(net.layers[-1].activation) == "identity"
    x = np.vstack([w.box.from_unit(rng.random((1500, dx))), _ramp_points(w.plan, w.box, rng, 1500)])
    margins = passthrough_margins(net, w.trace, x)
    assert margins.min() >= MARGIN - SLACK, f"pass-through margin {margins.min()} < {MARGIN}"


def test_exact_at_cell_centres_scalar() -> None:
    """A polynomial target gives an exact network: at every centre it equals f(c_k) exactly, and
    float64 evaluation agrees to the tolerance."""
    w = _witness("x1*x2 + x1**2/3 - x2/7", 2, bits=3)
    assert w.plan.exact and w.network.is_exact
    centres = cell_centres(w.box, w.plan.N, exact=True)
    exact_out = w.network.evaluate_exact(centres[::5])
    for c, y in zip(centres[::5], exact_out):
        assert y[0] == w.target.exact_value(tuple(c))[0]
    fl = w.network.evaluate(cell_centres(w.box, w.plan.N))
    ref = w.target(cell_centres(w.box, w.plan.N))
    scale = max(1.0, float(np.abs(ref).max()))
    assert np.abs(fl - ref).max() <= tol("relu_cell_centre") * scale
    # the verifier's float-vs-exact check at the centres (exact weights against float64 evaluation)
    fe = verification.float_error(w.network, [list(c) for c in centres[::7]])
    assert fe.max_rel <= tol("relu_cell_centre"), fe.describe()


def test_float_witness_agrees_with_its_exact_weights_at_centres() -> None:
    """A float64 witness (sin target, 2^8 cells) against exact evaluation of its own weights."""
    w = _witness("sin(2*pi*x1)*x2", 2, bits=4, exact=False)
    centres = cell_centres(w.box, w.plan.N)
    fe = verification.float_error(w.network, centres[::9])
    assert fe.max_rel <= tol("relu_cell_centre"), fe.describe()


@pytest.mark.parametrize("expr, dx", [("[cos(2*pi*x1), sin(2*pi*x1)]", 1), ("[x1, x2, x1*x2]", 2)])
def test_codes_decode_exactly_at_cell_centres(expr: str, dx: int) -> None:
    w = _witness(expr, dx, bits=3, exact=False)
    plan = w.plan
    x = cell_centres(w.box, plan.N)
    levels = _cell_outputs(plan)
    out = w.network(x)
    assert np.abs(out - levels).max() <= tol("relu_cell_centre") * max(1.0, np.abs(levels).max())


def _cell_outputs(plan) -> np.ndarray:
    """lo_t + step_t * m_t(k) for every cell k (what the witness outputs on the good set)."""
    lo = np.array([[float(v) for v in plan.lo]])
    step = np.array([[float(v) for v in plan.steps]])
    return lo + step * plan.levels.astype(np.float64)


def test_bad_set_measure_and_ramp_errors(rng) -> None:
    """Outside the ramp strips the witness equals its cell value; the strips have measure <= d_x N delta;
    inside them the error is O(1) (the construction is L^p, not uniform)."""
    w = _witness("[cos(2*pi*x1), sin(2*pi*x1)]", 1, bits=4, ramp=Fraction(1, 256))
    plan = w.plan
    x = w.box.from_unit(rng.random((20000, 1)))
    k = np.minimum((x[:, 0] * plan.N).astype(int), plan.N - 1)
    cell_val = _cell_outputs(plan)[k]
    off = np.linalg.norm(w.network(x) - cell_val, axis=1) > 1e-9
    bound = plan.dx * plan.N * float(plan.delta)
    assert off.mean() <= bound + 4 * math.sqrt(bound / x.shape[0])
    assert off.mean() >= 0.25 * bound  # the strips are real
    ramp = _ramp_points(plan, w.box, rng, 4000)
    err = np.linalg.norm(w.network(ramp) - w.target(ramp), axis=1)
    assert err.max() > 0.5, "ramp samples must show the O(1) error of an L^p (non-uniform) witness"


def test_weights_match_the_prediction() -> None:
    c = constructions.build("relu-lp-compact", "sin(2*pi*x1)*x2", eps=0.1, p=1, progress="quiet")
    pred_bias = c.precision["largest_bias_predicted"]
    pred_slope = c.precision["largest_slope_predicted"]
    big = c.network.max_abs_weight()
    assert pred_slope / 4 <= big <= 4 * pred_bias, (big, pred_slope, pred_bias)


def test_metadata_records_theorem_parameters_bound_and_budget() -> None:
    c = constructions.build("relu-lp-compact", "sin(2*pi*x1)*x2", eps=0.1, p=1, progress="quiet")
    md = c.network.metadata
    assert md["theorem"] == "kim2024-relu-lp-compact" and md["construction"] == "relu-lp-compact"
    assert md["parameters"]["bits"] == c.parameters["bits"] and "ramp" in md["parameters"]
    assert 0 < md["predicted_error"] <= 0.1
    assert md["precision_budget"]["bits"] <= md["precision_budget"]["bits_budget"]
    assert md["epsilon"] == 0.1 and md["p"] == 1 and md["domain"] == "[0,1]^2"
    assert set(md["error_terms"]) >= {"grid", "ramps"}
    assert any("interval arithmetic" in a or "ulp" in a for a in md["assumptions"])


def test_precision_budget_refusal_and_exact_escape() -> None:
    for exact in (None, False):  # an automatically exact network is still refused (verifiers use float64)
        with pytest.raises(PrecisionBudgetExceeded, match="45 bits"):
            constructions.build("relu-lp-compact", "x1*x2", input_dim=2, eps=0.3, p=1, ramp=Fraction(1, 2**60),
                                exact=exact, progress="quiet")
    c = constructions.build("relu-lp-compact", "x1*x2", input_dim=2, eps=0.3, p=1, ramp=Fraction(1, 2**60),
                            exact=True, progress="quiet")
    assert c.network.is_exact
    y = c.network.evaluate_exact([["1/8", "3/8"]])[0, 0]
    assert y == c.network.evaluate_exact([["1/8", "3/8"]])[0, 0] and isinstance(y, Fraction)


def test_discontinuous_target_uses_cell_averages() -> None:
    c = constructions.build("relu-lp-compact", "Heaviside(x1 + x2 - 1)", input_dim=2, eps=0.2, p=1,
                            progress="quiet")
    assert c.parameters["cell_values"] == "average"
    assert c.network.metadata["grid_model"] == "sampled-average"
    r = verification.lp_error(c.network, "Heaviside(x1 + x2 - 1)", p=1, method="qmc", m=12, replicates=4)
    assert r.judged_value < 0.2


def test_any_box_domain_is_rescaled() -> None:
    c = constructions.build("relu-lp-compact", "x1*x2 + x1", input_dim=2, eps=0.3, p=2, domain="[-1,1]x[0,2]",
                            progress="quiet")
    assert c.domain == "[-1,1]x[0,2]"
    r = verification.lp_error(c.network, "x1*x2 + x1", domain="[-1,1]x[0,2]", p=2, method="qmc", m=12, replicates=4)
    assert r.judged_value < 0.3


@pytest.mark.parametrize("kw, match", [
    ({"eps": -1}, "positive"), ({"eps": 0.1, "p": 0.5}, "1 <= p"), ({"eps": 0.1, "bitz": 3}, "valid: bits"),
    ({"eps": 0.1, "bits": 0}, "bits must be"), ({"eps": 0.1, "cell_values": "median"}, "cell_values"),
    ({"eps": 0.1, "progress": "loud"}, "progress"), ({"eps": 0.1, "exact": "maybe"}, "exact"),
])
def test_bad_input_gives_clear_errors(kw, match) -> None:
    kw = {"p": 1, **kw}
    with pytest.raises(ParameterError, match=match):
        constructions.build("relu-lp-compact", "x1*x2", input_dim=2, **kw)


def test_missing_target_or_eps() -> None:
    with pytest.raises(ParameterError, match="target"):
        constructions.build("relu-lp-compact", eps=0.1)
    with pytest.raises(ParameterError, match="eps"):
        constructions.build("relu-lp-compact", "x1")


def test_deterministic_bytes() -> None:
    a = constructions.build("relu-lp-compact", "[x1, x1**2]", eps=0.3, p=1, progress="quiet")
    b = constructions.build("relu-lp-compact", "[x1, x1**2]", eps=0.3, p=1, progress="quiet")
    assert uat.dumps(a.network) == uat.dumps(b.network)


def _slope(ks, errs) -> float:
    return float(np.polyfit(np.asarray(ks, float), np.log2(np.asarray(errs, float)), 1)[0])


def test_convergence_rate_scalar() -> None:
    """L^1 error vs bits K for a Lipschitz target halves per bit (slope -1 in log2), within 25%."""
    target = "sin(2*x1 + x2)"
    ks = [2, 3, 4, 5]
    errs = []
    for K in ks:
        c = constructions.build("relu-lp-compact", target, input_dim=2, eps=1.0, p=1, bits=K,
                                ramp=Fraction(1, 2 ** (K + 12)), progress="quiet")
        errs.append(verification.lp_error(c.network, target, p=1, method="qmc", m=13, replicates=4).value)
    s = _slope(ks, errs)
    assert abs(s - (-1)) <= tol("rate_slope_fraction"), f"slope {s:.3f}, errors {errs}"


def test_convergence_rate_codes() -> None:
    """(1,2) circle with M = 2N levels: the L^1 error also falls at slope -1 per bit."""
    ks = [3, 4, 5, 6]
    errs = []
    for K in ks:
        c = constructions.build("relu-lp-compact", "circle", eps=1.0, p=1, bits=K, levels=2 ** (K + 1),
                                ramp=Fraction(1, 2 ** (K + 12)), progress="quiet")
        errs.append(verification.lp_error(c.network, "circle", p=1, method="qmc", m=13, replicates=4).value)
    s = _slope(ks, errs)
    assert abs(s - (-1)) <= tol("rate_slope_fraction"), f"slope {s:.3f}, errors {errs}"


def test_build_compact_is_exactly_recipe_a_depth() -> None:
    """Depth = sum_i 2(N^i - 1) + 2 #{j: w_j != w_{j+1}} + 2(M-1)(d_y-1)[d_y >= 2] + 1 (relu.md §3.6)."""
    w = _witness("[x1, x2]", 2, bits=3, levels=8)
    plan = w.plan
    mem = [int(v) for v in plan.memory]
    changes = sum(1 for a, b in zip(mem, mem[1:]) if a != b)
    expected = 2 * (plan.N - 1) + 2 * changes + 2 * (plan.M - 1) + 1
    assert w.network.depth == expected
    net2, _ = build_compact(plan, parse_domain(None, dim=2))
    assert uat.dumps(net2) == uat.dumps(w.network)
