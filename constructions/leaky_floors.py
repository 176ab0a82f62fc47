r"""Topological floors of uniform approximation by leaky-ReLU networks: hard targets, their floors, and witnesses one neuron wider.

Each :class:`Floor` names a target on a box, the width at which *every* leaky-ReLU network has
sup error at least ``floor`` on a named test set (a lower bound that the tests check
numerically on the too-narrow L^p witness, whose L^p error still falls), and how one more
neuron reaches the target.

* **bump** (:math:`d_x=2`, width 2): :math:`f=\max(0,1-\|x\|_2)` on :math:`[-2,2]^2`.  Level sets
  of a width-:math:`d_x` network are unbounded (Johnson 2019), so the level set through 0
  meets :math:`\partial K`, where :math:`f=0`: :math:`\max(|N(0)-1|,\sup_{\partial K}|N|)\ge\tfrac12`.
  Test set: :math:`\partial K\cup\{0\}`.  Width 3: ``leaky-uniform``.
* **X-curve** (:math:`(1,2)`, width 2): the PL curve through :math:`A(-1,0),B(1,0),C(0,-1),D(0,1)`
  at :math:`t=0,1,2,3`; a width-2 network factors as :math:`G\circ h` (:math:`h` scalar, :math:`G`
  injective, docs/leaky.md), and the crossing arms force sup error :math:`\ge\tfrac12` on
  :math:`[0,3]`.  Width 3: ``leaky-uniform`` with the knots at the integers, exact.
* **Hopf** (:math:`(2,3)`, width 3): on :math:`B(0,1)` :math:`f(x)=(x,0)`, on :math:`B(3e_1,1)`
  :math:`f(x)=(x_1-2,0,x_2)`; the two boundary circles are mapped to linked circles at distance
  1.  A width-3 network maps the disk pair into :math:`\Phi(H)` (a hyperplane under a
  homeomorphism), where disjoint cycles do not link, so the sup error on the two circles is
  :math:`\ge\tfrac12`.  The test set is a pair of inscribed :math:`n`-gons (their images link
  too), with floor ``dist/2`` for the exact distance of the image polygons.  Width 4: the
  nested-register witness :func:`hopf_witness` (exact).

:math:`z\mapsto z^2` on the disk (width 3, single-stage) is not asserted: see docs/leaky.md.

>>> f = FLOORS["x-curve"]
>>> f.d_x, f.d_y, f.width, f.floor
(1, 2, 2, 0.5)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from uat.domains import parse_domain
from uat.errors import ParameterError
from uat.network import FeedForward

from ._leaky_machine import LeakyMachine, qzeros
from ._leaky_primitives import relu_shear

__all__ = ["Floor", "FLOORS", "hopf_witness", "hopf_loops", "polygon_distance", "linking_number", "segment_network", "bump_witness", "cone_quadrature_error",
           "X_CURVE", "HOPF", "BUMP"]

BUMP = "max(0, 1 - sqrt(x1**2 + x2**2))"
X_CURVE = "[-1 + 2*x1 - 3*max(x1 - 1, 0) + max(x1 - 2, 0), -max(x1 - 1, 0) + 3*max(x1 - 2, 0)]"
_PHI = "(max(x1 - 1, 0) - max(x1 - 2, 0))"
_PSI = f"(max(x2 + 2*{_PHI} - 1, 0) - max(2*{_PHI} - 1, 0))"
HOPF = f"[x1 - 2*{_PHI}, x2 - {_PSI}, {_PSI}]"


@dataclass(frozen=True)
class Floor:
    """A hard target with its floor: every width-``width`` leaky network has sup error >= ``floor``."""

    name: str
    target: str
    domain: str
    d_x: int
    d_y: int
    width: int
    floor: float
    test_set: str
    argument: str


FLOORS = {
    "bump": Floor("bump", BUMP, "[-2,2]^2", 2, 1, 2, 0.5, "the boundary of the box and the origin",
                  "level sets of width-d_x networks are unbounded (Johnson 2019)"),
    "x-curve": Floor("x-curve", X_CURVE, "[0,3]", 1, 2, 2, 0.5, "[0,3]",
                     "width-2 networks factor through a scalar; the crossing arms cannot both be followed"),
    "hopf": Floor("hopf", HOPF, "[-1,4]x[-1,1]", 2, 3, 3, 0.5, "the two boundary circles (inscribed polygons)",
                  "a width-3 network maps K into a homeomorphic image of a plane, where cycles do not link"),
}


def _slope(alpha: Any) -> Fraction:
    """The leaky slope of a floor witness: any rational in (0, 1), checked before the depth is chosen."""
    try:
        a = Fraction(alpha)
    except (TypeError, ValueError, ZeroDivisionError):
        raise ParameterError(f"cannot read the leaky slope {alpha!r}; pass e.g. '1/4'") from None
    if not 0 < a < 1:
        raise ParameterError(f"the leaky slope must lie strictly between 0 and 1; got {alpha} (use 1/2 or 1/4)")
    return a


def hopf_witness(alpha: Any = "1/4") -> FeedForward:
    r"""The exact width-4 witness of the Hopf target (nested registers).

    Slots :math:`(x_1,x_2,a,b)`: :math:`a\mathrel{+}=\varphi(x_1)=\mathrm{clip}(x_1-1,0,1)` (two ReLU
    shears reading :math:`x_1`), then :math:`b\mathrel{+}=\psi=\mathrm{relu}(x_2+2a-1)-\mathrm{relu}(2a-1)`
    (two ReLU shears reading :math:`x_2` and the register :math:`a`); output
    :math:`(x_1-2a,\;x_2-b,\;b)`.  Exact (8 sigma-layers).  This is the "one neuron wider" side of
    the Hopf floor: width 3 has sup error :math:`\ge 1/2` (the linked-circles argument in the
    module docstring), width :math:`d_y + 1 = 4` is exact.

    Parameters
    ----------
    alpha : str or Fraction
        The leaky slope of every hidden layer (default 1/4).

    Returns
    -------
    FeedForward
        The exact witness on ``FLOORS["hopf"].domain``, metadata naming the target.
    """
    a = _slope(alpha)
    box = parse_domain(FLOORS["hopf"].domain)
    m = LeakyMachine(a, 4, 2)
    m.load_input(box, [[1, 0], [0, 1], [0, 0], [0, 0]], [0, 0, 0, 0])
    one, zero = Fraction(1), Fraction(0)
    relu_shear(m, 2, one, [one, zero, zero, zero], Fraction(-1))
    relu_shear(m, 2, -one, [one, zero, zero, zero], Fraction(-2))
    relu_shear(m, 3, one, [zero, one, Fraction(2), zero], -one)
    relu_shear(m, 3, -one, [zero, zero, Fraction(2), zero], -one)
    Out = qzeros(3, 4)
    Out[0, 0], Out[0, 2] = one, Fraction(-2)
    Out[1, 1], Out[1, 3] = one, -one
    Out[2, 3] = one
    return m.finish(Out, qzeros(3), metadata={"construction": "hopf-witness", "target": HOPF,
                                               "domain": FLOORS["hopf"].domain, "norm": "uniform"})


def hopf_loops(n: int = 64) -> tuple[np.ndarray, np.ndarray]:
    r"""Inscribed regular :math:`n`-gons of the circles :math:`|x| = 1` and :math:`|x - 3e_1| = 1` (the Hopf test set).

    Parameters
    ----------
    n : int
        Number of vertices.

    Returns
    -------
    (ndarray, ndarray)
        Two closed vertex arrays of shape (n + 1, 2) (the first vertex repeated at the end).
    """
    th = 2 * np.pi * np.arange(n + 1) / n
    c = np.stack([np.cos(th), np.sin(th)], axis=1)
    return c, c + np.array([3.0, 0.0])


def _seg_dist(p0: np.ndarray, p1: np.ndarray, q0: np.ndarray, q1: np.ndarray) -> float:
    """Distance between segments [p0,p1] and [q0,q1] in R^3 (closed form with clamping)."""
    d1, d2, r = p1 - p0, q1 - q0, p0 - q0
    a, e, f = d1 @ d1, d2 @ d2, d2 @ r
    c, b = d1 @ r, d1 @ d2
    den = a * e - b * b
    s = np.clip((b * f - c * e) / den, 0, 1) if den > 1e-14 else 0.0
    t = (b * s + f) / e
    if t < 0:
        t, s = 0.0, np.clip(-c / a, 0, 1)
    elif t > 1:
        t, s = 1.0, np.clip((b - c) / a, 0, 1)
    return float(np.linalg.norm(p0 + s * d1 - q0 - t * d2))


def polygon_distance(P: np.ndarray, R: np.ndarray) -> float:
    r"""Distance :math:`\min_{s \in P, r \in R} |s - r|` between two closed polygons in :math:`\mathbb R^3`.

    Computed exactly as the minimum of the closed-form segment-to-segment distances.

    Parameters
    ----------
    P, R : ndarray, shape (m, 3)
        Closed vertex arrays (last vertex equal to the first).

    Returns
    -------
    float
    """
    return min(_seg_dist(P[i], P[i + 1], R[j], R[j + 1]) for i in range(len(P) - 1) for j in range(len(R) - 1))


def linking_number(P: np.ndarray, R: np.ndarray) -> int:
    r"""Linking number of two disjoint closed polygons: the signed crossings of R through the flat polygon P.

    Used by the Hopf floor: the images of the two test loops under a witness link (linking
    number :math:`\pm 1`), which no width-3 leaky network can achieve with sup error below 1/2.

    Parameters
    ----------
    P : ndarray, shape (m, 3)
        A closed, planar polygon (the image of the first loop is planar here).
    R : ndarray, shape (k, 3)
        A closed polygon disjoint from P.

    Returns
    -------
    int
    """
    normal = np.cross(P[1] - P[0], P[2] - P[0])
    normal /= np.linalg.norm(normal)
    u = P[1] - P[0]
    u /= np.linalg.norm(u)
    v = np.cross(normal, u)
    poly2 = np.stack([(P - P[0]) @ u, (P - P[0]) @ v], axis=1)
    total = 0
    for j in range(len(R) - 1):
        a0, a1 = (R[j] - P[0]) @ normal, (R[j + 1] - P[0]) @ normal
        if a0 == a1 or (a0 > 0) == (a1 > 0):
            continue
        s = a0 / (a0 - a1)
        x = R[j] + s * (R[j + 1] - R[j]) - P[0]
        pt = np.array([x @ u, x @ v])
        if _inside(poly2, pt):
            total += 1 if a1 > a0 else -1
    return total


def _inside(poly: np.ndarray, pt: np.ndarray) -> bool:
    inside = False
    for i in range(len(poly) - 1):
        (x0, y0), (x1, y1) = poly[i], poly[i + 1]
        if (y0 > pt[1]) != (y1 > pt[1]):
            xc = x0 + (pt[1] - y0) * (x1 - x0) / (y1 - y0)
            if xc > pt[0]:
                inside = not inside
    return inside


def segment_network(net: FeedForward, p: Any, q: Any) -> FeedForward:
    r"""The one-input network :math:`t \mapsto \mathcal N(p + t(q - p))`, :math:`t \in [0, 1]`.

    The first layer absorbs the segment map (:math:`W \leftarrow W(q-p)`, :math:`b \leftarrow b + Wp`), so
    the restriction of a witness to a segment of the test set can be verified by the exact 1-D
    routes.  Points are taken at their exact binary value, so an exact network stays exact.

    Parameters
    ----------
    net : FeedForward
        The network.
    p, q : array_like
        The segment's end points.

    Returns
    -------
    FeedForward
    """
    from uat._scalars import fraction_from_float

    layers = list(net.iter_layers())
    first = layers[0]
    exact = net.is_exact
    conv = (lambda v: fraction_from_float(float(v))) if exact else float
    P = np.array([conv(v) for v in np.asarray(p, dtype=float)], dtype=object if exact else float)
    D = np.array([conv(v) for v in (np.asarray(q, dtype=float) - np.asarray(p, dtype=float))],
                 dtype=object if exact else float)
    W = first.weight.dot(D).reshape(-1, 1)
    b = first.bias + first.weight.dot(P)
    from uat.network import Layer

    return FeedForward.from_layer_values([Layer(np.asarray(W), np.asarray(b), first.activation)] + layers[1:])


def cone_quadrature_error(D: int, n_probe: int = 4001) -> float:
    r"""An upper bound on :math:`\delta_D = \max_x |\tilde r(x)/\|x\| - 1|` for the ridge quadrature of the norm.

    :math:`\tilde r(x) = \frac{\pi}{2D}\sum_{k<D} |w_k \cdot x|`, :math:`w_k = (\cos\theta_k, \sin\theta_k)`,
    :math:`\theta_k = \pi(k + 1/2)/D`: the midpoint rule for :math:`\|x\| = \frac12\int_0^\pi |w_\theta\cdot x|\,d\theta`.
    The ratio depends only on the angle of x and is :math:`\pi/D`-periodic; it is evaluated on a
    fine grid of one period and padded by the grid's Lipschitz slack (the ratio is
    :math:`\pi/2`-Lipschitz in the angle), so the result is an upper bound.

    Parameters
    ----------
    D : int
        Number of directions.
    n_probe : int
        Grid points in one period.

    Returns
    -------
    float
    """
    th = np.pi * (np.arange(D) + 0.5) / D
    phi = np.linspace(0.0, np.pi / D, n_probe)
    ratio = (np.pi / (2 * D)) * np.abs(np.cos(th[None, :] - phi[:, None])).sum(axis=1)
    return float(np.max(np.abs(ratio - 1.0))) + (np.pi / 2) * (np.pi / D) / (n_probe - 1)


def bump_witness(eps: float = 0.05, alpha: Any = "1/4") -> tuple[FeedForward, float]:
    r"""A width-3 uniform witness of the bump :math:`\max(0,1-\|x\|_2)` on :math:`[-2,2]^2`, with its error bound.

    Slots :math:`(x_1,x_2,z)`: :math:`z\mathrel{+}=1-\tilde r(x)` with the ridge quadrature
    :math:`\tilde r=\frac{\pi}{2D}\sum_k|w_k\cdot x|` of :math:`\|x\|=\frac12\int_0^\pi|w_\theta\cdot x|d\theta`
    (two ReLU shears per direction), then :math:`z\leftarrow\sigma^{\circ k}(z)=\sigma_{\alpha^k}(z)`.
    Error :math:`\le\delta_D/(1-\delta_D)+\alpha^k\max|1-\tilde r|` with :math:`\delta_D` the quadrature's
    relative error (:func:`cone_quadrature_error`).  :math:`D` and :math:`k` are the smallest meeting
    ``eps/2`` each.  Width :math:`d_x + 1 = 3` is one more than the bump floor's width 2.

    Parameters
    ----------
    eps : float
        The requested sup error.
    alpha : str or Fraction
        The leaky slope.

    Returns
    -------
    (FeedForward, float)
        The witness and its a-priori sup-error bound (at most ``eps`` plus a rounding slack of 1e-9).
    """
    a = _slope(alpha)
    D = 2
    while True:
        dD = cone_quadrature_error(D)
        if dD / (1 - dD) <= eps / 2:
            break
        D += 1
    z_max = 2 * 2.0**0.5 * (1 + dD) + 1  # max |1 - r~| on the box
    k = 1
    while float(a**k) * z_max > eps / 2:
        k += 1
    box = parse_domain(FLOORS["bump"].domain)
    m = LeakyMachine(a, 3, 2)
    m.load_input(box, [[1, 0], [0, 1], [0, 0]], [0, 0, 1])
    from ._leaky_machine import Q
    from ._leaky_primitives import power_chain, run_chains

    c = Q(float(np.pi / (2 * D)))
    th = np.pi * (np.arange(D) + 0.5) / D
    for t in th:
        w = [Q(float(np.cos(t))), Q(float(np.sin(t))), Fraction(0)]
        relu_shear(m, 2, -c, w, Fraction(0))
        relu_shear(m, 2, -c, [-v for v in w], Fraction(0))
    run_chains(m, {2: [power_chain(k)]})
    net = m.finish([[0, 0, 1]], [0], metadata={"construction": "bump-witness", "target": BUMP,
                                               "domain": FLOORS["bump"].domain, "norm": "uniform"})
    # the float rounding of the quadrature weights is covered by the slack in the bound
    bound = dD / (1 - dD) + float(a**k) * z_max + 1e-9
    return net, bound
