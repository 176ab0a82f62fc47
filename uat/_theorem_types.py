r"""Value types of the theorem catalogue: formulas, conditions, activation classes, citations.

A catalogue entry (:class:`Theorem`) says: for networks of architecture ``arch`` whose
activations belong to ``activation`` (an :class:`ActivationClass`), approximating in the
norms ``norms`` on the domain ``domain``, the minimum width :math:`w_{\min}` satisfies
``lower(a, b) <= w_min <= upper(a, b)`` whenever ``condition(a, b)`` holds, where
``(a, b) = (d_x, d_y)`` (or ``(N, D)`` for DeepSets).  An *exact* entry has
``lower is upper``.  Everything is immutable.

>>> f = Formula("max(d_x+1, d_y)", r"\max(d_x+1,\,d_y)", lambda a, b: max(a + 1, b))
>>> f(2, 5), str(f)
(5, 'max(d_x+1, d_y)')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from .errors import ParameterError

__all__ = [
    "ARCHS",
    "NORMS",
    "DOMAINS",
    "KINDS",
    "STATUSES",
    "ACTIVATION_KEYS",
    "Formula",
    "Condition",
    "ALWAYS",
    "ActivationClass",
    "Citation",
    "Theorem",
]

#: Architectures: feed-forward, deep RNN, bidirectional RNN, LSTM, GRU, DeepSets (latent width L).
ARCHS = ("fnn", "rnn", "brnn", "lstm", "gru", "deepsets")
#: ``lp``: every :math:`L^p`, :math:`1 \le p < \infty`; ``uniform``: sup norm on a compact set;
#: ``exact``: exact representation (DeepSets sum-decomposition).
NORMS = ("lp", "uniform", "exact")
#: ``compact``: a compact set such as :math:`[0,1]^{d_x}`; ``whole``: all of :math:`\mathbb R^{d_x}`.
DOMAINS = ("compact", "whole")
#: exact minimum; upper bound; lower bound; both bounds (different formulas).
KINDS = ("exact", "upper", "lower", "bounds")
#: ``established``: used by :func:`uat.min_width`; ``contested``: recorded as published, never
#: used as a width; ``historical``: superseded or narrower (e.g. only p = 1), shown but not used.
STATUSES = ("established", "contested", "historical", "unconfirmed")

#: The activation keys a query can name.  Single activations use the names of
#: :mod:`uat.activations`; the rest are the activation *sets* of specific papers.
ACTIVATION_KEYS = (
    "relu",
    "leaky_relu",
    "gelu",
    "softplus",
    "tanh",
    "sigmoid",
    "exp",
    "power",
    "step",
    "identity",
    "relu+step",  # Park et al.: ReLU and the threshold 1[x >= 0] in the same network
    "leaky_relu_pair",  # Rochau et al.: sigma_alpha and sigma_{-alpha}
    "stepped_leaky_relu",  # Rochau et al.: a leaky ReLU with a jump at 0
    "squashable+floor",  # Rochau et al.: a squashable activation together with FLOOR
    "cell",  # LSTM / GRU: the cell's own gate nonlinearities
    "other",  # any other activation set: only "any activation" results apply
)

_ID_RE = re.compile(r"^[a-z]+[0-9]{4}(-[a-z0-9]+)+$")


@dataclass(frozen=True)
class Formula:
    """A width formula in two integer variables, with its text and LaTeX forms.

    ``fn`` maps ``(a, b)`` (``(d_x, d_y)`` or ``(N, D)``) to an integer width.
    """

    text: str
    latex: str
    fn: Callable[[int, int], int] = field(compare=False, repr=False)

    def __call__(self, a: int, b: int) -> int:
        return int(self.fn(a, b))

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Condition:
    """When an entry applies: a predicate on ``(a, b)`` with its text and LaTeX forms."""

    text: str
    latex: str
    fn: Callable[[int, int], bool] = field(compare=False, repr=False)

    def __call__(self, a: int, b: int) -> bool:
        return bool(self.fn(a, b))

    def __str__(self) -> str:
        return self.text


#: The condition that always holds.
ALWAYS = Condition("always", "", lambda a, b: True)


@dataclass(frozen=True)
class ActivationClass:
    """A named set of activation keys that a theorem covers.

    ``members`` are keys of :data:`ACTIVATION_KEYS`; ``description`` states the paper's
    hypothesis on the activation in words.
    """

    name: str
    members: frozenset[str]
    description: str

    def __post_init__(self) -> None:
        unknown = sorted(set(self.members) - set(ACTIVATION_KEYS))
        if unknown:
            raise ParameterError(f"activation class {self.name!r} names unknown activation keys {unknown}")

    def covers(self, key: str) -> bool:
        return key in self.members


@dataclass(frozen=True)
class Citation:
    """Where a result is published.

    ``theorem`` is the theorem (or lemma, corollary) number as we cite it; whether it was
    checked against the paper text is recorded on the :class:`Theorem`, not here.
    """

    bibkey: str
    authors: str
    title: str
    year: int
    venue: str
    arxiv: str
    theorem: str

    def short(self) -> str:
        """``Authors (venue year), theorem``."""
        return f"{self.authors} ({self.venue}, {self.year}; arXiv {self.arxiv}), {self.theorem}"


@dataclass(frozen=True)
class Theorem:
    r"""One result of the catalogue.

    Parameters
    ----------
    id : str
        Stable identifier, ``<firstauthor><year>-<slug>``.
    title : str
        One line in words.
    arch : str
        One of :data:`ARCHS`.
    activation : ActivationClass
        The activations the result covers.
    norms : tuple of str
        Subset of :data:`NORMS` the result is stated for.
    domain : str
        One of :data:`DOMAINS`.
    kind : str
        One of :data:`KINDS`.
    lower, upper : Formula or None
        The bounds; for ``kind == "exact"`` both are the same formula.
    condition : Condition
        When the result applies (as code and as text).
    statement : str
        The statement in LaTeX (our wording).
    citation : Citation
    number_checked : bool
        True only when the theorem number was read in the paper's own text.
    evidence : str
        What was checked, against which text, and what was not.
    status : str
        One of :data:`STATUSES`.
    notes : str
        Caveats, disagreements between sources, what was followed.
    params : tuple of str
        The names of the two variables, ``("d_x", "d_y")`` or ``("N", "D")``.
    """

    id: str
    title: str
    arch: str
    activation: ActivationClass
    norms: tuple[str, ...]
    domain: str
    kind: str
    lower: Formula | None
    upper: Formula | None
    condition: Condition
    statement: str
    citation: Citation
    number_checked: bool
    evidence: str
    status: str = "established"
    notes: str = ""
    params: tuple[str, str] = ("d_x", "d_y")

    def __post_init__(self) -> None:
        problems = []
        if not _ID_RE.match(self.id):
            problems.append(f"id {self.id!r} is not of the form author2024-slug")
        if self.arch not in ARCHS:
            problems.append(f"arch {self.arch!r} not in {ARCHS}")
        if not self.norms or not set(self.norms) <= set(NORMS):
            problems.append(f"norms {self.norms!r} not a non-empty subset of {NORMS}")
        if self.domain not in DOMAINS:
            problems.append(f"domain {self.domain!r} not in {DOMAINS}")
        if self.status not in STATUSES:
            problems.append(f"status {self.status!r} not in {STATUSES}")
        expected = {
            "exact": self.lower is not None and self.lower is self.upper,
            "upper": self.lower is None and self.upper is not None,
            "lower": self.lower is not None and self.upper is None,
            "bounds": self.lower is not None and self.upper is not None and self.lower is not self.upper,
        }
        if self.kind not in KINDS:
            problems.append(f"kind {self.kind!r} not in {KINDS}")
        elif not expected[self.kind]:
            problems.append(f"kind {self.kind!r} does not match the formulas given")
        if problems:
            raise ParameterError(f"malformed catalogue entry {self.id!r}: " + "; ".join(problems))

    # -- evaluation ----------------------------------------------------------------------
    def applies(self, a: int, b: int) -> bool:
        """True when the entry's condition holds at ``(a, b)``."""
        return self.condition(a, b)

    def lower_at(self, a: int, b: int) -> int | None:
        """The lower bound at ``(a, b)``, or None when the entry gives none there."""
        if self.lower is None or not self.applies(a, b):
            return None
        return self.lower(a, b)

    def upper_at(self, a: int, b: int) -> int | None:
        """The upper bound at ``(a, b)``, or None when the entry gives none there."""
        if self.upper is None or not self.applies(a, b):
            return None
        return self.upper(a, b)

    @property
    def formula_text(self) -> str:
        """The width statement as text: ``= f``, ``<= f``, ``>= f`` or ``f1 <= w <= f2``."""
        if self.kind == "exact":
            return f"= {self.lower}"
        if self.kind == "upper":
            return f"<= {self.upper}"
        if self.kind == "lower":
            return f">= {self.lower}"
        return f"{self.lower} <= w <= {self.upper}"

    @property
    def formula_latex(self) -> str:
        w = r"w_{\min}"
        if self.kind == "exact":
            return f"{w} = {self.lower.latex}"  # type: ignore[union-attr]
        if self.kind == "upper":
            return f"{w} \\le {self.upper.latex}"  # type: ignore[union-attr]
        if self.kind == "lower":
            return f"{w} \\ge {self.lower.latex}"  # type: ignore[union-attr]
        return f"{self.lower.latex} \\le {w} \\le {self.upper.latex}"  # type: ignore[union-attr]
