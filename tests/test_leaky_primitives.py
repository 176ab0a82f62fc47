"""The exact leaky-ReLU primitives P0-P4, lattice maps and the flow engine against their closed forms."""

from __future__ import annotations

from fractions import Fraction as Q

import numpy as np
import pytest

from constructions._leaky_flow import (FieldPiece, Neuron, VelocityField, quantised_factor, quantum_time,
                                       realise_flow, rk4_flow)
from constructions._leaky_lattice import lattice_interpolation
from constructions._leaky_machine import LeakyMachine
from constructions._leaky_primitives import (conditional_kink, conditional_kink_closed, inverse_chain, kink_chain,
                                             kink_closed, power_chain, relu_shear, run_chains, shear, shear_closed,
                                             sigma_closed)
from uat.activations import leaky_relu
from uat.domains import parse_domain
from uat.errors import ParameterError
from uat.tolerances import tol

ALPHAS = [Q(1, 2), Q(1, 4)]


def _machine(alpha, N, box):
    """Slots = the coordinates of x, repeated cyclically when N > d_x."""
    m = LeakyMachine(alpha, N, box.dim)
    T = [[1 if i % box.dim == j else 0 for j in range(box.dim)] for i in range(N)]
    m.load_input(box, T, [0] * N)
    return m


def _identity_out(N):
    return [[1 if i == j else 0 for j in range(N)] for i in range(N)], [0] * N


def _close(a, b):
    scale = max(1.0, float(np.max(np.abs(b))))
    return float(np.max(np.abs(a - b))) <= tol("primitive_closed_form") * scale


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("e", [-3, -1, 1, 2, 4])
def test_kink_matches_closed_form(alpha, e, rng):
    box = parse_domain("[-2,3]")
    m = _machine(alpha, 2, box)
    beta = Q(int(rng.integers(-150, 250)), 100)
    run_chains(m, {0: [kink_chain(beta, e, alpha)]})
    net = m.finish(*_identity_out(2))
    x = np.concatenate([rng.uniform(-2, 3, 500), [-2.0, 3.0, float(beta)]])[:, None]
    y = net(x)
    assert _close(y[:, 0], kink_closed(x[:, 0], float(beta), e, float(alpha)))
    assert _close(y[:, 1], x[:, 0])  # the other slot passed through (P0)
    assert net.depth == abs(e) + 1
    assert net.hidden_activations == (leaky_relu(alpha),)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_inverse_and_powers(alpha, rng):
    box = parse_domain("[-3,3]")
    m = _machine(alpha, 2, box)
    run_chains(m, {0: [power_chain(3)], 1: [inverse_chain(alpha)]})
    net = m.finish(*_identity_out(2))
    x = rng.uniform(-3, 3, (400, 1))
    y = net(x)
    assert _close(y[:, 0], sigma_closed(x[:, 0], float(alpha), 3))
    inv = np.where(x[:, 0] >= 0, x[:, 0], x[:, 0] / float(alpha))
    assert _close(y[:, 1], inv)
    # the inverse really inverts sigma
    assert _close(sigma_closed(y[:, 1], float(alpha)), x[:, 0])


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("N", [2, 3, 4])
def test_shear_matches_closed_form_and_exact(alpha, N, rng):
    box = parse_domain(f"[-1,2]^{N}")
    m = _machine(alpha, N, box)
    s_closed = rng.uniform(-1, 2, (300, N))
    x = s_closed.copy()
    for _ in range(4):
        i = int(rng.integers(N))
        w = [Q(int(v), 8) if k != i else Q(0) for k, v in enumerate(rng.integers(-16, 17, N))]
        if all(v == 0 for v in w):
            w[(i + 1) % N] = Q(1)
        c, b = Q(int(rng.integers(-12, 13)), 4), Q(int(rng.integers(-8, 9)), 8)
        shear(m, i, c, w, b)
        s_closed = shear_closed(s_closed, i, float(c), np.array([float(v) for v in w]), float(b), float(alpha))
    net = m.finish(*_identity_out(N))
    assert _close(net(x), s_closed)
    assert net.width == N and net.hidden_activations == (leaky_relu(alpha),)
    # exact rational evaluation agrees with the closed form at dyadic points
    pts = [[Q(int(v), 16) for v in row] for row in rng.integers(-16, 33, (3, N))]
    ex = net.evaluate_exact(pts)
    fl = np.array([[float(v) for v in row] for row in ex])
    ref = net(np.array([[float(v) for v in row] for row in pts]))
    assert _close(fl, ref)


def test_relu_shear_and_refusals(rng):
    alpha = Q(1, 4)
    box = parse_domain("[-1,1]^2")
    m = _machine(alpha, 2, box)
    relu_shear(m, 1, Q(3, 2), [Q(2), Q(0)], Q(-1, 2))
    net = m.finish(*_identity_out(2))
    x = rng.uniform(-1, 1, (300, 2))
    ref = x.copy()
    ref[:, 1] += 1.5 * np.maximum(2 * x[:, 0] - 0.5, 0)
    assert _close(net(x), ref)
    with pytest.raises(ParameterError, match="must not read slot"):
        shear(m, 0, Q(1), [Q(1), Q(0)], Q(0))


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("k", [1, 3])
def test_conditional_kink_matches_closed_form(alpha, k, rng):
    box = parse_domain("[-1,1]x[0,2]x[-2,1]")
    m = _machine(alpha, 3, box)
    args = dict(i=1, a=Q(-3, 2), w=[Q(1, 2), Q(0), Q(-2)], b=Q(1, 4), k=k, p=Q(5, 4), r=[Q(1), Q(0), Q(-1, 2)], r0=Q(1, 8))
    conditional_kink(m, **args)
    net = m.finish(*_identity_out(3))
    x = box.from_unit(rng.uniform(0, 1, (400, 3)))
    fargs = {kk: (float(v) if isinstance(v, Q) else (np.array([float(t) for t in v]) if isinstance(v, list) else v))
             for kk, v in args.items()}
    ref = conditional_kink_closed(x, alpha=float(alpha), **fargs)
    assert _close(net(x), ref)
    assert net.depth == k + 1


@pytest.mark.parametrize("alpha", ALPHAS)
def test_lattice_interpolation_is_exact_and_on_the_lattice(alpha, rng):
    c = sorted({Q(int(v), 16) for v in rng.integers(0, 64, 12)})
    y = [Q(0)]
    for _ in c[1:]:
        y.append(y[-1] + Q(int(rng.integers(1, 400)), 64))
    phi = lattice_interpolation(c, y, alpha, s_ref=Q(1))
    assert [phi.value(t) for t in c] == y
    for r in phi.slope_ratios():
        e = round(np.log(float(r)) / np.log(float(alpha)))
        assert r == alpha**e
    # realised by P1 chains on a slot
    box = parse_domain(f"[{c[0]},{c[-1]}]")
    m = _machine(alpha, 2, box)
    s0, shift = phi.affine_part()
    m.set_slot(0, [s0, 0], shift)
    run_chains(m, {0: phi.kink_chains()})
    net = m.finish(*_identity_out(2))
    t = np.linspace(float(c[0]), float(c[-1]), 2001)[:, None]
    assert _close(net(t)[:, 0], phi(t[:, 0]))
    assert net.depth == phi.n_layers + 1


def test_quantised_time_flow_is_exact():
    alpha = Q(1, 2)
    box = parse_domain("[-1,1]^2")
    for c, k in ((Q(1, 2), 1), (Q(1, 2), 2), (Q(-3, 4), -1)):
        n = Neuron(0, c, (Q(2), Q(1)), Q(-1, 2))
        T = quantum_time(n, alpha, k)
        m = _machine(alpha, 2, box)
        realise_flow(m, VelocityField(2, (FieldPiece(T, (n,)),)))
        net = m.finish(*_identity_out(2))
        x = box.grid(31)
        u = 2 * x[:, 0] + x[:, 1] - 0.5
        kappa = float(c) * 2
        beta = np.exp(kappa * T * (0.5 - 1))
        u_new = np.exp(kappa * T) * np.where(u >= 0, u, beta * u)  # u(T) = e^{kT} sigma_beta(u)
        ref = np.stack([x[:, 0] + (u_new - u) / 2, x[:, 1]], axis=1)
        assert _close(net(x), ref)
        assert net.depth == abs(k) + 1
    assert quantised_factor(Q(1, 2), 3) == 64
    with pytest.raises(ParameterError, match="irrational"):
        quantised_factor(Q(1, 4), 1)


def test_quantised_flow_refuses_unquantised_time():
    n = Neuron(0, Q(1), (Q(1), Q(0)), Q(0))
    m = _machine(Q(1, 2), 2, parse_domain("[0,1]^2"))
    with pytest.raises(ParameterError, match="quanta"):
        realise_flow(m, VelocityField(2, (FieldPiece(0.3, (n,)),)))


def test_splitting_converges_at_the_predicted_rates():
    """A rotation-like field (not a shear): Lie O(dt), Strang O(dt^2) against RK4."""
    alpha = Q(1, 2)
    field = VelocityField(2, (FieldPiece(Q(1), (Neuron(0, Q(-1), (Q(0), Q(1)), Q(1, 2)),
                                                 Neuron(1, Q(1), (Q(1), Q(0)), Q(1, 4)))),))
    box = parse_domain("[-1,1]^2")
    x = box.grid(15)
    ref = rk4_flow(field, x, 0.5, steps_per_unit=4000)
    steps = [8, 16, 32, 64]
    for scheme, rate in (("lie", 1.0), ("strang", 2.0)):
        errs = []
        for s in steps:
            m = _machine(alpha, 2, box)
            realise_flow(m, field, steps=s, scheme=scheme)
            errs.append(float(np.max(np.abs(m.finish(*_identity_out(2))(x) - ref))))
        slope = -np.polyfit(np.log(steps), np.log(errs), 1)[0]
        assert abs(slope - rate) <= tol("rate_slope_fraction") * rate, (scheme, errs)


def test_commuting_piece_is_one_exact_step():
    field = VelocityField(3, (FieldPiece(Q(1), (Neuron(2, Q(2), (Q(1), Q(-1), Q(0)), Q(0), kind="relu"),
                                                 Neuron(2, Q(-1), (Q(0), Q(1), Q(0)), Q(1, 2), kind="relu"))),))
    assert field.pieces[0].commutes
    box = parse_domain("[0,1]^2")
    m = LeakyMachine(Q(1, 4), 3, 2)
    m.load_input(box, [[1, 0], [0, 1], [0, 0]], [0, 0, 0])
    rep = realise_flow(m, field, steps=50)
    assert rep["exact"] and rep["shears"] == 2
    net = m.finish([[0, 0, 1]], [0])
    x = box.grid(21)
    ref = 2 * np.maximum(x[:, 0] - x[:, 1], 0) - np.maximum(x[:, 1] + 0.5, 0)
    assert _close(net(x)[:, 0], ref)
