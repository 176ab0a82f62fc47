"""Witnesses for ``uat demo`` (entry point ``uat.demo``): one or two per registered family.

Each construction module may define ``demo_cases(quick)`` returning a list of
:class:`uat._demo.DemoCase`; this collects them in registry order.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._modules import MODULES


def demo_cases(quick: bool = False) -> list[Any]:
    """The witnesses of ``uat demo``: every construction module's ``demo_cases(quick)``, in module order.

    Parameters
    ----------
    quick : bool
        Smaller settings for ``uat demo --quick``.

    Returns
    -------
    list of uat._demo.DemoCase
    """
    cases: list[Any] = []
    for name in MODULES:
        mod = importlib.import_module(f"constructions.{name}")
        fn = getattr(mod, "demo_cases", None)
        if fn is not None:
            cases.extend(fn(quick=quick))
    return cases
