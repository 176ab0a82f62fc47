"""QA regressions for the ReLU family (issue 4): cases found by testing on unseen targets and settings."""

from __future__ import annotations

import numpy as np
import pytest

import constructions
import verification
from uat.errors import ParameterError


# --- relu-lp-whole: the L^p(R^d_x) error is what `uat verify` reports on the recorded domain ---------------------

@pytest.mark.parametrize("expr, dx", [
    ("Heaviside(x1 - 5)", 1),                 # non-zero only beyond the ring [-1, 2]: used to build and PASS
    ("x1*Heaviside(-x1 - 100)", 1),
    ("Heaviside(x1 + x2 - 100)", 2),
])
def test_whole_refuses_mass_beyond_the_ring(expr: str, dx: int) -> None:
    with pytest.raises(ParameterError, match="mass outside the truncation box"):
        constructions.build("relu-lp-whole", expr, eps=0.2, p=1, input_dim=dx, progress="quiet")


def test_whole_refuses_a_target_undefined_outside() -> None:
    with pytest.raises(ParameterError, match="not finite"):
        constructions.build("relu-lp-whole", "sqrt(x1)*max(0, 1 - x1)", eps=0.2, p=1, progress="quiet")


def test_whole_records_a_certified_far_field_and_verify_sees_all_of_the_error() -> None:
    expr = "max(0, 1 - abs(x1 + 1.5)/2)"
    c = constructions.build("relu-lp-whole", expr, eps=0.1, p=1, domain="[-3.5,0.5]", progress="quiet")
    assert "certified by interval enclosure" in c.network.metadata["assumptions"][0]
    assert c.domain == "[-15/2,9/2]"
    # the error on a much larger interval equals the error on the recorded domain (both vanish beyond it)
    near = verification.lp_error(c.network, expr, c.domain, p=1)
    far = verification.lp_error(c.network, expr, "[-1000,1000]", p=1)
    assert near.certified and far.certified
    assert far.high <= near.high * (1 + 1e-6) + 1e-12 and near.value <= 0.1


def test_whole_estimates_a_non_certified_far_field() -> None:
    c = constructions.build("relu-lp-whole", "exp(-x1**2)", eps=0.1, p=2, domain="[-3,3]", progress="quiet")
    text = c.network.metadata["assumptions"][0]
    assert "beyond the ring" in text and "estimate" in text
    assert 0 < c.network.metadata["error_terms"]["tail"] < 1e-3


# --- relu-uniform-1d: size guards (a tight eps on a rational target used to run exact arithmetic for hours) -----

def test_uniform_1d_exact_only_for_small_grids() -> None:
    from constructions._relu_plan import EXACT_AUTO_CELLS

    c = constructions.build("relu-uniform-1d", "[x1**3, x1]", eps=1, bits=13, domain="[1/1000, 2/1000]",
                            progress="quiet")
    assert 2**13 > EXACT_AUTO_CELLS and not c.network.is_exact and c.parameters["exact"] is False
    small = constructions.build("relu-uniform-1d", "[x1**3, x1]", eps=1, bits=4, progress="quiet")
    assert small.network.is_exact


def test_uniform_1d_refuses_grids_above_max_cells() -> None:
    with pytest.raises(ParameterError, match="needs 1048576 cells .* above max_cells=524288"):
        constructions.build("relu-uniform-1d", "x1", eps=1e-6, max_cells=1 << 19, progress="quiet")


# --- overrides: one clear ParameterError, never a ValueError traceback or a negative predicted error --------------

@pytest.mark.parametrize("name, overrides, match", [
    ("relu-lp-compact", {"max_cells": "abc"}, "max_cells must be a positive integer"),
    ("relu-lp-compact", {"max_cells": 0}, "max_cells must be a positive integer"),
    ("relu-step-uniform", {"max_cells": "abc"}, "max_cells must be a positive integer"),
    ("relu-uniform-1d", {"max_cells": 2.5}, "max_cells must be a positive integer"),
    ("relu-lp-compact", {"lipschitz": "abc"}, "lipschitz must be a finite number >= 0, got 'abc'"),
    ("relu-uniform-1d", {"lipschitz": "abc"}, "lipschitz must be a finite number >= 0"),
    ("relu-lp-whole", {"tail": -1}, "tail must be a finite number >= 0, got -1"),
    ("relu-lp-whole", {"tail": float("nan")}, "tail must be a finite number >= 0"),
])
def test_bad_overrides_are_refused(name: str, overrides: dict, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        constructions.build(name, "max(0, 1 - abs(x1 - 1/2))", eps=0.2, progress="quiet", **overrides)


def test_user_fixed_bits_beyond_eps_are_kept_with_a_warning():
    """bits=1 at eps 0.1 predicts 0.435: the witness is kept (the user fixed the grid) but its notes and the
    CLI say first that the a-priori bound exceeds eps; the default parameters give no warning."""
    from constructions import build

    c = build("relu-lp-compact", "sin(3*x)", eps=0.1, p=1.0, bits=1)
    assert c.predicted_error > 0.1 and c.notes.startswith("WARNING: the a-priori bound")
    ok = build("relu-lp-compact", "sin(3*x)", eps=0.1, p=1.0)
    assert ok.predicted_error <= 0.1 and not ok.notes.startswith("WARNING")
