"""rnn-lp: width max(d_x+1, d_y), exact memorisation on the good set, L^p error with confidence intervals, budgets."""

from __future__ import annotations

import numpy as np
import pytest

from constructions import build
from uat.errors import BudgetExceeded, ParameterError, PrecisionBudgetExceeded
from uat.sequence_targets import make_sequence_target
from verification import measure
from verification.judge import judge


@pytest.mark.parametrize(
    "name, kwargs, eps",
    [
        ("majority", {"T": 2, "bits": 5, "p": 1.0}, 0.05),
        ("running-mean", {"T": 2, "bits": 5, "p": 2.0}, 0.03),
        ("running-max", {"T": 1, "input_dim": 2, "bits": 5, "p": 2.0}, 0.05),
    ],
)
def test_lp_targets_reach_eps_with_a_confidence_interval(name, kwargs, eps):
    c = build("rnn-lp", name, eps=eps, **kwargs)
    f = make_sequence_target(name, input_dim=kwargs.get("input_dim", 1))
    assert c.network.width == c.width == max(f.input_dim + 1, f.output_dim)
    res = measure(c.network, name, norm="lp", p=c.p, m=10)
    assert res.high <= eps and res.low <= res.value <= res.high
    assert res.details["causality"]["passed"]
    assert judge(res, eps).passed


def test_error_falls_with_bits():
    errs = [measure(build("rnn-lp", "running-mean", T=2, bits=M).network, "running-mean", norm="lp", p=2.0, m=10).value
            for M in (2, 3, 4, 5)]
    assert all(b < a * 0.7 for a, b in zip(errs, errs[1:]))


def test_memoriser_is_exact_at_cell_centres():
    """At the centre of every quantisation cell the network returns the target's value there."""
    T, M = 2, 3
    c = build("rnn-lp", "iir", T=T, bits=M, domain="[-1,1]")
    f = make_sequence_target("iir")
    n = 2**M
    k = np.indices((n, n)).reshape(2, -1).T
    x = -1 + 2 * (k + 0.5) / n
    got = c.network.evaluate(x[:, :, None])
    want = f(x[:, :, None])
    assert np.max(np.abs(got - want)) <= 1e-9
    # and in a neighbourhood of the centre that is not a ramp: shift every token by 1/4 of a cell
    got2 = c.network.evaluate(x[:, :, None] + 0.5 / n)
    assert np.max(np.abs(got2 - want)) <= 1e-9


def test_budgets_and_bad_input():
    with pytest.raises(PrecisionBudgetExceeded, match="52"):
        build("rnn-lp", "majority", T=11, bits=4, max_codes=2**62)
    with pytest.raises(BudgetExceeded, match="codes"):
        build("rnn-lp", "majority", T=4, bits=4)
    with pytest.raises(ParameterError, match="d_y > d_x"):
        build("rnn-lp", lambda p: np.concatenate([p[:, -1], p[:, -1]], axis=1), input_dim=1)
    with pytest.raises(ParameterError, match="not causal"):
        build("rnn-lp", "reversal")
    with pytest.raises(ParameterError, match="p must"):
        build("rnn-lp", "majority", p=0.5)
