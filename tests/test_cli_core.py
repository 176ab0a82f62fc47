"""The core CLI: show, demo, and one-line errors with exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import uat
from uat.cli import main
from uat.testing import tent_network

ROOT = Path(__file__).resolve().parents[1]


def test_show_text_and_json(tmp_path, capsys):
    path = tmp_path / "t.json"
    uat.save(tent_network(3).with_metadata(construction="hand"), path)
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "width       2" in out and "construction" in out
    assert main(["show", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    for key in ("input_dim", "output_dim", "width", "widths", "depth", "n_params", "activations", "metadata"):
        assert key in info
    assert info["widths"] == [2, 2, 2] and info["depth"] == 4


@pytest.mark.parametrize("argv", [["show"], ["nosuchcommand"], ["show", "/nonexistent/file.json"]])
def test_bad_arguments_exit_2_with_one_line(argv):
    res = subprocess.run([sys.executable, "-m", "uat", *argv], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 2
    lines = [l for l in res.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "error" in lines[0] and "Traceback" not in res.stderr


def test_bad_file_is_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "uat.network/1", "input_dim": 1}')
    res = subprocess.run([sys.executable, "-m", "uat", "show", str(bad)], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 2 and "has no 'output_dim' entry" in res.stderr and "Traceback" not in res.stderr
