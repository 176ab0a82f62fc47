"""Unit tests of the ReLU gadgets (relu.md §2, §11 item 12): sweep, clip, bend/raster, gate, snap."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from constructions._relu_coding import codes, decode, raster_bends, raster_radius
from constructions._relu_gadgets import clip, gate, snap, sweep
from constructions._relu_state import MARGIN, LogicalState, passthrough_margins
from uat.errors import ParameterError
from uat.tolerances import tol

VALUES = [3, 1, 4, 1, 5, 9, 2, 6]  # cell values; D_j = w_j - w_{j+1}
N = len(VALUES)


def _sweep_net(exact: bool, delta: Fraction = Fraction(1, 64), values=VALUES):
    st = LogicalState(1, 2, exact=exact)
    st.set_bounds(0, 0, 1)
    st.set_constant(1, values[-1])
    D = st.array(np.array([[values[j] - values[j + 1] for j in range(len(values) - 1)] + [0]]))
    sweep(st, 0, [1], D, delta=delta, a0=0, h=Fraction(1, len(values)), label="sweep")
    s_bounds = (st.lo[0], st.hi[0])
    return st, s_bounds


def _good_points(n_cells: int, delta: Fraction, per_cell: int = 5):
    """Points in the good part [k/N, (k+1)/N - delta) of every cell, with their cell index."""
    pts, cells = [], []
    for k in range(n_cells):
        lo, hi = Fraction(k, n_cells), Fraction(k + 1, n_cells) - delta
        for i in range(per_cell):
            pts.append(lo + (hi - lo) * Fraction(i, per_cell))
            cells.append(k)
    return pts, cells


@pytest.mark.parametrize("exact", [True, False])
def test_sweep_adds_the_tail_sums_and_destroys_s(exact: bool) -> None:
    delta = Fraction(1, 64)
    st, _ = _sweep_net(exact, delta)
    R = [[0, 1], [1, 0]]  # read (r, s)
    net, _ = st.finish(R, [0, 0])
    pts, cells = _good_points(N, delta)
    if exact:
        out = net.evaluate_exact([[p] for p in pts])
    else:
        out = net.evaluate(np.array([[float(p)] for p in pts]))
    for p, k, (r, s) in zip(pts, cells, out):
        # r_out = r_in + sum_{j >= k} D_j = w_k
        assert r == VALUES[k], f"cell {k}: receiver {r}, expected {VALUES[k]}"
        if k < N - 1:  # s collapsed onto the last shift threshold (destroyed)
            assert s == out[0][1], "s must be the same constant for every processed point"


def test_sweep_skips_zero_increments_and_counts_layers() -> None:
    values = [2, 2, 2, 5, 5, 1, 1, 1]
    st, _ = _sweep_net(False, values=values)
    nonzero = sum(1 for j in range(len(values) - 1) if values[j] != values[j + 1])
    assert st.depth == 2 * nonzero


def test_sweep_receiver_bounds_are_tight_and_sound() -> None:
    st, _ = _sweep_net(True)
    assert (st.lo[1], st.hi[1]) == (min(VALUES), max(VALUES))
    net, _ = st.finish([[0, 1]], [0])
    x = np.linspace(0, 1, 20001)[:, None]  # the declared input interval, including every ramp
    r = net(x)[:, 0]
    assert r.min() >= min(VALUES) - 1e-9 and r.max() <= max(VALUES) + 1e-9


def test_receiver_initialised_to_zero_shows_the_boundary_error() -> None:
    """Negative control (relu.md §2.3): a sweep that starts the receiver at 0 needs an increment at the
    right end of the last cell; its ramp then spoils x = 1.  Initialising to the last value avoids it."""
    h, delta = Fraction(1, N), Fraction(1, 64)
    st = LogicalState(1, 2, exact=True)
    st.set_bounds(0, 0, 1)
    st.set_constant(1, 0)
    edges = np.array([Fraction(j, N) for j in range(N + 1)] + [1 + h], dtype=object)
    inc = [VALUES[j] - VALUES[j + 1] for j in range(N - 1)] + [VALUES[-1], 0]
    sweep(st, 0, [1], st.array(np.array([inc], dtype=object)), delta=delta, edges=edges, label="bad")
    bad, _ = st.finish([[0, 1]], [0])
    good_st, _ = _sweep_net(True, delta)
    good, _ = good_st.finish([[0, 1]], [0])
    assert good.evaluate_exact([[1]])[0, 0] == VALUES[-1]
    assert abs(bad.evaluate_exact([[1]])[0, 0] - VALUES[-1]) == VALUES[-1]  # error 6 = |w_{N-1}| at x = 1
    with pytest.raises(ParameterError, match="last cell"):
        st2 = LogicalState(1, 2, exact=True)
        st2.set_bounds(0, 0, 1)
        sweep(st2, 0, [1], st2.array(np.array([[1, 1]])), delta=delta, a0=0, h=Fraction(1, 2), label="x")


def test_passthrough_margins_hold_everywhere() -> None:
    st, _ = _sweep_net(False)
    net, trace = st.finish([[0, 1]], [0])
    x = np.linspace(0, 1, 40001)[:, None]
    m = passthrough_margins(net, trace, x)
    assert np.nanmin(m) >= MARGIN - tol("relu_passthrough_slack")


@pytest.mark.parametrize("kind", ["max", "min"])
def test_clip_with_an_affine_threshold(kind: str) -> None:
    st = LogicalState(2, 2, exact=True)
    st.set_bounds(0, -2, 3)
    st.set_bounds(1, 0, 1)
    coef = st.array(np.array([0, 2]))  # threshold 2 z_1 - 1
    clip(st, [(0, kind, coef, -1)], label="clip")
    net, trace = st.finish([[1, 0], [0, 1]], [0, 0])
    rng = np.random.default_rng(1)
    for _ in range(50):
        a = Fraction(int(rng.integers(-200, 300)), 100)
        b = Fraction(int(rng.integers(0, 100)), 100)
        s, o = net.evaluate_exact([[a, b]])[0]
        thr = 2 * b - 1
        assert s == (max(a, thr) if kind == "max" else min(a, thr)) and o == b


def test_raster_bends_are_well_conditioned() -> None:
    for alpha, _beta, q, u in raster_bends(16):
        assert q[0] * u[0] + q[1] * u[1] == 0, "the pass-through direction q must be orthogonal to u"
        cos = abs(alpha[0] * u[0] + alpha[1] * u[1]) / (math.hypot(*alpha) * math.hypot(*u))
        assert cos >= 0.5, f"bend {alpha} along {u} is ill-conditioned (|cos| = {cos:.3f})"


@pytest.mark.parametrize("M", [8, 32, 128])
def test_raster_maps_every_code_to_its_grid_point(M: int) -> None:
    st = LogicalState(1, 2, exact=False)
    st.set_bounds(0, 0, M * M - 1)
    where = decode(st, 0, 2, M)
    R = np.zeros((2, 2))
    for t, c in enumerate(where):
        R[t, c] = 1
    net, trace = st.finish(R, [0, 0])
    m = np.array(list(itertools.product(range(M), repeat=2)))
    out = net(codes(m, M).astype(np.float64)[:, None])
    assert np.array_equal(out, m), "the raster must map integer codes exactly (error 0)"
    x = np.linspace(-0.5, M * M - 0.5, 20001)[:, None]  # also between codes
    assert np.min(passthrough_margins(net, trace, x)) >= MARGIN - tol("relu_passthrough_slack")
    assert np.abs(net(x)).max() <= raster_radius(M)


@pytest.mark.parametrize("dy, M", [(3, 5), (4, 3)])
def test_digit_decoder_is_exact(dy: int, M: int) -> None:
    st = LogicalState(1, dy, exact=True)
    st.set_bounds(0, 0, M**dy - 1)
    where = decode(st, 0, dy, M)
    R = np.zeros((dy, dy), dtype=np.int64)
    for t, c in enumerate(where):
        R[t, c] = 1
    net, _ = st.finish(R, [0] * dy)
    m = np.array(list(itertools.product(range(M), repeat=dy)))
    out = net.evaluate_exact([[int(c)] for c in codes(m, M)])
    assert np.array_equal(out.astype(np.int64), m)


def test_gate_gives_exact_center_when_flag_is_one() -> None:
    st = LogicalState(2, 2, exact=False)
    st.set_bounds(0, -3, 5)
    st.set_bounds(1, 0, 1)
    gate(st, 0, 1, 7, label="gate")
    net, _ = st.finish([[1, 0]], [0])
    v = np.linspace(-3, 5, 101)
    on = net(np.stack([v, np.ones_like(v)], axis=1))[:, 0]
    off = net(np.stack([v, np.zeros_like(v)], axis=1))[:, 0]
    assert np.all(on == 7.0)
    assert np.allclose(off, v, rtol=0, atol=1e-12)


def test_snap_gives_exact_center_below_tau1() -> None:
    st = LogicalState(1, 2, exact=False)
    st.set_bounds(0, -10, 10)
    snap(st, 0, 1, -4, -2, 3, label="snap")
    net, _ = st.finish([[1, 0]], [0])
    r = np.linspace(-10, 10, 2001)
    out = net(r[:, None])[:, 0]
    assert np.all(out[r <= -5] == 3.0)
    assert np.allclose(out[r >= -2], r[r >= -2], atol=1e-12)
    assert st.lo[0] <= out.min() and out.max() <= st.hi[0]
