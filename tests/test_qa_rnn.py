"""QA regressions for the deep RNN witnesses (issue 6): unseen targets, boxes and budgets.

Each test here reproduces a defect found by building witnesses the way an outside judge would
(own causal targets, boxes away from [0, 1], tight eps, wide domains) and reading the JSON with a
reader written from docs/format.md alone.
"""

from __future__ import annotations

import json
import time
from fractions import Fraction

import numpy as np
import pytest

from constructions import build
from uat import io as uio
from uat.errors import BudgetExceeded, PrecisionBudgetExceeded
from uat.sequence_targets import make_sequence_target
from uat.tolerances import tol


# -- a plain reader of uat.rnn/1 (docs/format.md), float64 and exact ----------------------------------------------

def _num(v, exact):
    return (Fraction(v) if exact else float(Fraction(v))) if isinstance(v, str) else (Fraction(v) if exact else float(v))


def _act(cell):
    a = cell["activation"]
    return a if isinstance(a, str) else a["name"]


def _run(cell, H, reverse=False):
    f = {"relu": lambda z: np.maximum(z, 0), "identity": lambda z: z, "tanh": np.tanh,
         "sigmoid": lambda z: 1 / (1 + np.exp(-z))}[_act(cell)]
    B = np.array([[_num(a, False) for a in r] for r in cell["input"]]).reshape(len(cell["input"]), -1)
    b = np.array([_num(v, False) for v in cell["bias"]])
    A = np.array([[_num(a, False) for a in r] for r in cell["recurrent"]]) if "recurrent" in cell else None
    out, prev = np.zeros(H.shape[:2] + (len(b),)), np.zeros((H.shape[0], len(b)))
    for t in (range(H.shape[1] - 1, -1, -1) if reverse else range(H.shape[1])):
        z = H[:, t] @ B.T + b + (prev @ A.T if A is not None else 0)
        prev = out[:, t] = f(z)
    return out


def read_rnn(doc, X):
    mat = lambda m: np.array([[_num(a, False) for a in r] for r in m]).reshape(len(m), -1)  # noqa: E731
    H = np.asarray(X, dtype=np.float64) @ mat(doc["lift"]).T
    for layer in doc["layers"]:
        if "forward" in layer:
            H = _run(layer["forward"], H) @ mat(layer["mix_forward"]).T + \
                _run(layer["backward"], H, True) @ mat(layer["mix_backward"]).T
        else:
            H = _run(layer, H)
    return H @ mat(doc["readout"]).T + np.array([_num(v, False) for v in doc.get("readout_bias", [0] * doc["output_dim"])])


def _doc(c):
    return json.loads(uio.dumps(c.network))


# -- own targets, shifted boxes, the reader, causality and determinism --------------------------------------------

def _lag_product(p):  # y[t] = (x1[t] - x2[t-1], x1[1] x2[t]); d_x = 2, d_y = 2; a Python callable
    prev = p[:, -2, 1] if p.shape[1] > 1 else np.zeros(len(p))
    return np.stack([p[:, -1, 0] - prev, p[:, 0, 0] * p[:, -1, 1]], axis=1)


def test_callable_target_on_shifted_box_read_from_json():
    kw = dict(T=2, eps=0.1, input_dim=2, domain="[-2,-1]x[3,4]")
    c = build("rnn-uniform", _lag_product, **kw)
    doc = _doc(c)
    assert c.network.width == 2 + 2 + 2 == doc_width(doc)
    assert uio.dumps(build("rnn-uniform", _lag_product, **kw).network) == uio.dumps(c.network)
    rng = np.random.default_rng(11)
    X = np.array([-2.0, 3.0]) + rng.random((1500, 2, 2))
    Y = read_rnn(doc, X)
    assert np.max(np.abs(Y - c.network.evaluate(X))) < tol("exact_target")
    tgt = make_sequence_target(_lag_product, input_dim=2)
    assert np.max(np.linalg.norm(Y - tgt(X), axis=2)) < 0.1
    X2 = X.copy()
    X2[:, 1] += 0.5  # the future must not change the past, bit for bit
    assert np.array_equal(read_rnn(doc, X2)[:, 0], Y[:, 0])


def doc_width(doc):
    w = len(doc["lift"])
    for layer in doc["layers"]:
        w = max(w, len(layer["bias"]) if "bias" in layer else len(layer["mix_forward"]))
    return w


# -- bug: ridge/Hammerstein interpolants had no size budget (minutes and gigabytes, then a huge witness) ----------

@pytest.mark.parametrize("target, kw", [
    ("wiener-tanh", dict(T=5, eps=1e-3, domain="[-10000,10000]")),   # ~3e6 knots: ran for minutes at 6 GB
    ("hammerstein", dict(T=30, eps=1e-6)),                             # ~7e5 knots
    ("wiener-sin", dict(T=3, knots=10**8)),                            # an explicit --knots beyond the budget
])
def test_interpolant_knot_budget_raises_quickly(target, kw):
    t0 = time.perf_counter()
    with pytest.raises(BudgetExceeded, match="max_knots"):
        build("rnn-uniform", target, **kw)
    assert time.perf_counter() - t0 < 20  # refused before anything is built (generous: a shared machine)


def test_knot_budget_is_a_parameter():
    with pytest.raises(BudgetExceeded, match="max_knots = 10"):
        build("rnn-uniform", "wiener-sin", T=2, knots=8, max_knots=10)
    assert build("rnn-uniform", "wiener-sin", T=2, knots=8, max_knots=16).parameters["knots"] == 8


# -- bug: eps below the witness's float64 rounding gave a silently failing witness (predicted error 0) ------------

def test_eps_below_float64_rounding_raises():
    with pytest.raises(PrecisionBudgetExceeded, match="eps = 1e-06"):
        build("rnn-uniform", "running-mean", T=10, eps=1e-6, domain="[1000000000000,1000000000001]")
    with pytest.raises(PrecisionBudgetExceeded, match="float64 rounding"):
        build("brnn-uniform", "reversal", T=3, eps=1e-17)
    c = build("rnn-uniform", "running-mean", T=10, eps=1e-10, domain="[-100,100]")
    assert c.precision["rounding_estimate"] < 1e-10


# -- bug: rnn-tanh / rnn-sigmoid on boxes away from [0, 1] silently missed eps (delta * |z| not small) ---------

def _sampled_sup(c, target, box_lo, box_hi, T, n=2000):
    tgt = make_sequence_target(target, input_dim=c.network.input_dim)
    u = np.random.default_rng(7).random((n, T, c.network.input_dim))
    x = np.asarray(box_lo) + (np.asarray(box_hi) - np.asarray(box_lo)) * u
    return float(np.max(np.linalg.norm(read_rnn(_doc(c), x) - tgt(x), axis=2)))


@pytest.mark.parametrize("act, target, domain, lo, hi, T", [
    ("tanh", "wiener-tanh", "[-100,100]", -100, 100, 5),   # was 2.0e-2 > eps = 1e-3
    ("sigmoid", "iir", "[-20,20]", -20, 20, 6),             # was 5.0e-2
])
def test_smooth_witness_meets_eps_on_wide_boxes(act, target, domain, lo, hi, T):
    c = build(f"rnn-{act}", target, T=T, eps=1e-3, domain=domain)
    assert c.network.width == 1 + 1 + 3 + (act == "sigmoid")
    assert c.precision["linearisation_error"] < 1e-3 / 2
    assert _sampled_sup(c, target, lo, hi, T) < 1e-3


def test_smooth_witness_below_reach_raises():
    # the delta-trick's floor (delta^2 linearisation, then rounding): 6.7e-9 was returned silently for eps = 1e-12
    with pytest.raises(PrecisionBudgetExceeded, match="misses eps = 1e-12"):
        build("rnn-tanh", "running-mean", T=30, eps=1e-12)
    with pytest.raises(PrecisionBudgetExceeded, match="sigmoid witness misses eps"):  # was built with error 2.0
        build("rnn-sigmoid", "wiener-tanh", T=5, eps=1e-3, domain="[-100,100]")
    # an explicit delta (error-versus-delta studies) still builds, with the sampled error in the notes
    c = build("rnn-tanh", "running-mean", T=3, eps=1e-6, delta=1e-2)
    assert "WARNING: sampled error" in c.notes and c.precision["sampled_self_check"] > 1e-6


# -- bug: rnn-tanh-iir / rnn-sigmoid-iir ignored the size of the accumulator's partial sums (errors up to 5e3) ----

def test_iir_witness_on_wider_box_meets_eps():
    c = build("rnn-tanh-iir", "hammerstein", T=6, eps=1e-3, domain="[-2,2]")   # was 1.2e-2
    assert c.network.width == 3
    assert _sampled_sup(c, "hammerstein", -2, 2, 6) < 1e-3


@pytest.mark.parametrize("act, domain", [("sigmoid", "[-5,5]"), ("tanh", "[-5,5]"), ("sigmoid", "[-2,2]")])
def test_iir_witness_out_of_reach_raises(act, domain):
    # built silently with errors 5.4e3 (sigmoid) and 2.7e3 (tanh) on [-5,5], 837 (sigmoid) on [-2,2]
    with pytest.raises(PrecisionBudgetExceeded, match=f"rnn-{act}-iir witness misses eps"):
        build(f"rnn-{act}-iir", "hammerstein", T=6, eps=1e-3, domain=domain)


def test_expression_as_sequence_target_names_the_fix():
    from uat.errors import TargetError

    with pytest.raises(TargetError, match="expressions are not sequence targets"):
        build("rnn-uniform", "sin(2*pi*x1)", T=2)


# -- rnn-lp / brnn-lp honour eps (an a-priori bound, or a sampled estimate for discontinuous targets) ------------

def _rises(p):
    """A discontinuous causal target the library lacks: 1 where the token rose, y[t] = [x[t] > x[t-1]]."""
    if p.shape[1] < 2:
        return np.zeros((p.shape[0], 1))
    return (p[:, -1, :1] > p[:, -2, :1]).astype(float)


def test_rnn_lp_discontinuous_target_meets_eps_or_is_refused():
    """Default bits used to be the largest within max_codes whatever eps; a fixed M silently missed eps."""
    from verification import measure

    c = build("rnn-lp", _rises, input_dim=1, T=3, eps=0.2, p=1.0)
    assert c.predicted_error is None and c.precision["sampled_error"]["total"] <= 0.2
    assert not c.notes.startswith("WARNING")
    assert measure(c.network, _rises, norm="lp", p=1.0, m=9).high <= 0.2
    # explicit bits are honoured, the miss is stated
    kept = build("rnn-lp", _rises, input_dim=1, T=3, eps=0.2, p=1.0, bits=1)
    assert kept.parameters["bits"] == 1 and kept.notes.startswith("WARNING: the sampled estimate")
    assert measure(kept.network, _rises, norm="lp", p=1.0, m=9).value > 0.2  # the warning was right
    # on [-2, 2]^3 (volume 64) eps = 0.2 in L^1 is out of reach within max_codes: refused, naming eps and the fix
    with pytest.raises(BudgetExceeded, match=r"eps = 0\.2 .*out of reach.*fix --bits"):
        build("rnn-lp", _rises, input_dim=1, T=3, eps=0.2, p=1.0, domain="[-2,2]")


@pytest.mark.parametrize("name, kw, eps", [("rnn-lp", {"T": 2, "p": 2.0, "domain": "[-1,1]"}, 0.1),
                                           ("brnn-lp", {"T": 2, "p": 1.5}, 0.1)])
def test_rnn_lp_bits_are_the_smallest_whose_bound_meets_eps(name, kw, eps):
    from verification import measure

    tgt = "running-mean" if name == "rnn-lp" else "reversal"
    c = build(name, tgt, eps=eps, **kw)
    M = c.parameters["bits"]
    assert c.predicted_error == c.precision["error_bound"]["total"] <= eps
    res = measure(c.network, tgt, norm="lp", p=kw["p"], m=10, domain=kw.get("domain"))
    assert res.high <= c.predicted_error  # the bound bounds
    coarser = build(name, tgt, eps=eps, bits=M - 1, **kw)  # kept, with the bound's warning
    assert coarser.predicted_error > eps and coarser.notes.startswith("WARNING")


def test_rnn_lp_unreachable_eps_names_the_best_bound():
    with pytest.raises(BudgetExceeded, match=r"eps = 0\.001 .*bound alone is .*lipschitz="):
        build("rnn-lp", "running-mean", T=3, eps=1e-3, p=2.0)


def test_rnn_lp_whole_space_decoder_keeps_the_last_codes():
    """Whole space, d_y = 2: the gate read the code channel, which the memoriser sweep left uncollapsed above its
    last increment, and pulled the top cells' outputs to 0 (error 0.093 at cell centres with 40 levels)."""
    c = build("rnn-lp", "gaussian-wave", T=1, bits=5, whole=True, eps=0.2, levels=40)
    L, n = c.parameters["radius"], 32
    x = (-L + 2 * L * (np.arange(n) + 0.5) / n)[:, None, None]
    err = np.linalg.norm(c.network.evaluate(x) - make_sequence_target("gaussian-wave")(x), axis=2)
    assert err.max() <= np.sqrt(2) * c.parameters["output_step"] / 2 + tol("exact_target")


# -- the CLI refuses options a construction does not take; the causality note at T = 1 ------------------------------

@pytest.mark.parametrize("argv, fragment", [
    (["build", "rnn-uniform", "--T", "2", "--p", "2"], "drop --p"),
    (["build", "leaky-uniform", "--target", "sin(x1)", "--p", "2"], "drop --p"),
    (["build", "rnn-lp", "--T", "2", "--param", "colour=3"], "takes no parameter 'colour'"),
])
def test_cli_refuses_foreign_options_in_one_line(argv, fragment, tmp_path, capsys):
    from uat.cli import main

    assert main(argv + ["--out", str(tmp_path / "w.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert fragment in err and len(err.splitlines()) == 1 and "unexpected keyword" not in err
    assert not (tmp_path / "w.json").exists()


def test_causality_note_at_one_step():
    from verification.sequence import CausalityReport

    assert "2..1" not in CausalityReport(True, 1, 8).describe()
    assert "every s = 2..3" in CausalityReport(True, 3, 8).describe()


def test_cli_states_a_kept_miss_of_eps(tmp_path, capsys):
    """Explicit --bits whose bound misses eps: the witness is written and the WARNING is printed, not only stored."""
    from uat.cli import main

    out = tmp_path / "b.json"
    assert main(["build", "brnn-lp", "--target", "reversal", "--T", "3", "--eps", "0.1", "--bits", "2",
                 "--out", str(out)]) == 0
    assert "WARNING: the a-priori bound" in capsys.readouterr().err and out.exists()


def _jump(p):
    """A jump of 7 at x[1] = 0.3, which is no dyadic point of [0.1, 0.7]: one cell straddles it at every M."""
    return np.where(p[:, 0, 0] > 0.3, 5.0, -2.0)[:, None] + 0 * p[:, -1, :1]


def test_rnn_lp_jump_inside_one_cell_is_not_missed():
    """2048 plain samples (and 4 random points per cell) missed the one cell of 1024 that holds the jump and reported
    an in-box error of 0; the verifier measures about 0.4 in L^3.  The cell oscillation sees it."""
    from verification import measure

    kept = build("rnn-lp", _jump, input_dim=1, T=1, eps=0.2, p=3.0, domain="[0.1,0.7]", bits=10)
    assert kept.notes.startswith("WARNING: the sampled estimate")
    assert measure(kept.network, _jump, norm="lp", p=3.0, m=12, domain="[0.1,0.7]").value > 0.2
    with pytest.raises(BudgetExceeded, match=r"eps = 0\.05 in L\^3"):
        build("rnn-lp", _jump, input_dim=1, T=1, eps=0.05, p=3.0, domain="[0.1,0.7]")


def test_rnn_lp_whole_space_on_a_user_box_counts_the_tail():
    """whole=True with --domain skipped the tail: the error outside the user's box (where the witness is 0) was
    in no bound; now the tail outside the largest centred cube in the box is added, or a WARNING says it is not."""
    c = build("rnn-lp", "gaussian", T=2, whole=True, eps=0.3, domain="[-2,2]")
    assert c.precision["sampled_error"]["tail"] > 0.1  # ||exp(-|x|^2/2)||_2 outside [-2,2]^2 is about 0.17
    shifted = build("rnn-lp", "gaussian", T=1, whole=True, eps=0.3, domain="[0,2]", bits=3)
    assert shifted.notes.startswith("WARNING: the target's tail outside the box is unknown")


def test_rnn_lp_discontinuous_estimate_is_not_wildly_conservative():
    """Charging every cell a jump crosses in full (the first fix) refused majority at T = 4, eps = 0.3 in L^1.5
    (estimate 0.47, verifier 0.16); the rule-of-succession share keeps the estimate above the truth and below eps."""
    from verification import measure

    c = build("rnn-lp", "majority", T=4, eps=0.3, p=1.5)
    res = measure(c.network, "majority", norm="lp", p=1.5, m=10)
    assert res.high <= c.precision["sampled_error"]["total"] <= 0.3
