"""QA regressions for the DeepSets witnesses (issue 7): cases found by an outside-judge pass.

Each test names the bug it guards against.  Sets, pairs and domains here are new (not the
examples of docs/deepsets.md or the other DeepSets tests).
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import numpy as np
import pytest

from constructions import build
from constructions._deepsets_common import N_MAX_BUDGET, coupling_gammas
from uat._rational_linalg import null_vector
from uat._set_layout import AnchorLayout
from uat.deepsets import DeepSets
from uat.domains import parse_domain
from uat.errors import DomainError, PrecisionBudgetExceeded, TargetError
from uat.io import dumps
from uat.set_embedding import SetEmbedding
from uat.set_targets import make_set_target
from verification._set_families import family_sets
from verification.sets import matching_error, measure_deepsets, near_collision_curve, set_sup_error

EPS = 1e-8  # the witnesses' default accuracy (constructions._deepsets_boundary.DEFAULT_EPS)


@pytest.mark.parametrize("name, d", [("deepsets-lp", 1), ("deepsets-le", 3)])
def test_single_element_sets_are_verified_without_a_traceback(name, d):
    # bug: the near-collision curve indexed row 1 of one-element sets (IndexError in `uat verify`)
    net = build(name, N=1, D=d).network
    assert near_collision_curve(net, (1e-2, 0.0)) == []
    est = measure_deepsets(net)
    assert est.value <= EPS and "near_collision_curve" not in est.details


def test_single_anchor_decoder_snaps_columns_to_their_own_roots():
    # bug: with D = 1 there is one anchor candidate; its Vandermonde solve on close nodes was
    # inaccurate, so the decoder preferred merging two rows (errors 1e-4 to 2e-3).  These sets
    # of 8 random points in [-1, 1] (rows 2e-4 to 4e-3 apart) now decode to roundoff.
    lay = AnchorLayout("lp", 8, [[1]], coupling_gammas(7))
    net = DeepSets(SetEmbedding("lp", lay.weight(), degree=8), 8, lay)
    x = np.array([
        [-0.6938351096580018, 0.7262960412191921, 0.593905195828059, -0.8545825555901647,
         -0.8889961780905808, -0.8933939754431524, -0.9597702282274647, -0.8581037742108095],
        [0.6574325508120518, 0.7159234427521175, -0.8793391945237974, 0.6982685087513913,
         -0.4905894060366125, 0.820543691081385, 0.44669533637408154, 0.6963105496551307],
        [-0.07352347873444764, 0.40239073956939864, -0.8830023032445213, -0.08001413331011942,
         -0.07375290793232181, -0.228892231410311, -0.19653517554244404, -0.4358354776319555],
    ])[:, :, None]
    res = net.decode(net.embed(x))
    assert res.n_distinct.tolist() == [8, 8, 8]
    assert max(matching_error(res.sets[i], x[i]) for i in range(3)) <= EPS


@pytest.mark.parametrize("name", ["deepsets-lp", "deepsets-le"])
def test_sets_outside_the_decoder_domain_raise(name):
    # bug: LE evaluated sets with |x| = 10 or 100 silently wrong (errors 3e-2 and 5e2)
    net = build(name, "mean", N=3, D=2).network
    edge = np.array([[[1.0, -1.0], [-1.0, 1.0], [0.25, 1.0]]])
    assert np.abs(net(edge) - edge.mean(axis=1)).max() <= EPS
    with pytest.raises(DomainError, match=r"\|x\| = 10 > 1.*rescale"):
        net(10 * edge)
    with pytest.raises(DomainError, match="rescale"):
        measure_deepsets(net, domain="[-2,2]^2")


@pytest.mark.parametrize("domain", ["[0,1]^2", "[1/2,3/5]x[-1,-9/10]", "[-1/100,1/100]^2"])
def test_near_collision_family_stays_in_the_box(domain):
    # bug: rows were moved by an absolute 0.1, leaving [0, 1]^2 (|x| up to 1.05)
    box = parse_domain(domain, dim=2)
    lo = np.array([float(v) for v in box.lo])
    hi = np.array([float(v) for v in box.hi])
    sets = family_sets("near-collision", 4, box, np.random.default_rng(3), count=64, deltas=(0.1, 0.01, 0.0))
    assert np.all(sets >= lo - 1e-15) and np.all(sets <= hi + 1e-15)


@pytest.mark.parametrize("kw, message", [
    ({"name": "deepsets-lp", "N": 5, "D": 1}, r"N = 5 exceeds .* N <= 4 for D = 1"),
    ({"name": "deepsets-le", "N": 7, "D": 2}, r"N = 7 exceeds .* N <= 6 for D = 2.*deepsets-lp"),
    ({"name": "deepsets-le", "N": 5, "D": 1}, r"N = 5 exceeds .* N <= 4"),
    ({"name": "deepsets-lp", "N": 8, "D": 3, "domain": "[0,1]^3"}, r"N = 8 exceeds .* N <= 7 .*\[0,1\]\^3"),
    ({"name": "deepsets-lp", "N": 3, "D": 2, "domain": "[1/2,7/10]^2"}, r"narrow for its offset .*map the data"),
    ({"name": "deepsets-le", "N": 3, "D": 2, "domain": "[-1/4,1/4]^2"}, r"half-width 0.25 < 1/2.*deepsets-lp"),
])
def test_builders_refuse_settings_beyond_the_float64_budget(kw, message):
    # bug: these built silently and failed their own verifier (errors 1e-6 to 1e-1), e.g.
    # LE N = 7 on duplicated rows, LP N = 8 on [0.5, 0.7]^2, LE N = 6 on [-1/4, 1/4]^2
    name = kw.pop("name")
    with pytest.raises(PrecisionBudgetExceeded, match=message):
        build(name, **kw)


def test_budget_table_and_accepted_edges():
    assert all(n <= 10 for n in N_MAX_BUDGET.values())
    c = build("deepsets-le", N=6, D=3, domain="[0,1]^3")
    assert c.precision["n_max_float64"] == 6
    assert build("deepsets-lp", N=10, D=2).precision["n_max_float64"] == 10


def test_unknown_target_is_named_before_its_parameters():
    # bug: 'exp(x)' was reported as a bad parameter 'x' of a target that does not exist
    with pytest.raises(TargetError, match="unknown set target 'exp'"):
        make_set_target("exp(x)", dim=2)


def _parity_in_directions(c, us):
    even, odd = [], []
    for bits in itertools.product((0, 1), repeat=len(us)):
        row = [ci + sum(b * u[k] for b, u in zip(bits, us)) for k, ci in enumerate(c)]
        (even if sum(bits) % 2 == 0 else odd).append(row)
    return even, odd


@pytest.mark.parametrize("name, kw", [("deepsets-lp", {}), ("deepsets-lp", {"variant": "paper"}), ("deepsets-le", {})])
def test_own_adversarial_pairs_are_separated_exactly_and_decoded(name, kw):
    n, d = 5, 3
    net = build(name, N=n, D=d, **kw).network
    w = [[Fraction(v) for v in row] for row in net.layout.anchors.tolist()]
    us = []
    for g in range(3):  # each step orthogonal to D - 1 = 2 candidates: 6 candidates see equal projections
        u = null_vector(w[2 * g : 2 * g + 2], d)
        scale = 5 * max(abs(t) for t in u)
        us.append([t / scale for t in u])
    even, odd = _parity_in_directions([Fraction(-1, 7)] * d, us)
    pad = [[Fraction(1, 3), Fraction(2, 5), Fraction(-3, 8)]]
    a, b = [Fraction(1, 3), Fraction(-1, 5), Fraction(1, 6)], [Fraction(-1, 2), Fraction(1, 4), Fraction(-2, 9)]
    ab, ba = [a[0]] + b[1:], [b[0]] + a[1:]
    pairs = {
        "parity along anchor-orthogonal steps": (even + pad, odd + pad),
        "doubled channel swap": ([a, a, b, b] + pad, [ab, ab, ba, ba] + pad),
        "doubles vs four distinct rows": ([a, a, b, b] + pad, [a, b, ab, ba] + pad),
    }
    fooled = sum(sorted(sum(p * q for p, q in zip(wj, x)) for x in even) == sorted(sum(p * q for p, q in zip(wj, x)) for x in odd)
                 for wj in w)
    assert fooled >= 6
    for first, second in pairs.values():
        assert sorted(map(tuple, first)) != sorted(map(tuple, second))
        assert net.embed_exact(first) != net.embed_exact(second)
        xs = np.array([[[float(v) for v in r] for r in first], [[float(v) for v in r] for r in second]])
        res = net.decode(net.embed(xs))
        assert max(matching_error(res.sets[i], xs[i]) for i in range(2)) <= EPS


def _reader_pooled(doc, rows):
    """The pooled vector from the JSON alone, as docs/format.md defines it (exact for string weights)."""
    emb = doc["embedding"]
    num = lambda v: Fraction(v) if isinstance(v, str) else v  # noqa: E731
    out = []
    for w in emb["weight"]:
        proj = [sum(num(a) * Fraction(v) for a, v in zip(w, x)) for x in rows]
        if emb["kind"] == "lp":
            out += [sum(p**m for p in proj) for m in range(1, emb["degree"] + 1)]
        else:
            out.append(tuple(sorted(proj)))  # sum of exp(p): exact as the exponent multiset
    return out


def _reader_layout(doc):
    """W rebuilt from the decoder block by the layout rules of docs/format.md."""
    n, d, dec = doc["set_size"], doc["input_dim"], doc["decoder"]
    anchors = [[Fraction(v) for v in row] for row in dec["anchors"]]
    e = [[Fraction(int(i == k)) for k in range(d)] for i in range(d)]
    if dec["kind"] == "anchor-coupling":
        gammas = [Fraction(g) for g in dec["gammas"]]
        return e + anchors + [[a - g * b for a, b in zip(e[i], w)] for i in range(d) for w in anchors for g in gammas]
    rows = [[p * v for v in e[i]] for i in range(d) for p in range(1, n + 1)]
    rows += [[p * v for v in w] for w in anchors for p in range(1, n + 1)]
    rows += [[p * a + q * b for a, b in zip(w, e[i])] for i in range(d) for w in anchors
             for p in range(1, n) for q in range(1, n - p + 1)]
    return rows


@pytest.mark.parametrize("name, kw", [("deepsets-lp", {"N": 4, "D": 2, "variant": "paper"}), ("deepsets-le", {"N": 3, "D": 4})])
def test_witness_file_read_by_an_independent_reader(name, kw):
    net = build(name, "chamfer", **kw).network
    doc = json.loads(dumps(net))
    n, d = doc["set_size"], doc["input_dim"]
    assert [[Fraction(v) for v in row] for row in doc["embedding"]["weight"]] == _reader_layout(doc)
    rng = np.random.default_rng(17)
    rows = [[Fraction(int(rng.integers(-9, 10)), 9) for _ in range(d)] for _ in range(n)]
    assert tuple(_reader_pooled(doc, rows)) == net.embed_exact(rows)
    x = rng.uniform(-1, 1, (8, n, d))
    w = np.array([[float(Fraction(v)) for v in row] for row in doc["embedding"]["weight"]])
    z = x @ w.T
    mine = (np.concatenate([(z**m).sum(axis=1)[:, :, None] for m in range(1, n + 1)], axis=2).reshape(8, -1)
            if doc["embedding"]["kind"] == "lp" else np.exp(z).sum(axis=1))
    got = net.embed(x)
    assert np.max(np.linalg.norm(mine - got, axis=1) / np.linalg.norm(got, axis=1)) <= 1e-14
    assert doc["readout"]["name"] == "chamfer"
    assert np.abs(net(x) - make_set_target("chamfer", dim=d)(x)).max() <= EPS


@pytest.mark.parametrize("target", ["centered", "rank(channel=3)", "attention(beta=-5/2)"])
def test_equivariant_form_on_duplicated_rows(target):
    net = build("deepsets-le", target, N=5, D=3).network
    t = make_set_target(target, dim=3, size=5)
    rng = np.random.default_rng(23)
    x = rng.uniform(-1, 1, (24, 5, 3))
    x[:12, 3] = x[:12, 1]  # a repeated row
    x[12:, 2:] = x[12:, :1]  # three copies of one row
    perm = np.array([rng.permutation(5) for _ in range(24)])
    xp = np.take_along_axis(x, perm[:, :, None], axis=1)
    y = net(x)
    assert np.abs(net(xp) - np.take_along_axis(y, perm[:, :, None], axis=1)).max() <= EPS
    assert np.abs(y - t(x)).max() <= EPS


@pytest.mark.slow
@pytest.mark.parametrize("name, n, d, domain", [
    ("deepsets-lp", 4, 1, "[0,1]"), ("deepsets-le", 4, 1, "[0,1]"), ("deepsets-le", 6, 2, "[0,1]^2"),
    ("deepsets-lp", 7, 2, "[0,1]x[-1,1]"),
])
def test_witnesses_at_the_budget_edges_pass_their_verifier(name, n, d, domain):
    net = build(name, N=n, D=d, domain=domain).network
    for seed in (1, 2):
        assert set_sup_error(net, n_random=128, seed=seed)["error"] <= EPS


def test_width_formulas_against_the_paper_bounds_for_small_n_and_d():
    # the paper's bounds L in [N(D+1), N^5 D^2] (LP) and [ND, N^4 D^2] (LE), arXiv 2307.04001
    from constructions._deepsets_common import lower_bound_le, lower_bound_lp, width_le, width_lp

    outside = []
    for n in range(1, 11):
        for d in range(1, 11):
            lp_i, lp_p, le = width_lp(n, d, "improved"), width_lp(n, d, "paper"), width_le(n, d)
            if not (lower_bound_lp(n, d) <= lp_i <= lp_p <= n**5 * d**2):
                outside.append(("lp", n, d))
            if not (lower_bound_le(n, d) <= le <= n**4 * d**2):
                outside.append(("le", n, d))
    assert outside == [("lp", 1, 1), ("le", 1, 1), ("lp", 1, 2)]  # N = 1: documented in docs/deepsets.md
    # D = 1: one direction's power sums are injective, so the lower bound is N, not N(D+1)
    assert lower_bound_lp(4, 1) == 4
    assert build("deepsets-lp", N=4, D=1).extra_metadata["lower_bound"] == 4


@pytest.mark.parametrize("name, n, d, domain", [
    ("deepsets-lp", 6, 8, "[0,1]^8"),  # was 0.24 on anchor-adversarial sets
    ("deepsets-le", 6, 8, None),  # was 6.7e-2
    ("deepsets-le", 6, 5, "[0,1]^5"),  # was 4.2e-8
])
def test_high_dimensional_settings_beyond_the_budget_are_refused(name, n, d, domain):
    with pytest.raises(PrecisionBudgetExceeded, match=f"N = {n} exceeds .* for D = {d}"):
        build(name, N=n, D=d, domain=domain)


def test_huge_witnesses_are_refused_before_building():
    # bug: LP (paper) at N = 8, D = 10 (L = 1,155,784) took 55 s and a 75 MB file, then verification ran for many minutes
    from uat.errors import BudgetExceeded

    with pytest.raises(BudgetExceeded, match=r"L = 1,155,784 exceeds the size budget of 300,000"):
        build("deepsets-lp", N=8, D=10, variant="paper")
