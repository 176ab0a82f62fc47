"""rnn-lp / brnn-lp: width max(d_x+1, d_y), exact memorisation and decoding on the good set, L^p error with
confidence intervals (on a box and on the whole space), exact zeros far away, budgets."""

from __future__ import annotations

import numpy as np
import pytest

from constructions import build
from uat.errors import BudgetExceeded, ParameterError, PrecisionBudgetExceeded
from uat.sequence_targets import make_sequence_target
from verification import measure
from constructions._rnn_lp_cases import mean_and_square, pair_to_three, three_moments
from uat.recurrent import BiLayer
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
    with pytest.raises(ParameterError, match="radius"):
        build("rnn-lp", lambda p: np.concatenate([p[:, -1], p[:, -1]], axis=1), input_dim=1, whole=True)
    with pytest.raises(ParameterError, match="use brnn-lp"):
        build("rnn-lp", "centred-moving-average")
    with pytest.raises(PrecisionBudgetExceeded, match="2 T"):
        build("brnn-lp", "reversal", T=7, bits=3, max_codes=2**62)
    with pytest.raises(ParameterError, match="not causal"):
        build("rnn-lp", "reversal")
    with pytest.raises(ParameterError, match="p must"):
        build("rnn-lp", "majority", p=0.5)


@pytest.mark.parametrize(
    "fn, dx, kwargs, eps",
    [(mean_and_square, 1, {"T": 2, "bits": 3}, 0.06), (three_moments, 1, {"T": 1, "bits": 5}, 0.1),
     (pair_to_three, 2, {"T": 1, "bits": 3}, 0.25)],
    ids=["(1,2)", "(1,3)", "(2,3)"],
)
def test_decoder_width_dy_is_exact_on_cell_centres(fn, dx, kwargs, eps):
    """d_y > d_x: width exactly d_y = max(d_x+1, d_y); at every cell centre the output is the target's value there
    rounded to the dyadic output grid (the digit sweeps and the raster decode integer codes exactly)."""
    c = build("rnn-lp", fn, input_dim=dx, eps=eps, **kwargs)
    net, T, M = c.network, kwargs["T"], kwargs["bits"]
    dy = net.output_dim
    assert net.width == c.width == max(dx + 1, dy) == dy and net.readout_bias is not None
    n = 2**M
    k = np.indices((n,) * (T * dx)).reshape(T * dx, -1).T.reshape(-1, T, dx)
    x = (k + 0.5) / n
    want = np.stack([fn(x[:, : t + 1]) for t in range(T)], axis=1)
    step = c.parameters["output_step"]
    got = net.evaluate(x)
    assert np.array_equal(got / step, np.rint(got / step))  # on the grid, bit for bit
    assert np.max(np.abs(got - want)) <= step / 2 + 1e-12  # the nearest level
    res = measure(net, fn, norm="lp", p=2.0, m=9)
    assert res.high <= eps and res.details["causality"]["passed"]


def test_whole_space_output_is_exactly_zero_far_away_and_the_lp_error_is_small():
    c = build("rnn-lp", "gaussian", T=2, bits=4, whole=True, eps=0.2)
    net = c.network
    assert net.width == 2 and c.parameters["whole_space"] and c.domain == "[-11/4,11/4]"  # tail(11/4) <= eps/4
    rng = np.random.default_rng(3)
    for far in (1e3, 1e6, -1e3, -1e6):
        x = rng.uniform(-2, 2, size=(64, 2, 1))
        x[:32, 0, 0] = far  # first token far: both outputs vanish
        x[32:, 1, 0] = far  # second token far: the second output vanishes, the first does not
        y = net.evaluate(x)
        assert np.all(y[:32] == 0.0) and np.all(y[32:, 1] == 0.0) and np.any(y[32:, 0] != 0.0)
    res = measure(net, "gaussian", norm="lp", p=2.0, m=10, replicates=4)  # metadata: whole space
    assert res.method == "sequence-qmc-whole" and res.details["far_field_max"] == 0.0
    assert res.high <= 0.2 and max(res.details["tail_per_t"]) <= 0.2 / 4
    inner = measure(net, "gaussian", norm="lp", p=2.0, m=10, replicates=4, whole_space=False)
    # on the box the norm at time t is over K^T (volume |K|^T); at t = T that is the whole-space cube term
    assert inner.method == "sequence-qmc" and inner.details["per_t"][-1] <= res.details["per_t"][-1]


def test_whole_space_with_decoder_vanishes_exactly():
    c = build("rnn-lp", "gaussian-wave", T=1, bits=5, whole=True, eps=0.2)
    net = c.network
    assert net.width == 2 and net.output_dim == 2
    x = np.array([[[1e3]], [[-1e6]], [[1e6]], [[3.5]]])
    assert np.all(net.evaluate(x) == 0.0)
    assert measure(net, "gaussian-wave", norm="lp", p=2.0, m=10, replicates=4).high <= 0.2


@pytest.mark.parametrize("name, kwargs, eps", [("reversal", {"T": 3, "bits": 3}, 0.1),
                                                ("centred-moving-average", {"T": 3, "bits": 3, "p": 1.0}, 0.1)])
def test_brnn_lp_for_non_causal_targets(name, kwargs, eps):
    c = build("brnn-lp", name, eps=eps, **kwargs)
    net = c.network
    assert net.width == c.width == 2 and net.is_bidirectional and not net.is_causal
    assert sum(isinstance(l, BiLayer) for l in net.layers) == 1 and c.theorem == "song2023-brnn-lp"
    res = measure(net, name, norm="lp", p=c.p, m=10)
    assert res.high <= eps
    # exact at the cell centres: the BRNN reads the whole sequence at every t
    n = 8
    k = np.indices((n,) * 3).reshape(3, -1).T[:, :, None]
    x = (k + 0.5) / n
    f = make_sequence_target(name, causal=False)
    assert np.max(np.abs(net.evaluate(x) - f(x))) <= 1e-9


def test_brnn_whole_space_vanishes_exactly_and_levels_can_be_fixed():
    c = build("brnn-lp", "gaussian-cos", T=2, bits=3, whole=True, eps=0.3)
    x = np.random.default_rng(5).uniform(-1, 1, size=(8, 2, 1))
    x[:4, 1, 0] = 1e6  # a far token anywhere silences every time step of the BRNN
    x[4:, 0, 0] = -1e3
    assert np.all(c.network.evaluate(x) == 0.0)
    res = measure(c.network, "gaussian-cos", norm="lp", p=2.0, m=9, replicates=4)
    assert res.details["far_field_max"] == 0.0 and np.isfinite(res.high)
    fixed = build("rnn-lp", mean_and_square, input_dim=1, T=1, bits=3, levels=17)
    assert fixed.parameters["output_levels"] >= 17 and fixed.network.width == 2
