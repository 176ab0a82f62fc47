"""Targets: make_target for every kind of spec, the built-in library, certified bounds vs samples."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from uat.domains import parse_domain
from uat.errors import DimensionMismatch, ExpressionError, NonFiniteError, TargetError
from uat.target_library import LIBRARY, library_target
from uat.targets import Bound, LocalBounds, Target, make_target
from uat.tolerances import tol


def test_make_target_from_every_kind_of_spec():
    t = make_target("sin(2*pi*x1)*x2")
    assert (t.input_dim, t.output_dim, t.continuous) == (2, 1, True)
    assert t.expression is not None and t.name == "sin(2*pi*x1)*x2"
    assert make_target(t) is t
    lib = make_target("circle")
    assert lib is library_target("circle") and lib.domain == parse_domain("[0,1]")
    c = make_target(lambda x: np.stack([x[:, 0], x[:, 0] ** 2], axis=1), input_dim=1)
    assert c.output_dim == 2 and c.continuous is None and c.expression is None
    np.testing.assert_allclose(c([[0.5]]), [[0.5, 0.25]])


def test_expression_in_x1_used_in_higher_dimension():
    t = make_target("x1**2", input_dim=3)
    assert t.input_dim == 3 and t([[2.0, 9.0, 9.0]])[0, 0] == 4.0
    widened = make_target("smooth-1d", input_dim=2)
    assert widened.input_dim == 2 and widened.name == "smooth-1d"
    np.testing.assert_allclose(widened([[0.3, 0.9]]), library_target("smooth-1d")([[0.3]]))
    with pytest.raises(DimensionMismatch):
        make_target("x1*x2", output_dim=2)
    with pytest.raises(DimensionMismatch):
        make_target("smooth-2d", input_dim=1)


def test_make_target_errors():
    with pytest.raises(ExpressionError):
        make_target("not-a-library-name")
    with pytest.raises(TargetError, match="input_dim"):
        make_target(lambda x: x)
    with pytest.raises(TargetError, match="vectorised"):
        make_target(lambda x: float(x[0, 0]), input_dim=1)
    with pytest.raises(NonFiniteError):
        make_target(lambda x: np.log(x - 1), input_dim=1)
    with pytest.raises(TargetError):
        make_target(42)


def test_target_bounds_delegate_and_callables_are_uncertified():
    t = make_target("x1**3")
    lb = t.local_bounds(np.array([0.0, 1.0]), np.array([1.0, 2.0]), "lipschitz")
    assert isinstance(lb, LocalBounds) and lb.bound[0] >= 3 and lb.bound[1] >= 12
    assert isinstance(t.lipschitz_bound("[0,1]"), Bound)
    lo, hi = t.enclose([[0.0]], [[2.0]])
    assert lo[0, 0] <= 0 and hi[0, 0] >= 8
    c = make_target(lambda x: x**2, input_dim=1)
    assert np.isinf(c.local_bounds([0.0], [1.0], "hessian").bound).all()
    assert "callable" in c.local_bounds([0.0], [1.0], "value").method
    assert c.lipschitz_bound(parse_domain("[0,1]")) is None and c.hessian_bound(parse_domain("[0,1]")) is None
    declared = make_target(lambda x: x**2, input_dim=1, lipschitz=2.0)
    assert declared.local_bounds([0.0, 0.5], [0.5, 1.0], "lipschitz").bound.tolist() == [2.0, 2.0]
    assert declared.lipschitz_bound("[0,1]").value == 2.0
    lo, hi = c.enclose([[0.0]], [[1.0]])
    assert np.isneginf(lo).all() and np.isposinf(hi).all()


def test_check_finite_for_targets():
    assert make_target("exp(x1)").check_finite().certified
    with pytest.raises(NonFiniteError):
        make_target("1/x1").check_finite("[0,1]")
    with pytest.raises(NonFiniteError):
        make_target(lambda x: 1 / (x - 0.0), input_dim=1).check_finite("[0,1]")


# ----------------------------------------------------------------------------- the library

REQUIRED = [
    "smooth-1d", "oscillatory-1d", "kinked-1d", "step-1d", "smooth-2d", "oscillatory-2d", "kinked-2d",
    "discontinuous-2d", "smooth-3d", "circle", "alpha-curve", "x-curve", "bump-1d", "bump-2d", "square-disk",
]


def test_library_has_the_required_names_and_shapes():
    assert set(REQUIRED) <= set(LIBRARY)
    assert any(e.input_dim == 1 and e.output_dim == 3 for e in LIBRARY.values())
    assert any(e.input_dim == 2 and e.output_dim == 2 and e.name != "square-disk" for e in LIBRARY.values())
    assert any(e.input_dim == 2 and e.output_dim == 3 for e in LIBRARY.values())
    assert library_target("nope") is None and library_target(3) is None


@pytest.mark.parametrize("name", list(LIBRARY))
def test_library_entry_is_consistent(name):
    entry = LIBRARY[name]
    t = library_target(name)
    assert (t.input_dim, t.output_dim) == (entry.input_dim, entry.output_dim)
    assert t.domain == parse_domain(entry.domain) and t.name == name
    assert t.continuous == (name not in ("step-1d", "staircase-1d", "discontinuous-2d"))
    assert t.check_finite() is not None
    assert entry.description


def test_polyline_curves_hit_their_vertices_exactly():
    alpha = library_target("alpha-curve")
    vertices = {0: (-1, 0), 1: (0, 0), 2: (1, 0), 3: (1, 1), 4: (0, 1), 5: (0, 0), 6: (0, -1)}
    for s, v in vertices.items():
        assert alpha.exact_value([Fraction(s, 6)]) == tuple(Fraction(c) for c in v)
    xc = library_target("x-curve")
    for t, v in {0: (-1, 0), 1: (1, 0), 2: (0, -1), 3: (0, 1), Fraction(1, 2): (0, 0), Fraction(5, 2): (0, 0)}.items():
        assert xc.exact_value([Fraction(t)]) == tuple(Fraction(c) for c in v)
    # arc-length parametrisation: speed 6 on every segment of the alpha curve
    t = np.linspace(0.01, 0.99, 200)
    speed = np.linalg.norm(alpha.expression.jacobian_at(t)[:, :, 0], axis=1)
    off_kinks = np.abs(t * 6 - np.round(t * 6)) > 1e-3
    np.testing.assert_allclose(speed[off_kinks], 6.0, rtol=tol("bound_vs_sample"))


def test_bumps_and_square_disk():
    b2 = library_target("bump-2d")
    assert b2([[0.0, 0.0], [0.6, 0.8], [2.0, 2.0]])[:, 0].tolist() == [1.0, 0.0, 0.0]
    assert library_target("bump-1d").exact_value([Fraction(1, 4)]) == (Fraction(3, 4),)
    sq = library_target("square-disk")
    z = np.array([0.3 + 0.4j, -0.5 + 0.1j])
    w = sq(np.stack([z.real, z.imag], axis=1))
    np.testing.assert_allclose(w[:, 0] + 1j * w[:, 1], z**2)


def _sample(domain, n, rng):
    lo, hi = domain.lo_array, domain.hi_array
    return lo + rng.random((n, domain.dim)) * (hi - lo)


@pytest.mark.parametrize("name", list(LIBRARY))
def test_certified_bounds_dominate_samples_on_library_targets(name, rng):
    t = library_target(name)
    dom = t.domain
    lip = t.lipschitz_bound(dom)
    hess = t.hessian_bound(dom)
    assert lip.method and hess.method and lip.assumptions
    x = _sample(dom, 2000, rng)
    y = _sample(dom, 2000, rng)
    # independent of the derivative code: difference quotients of f
    quot = np.linalg.norm(t(x) - t(y), axis=1) / np.linalg.norm(x - y, axis=1)
    slack = 1 + tol("bound_vs_sample")
    if t.continuous:
        assert np.isfinite(lip.value)
        assert quot.max() <= lip.value * slack
    else:
        assert np.isinf(lip.value)
    # derivative values at random points (differentiable there almost surely)
    jac = t.expression.jacobian_at(x)
    assert np.linalg.norm(jac, ord=2, axis=(1, 2)).max() <= lip.value * slack
    if np.isfinite(hess.value):
        h = t.expression.hessian_at(x)
        assert np.linalg.norm(h, ord=2, axis=(2, 3)).max() <= hess.value * slack
    assert np.isfinite(hess.value) == t.expression.is_smooth


def test_smooth_bounds_are_tight():
    """The refined bounds are within a few percent of the true constants."""
    circle = library_target("circle")
    assert 2 * np.pi <= circle.lipschitz_bound("[0,1]").value <= 2 * np.pi * 1.03
    assert (2 * np.pi) ** 2 <= circle.hessian_bound("[0,1]").value <= (2 * np.pi) ** 2 * 1.03
    sq = library_target("square-disk")
    assert 2 * np.sqrt(2) <= sq.lipschitz_bound("[-1,1]^2").value <= 4.01  # Frobenius of 2[[x,-y],[y,x]]
    assert sq.hessian_bound("[-1,1]^2").value == pytest.approx(2 * np.sqrt(2), rel=tol("bound_vs_sample"))


def test_local_bounds_on_many_small_pieces(rng):
    """The verifier's use: thousands of small 1-D pieces, one vectorised call."""
    t = library_target("oscillatory-1d")
    edges = np.sort(np.concatenate([[0.0, 1.0], rng.random(4999)]))
    bounds = t.local_bounds(edges[:-1], edges[1:], "hessian").bound
    assert bounds.shape == (5000,) and np.all(np.isfinite(bounds))
    mids = (edges[:-1] + edges[1:]) / 2
    second = np.abs(t.expression.hessian_at(mids)[:, 0, 0, 0])
    assert np.all(second <= bounds)
    assert np.median(bounds / np.maximum(second, 1e-300)) < 1.1  # tight on small pieces


def test_target_value_type():
    t = make_target("x1")
    assert isinstance(t, Target) and t.to_json() == "x1"
    with pytest.raises(DimensionMismatch):
        t([[1.0, 2.0]])
