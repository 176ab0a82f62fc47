r"""Derivative bounds used by the certificates: the target's (per box) and the network's.

**Target.**  :func:`target_bounds` asks the target for a bound of ``kind`` on each of
``m`` boxes :math:`[lo_i, hi_i]`:

* ``"hessian"``: :math:`\max_k \sup_{box} \|D^2 f_k\|_2`;
* ``"lipschitz"``: a Lipschitz constant of :math:`f` on the box (Euclidean norms);
* ``"value"``: :math:`\sup_{box} \|f\|_2`.

It uses the target's vectorised ``local_bounds(lo, hi, kind)`` when the target has one,
otherwise its box-wide ``lipschitz_bound`` / ``hessian_bound`` on the hull of the boxes,
and a user-declared Lipschitz constant (``make_target(..., lipschitz=L)``) for
``"lipschitz"``.  Entries that nothing bounds are ``inf``.  A :class:`BoundLog` asks for
such bounds round after round of a refinement and keeps the methods and premises that
produced them (for ``ErrorEstimate.assumptions`` and ``details['bound_methods']``).

**Network.**  :func:`network_lipschitz_bound` encloses every pre-activation over the box by
interval propagation (IBP), takes for each unit the largest :math:`|\sigma'|` over its
interval, and multiplies the spectral norms :math:`\prod_l \|D_l W_l\|_2` (valid because the
Jacobian is :math:`W_L D'_{L-1} \cdots D'_1 W_1` with :math:`|D'_l| \le D_l` entrywise, and
:math:`\|D' W\|_2 \le \|D_l W\|_2` when :math:`D' = E D_l`, :math:`\|E\|_2 \le 1`).  It is
always valid and often pessimistic: for the depth-:math:`L` tent map it gives about
:math:`6.3^L` against the true :math:`2^L` (verification.md section 1.5).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from uat.domains import Box
from uat.network import FeedForward
from uat.targets import Target

from ._neurons import column_groups

__all__ = ["target_bounds", "BoundLog", "network_lipschitz_bound", "interval_ranges"]

_KINDS = ("hessian", "lipschitz", "value")


def _hull(lo: np.ndarray, hi: np.ndarray) -> Box:
    return Box(tuple(float(v) for v in lo.min(axis=0)), tuple(float(v) for v in hi.max(axis=0)))


def target_bounds(target: Target, lo: np.ndarray, hi: np.ndarray, kind: str) -> tuple[np.ndarray, str, tuple[str, ...]]:
    """Per-box bounds of ``kind`` for boxes ``[lo[i], hi[i]]`` (arrays (m, d)).

    Returns ``(values (m,), method, assumptions)``; ``values`` holds ``inf`` where nothing
    bounds the quantity, and ``method`` is ``"none"`` when nothing is known anywhere.
    """
    if kind not in _KINDS:
        raise ValueError(f"unknown bound kind {kind!r}; expected one of {_KINDS}")
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    if lo.ndim == 1:  # m one-dimensional boxes, not one m-dimensional box
        lo, hi = lo[:, None], hi[:, None]
    m = lo.shape[0]
    vals = np.full(m, np.inf)
    methods: list[str] = []
    assumptions: list[str] = []
    if m == 0:
        return vals, "none", ()
    local = getattr(target, "local_bounds", None)
    if callable(local):
        try:
            got = local(lo, hi, kind)
        except NotImplementedError:
            got = None
        if got is not None:
            v, meth, ass = got
            v = np.asarray(v, dtype=np.float64).reshape(-1)
            if v.shape != (m,):
                raise ValueError(f"target.local_bounds returned shape {v.shape}, expected ({m},)")
            v = np.where(np.isnan(v), np.inf, v)
            if np.isfinite(v).any():
                vals = np.minimum(vals, v)
                methods.append(str(meth))
                assumptions.extend(str(a) for a in ass)
    if not callable(local) and kind in ("hessian", "lipschitz"):
        bound = target.hessian_bound(_hull(lo, hi)) if kind == "hessian" else target.lipschitz_bound(_hull(lo, hi))
        if bound is not None and math.isfinite(bound.value):
            vals = np.minimum(vals, bound.value)
            methods.append(bound.method)
            assumptions.extend(bound.assumptions)
    if kind == "lipschitz" and getattr(target, "lipschitz", None) is not None:
        declared = float(target.lipschitz)
        if (vals > declared).any():
            vals = np.minimum(vals, declared)
            methods.append("declared")
            assumptions.append(f"the target is {declared:g}-Lipschitz (declared by the user)")
    method = "+".join(dict.fromkeys(methods)) if methods else "none"
    return vals, method, tuple(dict.fromkeys(assumptions))



class BoundLog:
    """Per-box target bounds over the rounds of a refinement, with their provenance.

    :meth:`bound` calls :func:`target_bounds` and records its method and assumptions when
    they bounded something (a finite entry); :attr:`methods` and :attr:`assumptions` keep
    them in the order of first use.

    >>> from uat.targets import make_target
    >>> log = BoundLog(make_target("x**2"))
    >>> hess, lip = log(np.array([[0.0]]), np.array([[1.0]]))
    >>> 2.0 <= float(hess[0]) < 2.0 + 1e-12, 2.0 <= float(lip[0]), len(log.method_names)
    (True, True, 2)
    """

    def __init__(self, target: Target) -> None:
        self.target = target
        self.methods: dict[str, None] = {}
        self.assumptions: dict[str, None] = {}

    def note(self, method: str, assumptions: tuple[str, ...], values: np.ndarray) -> None:
        """Record ``method`` and ``assumptions`` if they bounded some box (a finite entry of ``values``)."""
        if method != "none" and np.isfinite(values).any():
            self.methods[method] = None
            self.assumptions.update(dict.fromkeys(assumptions))

    def bound(self, lo: np.ndarray, hi: np.ndarray, kind: str) -> np.ndarray:
        """The bounds of ``kind`` on the boxes ``[lo[i], hi[i]]`` (``inf`` where nothing is known)."""
        values, method, assumptions = target_bounds(self.target, lo, hi, kind)
        self.note(method, assumptions, values)
        return values

    def __call__(self, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(hessian, lipschitz)`` bounds on the boxes, in that order."""
        return self.bound(lo, hi, "hessian"), self.bound(lo, hi, "lipschitz")

    @property
    def method_names(self) -> list[str]:
        """The methods used, or ``["none"]`` (``details['bound_methods']``)."""
        return list(self.methods) or ["none"]


# -- network ------------------------------------------------------------------------------

_GELU_MIN_AT = -0.7517915241  # argmin of gelu (gelu'(z) = 0)
_SQRT2 = math.sqrt(2.0)


def _phi(z: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def _gelu_prime(z: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return ndtr(z) + z * _phi(z)


def _act_range(act: Any, l: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact range of the layer's activation over [l, u] (elementwise, each neuron its own activation)."""
    groups = column_groups(act, l.shape[-1])
    if len(groups) == 1:
        return _act_range_one(groups[0][0], l, u)
    lo, hi = np.empty_like(l), np.empty_like(u)
    for a, idx in groups:
        lo[..., idx], hi[..., idx] = _act_range_one(a, l[..., idx], u[..., idx])
    return lo, hi


def _act_range_one(act: Any, l: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    name = act.name
    if name == "gelu":
        a, b = act.numpy(l.copy()), act.numpy(u.copy())
        inside = (l <= _GELU_MIN_AT) & (_GELU_MIN_AT <= u)
        gmin = float(act.numpy(np.array([_GELU_MIN_AT]))[0])
        return np.where(inside, gmin, np.minimum(a, b)), np.maximum(a, b)
    if name == "power" and int(act.param) % 2 == 0:
        k = int(act.param)
        hi = np.maximum(np.abs(l), np.abs(u)) ** k
        lo = np.where((l <= 0) & (u >= 0), 0.0, np.minimum(np.abs(l), np.abs(u)) ** k)
        return lo, hi
    if name == "leaky_relu" and act.slopes[0] < 0:  # the fold: convex, minimum 0 at t = 0
        a_l, a_u = act.numpy(l.copy()), act.numpy(u.copy())
        return np.where((l <= 0) & (u >= 0), 0.0, np.minimum(a_l, a_u)), np.maximum(a_l, a_u)
    # the remaining activations are non-decreasing
    return act.numpy(l.copy()), act.numpy(u.copy())


def _max_slope(act: Any, l: np.ndarray, u: np.ndarray) -> np.ndarray:
    """sup |sigma'| over [l, u] (elementwise, each neuron its own activation); inf where a jump may occur."""
    groups = column_groups(act, l.shape[-1])
    if len(groups) == 1:
        return _max_slope_one(groups[0][0], l, u)
    out = np.empty_like(l)
    for a, idx in groups:
        out[..., idx] = _max_slope_one(a, l[..., idx], u[..., idx])
    return out


def _max_slope_one(act: Any, l: np.ndarray, u: np.ndarray) -> np.ndarray:
    name = act.name
    if name == "identity":
        return np.ones_like(l)
    if name == "relu":
        return np.where(u > 0, 1.0, 0.0)
    if name == "leaky_relu":
        a = abs(act.slopes[0])
        return np.where(u > 0, np.where(l < 0, max(1.0, a), 1.0), a)
    if name == "step":
        return np.where((l >= 0) | (u < 0), 0.0, np.inf)
    if name == "stepped_leaky_relu":  # slope 1 on t >= 0, a on t < 0, a jump of 1 at 0
        return np.where(l >= 0, 1.0, np.where(u < 0, float(act.negative_slope), np.inf))
    closest = np.clip(0.0, l, u)
    if name == "tanh":
        return 1.0 - np.tanh(closest) ** 2
    if name == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-closest))
        return s * (1.0 - s)
    if name == "softplus":
        return 1.0 / (1.0 + np.exp(-u))
    if name == "exp":
        return np.exp(u)
    if name == "power":
        k = int(act.param)
        return k * np.maximum(np.abs(l), np.abs(u)) ** (k - 1)
    if name == "gelu":
        cands = [np.abs(_gelu_prime(l)), np.abs(_gelu_prime(u))]
        for c in (_SQRT2, -_SQRT2):
            inside = (l <= c) & (c <= u)
            cands.append(np.where(inside, abs(float(_gelu_prime(np.array([c]))[0])), 0.0))
        return np.max(np.stack(cands), axis=0)
    return np.full_like(l, np.inf)  # pragma: no cover - every activation is listed above


def interval_ranges(net: FeedForward, box: Box):
    """Yield, per layer, ``(W (out, in), pre-activation lower, upper, activation)`` over the box (IBP)."""
    c = box.center
    r = box.widths / 2
    with np.errstate(over="ignore", invalid="ignore"):
        for blk in net._float_blocks():
            for i in range(blk.count):
                W, b = blk.weights[i], blk.biases[i]
                zc = W @ c + b
                zr = np.abs(W) @ r
                l, u = zc - zr, zc + zr
                yield W, l, u, blk.activation
                lo, hi = _act_range(blk.activation, l, u)
                c, r = (lo + hi) / 2, (hi - lo) / 2
                r = np.where(np.isnan(r), np.inf, r)


def network_lipschitz_bound(net: FeedForward, box: Box) -> tuple[float, str, tuple[str, ...]]:
    """A certified Lipschitz constant of ``net`` on ``box`` (Euclidean norms); may be ``inf``.

    Returns ``(value, method, assumptions)``; see the module docstring for the bound.
    """
    log_total = 0.0
    mats: list[np.ndarray] = []
    vacuous_reason = ""
    for W, l, u, act in interval_ranges(net, box):
        d = _max_slope(act, l, u)
        if not np.all(np.isfinite(d)):
            unit = act.neuron(int(np.argmin(np.isfinite(d))))  # the first unbounded neuron's own activation
            vacuous_reason = (
                f"a {unit} unit may jump on the box (interval propagation cannot exclude 0 from its input)"
                if unit.name in ("step", "stepped_leaky_relu") else f"interval propagation overflowed at a {act} layer"
            )
            return math.inf, "ibp-spectral", (vacuous_reason,)
        mats.append(d[:, None] * W)
        if len(mats) >= 256:
            log_total += _log_norms(mats)
            mats = []
    if mats:
        log_total += _log_norms(mats)
    value = math.inf if log_total > 709 else math.exp(log_total)
    return value, "ibp-spectral", (
        "network Lipschitz bound: product over layers of ||D_l W_l||_2, D_l = max |activation'| over "
        "the interval-propagated pre-activation range on the domain",
    )


def _log_norms(mats: list[np.ndarray]) -> float:
    total = 0.0
    shapes: dict[tuple[int, int], list[np.ndarray]] = {}
    for m in mats:
        shapes.setdefault(m.shape, []).append(m)
    for group in shapes.values():
        s = np.linalg.norm(np.stack(group), ord=2, axis=(1, 2))
        if np.any(s == 0):
            return -math.inf
        total += float(np.sum(np.log(s)))
    return total
