"""Topological floors as negative controls: at the too-small width the L^p error keeps falling while the
sup error stays above the floor; one more neuron reaches the target.

Sup errors on the test sets are computed exactly: along a segment a network is piecewise linear
(``verification.linear_pieces_1d``) and the targets are affine (or piecewise affine with known knots)
there, so the maximum of |N - f| is attained at a breakpoint.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from constructions import build
from constructions.leaky_floors import (BUMP, FLOORS, HOPF, X_CURVE, bump_witness, hopf_loops, hopf_witness,
                                        linking_number, polygon_distance, segment_network)
from uat.targets import make_target
from uat.tolerances import tol
from verification import linear_pieces_1d, lp_error, sup_error


def _sup_on_segment(net, f, p, q, knots=()):
    """Exact max over the segment [p, q] of ||N - f|| for f affine between the given knot parameters."""
    seg = segment_network(net.as_float(), p, q)
    t = np.union1d(linear_pieces_1d(seg, 0, 1).breakpoints, np.asarray(knots, dtype=float))
    x = np.asarray(p, float) + np.outer(t, np.asarray(q, float) - np.asarray(p, float))
    return float(np.max(np.linalg.norm(seg(t[:, None]) - f(x), axis=1)))


def _lp(net, tgt, dom):
    return lp_error(net, tgt, dom, p=1, method="qmc", m=12, replicates=4).value


# -- X-curve, (1,2): floor 1/2 at width 2, exact at width 3 ------------------------------------------------
def test_x_curve_floor_at_width_2_and_exact_at_width_3():
    fl = FLOORS["x-curve"]
    f = make_target(X_CURVE)
    lps = []
    for bits in (3, 4, 5):
        c = build("leaky-lp", X_CURVE, eps=1.0, p=1, bits=bits, out_bits=6, domain=fl.domain, progress="quiet")
        assert c.network.width == fl.width
        lps.append(_lp(c.network, X_CURVE, fl.domain))
        assert _sup_on_segment(c.network, f, [0.0], [3.0], knots=[1 / 3, 2 / 3]) >= fl.floor
    assert lps[0] > lps[1] > lps[2], lps  # L^p keeps falling
    w3 = build("leaky-uniform", X_CURVE, eps=0.01, knots=3, domain=fl.domain, progress="quiet")
    assert w3.network.width == fl.width + 1
    r = sup_error(w3.network, X_CURVE, fl.domain)
    assert r.value <= tol("exact_target")


# -- bump, d_x = 2: floor 1/2 at width d_x, certified at width d_x + 1 ------------------------------------
def test_bump_floor_at_width_dx_and_reached_at_width_dx_plus_1():
    fl = FLOORS["bump"]
    f = make_target(BUMP)
    corners = [(-2.0, -2.0), (2.0, -2.0), (2.0, 2.0), (-2.0, 2.0), (-2.0, -2.0)]
    lps = []
    for bits in (3, 4):
        c = build("leaky-lp", BUMP, eps=2.0, p=1, bits=bits, knots=24, domain=fl.domain, progress="quiet")
        net = c.network
        assert net.width == fl.width == fl.d_x
        lps.append(_lp(net, BUMP, fl.domain))
        boundary = max(_sup_on_segment(net, f, a, b) for a, b in zip(corners, corners[1:]))
        centre = abs(float(net(np.zeros((1, 2)))[0, 0]) - 1.0)
        assert max(boundary, centre) >= fl.floor
    assert lps[0] > lps[1], lps
    w3, bound = bump_witness(eps=0.05)
    assert w3.width == fl.d_x + 1
    r = sup_error(w3, BUMP, fl.domain, rtol=0.05)
    assert r.certified and r.high <= 0.05 and r.value <= bound


# -- Hopf, (2,3): floor 1/2 on the two circles at width 3, exact at width 4 ------------------------------
def test_hopf_image_loops_link():
    f = make_target(HOPF)
    P, R = hopf_loops(64)
    assert abs(linking_number(f(P), f(R))) == 1
    assert 0.99 < polygon_distance(f(P), f(R)) <= 1.0


def test_hopf_witness_at_width_4_is_exact():
    """Exact rational evaluation equals the target exactly (a PL target reproduced by a PL network)."""
    net = hopf_witness()
    assert net.width == 4 and net.depth == 9
    f = make_target(HOPF)
    rng = np.random.default_rng(1)
    pts = [[Fraction(int(a), 16), Fraction(int(b), 16)] for a, b in zip(rng.integers(-16, 65, 40), rng.integers(-16, 17, 40))]
    got = net.evaluate_exact(pts)
    for p, row in zip(pts, got):
        assert tuple(row) == f.exact_value(p)
    x = rng.uniform([-1, -1], [4, 1], (5000, 2))
    assert np.max(np.abs(net(x) - f(x))) <= tol("exact_target")


def _hopf_loop_sup(net, n):
    f = make_target(HOPF)
    P, R = hopf_loops(n)
    worst = 0.0
    for poly in (P, R):
        for i in range(n):
            worst = max(worst, _sup_on_segment(net, f, poly[i], poly[i + 1]))
    return worst, polygon_distance(f(P), f(R)) / 2


def test_hopf_floor_at_width_3():
    fl = FLOORS["hopf"]
    lps = []
    nets = []
    for bits in (3, 4):
        c = build("leaky-lp", HOPF, eps=3.0, p=1, bits=bits, domain=fl.domain, progress="quiet")
        assert c.network.width == fl.width == fl.d_x + 1
        lps.append(_lp(c.network, HOPF, fl.domain))
        nets.append(c.network)
    assert lps[0] > lps[1], lps
    sup, floor = _hopf_loop_sup(nets[0], 12)
    assert floor > 0.45 and sup >= floor


@pytest.mark.slow
def test_hopf_floor_at_width_3_finer():
    c = build("leaky-lp", HOPF, eps=3.0, p=1, bits=5, domain=FLOORS["hopf"].domain, progress="quiet")
    sup, floor = _hopf_loop_sup(c.network, 48)
    assert sup >= floor > 0.49
