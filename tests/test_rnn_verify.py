"""Sequence verification: sup per time, L^p per time with confidence intervals, causality; sequence targets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from uat._sequence_library import SEQUENCE_LIBRARY
from uat.domains import parse_domain
from uat.errors import DimensionMismatch, TargetError
from uat.recurrent import Recurrent
from uat.sequence_targets import make_sequence_target
from verification.sequence import causality_check, sequence_lp_error, sequence_sup_error

RUNNING_SUM = Recurrent.create(lift=[[1]], cells=[([[1]], [[1]], [0], "relu")], readout=[[1]])
ZERO = Recurrent.create(lift=[[1]], cells=[(None, [[0]], [0], "relu")], readout=[[0]])


def test_sup_error_per_time_on_a_known_gap():
    # |running sum - running mean| on [0,1]^T is largest at x = (1, ..., 1): t - 1
    res = sequence_sup_error(RUNNING_SUM, make_sequence_target("running-mean"), parse_domain("[0,1]"), 4, m=8)
    assert res.details["per_t"] == pytest.approx([0.0, 1.0, 2.0, 3.0])
    assert res.value == pytest.approx(3.0) and res.details["argmax_time"] == 4
    assert not res.certified and math.isinf(res.high)


def test_lp_error_interval_contains_the_exact_value(tolerance):
    # ||x[t]||_{L^2([0,1]^T)} = 1/sqrt(3) for every t; with volume 2^T on [0,2]: (2^T * 4/3)^(1/2)
    f = make_sequence_target(lambda p: p[:, -1, :], input_dim=1)
    covered = 0
    for seed in range(10):
        res = sequence_lp_error(ZERO, f, parse_domain("[0,1]"), 3, p=2, m=8, replicates=8, seed=seed)
        covered += res.low <= 1 / math.sqrt(3) <= res.high
        assert len(res.details["per_t"]) == 3
    assert covered / 10 >= tolerance["ci_coverage"]
    res = sequence_lp_error(ZERO, f, parse_domain("[0,2]"), 3, p=2, m=10)
    assert res.value == pytest.approx(math.sqrt(8 * 4 / 3), rel=1e-3)


def test_causality_check_passes_for_rnns_and_fails_for_a_brnn(rng):
    from uat.recurrent import BiLayer, Cell

    rnn = Recurrent.create(lift=rng.normal(size=(3, 2)), cells=[(rng.normal(size=(3, 3)) * 0.4, rng.normal(size=(3, 3)), rng.normal(size=3), "tanh")],
                           readout=rng.normal(size=(1, 3)))
    box = parse_domain("[0,1]^2")
    assert causality_check(rnn, box, 6).passed
    c = Cell.create(rng.normal(size=(3, 3)) * 0.4, rng.normal(size=(3, 3)), rng.normal(size=3), "tanh")
    brnn = Recurrent.create(lift=rng.normal(size=(3, 2)), cells=[BiLayer(c, c, np.eye(3), np.eye(3))], readout=rng.normal(size=(1, 3)))
    rep = causality_check(brnn, box, 6)
    assert not rep.passed and rep.violations[0][0] >= 2


@pytest.mark.parametrize("name", SEQUENCE_LIBRARY)
def test_library_targets_are_consistent(name, rng):
    for d in (1, 2):
        f = make_sequence_target(name, input_dim=d)
        x = rng.random((5, 7, d))
        y = f(x)
        assert y.shape == (5, 7, f.output_dim) and np.all(np.isfinite(y))
        st = f.structure
        if hasattr(st, "coefficients"):
            assert np.max(np.abs(st.evaluate(x) - y)) < 1e-14
        if hasattr(st, "inner"):
            assert np.max(np.abs(st.g(st.inner.evaluate(x)) - y)) < 1e-14
        if hasattr(st, "kernel"):
            ref = sum(float(st.kernel(i)) * st.g(np.roll(x, i, axis=1) * (np.arange(7) >= i)[None, :, None]) for i in range(7))
            ref -= sum(float(st.kernel(i)) * st.g(0.0) * (np.arange(7) < i)[None, :, None] for i in range(7))
            assert np.max(np.abs(ref - y)) < 1e-14
        if f.causal:
            for t in range(1, 8):
                assert np.array_equal(f.at(x, t), y[:, t - 1])
            x2 = x.copy()
            x2[:, 4:] = rng.random((5, 3, d))
            assert np.array_equal(f(x2)[:, :4], y[:, :4])


def test_sequence_target_errors():
    with pytest.raises(TargetError, match="library has"):
        make_sequence_target("nope")
    with pytest.raises(TargetError, match="input_dim"):
        make_sequence_target(lambda p: p[:, -1])
    with pytest.raises(TargetError, match="probe"):
        make_sequence_target(lambda p: p[:, -1, 0].reshape(1, -1, 1), input_dim=1)
    with pytest.raises(DimensionMismatch, match="d_y"):
        make_sequence_target("running-mean", input_dim=2, output_dim=1)
    f = make_sequence_target("running-mean")
    with pytest.raises(DimensionMismatch):
        f(np.zeros((2, 3, 2)))


# -- the covering certificate -----------------------------------------------------------------------------
def _with_lipschitz(fn, L, name="f", causal=True):
    from dataclasses import replace

    return replace(make_sequence_target(fn, input_dim=1, causal=causal), lipschitz=L, name=name)


def test_cover_certificate_on_a_known_sup_error():
    """relu(x) against f = x on [-1, 1]: the true sup error is 1 (at x = -1); the cover is within O(h) above it."""
    from verification import sequence_sup_certificate

    net = Recurrent.create(lift=[[1]], cells=[(None, [[1]], [0], "relu")], readout=[[1]])
    f = _with_lipschitz(lambda p: p[:, -1], 1.0, "identity")
    res = sequence_sup_certificate(net, f, parse_domain("[-1,1]"), 2, cells=64)
    h = 2 / 64
    assert res.certified and 1.0 <= res.high <= 1.0 + 2 * h
    assert res.details["per_t"][0] == pytest.approx(res.details["per_t"][1])


def test_cover_certificate_is_an_upper_bound_on_a_random_relu_rnn(rng):
    """A random ReLU RNN (recurrent, mixed-sign ReLUs) against a smooth target: the cover bounds the error
    measured on a fine grid, and is not much larger than it plus the cell scale."""
    from verification import sequence_sup_certificate

    W = 3
    cells = [(rng.normal(size=(W, W)) * 0.4, rng.normal(size=(W, W)), rng.normal(size=W) * 0.3, "relu")
             for _ in range(3)]
    net = Recurrent.create(lift=rng.normal(size=(W, 1)), cells=cells, readout=rng.normal(size=(1, W)),
                           readout_bias=[0.1])
    f = _with_lipschitz(lambda p: np.sin(p.sum(axis=1)), 2.0, "sin-sum")  # |d/dx_j| <= 1, t <= 2 tokens
    res = sequence_sup_certificate(net, f, parse_domain("[-1,1]"), 2, cells=48)
    g = np.linspace(-1, 1, 301)
    x = np.stack(np.meshgrid(g, g, indexing="ij"), axis=-1).reshape(-1, 2, 1)
    true = np.linalg.norm(net.evaluate(x) - f(x), axis=2).max(axis=0)
    assert res.details["relaxed_relus"] > 0  # (the random net is a poor approximant, so the bound may count as vacuous)
    for t in range(2):
        assert true[t] <= res.details["per_t"][t] <= true[t] + 60 * (2 / 48)


def test_cover_is_vacuous_or_refused_where_it_cannot_prove_anything():
    from constructions import build
    from uat.errors import ParameterError
    from verification import measure, sequence_sup_certificate

    lp = build("rnn-lp", "running-mean", T=2, bits=3).network  # ramps of slope ~2^8: vacuous
    res = sequence_sup_certificate(lp, make_sequence_target("running-mean"), parse_domain("[0,1]"), 2)
    assert not res.certified and math.isinf(res.high) and res.details["vacuous"]
    assert any("VACUOUS" in a for a in res.assumptions)
    tanh = build("rnn-tanh", "wiener-tanh", T=2).network  # not piecewise linear
    with pytest.raises(ParameterError, match="not piecewise linear"):
        measure(tanh, "wiener-tanh", norm="sup", method="cover")
    with pytest.raises(ParameterError, match="Lipschitz"):
        measure(lp, "majority", norm="sup", method="cover")
    with pytest.raises(ParameterError, match="too large"):
        measure(build("rnn-uniform", "running-mean", T=5).network, "running-mean", norm="sup", method="cover")


def test_cover_through_the_handler_combines_sampled_and_certified():
    from constructions import build
    from verification import measure

    net = build("rnn-uniform", "running-mean", T=2, domain="[-1,1]").network
    res = measure(net, "running-mean", norm="sup", method="cover", domain="[-1,1]", cells=40)
    assert res.certified and res.method == "sequence-sampled+cover"
    assert res.low == res.value <= 1e-14 and res.high <= 2 * (2 / 40) + 1e-9  # (L_N + L_f) r, r = h/2
    auto = measure(net, "running-mean", norm="sup", domain="[-1,1]")
    assert not auto.certified and any("method='cover'" in n for n in auto.details["notes"])
