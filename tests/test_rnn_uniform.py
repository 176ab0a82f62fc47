"""rnn-uniform and brnn-uniform: exact width, causality, exactness, a-priori bounds, bad input."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import uat
from constructions import build
from uat.domains import parse_domain
from uat.errors import DimensionMismatch, ParameterError, TargetError, UatError
from uat.recurrent import Recurrent
from uat.sequence_targets import make_sequence_target
from verification import measure
from verification.judge import judge
from verification.sequence import causality_check


@pytest.mark.parametrize(
    "name, d_x, T",
    [("running-mean", 1, 20), ("running-mean", 2, 6), ("moving-average", 1, 20), ("iir", 1, 20), ("iir", 3, 5),
     ("running-max", 1, 20), ("running-min", 2, 10)],
)
def test_exact_targets_reach_1e_10(name, d_x, T, tolerance):
    c = build("rnn-uniform", name, T=T, input_dim=d_x, eps=1e-6, domain=f"[-1,2]^{d_x}")
    net = c.network
    assert isinstance(net, Recurrent) and net.is_causal
    assert net.width == c.width == 2 * d_x + 2  # d_x + d_y + 2 with d_y = d_x
    assert c.predicted_error == 0.0
    res = measure(net, name, norm="sup", m=10)
    assert res.value <= tolerance["exact_target"]
    assert res.details["causality"]["passed"]
    assert judge(res, 1e-6).passed


def test_exact_rational_evaluation_equals_the_target_exactly():
    c = build("rnn-uniform", "running-mean", T=4, domain="[-1,1]")
    f = make_sequence_target("running-mean")
    seqs = [[Fraction(1, 3), Fraction(-2, 7), Fraction(5, 9), Fraction(-1)], [Fraction(0), Fraction(1), Fraction(1, 2), Fraction(-3, 4)]]
    got = c.network.evaluate_exact([[[v] for v in s] for s in seqs])
    for i, s in enumerate(seqs):
        want = f.structure.evaluate_exact([[v] for v in s])
        assert [got[i, t, 0] for t in range(4)] == [w[0] for w in want]


def test_brnn_exact_non_causal_targets(tolerance):
    for name, d_x in (("reversal", 1), ("centred-moving-average", 2)):
        c = build("brnn-uniform", name, T=6, input_dim=d_x, eps=1e-6, domain=f"[-1,1]^{d_x}")
        net = c.network
        assert net.is_bidirectional and net.width == 2 * d_x + 2 and c.theorem == "song2023-brnn"
        res = measure(net, name, norm="sup", m=10)
        assert res.value <= tolerance["exact_target"]
        assert "causality" not in res.details
        # negative control: the causality check sees that a BRNN reads the future
        rep = causality_check(net, parse_domain(f"[-1,1]^{d_x}"), 6)
        assert not rep.passed and "NOT causal" in rep.describe()


def test_ridge_error_matches_the_a_priori_bound_and_falls_with_knots():
    errs = []
    for knots in (4, 8, 16, 32):
        c = build("rnn-uniform", "wiener-sin", T=4, knots=knots, eps=1e-2)
        res = measure(c.network, "wiener-sin", norm="sup", m=10)
        assert res.value <= c.predicted_error * (1 + 1e-6) + 1e-12
        errs.append(res.value)
    assert all(b < a / 2.5 for a, b in zip(errs, errs[1:]))  # h^2 rate: a factor ~4 per doubling


def test_eps_drives_the_ridge_knots():
    c = build("rnn-uniform", "wiener-tanh", T=5, eps=1e-3)
    assert c.predicted_error <= 0.5e-3
    assert measure(c.network, "wiener-tanh", norm="sup", m=10).value <= 1e-3


def test_hammerstein_meets_eps():
    c = build("rnn-uniform", "hammerstein", T=3, eps=5e-3)
    res = measure(c.network, "hammerstein", norm="sup", m=10)
    assert res.value <= c.predicted_error <= 2.5e-3


def test_generic_target_by_random_features_meets_eps():
    c = build("rnn-uniform", "tanh-system", T=2, eps=0.1)
    res = measure(c.network, "tanh-system", norm="sup", m=10)
    assert res.value <= 0.1 and res.details["causality"]["passed"]
    assert c.parameters["seed"] == 0 and "least squares" in c.parameters["approximant"]


def test_build_is_deterministic():
    a = build("rnn-uniform", "tanh-system", T=2, eps=0.2)
    b = build("rnn-uniform", "tanh-system", T=2, eps=0.2)
    assert uat.dumps(a.network) == uat.dumps(b.network)


def test_verifier_catches_a_corrupted_witness():
    c = build("rnn-uniform", "running-mean", T=5, domain="[0,1]")
    net = c.network
    layers = list(net.layers)
    k = len(layers) // 2
    cell = layers[k]
    bias = cell.bias.copy()
    bias[-2] += Fraction(1, 1000)  # nudge the s channel of one cell
    bias.flags.writeable = False
    layers[k] = type(cell)(cell.recurrent, cell.input, bias, cell.activation)
    bad = Recurrent(net.lift, tuple(layers), net.readout, net.metadata)
    res = measure(bad, "running-mean", norm="sup", m=8)
    assert not judge(res, 1e-6).passed


def test_cli_build_and_verify(tmp_path, capsys):
    from uat.cli import main

    out = tmp_path / "f.json"
    assert main(["build", "rnn-uniform", "--target", "running-mean", "--dx", "1", "--T", "10", "--eps", "1e-6",
                 "--out", str(out), "--quiet"]) == 0
    assert main(["verify", str(out)]) == 0
    text = capsys.readouterr().out
    assert "PASS" in text and "causal:" in text
    net = uat.load(out)
    assert net.metadata["horizon"] == 10 and net.width == 3 + 1


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"target": "reversal"}, ParameterError, "not causal"),
        ({"target": "running-mean", "T": 0}, ParameterError, "horizon T"),
        ({"target": "running-mean", "T": "10"}, ParameterError, "horizon T"),
        ({"target": "wiener-tanh", "knots": 0}, ParameterError, "knots"),
        ({"target": "no-such-target"}, TargetError, "library has"),
        ({"target": "running-mean", "output_dim": 2}, DimensionMismatch, "d_y"),
        ({"target": "running-mean", "eps": -1.0}, ParameterError, "eps"),
        ({"target": "running-mean", "domain": "[1,0]"}, UatError, "lo"),
    ],
)
def test_bad_input_gives_clear_errors(kwargs, error, message):
    target = kwargs.pop("target")
    with pytest.raises(error, match=message):
        build("rnn-uniform", target, **kwargs)


def test_verify_needs_a_horizon():
    net = Recurrent.create(lift=[[1]], cells=[([[1]], [[1]], [0], "relu")], readout=[[1]])
    with pytest.raises(ParameterError, match="horizon"):
        measure(net, "running-mean", norm="sup", domain="[0,1]")
    res = measure(net, "running-mean", norm="sup", domain="[0,1]", T=3, m=6)
    assert res.value > 0.1  # a running sum is not a running mean


def _min_preactivation(net: Recurrent, x: np.ndarray, channels: list[int]) -> float:
    """Smallest pre-activation of the given channels over every cell and time (plain loop over cells)."""
    net = net.as_float()
    h = x @ net.lift.T
    worst = np.inf
    for cell in net.layers:
        z = h @ cell.input.T + cell.bias
        out = np.empty_like(z)
        prev = np.zeros((x.shape[0], cell.state_dim))
        for t in range(x.shape[1]):
            zt = z[:, t] + prev @ cell.recurrent.T
            worst = min(worst, float(zt[:, channels].min()))
            prev = np.maximum(zt, 0.0)
            out[:, t] = prev
        h = out
    return worst


@pytest.mark.parametrize("name", ["iir", "wiener-tanh", "running-max"])
def test_positivity_invariants_of_the_kept_channels(name):
    """The registers v and accumulators a are kept by identity rows: their ReLUs must never clip."""
    c = build("rnn-uniform", name, T=6, domain="[-3,5]", eps=1e-2)
    x = np.random.default_rng(3).uniform(-3, 5, size=(300, 6, 1))
    x[:50] = np.random.default_rng(4).choice([-3.0, 5.0], size=(50, 6, 1))
    assert _min_preactivation(c.network, x, [0, 1]) >= 0.0
