"""RNN witnesses: build time, width, depth, parameters and verification time (issue 6).

Parts (``--part NAME``, default all):

* ``uniform``: T in {5, 10, 20} and d_x in {1, 2, 3} for rnn-uniform on the exact running mean and
  on the ridge target wiener-tanh (eps = 1e-3); brnn-uniform; the generic route;
* ``lp``: rnn-lp (box, the d_y > d_x decoder, whole space) and brnn-lp;
* ``tanh``: rnn-tanh / rnn-sigmoid at the published widths, and the compact -iir variants;
* ``cover``: the covering certificate (bound, cells, time) next to the sampled sup.

Verification is the independent sequence verifier: the sup over 2^12 Sobol' plus 3 x 1024 corner,
face and uniform sequences, and the bitwise causality check (L^p: 8 x 2^12 QMC sequences; on the
whole space the cube plus the target's tail).  One run per case; prints markdown tables for
docs/benchmarks.md.

Usage: .venv/bin/python benchmarks/bench_rnn.py [--quick] [--part uniform|lp|tanh|cover]
"""

from __future__ import annotations

import os
import platform
import sys
import time

import numpy as np

from constructions import build
from verification import measure


def _row(name: str, target: str, kw: dict, norm: str = "sup", p: float | None = None) -> str:
    t0 = time.perf_counter()
    c = build(name, target, **kw)
    t_build = time.perf_counter() - t0
    net = c.network
    t0 = time.perf_counter()
    res = measure(net, target, norm=norm, p=p, m=12)
    t_verify = time.perf_counter() - t0
    causal = res.details.get("causality", {}).get("passed", "n/a")
    dims = f"{net.input_dim}/{net.output_dim}"
    interval = "" if norm == "sup" else f" [{res.low:.2e}, {res.high:.2e}]"
    label = target if isinstance(target, str) else target.__name__
    return (f"| {name} | {label} | {kw.get('T')} | {dims} | {net.width} | {net.depth:,} | {net.n_params:,} | "
            f"{t_build:.2f} | {t_verify:.2f} | {res.value:.2e}{interval} | {causal} |")


def _cover_row(name: str, target: str, kw: dict) -> str:
    from uat.domains import parse_domain
    from uat.sequence_targets import make_sequence_target
    from verification import sequence_sup_certificate

    net = build(name, target, **kw).network
    T = kw["T"]
    box = parse_domain(kw.get("domain", "[0,1]"), dim=net.input_dim)
    f = make_sequence_target(target, input_dim=net.input_dim, causal=net.is_causal)
    sampled = measure(net, target, norm="sup", m=12, domain=box, causality=False).value
    t0 = time.perf_counter()
    cert = sequence_sup_certificate(net, f, box, T)
    t_cert = time.perf_counter() - t0
    bound = "vacuous" if cert.details["vacuous"] else f"{cert.high:.3g}"
    return (f"| {name} | {target} | {T} | {net.input_dim} | {net.depth:,} | {cert.details['cells']:,} | "
            f"{cert.details['relaxed_relus']:,} | {bound} | {sampled:.2e} | {t_cert:.2f} |")


def _header() -> None:
    print("| construction | target | T | d_x/d_y | width | depth | params | build (s) | verify (s) | error | causal |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    parts = {"uniform", "lp", "tanh", "cover"}
    if "--part" in argv:
        parts = {argv[argv.index("--part") + 1]}
    Ts = (5, 10) if quick else (5, 10, 20)
    dxs = (1, 2) if quick else (1, 2, 3)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"# {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, load average {load:.1f}, "
          f"Python {platform.python_version()}, numpy {np.__version__}")
    if "uniform" in parts:
        _header()
        _uniform(Ts, dxs)
    if "lp" in parts:
        _header()
        _lp()
    if "tanh" in parts:
        _header()
        _tanh()
    if "cover" in parts:
        print("| construction | target | T | d_x | depth | cells | relaxed ReLUs | certified bound | sampled sup | "
              "certify (s) |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for name, target, kw in (("rnn-uniform", "running-mean", {"T": 2, "domain": "[-1,1]"}),
                                 ("rnn-uniform", "running-mean", {"T": 4, "domain": "[-1,1]"}),
                                 ("rnn-uniform", "iir", {"T": 2, "input_dim": 2, "domain": "[0,1]^2"}),
                                 ("rnn-uniform", "wiener-tanh", {"T": 3, "eps": 1e-3}),
                                 ("brnn-uniform", "reversal", {"T": 3}),
                                 ("rnn-lp", "running-mean", {"T": 2, "bits": 4})):
            print(_cover_row(name, target, kw), flush=True)
    return 0


def _lp() -> None:
    from constructions._rnn_lp_cases import mean_and_square, pair_to_three, three_moments

    for f, dx, kw in ((mean_and_square, 1, {"T": 2, "bits": 4, "eps": 0.06}),
                      (three_moments, 1, {"T": 1, "bits": 6, "eps": 0.08}),
                      (pair_to_three, 2, {"T": 1, "bits": 4, "eps": 0.15})):
        print(_row("rnn-lp", f, {**kw, "input_dim": dx}, norm="lp", p=2.0), flush=True)
    for target, kw in (("gaussian", {"T": 2, "bits": 5, "whole": True, "eps": 0.1}),
                       ("gaussian-wave", {"T": 1, "bits": 6, "whole": True, "eps": 0.1})):
        print(_row("rnn-lp", target, kw, norm="lp", p=2.0), flush=True)
    for target, kw in (("reversal", {"T": 3, "bits": 3}), ("centred-moving-average", {"T": 3, "bits": 3}),
                       ("gaussian-cos", {"T": 2, "bits": 4, "whole": True, "eps": 0.25})):
        print(_row("brnn-lp", target, kw, norm="lp", p=2.0), flush=True)


def _tanh() -> None:
    for act in ("tanh", "sigmoid"):
        for target, kw in (("running-mean", {"T": 10, "input_dim": 2, "eps": 1e-4}), ("wiener-sin", {"T": 10}),
                           ("hammerstein", {"T": 5}), ("tanh-system", {"T": 3, "eps": 0.05})):
            print(_row(f"rnn-{act}", target, {"eps": 1e-3, **kw}), flush=True)
        print(_row(f"rnn-{act}-iir", "wiener-sin", {"T": 20, "eps": 1e-3}), flush=True)


def _uniform(Ts: tuple, dxs: tuple) -> None:
    for target in ("running-mean", "wiener-tanh"):
        for dx in dxs:
            for T in Ts:
                print(_row("rnn-uniform", target, {"T": T, "input_dim": dx, "eps": 1e-3, "domain": f"[-1,1]^{dx}"}),
                      flush=True)
    for kw in ({"T": 10, "input_dim": 1}, {"T": 20, "input_dim": 2}):
        print(_row("brnn-uniform", "reversal", {**kw, "domain": f"[-1,1]^{kw['input_dim']}"}), flush=True)
    print(_row("rnn-uniform", "running-max", {"T": 20, "input_dim": 3}), flush=True)
    print(_row("rnn-uniform", "tanh-system", {"T": 3, "eps": 0.05}), flush=True)
    for kw in ({"T": 2, "bits": 5, "p": 1.0}, {"T": 3, "bits": 4, "p": 1.0}):
        print(_row("rnn-lp", "majority", kw, norm="lp", p=kw["p"]), flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
