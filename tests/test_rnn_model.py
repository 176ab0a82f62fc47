"""The Recurrent value (deep RNN / BRNN) and its witness format uat.rnn/1."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import uat
import uat._rnn_io  # noqa: F401  (registers uat.rnn/1)
from uat.errors import DimensionMismatch, ExactnessError, FormatError
from uat.io import dumps, loads
from uat.recurrent import BiLayer, Cell, Recurrent


def _reference_forward(net: Recurrent, x: np.ndarray) -> np.ndarray:
    """A deliberately naive loop over batch, time and layers (independent of the vectorised code)."""
    net = net.as_float()
    out = np.zeros((x.shape[0], x.shape[1], net.output_dim))
    for n in range(x.shape[0]):
        h = [net.lift @ x[n, t] for t in range(x.shape[1])]
        for layer in net.layers:
            cells = [(layer.forward, False), (layer.backward, True)] if isinstance(layer, BiLayer) else [(layer, False)]
            results = []
            for cell, rev in cells:
                act = cell.activation.numpy
                T = len(h)
                res = [None] * T
                prev = np.zeros(cell.state_dim)
                for t in (reversed(range(T)) if rev else range(T)):
                    prev = act(cell.recurrent @ prev + cell.input @ h[t] + cell.bias)
                    res[t] = prev
                results.append(res)
            if isinstance(layer, BiLayer):
                h = [layer.mix_forward @ a + layer.mix_backward @ b for a, b in zip(*results)]
            else:
                h = results[0]
        for t in range(x.shape[1]):
            out[n, t] = net.readout @ h[t]
    return out


def _random_rnn(rng, d_x=2, d_y=2, width=3, depth=4, bidirectional=False, act="tanh"):
    cells = []
    d_in = width
    for l in range(depth):
        a = rng.normal(size=(width, width)) * 0.5 if l % 2 == 0 else None
        c = Cell.create(a, rng.normal(size=(width, d_in)), rng.normal(size=width), act)
        if bidirectional and l == 1:
            c2 = Cell.create(rng.normal(size=(width, width)) * 0.5, rng.normal(size=(width, d_in)), rng.normal(size=width), act)
            c = BiLayer(c, c2, rng.normal(size=(width, width)), rng.normal(size=(width, width)))
        cells.append(c)
    return Recurrent.create(lift=rng.normal(size=(width, d_x)), cells=cells, readout=rng.normal(size=(d_y, width)))


@pytest.mark.parametrize("bidirectional", [False, True])
def test_vectorised_matches_naive_loop(rng, tolerance, bidirectional):
    net = _random_rnn(rng, bidirectional=bidirectional)
    x = rng.normal(size=(5, 7, 2))
    got = net.evaluate(x)
    ref = _reference_forward(net, x)
    assert got.shape == (5, 7, 2)
    assert np.max(np.abs(got - ref)) <= tolerance["torch_vs_numpy"] * max(1.0, np.max(np.abs(ref)))


def test_descriptors(rng):
    net = _random_rnn(rng, bidirectional=True)
    assert (net.input_dim, net.output_dim, net.width, net.depth) == (2, 2, 3, 4)
    assert net.is_bidirectional and not net.is_causal
    assert net.n_params == 3 * 2 + 2 * 3 + sum(l.n_params for l in net.layers)
    s = net.summary()
    assert s["kind"] == "brnn" and s["width"] == 3 and s["depth"] == 4
    assert [str(a) for a in net.hidden_activations] == ["tanh"]
    causal = _random_rnn(rng)
    assert causal.summary()["kind"] == "rnn" and causal.is_causal


def test_exact_evaluation_agrees_with_float():
    # running max of two scalars packed in the width-2 cell, then a time-varying scale
    net = Recurrent.create(
        lift=[[1], [1]],
        cells=[([[0, 0], [1, 1]], [[1, 0], [-1, 0]], [0, 0], "relu"), (None, [[1, 1]], ["1/3"], "relu")],
        readout=[["3/2"]],
    )
    seqs = [[["1/5"], ["7/10"], ["1/10"]], [[0], [1], ["1/2"]]]
    exact = net.evaluate_exact(seqs)
    assert exact[0, :, 0].tolist() == [Fraction(3, 2) * (Fraction(1, 5) + Fraction(1, 3)), Fraction(3, 2) * (Fraction(7, 10) + Fraction(1, 3)), Fraction(3, 2) * (Fraction(7, 10) + Fraction(1, 3))]
    fl = net.evaluate(np.array([[[float(Fraction(v[0]))] for v in s] for s in seqs]))
    assert np.max(np.abs(fl - exact.astype(float))) < 1e-15


def test_length_is_free_and_causal_structure(rng):
    net = _random_rnn(rng)
    x = rng.normal(size=(3, 9, 2))
    full = net.evaluate(x)
    short = net.evaluate(x[:, :4])
    assert np.array_equal(full[:, :4], short)


def test_validation_errors():
    with pytest.raises(DimensionMismatch, match="do not chain"):
        Recurrent.create(lift=[[1], [0]], cells=[(None, [[1, 0, 0]], [0])], readout=[[1]])
    with pytest.raises(DimensionMismatch, match="readout"):
        Recurrent.create(lift=[[1]], cells=[(None, [[1]], [0])], readout=[[1, 1]])
    with pytest.raises(DimensionMismatch, match="recurrent matrix"):
        Cell.create([[1, 0]], [[1]], [0])
    with pytest.raises(ExactnessError):
        Recurrent.create(lift=[[1]], cells=[(None, [[0.5]], [0])], readout=[[1]]).evaluate_exact([[[1]]])
    net = Recurrent.create(lift=[[1]], cells=[(None, [[1]], [0], "tanh")], readout=[[1]])
    with pytest.raises(ExactnessError, match="tanh"):
        net.evaluate_exact([[["1/2"]]])
    with pytest.raises(DimensionMismatch, match=r"\(batch, T, 1\)"):
        net.evaluate(np.zeros((2, 3, 2)))


def test_format_round_trip_exact_and_float(rng):
    exact = Recurrent.create(
        lift=[[1], [0]],
        cells=[([[1, 0], [0, 0]], [[1, 0], [0, 1]], [0, "1/3"], "relu"), (None, [["-2/7", 1]], [0])],
        readout=[[1]],
        metadata={"construction": "hand"},
    )
    text = dumps(exact)
    back = loads(text)
    assert back == exact and back.is_exact and back.metadata["construction"] == "hand"
    assert dumps(back) == text
    assert '"recurrent"' in text.splitlines()[7] and '"recurrent"' not in text.splitlines()[8]
    fl = _random_rnn(rng, bidirectional=True)
    t2 = dumps(fl)
    back2 = loads(t2)
    assert not back2.is_exact and back2 == fl and dumps(back2) == t2
    x = rng.normal(size=(2, 4, 2))
    assert np.array_equal(back2.evaluate(x), fl.evaluate(x))


def test_format_save_load_file(tmp_path):
    net = Recurrent.create(lift=[[1]], cells=[([[1]], [[1]], [0], "relu")], readout=[[1]])
    path = tmp_path / "r.json"
    uat.save(net, path)
    assert uat.load(path) == net


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("lift"), "lift"),
        (lambda d: d["layers"][0].update(bogus=1), "unknown keys"),
        (lambda d: d["layers"][0].update(recurrent=[["1", "0"]]), "recurrent matrix has shape"),
        (lambda d: d.update(output_dim=3), "output_dim is 3"),
        (lambda d: d.update(bidirectional=True), "bidirectional"),
        (lambda d: d["layers"][0].update(activation="swish"), "unknown activation"),
        (lambda d: d["layers"][0].update(bias=["1", "x"]), "layer 0 bias"),
        (lambda d: d.update(layers=[]), "empty 'layers'"),
    ],
)
def test_format_rejects_malformed(mutate, message):
    import json

    net = Recurrent.create(lift=[[1]], cells=[([[1]], [[1]], [0], "relu")], readout=[[1]])
    doc = json.loads(dumps(net))
    mutate(doc)
    with pytest.raises(FormatError, match=message):
        loads(json.dumps(doc))


def test_the_plain_python_reader_in_docs_format_md_agrees():
    """The minimal reader printed in docs/format.md (uat.rnn/1 section) evaluates a witness exactly."""
    import json
    import re
    from pathlib import Path

    from constructions import build

    text = (Path(__file__).resolve().parents[1] / "docs" / "format.md").read_text()
    section = text[text.index("## `uat.rnn/1`"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "docs/format.md", "exec"), namespace)  # the documented reader, verbatim
    for name, target in (("rnn-uniform", "running-mean"), ("brnn-uniform", "reversal")):
        net = build(name, target, T=4, domain="[-1,1]").network
        doc = json.loads(uat.dumps(net))
        seq = [[Fraction(1, 3)], [Fraction(-1, 2)], [Fraction(0)], [Fraction(3, 4)]]
        got = namespace["evaluate"](doc, seq)
        want = net.evaluate_exact([seq])[0]
        assert [list(r) for r in got] == [list(r) for r in want]


def test_affine_readout_bias_everywhere(tmp_path):
    """The optional readout bias q (y = Q h + q): float and exact evaluation, JSON, equality, zero = absent."""
    from uat.io import dumps, loads

    net = Recurrent.create(lift=[[1], [1]], cells=[([[0, 0], [1, 1]], [[1, 0], [-1, 0]], [0, 0], "relu")],
                           readout=[[1, 1], [1, 0]], readout_bias=["-1/2", "3"])
    assert net.is_exact and net.n_params == 2 + 4 + 4 + 2 + 4 + 2
    x = [[[0.2], [0.7], [0.1]]]
    assert net.evaluate(x)[0].tolist() == [[0.2 - 0.5, 3.2], [0.7 - 0.5, 3.7], [0.7 - 0.5, 3.1]]
    assert net.evaluate_exact([[["1/3"]]])[0, 0].tolist() == [Fraction(-1, 6), Fraction(10, 3)]
    text = dumps(net)
    assert '"readout_bias": ["-1/2","3"]' in text.replace(", ", ",") and loads(text) == net
    assert net.as_float().readout_bias.tolist() == [-0.5, 3.0]
    zero = Recurrent.create(lift=[[1]], cells=[(None, [[1]], [0], "relu")], readout=[[1]], readout_bias=[0])
    plain = Recurrent.create(lift=[[1]], cells=[(None, [[1]], [0], "relu")], readout=[[1]])
    assert zero.readout_bias is None and zero == plain and "readout_bias" not in dumps(zero)
    assert net != Recurrent.create(lift=[[1], [1]], cells=[([[0, 0], [1, 1]], [[1, 0], [-1, 0]], [0, 0], "relu")],
                                   readout=[[1, 1], [1, 0]])
    with pytest.raises(DimensionMismatch, match="readout bias"):
        Recurrent.create(lift=[[1]], cells=[(None, [[1]], [0], "relu")], readout=[[1]], readout_bias=[1, 2])
