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
