"""verification: the independent judge of every witness network.

It imports only :mod:`uat` (never :mod:`constructions`), so hand-written, loaded and
constructed networks are all judged the same way.  Measuring and judging are separate:

* :func:`lp_error`, :func:`sup_error`, :func:`float_error` measure and return frozen
  records (:class:`ErrorEstimate`, :class:`FloatError`);
* :func:`assert_approximates` judges a measurement against epsilon and raises
  :class:`uat.errors.NotApproximating` with a readable report.

The exact pieces and regions are public (:func:`linear_pieces_1d`,
:func:`linear_regions_2d`, :func:`linear_regions_3d`) for plots and structural checks; recurrent witnesses have
:func:`sequence_sup_error`, :func:`sequence_lp_error`, :func:`sequence_lp_error_whole`,
:func:`sequence_sup_certificate` and :func:`causality_check` (docs/rnn.md); :func:`measure` and
:func:`register_handler` dispatch on the witness kind.  See ``docs/verification.md``.

>>> import verification
>>> sorted(verification.__all__)[:3]
['CausalityReport', 'ErrorEstimate', 'FloatError']
"""

from ._dispatch import Handler as Handler
from ._dispatch import handler_for as handler_for
from ._dispatch import measure as measure
from ._dispatch import register_handler as register_handler
from ._result import ErrorEstimate as ErrorEstimate
from ._result import FloatError as FloatError
from .judge import assert_approximates as assert_approximates
from .lp import lp_error as lp_error
from .pieces import Pieces1D as Pieces1D
from .pieces import linear_pieces_1d as linear_pieces_1d
from .plot import plot_error as plot_error
from .precision import float_error as float_error
from .regions import Regions2D as Regions2D
from .regions import linear_regions_2d as linear_regions_2d
from .regions3d import Regions3D as Regions3D
from .regions3d import linear_regions_3d as linear_regions_3d
from ._sequence_cert import sequence_sup_certificate as sequence_sup_certificate
from .sequence import CausalityReport as CausalityReport
from .sequence import causality_check as causality_check
from .sequence import sequence_lp_error as sequence_lp_error
from .sequence import sequence_lp_error_whole as sequence_lp_error_whole
from .sequence import sequence_sup_error as sequence_sup_error
from .sup import sup_error as sup_error

__all__ = [
    "CausalityReport",
    "ErrorEstimate",
    "FloatError",
    "Handler",
    "Pieces1D",
    "Regions2D",
    "Regions3D",
    "assert_approximates",
    "causality_check",
    "float_error",
    "handler_for",
    "linear_pieces_1d",
    "linear_regions_2d",
    "linear_regions_3d",
    "lp_error",
    "measure",
    "plot_error",
    "register_handler",
    "sequence_lp_error",
    "sequence_lp_error_whole",
    "sequence_sup_certificate",
    "sequence_sup_error",
    "sup_error",
]
