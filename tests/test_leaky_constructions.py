"""leaky-lp, leaky-lp-two and leaky-uniform: widths, activations, accuracy against the verifier, rates, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import uat
from constructions import build, get_spec
from uat.activations import leaky_relu
from uat.errors import BudgetExceeded, ParameterError, PrecisionBudgetExceeded, UatError
from uat.tolerances import tol
from verification import lp_error, sup_error

ROOT = Path(__file__).resolve().parents[1]
SIGMA = leaky_relu("1/4")

# cheap targets for every (d_x, d_y) of the issue
DIMS = {
    (1, 1): ("sin(3*x1)", "[0,1]"),
    (2, 1): ("x1*x2 + x1/2", "[0,1]^2"),
    (3, 1): ("x1*x2 + x3/2", "[0,1]^3"),
    (1, 2): ("[x1**2, 1 - x1]", "[0,1]"),
    (2, 2): ("[x1*x2, x1 - x2]", "[0,1]^2"),
    (1, 3): ("[x1, x1**2, 1 - x1/2]", "[0,1]"),
}
LP_CHEAP = {"eps": 0.5, "p": 1, "bits": 2}


@pytest.mark.parametrize("dims", sorted(DIMS))
def test_lp_width_is_exactly_max_2_dx_dy(dims):
    tgt, dom = DIMS[dims]
    kw = dict(LP_CHEAP)
    if dims[1] == 1 and dims[0] == 1:
        kw.pop("bits")
    c = build("leaky-lp", tgt, domain=dom, progress="quiet", **kw)
    d_x, d_y = dims
    assert c.network.width == max(2, d_x, d_y) == get_spec("leaky-lp").width(d_x=d_x, d_y=d_y)
    assert set(c.network.widths) == {c.network.width}
    assert c.network.hidden_activations == (SIGMA,)  # no identity neurons smuggled in
    assert c.network.metadata["theorem"] == "rochau2024-leaky-lp"


@pytest.mark.parametrize("dims", sorted(DIMS))
def test_uniform_width_matches_the_spec(dims):
    tgt, dom = DIMS[dims]
    c = build("leaky-uniform", tgt, domain=dom, eps=0.3, progress="quiet")
    d_x, d_y = dims
    assert c.network.width == get_spec("leaky-uniform").width(d_x=d_x, d_y=d_y)
    assert c.network.hidden_activations == (SIGMA,)
    md = c.network.metadata
    if d_y == 1 or dims == (1, 2):
        assert c.network.width == d_x + d_y and md["width_status"] == "exact minimum"
    assert md["gap"] == c.network.width - md["lower_bound"]


def test_two_activation_variant_is_width_one_at_11_and_max_elsewhere():
    c = build("leaky-lp-two", "sin(3*x1)", eps=0.1, p=2, domain="[0,1]", progress="quiet")
    assert c.network.width == 1
    assert set(c.network.hidden_activations) == {leaky_relu("1/4"), leaky_relu("-1/4", allow_negative=True)}
    r = lp_error(c.network, "sin(3*x1)", "[0,1]", p=2, method="qmc", m=12, replicates=4)
    assert r.high <= 0.1
    c2 = build("leaky-lp-two", "[x1**2, 1 - x1]", eps=0.5, p=1, bits=2, domain="[0,1]", progress="quiet")
    assert c2.network.width == 2 and c2.theorem == "rochau2024-two-leaky-lp"
    assert c2.network.hidden_activations == (SIGMA,)


@pytest.mark.parametrize("tgt,dom,eps,p", [
    ("sin(3*x1)", "[0,1]", 0.05, 2),
    ("x1*x2 + x1/2", "[0,1]^2", 0.2, 1),
    ("[x1**2, 1 - x1]", "[0,1]", 0.1, 2),
])
def test_lp_witness_reaches_eps(tgt, dom, eps, p):
    c = build("leaky-lp", tgt, eps=eps, p=p, domain=dom, progress="quiet")
    r = lp_error(c.network, tgt, dom, p=p, method="qmc", m=12, replicates=4)
    assert r.high <= eps
    assert r.value <= c.predicted_error  # the a-priori bound holds


def test_lp_error_halves_per_bit():
    """Cell discretisation is O(h) for a Lipschitz target: one more bit halves the L^1 error."""
    tgt = "[x1**2, 1 - x1]"
    bits = [2, 3, 4, 5]
    errs = []
    for n in bits:
        c = build("leaky-lp", tgt, eps=0.5, p=1, bits=n, out_bits=9, domain="[0,1]", progress="quiet")
        errs.append(lp_error(c.network, tgt, "[0,1]", p=1, method="qmc", m=12, replicates=4).value)
    slope = -np.polyfit(bits, np.log2(errs), 1)[0]
    assert abs(slope - 1.0) <= tol("rate_slope_fraction"), errs


@pytest.mark.parametrize("tgt,dom,eps", [
    ("sin(4*x1) + x1/2", "[0,1]", 0.002),
    ("[cos(2*pi*x1), sin(2*pi*x1)]", "[0,1]", 0.02),
    ("sin(2*x1)*cos(x2) + x1*x2/2", "[-1,1]^2", 0.1),
])
def test_uniform_witness_is_certified_below_eps(tgt, dom, eps):
    c = build("leaky-uniform", tgt, eps=eps, domain=dom, progress="quiet")
    r = sup_error(c.network, tgt, dom)
    assert r.certified and r.high <= eps
    assert r.value <= c.predicted_error * (1 + 1e-6)


def test_curve_recipe_at_width_dy():
    """(1,3) with a monotone direction is exact at width 3; (1,4) by the certified generic projection."""
    c3 = build("leaky-uniform", "[cos(pi*x1), sin(pi*x1), x1**2]", eps=0.02, domain="[0,1]", progress="quiet")
    assert c3.network.width == 3 and "monotone" in c3.parameters["recipe"]
    r = sup_error(c3.network, "[cos(pi*x1), sin(pi*x1), x1**2]", "[0,1]")
    assert r.certified and r.high <= 0.02
    tgt4 = "[cos(1.5*pi*x1), sin(1.5*pi*x1), cos(3*pi*x1), sin(3*pi*x1)]"
    c4 = build("leaky-uniform", tgt4, eps=0.1, domain="[0,1]", progress="quiet")
    assert c4.network.width == 4 and "generic" in c4.parameters["recipe"]
    r = sup_error(c4.network, tgt4, "[0,1]")
    assert r.certified and r.high <= 0.1 and r.value <= c4.predicted_error


def test_curve_recipe_refuses_closed_curves_and_auto_falls_back():
    closed = "[cos(2*pi*x1), sin(2*pi*x1), x1*(1 - x1)]"
    with pytest.raises(ParameterError, match="crossing condition"):
        build("leaky-uniform", closed, eps=0.1, domain="[0,1]", method="curve", progress="quiet")
    c = build("leaky-uniform", closed, eps=0.1, domain="[0,1]", progress="quiet")
    assert c.network.width == 4 and "fallback" in c.parameters
    assert c.network.metadata["width_status"] == "upper bound"


def test_uniform_rate_is_second_order_in_the_knots():
    errs = []
    ks = [8, 16, 32, 64]
    for k in ks:
        c = build("leaky-uniform", "sin(4*x1)", eps=1.0, knots=k, domain="[0,1]", progress="quiet")
        errs.append(sup_error(c.network, "sin(4*x1)", "[0,1]").value)
    slope = -np.polyfit(np.log2(ks), np.log2(errs), 1)[0]
    assert abs(slope - 2.0) <= tol("rate_slope_fraction") * 2.0, errs


def test_network_reproduces_the_shallow_approximant_exactly():
    """Exact rational evaluation agrees with float64 (a conditioning check)."""
    c = build("leaky-uniform", "x1**3 - x1/3", eps=0.01, domain="[-1,1]", progress="quiet")
    pts = [["-1"], ["-1/3"], ["1/7"], ["1"]]
    ex = np.array([[float(v) for v in row] for row in c.network.evaluate_exact(pts)])
    fl = c.network(np.array([[-1.0], [-1 / 3], [1 / 7], [1.0]]))
    assert np.max(np.abs(ex - fl)) <= tol("conditioning_flag")


def test_flatness_condition_is_enforced():
    with pytest.raises(ParameterError, match="flatness"):
        build("leaky-lp", "x1*x2", eps=0.2, p=1, domain="[0,1]^2", flat=1, progress="quiet")


def test_precision_budget():
    with pytest.raises(PrecisionBudgetExceeded, match="bits"):
        build("leaky-lp", "[x1*x2, x1]", eps=1e-4, p=2, domain="[0,1]^2", bits=3, progress="quiet")
    with pytest.raises(BudgetExceeded, match="memorised points"):
        build("leaky-lp", "x1*x2", eps=1e-4, p=2, domain="[0,1]^2", bits=3, progress="quiet")


@pytest.mark.parametrize("kw,match", [
    ({"eps": -1}, "eps"),
    ({"eps": 0.1, "p": 0.5}, "p must"),
    ({"eps": 0.1, "alpha": "1/3"}, "power of two"),
    ({"eps": 0.1, "bits": 0}, "bits"),
])
def test_bad_input_is_refused_clearly(kw, match):
    with pytest.raises(UatError, match=match):
        build("leaky-lp", "x1*x2", domain="[0,1]^2", progress="quiet", **kw)


def test_uniform_bad_input():
    with pytest.raises(UatError, match="method"):
        build("leaky-uniform", "x1", eps=0.1, method="magic", progress="quiet")
    with pytest.raises(UatError):
        build("leaky-uniform", "x1", eps=float("nan"), progress="quiet")


def test_builds_are_deterministic():
    a = build("leaky-lp", "x1*x2 + x1/2", eps=0.5, p=1, bits=2, domain="[0,1]^2", progress="quiet")
    b = build("leaky-lp", "x1*x2 + x1/2", eps=0.5, p=1, bits=2, domain="[0,1]^2", progress="quiet")
    assert uat.dumps(a.network) == uat.dumps(b.network)


def test_metadata_records_the_budget():
    c = build("leaky-lp", "x1*x2", eps=0.3, p=1, domain="[0,1]^2", progress="quiet")
    md = c.network.metadata
    for key in ("construction", "theorem", "target", "domain", "epsilon", "p", "parameters", "predicted_error",
                "precision_budget"):
        assert key in md
    assert md["precision_budget"]["bits"] <= 45
    assert md["parameters"]["flat"] >= 1


def test_contract_cases_are_registered():
    for name in ("leaky-lp", "leaky-lp-two", "leaky-uniform"):
        cases = get_spec(name).contract_cases()
        assert cases and all(c.eps > 0 for c in cases)


def test_cli_build_and_verify(tmp_path):
    out = tmp_path / "w.json"
    exe = [sys.executable, "-m", "uat"]
    r = subprocess.run(exe + ["build", "leaky-uniform", "--target", "sin(2*pi*x1)", "--eps", "0.02", "-o", str(out),
                              "--quiet"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text())["metadata"]["construction"] == "leaky-uniform"
    v = subprocess.run(exe + ["verify", str(out)], capture_output=True, text=True, cwd=ROOT)
    assert v.returncode == 0 and "PASS" in v.stdout, v.stdout + v.stderr


def test_stepped_uniform_witness():
    """Stepped leaky ReLU: uniform at width max(2, d_x, d_y); no strips, so the sup error is small everywhere."""
    from uat.activations import stepped_leaky_relu
    from uat.targets import make_target

    for tgt, dom, eps in (("sin(3*x1)*x2", "[0,1]^2", 0.3), ("[x1**2, 1 - x1]", "[0,1]", 0.2)):
        c = build("leaky-stepped-uniform", tgt, eps=eps, domain=dom, progress="quiet")
        net = c.network
        assert net.width == get_spec("leaky-stepped-uniform").width(d_x=net.input_dim, d_y=net.output_dim) == 2
        assert set(net.hidden_activations) == {SIGMA, stepped_leaky_relu("1/4")}
        assert c.predicted_error <= eps
        f = make_target(tgt)
        x = np.random.default_rng(2).uniform(0, 1, (100_000, net.input_dim))
        # cell boundaries are exactly where the quantiser jumps: include them
        edges = np.arange(17) / 16
        x = np.vstack([x, np.stack(np.meshgrid(*[edges] * net.input_dim), -1).reshape(-1, net.input_dim)])
        assert np.max(np.linalg.norm(net(x) - f(x), axis=1)) <= c.predicted_error
