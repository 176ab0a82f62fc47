"""Imports every construction module so that each registers itself (one line per module)."""

import importlib

MODULES: tuple[str, ...] = (
    "deepsets_le",
    "deepsets_lp",
    "leaky_lp",
    "leaky_stepped",
    "leaky_uniform",
    "relu_like_lp_compact",
    "relu_lp_compact",
    "relu_lp_whole",
    "relu_step_uniform",
    "relu_uniform_1d",
    "rnn_lp",
    "rnn_tanh",
    "rnn_tanh_iir",
    "rnn_uniform",
)

for _name in MODULES:
    importlib.import_module(f"constructions.{_name}")
