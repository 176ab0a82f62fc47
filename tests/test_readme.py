"""Every command in README.md works as written.

The ``sh`` block is run line by line in a scratch directory that links ``.venv`` and
``docs`` from the repository (so ``.venv/bin/uat`` and ``docs/examples/...`` resolve as
they do from the root); the ``python`` block is executed.  ``make`` lines are not run here
(``make test`` is what runs this file).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_readme_names_the_two_commands():
    assert "make demo" in README and "make test" in README


def test_shell_commands_work(tmp_path):
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    venv = Path(sys.executable).resolve().parents[1]
    (tmp_path / ".venv").symlink_to(ROOT / ".venv" if (ROOT / ".venv").exists() else venv)
    env = dict(os.environ, MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1")
    lines = [l for b in _blocks("sh") for l in b.splitlines() if l.strip()]
    assert lines, "README has no sh block"
    for line in lines:
        res = subprocess.run(shlex.split(line), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, f"README command failed: {line}\n{res.stdout[-1500:]}\n{res.stderr[-1500:]}"
    assert (tmp_path / "u.png").stat().st_size > 0 and (tmp_path / "u.pt").stat().st_size > 0


def test_python_block_works(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (code,) = _blocks("python")
    exec(compile(code, "README.md", "exec"), {"__name__": "__readme__"})
