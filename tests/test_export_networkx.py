"""uat.export networkx/GraphML: one node per neuron, weights as float plus exact "p/q" strings."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

nx = pytest.importorskip("networkx")

import uat  # noqa: E402
from uat.export import to_networkx, write_graphml  # noqa: E402
from uat.testing import random_network, tent_network  # noqa: E402


def rebuild(graph, exact: bool) -> uat.FeedForward:
    """An independent reader: the network from the graph's node and edge attributes alone."""
    by_layer: dict[int, list] = {}
    for name, data in graph.nodes(data=True):
        by_layer.setdefault(int(data["layer"]), []).append((int(data["index"]), name, data))
    layers = []
    for l in range(1, max(by_layer) + 1):
        prev = {name: int(d["index"]) for _, name, d in by_layer[l - 1]}
        nodes = sorted(by_layer[l], key=lambda t: t[0])
        n_out, n_in = len(nodes), len(prev)
        if exact:
            w = [["0"] * n_in for _ in range(n_out)]
            b = [d["bias_exact"] for _, _, d in nodes]
        else:
            w = [[0.0] * n_in for _ in range(n_out)]
            b = [float(d["bias"]) for _, _, d in nodes]
        for i, name, _ in nodes:
            for src, _, e in graph.in_edges(name, data=True):
                w[i][prev[src]] = e["weight_exact"] if exact else float(e["weight"])
        layers.append((w, b, [d["activation"] for _, _, d in nodes]))  # each node names its own activation
    return uat.FeedForward.from_layers(layers, exact=exact)


def test_nodes_edges_and_attributes():
    net = uat.FeedForward.from_layers(
        [([["1/2", 0], [-1, "1/3"]], ["1/10", 0], "leaky_relu(1/10)"), ([[1, "-2/7"]], ["5/3"])]
    ).with_metadata(construction="hand-written", theorem="cai2023-leaky-lp")
    g = to_networkx(net)
    assert isinstance(g, nx.DiGraph)
    assert g.number_of_nodes() == 2 + 2 + 1
    assert g.number_of_edges() == 3 + 2  # the zero weight has no edge
    assert g.nodes["0:1"] == {"layer": 0, "index": 1, "kind": "input"}
    h = g.nodes["1:0"]
    assert h["kind"] == "hidden" and h["activation"] == "leaky_relu(1/10)"
    assert h["bias"] == 0.1 and h["bias_exact"] == "1/10"
    assert g.nodes["2:0"]["kind"] == "output" and g.nodes["2:0"]["bias_exact"] == "5/3"
    e = g.edges["1:1", "2:0"]
    assert e["weight_exact"] == "-2/7" and e["weight"] == float(Fraction(-2, 7))
    assert g.graph["exact"] is True and g.graph["depth"] == 2 and g.graph["width"] == 2
    assert json.loads(g.graph["metadata"])["theorem"] == "cai2023-leaky-lp"
    assert to_networkx(net, keep_zero_weights=True).number_of_edges() == 6


def test_graphml_round_trip_keeps_exact_strings(tmp_path):
    net = tent_network(3).with_metadata(construction="tent")
    path = tmp_path / "tent.graphml"
    write_graphml(net, path)
    g = nx.read_graphml(path)
    assert g.nodes["1:1"]["bias_exact"] == "-2"
    assert all(isinstance(d["weight_exact"], str) for _, _, d in g.edges(data=True))
    assert rebuild(g, exact=True) == net
    assert json.loads(g.graph["metadata"])["construction"] == "tent"


def test_graphml_round_trip_random_exact_network(rng, tmp_path):
    net = random_network(rng, input_dim=3, output_dim=2, width=5, depth=6, activation="leaky_relu(1/4)", exact=True)
    path = tmp_path / "r.graphml"
    write_graphml(net, path)
    assert rebuild(nx.read_graphml(path), exact=True) == net


def test_stepped_leaky_relu_activation_attribute_round_trips(tmp_path):
    """The stepped witness: its two activations travel as text and read back to the same network."""
    from constructions import build

    net = build("leaky-stepped-uniform", "[x1**2, 1 - x1]", eps=0.2, domain="[0,1]", progress="quiet").network
    g = to_networkx(net)
    acts = {d["activation"] for _, d in g.nodes(data=True) if d["layer"] >= 1}
    assert acts == {"stepped_leaky_relu(1/4)", "leaky_relu(1/4)", "identity"}
    path = tmp_path / "stepped.graphml"
    write_graphml(net, path)
    back = rebuild(nx.read_graphml(path), exact=True)
    assert back == net  # equality compares layers (weights, biases, activations), not metadata
    assert str(back.layers[0].activation) == "stepped_leaky_relu(1/4)"


def test_graphml_round_trip_float_network_is_bitwise(rng, tmp_path):
    net = random_network(rng, input_dim=2, output_dim=1, width=4, depth=5, activation="tanh")
    path = tmp_path / "f.graphml"
    write_graphml(net, path)
    g = nx.read_graphml(path)
    assert "weight_exact" not in next(iter(g.edges(data=True)))[2]
    assert rebuild(g, exact=False) == net


def test_deep_network_graph_size(rng):
    net = random_network(rng, input_dim=2, output_dim=1, width=3, depth=500)
    g = to_networkx(net)
    assert g.number_of_nodes() == 2 + 3 * 499 + 1
    assert g.number_of_edges() == sum(int(np.count_nonzero(l.weight)) for l in net.iter_layers())


def test_per_neuron_activations_are_node_attributes(tmp_path):
    """Park et al.'s ReLU+STEP witness: every node carries its own neuron's activation."""
    from constructions import build

    net = build("relu-step-uniform", "x1*x2", eps=0.3, input_dim=2, progress="quiet").network
    g = to_networkx(net)
    first = sorted((d["index"], d["activation"]) for _, d in g.nodes(data=True) if d["layer"] == 1)
    assert [a for _, a in first] == [str(net.layers[0].activation.neuron(i)) for i in range(net.layers[0].out_dim)]
    assert {a for _, a in first} == {"relu", "step"}
    path = tmp_path / "relu_step.graphml"
    write_graphml(net, path)
    back = rebuild(nx.read_graphml(path), exact=net.is_exact)
    assert back == net
