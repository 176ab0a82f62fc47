"""The registry of witness constructions and the common result type.

Each construction module registers a :class:`ConstructionSpec` with :func:`register`.
:func:`build` is the one public entry point: it validates, calls the builder, checks that
the network's width is exactly the claimed one, and writes the witness metadata
(construction, theorem, target, domain, epsilon, p, parameters, predicted error,
precision budget) into the network.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

from uat.errors import ParameterError, UnknownConstruction

__all__ = ["Construction", "ConstructionSpec", "ContractCase", "register", "build", "get_spec", "registered"]


@dataclass(frozen=True)
class Construction:
    """The result of a construction.

    Attributes
    ----------
    network : FeedForward, Recurrent or DeepSets
        The witness; its metadata holds everything below.
    name : str
        The registered construction name.
    theorem : str
        The catalogue id of the theorem whose width the witness realises.
    width : int
        The claimed hidden width (checked equal to ``network.width``).
    parameters : mapping
        The parameters actually used (chosen from eps, or overridden by the user).
    predicted_error : float or None
        The a-priori error bound of the construction for the requested norm, with its
        derivation in ``notes``.
    precision : mapping
        The precision budget: bits consumed, largest weight, evaluation mode.
    """

    network: Any
    name: str
    theorem: str
    width: int
    parameters: Mapping[str, Any]
    predicted_error: float | None = None
    precision: Mapping[str, Any] = field(default_factory=dict)
    notes: str = ""
    target: str | None = None
    domain: str | None = None
    epsilon: float | None = None
    p: float | None = None
    extra_metadata: Mapping[str, Any] = field(default_factory=dict)

    def metadata(self) -> dict[str, Any]:
        """The witness metadata written into the network (and so into the JSON file).

        Returns
        -------
        dict
            ``construction``, ``theorem``, ``width``, ``target``, ``domain``, ``epsilon``, ``p``,
            ``parameters``, ``predicted_error``, ``precision_budget``, ``notes`` (when any) and the
            construction's own entries (``extra_metadata``).
        """
        md: dict[str, Any] = {
            "construction": self.name,
            "theorem": self.theorem,
            "width": self.width,
            "target": self.target,
            "domain": self.domain,
            "epsilon": self.epsilon,
            "p": self.p,
            "parameters": dict(self.parameters),
            "predicted_error": self.predicted_error,
            "precision_budget": dict(self.precision),
        }
        if self.notes:
            md["notes"] = self.notes
        md.update(self.extra_metadata)
        return md


@dataclass(frozen=True)
class ContractCase:
    """One case of the registry-wide contract test (tests/test_contract.py).

    ``kwargs`` are passed to :func:`build` (with ``target``); the verifier must measure an
    error below ``eps`` in ``norm`` (``"lp"`` with ``p``, or ``"sup"``, or a family norm).
    ``dims`` are the keyword dimensions passed to ``spec.width``.  ``verify_options`` are
    passed to the verifier (e.g. ``{"method": "grid"}``) and override the suite's defaults.
    """

    label: str
    target: Any
    kwargs: Mapping[str, Any]
    dims: Mapping[str, int]
    norm: str
    eps: float
    p: float | None = None
    domain: Any = None
    slow: bool = False
    verify_options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConstructionSpec:
    """How to build one family of witnesses.

    ``width(**dims)`` is the claimed width for the dimensions (``d_x``, ``d_y`` for
    feed-forward families; family-specific keywords otherwise); ``supports(**dims)`` says
    whether the construction applies; ``builder(**kwargs)`` returns a :class:`Construction`;
    ``add_arguments(parser)`` adds the family's CLI options and ``from_args(args)`` turns them
    into builder keywords.
    """

    name: str
    theorem: str
    family: str
    norm: str
    summary: str
    width: Callable[..., int]
    supports: Callable[..., bool]
    builder: Callable[..., Construction]
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None
    from_args: Callable[[argparse.Namespace], dict[str, Any]] | None = None
    width_kind: str = "exact minimum"
    contract_cases: Callable[[], list[ContractCase]] | None = None


_REGISTRY: dict[str, ConstructionSpec] = {}


def register(spec: ConstructionSpec) -> ConstructionSpec:
    """Add a construction to the registry (names are unique).

    Parameters
    ----------
    spec : ConstructionSpec
        The construction; registering the same spec twice is harmless.

    Returns
    -------
    ConstructionSpec
        ``spec`` (so a module can keep it as ``SPEC = register(...)``).

    Raises
    ------
    ValueError
        Another spec already has this name.
    """
    if spec.name in _REGISTRY and _REGISTRY[spec.name] is not spec:
        raise ValueError(f"construction {spec.name!r} is registered twice")
    _REGISTRY[spec.name] = spec
    return spec


def registered() -> tuple[ConstructionSpec, ...]:
    """All registered constructions, sorted by name (importing every module of ``_modules.MODULES``).

    Returns
    -------
    tuple of ConstructionSpec
    """
    _load_all()
    return tuple(_REGISTRY[k] for k in sorted(_REGISTRY))


def get_spec(name: str) -> ConstructionSpec:
    """The registered construction called ``name``.

    Parameters
    ----------
    name : str
        A construction name (``uat build --help`` lists them).

    Returns
    -------
    ConstructionSpec

    Raises
    ------
    UnknownConstruction
        No construction has this name (the message lists the registered ones).
    """
    _load_all()
    if name not in _REGISTRY:
        raise UnknownConstruction(f"unknown construction {name!r}; registered: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def build(name: str, target: Any = None, **kwargs: Any) -> Construction:
    """Build the witness of construction ``name`` (see ``uat build --help`` for the names).

    The network's hidden width is checked to equal the construction's claimed width, and
    the witness metadata is written into the network.

    Parameters
    ----------
    name : str
        The construction.
    target : optional
        The target (expression, library name, callable or target object of the family);
        omitted, the builder's default target is used.
    **kwargs
        The builder's keywords (``eps``, ``p``, ``domain``, ``input_dim``, family parameters).

    Returns
    -------
    Construction
        Its network carries the witness metadata (:meth:`Construction.metadata`).

    Raises
    ------
    ParameterError
        The network's width differs from the claimed one (an internal error), or bad input.
    """
    spec = get_spec(name)
    result = spec.builder(target, **kwargs) if target is not None else spec.builder(**kwargs)
    net = result.network
    if net.width != result.width:
        raise ParameterError(
            f"internal error: construction {name!r} produced width {net.width} but claims {result.width}"
        )
    return replace(result, network=net.with_metadata(**result.metadata()))


def _load_all() -> None:
    # importing the modules registers their constructions
    from . import _modules  # noqa: F401
