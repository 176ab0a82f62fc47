"""uat: constructive minimum-width universal approximation.

The core package: the network value (:class:`FeedForward`), activations, domains,
targets, the theorem catalogue, witness files and exports.  It imports numpy (and scipy
lazily); only :mod:`uat.export` imports torch, sympy or networkx.

>>> import uat
>>> uat.FeedForward.from_layers([([[1]], [0], "relu"), ([[1]], [0])]).width
1
"""

from importlib.metadata import PackageNotFoundError, version as _version

from . import errors as errors
from .activations import Activation as Activation
from .activations import parse_activation as parse_activation
from .domains import Box as Box
from .domains import parse_domain as parse_domain
from .errors import UatError as UatError
from .io import dumps as dumps
from .io import load as load
from .io import loads as loads
from .io import save as save
from .network import FeedForward as FeedForward
from .network import Layer as Layer
from .network import compose as compose
from . import _rnn_io as _rnn_io  # registers the uat.rnn/1 format
from .recurrent import Recurrent as Recurrent
from ._check_width import check_width as check_width
from ._min_width import min_width as min_width
from ._catalogue import ENTRIES as CATALOGUE  # the same tuple as uat.theorems.CATALOGUE
from ._theorem_types import Theorem as Theorem
from .deepsets import DeepSets as DeepSets  # also registers the uat.deepsets/1 format
from .expressions import parse_expression as parse_expression
from .targets import Target as Target
from .targets import make_target as make_target

try:
    __version__ = _version("uat")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

__all__ = [
    "Activation",
    "Box",
    "FeedForward",
    "Recurrent",
    "Layer",
    "UatError",
    "compose",
    "dumps",
    "errors",
    "load",
    "loads",
    "parse_activation",
    "parse_domain",
    "save",
    "min_width",
    "check_width",
    "Theorem",
    "CATALOGUE",
    "DeepSets",
    "Target",
    "make_target",
    "parse_expression",
    "__version__",
]
