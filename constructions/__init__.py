"""Witness constructions, one module per theorem family, behind one registry.

>>> import constructions
>>> isinstance(constructions.registered(), tuple)
True
"""

from ._registry import Construction as Construction
from ._registry import ConstructionSpec as ConstructionSpec
from ._registry import ContractCase as ContractCase
from ._registry import build as build
from ._registry import get_spec as get_spec
from ._registry import registered as registered

__all__ = ["Construction", "ConstructionSpec", "ContractCase", "build", "get_spec", "registered"]
