"""The dependency rule, checked with ast (docs/architecture.md).

* ``constructions -> uat`` and ``verification -> uat`` only; ``uat`` imports neither;
  ``verification`` and ``constructions`` never import each other.
* Inside the three packages only ``uat/export/`` imports torch, sympy or networkx.
* ``import uat`` in a fresh interpreter loads none of torch, sympy, networkx, matplotlib.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("uat", "constructions", "verification")  # the packages that are scanned
PROJECT = frozenset(PACKAGES)  # the import targets that the rule restricts
HEAVY = {"torch", "sympy", "networkx"}
# package -> packages of this project it may import
ALLOWED = {"uat": {"uat"}, "constructions": {"uat", "constructions"}, "verification": {"uat", "verification"}}


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    mod = _module_name(path)
    is_pkg = path.name == "__init__.py"
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((a.name, node.lineno) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = mod.split(".")
                base = base if is_pkg else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out.append((target, node.lineno))
    return out


def _edges():
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            for target, line in _imports(path):
                yield pkg, path, target, line


def violations() -> list[str]:
    bad = []
    for pkg, path, target, line in _edges():
        top = target.split(".")[0]
        where = f"{path.relative_to(ROOT)}:{line}"
        if top in PROJECT and top not in ALLOWED[pkg]:
            bad.append(f"{where}: {pkg} must not import {target}")
        if top in HEAVY:
            rel = path.relative_to(ROOT).as_posix()
            if not rel.startswith("uat/export/"):
                bad.append(f"{where}: only uat/export/ may import {top}")
    return bad


def test_no_wrong_edges():
    assert violations() == []


def test_checker_sees_a_wrong_edge(tmp_path, monkeypatch):
    """The checker must fail on a planted upward edge (so the test above can fail)."""
    fake = tmp_path / "verification"
    fake.mkdir()
    (fake / "bad.py").write_text("from constructions import build\nimport torch\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGES", ("verification",))
    found = violations()
    assert any("must not import constructions" in v for v in found)
    assert any("only uat/export/ may import torch" in v for v in found)


@pytest.mark.parametrize("module", ["uat", "verification", "constructions"])
def test_import_stays_light(module):
    code = (
        f"import sys, {module}; heavy = sorted(m for m in ('torch', 'sympy', 'networkx', 'matplotlib') "
        "if m in sys.modules); print(','.join(heavy))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert res.stdout.strip() == ""
