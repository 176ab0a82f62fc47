"""The registry-wide contract: every registered construction keeps its promises.

For every :class:`constructions.ContractCase` of every registered spec (generic over
``constructions.registered()``; families add cases by giving their spec ``contract_cases``):

1. the witness has width exactly ``spec.width(**case.dims)``;
2. (without building) when ``spec.width_kind`` starts with ``"exact minimum"``, that width equals the catalogue's
   exact minimum (:func:`uat.min_width`) for the witness's setting; otherwise the width is at
   least the catalogue's lower bound;
3. the independent verifier measures an error below ``case.eps``;
4. building twice gives byte-identical ``uat.dumps`` output.

**How a norm is measured (the dispatch).**  If the case has a ``measure`` attribute (a callable
``measure(network, case) -> ErrorEstimate``), it is used.  Otherwise the witness goes to
:func:`verification.measure`, which picks the handler of the witness's type (feed-forward,
recurrent, DeepSets, ...) and accepts that handler's norms (``"lp"``, ``"sup"``/``"uniform"``,
and family norms such as a set- or sequence-sup the handler declares).  For ``"lp"`` the suite
asks for randomized QMC (``2**12`` scrambled Sobol points x 4 replicates, seed 0) when the handler
accepts those options, so every family is judged by the same estimator in bounded time; other
norms use the handler's default method.  A case's ``verify_options`` (e.g. ``{"method":
"grid"}``) override these defaults.  The verdict compares ``judged_value`` (the certified
upper end when certified, the estimate otherwise) with ``case.eps``.  The measuring domain is
``case.domain``, else the ``domain`` keyword of the build, else the handler's default.
"""

from __future__ import annotations

from typing import Any

import pytest

import constructions
import uat
from uat.errors import UatError

LP_OPTIONS = {"method": "qmc", "m": 12, "replicates": 4, "seed": 0}


def _params() -> list[Any]:
    out = []
    for spec in constructions.registered():
        if spec.contract_cases is None:
            continue
        for case in spec.contract_cases():
            marks = [pytest.mark.slow] if case.slow else []
            out.append(pytest.param(spec, case, id=f"{spec.name}: {case.label}", marks=marks))
    return out


CASES = _params()


def _build(spec: Any, case: Any) -> Any:
    return constructions.build(spec.name, case.target, **{"progress": "quiet", **case.kwargs})


def _measure(net: Any, case: Any) -> Any:
    custom = getattr(case, "measure", None)
    if custom is not None:
        return custom(net, case)
    import verification

    handler = verification.handler_for(net)
    options: dict[str, Any] = {}
    norm = case.norm
    if norm == "lp":
        options = {k: v for k, v in LP_OPTIONS.items() if k in handler.options}
    options.update(getattr(case, "verify_options", None) or {})
    domain = case.domain if case.domain is not None else case.kwargs.get("domain")
    return verification.measure(net, case.target, domain=domain, norm=norm, p=case.p, **options)


def _catalogue_answer(spec: Any, case: Any) -> tuple[Any, str]:
    """The catalogue's width answer for the case's setting, or (None, reason)."""
    min_width = getattr(uat, "min_width", None)
    if min_width is None:
        return None, "uat.min_width is not available"
    from uat.theorems import get_theorem

    th = get_theorem(spec.theorem)
    norm = {"sup": "uniform"}.get(spec.norm, spec.norm)
    activation = case.kwargs.get("activation") or sorted(th.activation.members)[0]
    query = {k: v for k, v in case.dims.items() if k in ("d_x", "d_y", "N", "D")}
    if th.arch == "deepsets":
        query["embedding"] = case.kwargs.get("embedding", spec.name.rsplit("-", 1)[-1])
        activation = None
    try:
        return min_width(arch=th.arch, activation=activation, norm=norm, domain=th.domain, **query), ""
    except (UatError, TypeError) as exc:
        return None, f"no catalogue query for this setting ({type(exc).__name__}: {exc})"


@pytest.mark.parametrize("spec, case", CASES)
def test_contract_width_against_catalogue(spec: Any, case: Any) -> None:
    """The claimed width is the catalogue's exact minimum (or respects its lower bound)."""
    claimed = spec.width(**case.dims)
    answer, why = _catalogue_answer(spec, case)
    if answer is None:
        pytest.skip(f"{case.label}: width not compared with the catalogue: {why}")
    if spec.width_kind.startswith("exact minimum"):
        assert answer.kind == "exact", f"{case.label}: the catalogue gives {answer.value_text}, not an exact value"
        assert claimed == answer.width, (
            f"{case.label}: width {claimed} but the catalogue's exact minimum is {answer.width} "
            f"({', '.join(answer.theorems)})")
    else:
        assert claimed >= answer.lower, f"{case.label}: width {claimed} is below the catalogue's lower bound {answer.lower}"


@pytest.mark.parametrize("spec, case", CASES)
def test_contract(spec: Any, case: Any) -> None:
    """Width exactly as claimed, verified error below eps, byte-identical rebuild."""
    first = _build(spec, case)
    net = first.network
    claimed = spec.width(**case.dims)
    assert net.width == claimed, f"{case.label}: width {net.width}, the spec claims {claimed}"
    assert first.width == claimed

    result = _measure(net, case)
    assert result.judged_value < case.eps, f"{case.label}: {result.describe()} is not below eps = {case.eps}"

    second = _build(spec, case)
    assert uat.dumps(second.network) == uat.dumps(net), f"{case.label}: two builds differ (non-deterministic)"


def test_every_construction_has_contract_cases() -> None:
    names = [s.name for s in constructions.registered() if s.contract_cases is None]
    assert not names, f"constructions without contract cases: {names}"


def test_case_labels_are_unique() -> None:
    labels = [p.id for p in CASES]
    assert len(labels) == len(set(labels))
