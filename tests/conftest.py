"""Shared fixtures: a seeded random generator and the tolerance table."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

try:  # deterministic property tests on CI
    from hypothesis import settings

    settings.register_profile("ci", max_examples=30, deadline=None, derandomize=True)
    settings.load_profile("ci")
except ImportError:  # hypothesis is optional
    pass


@pytest.fixture
def rng() -> np.random.Generator:
    """A freshly seeded generator (same numbers in every run)."""
    return np.random.default_rng(20261127)


@pytest.fixture(scope="session")
def tolerance():
    from uat.tolerances import TOLERANCE

    return TOLERANCE
