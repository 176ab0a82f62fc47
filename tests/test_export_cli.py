"""``uat export FILE --to torch|graphml|latex|sympy OUT`` and the Python dispatcher uat.export.write."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nx = pytest.importorskip("networkx")

import uat  # noqa: E402
from uat.cli import main  # noqa: E402
from uat.errors import MethodError  # noqa: E402
from uat.export import export_formats, load_torch, write  # noqa: E402
from uat.testing import random_network, tent_network  # noqa: E402
from uat.tolerances import tol  # noqa: E402


@pytest.fixture
def witness(tmp_path) -> Path:
    path = tmp_path / "tent.json"
    uat.save(tent_network(3).with_metadata(construction="tent", theorem="hanin2017-relu-uniform"), path)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_torch(capsys, witness, tmp_path):
    out = tmp_path / "tent.pt"
    status, stdout, _ = run(capsys, "export", str(witness), "--to", "torch", str(out))
    assert status == 0 and "wrote" in stdout
    payload = torch.load(out, weights_only=True)
    assert payload["format"] == "uat.torch/1" and payload["exact_source"] is True
    module = load_torch(out)
    x = np.linspace(0, 1, 101)[:, None]
    with torch.no_grad():
        got = module(torch.tensor(x)).numpy()
    ref = uat.load(witness).evaluate(x)
    assert np.max(np.abs(got - ref)) <= tol("torch_vs_numpy") * max(1.0, float(np.max(np.abs(ref))))
    net = load_torch(out, as_network=True)
    assert net == uat.load(witness).as_float() and net.metadata["construction"] == "tent"


def test_graphml(capsys, witness, tmp_path):
    out = tmp_path / "tent.graphml"
    status, _, _ = run(capsys, "export", str(witness), "--to", "graphml", str(out))
    assert status == 0
    g = nx.read_graphml(out)
    assert g.number_of_nodes() == 1 + 2 + 2 + 2 + 1
    assert {d["weight_exact"] for _, _, d in g.edges(data=True)} == {"2", "4", "-2", "-4", "1", "-1"}


def test_latex(capsys, witness, tmp_path):
    out = tmp_path / "tent.tex"
    assert run(capsys, "export", str(witness), "--to", "latex", str(out))[0] == 0
    text = out.read_text()
    assert text.count(r"\operatorname{ReLU}") == 3 and r"W_{4}" in text


def test_sympy(capsys, witness, tmp_path):
    out = tmp_path / "tent.txt"
    assert run(capsys, "export", str(witness), "--to", "sympy", str(out))[0] == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("# uat network 1 -> 1") and lines[1].startswith("y1 = Max(0, ")
    assert "." not in lines[1]  # exact: rationals only, no float literal


def test_sympy_on_an_exact_non_dyadic_witness(capsys, tmp_path):
    net = uat.FeedForward.from_layers([([["1/3"], ["-2/7"]], ["1/5", 0], "leaky_relu(1/10)"), ([[1, 1]], [0])])
    src, out = tmp_path / "w.json", tmp_path / "w.txt"
    uat.save(net, src)
    assert run(capsys, "export", str(src), "--to", "sympy", str(out))[0] == 0
    from uat.export import to_sympy

    line = out.read_text().splitlines()[1]
    assert line == f"y1 = {to_sympy(net)[0]}" and "x1/3 + 1/5" in line and "2*x1/7" in line


BAD = [
    (["--to", "onnx"], "unknown --to value 'onnx'; choose one of: graphml, latex, sympy, torch"),
    (["--to", "sympy", "--max-terms", "5"], "above the limit max_terms=5"),
    (["--to", "latex", "--max-params", "3"], "above the limit max_params=3"),
    (["--to", "torch", "--max-terms", "5"], "--max-terms applies only to --to sympy"),
]


@pytest.mark.parametrize("extra, message", BAD, ids=[b[1][:30] for b in BAD])
def test_bad_arguments_exit_2_with_one_line(capsys, witness, tmp_path, extra, message):
    status, stdout, stderr = run(capsys, "export", str(witness), *extra, str(tmp_path / "out"))
    assert status == 2 and stdout == ""
    assert stderr.count("\n") == 1 and message in stderr and stderr.startswith("uat export: error:")
    assert not (tmp_path / "out").exists()


def test_missing_and_malformed_inputs(capsys, tmp_path):
    status, _, stderr = run(capsys, "export", str(tmp_path / "none.json"), "--to", "torch", str(tmp_path / "o"))
    assert status == 2 and "cannot read" in stderr and stderr.count("\n") == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "uat.network/9"}')
    status, _, stderr = run(capsys, "export", str(bad), "--to", "graphml", str(tmp_path / "o"))
    assert status == 2 and "unknown format" in stderr
    with pytest.raises(SystemExit) as info:
        main(["export", str(bad), str(tmp_path / "o")])  # --to missing: argparse, one line
    assert info.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_write_dispatch_names_the_valid_formats(rng, tmp_path):
    net = random_network(rng, input_dim=1, output_dim=1, width=2, depth=2)
    assert export_formats(net) == ["graphml", "latex", "sympy", "torch"]
    with pytest.raises(MethodError, match="unknown export format 'dot'; known formats: graphml, latex, sympy, torch"):
        write(net, "dot", tmp_path / "x")
    with pytest.raises(MethodError, match="not available for a str"):
        write("a string", "torch", tmp_path / "x")


def test_console_script(witness, tmp_path):
    exe = Path(sys.executable).with_name("uat")
    if not exe.exists():
        pytest.skip("the uat console script is not installed next to this interpreter")
    res = subprocess.run(
        [str(exe), "export", str(witness), "--to", "latex", str(tmp_path / "t.tex")], capture_output=True, text=True
    )
    assert res.returncode == 0, res.stderr
    res = subprocess.run([str(exe), "export", str(witness), "--to", "pdf", "x"], capture_output=True, text=True)
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "choose one of" in res.stderr
