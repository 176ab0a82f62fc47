"""rnn-tanh / rnn-sigmoid (general, published widths) and rnn-tanh-iir / rnn-sigmoid-iir (first-order targets):
the delta-trick, error against delta, widths, target classes."""

from __future__ import annotations

import numpy as np
import pytest

from constructions import build
from constructions._rnn_delta import ModifiedCell, linearise, run_modified
from constructions.rnn_tanh import error_against_delta
from uat.errors import ParameterError
from verification import measure


@pytest.mark.parametrize("act, extra", [("tanh", 0), ("sigmoid", 1)])
@pytest.mark.parametrize(
    "name, kwargs, eps",
    [("running-mean", {"T": 4, "input_dim": 2}, 1e-4),  # linear
     ("wiener-sin", {"T": 4}, 1e-3),  # ridge
     ("hammerstein", {"T": 3}, 1e-3),  # Hammerstein
     ("tanh-system", {"T": 2}, 0.05)],  # no structure: random tanh features
)
def test_general_witnesses_at_the_published_width(act, extra, name, kwargs, eps):
    c = build(f"rnn-{act}", name, eps=eps, **kwargs)
    net = c.network
    dx = kwargs.get("input_dim", 1)
    dy = net.output_dim
    assert net.width == c.width == dx + dy + 3 + extra and [a.name for a in net.activations] == [act]
    res = measure(net, name, norm="sup", m=10)
    assert res.value <= eps and res.details["causality"]["passed"]
    assert res.value <= c.network.metadata["fit_error"] + 5e-5  # the construction adds little to the fit


def test_error_against_delta_falls_then_rises():
    deltas = [1e-2, 1e-3, 1e-5, 1e-7]
    tanh = error_against_delta("running-mean", deltas, act="tanh", T=3)
    assert tanh[0] / tanh[1] > 50  # at least the delta^2 regime
    assert tanh[2] < 1e-7 and tanh[3] > 3 * tanh[2]  # rounding takes over: eps_mach / delta
    sig = error_against_delta("running-mean", [3e-2, 3e-3, 3e-4], act="sigmoid", T=3)
    assert sig[1] < sig[0] / 30 and sig[2] > 10 * sig[1]  # then eps_mach sqrt(depth) / delta^3 for the sigmoid


def test_general_witness_is_causal_for_a_callable_target():
    def f(p):
        return np.sin(3 * p.sum(axis=(1, 2)))[:, None]

    c = build("rnn-tanh", f, input_dim=1, T=2, eps=0.05)
    res = measure(c.network, f, norm="sup", m=9, domain="[0,1]", T=2)
    assert res.value <= 0.05 and res.details["causality"]["passed"]


@pytest.mark.parametrize("act, extra", [("tanh", 0), ("sigmoid", 1)])
@pytest.mark.parametrize("name, T, eps", [("wiener-tanh", 8, 1e-5), ("hammerstein", 5, 1e-3)])
def test_iir_witnesses_meet_eps_at_their_width(act, extra, name, T, eps):
    c = build(f"rnn-{act}-iir", name, T=T, eps=eps)
    net = c.network
    assert net.width == c.width == 3 + extra and [a.name for a in net.activations] == [act]
    res = measure(net, name, norm="sup", m=10)
    assert res.value <= eps and res.details["causality"]["passed"]


def test_linearise_matches_the_modified_network(rng):
    """A random modified network (mixed identity / sigma channels) and its plain version agree to O(delta^2)."""
    d = 3
    ident = np.array([True, False, True])
    cells = [ModifiedCell(rng.normal(size=(d, d)) * 0.3, rng.normal(size=(d, d)), rng.normal(size=d), ident),
             ModifiedCell(np.zeros((d, d)), rng.normal(size=(d, d)), rng.normal(size=d), ident)]
    lift, readout = rng.normal(size=(d, 2)), rng.normal(size=(1, d))
    x = rng.uniform(-1, 1, size=(20, 5, 2))
    for act in ("tanh", "sigmoid"):
        ref = run_modified(lift, cells, readout, act, x)
        e = [np.max(np.abs(linearise(lift, cells, readout, act, dl).evaluate(x) - ref)) for dl in (1e-2, 1e-3)]
        assert e[1] < e[0] / 50 and e[1] < 1e-3


def test_bad_input_and_restricted_classes():
    with pytest.raises(ParameterError, match="Wiener/Hammerstein"):
        build("rnn-tanh-iir", "running-mean")
    with pytest.raises(ParameterError, match="d_x = d_y = 1"):
        build("rnn-tanh-iir", "wiener-tanh", input_dim=2)
    with pytest.raises(ParameterError, match="delta"):
        build("rnn-sigmoid", "wiener-tanh", delta=2.0)
    with pytest.raises(ParameterError, match="not causal"):
        build("rnn-tanh", "reversal")
    with pytest.raises(ParameterError, match="horizon"):
        build("rnn-tanh", "running-mean", T=0)
