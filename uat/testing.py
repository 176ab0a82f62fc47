"""Seeded generators of random networks for tests, benchmarks and property checks.

>>> import numpy as np
>>> net = random_network(np.random.default_rng(0), input_dim=2, output_dim=1, width=3, depth=4)
>>> net.widths, net.depth
((3, 3, 3), 4)
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from .activations import IDENTITY, parse_activation
from .network import FeedForward, Layer

__all__ = ["random_network", "tent_network"]


def random_network(
    rng: np.random.Generator,
    *,
    input_dim: int,
    output_dim: int,
    width: int,
    depth: int,
    activation: Any = "relu",
    exact: bool = False,
    dyadic_bits: int = 2,
    orthogonal: bool = False,
) -> FeedForward:
    """A random network with ``depth`` affine maps (``depth - 1`` hidden layers of ``width``).

    Float networks use He-scaled Gaussian weights, or random orthogonal matrices when
    ``orthogonal`` (so deep networks neither explode nor vanish).  Exact networks use
    dyadic weights ``k / 2**dyadic_bits`` with small ``k`` (cheap exact arithmetic).
    """
    act = parse_activation(activation)
    dims = [input_dim] + [width] * (depth - 1) + [output_dim]
    layers = []
    for i in range(depth):
        n_in, n_out = dims[i], dims[i + 1]
        a = act if i < depth - 1 else IDENTITY
        if exact:
            den = 2**dyadic_bits
            w = np.empty((n_out, n_in), dtype=object)
            b = np.empty(n_out, dtype=object)
            wk = rng.integers(-den, den + 1, size=(n_out, n_in))
            bk = rng.integers(-den // 2, den // 2 + 1, size=n_out)
            for r in range(n_out):
                b[r] = Fraction(int(bk[r]), den)
                for c in range(n_in):
                    w[r, c] = Fraction(int(wk[r, c]), den)
        else:
            if orthogonal:
                q, _ = np.linalg.qr(rng.standard_normal((max(n_in, n_out), max(n_in, n_out))))
                w = q[:n_out, :n_in] * np.sqrt(2.0 if act.name == "relu" else 1.0)
            else:
                w = rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)
            b = rng.standard_normal(n_out) * 0.1
        w.flags.writeable = False
        b.flags.writeable = False
        layers.append(Layer(w, b, a))
    return FeedForward.from_layer_values(layers)


def tent_network(n_layers: int) -> FeedForward:
    """The sawtooth: ``n_layers`` compositions of the tent map on [0,1] (2**n_layers pieces), exact.

    Each hidden layer computes ``(relu(2t), relu(4t - 2))`` from ``t = h1 - h2`` of the
    previous layer; the output layer returns ``h1 - h2``.
    """
    if n_layers < 1:
        raise ValueError(f"tent_network needs n_layers >= 1, got {n_layers}")
    first = ([[2], [4]], [0, -2], "relu")
    mid = ([[2, -2], [4, -4]], [0, -2], "relu")
    last = ([[1, -1]], [0], "identity")
    return FeedForward.from_layers([first] + [mid] * (n_layers - 1) + [last])
