"""ReLU witnesses: cost against eps, and the witness against Adam training at the same width and depth.

Part 1 (``sizes``): for d_x in {1, 2, 3}, relu-lp-compact witnesses of a smooth target at several
eps (L^1): build time, depth, parameters, max |weight|, predicted bound, measured error and
verification time (randomized QMC, 2^12 points x 4 replicates), and the ratio depth * eps^d_x
(constant when the depth follows the bound O(eps^-d_x)).

Part 2 (``adam``): for d_x = 2, a network of the witness's width and depth with He-initialised
weights trained by Adam from scratch (torch, float64, L^1 loss on fresh uniform batches),
converted to a uat network and measured by the same verifier.  Training lives here only; the
constructions never train.

Usage: .venv/bin/python benchmarks/bench_relu.py [sizes] [adam] [--quick]
"""

from __future__ import annotations

import sys
import time

import numpy as np

import uat
from constructions import build
from verification import lp_error

TARGETS = {1: "sin(2*pi*x1)", 2: "sin(2*pi*x1)*x2", 3: "sin(2*pi*x1)*x2*x3 + x3"}
EPS = {1: [0.1, 0.05, 0.025, 0.0125, 0.00625], 2: [0.2, 0.1, 0.05, 0.025, 0.0125], 3: [0.4, 0.2, 0.1, 0.05]}


def sizes(quick: bool) -> None:
    print("| d_x | eps | bits | depth | params | max abs weight | build (s) | predicted | measured L^1 | verify (s) | depth * eps^d_x |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for dx in (1, 2, 3):
        epss = EPS[dx][:3] if quick else EPS[dx]
        rows = []
        for eps in epss:
            t0 = time.perf_counter()
            c = build("relu-lp-compact", TARGETS[dx], input_dim=dx, eps=eps, p=1, progress="quiet")
            t1 = time.perf_counter()
            r = lp_error(c.network, TARGETS[dx], p=1, method="qmc", m=12, replicates=4)
            t2 = time.perf_counter()
            net = c.network
            rows.append((eps, net.depth))
            print(f"| {dx} | {eps:g} | {c.parameters['bits']} | {net.depth} | {net.n_params} | "
                  f"{net.max_abs_weight():.2e} | {t1 - t0:.2f} | {c.predicted_error:.3g} | {r.value:.3g} | "
                  f"{t2 - t1:.2f} | {net.depth * eps**dx:.3g} |", flush=True)
        if len(rows) >= 2:
            e = np.log([1 / a for a, _ in rows])
            d = np.log([b for _, b in rows])
            print(f"<!-- d_x={dx}: fitted log-log slope of depth against 1/eps: {np.polyfit(e, d, 1)[0]:.2f} "
                  f"(bound: {dx}) -->", flush=True)


def _to_uat(model, dims) -> uat.FeedForward:
    import torch

    Ws, bs, acts = [], [], []
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    for i, lin in enumerate(linears):
        Ws.append(lin.weight.detach().numpy().astype(np.float64))
        bs.append(lin.bias.detach().numpy().astype(np.float64))
        acts.append("identity" if i == len(linears) - 1 else "relu")
    return uat.FeedForward.from_arrays(Ws, bs, acts)


def train_adam(target: str, dx: int, width: int, depth: int, *, steps: int, seconds: float, seed: int = 0):
    """Adam from scratch on a width x depth ReLU net (He init), L^1 loss, fresh uniform batches."""
    import torch

    torch.manual_seed(seed)
    f = __import__("uat.targets", fromlist=["make_target"]).make_target(target, input_dim=dx)
    layers, n_in = [], dx
    for _ in range(depth - 1):
        lin = torch.nn.Linear(n_in, width, dtype=torch.float64)
        torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
        torch.nn.init.zeros_(lin.bias)
        layers += [lin, torch.nn.ReLU()]
        n_in = width
    layers.append(torch.nn.Linear(n_in, f.output_dim, dtype=torch.float64))
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    done = 0
    for step in range(steps):
        x = rng.random((512, dx))
        y = torch.from_numpy(f(x))
        loss = (model(torch.from_numpy(x)) - y).abs().sum(dim=1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        done = step + 1
        if time.perf_counter() - t0 > seconds:
            break
    return _to_uat(model, dx), done, time.perf_counter() - t0


def adam(quick: bool) -> None:
    dx = 2
    target = TARGETS[dx]
    print("| eps of the witness | width | depth | params | witness L^1 | Adam steps | Adam time (s) | Adam L^1 (same width and depth) |")
    print("|---|---|---|---|---|---|---|---|")
    for eps in ([0.2, 0.1] if quick else [0.2, 0.1, 0.05]):
        c = build("relu-lp-compact", target, input_dim=dx, eps=eps, p=1, progress="quiet")
        net = c.network
        rw = lp_error(net, target, p=1, method="qmc", m=12, replicates=4)
        trained, steps, secs = train_adam(target, dx, net.width, net.depth, steps=300 if quick else 2000,
                                          seconds=60 if quick else 300)
        ra = lp_error(trained, target, p=1, method="qmc", m=12, replicates=4)
        print(f"| {eps:g} | {net.width} | {net.depth} | {net.n_params} | {rw.value:.3g} | {steps} | {secs:.0f} | "
              f"{ra.value:.3g} |", flush=True)
    # a reference point: a trainable shape with a similar parameter count (wide and shallow)
    for width, depth in ((16, 3), (64, 3)):
        trained, steps, secs = train_adam(target, dx, width, depth, steps=300 if quick else 2000,
                                          seconds=60 if quick else 300)
        ra = lp_error(trained, target, p=1, method="qmc", m=12, replicates=4)
        print(f"| (reference, not minimal width) | {width} | {depth} | {trained.n_params} | - | {steps} | {secs:.0f} | "
              f"{ra.value:.3g} |", flush=True)
    print(f"<!-- target {target} on [0,1]^2, L^1 measured by verification.lp_error (qmc, 2^12 x 4) -->")


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    parts = [a for a in argv if not a.startswith("--")] or ["sizes", "adam"]
    print(f"# bench_relu ({'quick' if quick else 'full'}), numpy {np.__version__}, python {sys.version.split()[0]}")
    if "sizes" in parts:
        sizes(quick)
    if "adam" in parts:
        adam(quick)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
