"""The issue's command-line path: ``uat build relu-... --out w.json`` then ``uat verify w.json``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import uat

UAT = [sys.executable, "-m", "uat"]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, MPLBACKEND="Agg")
    return subprocess.run(UAT + args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_build_then_verify_compact(tmp_path: Path) -> None:
    target = "sin(2*pi*x1)*x2"
    out = _run(["build", "relu-lp-compact", "--target", target, "--dx", "2", "--eps", "0.1", "--p", "1",
                "--out", "w.json"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert "width 2" in out.stdout and "predicted error" in out.stdout
    again = _run(["build", "relu-lp-compact", "--target", target, "--dx", "2", "--eps", "0.1", "--p", "1",
                  "--out", "w2.json"], tmp_path)
    assert again.returncode == 0
    assert (tmp_path / "w.json").read_bytes() == (tmp_path / "w2.json").read_bytes()
    net = uat.load(tmp_path / "w.json")
    assert net.metadata["theorem"] == "kim2024-relu-lp-compact"
    ver = _run(["verify", "w.json", "--target", target, "--norm", "lp", "--p", "1", "--m", "11", "--replicates", "4"],
               tmp_path)
    assert ver.returncode == 0, ver.stdout + ver.stderr
    assert "PASS" in ver.stdout


def test_build_params_and_exact(tmp_path: Path) -> None:
    out = _run(["build", "relu-lp-whole", "--target", "max(0, 1 - 2*abs(x1 - 1/2))", "--eps", "0.2", "--p", "1",
                "--param", "bits=3", "--exact", "--out", "w.json"], tmp_path)
    assert out.returncode == 0, out.stderr
    net = uat.load(tmp_path / "w.json")
    assert net.is_exact and net.width == 2 and net.metadata["parameters"]["bits"] == 3


@pytest.mark.parametrize("extra, words", [(["--param", "bitz=3"], "valid: bits"), (["--eps", "-1"], "eps")])
def test_bad_input_is_one_line(tmp_path: Path, extra: list[str], words: str) -> None:
    args = ["build", "relu-lp-compact", "--target", "x1", "--p", "1", "--out", "w.json"]
    if "--eps" not in extra:
        args += ["--eps", "0.1"]
    out = _run(args + extra, tmp_path)
    assert out.returncode == 2
    assert words in out.stderr and "Traceback" not in out.stderr
