"""The DeepSets verifier: sup error over random and adversarial sets, invariance, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import uat
from constructions import build
from uat._set_layout import AnchorLayout
from uat.deepsets import DeepSets
from uat.errors import ParameterError
from uat.set_embedding import SetEmbedding
from uat.tolerances import tol
from verification._dispatch import measure
from verification._set_families import FAMILIES, family_sets
from verification.sets import decode_error, invariance_error, near_collision_curve, set_sup_error


@pytest.mark.parametrize("target", ["pairwise-distance-sum", "order-statistic(k=2, channel=2)", "chamfer",
                                    "min-pairwise-distance", "lex-median", "centered", "attention"])
def test_sup_error_over_random_and_adversarial_sets(target):
    net = build("deepsets-lp", N=4, D=3).network
    rep = set_sup_error(net, target, n_random=64)
    assert rep["error"] <= tol("decode"), rep["per_family"]
    for fam in ("random", "duplicates", "near-collision", "channel-swap", "parity", "anchor-adversarial"):
        assert fam in rep["per_family"]


def test_le_witness_sup_error():
    net = build("deepsets-le", N=4, D=3).network
    rep = set_sup_error(net, "sum", n_random=64)
    assert rep["error"] <= tol("decode"), rep["per_family"]


def test_families_stay_in_the_box(rng):
    box = uat.parse_domain("[-1,1]^3")
    anchors = np.asarray(build("deepsets-lp", N=4, D=3).network.layout.as_float().anchors)
    for name in FAMILIES:
        sets = family_sets(name, 4, box, rng, anchors=anchors)
        assert sets.shape[1:] == (4, 3) and sets.shape[0] > 0
        assert np.all(np.abs(sets) <= 1.0 + 1e-12), name


def test_the_verifier_can_fail():
    """A layout with a single anchor candidate (K1 = 1 < N(N-1)(D-1)/2 + 1) misses anchor-adversarial sets."""
    lay = AnchorLayout("lp", 3, [[1, 1]], ["-1/2", "1/2"])
    net = DeepSets(SetEmbedding("lp", lay.weight(), degree=3), 3, lay)
    rep = set_sup_error(net, None, n_random=32)  # the decoded set itself (sums would survive a bad anchor)
    assert rep["per_family"]["anchor-adversarial"] > 1e-3
    assert rep["error"] > 1e-3


def test_invariance_of_the_full_network(rng):
    net = build("deepsets-lp", "pairwise-distance-sum", N=5, D=3).network
    sets = rng.uniform(-1, 1, (40, 5, 3))
    inv = invariance_error(net, sets)
    assert inv["pooled_relative"] <= tol("permutation_invariance")
    assert inv["output_relative"] <= tol("decode")
    eq = build("deepsets-le", "centered", N=4, D=2).network
    inv = invariance_error(eq, rng.uniform(-1, 1, (20, 4, 2)))
    assert inv["output_relative"] <= tol("decode")


def test_decoding_after_matching_and_near_collision_curve(rng):
    net = build("deepsets-lp", N=4, D=2).network
    errs, res = decode_error(net, rng.uniform(-1, 1, (30, 4, 2)))
    assert errs.max() <= tol("decode") and res.residual.max() < 1e-12
    curve = near_collision_curve(net, [1e-1, 1e-3, 1e-6, 0.0], count=10)
    errors = dict(curve)
    assert errors[1e-1] <= tol("decode") and errors[1e-3] <= tol("decode") and errors[0.0] <= tol("decode")
    assert errors[1e-6] <= 1e-6  # unresolvable pairs are merged: error at most about delta / 2
    with pytest.raises(ParameterError):
        near_collision_curve(net, [0.5])


def test_handler_and_mismatched_readout():
    net = build("deepsets-lp", "mean", N=3, D=2).network
    res = measure(net, None, norm="sup")
    assert res.method == "sampled-sets" and not res.certified and res.value <= tol("decode")
    assert res.details["exact_injectivity"]["channel-swap"] == "separated"
    with pytest.raises(ParameterError, match="readout"):
        measure(net, "sum", norm="sup")
    with pytest.raises(ParameterError):
        measure(net, None, norm="lp", p=2)


def _uat(*args, cwd):
    return subprocess.run([sys.executable, "-m", "uat", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_cli_build_show_verify(tmp_path):
    out = _uat("build", "deepsets-lp", "--N", "4", "--D", "3", "--out", "e.json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "width 532" in out.stdout
    shown = _uat("show", "e.json", cwd=tmp_path)
    assert shown.returncode == 0 and "deepsets" in shown.stdout
    ver = _uat("verify", "e.json", "--target", "pairwise-distance-sum", "--json", cwd=tmp_path)
    assert ver.returncode == 0, ver.stderr
    doc = json.loads(ver.stdout)
    assert doc["verdict"] == "pass" and doc["value"] <= 1e-8 and doc["method"] == "sampled-sets"
    assert set(doc["details"]["per_family"]) >= {"random", "parity", "anchor-adversarial"}
    bad = _uat("build", "deepsets-lp", "--N", "12", "--D", "2", "--out", "f.json", cwd=tmp_path)
    assert bad.returncode == 2 and "budget" in bad.stderr
