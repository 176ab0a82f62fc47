r"""Answering width questions from the catalogue: :func:`min_width` (and :mod:`uat._check_width`).

:func:`min_width` combines the ``established`` entries of :data:`uat.theorems.CATALOGUE` that
apply to the query: the answer's lower bound is the largest applicable lower bound, its upper
bound the smallest applicable upper bound.  ``contested`` and ``historical`` entries are never
used (they are listed in ``ignored``).  Besides direct matches, these elementary transfers are
applied (each is a one-line argument, stated in docs/theorems.md):

* lower bounds: :math:`L^p` on a compact set :math:`\Rightarrow` :math:`L^p` on
  :math:`\mathbb R^{d_x}` (restriction is onto and contracting) and :math:`\Rightarrow` uniform on a
  compact set (uniform density implies :math:`L^p` density); a deep RNN with sequence length 1
  is an MLP, so every feed-forward lower bound is an RNN lower bound;
* upper bounds: :math:`L^p` on :math:`\mathbb R^{d_x}` :math:`\Rightarrow` :math:`L^p` on a compact
  set, and uniform on a compact set :math:`\Rightarrow` :math:`L^p` on it.

**Unknown combinations.**  When no established entry applies to the (architecture, activation,
norm, domain) at these dimensions, :func:`min_width` raises
:class:`uat.errors.UnknownTheorem`, whose message lists the known combinations.  When only lower
bounds apply, the answer has ``kind == "lower-bound"`` and ``upper is None``.

>>> a = min_width(arch="fnn", activation="relu", norm="lp", d_x=2, d_y=3, domain="compact")
>>> a.width, a.kind, a.theorems[0]
(3, 'exact', 'kim2024-relu-lp-compact')
>>> b = min_width(activation="leaky_relu", norm="uniform", d_x=3, d_y=4)
>>> (b.width, b.lower, b.upper, b.kind)
(None, 5, 7, 'interval')
>>> "li2023-leaky-uniform-icml" in b.ignored
True
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Iterable

from ._theorem_types import ACTIVATION_KEYS, ARCHS, DOMAINS, NORMS, Theorem
from .errors import ActivationError, ParameterError, UnknownTheorem

__all__ = ["WidthAnswer", "min_width", "activation_key"]

_ALIASES = {
    "leaky": "leaky_relu",
    "leakyrelu": "leaky_relu",
    "relu_step": "relu+step",
    "relu,step": "relu+step",
    "step+relu": "relu+step",
    "stepped_leaky": "stepped_leaky_relu",
    "two_leaky_relu": "leaky_relu_pair",
    "linear": "identity",
    "logistic": "sigmoid",
}
_DEFAULT_ACTIVATION = {"fnn": "relu", "rnn": "relu", "brnn": "relu", "lstm": "cell", "gru": "cell"}
_EMBEDDINGS = {"lp": "power", "le": "exp"}
_NORM_WORDS = {"lp": "L^p", "uniform": "uniform", "exact": "exact representation"}
_DOMAIN_WORDS = {"compact": "a compact domain", "whole": "all of R^d_x"}


# -- activation keys ---------------------------------------------------------------------------
def _key_of_activation(act: Any) -> str:
    name, param = act.name, act.param
    if name == "leaky_relu":
        return "leaky_relu" if param > 0 else "other"  # a lone fold sigma_{-a} is not covered by any class
    if name == "power":
        return "identity" if param == 1 else "power"
    return name


def activation_key(activation: Any, arch: str = "fnn") -> str:
    """The catalogue activation key for a name, an :class:`~uat.activations.Activation`, or a set of them.

    A set of hidden activations is reduced as follows: identity layers are dropped (an affine
    hidden layer can be merged into its neighbours without widening the network); ``{relu, step}``
    is ``relu+step``; ``{leaky_relu(a), leaky_relu(-a)}`` is ``leaky_relu_pair``; any other
    mixture is ``other``, which only "any activation" results answer.

    >>> activation_key("leaky_relu(1/10)"), activation_key(["relu", "step"]), activation_key(["relu", "tanh"])
    ('leaky_relu', 'relu+step', 'other')
    """
    from .activations import Activation, parse_activation

    if activation is None:
        if arch == "deepsets":
            raise ParameterError("DeepSets queries select the embedding with embedding='lp' or 'le', not an activation")
        return _DEFAULT_ACTIVATION[arch]
    if isinstance(activation, Activation):
        return _key_of_activation(activation)
    if isinstance(activation, str):
        text = activation.strip().lower().replace("-", "_") if "(" not in activation else activation.strip()
        text = _ALIASES.get(text, text)
        if text in ACTIVATION_KEYS:
            return text
        try:
            return _key_of_activation(parse_activation(activation))
        except Exception:
            raise ActivationError(
                f"unknown activation {activation!r}; known: {', '.join(ACTIVATION_KEYS)} "
                "(or an activation in uat notation such as 'leaky_relu(1/10)')"
            ) from None
    if isinstance(activation, Iterable):
        acts = [a if isinstance(a, Activation) else parse_activation(a) for a in activation]
        acts = [a for a in acts if _key_of_activation(a) != "identity"] or acts
        names = {a.name for a in acts}
        if len(set(acts)) == 1:
            return _key_of_activation(acts[0])
        if names == {"relu", "step"}:
            return "relu+step"
        if names == {"leaky_relu"} and len(acts) == 2 and acts[0].param == -acts[1].param:
            return "leaky_relu_pair"
        return "other"
    raise ActivationError(f"cannot read an activation from {activation!r} ({type(activation).__name__})")


# -- validation ----------------------------------------------------------------------------------
def _positive_int(name: str, value: Any, meaning: str) -> int:
    if value is None:
        raise ParameterError(f"{name} is required ({meaning})")
    if isinstance(value, bool):
        raise ParameterError(f"{name} must be a positive integer ({meaning}), got {value!r}")
    try:
        n = operator.index(value)
    except TypeError:
        raise ParameterError(f"{name} must be a positive integer ({meaning}), got {value!r}") from None
    if n < 1:
        raise ParameterError(f"{name} must be a positive integer ({meaning}), got {n}")
    return n


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value.strip().lower() not in choices:
        raise ParameterError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value.strip().lower()


# -- the answer ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WidthAnswer:
    """What the catalogue says about :math:`w_{\\min}` for one query.

    ``kind`` is ``"exact"`` (``lower == upper == width``), ``"interval"`` (``lower < upper``;
    which widths in between suffice is open) or ``"lower-bound"`` (``upper is None``: no
    catalogued result shows that any width suffices).
    """

    arch: str
    activation: str
    norm: str
    domain: str
    params: tuple[tuple[str, int], tuple[str, int]]
    lower: int
    upper: int | None
    kind: str
    lower_by: tuple[str, ...]
    upper_by: tuple[str, ...]
    ignored: tuple[str, ...]
    note: str

    @property
    def width(self) -> int | None:
        """The exact minimum width, or None when only bounds are known."""
        return self.lower if self.kind == "exact" else None

    @property
    def theorems(self) -> tuple[str, ...]:
        """Ids of the entries that give the answer's bounds (lower first, no repeats)."""
        return tuple(dict.fromkeys(self.lower_by + self.upper_by))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: width, lower, upper, kind, theorems, and the query."""
        return {
            "width": self.width,
            "lower": self.lower,
            "upper": self.upper,
            "kind": self.kind,
            "theorems": list(self.theorems),
            "lower_by": list(self.lower_by),
            "upper_by": list(self.upper_by),
            "ignored": list(self.ignored),
            "arch": self.arch,
            "activation": self.activation,
            "norm": self.norm,
            "domain": self.domain,
            **{k: v for k, v in self.params},
            "note": self.note,
        }

    @property
    def setting(self) -> str:
        dims = ", ".join(f"{k}={v}" for k, v in self.params)
        return f"{self.arch}, {self.activation}, {_NORM_WORDS[self.norm]} on {_DOMAIN_WORDS[self.domain]}, {dims}"

    @property
    def value_text(self) -> str:
        if self.kind == "exact":
            return f"{self.lower}"
        if self.kind == "interval":
            return f"[{self.lower}, {self.upper}]"
        return f">= {self.lower}"

    def __str__(self) -> str:
        from .theorems import get_theorem

        lines = [self.setting]
        if self.kind == "exact":
            lines.append(f"minimum width: {self.lower} (exact)")
        elif self.kind == "interval":
            lines.append(f"minimum width: between {self.lower} and {self.upper} (open in between)")
        else:
            lines.append(f"minimum width: at least {self.lower}; no catalogued result gives an upper bound")
        for label, ids in (("lower bound", self.lower_by), ("upper bound", self.upper_by)):
            for tid in ids:
                c = get_theorem(tid).citation
                lines.append(f"  {label}: {tid}  {c.short()}")
        if self.note:
            lines.append(f"note: {self.note}")
        return "\n".join(lines)


# -- applicability ---------------------------------------------------------------------------------
def _lower_sources(arch: str, norm: str, domain: str) -> list[tuple[str, str, str, str]]:
    """(arch, norm, domain, how) whose lower bounds imply a lower bound for the query."""
    settings = [(norm, domain, "")]
    if (norm, domain) == ("lp", "whole"):
        settings.append(("lp", "compact", "L^p lower bound on a compact set, hence on R^d_x"))
    if (norm, domain) == ("uniform", "compact"):
        settings.append(("lp", "compact", "L^p lower bound, hence a uniform one"))
    out = [(arch, n, d, how) for n, d, how in settings]
    if arch == "rnn":
        out += [("fnn", n, d, ("feed-forward lower bound (an RNN on sequences of length 1 is an MLP)"
                                + (f"; {how}" if how else ""))) for n, d, how in settings]
    return out


def _upper_sources(arch: str, norm: str, domain: str) -> list[tuple[str, str, str, str]]:
    settings = [(norm, domain, "")]
    if (norm, domain) == ("lp", "compact"):
        settings.append(("lp", "whole", "L^p upper bound on R^d_x, hence on compact sets"))
        settings.append(("uniform", "compact", "uniform upper bound, hence an L^p one"))
    return [(arch, n, d, how) for n, d, how in settings]


def _matches(t: Theorem, key: str, arch: str, norm: str, domain: str) -> bool:
    return t.arch == arch and norm in t.norms and t.domain == domain and t.activation.covers(key)


def _collect(key: str, arch: str, norm: str, domain: str, a: int, b: int):
    from .theorems import CATALOGUE

    lowers: list[tuple[int, str, str]] = []
    uppers: list[tuple[int, str, str]] = []
    ignored: list[str] = []
    touched: list[str] = []  # established entries for the combination whose conditions fail here
    for which, sources in (("lower", _lower_sources(arch, norm, domain)), ("upper", _upper_sources(arch, norm, domain))):
        for src_arch, n, d, how in sources:
            for t in CATALOGUE:
                if not _matches(t, key, src_arch, n, d):
                    continue
                value = t.lower_at(a, b) if which == "lower" else t.upper_at(a, b)
                if t.status != "established":
                    if t.applies(a, b) and t.id not in ignored:
                        ignored.append(t.id)
                    continue
                if value is None and (t.lower if which == "lower" else t.upper) is not None:
                    touched.append(f"{t.id} needs {t.condition.text}")
                if value is not None:
                    (lowers if which == "lower" else uppers).append((value, t.id, how))
    return lowers, uppers, ignored, touched


def _known_combinations() -> list[str]:
    from .theorems import CATALOGUE

    seen: list[str] = []
    for t in CATALOGUE:
        if t.status != "established":
            continue
        for n in t.norms:
            s = f"{t.arch}/{t.activation.name}/{n}/{t.domain}"
            if s not in seen:
                seen.append(s)
    return seen


def _normalise(arch, activation, norm, domain, d_x, d_y, embedding, N, D):
    arch = _choice("arch", arch, ARCHS)
    if arch == "deepsets":
        if embedding is None:
            raise ParameterError("DeepSets queries need embedding='lp' (linear + power) or 'le' (linear + exp)")
        emb = _choice("embedding", embedding, tuple(_EMBEDDINGS))
        if activation is not None and activation_key(activation, "fnn") != _EMBEDDINGS[emb]:
            raise ParameterError(f"embedding {emb!r} uses the activation {_EMBEDDINGS[emb]!r}, got activation={activation!r}")
        if norm not in (None, "exact"):
            raise ParameterError(f"DeepSets results are about exact representation: pass norm='exact' or omit it, got {norm!r}")
        if d_x is not None or d_y is not None:
            raise ParameterError("DeepSets queries take N (set size) and D (feature dimension), not d_x / d_y")
        n = _positive_int("N", N, "the set size")
        dd = _positive_int("D", D, "the feature dimension of each set element")
        return arch, _EMBEDDINGS[emb], "exact", _choice("domain", domain, DOMAINS), (("N", n), ("D", dd))
    if embedding is not None or N is not None or D is not None:
        raise ParameterError(f"embedding, N and D are DeepSets parameters; arch is {arch!r}")
    key = activation_key(activation, arch)
    norm = _choice("norm", "lp" if norm is None else norm, NORMS)
    if norm == "exact":
        raise ParameterError(f"norm 'exact' is for DeepSets; use 'lp' or 'uniform' for arch {arch!r}")
    domain = _choice("domain", domain, DOMAINS)
    if (norm, domain) == ("uniform", "whole"):
        raise ParameterError("uniform approximation is catalogued on compact domains only; use domain='compact'")
    a = _positive_int("d_x", d_x, "the input dimension")
    b = _positive_int("d_y", d_y, "the output dimension")
    return arch, key, norm, domain, (("d_x", a), ("d_y", b))


def min_width(
    arch: str = "fnn",
    activation: Any = None,
    norm: str | None = None,
    d_x: int | None = None,
    d_y: int | None = None,
    domain: str = "compact",
    *,
    embedding: str | None = None,
    N: int | None = None,
    D: int | None = None,
) -> WidthAnswer:
    r"""The best catalogued answer for the minimum width :math:`w_{\min}`.

    Parameters
    ----------
    arch : {"fnn", "rnn", "brnn", "lstm", "gru", "deepsets"}
    activation : str, Activation or sequence of them, optional
        An activation key (``relu``, ``leaky_relu``, ``gelu``, ``softplus``, ``tanh``, ``sigmoid``,
        ``relu+step``, ``leaky_relu_pair``, ``stepped_leaky_relu``, ...), uat notation such as
        ``"leaky_relu(1/10)"``, or a network's set of hidden activations.  Default: ``relu``
        (``cell`` for LSTM / GRU).  Not used for DeepSets.
    norm : {"lp", "uniform"}, optional
        Default ``"lp"``; DeepSets results are about exact representation (``"exact"``).
    d_x, d_y : int
        Input and output dimension (positive).
    domain : {"compact", "whole"}
        A compact set, or all of :math:`\mathbb R^{d_x}` (L^p only).
    embedding : {"lp", "le"}, N, D : int
        DeepSets only: the element embedding, the set size and the feature dimension.

    Returns
    -------
    WidthAnswer

    Raises
    ------
    ParameterError, ActivationError
        Malformed arguments (the message names the value and the valid choices).
    UnknownTheorem
        No established catalogue entry applies (the message lists the known combinations).
    """
    arch, key, norm, domain, params = _normalise(arch, activation, norm, domain, d_x, d_y, embedding, N, D)
    (pa, a), (pb, b) = params
    lowers, uppers, ignored, touched = _collect(key, arch, norm, domain, a, b)
    if not lowers and not uppers:
        why = ("conditions not met: " + "; ".join(dict.fromkeys(touched))) if touched else "nothing is catalogued for it"
        raise UnknownTheorem(
            f"no established result covers arch={arch}, activation={key}, norm={norm}, domain={domain} at "
            f"{pa}={a}, {pb}={b} ({why}); known combinations (arch/activation class/norm/domain): "
            + ", ".join(_known_combinations())
        )
    notes = []
    lowers.sort(key=_rank)
    uppers.sort(key=_rank)
    if lowers:
        lower = max(v for v, _, _ in lowers)
        lower_by = tuple(dict.fromkeys(tid for v, tid, _ in lowers if v == lower))
        notes += _transfer_notes(lowers, lower)
    else:
        lower, lower_by = 1, ()
        notes.append("no catalogued lower bound applies; 1 is the trivial one")
    if uppers:
        upper: int | None = min(v for v, _, _ in uppers)
        upper_by = tuple(dict.fromkeys(tid for v, tid, _ in uppers if v == upper))
        notes += _transfer_notes(uppers, upper)
    else:
        upper, upper_by = None, ()
    if upper is not None and lower > upper:  # pragma: no cover - excluded by the audit test
        raise RuntimeError(f"catalogue inconsistency at {params}: lower {lower} > upper {upper}; run `uat bounds --audit`")
    kind = "lower-bound" if upper is None else ("exact" if upper == lower else "interval")
    if ignored:
        notes.append("not used: " + ", ".join(
            f"{tid} ({_status(tid)}{_claim(tid, a, b)})" for tid in ignored))
    return WidthAnswer(arch, key, norm, domain, params, lower, upper, kind, lower_by, upper_by, tuple(ignored),
                       "; ".join(dict.fromkeys(notes)))


def _transfer_notes(items: list[tuple[int, str, str]], best: int) -> list[str]:
    """How each attaining entry applies, for those that apply only through a transfer."""
    direct = {tid for v, tid, how in items if v == best and not how}
    return [f"{tid}: {how}" for v, tid, how in items if v == best and how and tid not in direct]


def _rank(item: tuple[int, str, str]) -> tuple[int, int]:
    """Cite exact results first, then direct matches, then transferred bounds."""
    from .theorems import get_theorem

    _, tid, how = item
    return (0 if get_theorem(tid).kind == "exact" else 1, 1 if how else 0)


def _status(tid: str) -> str:
    from .theorems import get_theorem

    return get_theorem(tid).status


def _claim(tid: str, a: int, b: int) -> str:
    from .theorems import get_theorem

    t = get_theorem(tid)
    if t.kind == "exact":
        return f", claims {t.lower_at(a, b)} here"
    return ""
