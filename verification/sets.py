r"""Judging DeepSets witnesses: full-network error, decoding error, invariance, exact injectivity.

Everything here runs the network through its public interface (:class:`uat.DeepSets`:
``embed``, ``decode``, ``evaluate``, ``embed_exact``) and computes targets directly on the
sets; nothing is imported from the constructions.

* :func:`set_sup_error` -- :math:`\max_X \|f_{net}(X) - f(X)\|_\infty` over random and
  adversarial sets (:mod:`verification._set_families`), per family.  This is a sampled
  estimate, not a certificate.
* :func:`decode_error` -- :math:`\max_X \min_P \|\mathrm{decode}(\Psi(X)) - PX\|_\infty`, the
  optimal matching found by ``scipy.optimize.linear_sum_assignment``.
* :func:`invariance_error` -- :math:`\|\Psi(PX) - \Psi(X)\| / \|\Psi(X)\|` and
  :math:`\|f(PX) - f(X)\|` (or :math:`\|f(PX) - Pf(X)\|` for equivariant targets).
* :func:`exact_injectivity` -- on rational pairs, whether :math:`X \sim X'` and whether
  :math:`\Psi(X) = \Psi(X')`, both in exact arithmetic (LE: exponent multisets, exact by
  Lindemann-Weierstrass).
* :func:`near_collision_curve` -- decoding error against the distance between two rows.

:func:`measure_deepsets` is the ``uat verify`` handler (registered for :class:`uat.DeepSets`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from uat.deepsets import DeepSets
from uat.domains import parse_domain
from uat.errors import MethodError, ParameterError, TargetError
from uat.set_targets import SetTarget, make_set_target

from ._dispatch import Handler, register_handler
from ._result import ErrorEstimate
from ._set_families import FAMILIES, adversarial_pairs, family_sets

__all__ = [
    "set_sup_error", "decode_error", "invariance_error", "exact_injectivity", "near_collision_curve",
    "InjectivityCheck", "measure_deepsets", "matching_error",
]


_OPTIONS = {"method", "n_random", "seed"}
# Near-collision distances inside the judged error (rows either equal or >= 1e-3 apart: the
# decoder's separation budget) and those of the reported curve.
JUDGED_DELTAS = (1e-1, 1e-2, 1e-3, 0.0)
CURVE_DELTAS = (1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 0.0)

def _target_for(net: DeepSets, target: Any) -> tuple[DeepSets, SetTarget]:
    """The network whose rho is ``target o decode`` and the target itself."""
    if target is None:
        t = net.target
        if t is None:
            raise TargetError("this DeepSets value has no decoder; there is no target to compare with")
        return net, t
    t = make_set_target(target, dim=net.input_dim, size=net.set_size)
    if net.readout is None:
        return net.with_readout(t), t
    if net.readout.text != t.text:
        raise ParameterError(
            f"the witness computes {net.readout.text!r} (its readout); it cannot be judged against {t.text!r}. "
            "Build it without a target to judge any set target"
        )
    return net, net.readout


def matching_error(a: np.ndarray, b: np.ndarray) -> float:
    """:math:`\\min_P \\max_n \\|a_n - b_{P(n)}\\|_\\infty` over the squared-distance optimal matching."""
    from scipy.optimize import linear_sum_assignment

    cost = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    r, c = linear_sum_assignment(cost)
    return float(np.max(np.abs(a[r] - b[c]))) if r.size else 0.0


def decode_error(net: DeepSets, sets: np.ndarray) -> tuple[np.ndarray, Any]:
    """Per-set matching error of ``decode(embed(X))`` against X, and the decode diagnostics."""
    res = net.decode(net.embed(sets))
    return np.array([matching_error(res.sets[i], sets[i]) for i in range(sets.shape[0])]), res


def _output_error(net: DeepSets, t: SetTarget, sets: np.ndarray) -> np.ndarray:
    """Per-set output error; ``lex-sort`` outputs are compared as multisets (optimal matching)."""
    got = net.evaluate(sets)
    want = t(sets)
    if t.name == "lex-sort":  # lexicographic order jumps at ties: compare the sets themselves
        n, d = net.input_shape
        return np.array([matching_error(g.reshape(n, d), w.reshape(n, d)) for g, w in zip(got, want)])
    diff = np.abs(got - want)
    return diff.reshape(sets.shape[0], -1).max(axis=1)


def _has_ties(sets: np.ndarray, gap: float = 1e-9) -> np.ndarray:
    """Sets with two rows that agree in some coordinate (where lex-median and rank jump)."""
    srt = np.sort(sets, axis=1)
    return np.any(np.diff(srt, axis=1) <= gap, axis=(1, 2))


def set_sup_error(net: DeepSets, target: Any = None, *, domain: Any = None, n_random: int = 256, seed: int = 0,
                  families: Sequence[str] = FAMILIES) -> dict[str, Any]:
    """Largest output error of the full network, per family (see the module docstring).

    Near collisions enter with distances 1e-1, 1e-2, 1e-3 and 0 (the separation budget of the
    float64 decoder; smaller distances are :func:`near_collision_curve`'s business).  For
    discontinuous targets (``target.continuous`` False) sets with tied coordinates are
    reported under ``"ties (target discontinuous)"`` and left out of the judged error.
    """
    net, t = _target_for(net, target)
    box = parse_domain(domain if domain is not None else net.metadata.get("domain", f"[-1,1]^{net.input_dim}"),
                       dim=net.input_dim)
    rng = np.random.default_rng(seed)
    anchors = None if net.layout is None else np.asarray(net.layout.as_float().anchors)
    per_family: dict[str, float] = {}
    worst: tuple[float, Any, Any] = (-1.0, None, None)
    count = 0
    ties_err = -1.0
    for name in families:
        sets = family_sets(name, net.set_size, box, rng, count=n_random if name == "random" else 16, anchors=anchors,
                           deltas=JUDGED_DELTAS)
        if sets.shape[0] == 0:
            continue
        err = _output_error(net, t, sets)
        count += sets.shape[0]
        if not t.continuous and t.name != "lex-sort":
            ties = _has_ties(sets)
            if ties.any():
                ties_err = max(ties_err, float(err[ties].max()))
                err = np.where(ties, 0.0, err)
        i = int(np.argmax(err))
        per_family[name] = float(err[i])
        if err[i] > worst[0]:
            worst = (float(err[i]), name, sets[i])
    if ties_err >= 0:
        per_family["ties (target discontinuous)"] = ties_err
    return {"error": worst[0], "family": worst[1], "argmax": worst[2], "per_family": per_family, "n_sets": count,
            "target": t.text, "domain": str(box)}


def invariance_error(net: DeepSets, sets: np.ndarray, *, seed: int = 0) -> dict[str, float]:
    """Relative change of the pooled vector, and change of the output, under a random permutation per set."""
    rng = np.random.default_rng(seed)
    perms = np.array([rng.permutation(sets.shape[1]) for _ in range(sets.shape[0])])
    permuted = np.take_along_axis(sets, perms[:, :, None], axis=1)
    s, sp = net.embed(sets), net.embed(permuted)
    pooled = float(np.max(np.linalg.norm(sp - s, axis=1) / np.maximum(np.linalg.norm(s, axis=1), 1e-300)))
    out, outp = net.evaluate(sets), net.evaluate(permuted)
    if net.equivariant:
        out = np.take_along_axis(out, perms[:, :, None], axis=1)
    scale = max(1.0, float(np.max(np.abs(out))))
    return {"pooled_relative": pooled, "output_relative": float(np.max(np.abs(outp - out))) / scale}


@dataclass(frozen=True)
class InjectivityCheck:
    """One exact check: are X and X' equivalent, and are their pooled vectors equal?"""

    name: str
    equivalent: bool
    pooled_equal: bool

    @property
    def separated(self) -> bool:
        """True when the embedding tells inequivalent sets apart (or equivalent ones have equal embeddings)."""
        return self.pooled_equal == self.equivalent


def _equivalent(a: Sequence[Sequence[Fraction]], b: Sequence[Sequence[Fraction]]) -> bool:
    return sorted(tuple(Fraction(v) for v in r) for r in a) == sorted(tuple(Fraction(v) for v in r) for r in b)


def exact_injectivity(net: DeepSets, pairs: Any = None) -> list[InjectivityCheck]:
    """Exact checks on rational pairs (default: :func:`adversarial_pairs` for the witness's N, D and anchors)."""
    if pairs is None:
        anchors = None if net.layout is None or not net.layout.is_exact else net.layout.anchors.tolist()
        pairs = adversarial_pairs(net.set_size, net.input_dim, anchors)
    out = []
    for name, (a, b) in dict(pairs).items():
        out.append(InjectivityCheck(name, _equivalent(a, b), net.embed_exact(a) == net.embed_exact(b)))
    return out


def near_collision_curve(net: DeepSets, deltas: Sequence[float], *, count: int = 50, seed: int = 0) -> list[tuple[float, float]]:
    """(delta, max decoding error) for sets with two rows a distance delta apart (random direction).

    Empty for N = 1 (a set of one element has no two rows to bring together).
    """
    if any(not 0 <= float(dl) <= 0.1 for dl in deltas):
        raise ParameterError(f"near-collision distances must lie in [0, 0.1], got {list(deltas)}")
    rng = np.random.default_rng(seed)
    n, d = net.input_shape
    out: list[tuple[float, float]] = []
    if n < 2:
        return out
    for delta in deltas:
        x = rng.uniform(-0.9, 0.9, (count, n, d))
        u = rng.standard_normal((count, d))
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        x[:, 1] = x[:, 0] + delta * u  # stays in [-1, 1]^D
        errs, _ = decode_error(net, x)
        out.append((float(delta), float(errs.max())))
    return out



def measure_deepsets(net: DeepSets, target: Any = None, *, domain: Any = None, norm: str = "sup",
                     p: float | None = None, **options: Any) -> ErrorEstimate:
    """The ``uat verify`` handler: sampled sup error over random and adversarial sets, with diagnostics."""
    given = {k: v for k, v in options.items() if v is not None}
    unknown = set(given) - _OPTIONS
    if unknown:
        raise ParameterError(f"options {sorted(unknown)} do not apply to DeepSets; valid: {sorted(_OPTIONS)}")
    method = given.pop("method", "sampled")
    if method not in ("auto", "sampled"):
        raise MethodError(f"unknown method {method!r} for DeepSets; valid: auto, sampled")
    if norm != "sup":
        raise ParameterError(f"DeepSets witnesses are judged in the sup norm, got {norm!r}")
    rep = set_sup_error(net, target, domain=domain, **given)
    judged_net, _ = _target_for(net, target)
    details: dict[str, Any] = {"per_family": rep["per_family"], "worst_family": rep["family"], "domain": rep["domain"]}
    if judged_net.layout is not None:
        rng = np.random.default_rng(given.get("seed", 0))
        box = parse_domain(rep["domain"], dim=net.input_dim)
        sample = family_sets("random", net.set_size, box, rng, count=64)
        errs, res = decode_error(judged_net, sample)
        details["decode_error_random"] = float(errs.max())
        details["max_residual"] = float(np.max(res.residual))
        details["invariance"] = invariance_error(judged_net, sample, seed=given.get("seed", 0))
        curve = near_collision_curve(judged_net, CURVE_DELTAS, count=16, seed=given.get("seed", 0))
        if curve:
            details["near_collision_curve"] = [[dl, e] for dl, e in curve]
        if judged_net.is_exact:
            checks = exact_injectivity(judged_net)
            details["exact_injectivity"] = {c.name: ("separated" if c.separated else "COLLISION") for c in checks}
    details["notes"] = [
        f"{rep['n_sets']} sets: random, duplicated rows, near collisions (distance 0 or >= 1e-3), channel-swap, "
        "parity and anchor-adversarial families; worst family: " + str(rep["family"]),
    ]
    if "near_collision_curve" in details:
        curve = ", ".join(f"{dl:g}: {e:.1e}" for dl, e in details["near_collision_curve"])
        details["notes"].append(f"decoding error vs distance of two rows (not judged): {curve}")
    if "ties (target discontinuous)" in rep["per_family"]:
        details["notes"].append(
            f"sets with tied coordinates (the target jumps there) not judged: error {rep['per_family']['ties (target discontinuous)']:.2e}"
        )
    argmax = None if rep["argmax"] is None else tuple(np.asarray(rep["argmax"]).ravel())
    return ErrorEstimate(
        value=rep["error"], low=rep["error"], high=float("inf"), certified=False, method="sampled-sets",
        n_evals=rep["n_sets"], assumptions=("a sampled estimate over random and adversarial sets, not a certificate",),
        norm="sup", argmax=argmax, parameters={"n_random": given.get("n_random", 256), "seed": given.get("seed", 0)},
        details=details,
    )


def describe_deepsets(net: DeepSets) -> dict[str, Any]:
    return {"width": net.width, "text": repr(net)}


register_handler(Handler(DeepSets, "DeepSets network", ("sup",), measure_deepsets, describe_deepsets,
                         options=tuple(sorted(_OPTIONS))))
