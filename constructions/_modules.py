"""Imports every construction module so that each registers itself (one line per module)."""

import importlib

MODULES: tuple[str, ...] = (
    "deepsets_le",
    "deepsets_lp",
    "leaky_lp",
    "leaky_uniform",
    "rnn_lp",
    "rnn_tanh",
    "rnn_uniform",
)

for _name in MODULES:
    importlib.import_module(f"constructions.{_name}")
