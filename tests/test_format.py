"""The uat.network/1 witness file format (docs/format.md)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import uat
from uat.errors import FormatError
from uat.testing import random_network, tent_network


def test_float_round_trip_is_bit_exact_and_deterministic(rng, tmp_path):
    net = random_network(rng, input_dim=3, output_dim=2, width=4, depth=5)
    p1, p2 = tmp_path / "a.json", tmp_path / "b.json"
    uat.save(net, p1)
    back = uat.load(p1)
    assert back == net
    uat.save(back, p2)
    assert p1.read_bytes() == p2.read_bytes()
    for a, b in zip(net.iter_layers(), back.iter_layers()):
        assert a.weight.tobytes() == b.weight.tobytes()


def test_exact_round_trip(tmp_path):
    net = tent_network(4).with_metadata(construction="hand", epsilon=0.5)
    path = tmp_path / "t.json"
    uat.save(net, path)
    back = uat.load(path)
    assert back.is_exact and back == net
    assert back.metadata["construction"] == "hand"
    doc = json.loads(path.read_text())
    assert doc["format"] == "uat.network/1" and doc["layers"][0]["weight"] == [["2"], ["4"]]


BAD = [
    ('{"format": "uat.network/2"}', "unknown format"),
    ("[1, 2]", "JSON object"),
    ("not json", "not valid JSON"),
    ('{"format": "uat.network/1", "input_dim": 1, "output_dim": 1, "layers": []}', "empty"),
    (
        '{"format": "uat.network/1", "input_dim": 1, "output_dim": 1, "layers": '
        '[{"weight": [[1, 2]], "bias": [0], "activation": "relu"}]}',
        "input_dim is 1",
    ),
    (
        '{"format": "uat.network/1", "input_dim": 1, "output_dim": 1, "layers": '
        '[{"weight": [[1]], "bias": [0, 1], "activation": "relu"}]}',
        "bias has 2 entries",
    ),
    (
        '{"format": "uat.network/1", "input_dim": 1, "output_dim": 1, "layers": '
        '[{"weight": [[NaN]], "bias": [0], "activation": "relu"}]}',
        "not a finite number",
    ),
    (
        '{"format": "uat.network/1", "input_dim": 1, "output_dim": 1, "layers": '
        '[{"weight": [[1]], "bias": [0], "activation": "swish"}]}',
        "unknown activation",
    ),
    (
        '{"format": "uat.network/1", "input_dim": 1, "output_dim": 1, "layers": '
        '[{"weight": [[1]], "bias": [0], "activation": {"name": "leaky_relu", "negative_slope": "2"}}]}',
        "negative_slope",
    ),
    (
        '{"format": "uat.network/1", "input_dim": 1, "output_dim": 1, "layers": '
        '[{"weight": [["1/0"]], "bias": ["0"], "activation": "relu"}]}',
        "zero denominator",
    ),
    (
        '{"format": "uat.network/1", "input_dim": 1, "output_dim": 1, "layers": '
        '[{"weight": [["x"]], "bias": ["0"], "activation": "relu"}]}',
        "cannot read",
    ),
    (
        '{"format": "uat.network/1", "input_dim": 1, "output_dim": 2, "layers": '
        '[{"weight": [[1]], "bias": [0], "activation": "relu"}]}',
        "output_dim is 2",
    ),
]


@pytest.mark.parametrize("text,match", BAD)
def test_bad_files_are_refused_clearly(text, match):
    with pytest.raises(FormatError, match=match):
        uat.loads(text)


def test_mixed_numbers_load_as_float():
    text = (
        '{"format": "uat.network/1", "input_dim": 1, "output_dim": 1, "layers": '
        '[{"weight": [["1/3"]], "bias": [0.5], "activation": "relu"}]}'
    )
    net = uat.loads(text)
    assert not net.is_exact and net.layers[0].weight[0, 0] == 1 / 3


def test_metadata_must_be_json():
    net = tent_network(1).with_metadata(bad=object())
    with pytest.raises(FormatError, match="JSON-serialisable"):
        uat.dumps(net)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FormatError, match="cannot read"):
        uat.load(tmp_path / "nope.json")


def test_stepped_leaky_relu_in_witness_files(tmp_path):
    """The stepped leaky ReLU travels as {"name": "stepped_leaky_relu", "negative_slope": "p/q"}."""
    from fractions import Fraction

    net = uat.FeedForward.from_layers([([[1], [-1]], ["-1/2", 0], "stepped_leaky_relu(1/3)"), ([[1, 1]], [0])])
    doc = json.loads(uat.dumps(net))
    assert doc["layers"][0]["activation"] == {"name": "stepped_leaky_relu", "negative_slope": "1/3"}
    uat.save(net, tmp_path / "s.json")
    back = uat.load(tmp_path / "s.json")
    assert back == net and back.layers[0].activation == uat.parse_activation("stepped_leaky_relu(1/3)")
    # the loaded network keeps the convention at the jump: value 0 at t = 0, a t - 1 just below
    assert back.evaluate_exact([["1/2"], [0]])[:, 0].tolist() == [Fraction(-7, 6), Fraction(-7, 6)]
    bad = json.loads(uat.dumps(net))
    bad["layers"][0]["activation"] = {"name": "stepped_leaky_relu", "negative_slope": "3/2"}
    with pytest.raises(FormatError, match=r"layer 0: stepped_leaky_relu negative_slope must lie in \(0, 1\), got 3/2"):
        uat.loads(json.dumps(bad))
    bad["layers"][0]["activation"] = "stepped_leaky_relu"
    with pytest.raises(FormatError, match="needs its parameter 'negative_slope'"):
        uat.loads(json.dumps(bad))
