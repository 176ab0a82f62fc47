"""Networks and targets with closed-form errors, shared by the tests of the verification package.

The targets here carry their derivative bounds themselves (a Target subclass), so the
closed-form tests do not depend on the expression parser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from uat import FeedForward
from uat.targets import Bound, Target


@dataclass(frozen=True, eq=False)
class KnownTarget(Target):
    """A target with a known global bound on |f''| (and on the Lipschitz constant)."""

    hess: float = np.inf
    lip: float = np.inf

    def local_bounds(self, lo, hi, kind="hessian"):
        m = np.asarray(lo).reshape(-1, self.input_dim).shape[0]
        v = {"hessian": self.hess, "lipschitz": self.lip, "value": np.inf}[kind]
        return np.full(m, v), "known (test)", (f"{kind} bound {v} (known in closed form)",)

    def hessian_bound(self, box):
        return Bound(self.hess, "known (test)", ())

    def lipschitz_bound(self, box):
        return Bound(self.lip, "known (test)", ())


def square_target(a: float = 0.0, b: float = 1.0) -> KnownTarget:
    """f(x) = x^2: f'' = 2, Lipschitz constant 2 max(|a|, |b|)."""
    return KnownTarget("x^2", 1, 1, lambda x: x[:, :1] ** 2, continuous=True, hess=2.0, lip=2 * max(abs(a), abs(b)))


def zero_target(d: int = 1) -> KnownTarget:
    return KnownTarget("0", d, 1, lambda x: np.zeros((x.shape[0], 1)), continuous=True, hess=0.0, lip=0.0)


def interpolant(f, m: int, a: float = 0.0, b: float = 1.0) -> FeedForward:
    """The piecewise-linear interpolant of f on m equal pieces of [a, b], as a width-m ReLU network."""
    knots = np.linspace(a, b, m + 1)
    y = f(knots)
    s = np.diff(y) / np.diff(knots)
    c = np.diff(np.r_[0.0, s])
    return FeedForward.from_layers([(np.ones((m, 1)), -knots[:-1], "relu"), (c[None, :], np.array([y[0]]))])


def hat() -> FeedForward:
    """hat(x) = 2 relu(x) - 4 relu(x - 1/2): 0 at 0 and 1, 1 at 1/2 (exact weights)."""
    return FeedForward.from_layers([([[2], [4]], [0, -2], "relu"), ([[1, -1]], [0])])


def tent_2d(layers: int) -> FeedForward:
    """N(x1, x2) = T^L(x1) + T^L(x2) with T the tent map: 4^L linear regions on [0,1]^2 (width 4)."""
    first = ([[2, 0], [4, 0], [0, 2], [0, 4]], [0, -2, 0, -2], "relu")
    mid = ([[2, -2, 0, 0], [4, -4, 0, 0], [0, 0, 2, -2], [0, 0, 4, -4]], [0, -2, 0, -2], "relu")
    last = ([[1, -1, 1, -1]], [0], "identity")
    return FeedForward.from_layers([first] + [mid] * (layers - 1) + [last])


def ramp_2d() -> FeedForward:
    """N(x) = relu(x1 + x2 - 1): against 0 on [0,1]^2, ||N||_p^p = 1/((p+1)(p+2)), sup 1 at (1, 1)."""
    return FeedForward.from_layers([([[1, 1]], [-1], "relu"), ([[1]], [0])])


def lines_network(rng: np.random.Generator, n_lines: int) -> tuple[FeedForward, float]:
    """One hidden layer of n_lines random lines in general position, and a box half-width holding all crossings."""
    W = rng.standard_normal((n_lines, 2))
    b = rng.standard_normal(n_lines)
    pts = [np.linalg.solve(W[[i, j]], -b[[i, j]]) for i in range(n_lines) for j in range(i + 1, n_lines)]
    half = 2.0 * max(1.0, float(np.max(np.abs(pts)))) if pts else 2.0
    net = FeedForward.from_layers([(W, b, "relu"), (np.ones((1, n_lines)), np.zeros(1))])
    return net, half
