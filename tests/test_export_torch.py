"""uat.export torch: float64 nn.Sequential equal to numpy evaluation, from_torch back, weights-only files."""

from __future__ import annotations

import subprocess
import sys
import zlib
from fractions import Fraction

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import uat  # noqa: E402
from uat.activations import leaky_relu  # noqa: E402
from uat.errors import FormatError, NonFiniteError, UatError  # noqa: E402
from uat.export import UnsupportedModule, from_torch, load_torch, save_torch, to_torch  # noqa: E402
from uat.export._torch import LogAddExpSoftplus, Power, Step, SteppedLeakyReLU  # noqa: E402
from uat.testing import random_network, tent_network  # noqa: E402
from uat.tolerances import tol  # noqa: E402



@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Deep narrow networks run one small op per layer: extra threads only add sync cost."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# (activation, depth, input scale): power and exp grow without bound, so they stay shallow
SWEEP = [
    ("relu", 1000, 1.0),
    ("leaky_relu(1/10)", 1000, 1.0),
    ("leaky_relu(-1/3)", 300, 1.0),
    ("step", 300, 1.0),
    ("stepped_leaky_relu(1/4)", 300, 1.0),
    ("softplus", 300, 1.0),
    ("gelu", 1000, 1.0),
    ("tanh", 1000, 1.0),
    ("sigmoid", 300, 1.0),
    ("power(2)", 4, 0.5),
    ("power(3)", 3, 0.5),
    ("exp", 3, 0.5),
]


def torch_eval(module: nn.Module, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return module(torch.tensor(x, dtype=torch.float64)).numpy()


def relative_gap(net: uat.FeedForward, module: nn.Module, x: np.ndarray) -> float:
    """max |torch - numpy| divided by the output scale max |numpy|."""
    ref = net.evaluate(x)
    got = torch_eval(module, x)
    scale = max(float(np.max(np.abs(ref))), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(got - ref))) / scale


@pytest.mark.parametrize("activation, depth, scale", SWEEP, ids=[s[0] for s in SWEEP])
def test_torch_equals_numpy_on_random_networks(activation, depth, scale):
    rng = np.random.default_rng(zlib.crc32(activation.encode()))
    net = random_network(rng, input_dim=3, output_dim=2, width=6, depth=depth, activation=activation, orthogonal=True)
    module = to_torch(net)
    x = scale * rng.standard_normal((200, 3))
    assert relative_gap(net, module, x) <= tol("torch_vs_numpy")


@pytest.mark.parametrize("activation", [s[0] for s in SWEEP])
def test_from_torch_inverts_to_torch_bitwise(rng, activation):
    net = random_network(rng, input_dim=2, output_dim=3, width=4, depth=5, activation=activation)
    back = from_torch(to_torch(net))
    assert back == net
    for a, b in zip(net.iter_layers(), back.iter_layers()):
        assert a.weight.tobytes() == b.weight.tobytes() and a.bias.tobytes() == b.bias.tobytes()


def test_module_layout_and_dtype():
    net = uat.FeedForward.from_layers(
        [([[1], [-1]], [0, 0], "leaky_relu(1/4)"), ([[1, 1]], ["1/2"], "step"), ([[2]], [0])]
    )
    module = to_torch(net)
    kinds = [type(m) for m in module]
    assert kinds == [nn.Linear, nn.LeakyReLU, nn.Linear, Step, nn.Linear]  # identity adds nothing
    assert module[1].negative_slope == 0.25
    assert all(p.dtype == torch.float64 for p in module.parameters())


def test_exact_networks_round_to_float64_like_as_float():
    net = tent_network(6)
    module = to_torch(net)
    x = np.linspace(0, 1, 257)[:, None]
    assert relative_gap(net, module, x) <= tol("torch_vs_numpy")
    assert from_torch(module) == net.as_float()


def test_leaky_slopes_come_back_exact():
    for slope in ["1/3", "-1/3", Fraction(0.1), "1/100"]:
        act = leaky_relu(slope, allow_negative=True)
        net = uat.FeedForward.from_layers([([[1.0]], [0.0], act), ([[1.0]], [0.0])])
        assert from_torch(to_torch(net)).layers[0].activation == act
    # a plain LeakyReLU slope reads as the simplest rational with the same float
    plain = nn.Sequential(nn.Linear(1, 1), nn.LeakyReLU(0.01), nn.Linear(1, 1))
    assert str(from_torch(plain).layers[0].activation) == "leaky_relu(1/100)"
    assert from_torch(nn.Sequential(nn.Linear(1, 1), nn.LeakyReLU(0.0))).layers[0].activation.name == "relu"


def test_stepped_leaky_relu_module_jump_and_exact_slope(tmp_path):
    from uat.activations import stepped_leaky_relu

    act = stepped_leaky_relu("1/3")
    net = uat.FeedForward.from_layers([([[1], [-1]], ["-1/2", 0], act), ([[1, 1]], [0])])
    module = to_torch(net)
    assert [type(m) for m in module] == [nn.Linear, SteppedLeakyReLU, nn.Linear]
    # the convention at the jump: t >= 0 takes the identity branch (value 0 at 0, limit -1 from the left)
    t = torch.tensor([-2.0, -1e-300, 0.0, -0.0, 1e-300, 3.0], dtype=torch.float64)
    np.testing.assert_array_equal(module[1](t).numpy(), act.numpy(t.numpy().copy()))
    assert module[1](t).tolist()[1:4] == [-1.0, 0.0, 0.0]
    x = np.array([[-1.0], [0.0], [0.5], [0.25], [1.0]])  # the jumps sit at x = 0 and x = 1/2
    np.testing.assert_array_equal(torch_eval(module, x), net.evaluate(x))
    back = from_torch(module)
    assert back.layers[0].activation == act and back == net.as_float()
    # a hand-made module reads its slope as the simplest rational
    plain = nn.Sequential(nn.Linear(1, 1), SteppedLeakyReLU(0.1), nn.Linear(1, 1))
    assert str(from_torch(plain).layers[0].activation) == "stepped_leaky_relu(1/10)"
    with pytest.raises(UnsupportedModule, match="stepped_leaky_relu negative_slope"):
        from_torch(nn.Sequential(nn.Linear(1, 1), SteppedLeakyReLU(1.5)))
    # weights-only files carry it by name
    save_torch(net, tmp_path / "s.pt")
    assert load_torch(tmp_path / "s.pt", as_network=True) == net.as_float()


def test_stepped_witness_in_torch_matches_numpy_on_cell_edges():
    from constructions import build

    net = build("leaky-stepped-uniform", "[x1**2, 1 - x1]", eps=0.2, domain="[0,1]", progress="quiet").network
    x = np.union1d(np.linspace(0, 1, 4001), np.arange(65) / 64)[:, None]  # every quantiser jump included
    assert relative_gap(net, to_torch(net), x) <= tol("torch_vs_numpy")


def test_softplus_module_is_logaddexp_not_torch_threshold():
    t = torch.tensor([-30.0, 0.0, 21.0, 25.0, 800.0], dtype=torch.float64)
    ours = LogAddExpSoftplus()(t).numpy()
    ref = np.logaddexp(0.0, t.numpy())
    assert np.max(np.abs(ours - ref) / np.maximum(np.abs(ref), 1.0)) <= tol("torch_vs_numpy")
    # the trap: nn.Softplus() returns t itself above threshold 20, off by e^-21 ~ 7.6e-10 at t = 21,
    # a relative error of 3.6e-11, far above the torch_vs_numpy tolerance
    theirs = nn.Softplus()(t).numpy()
    assert abs(theirs[2] - ref[2]) / ref[2] > 10 * tol("torch_vs_numpy")


def test_from_plain_torch_modules(rng):
    torch.manual_seed(0)
    module = nn.Sequential(
        nn.Linear(3, 5),
        nn.GELU(approximate="none"),
        nn.Sequential(nn.Linear(5, 4, bias=False), nn.Identity(), nn.Tanh()),
        nn.Linear(4, 4),
        nn.Softplus(beta=1, threshold=50),
        nn.Linear(4, 2),
        nn.Sigmoid(),
    )  # float32
    net = from_torch(module)
    assert [str(a) for a, _ in net.activation_profile()] == ["gelu", "tanh", "softplus", "sigmoid"]
    assert not net.is_exact and net.layers[1].bias.tolist() == [0.0] * 4
    x = rng.standard_normal((50, 3))
    assert relative_gap(net, module.double(), x) <= tol("torch_vs_numpy")
    assert from_torch(nn.Sequential(nn.Linear(2, 1), Power(3))).layers[0].activation == uat.parse_activation("power(3)")


BAD_MODULES = [
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.Conv1d(1, 1, 1)), UnsupportedModule, "Conv1d"),
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.Dropout()), UnsupportedModule, "Dropout"),
    (lambda: nn.Sequential(nn.ReLU(), nn.Linear(2, 2)), UnsupportedModule, "no nn.Linear before it"),
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Tanh()), UnsupportedModule, "follows another activation"),
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.GELU(approximate="tanh")), UnsupportedModule, "approximate='none'"),
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.Softplus()), UnsupportedModule, "threshold >= 40"),
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.Softplus(beta=2, threshold=50)), UnsupportedModule, "beta=1"),
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.LeakyReLU(1.5)), UnsupportedModule, "negative_slope"),
    (lambda: nn.Sequential(nn.Linear(2, 2), type("MyReLU", (nn.ReLU,), {})()), UnsupportedModule, "MyReLU"),
    (lambda: nn.Sequential(nn.Identity()), UnsupportedModule, "no nn.Linear layer"),
    (lambda: nn.Sequential(nn.Linear(2, 3), nn.Linear(2, 1)), uat.errors.DimensionMismatch, "do not chain"),
    (lambda: "not a module", UnsupportedModule, "needs a torch.nn.Module"),
]


@pytest.mark.parametrize("make, error, match", BAD_MODULES, ids=[b[2] for b in BAD_MODULES])
def test_from_torch_refuses_what_it_cannot_read(make, error, match):
    with pytest.raises(error, match=match) as info:
        from_torch(make())
    assert isinstance(info.value, UatError)


def test_from_torch_refuses_non_finite_weights():
    lin = nn.Linear(2, 1)
    with torch.no_grad():
        lin.weight[0, 0] = float("nan")
    with pytest.raises(NonFiniteError, match="non-finite"):
        from_torch(nn.Sequential(lin))


def test_file_round_trip_is_weights_only(rng, tmp_path):
    net = random_network(rng, input_dim=2, output_dim=2, width=3, depth=6, activation="leaky_relu(1/8)")
    net = net.with_metadata(construction="random", epsilon=0.25)
    path = tmp_path / "net.pt"
    save_torch(net, path)
    payload = torch.load(path, weights_only=True)
    assert payload["format"] == "uat.torch/1"
    assert payload["architecture"][0] == {"in_features": 2, "out_features": 3, "activation": "leaky_relu(1/8)", "count": 1}
    assert payload["architecture"][1]["count"] == 4 and tuple(payload["weights"][1].shape) == (4, 3, 3)
    assert payload["weights"][0].dtype == torch.float64
    module = load_torch(path)
    x = rng.standard_normal((20, 2))
    assert relative_gap(net, module, x) <= tol("torch_vs_numpy")
    back = load_torch(path, as_network=True)
    assert back == net and back.metadata["construction"] == "random"


def test_bad_torch_files(tmp_path):
    missing = tmp_path / "missing.pt"
    with pytest.raises(FormatError, match="no such file"):
        load_torch(missing)
    text = tmp_path / "text.pt"
    text.write_text("hello")
    with pytest.raises(FormatError, match="not a weights-only torch file"):
        load_torch(text)
    other = tmp_path / "other.pt"
    torch.save({"format": "something/1"}, other)
    with pytest.raises(FormatError, match="not a uat.torch/1 file"):
        load_torch(other)
    pickled = tmp_path / "pickled.pt"
    torch.save({"format": "uat.torch/1", "module": nn.ReLU()}, pickled)  # a pickled class: refused
    with pytest.raises(FormatError, match="not a weights-only torch file"):
        load_torch(pickled)
    # tensors that do not fit the recorded architecture
    good = tmp_path / "good.pt"
    save_torch(tent_network(2), good)
    payload = torch.load(good, weights_only=True)
    payload["weights"][1] = torch.zeros(1, 3, 3, dtype=torch.float64)
    broken = tmp_path / "broken.pt"
    torch.save(payload, broken)
    with pytest.raises(FormatError, match="do not match the architecture"):
        load_torch(broken)
    payload["weights"] = payload["weights"][:1]
    torch.save(payload, broken)
    with pytest.raises(FormatError, match="one tensor per architecture entry"):
        load_torch(broken)
    payload = torch.load(good, weights_only=True)
    payload["weights"][0][0, 0, 0] = float("inf")
    torch.save(payload, broken)
    with pytest.raises(NonFiniteError, match="non-finite"):
        load_torch(broken, as_network=True)


def test_import_uat_export_stays_light():
    code = (
        "import sys, uat.export; print(','.join(m for m in ('torch', 'sympy', 'networkx') if m in sys.modules))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == ""


@pytest.mark.slow
@pytest.mark.parametrize("activation", ["relu", "leaky_relu(1/10)", "tanh", "gelu"])
def test_depth_ten_thousand(activation):
    rng = np.random.default_rng(7)
    net = random_network(rng, input_dim=2, output_dim=1, width=8, depth=10_000, activation=activation, orthogonal=True)
    module = to_torch(net)
    assert len([m for m in module if isinstance(m, nn.Linear)]) == 10_000
    assert relative_gap(net, module, rng.standard_normal((100, 2))) <= tol("torch_vs_numpy")
    assert from_torch(module) == net


# -- per-neuron activations (MixedActivation) -------------------------------------------------

MIXED = ["relu", "step", "identity", "leaky_relu(1/3)", "stepped_leaky_relu(1/4)", "tanh"]


def test_per_neuron_module_matches_numpy_and_reads_back_exactly(rng, tmp_path):
    from uat.export._torch import PerNeuron

    net = random_network(rng, input_dim=2, output_dim=2, width=6, depth=8, activation=MIXED, orthogonal=True)
    module = to_torch(net)
    assert type(module[1]) is PerNeuron and module[1].size == 6
    x = rng.standard_normal((500, 2))
    assert relative_gap(net, module, x) <= tol("torch_vs_numpy")
    back = from_torch(module)
    assert back == net and str(back.layers[0].activation) == "[" + ", ".join(MIXED) + "]"
    for a, b in zip(net.iter_layers(), back.iter_layers()):
        assert a.weight.tobytes() == b.weight.tobytes()
    # each neuron's own convention at 0: step and stepped leaky ReLU take the right branch there
    t = torch.tensor([[0.0, 0.0, 0.0, 0.0, 0.0, 0.0], [-2.0] * 6], dtype=torch.float64)
    expected = net.layers[0].activation.numpy(t.numpy().copy())
    np.testing.assert_array_equal(module[1](t).numpy(), expected)
    # gradients flow through the column assignment
    xt = torch.tensor(x[:3], requires_grad=True)
    module(xt).sum().backward()
    assert xt.grad is not None and torch.isfinite(xt.grad).all()
    # weights-only files carry the per-neuron activation by its text form
    save_torch(net, tmp_path / "mixed.pt")
    assert torch.load(tmp_path / "mixed.pt", weights_only=True)["architecture"][0]["activation"].startswith("[relu, step")
    assert load_torch(tmp_path / "mixed.pt", as_network=True) == net


def test_hand_made_per_neuron_module_reads_simple_slopes():
    from uat.export._torch import PerNeuron

    per = PerNeuron(3, [(nn.LeakyReLU(0.1), [0, 2]), (Step(), [1])])
    back = from_torch(nn.Sequential(nn.Linear(1, 3), per, nn.Linear(3, 1)))
    assert str(back.layers[0].activation) == "[leaky_relu(1/10), step, leaky_relu(1/10)]"
    with pytest.raises(UnsupportedModule, match="no activation"):
        from_torch(nn.Sequential(nn.Linear(1, 3), PerNeuron(3, [(nn.ReLU(), [0, 1])])))
    with pytest.raises(UnsupportedModule, match="covered twice"):
        from_torch(nn.Sequential(nn.Linear(1, 2), PerNeuron(2, [(nn.ReLU(), [0, 1]), (Step(), [1])])))


def test_relu_step_witness_in_torch_matches_numpy_on_cell_edges():
    from constructions import build

    net = build("relu-step-uniform", "circle", eps=0.2, input_dim=1, progress="quiet").network
    x = np.union1d(np.linspace(0, 1, 4001), np.arange(65) / 64)[:, None]  # the STEP neurons jump at k/N
    module = to_torch(net)
    assert relative_gap(net, module, x) <= tol("torch_vs_numpy")  # the same branch at every jump
    assert from_torch(module) == net.as_float()
