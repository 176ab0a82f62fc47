"""Torch export of DeepSets embeddings: phi and the sum pooling match numpy."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import uat.export  # noqa: E402
from constructions import build  # noqa: E402
from uat.export import UnsupportedModule  # noqa: E402
from uat.tolerances import tol  # noqa: E402


@pytest.mark.parametrize("name,kw", [("deepsets-lp", {"variant": "improved"}), ("deepsets-lp", {"variant": "paper"}),
                                     ("deepsets-le", {})])
def test_torch_pooling_matches_numpy(name, kw, rng):
    net = build(name, "sum", N=4, D=3, **kw).network
    module = uat.export.to_torch(net)
    x = rng.uniform(-1, 1, (32, 4, 3))
    want = net.embed(x)
    got = module(torch.tensor(x)).detach().numpy()
    assert got.shape == want.shape == (32, net.width)
    rel = np.max(np.abs(got - want)) / np.max(np.abs(want))
    assert rel <= tol("torch_vs_numpy")
    # rho runs on the torch pooled vector and gives the network's output
    assert np.max(np.abs(net.rho(got) - net(x))) <= tol("decode")


def test_single_set_and_errors():
    net = build("deepsets-lp", N=3, D=2).network
    module = uat.export.deepsets_to_torch(net)
    out = module(torch.zeros(3, 2, dtype=torch.float64))
    assert out.shape == (1, net.width)
    with pytest.raises(ValueError, match="expected sets"):
        module(torch.zeros(1, 3, 5, dtype=torch.float64))
    with pytest.raises(UnsupportedModule):
        uat.export.deepsets_to_torch(object())
