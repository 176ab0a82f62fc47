"""Torch export of recurrent witnesses: outputs equal numpy's to 1e-12 relative to the output and readout scale."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from constructions import build  # noqa: E402
from uat.errors import UatError  # noqa: E402
from uat.export import to_torch  # noqa: E402
from uat.export._torch_rnn import RecurrentModule, to_torch_rnn  # noqa: E402


@pytest.mark.parametrize(
    "name, kind, kwargs",
    [
        ("rnn-uniform", "wiener-tanh", {"T": 5, "eps": 1e-3}),
        ("brnn-uniform", "reversal", {"T": 5, "input_dim": 2}),
        ("rnn-lp", "majority", {"T": 2, "bits": 3}),
        ("rnn-sigmoid", "wiener-sin", {"T": 4, "eps": 1e-3}),
        ("rnn-tanh-iir", "wiener-sin", {"T": 5, "eps": 1e-3}),
        ("rnn-lp", "gaussian-wave", {"T": 1, "bits": 4, "whole": True, "eps": 0.2}),  # affine readout (decoder)
        ("brnn-lp", "reversal", {"T": 2, "bits": 2}),
    ],
)
def test_torch_matches_numpy(name, kind, kwargs, tolerance):
    net = build(name, kind, **kwargs).network
    module = to_torch(net)
    assert isinstance(module, RecurrentModule)
    x = np.random.default_rng(0).random((64, kwargs["T"], net.input_dim))
    want = net.evaluate(x)
    with torch.no_grad():
        got = module(torch.tensor(x, dtype=torch.float64)).numpy()
    assert got.shape == want.shape
    # scale: the output, times the readout's row sums (the delta-trick readout divides by delta sigma'(0),
    # so summation order alone moves its result by eps_mach * that factor)
    q = np.abs(np.asarray(net.as_float().readout)).sum(axis=1).max()
    scale = max(1.0, float(np.max(np.abs(want)))) * max(1.0, float(q))
    assert np.max(np.abs(got - want)) <= tolerance["torch_vs_numpy"] * scale


def test_torch_rnn_refuses_other_values():
    with pytest.raises(UatError):
        to_torch_rnn("not a network")


def test_torch_file_round_trip_and_cli(tmp_path, tolerance):
    """`uat export f.json --to torch out.pt` writes a weights-only file that rebuilds the module and the network."""
    from uat.cli import main
    from uat.errors import FormatError
    from uat.export import load_torch_rnn, save_torch_rnn
    from uat.io import save

    net = build("brnn-uniform", "reversal", T=4).network
    src = tmp_path / "w.json"
    out = tmp_path / "w.pt"
    save(net, src)
    assert main(["export", str(src), "--to", "torch", str(out)]) == 0
    payload = torch.load(out, weights_only=True)
    assert payload["format"] == "uat.torch-rnn/1" and payload["exact_source"] is True
    back = load_torch_rnn(out, as_network=True)
    assert back == net.as_float() and back.metadata["construction"] == "brnn-uniform"
    x = np.random.default_rng(1).random((16, 4, 1))
    with torch.no_grad():
        got = load_torch_rnn(out)(torch.tensor(x)).numpy()
    assert np.max(np.abs(got - net.evaluate(x))) <= tolerance["torch_vs_numpy"] * 10
    bad = tmp_path / "bad.pt"
    torch.save({"format": "uat.torch/1"}, bad)
    with pytest.raises(FormatError, match="not a uat.torch-rnn/1 file"):
        load_torch_rnn(bad)
    with pytest.raises(UatError):
        save_torch_rnn("not a network", tmp_path / "x.pt")
