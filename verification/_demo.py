"""How ``uat demo`` measures each witness (entry point ``uat.verifier``).

The verdict uses the certified upper bound when the measurement is certified and the
estimate otherwise (:func:`verification.judge.judge`).
"""

from __future__ import annotations

from typing import Any

from ._dispatch import handler_for, normalise_norm
from .judge import judge

__all__ = ["measure_case"]


def measure_case(case: Any) -> Any:
    """Measure one :class:`uat._demo.DemoCase`; returns a :class:`uat._demo.DemoMeasurement`."""
    from uat._demo import DemoMeasurement

    h = handler_for(case.network)
    norm = normalise_norm(case.norm, h)
    options = dict(getattr(case, "extra", {}) or {}).get("verify_options", {})
    result = h.measure(case.network, case.target, domain=case.domain, norm=norm, p=case.p, **options)
    verdict = judge(result, case.eps)
    return DemoMeasurement(
        value=result.judged_value,
        certified=result.certified,
        method=result.method,
        passed=verdict.passed,
    )
