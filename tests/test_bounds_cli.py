"""``uat bounds``: answers with citations, --json, --table, --audit, --theorem, DeepSets, bad arguments."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from uat.cli import main
from uat.theorems import CATALOGUE


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        status = main(["bounds", *argv])
    except SystemExit as exc:  # argparse errors
        status = exc.code
    out, err = capsys.readouterr()
    return status, out, err


def test_text_answer_has_value_and_citations(capsys):
    status, out, err = run(capsys, "--arch", "fnn", "--activation", "relu", "--norm", "lp", "--domain", "compact",
                           "--dx", "2", "--dy", "3")
    assert status == 0 and err == ""
    assert "minimum width: 3 (exact)" in out
    assert "kim2024-relu-lp-compact" in out and "Kim, Min, Park" in out and "2309.10402" in out


def test_json_keys_and_values(capsys):
    status, out, _ = run(capsys, "--activation", "leaky_relu", "--norm", "uniform", "--dx", "2", "--dy", "4", "--json")
    data = json.loads(out)
    assert status == 0
    assert {"width", "lower", "upper", "kind", "theorems"} <= set(data)
    assert (data["width"], data["lower"], data["upper"], data["kind"]) == (5, 5, 5, "exact")
    assert "kim2024-uniform-lower" in data["theorems"] and "hwang2025-uniform" in data["theorems"]
    assert data["ignored"] == ["li2023-leaky-uniform-icml"]

    status, out, _ = run(capsys, "--activation", "relu", "--norm", "uniform", "--dx", "2", "--dy", "2", "--json")
    data = json.loads(out)
    assert (data["width"], data["lower"], data["upper"], data["kind"]) == (None, 3, 4, "interval")


def test_deepsets(capsys):
    status, out, _ = run(capsys, "--arch", "deepsets", "--embedding", "lp", "--N", "4", "--D", "3", "--json")
    data = json.loads(out)
    assert status == 0 and (data["lower"], data["upper"], data["N"], data["D"]) == (16, 9216, 4, 3)
    status, out, _ = run(capsys, "--arch", "deepsets", "--embedding", "le", "--N", "4", "--D", "3")
    assert status == 0 and "between 12 and 2304" in out and "wang2024-deepsets-le" in out


def test_table_audit_and_theorem(capsys):
    status, out, _ = run(capsys, "--table")
    assert status == 0 and all(t.id in out for t in CATALOGUE)
    status, out, _ = run(capsys, "--table", "--json")
    assert status == 0 and len(json.loads(out)) == len(CATALOGUE)
    status, out, _ = run(capsys, "--audit")
    assert status == 0
    assert "d_x=2, d_y=4" in out and "li2023-leaky-uniform-icml claims w_min <= 4" in out
    status, out, _ = run(capsys, "--audit", "--json")
    rows = json.loads(out)
    assert any(r["upper_id"] == "li2023-leaky-uniform-icml" and (r["a"], r["b"]) == (2, 2) for r in rows)
    status, out, _ = run(capsys, "--theorem", "li2023-leaky-uniform-icml", "--json")
    info = json.loads(out)
    assert status == 0 and info["status"] == "contested" and info["number_checked"] is False


@pytest.mark.parametrize(
    "argv, match",
    [
        (["--activation", "foo", "--dx", "1", "--dy", "1"], "unknown activation 'foo'"),
        (["--dx", "0", "--dy", "1"], "d_x must be a positive integer"),
        (["--dx", "2"], "d_y is required"),
        (["--arch", "deepsets", "--embedding", "lp", "--N", "-4", "--D", "3"], "N must be a positive integer"),
        (["--arch", "deepsets", "--embedding", "lp", "--N", "4", "--D", "1"], "D >= 2"),
        (["--theorem", "nope"], "no theorem with id 'nope'"),
        (["--norm", "uniform", "--domain", "whole", "--dx", "1", "--dy", "1"], "compact domains only"),
        (["--arch", "cnn", "--dx", "1", "--dy", "1"], "invalid choice: 'cnn'"),
        (["--dx", "two", "--dy", "1"], "invalid int value: 'two'"),
        (["--table", "--audit"], "not allowed with argument"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(capsys, argv, match):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and match in err


def test_console_script_exit_status():
    proc = subprocess.run([sys.executable, "-m", "uat", "bounds", "--dx", "0", "--dy", "1"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
