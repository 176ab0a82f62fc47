"""QA regressions for the leaky-ReLU family: cases found by testing on unseen targets and settings."""

from __future__ import annotations

import numpy as np
import pytest

import constructions._leaky_graph as graph
from constructions import build
from verification import sup_error


@pytest.mark.slow
def test_uniform_2d_ridge_fit_does_not_diverge_with_the_level():
    # sin(6 x1 + x2) on [0,1]^2 at eps = 0.06: with the weak ridge alone the larger dictionaries overfit
    # between the fit points (sampled error 1.0 at level 3, 2.9 at level 5) and the builder gave up
    c = build("leaky-uniform", "sin(6*x1 + x2)", eps=0.06, domain="[0,1]^2", progress="quiet")
    assert c.network.width == 3 and c.predicted_error <= 0.06
    assert c.parameters["ridge"] in graph._RIDGES
    X = np.random.default_rng(5).random((20000, 2))
    err = np.abs(c.network.evaluate(X)[:, 0] - np.sin(6 * X[:, 0] + X[:, 1]))
    assert err.max() <= 0.06


def test_uniform_2d_weak_ridge_is_kept_when_it_passes():
    # the escalation must not touch witnesses that the weak ridge already certifies
    c = build("leaky-uniform", "[x1*x2, x1 - x2**2]", eps=0.2, domain="[0,1]^2", progress="quiet")
    assert c.parameters["ridge"] == graph._RIDGES[0] and c.network.width == 4
    r = sup_error(c.network, "[x1*x2, x1 - x2**2]", "[0,1]^2")
    assert r.certified and r.high <= 0.2


@pytest.mark.parametrize("alpha, words", [
    (0.3, "got 0.3 "), (1 / 7, "got 0.14285714285714285 "), ("1/7", "got 1/7 "),
    (0, "strictly between 0 and 1; got 0 "), (1, "strictly between 0 and 1; got 1 "),
    ("-0.2", "strictly between 0 and 1; got -0.2 "), (2, "strictly between 0 and 1; got 2 "),
])
def test_user_slopes_are_named_as_written(alpha, words):
    # a float slope was shown as its binary fraction (5404319552844595/18014398509481984 for 0.3)
    from uat.errors import ParameterError

    for name in ("leaky-uniform", "leaky-lp", "leaky-lp-two", "leaky-stepped-uniform"):
        with pytest.raises(ParameterError) as exc:
            build(name, "x1**2", eps=0.3, alpha=alpha, progress="quiet")
        assert words in str(exc.value) and "18014398509481984" not in str(exc.value)


def test_cli_slope_errors_exit_2_with_one_line(tmp_path):
    import subprocess
    import sys

    for a in ("0.3", "1/7", "0", "1", "-0.2", "2"):
        r = subprocess.run([sys.executable, "-m", "uat", "build", "leaky-uniform", "--target", "x1**2", "--eps", "0.3",
                            f"--alpha={a}", "-o", str(tmp_path / "w.json")], capture_output=True, text=True)
        assert r.returncode == 2 and f"got {a} " in r.stderr and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("alpha", [2, "3/2", 1, 0, "-1/5", "x"])
def test_floor_witnesses_refuse_bad_slopes_before_work(alpha):
    # bump_witness(alpha=2) looped on alpha^k and died with an OverflowError
    from constructions.leaky_floors import bump_witness, hopf_witness
    from uat.errors import ParameterError

    for make in (lambda: bump_witness(0.2, alpha=alpha), lambda: hopf_witness(alpha=alpha)):
        with pytest.raises(ParameterError, match="leaky slope"):
            make()


def test_floor_witnesses_accept_any_rational_slope():
    from constructions.leaky_floors import FLOORS, hopf_witness
    from uat.targets import make_target

    f = make_target(FLOORS["hopf"].target, input_dim=2)
    X = np.array([-1.0, -1.0]) + np.array([5.0, 2.0]) * np.random.default_rng(2).random((4000, 2))
    for a in ("1/7", "3/10"):
        net = hopf_witness(alpha=a)
        assert net.width == 4 and np.abs(net.evaluate(X) - f(X)).max() < 1e-12


def test_uniform_width_labels_against_hwangs_upper_bound():
    # the docstring claimed the width always equals min(d_x + d_y, max(2 d_x + 1, d_y)); it exceeds it at (2, 4)
    from constructions import get_spec
    from constructions._leaky_common import catalogue_bounds

    spec = get_spec("leaky-uniform")
    for d_x in range(1, 5):
        for d_y in range(1, 7):
            w = spec.width(d_x=d_x, d_y=d_y)
            hwang = min(d_x + d_y, max(2 * d_x + 1, d_y))
            assert w == hwang if (d_x == 1 or d_y <= d_x + 1) else w > hwang
            lower, _, _ = catalogue_bounds("uniform", d_x, d_y)
            assert lower is not None and w >= lower


def test_closed_curve_fallback_is_labelled_an_upper_bound():
    # (1,3): no crossing-free planar projection of this closed curve, so auto falls back to the graph lift
    tgt = "[cos(2*pi*x1), sin(2*pi*x1), sin(4*pi*x1)]"
    c = build("leaky-uniform", tgt, eps=0.3, domain="[0,1]", progress="quiet")
    md = c.network.metadata
    assert c.network.width == 4 and md["width_status"] == "upper bound"
    assert md["lower_bound"] == 3 and md["gap"] == 1 and "curve recipe not applicable" in md["parameters"]["fallback"]
    r = sup_error(c.network, tgt, "[0,1]")
    t = np.linspace(0, 1, 200001)[:, None]
    F = np.column_stack([np.cos(2 * np.pi * t), np.sin(2 * np.pi * t), np.sin(4 * np.pi * t)])
    sampled = np.linalg.norm(c.network.evaluate(t) - F, axis=1).max()
    assert r.certified and sampled <= r.high * (1 + 1e-9) and r.high <= 0.3
