"""The DeepSets core: embedding, layout, decoder, set targets, the uat.deepsets/1 format."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

import uat
from uat._set_decode import decode, roots_from_power_sums
from uat._set_layout import AnchorLayout
from uat.deepsets import DeepSets
from uat.errors import DimensionMismatch, ExactnessError, FormatError, ParameterError, TargetError
from uat.set_embedding import SetEmbedding
from uat.set_targets import SET_TARGET_NAMES, make_set_target
from uat.tolerances import tol

from constructions._deepsets_common import anchor_candidates, coupling_gammas


def _net(kind: str, n: int, d: int, variant_k2: int | None = None, readout=None) -> DeepSets:
    if kind == "lp":
        lay = AnchorLayout("lp", n, anchor_candidates(n, d), coupling_gammas(n - 1 if variant_k2 is None else variant_k2))
        return DeepSets(SetEmbedding("lp", lay.weight(), degree=n), n, lay, readout)
    lay = AnchorLayout("le", n, anchor_candidates(n, d))
    return DeepSets(SetEmbedding("le", lay.weight()), n, lay, readout)


def _match(a: np.ndarray, b: np.ndarray) -> float:
    from scipy.optimize import linear_sum_assignment

    cost = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    r, c = linear_sum_assignment(cost)
    return float(np.max(np.abs(a[r] - b[c])))


# -- embedding ------------------------------------------------------------------------------
def test_exact_and_float_pooling_agree(rng):
    net = _net("lp", 4, 3)
    x = rng.integers(-8, 9, size=(4, 3))
    exact = net.embed_exact([[Fraction(int(v), 8) for v in row] for row in x])
    flt = net.embed(x / 8.0)[0]
    ref = np.array([float(v) for v in exact])
    assert np.max(np.abs(flt - ref)) <= tol("set_embedding_exact_vs_float") * max(1.0, np.max(np.abs(ref)))


def test_le_exact_pooling_is_exponent_multisets():
    emb = SetEmbedding("le", [[1, 0], [0, 2]])
    out = emb.pool_exact([["1/2", 0], [1, "1/3"]])
    assert out == ((Fraction(1, 2), Fraction(1)), (Fraction(0), Fraction(2, 3)))
    flt = emb.pool(np.array([[[0.5, 0.0], [1.0, 1 / 3]]]))[0]
    assert np.allclose(flt, [np.exp(0.5) + np.exp(1.0), 1.0 + np.exp(2 / 3)], rtol=1e-15)


@pytest.mark.parametrize("kind", ["lp", "le"])
def test_permutation_invariance_of_the_pooled_vector(kind, rng):
    net = _net(kind, 6, 4)
    x = rng.uniform(-1, 1, (50, 6, 4))
    perm = np.stack([rng.permutation(6) for _ in range(50)])
    s = net.embed(x)
    sp = net.embed(np.take_along_axis(x, perm[:, :, None], axis=1))
    rel = np.linalg.norm(sp - s, axis=1) / np.linalg.norm(s, axis=1)
    assert rel.max() <= tol("permutation_invariance")


def test_embedding_rejects_bad_input():
    with pytest.raises(ExactnessError):
        SetEmbedding("lp", [[Fraction(1, 2), 0.5]], degree=2)
    with pytest.raises(ParameterError, match="degree"):
        SetEmbedding("lp", [[1, 0]])
    with pytest.raises(ParameterError, match="unknown embedding kind"):
        SetEmbedding("relu", [[1, 0]])
    emb = SetEmbedding("lp", [[1, 0]], degree=2)
    with pytest.raises(DimensionMismatch):
        emb.pool(np.zeros((2, 3)))
    with pytest.raises(ExactnessError):
        emb.pool_exact([[0.5, 0]])


# -- layout ---------------------------------------------------------------------------------
def test_layout_row_counts_match_width_formulas():
    lay = AnchorLayout("lp", 4, anchor_candidates(4, 3), coupling_gammas(3))
    assert lay.n_rows * 4 == 532
    lay = AnchorLayout("le", 4, anchor_candidates(4, 3))
    assert lay.n_rows == 298


def test_layout_validation():
    with pytest.raises(ParameterError, match="at least N - 1"):
        AnchorLayout("lp", 4, [[1, 0]], ["1/2"])
    with pytest.raises(ParameterError, match="nonzero"):
        AnchorLayout("lp", 2, [[1, 0]], [0])
    with pytest.raises(ParameterError, match="distinct"):
        AnchorLayout("lp", 3, [[1, 0]], ["1/2", "1/2"])
    lay = AnchorLayout("lp", 2, [[1, 1]], ["1/2"])
    w = np.array(lay.weight())
    w[3, 0] = Fraction(1, 3)
    with pytest.raises(DimensionMismatch, match="row 3"):
        lay.check_weight(w)


# -- decoder --------------------------------------------------------------------------------
def test_roots_from_power_sums():
    p = np.array([sum(v**m for v in (0.5, -0.25, 0.75)) for m in (1, 2, 3)])
    assert np.allclose(np.sort(roots_from_power_sums(p).real), [-0.25, 0.5, 0.75], atol=1e-14)


@pytest.mark.parametrize("kind", ["lp", "le"])
@pytest.mark.parametrize("n,d", [(2, 2), (3, 4), (4, 3), (5, 2), (6, 4)])
def test_decoding_recovers_random_sets(kind, n, d, rng):
    net = _net(kind, n, d)
    x = rng.uniform(-1, 1, (40, n, d))
    res = net.decode(net.embed(x))
    worst = max(_match(res.sets[i], x[i]) for i in range(40))
    assert worst <= tol("decode"), f"{kind} N={n} D={d}: {worst:.2e}"
    assert np.all(res.n_distinct == n)


@pytest.mark.parametrize("kind", ["lp", "le"])
@pytest.mark.parametrize("pattern", ["pair", "triple", "two-pairs", "all"])
def test_decoding_recovers_duplicated_rows(kind, pattern, rng):
    n, d = 6, 3
    net = _net(kind, n, d)
    x = rng.uniform(-1, 1, (30, n, d))
    groups = {"pair": [(0, 1)], "triple": [(0, 1, 2)], "two-pairs": [(0, 1), (2, 3)], "all": [tuple(range(n))]}[pattern]
    for g in groups:
        x[:, list(g[1:])] = x[:, g[:1]]
    res = net.decode(net.embed(x))
    worst = max(_match(res.sets[i], x[i]) for i in range(30))
    assert worst <= tol("decode"), f"{kind} {pattern}: {worst:.2e}"
    distinct = n - sum(len(g) - 1 for g in groups)
    assert np.all(res.n_distinct == distinct)


def test_decoder_rejects_wrong_shapes_and_nonfinite():
    net = _net("lp", 3, 2)
    with pytest.raises(DimensionMismatch):
        net.decode(np.zeros((1, 5)))
    with pytest.raises(uat.errors.NonFiniteError):
        net.decode(np.full((1, net.width), np.nan))


def test_residual_flags_a_corrupted_pooled_vector(rng):
    net = _net("lp", 4, 2)
    s = net.embed(rng.uniform(-1, 1, (5, 4, 2)))
    good = decode(net.layout, s).residual
    s[:, 7] += 0.1  # no set has this pooled vector
    bad = decode(net.layout, s).residual
    assert good.max() < 1e-13 and bad.min() > 1e-6


# -- the full network -----------------------------------------------------------------------
def test_full_network_invariant_and_equivariant(rng):
    x = rng.uniform(-1, 1, (20, 4, 3))
    for name in ("pairwise-distance-sum", "min-pairwise-distance", "chamfer", "mean", "max(channel=3)"):
        net = _net("lp", 4, 3, readout=name)
        t = make_set_target(name, dim=3, size=4)
        assert np.max(np.abs(net(x) - t(x))) <= tol("decode")
    for name in ("centered", "attention(beta=2)", "rank(channel=1)"):
        net = _net("le", 4, 3, readout=name)
        t = make_set_target(name, dim=3, size=4)
        perm = rng.permutation(4)
        out = net(x)
        assert out.shape == (20, 4, t.output_dim)
        assert np.max(np.abs(out - t(x))) <= tol("decode")
        assert np.max(np.abs(net(x[:, perm]) - out[:, perm])) <= tol("decode")


def test_rho_is_target_of_decode(rng):
    net = _net("lp", 3, 2, readout="sum")
    x = rng.uniform(-1, 1, (4, 3, 2))
    assert np.allclose(net.rho(net.embed(x)), x.sum(axis=1), atol=1e-13)
    eq = net.with_readout("centered")
    assert np.allclose(eq.rho(eq.embed(x), x), x - x.mean(axis=1, keepdims=True), atol=1e-13)
    with pytest.raises(ParameterError, match="query"):
        eq.rho(eq.embed(x))


def test_descriptors_and_summary():
    net = _net("lp", 4, 3, readout="pairwise-distance-sum")
    assert (net.width, net.depth, net.input_shape, net.output_dim) == (532, 1, (4, 3), 1)
    assert net.n_params == (532 // 4) * 3
    info = net.summary()
    assert info["kind"] == "deepsets" and info["width"] == 532 and info["rho"] == "pairwise-distance-sum o decode"
    assert json.loads(json.dumps(info)) == info
    assert net.with_metadata(a=1).metadata["a"] == 1


def test_wrong_set_size_is_refused(rng):
    net = _net("lp", 3, 2)
    with pytest.raises(DimensionMismatch, match="N = 3"):
        net(rng.uniform(-1, 1, (2, 4, 2)))


# -- set targets ----------------------------------------------------------------------------
def test_every_set_target_is_invariant_or_equivariant(rng):
    x = rng.uniform(-1, 1, (10, 5, 3))
    perm = rng.permutation(5)
    for name in SET_TARGET_NAMES:
        t = make_set_target(name, dim=3, size=5)
        a, b = t(x), t(x[:, perm])
        if t.equivariant:
            assert np.allclose(b, a[:, perm], atol=1e-13), name
        else:
            assert np.allclose(a, b, atol=1e-13), name


def test_set_target_values():
    x = np.array([[[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]]])
    assert make_set_target("pairwise-distance-sum", dim=2)(x)[0, 0] == pytest.approx(1 + 4 + 5)
    assert make_set_target("min-pairwise-distance", dim=2)(x)[0, 0] == pytest.approx(1.0)
    assert make_set_target("lex-median", dim=2)(x)[0].tolist() == [0.0, 2.0]
    assert make_set_target("rank(channel=2)", dim=2)(x)[0, :, 0].tolist() == [0.5, 0.5, 2.0]
    ch = make_set_target("chamfer", dim=2, reference=[[0.0, 0.0]])(x)[0, 0]
    assert ch == pytest.approx((0 + 1 + 4) / 3 + 0.0)


def test_set_target_errors():
    with pytest.raises(TargetError, match="unknown set target"):
        make_set_target("median", dim=2)
    with pytest.raises(ParameterError, match="channel"):
        make_set_target("max(channel=3)", dim=2)
    with pytest.raises(ParameterError, match="k in 1..N"):
        make_set_target("order-statistic(k=5)", dim=2, size=4)
    with pytest.raises(ParameterError, match="cannot read the parameter"):
        make_set_target("max(channel=__import__)", dim=2)
    with pytest.raises(ParameterError, match="takes"):
        make_set_target("sum(k=1)", dim=2)


# -- format ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["lp", "le"])
def test_round_trip_is_exact_and_deterministic(kind, tmp_path, rng):
    net = _net(kind, 3, 2, readout="chamfer").with_metadata(construction="test")
    p1, p2 = tmp_path / "a.json", tmp_path / "b.json"
    uat.save(net, p1)
    back = uat.load(p1)
    assert isinstance(back, DeepSets) and back == net and back.is_exact
    uat.save(back, p2)
    assert p1.read_bytes() == p2.read_bytes()
    x = rng.uniform(-1, 1, (5, 3, 2))
    assert np.array_equal(back(x), net(x))
    flt = net.as_float()
    assert uat.loads(uat.dumps(flt)) == flt and not uat.loads(uat.dumps(flt)).is_exact


def _doc(net: DeepSets) -> dict:
    return json.loads(uat.dumps(net))


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda d: d.update(latent_dim=5), "latent_dim"),
        (lambda d: d["embedding"].update(kind="relu"), "kind"),
        (lambda d: d["embedding"]["weight"][4].__setitem__(0, "7/3"), "disagrees with the layout"),
        (lambda d: d["embedding"].update(pooling="max"), "sum pooling"),
        (lambda d: d["decoder"].update(gammas=["1/2", "1/2"]), "distinct"),
        (lambda d: d.update(readout={"name": "nope", "params": {}}), "unknown set target"),
        (lambda d: d.update(extra=1), "unknown keys"),
        (lambda d: d.update(set_size=0), ">= 1"),
        (lambda d: d["embedding"]["weight"][0].__setitem__(0, 1.5), "mixes|disagrees"),
    ],
)
def test_format_validation(mutate, message):
    doc = _doc(_net("lp", 3, 2, readout="sum"))
    mutate(doc)
    with pytest.raises(FormatError, match=message):
        uat.loads(json.dumps(doc))
