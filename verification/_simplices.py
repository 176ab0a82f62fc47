r"""Triangles and tetrahedra on which a network is affine: measure, radius, refinement, remainder.

The region certificates (:mod:`verification._sup_regions`, :mod:`verification._lp_regions`)
triangulate the exact regions and refine the simplices; a :class:`SimplexKind` gathers what
they need of one dimension:

* the measure (area, volume) and a radius :math:`R_T` of a ball holding the simplex: about
  the vertex mean for triangles, the smallest enclosing ball for tetrahedra;
* the refinement: a triangle's four midpoint children (:func:`quadrisect`), a tetrahedron's
  eight red-refinement children (:func:`red_refine`; the inner octahedron cut along its
  shortest diagonal, Bey, Computing 55, 1995), with the vertex values carried along (a
  function affine on the simplex takes the mean of the end values at an edge midpoint).

On a simplex :math:`T` where the network is affine with slope :math:`A_T`, the error
:math:`e = f - N` differs from its linear interpolant :math:`Ie` at the vertices by at most

.. math:: r_T = \min\bigl(\tfrac12 R_T^2 \sqrt{d_y}\, H_T,\; (L_f + \|A_T\|_2) R_T\bigr)

(:func:`interpolation_remainder`): the first term is Waldron's bound for linear interpolation
(SIAM J. Numer. Anal. 35, 1998; :math:`H_T \ge \max_k \|D^2 f_k\|_2` on the simplex's bounding
box), the second the Lipschitz bound on :math:`e - Ie`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations
from typing import Callable

import numpy as np

__all__ = [
    "SimplexKind", "TRIANGLES", "TETRAHEDRA", "triangle_areas", "tetrahedron_volumes", "centroid_radius",
    "enclosing_ball_radius", "quadrisect", "red_refine", "interpolation_remainder",
]


def triangle_areas(T: np.ndarray) -> np.ndarray:
    """(k,) areas of triangles given as vertex coordinates (k, 3, 2)."""
    a, b, c = T[:, 0], T[:, 1], T[:, 2]
    return 0.5 * np.abs((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (c[:, 0] - a[:, 0]) * (b[:, 1] - a[:, 1]))


def tetrahedron_volumes(T: np.ndarray) -> np.ndarray:
    """(k,) volumes of tetrahedra given as vertex coordinates (k, 4, 3)."""
    u, v, w = T[:, 1] - T[:, 0], T[:, 2] - T[:, 0], T[:, 3] - T[:, 0]
    return np.abs(np.einsum("ij,ij->i", u, np.cross(v, w))) / 6.0


def centroid_radius(T: np.ndarray) -> np.ndarray:
    """(k,) radius of the ball about the vertex mean holding each simplex (k, n, d)."""
    c = T.mean(axis=1)
    return np.max(np.linalg.norm(T - c[:, None, :], axis=2), axis=1)


def enclosing_ball_radius(T: np.ndarray) -> np.ndarray:
    """(k,) radius of the smallest ball holding each tetrahedron (k, 4, 3).

    The smallest enclosing ball is centred at the circumcentre of some 2, 3 or 4 of the
    vertices; every centre gives a valid (larger or equal) radius, so the minimum over all
    these candidates and the centroid is the smallest radius.
    """
    cands = [T.mean(axis=1)]
    for i, j in combinations(range(4), 2):
        cands.append((T[:, i] + T[:, j]) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        for i, j, k in combinations(range(4), 3):
            a, u, v = T[:, i], T[:, j] - T[:, i], T[:, k] - T[:, i]
            w = np.cross(u, v)
            num = (u * u).sum(1)[:, None] * np.cross(v, w) + (v * v).sum(1)[:, None] * np.cross(w, u)
            cands.append(a + num / (2 * (w * w).sum(1))[:, None])
        a, u, v, t = T[:, 0], T[:, 1] - T[:, 0], T[:, 2] - T[:, 0], T[:, 3] - T[:, 0]
        num = ((u * u).sum(1)[:, None] * np.cross(v, t) + (v * v).sum(1)[:, None] * np.cross(t, u)
               + (t * t).sum(1)[:, None] * np.cross(u, v))
        cands.append(a + num / (2 * np.einsum("ij,ij->i", u, np.cross(v, t)))[:, None])
        r = np.stack([np.max(np.linalg.norm(T - c[:, None, :], axis=2), axis=1) for c in cands])
    r[~np.isfinite(r)] = np.inf
    return r.min(axis=0)


_TRI_EDGES = np.array([[0, 1], [1, 2], [2, 0]])  # midpoints 3, 4, 5
_TRI_CHILDREN = np.array([[0, 3, 5], [3, 1, 4], [5, 4, 2], [3, 4, 5]])
_TET_EDGES = np.array(list(combinations(range(4), 2)))  # midpoints 4..9: 01 02 03 12 13 23
_CORNERS = [[0, 4, 5, 6], [1, 4, 7, 8], [2, 5, 7, 9], [3, 6, 8, 9]]
# the inner octahedron cut along diagonal (p, q): the four tetrahedra around it (equator in cyclic order)
_DIAGONALS = [(4, 9, [5, 6, 8, 7]), (5, 8, [4, 7, 9, 6]), (6, 7, [4, 5, 9, 8])]
_TET_CHILDREN = np.array([_CORNERS + [[p, q, c[i], c[(i + 1) % 4]] for i in range(4)] for p, q, c in _DIAGONALS])


def _with_midpoints(edges: np.ndarray, T: np.ndarray, values: tuple, at_midpoints: tuple):
    """Each of ``T`` and ``values`` (k, n, ...) extended by its values at the edge midpoints (k, n + E, ...)."""
    for i, arr in enumerate((T,) + tuple(values)):
        given = at_midpoints[i - 1] if 0 < i <= len(at_midpoints) else None
        m = given if given is not None else (arr[:, edges[:, 0]] + arr[:, edges[:, 1]]) / 2
        yield arr, np.concatenate([arr, m], axis=1)


def quadrisect(T: np.ndarray, values: tuple = (), at_midpoints: tuple = ()) -> tuple[np.ndarray, ...]:
    """The four midpoint children of triangles ``T`` (k, 3, 2), with per-vertex ``values``.

    As :func:`red_refine`: each array in ``values`` (k, 3, ...) is carried to the children, its
    midpoint values the means of the end values unless ``at_midpoints`` gives them (k, 3, ...)
    for the edges 01, 12, 20.  Returns (4k, 3, ...) arrays, child by child (the first child of
    every triangle, then the second, ...).

    >>> kids, = quadrisect(np.array([[[0, 0], [1, 0], [0, 1]]], dtype=float))
    >>> kids.shape, float(triangle_areas(kids).sum())
    ((4, 3, 2), 0.5)
    """
    k = T.shape[0]
    return tuple(full[:, _TRI_CHILDREN].swapaxes(0, 1).reshape((4 * k, 3) + arr.shape[2:])
                 for arr, full in _with_midpoints(_TRI_EDGES, T, values, at_midpoints))


def red_refine(T: np.ndarray, values: tuple = (), at_midpoints: tuple = ()) -> tuple[np.ndarray, ...]:
    """The eight red-refinement children of tetrahedra ``T`` (k, 4, 3), with per-vertex ``values``.

    Each array in ``values`` is (k, 4, ...) and is carried to the children; its values at the
    six edge midpoints are the means of the end values (right for a function affine on the
    tetrahedron) unless the matching entry of ``at_midpoints`` gives them, (k, 6, ...).
    Returns the children's coordinates and values, each (8k, 4, ...), parent by parent.

    >>> T = np.array([[[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]], dtype=float)
    >>> kids, = red_refine(T)
    >>> kids.shape, float(tetrahedron_volumes(kids).sum()) * 6
    ((8, 4, 3), 1.0)
    """
    mids = (T[:, _TET_EDGES[:, 0]] + T[:, _TET_EDGES[:, 1]]) / 2
    d = np.linalg.norm(mids[:, [0, 1, 2]] - mids[:, [5, 4, 3]], axis=2)  # diagonals 01-23, 02-13, 03-12
    table = _TET_CHILDREN[np.argmin(d, axis=1)]  # (k, 8, 4)
    rows = np.arange(T.shape[0])[:, None, None]
    return tuple(full[rows, table].reshape((8 * T.shape[0], 4) + arr.shape[2:])
                 for arr, full in _with_midpoints(_TET_EDGES, T, values, at_midpoints))


@dataclass(frozen=True)
class SimplexKind:
    """What the region certificates need of one kind of simplex (module docstring)."""

    name: str
    plural: str
    dim: int
    edges: np.ndarray  # (E, 2) vertex pairs; the midpoints in this order
    n_children: int
    child_major: bool  # children ordered child by child (True) or parent by parent
    measure: Callable[[np.ndarray], np.ndarray]
    radius: Callable[[np.ndarray], np.ndarray]
    refine: Callable[..., tuple[np.ndarray, ...]]

    @property
    def n_edges(self) -> int:
        return int(self.edges.shape[0])

    def midpoints(self, T: np.ndarray) -> np.ndarray:
        """(k, E, d) the edge midpoints of simplices ``T`` (k, d + 1, d)."""
        return (T[:, self.edges[:, 0]] + T[:, self.edges[:, 1]]) / 2

    def repeat(self, per_parent: np.ndarray) -> np.ndarray:
        """A per-simplex array given to each child, in the order of :attr:`refine`'s children."""
        if self.child_major:
            return np.concatenate([per_parent] * self.n_children)
        return np.repeat(per_parent, self.n_children, axis=0)


TRIANGLES = SimplexKind("triangle", "triangles", 2, _TRI_EDGES, 4, True, triangle_areas, centroid_radius, quadrisect)
TETRAHEDRA = SimplexKind("tetrahedron", "tetrahedra", 3, _TET_EDGES, 8, False, tetrahedron_volumes,
                         enclosing_ball_radius, red_refine)


def interpolation_remainder(R, Anorm, hess, lip, d_y: int, rough: Callable[[], np.ndarray] | None = None) -> np.ndarray:
    r"""The bound :math:`r_T \ge \sup_T \|e - Ie\|_2` of the module docstring (vectorised; inf when nothing is known).

    ``rough``, when given, is called where some :math:`r_T` is not finite and returns another
    bound (e.g. :math:`\sup_T\|f\| + \max_v\|N(v)\| + \max_v\|e(v)\|` for a target that may jump).
    """
    with np.errstate(invalid="ignore", over="ignore"):
        r = np.minimum(0.5 * R * R * math.sqrt(d_y) * hess, (lip + Anorm) * R)
        if rough is not None and not np.isfinite(r).all():
            r = np.minimum(r, rough())
    return np.where(np.isnan(r), np.inf, r)
