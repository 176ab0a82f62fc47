"""The handler for recurrent witnesses (``uat.rnn/1``: deep RNNs and BRNNs).

The horizon ``T`` comes from the option ``T`` or else the witness metadata (``horizon``);
an :math:`L^p` witness whose metadata says ``whole_space`` is measured on the whole space
(:func:`~verification.sequence.sequence_lp_error_whole`, on the cube of 5/4 times the witness box,
unless the option ``whole_space=False`` or an explicit ``radius`` is given);
the target is a sequence-library name, a :class:`uat.sequence_targets.SequenceTarget` or a
callable (prefix form for a causal network, whole-sequence form for a BRNN).  Causal networks
are also checked for causality; the report is in ``details["causality"]``.
"""

from __future__ import annotations

from typing import Any

from uat.domains import parse_domain
from uat.errors import ParameterError
from uat.recurrent import Recurrent
from uat.sequence_targets import make_sequence_target

from ._dispatch import Handler, register_handler
from ._result import ErrorEstimate
from ._sequence_cert import certificate_applies, sequence_sup_certificate
from .sequence import causality_check, sequence_lp_error, sequence_lp_error_whole, sequence_sup_error

_SUP_OPTIONS = {"T", "m", "seed", "method", "causality", "cells"}
_LP_OPTIONS = {"T", "m", "seed", "method", "replicates", "confidence", "causality", "whole_space", "radius"}


def _horizon(net: Recurrent, options: dict) -> int:
    T = options.pop("T", None)
    if T is None:
        T = net.metadata.get("horizon")
    if T is None:
        raise ParameterError("the sequence length is unknown: pass T=... (the witness metadata records no 'horizon')")
    return int(T)


def measure_recurrent(net: Recurrent, target: Any, *, domain: Any = None, norm: str = "sup", p: float | None = None,
                      **options: Any):
    given = {k: v for k, v in options.items() if v is not None}
    valid = _SUP_OPTIONS if norm == "sup" else _LP_OPTIONS
    unknown = set(given) - valid
    if unknown:
        raise ParameterError(f"options {sorted(unknown)} do not apply to a recurrent network ({norm}); valid: {sorted(valid)}")
    method = given.pop("method", None)
    if method not in (None, "auto", "sampled", "qmc", "cover"):
        raise ParameterError(f"unknown method {method!r} for a recurrent network; valid: auto, sampled (sup), "
                             "cover (sup: covering certificate), qmc (lp)")
    if method == "cover" and norm != "sup":
        raise ParameterError("method 'cover' certifies the sup norm; for L^p use qmc")
    cells = given.pop("cells", None)
    T = _horizon(net, given)
    check = given.pop("causality", True)
    whole = given.pop("whole_space", None)
    radius = given.pop("radius", None)
    tgt = make_sequence_target(target, input_dim=net.input_dim, output_dim=net.output_dim, causal=net.is_causal)
    if domain is None:
        domain = net.metadata.get("domain") if tgt.domain is None else tgt.domain
    box = parse_domain(domain, dim=net.input_dim)
    notes = []
    if norm == "sup":
        res = sequence_sup_error(net, tgt, box, T, **given)
        why = certificate_applies(net, tgt, T)
        if method == "cover":
            if why:
                raise ParameterError(f"the covering certificate does not apply: {why}")
            cert = sequence_sup_certificate(net, tgt, box, T, cells=cells)
            res = _combine(res, cert)
        elif not why:
            notes.append("a covering certificate applies to this network and target: method='cover' (uat verify "
                         "--method cover)")
    elif (whole if whole is not None else (bool(net.metadata.get("whole_space")) or radius is not None)):
        R = float(radius) if radius is not None else 1.25 * max(max(abs(float(a)), abs(float(b))) for a, b in zip(box.lo, box.hi))
        res = sequence_lp_error_whole(net, tgt, T, radius=R, p=2.0 if p is None else p, **given)
    else:
        res = sequence_lp_error(net, tgt, box, T, p=2.0 if p is None else p, **given)
    if check and net.is_causal:
        rep = causality_check(net, box, T, seed=int(given.get("seed", 0)))
        notes.append(rep.describe())
        res = res.with_details(causality={"passed": rep.passed, "violations": [list(v) for v in rep.violations[:10]]})
    per_t = res.details.get("per_t", [])
    if per_t:
        notes.append("per-time error: " + ", ".join(f"{v:.2e}" for v in per_t))
    return res.with_details(notes=notes)


def _combine(sampled: ErrorEstimate, cert: ErrorEstimate) -> ErrorEstimate:
    """The sampled maximum (a lower bound) with the cover's upper bound: certified unless the cover is vacuous."""
    from dataclasses import replace

    details = {**dict(sampled.details), "certificate": {k: cert.details[k] for k in ("cells", "relaxed_relus", "vacuous",
                                                                                      "trivial_bound", "per_t")}}
    if not cert.certified:
        return replace(sampled, assumptions=sampled.assumptions + cert.assumptions, details=details)
    return replace(sampled, low=sampled.value, high=max(cert.high, sampled.value), certified=True,
                   method="sequence-sampled+cover", assumptions=cert.assumptions + sampled.assumptions[:1],
                   details={**details, "per_t_bound": cert.details["per_t"]})


def describe_recurrent(net: Recurrent) -> dict:
    return {"width": net.width, "depth": net.depth, "text": repr(net), "input_dim": net.input_dim,
            "output_dim": net.output_dim, "horizon": net.metadata.get("horizon")}


def plot_recurrent(net: Recurrent, target: Any, *, domain: Any, result: Any, out: str) -> None:
    """Per-time error curve, and one sequence's target and network outputs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    T = len(result.details["per_t"])
    tgt = make_sequence_target(target, input_dim=net.input_dim, output_dim=net.output_dim, causal=net.is_causal)
    box = parse_domain(domain if domain is not None else net.metadata.get("domain"), dim=net.input_dim)
    x = box.lo_array + box.widths * np.random.default_rng(0).random((1, T, net.input_dim))
    fig, ax = plt.subplots(1, 2, figsize=(9, 3.4))
    t = np.arange(1, T + 1)
    ax[0].semilogy(t, np.maximum(result.details["per_t"], 1e-17), "o-")
    ax[0].set_xlabel("t")
    ax[0].set_ylabel("error at time t")
    ax[0].set_title(f"{'sup' if result.norm == 'sup' else 'L^p'} error per time")
    ax[1].plot(t, tgt(x)[0, :, 0], "o-", label="target")
    ax[1].plot(t, net.evaluate(x)[0, :, 0], "x--", label="network")
    ax[1].set_xlabel("t")
    ax[1].set_title("one random sequence (output 1)")
    ax[1].legend()
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


register_handler(Handler(Recurrent, "recurrent network", ("sup", "lp"), measure_recurrent, describe_recurrent,
                         plot_recurrent, options=tuple(sorted(_SUP_OPTIONS | _LP_OPTIONS))))
