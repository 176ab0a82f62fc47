"""QA regressions for the leaky-ReLU family: cases found by testing on unseen targets and settings."""

from __future__ import annotations

import numpy as np
import pytest

import constructions._leaky_graph as graph
from constructions import build
from verification import sup_error


@pytest.mark.slow
def test_uniform_2d_ridge_fit_does_not_diverge_with_the_level():
    # sin(6 x1 + x2) on [0,1]^2 at eps = 0.06: with the weak ridge alone the larger dictionaries overfit
    # between the fit points (sampled error 1.0 at level 3, 2.9 at level 5) and the builder gave up
    c = build("leaky-uniform", "sin(6*x1 + x2)", eps=0.06, domain="[0,1]^2", progress="quiet")
    assert c.network.width == 3 and c.predicted_error <= 0.06
    assert c.parameters["ridge"] in graph._RIDGES
    X = np.random.default_rng(5).random((20000, 2))
    err = np.abs(c.network.evaluate(X)[:, 0] - np.sin(6 * X[:, 0] + X[:, 1]))
    assert err.max() <= 0.06


def test_uniform_2d_weak_ridge_is_kept_when_it_passes():
    # the escalation must not touch witnesses that the weak ridge already certifies
    c = build("leaky-uniform", "[x1*x2, x1 - x2**2]", eps=0.2, domain="[0,1]^2", progress="quiet")
    assert c.parameters["ridge"] == graph._RIDGES[0] and c.network.width == 4
    r = sup_error(c.network, "[x1*x2, x1 - x2**2]", "[0,1]^2")
    assert r.certified and r.high <= 0.2
