"""Judging versus measuring, float64 versus exact evaluation, dispatch, the demo hook, `uat verify`."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

import uat
from uat import FeedForward
from uat._demo import DemoCase, DemoMeasurement
from uat.cli import main
from uat.errors import ExactnessError, MethodError, NotApproximating, ParameterError
from uat.testing import random_network, tent_network
from verification import ErrorEstimate, assert_approximates, float_error, handler_for, lp_error, measure, sup_error
from verification._demo import measure_case

from _verify_support import hat, interpolant, ramp_2d, square_target, zero_target


# -- measuring versus judging --------------------------------------------------------------


def test_measuring_does_not_judge():
    r = sup_error(hat(), zero_target())
    assert isinstance(r, ErrorEstimate) and r.value == 1.0  # a number, no verdict


def test_assert_approximates_passes_on_a_good_network_and_returns_the_measurement():
    good = interpolant(lambda x: x**2, 32)
    r = assert_approximates(good, square_target(), 1e-3)
    assert r.certified and r.high <= 1e-3


def test_assert_approximates_fails_on_a_bad_network_with_a_readable_report():
    bad = interpolant(lambda x: x**2, 2)
    with pytest.raises(NotApproximating) as info:
        assert_approximates(bad, square_target(), 1e-3)
    text = str(info.value)
    assert "does not approximate the target to epsilon = 0.001 in the sup norm" in text
    assert "certified upper bound" in text and "> epsilon 0.001" in text
    assert "exact-1d" in text and "width" in text
    assert isinstance(info.value, AssertionError)


def test_assert_approximates_in_lp_and_with_a_certificate_required():
    bad = interpolant(lambda x: x**2, 2)
    # L^1 error 1/24 < 0.05 but sup error 1/16 > 0.05
    assert assert_approximates(bad, square_target(), 0.05, norm="lp", p=1).value == pytest.approx(1 / 24)
    with pytest.raises(NotApproximating, match="L\\^1"):
        assert_approximates(bad, square_target(), 0.04, norm="lp", p=1)
    with pytest.raises(NotApproximating, match="not certified"):
        assert_approximates(ramp_2d(), zero_target(2), 10.0, norm="lp", require_certified=True, m=6)


@pytest.mark.parametrize("eps", [0, -1, float("nan"), float("inf"), "0.1", True])
def test_assert_approximates_rejects_bad_epsilon(eps):
    with pytest.raises(ParameterError, match="eps must be a finite number > 0"):
        assert_approximates(hat(), zero_target(), eps)


def test_norm_aliases_and_unknown_norms():
    assert assert_approximates(hat(), zero_target(), 2.0, norm="uniform").norm == "sup"
    with pytest.raises(ParameterError, match="valid norms: sup, lp"):
        assert_approximates(hat(), zero_target(), 2.0, norm="l7")


# -- float64 versus exact ----------------------------------------------------------------------


def test_float_error_grows_on_the_tent_map_and_is_rounding_level_otherwise():
    deep = float_error(tent_network(60), [["1/7"], ["2/7"]])
    assert deep.max_abs > 1e-3 and deep.mode == "exact-weights"
    shallow = float_error(tent_network(10), [["1/7"]])
    assert shallow.max_abs < 1e-12


def test_float_error_of_a_float_network_measures_only_the_arithmetic():
    rng = np.random.default_rng(4)
    net = random_network(rng, input_dim=2, output_dim=1, width=5, depth=20)
    r = float_error(net, 8, domain="[-1,1]^2", seed=1)
    assert r.mode == "float-weights" and r.n_points == 8
    assert r.max_rel < 1e-13


def test_float_error_of_an_exact_dyadic_network_is_zero_at_dyadic_points():
    rng = np.random.default_rng(9)
    net = random_network(rng, input_dim=1, output_dim=1, width=4, depth=6, exact=True)
    r = float_error(net, [[Fraction(1, 4)], [Fraction(-3, 8)], ["1/2"]])
    assert r.max_abs == 0.0


def test_float_error_refuses_transcendental_activations():
    net = FeedForward.from_layers([([[1.0]], [0.0], "tanh"), ([[1.0]], [0.0])])
    with pytest.raises(ExactnessError, match="exact rational values"):
        float_error(net, [[0.5]])


# -- dispatch and the demo hook -------------------------------------------------------------------


def test_dispatch_on_the_witness_type():
    assert handler_for(hat()).name == "feed-forward network"
    with pytest.raises(MethodError, match="no verifier for a str"):
        handler_for("not a network")
    r = measure(hat(), zero_target(), norm="lp", p=1)
    assert r.value == pytest.approx(0.5)
    with pytest.raises(ParameterError, match="do not apply to the sup norm"):
        measure(hat(), zero_target(), norm="sup", replicates=4)


def test_measure_case_for_the_demo_uses_the_certified_bound():
    case = DemoCase(title="x^2 interpolant", theorem="hanin2017-relu-uniform", network=interpolant(lambda x: x**2, 8),
                    target=square_target(), domain="[0,1]", norm="sup", eps=1e-2)
    m = measure_case(case)
    assert isinstance(m, DemoMeasurement) and m.certified and m.passed and m.method == "exact-1d"
    assert 1 / 256 <= m.value <= 1 / 256 * (1 + 1e-5)
    failing = DemoCase(title="bad", theorem="t", network=interpolant(lambda x: x**2, 1), target=square_target(),
                       domain=None, norm="lp", eps=1e-3, p=2)
    assert not measure_case(failing).passed


# -- the command line ----------------------------------------------------------------------------


@pytest.fixture
def witness(tmp_path):
    net = interpolant(lambda x: x**2, 16).with_metadata(target="x**2", domain="[0,1]", epsilon=1e-3,
                                                        theorem="hanin2017-relu-uniform")
    path = tmp_path / "sq.json"
    uat.save(net, path)
    return path


def test_cli_verify_defaults_from_metadata(witness, capsys):
    pytest.importorskip("uat.expressions")
    assert main(["verify", str(witness)]) == 0
    out = capsys.readouterr().out
    assert "certified" in out and "exact-1d" in out and "PASS" in out and "x**2 on [0,1]" in out


def test_cli_verify_json_has_the_documented_keys(witness, capsys):
    pytest.importorskip("uat.expressions")
    assert main(["verify", str(witness), "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    for key in ("value", "low", "high", "certified", "method", "width", "verdict"):
        assert key in obj
    assert obj["verdict"] == "pass" and obj["width"] == 16 and obj["certified"] is True
    assert obj["low"] <= 1 / 1024 <= obj["high"]
    # the width against the theorem recorded in the file (Hanin-Sellke: d_x + 1 = 2 for (1, 1))
    assert obj["theorem"] == "hanin2017-relu-uniform"
    assert obj["width_check"]["recorded_theorem"]["lower"] == 2


def test_cli_verify_fails_against_a_smaller_epsilon_and_measures_lp(witness, capsys):
    pytest.importorskip("uat.expressions")
    assert main(["verify", str(witness), "--eps", "1e-4"]) == 1
    assert "FAIL" in capsys.readouterr().out
    assert main(["verify", str(witness), "--norm", "lp", "--p", "1", "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["value"] == pytest.approx(1 / (6 * 16**2), rel=1e-10) and obj["norm"] == "lp"


def test_cli_verify_plot_writes_a_png(witness, tmp_path, capsys):
    pytest.importorskip("uat.expressions")
    out = tmp_path / "err.png"
    assert main(["verify", str(witness), "--plot", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_verify_bad_inputs_exit_2(tmp_path, capsys):
    path = tmp_path / "bare.json"
    uat.save(hat(), path)
    assert main(["verify", str(path)]) == 2
    assert "no target: pass --target" in capsys.readouterr().err
    assert main(["verify", str(path), "--target", "x", "--p", "0.5"]) == 2
    assert "does not define a norm" in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "missing.json"), "--target", "x"]) == 2
