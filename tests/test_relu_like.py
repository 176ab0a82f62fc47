"""ReLU-like witnesses by the scaled substitution sigma(alpha z)/alpha (relu.md §5, §11 item 8)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import constructions
import verification
from constructions.relu_like_lp_compact import substitute
from uat.errors import ParameterError


def _l1(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.linalg.norm(a - b, axis=1)))


@pytest.mark.parametrize("activation", ["softplus", "gelu"])
@pytest.mark.parametrize("target, dx", [("circle", 1)])
def test_substitution_converges_to_the_relu_witness(activation: str, target: str, dx: int) -> None:
    relu = constructions.build("relu-lp-compact", target, input_dim=dx, eps=0.15, p=1, exact=False, progress="quiet")
    delta = float(Fraction(relu.parameters["ramp"]))
    x = np.random.default_rng(5).random((20000, dx))
    y_relu = relu.network(x)
    gaps = []
    for c in (10, 100, 1000):
        net = substitute(relu.network, activation, 2.0 ** np.ceil(np.log2(c / delta)))
        assert net.width == relu.network.width and net.depth == relu.network.depth
        gaps.append(_l1(net(x), y_relu))
    assert gaps[1] <= gaps[0] and gaps[2] <= gaps[1] + 1e-12, gaps
    assert gaps[2] < 1e-3, f"from alpha = 1000/delta on the witness must behave like the ReLU one: {gaps}"


@pytest.mark.parametrize("activation", ["softplus", "gelu"])
def test_relu_like_construction_meets_eps(activation: str) -> None:
    c = constructions.build("relu-like-lp-compact", "sin(2*pi*x1)*x2", eps=0.1, p=1, activation=activation,
                            progress="quiet")
    assert c.network.width == 2 and [str(a) for a in c.network.hidden_activations] == [activation]
    assert c.theorem == "kim2024-relu-lp-compact" and c.predicted_error <= 0.1
    r = verification.lp_error(c.network, "sin(2*pi*x1)*x2", p=1, method="qmc", m=12, replicates=4)
    assert r.judged_value < 0.1
    alpha = c.parameters["alpha"]
    assert alpha == 2.0 ** round(np.log2(alpha)), "alpha must be a power of two (exact scaling)"


def test_relu_like_refuses_exact_and_unknown_activation() -> None:
    with pytest.raises(ParameterError, match="exact"):
        constructions.build("relu-like-lp-compact", "x1", eps=0.1, p=1, exact=True)
    with pytest.raises(ParameterError, match="activation"):
        constructions.build("relu-like-lp-compact", "x1", eps=0.1, p=1, activation="tanh")
