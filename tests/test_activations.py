"""Activation values: notation round trip, validation, numpy vs exact."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from uat.activations import ACTIVATION_NAMES, Activation, leaky_relu, parse_activation, power
from uat.errors import ActivationError, ExactnessError

ALL = [
    Activation("identity"), Activation("relu"), leaky_relu("1/10"), leaky_relu("-1/4", allow_negative=True),
    Activation("step"), power(3), Activation("softplus"), Activation("gelu"), Activation("tanh"),
    Activation("sigmoid"), Activation("exp"),
    Activation("stepped_leaky_relu", Fraction(1, 4)),  # added by the leaky-ReLU helper (stepped leaky ReLU)
]


@pytest.mark.parametrize("act", ALL, ids=str)
def test_text_and_json_round_trip(act):
    assert parse_activation(str(act)) == act
    assert parse_activation(act.to_json()) == act
    assert parse_activation(repr(act)[len("Activation('"):-2]) == act


def test_every_name_is_covered():
    assert {a.name for a in ALL} == set(ACTIVATION_NAMES)


@pytest.mark.parametrize("act", [a for a in ALL if a.is_exact], ids=str)
def test_exact_agrees_with_numpy(act, rng, tolerance):
    ts = [Fraction(int(k), 8) for k in rng.integers(-24, 25, size=20)] + [Fraction(0)]
    exact = np.array([float(act.exact(t)) for t in ts])
    approx = act.numpy(np.array([float(t) for t in ts]))
    # the slope 1/10 is not a float, so products may differ in the last bit
    assert np.allclose(exact, approx, rtol=tolerance["exact_vs_float_dyadic"], atol=0)


@pytest.mark.parametrize(
    "spec,match",
    [
        ("swish", "unknown activation"),
        ("leaky_relu(0)", "slope 0 is relu"),
        ("leaky_relu(1)", "in \\(0, 1\\)"),
        ("leaky_relu(3/2)", "in \\(0, 1\\)"),
        ("leaky_relu", "needs its parameter"),
        ("relu(2)", "takes no parameter"),
        ("power(1/2)", "integer k >= 1"),
        ("power(0)", "integer k >= 1"),
        ({"name": "leaky_relu"}, "needs its parameter"),
        ({"name": "relu", "k": 2}, "unexpected keys"),
        ("relu)(", "cannot read"),
    ],
)
def test_bad_activations(spec, match):
    with pytest.raises(ActivationError, match=match):
        parse_activation(spec)


def test_negative_slope_needs_opt_in():
    with pytest.raises(ActivationError, match="allow_negative=True"):
        leaky_relu("-1/4")


def test_leaky_slope_must_be_exact():
    with pytest.raises(ExactnessError, match="float 0.1"):
        leaky_relu(0.1)


def test_transcendental_has_no_exact_value():
    with pytest.raises(ExactnessError, match="no exact rational values"):
        Activation("tanh").exact(Fraction(1))


def test_softplus_is_stable():
    z = np.array([-800.0, 0.0, 800.0])
    out = Activation("softplus").numpy(z.copy())
    assert np.all(np.isfinite(out)) and out[2] == 800.0 and abs(out[1] - np.log(2)) < 1e-15


# -- per-neuron activations (uat._mixed.MixedActivation) ---------------------------------------

MIXED_PARTS = ["relu", "step", "identity", "leaky_relu(1/10)", "stepped_leaky_relu(1/4)", "tanh", "power(2)"]


def test_per_neuron_notation_and_json_round_trip():
    from uat._mixed import MixedActivation

    m = parse_activation(MIXED_PARTS)
    assert isinstance(m, MixedActivation) and m.size == 7
    assert str(m) == "[relu, step, identity, leaky_relu(1/10), stepped_leaky_relu(1/4), tanh, power(2)]"
    assert parse_activation(str(m)) == m  # the text form, commas inside parentheses included
    assert parse_activation(m.to_json()) == m
    assert m.to_json()[3] == {"name": "leaky_relu", "negative_slope": "1/10"}
    assert parse_activation(repr(m)[len("MixedActivation('"):-2]) == m
    assert [str(a) for a in m.distinct] == MIXED_PARTS  # all distinct here, in order of first use
    assert m.neuron(1) == Activation("step") and m.select([0, 2]) == parse_activation("[relu, identity]")
    assert m.select([0, 0]) == Activation("relu")  # one activation for all neurons: the plain value
    assert not m.is_exact and not m.is_piecewise_linear  # tanh has no exact values; step is not continuous
    assert parse_activation("[relu, relu]") == Activation("relu")


@pytest.mark.parametrize("spec, match", [
    ([], "at least one"),
    ("[relu, swish]", "unknown activation"),
    ("[relu, step", "expected e.g."),
    (["relu", "leaky_relu(2)"], "in \\(0, 1\\)"),
])
def test_bad_per_neuron_activations(spec, match):
    with pytest.raises(ActivationError, match=match):
        parse_activation(spec)


def test_per_neuron_numpy_is_column_by_column_and_agrees_with_exact():
    m = parse_activation([p for p in MIXED_PARTS if p != "tanh"])  # exact parts only
    ts = [Fraction(-3, 2), Fraction(0), Fraction(-1, 8), Fraction(5, 4), Fraction(0), Fraction(-3, 8)]
    exact = [float(v) for v in m.exact_vector(ts)]
    z = np.array([[float(t) for t in ts]])
    assert m.numpy(z.copy()).tolist() == [exact]
    # column j of a batch is neuron j's activation applied to that column
    rng = np.random.default_rng(3)
    Z = rng.normal(size=(50, m.size))
    out = m.numpy(Z.copy())
    for j in range(m.size):
        np.testing.assert_array_equal(out[:, j], m.neuron(j).numpy(Z[:, j].copy()))
    with pytest.raises(ActivationError, match="applied to 3 values"):
        m.numpy(np.zeros((2, 3)))
    with pytest.raises(ActivationError, match="exact_vector"):
        m.exact(Fraction(1))
