"""deepsets-lp / deepsets-le: exact width formulas, exact injectivity, the lower-bound collision."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

from constructions import build, get_spec
from constructions._deepsets_common import (
    N_MAX_FLOAT, k1, lower_bound_le, lower_bound_lp, width_le, width_lp,
)
from constructions.deepsets_lower import colliding_pair, lower_bound_demo
from uat.errors import ParameterError, PrecisionBudgetExceeded
from verification._set_families import adversarial_pairs
from verification.sets import exact_injectivity

# The three width tables of shared/reference/rnn_deepsets.md section B5 (rows N = 2..10, columns D = 2..10).
TABLE_LP_PAPER = """
32 66 112 170 240 322 416 522 640
186 471 882 1419 2082 2871 3786 4827 5994
764 2092 4044 6620 9820 13644 18092 23164 28860
2375 6735 13195 21755 32415 45175 60035 76995 96055
6060 17502 34524 57126 85308 119070 158412 203334 253836
13412 39151 77532 128555 192220 268527 357476 459067 573300
26696 78456 155752 258584 386952 540856 720296 925272 1155784
48969 144567 287469 477675 715185 999999 1332117 1711539 2138265
84200 249370 496440 825410 1236280 1729050 2303720 2960290 3698760
"""
TABLE_LP_IMPROVED = """
16 30 48 70 96 126 160 198 240
66 156 282 444 642 876 1146 1452 1794
204 532 1004 1620 2380 3284 4332 5524 6860
505 1380 2655 4330 6405 8880 11755 15030 18705
1068 2994 5820 9546 14172 19698 26124 33450 41676
2016 5740 11228 18480 27496 38276 50820 65128 81200
3496 10056 19752 32584 48552 67656 89896 115272 143784
5679 16452 32409 53550 79875 111384 148077 189954 237015
8760 25510 50360 83310 124360 173510 230760 296110 369560
"""
TABLE_LE = """
12 21 32 45 60 77 96 117 140
42 93 162 249 354 477 618 777 954
120 298 548 870 1264 1730 2268 2878 3560
285 750 1415 2280 3345 4610 6075 7740 9605
588 1599 3060 4971 7332 10143 13404 17115 21276
1092 3031 5852 9555 14140 19607 25956 33187 41300
1872 5268 10232 16764 24864 34532 45768 58572 72944
3015 8568 16713 27450 40779 56700 75213 96318 120015
4620 13225 25880 42585 63340 88145 117000 149905 186860
"""


def _table(text: str) -> dict[tuple[int, int], int]:
    rows = [list(map(int, line.split())) for line in text.strip().splitlines()]
    return {(n, d): rows[n - 2][d - 2] for n in range(2, 11) for d in range(2, 11)}


@pytest.mark.parametrize(
    "table,formula",
    [(TABLE_LP_PAPER, lambda n, d: width_lp(n, d, "paper")), (TABLE_LP_IMPROVED, lambda n, d: width_lp(n, d, "improved")),
     (TABLE_LE, width_le)],
    ids=["lp-paper", "lp-improved", "le"],
)
def test_width_formulas_reproduce_the_reference_tables(table, formula):
    for (n, d), value in _table(table).items():
        assert formula(n, d) == value, (n, d)


def test_widths_respect_the_paper_bounds():
    for n, d in itertools.product(range(2, 11), range(2, 11)):
        assert lower_bound_lp(n, d) <= width_lp(n, d, "improved") <= width_lp(n, d, "paper") <= n**5 * d**2
        assert lower_bound_le(n, d) <= width_le(n, d) <= n**4 * d**2


@pytest.mark.parametrize("name,variant", [("deepsets-lp", "improved"), ("deepsets-lp", "paper"), ("deepsets-le", None)])
def test_built_width_equals_the_spec_and_metadata(name, variant):
    kw = {"N": 4, "D": 3} | ({"variant": variant} if variant else {})
    c = build(name, "pairwise-distance-sum", **kw)
    spec = get_spec(name)
    assert c.network.width == c.width == spec.width(**kw)
    md = c.network.metadata
    assert md["width_lp_improved"] == 532 and md["width_lp_paper"] == 2092 and md["width_le"] == 298
    assert md["lower_bound_lp"] == 16 and md["theorem"] == spec.theorem
    assert md["parameters"]["K1"] == k1(4, 3) == 13


@pytest.mark.parametrize("name,variant", [("deepsets-lp", "improved"), ("deepsets-lp", "paper"), ("deepsets-le", None)])
@pytest.mark.parametrize("n,d", [(2, 2), (4, 3), (5, 4)])
def test_adversarial_pairs_are_separated_exactly(name, variant, n, d):
    kw = {"N": n, "D": d} | ({"variant": variant} if variant else {})
    net = build(name, **kw).network
    checks = exact_injectivity(net)
    names = {c.name for c in checks}
    assert "channel-swap" in names and "anchor-swap" in names and ("parity" in names) == (n >= 4)
    for c in checks:
        assert not c.equivalent and not c.pooled_equal, c.name


def test_anchor_swap_pair_really_fools_those_candidates():
    net = build("deepsets-lp", N=3, D=3).network
    anchors = net.layout.anchors.tolist()
    (a, b) = adversarial_pairs(3, 3, anchors)["anchor-swap"]
    for w in anchors[:4]:  # the first 2 (D - 1) candidates see identical projections
        pa = sorted(sum(wi * xi for wi, xi in zip(w, row)) for row in a)
        pb = sorted(sum(wi * xi for wi, xi in zip(w, row)) for row in b)
        assert pa == pb


def _multisets(values, n, d):
    points = list(itertools.product(values, repeat=d))
    return [list(c) for c in itertools.combinations_with_replacement(points, n)]


@pytest.mark.parametrize("name,variant", [("deepsets-lp", "improved"), ("deepsets-le", None)])
def test_no_collision_on_a_grid_of_multisets(name, variant):
    """Brute force: all multisets of 3 points of {-1, 0, 1}^2 have distinct exact embeddings."""
    kw = {"N": 3, "D": 2} | ({"variant": variant} if variant else {})
    net = build(name, **kw).network
    seen = {}
    for ms in _multisets((-1, 0, 1), 3, 2):
        key = net.embed_exact([[Fraction(v) for v in p] for p in ms])
        assert key not in seen, (ms, seen.get(key))
        seen[key] = ms
    assert len(seen) == 165


@pytest.mark.parametrize("n,d", [(2, 2), (3, 2), (4, 3), (3, 5)])
def test_lower_bound_collision_is_exact(n, d):
    demo = lower_bound_demo(n, d)
    assert demo.network.width == n * d < demo.lower_bound == n * (d + 1)
    assert demo.pooled_equal and not demo.equivalent


def test_lower_bound_with_fewer_directions():
    w = [[Fraction(1), Fraction(2), Fraction(-1)], [Fraction(0), Fraction(1), Fraction(1)]]
    a, b = colliding_pair(w, 3)
    demo = lower_bound_demo(3, 3, directions=w)
    assert demo.pooled_equal and not demo.equivalent
    assert sorted(map(tuple, a)) != sorted(map(tuple, b))
    with pytest.raises(ParameterError, match="K <= D"):
        colliding_pair(w + [[Fraction(1), Fraction(0), Fraction(0)]] * 2, 3)


def test_lower_bound_demo_detected_by_the_exact_checker():
    demo = lower_bound_demo(3, 2)
    checks = exact_injectivity(demo.network, {"collision": (list(demo.first), list(demo.second))})
    assert checks[0].pooled_equal and not checks[0].equivalent and not checks[0].separated


def test_bad_parameters():
    with pytest.raises(PrecisionBudgetExceeded, match="budget"):
        build("deepsets-lp", N=N_MAX_FLOAT + 1, D=2)
    with pytest.raises(ParameterError, match="N must be"):
        build("deepsets-le", N=0, D=2)
    with pytest.raises(ParameterError, match="variant"):
        build("deepsets-lp", N=3, D=2, variant="tiny")
    with pytest.raises(PrecisionBudgetExceeded, match="rescale"):
        build("deepsets-lp", N=3, D=2, domain="[-2,2]^2")
    with pytest.raises(ParameterError, match="eps"):
        build("deepsets-lp", N=3, D=2, eps=-1.0)


def test_decoder_on_the_paper_variant(rng):
    net = build("deepsets-lp", N=5, D=3, variant="paper").network
    x = rng.uniform(-1, 1, (20, 5, 3))
    res = net.decode(net.embed(x))
    from verification.sets import matching_error

    assert max(matching_error(res.sets[i], x[i]) for i in range(20)) <= 1e-8
    assert np.all(res.residual < 1e-12)


def test_exact_embedding_equal_iff_equivalent_property():
    """Hypothesis: for rational pairs (often permutations of each other), equal exact embeddings iff X ~ X'."""
    hyp = pytest.importorskip("hypothesis")
    st = hyp.strategies
    lp = build("deepsets-lp", N=3, D=2).network
    le = build("deepsets-le", N=3, D=2).network
    entry = st.integers(-3, 3).map(lambda k: Fraction(k, 3))
    row = st.lists(entry, min_size=2, max_size=2)
    rows = st.lists(row, min_size=3, max_size=3)

    @hyp.given(rows, rows, st.permutations(range(3)), st.booleans())
    def check(a, b, perm, permute):
        if permute:
            b = [a[i] for i in perm]
        same = sorted(map(tuple, a)) == sorted(map(tuple, b))
        for net in (lp, le):
            assert (net.embed_exact(a) == net.embed_exact(b)) == same

    check()
