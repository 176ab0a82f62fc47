r"""Boundary code shared by the RNN constructions (``rnn-*``, ``brnn-*``): horizon, target, box, CLI, result.

Song, Hwang, Lee, Kang (JMLR 24(121), 2023) state their widths for sequence-to-sequence maps
:math:`f: K^T \to \mathbb R^{d_y \times T}` on a token box :math:`K \subset \mathbb R^{d_x}`;
every RNN witness is built for one horizon :math:`T` and records it, with the norm and the
family, in its metadata.

>>> horizon(None, default=5, cap=32), horizon(7, default=5, cap=32)
(5, 7)
>>> horizon(40, default=5, cap=32)
Traceback (most recent call last):
...
uat.errors.ParameterError: the horizon T must be an integer in 1..32, got 40
"""

from __future__ import annotations

import argparse
from fractions import Fraction
from typing import Any, Mapping

import numpy as np

from uat.domains import Box, parse_domain
from uat.errors import DimensionMismatch, ParameterError
from uat.sequence_targets import SequenceTarget, make_sequence_target

from ._registry import Construction

__all__ = [
    "horizon", "sequence_target", "token_box", "linearisation_scale", "rnn_construction", "add_horizon_argument",
    "add_feature_arguments", "add_delta_argument", "sampled_sup_check", "sampled_lp_check",
    "lp_upper_limit",
]


def horizon(T: Any, *, default: int, cap: int) -> int:
    r"""The horizon :math:`T` (sequence length) a witness is built for, :math:`1 \le T \le` ``cap``.

    Parameters
    ----------
    T : int or None
        The user's value; None gives ``default``.
    default, cap : int
        The construction's default horizon and its largest (the budget of its encoding).

    Returns
    -------
    int

    Raises
    ------
    ParameterError
        ``T`` is not an integer (booleans included) in ``1..cap``.
    """
    if T is None:
        return default
    if isinstance(T, bool) or not isinstance(T, int) or not 1 <= T <= cap:
        raise ParameterError(f"the horizon T must be an integer in 1..{cap}, got {T!r}")
    return T


def sequence_target(target: Any, *, default: str, input_dim: Any, output_dim: Any, bidirectional: bool = False,
                    alternative: str | None = None) -> SequenceTarget:
    r"""The sequence target :math:`f`, checked against :math:`d_y` and against causality.

    An RNN reads the tokens forward, so its output at time :math:`t` depends on
    :math:`x[1..t]` only: it can approximate *causal* (past-dependent) maps only; a BRNN
    (``bidirectional=True``) approximates every sequence-to-sequence map.

    Parameters
    ----------
    target : str, callable or SequenceTarget or None
        A sequence-library name, a vectorised callable (with ``input_dim``) or a target;
        None gives ``default``.
    default : str
        The construction's default target.
    input_dim, output_dim : int or None
        :math:`d_x`, :math:`d_y` when given.
    bidirectional : bool
        Whether the witness is a BRNN.
    alternative : str, optional
        The construction to suggest for a non-causal target.

    Returns
    -------
    SequenceTarget

    Raises
    ------
    DimensionMismatch
        ``output_dim`` differs from the target's :math:`d_y`.
    ParameterError
        A non-causal target for a unidirectional RNN.
    """
    tgt = make_sequence_target(default if target is None else target, input_dim=input_dim, causal=not bidirectional)
    if output_dim is not None and tgt.output_dim != output_dim:
        raise DimensionMismatch(f"target {tgt.name!r} has d_y = {tgt.output_dim}, but --dy {output_dim} was given")
    if not tgt.causal and not bidirectional:
        use = f"; use {alternative}" if alternative else ""
        raise ParameterError(f"target {tgt.name!r} is not causal: an RNN cannot approximate it{use}")
    return tgt


def token_box(domain: Any, tgt: SequenceTarget) -> Box:
    r"""The token box :math:`K \subset \mathbb R^{d_x}`: ``domain`` when given, else the target's own.

    Parameters
    ----------
    domain : str, Box or None
        The user's box (e.g. ``"[-1,1]"``).
    tgt : SequenceTarget
        The target (its ``domain`` and :math:`d_x`).

    Returns
    -------
    Box
    """
    return parse_domain(domain if domain is not None else tgt.domain, dim=tgt.input_dim)


def sampled_sup_check(net: Any, tgt: SequenceTarget, T: int, lo: Any, hi: Any) -> float:
    r"""The largest error :math:`\max_t \|N(x)[t] - f(x)[t]\|_2` on 256 uniform and 64 corner sequences (seeded).

    A build-time guard of the :math:`\delta`-trick witnesses (whose rounding is not bounded a priori),
    not a certificate: the verifier measures independently.

    Parameters
    ----------
    net : Recurrent
        The witness.
    tgt : SequenceTarget
        The target.
    T : int
        The horizon.
    lo, hi : array_like
        The token box.

    Returns
    -------
    float
    """
    lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    rng = np.random.default_rng(0)
    u = np.concatenate([rng.random((256, T, len(lo))), rng.integers(0, 2, (64, T, len(lo))).astype(float)])
    x = lo + (hi - lo) * u
    return float(np.max(np.linalg.norm(net.evaluate(x) - tgt(x), axis=2)))


def sampled_lp_check(net: Any, tgt: SequenceTarget, T: int, box: Box, p: float, *, bidirectional: bool = False,
                     samples: int = 2048, z: float = 3.0, seed: int = 0) -> tuple[list[float], list[float]]:
    r"""Per time :math:`t`: a Monte Carlo value of :math:`\|N_t - f_t\|_{L^p(K^\ell)}` and its upper confidence limit.

    :math:`\ell = t` tokens (BRNN: :math:`\ell = T`); ``samples`` uniform sequences of the box (seeded);
    the limit is :math:`(V (\overline{e^p} + z\, s/\sqrt{n}))^{1/p}`, :math:`s` the sample standard
    deviation of :math:`e^p`.  The :math:`L^p` counterpart of :func:`sampled_sup_check`: a
    build-time guard of witnesses whose error has no a-priori bound, not a certificate.

    Parameters
    ----------
    net : Recurrent
        The witness.
    tgt : SequenceTarget
        The target.
    T : int
        The horizon.
    box : Box
        The token box.
    p : float
        The exponent, :math:`1 \le p < \infty`.
    bidirectional : bool
        Whether every output reads all T tokens.
    samples : int
        Number of sequences.
    z : float
        Standard errors added for the upper limit.
    seed : int
        The sampling seed.

    Returns
    -------
    (list of float, list of float)
        Estimates and upper limits for t = 1..T.
    """
    lo, wid = box.lo_array, box.widths
    x = lo + wid * np.random.default_rng(seed).random((samples, T, box.dim))
    err = np.linalg.norm(net.evaluate(x) - tgt(x), axis=2)
    pairs = [lp_upper_limit(err[:, t], box.volume ** (T if bidirectional else t + 1), p, z) for t in range(T)]
    return [a for a, _ in pairs], [b for _, b in pairs]


def lp_upper_limit(err: np.ndarray, volume: float, p: float, z: float = 3.0) -> tuple[float, float]:
    r"""Monte Carlo :math:`(V\,\overline{e^p})^{1/p}` and its upper limit :math:`(V(\overline{e^p} + z s/\sqrt n))^{1/p}`.

    Parameters
    ----------
    err : ndarray
        Pointwise errors at ``n`` uniform samples of a box (NaN counts as infinite).
    volume : float
        The box's volume.
    p : float
        The exponent.
    z : float
        Standard errors added for the upper limit.

    Returns
    -------
    (float, float)

    Examples
    --------
    >>> lp_upper_limit(np.array([0.0, 0.0, 1.0, 1.0]), 1.0, 1.0, z=0.0)
    (0.5, 0.5)
    """
    ep = np.nan_to_num(np.asarray(err, dtype=np.float64), nan=np.inf) ** p
    mean = float(np.mean(ep))
    se = float(np.std(ep, ddof=1)) / float(np.sqrt(len(ep))) if len(ep) > 1 else mean
    return (volume * mean) ** (1 / p), (volume * (mean + z * se)) ** (1 / p)


def linearisation_scale(delta: Any, upper: str) -> float:
    r"""The scale :math:`\delta` of the :math:`\delta`-trick (Song et al. 2023, Lemma 3), :math:`0 < \delta \le` ``upper``.

    An identity channel becomes :math:`\sigma(\delta z)/(\delta\sigma'(0))` (minus the constant
    :math:`\sigma(0)`), exact up to :math:`O(\delta^2 z^2)` for tanh-like :math:`\sigma`.

    Parameters
    ----------
    delta : float
        The user's value.
    upper : str
        The largest allowed value, as text (``"1/2"``, ``"1"``).

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        ``delta`` outside :math:`(0,` ``upper`` :math:`]`.
    """
    try:
        d = float(delta)
    except (TypeError, ValueError):
        d = float("nan")
    if not 0 < d <= Fraction(upper):
        raise ParameterError(f"delta must lie in (0, {upper}], got {delta!r}")
    return d


def rnn_construction(net: Any, *, name: str, theorem: str, width: int, target: SequenceTarget, box: Box,
                     eps: float | None, T: int, norm: str, parameters: Mapping[str, Any],
                     precision: Mapping[str, Any], notes: str, predicted_error: float | None = None,
                     p: float | None = None, **metadata: Any) -> Construction:
    """The :class:`~constructions.Construction` of an RNN witness.

    Besides the common witness fields, every RNN witness records ``norm``, ``horizon`` (= ``T``)
    and ``family = "rnn"``; ``metadata`` adds the construction's own entries.

    Parameters
    ----------
    net : Recurrent
        The witness network.
    name, theorem : str
        Construction name and catalogue theorem id.
    width : int
        The claimed width (checked by :func:`constructions.build`).
    target : SequenceTarget
        The target (its name is recorded).
    box : Box
        The token box.
    eps : float or None
        The requested accuracy.
    T : int
        The horizon.
    norm : {"sup", "lp"}
        The norm of the theorem.
    parameters, precision : mapping
        The parameters used and the precision budget.
    notes : str
        How the error arises.
    predicted_error : float, optional
        The a-priori error bound, when the construction has one.
    p : float, optional
        The L^p exponent (``norm="lp"``).
    **metadata
        Further witness metadata.

    Returns
    -------
    Construction
    """
    return Construction(
        network=net, name=name, theorem=theorem, width=width, parameters=parameters,
        predicted_error=predicted_error, precision=precision, notes=notes, target=target.name, domain=str(box),
        epsilon=eps, p=p, extra_metadata={"norm": norm, "horizon": T, "family": "rnn", **metadata},
    )


def add_horizon_argument(p: argparse.ArgumentParser, default: int) -> None:
    """Add ``--T``, the horizon the witness is built for.

    Parameters
    ----------
    p : argparse.ArgumentParser
        The ``uat build NAME`` parser.
    default : int
        The builder's default horizon (shown in the help).
    """
    p.add_argument("--T", type=int, dest="T", help=f"sequence length (horizon) the witness is built for (default {default})")


def add_feature_arguments(p: argparse.ArgumentParser, unit: str) -> None:
    """Add ``--features`` and ``--seed``: the seeded random-feature least-squares fit of generic targets.

    Parameters
    ----------
    p : argparse.ArgumentParser
        The ``uat build NAME`` parser.
    unit : str
        The feature's activation, for the help text (``"ReLU"``, ``"tanh"``).
    """
    p.add_argument("--features", type=int, help=f"generic targets: random {unit} features per time (default: from eps)")
    p.add_argument("--seed", type=int, help="generic targets: seed of the random features (default 0)")


def add_delta_argument(p: argparse.ArgumentParser, default: str) -> None:
    r"""Add ``--delta``, the linearisation scale of the :math:`\delta`-trick.

    Parameters
    ----------
    p : argparse.ArgumentParser
        The ``uat build NAME`` parser.
    default : str
        How the default is chosen, for the help text (e.g. ``"default: from eps"``).
    """
    p.add_argument("--delta", type=float, help=f"the linearisation scale delta ({default})")
