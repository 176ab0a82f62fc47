"""Contract cases of ``rnn-lp`` and ``brnn-lp`` (tests/test_contract.py runs them).

Targets with :math:`d_y > d_x` that the library lacks are small vectorised callables defined here
(``mean_and_square`` and friends); they are causal prefix maps ``(batch, t, d_x) -> (batch, d_y)``.
"""

from __future__ import annotations

import numpy as np

from ._registry import ContractCase

__all__ = ["rnn_cases", "brnn_cases", "mean_and_square", "three_moments", "pair_to_three"]


def mean_and_square(p: np.ndarray) -> np.ndarray:
    """(1, 2): the running mean and the running mean of squares."""
    return np.concatenate([p.mean(axis=1), (p * p).mean(axis=1)], axis=1)


def three_moments(p: np.ndarray) -> np.ndarray:
    """(1, 3): running mean, last token, and a sign of the running sum (discontinuous)."""
    return np.concatenate([p.mean(axis=1), p[:, -1], np.sign(p.sum(axis=1) - 0.5 * p.shape[1])], axis=1)


def pair_to_three(p: np.ndarray) -> np.ndarray:
    """(2, 3): the sums of the coordinates, their difference at the last token, and the running max of x_1."""
    s = p.sum(axis=1)
    return np.stack([s[:, 0] + s[:, 1], p[:, -1, 0] - p[:, -1, 1], p[:, :, 0].max(axis=1)], axis=1)


def rnn_cases() -> list[ContractCase]:
    """The contract cases of ``rnn-lp``: discontinuous, smooth and multi-output targets, the decoder, whole space.

    Returns
    -------
    list of ContractCase
    """
    return [
        ContractCase("majority T=2 L^1", "majority", {"T": 2, "bits": 5, "p": 1.0, "eps": 0.05}, {"d_x": 1, "d_y": 1},
                     "lp", 0.05, p=1.0),
        ContractCase("running mean T=2 L^2", "running-mean", {"T": 2, "bits": 5, "p": 2.0, "eps": 0.03},
                     {"d_x": 1, "d_y": 1}, "lp", 0.03, p=2.0),
        ContractCase("d_x=2 d_y=2 T=1", "running-max", {"T": 1, "input_dim": 2, "bits": 5, "p": 2.0, "eps": 0.05},
                     {"d_x": 2, "d_y": 2}, "lp", 0.05, p=2.0),
        ContractCase("decoder (1,2) T=2", mean_and_square, {"T": 2, "input_dim": 1, "bits": 4, "eps": 0.06},
                     {"d_x": 1, "d_y": 2}, "lp", 0.06, p=2.0),
        ContractCase("decoder (1,3) T=1", three_moments, {"T": 1, "input_dim": 1, "bits": 6, "eps": 0.08},
                     {"d_x": 1, "d_y": 3}, "lp", 0.08, p=2.0),
        ContractCase("decoder (2,3) T=1", pair_to_three, {"T": 1, "input_dim": 2, "bits": 4, "eps": 0.15},
                     {"d_x": 2, "d_y": 3}, "lp", 0.15, p=2.0, slow=True),
        # whole space: the verifier reads `whole_space` from the metadata and adds the target's tail
        ContractCase("whole space gaussian T=2", "gaussian", {"T": 2, "bits": 4, "whole": True, "eps": 0.2},
                     {"d_x": 1, "d_y": 1}, "lp", 0.2, p=2.0),
        ContractCase("whole space gaussian-wave (1,2) T=1", "gaussian-wave", {"T": 1, "bits": 5, "whole": True,
                     "eps": 0.2}, {"d_x": 1, "d_y": 2}, "lp", 0.2, p=2.0),
    ]


def brnn_cases() -> list[ContractCase]:
    """The contract cases of ``brnn-lp``: non-causal targets on a box and on the whole space.

    Returns
    -------
    list of ContractCase
    """
    return [
        ContractCase("reversal T=3 L^2", "reversal", {"T": 3, "bits": 3, "eps": 0.1}, {"d_x": 1, "d_y": 1}, "lp", 0.1,
                     p=2.0),
        ContractCase("centred MA T=3 L^1", "centred-moving-average", {"T": 3, "bits": 3, "p": 1.0, "eps": 0.1},
                     {"d_x": 1, "d_y": 1}, "lp", 0.1, p=1.0),
        ContractCase("whole space gaussian-cos T=2", "gaussian-cos", {"T": 2, "bits": 4, "whole": True, "eps": 0.25},
                     {"d_x": 1, "d_y": 1}, "lp", 0.25, p=2.0),
        ContractCase("reversal d_x=2 T=2", "reversal", {"T": 2, "input_dim": 2, "bits": 2, "eps": 0.2},
                     {"d_x": 2, "d_y": 2}, "lp", 0.2, p=2.0, slow=True),
    ]
