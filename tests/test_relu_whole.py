"""Structural checks of ``relu-lp-whole`` (relu.md §4, §11 item 7; issue 4 "Done when")."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

import constructions
import verification
from constructions._relu_cases import DIMS, bump
from constructions._relu_lp import lp_witness
from constructions._relu_state import MARGIN, passthrough_margins
from uat.errors import ParameterError
from uat.tolerances import tol


def _witness(dx: int, dy: int, **kw):
    kw.setdefault("bits", 2)
    if dy > 1:
        kw.setdefault("levels", 8)
    return lp_witness("relu-lp-whole", "whole", bump(dx, dy), eps=0.5, p=1, domain=None, input_dim=dx,
                      output_dim=None, progress="quiet", overrides=kw)


def _far_points(dx: int) -> np.ndarray:
    """|x| in {1e3, 1e6} in every orthant (diagonals), plus points far along one axis only."""
    pts = []
    for R in (1e3, 1e6):
        for signs in itertools.product((-1.0, 1.0), repeat=dx):
            s = np.array(signs)
            pts.append(R * s / np.sqrt(dx))
            for i in range(dx):
                e = np.full(dx, 0.37)
                e[i] = R * s[i]
                pts.append(e)
    return np.array(pts)


@pytest.mark.parametrize("dx, dy", DIMS)
def test_width_and_exact_zero_far_away(dx: int, dy: int) -> None:
    w = _witness(dx, dy)
    assert w.network.width == max(dx + 1, dy)
    far = _far_points(dx)
    out = w.network(far)
    assert np.all(out == 0.0), f"far-field output not exactly 0: max |y| = {np.abs(out).max()}"
    x = np.random.default_rng(3).random((1500, dx)) * 5 - 2
    margins = passthrough_margins(w.network, w.trace, np.vstack([x, far]))
    assert margins.min() >= MARGIN - tol("relu_passthrough_slack")


def test_exact_zero_in_exact_arithmetic() -> None:
    w = _witness(2, 1, exact=True)
    assert w.network.is_exact
    out = w.network.evaluate_exact([[Fraction(10**6), Fraction(1, 3)], [Fraction(-1000), Fraction(-1000)]])
    assert all(v == 0 for v in out.ravel())


@pytest.mark.parametrize("dx, dy, eps", [(1, 1, 0.1), (2, 1, 0.15), (1, 2, 0.15)])
def test_error_on_a_box_around_the_support(dx: int, dy: int, eps: float) -> None:
    c = constructions.build("relu-lp-whole", bump(dx, dy), input_dim=dx, eps=eps, p=1, progress="quiet")
    dom = "[-1,2]" if dx == 1 else f"[-1,2]^{dx}"
    r = verification.lp_error(c.network, bump(dx, dy), domain=dom, p=1, method="qmc", m=12, replicates=4)
    assert r.judged_value < eps
    assert c.predicted_error <= eps


def test_truncation_box_must_hold_the_target() -> None:
    with pytest.raises(ParameterError, match="truncation box"):
        constructions.build("relu-lp-whole", "sin(x1)", eps=0.1, p=1, progress="quiet")
    c = constructions.build("relu-lp-whole", "sin(pi*x1)", domain="[0,1]", eps=0.5, p=1, tail=0, progress="quiet")
    assert any("declared" in a for a in c.network.metadata["assumptions"])


def test_flag_shell_is_thin(rng) -> None:
    """Outside the box the output is 0 except in a shell of width ramp * (box width)."""
    w = _witness(2, 1)
    delta = float(w.plan.delta)
    x = rng.random((20000, 2)) * 3 - 1
    outside = np.any((x < 0) | (x > 1), axis=1)
    dist = np.max(np.maximum(-x, x - 1), axis=1)
    y = w.network(x)[:, 0]
    assert np.all(y[outside & (dist > delta)] == 0.0)


def test_convergence_rate_on_the_whole_line() -> None:
    """L^1(R^2) error of the whole-space witness of a tent halves per bit (slope -1, within 25%)."""
    target = bump(2, 1)
    ks = [2, 3, 4, 5]
    errs = []
    for K in ks:
        c = constructions.build("relu-lp-whole", target, input_dim=2, eps=1.0, p=1, bits=K,
                                ramp=Fraction(1, 2 ** (K + 12)), progress="quiet")
        errs.append(verification.lp_error(c.network, target, domain="[-1,2]^2", p=1, method="qmc", m=13,
                                          replicates=4).value)
    slope = float(np.polyfit(ks, np.log2(errs), 1)[0])
    assert abs(slope + 1) <= tol("rate_slope_fraction"), (slope, errs)
