r"""``rnn-tanh`` and ``rnn-sigmoid``: tanh / sigmoid RNN witnesses at the published widths, for every causal target.

Song, Hwang, Lee, Kang (JMLR 24(121), 2023, Theorem 5 with :math:`\alpha(\sigma)`): deep RNNs with a
non-degenerate activation approximate every continuous past-dependent map uniformly at width
:math:`d_x + d_y + 3 + \alpha(\sigma)`: :math:`d_x + d_y + 3` for tanh (:math:`\tanh 0 = 0`) and
:math:`d_x + d_y + 4` for the logistic sigmoid.  The witnesses here have **exactly** those widths.
They apply the :math:`\delta`-trick (Lemma 3) to the *whole* gated construction
(:mod:`constructions._rnn_smooth`): identity channels for the token, a time counter, the
accumulators and a running signal, and one :math:`\sigma` work channel whose units are gated to one
time by saturation, :math:`\tilde\sigma(u + K(c - t_0)) - \tilde\sigma(K(c - t_0))`.  The per-time
approximants (:mod:`constructions._rnn_smooth_plan`) cover the same target classes as
``rnn-uniform``: linear targets (one linear unit per time and output), ridge and Hammerstein
targets (tanh fits of :math:`g`), and any other causal target through least squares on seeded random
tanh features (sampled held-out error).  No gradient training.

The error is the per-time fit error plus the construction's :math:`\delta` error, which falls like
:math:`\delta^2` and then rises as rounding takes over (:math:`\epsilon_{mach}/\delta` for tanh,
:math:`\epsilon_{mach}\sqrt{\text{depth}}/\delta^3` for the sigmoid); ``delta`` is a parameter and
docs/rnn.md plots the error against it.

>>> from constructions import build
>>> c = build("rnn-tanh", "running-mean", T=3)
>>> c.network.width, c.width, [a.name for a in c.network.activations]
(5, 5, ['tanh'])
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from uat.domains import parse_domain
from uat.errors import PrecisionBudgetExceeded
from uat.sequence_targets import make_sequence_target

from ._cli import options_from_args
from ._common import all_dims, optional_positive_int, positive_eps
from ._registry import Construction, ConstructionSpec, ContractCase, register
from ._rnn_common import (
    add_delta_argument, add_feature_arguments, add_horizon_argument, horizon, linearisation_scale, rnn_construction,
    sampled_sup_check, sequence_target, token_box,
)
from ._rnn_smooth import build_smooth
from ._rnn_smooth_plan import plan_smooth

__all__ = ["build_rnn_tanh", "build_rnn_sigmoid", "DEFAULT_DELTA"]

MAX_T = 32
DEFAULT_DELTA = {"tanh": 1e-4, "sigmoid": 3e-3}
"""Near the minimum of the measured error-vs-delta curves (docs/rnn.md): delta^2 against rounding."""


def _build(act: str, target: Any, *, input_dim: Any, output_dim: Any, T: Any, eps: Any, domain: Any, delta: Any,
           features: Any, seed: Any, max_features: Any) -> Construction:
    T = horizon(T, default=5, cap=MAX_T)
    eps = positive_eps(eps, 1e-3)
    d = DEFAULT_DELTA[act] if delta is None else linearisation_scale(delta, "1/2")
    for key, val in (("features", features), ("max_features", max_features)):
        optional_positive_int(key, val)
    tgt = sequence_target(target, default="wiener-tanh", input_dim=input_dim, output_dim=output_dim)
    box = token_box(domain, tgt)
    lo, hi = box.lo_array, box.hi_array
    plan = plan_smooth(tgt, T, lo, hi, eps=eps, features=features, seed=0 if seed is None else int(seed),
                       max_features=512 if max_features is None else max_features)
    net, diag = build_smooth(tgt.input_dim, tgt.output_dim, T, [float(v) for v in lo], [float(v) for v in hi],
                             plan.blocks, act, d, lin_budget=eps / 4)
    check = sampled_sup_check(net, tgt, T, lo, hi)
    if check > eps and delta is None:
        raise PrecisionBudgetExceeded(
            f"the {act} witness misses eps = {eps:.3g}: its float64 error on 320 sampled sequences is {check:.3g} (fit "
            f"{plan.approx_error:.2g}, delta-linearisation bound {diag['linearisation_error']:.2g}, the rest rounding, "
            f"which grows like 1/delta{'^3' if act == 'sigmoid' else ''}); raise eps, use a smaller box, or try --delta"
        )
    width = tgt.input_dim + tgt.output_dim + 3 + (1 if act == "sigmoid" else 0)
    return rnn_construction(
        net, name=f"rnn-{act}", theorem=f"song2023-rnn-{act}", width=width, target=tgt, box=box, eps=eps, T=T,
        norm="sup",
        parameters={"T": T, "delta": d, "approximant": plan.method, "blocks": diag["blocks"], "units": diag["units"],
                    **plan.parameters},
        precision={"mode": "float64", "delta": d, "max_abs_weight": net.max_abs_weight(),
                   "max_gate_slope": diag["max_gate_slope"], "linearisation_error": diag["linearisation_error"],
                   "sampled_self_check": check},
        notes=(f"{'' if check <= eps else f'WARNING: sampled error {check:.2g} > eps at the chosen delta; '}"
               f"per-time fit error {plan.approx_error:.2e} ({plan.notes}); plus the delta-trick error, O(delta^2) "
               f"with delta = {d:g}, and rounding (eps_mach/delta for tanh, eps_mach sqrt(depth)/delta^3 for the sigmoid); "
               f"width d_x+d_y+{3 + (act == 'sigmoid')} is the published one (alpha = {int(act == 'sigmoid')})"),
        delta=d, fit_error=plan.approx_error,
    )


def build_rnn_tanh(target: Any = None, *, input_dim: int | None = None, output_dim: int | None = None,
                   T: int | None = None, eps: float | None = None, domain: Any = None, delta: float | None = None,
                   features: int | None = None, seed: int | None = None, max_features: int | None = None,
                   progress: str = "auto") -> Construction:
    r"""The tanh witness at the published width :math:`d_x + d_y + 3` (Song et al. 2023, Theorem 5, :math:`\alpha(\tanh) = 0`).

    The gated construction with the :math:`\delta`-trick on the whole network (module docstring):
    error = per-time fit error + :math:`O(\delta^2)` + rounding :math:`\approx \epsilon_{mach}/\delta`.

    Parameters
    ----------
    target : str, callable or SequenceTarget, optional
        A causal sequence target (default ``wiener-tanh``).
    input_dim, output_dim : int, optional
        :math:`d_x`, :math:`d_y` (checked against the target).
    T : int, optional
        The horizon (default 5; at most 32).
    eps : float, optional
        The requested accuracy of the per-time fits (default 1e-3).
    domain : str or Box, optional
        The token box (default the target's).
    delta : float, optional
        The linearisation scale, :math:`0 < \delta \le 1/2` (default 1e-4).
    features, max_features : int, optional
        Generic targets: random tanh features per time (default: from eps, at most 512).
    seed : int, optional
        Generic targets: the features' seed (default 0).
    progress : ignored
        Accepted for a uniform CLI.

    Returns
    -------
    Construction
    """
    return _build("tanh", target, input_dim=input_dim, output_dim=output_dim, T=T, eps=eps, domain=domain, delta=delta,
                  features=features, seed=seed, max_features=max_features)


def build_rnn_sigmoid(target: Any = None, *, input_dim: int | None = None, output_dim: int | None = None,
                      T: int | None = None, eps: float | None = None, domain: Any = None, delta: float | None = None,
                      features: int | None = None, seed: int | None = None, max_features: int | None = None,
                      progress: str = "auto") -> Construction:
    r"""The sigmoid witness at the published width :math:`d_x + d_y + 4` (Theorem 5, :math:`\alpha = 1` since :math:`\sigma(0) \ne 0`).

    One constant channel more than the tanh witness; rounding grows like
    :math:`\epsilon_{mach}\sqrt{\text{depth}}/\delta^3`, hence the larger default :math:`\delta` = 3e-3.

    Parameters
    ----------
    target, input_dim, output_dim, T, eps, domain, delta, features, seed, max_features, progress
        As for :func:`build_rnn_tanh`.

    Returns
    -------
    Construction
    """
    return _build("sigmoid", target, input_dim=input_dim, output_dim=output_dim, T=T, eps=eps, domain=domain,
                  delta=delta, features=features, seed=seed, max_features=max_features)


def _add_arguments(p: argparse.ArgumentParser) -> None:
    add_horizon_argument(p, 5)
    add_delta_argument(p, "default 1e-4 tanh, 3e-3 sigmoid")
    add_feature_arguments(p, "tanh")


_from_args = options_from_args("T", "delta", "features", "seed")


def _cases(act: str):
    def cases() -> list[ContractCase]:
        return [
            ContractCase(f"{act} running mean d_x=2 T=4", "running-mean", {"T": 4, "input_dim": 2, "eps": 1e-4},
                         {"d_x": 2, "d_y": 2}, "sup", 1e-4),
            ContractCase(f"{act} wiener-sin T=4", "wiener-sin", {"T": 4, "eps": 1e-3}, {"d_x": 1, "d_y": 1}, "sup",
                         1e-3),
            ContractCase(f"{act} hammerstein T=3", "hammerstein", {"T": 3, "eps": 1e-3}, {"d_x": 1, "d_y": 1}, "sup",
                         1e-3),
            ContractCase(f"{act} tanh system T=2 (random features)", "tanh-system", {"T": 2, "eps": 0.05},
                         {"d_x": 1, "d_y": 1}, "sup", 0.05),
            ContractCase(f"{act} running max T=2 (random features)", "running-max", {"T": 2, "eps": 0.05},
                         {"d_x": 1, "d_y": 1}, "sup", 0.05, slow=True),
        ]
    return cases


for _act, _extra in (("tanh", 0), ("sigmoid", 1)):
    register(ConstructionSpec(
        name=f"rnn-{_act}",
        theorem=f"song2023-rnn-{_act}",
        family="rnn",
        norm="sup",
        summary=f"deep {_act} RNN of the published width d_x+d_y+{3 + _extra} for any causal target (gated "
                "construction, delta-trick)",
        width=(lambda e: (lambda d_x, d_y, **_: d_x + d_y + 3 + e))(_extra),
        supports=all_dims,
        builder=build_rnn_tanh if _act == "tanh" else build_rnn_sigmoid,
        add_arguments=_add_arguments,
        from_args=_from_args,
        width_kind=f"published upper bound d_x+d_y+{3 + _extra} (Theorem 5, alpha = {_extra})",
        contract_cases=_cases(_act),
    ))


def error_against_delta(target: Any, deltas: Any, *, act: str = "tanh", T: int = 3, **kwargs: Any) -> np.ndarray:
    r"""The sampled sup error of the ``rnn-tanh``/``rnn-sigmoid`` witness as a function of :math:`\delta`.

    The error falls like :math:`\delta^2` (Lemma 3) until rounding takes over; this builds one
    witness per :math:`\delta` and measures the largest error on a fixed random sample of 512
    sequences (an estimate, for the docs figure and the tests, not a certificate).

    Parameters
    ----------
    target : str or SequenceTarget
        The target.
    deltas : iterable of float
        The scales to try.
    act : {"tanh", "sigmoid"}
        The activation.
    T : int
        The horizon.
    **kwargs
        Further builder keywords (``input_dim``, ``domain``, ``eps`` ...).

    Returns
    -------
    ndarray
        One error per delta.
    """
    from ._registry import build

    tgt = make_sequence_target(target, input_dim=kwargs.get("input_dim"))
    box = parse_domain(kwargs.get("domain", tgt.domain), dim=tgt.input_dim)
    x = box.lo_array + box.widths * np.random.default_rng(0).random((512, T, tgt.input_dim))
    want = tgt(x)
    out = []
    for d in deltas:
        net = build(f"rnn-{act}", target, T=T, delta=float(d), **kwargs).network
        out.append(float(np.max(np.abs(net.evaluate(x) - want))))
    return np.array(out)
