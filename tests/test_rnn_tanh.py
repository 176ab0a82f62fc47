"""rnn-tanh / rnn-sigmoid: the delta-linearisation of identity channels, error against delta, widths."""

from __future__ import annotations

import numpy as np
import pytest

from constructions import build
from constructions._rnn_delta import ModifiedCell, linearise, run_modified
from uat.errors import ParameterError
from verification import measure


@pytest.mark.parametrize("act, extra", [("tanh", 0), ("sigmoid", 1)])
@pytest.mark.parametrize("name, T, eps", [("wiener-tanh", 8, 1e-5), ("wiener-sin", 6, 1e-3), ("hammerstein", 5, 1e-3)])
def test_witnesses_meet_eps_at_their_width(act, extra, name, T, eps):
    c = build(f"rnn-{act}", name, T=T, eps=eps)
    net = c.network
    assert net.width == c.width == 3 + extra and [a.name for a in net.activations] == [act]
    res = measure(net, name, norm="sup", m=10)
    assert res.value <= eps and res.details["causality"]["passed"]


def test_error_against_delta_tanh_quadratic_sigmoid_turns_up():
    errs = {}
    for act in ("tanh", "sigmoid"):
        for d in (1e-1, 1e-2, 1e-3, 1e-6):
            net = build(f"rnn-{act}", "wiener-tanh", T=6, delta=d).network
            errs[act, d] = measure(net, "wiener-tanh", norm="sup", m=8, causality=False).value
    for act in ("tanh", "sigmoid"):  # the O(delta^2) regime: a factor ~100 per decade
        assert 50 < errs[act, 1e-1] / errs[act, 1e-2] < 200
        assert 50 < errs[act, 1e-2] / errs[act, 1e-3] < 200
    assert errs["tanh", 1e-6] < 1e-10  # tanh(0) = 0: no rounding blow-up as delta -> 0
    assert errs["sigmoid", 1e-6] > errs["sigmoid", 1e-3] * 1e-5  # eps_mach / delta takes over


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


def test_restricted_class_is_enforced():
    with pytest.raises(ParameterError, match="Wiener/Hammerstein"):
        build("rnn-tanh", "running-mean")
    with pytest.raises(ParameterError, match="d_x = d_y = 1"):
        build("rnn-tanh", "wiener-tanh", input_dim=2)
    with pytest.raises(ParameterError, match="delta"):
        build("rnn-sigmoid", "wiener-tanh", delta=2.0)
