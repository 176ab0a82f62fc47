r"""Set targets: permutation-invariant and permutation-equivariant functions of a set of N points in R^D.

A :class:`SetTarget` evaluates a batch of sets ``(B, N, D)``: an *invariant* target returns
``(B, d)`` with :math:`f(PX) = f(X)`, an *equivariant* one returns ``(B, N, d)`` with
:math:`f(PX) = P f(X)`.  Build one by name with :func:`make_set_target`; parameters use the
text form ``name(key=value, ...)`` (integers or rationals; read by a whitelist regex, never
evaluated) or keyword arguments.  Channels are 1-based.

=============================  ==========  =====================================================
name                           kind        value
=============================  ==========  =====================================================
``sum``                        invariant   :math:`\sum_n x_n` (d = D)
``mean``                       invariant   :math:`\frac1N \sum_n x_n` (d = D)
``max(channel=c)``             invariant   :math:`\max_n x_{n,c}`
``order-statistic(k, channel)``invariant   the k-th smallest :math:`x_{n,c}` (k = 1 is the min)
``pairwise-distance-sum``      invariant   :math:`\sum_{i<j} \|x_i - x_j\|_2^2`
``min-pairwise-distance``      invariant   :math:`\min_{i<j} \|x_i - x_j\|_2` (N >= 2)
``chamfer``                    invariant   :math:`\frac1N\sum_n \min_r \|x_n - r\|^2 + \frac1M\sum_r \min_n \|x_n - r\|^2`
                                           to a fixed reference set (default :math:`\{0, \pm e_i/2\}`)
``lex-median``                 invariant   the lower median row in lexicographic order (d = D)
``lex-sort``                   invariant   all rows in lexicographic order, flattened (d = N D)
``centered``                   equivariant :math:`x_j - \mathrm{mean}(X)` (d = D)
``rank(channel=c)``            equivariant average rank of :math:`x_{j,c}` (0-based; ties share)
``attention(beta=b)``          equivariant :math:`\sum_n \mathrm{softmax}_n(b\,x_j^\top x_n)\, x_n` (d = D)
=============================  ==========  =====================================================

``lex-median``, ``lex-sort`` and ``rank`` are discontinuous where rows tie; the others are
continuous (the paper's Theorem 3.1 is about continuous targets; the lexicographic median
is its appendix experiment).

>>> t = make_set_target("order-statistic(k=2, channel=1)", dim=2)
>>> t(np.array([[[3.0, 0.0], [1.0, 0.0], [2.0, 5.0]]])).tolist()
[[2.0]]
>>> make_set_target("centered", dim=1)(np.array([[[1.0], [3.0]]])).tolist()
[[[-1.0], [1.0]]]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping

import numpy as np

from .errors import DimensionMismatch, ParameterError, TargetError

__all__ = ["SetTarget", "make_set_target", "SET_TARGET_NAMES", "parse_set_target_spec", "default_reference"]

_SPEC_RE = re.compile(r"^\s*([a-z][a-z0-9-]*)\s*(?:\((.*)\))?\s*$")
_ARG_RE = re.compile(r"^\s*([a-z_]+)\s*=\s*([+-]?\d+(?:/\d+|\.\d+)?)\s*$")


@dataclass(frozen=True, eq=False)
class SetTarget:
    """A named set function with its evaluator ``(B, N, D) -> (B, d)`` or ``(B, N, d)``."""

    name: str
    kind: str  # "invariant" or "equivariant"
    dim: int
    output_dim: int
    fn: Callable[[np.ndarray], np.ndarray]
    params: Mapping[str, Any] = field(default_factory=dict)
    continuous: bool = True
    min_size: int = 1

    @property
    def equivariant(self) -> bool:
        return self.kind == "equivariant"

    @property
    def text(self) -> str:
        """The canonical text form (reference sets are not part of it)."""
        simple = {k: v for k, v in self.params.items() if k != "reference"}
        if not simple:
            return self.name
        return f"{self.name}(" + ", ".join(f"{k}={v}" for k, v in sorted(simple.items())) + ")"

    def __call__(self, sets: Any) -> np.ndarray:
        xs = np.asarray(sets, dtype=np.float64)
        single = xs.ndim == 2
        if single:
            xs = xs[None]
        if xs.ndim != 3 or xs.shape[2] != self.dim:
            raise DimensionMismatch(f"set target {self.text!r} expects sets of shape (B, N, {self.dim}), got {np.shape(sets)}")
        if xs.shape[1] < self.min_size:
            raise DimensionMismatch(f"set target {self.text!r} needs sets of at least {self.min_size} elements, got {xs.shape[1]}")
        with np.errstate(all="ignore"):
            y = np.asarray(self.fn(xs), dtype=np.float64)
        want = (xs.shape[0], self.output_dim) if self.kind == "invariant" else (xs.shape[0], xs.shape[1], self.output_dim)
        if y.shape != want:
            raise TargetError(f"set target {self.text!r} returned shape {y.shape}, expected {want}")
        return y[0] if single else y

    def to_json(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        for k, v in sorted(self.params.items()):
            if k == "reference":
                params[k] = np.asarray(v, dtype=np.float64).tolist()
            else:
                params[k] = str(v) if isinstance(v, Fraction) else v
        return {"name": self.name, "params": params}


def default_reference(dim: int) -> np.ndarray:
    """The default Chamfer reference set: the origin and the points :math:`\\pm e_i / 2` (2D + 1 points)."""
    pts = [np.zeros(dim)]
    for i in range(dim):
        for sgn in (0.5, -0.5):
            p = np.zeros(dim)
            p[i] = sgn
            pts.append(p)
    return np.array(pts)


def _sq_dists(xs: np.ndarray) -> np.ndarray:
    diff = xs[:, :, None, :] - xs[:, None, :, :]
    return np.einsum("bijd,bijd->bij", diff, diff)


def _pairwise_sum(xs: np.ndarray) -> np.ndarray:
    n = xs.shape[1]
    centred = xs - xs.mean(axis=1, keepdims=True)  # sum_{i<j} |xi - xj|^2 = N sum_i |xi - mean|^2
    return (n * np.einsum("bnd,bnd->b", centred, centred))[:, None]


def _min_pairwise(xs: np.ndarray) -> np.ndarray:
    d2 = _sq_dists(xs)
    n = xs.shape[1]
    iu = np.triu_indices(n, 1)
    return np.sqrt(np.maximum(d2[:, iu[0], iu[1]].min(axis=1), 0.0))[:, None]


def _chamfer(xs: np.ndarray, ref: np.ndarray) -> np.ndarray:
    diff = xs[:, :, None, :] - ref[None, None, :, :]
    d2 = np.einsum("bnrd,bnrd->bnr", diff, diff)
    return (d2.min(axis=2).mean(axis=1) + d2.min(axis=1).mean(axis=1))[:, None]


def _lex_order(xs: np.ndarray) -> np.ndarray:
    return np.stack([np.lexsort(x.T[::-1]) for x in xs])


def _lex_sort(xs: np.ndarray) -> np.ndarray:
    order = _lex_order(xs)
    return np.take_along_axis(xs, order[:, :, None], axis=1).reshape(xs.shape[0], -1)


def _lex_median(xs: np.ndarray) -> np.ndarray:
    order = _lex_order(xs)
    mid = order[:, (xs.shape[1] - 1) // 2]
    return xs[np.arange(xs.shape[0]), mid]


def _rank(xs: np.ndarray, c: int) -> np.ndarray:
    v = xs[:, :, c]
    less = (v[:, None, :] < v[:, :, None]).sum(axis=2)
    equal = (v[:, None, :] == v[:, :, None]).sum(axis=2)
    return (less + (equal - 1) / 2.0)[:, :, None]


def _attention(xs: np.ndarray, beta: float) -> np.ndarray:
    logits = beta * np.einsum("bjd,bnd->bjn", xs, xs)
    logits -= logits.max(axis=2, keepdims=True)
    w = np.exp(logits)
    w /= w.sum(axis=2, keepdims=True)
    return np.einsum("bjn,bnd->bjd", w, xs)


def _channel(params: dict[str, Any], dim: int) -> int:
    c = params.setdefault("channel", 1)
    if not isinstance(c, int) or not 1 <= c <= dim:
        raise ParameterError(f"channel must be an integer in 1..{dim} (1-based), got {c!r}")
    return c - 1


# name -> (kind, allowed parameters with defaults)
_LIBRARY: dict[str, tuple[str, dict[str, Any]]] = {
    "sum": ("invariant", {}),
    "mean": ("invariant", {}),
    "max": ("invariant", {"channel": 1}),
    "order-statistic": ("invariant", {"k": 2, "channel": 1}),
    "pairwise-distance-sum": ("invariant", {}),
    "min-pairwise-distance": ("invariant", {}),
    "chamfer": ("invariant", {"reference": None}),
    "lex-median": ("invariant", {}),
    "lex-sort": ("invariant", {}),
    "centered": ("equivariant", {}),
    "rank": ("equivariant", {"channel": 1}),
    "attention": ("equivariant", {"beta": 1}),
}
SET_TARGET_NAMES = tuple(_LIBRARY)


def parse_set_target_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """Split ``"name(key=value, ...)"`` into the name and int/Fraction parameters (no eval).

    >>> parse_set_target_spec("order-statistic(k=3, channel=2)")
    ('order-statistic', {'k': 3, 'channel': 2})
    """
    m = _SPEC_RE.match(spec)
    if not m:
        raise ParameterError(f"cannot read the set target {spec!r}; expected 'name' or 'name(key=value, ...)'")
    name, args = m.group(1), m.group(2)
    params: dict[str, Any] = {}
    if args and args.strip():
        for part in args.split(","):
            am = _ARG_RE.match(part)
            if not am:
                raise ParameterError(f"cannot read the parameter {part.strip()!r} of set target {spec!r}; use key=integer or key=p/q")
            text = am.group(2)
            value = Fraction(text)
            params[am.group(1)] = int(value) if value.denominator == 1 and "." not in text else value
    return name, params


def make_set_target(spec: Any, *, dim: int, size: int | None = None, **params: Any) -> SetTarget:
    """A library set target by name (text form or keyword parameters) for elements of dimension ``dim``.

    ``size`` (N) is needed by ``lex-sort`` (its output has N D entries) and checked by
    ``order-statistic`` (k <= N).  A :class:`SetTarget` is returned unchanged after its
    dimension is checked.
    """
    if isinstance(spec, SetTarget):
        if spec.dim != dim:
            raise DimensionMismatch(f"set target {spec.text!r} is for elements of dimension {spec.dim}, not {dim}")
        return spec
    if not isinstance(spec, str):
        raise TargetError(f"a set target is a name such as 'pairwise-distance-sum', got {type(spec).__name__}")
    head = _SPEC_RE.match(spec)
    name = head.group(1) if head else None
    if name is not None and name not in _LIBRARY:  # name first: 'exp(x)' is an unknown target, not a bad parameter
        raise TargetError(f"unknown set target {name!r}; known set targets: {', '.join(SET_TARGET_NAMES)}")
    name, text_params = parse_set_target_spec(spec)
    kind, defaults = _LIBRARY[name]
    given = {**text_params, **params}
    unknown = set(given) - set(defaults)
    if unknown:
        raise ParameterError(f"set target {name!r} takes {sorted(defaults) or 'no parameters'}, got {sorted(unknown)}")
    p = {**{k: v for k, v in defaults.items() if v is not None}, **given}
    return _build(name, kind, p, dim, size)


def _build(name: str, kind: str, p: dict[str, Any], dim: int, size: int | None) -> SetTarget:
    out_dim, min_size, continuous = dim, 1, True
    fn: Callable[[np.ndarray], np.ndarray]
    if name == "sum":
        fn = lambda xs: xs.sum(axis=1)  # noqa: E731
    elif name == "mean":
        fn = lambda xs: xs.mean(axis=1)  # noqa: E731
    elif name == "max":
        c = _channel(p, dim)
        fn, out_dim = (lambda xs: xs[:, :, c].max(axis=1, keepdims=True)), 1
    elif name == "order-statistic":
        c = _channel(p, dim)
        k = p["k"]
        if not isinstance(k, int) or k < 1 or (size is not None and k > size):
            raise ParameterError(f"order-statistic needs an integer k in 1..N (N = {size}), got {k!r}")
        fn, out_dim, min_size = (lambda xs: np.sort(xs[:, :, c], axis=1)[:, k - 1 : k]), 1, k
    elif name == "pairwise-distance-sum":
        fn, out_dim = _pairwise_sum, 1
    elif name == "min-pairwise-distance":
        fn, out_dim, min_size = _min_pairwise, 1, 2
    elif name == "chamfer":
        ref = default_reference(dim) if p.get("reference") is None else np.asarray(p["reference"], dtype=np.float64)
        if ref.ndim != 2 or ref.shape[1] != dim or ref.shape[0] == 0 or not np.all(np.isfinite(ref)):
            raise ParameterError(f"the Chamfer reference set must be a finite (M, {dim}) array, got shape {ref.shape}")
        p["reference"] = ref
        fn, out_dim = (lambda xs: _chamfer(xs, ref)), 1
    elif name == "lex-median":
        fn, continuous = _lex_median, False
    elif name == "lex-sort":
        if size is None:
            raise ParameterError("lex-sort needs the set size N (its output has N * D entries)")
        fn, out_dim, continuous = _lex_sort, size * dim, False
    elif name == "centered":
        fn = lambda xs: xs - xs.mean(axis=1, keepdims=True)  # noqa: E731
    elif name == "rank":
        c = _channel(p, dim)
        fn, out_dim, continuous = (lambda xs: _rank(xs, c)), 1, False
    else:  # attention
        beta = p["beta"]
        if isinstance(beta, bool) or not isinstance(beta, (int, Fraction, float)):
            raise ParameterError(f"attention needs a numeric beta, got {beta!r}")
        fn = lambda xs: _attention(xs, float(beta))  # noqa: E731
    return SetTarget(name, kind, dim, out_dim, fn, p, continuous, min_size)
