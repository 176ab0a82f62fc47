r"""Random and adversarial sets for judging DeepSets witnesses (independent of the constructions).

Every family returns float64 sets ``(B, N, D)`` inside the sampling box; the adversarial
pairs for exact checks are rational (lists of Fraction rows).  Families:

* ``random``: i.i.d. uniform elements;
* ``duplicates``: one row repeated 2, 3 and N times (multisets, not sets);
* ``near-collision``: two rows a distance :math:`\delta r` apart, r the box half-width (at most 0.1 r);
* ``channel-swap``: :math:`\{(a,a),(b,b)\}` vs :math:`\{(a,b),(b,a)\}` in the first two
  coordinates: every column has the same multiset, the rows differ;
* ``parity``: the four even-parity vs the four odd-parity binary rows in three coordinates:
  every *pair* of columns has the same multiset of pairs (this defeats the submission's LLE
  lemma), the rows differ;
* ``anchor-adversarial``: rows whose differences are orthogonal to D - 1 anchor candidates
  each, read from the witness's own decoder layout (so those candidates see collisions).
"""

from __future__ import annotations

from fractions import Fraction
from itertools import product
from typing import Any

import numpy as np

from uat._rational_linalg import null_vector
from uat.domains import Box

__all__ = ["FAMILIES", "random_sets", "family_sets", "adversarial_pairs", "null_direction", "fit_to_box"]

FAMILIES = ("random", "duplicates", "near-collision", "channel-swap", "parity", "anchor-adversarial")


def _centre_radius(box: Box) -> tuple[np.ndarray, float]:
    lo = np.array([float(v) for v in box.lo])
    hi = np.array([float(v) for v in box.hi])
    return (lo + hi) / 2, float(np.min(hi - lo)) / 2


def fit_to_box(sets: np.ndarray, box: Box) -> np.ndarray:
    """Map sets given in [-1, 1]^D into the box by one uniform scaling and a shift (keeps angles)."""
    c, r = _centre_radius(box)
    return c + r * sets


def random_sets(rng: np.random.Generator, count: int, n: int, box: Box) -> np.ndarray:
    lo = np.array([float(v) for v in box.lo])
    hi = np.array([float(v) for v in box.hi])
    return lo + (hi - lo) * rng.random((count, n, box.dim))


def null_direction(rows: np.ndarray) -> np.ndarray:
    """A unit vector orthogonal to the given (D - 1, D) rows (float; from the SVD)."""
    _, _, vt = np.linalg.svd(np.atleast_2d(rows))
    v = vt[-1]
    return v / np.max(np.abs(v))


def _binary_block(bits: list[tuple[int, ...]], n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    x = rng.uniform(-0.9, 0.9, (n, d))
    for i, b in enumerate(bits):
        x[i, : len(b)] = [0.5 if v else -0.5 for v in b]
    return x


def family_sets(name: str, n: int, box: Box, rng: np.random.Generator, *, count: int = 16,
                anchors: np.ndarray | None = None, deltas: tuple[float, ...] = (1e-1, 1e-3, 1e-5, 1e-7, 0.0)) -> np.ndarray:
    """Float sets of one family (empty ``(0, n, D)`` when it does not apply to (N, D))."""
    d = box.dim
    empty = np.zeros((0, n, d))
    if name == "random":
        return random_sets(rng, count, n, box)
    if name == "duplicates":
        out = []
        for m in sorted({2, 3, n}):
            if m > n or m < 2:
                continue
            x = random_sets(rng, count, n, box)
            x[:, 1:m] = x[:, :1]
            out.append(x)
        return np.concatenate(out) if out else empty
    if name == "near-collision":
        if n < 2:
            return empty
        out = []
        _, radius = _centre_radius(box)
        for delta in deltas:  # distances relative to the box half-width, so the pair stays in the box
            x = fit_to_box(rng.uniform(-0.9, 0.9, (count, n, d)), box)
            u = rng.standard_normal((count, d))
            u /= np.linalg.norm(u, axis=1, keepdims=True)
            x[:, 1] = x[:, 0] + delta * radius * u
            out.append(x)
        return np.concatenate(out)
    if name == "channel-swap":
        if n < 2 or d < 2:
            return empty
        a = [(0, 0), (1, 1)]
        b = [(0, 1), (1, 0)]
        sets = [_binary_block(a, n, d, rng), _binary_block(b, n, d, rng)]
        sets[1][2:] = sets[0][2:]
        return fit_to_box(np.array(sets), box)
    if name == "parity":
        if n < 4 or d < 3:
            return empty
        even = [b for b in product((0, 1), repeat=3) if sum(b) % 2 == 0]
        odd = [b for b in product((0, 1), repeat=3) if sum(b) % 2 == 1]
        sets = [_binary_block(even, n, d, rng), _binary_block(odd, n, d, rng)]
        sets[1][4:] = sets[0][4:]
        sets[1][:, 3:] = sets[0][:, 3:]
        return fit_to_box(np.array(sets), box)
    if name == "anchor-adversarial":
        if anchors is None or n < 2 or d < 2:
            return empty
        k1 = anchors.shape[0]
        groups = [np.arange(g * (d - 1), (g + 1) * (d - 1)) % k1 for g in range(max(1, k1 // (d - 1)))]
        out = []
        for s in range(count):
            dirs = [null_direction(anchors[groups[(s + i) % len(groups)]]) for i in range(n - 1)]
            if s % 2 == 0:  # a path: consecutive differences each orthogonal to D - 1 candidates
                steps = [rng.uniform(0.2, 0.6) * v for v in dirs]
                rows = np.cumsum([np.zeros(d)] + steps, axis=0)
            else:  # collinear: every difference orthogonal to the same D - 1 candidates
                rows = np.outer(np.linspace(0.0, 1.0, n) + 0.1 * rng.random(n), dirs[0])
            rows = rows - rows.mean(axis=0)
            scale = np.max(np.abs(rows))
            out.append(0.9 * rows / scale if scale > 0 else rows)
        return fit_to_box(np.array(out), box)
    raise ValueError(f"unknown set family {name!r}; known: {', '.join(FAMILIES)}")


def adversarial_pairs(n: int, d: int, anchors: Any = None) -> dict[str, tuple[list[list[Fraction]], list[list[Fraction]]]]:
    """Inequivalent rational pairs that defeat weaker embeddings (see the module docstring).

    ``anchor-swap``: with u orthogonal to D - 1 anchor candidates and v to D - 1 others,
    :math:`\\{c, c+u+v\\}` vs :math:`\\{c+u, c+v\\}` agree on all 2(D - 1) of those candidates.
    """
    pairs: dict[str, tuple[list[list[Fraction]], list[list[Fraction]]]] = {}
    pad = [[Fraction(1, 4 + j)] + [Fraction(-1, 3)] * (d - 1) for j in range(max(0, n - 2))]
    half = Fraction(1, 2)
    if n >= 2 and d >= 2:
        rest = [Fraction(0)] * (d - 2)
        a = [[-half, -half] + rest, [half, half] + rest]
        b = [[-half, half] + rest, [half, -half] + rest]
        pairs["channel-swap"] = (a + pad, b + [r[:] for r in pad])
    if n >= 4 and d >= 3:
        rest = [Fraction(0)] * (d - 3)
        even = [[half if v else -half for v in bits] + rest for bits in product((0, 1), repeat=3) if sum(bits) % 2 == 0]
        odd = [[half if v else -half for v in bits] + rest for bits in product((0, 1), repeat=3) if sum(bits) % 2 == 1]
        pad4 = [[Fraction(1, 5 + j)] + [Fraction(-1, 3)] * (d - 1) for j in range(n - 4)]
        pairs["parity"] = (even + pad4, odd + [r[:] for r in pad4])
    if anchors is not None and n >= 2 and d >= 2 and len(anchors) >= 2 * (d - 1):
        w = [[Fraction(v) for v in row] for row in anchors]
        u = null_vector(w[: d - 1], d)
        v = null_vector(w[d - 1 : 2 * (d - 1)], d)
        scale = 4 * max(abs(t) for t in u + v)
        u = [t / scale for t in u]
        v = [t / scale for t in v]
        c = [Fraction(-1, 8)] * d
        first = [c, [ci + ui + vi for ci, ui, vi in zip(c, u, v)]]
        second = [[ci + ui for ci, ui in zip(c, u)], [ci + vi for ci, vi in zip(c, v)]]
        pairs["anchor-swap"] = (first + pad, second + [r[:] for r in pad])
    return pairs
