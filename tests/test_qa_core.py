"""QA of the foundation and the verifier on hand-written witness files (not built by uat).

Each network here is written as plain JSON from docs/format.md, read back by a small reader of
our own (numpy, no uat), and judged by ``uat verify`` / the Python API against targets whose
true error is known in closed form: every certified interval must contain it.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from uat.io import load
from verification import lp_error, sup_error

UAT = [sys.executable, "-m", "uat"]
HAT = Path(__file__).resolve().parents[1] / "docs" / "examples" / "hat.json"  # 2 relu(x) - 4 relu(x - 1/2)
HAT_EXPR = "2*x-4*max(x-0.5,0)"  # the same function as an expression


def _own_eval(doc: dict, x: np.ndarray) -> np.ndarray:
    """A reader of uat.network/1 (relu / leaky_relu / identity) written from docs/format.md alone."""
    h = np.asarray(x, dtype=float)
    for layer in doc["layers"]:
        w = np.array([[float(Fraction(v)) if isinstance(v, str) else float(v) for v in row] for row in layer["weight"]])
        b = np.array([float(Fraction(v)) if isinstance(v, str) else float(v) for v in layer["bias"]])
        z = h @ w.T + b
        act = layer["activation"]
        name = act if isinstance(act, str) else act["name"]
        if name == "relu":
            z = np.maximum(z, 0.0)
        elif name == "leaky_relu":
            z = np.where(z >= 0, z, float(Fraction(act["negative_slope"])) * z)
        h = z
    return h


def _interpolant_doc(knots: list[Fraction], values: list[Fraction]) -> dict:
    """The piecewise-linear interpolant through (knots, values) as one hidden ReLU layer, exact weights."""
    slopes = [(values[k + 1] - values[k]) / (knots[k + 1] - knots[k]) for k in range(len(knots) - 1)]
    out = [slopes[0]] + [slopes[k] - slopes[k - 1] for k in range(1, len(slopes))]
    return {
        "format": "uat.network/1", "input_dim": 1, "output_dim": 1,
        "layers": [
            {"weight": [["1"] for _ in slopes], "bias": [str(-k) for k in knots[:-1]], "activation": "relu"},
            {"weight": [[str(c) for c in out]], "bias": [str(values[0])], "activation": "identity"},
        ],
        "metadata": {},
    }


def test_lp_1d_target_pole_is_not_reported_with_a_finite_upper_bound():
    """|tan(3x)|^(1/2) has a pole at pi/6 that no sample hits, and its square is not integrable: the
    L^2 error is infinite.  The quadrature stops at its budget with a finite sum; without a value
    bound for the target nothing bounds the error, so ``high`` must be inf (it was the quadrature
    estimate, a narrow interval around a finite number)."""
    net = load(HAT)
    r = lp_error(net, f"0.01*abs(tan(3*x))**0.5+{HAT_EXPR}", "[0,1]", p=2, max_intervals=2**12)
    assert not r.certified
    assert math.isinf(r.high)
    assert any("may be infinite" in n for n in r.details["notes"])
    # a bounded target with a converged quadrature keeps its (certified) finite interval
    ok = lp_error(net, f"0.01*sin(7*x)+{HAT_EXPR}", "[0,1]", p=2)
    assert ok.certified and math.isfinite(ok.high) and ok.low <= 0.01 * math.sqrt(0.5 - math.sin(14) / 28) <= ok.high


def test_hand_written_interpolant_of_sqrt_lp_contains_closed_form(tmp_path):
    """PL interpolant of sqrt on m equal pieces of [0,1] (exact knots/values at squares): the L^1 error
    on piece [a, b] is the area between sqrt and its chord, (b^1.5 - a^1.5) * 2/3 - (b - a)(sqrt a + sqrt b)/2."""
    m = 9
    knots = [Fraction(k * k, m * m) for k in range(m + 1)]  # sqrt is rational at these knots
    values = [Fraction(k, m) for k in range(m + 1)]
    doc = _interpolant_doc(knots, values)
    path = tmp_path / "sqrt_interp.json"
    path.write_text(json.dumps(doc))
    xs = np.linspace(0, 1, 1001)[:, None]
    np.testing.assert_allclose(load(path).evaluate(xs), _own_eval(doc, xs), rtol=0, atol=1e-15)
    exact = sum(
        (float(b) ** 1.5 - float(a) ** 1.5) * 2 / 3 - float(b - a) * (math.sqrt(a) + math.sqrt(b)) / 2
        for a, b in zip(knots[:-1], knots[1:])
    )
    out = subprocess.run(UAT + ["verify", str(path), "--target", "sqrt(x)", "--domain", "[0,1]", "--norm", "lp",
                                "--p", "1", "--json"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["certified"] and r["low"] <= exact <= r["high"]
    assert abs(r["value"] - exact) <= 1e-9 * exact


def test_hand_written_3d_sup_with_a_kinked_bump_is_certified_exactly(tmp_path):
    """N(x) = relu(x1+x2+x3-1) + relu(x1-x2)/2 written by hand; the target adds a pyramid of height 0.3
    (abs/max kinks), so the sup error is exactly 0.3, attained at its apex (0.4, 0.6, 0.5)."""
    doc = {"format": "uat.network/1", "input_dim": 3, "output_dim": 1,
           "layers": [{"weight": [["1", "1", "1"], ["1", "-1", "0"]], "bias": ["-1", "0"], "activation": "relu"},
                      {"weight": [["1", "1/2"]], "bias": ["0"], "activation": "identity"}], "metadata": {}}
    path = tmp_path / "hand3d.json"
    path.write_text(json.dumps(doc))
    target = "max(0,x1+x2+x3-1)+max(0,x1-x2)/2+max(0,0.3-abs(x1-0.4)-abs(x2-0.6)-abs(x3-0.5))"
    r = sup_error(load(path), target, "[0,1]^3")
    assert r.method == "regions-3d" and r.certified
    assert r.low <= 0.3 <= r.high <= 0.3 * (1 + 1e-5)


def _verify_file(doc_text: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    path = tmp_path / "w.json"
    path.write_text(doc_text)
    return subprocess.run(UAT + ["verify", str(path), "--target", "x1", "--eps", "0.1", *args],
                          capture_output=True, text=True, timeout=120)


_HAND2D = {"format": "uat.network/1", "input_dim": 2, "output_dim": 1,
           "layers": [{"weight": [["1", "1"], ["1", "-1"]], "bias": ["-1", "0"], "activation": "relu"},
                      {"weight": [["1", "0"]], "bias": ["0"], "activation": "identity"}], "metadata": {}}


@pytest.mark.parametrize(
    "entry, words",
    [
        ("9" * 5000, "more digits"),  # was a ValueError traceback (Python's int-string limit)
        ("1e99999999", "decimal exponent"),  # was a hang: a 330-million-bit integer
        ("1e-99999999", "decimal exponent"),
    ],
)
def test_witness_number_strings_beyond_limits_are_refused_in_one_line(tmp_path, entry, words):
    doc = json.loads(json.dumps(_HAND2D))
    doc["layers"][0]["weight"][0][0] = entry
    out = _verify_file(json.dumps(doc), tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert words in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_per_neuron_activation_list_with_the_wrong_count_is_refused(tmp_path):
    """docs/format.md: the list must have exactly one entry per neuron; ["relu"] for a 2-neuron layer
    was read as plain relu (the uniform list collapsed before the count was checked)."""
    doc = json.loads(json.dumps(_HAND2D))
    doc["layers"][0]["activation"] = ["relu"]
    out = _verify_file(json.dumps(doc), tmp_path)
    assert out.returncode == 2 and "lists 1 neurons but the layer has 2" in out.stderr
    doc["layers"][0]["activation"] = ["relu", "relu"]  # the right count is still read as relu
    assert _verify_file(json.dumps(doc), tmp_path).returncode == 1


@pytest.mark.parametrize(
    "domain, words",
    [
        ("[0,1e99999999]x[0,1]", "decimal exponent"),  # was a hang
        ("[0,1e400]x[0,1]", "float64 range"),  # was an OverflowError traceback
        ("[0,1]x[0,1e-400]", "collapses"),  # was measured (and 'certified') on a degenerate float box
    ],
)
def test_domains_beyond_float64_are_refused(tmp_path, domain, words):
    out = _verify_file(json.dumps(_HAND2D), tmp_path, "--domain", domain)
    assert out.returncode == 2 and "Traceback" not in out.stderr and words in out.stderr


def test_lp_1d_cancellation_at_large_offsets_widens_the_certified_interval(tmp_path):
    """The PL interpolant of x^2 on 4 pieces of [10^6, 10^6 + 1] (exact weights): the error on each piece
    is (x - a)(b - x), so ||e||_p^p = 4 h^(2p+1) B(p+1, p+1) with h = 1/4.  f and N are 10^12 in size and
    float64 gives f - N only to ~1e-4; the certified interval used to exclude the truth (p = 1.5:
    [0.01098038, 0.01098039] against 0.01097962)."""
    knots = [Fraction(10**6) + Fraction(k, 4) for k in range(5)]
    path = tmp_path / "square_far.json"
    path.write_text(json.dumps(_interpolant_doc(knots, [k * k for k in knots])))
    net = load(path)
    for p in (1.5, 3):
        exact = (4 * 0.25 ** (2 * p + 1) * math.gamma(p + 1) ** 2 / math.gamma(2 * p + 2)) ** (1 / p)
        r = lp_error(net, "x**2", "[1000000,1000001]", p=p)
        assert r.low <= exact <= r.high, (p, r.low, r.high, exact)
    # an ordinary case keeps its tight interval (the widening is at the rounding level of the scale)
    ok = lp_error(load(HAT), f"0.01*sin(7*x)+{HAT_EXPR}", "[0,1]", p=2)
    assert ok.certified and ok.high - ok.low < 1e-6 * ok.value


def _far_kink_2d():
    """N(x) = 2e6 x1 + relu(x1 - c) on [10^6, 10^6 + 1] x [0, 1], c = 10^6 + 1/2, with the target
    f = 2e6 x1 + 0.3 relu(x1 - c) + 0.001 sin(x2): e = 0.7 relu(x1 - c) - 0.001 sin(x2), so the sup
    error is exactly 0.35 (at x1 = c + 1/2, x2 = 0), while f and N are 2e12 in size."""
    from uat.network import FeedForward

    c = Fraction(10**6) + Fraction(1, 2)
    net = FeedForward.from_layers([([[1, 0], [1, 0]], [0, -c], "relu"), ([[2 * 10**6, 1]], [0], "identity")])
    return net, "2000000*x1 + 0.3*max(x1-1000000.5,0) + 0.001*sin(x2)", "[1000000,1000001]x[0,1]"


def test_region_sup_cancellation_at_large_offsets_widens_the_certified_interval():
    """The 2-D region certificate used to report [0.350098, 0.350229] (excluding the exact 0.35): the
    attained value is a difference of two float64 numbers of size 2e12."""
    net, f, dom = _far_kink_2d()
    r = sup_error(net, f, dom)
    assert r.certified and r.method == "regions-2d"
    assert r.low <= 0.35 <= r.high, (r.low, r.high)
    assert any("rounding level" in n for n in r.details["notes"])


def test_region_lp_cancellation_at_large_offsets_widens_the_certified_interval():
    """The same network in L^1: ||e||_1 = int_0^1 int_0^1 |0.7 relu(s - 1/2) - 0.001 sin(y)| ds dy,
    computed in shifted coordinates (no cancellation) by scipy."""
    from scipy import integrate

    net, f, dom = _far_kink_2d()
    truth, _ = integrate.dblquad(lambda y, s: abs(0.7 * max(s - 0.5, 0) - 0.001 * math.sin(y)), 0, 1, 0, 1,
                                 epsabs=1e-13, epsrel=1e-12)
    r = lp_error(net, f, dom, p=1, method="regions-2d")
    assert r.certified and r.low <= truth <= r.high, (r.low, r.high, truth)
