r"""Activation functions as small immutable values with a compact text notation.

An :class:`Activation` is a name plus at most one exact parameter.  Its text form
round-trips: ``parse_activation(str(a)) == a``.

=================  ==========================================================  =========
notation           formula                                                     exact
=================  ==========================================================  =========
``identity``       :math:`t`                                                   yes
``relu``           :math:`\max(t, 0)`                                          yes
``leaky_relu(a)``  :math:`t` for :math:`t \ge 0`, :math:`a t` otherwise;         yes
                   :math:`0 < a < 1` (``allow_negative`` admits
                   :math:`-1 < a < 0`, the fold :math:`\sigma_{-a}` of
                   Rochau-Chan-Gottschalk)
``step``           :math:`\mathbf 1[t \ge 0]` (Park et al.'s STEP)             yes
``power(k)``       :math:`t^k`, integer :math:`k \ge 1` (DeepSets LP)           yes
``softplus``       :math:`\log(1 + e^t)`                                       no
``gelu``           :math:`t\,\Phi(t)` (exact erf form)                         no
``tanh``           :math:`\tanh t`                                             no
``sigmoid``        :math:`1/(1 + e^{-t})`                                      no
``exp``            :math:`e^t` (DeepSets LE)                                   no
=================  ==========================================================  =========

``stepped_leaky_relu(a)`` is :math:`t` for :math:`t \ge 0` and :math:`a t - 1` otherwise: a leaky
ReLU with a unit jump at 0 (Rochau-Chan-Gottschalk's stepped leaky ReLU; a jump :math:`d > 0` is
:math:`d\,\tilde\sigma(t/d)`, so one parameter suffices).  It is exact but not continuous.

"exact" means :meth:`Activation.exact` maps Fractions to Fractions.  The torch and sympy
forms live in :mod:`uat.export` so that ``import uat`` stays light.

>>> a = parse_activation("leaky_relu(1/10)")
>>> a, str(a), a.negative_slope
(Activation('leaky_relu(1/10)'), 'leaky_relu(1/10)', Fraction(1, 10))
>>> parse_activation({"name": "leaky_relu", "negative_slope": "1/10"}) == a
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from ._scalars import to_fraction
from .errors import ActivationError, ExactnessError

__all__ = [
    "Activation",
    "parse_activation",
    "ACTIVATION_NAMES",
    "IDENTITY",
    "RELU",
    "STEP",
    "SOFTPLUS",
    "GELU",
    "TANH",
    "SIGMOID",
    "EXP",
    "leaky_relu",
    "stepped_leaky_relu",
    "power",
]

# name -> (parameter keyword or None, exact?, piecewise linear?)
_SPEC: dict[str, tuple[str | None, bool, bool]] = {
    "identity": (None, True, True),
    "relu": (None, True, True),
    "leaky_relu": ("negative_slope", True, True),
    "stepped_leaky_relu": ("negative_slope", True, False),
    "step": (None, True, False),
    "power": ("k", True, False),
    "softplus": (None, False, False),
    "gelu": (None, False, False),
    "tanh": (None, False, False),
    "sigmoid": (None, False, False),
    "exp": (None, False, False),
}
ACTIVATION_NAMES = tuple(_SPEC)

_TEXT_RE = re.compile(r"^\s*([a-z_]+)\s*(?:\(\s*([^()]*?)\s*\))?\s*$")


@dataclass(frozen=True, slots=True)
class Activation:
    """An activation function: a name and at most one exact parameter.

    Parameters
    ----------
    name : str
        One of :data:`ACTIVATION_NAMES`.
    param : Fraction or None
        ``negative_slope`` for ``leaky_relu``; ``k`` for ``power``; otherwise None.
    """

    name: str
    param: Fraction | None = None

    def __post_init__(self) -> None:
        if self.name not in _SPEC:
            raise ActivationError(
                f"unknown activation {self.name!r}; known activations: {', '.join(ACTIVATION_NAMES)}"
            )
        key = _SPEC[self.name][0]
        if key is None:
            if self.param is not None:
                raise ActivationError(f"activation {self.name!r} takes no parameter, got {self.param!r}")
            return
        if self.param is None:
            raise ActivationError(f"activation {self.name!r} needs its parameter {key!r}")
        if not isinstance(self.param, Fraction):
            object.__setattr__(self, "param", to_fraction(self.param))
        p = self.param
        if self.name == "leaky_relu" and not (-1 < p < 1 and p != 0):
            raise ActivationError(
                f"leaky_relu negative_slope must lie in (0, 1) (or in (-1, 0) for the fold), got {p}; "
                "slope 0 is relu and slope 1 is the identity"
            )
        if self.name == "stepped_leaky_relu" and not 0 < p < 1:
            raise ActivationError(f"stepped_leaky_relu negative_slope must lie in (0, 1), got {p}")
        if self.name == "power" and (p.denominator != 1 or p < 1):
            raise ActivationError(f"power(k) needs an integer k >= 1, got {p}")

    # -- descriptors -------------------------------------------------------------------
    @property
    def negative_slope(self) -> Fraction:
        """The slope on t < 0 (leaky_relu and stepped_leaky_relu only)."""
        if self.name not in ("leaky_relu", "stepped_leaky_relu"):
            raise ActivationError(f"{self} has no negative_slope")
        return self.param  # type: ignore[return-value]

    @property
    def is_exact(self) -> bool:
        """True when the activation maps rationals to rationals (exact evaluation is possible)."""
        return _SPEC[self.name][1]

    @property
    def is_piecewise_linear(self) -> bool:
        """True for identity, relu and leaky_relu (continuous piecewise-linear activations)."""
        return _SPEC[self.name][2]

    @property
    def slopes(self) -> tuple[float, float]:
        """(slope for t < 0, slope for t >= 0) of a piecewise-linear activation."""
        if self.name == "identity":
            return (1.0, 1.0)
        if self.name == "relu":
            return (0.0, 1.0)
        if self.name == "leaky_relu":
            return (float(self.negative_slope), 1.0)
        raise ActivationError(f"{self} is not piecewise linear")

    # The per-neuron interface shared with uat._mixed.MixedActivation (one activation for all neurons).
    @property
    def distinct(self) -> tuple["Activation", ...]:
        return (self,)

    def neuron(self, j: int) -> "Activation":
        """The activation of neuron ``j`` (the same for every neuron)."""
        return self

    def select(self, indices: Any) -> "Activation":
        return self

    def exact_vector(self, ts: Any) -> list[Fraction]:
        """Exact values at a vector of rational pre-activations."""
        return [self.exact(t) for t in ts]

    def __str__(self) -> str:
        if self.param is None:
            return self.name
        return f"{self.name}({self.param})"

    def __repr__(self) -> str:
        return f"Activation({str(self)!r})"

    def to_json(self) -> str | dict[str, Any]:
        """JSON form: the bare name, or ``{"name": ..., "<param>": "p/q"}``."""
        key = _SPEC[self.name][0]
        if key is None:
            return self.name
        value: Any = str(self.param) if self.name != "power" else int(self.param)  # type: ignore[arg-type]
        return {"name": self.name, key: value}

    # -- evaluation ----------------------------------------------------------------------
    def numpy(self, z: np.ndarray) -> np.ndarray:
        """Evaluate on a float64 array (in place when possible; returns the result)."""
        name = self.name
        if name == "identity":
            return z
        if name == "relu":
            return np.maximum(z, 0.0, out=z if z.flags.writeable else None)
        if name == "leaky_relu":
            a = float(self.negative_slope)
            if a > 0:  # max(z, a z) equals the leaky ReLU for 0 < a < 1 (and is faster than where)
                return np.maximum(z, a * z, out=z if z.flags.writeable else None)
            return np.where(z >= 0.0, z, a * z)
        if name == "step":
            return (z >= 0.0).astype(np.float64)
        if name == "stepped_leaky_relu":
            return np.where(z >= 0.0, z, float(self.negative_slope) * z - 1.0)
        if name == "power":
            return z ** int(self.param)  # type: ignore[arg-type]
        if name == "softplus":
            return np.logaddexp(0.0, z)
        if name == "gelu":
            return _gelu(z)
        if name == "tanh":
            return np.tanh(z)
        if name == "sigmoid":
            return _sigmoid(z)
        if name == "exp":
            return np.exp(z)
        raise ActivationError(f"no numpy implementation for {name!r}")  # pragma: no cover

    def exact(self, t: Fraction) -> Fraction:
        """Evaluate at one exact rational; raises ExactnessError for transcendental activations."""
        name = self.name
        if name == "identity":
            return t
        if name == "relu":
            return t if t > 0 else Fraction(0)
        if name == "leaky_relu":
            return t if t >= 0 else self.negative_slope * t
        if name == "step":
            return Fraction(1) if t >= 0 else Fraction(0)
        if name == "stepped_leaky_relu":
            return t if t >= 0 else self.negative_slope * t - 1
        if name == "power":
            return t ** int(self.param)  # type: ignore[arg-type]
        raise ExactnessError(
            f"activation {self} has no exact rational values; evaluate in float64 (or export to sympy)"
        )

    def scalar(self) -> Callable[[float], float]:
        """A plain-Python float function (used by verifiers and tests)."""
        return lambda t: float(self.numpy(np.array([t], dtype=np.float64))[0])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    out = np.empty_like(z, dtype=np.float64)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def _gelu(z: np.ndarray) -> np.ndarray:
    from scipy.special import erf  # scipy is a core dependency; imported lazily for speed

    return 0.5 * z * (1.0 + erf(z / math.sqrt(2.0)))


IDENTITY = Activation("identity")
RELU = Activation("relu")
STEP = Activation("step")
SOFTPLUS = Activation("softplus")
GELU = Activation("gelu")
TANH = Activation("tanh")
SIGMOID = Activation("sigmoid")
EXP = Activation("exp")


def leaky_relu(negative_slope: Any, *, allow_negative: bool = False) -> Activation:
    """The leaky ReLU with the given exact negative slope.

    A negative slope (the fold :math:`\\sigma_{-a}`) needs ``allow_negative=True``.

    >>> leaky_relu("1/4")
    Activation('leaky_relu(1/4)')
    """
    a = to_fraction(negative_slope)
    if a < 0 and not allow_negative:
        raise ActivationError(
            f"leaky_relu negative_slope {a} is negative; pass allow_negative=True to use the fold sigma_(-a)"
        )
    return Activation("leaky_relu", a)


def stepped_leaky_relu(negative_slope: Any) -> Activation:
    """The stepped leaky ReLU: t for t >= 0, a t - 1 for t < 0 (a leaky ReLU with a unit jump at 0).

    >>> stepped_leaky_relu("1/4").exact(Fraction(-2))
    Fraction(-3, 2)
    """
    return Activation("stepped_leaky_relu", to_fraction(negative_slope))


def power(k: int) -> Activation:
    """The power activation t -> t**k (DeepSets LP embeddings)."""
    return Activation("power", to_fraction(k))


def parse_activation(spec: Any) -> Any:
    """Normalise any accepted spelling to an :class:`Activation` (or a per-neuron one).

    Accepts an Activation, its text form (``"relu"``, ``"leaky_relu(1/10)"``, ``"power(3)"``)
    or its JSON form (``"relu"`` or ``{"name": "leaky_relu", "negative_slope": "1/10"}``).  A
    list (or the text ``"[relu, step]"``) gives per-neuron activations
    (:class:`uat._mixed.MixedActivation`), used by Park et al.'s ReLU+STEP networks.

    >>> parse_activation("power(3)") == power(3)
    True
    >>> parse_activation("[relu, step]")
    MixedActivation('[relu, step]')
    """
    if isinstance(spec, Activation):
        return spec
    if type(spec).__name__ == "MixedActivation":
        return spec
    if isinstance(spec, (list, tuple)) or (isinstance(spec, str) and spec.strip().startswith("[")):
        from ._mixed import per_neuron

        if isinstance(spec, str):
            inner = spec.strip()
            if not inner.endswith("]"):
                raise ActivationError(f"cannot read the per-neuron activation {spec!r}; expected e.g. '[relu, step]'")
            spec = [s.strip() for s in _split_top_level(inner[1:-1])]
        return per_neuron(list(spec))
    if isinstance(spec, str):
        m = _TEXT_RE.match(spec)
        if not m:
            raise ActivationError(f"cannot read the activation {spec!r}; expected e.g. 'relu' or 'leaky_relu(1/10)'")
        name, arg = m.group(1), m.group(2)
        if name not in _SPEC:
            raise ActivationError(f"unknown activation {name!r}; known activations: {', '.join(ACTIVATION_NAMES)}")
        if arg is None or arg == "":
            return Activation(name)
        return Activation(name, to_fraction(arg))
    if isinstance(spec, dict):
        if "name" not in spec:
            raise ActivationError(f"activation object {spec!r} has no 'name'")
        name = spec["name"]
        if not isinstance(name, str) or name not in _SPEC:
            raise ActivationError(f"unknown activation {name!r}; known activations: {', '.join(ACTIVATION_NAMES)}")
        key = _SPEC[name][0]
        extra = set(spec) - {"name"} - ({key} if key else set())
        if extra:
            raise ActivationError(f"activation {name!r} got unexpected keys {sorted(extra)}")
        if key is None:
            return Activation(name)
        if key not in spec:
            raise ActivationError(f"activation {name!r} needs its parameter {key!r}")
        return Activation(name, to_fraction(spec[key]))
    raise ActivationError(f"cannot read an activation from {type(spec).__name__} {spec!r}")


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside parentheses."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p for p in parts if p.strip()]
