"""The L^p error: closed forms in 1-D, certified intervals, QMC coverage, refused inputs."""

from __future__ import annotations

import numpy as np
import pytest

from uat import FeedForward
from uat.errors import MethodError, ParameterError
from uat.targets import make_target
from uat.tolerances import tol
from verification import lp_error

from _verify_support import KnownTarget, hat, interpolant, ramp_2d, square_target, tent_2d, zero_target


def _holds(result, true_value):
    slack = tol("certified_interval_slack") * max(1.0, true_value)
    return result.low - slack <= true_value <= result.high + slack


@pytest.mark.parametrize("m", [1, 3, 10, 50])
def test_interpolant_of_square_has_l1_error_one_over_six_m_squared(m):
    r = lp_error(interpolant(lambda x: x**2, m), square_target(), p=1)
    exact = 1 / (6 * m * m)
    assert r.method == "exact-1d" and r.certified
    assert r.value == pytest.approx(exact, rel=tol("verify_closed_form"))
    assert _holds(r, exact)
    assert r.gap <= tol("certificate_width") * exact


@pytest.mark.parametrize("m", [1, 4, 20])
def test_interpolant_of_square_has_l2_error(m):
    # on each piece e = t (h - t): int e^2 = h^5 / 30, summed over m pieces: 1 / (30 m^4)
    exact = (1 / (30 * m**4)) ** 0.5
    r = lp_error(interpolant(lambda x: x**2, m), square_target(), p=2)
    assert r.value == pytest.approx(exact, rel=tol("quadrature_relative")) and _holds(r, exact)


@pytest.mark.parametrize("p", [1, 1.5, 2, 3, 7.25])
def test_hat_against_zero(p):
    exact = (1 / (p + 1)) ** (1 / p)  # int_0^1 hat^p = 1 / (p + 1)
    r = lp_error(hat(), zero_target(), p=p)
    assert r.certified and r.value == pytest.approx(exact, rel=tol("quadrature_relative")) and _holds(r, exact)


def test_domain_is_not_normalised_by_its_volume():
    # |x| on [-2, 2] against 0 in L^1: 4 (not 1)
    absnet = FeedForward.from_layers([([[1], [-1]], [0, 0], "relu"), ([[1, 1]], [0])])
    r = lp_error(absnet, zero_target(), "[-2,2]", p=1)
    assert r.value == pytest.approx(4.0, rel=tol("quadrature_relative")) and _holds(r, 4.0)


def test_sign_changes_are_split_for_odd_exponents():
    # N = 0, f = x - 1/3 on [0,1]: int |x - 1/3| = 1/18 + 2/9 = 5/18
    f = KnownTarget("x-1/3", 1, 1, lambda x: x[:, :1] - 1 / 3, hess=0.0, lip=1.0)
    zero = FeedForward.from_layers([([[0]], [0], "relu"), ([[0]], [0])])
    r = lp_error(zero, f, p=1)
    assert r.details["root_splits"] == 1
    assert r.value == pytest.approx(5 / 18, rel=tol("quadrature_relative")) and _holds(r, 5 / 18)


def test_vector_target_uses_the_euclidean_norm():
    net = FeedForward.from_layers([([[1], [-1]], [0, 0], "relu"), ([[1, -1], [0, 0]], [0, 0])])
    f = KnownTarget("shift", 1, 2, lambda x: np.c_[x[:, 0] + 0.6, np.full(x.shape[0], 0.8)], hess=0.0, lip=1.0)
    r = lp_error(net, f, "[-1,1]", p=3)
    assert r.value == pytest.approx(2 ** (1 / 3), rel=tol("quadrature_relative")) and _holds(r, 2 ** (1 / 3))


def test_certified_interval_for_sin_holds_a_high_accuracy_reference():
    pytest.importorskip("uat.expressions")
    from scipy.integrate import quad

    net = interpolant(lambda x: np.sin(3 * x), 9, 0, 2)
    knots = np.linspace(0, 2, 10)
    ref = sum(quad(lambda x: abs(np.sin(3 * x) - np.interp(x, knots, np.sin(3 * knots))) ** 1.5, a, b,
                   epsabs=0, epsrel=1e-13, limit=200)[0] for a, b in zip(knots[:-1], knots[1:])) ** (1 / 1.5)
    r = lp_error(net, "sin(3*x)", "[0,2]", p=1.5)
    assert r.certified and _holds(r, ref)
    assert r.value == pytest.approx(ref, rel=1e-10)


def test_callable_without_information_gives_an_uncertified_quadrature_estimate():
    target = make_target(lambda x: x**2, input_dim=1)
    r = lp_error(interpolant(lambda x: x**2, 4), target, p=1)
    assert not r.certified and r.value == pytest.approx(1 / 96, rel=tol("quadrature_relative"))
    assert any("not certified" in a for a in r.assumptions)


# -- sampling ---------------------------------------------------------------------------------


def test_qmc_interval_covers_the_true_value_in_most_seeded_repetitions():
    """Scrambled Sobol', 8 replicates: the 95% interval must cover the exact value >= 90% of 50 runs."""
    p = 2
    exact = (1 / ((p + 1) * (p + 2))) ** (1 / p)
    covered = 0
    for seed in range(50):
        r = lp_error(ramp_2d(), zero_target(2), p=p, m=8, replicates=8, seed=seed, method="auto")
        assert r.method == "qmc" and not r.certified
        covered += r.low <= exact <= r.high
    assert covered / 50 >= tol("ci_coverage")


def test_mc_interval_also_covers_and_qmc_is_far_more_accurate():
    exact = (1 / 12) ** 0.5
    q = lp_error(ramp_2d(), zero_target(2), p=2, method="qmc", m=12, seed=1)
    mc = lp_error(ramp_2d(), zero_target(2), p=2, method="mc", m=12, seed=1)
    assert q.low <= exact <= q.high and mc.low <= exact <= mc.high
    assert q.gap * 20 < mc.gap


def test_sampling_is_reproducible_and_reports_its_parameters():
    a = lp_error(ramp_2d(), zero_target(2), m=6, seed=3)
    b = lp_error(ramp_2d(), zero_target(2), m=6, seed=3)
    assert a == b
    assert a.parameters["points"] == 64 and a.parameters["replicates"] == 8 and a.n_evals == 512


def test_one_dimensional_networks_can_be_sampled_for_comparison():
    r = lp_error(hat(), zero_target(), p=1, method="qmc", m=10)
    assert r.low <= 0.5 <= r.high


# -- refused inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize("p", [float("inf"), np.inf])
def test_p_infinity_never_goes_to_sampling(p):
    with pytest.raises(ParameterError, match="use sup_error"):
        lp_error(ramp_2d(), zero_target(2), p=p)


@pytest.mark.parametrize("p", [0.5, 0, -1])
def test_p_below_one_is_rejected(p):
    with pytest.raises(ParameterError, match="does not define a norm"):
        lp_error(hat(), zero_target(), p=p)


def test_p_must_be_a_number():
    with pytest.raises(ParameterError, match="p must be a real number"):
        lp_error(hat(), zero_target(), p="2")


@pytest.mark.parametrize("n", [3, 100, 1000])
def test_sobol_sizes_that_are_not_powers_of_two_are_rejected(n):
    with pytest.raises(ParameterError, match="not a power of 2.*balance"):
        lp_error(ramp_2d(), zero_target(2), n=n)


def test_power_of_two_n_is_accepted():
    assert lp_error(ramp_2d(), zero_target(2), n=256).parameters["points"] == 256


def test_too_few_replicates_and_bad_confidence_are_rejected():
    with pytest.raises(ParameterError, match="replicates must be >= 2"):
        lp_error(ramp_2d(), zero_target(2), replicates=1)
    with pytest.raises(ParameterError, match="confidence"):
        lp_error(ramp_2d(), zero_target(2), confidence=1.5)
    with pytest.raises(ParameterError, match=r"m \(log2 of the points per replicate\) must be in 1..30"):
        lp_error(ramp_2d(), zero_target(2), m=40)


def test_unknown_and_inapplicable_methods_are_rejected():
    with pytest.raises(MethodError, match="valid methods: auto, exact-1d, regions-2d, regions-3d, qmc, mc"):
        lp_error(hat(), zero_target(), method="trapezoid")
    with pytest.raises(MethodError, match="exact-1d.*use method='qmc'"):
        lp_error(ramp_2d(), zero_target(2), method="exact-1d")


@pytest.mark.parametrize("seed", range(12))
def test_certified_l2_holds_the_exact_value_for_random_networks_against_a_parabola(seed):
    """Exact oracle: int (x^2 - s x - c)^2 over each piece of a one-hidden-layer network, in rationals."""
    from fractions import Fraction

    from uat.testing import random_network

    rng = np.random.default_rng(100 + seed)
    net = random_network(rng, input_dim=1, output_dim=1, width=6, depth=2, exact=True)
    w, bias = net.layers[0].weight[:, 0], net.layers[0].bias
    knots = sorted({Fraction(-1), Fraction(1)} | {-bj / wj for wj, bj in zip(w, bias) if wj != 0 and -1 < -bj / wj < 1})
    vals = [v[0] for v in net.evaluate_exact([[t] for t in knots])]
    total = Fraction(0)
    for t0, t1, v0, v1 in zip(knots, knots[1:], vals, vals[1:]):
        s = (v1 - v0) / (t1 - t0)
        c = v0 - s * t0
        # antiderivative of (x^2 - s x - c)^2 = x^4 - 2 s x^3 + (s^2 - 2c) x^2 + 2 s c x + c^2
        F = lambda x: x**5 / 5 - s * x**4 / 2 + (s * s - 2 * c) * x**3 / 3 + s * c * x**2 + c * c * x  # noqa: E731
        total += F(t1) - F(t0)
    exact = float(total) ** 0.5
    r = lp_error(net, square_target(-1, 1), "[-1,1]", p=2)
    assert r.certified and _holds(r, exact)
    assert r.value == pytest.approx(exact, rel=tol("quadrature_relative"))


# -- certified L^p in two dimensions over the exact regions ----------------------------------------


@pytest.mark.parametrize("p", [1, 2, 3])
def test_regions_2d_reproduces_the_ramp_closed_form(p):
    exact = (1 / ((p + 1) * (p + 2))) ** (1 / p)
    r = lp_error(ramp_2d(), zero_target(2), p=p, method="regions-2d")
    assert r.certified and _holds(r, exact)
    assert r.value == pytest.approx(exact, rel=tol("verify_closed_form"))
    assert r.gap <= 1e-4 * exact * (1 + tol("certified_interval_slack"))  # the default cert_rtol of regions-2d


@pytest.mark.parametrize("p", [1, 2])
def test_regions_2d_certified_interval_holds_a_separable_reference(p):
    """f = x1^2 + x2^2, N = T(x1) + T(x2) with the tent T: the error is g(x1) + g(x2), g = t^2 - T(t)."""
    from scipy.integrate import dblquad

    f = KnownTarget("x1^2+x2^2", 2, 1, lambda x: (x**2).sum(axis=1, keepdims=True), hess=2.0, lip=2 * np.sqrt(2))

    def g(t):
        return t * t - (2 * t if t < 0.5 else 2 - 2 * t)

    ref = 0.0
    for a0, a1 in ((0, 0.5), (0.5, 1)):
        for b0, b1 in ((0, 0.5), (0.5, 1)):
            ref += dblquad(lambda y, x: abs(g(x) + g(y)) ** p, a0, a1, b0, b1, epsabs=0, epsrel=1e-12)[0]
    ref **= 1 / p
    r = lp_error(tent_2d(1), f, p=p, method="regions-2d")
    assert r.certified and _holds(r, ref)
    q = lp_error(tent_2d(1), f, p=p, method="qmc", m=12)
    assert q.low <= ref <= q.high


def test_regions_2d_is_refused_where_it_does_not_apply():
    smooth = FeedForward.from_layers([([[1.0, 1.0]], [0.0], "tanh"), ([[1.0]], [0.0])])
    with pytest.raises(MethodError, match="regions-2d.*use method='qmc'"):
        lp_error(smooth, zero_target(2), method="regions-2d")


@pytest.mark.parametrize("p", [1, 2])
def test_discontinuous_target_is_certified_through_a_value_bound(p):
    """Heaviside(x - 1/2) against the 7-piece interpolant of |x - 0.3|: reference by quad split at the jump."""
    pytest.importorskip("uat.expressions")
    from scipy.integrate import quad

    knots = np.linspace(0, 1, 8)
    pts = sorted(set(knots) | {0.5})

    def err(x):
        return abs((1.0 if x >= 0.5 else 0.0) - np.interp(x, knots, np.abs(knots - 0.3))) ** p

    ref = sum(quad(err, a, b, epsabs=0, epsrel=1e-13)[0] for a, b in zip(pts[:-1], pts[1:])) ** (1 / p)
    r = lp_error(interpolant(lambda x: np.abs(x - 0.3), 7), "Heaviside(x - 0.5)", p=p)
    assert r.certified and _holds(r, ref)
    assert r.value == pytest.approx(ref, rel=tol("verify_closed_form"))
