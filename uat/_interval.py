r"""Vectorised interval arithmetic in float64 with outward rounding, over many boxes at once.

An interval is a pair of float64 arrays ``(lo, hi)`` of shape (m,), one entry per box.
Every operation returns an enclosure of the exact real result:

* ``+ - * /`` and ``sqrt`` are correctly rounded in IEEE 754, so widening the computed
  endpoints by :data:`ULP_BASIC` = 1 ulp (``np.nextafter``) gives a sound enclosure; for
  ``+ -`` and ``*`` the rounding error is computed exactly (Knuth's TwoSum, Dekker's
  TwoProduct) and the endpoint is moved only when the operation was inexact, so exact
  results (``6*x - 3`` at ``x = 1/2``) stay exact and kinks on box edges are recognised;
* ``exp log sin cos tan tanh sinh cosh atan`` and ``pow`` come from libm / numpy's SIMD
  kernels, which are *assumed* accurate to :data:`ULP_LIBM` ulp; results are widened by
  that many ulps (numpy documents at most 4 ulp for its float64 SIMD kernels);
* non-monotone functions (``sin cos cosh abs`` even powers) include an interior extremum
  whenever the box may contain a critical point (tested with a generous slack);
* where a function is unbounded on part of the box (division by an interval containing 0,
  a pole of tan, log near 0) the enclosure is infinite on the affected side, and NaN never
  appears;
* ``sqrt``, ``log`` and non-integer powers are enclosed on the non-negative part of their
  argument's enclosure (an enclosure of a non-negative quantity may dip below 0 by
  rounding); this assumes the expression is defined on the box, which
  :meth:`uat.expressions.VectorExpression.check_finite` tests.  An argument enclosure that is
  entirely negative gives the vacuous interval (-inf, inf).

:func:`interval_tape` evaluates a compiled tape (:mod:`uat._expr_eval`) and also reports,
per box, whether a *primal* node may jump (floor/sign/Heaviside argument crossing the jump)
or kink (abs/min/max argument crossing the switch) inside the box.

>>> from uat._expr_parse import parse_text
>>> from uat._expr_eval import compile_tape
>>> (f,), _, _ = parse_text("x1**2 - x1", None)
>>> ((lo, hi),), masks = interval_tape(compile_tape([f]), np.array([[0.0]]), np.array([[1.0]]))
>>> bool(lo[0] <= -1 and hi[0] >= 1)
True
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

import numpy as np

from ._expr_eval import Tape, float_leaf

__all__ = ["interval_tape", "ULP_BASIC", "ULP_LIBM", "Interval"]

ULP_BASIC = 1
ULP_LIBM = 4
_INF = np.inf
Interval = tuple[np.ndarray, np.ndarray]


def _dn(x: np.ndarray, k: int = ULP_BASIC) -> np.ndarray:
    for _ in range(k):
        x = np.nextafter(x, -_INF)
    return x


def _up(x: np.ndarray, k: int = ULP_BASIC) -> np.ndarray:
    for _ in range(k):
        x = np.nextafter(x, _INF)
    return x


def _clean(lo: np.ndarray, hi: np.ndarray) -> Interval:
    return np.where(np.isnan(lo), -_INF, lo), np.where(np.isnan(hi), _INF, hi)


def _undefined_where(mask: np.ndarray, iv: Interval) -> Interval:
    return np.where(mask, -_INF, iv[0]), np.where(mask, _INF, iv[1])


def _directed(s: np.ndarray, err: np.ndarray) -> Interval:
    """Round ``s = fl(exact)`` to an enclosure of ``exact = s + err`` (err exact or NaN = unknown)."""
    unknown = ~np.isfinite(err) | ~np.isfinite(s)
    lo = np.where(unknown | (err < 0), _dn(s), s)
    hi = np.where(unknown | (err > 0), _up(s), s)
    return lo, hi


def _two_sum(a: np.ndarray, b: np.ndarray) -> Interval:
    """Tight enclosure of a + b from Knuth's error-free TwoSum (exact sums stay points)."""
    s = a + b
    bb = s - a
    err = (a - (s - bb)) + (b - bb)
    return _directed(s, err)


_SPLIT = 134217729.0  # 2**27 + 1 (Dekker)
_SAFE_BIG = 2.0**995
_SAFE_SMALL = 2.0**-900


def _two_product(a: np.ndarray, b: np.ndarray) -> Interval:
    """Tight enclosure of a * b from Dekker's error-free TwoProduct.

    Outside the range where the splitting is exact (huge, tiny or non-finite factors)
    the product is widened by one ulp on both sides.
    """
    p = a * b
    ca, cb = _SPLIT * a, _SPLIT * b
    ah = ca - (ca - a)
    bh = cb - (cb - b)
    al, bl = a - ah, b - bh
    err = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    zero = (a == 0) | (b == 0)
    safe = (np.abs(a) < _SAFE_BIG) & (np.abs(b) < _SAFE_BIG) & (np.abs(p) > _SAFE_SMALL)
    err = np.where(zero, 0.0, np.where(safe, err, np.nan))
    p = np.where(np.isnan(p), 0.0, p)  # 0 * inf: a zero endpoint times an unbounded one
    return _directed(p, err)


def iv_add(a: Interval, b: Interval) -> Interval:
    return _two_sum(a[0], b[0])[0], _two_sum(a[1], b[1])[1]


def iv_sub(a: Interval, b: Interval) -> Interval:
    return _two_sum(a[0], -b[1])[0], _two_sum(a[1], -b[0])[1]


def _is_point(iv: Interval) -> bool:
    return np.ndim(iv[0]) == 0 and bool(iv[0] == iv[1])


def iv_mul(a: Interval, b: Interval) -> Interval:
    if _is_point(a):
        a, b = b, a
    if _is_point(b):  # multiplication by a constant: two products instead of four
        c = b[0]
        p_lo, p_hi = _two_product(a[0], c), _two_product(a[1], c)
        return (p_lo[0], p_hi[1]) if c >= 0 else (p_hi[0], p_lo[1])
    a0, a1, b0, b1 = np.broadcast_arrays(a[0], a[1], b[0], b[1])
    lo, hi = _two_product(np.stack([a0, a0, a1, a1]), np.stack([b0, b1, b0, b1]))
    return lo.min(axis=0), hi.max(axis=0)


def iv_recip(b: Interval) -> Interval:
    lo, hi = b
    with np.errstate(divide="ignore"):
        r_lo, r_hi = _dn(1.0 / hi), _up(1.0 / lo)
    pos, neg = lo > 0, hi < 0
    out_lo = np.where(pos | neg | ((lo == 0) & (hi > 0)), r_lo, -_INF)
    out_hi = np.where(pos | neg | ((hi == 0) & (lo < 0)), r_hi, _INF)
    return _clean(out_lo, out_hi)


def iv_div(a: Interval, b: Interval) -> Interval:
    return iv_mul(a, iv_recip(b))


def _mono(f: Callable[[np.ndarray], np.ndarray], a: Interval, k: int = ULP_LIBM) -> Interval:
    return _clean(_dn(f(a[0]), k), _up(f(a[1]), k))


def iv_ipow(a: Interval, n: int) -> Interval:
    lo, hi = a
    if n == 0:
        return np.ones_like(lo), np.ones_like(lo)
    if n < 0:
        return iv_recip(iv_ipow(a, -n))
    if n == 1:
        return a
    if n == 2:
        f_lo, f_hi, k = lo * lo, hi * hi, ULP_BASIC
    else:
        f_lo, f_hi, k = np.power(lo, float(n)), np.power(hi, float(n)), ULP_LIBM
    if n % 2:
        return _clean(_dn(f_lo, k), _up(f_hi, k))
    small = np.minimum(f_lo, f_hi)
    big = np.maximum(f_lo, f_hi)
    straddle = (lo < 0) & (hi > 0)
    return _clean(np.where(straddle, 0.0, _dn(small, k)), _up(big, k))


def iv_log(a: Interval) -> Interval:
    lo = np.maximum(a[0], 0.0)
    res = _mono(np.log, (lo, a[1]))
    return _undefined_where(a[1] < 0, res)


def iv_sqrt(a: Interval) -> Interval:
    lo = np.maximum(a[0], 0.0)
    res = _mono(np.sqrt, (lo, a[1]), ULP_BASIC)
    return _undefined_where(a[1] < 0, (np.maximum(res[0], 0.0), res[1]))


def iv_exp(a: Interval) -> Interval:
    lo, hi = _mono(np.exp, a)
    return np.maximum(lo, 0.0), hi


def iv_pow(a: Interval, b: Interval) -> Interval:
    """General power u**v = exp(v log u) for u >= 0.

    numpy also defines u**v for u < 0 when v is an integer (value +-|u|**v); where the
    base may be negative and the exponent's enclosure contains an integer, the result is
    widened to [-A, A] with A the enclosure's bound of |u|**v.
    """
    lo, hi = iv_exp(iv_mul(b, iv_log(a)))
    mag = np.maximum(np.abs(a[0]), np.abs(a[1]))
    big = iv_exp(iv_mul(b, iv_log((np.zeros_like(mag), mag))))[1]
    negative_int = (a[0] < 0) & (np.floor(b[1]) >= np.ceil(b[0]))
    lo = np.where(negative_int, -big, lo)
    hi = np.where(negative_int, np.maximum(big, hi), hi)
    return lo, hi


def _contains(lo: np.ndarray, hi: np.ndarray, centre: float, period: float) -> np.ndarray:
    """Conservative: may the interval contain centre + k * period for an integer k?"""
    t_lo, t_hi = (lo - centre) / period, (hi - centre) / period
    slack = 1e-9 + 1e-13 * np.maximum(np.abs(t_lo), np.abs(t_hi))
    hit = np.ceil(t_lo - slack) <= np.floor(t_hi + slack)
    return hit | ~np.isfinite(t_lo) | ~np.isfinite(t_hi) | (hi - lo >= period)


def _periodic(f: Callable[[np.ndarray], np.ndarray], a: Interval, top: float, bottom: float) -> Interval:
    lo, hi = a
    f_lo, f_hi = f(lo), f(hi)
    r_lo = _dn(np.minimum(f_lo, f_hi), ULP_LIBM)
    r_hi = _up(np.maximum(f_lo, f_hi), ULP_LIBM)
    r_hi = np.where(_contains(lo, hi, top, 2 * np.pi), 1.0, r_hi)
    r_lo = np.where(_contains(lo, hi, bottom, 2 * np.pi), -1.0, r_lo)
    r_lo, r_hi = _clean(r_lo, r_hi)
    return np.clip(r_lo, -1.0, 1.0), np.clip(r_hi, -1.0, 1.0)


def iv_tan(a: Interval) -> Interval:
    res = _mono(np.tan, a)
    return _undefined_where(_contains(a[0], a[1], np.pi / 2, np.pi), res)


def iv_cosh(a: Interval) -> Interval:
    lo, hi = a
    c_lo, c_hi = np.cosh(lo), np.cosh(hi)
    straddle = (lo < 0) & (hi > 0)
    r_lo = np.where(straddle, 1.0, _dn(np.minimum(c_lo, c_hi), ULP_LIBM))
    return _clean(np.maximum(r_lo, 1.0), _up(np.maximum(c_lo, c_hi), ULP_LIBM))


def iv_abs(a: Interval) -> Interval:
    lo, hi = a
    return np.where((lo < 0) & (hi > 0), 0.0, np.minimum(np.abs(lo), np.abs(hi))), np.maximum(np.abs(lo), np.abs(hi))


def _heaviside(u: np.ndarray) -> np.ndarray:
    return np.heaviside(u, 0.5)


def _stack(xs: list[np.ndarray]) -> np.ndarray:
    """Stack arrays of broadcastable shapes ((m,) or scalars) into (n, m) or (n, 1)."""
    arrays = np.broadcast_arrays(*xs)
    return np.stack([np.reshape(x, -1) for x in arrays])


def _minmax(ivs: list[Interval], which: str) -> Interval:
    lo = _stack([iv[0] for iv in ivs])
    hi = _stack([iv[1] for iv in ivs])
    if which == "min":
        return lo.min(axis=0), hi.min(axis=0)
    return lo.max(axis=0), hi.max(axis=0)


def _candidates(ivs: list[Interval], which: str) -> np.ndarray:
    """(n, m) mask of the arguments that can be active in min/max on each box.

    If one argument dominates all others on the box (for max: its lower end is at least
    every other upper end) it is the only candidate: the function equals it on the box.
    Otherwise every argument that can reach the extreme value is a candidate.
    """
    lo = _stack([iv[0] for iv in ivs])
    hi = _stack([iv[1] for iv in ivs])
    if which == "min":  # min(a) = -max(-a)
        lo, hi = -hi, -lo
    order = np.sort(hi, axis=0)
    others_top = np.where(hi == order[-1], order[-2], order[-1])  # max over j != i of hi_j
    dominant = lo >= others_top
    first = np.argmax(dominant, axis=0)
    only = np.zeros_like(dominant)
    only[first, np.arange(lo.shape[1])] = True
    reach = hi >= lo.max(axis=0)
    return np.where(dominant.any(axis=0), only, reach)


def _select(ivs: list[Interval], which: str) -> Interval:
    n = len(ivs) // 2
    mask = _candidates(ivs[:n], which)
    d_lo = _stack([iv[0] for iv in ivs[n:]])
    d_hi = _stack([iv[1] for iv in ivs[n:]])
    return np.where(mask, d_lo, _INF).min(axis=0), np.where(mask, d_hi, -_INF).max(axis=0)


def _unitratio(ivs: list[Interval]) -> Interval:
    lo, hi = iv_div(ivs[0], ivs[1])
    return np.clip(lo, -1.0, 1.0), np.clip(hi, -1.0, 1.0)


_OPS: dict[str, Callable[[list[Interval]], Interval]] = {
    "neg": lambda v: (-v[0][1], -v[0][0]),
    "add": lambda v: iv_add(*v), "sub": lambda v: iv_sub(*v), "mul": lambda v: iv_mul(*v),
    "div": lambda v: iv_div(*v), "pow": lambda v: iv_pow(*v),
    "sin": lambda v: _periodic(np.sin, v[0], np.pi / 2, -np.pi / 2),
    "cos": lambda v: _periodic(np.cos, v[0], 0.0, np.pi),
    "tan": lambda v: iv_tan(v[0]), "exp": lambda v: iv_exp(v[0]), "log": lambda v: iv_log(v[0]),
    "sqrt": lambda v: iv_sqrt(v[0]), "abs": lambda v: iv_abs(v[0]),
    "tanh": lambda v: tuple(np.clip(x, -1.0, 1.0) for x in _mono(np.tanh, v[0])),  # type: ignore[misc]
    "sinh": lambda v: _mono(np.sinh, v[0]), "cosh": lambda v: iv_cosh(v[0]),
    "atan": lambda v: _mono(np.arctan, v[0]),
    "floor": lambda v: (np.floor(v[0][0]), np.floor(v[0][1])),
    "sign": lambda v: (np.sign(v[0][0]), np.sign(v[0][1])),
    "Heaviside": lambda v: (_heaviside(v[0][0]), _heaviside(v[0][1])),
    "min": lambda v: _minmax(v, "min"), "max": lambda v: _minmax(v, "max"),
    "_select_min": lambda v: _select(v, "min"), "_select_max": lambda v: _select(v, "max"),
    "_unitratio": _unitratio,
}


def _leaf(op: str, value: Any) -> Interval:
    """A constant as a pair of 0-d arrays (broadcast against the boxes when used)."""
    c = np.float64(float_leaf(op, value))
    if not np.isfinite(c):
        big = np.float64(np.finfo(np.float64).max)
        return (big, np.float64(_INF)) if c > 0 else (np.float64(-_INF), -big)
    if op == "num" and Fraction(float(c)) == value:
        return c, c
    return _dn(c), _up(c)


def _straddles_zero(iv: Interval) -> np.ndarray:
    return (iv[0] <= 0) & (iv[1] >= 0)


def _irregular(op: str, ivs: list[Interval], value: Any) -> dict[str, np.ndarray]:
    """Masks of a primal node: can it jump, kink, or be undefined/unbounded inside the box?"""
    if op == "floor":
        return {"jump": np.floor(ivs[0][0]) != np.floor(ivs[0][1])}
    if op in ("sign", "Heaviside"):
        lo, hi = ivs[0]
        return {"jump": (lo <= 0) & (hi >= 0) & (lo < hi)}
    if op == "abs":
        lo, hi = ivs[0]
        return {"kink": (lo < 0) & (hi > 0)}
    if op in ("min", "max"):
        return {"kink": _candidates(ivs, op).sum(axis=0) > 1}
    if op in ("sqrt", "log"):
        return {"undefined": ivs[0][0] < 0 if op == "sqrt" else ivs[0][0] <= 0}
    if op == "pow":
        return {"undefined": ivs[0][0] < 0}
    if op == "div" or (op == "ipow" and value < 0):
        return {"undefined": _straddles_zero(ivs[-1])}
    if op == "tan":
        return {"undefined": _contains(ivs[0][0], ivs[0][1], np.pi / 2, np.pi)}
    return {}


def interval_tape(tape: Tape, lo: np.ndarray, hi: np.ndarray) -> tuple[list[Interval], dict[str, np.ndarray]]:
    """Enclose every root of ``tape`` over the boxes ``[lo, hi]`` (arrays of shape (m, d)).

    Returns
    -------
    roots : list of (lo, hi) arrays of shape (m,)
    masks : dict of (m,) bool arrays
        ``jump``: some primal floor/sign/Heaviside may jump inside the box;
        ``kink``: some primal abs/min/max may switch branch inside the box;
        ``undefined``: some primal sqrt/log/power/division/tan may leave its domain
        (or meet a pole) on the box.
    """
    m = lo.shape[0]
    vals: list[Any] = [None] * len(tape.ops)
    masks = {k: np.zeros(m, dtype=bool) for k in ("jump", "kink", "undefined")}
    with np.errstate(all="ignore"):
        for i, (op, a, v) in enumerate(zip(tape.ops, tape.args, tape.values)):
            if op == "var":
                vals[i] = (lo[:, v - 1], hi[:, v - 1])
            elif op in ("num", "const"):
                vals[i] = _leaf(op, v)
            else:
                ivs = [vals[j] for j in a]
                vals[i] = iv_ipow(ivs[0], v) if op == "ipow" else _OPS[op](ivs)
                if tape.primal[i]:
                    for key, mask in _irregular(op, ivs, v).items():
                        masks[key] |= mask
            for j in a:
                if tape.last_use[j] == i:
                    vals[j] = None
    roots = [(np.broadcast_to(vals[r][0], (m,)), np.broadcast_to(vals[r][1], (m,))) for r in tape.roots]
    return roots, masks
