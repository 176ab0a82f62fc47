r"""Export to networkx: one node per neuron, one edge per non-zero weight.

Layer :math:`l = 0` holds the inputs, layers :math:`1..L-1` the hidden neurons and layer
:math:`L` the outputs.  The node of neuron :math:`i` in layer :math:`l` is named
``"l:i"`` and carries

* ``layer`` (int), ``index`` (int), ``kind`` (``"input"``, ``"hidden"`` or ``"output"``);
* for layers :math:`l \ge 1`: ``bias`` (float64), ``activation`` (the neuron's own activation
  in text notation, such as ``"leaky_relu(1/10)"``; in a per-neuron layer, e.g. Park et al.'s
  ReLU+STEP networks, each node names its own), and for exact networks ``bias_exact`` (the
  string ``"p/q"``).

The edge from ``"l-1:j"`` to ``"l:i"`` exists when :math:`W_l[i, j] \ne 0` and carries
``weight`` (float64) and, for exact networks, ``weight_exact`` (``"p/q"``).  GraphML stores
only str, int, float and bool, so exact values travel as strings next to their float copy
(a Fraction or a list would make ``networkx.write_graphml`` fail).

Graph attributes: ``format`` (``"uat.network/1"``), ``input_dim``, ``output_dim``,
``depth``, ``width``, ``exact`` and ``metadata`` (the witness metadata as JSON text).

>>> from uat import FeedForward
>>> net = FeedForward.from_layers([([[1], [-1]], ["1/2", 0], "relu"), ([["1/3", 1]], [0])])
>>> g = to_networkx(net)
>>> g.number_of_nodes(), g.number_of_edges()
(4, 4)
>>> g.nodes["1:0"]["bias_exact"], g.edges["1:0", "2:0"]["weight_exact"]
('1/2', '1/3')
"""

from __future__ import annotations

import os

import networkx as nx
import numpy as np

from .._witness_json import metadata_text
from ..network import FeedForward

__all__ = ["to_networkx", "write_graphml", "node_name"]


def node_name(layer: int, index: int) -> str:
    """The node name of neuron ``index`` in ``layer`` (0 = inputs)."""
    return f"{layer}:{index}"


def to_networkx(net: FeedForward, *, keep_zero_weights: bool = False) -> nx.DiGraph:
    """The network as a ``networkx.DiGraph`` (see the module docstring for the attributes).

    Parameters
    ----------
    net : FeedForward
    keep_zero_weights : bool
        Also add edges for zero weights (by default an edge means a non-zero weight).
    """
    exact = net.is_exact
    graph = nx.DiGraph(
        format="uat.network/1",
        input_dim=net.input_dim,
        output_dim=net.output_dim,
        depth=net.depth,
        width=net.width,
        exact=bool(exact),
        metadata=metadata_text(net.metadata),
    )
    graph.add_nodes_from(
        (node_name(0, i), {"layer": 0, "index": i, "kind": "input"}) for i in range(net.input_dim)
    )
    depth = net.depth
    float_net = net.as_float() if exact else net
    for l, (layer, flayer) in enumerate(zip(net.iter_layers(), float_net.iter_layers()), start=1):
        kind = "output" if l == depth else "hidden"
        nodes = []
        for i in range(layer.out_dim):
            act = str(layer.activation.neuron(i))  # per-neuron layers: the neuron's own activation
            attrs = {"layer": l, "index": i, "kind": kind, "activation": act, "bias": float(flayer.bias[i])}
            if exact:
                attrs["bias_exact"] = str(layer.bias[i])
            nodes.append((node_name(l, i), attrs))
        graph.add_nodes_from(nodes)
        mask = np.ones(layer.weight.shape, dtype=bool) if keep_zero_weights else (layer.weight != 0)
        rows, cols = np.nonzero(mask)
        edges = []
        for i, j in zip(rows.tolist(), cols.tolist()):
            attrs = {"weight": float(flayer.weight[i, j])}
            if exact:
                attrs["weight_exact"] = str(layer.weight[i, j])
            edges.append((node_name(l - 1, j), node_name(l, i), attrs))
        graph.add_edges_from(edges)
    return graph


def write_graphml(net: FeedForward, path: str | os.PathLike[str], *, keep_zero_weights: bool = False) -> None:
    """Write :func:`to_networkx` of ``net`` as GraphML (read back with ``networkx.read_graphml``)."""
    nx.write_graphml(to_networkx(net, keep_zero_weights=keep_zero_weights), path)
