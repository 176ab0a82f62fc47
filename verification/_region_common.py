r"""What the 2-D and 3-D linear regions share: per-region reductions, affine maps, the layer walk.

:class:`ConvexRegions` is the common part of :class:`~verification.regions.Regions2D` and
:class:`~verification.regions3d.Regions3D`: vertices stored region after region
(``vertices[offsets[k]:offsets[k+1]]``), the network's value at each vertex, and the
reductions over each region's vertices (means, bounding boxes, the least-squares affine map
:math:`N(x) = A x + c` and the exact Lipschitz constant :math:`\max_R \|A_R\|_2`).

:func:`cut_layer_by_layer` is the layer walk of :func:`~verification.regions.linear_regions_2d`
and :func:`~verification.regions3d.linear_regions_3d`: each layer's pre-activations at the
vertices, the dimension's own cut along every unit that kinks or jumps, then the activation at
the vertices (:func:`activate_vertices`).  After the cuts no unit changes strict sign on a region,
so every vertex takes the branch of its region's interior (for a jump unit the sign of the vertex
sum decides it, and the vertex values are the limits from inside the region).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from uat.errors import NonFiniteError
from uat.network import FeedForward

from ._neurons import column_groups, columns_where
from .pieces import _KINKED, JUMPS

__all__ = ["ConvexRegions", "next_in_cycle", "cut_layer_by_layer", "activate_vertices"]


class ConvexRegions:
    """Reductions over the vertices of each region (mixed into the frozen region dataclasses).

    Needs the attributes ``vertices`` (V, d), ``values`` (V, d_y), ``offsets`` (n + 1,),
    ``continuous``, ``box``, and a method ``_measures()`` giving each region's area or volume.
    """

    vertices: np.ndarray
    values: np.ndarray
    offsets: np.ndarray
    continuous: bool

    @property
    def n_regions(self) -> int:
        return int(self.offsets.shape[0] - 1)

    @property
    def counts(self) -> np.ndarray:
        """(n,) vertices per region."""
        return np.diff(self.offsets)

    def _region_of_vertex(self) -> np.ndarray:
        return np.repeat(np.arange(self.n_regions), self.counts)

    def _sum(self, arr: np.ndarray) -> np.ndarray:
        return np.add.reduceat(arr, self.offsets[:-1], axis=0)

    @property
    def vertex_means(self) -> np.ndarray:
        """(n, d) the mean of each region's vertices (an interior point)."""
        return self._sum(self.vertices) / self.counts[:, None]

    @property
    def mean_values(self) -> np.ndarray:
        """(n, d_y) the network at :attr:`vertex_means` (the mean of the vertex values)."""
        return self._sum(self.values) / self.counts[:, None]

    @property
    def bounding_boxes(self) -> tuple[np.ndarray, np.ndarray]:
        """((n, d), (n, d)) lower and upper corners of each region's bounding box."""
        lo = np.minimum.reduceat(self.vertices, self.offsets[:-1], axis=0)
        hi = np.maximum.reduceat(self.vertices, self.offsets[:-1], axis=0)
        return lo, hi

    def affine_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """(A (n, d_y, d), c (n, d_y)): ``N(x) = A x + c`` on each region (least squares on the vertices)."""
        pid = self._region_of_vertex()
        dp = self.vertices - self.vertex_means[pid]
        dv = self.values - self.mean_values[pid]
        cov = self._sum(dp[:, :, None] * dp[:, None, :])  # (n, d, d)
        cross = self._sum(dp[:, :, None] * dv[:, None, :])  # (n, d, d_y)
        At = self._solve_normal_equations(cov, cross, pid, dp, dv)  # (n, d, d_y)
        A = np.swapaxes(At, 1, 2)
        c = self.mean_values - np.einsum("nij,nj->ni", A, self.vertex_means)
        return A, c

    def _solve_normal_equations(self, cov, cross, pid, dp, dv) -> np.ndarray:
        raise NotImplementedError

    def _measures(self) -> np.ndarray:
        raise NotImplementedError

    def lipschitz(self) -> float:
        """The exact Lipschitz constant max_R ||A_R||_2 of a continuous network on the box."""
        if not self.continuous:
            return float("inf")
        A, _ = self.affine_maps()
        big = self._measures() > 1e-14 * float(np.prod(self.box.widths))  # type: ignore[attr-defined]
        return float(np.max(np.linalg.norm(A[big], ord=2, axis=(1, 2)))) if big.any() else 0.0


def next_in_cycle(offsets: np.ndarray) -> np.ndarray:
    """For entries grouped in cyclic runs by ``offsets`` (polygon vertices, face corners): the next entry's index.

    >>> next_in_cycle(np.array([0, 3, 5])).tolist()
    [1, 2, 0, 4, 3]
    """
    nxt = np.arange(1, int(offsets[-1]) + 1)
    nxt[offsets[1:] - 1] = offsets[:-1]
    return nxt


def cut_layer_by_layer(net: FeedForward, H: np.ndarray, cut: Callable[..., tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, bool]:
    """Walk the layers from the vertex values ``H``: (the network's values at the final vertices, continuous).

    ``cut(H, Z, W, b, units, layer)`` cuts the regions along the zero sets of the columns ``units``
    of the pre-activations ``Z = W H + b`` (keeping its own geometry) and returns the new ``Z`` and
    the vertex offsets of the regions.  Raises :class:`~uat.errors.NonFiniteError` on overflow.
    """
    continuous = True
    layer = 0
    with np.errstate(over="ignore", invalid="ignore"):
        for blk in net._float_blocks():
            act = blk.activation
            for i in range(blk.count):
                layer += 1
                W, b = blk.weights[i], blk.biases[i]
                width = W.shape[0]
                # (W H^T)^T: OpenBLAS is an order of magnitude faster this way round for tall, thin H
                Z = (W @ H.T).T + b
                Z, offsets = cut(H, Z, W, b, np.nonzero(columns_where(act, width, _KINKED))[0], layer)
                continuous = continuous and not columns_where(act, width, JUMPS).any()
                H = activate_vertices(act, Z, offsets)
                if layer % 64 == 0 and not np.isfinite(H).all():
                    raise NonFiniteError(f"non-finite values in the regions after layer {layer} (overflow)")
    if not np.isfinite(H).all():
        raise NonFiniteError("non-finite values in the network output over the regions (overflow)")
    return H, continuous


def activate_vertices(act: Any, Z: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The layer's activation at the vertices, neuron by neuron (module docstring); ``offsets`` splits the regions."""
    groups = column_groups(act, Z.shape[1])
    on = None
    if columns_where(act, Z.shape[1], JUMPS).any():
        on = np.repeat(np.add.reduceat(Z, offsets[:-1], axis=0) >= 0, np.diff(offsets), axis=0)
    H = Z if len(groups) == 1 and groups[0][0].name == "identity" else np.empty_like(Z)
    for a, idx in groups:
        z = Z[:, idx] if len(groups) > 1 else Z
        if a.name == "step":
            h = on[:, idx].astype(np.float64)
        elif a.name == "stepped_leaky_relu":
            h = np.where(on[:, idx], z, float(a.negative_slope) * z - 1.0)
        elif a.name == "relu":
            h = np.maximum(z, 0.0)
        elif a.name == "leaky_relu":
            h = np.where(z >= 0, z, float(a.negative_slope) * z)
        else:
            h = z
        if len(groups) == 1:
            return h
        H[:, idx] = h
    return H
