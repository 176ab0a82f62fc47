"""Every runnable example in docs/examples/ runs to completion (each in a fresh interpreter)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "docs" / "examples").glob("*.py"))
TIMEOUT_S = 120


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script: Path, tmp_path: Path) -> None:
    env = dict(os.environ, MPLBACKEND="Agg", UAT_EXAMPLE_OUT=str(tmp_path))
    res = subprocess.run(
        [sys.executable, str(script)], cwd=script.parents[2], env=env,
        capture_output=True, text=True, timeout=TIMEOUT_S,
    )
    assert res.returncode == 0, f"{script.name} failed:\n{res.stdout[-2000:]}\n{res.stderr[-4000:]}"
