"""The feed-forward network value: invariants, evaluation, exactness, composition, simplify."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from uat import FeedForward, Layer
from uat.errors import DimensionMismatch, ExactnessError, NonFiniteError
from uat.testing import random_network, tent_network


def test_properties_of_a_small_network():
    net = FeedForward.from_layers(
        [([[1, 0], [0, 1], [1, 1]], [0, 0, 0], "relu"), ([[1, 2, 3]], [1], "relu"), ([[1]], [0])]
    )
    assert (net.input_dim, net.output_dim) == (2, 1)
    assert net.widths == (3, 1) and net.width == 3 and net.depth == 3
    assert net.n_params == 9 + 4 + 2
    assert net.is_exact


def test_frozen():
    net = tent_network(2)
    with pytest.raises(AttributeError):
        net.blocks = ()  # type: ignore[misc]
    with pytest.raises(ValueError):
        net.blocks[0].weights[0, 0, 0] = 5


def test_shapes_must_chain():
    with pytest.raises(DimensionMismatch, match="do not chain"):
        FeedForward.from_layers([([[1, 1]], [0], "relu"), ([[1, 1]], [0])])


def test_bias_shape_checked():
    with pytest.raises(DimensionMismatch, match="bias has shape"):
        Layer.create([[1, 1]], [0, 0])


def test_mixing_floats_and_exact_is_refused():
    with pytest.raises(ExactnessError, match="mix"):
        FeedForward.from_layers([([[1]], ["1/2"], "relu"), ([[0.5]], [0.0])])


def test_nonfinite_weight_refused():
    with pytest.raises(NonFiniteError, match="non-finite"):
        FeedForward.from_layers([([[float("nan")]], [0.0])])


def test_tent_network_is_a_sawtooth():
    net = tent_network(3)
    x = np.linspace(0, 1, 17)
    y = net(x)[:, 0]
    # 3 compositions: 4 teeth of width 1/4; 0 at multiples of 1/4, 1 at odd multiples of 1/8
    assert np.allclose(y[::4], 0.0) and np.allclose(y[2::4], 1.0)


def test_exact_matches_float_on_dyadic_networks(rng, tolerance):
    net = random_network(rng, input_dim=2, output_dim=2, width=4, depth=30, exact=True)
    pts = [[Fraction(int(a), 8), Fraction(int(b), 8)] for a, b in rng.integers(-8, 9, size=(10, 2))]
    exact = net.evaluate_exact(pts).astype(float)
    approx = net(np.array(pts, dtype=float))
    scale = max(1.0, float(np.max(np.abs(exact))))
    assert np.max(np.abs(exact - approx)) <= tolerance["exact_vs_float_dyadic"] * scale


def test_chunked_evaluation_is_identical(rng):
    net = random_network(rng, input_dim=3, output_dim=2, width=5, depth=6)
    x = rng.random((5000, 3))
    assert np.array_equal(net.evaluate(x), net.evaluate(x, chunk_size=1024))


def test_overflow_is_reported():
    big = ([[1e200]], [0.0], "relu")
    net = FeedForward.from_layers([big, big, ([[1.0]], [0.0])])
    with pytest.raises(NonFiniteError, match="overflow"):
        net(np.array([[1.0]]))


def test_compose_and_simplify_keep_the_function(rng):
    inner = random_network(rng, input_dim=2, output_dim=3, width=3, depth=3, exact=True)
    outer = random_network(rng, input_dim=3, output_dim=1, width=2, depth=2, exact=True)
    comp = outer @ inner
    assert comp.depth == inner.depth + outer.depth
    simp = comp.simplify()
    assert simp.depth == comp.depth - 1  # the identity junction is merged
    pts = [[Fraction(1, 3), Fraction(-2, 7)], [Fraction(5, 4), Fraction(0)]]
    assert np.array_equal(simp.evaluate_exact(pts), comp.evaluate_exact(pts))
    direct = outer.evaluate_exact(inner.evaluate_exact(pts))
    assert np.array_equal(comp.evaluate_exact(pts), direct)


def test_simplify_drops_dead_and_duplicate_neurons():
    net = FeedForward.from_layers(
        [
            ([[1], [2], [0], [1], [-1]], [0, 0, 5, 0, 0], "relu"),  # n1 = n4, n2 = 2 n1, n3 constant
            ([[1, 1, 1, 1, 0]], [0], "identity"),  # n5 unused
        ]
    )
    s = net.simplify()
    assert s.widths == (1,)
    pts = [[Fraction(3, 2)], [Fraction(-1)]]
    assert np.array_equal(s.evaluate_exact(pts), net.evaluate_exact(pts))


def test_as_float_is_the_only_conversion():
    net = tent_network(2)
    f = net.as_float()
    assert not f.is_exact and f == f and f != net
    with pytest.raises(ExactnessError):
        f.evaluate_exact([[0]])


# -- per-neuron activations ------------------------------------------------------------------

MIXED = "[relu, step, identity, leaky_relu(1/4), stepped_leaky_relu(1/3)]"


def mixed_network(rng, exact=True):
    return random_network(rng, input_dim=2, output_dim=2, width=5, depth=4, activation=MIXED, exact=exact)


def test_per_neuron_network_descriptors_and_size_check():
    import uat

    net = FeedForward.from_layers([([[1], [1]], [0, "-1/2"], "[relu, step]"), ([[1, 1]], [0])])
    assert [str(a) for a in net.activations] == ["relu", "step", "identity"]
    assert [str(a) for a in net.hidden_activations] == ["relu", "step"]
    assert "relu, step" in repr(net) and net.summary()["activation_profile"][0][0] == "[relu, step]"
    with pytest.raises(DimensionMismatch, match="lists 3 neurons but the layer has 2"):
        FeedForward.from_layers([([[1], [1]], [0, 0], "[relu, step, relu]"), ([[1, 1]], [0])])
    with pytest.raises(uat.errors.UatError, match="lists 3 neurons"):
        text = uat.dumps(net).replace('["relu", "step"]', '["relu", "step", "relu"]')
        assert '"relu", "step", "relu"' in text
        uat.loads(text)


def test_per_neuron_json_round_trip(rng):
    import json

    import uat

    for exact in (True, False):
        net = mixed_network(rng, exact)
        text = uat.dumps(net)
        assert json.loads(text)["layers"][0]["activation"][4] == {"name": "stepped_leaky_relu", "negative_slope": "1/3"}
        back = uat.loads(text)
        assert back == net and str(back.layers[1].activation) == MIXED


def test_per_neuron_float_evaluation_matches_exact(rng, tolerance):
    net = mixed_network(rng)
    pts = [[Fraction(int(a), 8), Fraction(int(b), 8)] for a, b in rng.integers(-16, 17, size=(40, 2))]
    exact = np.array(net.evaluate_exact(pts), dtype=np.float64)
    approx = net.evaluate(np.array(pts, dtype=np.float64))
    assert np.allclose(approx, exact, rtol=0, atol=tolerance["exact_vs_float_dyadic"] * max(1.0, np.abs(exact).max()))


def test_simplify_keeps_the_function_with_per_neuron_layers(rng):
    # duplicates of different activations must not be merged; dead neurons leave their constant
    net = FeedForward.from_layers([
        ([[1], [1], [1], [0], [2]], [0, 0, 0, 3, 0], "[relu, step, relu, step, relu]"),
        ([[1, 1, 1, 1, 1]], [0], "identity"),
    ])
    s = net.simplify()
    pts = [[Fraction(k, 4)] for k in range(-8, 9)]
    assert np.array_equal(s.evaluate_exact(pts), net.evaluate_exact(pts))
    assert s.widths[0] < net.widths[0]  # the relu duplicates (x, x, 2x) merge, the constant step goes
    assert "step" in {str(a) for a in s.hidden_activations}
    for _ in range(3):
        inner, outer = mixed_network(rng), random_network(rng, input_dim=2, output_dim=1, width=3, depth=2, exact=True)
        comp = (outer @ inner)
        simp = comp.simplify()
        pts = [[Fraction(int(a), 4), Fraction(int(b), 4)] for a, b in rng.integers(-8, 9, size=(25, 2))]
        assert np.array_equal(simp.evaluate_exact(pts), comp.evaluate_exact(pts))


def test_per_neuron_exports_agree_with_numpy(rng):
    torch = pytest.importorskip("torch")
    sympy = pytest.importorskip("sympy")
    from uat.export import from_torch, to_sympy, to_torch
    from uat.tolerances import tol

    net = mixed_network(rng, exact=True)
    x = rng.normal(size=(200, 2))
    with torch.no_grad():
        got = to_torch(net)(torch.tensor(x, dtype=torch.float64)).numpy()
    ref = net.evaluate(x)
    assert np.max(np.abs(got - ref)) <= tol("torch_vs_numpy") * max(1.0, np.abs(ref).max())
    assert from_torch(to_torch(net)) == net.as_float()
    exprs = to_sympy(net)
    syms = sorted(set().union(*(e.free_symbols for e in exprs)), key=str)
    for p in [[Fraction(1, 2), Fraction(-3, 4)], [Fraction(0), Fraction(0)], [Fraction(5, 4), Fraction(1, 8)]]:
        sub = {s: sympy.Rational(v.numerator, v.denominator) for s, v in zip(syms, p)}
        vals = [e.xreplace(sub) for e in exprs]
        assert [Fraction(int(v.p), int(v.q)) for v in vals] == list(net.evaluate_exact([p])[0])
