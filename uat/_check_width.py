r"""Checking a network's width against the catalogue: :func:`check_width`.

The network's class is read from the value itself: ``arch`` (or ``summary()["kind"]``),
``hidden_activations``, ``input_dim`` / ``output_dim``; DeepSets values and
:class:`~uat.set_embedding.SetEmbedding` give the embedding kind, the set size and the feature
dimension.  The comparison itself is :func:`uat.min_width` (see :mod:`uat._min_width`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._min_width import _EMBEDDINGS, WidthAnswer, _positive_int, min_width
from ._theorem_types import ARCHS
from .errors import ParameterError

__all__ = ["WidthCheck", "check_width"]


_KIND_TO_ARCH = {"feed-forward": "fnn", "feedforward": "fnn", "fnn": "fnn", "rnn": "rnn", "brnn": "brnn",
                 "lstm": "lstm", "gru": "gru", "deepsets": "deepsets", "set-embedding": "deepsets"}


@dataclass(frozen=True)
class WidthCheck:
    """How a network's width compares with the catalogue.

    ``verdict`` is ``"below"`` (under a proven lower bound: no network of this width in this
    class is a universal approximator), ``"equal"`` (exactly the known minimum), ``"above"``
    (at least a proven sufficient width, and not minimal or not known to be) or ``"within"``
    (at least the best lower bound but below every proven sufficient width: open).
    ``universal`` is False / True / None (unknown) for the *width class*, not for this network's
    weights.
    """

    width: int
    answer: WidthAnswer
    verdict: str
    universal: bool | None
    cited: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return self.message

    def to_dict(self) -> dict[str, Any]:
        return {"width": self.width, "verdict": self.verdict, "universal": self.universal,
                "cited": list(self.cited), "message": self.message, "answer": self.answer.to_dict()}


def _network_arch(network: Any) -> str:
    arch = getattr(network, "arch", None)
    if arch is None and getattr(network, "kind", None) in _EMBEDDINGS:  # a SetEmbedding (DeepSets phi)
        return "deepsets"
    if arch is None and hasattr(network, "summary"):
        arch = network.summary().get("kind")
    if isinstance(arch, str) and arch.lower() in _KIND_TO_ARCH:
        return _KIND_TO_ARCH[arch.lower()]
    raise ParameterError(
        f"cannot tell the architecture of {type(network).__name__}: give it an `arch` attribute "
        f"({', '.join(ARCHS)}) or a summary() with a known 'kind'"
    )


def _first_attr(obj: Any, names: tuple[str, ...]) -> Any:
    for n in names:
        v = getattr(obj, n, None)
        if v is not None:
            return v
    return None


def check_width(
    network: Any,
    norm: str | None = None,
    domain: str = "compact",
    activation: Any = None,
    *,
    d_x: int | None = None,
    d_y: int | None = None,
    embedding: str | None = None,
    N: int | None = None,
    D: int | None = None,
) -> WidthCheck:
    """Compare ``network.width`` with the catalogue's answer for the network's class.

    The architecture comes from ``network.arch`` or ``network.summary()["kind"]``; the
    activations from ``network.hidden_activations`` (override with ``activation=``); the
    dimensions from ``input_dim`` / ``output_dim`` (DeepSets: ``N`` / ``set_size``, ``D`` /
    ``feature_dim`` / ``input_dim``, ``embedding`` / ``kind``; for a
    :class:`~uat.set_embedding.SetEmbedding` the LP degree is taken as the set size ``N``, as
    in Wang et al.'s construction; the width is the latent width ``L``).  Keyword arguments
    override what the network says.

    >>> from uat import FeedForward
    >>> net = FeedForward.from_layers([([[1], [-1]], [0, 0], "relu"), ([[1, 0], [0, 1]], [0, 0])])
    >>> check_width(net, norm="uniform").verdict   # (1, 2) at width 2: Park et al.
    'below'
    """
    arch = _network_arch(network)
    width = _positive_int("the network's width", getattr(network, "width", None), "largest hidden layer")
    if arch == "deepsets":
        emb = embedding or _first_attr(network, ("embedding", "embedding_kind"))
        if emb is None and getattr(network, "kind", None) in _EMBEDDINGS:
            emb = network.kind
        n = N if N is not None else _first_attr(network, ("N", "set_size", "degree"))
        dd = D if D is not None else _first_attr(network, ("D", "feature_dim", "input_dim"))
        answer = min_width("deepsets", None, norm, None, None, domain, embedding=emb, N=n, D=dd)
    else:
        if activation is None:
            activation = _first_attr(network, ("hidden_activations", "activations", "activation"))
        a = d_x if d_x is not None else getattr(network, "input_dim", None)
        b = d_y if d_y is not None else getattr(network, "output_dim", None)
        answer = min_width(arch, activation, norm, a, b, domain)
    lo, up = answer.lower, answer.upper
    where = f"[{answer.setting}]"
    if width < lo:
        verdict, universal, cited = "below", False, answer.lower_by
        msg = (f"width {width} is below the proven lower bound {lo} {where} ({', '.join(cited) or 'trivial'}): "
               f"no network of width {width} in this class is a universal approximator")
    elif answer.kind == "exact" and width == lo:
        verdict, universal, cited = "equal", True, answer.theorems
        msg = f"width {width} equals the minimum width {lo} {where} ({', '.join(cited)})"
    elif up is not None and width >= up:
        verdict, universal, cited = "above", True, answer.upper_by
        gap = f"{width - lo} above the minimum {lo}" if answer.kind == "exact" else f"minimum in [{lo}, {up}]"
        msg = f"width {width} is at least the proven sufficient width {up} ({', '.join(cited)}); {gap} {where}"
    else:
        verdict, universal, cited = "within", None, answer.lower_by + answer.upper_by
        rng = f"[{lo}, {up}]" if up is not None else f">= {lo}"
        msg = (f"width {width} is within the open range {rng} {where}: it meets the lower bound, but no catalogued "
               "result proves that this width suffices")
    return WidthCheck(width, answer, verdict, universal, tuple(dict.fromkeys(cited)), msg)
