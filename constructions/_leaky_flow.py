r"""The flow engine: time-dependent velocity fields on :math:`\mathbb R^N`, split into single-neuron fields.

A :class:`VelocityField` is piecewise constant in time; on each piece it is a sum of
single-neuron fields :math:`c\,\phi(w\cdot y+b)\,e_i` (:class:`Neuron`; :math:`\phi` is
:math:`\sigma_\alpha` or ReLU, or the affine field :math:`c\,(w\cdot y+b)\,e_i`).  Its flow map
is realised *exactly* piece by piece on a :class:`~constructions._leaky_machine.LeakyMachine`
(Duan-Li-Ji-Cai, arXiv 2209.10909: vanilla leaky-ReLU nets of width :math:`N` as splitting
discretisations of flows):

* :math:`w_i=0` (the neuron does not read the slot it moves): the flow for time
  :math:`\Delta t` is the shear :math:`y_i\mathrel{+}=\Delta t\,c\,\phi(w\cdot y+b)`, primitive P3
  (two layers; ReLU through :math:`\mathrm{relu}=(\sigma-\alpha\,\mathrm{id})/(1-\alpha)`), for
  every :math:`\Delta t`.
* :math:`w_i\ne0`: with :math:`u=w\cdot y+b` and :math:`\kappa=c\,w_i` the flow solves
  :math:`\dot u=\kappa\sigma(u)`, so :math:`u(\Delta t)=e^{\kappa\Delta t}\sigma_\beta(u)` with
  :math:`\beta=e^{\kappa\Delta t(\alpha-1)}`.  When the switch-on time is *quantised*,
  :math:`\kappa\Delta t=k\ln\alpha/(\alpha-1)`, :math:`\beta=\alpha^k` and the flow is exactly the
  conditional kink P4 with :math:`|k|` layers:
  :math:`y_i'=(e^{\kappa\Delta t}\sigma^{\circ k}(u)-b-w_{-i}\cdot y_{-i})/w_i`.  Such a neuron must be
  alone on its time piece (it is applied as one event).

Pieces whose neurons commute (no neuron reads a slot another one writes) are realised
exactly with one step; otherwise the piece is split into ``steps`` Lie or Strang steps, with
splitting error :math:`O(\Delta t)` or :math:`O(\Delta t^2)` per unit time.

>>> from fractions import Fraction as Q
>>> rot = FieldPiece(Q(1), (Neuron(0, Q(-1), (Q(0), Q(1)), Q(0)), Neuron(1, Q(1), (Q(1), Q(0)), Q(0))))
>>> rot.commutes
False
>>> quantum_time(Neuron(0, Q(1), (Q(1), Q(0)), Q(0)), Q(1, 2), 1)  # 2 ln 2
1.386...
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np

from uat.errors import ParameterError

from ._leaky_machine import LeakyMachine, Q
from ._leaky_primitives import conditional_kink, relu_shear, shear

__all__ = ["Neuron", "FieldPiece", "VelocityField", "realise_flow", "quantum_time", "quantised_factor",
           "rk4_flow"]

_KINDS = ("leaky", "relu", "affine")


@dataclass(frozen=True)
class Neuron:
    r"""The single-neuron field :math:`c\,\phi(w\cdot y+b)\,e_i` (``slot`` = :math:`i`)."""

    slot: int
    c: Fraction
    w: tuple[Fraction, ...]
    b: Fraction
    kind: str = "leaky"

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ParameterError(f"neuron kind must be one of {_KINDS}, got {self.kind!r}")
        object.__setattr__(self, "c", Q(self.c))
        object.__setattr__(self, "b", Q(self.b))
        object.__setattr__(self, "w", tuple(Q(v) for v in self.w))
        if not 0 <= self.slot < len(self.w):
            raise ParameterError(f"neuron slot {self.slot} outside 0..{len(self.w) - 1}")

    @property
    def self_dependent(self) -> bool:
        """Whether the neuron reads the slot it writes (a kink, not a shear)."""
        return self.kind != "affine" and self.w[self.slot] != 0

    @property
    def reads(self) -> frozenset[int]:
        """The slots with a nonzero weight in the neuron's input."""
        return frozenset(k for k, v in enumerate(self.w) if v != 0)

    def velocity(self, y: np.ndarray, alpha: float) -> np.ndarray:
        """Velocity at points y (n, N), float64."""
        u = y @ np.array([float(v) for v in self.w]) + float(self.b)
        if self.kind == "leaky":
            a = np.where(u >= 0, u, alpha * u)
        elif self.kind == "relu":
            a = np.maximum(u, 0.0)
        else:
            a = u
        out = np.zeros_like(y)
        out[:, self.slot] = float(self.c) * a
        return out


@dataclass(frozen=True)
class FieldPiece:
    """A time interval of length ``duration`` on which the field is the sum of ``neurons``."""

    duration: Fraction | float
    neurons: tuple[Neuron, ...]

    @property
    def commutes(self) -> bool:
        """True when no neuron reads a slot that some neuron writes (then one step is exact)."""
        written = {n.slot for n in self.neurons}
        return all(not (n.reads & written) for n in self.neurons)


@dataclass(frozen=True)
class VelocityField:
    """A piecewise-constant-in-time field on R^N (pieces in time order)."""

    dim: int
    pieces: tuple[FieldPiece, ...]

    def __post_init__(self) -> None:
        for pc in self.pieces:
            for n in pc.neurons:
                if len(n.w) != self.dim:
                    raise ParameterError(f"neuron weights have length {len(n.w)}, the field lives on R^{self.dim}")

    def velocity(self, y: np.ndarray, t: float, alpha: float) -> np.ndarray:
        r"""The velocity :math:`\dot y = \sum_n v_n(y)` of the piece active at time ``t`` (the last piece after the end).

        Parameters
        ----------
        y : ndarray, shape (n, d)
            Points.
        t : float
            Time.
        alpha : float
            The leaky slope.

        Returns
        -------
        ndarray, shape (n, d)
        """
        start = 0.0
        for pc in self.pieces:
            end = start + float(pc.duration)
            if t < end or pc is self.pieces[-1]:
                return sum((n.velocity(y, alpha) for n in pc.neurons), np.zeros_like(y))
            start = end
        return np.zeros_like(y)


def quantum_time(neuron: Neuron, alpha: Fraction, k: int) -> float:
    r"""The switch-on time :math:`\Delta t = k\ln\alpha/((\alpha-1)\kappa)` at which the flow is exact."""
    kappa = float(neuron.c * neuron.w[neuron.slot])
    if kappa == 0:
        raise ParameterError("the neuron does not read its own slot; its flow is a shear for every time")
    a = float(alpha)
    return k * math.log(a) / ((a - 1) * kappa)


def quantised_factor(alpha: Fraction, k: int) -> Fraction:
    r"""The exact factor :math:`e^{\kappa\Delta t}=\alpha^{k/(\alpha-1)}` (must be rational).

    For :math:`\alpha=2^{-m}` it is :math:`2^{mk/(1-\alpha)}`, rational iff :math:`mk/(1-\alpha)` is an integer.
    """
    alpha = Fraction(alpha)
    m = 0
    a = alpha
    while a.denominator % 2 == 0 and a.numerator == 1 and a < 1:
        a *= 2
        m += 1
    if a != 1:
        raise ParameterError(f"exact quantised-time kinks need a power-of-two slope alpha = 2^-m, got {alpha}")
    expo = Fraction(m * k) / (1 - alpha)
    if expo.denominator != 1:
        raise ParameterError(
            f"the factor alpha^(k/(alpha-1)) = 2^{expo} is irrational for alpha = {alpha}, k = {k}; "
            f"use k a multiple of {expo.denominator} (or alpha = 1/2)"
        )
    return Fraction(2) ** int(expo)


def _self_flow(m: LeakyMachine, n: Neuron, duration: float) -> None:
    kappa = float(n.c * n.w[n.slot])
    a = float(m.alpha)
    k_real = kappa * duration * (a - 1) / math.log(a)
    k = int(round(k_real))
    if k == 0 or abs(k_real - k) > 1e-9 * max(1.0, abs(k_real)):
        raise ParameterError(
            f"the self-dependent neuron on slot {n.slot} is switched on for {duration!r}, which is not a whole "
            f"number of quanta ln(alpha)/((alpha-1) kappa) = {quantum_time(n, m.alpha, 1):.6g}; quantise its "
            "switch-on time (it is exact only then)"
        )
    F = quantised_factor(m.alpha, k)
    i, wi = n.slot, n.w[n.slot]
    r = [-v / wi if t != i else Fraction(0) for t, v in enumerate(n.w)]
    r0 = -n.b / wi
    if k > 0:
        conditional_kink(m, i, wi, n.w, n.b, k, F / wi, r, r0)
    else:
        q = -k
        conditional_kink(m, i, -wi, [-v for v in n.w], -n.b, q, -F / m.alpha**q / wi, r, r0)


def _apply(m: LeakyMachine, n: Neuron, dt: Fraction) -> None:
    if n.kind == "affine":
        row = [dt * n.c * v if t != n.slot else 1 + dt * n.c * v for t, v in enumerate(n.w)]
        m.set_slot(n.slot, row, dt * n.c * n.b)
    elif n.kind == "relu":
        relu_shear(m, n.slot, dt * n.c, n.w, n.b)
    else:
        shear(m, n.slot, dt * n.c, n.w, n.b)


def realise_flow(m: LeakyMachine, field: VelocityField, *, steps: int = 1, scheme: str = "strang",
                 progress: Callable[[int], None] | None = None) -> dict:
    """Append the (split) flow map of ``field`` to the machine; returns a report of what was done.

    ``steps`` is the number of splitting steps per non-commuting piece; commuting pieces
    use one exact step.  Self-dependent neurons must be alone on a piece whose duration is a
    whole number of quanta (:func:`quantum_time`).
    """
    if field.dim != m.N:
        raise ParameterError(f"the field lives on R^{field.dim} but the machine has {m.N} slots")
    if scheme not in ("lie", "strang"):
        raise ParameterError(f"scheme must be 'lie' or 'strang', got {scheme!r}")
    if steps < 1:
        raise ParameterError(f"steps must be >= 1, got {steps}")
    exact = True
    n_shears = n_kinks = 0
    for pc in field.pieces:
        if any(n.self_dependent for n in pc.neurons):
            if len(pc.neurons) != 1 or pc.neurons[0].kind != "leaky":
                raise ParameterError("a self-dependent neuron must be alone on its time piece (quantised switch-on)")
            _self_flow(m, pc.neurons[0], float(pc.duration))
            n_kinks += 1
            continue
        T = Q(pc.duration) if not isinstance(pc.duration, float) else Fraction(pc.duration)
        nsteps = 1 if pc.commutes else steps
        exact = exact and pc.commutes
        dt = T / nsteps
        seq = list(pc.neurons)
        for _ in range(nsteps):
            if scheme == "lie" or pc.commutes or len(seq) == 1:
                plan = [(n, dt) for n in seq]
            else:
                plan = [(n, dt / 2) for n in seq[:-1]] + [(seq[-1], dt)] + [(n, dt / 2) for n in reversed(seq[:-1])]
            for n, h in plan:
                _apply(m, n, h)
                n_shears += n.kind != "affine"
                if progress is not None:
                    progress(1)
    return {"exact": exact, "shears": n_shears, "quantised_kinks": n_kinks, "scheme": scheme, "steps": steps}


def rk4_flow(field: VelocityField, y0: np.ndarray, alpha: float, *, steps_per_unit: int = 2000) -> np.ndarray:
    """Reference flow map by classical RK4 (float64; for tests and docs only)."""
    y = np.array(y0, dtype=float)
    t0 = 0.0
    for pc in field.pieces:
        T = float(pc.duration)
        n = max(1, int(math.ceil(T * steps_per_unit)))
        h = T / n

        def v(z: np.ndarray) -> np.ndarray:
            return sum((nn.velocity(z, alpha) for nn in pc.neurons), np.zeros_like(z))

        for _ in range(n):
            k1 = v(y)
            k2 = v(y + h / 2 * k1)
            k3 = v(y + h / 2 * k2)
            k4 = v(y + h * k3)
            y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        t0 += T
    return y
